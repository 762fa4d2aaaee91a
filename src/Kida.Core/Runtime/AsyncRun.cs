using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Kida.Runtime;

/// <summary>
/// One asynchronous render (<c>RenderAsync</c>) across its attempts ("replay"). The compiled template runs
/// synchronously; at an await point (<see cref="AsyncValues"/>) whose task is still running, the attempt records the
/// task and unwinds (<see cref="AsyncPendingSignal"/>), the render waits for the task truly asynchronously
/// (<see cref="WaitAsync"/>) and renders again from the start. Await points are numbered in the order an attempt reaches
/// them; a point an earlier attempt resolved returns its memoized result without evaluating its operand again (a
/// method that returns a new task per call runs once per render), and <c>async for</c> replays the items it buffered.
/// The output of an abandoned attempt is discarded. A point reached at another source position than before (a template
/// whose path depends on something other than its data) drops the memo from there on.
/// </summary>
internal sealed class AsyncRun : IAsyncDisposable
{
    private struct Slot
    {
        public int Pos;
        public bool Has;
        public object? Value;
        // a task this render waited for, not resolved yet (the next attempt resolves it where it is awaited)
        public Task? Awaited;
        public string? What;
        // how many points the operand of this one numbered: a later attempt that skips the operand skips them too
        public int Skip;
    }

    private Slot[] _memo = new Slot[8];
    private int _next;
    private Task? _pending;
    private int _pendingPoint;
    private int _pendingSkip;
    private string? _pendingWhat;
    private AsyncSource? _pendingSource;
    private int _pendingPos;
    private CompiledTemplate? _pendingTemplate;
    private readonly List<AsyncSource> _sources = [];
    private readonly long _started = System.Environment.TickCount64;
    private int _waits;

    public AsyncRun(KidaLimits limits, CancellationToken cancellationToken)
    {
        Limits = limits;
        CancellationToken = cancellationToken;
    }

    public KidaLimits Limits { get; }
    public CancellationToken CancellationToken { get; }

    /// <summary>The result of the memoized point entered last (read right after <see cref="Enter"/>).</summary>
    public object? LastMemo;

    /// <summary>How many times this render waited for a task (each wait is followed by one more attempt).</summary>
    public int Waits => _waits;

    /// <summary>Starts an attempt: the points are numbered from zero again.</summary>
    public void BeginAttempt()
    {
        CheckTime();
        _next = 0;
        _callNext = 0;
        _pending = null;
        _pendingSource = null;
        LastMemo = null;
    }

    /// <summary>
    /// Numbers the next await point. <paramref name="memoized"/>: an earlier attempt got this point's result (then
    /// <paramref name="value"/>), or waited for its task (then <paramref name="awaited"/>, to be resolved here).
    /// </summary>
    public int Enter(int pos, out bool memoized, out object? value, out Task? awaited, out string? what)
    {
        awaited = null;
        what = null;
        var i = _next++;
        if (i >= _memo.Length) Array.Resize(ref _memo, Math.Max(_memo.Length * 2, i + 1));
        ref var slot = ref _memo[i];
        if (slot.Has && slot.Pos == pos)
        {
            memoized = true;
            value = LastMemo = slot.Value;
            awaited = slot.Awaited;
            what = slot.What;
            _next += slot.Skip;
            return i;
        }
        if (slot.Has)
        {
            // another path than the attempt before: nothing memoized from here on belongs to this one
            for (var j = i; j < _memo.Length; j++) _memo[j] = default;
        }
        slot.Pos = pos;
        memoized = false;
        value = null;
        return i;
    }

    public void Memoize(int point, object? value)
    {
        ref var slot = ref _memo[point];
        slot.Has = true;
        slot.Value = value;
        slot.Awaited = null;
        slot.What = null;
        slot.Skip = _next - point - 1;
    }

    /// <summary>Records the running task the attempt stops at (the caller throws the signal).</summary>
    public void Suspend(RenderState rs, int point, Task task, string what)
    {
        _pending = task;
        _pendingPoint = point;
        _pendingWhat = what;
        _pendingSkip = _next - point - 1;
        _pendingSource = null;
        NotePosition(rs);
    }

    /// <summary>Records an <c>async for</c> whose next item is not there yet.</summary>
    public void Suspend(RenderState rs, AsyncSource source)
    {
        _pending = null;
        _pendingSource = source;
        NotePosition(rs);
    }

    private void NotePosition(RenderState rs)
    {
        _pendingPos = rs.Pos;
        _pendingTemplate = rs.Current;
    }

