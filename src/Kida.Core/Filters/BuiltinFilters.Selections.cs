using System.Numerics;
using System.Runtime.InteropServices;
using Kida.Runtime;

namespace Kida.Filters;

// select/reject with a divisibility test the compiler resolved to a built-in (even, odd, divisibleby(k)): over a model
// list of ints or longs, the items are tested by a remainder, never boxed, and counted or joined straight into the
// output. Any other input (a list of objects, a generator, None) takes the general filters, which give the same answer.
internal static partial class BuiltinFilters
{
    /// <summary>
    /// <c>xs|select('even')|list|length</c> (odd, divisibleby(k); reject): how many items the filter keeps.
    /// <paramref name="divisor"/> and <paramref name="divisible"/> describe the test: even is (2, true), odd (2, false),
    /// divisibleby(k) (k, true); <paramref name="a"/> are the filter's own arguments, for the general path.
    /// </summary>
    internal static long CountDivisible(RenderState rs, object? v, CallArgs a, long divisor, bool divisible, bool select)
    {
        var keepZero = divisible == select;
        switch (v)
        {
            case List<int> li: return CountRemainders<int>(CollectionsMarshal.AsSpan(li), divisor, keepZero);
            case int[] ai: return CountRemainders<int>(ai, divisor, keepZero);
            case List<long> ll: return CountRemainders<long>(CollectionsMarshal.AsSpan(ll), divisor, keepZero);
            case long[] al: return CountRemainders<long>(al, divisor, keepZero);
        }
        var selected = SelectOrReject(rs, v, a, select, byAttr: false, counting: true, out var count);
        return selected is null ? count : Iteration.Length(selected);
    }

    private static long CountRemainders<T>(ReadOnlySpan<T> items, long divisor, bool keepZero) where T : struct, IBinaryInteger<T>
    {
        long count = 0;
        if (divisor == 2)
        {
            // even/odd: the low bit (two's complement: -3 is odd, -4 even), no division
            foreach (var n in items)
                if (((long.CreateTruncating(n) & 1) == 0) == keepZero) count++;
            return count;
        }
        foreach (var n in items)
            if ((long.CreateTruncating(n) % divisor == 0) == keepZero) count++;
        return count;
    }

    /// <summary>
    /// <c>{{ xs|reject('odd')|join(',') }}</c> (select, even, divisibleby(k)): the kept numbers written into the output
    /// with the separator between them, when the text is known to pass the string limit; otherwise the general filters.
    /// </summary>
    internal static void WriteJoinDivisible(RenderState rs, Output output, object? v, CallArgs a, long divisor, bool divisible, bool select, string sep, bool escape)
    {
        var keepZero = divisible == select;
        switch (v)
        {
            case List<int> li when JoinFits(li.Count, sep): WriteRemainders<int>(output, CollectionsMarshal.AsSpan(li), divisor, keepZero, sep, escape); return;
            case int[] ai when JoinFits(ai.Length, sep): WriteRemainders<int>(output, ai, divisor, keepZero, sep, escape); return;
            case List<long> ll when JoinFits(ll.Count, sep): WriteRemainders<long>(output, CollectionsMarshal.AsSpan(ll), divisor, keepZero, sep, escape); return;
            case long[] al when JoinFits(al.Length, sep): WriteRemainders<long>(output, al, divisor, keepZero, sep, escape); return;
        }
        WriteJoin(rs, output, SelectOrReject(rs, v, a, select, byAttr: false), sep, escape);
    }

    // every number at most 20 digits and a sign, a separator between two: under the string limit, nothing to check per item
    private static bool JoinFits(int count, string sep) =>
        FitsStringLimit(count * (21L + sep.Length));

    private static void WriteRemainders<T>(Output output, ReadOnlySpan<T> items, long divisor, bool keepZero, string sep, bool escape)
        where T : struct, IBinaryInteger<T>
    {
        var first = true;
        var separator = escape ? Output.EscapeSeparator(sep) : sep; // (escaped once, not at every item)
        foreach (var item in items)
        {
            var n = long.CreateTruncating(item);
            if (((divisor == 2 ? n & 1 : n % divisor) == 0) != keepZero) continue;
            if (!first) output.Write(separator);
            first = false;
            output.WriteInt(n);
        }
    }

