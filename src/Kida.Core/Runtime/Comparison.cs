using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text;
using Kida.Syntax;

namespace Kida.Runtime;

/// <summary>Python equality, ordering and membership (<c>==</c>, <c>&lt;</c>, <c>in</c>) on template values, depth-bounded.</summary>
internal static class Comparison
{
    public static bool Equal(object? a, object? b) => Comparison.Eq(a, b);

    public static bool CompareOp(CompareOp op, object? a, object? b) => op switch
    {
        Syntax.CompareOp.Eq => Comparison.Eq(a, b),
        Syntax.CompareOp.Ne => !Comparison.Eq(a, b),
        Syntax.CompareOp.Lt => Comparison.Compare(a, b, "<") < 0,
        Syntax.CompareOp.Le => LessOrEqual(a, b),
        Syntax.CompareOp.Gt => Comparison.Compare(a, b, ">") > 0,
        Syntax.CompareOp.Ge => GreaterOrEqual(a, b),
        Syntax.CompareOp.In => Comparison.Contains(b, a),
        _ => !Comparison.Contains(b, a),
    };

    /// <summary>
    /// <c>a &lt;= b</c> / <c>a &gt;= b</c> as <see cref="Compare(object?, object?, string)"/> orders them (which raises for
    /// values Python cannot order), and false when either is a float NaN: Python's NaN is neither below, equal to nor above
    /// anything, where an ordering would call it equal.
    /// </summary>
    public static bool LessOrEqual(object? a, object? b) => Compare(a, b, "<=") <= 0 && !EitherNaN(a, b);

    /// <inheritdoc cref="LessOrEqual"/>
    public static bool GreaterOrEqual(object? a, object? b) => Compare(a, b, ">=") >= 0 && !EitherNaN(a, b);

    private static bool EitherNaN(object? a, object? b) => IsNaN(Values.Unwrap(a)) || IsNaN(Values.Unwrap(b));

    private static bool IsNaN(object? v) => v switch { double d => double.IsNaN(d), float f => float.IsNaN(f), _ => false };

    /// <summary>How deeply nested two values compared with == or ordered may be (Python raises RecursionError too).</summary>
    private const int MaxCompareDepth = 200;

    public static bool Eq(object? a, object? b) => Eq(a, b, 0);

    private static TemplateRuntimeException TooDeep(string what) =>
        new($"RecursionError: maximum recursion depth exceeded in {what} (the values are nested more than {MaxCompareDepth} levels deep, or contain themselves)",
            ErrorCodes.RecursionDepth);

    internal static bool Eq(object? a, object? b, int depth)
    {
        if (depth > MaxCompareDepth) throw TooDeep("comparison");
        if (a is Undefined ua) ua.Use();
        if (b is Undefined ub) ub.Use();
        a = Values.Unwrap(a);
        b = Values.Unwrap(b);
        if (ReferenceEquals(a, b)) return true;
        if (a is null || b is null) return false;
        if (a is string sa) return Values.AsString(b) is { } sb2 && string.Equals(sa, sb2, StringComparison.Ordinal);
        if (a is Markup ma) return Values.AsString(b) is { } sb3 && string.Equals(ma.Value, sb3, StringComparison.Ordinal);
        var ka = Numbers.Classify(a);
        if (ka != Numbers.Kind.None)
        {
            if (Numbers.Classify(b) == Numbers.Kind.None) return false;
            return Numbers.NumEquals(a, b);
        }
        if (Values.IsMapping(a))
        {
            if (!Values.IsMapping(b)) return false;
            var ia = Mappings.MapItems(a).ToList();
            var ib = Mappings.MapItems(b).ToList();
            if (ia.Count != ib.Count) return false;
            foreach (var (k, v) in ia)
            {
                if (!Mappings.MapTryGet(b, k, out var other) || !Eq(v, other, depth + 1)) return false;
            }
            return true;
        }
        if (a is PyTuple != b is PyTuple) return false;
        if (a is IEnumerable ea && b is IEnumerable eb && a is not string && Values.IsSequence(a) && Values.IsSequence(b))
        {
            var la = ea.Cast<object?>().ToList();
            var lb = eb.Cast<object?>().ToList();
            if (la.Count != lb.Count) return false;
            for (var i = 0; i < la.Count; i++)
                if (!Eq(la[i], lb[i], depth + 1)) return false;
            return true;
        }
        return a.Equals(b);
    }