    public void Register(AsyncSource source) => _sources.Add(source);

    // the journal of calls into .NET code with possible side effects (model methods, global functions, list and dict
    // mutators), in the order an attempt makes them: a later attempt that makes the same call on the same object with
    // equal arguments takes the recorded result instead of calling again, so such effects happen once per render
    private sealed class Call(object? target, object method, object?[] args)
    {
        public readonly object? Target = target;
        public readonly object Method = method;
        public readonly object?[] Args = args;
        public bool Done;
        public object? Result;
    }

    private readonly List<Call> _calls = [];
    private int _callNext;

    /// <summary>
    /// Journals a call: true with the recorded <paramref name="result"/> when an earlier attempt made the same call here;
    /// otherwise the index to pass to <see cref="Journaled"/> once the call returned.
    /// </summary>
    public bool TryReplayCall(object? target, object method, object?[] args, out int index, out object? result)
    {
        index = _callNext++;
        result = null;
        if (index < _calls.Count)
        {
            var call = _calls[index];
            if (call.Done && ReferenceEquals(call.Target, target) && Equals(call.Method, method) && SameArgs(call.Args, args))
            {
                result = call.Result;
                return true;
            }
            // another call than before (a list the template created is a new object on every attempt): made again
            _calls[index] = new Call(target, method, args);
            return false;
        }
        _calls.Add(new Call(target, method, args));
        return false;
    }

    public void Journaled(int index, object? result)
    {
        if (index >= _calls.Count) return;
        _calls[index].Result = result;
        _calls[index].Done = true;
    }

