using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Kida.AspNetCore;

/// <summary>
/// A request collection (<c>request.query</c>, <c>request.form</c>, <c>request.headers</c>, <c>request.cookies</c>) as
/// a read-only mapping templates use like a Python dict: <c>request.query.q</c>, <c>request.query['q']</c>,
/// <c>request.query.get('q', 'default')</c>, <c>'q' in request.query</c>, <c>{% for key in request.query %}</c>,
/// <c>request.query.items()</c>, <c>request.query|length</c>. A key's value is one string: its only value, or its
/// values joined with <c>", "</c>; <c>request.query.getlist('tag')</c> returns every value (an empty list for a
/// missing key). Keys compare as ASP.NET Core compares them (case-insensitively for the query, form and headers).
/// </summary>
/// <remarks>
/// The names <c>get</c>, <c>items</c>, <c>keys</c>, <c>values</c>, <c>copy</c> and <c>getlist</c> always mean the
/// methods, so request data cannot break a template calling them: a parameter with one of those names is read with
/// <c>getlist('items')</c> or by iterating, and <c>'getlist' in request.query</c> is always true.
/// </remarks>
public sealed class KidaRequestValues : IReadOnlyDictionary<string, object?>
{
    internal delegate bool Lookup(string key, out StringValues values);

    private const string GetListName = "getlist";

    private readonly Lookup _lookup;
    private readonly Func<int> _count;
    private readonly Func<IEnumerable<KeyValuePair<string, StringValues>>> _entries;
    private KidaFunction? _getList;

    private KidaRequestValues(Lookup lookup, Func<int> count, Func<IEnumerable<KeyValuePair<string, StringValues>>> entries)
    {
        _lookup = lookup;
        _count = count;
        _entries = entries;
    }

    /// <summary>An empty collection (the form of a request without a form content type).</summary>
    internal static KidaRequestValues Empty { get; } = new(
        static (string _, out StringValues values) => { values = default; return false; }, static () => 0, static () => []);

    internal static KidaRequestValues From(IQueryCollection query) => new(query.TryGetValue, () => query.Count, () => query);

    internal static KidaRequestValues From(IFormCollection form) => new(form.TryGetValue, () => form.Count, () => form);

    internal static KidaRequestValues From(IHeaderDictionary headers) => new(headers.TryGetValue, () => headers.Count, () => headers);

    internal static KidaRequestValues From(IRequestCookieCollection cookies) => new(
        (string key, out StringValues values) =>
        {
            var found = cookies.TryGetValue(key, out var value);
            values = found ? new StringValues(value) : default;
            return found;
        },
        () => cookies.Count,
        () => cookies.Select(c => new KeyValuePair<string, StringValues>(c.Key, new StringValues(c.Value))));

    /// <summary>Every value of <paramref name="key"/> (<c>getlist</c> in templates); empty when the key is missing.</summary>
    public IReadOnlyList<string> GetList(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_lookup(key, out var values) || values.Count == 0) return [];
        var list = new string[values.Count];
        for (var i = 0; i < list.Length; i++) list[i] = values[i] ?? "";
        return list;
    }

    /// <summary>The value of <paramref name="key"/> as one string (values joined with <c>", "</c>), or null when missing.</summary>
    public string? GetValue(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _lookup(key, out var values) ? Join(values) : null;
    }

    /// <summary>Whether the collection has <paramref name="key"/>.</summary>
    public bool ContainsKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _lookup(key, out _);
    }

    /// <summary>The number of keys.</summary>
    public int Count => _count();

    /// <summary>The keys, in the collection's order.</summary>
    public IEnumerable<string> Keys => _entries().Select(e => e.Key);

    /// <summary>The values, one string per key.</summary>
    public IEnumerable<object?> Values => _entries().Select(e => (object?)Join(e.Value));

    /// <summary>The value of <paramref name="key"/> as one string.</summary>
    /// <exception cref="KeyNotFoundException">The collection has no such key.</exception>
    public object? this[string key] => GetValue(key) ?? throw new KeyNotFoundException($"The request collection has no key '{key}'.");

    /// <summary>
    /// Looks <paramref name="key"/> up the way templates do: <c>getlist</c> is the <see cref="GetList"/> method and the
    /// other method names (<c>get</c>, <c>items</c>, …) are not keys, so Kida calls its dict methods for them.
    /// </summary>
    bool IReadOnlyDictionary<string, object?>.TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        value = null;
        if (key is null || TemplateMapNames.IsDictMethod(key)) return false;
        if (key == GetListName)
        {
            value = _getList ??= new KidaFunction(GetListName, args =>
                GetList(KidaFunction.String(args, 0, "key", GetListName, required: true)!));
            return true;
        }
        if (!_lookup(key, out var values)) return false;
        value = Join(values);
        return true;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() =>
        _entries().Select(e => new KeyValuePair<string, object?>(e.Key, Join(e.Value))).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static string Join(StringValues values) => values.Count switch
    {
        0 => "",
        1 => values[0] ?? "",
        _ => string.Join(", ", (IEnumerable<string?>)values),
    };
}
