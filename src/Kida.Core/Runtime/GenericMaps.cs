using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Kida.Runtime;

/// <summary>Reflection-backed access to generic read-only maps and lists of any element type (cached per type).</summary>
internal static class GenericMaps
{
    private sealed record MapShape(MethodInfo TryGetValue, Type KeyType, PropertyInfo Count, PropertyInfo Key, PropertyInfo Value);

    private static readonly ConcurrentDictionary<Type, MapShape?> Maps = new();
    private static readonly ConcurrentDictionary<Type, PropertyInfo?> Lists = new();

    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2070:GetInterfaces", Justification = TrimReasons.LiveInterfaces)]
    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2075:GetMethod", Justification = TrimReasons.ImplementedInstantiation)]
    [UnconditionalSuppressMessage("AotAnalysis", "IL3050:MakeGenericType", Justification = TrimReasons.ImplementedInstantiation)]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicMethods, typeof(IReadOnlyDictionary<,>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicMethods, typeof(IDictionary<,>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(IReadOnlyCollection<>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(ICollection<>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(KeyValuePair<,>))]
    private static MapShape? Shape(Type t) => Maps.GetOrAdd(t, static type =>
    {
        // runtime machinery (HttpContext.Items, a service provider that is also a map…) is never read as a mapping
        if (MemberPolicy.IsBlockedType(type)) return null;
        foreach (var i in type.GetInterfaces())
        {
            if (!i.IsGenericType) continue;
            var def = i.GetGenericTypeDefinition();
            if (def != typeof(IReadOnlyDictionary<,>) && def != typeof(IDictionary<,>)) continue;
            var args = i.GetGenericArguments();
            var kvp = typeof(KeyValuePair<,>).MakeGenericType(args);
            var coll = typeof(IReadOnlyCollection<>).MakeGenericType(kvp);
            var count = (coll.IsAssignableFrom(type) ? coll : typeof(ICollection<>).MakeGenericType(kvp)).GetProperty("Count")!;
            return new MapShape(i.GetMethod("TryGetValue")!, args[0], count, kvp.GetProperty("Key")!, kvp.GetProperty("Value")!);
        }
        return null;
    });

    public static bool IsReadOnlyMap(object? v) => v is not null and not string && Shape(v.GetType()) is not null;

    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2070:GetInterfaces", Justification = TrimReasons.LiveInterfaces)]
    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2075:GetProperty", Justification = TrimReasons.ImplementedInstantiation)]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(IReadOnlyCollection<>))]
    public static bool IsReadOnlyList(object? v) =>
        v is not null && Lists.GetOrAdd(v.GetType(), static type =>
        {
            foreach (var i in type.GetInterfaces())
                if (i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
                    return i.GetProperty("Count");
            return null;
        }) is not null;

    public static bool TryCount(object? v, out int count)
    {
        count = 0;
        if (v is null) return false;
        var shape = Shape(v.GetType());
        if (shape is not null) { count = (int)shape.Count.GetValue(v)!; return true; }
        if (IsReadOnlyList(v)) { count = (int)Lists[v.GetType()]!.GetValue(v)!; return true; }
        return false;
    }

    public static bool TryGet(object map, object? key, out object? value)
    {
        value = null;
        var shape = Shape(map.GetType());
        if (shape is null || key is null) return false;
        object? k = key;
        if (!shape.KeyType.IsInstanceOfType(key))
        {
            try { k = Convert.ChangeType(key, shape.KeyType, System.Globalization.CultureInfo.InvariantCulture); }
            catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException) { return false; }
        }
        var args = new[] { k, null };
        if (!(bool)shape.TryGetValue.Invoke(map, args)!) return false;
        value = Values.Unwrap(args[1]);
        return true;
    }

    public static IEnumerable<KeyValuePair<object?, object?>> Items(object map)
    {
        var shape = Shape(map.GetType());
        if (shape is null) yield break;
        foreach (var kv in (IEnumerable)map)
            yield return new(shape.Key.GetValue(kv), Values.Unwrap(shape.Value.GetValue(kv)));
    }
}