    private static bool SameArgs(object?[] a, object?[] b)
    {
        if (a.Length != b.Length) return false;
        for (var i = 0; i < a.Length; i++)
        {
            if (ReferenceEquals(a[i], b[i]) || Equals(a[i], b[i])) continue;
            try
            {
                if (!Comparison.Eq(a[i], b[i])) return false;
            }
            catch (Exception ex) when (ex is TemplateException or InvalidOperationException or ArgumentException)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Waits, without blocking a thread, for what the last attempt stopped at: a task, or the next items of an
    /// <c>async for</c>. Bounded by <see cref="KidaLimits.MaxAsyncWaits"/>, <see cref="KidaLimits.RenderTimeout"/>
    /// (over the whole render, waits included) and the render's cancellation. A task that fails is not reported here:
    /// the next attempt reaches it and reports it where the template awaits it.
    /// </summary>
    public async ValueTask WaitAsync()
    {
        if (++_waits > Limits.MaxAsyncWaits)
            throw Located(RenderState.LimitExceeded(ErrorCodes.AsyncWaitLimit,
                $"The render waited for tasks more than Limits.MaxAsyncWaits ({Limits.MaxAsyncWaits}) times"));
        if (_pendingSource is { } source)
        {
            await source.FetchAsync(this).ConfigureAwait(false);
            return;
        }
        if (_pending is { } task)
        {
            await WaitForAsync(task).ConfigureAwait(false);
            // the next attempt takes the task's outcome at this point instead of evaluating its operand again
            ref var slot = ref _memo[_pendingPoint];
            slot.Has = true;
            slot.Value = null;
            slot.Awaited = task;
            slot.What = _pendingWhat;
            slot.Skip = _pendingSkip;
        }
    }

    /// <summary>Waits for <paramref name="task"/> within the time left; its own failure is left for the render to report.</summary>
    internal async ValueTask WaitForAsync(Task task)
    {
        try
        {
            await task.WaitAsync(Remaining(), CancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw TimedOut();
        }
        catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception) when (task.IsCompleted)
        {
            // faulted or cancelled: the next attempt reports it at its await point
        }
    }

    private TimeSpan Remaining()
    {
        if (Limits.RenderTimeout is not { } timeout) return Timeout.InfiniteTimeSpan;
        var left = timeout - TimeSpan.FromMilliseconds(System.Environment.TickCount64 - _started);
        if (left <= TimeSpan.Zero) throw TimedOut();
        return left;
    }

    private void CheckTime() => _ = Remaining();

    private TemplateException TimedOut() =>
        Located(RenderState.LimitExceeded(ErrorCodes.TimeLimit,
            $"Render time exceeds Limits.RenderTimeout ({Limits.RenderTimeout!.Value.TotalSeconds:0.###} s) while waiting for a task"));

    private TemplateException Located(TemplateException ex) =>
        _pendingTemplate is null ? ex : _pendingTemplate.Source.WithPosition(ex, _pendingPos);

    public async ValueTask DisposeAsync()
    {
        foreach (var source in _sources)
        {
            try { await source.DisposeAsync().ConfigureAwait(false); }
            catch (Exception) { /* an enumerator failing to dispose does not fail a finished render */ }
        }
        _sources.Clear();
    }
}

/// <summary>
/// The source of an <c>{% async for %}</c>: an <see cref="IAsyncEnumerable{T}"/> (or, leniently, any iterable), read one
/// item at a time. The items read so far are kept, so that the attempts of an asynchronous render replay them; the
/// enumerator lives as long as the render (disposed at its end; at the loop's end in a synchronous render).
/// </summary>
internal sealed class AsyncSource : IAsyncDisposable
{
    /// <summary>What <see cref="Next"/> returns after the last item.</summary>
    public static readonly object End = new();

    private readonly IAsyncEnumerator<object?>? _typed;
    private readonly object? _untyped;
    private readonly MethodInfo? _moveNext;
    private readonly PropertyInfo? _current;
    private readonly IEnumerator<object?>? _sync;
    private readonly string _what;
    private readonly List<object?> _items = [];
    private bool _done;
    private Exception? _fault;
    private Task<bool>? _move;
    private int _batch = 1;

    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2075:GetInterfaces", Justification = TrimReasons.ImplementedInstantiation)]
    [UnconditionalSuppressMessage("AotAnalysis", "IL3050:MakeGenericType", Justification = TrimReasons.ImplementedInstantiation)]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicMethods, typeof(IAsyncEnumerable<>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.PublicProperties, typeof(IAsyncEnumerator<>))]
    private AsyncSource(object source, string what, CancellationToken token)
    {
        _what = what;
        if (source is IAsyncEnumerable<object?> typed)
        {
            _typed = typed.GetAsyncEnumerator(token);
            return;
        }
        var iface = source.GetType().GetInterfaces()
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>));
        if (iface is not null)
        {
            _untyped = iface.GetMethod(nameof(IAsyncEnumerable<int>.GetAsyncEnumerator))!.Invoke(source, [token]);
            var enumerator = typeof(IAsyncEnumerator<>).MakeGenericType(iface.GetGenericArguments()[0]);
            _moveNext = enumerator.GetMethod(nameof(IAsyncEnumerator<int>.MoveNextAsync));
            _current = enumerator.GetProperty(nameof(IAsyncEnumerator<int>.Current));
            return;
        }
        _sync = Iteration.GetIterator(source);
    }

    /// <summary>
    /// The source of an <c>async for</c> over <paramref name="value"/> at await point <paramref name="point"/> (from
    /// <see cref="AsyncValues.EnterAwait"/>), memoized there so that later attempts continue with the same enumerator.
    /// </summary>
    public static AsyncSource Open(RenderState rs, int point, object? value, string what)
    {
        if (value is Undefined u) u.Use();
        if (value is null or Undefined)
            throw new TemplateRuntimeException($"'NoneType' object is not iterable ({what})", ErrorCodes.TypeError);
        if (value is Macro)
            throw new TemplateRuntimeException("Cannot iterate over a macro", ErrorCodes.MacroIteration);
        var source = new AsyncSource(value, what, rs.CancellationToken);
        if (rs.Async is { } run)
        {
            run.Register(source);
            if (point >= 0) run.Memoize(point, source);
        }
        return source;
    }

    /// <summary><see cref="Next"/> for the emitted loop.</summary>
    public static object? NextOf(RenderState rs, AsyncSource source, int index) => source.Next(rs, index);

    /// <summary>
    /// The <c>loop</c> of an <c>async for</c>, over the items the loop has accepted so far: <c>index</c>,
    /// <c>index0</c>, <c>first</c>, <c>previtem</c>, <c>cycle()</c>, <c>changed()</c> and <c>depth</c>; the members that
    /// need the length raise (the source is read lazily).
    /// </summary>
    public static LoopContext NewLoop(RenderState rs, List<object?> seen) => new(seen, 0, null, rs) { IsAsync = true };

    /// <summary>Item <paramref name="index"/> (the loop asks in order), or <see cref="End"/>.</summary>
    public object? Next(RenderState rs, int index)
    {
        while (true)
        {
            if (index < _items.Count) return _items[index];
            if (_fault is not null) throw Failed(_fault);
            if (_done) return End;
            if (_sync is not null)
            {
                Guard.CollectionLength(_items.Count + 1L);
                if (!_sync.MoveNext()) { _done = true; continue; }
                _items.Add(_sync.Current);
                continue;
            }
            // the item about to be read must fit the collection limit (an endless source stops here, or at the loop limit)
            Guard.CollectionLength(_items.Count + 1L);
            ValueTask<bool> move;
            try
            {
                move = MoveNext();
            }
            catch (OperationCanceledException) when (rs.CancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is not TemplateException)
            {
                throw Failed(ex);
            }
            if (move.IsCompleted)
            {
                bool more;
                try
                {
                    more = move.GetAwaiter().GetResult(); // completed: no wait
                }
                catch (OperationCanceledException) when (rs.CancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception ex) when (ex is not TemplateException)
                {
                    throw Failed(ex);
                }
                if (more) _items.Add(CurrentItem());
                else _done = true;
                continue;
            }
            _move = move.AsTask();
            if (rs.Async is not { } run)
                throw new TemplateRuntimeException(
                    $"The next item of {_what} is not ready: a synchronous render cannot wait for it",
                    ErrorCodes.PendingTask, null, "Render with RenderAsync, which awaits the items of an async for.");
            run.Suspend(rs, this);
            throw new AsyncPendingSignal();
        }
    }

    private ValueTask<bool> MoveNext() =>
        _typed is not null ? _typed.MoveNextAsync() : (ValueTask<bool>)_moveNext!.Invoke(_untyped, null)!;

    // items are kept as the source gives them (a for loop does not convert its items either)
    private object? CurrentItem() => _typed is not null ? _typed.Current : _current!.GetValue(_untyped);

    private Exception Failed(Exception ex)
    {
        if (ex is TargetInvocationException { InnerException: { } inner }) ex = inner;
        return ex as TemplateException ?? new TemplateRuntimeException($"{_what} failed: {ex.Message}", ErrorCodes.Runtime, ex);
    }

    /// <summary>
    /// Waits for the item the last attempt stopped at, then reads ahead (1, 2, 4… items more per wait, so a long
    /// sequence needs few attempts; bounded by <see cref="KidaLimits.MaxCollectionLength"/>). A failure is kept and
    /// reported by the attempt that reaches it.
    /// </summary>
    public async ValueTask FetchAsync(AsyncRun run)
    {
        var ahead = _batch;
        _batch = Math.Min(_batch * 2, 1024);
        var first = true;
        while (!_done && _fault is null)
        {
            var move = _move ?? MoveNextSafely();
            _move = null;
            if (move is null) return;
            await run.WaitForAsync(move).ConfigureAwait(false);
            if (move.IsFaulted || move.IsCanceled)
            {
                run.CancellationToken.ThrowIfCancellationRequested();
                _fault = move.IsFaulted ? move.Exception!.InnerExceptions[0] : new TaskCanceledException(move);
                return;
            }
            if (!move.Result) { _done = true; return; } // completed: no wait
            try
            {
                _items.Add(CurrentItem());
            }
            catch (Exception ex) when (ex is not TemplateException)
            {
                _fault = ex;
                return;
            }
            if (!first && --ahead <= 0) return;
            first = false;
            // reading ahead stops at the collection limit: the attempt that needs more reports it
            if (_items.Count >= run.Limits.MaxCollectionLength) return;
        }
    }

    private Task<bool>? MoveNextSafely()
    {
        try
        {
            return MoveNext().AsTask();
        }
        catch (Exception ex) when (ex is not TemplateException)
        {
            _fault = ex;
            return null;
        }
    }

    /// <summary>
    /// Ends a loop of a synchronous render: the enumerator is disposed now, or once the read a synchronous render could
    /// not wait for has finished (an enumerator is not disposed while a read is running); never waited for, never throws.
    /// </summary>
    public static void Close(RenderState rs, AsyncSource? source)
    {
        if (source is null || rs.Async is not null) return;
        if (source._move is { IsCompleted: false } running)
        {
            _ = running.ContinueWith(static (_, s) => ((AsyncSource)s!).DisposeQuietly(), source,
                CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            return;
        }
        source.DisposeQuietly();
    }

    private void DisposeQuietly()
    {
        try
        {
            var disposal = DisposeAsync();
            if (!disposal.IsCompleted) _ = disposal.AsTask().ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
        catch (Exception)
        {
            // disposal of a source the render is done with does not fail the render
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_typed is not null) return _typed.DisposeAsync();
        if (_untyped is IAsyncDisposable d) return d.DisposeAsync();
        _sync?.Dispose();
        return ValueTask.CompletedTask;
    }
}