    public static int Compare(object? a, object? b, string op = "<") => Compare(a, b, op, 0);

    internal static int Compare(object? a, object? b, string op, int depth)
    {
        if (depth > MaxCompareDepth) throw TooDeep("comparison");
        if (a is Undefined ua) ua.Use();
        if (b is Undefined ub) ub.Use();
        a = Values.Unwrap(a);
        b = Values.Unwrap(b);
        if (Numbers.IsNumber(a) && Numbers.IsNumber(b)) return Numbers.Compare(a, b);
        if (Values.AsString(a) is { } sa && Values.AsString(b) is { } sb) return CompareStrings(sa, sb);
        if (a is IEnumerable && b is IEnumerable && Values.IsSequence(a) && Values.IsSequence(b) && a is not string && (a is PyTuple) == (b is PyTuple))
        {
            var la = Iteration.Iterate(a).ToList();
            var lb = Iteration.Iterate(b).ToList();
            for (var i = 0; i < Math.Min(la.Count, lb.Count); i++)
            {
                if (Eq(la[i], lb[i], depth + 1)) continue;
                return Compare(la[i], lb[i], op, depth + 1);
            }
            return la.Count.CompareTo(lb.Count);
        }
        if (a is IComparable ca && b is not null && a.GetType() == b.GetType()) return ca.CompareTo(b);
        throw new TemplateRuntimeException($"TypeError: '{op}' not supported between instances of '{Values.TypeName(a)}' and '{Values.TypeName(b)}'", ErrorCodes.TypeError);
    }

    /// <summary>
    /// The key a case-insensitive sort or grouping compares (the text lowered, as <c>ToLowerInvariant</c> lowers it):
    /// the text itself when it is ASCII with no capital, found by one short scan instead of a call into the casing tables.
    /// </summary>
    public static string CaseFolded(string s)
    {
        foreach (var c in s)
            if ((uint)(c - 'A') <= 'Z' - 'A' || c > 0x7F) return s.ToLowerInvariant();
        return s;
    }

    /// <summary>Ordinal comparison by Unicode code point (not UTF-16 code unit).</summary>
    public static int CompareStrings(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var x = a[i];
            var y = b[i];
            if (x == y) continue;
            if (char.IsSurrogate(x) || char.IsSurrogate(y))
            {
                // surrogates encode code points above every BMP character
                var cx = char.IsSurrogate(x) ? 0x10000 + x : x;
                var cy = char.IsSurrogate(y) ? 0x10000 + y : y;
                return cx.CompareTo(cy);
            }
            return x.CompareTo(y);
        }
        return a.Length.CompareTo(b.Length);
    }

    public static bool Contains(object? container, object? item)
    {
        if (container is Undefined u) u.Use();
        if (item is Undefined ui) ui.Use();
        container = Values.Unwrap(container);
        if (Values.AsString(container) is { } s)
        {
            var needle = Values.AsString(Values.Unwrap(item)) ?? throw new TemplateRuntimeException(
                $"'in <string>' requires string as left operand, not {Values.TypeName(item)}", ErrorCodes.TypeError);
            return s.Contains(needle, StringComparison.Ordinal);
        }
        if (Values.IsMapping(container)) return Mappings.MapTryGet(container!, item, out _);
        if (container is null || container is not IEnumerable && container is not JsonElement)
            throw new TemplateRuntimeException($"argument of type '{Values.TypeName(container)}' is not iterable", ErrorCodes.TypeError);
        foreach (var x in Iteration.Iterate(container))
            if (Eq(x, item)) return true;
        return false;
    }
}
