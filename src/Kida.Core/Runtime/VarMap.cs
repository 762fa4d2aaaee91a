namespace Kida.Runtime;

/// <summary>
/// The template variables of a <see cref="Context"/>: a handful of names in assignment order, found by reference first
/// (the lexer interns every name, so a name compiled in a template is usually the very string it was stored under),
/// then by value. Past <see cref="IndexFrom"/> names a dictionary index takes over. Cheaper than a dictionary for the
/// few variables a template sets, and a failed lookup, the common case for names that come from the render data,
/// costs a few comparisons instead of a hash.
/// </summary>
internal sealed class VarMap
{
    private const int IndexFrom = 8;
    private string[] _keys = new string[4];
    private object?[] _values = new object?[4];
    private int _count;
    private Dictionary<string, int>? _index;

    public int Count => _count;

    private int Find(string name)
    {
        var keys = _keys;
        var n = _count;
        if (_index is not null) return _index.TryGetValue(name, out var at) ? at : -1;
        for (var i = 0; i < n; i++)
            if (ReferenceEquals(keys[i], name)) return i;
        for (var i = 0; i < n; i++)
            if (string.Equals(keys[i], name)) return i;
        return -1;
    }

    public bool TryGetValue(string name, out object? value)
    {
        var i = Find(name);
        if (i < 0) { value = null; return false; }
        value = _values[i];
        return true;
    }

    public bool ContainsKey(string name) => Find(name) >= 0;

    public void Set(string name, object? value)
    {
        var i = Find(name);
        if (i >= 0) { _values[i] = value; return; }
        if (_count == _keys.Length)
        {
            Array.Resize(ref _keys, _count * 2);
            Array.Resize(ref _values, _count * 2);
        }
        _keys[_count] = name;
        _values[_count] = value;
        _index?.Add(name, _count);
        _count++;
        if (_index is null && _count > IndexFrom) Reindex();
    }

    public void Remove(string name)
    {
        var i = Find(name);
        if (i < 0) return;
        _count--;
        Array.Copy(_keys, i + 1, _keys, i, _count - i);
        Array.Copy(_values, i + 1, _values, i, _count - i);
        _keys[_count] = null!;
        _values[_count] = null;
        if (_index is not null) Reindex();
    }

    /// <summary>Adds every variable to <paramref name="map"/>, in assignment order.</summary>
    public void CopyTo(Dictionary<string, object?> map)
    {
        for (var i = 0; i < _count; i++) map[_keys[i]] = _values[i];
    }

    /// <summary>Forgets every variable (no reference outlives the render) and keeps the storage.</summary>
    public void Clear()
    {
        Array.Clear(_keys, 0, _count);
        Array.Clear(_values, 0, _count);
        _count = 0;
        _index = null;
    }

    private void Reindex()
    {
        _index = new Dictionary<string, int>(_count * 2, StringComparer.Ordinal);
        for (var i = 0; i < _count; i++) _index[_keys[i]] = i;
    }

    /// <summary>The names in assignment order.</summary>
    public IEnumerable<string> Keys
    {
        get
        {
            for (var i = 0; i < _count; i++) yield return _keys[i];
        }
    }

    /// <summary>The variables in assignment order (a copy, safe to keep).</summary>
    public KeyValuePair<string, object?>[] ToArray()
    {
        var result = new KeyValuePair<string, object?>[_count];
        for (var i = 0; i < _count; i++) result[i] = new(_keys[i], _values[i]);
        return result;
    }
}
