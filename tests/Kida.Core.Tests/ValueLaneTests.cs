using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// A for loop whose body cannot change its source walks a model <c>List&lt;double&gt;</c>, <c>List&lt;decimal&gt;</c>,
/// <c>List&lt;long&gt;</c> or <c>List&lt;DateTime&gt;</c> in place, its item kept unboxed beside the variable (a lane, as
/// <c>List&lt;int&gt;</c> has), and tier-up types operations, filters, tests and members of the variable on that item.
/// Every body below must print over the typed list what it prints over the same values in a list of objects (the general
/// path), in every compile mode: errors included, and for values at the edges (ties, NaN, infinities, the types' limits).
/// </summary>
public class ValueLaneTests
{
    private static readonly double[] Doubles =
        [0.0, -0.0, 1.5, 2.5, -2.5, 2.675, 0.1 + 0.2, 3.0, 1e20, -1e-7, 123456789.125, 4503599627370497.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 7.25];

    private static readonly decimal[] Decimals = [0m, 1.005m, -2.5m, 12345.6789m, 79228162514264337593543950335m, 0.00000001m, 10m, -0.5m];

    private static readonly long[] Longs = [0, 7, -3, 3_000_000_000, long.MaxValue, long.MinValue, 1L << 53, (1L << 53) + 1];

    private static readonly DateTime[] Dates =
        [new(2026, 1, 1), new(1999, 12, 31, 23, 59, 58), DateTime.MinValue, DateTime.MaxValue, new(2024, 2, 29, 12, 0, 0)];

    private static readonly int[] Ints = [0, 1, -7, 499, 500, int.MaxValue, int.MinValue, 123];

    public static IEnumerable<object[]> NumberBodies() => new[]
    {
        "{{ v }};",
        "{{ v * 2 }} {{ v + 0.5 }} {{ v - 1 }} {{ 2 * v }} {{ -v }} {{ v * v }};",
        "{{ v / 4 }} {{ v / 0.5 }} {{ v / -3 }} {{ v // 2 }} {{ v % 3 }} {{ v ** 2 }};",
        "{{ v|round }} {{ v|round(1) }} {{ v|round(2, 'floor') }} {{ v|round(0, 'ceil') }} {{ v|int }} {{ v|float }} {{ v|abs }};",
        "{{ (v * 100)|round|int }} {{ v|round(2)|int }} {{ (v / 3)|round(3) }} {{ v|float|round(2) }};",
        "{{ v is number }} {{ v is integer }} {{ v is float }} {{ v is string }} {{ v is none }} {{ v is defined }} {{ v is boolean }};",
        "{% if v > 5 %}a{% elif v <= 0.5 %}b{% else %}c{% endif %}{{ 1 < v < 100 }} {{ v == 2.5 }} {{ v != 0 }} {{ v >= 3 }};",
        "{{ '{:.2f}'|format(v) }} {{ '%.1f' % v }} {{ '{} items'|format(v) }} {{ v|string }} {{ v|tojson }};",
        "{% set y = v * 2 %}{{ y }} {{ y|round(1) }}{% if y %}t{% endif %};",
        "{{ v ~ '' }} {{ [v][0] }} {{ (v, 1) }} {{ v in [1, 2.5, 3] }} {{ v|default(9) }} {{ v or 'none' }};",
        "{% if v %}t{% else %}f{% endif %}{{ v is divisibleby 2 }} {{ v is even }};",
    }.Select(b => new object[] { b });

    [Theory]
    [MemberData(nameof(NumberBodies))]
    public void A_list_of_doubles_prints_what_the_same_numbers_as_objects_print(string body) =>
        Differential(body, Doubles);

    [Theory]
    [MemberData(nameof(NumberBodies))]
    public void A_list_of_decimals_prints_what_the_same_numbers_as_objects_print(string body) =>
        Differential(body, Decimals);

    [Theory]
    [MemberData(nameof(NumberBodies))]
    public void A_list_of_longs_prints_what_the_same_numbers_as_objects_print(string body) =>
        Differential(body, Longs);

