using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kida.Runtime;

/// <summary>
/// The operators on the values templates use most (int and long from models and literals, double, string), decided
/// with a few type tests and no boxing of the answer where it is a bool. Everything else (bool as int, BigInteger,
/// decimal, Undefined, Markup, collections, type errors) takes the general Python-semantics path in
/// <see cref="Arithmetic"/> and <see cref="Comparison"/>, so the results are the same either way.
/// </summary>
internal static class FastOps
{
    /// <summary>An int or long operand (not bool, which Python counts as an int but prints differently).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Int(object? v, out long value)
    {
        if (v is long l) { value = l; return true; }
        if (v is int i) { value = i; return true; }
        value = 0;
        return false;
    }

    // ------------------------------------------------------------------ comparison, as bool

    public static bool Eq(object? a, object? b)
    {
        if (Int(a, out var x) && Int(b, out var y)) return x == y;
        if (a is string sa && b is string sb) return string.Equals(sa, sb, StringComparison.Ordinal);
        if (a is double da && b is double db) return da == db;
        return Comparison.Eq(a, b);
    }

    public static bool Ne(object? a, object? b) => !Eq(a, b);

    public static bool Lt(object? a, object? b)
    {
        if (Int(a, out var x) && Int(b, out var y)) return x < y;
        if (a is double da && b is double db) return da < db;
        return Comparison.Compare(a, b, "<") < 0;
    }

    public static bool Le(object? a, object? b)
    {
        if (Int(a, out var x) && Int(b, out var y)) return x <= y;
        if (a is double da && b is double db) return da <= db;
        return Comparison.LessOrEqual(a, b);
    }

    public static bool Gt(object? a, object? b)
    {
        if (Int(a, out var x) && Int(b, out var y)) return x > y;
        if (a is double da && b is double db) return da > db;
        return Comparison.Compare(a, b, ">") > 0;
    }

    public static bool Ge(object? a, object? b)
    {
        if (Int(a, out var x) && Int(b, out var y)) return x >= y;
        if (a is double da && b is double db) return da >= db;
        return Comparison.GreaterOrEqual(a, b);
    }

    /// <summary><c>item in container</c>: the common containers searched directly, the rest as Python does.</summary>
    public static bool In(object? item, object? container)
    {
        switch (container)
        {
            case string s when item is string needle:
                return needle.Length == 1 ? s.Contains(needle[0]) : s.Contains(needle, StringComparison.Ordinal);
            case List<object?> list:
            {
                // a plain list: Python compares each item with ==
                var span = CollectionsMarshal.AsSpan(list);
                for (var i = 0; i < span.Length; i++)
                    if (Eq(span[i], item)) return true;
                return false;
            }
            case object?[] array when array.GetType() == typeof(object[]):
                for (var i = 0; i < array.Length; i++)
                    if (Eq(array[i], item)) return true;
                return false;
            case List<int> ints:
                if (Int(item, out var n)) return n >= int.MinValue && n <= int.MaxValue && ints.Contains((int)n);
                break;
            case List<long> longs:
                if (Int(item, out var m)) return longs.Contains(m);
                break;
            case int[] intArray:
                if (Int(item, out var k)) return k >= int.MinValue && k <= int.MaxValue && Array.IndexOf(intArray, (int)k) >= 0;
                break;
            case List<string> strings:
                if (item is string str) return strings.Contains(str);
                break;
            case string[] stringArray:
                if (item is string str2) return Array.IndexOf(stringArray, str2) >= 0;
                break;
            case HashSet<string> set when item is string member && set.Comparer.Equals(EqualityComparer<string>.Default):
                return set.Contains(member);
        }
        return Comparison.Contains(container, item);
    }

    public static bool NotIn(object? item, object? container) => !In(item, container);

    // ------------------------------------------------------------------ arithmetic

    public static object? Add(object? a, object? b)
    {
        if (Int(a, out var x) && Int(b, out var y))
        {
            var r = x + y;
            if (((x ^ r) & (y ^ r)) >= 0) return Boxes.Long(r);
        }
        else if (a is double da)
        {
            if (b is double db) return da + db;
            if (Int(b, out var yb)) return da + yb;
        }
        else if (b is double db2 && Int(a, out var xa)) return xa + db2;
        else if (a is decimal ma && (b is decimal || b is long || b is int)) return DecimalAdd(ma, b);
        else if (b is decimal mb && (a is long || a is int)) return IntDecimal(a, mb, '+');
        return Arithmetic.Add(a, b);
    }

    public static object? Sub(object? a, object? b)
    {
        if (Int(a, out var x) && Int(b, out var y))
        {
            var r = x - y;
            if (((x ^ y) & (x ^ r)) >= 0) return Boxes.Long(r);
        }
        else if (a is double da)
        {
            if (b is double db) return da - db;
            if (Int(b, out var yb)) return da - yb;
        }
        else if (b is double db2 && Int(a, out var xa)) return xa - db2;
        else if (a is decimal ma && (b is decimal || b is long || b is int)) return DecimalSub(ma, b);
        else if (b is decimal mb && (a is long || a is int)) return IntDecimal(a, mb, '-');
        return Arithmetic.Sub(a, b);
    }

