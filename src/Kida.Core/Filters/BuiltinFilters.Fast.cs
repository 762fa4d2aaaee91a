using System.Collections;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Kida.Runtime;

namespace Kida.Filters;

/// <summary>
/// Shared pieces of the filters' fast paths: boxed constants, list-like values read by index instead of through
/// <see cref="Iteration.Iterate"/>'s enumerator chain, and an attribute reader that resolves a member getter once per
/// item type. Every fast path gives exactly what the general path gives; anything unusual takes the general path.
/// </summary>
internal static partial class BuiltinFilters
{
    // defaults passed to CallArgs.Get: a literal there would be boxed again on every call
    internal static readonly object BoxedFalse = false;
    internal static readonly object BoxedTrue = true;
    internal static readonly object BoxedZero = 0L;
    internal static readonly object BoxedZeroFloat = 0.0;

    private static readonly object[] SmallLongs = CreateSmallLongs();

    private static object[] CreateSmallLongs()
    {
        var boxes = new object[1024 + 128];
        for (var i = 0; i < boxes.Length; i++) boxes[i] = (long)(i - 128);
        return boxes;
    }

    /// <summary>A long boxed once for small values (counts, lengths, sums): a filter result without an allocation.</summary>
    internal static object BoxLong(long value) => value >= -128 && value < 1024 ? SmallLongs[value + 128] : value;

    /// <summary>
    /// A value that iterates as its indexer reads (<c>List&lt;T&gt;</c>, a one-dimensional array) as an <see cref="IList"/>,
    /// or null for anything else (strings, mappings, tuples, lazy enumerables, JSON) — those take the general path.
    /// </summary>
    internal static IList? Indexable(object? v)
    {
        switch (v)
        {
            case List<object?> l: return l;
            case null or string or Markup or Undefined: return null;
            case Array { Rank: 1 } array: return array;
        }
        return v is IList list && IsGenericList(v.GetType()) ? list : null;
    }

    private static bool IsGenericList(Type t) => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>);

    /// <summary>Item <paramref name="i"/> as <see cref="Iteration.Iterate"/> yields it (JSON values of typed lists unwrapped).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static object? ItemAt(IList list, int i) => list is List<object?> l ? l[i] : Values.Unwrap(list[i]);

    /// <summary>
    /// Reads <c>attribute</c> of items as <see cref="AttrPath"/> does. For a plain attribute name (no dots, not an index)
    /// on plain .NET objects without a sandbox, the member getter is resolved once per item type and reused; everything
    /// else goes through <see cref="AttrPath"/>.
    /// </summary>
    internal struct AttrReader(RenderState rs, object? attribute)
    {
        private readonly string? _name = SimpleName(attribute);
        private readonly bool _direct = SandboxRules.Of(rs) is null;
        private Type? _type;
        private Func<object, object?>? _getter;

        private static string? SimpleName(object? attribute) =>
            Values.AsString(attribute) is { } s && s.Length > 0 && s.IndexOf('.') < 0 && !char.IsAsciiDigit(s[0]) ? s : null;

        public object? Read(object? item)
        {
            if (_getter is not null && item is not null && item.GetType() == _type) return Get(item);
            if (_name is not null && _direct && item is not null)
            {
                var getter = CachedGetter(item, _name);
                if (getter is not null)
                {
                    _type = item.GetType();
                    _getter = getter;
                    return Get(item);
                }
            }
            return AttrPath(rs, item, attribute);
        }

        private readonly object? Get(object item)
        {
            object? value;
            try
            {
                value = _getter!(item);
            }
            catch (Exception ex) when (ex is not TemplateException)
            {
                throw new TemplateRuntimeException($"Reading '{item.GetType().Name}.{_name}' failed: {ex.Message}", ErrorCodes.AttributeError, ex);
            }
            return Values.Unwrap(value);
        }

        // the last few (type, name) getters of plain objects on this thread: a filter call reads the same member of the
        // same type as the previous call, without the member cache's lookup
        [ThreadStatic] private static (Type? Type, string? Name, Func<object, object?>? Getter)[]? _recent;

        private static Func<object, object?>? CachedGetter(object item, string name)
        {
            var type = item.GetType();
            var recent = _recent ??= new (Type?, string?, Func<object, object?>?)[8];
            var slot = (RuntimeHelpers.GetHashCode(type) ^ RuntimeHelpers.GetHashCode(name)) & 7;
            ref var entry = ref recent[slot];
            if (ReferenceEquals(entry.Type, type) && ReferenceEquals(entry.Name, name)) return entry.Getter;
            if (!IsPlainObject(item)) return null;
            var getter = Members.GetGetter(type, name);
            if (getter is not null) entry = (type, name, getter);
            return getter;
        }

        // what MemberAccess.TryGetAttr reads through Members.TryGet first: not a runtime object, string, mapping, list or JSON
        private static bool IsPlainObject(object item) =>
            item is not (IKidaObject or string or Markup or IList or JsonElement or IEnumerable) && !item.GetType().IsPrimitive && !Values.IsMapping(item);
    }
}
