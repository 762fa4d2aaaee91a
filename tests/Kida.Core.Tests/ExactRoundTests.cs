using System.Globalization;
using System.Numerics;
using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// <c>|round(n)</c> on a float is Python's <c>round(x, n)</c>: the exact binary value rounded half to even at n decimals,
/// then the nearest float. Checked against that definition computed with big integers, on random values, constructed
/// ties and near-ties, in every compile mode and on both paths (a list of floats walked unboxed, the same floats as objects).
/// </summary>
public class ExactRoundTests
{
    public static IEnumerable<object[]> Precisions() => Enumerable.Range(0, 7).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Precisions))]
    public void Round_gives_the_float_nearest_the_exact_value_rounded_half_to_even(int n)
    {
        var rng = new Random(1234 + n);
        var values = new List<double>();
        for (var i = 0; i < 300; i++)
        {
            // ties and their neighbours at this precision (k + 1/2) / 10^n, and values anywhere below 1e15 / 10^n
            var k = rng.NextInt64(-2_000_000, 2_000_000);
            var tie = (k + 0.5) / Math.Pow(10, n);
            values.Add(tie);
            values.Add(Math.BitIncrement(tie));
            values.Add(Math.BitDecrement(tie));
            values.Add((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-12, 15 - n)));
        }
        values.AddRange([0.0, -0.0, 2.675, 0.125, -0.125, 1.005, 0.5, -0.5, 1.5, 2.5, -0.04, 0.04, 1e-300, -1e-300, 123456789.98765]);
        var template = "{% for x in xs %}{{ x|round(" + n + ") }} {% endfor %}";
        foreach (var mode in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered })
            foreach (var typed in new[] { true, false })
            {
                object xs = typed ? values : values.Select(v => (object?)v).ToList();
                var printed = Render(mode, template, new() { ["xs"] = xs }).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal(values.Count, printed.Length);
                for (var i = 0; i < values.Count; i++)
                {
                    var expected = Reference(values[i], n);
                    var actual = double.Parse(printed[i], CultureInfo.InvariantCulture);
                    Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
                        $"round({values[i]:R}, {n}) printed {printed[i]}, expected {expected:R} ({mode}, {(typed ? "List<double>" : "objects")})");
                }
            }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void NaN_is_neither_below_equal_to_nor_above_a_number(Mode mode)
    {
        // Python: every ordered comparison with a NaN is False (an ordering that calls NaN equal would say <= and >=)
        var context = new Dictionary<string, object?> { ["v"] = double.NaN, ["d"] = 3m, ["f"] = float.NaN };
        Assert.Equal("False False False False False False|False False False False|False False",
            Render(mode, "{{ v >= 3 }} {{ v <= 3 }} {{ v < 3 }} {{ v > 3 }} {{ 3 >= v }} {{ 3 <= v }}|{{ v >= d }} {{ d <= v }} {{ v is ge 3 }} {{ v is le 3 }}|{{ f >= 1 }} {{ f <= 1 }}", context));
        Assert.Equal("True True", Render(mode, "{{ v != v }} {{ not (v >= 3) }}", context));
    }

    /// <summary>round(x, n) by definition: x = m·2^e exactly, x·10^n rounded half to even to an integer k, k/10^n parsed (correctly rounded).</summary>
    private static double Reference(double x, int n)
    {
        if (x == 0) return x;
        var bits = BitConverter.DoubleToInt64Bits(x);
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent = 1; else mantissa |= 1L << 52;
        exponent -= 1075;
        var m = new BigInteger(mantissa) * BigInteger.Pow(10, n);
        BigInteger k;
        if (exponent >= 0) k = m << exponent;
        else
        {
            var den = BigInteger.One << -exponent;
            k = BigInteger.DivRem(m, den, out var r);
            var twice = r * 2;
            if (twice > den || (twice == den && !k.IsEven)) k += 1;
        }
        if (k.IsZero) return x < 0 ? -0.0 : 0.0;
        var value = double.Parse(k.ToString(CultureInfo.InvariantCulture) + "e-" + n, CultureInfo.InvariantCulture);
        return x < 0 ? -value : value;
    }
}