    [Theory]
    [MemberData(nameof(NumberBodies))]
    public void A_list_of_ints_prints_what_the_same_numbers_as_objects_print_through_the_typed_operations(string body) =>
        Differential(body, Ints);

    public static IEnumerable<object[]> DateBodies() => new[]
    {
        "{{ v }};",
        "{{ v.year }}-{{ v.month }}-{{ v.day }} {{ v.hour }}:{{ v.minute }}:{{ v.second }};",
        "{{ v.year * 2 }} {{ v.year + 1 }} {% if v.year > 2025 %}new{% endif %} {{ v.month is even }};",
        "{% set y = v.year %}{{ y }} {{ v.year|string }} {{ '{} AD'|format(v.year) }};",
        "{{ v|date('%Y-%m-%d') }} {{ v is defined }} {{ v is number }};",
    }.Select(b => new object[] { b });

    [Theory]
    [MemberData(nameof(DateBodies))]
    public void A_list_of_dates_prints_what_the_same_dates_as_objects_print(string body) =>
        Differential(body, Dates);

    private static readonly string?[] Strings = ["", "a", "<b>&", "héllo wörld", null, "\U0001F600x", "Item 7", "  pad  "];

    public static IEnumerable<object[]> StringBodies() => new[]
    {
        "{{ v }};",
        "{{ v|upper }} {{ v|length }} {{ v ~ '!' }} {{ v is none }} {{ v is string }} {{ v|default('d') }};",
        "{% if v %}t{% else %}f{% endif %}{{ v == 'a' }} {{ 'a' in (v or '') }};",
        "{{ loop.index }}/{{ loop.length }}:{{ v }}{% if not loop.last %},{% endif %}",
        "{% for w in ws %}{{ v }}{{ w }}{% endfor %}|",
    }.Select(b => new object[] { b });

    [Theory]
    [MemberData(nameof(StringBodies))]
    public void A_list_of_strings_prints_what_the_same_strings_as_objects_print(string body) =>
        Differential(body, Strings, new() { ["ws"] = new List<string?> { "x", null } });

    [Theory]
    [InlineData("{% set v = v * 2 %}{{ v * 2 }} {{ v|round(1) }};")]
    [InlineData("{% macro m() %}{{ v * 2 }}{{ v|round(1) }}{% endmacro %}{{ m() }};")]
    [InlineData("{% for w in ws %}{{ v * w }}{{ (v + w)|round(1) }},{% endfor %};")]
    [InlineData("{{ v * 2 }}{% if v > 2 %}{% break %}{% endif %}{% if v < 0 %}{% continue %}{% endif %}!")]
    [InlineData("{{ loop.index }}/{{ loop.length }}={{ v|round(1) }}{% if not loop.last %},{% endif %}")]
    public void Variables_a_body_reassigns_captures_or_nests_stay_correct(string body)
    {
        Differential(body, Doubles, new() { ["ws"] = new List<double> { 0.5, -2 } });
        Differential(body, Ints, new() { ["ws"] = new List<int> { 3, -2 } });
    }

    [Fact]
    public void A_loop_promoted_after_meeting_one_kind_of_list_still_walks_any_other()
    {
        // a lane the loop has not met is dropped at promotion; the lists met first and then are all rendered as before
        const string source = "{% for v in xs %}{{ v * 2 }} {{ v|round(1) }} {{ v is float }}{% if not loop.last %},{% endif %}{% endfor %}";
        object[] kinds =
        [
            new List<double> { 1.25, -3 }, new List<int> { 5, 6 }, new List<decimal> { 2.5m }, new List<long> { 1L << 40 },
            new List<object?> { 1.5, 2, "x" == "x" }, new List<DateTime>(),
        ];
        EachKindAfterAnother(source, "xs", kinds);
    }

