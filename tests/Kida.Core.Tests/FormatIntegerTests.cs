using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// <c>'{:05d}'|format(x.n)</c> and <c>'{} items'|format(x.n)</c> on an int or long member after tier-up: the plan writes the
/// integer itself (FormatPlan.TryWriteLong), padded as Python pads it, without boxing the value. What it prints is
/// compared with the interpreter in TypedOperatorTests; here, that no box is made per row.
/// </summary>
public class FormatIntegerTests
{
    public sealed class Row
    {
        public int Count { get; init; }
        public long Total { get; init; }
    }

    [Theory]
    [InlineData("{% for r in rows %}{{ '{:05d}'|format(r.count) }};{% endfor %}")]
    [InlineData("{% for r in rows %}{{ '<{:8}>'|format(r.total) }};{% endfor %}")]
    [InlineData("{% for r in rows %}{{ '{:03}|{0}'|format(r.count) }};{% endfor %}")]
    public void An_integer_member_is_formatted_without_a_box(string source)
    {
        // values past the shared small boxes: the general formatter would box each one (24 bytes a row)
        var data = new Dictionary<string, object?> { ["rows"] = Enumerable.Range(0, 2000).Select(i => new Row { Count = 1000 + i * 7, Total = -5_000_000_000L * i }).ToList() };
        var allocated = AllocatedAfterPromotion(source, data);
        Assert.True(allocated < 2000 * 8, $"allocated {allocated} bytes beyond the text");
    }

    [Fact]
    public void Padding_follows_python()
    {
        var data = new Dictionary<string, object?> { ["rows"] = new List<Row> { new() { Count = -42, Total = long.MinValue }, new() { Count = 7, Total = 123456789012 } } };
        var t = new KidaEnvironment(new KidaOptions { TieredCompilation = true, TierUpAfterRenders = int.MaxValue })
            .FromString("{% for r in rows %}[{{ '{:05d}'|format(r.count) }}|{{ '{:5}'|format(r.count) }}|{{ '{:025d}'|format(r.total) }}|{{ '{:3}'|format(r.total) }}]{% endfor %}");
        const string expected = "[-0042|  -42|-000009223372036854775808|-9223372036854775808][00007|    7|0000000000000123456789012|123456789012]";
        Assert.Equal(expected, t.Render(data));
        t.Compiled.Promote();
        Assert.Equal(expected, t.Render(data));
    }
}