    public static object? Mul(object? a, object? b)
    {
        if (Int(a, out var x) && Int(b, out var y))
        {
            var high = Math.BigMul(x, y, out long low);
            if ((high == 0 && low >= 0) || (high == -1 && low < 0)) return Boxes.Long(low);
        }
        else if (a is double da)
        {
            if (b is double db) return da * db;
            if (Int(b, out var yb)) return da * yb;
        }
        else if (b is double db2 && Int(a, out var xa)) return xa * db2;
        else if (a is decimal ma && (b is decimal || b is long || b is int)) return DecimalMul(ma, b);
        else if (b is decimal mb && (a is long || a is int)) return IntDecimal(a, mb, '*');
        return Arithmetic.Mul(a, b);
    }

    // decimal with decimal or an integer, as the general rules compute it (an overflow still fails there)
    private static object? DecimalAdd(decimal a, object? b) => Guarded(a, b, '+');
    private static object? DecimalSub(decimal a, object? b) => Guarded(a, b, '-');
    private static object? DecimalMul(decimal a, object? b) => Guarded(a, b, '*');

    private static object? Guarded(decimal a, object? b, char op)
    {
        var y = b switch { decimal d => d, long l => l, _ => (int)b! };
        try
        {
            return op switch { '+' => a + y, '-' => a - y, _ => a * y };
        }
        catch (OverflowException)
        {
            return op switch { '+' => Arithmetic.Add(a, b), '-' => Arithmetic.Sub(a, b), _ => Arithmetic.Mul(a, b) };
        }
    }

    /// <summary>An int or long <paramref name="a"/> with a decimal: what Arithmetic gives (a decimal), or Arithmetic's own answer past decimal's range.</summary>
    private static object? IntDecimal(object? a, decimal b, char op)
    {
        decimal x = a is long l ? l : (int)a!;
        try
        {
            return op switch { '+' => x + b, '-' => x - b, _ => x * b };
        }
        catch (OverflowException)
        {
            return op switch { '+' => Arithmetic.Add(a, b), '-' => Arithmetic.Sub(a, b), _ => Arithmetic.Mul(a, b) };
        }
    }

    public static object? FloorDiv(object? a, object? b)
    {
        if (Int(a, out var x) && Int(b, out var y) && y != 0 && !(x == long.MinValue && y == -1))
        {
            var q = x / y;
            if (x % y != 0 && (x < 0) != (y < 0)) q--;
            return Boxes.Long(q);
        }
        return Arithmetic.FloorDiv(a, b);
    }

    /// <summary>Python's <c>a // b</c> for a divisor known not to be 0 (a constant) and no overflow (|a| under 2^62).</summary>
    public static long FloorDivLong(long a, long b)
    {
        var q = a / b;
        if (a % b != 0 && (a < 0) != (b < 0)) q--;
        return q;
    }

    /// <summary>Python's <c>a % b</c> for a divisor known not to be 0 (a constant).</summary>
    public static long ModLong(long a, long b)
    {
        if (b == -1) return 0;
        var m = a % b;
        if (m != 0 && (m < 0) != (b < 0)) m += b;
        return m;
    }

    public static object? Mod(object? a, object? b)
    {
        if (Int(a, out var x) && Int(b, out var y) && y != 0)
        {
            if (y == -1) return Boxes.Long(0);
            var m = x % y;
            if (m != 0 && (m < 0) != (y < 0)) m += y;
            return Boxes.Long(m);
        }
        return Arithmetic.Mod(a, b);
    }

    public static object? Pow(object? a, object? b)
    {
        if (Int(a, out var x) && Int(b, out var y) && y >= 0 && y < 64)
        {
            // exact by repeated squaring while it fits in a long; past that, Python's big integers
            long result = 1, factor = x;
            var e = y;
            var fits = true;
            while (fits)
            {
                if ((e & 1) != 0) fits = Multiply(result, factor, out result);
                e >>= 1;
                if (e == 0 || !fits) break;
                fits = Multiply(factor, factor, out factor);
            }
            if (fits) return Boxes.Long(result);
        }
        else if (a is double da && b is double db && da > 0 && !double.IsInfinity(da) && !double.IsNaN(db) && !double.IsInfinity(db))
        {
            var r = Math.Pow(da, db);
            if (!double.IsInfinity(r)) return r;
        }
        return Arithmetic.Pow(a, b);

        static bool Multiply(long p, long q, out long product)
        {
            var high = Math.BigMul(p, q, out product);
            return (high == 0 && product >= 0) || (high == -1 && product < 0);
        }
    }

    public static object? Neg(object? v)
    {
        if (v is long l && l != long.MinValue) return Boxes.Long(-l);
        if (v is int i) return Boxes.Long(-(long)i);
        if (v is double d) return -d;
        return Arithmetic.Neg(v);
    }

    // ------------------------------------------------------------------ tests, as bool

    /// <summary><c>x is divisibleby n</c> for integers as one remainder; everything else as Python's <c>x % n == 0</c>.</summary>
    public static bool DivisibleBy(object? value, object? divisor)
    {
        if (Int(value, out var x) && Int(divisor, out var y) && y != 0) return y == -1 || x % y == 0;
        return !Values.Truthy(Arithmetic.Mod(value, divisor));
    }

    /// <summary><c>x is even</c>.</summary>
    public static bool Even(object? value) => Int(value, out var x) ? (x & 1) == 0 : Predicates.BuiltinTests.EvenSlow(value);

    /// <summary><c>x is odd</c>.</summary>
    public static bool Odd(object? value) => Int(value, out var x) ? (x & 1) != 0 : Predicates.BuiltinTests.OddSlow(value);
}
