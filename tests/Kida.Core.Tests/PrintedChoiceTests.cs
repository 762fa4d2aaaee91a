using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// Issue 15: a printed choice (<c>a if c else b</c>), a printed <c>and</c>/<c>or</c>, and a printed comparison or test
/// are written branch by branch (the chosen operand printed as it would be on its own, a bool without a box). Each must
/// print exactly what the chosen value prints when it is stored first and then printed.
/// </summary>
public class PrintedChoiceTests
{
    public sealed record Row(string? Name, string? Missing, int N, bool Flag, double D);

    private static readonly string[] Operands =
    [
        "r.name", "r.missing", "r.n", "r.flag", "r.d", "none", "'<b>'", "''", "0", "[1, 2]", "r.missing?.x", "r?.missing", "r.name?.upper()",
        "(r.name|upper)", "r.missing|default('dflt')", "undefined_name", "r.n > 1", "r.flag is true", "not r.flag", "r.name ~ '!'", "'{}'|format(r.n)",
        "r.missing ?? 'fallback'", "(r.n * 2)", "{'a': 1}", "r.name[0]",
    ];

    public static IEnumerable<object[]> Shapes()
    {
        foreach (var a in Operands)
        foreach (var b in new[] { "r.missing", "'<i>'", "r.n", "r.name?.lower()", "none" })
        {
            yield return [$"{a} if r.flag else {b}"];
            yield return [$"{b} if not r.flag else {a}"];
            yield return [$"{a} and {b}"];
            yield return [$"{a} or {b}"];
        }
        foreach (var a in Operands) yield return [$"{a} == {a}"];
    }

    private static string Outcome(Mode mode, string source, bool autoescape)
    {
        var model = new Dictionary<string, object?>
        {
            ["rows"] = new List<Row> { new("Ann <x>", null, 3, true, 1.5), new(null, null, 0, false, -0.0), new("", null, 1, true, double.NaN) },
        };
        try { return Render(mode, source, model, autoescape); }
        catch (TemplateException ex) { return "error " + ex.Code; }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_printed_choice_prints_what_the_chosen_value_prints(string expr)
    {
        foreach (var mode in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered })
        foreach (var autoescape in new[] { true, false })
        {
            var stored = Outcome(mode, $"{{% for r in rows %}}{{% set v = ({expr}) %}}[{{{{ v }}}}]{{% endfor %}}", autoescape);
            var printed = Outcome(mode, $"{{% for r in rows %}}[{{{{ {expr} }}}}]{{% endfor %}}", autoescape);
            Assert.Equal(stored, printed);
        }
    }
}
