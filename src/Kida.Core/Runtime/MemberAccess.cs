using System.Runtime.CompilerServices;
using System.Collections;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kida.Syntax;

namespace Kida.Runtime;

/// <summary>Attribute, item and slice access on template values (<c>a.b</c>, <c>a[b]</c>, <c>a[1:2]</c>, <c>a?.b</c>) and attribute assignment.</summary>
internal static class MemberAccess
{
    public static void SetAttribute(object? target, string attr, object? value)
    {
        switch (target)
        {
            case Namespace ns: ns.Values[attr] = value; return;
            case Undefined u: u.Use(); break;
        }
        throw new TemplateRuntimeException($"Cannot assign attribute '{attr}' on a '{Values.TypeName(target)}' object; only namespace() objects support it", ErrorCodes.TypeError);
    }

    /// <summary><c>obj.name</c>: mapping key first, then members/methods; a None found this way reads as "".</summary>
    public static object? GetAttr(RenderState rs, object? obj, string name)
    {
        if (obj is Undefined) return obj;
        if (obj is null) return new Undefined($"None.{name}", $"'None' has no attribute '{name}'", rs.Strict);
        if (TryGetAttr(rs, obj, name, out var value)) return value ?? "";
        return Undefined.Attribute(obj, name, rs.Strict);
    }

    /// <summary>
    /// <c>obj.name</c> with a per-call-site cache: when the receiver is a plain .NET object of the type seen last
    /// time, the compiled getter runs directly, skipping the mapping checks and the global accessor lookup.
    /// </summary>
    public static object? GetAttrSite(RenderState rs, object? obj, string name, MemberSite site)
    {
        if (obj is Dictionary<string, object?> map && map.TryGetValue(name, out var found))
            return Values.Unwrap(found) ?? "";
        if (obj is not null && TryReadAtSite(rs, obj, name, site, out var value)) return Values.Unwrap(value) ?? "";
        return GetAttr(rs, obj, name);
    }

    /// <summary>
    /// The member <paramref name="name"/> of a plain .NET object read through the getter <paramref name="site"/> cached
    /// for its type (true), or false with nothing read. A site caches the first plain type it meets, and only a member
    /// the policy (and the sandbox, if any) lets this template read; a failing getter reports K-RUN-010.
    /// </summary>
    internal static bool TryReadAtSite(RenderState rs, object obj, string name, MemberSite site, out object? value)
    {
        var entry = Volatile.Read(ref site.Entry);
        var type = obj.GetType();
        if (entry is not null && ReferenceEquals(entry.Type, type))
        {
            try
            {
                value = entry.Getter(obj);
            }
            catch (Exception ex) when (ex is not TemplateException and not AsyncPendingSignal)
            {
                throw MemberReadFailed(ex, type, name);
            }
            return true;
        }
        if (entry is null && IsPlainObject(obj) && Members.GetGetter(type, name) is { } getter
            && (rs.Host.Sandbox is not { } sandbox || sandbox.AllowsRead(type, name)))
            Volatile.Write(ref site.Entry, new MemberSiteEntry(type, getter, Members.GetWriter(type, name)));
        value = null;
        return false;
    }

    /// <summary>
    /// <c>{{ obj.name }}</c>: like <see cref="GetAttrSite"/>, but a member of a primitive type seen at this site is
    /// formatted straight into the output (no boxing, no temporary string).
    /// </summary>
    public static void WriteAttrSite(RenderState rs, Output output, object? obj, string name, MemberSite site, bool escape)
    {
        if (obj is Dictionary<string, object?> map && map.TryGetValue(name, out var found))
        {
            if (found is string s) output.WriteText(s, escape);
            else output.WriteValue(Values.Unwrap(found) ?? "", escape);
            return;
        }
        if (obj is not null)
        {
            var entry = Volatile.Read(ref site.Entry);
            if (entry?.Writer is { } writer && ReferenceEquals(entry.Type, obj.GetType()))
            {
                try
                {
                    writer(obj, output, escape);
                }
                catch (Exception ex) when (ex is not TemplateException and not AsyncPendingSignal)
                {
                    throw new TemplateRuntimeException($"Reading '{entry.Type.Name}.{name}' failed: {ex.Message}", ErrorCodes.AttributeError, ex);
                }
                return;
            }
        }
        output.WriteValue(GetAttrSite(rs, obj, name, site), escape);
    }

