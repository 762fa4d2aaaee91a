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
        foreach (var item in items)
        {
            var n = long.CreateTruncating(item);
            if (((divisor == 2 ? n & 1 : n % divisor) == 0) != keepZero) continue;
            if (!first) output.WriteText(sep, escape);
            first = false;
            output.WriteInt(n);
        }
    }
}
