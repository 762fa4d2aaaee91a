using System.Collections;
using System.Numerics;
using System.Runtime.CompilerServices;
using Kida.Common;

namespace Kida.Runtime;

/// <summary>
/// Size checks against the limits of the render running on this thread (<see cref="RenderState.CurrentLimits"/>):
/// strings, collections and integers a template creates. Each check runs before the allocation it guards.
/// </summary>
internal static class Guard
{
    /// <summary>Fails with K-SEC-006 when a string of <paramref name="length"/> characters would pass the string limit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StringLength(long length)
    {
        if (length > KidaLimits.StringLengthFloor && length > RenderState.CurrentLimits.MaxStringLength) StringTooLong(length);
    }

    /// <summary>Fails with K-SEC-006 when <paramref name="a"/> + <paramref name="b"/> characters would pass the string limit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StringLength(long a, long b) => StringLength(a + b);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StringTooLong(long length)
    {
        var max = RenderState.CurrentLimits.MaxStringLength;
        throw RenderState.LimitExceeded(ErrorCodes.StringLimit,
            $"String of {length} characters exceeds Limits.MaxStringLength ({max} characters)");
    }

    /// <summary>Fails with K-SEC-007 when a collection of <paramref name="count"/> items would pass the collection limit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CollectionLength(long count)
    {
        if (count > RenderState.CurrentLimits.MaxCollectionLength) CollectionTooLong(count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CollectionTooLong(long count)
    {
        var max = RenderState.CurrentLimits.MaxCollectionLength;
        throw RenderState.LimitExceeded(ErrorCodes.CollectionLimit,
            count == long.MaxValue
                ? $"Collection exceeds Limits.MaxCollectionLength ({max} items)"
                : $"Collection of {count} items exceeds Limits.MaxCollectionLength ({max} items)");
    }

    /// <summary>
    /// The items of an enumerable of unknown length, failing with K-SEC-007 past the collection limit (an enumerable
    /// that never ends stops there) and checking the render's time and cancellation as it goes.
    /// </summary>
    public static IEnumerable<object?> Bounded(IEnumerable source) => Limited(source.Cast<object?>()).Select(Values.Unwrap);

    /// <summary>The items of a mapping of unknown size, failing with K-SEC-007 past the collection limit (as <see cref="Bounded"/>).</summary>
    public static IEnumerable<KeyValuePair<object?, object?>> BoundedPairs(IEnumerable<KeyValuePair<object?, object?>> source) => Limited(source);

    private static IEnumerable<T> Limited<T>(IEnumerable<T> source)
    {
        var max = RenderState.CurrentLimits.MaxCollectionLength;
        var rs = RenderState.Running;
        long n = 0;
        foreach (var item in source)
        {
            if (++n > max) CollectionTooLong(long.MaxValue);
            rs?.CallTick();
            yield return item;
        }
    }

    /// <summary>
    /// One step of a long piece of work inside a filter (a line of wordwrap, an item of unique…): counts like a call,
    /// so the render's time and cancellation are checked every so many steps.
    /// </summary>
    public static void Tick() => RenderState.Running?.CallTick();

    // ------------------------------------------------------------------ integers

    private const double Log2Of10 = Integers.Log2Of10;

    /// <summary>Fails with K-SEC-009 when <paramref name="value"/> has more decimal digits than the integer limit.</summary>
    public static void IntegerDigits(BigInteger value)
    {
        var max = RenderState.CurrentLimits.MaxIntegerDigits;
        if (!FitsDigits(value, max)) IntegerTooLarge(max, null);
    }

    /// <summary>Whether |<paramref name="value"/>| has at most <paramref name="maxDigits"/> decimal digits.</summary>
    public static bool FitsDigits(BigInteger value, int maxDigits) => Integers.FitsDigits(value, maxDigits);

    /// <summary>Fails with K-SEC-009 when a string of <paramref name="digits"/> digits is to become an integer.</summary>
    public static void IntegerDigitCount(long digits)
    {
        var max = RenderState.CurrentLimits.MaxIntegerDigits;
        if (digits > max) IntegerTooLarge(max, digits);
    }

    /// <summary>The largest bit length an integer may reach under the current digit limit (a bound, for estimates).</summary>
    public static long MaxIntegerBits => (long)(RenderState.CurrentLimits.MaxIntegerDigits * Log2Of10) + 1;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void IntegerTooLarge(int max, long? digits) =>
        throw RenderState.LimitExceeded(ErrorCodes.IntegerLimit, digits is { } d
            ? $"Exceeds Limits.MaxIntegerDigits ({max} digits) for integer string conversion: value has {d} digits"
            : $"Integer result exceeds Limits.MaxIntegerDigits ({max} digits)");

    /// <summary>An int argument (a width, count or precision) clamped into int's range, so huge values stay huge.</summary>
    public static int ClampToInt(long value) => (int)Math.Clamp(value, int.MinValue, int.MaxValue);
}
