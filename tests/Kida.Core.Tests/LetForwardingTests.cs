using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// Issue 15: at tier-up, <c>{% let z = … %}{{ z }}</c> prints the value it just stored without looking it up, and in a
/// loop whose body nothing else can see the context from, the context is written once when the loop is left. What any
/// reader of the context sees must not change: after the loop, in a fallback after an error, in a macro, an include or
/// a block called from the loop, and across nested loops.
/// </summary>
public class LetForwardingTests
{
    public sealed record Row(int Id, int D, string Name);

    private static readonly List<Row> Rows = [new(1, 1, "a"), new(2, 2, "b<"), new(3, 0, "c"), new(4000, 4, "d")];

    public static IEnumerable<object[]> Sources =>
        new[]
        {
            "{% let z = 0 %}{% for x in xs %}{% let z = x.id + 1 %}{{ z }},{% endfor %}[{{ z }}]",
            "{% for x in xs %}{% let z = x.id * 1000 %}<b>{{ z }}</b>{% endfor %}[{{ z }}]",
            "{% for x in xs %}{% let z = x.name %}{{ z }}{% endfor %}[{{ z }}]",
            "{% for x in xs %}{% let z = x.id > 2 %}{{ z }}{% if z %}!{% endif %}{% endfor %}[{{ z }}]",
            "{% for x in xs %}{% let z = x.id %}{{ z }}{% if x.id == 2 %}{% break %}{% endif %}{% endfor %}[{{ z }}]",
            "{% for x in xs %}{% let z = x.id %}{{ z }}{% if x.id == 2 %}{% continue %}{% endif %}.{% endfor %}[{{ z }}]",
            "{% try %}{% for x in xs %}{% let z = x.id %}{{ z }}{{ x.id // x.d }}{% endfor %}{% fallback %}caught {{ z }}{% end %}",
            "{% try %}{% for x in xs %}{% let z = x.id %}{{ z }}{{ x.nope }}{% endfor %}{% fallback %}caught {{ z }}{% end %}",
            "{% macro show() %}<{{ z }}>{% endmacro %}{% for x in xs %}{% let z = x.id %}{{ z }}{{ show() }}{% endfor %}",
            "{% for x in xs %}{% let z = x.id %}{{ z }}{% include 'part.html' %}{% endfor %}",
            "{% for x in xs %}{% let z = x.id %}{{ z }}{% block b %}({{ z }}){% endblock %}{% endfor %}",
            "{% for a in xs %}{% for b in xs %}{% let z = b.id + a.id %}{{ z }};{% endfor %}[{{ z }}]{% endfor %}{{ z }}",
            "{% for x in xs %}{% let z = x.id %}{{ z }}{% let z = z + 1 %}{{ z }}{% endfor %}[{{ z }}]",
            "{% for x in xs %}{% let z = x.id %}{{ z }}{{ z }}{% let w = z %}{% endfor %}[{{ z }}{{ w }}]",
            "{% for x in xs %}{% export z = x.id %}{{ z }}{% endfor %}[{{ z }}]",
            "{% set z = 5 %}{{ z }}{% for x in xs %}{% set z = x.id %}{{ z }}{% endfor %}[{{ z }}]",
            "{% for x in xs %}{% let z = x.id %}{{ z }}{% endfor %}{% for x in [] %}{% let z = 9 %}{{ z }}{% endfor %}[{{ z }}]",
            "{% for x in xs %}{% let z = x.id %}{{ z }}{{ z|string|length }}{% endfor %}[{{ z }}]",
        }.Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(Sources))]
    public void A_let_printed_at_once_prints_and_leaves_the_context_as_the_interpreter_does(string source)
    {
        var templates = new Dictionary<string, string> { ["main.html"] = source, ["part.html"] = "({{ z }})" };
        var model = new Dictionary<string, object?> { ["xs"] = Rows };
        string Outcome(Mode mode)
        {
            try { return Render(mode, templates, model); }
            catch (TemplateException ex) { return "error " + ex.Code; }
        }
        var expected = Outcome(Mode.Interpreted);
        Assert.Equal(expected, Outcome(Mode.Compiled));
        Assert.Equal(expected, Outcome(Mode.Tiered));
    }

    [Fact]
    public void The_last_value_of_a_loop_let_is_in_the_context_after_the_loop_and_after_an_error()
    {
        var model = new Dictionary<string, object?> { ["xs"] = Rows };
        Assert.Equal("2,3,4,4001,[4001]", Render(Mode.Tiered, "{% let z = 0 %}{% for x in xs %}{% let z = x.id + 1 %}{{ z }},{% endfor %}[{{ z }}]", model));
        // the third row divides by zero: the fallback sees the value the failing iteration stored before it failed
        Assert.Equal("caught 3", Render(Mode.Tiered, "{% try %}{% for x in xs %}{% let z = x.id %}{{ z }}{{ x.id // x.d }}{% endfor %}{% fallback %}caught {{ z }}{% end %}", model));
        Assert.Equal("1<1>2<2>3<3>4000<4000>", Render(Mode.Tiered, "{% macro show() %}<{{ z }}>{% endmacro %}{% for x in xs %}{% let z = x.id %}{{ z }}{{ show() }}{% endfor %}", model));
    }
}
