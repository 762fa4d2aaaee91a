using System.Collections;
using System.Text.RegularExpressions;
using Kida.Syntax;

namespace Kida.Runtime;

/// <summary>Python arithmetic on template values: + - * / // % ** (integers never overflow), unary signs, ~ concatenation.</summary>
internal static class Arithmetic
{
    public static object? Add(object? a, object? b)
    {
        if (a is long x && b is long y)
        {
            var r = x + y;
            if (((x ^ r) & (y ^ r)) >= 0) return r;
        }
        Use(a, b);
        if (Numbers.TryArith('+', a, b, out var num)) return num;
        if (Values.IsString(a) || Values.IsString(b)) return Concat(a, b);
        if (a is PyTuple ta && b is PyTuple tb)
        {
            Guard.CollectionLength((long)ta.Count + tb.Count);
            return new PyTuple(ta.Concat(tb).ToArray());
        }
        // list + tuple and tuple + list are TypeErrors in Python
        if (a is IList la && b is IList lb && !Values.IsMapping(a) && a is not PyTuple && b is not PyTuple)
        {
            Guard.CollectionLength((long)la.Count + lb.Count);
            var joined = new KidaList { Capacity = la.Count + lb.Count };
            joined.AddRange(Iteration.Iterate(a));
            joined.AddRange(Iteration.Iterate(b));
            return joined;
        }
        throw TypeError("+", a, b);
    }

    public static object? Sub(object? a, object? b) => Arith('-', "-", a, b);

    public static object? Div(object? a, object? b) => Arith('/', "/", a, b);

    public static object? FloorDiv(object? a, object? b) => Arith('f', "//", a, b);

    public static object? Pow(object? a, object? b) => Arith('p', "**", a, b);

    public static object? Mod(object? a, object? b)
    {
        Use(a, b);
        if (Numbers.TryArith('%', a, b, out var r)) return r;
        if (a is Markup markup)
        {
            // Markup % args: every argument escaped, the result still Markup
            object? escaped = b switch
            {
                PyTuple t => new PyTuple(t.Select(MarkupArg).ToArray()),
                _ when Values.IsMapping(b) => Mappings.MapItems(b!).ToDictionary(kv => kv.Key ?? "", kv => MarkupArg(kv.Value)),
                _ => MarkupArg(b),
            };
            return new Markup(PyFormat.PercentFormat(markup.Value, escaped));
        }
        // a plain %-format of text, numbers and None: parsed once per thread and filled in a stack buffer
        if (a is string plain && Filters.FormatPlan.GetPercent(plain) is { } plan && plan.TryFormat(PercentArgs(b), out var formatted)) return formatted;
        if (Values.AsString(a) is { } fmt) return PyFormat.PercentFormat(fmt, b);
        throw TypeError("%", a, b);
    }

    /// <summary>The arguments <c>format % b</c> fills its fields with: a tuple's items, any other value alone.</summary>
    internal static object?[] PercentArgs(object? b) => b is PyTuple t ? t.Items : [b];

    private static object? MarkupArg(object? v) => Numbers.IsNumber(v) || v is null ? v : PyMethods.EscapeArg(v is string or Markup ? v : PyString.Str(v));

    public static object? Mul(object? a, object? b)
    {
        Use(a, b);
        if (Numbers.TryArith('*', a, b, out var r)) return r;
        // bool is an int in Python: 'ab' * True == 'ab'
        if (a is bool ab && (Values.IsString(b) || b is IList)) a = ab ? 1L : 0L;
        if (b is bool bb && (Values.IsString(a) || a is IList)) b = bb ? 1L : 0L;
        if (Values.IsString(a) && Numbers.IsInteger(b)) return Repeat(a!, b);
        if (Values.IsString(b) && Numbers.IsInteger(a)) return Repeat(b!, a);
        if (a is IList && Numbers.IsInteger(b)) return RepeatList(a, Numbers.ToSize(b));
        if (b is IList && Numbers.IsInteger(a)) return RepeatList(b, Numbers.ToSize(a));
        throw TypeError("*", a, b);
    }

    private static object Repeat(object s, object? count)
    {
        var n = Numbers.ToSize(count);
        var text = Values.AsString(s)!;
        if (n <= 0 || text.Length == 0) return s is Markup ? Markup.Empty : "";
        // checked before anything is allocated (n * length cannot overflow: both factors are below 2^63 / 2^31 here)
        Guard.StringLength(n > int.MaxValue ? long.MaxValue : n * text.Length);
        var result = string.Create((int)(n * text.Length), text, static (span, t) =>
        {
            for (var i = 0; i < span.Length; i += t.Length) t.CopyTo(span[i..]);
        });
        return s is Markup ? new Markup(result) : result;
    }

    private static object RepeatList(object list, long n)
    {
        var items = Iteration.AsList(list);
        if (n <= 0 || items.Count == 0) return list is PyTuple ? PyTuple.Empty : new List<object?>();
        Guard.CollectionLength(n > int.MaxValue ? long.MaxValue : n * items.Count);
        // a list the template created (the sandbox lets the template mutate it)
        var result = new KidaList { Capacity = (int)(n * items.Count) };
        for (var i = 0; i < n; i++) result.AddRange(items);
        return list is PyTuple ? new PyTuple(result.ToArray()) : result;
    }

