using System.Numerics;

namespace Kida.Common;

/// <summary>Integer facts shared by the lexer and the runtime (no limits, no render state).</summary>
internal static class Integers
{
    public const double Log2Of10 = 3.321928094887362;

    /// <summary>An integer as the engine holds it: a <see cref="long"/> when it fits, else the <see cref="BigInteger"/>.</summary>
    public static object Narrow(BigInteger value) =>
        value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;

    /// <summary>Whether |<paramref name="value"/>| has at most <paramref name="maxDigits"/> decimal digits (exact, no string).</summary>
    public static bool FitsDigits(BigInteger value, int maxDigits)
    {
        var bits = BigInteger.Abs(value).GetBitLength();
        // below 2^b with b <= d * log2(10): under 10^d; at least 2^(b-1) with b-1 >= d * log2(10): 10^d or more
        if (bits <= (long)(maxDigits * Log2Of10)) return true;
        if (bits - 1 > maxDigits * Log2Of10 + 1) return false;
        return BigInteger.Abs(value) < BigInteger.Pow(10, maxDigits);
    }
}
