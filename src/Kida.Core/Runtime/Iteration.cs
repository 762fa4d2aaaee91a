using System.Collections;
using System.Runtime.CompilerServices;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text;
using Kida.Syntax;

namespace Kida.Runtime;

/// <summary>Iterating template values: for-loop sequences and iterators (bounded by the limits), <c>range</c> literals, <c>len</c>, loop ticks.</summary>
internal static class Iteration
{
    /// <summary>The back-edge of a for loop: counts one iteration against the render's budget (time and cancellation included).</summary>
    public static void CheckCancel(RenderState rs) => rs.LoopTick();

    /// <summary>
    /// The slow part of a for loop's back-edge, which the compiled loop reaches when its countdown
    /// (<see cref="RenderState.LoopCountdown"/>) runs out or the render's token is cancelled: the loop's budget, the
    /// clock and the token are checked here (the countdown test itself is emitted inline).
    /// </summary>
    public static void LoopSlowPath(RenderState rs)
    {
        if (rs.LoopCountdown < 0) rs.LoopSlow();
        rs.CancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>The back-edge of a while loop: one iteration, counted with every other loop of the render.</summary>
    public static void CountIteration(RenderState rs, int count) => rs.LoopTick();

    /// <summary>The items a loop with <c>loop</c> walks: a sequence as it is, anything else materialised.</summary>
    public static IReadOnlyList<object?> ToItemList(object? iterable) => AsSequence(iterable) is { } list ? list : Iteration.Iterate(iterable).ToList();

    /// <summary>
    /// The value as an indexable sequence of references when it is one (a list, array or tuple of any reference type;
    /// not a string or mapping; a short list of numbers or booleans as a boxed copy), so loops walk it by index without
    /// an enumerator; null otherwise.
    /// </summary>
    public static IReadOnlyList<object?>? AsSequence(object? iterable)
    {
        switch (iterable)
        {
            case List<object?> l: return l;
            case PyTuple t: return t;
            case string or null: return null;
            case IReadOnlyList<object?> l: return Values.IsMapping(iterable) ? null : l;
        }
        // a short model list or array of numbers or booleans: its items boxed once into an array the loop walks, as a
        // list of references is copied (a long one is read through its enumerator, one item at a time)
        var type = iterable.GetType();
        if (type == typeof(List<int>)) return Snapshot<int>((List<int>)iterable);
        if (type == typeof(int[])) return Snapshot<int>((int[])iterable);
        if (type == typeof(List<long>)) return Snapshot<long>((List<long>)iterable);
        if (type == typeof(long[])) return Snapshot<long>((long[])iterable);
        if (type == typeof(List<double>)) return Snapshot<double>((List<double>)iterable);
        if (type == typeof(double[])) return Snapshot<double>((double[])iterable);
        if (type == typeof(List<decimal>)) return Snapshot<decimal>((List<decimal>)iterable);
        if (type == typeof(List<bool>)) return Snapshot<bool>((List<bool>)iterable);
        return null;
    }

    private static BoxedItems? Snapshot<T>(List<T> list) where T : struct =>
        list.Count <= MaxBoxedSnapshot ? new BoxedItems(Boxed<T>(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list))) : null;

    private static BoxedItems? Snapshot<T>(T[] array) where T : struct => array.Length <= MaxBoxedSnapshot ? new BoxedItems(Boxed<T>(array)) : null;

