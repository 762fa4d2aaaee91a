using System.Globalization;
using System.Numerics;

namespace Kida.Runtime;

/// <summary>Python number semantics over .NET numeric types: long, BigInteger, double, decimal (bool counts as int).</summary>
internal static class Numbers
{
    internal enum Kind : byte { None, Int, Big, Float, Decimal }

    /// <summary>
    /// An integer result as a long when it fits, else a BigInteger; one with more digits than
    /// <see cref="KidaLimits.MaxIntegerDigits"/> fails with K-SEC-009.
    /// </summary>
    public static object Normalize(BigInteger value)
    {
        if (value >= long.MinValue && value <= long.MaxValue) return (long)value;
        Guard.IntegerDigits(value);
        return value;
    }

    /// <summary>An integer argument used as a size, count or width: its value, clamped into long's range (never throws).</summary>
    public static long ToSize(object? v) => v switch
    {
        BigInteger bi => bi > long.MaxValue ? long.MaxValue : bi < long.MinValue ? long.MinValue : (long)bi,
        double d => double.IsNaN(d) ? 0 : d >= long.MaxValue ? long.MaxValue : d <= long.MinValue ? long.MinValue : (long)d,
        _ => ToLong(v),
    };

    /// <summary>
    /// <c>x ** y</c> for integers with y &gt;= 0, failing with K-SEC-009 before the work when the result would pass
    /// <see cref="KidaLimits.MaxIntegerDigits"/> (Python would compute it; capping the exponent gave wrong answers).
    /// </summary>
    public static object IntPow(BigInteger x, BigInteger y)
    {
        if (y.IsZero) return 1L;
        if (x.IsZero) return 0L;
        if (x.IsOne) return 1L;
        if (x == BigInteger.MinusOne) return y.IsEven ? 1L : -1L;
        // |x| >= 2, so |x| ** y >= 2 ** ((bits(x) - 1) * y): past the limit's bit count means too many digits
        var maxBits = Guard.MaxIntegerBits;
        var lowBits = BigInteger.Abs(x).GetBitLength() - 1;
        if (y > maxBits || lowBits * (long)y > maxBits) Guard.IntegerTooLarge(RenderState.CurrentLimits.MaxIntegerDigits, null);
        return Normalize(BigInteger.Pow(x, (int)y));
    }

    public static BigInteger ToBigInteger(object? v) => v switch
    {
        BigInteger b => b,
        ulong u => u,
        bool b => b ? 1 : 0,
        _ => ToLong(v),
    };

    public static Kind Classify(object? v) => v switch
    {
        long or int or bool or short or byte or sbyte or ushort or uint => Kind.Int,
        double or float or Half => Kind.Float,
        BigInteger => Kind.Big,
        ulong u => u <= long.MaxValue ? Kind.Int : Kind.Big,
        decimal => Kind.Decimal,
        _ => Kind.None,
    };

    public static bool IsNumber(object? v) => Classify(v) != Kind.None;

    /// <summary>Python's "number" test: int or float, not bool.</summary>
    public static bool IsNumberNotBool(object? v) => v is not bool && IsNumber(v);

    public static bool IsInteger(object? v) => v is not bool && Classify(v) is Kind.Int or Kind.Big;

    public static long ToLong(object? v) => v switch
    {
        long l => l,
        int i => i,
        bool b => b ? 1 : 0,
        short s => s,
        byte b8 => b8,
        sbyte sb => sb,
        ushort us => us,
        uint ui => ui,
        ulong ul => (long)ul,
        BigInteger bi => (long)bi,
        double d => (long)d,
        float f => (long)f,
        decimal m => (long)m,
        _ => 0,
    };

    public static BigInteger ToBig(object? v) => v switch
    {
        BigInteger b => b,
        ulong ul => ul,
        double d => new BigInteger(d),
        decimal m => new BigInteger(m),
        _ => ToLong(v),
    };