    /// <summary>The exception a typed member read inlined by tiered compilation throws when the getter fails.</summary>
    public static Exception MemberReadFailed(Exception ex, Type type, string name) =>
        ex as TemplateException ?? new TemplateRuntimeException($"Reading '{type.Name}.{name}' failed: {ex.Message}", ErrorCodes.AttributeError, ex);

    internal static bool IsPlainObject(object obj) =>
        obj is not (IKidaObject or string or Markup or IList or JsonElement or Undefined) && !Values.IsMapping(obj);

    /// <summary><c>obj?.name</c>: None for a None receiver or a missing member, None preserved.</summary>
    public static object? GetAttrOptional(RenderState rs, object? obj, string name)
    {
        if (obj is null) return null;
        if (obj is Undefined u)
        {
            // ?. guards None, not an undefined variable (strict mode raises unless inside ??)
            u.Use();
            return null;
        }
        if (TryGetAttr(rs, obj, name, out var value)) return value;
        if (Values.IsMapping(obj)) return null;
        if (TryGetItem(obj, name, out value)) return value;
        if (rs.Strict) throw Undefined.Attribute(obj, name, true).ToException();
        return null;
    }

    internal static bool TryGetAttr(RenderState rs, object obj, string name, out object? value)
    {
        switch (obj)
        {
            case IKidaObject ko:
                return ko.TryGetMember(name, out value);
            case string or Markup:
                value = PyMethods.Bind(obj, name);
                return value is not null;
        }
        if (Values.IsMapping(obj))
        {
            if (Mappings.MapTryGet(obj, name, out value)) return true;
            value = PyMethods.Bind(obj, name);
            return value is not null;
        }
        if (obj is JsonElement { ValueKind: JsonValueKind.Array } or IList)
        {
            value = PyMethods.Bind(obj, name);
            if (value is not null) return true;
        }
        // format strings ('{0.x}'.format) pass no render state: the sandbox of the render on this thread applies
        if (SandboxRules.Of(rs) is { } sandbox) return sandbox.TryGetMember(obj, name, out value);
        if (Members.TryGet(obj, name, out value))
        {
            value = Values.Unwrap(value);
            return true;
        }
        var methods = Members.FindMethods(obj.GetType(), name);
        if (methods is not null)
        {
            value = new BoundClrMethod(obj, methods);
            return true;
        }
        value = null;
        return false;
    }

    /// <summary><c>obj[key]</c>: mapping key, sequence index (negative from the end), then attribute (Jinja).</summary>
    public static object? GetItem(RenderState rs, object? obj, object? key)
    {
        if (obj is Undefined) return obj;
        if (key is Undefined uk) uk.Use();
        if (TryGetItem(obj, key, out var value)) return value;
        if (obj is not null && Values.AsString(key) is { } name && !Values.IsMapping(obj) && TryGetAttr(rs, obj, name, out value)) return value;
        return Undefined.Item(obj, key, rs.Strict);
    }

