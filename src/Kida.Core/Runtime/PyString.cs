using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;

namespace Kida.Runtime;

/// <summary>Python <c>str()</c> and <c>repr()</c> of template values, and string lengths in code points.</summary>
internal static class PyString
{
    public static string Str(object? v)
    {
        switch (v)
        {
            case null: return "None";
            case string s: return s;
            case Markup m: return m.Value;
            case bool b: return b ? "True" : "False";
            case long l: return l.ToString(CultureInfo.InvariantCulture);
            case int i: return i.ToString(CultureInfo.InvariantCulture);
            case double d: return Numbers.FormatDouble(d);
            case Undefined u: u.Use(); return "";
            case PyRange r: return r.ToString();
            case char c: return c.ToString();
        }
        if (Numbers.IsNumber(v)) return Numbers.Format(v);
        if (v is JsonElement je)
        {
            var un = Values.Unwrap(je);
            if (un is not JsonElement) return Str(un);
        }
        if (DateText(v) is { } date) return date;
        if (v is Guid g) return g.ToString("D", CultureInfo.InvariantCulture);
        if (SafeHtml.TryGetHtml(v, out var html)) return html;
        if (v is KidaCallable kc) return kc.ToString() ?? "";
        if (Values.IsMapping(v) || (v is IEnumerable && v is not string)) return Repr(v);
        return MemberPolicy.ObjectText(v);
    }

    /// <summary>
    /// A date or time as Python's <c>str</c> prints its counterpart, the same on every culture: a DateTime as a naive
    /// datetime (<c>2026-12-06 09:05:00</c>, microseconds only when there are any: <c>.000250</c>), a DateTimeOffset as an
    /// aware one (<c>+01:00</c> after it), a DateOnly as a date, a TimeOnly as a time, a TimeSpan as a timedelta
    /// (<c>1 day, 2:03:04</c>; a negative span as Python normalises it: <c>-1 day, 23:59:59</c>). .NET's 100 ns ticks
    /// below a microsecond are dropped, as Python has none. Null for any other value.
    /// </summary>
    internal static string? DateText(object? v) => v switch
    {
        DateTime t => string.Create(CultureInfo.InvariantCulture, $"{t:yyyy'-'MM'-'dd' 'HH':'mm':'ss}{Micros(t.Ticks)}"),
        DateTimeOffset o => string.Create(CultureInfo.InvariantCulture,
            $"{o.DateTime:yyyy'-'MM'-'dd' 'HH':'mm':'ss}{Micros(o.Ticks)}{(o.Offset < TimeSpan.Zero ? '-' : '+')}{o.Offset.Duration():hh':'mm}"),
        DateOnly d => d.ToString("yyyy'-'MM'-'dd", CultureInfo.InvariantCulture),
        TimeOnly t => string.Create(CultureInfo.InvariantCulture, $"{t:HH':'mm':'ss}{Micros(t.Ticks)}"),
        TimeSpan span => Timedelta(span),
        _ => null,
    };

    private static string Micros(long ticks)
    {
        var micros = ticks % TimeSpan.TicksPerSecond / 10;
        return micros == 0 ? "" : "." + micros.ToString("D6", CultureInfo.InvariantCulture);
    }

    private static string Timedelta(TimeSpan span)
    {
        // (whole microseconds, toward minus infinity as Python keeps them; days floored, the rest within one day)
        var micros = Math.DivRem(span.Ticks, 10, out var sub) - (sub < 0 ? 1 : 0);
        const long perDay = 86_400_000_000L;
        var days = Math.DivRem(micros, perDay, out var rest);
        if (rest < 0) { days--; rest += perDay; }
        var clock = new TimeSpan(rest * 10);
        var text = string.Create(CultureInfo.InvariantCulture, $"{(int)clock.TotalHours}:{clock:mm':'ss}{Micros(clock.Ticks)}");
        return days == 0 ? text : string.Create(CultureInfo.InvariantCulture, $"{days} day{(days is 1 or -1 ? "" : "s")}, {text}");
    }

    public static string Repr(object? v) => Repr(v, sortKeys: false);

    /// <summary>Python <c>repr</c>; with <paramref name="sortKeys"/>, mapping items sorted by key (as <c>pprint</c> shows them).</summary>
    public static string Repr(object? v, bool sortKeys)
    {
        var sb = new StringBuilder();
        AppendRepr(sb, v, 0, sortKeys);
        return sb.ToString();
    }

