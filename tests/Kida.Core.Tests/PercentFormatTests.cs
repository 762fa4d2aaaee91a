using Kida.Filters;
using Kida.Runtime;
using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// <c>'fmt' % value</c> with a plain format (<c>%s</c>, <c>%d</c>, <c>%.Nf</c>) is filled from a plan parsed once
/// (<see cref="FormatPlan.CreatePercent"/>) and, printed, written straight into the output. The plan must answer as
/// Python's <c>%</c> (<see cref="PyFormat.PercentFormat"/>) does or leave the value to it.
/// </summary>
public class PercentFormatTests
{
    public sealed class Row
    {
        public int Count { get; set; }
        public bool Flag { get; set; }
        public decimal Price { get; set; }
        public string Name { get; set; } = "";
    }

    public static IEnumerable<object?[]> Values() =>
    [
        [0], [-7], [123456789], [long.MaxValue], [2.5], [-0.0], [1e16], [0.1 + 0.2], [1.005m], [-3.25m], [0m], [true], [false], [null],
        ["plain"], ["a<b & 'c'"], [""], [new Markup("<b>")], [new List<object?> { 1, "a" }], [new PyTuple([1, "two"])], [new PyTuple([3])],
    ];

    [Theory]
    [MemberData(nameof(Values))]
    public void A_plan_formats_as_python_or_leaves_the_value_to_the_general_formatter(object? value)
    {
        foreach (var format in new[] { "%s items", "%d", "%i%%", "<%.2f>", "%.0f|%s", "%s and %s", "%.10f", "100%% %s" })
        {
            var plan = FormatPlan.CreatePercent(format);
            Assert.NotNull(plan);
            string? expected;
            try { expected = PyFormat.PercentFormat(format, value); }
            catch (TemplateException) { expected = null; }
            if (plan.TryFormat(Arithmetic.PercentArgs(value), out var planned)) Assert.Equal(expected, planned);
        }
    }

    [Theory]
    [InlineData("no fields")]
    [InlineData("100%%")]
    [InlineData("%5s")]
    [InlineData("%-s")]
    [InlineData("%(name)s")]
    [InlineData("%x")]
    [InlineData("%r")]
    [InlineData("%.2e")]
    [InlineData("%.f")]
    [InlineData("trailing %")]
    public void Formats_with_other_conversions_have_no_plan(string format)
    {
        Assert.Null(FormatPlan.CreatePercent(format));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Printed_and_stored_percent_formats_match_python(Mode mode)
    {
        var ctx = new Dictionary<string, object?>
        {
            ["rows"] = new List<Row>
            {
                new() { Count = 3, Flag = true, Price = 1.5m, Name = "<pen>" },
                new() { Count = -12, Flag = false, Price = 0.125m, Name = "ink" },
            },
            ["n"] = 5,
            ["nothing"] = null,
        };
        Assert.Equal("3 items;True;1.50;&lt;pen&gt;;3|-12 items;False;0.12;ink;-12|",
            Render(mode, "{% for r in rows %}{{ '%d items' % r.count }};{{ '%s' % r.flag }};{{ '%.2f' % r.price }};{{ '%s' % r.name }};"
                + "{% set s = '%s' % r.count %}{{ s }}|{% endfor %}", ctx));
        Assert.Equal("5%|None|a&lt;b|&lt;b&gt;|1 and two|3|[1, 2]", Render(mode,
            "{{ '%s%%' % n }}|{{ '%s' % nothing }}|{{ '%s' % 'a<b' }}|{{ '%s' % ('<b>'|safe) }}|{{ '%s and %s' % (1, 'two') }}|{{ '%d' % 3.7 }}|{{ '%s' % [1, 2] }}", ctx));
        Assert.Equal("<b>x</b>", Render(mode, "{{ '<b>%s</b>' % 'x' }}", ctx, autoescape: false));
    }

    /// <summary>
    /// <c>'%.2f' % r.price</c> on a decimal member after tier-up: the plan writes the decimal itself (no box per row) and
    /// prints what the interpreter prints, for values it takes and values it leaves to the general formatter.
    /// </summary>
    [Theory]
    [InlineData("<%.2f>")]
    [InlineData("%.0f|")]
    [InlineData("%.10f")]
    [InlineData("%d")]
    [InlineData("%s")]
    [InlineData("%.2f%%")]
    public void A_decimal_member_in_a_percent_format_prints_what_the_interpreter_prints(string format)
    {
        var prices = new[] { 1.5m, 1.005m, 0m, -3.25m, 0.125m, 999_999_999_999.99m, 1_000_000_000_000m, -0.001m, 7m, 12.3456789012m };
        var source = "{% for r in rows %}{{ '" + format + "' % r.price }};{% endfor %}";
        var data = new Dictionary<string, object?> { ["rows"] = prices.Select(p => new Row { Price = p }).ToList() };
        var expected = Render(Mode.Interpreted, source, data);
        var t = new KidaEnvironment(new KidaOptions { TieredCompilation = true, TierUpAfterRenders = int.MaxValue }).FromString(source);
        Assert.Equal(expected, t.Render(data));
        t.Compiled.Promote();
        Assert.Equal(expected, t.Render(data));
    }

    [Fact]
    public void A_decimal_member_is_formatted_without_a_box()
    {
        var data = new Dictionary<string, object?> { ["rows"] = Enumerable.Range(0, 2000).Select(i => new Row { Price = i * 1.25m + 0.5m }).ToList() };
        var allocated = AllocatedAfterPromotion("{% for r in rows %}{{ '%.2f' % r.price }};{% endfor %}", data);
        Assert.True(allocated < 2000 * 8, $"allocated {allocated} bytes beyond the text");
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Wrong_arguments_fail_as_python_says(Mode mode)
    {
        Assert.Contains("not enough arguments", Assert.ThrowsAny<TemplateException>(() => Render(mode, "{{ '%s and %s' % 1 }}")).Message);
        Assert.Contains("not all arguments converted", Assert.ThrowsAny<TemplateException>(() => Render(mode, "{{ '%s' % (1, 2) }}")).Message);
        Assert.Contains("number is required", Assert.ThrowsAny<TemplateException>(() => Render(mode, "{{ '%d' % 'x' }}")).Message);
        Assert.ThrowsAny<TemplateException>(() => Render(mode, "{{ '%.2f' % 'x' }}"));
        Assert.ThrowsAny<TemplateException>(() => Render(mode, "{{ '%s' % missing }}"));
    }
}
