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
        if (v is IFormattable f && v is DateTime or DateTimeOffset or DateOnly or TimeOnly or TimeSpan or Guid)
            return f.ToString(null, CultureInfo.InvariantCulture);
        if (SafeHtml.TryGetHtml(v, out var html)) return html;
        if (v is KidaCallable kc) return kc.ToString() ?? "";
        if (Values.IsMapping(v) || (v is IEnumerable && v is not string)) return Repr(v);
        return MemberPolicy.ObjectText(v);
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
