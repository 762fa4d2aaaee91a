using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// <c>{{ '{:.2f}'|format(x.price) }}</c> on a decimal member passes the value unboxed after tier-up and the plan formats
/// it directly when it can. Every value must print what the formatted string prints.
/// </summary>
public class DecimalFormatTests
{
    public sealed record Item(decimal Price);

    public sealed record Other(double Price);

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Decimal_members_format_as_the_formatted_string(Mode mode)
    {
        decimal[] prices = [0m, 1m, 1.5m, -2.25m, 1.005m, 0.004m, 0.005m, 123456.78m, 999999999999.99m, 1000000000000m, -0.001m, 79228162514264337593543950335m, 12.345678m];
        var items = prices.Select(p => (object)new Item(p)).Append(new Other(2.675)).Append(new Item(3.1m)).ToArray();
        var ctx = new Dictionary<string, object?> { ["items"] = items };
        string[] formats = ["{:.2f}", "<{:.2f}> & co", "{:.0f}", "{:.3f}!", "{:,.2f}", "{:>10.2f}"];
        foreach (var f in formats)
        {
            var direct = $"{{% for x in items %}}{{{{ '{f}'|format(x.price) }}}};{{{{ '{f}'.format(x.price) }}}};{{% endfor %}}";
            var formatted = $"{{% for x in items %}}{{% set a = '{f}'|format(x.price) %}}{{% set b = '{f}'.format(x.price) %}}{{{{ a }}}};{{{{ b }}}};{{% endfor %}}";
            foreach (var autoescape in new[] { true, false })
                Assert.Equal(Render(mode, formatted, ctx, autoescape), Render(mode, direct, ctx, autoescape));
        }
        Assert.Equal("1.50|-2.25|&lt;3.10&gt;", Render(mode, "{{ '{:.2f}'|format(items[2].price) }}|{{ '{:.2f}'|format(items[3].price) }}|{{ '<{:.2f}>'|format(items[14].price) }}", ctx));
    }
}