    /// <summary>
    /// <see cref="AsSequence"/> for a for loop that has no <c>loop</c> variable: a short model list of numbers or booleans
    /// is boxed into a snapshot kept by the thread, which nothing but the loop can see, and <see cref="ReleaseLoopArray"/>
    /// takes it back when the loop ends (no allocation for the inner loops of a page).
    /// </summary>
    public static IReadOnlyList<object?>? LoopSequence(object? iterable, RenderState rs)
    {
        switch (iterable)
        {
            case List<object?> l: return l;
            case ChunkView view: return view;
            case List<int> ints when ints.Count <= PooledSnapshot: return Pooled<int>(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ints), rs);
            case int[] ints when ints.Length <= PooledSnapshot: return Pooled<int>(ints, rs);
            case List<long> longs when longs.Count <= PooledSnapshot: return Pooled<long>(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(longs), rs);
            case List<double> doubles when doubles.Count <= PooledSnapshot: return Pooled<double>(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(doubles), rs);
            case List<bool> flags when flags.Count <= PooledSnapshot: return Pooled<bool>(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(flags), rs);
            // (a model List<T> of references whose shape a loop asked for lately: the list itself, as AsSequence gives it,
            // without the variant interface check)
            case not null when RecentShape(iterable.GetType()) is { IsList: true }:
                return Unsafe.As<IReadOnlyList<object?>>(iterable);
        }
        return AsSequence(iterable);
    }

    private const int PooledSnapshot = 64, MaxKeptSnapshots = 8;

    private static BoxedItems Pooled<T>(ReadOnlySpan<T> items, RenderState rs) where T : struct
    {
        // the render's kept snapshots, a list linked through Next (taken off while a loop walks one: nested loops each
        // get their own)
        var snapshot = rs.Snapshots;
        if (snapshot is not null)
        {
            rs.Snapshots = snapshot.Next;
            rs.SnapshotsKept--;
        }
        else snapshot = new BoxedItems(new object?[PooledSnapshot]) { Pooled = true };
        BoxInto(items, snapshot.Items);
        snapshot.Count = items.Length;
        return snapshot;
    }

    /// <summary><see cref="ReleaseLoopArray"/> for a loop that took its items from <see cref="LoopSequence"/>: a kept snapshot goes back to the render.</summary>
    public static void ReleaseLoopItems(IReadOnlyList<object?>? list, object?[]? array, RenderState rs)
    {
        if (list is BoxedItems { Pooled: true } snapshot)
        {
            // (a render keeps a few: loops nested deeper, as in a recursive macro, leave theirs to the collector)
            if (rs.SnapshotsKept < MaxKeptSnapshots)
            {
                snapshot.Next = rs.Snapshots;
                rs.Snapshots = snapshot;
                rs.SnapshotsKept++;
            }
            return;
        }
        if (list is ChunkView view)
        {
            view.Release(rs);
            return;
        }
        ReleaseLoopArray(list, array);
    }

    /// <summary>
    /// A for loop over a model <c>List&lt;int&gt;</c> of at most 64 items: its items copied (unboxed) into a buffer the
    /// render keeps, so the loop walks them as they were at its start (a body may change the list) and tier-up can
    /// give the loop variable the int itself. Null for a longer list, which takes the general path.
    /// </summary>
    public static IntItems? IntSnapshot(List<int> list, RenderState rs)
    {
        var items = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list);
        if (items.Length > PooledSnapshot) return null;
        var snapshot = rs.IntSnapshots;
        if (snapshot is not null)
        {
            rs.IntSnapshots = snapshot.Next;
            rs.IntSnapshotsKept--;
        }
        else snapshot = new IntItems();
        items.CopyTo(snapshot.Items);
        snapshot.Count = items.Length;
        return snapshot;
    }

    /// <summary>Gives a loop's <see cref="IntSnapshot"/> back to the render (a few are kept; loops nested deeper leave theirs to the collector).</summary>
    public static void ReleaseIntSnapshot(IntItems snapshot, RenderState rs)
    {
        if (rs.IntSnapshotsKept >= MaxKeptSnapshots) return;
        snapshot.Next = rs.IntSnapshots;
        rs.IntSnapshots = snapshot;
        rs.IntSnapshotsKept++;
    }

    /// <summary>
    /// The batches or columns of a list (<c>xs|batch(n)</c>, <c>xs|slice(n)</c>), each read into one reused list when the
    /// loop reads its index (see BuiltinFilters.ChunkedLoopSource); a render keeps one for its next such loop.
    /// </summary>
    internal sealed class ChunkView : IReadOnlyList<object?>
    {
        private readonly List<object?> _chunk = [];
        private IList? _items;
        // a model list of numbers, booleans or strings: each chunk is a list of the same item type (read as the model list
        // it came from reads: no box per item, the printed join writes the digits)
        private TypedChunks? _typed;
        private List<object?>? _made;
        private int _n, _length, _count;

        /// <summary>The groups a groupby loop over this view refills (Filters.BuiltinFilters.GroupedLoopSource).</summary>
        internal Filters.BuiltinFilters.GroupPool? Groups;
        private bool _slice;

        /// <summary>
        /// The batches or columns the filter made of a source it cannot read by index (an iterator, a string, a
        /// mapping): read as they are.
        /// </summary>
        public void Open(List<object?> chunks)
        {
            _items = null;
            _typed = null;
            _made = chunks;
            _count = chunks.Count;
        }

        public void Open(IList items, int n, bool slice)
        {
            _made = null;
            _items = items;
            _n = n;
            _slice = slice;
            _length = items.Count;
            _count = slice ? n : (int)(((long)_length + n - 1) / n);
            _typed = items switch
            {
                List<int> l => Typed(ref _ints, l),
                List<string> l => Typed(ref _strings, l),
                List<long> l => Typed(ref _longs, l),
                List<double> l => Typed(ref _doubles, l),
                List<decimal> l => Typed(ref _decimals, l),
                List<bool> l => Typed(ref _bools, l),
                _ => null,
            };
        }

        private TypedChunks<int>? _ints;
        // the last separator a join of int chunks met that needs no escaping (the next chunk's is nearly always the same)
        private string? _plainSep;
        private TypedChunks<long>? _longs;
        private TypedChunks<double>? _doubles;
        private TypedChunks<decimal>? _decimals;
        private TypedChunks<bool>? _bools;
        private TypedChunks<string>? _strings;

        private static TypedChunks<T> Typed<T>(ref TypedChunks<T>? kept, List<T> source)
        {
            kept ??= new TypedChunks<T>();
            kept.Source = source;
            return kept;
        }

        /// <summary>Forgets the list and every item read (the end of the render: a kept view holds nothing of the model).</summary>
        public void Close()
        {
            _made = null;
            Groups?.Clear();
            _items = null;
            _chunk.Clear();
            _typed = null;
            _ints?.Close();
            _longs?.Close();
            _doubles?.Close();
            _decimals?.Close();
            _bools?.Close();
            _strings?.Close();
        }

        public int Count => _count;

        /// <summary>Gives the view back to the render for its next such loop (the end of the loop that walked it).</summary>
        public void Release(RenderState rs)
        {
            // the model's list is let go now; the few items last read stay in the view's lists until the render ends
            // (RenderState.Return closes the kept view): the next such loop overwrites them, and clearing them at the
            // end of every loop cost more than a short list's own batches
            _made = null;
            Groups?.Clear();
            _items = null;
            _typed?.Forget();
            _typed = null;
            rs.SpareChunkView = this;
        }

        public object? this[int index] => Get(index);

        /// <summary>Batch or column <paramref name="index"/>: the view's one list, refilled (a for loop calls it directly).</summary>
        public object? Get(int index)
        {
            if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index));
            if (!_slice && _typed is { } batches)
            {
                // (a batch of a typed list: the common case first)
                var first = index * _n;
                return batches.Read(first, Math.Min(first + _n, _length));
            }
            if (_made is { } made) return made[index];
            if (_items is not { } items) throw new ArgumentOutOfRangeException(nameof(index));
            var (start, end) = Bounds(index);
            if (_typed is { } typed) return typed.Read(start, end);
            _chunk.Clear();
            for (var i = start; i < end; i++) _chunk.Add(Filters.BuiltinFilters.ItemAt(items, i));
            return _chunk;
        }

        /// <summary>The items of batch or column <paramref name="index"/> of the list: from start up to end.</summary>
        private (int Start, int End) Bounds(int index)
        {
            if (!_slice)
            {
                var start = index * _n;
                return (start, Math.Min(start + _n, _length));
            }
            // Jinja's slice: the first length % n columns hold one item more
            var per = _length / _n;
            var extra = _length % _n;
            var first = index * per + Math.Min(index, extra);
            return (first, first + per + (index < extra ? 1 : 0));
        }

        /// <summary>
        /// <c>{{ b|join(sep) }}</c> of batch or column <paramref name="index"/> (tier-up, SiteInliner.FusedChunkJoin, when
        /// the loop's variable is read nowhere else): a chunk of a model list of ints or strings joined straight from the
        /// list, without filling the view's list; any other chunk is made and joined as the filter joins it.
        /// </summary>
        public void WriteJoined(int index, Output output, string sep, bool escape, RenderState rs)
        {
            if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index));
            if (_ints is { Source: { } ints } && ReferenceEquals(_typed, _ints) && _made is null)
            {
                // (the common chunk: ints, a plain separator) the digits written here, no other call per chunk; a
                // separator to escape or a chunk past the string limit takes the general join below
                var (start, end) = Bounds(index);
                var source = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ints);
                end = Math.Min(end, source.Length);
                if (ReferenceEquals(_plainSep, sep) && (long)(end - start) * (11 + sep.Length) <= KidaLimits.StringLengthFloor)
                {
                    for (var i = start; i < end; i++)
                    {
                        if (i > start) output.Write(sep);
                        output.WriteInt(source[i]);
                    }
                    return;
                }
                if (!Output.NeedsEscaping(sep)) _plainSep = sep; // (a scan: a separator to escape is not copied at every chunk)
            }
            if (_typed is { } typed && _made is null)
            {
                var (start, end) = Bounds(index);
                if (typed.TryWriteJoined(start, end, output, sep, escape)) return;
            }
            Filters.BuiltinFilters.WriteJoin(rs, output, Get(index), sep, escape);
        }

        public IEnumerator<object?> GetEnumerator()
        {
            for (var i = 0; i < _count; i++) yield return this[i];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        private abstract class TypedChunks
        {
            public abstract object Read(int start, int end);
            public abstract void Close();

            /// <summary>Lets go of the model's list, keeping the last chunk's items (overwritten by the next read).</summary>
            public abstract void Forget();

            /// <summary>Items start..end joined into <paramref name="output"/> as the join filter writes them; false, with nothing written, when this item type has no direct join.</summary>
            public abstract bool TryWriteJoined(int start, int end, Output output, string sep, bool escape);
        }

        private sealed class TypedChunks<T> : TypedChunks
        {
            private readonly List<T> _chunk = [];
            public List<T>? Source;

            public override object Read(int start, int end)
            {
                // (the loop's body cannot change the source; a list another thread shortened gives what is left)
                var source = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Source);
                var n = Math.Min(end, source.Length) - start;
                if (n <= 0)
                {
                    _chunk.Clear();
                    return _chunk;
                }
                if (_chunk.Count != n) System.Runtime.InteropServices.CollectionsMarshal.SetCount(_chunk, n);
                var from = source.Slice(start, n);
                var to = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_chunk);
                // (a batch of a few items: copied one by one, cheaper than a call to move memory)
                if (n <= 8)
                    for (var k = 0; k < from.Length; k++) to[k] = from[k];
                else from.CopyTo(to);
                return _chunk;
            }

            public override void Close()
            {
                Source = null;
                _chunk.Clear();
            }

            public override void Forget() => Source = null;

            public override bool TryWriteJoined(int start, int end, Output output, string sep, bool escape)
            {
                // (a list another thread shortened gives what is left, as Read does)
                var source = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Source);
                var n = Math.Min(end, source.Length) - start;
                if (typeof(T) != typeof(int) && typeof(T) != typeof(string)) return false;
                // (an empty chunk joins to nothing)
                if (n <= 0) return true;
                if (typeof(T) == typeof(int))
                {
                    Filters.BuiltinFilters.WriteIntsJoined(output, System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(
                        ref System.Runtime.CompilerServices.Unsafe.As<T, int>(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(source.Slice(start, n))), n), sep, escape);
                    return true;
                }
                if (typeof(T) == typeof(string))
                    return Filters.BuiltinFilters.WriteStrings(output, System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(
                        ref System.Runtime.CompilerServices.Unsafe.As<T, string>(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(source.Slice(start, n))), n), sep, escape);
                return false;
            }
        }
    }

    /// <summary>
    /// The one type of value a call site has been given (a selection's operand: SiteInliner reads it at promotion), or
    /// <see cref="Mixed"/> once it has seen two. Written without a lock: a race can only lose a type, and a site that
    /// reads as mixed or unseen keeps its general call.
    /// </summary>
    internal sealed class ValueSite
    {
        public Type? Seen;
        public bool Mixed;

        public void Note(object? value)
        {
            if (value is null || Mixed) return;
            var type = value.GetType();
            if (Seen is null) Seen = type;
            else if (Seen != type) Mixed = true;
        }
    }

    /// <summary>Whether a for loop has ever walked a model <c>List&lt;int&gt;</c> (set once, read when the loop is promoted).</summary>
    internal sealed class IntLaneSite
    {
        public bool Seen;

        /// <summary>The one type of source the loop has opened on, or mixed; noted by the int lane's site and the reference lane's.</summary>
        public readonly ValueSite Source = new();

        /// <summary>Notes the type of the source a loop opens on (interpreted; tier-up reads it and drops the call).</summary>
        public void Note(object? source) => Source.Note(source);
    }

    /// <summary>The items of a model list of ints as a loop started on them (<see cref="IntSnapshot"/>).</summary>
    internal sealed class IntItems
    {
        public readonly int[] Items = new int[PooledSnapshot];
        public int Count;
        public IntItems? Next;
    }

    /// <summary>A model list of numbers or booleans boxed for a loop: its items are never JSON values to convert.</summary>
    internal sealed class BoxedItems(object?[] items) : IReadOnlyList<object?>
    {
        /// <summary>The next snapshot a render keeps (RenderState.Snapshots).</summary>
        public BoxedItems? Next;

        /// <summary>The items, then (for a kept snapshot) room for a longer list.</summary>
        public object?[] Items { get; } = items;
        public bool Pooled { get; init; }
        public int Count { get; set; } = items.Length;
        public object? this[int index] => (uint)index < (uint)Count ? Items[index] : throw new ArgumentOutOfRangeException(nameof(index));
        public IEnumerator<object?> GetEnumerator() => Items.Take(Count).GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private const int MaxBoxedSnapshot = 1024;

    // the items boxed as their enumerator would box them (small ints and booleans from the shared boxes)
    private static object?[] Boxed<T>(ReadOnlySpan<T> items) where T : struct
    {
        var boxed = new object?[items.Length];
        BoxInto(items, boxed);
        return boxed;
    }

    private static void BoxInto<T>(ReadOnlySpan<T> items, object?[] boxed) where T : struct
    {
        for (var i = 0; i < items.Length; i++)
            boxed[i] = typeof(T) == typeof(int) ? Boxes.Int((int)(object)items[i])
                : typeof(T) == typeof(long) ? Boxes.Long((long)(object)items[i])
                : typeof(T) == typeof(bool) ? ((bool)(object)items[i] ? Boxes.True : Boxes.False)
                : items[i];
    }

    // a for loop copies a model list of at least this many items into a pooled array and walks that (an array read
    // costs a fraction of the two interface calls per item that reading a List<T> as IReadOnlyList<object> takes);
    // shorter lists are read through the interface, where renting and copying would cost more than it saves
    private const int MinLoopSnapshot = 16;

    /// <summary>
    /// The items a for loop over <paramref name="list"/> walks as an array (read by index up to the list's count at the
    /// start), or null when the loop reads the list itself. Tuples and arrays of references are their own array; a
    /// model <c>List&lt;T&gt;</c> of references is copied into a pooled array, released by <see cref="ReleaseLoopArray"/>.
    /// A list the template built (<c>List&lt;object?&gt;</c>) is read live, so a body that appends to it sees the new
    /// items, as Python's loop does.
    /// </summary>
    /// <remarks><paramref name="unwrap"/> says whether the items may be JSON values that <see cref="UnwrapItem"/>
    /// converts (false for a list or array whose element type cannot hold one, and for no list).</remarks>
    public static object?[]? LoopArray(IReadOnlyList<object?>? list, out bool unwrap)
    {
        switch (list)
        {
            case null:
                unwrap = false;
                return null;
            case List<object?>:
                unwrap = true;
                return null;
            case PyTuple t:
                unwrap = true;
                return t.Items;
            case BoxedItems boxed:
                unwrap = false;
                return boxed.Items;
            case ChunkView:
                unwrap = false;
                return null;
        }
        var shape = ShapeOf(list.GetType());
        unwrap = shape.Unwraps;
        if (list is object?[] a) return a;
        if (!shape.IsList || list.Count < MinLoopSnapshot) return null;
        var copy = System.Buffers.ArrayPool<object?>.Shared.Rent(list.Count);
        ((ICollection)list).CopyTo(copy, 0);
        return copy;
    }

    /// <summary>The list a for loop reads by index when <see cref="LoopArray"/> gave no array: a template-built list (read live); null for anything else.</summary>
    public static List<object?>? LoopOwnList(IReadOnlyList<object?>? list) => list as List<object?>;

    /// <summary>
    /// <see cref="LoopOwnList"/> in IL-compiled loops (tier-up puts it in place: the interpreter would check the type):
    /// a short model <c>List&lt;T&gt;</c> of references too (a longer one is copied), read live through List's own indexer
    /// instead of two interface calls per item. A <c>List&lt;T&gt;</c> of any reference type has <c>List&lt;object&gt;</c>'s
    /// layout and shares its code, and the loop only reads it.
    /// </summary>
    public static List<object?>? LoopOwnListShared(IReadOnlyList<object?>? list)
    {
        if (list is List<object?> own) return own;
        if (list is null || list is PyTuple or BoxedItems or ChunkView) return null;
        return ShapeOf(list.GetType()).IsList ? Unsafe.As<List<object?>>(list) : null;
    }

    /// <summary>
    /// The reference lane of a for loop that cannot change its source (Emitter.EmitForCore), in IL: a model
    /// <c>List&lt;T&gt;</c> of references whose items need no JSON conversion, read in place through
    /// <c>List&lt;object&gt;</c>'s indexer (the same layout, and the loop only reads it); null for anything else, a
    /// template-built <c>List&lt;object?&gt;</c> included. (Not for the interpreter, which checks the types it passes.)
    /// </summary>
    public static List<object?>? ReferenceLaneCompiled(object? source) =>
        source is null or List<object?> || ShapeOf(source.GetType()) is not { IsList: true, Unwraps: false } ? null : Unsafe.As<List<object?>>(source);

    /// <summary>
    /// The reference lane in a tiered or interpreted function: null (the interpreter walks the general source), but the
    /// loop's meeting such a list noted in <paramref name="site"/>, with its type, for tier-up to put
    /// <see cref="ReferenceLaneCompiled"/> in its place and check that type inline.
    /// </summary>
    public static List<object?>? ReferenceLane(object? source, IntLaneSite site)
    {
        if (ReferenceLaneCompiled(source) is null) return null;
        if (!site.Seen) site.Seen = true;
        site.Note(source);
        return null;
    }

    /// <summary>A model <c>List&lt;T&gt;</c> of references whose type tier-up checked (<see cref="ReferenceLane"/>) as the list of objects it reads it as.</summary>
    public static List<object?> AsObjectList(object source) => Unsafe.As<List<object?>>(source);

    /// <summary>Gives back the array <see cref="LoopArray"/> rented for <paramref name="list"/> (a no-op for tuples and arrays).</summary>
    public static void ReleaseLoopArray(IReadOnlyList<object?>? list, object?[]? array)
    {
        if (array is null || list is PyTuple or BoxedItems || ReferenceEquals(list, array)) return;
        System.Buffers.ArrayPool<object?>.Shared.Return(array, clearArray: true);
    }

    private sealed record LoopShape(Type Type, bool IsList, bool Unwraps);

    // the last four shapes asked for (a page loops over a few model list types), then a table
    private static readonly LoopShape?[] RecentShapes = new LoopShape?[4];
    private static int _nextShape;
    private static readonly ConditionalWeakTable<Type, LoopShape> Shapes = new();

    /// <summary>The shape of <paramref name="type"/> when it is one of the last few asked for; null otherwise.</summary>
    private static LoopShape? RecentShape(Type type)
    {
        var recent = RecentShapes;
        for (var i = 0; i < recent.Length; i++)
            if (Volatile.Read(ref recent[i]) is { } known && known.Type == type) return known;
        return null;
    }

    private static LoopShape ShapeOf(Type type)
    {
        if (RecentShape(type) is { } known) return known;
        var shape = Shapes.GetValue(type, static t =>
        {
            Type? element = t.IsArray ? t.GetElementType()
                : t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>) ? t.GetGenericArguments()[0] : null;
            var isList = element is not null && !t.IsArray && !element.IsValueType;
            var unwraps = element is null || element.IsAssignableFrom(typeof(JsonElement)) || element.IsAssignableFrom(typeof(JsonValue))
                || typeof(JsonValue).IsAssignableFrom(element);
            return new LoopShape(t, isList, unwraps);
        });
        // (a racing update may overwrite another slot: any shape in any slot is right for its type)
        Volatile.Write(ref RecentShapes[_nextShape++ & 3], shape);
        return shape;
    }

    /// <summary>An item read from a sequence as templates see it (JSON values converted).</summary>
    public static object? UnwrapItem(object? item) => item is System.Text.Json.JsonElement or System.Text.Json.Nodes.JsonValue ? Values.Unwrap(item) : item;

    /// <summary>The enumerator a for loop walks: not bounded by the collection limit (the loop's iterations are counted instead).</summary>
    public static IEnumerator<object?> GetIterator(object? iterable) => iterable switch
    {
        List<object?> l => l.GetEnumerator(),
        _ => Iteration.Iterate(iterable, bounded: false).GetEnumerator(),
    };

    /// <summary>The enumerator a list comprehension walks: an enumerable of unknown length stops at the collection limit.</summary>
    public static IEnumerator<object?> GetBoundedIterator(object? iterable) => iterable switch
    {
        List<object?> l => l.GetEnumerator(),
        _ => Iteration.Iterate(iterable).GetEnumerator(),
    };

    public static object? RangeLiteral(RenderState rs, object? start, object? end, object? step, bool inclusive)
    {
        var s = Collections.ToIndex(start, "range");
        var e = Collections.ToIndex(end, "range");
        var st = step is null ? 1 : Collections.ToIndex(step, "range");
        if (inclusive) e += st > 0 ? 1 : -1;
        return Globals.BuiltinGlobals.MakeRange(rs, s, e, st);
    }

    /// <summary>
    /// The items of a value as Python iterates it. An enumerable of unknown length (not a collection) is read through
    /// <see cref="Guard.Bounded"/> unless <paramref name="bounded"/> is false (for loops, whose iterations are counted).
    /// </summary>
    public static IEnumerable<object?> Iterate(object? v, bool bounded = true)
    {
        switch (v)
        {
            case Undefined u:
                u.Use();
                return [];
            case null:
                throw new TemplateRuntimeException("'NoneType' object is not iterable", ErrorCodes.TypeError);
            case string s:
                return IterateString(s);
            case Markup m:
                return IterateString(m.Value);
            case List<object?> list:
                return list;
            case PyTuple t:
                return t;
            case JsonElement { ValueKind: JsonValueKind.Array } ja:
                return ja.EnumerateArray().Select(x => Values.Unwrap(x));
            case JsonElement { ValueKind: JsonValueKind.Object } jo:
                return jo.EnumerateObject().Select(p => (object?)p.Name);
        }
        if (Values.IsMapping(v)) return Mappings.MapKeys(v);
        if (bounded && v is IEnumerable and not (ICollection or IReadOnlyCollection<object?>) && !GenericMaps.TryCount(v, out _))
            return Guard.Bounded((IEnumerable)v);
        if (v is IEnumerable<object?> eo) return eo.Select(Values.Unwrap);
        if (v is IEnumerable e) return e.Cast<object?>().Select(Values.Unwrap);
        if (v is KidaCallable kc && kc.TypeName == "macro")
            throw new TemplateRuntimeException($"Cannot iterate over macro '{kc}'", ErrorCodes.MacroIteration);
        throw new TemplateRuntimeException($"'{Values.TypeName(v)}' object is not iterable", ErrorCodes.TypeError);
    }

    private static IEnumerable<object?> IterateString(string s)
    {
        if (!PyString.HasSurrogates(s))
        {
            for (var i = 0; i < s.Length; i++) yield return CharStrings.Get(s[i]);
            yield break;
        }
        foreach (var r in s.EnumerateRunes()) yield return r.ToString();
    }

    public static List<object?> ToList(object? v) => v is List<object?> l ? l : Iterate(v).ToList();

    public static IReadOnlyList<object?> AsList(object? v) => v switch
    {
        List<object?> l => l,
        PyTuple t => t,
        object?[] a => a,
        _ => Iterate(v).ToList(),
    };

    /// <summary>The count of a model <c>List&lt;T&gt;</c> member, called by the code tier-up emits for <c>x.items|length</c>.</summary>
    public static int ListCount<T>(List<T> list) => list.Count;

    /// <summary>Item <paramref name="i"/> of a model <c>List&lt;T&gt;</c> member, for code tier-up emits.</summary>
    public static T ListItem<T>(List<T> list, int i) => list[i];

    /// <summary>The smallest or (with <paramref name="max"/>) the largest item of a non-empty model list of integers, for code tier-up emits for <c>|min</c> and <c>|max</c>.</summary>
    public static long ListExtreme<T>(List<T> list, bool max) where T : struct, IBinaryInteger<T>
    {
        var items = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list);
        var best = items[0];
        if (max)
        {
            foreach (var v in items)
                if (v > best) best = v;
        }
        else
        {
            foreach (var v in items)
                if (v < best) best = v;
        }
        return long.CreateTruncating(best);
    }

    /// <summary><c>v in xs</c> on a model <c>List&lt;T&gt;</c> member and a value of its item type, for code tier-up emits.</summary>
    public static bool ListContains<T>(List<T> list, T value) => list.Contains(value);

    public static int Length(object? v)
    {
        switch (v)
        {
            case string s: return PyString.StrLen(s);
            case Markup m: return PyString.StrLen(m.Value);
            case Undefined u: u.Use(); return 0;
            case ICollection c: return c.Count;
            case PyRange r: return r.Count;
            case JsonElement { ValueKind: JsonValueKind.Array } ja: return ja.GetArrayLength();
            case JsonElement { ValueKind: JsonValueKind.Object } jo: return jo.EnumerateObject().Count();
            case null: throw new TemplateRuntimeException("object of type 'NoneType' has no len()", ErrorCodes.TypeError);
        }
        if (v is IReadOnlyCollection<object?> roc) return roc.Count;
        if (GenericMaps.TryCount(v, out var n)) return n;
        if (v is IEnumerable e and not KidaCallable) return Guard.Bounded(e).Count();
        throw new TemplateRuntimeException($"object of type '{Values.TypeName(v)}' has no len()", ErrorCodes.TypeError);
    }
}
