using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// Issue 15: <c>{{ 'constant'|format(args) }}</c> is written straight into the output from a plan made at compile time.
/// It must print exactly what the formatted string prints (escaping, Markup arguments, numbers, errors and limits),
/// which the same call stored in a variable and printed shows.
/// </summary>
public class FormatWriteTests
{
    private static readonly string[] Formats =
        ["'{} items'", "'<b>{}</b>'", "'{:.2f}'", "'{0}-{0}'", "'{} & {}'", "'{:>6}'", "'{:,}'", "'{}{{x}}'", "'{:.1f}%'", "'{name}'", "'%s'", "'{} {}'"];

    private static readonly string[] Args = ["n", "big", "s", "m", "d", "f", "none", "n, s", "safe", "neg", "missing", ""];

    public static IEnumerable<object[]> Cases =>
        from f in Formats from a in Args from m in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered }
        select new object[] { f, a, m };

    private static string Outcome(Mode mode, string source, bool autoescape)
    {
        var model = new Dictionary<string, object?>
        {
            ["n"] = 42, ["big"] = 12345678901234L, ["s"] = "a<b>&'\"", ["m"] = 2.5m, ["d"] = 1234.5678, ["f"] = -0.0,
            ["none"] = null, ["safe"] = new Markup("<i>x</i>"), ["neg"] = -7.125m,
        };
        try { return Render(mode, source, model, autoescape); }
        catch (TemplateException ex) { return "error " + ex.Code; }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_printed_format_prints_what_the_formatted_string_prints(string format, string args, Mode mode)
    {
        foreach (var autoescape in new[] { true, false })
        {
            var direct = Outcome(mode, $"[{{{{ {format}|format({args}) }}}}]", autoescape);
            var stored = Outcome(mode, $"{{% set r = {format}|format({args}) %}}[{{{{ r }}}}]", autoescape);
            Assert.Equal(stored, direct);
        }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_printed_format_holds_the_string_limit(Mode mode)
    {
        var env = new KidaEnvironment(new KidaOptions
        {
            PreferInterpretation = mode == Mode.Interpreted,
            TieredCompilation = mode == Mode.Tiered,
            Limits = KidaLimits.Default with { MaxStringLength = 100 },
        });
        var model = new Dictionary<string, object?> { ["s"] = new string('x', 80) };
        var ex = Assert.ThrowsAny<TemplateException>(() => env.FromString("{{ '{}{}'|format(s, s) }}").Render(model));
        Assert.StartsWith("K-SEC", ex.Code);
        Assert.Equal(new string('x', 80) + "!", env.FromString("{{ '{}!'|format(s) }}").Render(model));
    }
}
