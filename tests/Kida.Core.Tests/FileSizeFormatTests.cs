using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>filesizeformat prints what Jinja2's prints: bytes below the base, one decimal with the unit above it.</summary>
public class FileSizeFormatTests
{
    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Sizes_print_as_Jinja_prints_them(Mode mode)
    {
        var ctx = new Dictionary<string, object?>
        {
            ["sizes"] = new List<object?> { 0, 1, 999, 1000, 1024, 1500, 1_000_000, 123_456_789, -5, 3.7, "2048", 1e30, 999_999 },
        };
        Assert.Equal("0 Bytes|1 Byte|999 Bytes|1.0 kB|1.0 kB|1.5 kB|1.0 MB|123.5 MB|-5 Bytes|3 Bytes|2.0 kB|1000000.0 YB|1000.0 kB|",
            Render(mode, "{% for s in sizes %}{{ s|filesizeformat }}|{% endfor %}", ctx));
        Assert.Equal("1023 Bytes|1.0 KiB|1.5 KiB|1.0 MiB|", Render(mode, "{% for s in [1023, 1024, 1536, 1048576] %}{{ s|filesizeformat(true) }}|{% endfor %}"));
        // past 15 significant digits: the exact value rounded, as Python's f"{x:.1f}" gives it
        Assert.Equal("123456789012345664.0 YB", Render(mode, "{{ 1.2345678901234567e41|filesizeformat }}"));
    }

    private static readonly object?[] Sizes =
    [
        0, 1, 2, -5, 999, 1000, 1023, 1024, 1025, 999_999, 1_000_000, 123_456_789, 5L << 40, long.MaxValue, long.MinValue, int.MinValue,
        0.5, 1.0, 999.9, 1000.0, 1e15, 1e24, 9.99e26, 1e27, 1e30, 1e300, -1e300, double.NaN, double.PositiveInfinity, double.NegativeInfinity,
        1.5m, "2048", "x", true, null,
    ];

    /// <summary>
    /// Printed, <c>{{ n|filesizeformat }}</c> is written without making the string (BuiltinFilters.WriteFileSize): every
    /// number and every other value prints what the filter returns, in decimal and binary units.
    /// </summary>
    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_printed_file_size_is_the_filters_text_for_every_value(Mode mode)
    {
        foreach (var form in new[] { "n|filesizeformat", "n|filesizeformat(true)", "n|filesizeformat(false)", "(n * 3)|filesizeformat" })
            foreach (var n in Sizes)
            {
                var data = new Dictionary<string, object?> { ["n"] = n };
                var printed = $"[{{{{ {form} }}}}]";
                var expected = RenderOutcome(Mode.Interpreted, printed, data);
                Assert.Equal(expected, RenderOutcome(mode, printed, data));
                // (the filter's value, stored then printed: the same text)
                if (!expected.StartsWith("error")) Assert.Equal(expected, RenderOutcome(mode, $"{{% set s = {form} %}}[{{{{ s }}}}]", data));
            }
    }
}
