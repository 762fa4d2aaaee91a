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
    internal static readonly object BoxedFour = 4L;
    internal static readonly object BoxedZero = 0L;
    internal static readonly object BoxedZeroFloat = 0.0;

    private static readonly object[] SmallLongs = CreateSmallLongs();

    private static object[] CreateSmallLongs()
    {
        var boxes = new object[1024 + 128];
        for (var i = 0; i < boxes.Length; i++) boxes[i] = (long)(i - 128);
        return boxes;
    }

    private static readonly object[] SmallInts = CreateSmallInts();

    private static object[] CreateSmallInts()
    {
        var boxes = new object[1024 + 128];
        for (var i = 0; i < boxes.Length; i++) boxes[i] = i - 128;
        return boxes;
    }

    /// <summary>An int boxed once for small values (items of an int list read as objects).</summary>
    internal static object BoxInt(int value) => value >= -128 && value < 1024 ? SmallInts[value + 128] : value;

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
        if (v is not IList list) return null;
        var type = v.GetType();
        if (type == Volatile.Read(ref _lastListType)) return list;
        if (!IsGenericList(type)) return null;
        Volatile.Write(ref _lastListType, type);
        return list;
    }

    // the List<T> type Indexable saw last (asking the reflection API whether a type is a List<T> costs more than the
    // filter's own work on a short list)
    private static Type? _lastListType;

    private static bool IsGenericList(Type t) => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>);

    /// <summary>Item <paramref name="i"/> as <see cref="Iteration.Iterate"/> yields it (JSON values of typed lists unwrapped).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static object? ItemAt(IList list, int i) => list switch
    {
        List<object?> l => l[i],
        List<int> ints => BoxInt(ints[i]),
        _ => Values.Unwrap(list[i]),
    };

    /// <summary>
    /// Indices 0..n-1 ordered by <see cref="Comparison.CompareStrings"/> of <paramref name="keys"/> (Python's order),
    /// equal keys in their original order: an insertion sort for short lists, Array.Sort with the index as tie-break beyond.
    /// </summary>
    internal static int[] StableStringOrder(IReadOnlyList<string> keys)
    {
        var n = keys.Count;
        var order = new int[n];
        for (var i = 0; i < n; i++) order[i] = i;
        if (n <= 16)
        {
            for (var i = 1; i < n; i++)
            {
                var cur = order[i];
                var j = i - 1;
                while (j >= 0 && Comparison.CompareStrings(keys[order[j]], keys[cur]) > 0)
                {
                    order[j + 1] = order[j];
                    j--;
                }
                order[j + 1] = cur;
            }
            return order;
        }
        Array.Sort(order, (x, y) =>
        {
            var c = Comparison.CompareStrings(keys[x], keys[y]);
            return c != 0 ? c : x.CompareTo(y);
        });
        return order;
    }

    /// <summary>
    /// Reads <c>attribute</c> of items as <see cref="AttrPath"/> does. For a plain attribute name (no dots, not an index)
    /// on plain .NET objects without a sandbox, the member getter is resolved once per item type and reused; everything
    /// else goes through <see cref="AttrPath"/>.
    /// </summary>
    /// <summary>The error a failing getter of an attribute filter reports (K-RUN for attributes, the type and member named).</summary>
    internal static TemplateRuntimeException AttributeReadFailed(Exception ex, object item, string name) =>
        new($"Reading '{item.GetType().Name}.{name}' failed: {ex.Message}", ErrorCodes.AttributeError, ex);

    /// <summary>Whether <c>selectattr(attr)</c> (<paramref name="select"/>) or <c>rejectattr(attr)</c> keeps <paramref name="item"/>: one item of
    /// the loop tier-up emits for a fused count, for an item of another type than the one it reads directly.</summary>
    internal static bool KeepsByAttribute(RenderState rs, object? item, string attr, bool select) =>
        new AttrReader(rs, attr).ReadTruthy(item) == select;

    internal struct AttrReader(RenderState rs, object? attribute)
    {
        private readonly string? _name = SimpleName(attribute);
        private readonly bool _direct = SandboxRules.Of(rs) is null;
        private Type? _type;
        private Func<object, object?>? _getter;
        private Type? _boolType;
        private Func<object, bool>? _boolGetter;

        private static string? SimpleName(object? attribute) =>
            Values.AsString(attribute) is { } s && s.Length > 0 && s.IndexOf('.') < 0 && !char.IsAsciiDigit(s[0]) ? s : null;

        /// <summary>
        /// The truthiness of the attribute without boxing it when it is a bool member of a plain object (selectattr's and
        /// rejectattr's default test); otherwise <see cref="Values.Truthy"/> of <see cref="Read"/>.
        /// </summary>
        public bool ReadTruthy(object? item)
        {
            Func<object, bool>? read = null;
            if (item is not null && item.GetType() == _boolType) read = _boolGetter;
            else if (_name is not null && _direct && item is not null)
            {
                read = BoolGetter(item, _name);
                _boolType = item.GetType();
                _boolGetter = read;
            }
            if (read is not null)
            {
                try
                {
                    return read(item!);
                }
                catch (Exception ex) when (ex is not TemplateException)
                {
                    throw AttributeReadFailed(ex, item!, _name!);
                }
            }
            return Values.Truthy(Read(item));
        }

        [ThreadStatic] private static (Type? Type, string? Name, Func<object, bool>? Getter)[]? _recentBools;
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<System.Reflection.MemberInfo, Func<object, bool>?> BoolGetters = new();

        private static Func<object, bool>? BoolGetter(object item, string name)
        {
            var type = item.GetType();
            var recent = _recentBools ??= new (Type?, string?, Func<object, bool>?)[8];
            var slot = (RuntimeHelpers.GetHashCode(type) ^ RuntimeHelpers.GetHashCode(name)) & 7;
            ref var entry = ref recent[slot];
            if (ReferenceEquals(entry.Type, type) && ReferenceEquals(entry.Name, name)) return entry.Getter;
            Func<object, bool>? getter = null;
            if (RuntimeFeature.IsDynamicCodeCompiled && IsPlainObject(item) && Members.GetGetter(type, name) is not null
                && Members.FindMember(type, name) is { } member
                && (member is System.Reflection.PropertyInfo { PropertyType: var pt } ? pt : ((System.Reflection.FieldInfo)member).FieldType) == typeof(bool))
            {
                getter = BoolGetters.GetOrAdd(member, static m =>
                {
                    // cast to the declaring type: the getter is shared by every type that inherits the member
                    var obj = System.Linq.Expressions.Expression.Parameter(typeof(object), "obj");
                    var typed = System.Linq.Expressions.Expression.Convert(obj, m.DeclaringType!);
                    var read = m is System.Reflection.PropertyInfo p
                        ? System.Linq.Expressions.Expression.Property(typed, p)
                        : System.Linq.Expressions.Expression.Field(typed, (System.Reflection.FieldInfo)m);
                    return System.Linq.Expressions.Expression.Lambda<Func<object, bool>>(read, obj).Compile();
                });
            }
            entry = (type, name, getter);
            return getter;
        }

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