    public static double ToDouble(object? v) => v switch
    {
        double d => d,
        float f => f,
        long l => l,
        int i => i,
        BigInteger b => (double)b,
        decimal m => (double)m,
        Half h => (double)h,
        _ => ToLong(v),
    };

    public static decimal ToDecimal(object? v) => v switch
    {
        decimal m => m,
        double d => (decimal)d,
        float f => (decimal)f,
        BigInteger b => (decimal)b,
        _ => ToLong(v),
    };

    private static Kind Common(Kind a, Kind b)
    {
        if (a == Kind.Float || b == Kind.Float) return Kind.Float;
        if (a == Kind.Decimal || b == Kind.Decimal) return Kind.Decimal;
        if (a == Kind.Big || b == Kind.Big) return Kind.Big;
        return Kind.Int;
    }

    public static bool TryArith(char op, object? a, object? b, out object? result)
    {
        var ka = Classify(a);
        var kb = Classify(b);
        if (ka == Kind.None || kb == Kind.None) { result = null; return false; }
        result = Arith(op, Common(ka, kb), a, b);
        return true;
    }

    private static object Arith(char op, Kind kind, object? a, object? b)
    {
        switch (kind)
        {
            case Kind.Int:
            {
                var x = ToLong(a);
                var y = ToLong(b);
                switch (op)
                {
                    case '+': { var r = x + y; if (((x ^ r) & (y ^ r)) < 0) return Normalize((BigInteger)x + y); return r; }
                    case '-': { var r = x - y; if (((x ^ y) & (x ^ r)) < 0) return Normalize((BigInteger)x - y); return r; }
                    case '*':
                    {
                        var r = Math.BigMul(x, y, out var low);
                        if ((r == 0 && low >= 0) || (r == -1 && low < 0)) return low;
                        return Normalize((BigInteger)x * y);
                    }
                    case '/': if (y == 0) throw DivZero(); return (double)x / y;
                    case 'f':
                    {
                        if (y == 0) throw DivZero();
                        if (x == long.MinValue && y == -1) return Normalize(-(BigInteger)x);
                        var q = x / y;
                        if ((x % y != 0) && ((x < 0) != (y < 0))) q--;
                        return q;
                    }
                    case '%':
                    {
                        if (y == 0) throw DivZero();
                        if (y == -1) return 0L;
                        var m = x % y;
                        if (m != 0 && ((m < 0) != (y < 0))) m += y;
                        return m;
                    }
                    case 'p':
                        if (y < 0 && x == 0) throw DivZero();
                        if (y < 0) return Math.Pow(x, y);
                        return IntPow(x, y);
                }
                break;
            }
            case Kind.Big:
            {
                var x = ToBig(a);
                var y = ToBig(b);
                switch (op)
                {
                    case '+': return Normalize(x + y);
                    case '-': return Normalize(x - y);
                    case '*': return Normalize(x * y);
                    case '/': if (y.IsZero) throw DivZero(); return (double)x / (double)y;
                    case 'f':
                    {
                        if (y.IsZero) throw DivZero();
                        var q = BigInteger.DivRem(x, y, out var rem);
                        if (!rem.IsZero && ((x.Sign < 0) != (y.Sign < 0))) q -= 1;
                        return Normalize(q);
                    }
                    case '%':
                    {
                        if (y.IsZero) throw DivZero();
                        var m = BigInteger.Remainder(x, y);
                        if (!m.IsZero && ((m.Sign < 0) != (y.Sign < 0))) m += y;
                        return Normalize(m);
                    }
                    case 'p':
                        if (y.Sign < 0 && x.IsZero) throw DivZero();
                        if (y.Sign < 0) return Math.Pow((double)x, (double)y);
                        return IntPow(x, y);
                }
                break;
            }
            case Kind.Decimal:
            {
                var x = ToDecimal(a);
                var y = ToDecimal(b);
                switch (op)
                {
                    case '+': return x + y;
                    case '-': return x - y;
                    case '*': return x * y;
                    case '/': if (y == 0) throw DivZero(); return x / y;
                    case 'f': if (y == 0) throw DivZero(); return Math.Floor(x / y);
                    case '%':
                    {
                        if (y == 0) throw DivZero();
                        var m = x % y;
                        if (m != 0 && ((m < 0) != (y < 0))) m += y;
                        return m;
                    }
                    case 'p': return (decimal)Math.Pow((double)x, (double)y);
                }
                break;
            }
            default:
            {
                var x = ToDouble(a);
                var y = ToDouble(b);
                switch (op)
                {
                    case '+': return x + y;
                    case '-': return x - y;
                    case '*': return x * y;
                    case '/': if (y == 0) throw DivZero(); return x / y;
                    case 'f': if (y == 0) throw DivZero(); return FloatDivMod(x, y).Div;
                    case '%': if (y == 0) throw DivZero(); return FloatDivMod(x, y).Mod;
                    case 'p':
                        if (x == 0 && y < 0) throw DivZero();
                        return Math.Pow(x, y);
                }
                break;
            }
        }
        throw new InvalidOperationException("unknown operator");
    }

