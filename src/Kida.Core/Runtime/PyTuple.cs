using System.Collections;

namespace Kida.Runtime;

/// <summary>An immutable Python tuple: prints as <c>(a, b)</c>, compares structurally.</summary>
internal sealed class PyTuple : IReadOnlyList<object?>, IList
{
    public static readonly PyTuple Empty = new([]);
    private readonly object?[] _items;

    public PyTuple(object?[] items) => _items = items;

    public object? this[int index] => _items[index];
    public int Count => _items.Length;

    /// <summary>The items themselves, for readers that never write them (unpacking a tuple into names).</summary>
    internal object?[] Items => _items;
    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)_items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    object? IList.this[int index] { get => _items[index]; set => throw new NotSupportedException("tuples are immutable"); }
    bool IList.IsFixedSize => true;
    bool IList.IsReadOnly => true;
    bool ICollection.IsSynchronized => false;
    object ICollection.SyncRoot => this;
    int IList.Add(object? value) => throw new NotSupportedException("tuples are immutable");
    void IList.Clear() => throw new NotSupportedException("tuples are immutable");
    bool IList.Contains(object? value) => Array.IndexOf(_items, value) >= 0;
    int IList.IndexOf(object? value) => Array.IndexOf(_items, value);
    void IList.Insert(int index, object? value) => throw new NotSupportedException("tuples are immutable");
    void IList.Remove(object? value) => throw new NotSupportedException("tuples are immutable");
    void IList.RemoveAt(int index) => throw new NotSupportedException("tuples are immutable");
    void ICollection.CopyTo(Array array, int index) => _items.CopyTo(array, index);

    public override string ToString() => PyString.Repr(this);
}

/// <summary>Python's lazy <c>range</c>.</summary>
internal sealed class PyRange : IReadOnlyList<object?>
{
    public PyRange(long start, long stop, long step)
    {
        if (step == 0) throw new TemplateRuntimeException("range() arg 3 must not be zero", ErrorCodes.Runtime);
        Start = start;
        Stop = stop;
        Step = step;
        var n = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
        Count = (int)Math.Clamp(n, 0, int.MaxValue);
    }

    public long Start { get; }
    public long Stop { get; }
    public long Step { get; }
    public int Count { get; }
    public object? this[int index] => Start + index * Step;

    public IEnumerator<object?> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return Start + i * Step;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Step == 1 ? $"range({Start}, {Stop})" : $"range({Start}, {Stop}, {Step})";
}
