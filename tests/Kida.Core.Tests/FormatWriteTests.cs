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
        var env = Env(mode, KidaLimits.Default with { MaxStringLength = 100 });
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
        var env = Env(mode, KidaLimits.Default with { MaxStringLength = 100 });
        var ex = Assert.ThrowsAny<TemplateException>(() => env.FromString("{{ s|tojson }}").Render(new Dictionary<string, object?> { ["s"] = new string('x', 99) }));
        Assert.StartsWith("K-SEC", ex.Code);
        Assert.Equal("\"" + new string('x', 98) + "\"", env.FromString("{{ s|tojson }}").Render(new Dictionary<string, object?> { ["s"] = new string('x', 98) }));
        var list = new Dictionary<string, object?> { ["l"] = Enumerable.Range(0, 30).Select(i => (object?)("ab" + i)).ToList() };
        Assert.Equal(ErrorCodes.StringLimit, Assert.ThrowsAny<TemplateException>(() => env.FromString("{{ l|tojson }}").Render(list)).Code);
        Assert.Equal("[\"ab0\", 1, null, true]", env.FromString("{{ l|tojson }}").Render(new Dictionary<string, object?> { ["l"] = new List<object?> { "ab0", 1, null, true } }));
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

    public static IEnumerable<object[]> SortJoinCases =>
        from sep in new[] { "','", "'<'", "''", "' & '" }
        from m in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered }
        select new object[] { sep, m };

    [Theory]
    [MemberData(nameof(SortJoinCases))]
    public void A_printed_sort_join_prints_what_the_joined_string_prints(string sep, Mode mode)
    {
        var rnd = new Random(5);
        var model = new Dictionary<string, object?>
        {
            ["one"] = new List<int> { 7 }, ["few"] = new List<int> { 3, -1, 3, int.MinValue, int.MaxValue, 0 },
            ["many"] = Enumerable.Range(0, 300).Select(_ => rnd.Next(-1000, 1000)).ToList(), ["empty"] = new List<int>(),
            ["longs"] = new List<long> { 5, long.MinValue, 2 }, ["words"] = new List<string> { "b", "A", "<c>", "a" },
            ["mixed"] = new List<object?> { 2, 1.5, true }, ["none"] = null, ["text"] = "cab",
        };
        foreach (var autoescape in new[] { true, false })
            foreach (var name in model.Keys.Append("missing"))
            {
                string Run(string source) { try { return Render(mode, source, model, autoescape); } catch (TemplateException ex) { return $"error {ex.Code} {ex.Line}:{ex.Column}"; } }
                // the same text through the general path (|string keeps the columns of an error where they are)
                Assert.Equal(Run($"[{{{{ {name}|sort|join({sep})|string }}}}]"), Run($"[{{{{ {name}|sort|join({sep}) }}}}]"));
            }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_printed_sort_join_holds_the_string_limit(Mode mode)
    {
        var env = Env(mode, KidaLimits.Default with { MaxStringLength = 20 });
        var model = new Dictionary<string, object?> { ["xs"] = Enumerable.Range(100, 10).ToList(), ["few"] = new List<int> { 3, 1, 2 } };
        var ex = Assert.ThrowsAny<TemplateException>(() => env.FromString("{{ xs|sort|join(',') }}").Render(model));
        Assert.Equal(ErrorCodes.StringLimit, ex.Code);
        Assert.Equal("1,2,3", env.FromString("{{ few|sort|join(',') }}").Render(model));
    }

    [Theory]
    [MemberData(nameof(SortJoinCases))]
    public void A_printed_join_prints_what_the_joined_string_prints(string sep, Mode mode)
    {
        var model = new Dictionary<string, object?>
        {
            ["words"] = new List<string> { "a<b", "c&d", "'q'" }, ["one"] = new List<string> { "<only>" }, ["nums"] = new List<int> { 3, -1 },
            ["mixed"] = new List<object?> { 1, null, true, 2.5, "x<" }, ["safe"] = new List<object?> { new Markup("<i>ok</i>"), "<b>" },
            ["empty"] = new List<int>(), ["text"] = "a<b", ["none"] = null, ["d"] = new Dictionary<string, object?> { ["k<"] = 1 },
            ["arr"] = new[] { "p", "<q>" }, ["tuple"] = new object?[] { 1, "<" },
        };
        foreach (var autoescape in new[] { true, false })
            foreach (var name in model.Keys.Append("missing"))
            {
                string Run(string source) { try { return Render(mode, source, model, autoescape); } catch (TemplateException ex) { return $"error {ex.Code} {ex.Line}:{ex.Column}"; } }
                Assert.Equal(Run($"[{{{{ {name}|join({sep})|string }}}}]"), Run($"[{{{{ {name}|join({sep}) }}}}]"));
            }
    }

    [Fact]
    public void A_printed_tojson_that_hits_the_string_limit_does_not_keep_its_big_buffer()
    {
        var env = new KidaEnvironment(new KidaOptions { Limits = KidaLimits.Default with { MaxStringLength = 200_000 } });
        var big = new Dictionary<string, object?> { ["l"] = Enumerable.Range(0, 40_000).Select(i => (object?)("item" + i)).ToList() };
        Assert.Equal(ErrorCodes.StringLimit, Assert.ThrowsAny<TemplateException>(() => env.FromString("{{ l|tojson }}").Render(big)).Code);
        // (the per-thread buffer of the printed tojson: dropped once it grew past 64K characters)
        var field = typeof(Kida.Filters.BuiltinFilters).GetField("t_jsonBuffer", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        Assert.True(field.GetValue(null) is not System.Text.StringBuilder sb || sb.Capacity <= 64 * 1024);
        Assert.Equal("[\"a\"]", env.FromString("{{ l|tojson }}").Render(new Dictionary<string, object?> { ["l"] = new List<string> { "a" } }));
    }
}