    /// <summary>Mapping items in the order <c>pprint</c> uses: sorted by key, keys of mixed types grouped by type name.</summary>
    public static List<KeyValuePair<object?, object?>> SortedItems(object map)
    {
        var items = Mappings.MapItems(map).ToList();
        items.Sort((x, y) =>
        {
            try
            {
                return Comparison.Compare(x.Key, y.Key);
            }
            catch (TemplateException)
            {
                return string.CompareOrdinal(Values.TypeName(x.Key), Values.TypeName(y.Key));
            }
        });
        return items;
    }

    private static void AppendRepr(StringBuilder sb, object? v, int depth, bool sortKeys = false, HashSet<object>? path = null)
    {
        if (depth > 50) { sb.Append("..."); return; }
        Guard.StringLength(sb.Length); // a list holding the same large list many times grows fast
        switch (v)
        {
            case string s: AppendStringRepr(sb, s); return;
            case Markup m: sb.Append("Markup("); AppendStringRepr(sb, m.Value); sb.Append(')'); return;
            case null or bool or Undefined: sb.Append(Str(v)); return;
            case PyTuple t:
                sb.Append('(');
                for (var i = 0; i < t.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    AppendRepr(sb, t[i], depth + 1, sortKeys, path);
                }
                if (t.Count == 1) sb.Append(',');
                sb.Append(')');
                return;
            case PyRange r: sb.Append(r.ToString()); return;
        }
        if (Numbers.IsNumber(v)) { sb.Append(Numbers.Format(v)); return; }
        if (v is JsonElement je && Values.Unwrap(je) is not JsonElement) { AppendRepr(sb, Values.Unwrap(je), depth, sortKeys, path); return; }
        var isNamespace = v is Namespace;
        var isMapping = !isNamespace && Values.IsMapping(v);
        if (!isNamespace && !isMapping && (v is not IEnumerable || v is KidaCallable)) { sb.Append(Str(v)); return; }
        // a container that contains itself prints as Python prints it: [...] or {...} where it recurs
        path ??= new HashSet<object>(ReferenceEqualityComparer.Instance);
        if (!path.Add(v!))
        {
            sb.Append(isNamespace ? "<Namespace ...>" : isMapping ? "{...}" : "[...]");
            return;
        }
        try
        {
            if (v is Namespace ns)
            {
                sb.Append("<Namespace ");
                var firstAttr = true;
                foreach (var (k, val) in ns.Values)
                {
                    Guard.StringLength(sb.Length);
                    if (!firstAttr) sb.Append(", ");
                    firstAttr = false;
                    sb.Append(k).Append('=');
                    AppendRepr(sb, val, depth + 1, sortKeys, path);
                }
                sb.Append('>');
                return;
            }
            if (isMapping)
            {
                sb.Append('{');
                var first = true;
                foreach (var (k, val) in sortKeys ? SortedItems(v!) : Mappings.MapItems(v!))
                {
                    Guard.StringLength(sb.Length);
                    if (!first) sb.Append(", ");
                    first = false;
                    AppendRepr(sb, k, depth + 1, sortKeys, path);
                    sb.Append(": ");
                    AppendRepr(sb, val, depth + 1, sortKeys, path);
                }
                sb.Append('}');
                return;
            }
            var isSet = v!.GetType().IsGenericType && v.GetType().GetGenericTypeDefinition() == typeof(HashSet<>);
            sb.Append(isSet ? '{' : '[');
            var firstItem = true;
            foreach (var item in (IEnumerable)v)
            {
                Guard.StringLength(sb.Length);
                if (!firstItem) sb.Append(", ");
                firstItem = false;
                AppendRepr(sb, Values.Unwrap(item), depth + 1, sortKeys, path);
            }
            if (isSet && firstItem) { sb.Length--; sb.Append("set()"); return; }
            sb.Append(isSet ? '}' : ']');
        }
        finally
        {
            path.Remove(v!);
        }
    }

    public static void AppendStringRepr(StringBuilder sb, string s)
    {
        Guard.StringLength(sb.Length, s.Length);
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        sb.Append(quote);
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c == quote) sb.Append('\\').Append(c);
                    else if (c < 0x20 || c == 0x7f) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append(quote);
    }

    public static bool HasSurrogates(string s) => s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    public static int StrLen(string s) => HasSurrogates(s) ? s.EnumerateRunes().Count() : s.Length;
}

/// <summary>Cached one-character strings for iterating strings without allocating.</summary>
internal static class CharStrings
{
    private static readonly string[] Ascii = Enumerable.Range(0, 128).Select(i => ((char)i).ToString()).ToArray();

    public static string Get(char c) => c < 128 ? Ascii[c] : c.ToString();
}