    public static TemplateRuntimeException DivZero() => new("division by zero", ErrorCodes.DivisionByZero);

    public static int Compare(object? a, object? b)
    {
        var kind = Common(Classify(a), Classify(b));
        return kind switch
        {
            Kind.Int => ToLong(a).CompareTo(ToLong(b)),
            Kind.Big => ToBig(a).CompareTo(ToBig(b)),
            Kind.Decimal => ToDecimal(a).CompareTo(ToDecimal(b)),
            _ => CompareDouble(ToDouble(a), ToDouble(b)),
        };
    }

    private static int CompareDouble(double x, double y) => x < y ? -1 : x > y ? 1 : 0;

    public static bool NumEquals(object? a, object? b)
    {
        var kind = Common(Classify(a), Classify(b));
        return kind switch
        {
            Kind.Int => ToLong(a) == ToLong(b),
            Kind.Big => ToBig(a) == ToBig(b),
            Kind.Decimal => ToDecimal(a) == ToDecimal(b),
            _ => ToDouble(a) == ToDouble(b),
        };
    }

    public static object Negate(object? v) => Classify(v) switch
    {
        // (each arm boxed on its own: a ternary of BigInteger and long would make every negated int a BigInteger)
        Kind.Int => ToLong(v) == long.MinValue ? (object)(-(BigInteger)long.MinValue) : -ToLong(v),
        Kind.Big => Normalize(-ToBig(v)),
        Kind.Decimal => -ToDecimal(v),
        _ => -ToDouble(v),
    };

    /// <summary>Python repr/str of a float.</summary>
    /// <summary>Python's float <c>divmod</c>: the remainder takes the divisor's sign (a zero one too), the quotient is floored.</summary>
    private static (double Div, double Mod) FloatDivMod(double x, double y)
    {
        var mod = x % y; // C's fmod
        var div = (x - mod) / y;
        if (mod != 0)
        {
            if ((y < 0) != (mod < 0))
            {
                mod += y;
                div -= 1.0;
            }
        }
        else
        {
            mod = Math.CopySign(0.0, y);
        }
        double floorDiv;
        if (div != 0)
        {
            floorDiv = Math.Floor(div);
            if (div - floorDiv > 0.5) floorDiv += 1.0;
        }
        else
        {
            floorDiv = Math.CopySign(0.0, x / y);
        }
        return (floorDiv, mod);
    }

