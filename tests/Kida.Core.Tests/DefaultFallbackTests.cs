using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// <c>x|default(expr)</c> with an argument that is not a literal runs without a filter call or an argument list: the
/// argument is evaluated first, as the call evaluates it (its errors raised even when the value is defined), and the
/// fallback is taken exactly when the filter would take it. Each form must give what the filter called through
/// <c>map</c> gives, in every compile mode.
/// </summary>
public class DefaultFallbackTests
{
    public sealed class Row
    {
        public string? Note { get; init; }
        public string Name { get; init; } = "";
        public int Count { get; init; }
    }

    public static IEnumerable<object[]> Cases() =>
        from value in new[] { "r.note", "r.count", "r.name", "none", "''", "0", "[]", "false" }
        from argument in new[] { "r.name", "r.name ~ '!'", "r.count * 2", "r.note", "[r.count]", "(1, r.name)" }
        from mode in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered }
        select new object[] { value, argument, mode };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_computed_fallback_gives_what_the_filter_gives(string value, string argument, Mode mode)
    {
        var rows = new List<Row> { new() { Note = null, Name = "<b>", Count = 3 }, new() { Note = "n&1", Name = "x", Count = 0 } };
        var direct = RenderOutcome(mode, $"{{% for r in rows %}}{{{{ {value}|default({argument}) }}}};{{% endfor %}}", new() { ["rows"] = rows });
        var called = RenderOutcome(mode, $"{{% for r in rows %}}{{{{ [{value}]|map('default', {argument})|first }}}};{{% endfor %}}", new() { ["rows"] = rows });
        Assert.Equal(called, direct);
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void The_fallback_is_evaluated_even_when_the_value_is_defined(Mode mode)
    {
        // Python evaluates a filter's arguments before the filter decides: 1 // 0 fails even though 'a' is defined
        var error = RenderOutcome(mode, "{{ 'a'|default(1 // 0) }}", []);
        Assert.StartsWith("error ", error);
        Assert.Equal(RenderOutcome(mode, "{{ ['a']|map('default', 1 // 0)|first }}", []).Split(':')[0], error.Split(':')[0]);
        Assert.Equal("a|fb|fb", Render(mode, "{{ 'a'|default(x ~ 'b') }}|{{ missing|default(x ~ 'b') }}|{{ none|d(x ~ 'b') }}", new() { ["x"] = "f" }));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void An_undefined_fallback_stays_undefined(Mode mode)
    {
        // (default(other) of a missing value gives the other value, undefined too: printing it is what fails, or prints
        // nothing, as the environment's undefined says)
        var lenient = new KidaEnvironment(new KidaOptions { StrictUndefined = false, PreferInterpretation = mode == Mode.Interpreted, TieredCompilation = mode == Mode.Tiered });
        Assert.Equal("|x", lenient.FromString("{{ missing|default(other) }}|{{ 'x'|default(other) }}").Render(new Dictionary<string, object?>()));
        var strict = new KidaEnvironment(new KidaOptions { StrictUndefined = true, PreferInterpretation = mode == Mode.Interpreted, TieredCompilation = mode == Mode.Tiered });
        Assert.Equal("x", strict.FromString("{{ 'x'|default(other) }}").Render(new Dictionary<string, object?>()));
        var ex = Assert.ThrowsAny<TemplateException>(() => strict.FromString("{{ missing|default(other) }}").Render(new Dictionary<string, object?>()));
        Assert.Contains("other", ex.Message);
    }

    [Fact]
    public void A_computed_fallback_builds_no_argument_list()
    {
        // what the direct form is for: no CallArgs and argument array per row (2,000 × 56 bytes at least)
        var data = new Dictionary<string, object?> { ["rows"] = Enumerable.Range(0, 2000).Select(i => new Row { Note = i % 2 == 0 ? null : "n", Name = "x" }).ToList() };
        var allocated = AllocatedAfterPromotion("{% for r in rows %}{{ r.note|default(r.name) }};{% endfor %}", data);
        Assert.True(allocated < 2000 * 16, $"allocated {allocated} bytes beyond the text");
    }
}