    /// <summary>
    /// The int stored under <paramref name="key"/> in a <c>Dictionary&lt;string, object?&gt;</c> (what <see cref="GetItem"/> and an
    /// attribute read give for it), as a long; false for any other value, key or mapping (the general read decides those).
    /// </summary>
    public static bool DictItemInt(object? map, string key, out long value)
    {
        if (map is not null && map.GetType() == typeof(Dictionary<string, object?>)
            && Unsafe.As<Dictionary<string, object?>>(map).TryGetValue(key, out var found) && found is int n)
        {
            value = n;
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>
    /// <c>{{ d['name'] }}</c> (a literal string key): the value under the key of a <c>Dictionary&lt;string, object?&gt;</c>
    /// written as <see cref="GetItem"/> would give it, without the general item rules; anything else through them.
    /// </summary>
    public static void WriteItem(RenderState rs, Output output, object? obj, string key, bool escape)
    {
        if (obj is not null && obj.GetType() == typeof(Dictionary<string, object?>)
            && Unsafe.As<Dictionary<string, object?>>(obj).TryGetValue(key, out var found))
        {
            if (found is string text) output.WriteText(text, escape);
            else output.WriteValue(Values.Unwrap(found), escape);
            return;
        }
        output.WriteValue(GetItem(rs, obj, key), escape);
    }

    public static object? GetItemOptional(RenderState rs, object? obj, object? key)
    {
        if (obj is null) return null;
        if (obj is Undefined u)
        {
            // like ?.: guards None, not an undefined variable
            u.Use();
            return null;
        }
        if (Values.IsMapping(obj)) return Mappings.MapTryGet(obj, Values.Unwrap(key), out var found) ? found : null;
        if (TryGetItem(obj, key, out var value)) return value;
        // a sequence index out of range or a wrong key type: UndefinedError in strict mode (kida-spec 2.7)
        if (rs.Strict) throw Undefined.Item(obj, key, true).ToException();
        return null;
    }

    internal static bool TryGetItem(object? obj, object? key, out object? value)
    {
        value = null;
        if (obj is null) return false;
        // an integer index into the usual sequences, before the general rules (none of these is a mapping)
        if (key is long or int)
        {
            var at = key is long l ? l : (int)key;
            switch (obj)
            {
                case string text: return TryIndexString(text, at, out value);
                case List<object?> objects: return TryIndex(objects, at, out value);
                case PyTuple tuple: return TryIndex(tuple.Items, at, out value);
                case List<int> ints:
                    if (at < 0) at += ints.Count;
                    if ((ulong)at >= (ulong)ints.Count) return false;
                    value = Boxes.Int(ints[(int)at]);
                    return true;
            }
        }
        key = Values.Unwrap(key);
        if (key is PySlice s)
        {
            value = Slice(obj, s.Start, s.Stop, s.Step);
            return true;
        }
        if (Values.IsMapping(obj)) return Mappings.MapTryGet(obj, key, out value);
        if (!Numbers.IsInteger(key) && key is not bool) return false;
        var index = Numbers.ToLong(key);
        switch (obj)
        {
            case string str: return TryIndexString(str, index, out value);
            case Markup m: return TryIndexString(m.Value, index, out value);
            case IList list:
                if (index < 0) index += list.Count;
                if (index < 0 || index >= list.Count) return false;
                value = Values.Unwrap(list[(int)index]);
                return true;
            case IReadOnlyList<object?> rl:
                if (index < 0) index += rl.Count;
                if (index < 0 || index >= rl.Count) return false;
                value = Values.Unwrap(rl[(int)index]);
                return true;
            case JsonElement { ValueKind: JsonValueKind.Array } ja:
                var len = ja.GetArrayLength();
                if (index < 0) index += len;
                if (index < 0 || index >= len) return false;
                value = Values.Unwrap(ja[(int)index]);
                return true;
        }
        if (obj is IEnumerable e and not KidaCallable && index >= 0)
        {
            var items = e.Cast<object?>().ToList();
            if (index >= items.Count) return false;
            value = Values.Unwrap(items[(int)index]);
            return true;
        }
        return false;
    }

    private static bool TryIndex(IReadOnlyList<object?> items, long index, out object? value)
    {
        value = null;
        if (index < 0) index += items.Count;
        if ((ulong)index >= (ulong)items.Count) return false;
        value = Values.Unwrap(items[(int)index]);
        return true;
    }

    /// <summary>
    /// <c>{{ s[k] }}</c> for a string without surrogate pairs and an index in range: the character written (escaped when
    /// <paramref name="escape"/>); false, writing nothing, for anything else (the general item read decides it).
    /// </summary>
    public static bool TryWriteStringIndex(Output output, string s, int index, bool escape)
    {
        if (index < 0) index += s.Length;
        if ((uint)index >= (uint)s.Length || PyString.HasSurrogates(s)) return false;
        var c = s.AsSpan(index, 1);
        if (escape) output.WriteEscaped(c);
        else output.Write(s[index]);
        return true;
    }

    private static bool TryIndexString(string s, long index, out object? value)
    {
        value = null;
        if (!PyString.HasSurrogates(s))
        {
            if (index < 0) index += s.Length;
            if (index < 0 || index >= s.Length) return false;
            value = CharStrings.Get(s[(int)index]);
            return true;
        }
        var runes = s.EnumerateRunes().ToArray();
        if (index < 0) index += runes.Length;
        if (index < 0 || index >= runes.Length) return false;
        value = runes[index].ToString();
        return true;
    }

    public static object? MakeSlice(object? start, object? stop, object? step) => new PySlice(start, stop, step);

    public static object? Slice(object? obj, object? start, object? stop, object? step)
    {
        if (obj is Undefined u) u.Use();
        long? Opt(object? v) => v is null ? null : Collections.ToIndex(v, "slice");
        var st = Opt(step) ?? 1;
        if (st == 0) throw new TemplateRuntimeException("slice step cannot be zero", ErrorCodes.TypeError);
        switch (obj)
        {
            case string s: return SliceString(s, Opt(start), Opt(stop), st);
            case Markup m: return new Markup(SliceString(m.Value, Opt(start), Opt(stop), st));
        }
        // a list or array is read by index (items unwrapped as indexing does); anything else is materialised first
        var direct = obj as IList;
        var items = direct is null ? Iteration.AsList(obj) : null;
        var (first, count) = SliceRange(direct?.Count ?? items!.Count, Opt(start), Opt(stop), st);
        var picked = obj is PyTuple ? new object?[count] : null;
        var list = picked is null ? new List<object?>(count) : null;
        if (list is not null) System.Runtime.InteropServices.CollectionsMarshal.SetCount(list, count);
        var into = picked ?? System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list);
        for (var k = 0; k < count; k++)
        {
            // (only indices inside the list are reached: k * st stays within its length)
            var i = (int)(first + k * st);
            into[k] = direct is not null ? (direct is List<int> ints ? Boxes.Int(ints[i]) : Values.Unwrap(direct[i])) : items![i];
        }
        return picked is not null ? new PyTuple(picked) : list;
    }

    // the first index and the number of indices a slice picks from a sequence of len items (Python's slice.indices)
    private static (long First, int Count) SliceRange(int len, long? start, long? stop, long step)
    {
        // (counted as (span - 1) / step + 1, which cannot overflow for any step, long.MinValue included)
        if (step > 0)
        {
            var (a, b) = Bounds(len, start, stop);
            return b > a ? (a, (int)((b - a - 1) / step + 1)) : (0, 0);
        }
        long from = start ?? len - 1, to = stop ?? -len - 1;
        if (from < 0) from += len;
        if (from >= len) from = len - 1;
        if (to < 0) to += len;
        if (to < -1) to = -1;
        var down = step == long.MinValue ? long.MaxValue : -step;
        return from > to && from >= 0 ? (from, (int)((from - to - 1) / down + 1)) : (0, 0);
    }

    private static string SliceString(string s, long? start, long? stop, long step)
    {
        if (!PyString.HasSurrogates(s))
        {
            if (step == 1)
            {
                var (a, b) = Bounds(s.Length, start, stop);
                return b > a ? s.Substring(a, b - a) : "";
            }
            return string.Concat(SliceIndices(s.Length, start, stop, step).Select(i => s[i]));
        }
        var runes = s.EnumerateRunes().ToArray();
        return string.Concat(SliceIndices(runes.Length, start, stop, step).Select(i => runes[i].ToString()));
    }

    private static (int, int) Bounds(int len, long? start, long? stop)
    {
        long a = start ?? 0, b = stop ?? len;
        if (a < 0) a = Math.Max(0, a + len);
        if (b < 0) b = Math.Max(0, b + len);
        return ((int)Math.Min(a, len), (int)Math.Min(b, len));
    }

    private static IEnumerable<int> SliceIndices(int len, long? start, long? stop, long step)
    {
        if (step > 0)
        {
            var (a, b) = Bounds(len, start, stop);
            for (long i = a; i < b; i += step) yield return (int)i;
        }
        else
        {
            long a = start ?? len - 1, b = stop ?? -len - 1;
            if (a < 0) a += len;
            if (a >= len) a = len - 1;
            if (b < 0) b += len;
            for (var i = a; i > b && i >= 0; i += step) yield return (int)i;
        }
    }
}

/// <summary>The member-access cache of one <c>obj.name</c> site in a compiled template.</summary>
internal sealed class MemberSite
{
    public MemberSiteEntry? Entry;
}

internal sealed record MemberSiteEntry(Type Type, Func<object, object?> Getter, Action<object, Output, bool>? Writer);

/// <summary>A slice used as a subscript key.</summary>
internal sealed record PySlice(object? Start, object? Stop, object? Step);