    /// <summary>
    /// Python's <c>repr</c> of a double in fixed notation (1e-4 ≤ |d| &lt; 1e15) written into <paramref name="destination"/>
    /// without a temporary string: .NET's shortest round-trip digits are Python's, and in that range both print them in
    /// fixed notation (".0" added to an integral value). False outside that range or when the span is too short.
    /// </summary>
    public static bool TryFormatDoubleFixed(double d, Span<char> destination, out int written)
    {
        written = 0;
        var abs = Math.Abs(d);
        if (!(abs >= 1e-4 && abs < 1e15)) return false;
        if (!d.TryFormat(destination, out var n, "R", CultureInfo.InvariantCulture)) return false;
        var text = destination[..n];
        if (text.IndexOfAny('E', 'e') >= 0) return false;
        if (text.IndexOf('.') < 0)
        {
            if (n + 2 > destination.Length) return false;
            destination[n++] = '.';
            destination[n++] = '0';
        }
        written = n;
        return true;
    }

    public static string FormatDouble(double d)
    {
        Span<char> text = stackalloc char[MaxDoubleChars];
        var n = FormatDouble(d, text);
        return new string(text[..n]);
    }

    /// <summary>The most characters <see cref="FormatDouble(double, Span{char})"/> writes.</summary>
    public const int MaxDoubleChars = 40;