    /// <summary>
    /// <c>{{ xs|unique|join(sep) }}</c> over a model list of up to 32 strings: the first of each group of equal items
    /// (compared as Python's <c>lower()</c> does when unique is case-insensitive, its default) written into the output;
    /// any other input, or a text that would pass the string limit, takes the general filters.
    /// </summary>
    internal static void WriteJoinUnique(RenderState rs, Output output, object? v, string sep, bool escape)
    {
        ReadOnlySpan<string> items = v switch
        {
            List<string> ls => CollectionsMarshal.AsSpan(ls),
            string[] sa => sa,
            _ => default,
        };
        if (items.Length is > 0 and <= 32 && WriteUniqueStrings(output, items, sep, escape)) return;
        WriteJoin(rs, output, Unique(rs, v, CallArgs.None), sep, escape);
    }

    private static bool WriteUniqueStrings(Output output, ReadOnlySpan<string> items, string sep, bool escape)
    {
        // which items are kept (first of their kind), and the joined length, before anything is written
        Span<bool> kept = stackalloc bool[items.Length];
        var length = 0L;
        var count = 0;
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            if (item is null) return false;
            var seen = false;
            for (var j = 0; j < i && !seen; j++) seen = kept[j] && SameLowered(items[j], item);
            if (seen) continue;
            kept[i] = true;
            length += item.Length + (count++ > 0 ? sep.Length : 0);
        }
        if (!FitsStringLimit(length)) return false;
        var first = true;
        var separator = escape ? Output.EscapeSeparator(sep) : sep;
        for (var i = 0; i < items.Length; i++)
        {
            if (!kept[i]) continue;
            if (!first) output.Write(separator);
            first = false;
            output.WriteText(items[i], escape);
        }
        return true;
    }

    // a == b after lower() (ToLowerInvariant, what the general filter compares); ASCII text without allocating
    private static bool SameLowered(string a, string b) =>
        System.Text.Ascii.IsValid(a) && System.Text.Ascii.IsValid(b)
            ? System.Text.Ascii.EqualsIgnoreCase(a, b)
            : string.Equals(a.ToLowerInvariant(), b.ToLowerInvariant(), StringComparison.Ordinal);

    /// <summary>
    /// <c>{{ xs|map(attribute='name')|join(sep) }}</c> over an indexable list: each item's attribute read once (as map
    /// reads it) into a pooled buffer and, when every value is a string and the text passes the string limit, written into
    /// the output with the separator between them; otherwise the values read are joined by the general filter.
    /// </summary>
    /// <summary>
    /// <c>{{ xs|selectattr('flag')|map(attribute='name')|join(sep) }}</c> (or <c>rejectattr</c>; the built-in filters, literal
    /// names): the selection, then <see cref="WriteJoinMapped"/> of it. Tier-up reads a typed list's two members directly
    /// (SiteInliner.TypedJoinMapped).
    /// </summary>
    internal static void WriteJoinMappedSelected(RenderState rs, Output output, object? v, string flag, bool select, string attribute, string sep, bool escape,
        Iteration.ValueSite site)
    {
        site.Note(v);
        WriteJoinMapped(rs, output, SelectOrReject(rs, v, new CallArgs([flag], null), select, byAttr: true), attribute, sep, escape);
    }

    internal static void WriteJoinMapped(RenderState rs, Output output, object? v, string attribute, string sep, bool escape)
    {
        if (Indexable(v) is not { Count: > 0 } list)
        {
            WriteJoin(rs, output, Map(rs, v, new CallArgs([], [new KeyValuePair<string, object?>("attribute", attribute)])), sep, escape);
            return;
        }
        var n = list.Count;
        var values = System.Buffers.ArrayPool<object?>.Shared.Rent(n);
        try
        {
            var reader = new AttrReader(rs, attribute);
            var strings = true;
            var length = (n - 1L) * sep.Length;
            for (var i = 0; i < n; i++)
            {
                var value = values[i] = reader.Read(ItemAt(list, i));
                if (value is string text) length += text.Length;
                else strings = false;
            }
            if (strings && FitsStringLimit(length))
            {
                var separator = escape ? Output.EscapeSeparator(sep) : sep;
                for (var i = 0; i < n; i++)
                {
                    if (i > 0) output.Write(separator);
                    output.WriteText((string)values[i]!, escape);
                }
                return;
            }
            // (the values already read, not read again: a getter runs once per item, as map runs it)
            var mapped = new List<object?>(n);
            mapped.AddRange(values.AsSpan(0, n));
            WriteJoin(rs, output, mapped, sep, escape);
        }
        finally
        {
            System.Buffers.ArrayPool<object?>.Shared.Return(values, clearArray: true);
        }
    }
}
