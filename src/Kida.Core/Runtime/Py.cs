using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kida.Runtime;

/// <summary>Python value semantics: truthiness, str/repr, equality, ordering, membership, iteration, length.</summary>
internal static partial class Py
{
    // ------------------------------------------------------------------ classification

    public static string TypeName(object? v) => v switch
    {
        null => "NoneType",
        bool => "bool",
        string => "str",
        Markup => "Markup",
        Undefined => "Undefined",
        PyTuple => "tuple",
        PyRange => "range",
        KidaCallable k => k.TypeName,
        _ when Numbers.IsInteger(v) => "int",
        double or float or Half => "float",
        decimal => "decimal",
        _ when IsMapping(v) => "dict",
        _ when v is IEnumerable => "list",
        _ => v.GetType().Name,
    };

    public static bool IsString(object? v) => v is string or Markup;

    public static string? AsString(object? v) => v switch
    {
        string s => s,
        Markup m => m.Value,
        _ => null,
    };

    /// <summary>Normalises values that come out of JSON containers to plain .NET values.</summary>
    public static object? Unwrap(object? v)
    {
        if (v is null || v.GetType() == typeof(string)) return v;
        // boxed numbers and bools (the common case after strings): one flag test, no class-hierarchy walk for JsonValue
        if (v.GetType().IsValueType) return v is JsonElement je0 ? FromJson(je0) : v;
        switch (v)
        {
            case JsonValue jv:
                if (jv.TryGetValue<JsonElement>(out var je)) return FromJson(je);
                if (jv.TryGetValue<object>(out var o)) return o is JsonElement je2 ? FromJson(je2) : o;
                return jv.ToJsonString();
            default: return v;
        }
    }

    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? (object)l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => e,
    };

    public static bool IsMapping(object? v) => v switch
    {
        null or string => false,
        IDictionary or IDictionary<string, object?> or IReadOnlyDictionary<string, object?> => true,
        JsonElement { ValueKind: JsonValueKind.Object } => true,
        _ => GenericMaps.IsReadOnlyMap(v),
    };

    public static bool IsSequence(object? v) => v switch
    {
        null => false,
        string or Markup => true,
        _ when IsMapping(v) => false,
        IList or PyTuple or PyRange => true,
        JsonElement { ValueKind: JsonValueKind.Array } => true,
        _ => v is IEnumerable && GenericMaps.IsReadOnlyList(v),
    };

    // ------------------------------------------------------------------ truthiness

    public static bool Truthy(object? v)
    {
        switch (v)
        {
            case null: return false;
            case bool b: return b;
            case string s: return s.Length != 0;
            case long l: return l != 0;
            case int i: return i != 0;
            case double d: return d != 0;
            case Markup m: return m.Value.Length != 0;
            case Undefined u: u.Use(); return false;
            case decimal m: return m != 0;
            case BigInteger bi: return !bi.IsZero;
            case ICollection c: return c.Count != 0;
            case JsonElement e:
                return e.ValueKind switch
                {
                    JsonValueKind.Array => e.GetArrayLength() != 0,
                    JsonValueKind.Object => e.EnumerateObject().Any(),
                    _ => Truthy(Unwrap(e)),
                };
        }
        if (Numbers.IsNumber(v)) return Numbers.ToDouble(v) != 0;
        if (v is IReadOnlyCollection<object?> roc) return roc.Count != 0;
        if (GenericMaps.TryCount(v, out var n)) return n != 0;
        return true;
    }

    // ------------------------------------------------------------------ str / repr

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
            var un = Unwrap(je);
            if (un is not JsonElement) return Str(un);
        }
        if (v is IFormattable f && v is DateTime or DateTimeOffset or DateOnly or TimeOnly or TimeSpan or Guid)
            return f.ToString(null, CultureInfo.InvariantCulture);
        if (SafeHtml.TryGetHtml(v, out var html)) return html;
        if (v is KidaCallable kc) return kc.ToString() ?? "";
        if (IsMapping(v) || (v is IEnumerable && v is not string)) return Repr(v);
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
        var items = MapItems(map).ToList();
        items.Sort((x, y) =>
        {
            try
            {
                return Compare(x.Key, y.Key);
            }
            catch (TemplateException)
            {
                return string.CompareOrdinal(TypeName(x.Key), TypeName(y.Key));
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
        if (v is JsonElement je && Unwrap(je) is not JsonElement) { AppendRepr(sb, Unwrap(je), depth, sortKeys, path); return; }
        var isNamespace = v is Namespace;
        var isMapping = !isNamespace && IsMapping(v);
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
                foreach (var (k, val) in sortKeys ? SortedItems(v!) : MapItems(v!))
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
                AppendRepr(sb, Unwrap(item), depth + 1, sortKeys, path);
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

    // ------------------------------------------------------------------ equality and ordering

    /// <summary>How deeply nested two values compared with == or ordered may be (Python raises RecursionError too).</summary>
    private const int MaxCompareDepth = 200;

    public static bool Eq(object? a, object? b) => Eq(a, b, 0);

    private static TemplateRuntimeException TooDeep(string what) =>
        new($"RecursionError: maximum recursion depth exceeded in {what} (the values are nested more than {MaxCompareDepth} levels deep, or contain themselves)",
            "K-RUN-006");

    private static bool Eq(object? a, object? b, int depth)
    {
        if (depth > MaxCompareDepth) throw TooDeep("comparison");
        if (a is Undefined ua) ua.Use();
        if (b is Undefined ub) ub.Use();
        a = Unwrap(a);
        b = Unwrap(b);
        if (ReferenceEquals(a, b)) return true;
        if (a is null || b is null) return false;
        if (a is string sa) return AsString(b) is { } sb2 && string.Equals(sa, sb2, StringComparison.Ordinal);
        if (a is Markup ma) return AsString(b) is { } sb3 && string.Equals(ma.Value, sb3, StringComparison.Ordinal);
        var ka = Numbers.Classify(a);
        if (ka != Numbers.Kind.None)
        {
            if (Numbers.Classify(b) == Numbers.Kind.None) return false;
            return Numbers.NumEquals(a, b);
        }
        if (IsMapping(a))
        {
            if (!IsMapping(b)) return false;
            var ia = MapItems(a).ToList();
            var ib = MapItems(b).ToList();
            if (ia.Count != ib.Count) return false;
            foreach (var (k, v) in ia)
            {
                if (!MapTryGet(b, k, out var other) || !Eq(v, other, depth + 1)) return false;
            }
            return true;
        }
        if (a is PyTuple != b is PyTuple) return false;
        if (a is IEnumerable ea && b is IEnumerable eb && a is not string && IsSequence(a) && IsSequence(b))
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

    private static int Compare(object? a, object? b, string op, int depth)
    {
        if (depth > MaxCompareDepth) throw TooDeep("comparison");
        if (a is Undefined ua) ua.Use();
        if (b is Undefined ub) ub.Use();
        a = Unwrap(a);
        b = Unwrap(b);
        if (Numbers.IsNumber(a) && Numbers.IsNumber(b)) return Numbers.Compare(a, b);
        if (AsString(a) is { } sa && AsString(b) is { } sb) return CompareStrings(sa, sb);
        if (a is IEnumerable && b is IEnumerable && IsSequence(a) && IsSequence(b) && a is not string && (a is PyTuple) == (b is PyTuple))
        {
            var la = Iterate(a).ToList();
            var lb = Iterate(b).ToList();
            for (var i = 0; i < Math.Min(la.Count, lb.Count); i++)
            {
                if (Eq(la[i], lb[i], depth + 1)) continue;
                return Compare(la[i], lb[i], op, depth + 1);
            }
            return la.Count.CompareTo(lb.Count);
        }
        if (a is IComparable ca && b is not null && a.GetType() == b.GetType()) return ca.CompareTo(b);
        throw new TemplateRuntimeException($"TypeError: '{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'", "K-RUN-012");
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
        container = Unwrap(container);
        if (AsString(container) is { } s)
        {
            var needle = AsString(Unwrap(item)) ?? throw new TemplateRuntimeException(
                $"'in <string>' requires string as left operand, not {TypeName(item)}", "K-RUN-012");
            return s.Contains(needle, StringComparison.Ordinal);
        }
        if (IsMapping(container)) return MapTryGet(container!, item, out _);
        if (container is null || container is not IEnumerable && container is not JsonElement)
            throw new TemplateRuntimeException($"argument of type '{TypeName(container)}' is not iterable", "K-RUN-012");
        foreach (var x in Iterate(container))
            if (Eq(x, item)) return true;
        return false;
    }

    // ------------------------------------------------------------------ iteration and length

    /// <summary>
    /// The items of a value as Python iterates it. An enumerable of unknown length (not a collection) is read through
    /// <see cref="Guard.Bounded"/> unless <paramref name="bounded"/> is false (for loops, whose iterations are counted).
    /// </summary>
    public static IEnumerable<object?> Iterate(object? v, bool bounded = true)
    {
        switch (v)
        {
            case Undefined u:
                u.Use();
                return [];
            case null:
                throw new TemplateRuntimeException("'NoneType' object is not iterable", "K-RUN-012");
            case string s:
                return IterateString(s);
            case Markup m:
                return IterateString(m.Value);
            case List<object?> list:
                return list;
            case PyTuple t:
                return t;
            case JsonElement { ValueKind: JsonValueKind.Array } ja:
                return ja.EnumerateArray().Select(x => Unwrap(x));
            case JsonElement { ValueKind: JsonValueKind.Object } jo:
                return jo.EnumerateObject().Select(p => (object?)p.Name);
        }
        if (IsMapping(v)) return MapKeys(v);
        if (bounded && v is IEnumerable and not (ICollection or IReadOnlyCollection<object?>) && !GenericMaps.TryCount(v, out _))
            return Guard.Bounded((IEnumerable)v);
        if (v is IEnumerable<object?> eo) return eo.Select(Unwrap);
        if (v is IEnumerable e) return e.Cast<object?>().Select(Unwrap);
        if (v is KidaCallable kc && kc.TypeName == "macro")
            throw new TemplateRuntimeException($"Cannot iterate over macro '{kc}'", "K-RUN-013");
        throw new TemplateRuntimeException($"'{TypeName(v)}' object is not iterable", "K-RUN-012");
    }

    private static IEnumerable<object?> IterateString(string s)
    {
        if (!HasSurrogates(s))
        {
            for (var i = 0; i < s.Length; i++) yield return CharStrings.Get(s[i]);
            yield break;
        }
        foreach (var r in s.EnumerateRunes()) yield return r.ToString();
    }

    public static bool HasSurrogates(string s) => s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    public static int StrLen(string s) => HasSurrogates(s) ? s.EnumerateRunes().Count() : s.Length;

    public static List<object?> ToList(object? v) => v is List<object?> l ? l : Iterate(v).ToList();

    public static IReadOnlyList<object?> AsList(object? v) => v switch
    {
        List<object?> l => l,
        PyTuple t => t,
        object?[] a => a,
        _ => Iterate(v).ToList(),
    };

    public static int Length(object? v)
    {
        switch (v)
        {
            case string s: return StrLen(s);
            case Markup m: return StrLen(m.Value);
            case Undefined u: u.Use(); return 0;
            case ICollection c: return c.Count;
            case PyRange r: return r.Count;
            case JsonElement { ValueKind: JsonValueKind.Array } ja: return ja.GetArrayLength();
            case JsonElement { ValueKind: JsonValueKind.Object } jo: return jo.EnumerateObject().Count();
            case null: throw new TemplateRuntimeException("object of type 'NoneType' has no len()", "K-RUN-012");
        }
        if (v is IReadOnlyCollection<object?> roc) return roc.Count;
        if (GenericMaps.TryCount(v, out var n)) return n;
        if (v is IEnumerable e and not KidaCallable) return Guard.Bounded(e).Count();
        throw new TemplateRuntimeException($"object of type '{TypeName(v)}' has no len()", "K-RUN-012");
    }

    // ------------------------------------------------------------------ mappings

    public static bool MapTryGet(object map, object? key, out object? value)
    {
        key = Unwrap(key);
        switch (map)
        {
            case Dictionary<string, object?> ds:
                if (key is string ks0) { var ok = ds.TryGetValue(ks0, out value); value = Unwrap(value); return ok; }
                value = null;
                return false;
            case IDictionary<string, object?> d:
                if (AsString(key) is { } ks) { var ok = d.TryGetValue(ks, out value); value = Unwrap(value); return ok; }
                value = null;
                return false;
            case IReadOnlyDictionary<string, object?> rd:
                if (AsString(key) is { } ks2) { var ok = rd.TryGetValue(ks2, out value); value = Unwrap(value); return ok; }
                value = null;
                return false;
            case JsonElement { ValueKind: JsonValueKind.Object } je:
                if (AsString(key) is { } ks3 && je.TryGetProperty(ks3, out var prop)) { value = Unwrap(prop); return true; }
                value = null;
                return false;
            case IDictionary nd:
            {
                if (key is null) { value = null; return false; }
                if (nd is Dictionary<object, object?> od)
                {
                    var ok = od.TryGetValue(key, out value);
                    value = Unwrap(value);
                    return ok;
                }
                try
                {
                    if (nd.Contains(key)) { value = Unwrap(nd[key]); return true; }
                }
                catch (ArgumentException) { }
                catch (InvalidCastException) { }
                // numeric keys of another width (int vs long)
                if (Numbers.IsInteger(key))
                {
                    foreach (DictionaryEntry entry in nd)
                        if (Eq(entry.Key, key)) { value = Unwrap(entry.Value); return true; }
                }
                value = null;
                return false;
            }
        }
        return GenericMaps.TryGet(map, key, out value);
    }

    /// <summary>
    /// The keys of a mapping. A mapping that is not one of the in-memory dictionaries (a model's own
    /// <c>IReadOnlyDictionary</c>, say) is read through <see cref="Guard.Bounded"/>: one that never ends stops at the
    /// collection limit.
    /// </summary>
    public static IEnumerable<object?> MapKeys(object map) => IsInMemoryMap(map) ? MapKeysCore(map) : Guard.Bounded(MapKeysCore(map));

    /// <summary>The items of a mapping, bounded as <see cref="MapKeys"/> is.</summary>
    public static IEnumerable<KeyValuePair<object?, object?>> MapItems(object map) => IsInMemoryMap(map) ? MapItemsCore(map) : Guard.BoundedPairs(MapItemsCore(map));

    private static bool IsInMemoryMap(object map) =>
        map is Dictionary<string, object?> or Dictionary<object, object?> or JsonElement or System.Dynamic.ExpandoObject or Hashtable;

    private static IEnumerable<object?> MapKeysCore(object map) => map switch
    {
        IDictionary<string, object?> d => d.Keys,
        IReadOnlyDictionary<string, object?> rd => rd.Keys,
        JsonElement je => je.EnumerateObject().Select(p => (object?)p.Name),
        IDictionary nd => nd.Keys.Cast<object?>(),
        _ => GenericMaps.Items(map).Select(kv => kv.Key),
    };

    private static IEnumerable<KeyValuePair<object?, object?>> MapItemsCore(object map) => map switch
    {
        IDictionary<string, object?> d => d.Select(kv => new KeyValuePair<object?, object?>(kv.Key, Unwrap(kv.Value))),
        IReadOnlyDictionary<string, object?> rd => rd.Select(kv => new KeyValuePair<object?, object?>(kv.Key, Unwrap(kv.Value))),
        JsonElement je => je.EnumerateObject().Select(p => new KeyValuePair<object?, object?>(p.Name, Unwrap(p.Value))),
        IDictionary nd => DictEntries(nd),
        _ => GenericMaps.Items(map),
    };

    public static Dictionary<object, object?> NewDict() => new(PyKeyComparer.Instance);

    private static IEnumerable<KeyValuePair<object?, object?>> DictEntries(IDictionary d)
    {
        var e = d.GetEnumerator();
        while (e.MoveNext()) yield return new KeyValuePair<object?, object?>(e.Key is NullKey ? null : e.Key, Unwrap(e.Value));
    }
}

/// <summary>Dictionary key equality with Python semantics (1 == 1.0 == True, Markup == str).</summary>
internal sealed class PyKeyComparer : IEqualityComparer<object>
{
    public static readonly PyKeyComparer Instance = new();

    public new bool Equals(object? x, object? y) => Py.Eq(x, y);

    public int GetHashCode(object obj) => obj switch
    {
        string s => s.GetHashCode(StringComparison.Ordinal),
        Markup m => m.Value.GetHashCode(StringComparison.Ordinal),
        bool b => b ? 1 : 0,
        _ when Numbers.IsNumber(obj) => Numbers.ToDouble(obj) is var d && d == Math.Floor(d) && Math.Abs(d) < 1e15 ? ((long)d).GetHashCode() : d.GetHashCode(),
        PyTuple t => t.Aggregate(17, (h, x) => h * 31 + (x is null ? 0 : GetHashCode(x))),
        _ => obj.GetHashCode(),
    };
}

/// <summary>Cached one-character strings for iterating strings without allocating.</summary>
internal static class CharStrings
{
    private static readonly string[] Ascii = Enumerable.Range(0, 128).Select(i => ((char)i).ToString()).ToArray();

    public static string Get(char c) => c < 128 ? Ascii[c] : c.ToString();
}

internal static partial class Py
{
    /// <summary>Values returned by .NET code, made template-friendly.</summary>
    public static object? Normalize(object? v) => v switch
    {
        char c => c.ToString(),
        _ => Unwrap(v),
    };
}
