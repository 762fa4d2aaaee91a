using System.Collections;
using System.Text.RegularExpressions;
using Kida.Syntax;

namespace Kida.Runtime;

/// <summary>List, tuple and dict literals, unpacking and sequence patterns, index arguments.</summary>
internal static class Collections
{
    public static object? MakeList(object?[] items) => new KidaList(items);

    public static object? MakeTuple(object?[] items) => items.Length == 0 ? PyTuple.Empty : new PyTuple(items);

    public static object? MakeDict(object?[] kv)
    {
        var d = Mappings.NewDict();
        for (var i = 0; i < kv.Length; i += 2)
        {
            var key = kv[i];
            if (key is Undefined u) u.Use();
            if (key is not (string or Markup or PyTuple) && (Values.IsMapping(key) || key is System.Collections.IList))
                throw new TemplateRuntimeException($"TypeError: unhashable type: '{Values.TypeName(key)}'", ErrorCodes.TypeError);
            d[key ?? NullKey.Instance] = kv[i + 1];
        }
        return d;
    }

    public static Dictionary<string, object?>? MakeLocals(string[] keys, object?[] values)
    {
        var d = new Dictionary<string, object?>(keys.Length, StringComparer.Ordinal);
        for (var i = 0; i < keys.Length; i++) d[keys[i]] = values[i];
        return d;
    }

    public static object?[] Unpack(object? value, int count)
    {
        // a tuple of the right size (dict.items(), zip, enumerate…): its own items, which the names only read
        if (value is PyTuple tuple && tuple.Count == count) return tuple.Items;
        if (value is Undefined u) u.Use();
        var items = value is List<object?> list ? list.ToArray() : Iteration.Iterate(value).ToArray();
        if (items.Length != count)
            throw new TemplateRuntimeException(items.Length > count
                ? $"too many values to unpack (expected {count})"
                : $"not enough values to unpack (expected {count}, got {items.Length})", ErrorCodes.Runtime);
        return items;
    }

    public static object?[]? MatchSequence(object? subject, int count)
    {
        if (subject is null or string or Markup or Undefined || Values.IsMapping(subject) || !Values.IsSequence(subject)) return null;
        var items = Iteration.Iterate(subject).ToArray();
        return items.Length == count ? items : null;
    }

    internal static long ToIndex(object? v, string what)
    {
        if (v is Undefined u) u.Use();
        if (Numbers.IsInteger(v) || v is bool) return Numbers.ToLong(v);
        throw new TemplateRuntimeException($"{what}: expected an integer, got '{Values.TypeName(v)}'", ErrorCodes.TypeError);
    }
}

/// <summary>Stands in for a None dictionary key.</summary>
internal sealed class NullKey
{
    public static readonly NullKey Instance = new();
    public override string ToString() => "None";
}
