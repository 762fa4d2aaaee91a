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
}
