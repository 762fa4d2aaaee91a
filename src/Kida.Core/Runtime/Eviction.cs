namespace Kida.Runtime;

/// <summary>Choosing what a bounded cache evicts.</summary>
internal static class Eviction
{
    /// <summary>The keys of the <paramref name="count"/> entries of <paramref name="snapshot"/> used longest ago.</summary>
    public static string[] LeastRecentlyUsed<T>(KeyValuePair<string, T>[] snapshot, Func<T, long> lastUse, int count)
    {
        var stamps = new long[snapshot.Length];
        for (var i = 0; i < snapshot.Length; i++) stamps[i] = lastUse(snapshot[i].Value);
        Array.Sort(stamps, snapshot);
        var names = new string[Math.Min(count, snapshot.Length)];
        for (var i = 0; i < names.Length; i++) names[i] = snapshot[i].Key;
        return names;
    }
}