    /// <summary>
    /// Python's <c>repr(float)</c> into <paramref name="dest"/> (at least <see cref="MaxDoubleChars"/> long), without
    /// allocating: the shortest digits that round-trip, positional for exponents -4 to 15, else <c>1.5e+16</c> form.
    /// Returns the number of characters written.
    /// </summary>
    public static int FormatDouble(double d, Span<char> dest)
    {
        if (TryFormatDoubleFixed(d, dest, out var quick)) return quick;
        if (double.IsNaN(d)) return Put(dest, "nan");
        if (double.IsPositiveInfinity(d)) return Put(dest, "inf");
        if (double.IsNegativeInfinity(d)) return Put(dest, "-inf");
        if (d == 0) return Put(dest, double.IsNegative(d) ? "-0.0" : "0.0");
        Span<char> r = stackalloc char[32];
        Math.Abs(d).TryFormat(r, out var rn, "R", CultureInfo.InvariantCulture);
        // the significant digits, where the decimal point falls among them, and the exponent
        Span<char> all = stackalloc char[32];
        var count = 0;
        var point = -1;
        var exp = 0;
        for (var i = 0; i < rn; i++)
        {
            var c = r[i];
            if (c is 'E' or 'e')
            {
                exp = int.Parse(r[(i + 1)..rn], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                break;
            }
            if (c == '.') point = count;
            else all[count++] = c;
        }
        if (point < 0) point = count;
        point += exp;
        var lead = 0;
        while (lead < count - 1 && all[lead] == '0') lead++;
        var digits = all[lead..count];
        point -= lead;
        var len = digits.Length;
        while (len > 1 && digits[len - 1] == '0') len--;
        digits = digits[..len];
        var sci = point - 1;
        var w = 0;
        if (d < 0) dest[w++] = '-';
        if (sci >= -4 && sci < 16)
        {
            if (point <= 0)
            {
                dest[w++] = '0';
                dest[w++] = '.';
                for (var i = 0; i < -point; i++) dest[w++] = '0';
                digits.CopyTo(dest[w..]);
                w += digits.Length;
            }
            else if (point >= digits.Length)
            {
                digits.CopyTo(dest[w..]);
                w += digits.Length;
                for (var i = 0; i < point - digits.Length; i++) dest[w++] = '0';
                dest[w++] = '.';
                dest[w++] = '0';
            }
            else
            {
                digits[..point].CopyTo(dest[w..]);
                w += point;
                dest[w++] = '.';
                digits[point..].CopyTo(dest[w..]);
                w += digits.Length - point;
            }
        }
        else
        {
            dest[w++] = digits[0];
            if (digits.Length > 1)
            {
                dest[w++] = '.';
                digits[1..].CopyTo(dest[w..]);
                w += digits.Length - 1;
            }
            dest[w++] = 'e';
            dest[w++] = sci < 0 ? '-' : '+';
            var abs = Math.Abs(sci);
            if (abs < 10) dest[w++] = '0';
            abs.TryFormat(dest[w..], out var en, default, CultureInfo.InvariantCulture);
            w += en;
        }
        return w;

        static int Put(Span<char> dest, string text)
        {
            text.CopyTo(dest);
            return text.Length;
        }
    }

    /// <summary>
    /// Python's <c>str(Decimal)</c>: the digits with the scale kept (as .NET prints a decimal), switching to exponent form
    /// when the adjusted exponent is below -6 (<c>0.0000001</c> is <c>1E-7</c>, <c>0.00000012</c> is <c>1.2E-7</c>).
    /// </summary>
    public static string FormatDecimal(decimal m)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(m, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var mantissa = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        var digits = mantissa.ToString(CultureInfo.InvariantCulture);
        var adjusted = digits.Length - 1 - scale;
        if (adjusted >= -6) return m.ToString(CultureInfo.InvariantCulture);
        var sb = new System.Text.StringBuilder(digits.Length + 8);
        if (bits[3] < 0) sb.Append('-');
        sb.Append(digits[0]);
        if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
        sb.Append('E').Append(adjusted.ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    public static string Format(object v) => v switch
    {
        double d => FormatDouble(d),
        BigInteger bi => FormatBig(bi),
        float f => FormatDouble(f),
        bool b => b ? "True" : "False",
        decimal m => FormatDecimal(m),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    /// <summary>str() of a big integer: more digits than <see cref="KidaLimits.MaxIntegerDigits"/> fail with K-SEC-009 (Python's rule).</summary>
    public static string FormatBig(BigInteger value)
    {
        Guard.IntegerDigits(value);
        return value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Parses a Python int literal from a string (surrounding whitespace allowed, underscores between digits).</summary>
    public static bool TryParseInt(string s, int radix, out object? value)
    {
        value = null;
        var t = s.Trim();
        if (t.Length == 0) return false;
        var neg = false;
        if (t[0] is '+' or '-') { neg = t[0] == '-'; t = t[1..]; }
        if (radix == 0)
        {
            radix = 10;
            if (t.Length > 2 && t[0] == '0')
            {
                var p = char.ToLowerInvariant(t[1]);
                if (p == 'x') { radix = 16; t = t[2..]; }
                else if (p == 'o') { radix = 8; t = t[2..]; }
                else if (p == 'b') { radix = 2; t = t[2..]; }
            }
        }
        else if (radix == 16 && t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) t = t[2..];
        else if (radix == 8 && t.StartsWith("0o", StringComparison.OrdinalIgnoreCase)) t = t[2..];
        else if (radix == 2 && t.StartsWith("0b", StringComparison.OrdinalIgnoreCase)) t = t[2..];
        if (t.Length == 0 || t[0] == '_' || t[^1] == '_') return false;
        var digits = 0;
        for (var i = 0; i < t.Length; i++)
        {
            var c = t[i];
            if (c == '_')
            {
                if (t[i - 1] == '_') return false;
                continue;
            }
            int d = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'z' => c - 'a' + 10,
                >= 'A' and <= 'Z' => c - 'A' + 10,
                _ => 99,
            };
            if (d >= radix) return false;
            digits++;
        }
        // Python's rule: converting a string of more digits than the limit raises (before any quadratic work)
        Guard.IntegerDigitCount(digits);
        BigInteger acc = 0;
        foreach (var c in t)
        {
            if (c == '_') continue;
            int digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'z' => c - 'a' + 10,
                _ => c - 'A' + 10,
            };
            acc = acc * radix + digit;
        }
        value = Normalize(neg ? -acc : acc);
        return true;
    }

    public static bool TryParseFloat(string s, out double value)
    {
        var t = s.Trim().Replace("_", "");
        switch (t.ToLowerInvariant())
        {
            case "inf" or "+inf" or "infinity" or "+infinity": value = double.PositiveInfinity; return true;
            case "-inf" or "-infinity": value = double.NegativeInfinity; return true;
            case "nan" or "+nan" or "-nan": value = double.NaN; return true;
        }
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && t.Length > 0 && !t.EndsWith('.') == true
            || double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
