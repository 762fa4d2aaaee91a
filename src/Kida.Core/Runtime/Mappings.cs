using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;

namespace Kida.Runtime;

/// <summary>Reading any mapping (dictionaries, read-only dictionaries, JSON objects, ExpandoObject) as a Python dict.</summary>
internal static class Mappings
{
    public static bool MapTryGet(object map, object? key, out object? value)
    {
        key = Values.Unwrap(key);
        switch (map)
        {
            case Dictionary<string, object?> ds:
                if (key is string ks0) { var ok = ds.TryGetValue(ks0, out value); value = Values.Unwrap(value); return ok; }
                value = null;
                return false;
            case IDictionary<string, object?> d:
                if (Values.AsString(key) is { } ks) { var ok = d.TryGetValue(ks, out value); value = Values.Unwrap(value); return ok; }
                value = null;
                return false;
            case IReadOnlyDictionary<string, object?> rd:
                if (Values.AsString(key) is { } ks2) { var ok = rd.TryGetValue(ks2, out value); value = Values.Unwrap(value); return ok; }
                value = null;
                return false;
            case JsonElement { ValueKind: JsonValueKind.Object } je:
                if (Values.AsString(key) is { } ks3 && je.TryGetProperty(ks3, out var prop)) { value = Values.Unwrap(prop); return true; }
                value = null;
                return false;
            case IDictionary nd:
            {
                if (key is null) { value = null; return false; }
                if (nd is Dictionary<object, object?> od)
                {
                    var ok = od.TryGetValue(key, out value);
                    value = Values.Unwrap(value);
                    return ok;
                }
                try
                {
                    if (nd.Contains(key)) { value = Values.Unwrap(nd[key]); return true; }
                }
                catch (ArgumentException) { }
                catch (InvalidCastException) { }
                // numeric keys of another width (int vs long)
                if (Numbers.IsInteger(key))
                {
                    foreach (DictionaryEntry entry in nd)
                        if (Comparison.Eq(entry.Key, key)) { value = Values.Unwrap(entry.Value); return true; }
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
        IDictionary<string, object?> d => d.Select(kv => new KeyValuePair<object?, object?>(kv.Key, Values.Unwrap(kv.Value))),
        IReadOnlyDictionary<string, object?> rd => rd.Select(kv => new KeyValuePair<object?, object?>(kv.Key, Values.Unwrap(kv.Value))),
        JsonElement je => je.EnumerateObject().Select(p => new KeyValuePair<object?, object?>(p.Name, Values.Unwrap(p.Value))),
        IDictionary nd => DictEntries(nd),
        _ => GenericMaps.Items(map),
    };

    public static Dictionary<object, object?> NewDict() => new(PyKeyComparer.Instance);

    private static IEnumerable<KeyValuePair<object?, object?>> DictEntries(IDictionary d)
    {
        var e = d.GetEnumerator();
        while (e.MoveNext()) yield return new KeyValuePair<object?, object?>(e.Key is NullKey ? null : e.Key, Values.Unwrap(e.Value));
    }
}

/// <summary>Dictionary key equality with Python semantics (1 == 1.0 == True, Markup == str).</summary>
internal sealed class PyKeyComparer : IEqualityComparer<object>
{
    public static readonly PyKeyComparer Instance = new();

    public new bool Equals(object? x, object? y) => Comparison.Eq(x, y);

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
