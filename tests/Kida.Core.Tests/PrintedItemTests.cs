using System.Text.Json;
using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// <c>{{ d['name'] }}</c> with a literal key writes a dictionary's value directly (MemberAccess.WriteItem),
/// <c>{{ x|tojson }}</c> writes a number, bool or None as its JSON, and <c>{{ x|round(p) }}</c> / <c>{{ x|int }}</c> of a
/// value of no known type write a float or int without a box. Each must print what the value stored in a variable and
/// then printed prints (the general path), for every kind of value and target, escaped or not, in every mode.
/// </summary>
public class PrintedItemTests
{
    public sealed record Named(string Name, string Items);

    private static object?[] Values() =>
    [
        "plain", "<b>&amp;\"'</b>", "", 7, -3L, 2.5, true, null, new Markup("<i>safe</i>"),
        JsonDocument.Parse("\"<json>\"").RootElement, JsonDocument.Parse("12").RootElement, new List<object?> { 1, "<" },
    ];

    private static object?[] Targets(object? value) =>
    [
        new Dictionary<string, object?> { ["name"] = value, ["items"] = value },
        new Dictionary<string, object?> { ["other"] = value },
        new SortedDictionary<string, object?> { ["name"] = value },
        new Dictionary<string, string> { ["name"] = "typed <dict>" },
        new Named("<record>", "its items"),
        "a string",
        null,
    ];

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_literal_key_prints_what_the_general_item_read_prints(Mode mode)
    {
        foreach (var autoescape in new[] { true, false })
            foreach (var value in Values())
                foreach (var target in Targets(value))
                    foreach (var key in new[] { "name", "items", "missing" })
                    {
                        var ctx = new Dictionary<string, object?> { ["d"] = target };
                        var direct = Outcome(mode, $"[{{{{ d['{key}'] }}}}]", ctx, autoescape);
                        var stored = Outcome(mode, $"{{% set v = d['{key}'] %}}[{{{{ v }}}}]", ctx, autoescape);
                        Assert.Equal(stored, direct);
                    }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Tojson_of_a_scalar_prints_what_the_filter_returns(Mode mode)
    {
        object?[] scalars = [0, -7, int.MaxValue, long.MinValue, 1.5, -0.0, 1e20, 1e-7, 0.1 + 0.2, double.NaN, double.PositiveInfinity, true, false, null, 2.5m, "<s>"];
        foreach (var x in scalars)
        {
            var ctx = new Dictionary<string, object?> { ["x"] = x, ["xs"] = new List<object?> { x } };
            Assert.Equal(Outcome(mode, "{% set j = x|tojson %}[{{ j }}]", ctx, true), Outcome(mode, "[{{ x|tojson }}]", ctx, true));
            Assert.Equal(Outcome(mode, "{% for y in xs %}{% set j = y|tojson %}[{{ j }}]{% endfor %}", ctx, true),
                Outcome(mode, "{% for y in xs %}[{{ y|tojson }}]{% endfor %}", ctx, true));
        }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Round_and_int_of_a_loop_variable_print_what_the_filters_return(Mode mode)
    {
        object?[] values = [1.5, 2.675, -0.5, 0.0, -0.0, 1e20, 123456789.987654321, double.NaN, double.NegativeInfinity, 7, -3L, long.MaxValue, true, "4.2", "x", null, 2.5m];
        foreach (var filter in new[] { "round", "round(1)", "round(2)", "round(15)", "round(16)", "round(1, 'floor')", "int", "int(5)" })
            foreach (var x in values)
            {
                var ctx = new Dictionary<string, object?> { ["xs"] = new List<object?> { x, x } };
                Assert.Equal(Outcome(mode, $"{{% for x in xs %}}{{% set r = x|{filter} %}}[{{{{ r }}}}]{{% endfor %}}", ctx, true),
                    Outcome(mode, $"{{% for x in xs %}}[{{{{ x|{filter} }}}}]{{% endfor %}}", ctx, true));
            }
    }

    private static string Outcome(Mode mode, string source, Dictionary<string, object?> ctx, bool autoescape)
    {
        try { return Render(mode, source, ctx, autoescape); }
        catch (TemplateException ex) { return "error " + ex.Code; }
    }
}
