using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// A batch or slice loop whose variable is read only by one printed join (<c>{{ b|join(sep) }}</c>) joins each batch
/// straight from the view after tier-up, without filling the view's list (Iteration.ChunkView.WriteJoined). Over every
/// kind of source (ints and strings joined directly; nulls, floats, objects and shortened lists through the general
/// join), it must print what the interpreter prints, escaped or not.
/// </summary>
public class ChunkJoinTests
{
    public static IEnumerable<object[]> Sources() => new object[][]
    {
        [new List<int> { 1, -2, 30, 4, 5 }],
        [new List<int>()],
        [Enumerable.Range(0, 23).ToList()],
        [new List<string?> { "a", "<b>", "c&d", "e", "" }],
        [new List<string?> { "a", null, "c" }],
        [new List<double> { 1.5, 2, double.NaN }],
        [new List<object?> { 1, "x", null, 2.5, new Markup("<i>") }],
        [new List<long> { 1, long.MaxValue, 3 }],
    };

    [Theory]
    [MemberData(nameof(Sources))]
    public void A_join_of_each_batch_or_column_prints_what_the_interpreter_prints(object source)
    {
        foreach (var body in new[]
        {
            "{% for b in xs|batch(2) %}[{{ b|join('+') }}]{% endfor %}",
            "{% for b in xs|batch(3) %}{{ b|join(' & ') }};{% else %}none{% endfor %}",
            "{% for c in xs|slice(2) %}{{ c|join(',') }}|{% endfor %}",
            "{% for c in xs|slice(4) %}{{ c|join }}|{% endfor %}",
            // (read twice: not fused, the general path)
            "{% for b in xs|batch(2) %}{{ b|join('-') }}{{ b|length }};{% endfor %}",
        })
            foreach (var autoescape in new[] { true, false })
            {
                var context = new Dictionary<string, object?> { ["xs"] = source };
                var expected = RenderOutcome(Mode.Interpreted, body, context, autoescape);
                Assert.Equal(expected, RenderOutcome(Mode.Compiled, body, context, autoescape));
                Assert.Equal(expected, RenderOutcome(Mode.Tiered, body, context, autoescape));
            }
    }

    [Fact]
    public void A_fused_join_promoted_on_ints_joins_any_later_source()
    {
        const string source = "{% for b in xs|batch(2) %}[{{ b|join('+') }}]{% endfor %}";
        var t = Env(Mode.Tiered).FromString(source);
        Assert.Equal("[1+2][3]", t.Render(new Dictionary<string, object?> { ["xs"] = new List<int> { 1, 2, 3 } }));
        t.Compiled.Promote();
        foreach (var (xs, printed) in new (object, string)[]
        {
            (new List<int> { 4, 5, 6 }, "[4+5][6]"),
            (new List<string?> { "<a>", null }, "[&lt;a&gt;+None]"),
            ("abc", "[a+b][c]"),
            (new List<object?> { 1.5, true }, "[1.5+True]"),
        })
            Assert.Equal(printed, t.Render(new Dictionary<string, object?> { ["xs"] = xs }));
    }
}