    [Fact]
    public void A_date_member_the_sandbox_blocks_stays_blocked_after_promotion()
    {
        // the loop meets its List<DateTime> while the blocked member's site has never run: promoted, the member must still
        // be refused (the typed read needs the site to have read that member once, which the sandbox never lets it)
        var env = new KidaEnvironment(new KidaOptions
        {
            TieredCompilation = true,
            TierUpAfterRenders = int.MaxValue,
            Sandbox = new SandboxPolicy { BlockedMembers = ["DateTime.Year"] },
        });
        var t = env.FromString("{% for v in xs %}{{ v.month }}{% if show %}{{ v.year }}{% endif %};{% endfor %}");
        var dates = new List<DateTime> { new(2026, 3, 4), new(2025, 11, 30) };
        var before = Assert.ThrowsAny<TemplateException>(() => Env(Mode.Interpreted, sandbox: new SandboxPolicy { BlockedMembers = ["DateTime.Year"] })
            .FromString("{% for v in xs %}{{ v.month }}{% if show %}{{ v.year }}{% endif %};{% endfor %}")
            .Render(new Dictionary<string, object?> { ["xs"] = dates, ["show"] = true }));
        Assert.Equal("3;11;", t.Render(new Dictionary<string, object?> { ["xs"] = dates, ["show"] = false }));
        t.Compiled.Promote();
        var after = Assert.ThrowsAny<TemplateException>(() => t.Render(new Dictionary<string, object?> { ["xs"] = dates, ["show"] = true }));
        Assert.Equal(before.Code, after.Code);
        Assert.Equal(before.Message, after.Message);
    }

    [Fact]
    public void Lanes_over_long_lists_allocate_no_box_per_item_once_promoted()
    {
        // what the lane is for: {{ v|round(1) }} over a model List<double> boxes nothing per item after promotion
        var data = new Dictionary<string, object?> { ["xs"] = Enumerable.Range(0, 2000).Select(i => i * 1.37 + 0.01).ToList() };
        var allocated = AllocatedAfterPromotion("{% for v in xs %}{{ v|round(1) }} {{ (v * 100)|round|int }} {{ v is number }},{% endfor %}", data);
        // (beyond the result string: a box per item would be 2,000 × 24 bytes at least)
        Assert.True(allocated < 2000 * 12, $"allocated {allocated} bytes beyond the text");
    }

    public sealed record Reading(double D, int I, long L, bool Flag);

    [Fact]
    public void Members_rounded_up_or_down_and_bools_as_strings_print_what_the_interpreter_prints()
    {
        // typed at tier-up on the member itself: round(p, 'floor'/'ceil') on a float or an int, a bool through |string
        var readings = Doubles.Select((d, i) => new Reading(d, Ints[i % Ints.Length], Longs[i % Longs.Length], i % 3 == 0)).ToList();
        const string source = "{% for r in rs %}{{ r.d|round(1, 'floor') }} {{ r.d|round(0, 'ceil') }} {{ r.d|round(3, 'common') }} {{ r.i|round(2, 'ceil') }} "
            + "{{ r.l|round(1, 'floor') }} {{ r.flag|string }} {{ (r.d * 3)|round(2, 'floor') }};{% endfor %}";
        var context = new Dictionary<string, object?> { ["rs"] = readings };
        var expected = RenderOutcome(Mode.Interpreted, source, context);
        Assert.Contains("True", expected);
        Assert.Equal(expected, RenderOutcome(Mode.Compiled, source, context));
        Assert.Equal(expected, RenderOutcome(Mode.Tiered, source, context));
    }

    private static void Differential<T>(string body, T[] values, Dictionary<string, object?>? extra = null)
    {
        var source = $"{{% for v in xs %}}{body}{{% else %}}none{{% endfor %}}";
        foreach (var mode in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered })
            foreach (var items in new[] { values, [], values.Take(1).ToArray(), Enumerable.Repeat(values, 12).SelectMany(v => v).ToArray() })
            {
                var typed = new Dictionary<string, object?>(extra ?? []) { ["xs"] = items.ToList() };
                var objects = new Dictionary<string, object?>(extra ?? []) { ["xs"] = items.Select(i => (object?)i).ToList() };
                Assert.Equal(RenderOutcome(mode, source, objects), RenderOutcome(mode, source, typed));
            }
    }
}