    private static object? Arith(char op, string symbol, object? a, object? b)
    {
        if (op == '-' && a is long x && b is long y)
        {
            var r = x - y;
            if (((x ^ y) & (x ^ r)) >= 0) return r;
        }
        Use(a, b);
        if (Numbers.TryArith(op, a, b, out var num)) return num;
        throw TypeError(symbol, a, b);
    }

    private static void Use(object? a, object? b)
    {
        if (a is Undefined ua) ua.Use();
        if (b is Undefined ub) ub.Use();
    }

    internal static TemplateRuntimeException TypeError(string op, object? a, object? b) =>
        new($"unsupported operand type(s) for {op}: '{Values.TypeName(a)}' and '{Values.TypeName(b)}'", ErrorCodes.TypeError);

    public static object? Neg(object? v)
    {
        if (v is Undefined u) u.Use();
        if (Numbers.IsNumber(v)) return Numbers.Negate(v);
        throw new TemplateRuntimeException($"bad operand type for unary -: '{Values.TypeName(v)}'", ErrorCodes.TypeError);
    }

    public static object? Pos(object? v)
    {
        if (v is Undefined u) u.Use();
        if (Numbers.IsNumber(v)) return v is bool b ? (b ? 1L : 0L) : v;
        throw new TemplateRuntimeException($"bad operand type for unary +: '{Values.TypeName(v)}'", ErrorCodes.TypeError);
    }

    /// <summary>
    /// <c>~</c>: with autoescape on, Jinja's markup join (a Markup side makes the result Markup, the other side escaped);
    /// with autoescape off, plain string join.
    /// </summary>
    public static object? Tilde(object? a, object? b, bool autoescape)
    {
        if (autoescape) return Concat(a, b);
        Use(a, b);
        var x = PyString.Str(a);
        var y = PyString.Str(b);
        Guard.StringLength(x.Length, y.Length);
        return string.Concat(x, y);
    }

    /// <summary>
    /// One operand of a printed <c>~</c> chain (<c>{{ a ~ ' ' ~ b }}</c>), written where the joined text would have been:
    /// Markup as it is, anything else as its str(), escaped when autoescape is on. That is what printing
    /// <see cref="Tilde"/>'s result gives (a Markup result holds the other operands escaped; a plain one is escaped when
    /// printed), without building the joined string. <paramref name="total"/> is the length of the operands before this
    /// one: the joined text is still held to <see cref="KidaLimits.MaxStringLength"/>. Returns the new total.
    /// </summary>
    /// <summary><see cref="WriteTildePart"/> of an int or long member, for code tier-up emits: no box.</summary>
    public static long WriteTildeInt(Output output, long value, long total)
    {
        var before = output.TotalLength;
        output.WriteInt(value);
        var length = total + (output.TotalLength - before);
        Guard.StringLength(length);
        return length;
    }

    /// <summary><see cref="WriteTildePart"/> of a non-null string member, for code tier-up emits.</summary>
    public static long WriteTildeText(Output output, string s, bool escape, long total)
    {
        Guard.StringLength(total, s.Length);
        if (escape) output.WriteEscaped(s); else output.Write(s);
        return total + s.Length;
    }

    /// <summary>
    /// A literal part of a printed <c>~</c> chain, as <paramref name="written"/> (escaped when the emitter escapes): its
    /// <paramref name="length"/> as a string counts toward the joined string's limit, as the literal's own does.
    /// </summary>
    public static long WriteTildeLiteral(Output output, string written, int length, long total)
    {
        Guard.StringLength(total, length);
        output.Write(written);
        return total + length;
    }

    public static long WriteTildePart(Output output, object? value, bool escape, long total)
    {
        switch (value)
        {
            case string s:
                Guard.StringLength(total, s.Length);
                if (escape) output.WriteEscaped(s); else output.Write(s);
                return total + s.Length;
            case Markup m:
                Guard.StringLength(total, m.Value.Length);
                output.Write(m.Value);
                return total + m.Value.Length;
            case long or int or double:
            {
                var before = output.TotalLength;
                if (value is long l) output.WriteInt(l);
                else if (value is int i) output.WriteInt(i);
                else output.WriteDouble((double)value);
                var length = total + (output.TotalLength - before);
                Guard.StringLength(length);
                return length;
            }
        }
        if (value is Undefined u) u.Use();
        var text = PyString.Str(value);
        Guard.StringLength(total, text.Length);
        if (escape) output.WriteEscaped(text); else output.Write(text);
        return total + text.Length;
    }

    /// <summary>str of both sides; if either side is Markup the result is Markup and the other side is escaped.</summary>
    public static object? Concat(object? a, object? b)
    {
        Use(a, b);
        if (a is Markup || b is Markup)
        {
            var left = a is Markup ma ? ma.Value : Output.Escape(PyString.Str(a));
            var right = b is Markup mb ? mb.Value : Output.Escape(PyString.Str(b));
            Guard.StringLength(left.Length, right.Length);
            return new Markup(left + right);
        }
        var x = PyString.Str(a);
        var y = PyString.Str(b);
        Guard.StringLength(x.Length, y.Length);
        return string.Concat(x, y);
    }
}
