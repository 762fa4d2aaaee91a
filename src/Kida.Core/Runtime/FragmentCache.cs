using System.Collections.Concurrent;
using System.Globalization;

namespace Kida.Runtime;

/// <summary>
/// The environment's <c>{% cache %}</c> store: rendered fragments by key, each with an expiry, at most
/// <c>capacity</c> of them (the least recently used go first). Reads take no lock; writes and evictions take one.
/// </summary>
internal sealed class FragmentCache(int capacity, TimeSpan defaultTtl)
{
    private sealed class Entry(string value, long expires, string[]? tags)
    {
        public string Value { get; } = value;
        public long Expires { get; } = expires;
        public string[]? Tags { get; } = tags;
        public long LastUse = Environment.TickCount64;
    }

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly object _evictLock = new();

    public int Count => _entries.Count;

    /// <summary>The time to live of a fragment whose tag gives no usable <c>ttl</c>.</summary>
    public TimeSpan DefaultTtl => defaultTtl;

    public void Clear() => _entries.Clear();

    public bool TryGet(string key, out string value)
    {
        if (_entries.TryGetValue(key, out var e))
        {
            var now = Environment.TickCount64;
            if (now < e.Expires)
            {
                if (e.LastUse != now) e.LastUse = now;
                value = e.Value;
                return true;
            }
            _entries.TryRemove(new KeyValuePair<string, Entry>(key, e));
        }
        value = "";
        return false;
    }

    /// <summary>Stores a fragment unless a live one is there already (the first stored wins); returns the stored text.</summary>
    public string Store(string key, string value, object? ttl, string[]? tags = null)
    {
        if (capacity == 0) return value;
        var seconds = TtlSeconds(ttl) ?? defaultTtl.TotalSeconds;
        var expires = Environment.TickCount64 + (long)Math.Min(seconds * 1000, long.MaxValue / 4);
        var entry = new Entry(value, expires, tags is { Length: > 0 } ? tags : null);
        while (true)
        {
            if (_entries.TryGetValue(key, out var existing) && Environment.TickCount64 < existing.Expires) return existing.Value;
            if (existing is null ? _entries.TryAdd(key, entry) : _entries.TryUpdate(key, entry, existing)) break;
        }
        if (_entries.Count > capacity)
        {
            lock (_evictLock)
            {
                // a snapshot: sorting the live dictionary raced with concurrent stores and removals
                var snapshot = _entries.ToArray();
                var excess = snapshot.Length - capacity;
                if (excess > 0)
                {
                    // sorts the snapshot, least recently used first; an entry replaced since is not removed
                    Eviction.LeastRecentlyUsed(snapshot, static e => e.LastUse, excess);
                    for (var i = 0; i < excess; i++) _entries.TryRemove(snapshot[i]);
                }
            }
        }
        return value;
    }

    /// <summary>Removes every fragment stored with one of <paramref name="tags"/>; returns how many were removed.</summary>
    public int Invalidate(IReadOnlyCollection<string> tags)
    {
        if (tags.Count == 0) return 0;
        var removed = 0;
        foreach (var pair in _entries)
        {
            if (pair.Value.Tags is not { } own) continue;
            foreach (var tag in own)
            {
                if (!tags.Contains(tag)) continue;
                if (_entries.TryRemove(pair)) removed++;
                break;
            }
        }
        return removed;
    }

    /// <summary>Seconds from a ttl value: a number, or "&lt;number&gt;[s|m|h|d]"; null when it is not usable.</summary>
    internal static double? TtlSeconds(object? ttl)
    {
        ttl = Values.Unwrap(ttl);
        if (ttl is null or bool or Undefined) return null;
        if (Numbers.IsNumber(ttl))
        {
            var d = Numbers.ToDouble(ttl);
            return d >= 0 && double.IsFinite(d) ? d : null;
        }
        if (Values.AsString(ttl) is not { } s) return null;
        s = s.Trim().ToLowerInvariant();
        if (s.Length == 0) return null;
        var unit = 1.0;
        switch (s[^1])
        {
            case 's': s = s[..^1]; break;
            case 'm': unit = 60; s = s[..^1]; break;
            case 'h': unit = 3600; s = s[..^1]; break;
            case 'd': unit = 86400; s = s[..^1]; break;
        }
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 && double.IsFinite(n) ? n * unit : null;
    }
}
