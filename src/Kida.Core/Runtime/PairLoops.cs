using Kida.Filters;

namespace Kida.Runtime;

/// <summary>
/// <c>{% for k, v in d.items() %}</c> and <c>{% for k, v in d|dictsort %}</c> over a <c>Dictionary&lt;string, object?&gt;</c>:
/// the keys and values are put in slots on the loop function's stack, in the order the general path yields its pairs, and
/// the loop binds its two names from them, with no tuple made per pair. Anything else (another mapping, a dictionary with
/// an <c>items</c> key of its own, dictsort with arguments, more than 16 pairs) is left to the general path, which the
/// loop then walks as before.
/// </summary>
internal static class PairLoops
{
    /// <summary>What the loop's source is: <c>.items()</c> or <c>|dictsort</c> without arguments, or <c>.keys()</c> /
    /// <c>.values()</c> (the pairs filled as for items, the loop binding one name from the key or the value).</summary>
    public const int Items = 0, DictSort = 1, Keys = 2, Values = 3;

    /// <summary>
    /// The pairs of <paramref name="map"/> for the loop: their number, with <paramref name="slots"/> holding key, value,
    /// key, value…; or -1 when the general path must run (another mapping, more than <see cref="MaxPairs"/> pairs, a
    /// dictionary with a key named like the method called).
    /// </summary>
    /// <remarks>The slots are a local of the loop's function: filling them stores on the stack, with no buffer to rent, no
    /// write barrier per store and nothing to clear or give back.</remarks>
    public static int Fill(object? map, int kind, PairSite site, ref PairSlots slots)
    {
        if (map is not Dictionary<string, object?> d) return -1;
        var n = d.Count;
        if (n > MaxPairs) return -1;
        Span<object?> p = slots;
        if (kind is Items or Keys or Values)
        {
            // d.items() on a dictionary with an 'items' key calls that value (a key wins over the method): each key is
            // compared as it is copied, no lookup
            var method = kind == Items ? "items" : kind == Keys ? "keys" : "values";
            var i = 0;
            foreach (var (key, value) in d)
            {
                if (key.Length == method.Length && key == method) return -1;
                p[i++] = key;
                p[i++] = value;
            }
            return n;
        }
        if (kind != DictSort) return -1;
        // the dictionaries one loop sorts mostly have the same keys in the same order (one record type's, a config's):
        // the order the site last found is checked key by key as the pairs are copied, and the pairs go straight to
        // their places (equal keys in the same order sort the same way)
        if (Volatile.Read(ref site.Order) is { } known && known.Keys.Length == n && PlaceInKnownOrder(d, known, p)) return n;
        // dictsort's default order: keys compared lowered (case-insensitive) as Python compares strings, equal keys in
        // their original order (an insertion sort of the pairs, their lowered keys beside them on the stack)
        BuiltinFilters.ShortGroups loweredKeys = default;
        Span<string?> lowered = loweredKeys;
        var k = 0;
        foreach (var (key, value) in d)
        {
            if (k == n) return -1; // (changed while read)
            var folded = Comparison.CaseFolded(key);
            var j = k - 1;
            while (j >= 0 && Comparison.CompareStrings(lowered[j]!, folded) > 0)
            {
                p[2 * (j + 1)] = p[2 * j];
                p[2 * (j + 1) + 1] = p[2 * j + 1];
                lowered[j + 1] = lowered[j];
                j--;
            }
            p[2 * (j + 1)] = key;
            p[2 * (j + 1) + 1] = value;
            lowered[j + 1] = folded;
            k++;
        }
        if (k != n) return -1;
        site.Remember(d, p, n);
        return n;
    }

    /// <summary>Slot <paramref name="index"/> of the pairs <see cref="Fill"/> wrote (2i: the key of pair i, 2i + 1: its value).</summary>
    public static object? Slot(ref PairSlots slots, int index) => slots[index];

    /// <summary>The most pairs a loop reads from its slots (more: the general path).</summary>
    public const int MaxPairs = 16;

    /// <summary>Room for the keys and values of up to <see cref="MaxPairs"/> pairs: a local of the loop's function.</summary>
    [System.Runtime.CompilerServices.InlineArray(2 * MaxPairs)]
    internal struct PairSlots
    {
        private object? _slot;
    }

    // the pairs of d written at the places the known order gives; false, when a key differs from the known one (the
    // caller then sorts, overwriting every place)
    private static bool PlaceInKnownOrder(Dictionary<string, object?> d, PairSite.KeyOrder known, Span<object?> p)
    {
        var keys = known.Keys;
        var places = known.Places;
        var k = 0;
        foreach (var (key, value) in d)
        {
            if ((uint)k >= (uint)keys.Length) return false;
            var expected = keys[k];
            if (!ReferenceEquals(key, expected) && !string.Equals(key, expected, StringComparison.Ordinal)) return false;
            var at = 2 * places[k];
            p[at] = key;
            p[at + 1] = value;
            k++;
        }
        return k == keys.Length;
    }

    /// <summary>
    /// One dictsort loop's memory of the last key order it sorted (<see cref="Fill"/>): the keys in the dictionary's
    /// order and the place each takes in the sorted pairs. Shared by the threads that render the template: an order is
    /// immutable once made and replaced whole; a site that keeps meeting new orders stops remembering them.
    /// </summary>
    internal sealed class PairSite
    {
        internal sealed record KeyOrder(string[] Keys, byte[] Places);

        public KeyOrder? Order;
        private int _changes;

        /// <summary>Keeps the order of <paramref name="d"/>'s keys, sorted into the first 2n places of <paramref name="sorted"/>.</summary>
        public void Remember(Dictionary<string, object?> d, ReadOnlySpan<object?> sorted, int n)
        {
            // (a loop whose dictionaries keep changing their keys sorts each one: no new order made per row)
            if (_changes >= 32) return;
            _changes++;
            var keys = new string[n];
            var places = new byte[n];
            var k = 0;
            foreach (var key in d.Keys)
            {
                if (k >= n) return; // (changed while read: nothing kept)
                keys[k] = key;
                var at = 0;
                while (at < n && !ReferenceEquals(sorted[2 * at], key)) at++;
                if (at == n) return;
                places[k++] = (byte)at;
            }
            if (k != n) return;
            Volatile.Write(ref Order, new KeyOrder(keys, places));
        }
    }
}
