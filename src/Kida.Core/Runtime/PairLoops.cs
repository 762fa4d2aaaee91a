using Kida.Filters;

namespace Kida.Runtime;

/// <summary>
/// <c>{% for k, v in d.items() %}</c> and <c>{% for k, v in d|dictsort %}</c> over a <c>Dictionary&lt;string, object?&gt;</c>:
/// the keys and values are put in one reused array, in the order the general path yields its pairs, and the loop binds
/// its two names from them, with no tuple made per pair. Anything else (another mapping, a dictionary with an
/// <c>items</c> key of its own, dictsort with arguments, more than 16 keys to sort) is left to the general path, which
/// the loop then walks as before.
/// </summary>
internal static class PairLoops
{
    /// <summary>What the loop's source is: <c>.items()</c> or <c>|dictsort</c> without arguments, or <c>.keys()</c> /
    /// <c>.values()</c> (the pairs filled as for items, the loop binding one name from the key or the value).</summary>
    public const int Items = 0, DictSort = 1, Keys = 2, Values = 3;

    /// <summary>
    /// The pairs of <paramref name="map"/> for the loop: their number, with <paramref name="pairs"/> holding key, value,
    /// key, value… (give it back with <see cref="Release"/>); or -1 when the general path must run.
    /// </summary>
    public static int Open(object? map, int kind, out object?[]? pairs)
    {
        pairs = null;
        if (map is not Dictionary<string, object?> d) return -1;
        var n = d.Count;
        if (kind is Items or Keys or Values)
        {
            // d.items() on a dictionary with an 'items' key calls that value (a key wins over the method): each key is
            // compared as it is copied, no lookup
            var method = kind == Items ? "items" : kind == Keys ? "keys" : "values";
            var buffer = Rent(2 * n);
            var items = buffer.AsSpan();
            var i = 0;
            foreach (var (key, value) in d)
            {
                if (key.Length == method.Length && key == method)
                {
                    Release(buffer);
                    return -1;
                }
                items[i++] = key;
                items[i++] = value;
            }
            pairs = buffer;
            return n;
        }
        if (kind != DictSort || n > 16) return -1;
        // dictsort's default order: keys compared lowered (case-insensitive) as Python compares strings, equal keys in
        // their original order (an insertion sort of the pairs, each with its lowered key after the pairs)
        pairs = Rent(3 * n);
        // written through a span: one array-type check here instead of one per store
        var p = pairs.AsSpan();
        var k = 0;
        foreach (var (key, value) in d)
        {
            var lowered = Comparison.CaseFolded(key);
            var j = k - 1;
            while (j >= 0 && Comparison.CompareStrings((string)p[2 * n + j]!, lowered) > 0)
            {
                p[2 * (j + 1)] = p[2 * j];
                p[2 * (j + 1) + 1] = p[2 * j + 1];
                p[2 * n + j + 1] = p[2 * n + j];
                j--;
            }
            p[2 * (j + 1)] = key;
            p[2 * (j + 1) + 1] = value;
            p[2 * n + j + 1] = lowered;
            k++;
        }
        return n;
    }

    // one spare buffer per thread (a loop inside a loop over pairs takes a new one); small buffers only are kept
    [ThreadStatic] private static object?[]? t_spare;

    private static object?[] Rent(int length)
    {
        var spare = t_spare;
        if (spare is not null && spare.Length >= length)
        {
            t_spare = null;
            return spare;
        }
        return new object?[Math.Max(length, 16)];
    }

    /// <summary>Gives back the buffer <see cref="Open"/> filled (nothing when it filled none).</summary>
    public static void Release(object?[]? pairs)
    {
        if (pairs is null) return;
        Array.Clear(pairs);
        if (pairs.Length <= 256) t_spare = pairs;
    }
}
