using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// Tier-up types string operations on a template variable (not a member) behind an exact check that it holds a string,
/// and a type test (<c>is sequence</c>, <c>is mapping</c>, <c>is iterable</c>) behind a check of the type its site last
/// answered for. Whatever the variable holds, each body must print after promotion what the interpreter prints: strings
/// with surrogate pairs, empty strings, Markup, numbers, lists, dictionaries and None in one list.
/// </summary>
public class BareVariableTests
{
    public static IEnumerable<object[]> Bodies() => new[]
    {
        "{{ v.startswith('ab') }} {{ v.endswith('z') }} {{ v.startswith('') }};",
        "{{ v[0] }} {{ v[-1] }} {{ v|length }};",
        "{{ v == 'abc' }} {{ v != 'abc' }} {{ 'b' in v }} {{ 'bc' not in v }} {{ v ~ '!' }} {{ v ~ v }};",
        "{{ v is sequence }} {{ v is mapping }} {{ v is iterable }} {{ v is string }};",
        "{% if v is sequence %}s{% endif %}{% if v is mapping %}m{% endif %}{{ v|string|length }};",
    }.Select(b => new object[] { b });

    private static readonly object?[] Strings = ["abc", "ab\U0001F600z", "z", "\U0001F600", "abcz", "xyz", "b"];

    private static readonly object?[] Mixed =
        ["abc", new Markup("<ab>"), new List<object?> { 1, "a" }, new Dictionary<string, object?> { ["b"] = 1 }, 5, 2.5, "z", "", null, true];

    [Theory]
    [MemberData(nameof(Bodies))]
    public void String_operations_on_a_variable_print_what_the_interpreter_prints(string body)
    {
        var source = "{% for v in xs %}" + body + "{% endfor %}";
        foreach (var items in new[] { Strings, Mixed, [.. Mixed.Reverse()] })
        {
            foreach (var list in new object[] { items.ToList(), items.Select(x => x as string).Where(x => x is not null).ToList() })
            {
                var context = new Dictionary<string, object?> { ["xs"] = list };
                var expected = RenderOutcome(Mode.Interpreted, source, context);
                Assert.Equal(expected, RenderOutcome(Mode.Compiled, source, context));
                Assert.Equal(expected, RenderOutcome(Mode.Tiered, source, context));
                // promoted after meeting only strings, then given everything else
                var t = Env(Mode.Tiered).FromString(source);
                Assert.Equal(RenderOutcome(Mode.Interpreted, source, new() { ["xs"] = Strings.ToList() }), RenderOutcome(t, new() { ["xs"] = Strings.ToList() }));
                t.Compiled.Promote();
                Assert.Equal(expected, RenderOutcome(t, context));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_macro_parameter_and_a_set_variable_are_typed_the_same_way(Mode mode)
    {
        const string source = "{% macro m(s) %}{{ s.startswith('a') }}{{ s[0] }}{{ s|length }}{% endmacro %}{% for v in xs %}{% set w = v %}{{ m(w) }}{{ w.endswith('c') }};{% endfor %}";
        Assert.Equal("Truea3True;FalseB1False;", Render(mode, source, new() { ["xs"] = new List<object?> { "abc", "B" } }));
    }
}
