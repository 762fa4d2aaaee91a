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

    public static IEnumerable<object[]> JsonValues =>
        from v in new[] { "plain", "quote\"s", "<script>", "héllo", "tab\t", "", "it's", "a&b" }
        from m in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered }
        select new object[] { v, m };

    [Theory]
    [MemberData(nameof(JsonValues))]
    public void A_printed_tojson_prints_what_the_filter_returns(string text, Mode mode)
    {
        foreach (var autoescape in new[] { true, false })
        {
            var model = new Dictionary<string, object?>
            {
                ["s"] = text, ["l"] = new List<object?> { text, 1, null }, ["d"] = new Dictionary<string, object?> { ["k"] = text },
                ["n"] = 2.5, ["none"] = null, ["safe"] = new Markup(text),
            };
            foreach (var name in new[] { "s", "l", "d", "n", "none", "safe", "missing" })
            {
                string Run(string source) { try { return Render(mode, source, model, autoescape); } catch (TemplateException ex) { return "error " + ex.Code; } }
                Assert.Equal(Run($"{{% set r = {name}|tojson %}}[{{{{ r }}}}]"), Run($"[{{{{ {name}|tojson }}}}]"));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_printed_tojson_holds_the_string_limit(Mode mode)
    {
        var env = new KidaEnvironment(new KidaOptions
        {
            PreferInterpretation = mode == Mode.Interpreted,
            TieredCompilation = mode == Mode.Tiered,
            Limits = KidaLimits.Default with { MaxStringLength = 100 },
        });
        var ex = Assert.ThrowsAny<TemplateException>(() => env.FromString("{{ s|tojson }}").Render(new Dictionary<string, object?> { ["s"] = new string('x', 99) }));
        Assert.StartsWith("K-SEC", ex.Code);
        Assert.Equal("\"" + new string('x', 98) + "\"", env.FromString("{{ s|tojson }}").Render(new Dictionary<string, object?> { ["s"] = new string('x', 98) }));
    }

    [Fact]
    public void The_sandbox_presets_string_limit_holds_under_the_shortcut_for_short_strings()
    {
        // Guard.StringLength answers lengths under the smallest configured limit without looking up the render: the
        // Sandboxed preset (made while KidaLimits initialises) must count among the configured limits
        Assert.True(KidaLimits.Sandboxed.MaxStringLength < KidaLimits.Default.MaxStringLength);
        Assert.True(KidaLimits.StringLengthFloor <= KidaLimits.Sandboxed.MaxStringLength);
        var env = new KidaEnvironment(new KidaOptions { Sandbox = new SandboxPolicy() });
        var ex = Assert.ThrowsAny<TemplateException>(() => env.FromString("{{ ('x' * (n + 1))|length }}").Render(new Dictionary<string, object?> { ["n"] = KidaLimits.Sandboxed.MaxStringLength }));
        Assert.Equal(ErrorCodes.StringLimit, ex.Code);
    }
}
