using System.Collections;
using Kida.Common;

namespace Kida.Runtime;

/// <summary>
/// Helpers of <c>{% cache %}</c>: fragment keys and tags, reads and stores in the environment's own fragment cache, and
/// the hand-over with an <see cref="IFragmentStore"/> (<see cref="Begin"/>, <see cref="End"/>, <see cref="Abandon"/>).
/// </summary>
internal static class CacheTag
{
    /// <summary>The most <c>depends=</c> tags one fragment may have.</summary>
    public const int MaxTags = 32;

    /// <summary>The longest tag, in characters.</summary>
    public const int MaxTagLength = 256;

    public static string FragmentKey(object? key)
    {
        if (key is Undefined u) u.Use();
        return PyString.Str(key);
    }

    public static string? FragmentGet(RenderState rs, string key) =>
        rs.Host.Fragments.TryGet(key, out var text) ? text : null;

    public static string FragmentStore(RenderState rs, string key, string text, object? ttl) =>
        rs.Host.Fragments.Store(key, text, ttl);

    public static string FragmentStoreTagged(RenderState rs, string key, string text, object? ttl, string[]? tags) =>
        rs.Host.Fragments.Store(key, text, ttl, tags);

    /// <summary>
    /// The tags of the <c>depends=</c> values: a string is one tag, a list or tuple one tag per item, None nothing, any
    /// other value its <c>str()</c>. Duplicates and blank tags are dropped; null when there are none.
    /// </summary>
    public static string[]? Tags(object?[] values)
    {
        List<string>? tags = null;
        foreach (var raw in values)
        {
            var value = Values.Unwrap(raw);
            switch (value)
            {
                case Undefined u:
                    u.Use();
                    continue;
                case null:
                    continue;
                case string or Markup:
                    Add(ref tags, PyString.Str(value));
                    continue;
            }
            if (value is IEnumerable && !Values.IsMapping(value))
            {
                var count = 0;
                foreach (var item in Iteration.Iterate(value))
                {
                    if (++count > MaxTags) throw TooMany();
                    if (item is Undefined iu) iu.Use();
                    else if (item is not null) Add(ref tags, PyString.Str(item));
                }
                continue;
            }
            Add(ref tags, PyString.Str(value));
        }
        return tags?.ToArray();
    }

    private static void Add(ref List<string>? tags, string tag)
    {
        if (string.IsNullOrWhiteSpace(tag)) return;
        if (tag.Length > MaxTagLength)
            throw new TemplateRuntimeException($"A cache tag is {tag.Length} characters long; at most {MaxTagLength} are allowed", ErrorCodes.CacheTagLimit);
        tags ??= new List<string>(2);
        if (tags.Contains(tag, StringComparer.Ordinal)) return;
        if (tags.Count == MaxTags) throw TooMany();
        tags.Add(tag);
    }

    private static TemplateRuntimeException TooMany() =>
        new($"A cache fragment has more than {MaxTags} depends= tags", ErrorCodes.CacheTagLimit);

    /// <summary>
    /// Asks the environment's <see cref="IFragmentStore"/> for a fragment. The result either carries the stored text, or
    /// tells the caller to render the body and hand the text to <see cref="End"/> (then <see cref="Abandon"/> in a
    /// finally: it cancels the hand-over when the body threw or jumped out).
    /// </summary>
    /// <remarks>
    /// A lookup that does not complete at once is waited for. In an asynchronous render (<c>RenderAsync</c>) that is an
    /// await point: the attempt unwinds, the render's driver awaits without holding a thread, and the replay finds this
    /// lookup memoized here (<see cref="FragmentPending.Resume"/>). A synchronous render (or one that used half of
    /// <see cref="KidaLimits.MaxAsyncWaits"/>) blocks its thread for it, at most <see cref="IFragmentStore.WaitTimeout"/>.
    /// </remarks>
    public static FragmentPending Begin(RenderState rs, FragmentSite site, string key, object? ttl, string[]? tags)
    {
        var store = rs.Host.FragmentStore!;
        var seconds = FragmentCache.TtlSeconds(ttl) ?? rs.Host.Fragments.DefaultTtl.TotalSeconds;
        // a zero ttl keeps nothing: render every time
        if (seconds <= 0) return new FragmentPending(store.WaitTimeout);
        var point = -1;
        if (rs.Async is not null)
        {
            point = AsyncValues.Enter(rs, out var memoized, out var memo);
            if (memoized && memo is FragmentPending earlier) return earlier.Resume();
        }
        var pending = new FragmentPending(store.WaitTimeout)
        {
            Entry = new FragmentEntry(site.TemplateName, site.BlockName, key, TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2)), tags ?? []),
        };
        // the same fragment inside its own body (an include of itself): waiting for it would wait for ourselves
        if (pending.Guard())
        {
            try
            {
                Lookup(rs, store, pending, point);
            }
            catch
            {
                pending.Leave();
                throw;
            }
        }
        if (point >= 0) AsyncValues.Resolve(rs, point, pending, WaitWhat);
        return pending;
    }

    private const string WaitWhat = "a {% cache %} fragment";

    private static void Lookup(RenderState rs, IFragmentStore store, FragmentPending pending, int point)
    {
        ValueTask<string> lookup;
        try
        {
            lookup = store.GetOrRenderAsync(pending.Entry!, pending.RenderAsync, rs.CancellationToken);
        }
        catch (Exception) when (!rs.CancellationToken.IsCancellationRequested)
        {
            return; // the store failed at once: render the body, store nothing
        }
        if (lookup.IsCompletedSuccessfully && !pending.Requested.IsCompleted)
        {
            pending.Served(lookup.Result);
            return;
        }
        var task = pending.Lookup = lookup.AsTask();
        if (!pending.Requested.IsCompleted && !task.IsCompleted)
        {
            if (point >= 0 && rs.Async is { } run && run.Waits < run.Limits.MaxAsyncWaits / 2)
            {
                // an asynchronous render: unwind, let the driver await (no thread held), resume in the replay
                pending.Leave();
                AsyncValues.Resolve(rs, point, pending.WhenReady(task), WaitWhat);
            }
            // the one place a synchronous render waits: a fragment not in process memory (a round trip to a shared
            // cache) or one that another request is rendering right now
            else if (Task.WaitAny(new[] { task, pending.Requested }, Milliseconds(store.WaitTimeout), rs.CancellationToken) < 0)
            {
                // waited long enough (a slow cache, or renders waiting for each other): render it here; a late request
                // for the body gets this render's text (End) or a cancellation (Abandon)
                FragmentPending.Observe(task);
                return;
            }
        }
        pending.Settle();
        rs.CancellationToken.ThrowIfCancellationRequested();
    }

    private static int Milliseconds(TimeSpan timeout) =>
        timeout <= TimeSpan.Zero ? 0 : (int)Math.Min(timeout.TotalMilliseconds, int.MaxValue - 1);

    /// <summary>The body rendered: hands the text to the store (when it asked for it) and returns it.</summary>
    public static string End(FragmentPending pending, string text)
    {
        pending.Complete(text);
        return text;
    }

    /// <summary>The body's render unwinds to wait for a task (an asynchronous render): its replay renders it again.</summary>
    public static void Suspend(FragmentPending pending) => pending.Suspended = true;

    /// <summary>In the finally after the body: cancels the hand-over if <see cref="End"/> did not run.</summary>
    public static void Abandon(FragmentPending pending) => pending.Abandon();
}

/// <summary>Where a <c>{% cache %}</c> tag is: its template and the block it is in (a constant of the compiled code).</summary>
internal sealed class FragmentSite(string templateName, string blockName)
{
    public string TemplateName { get; } = templateName;
    public string BlockName { get; } = blockName;
}

/// <summary>
/// One <c>{% cache %}</c> lookup in an <see cref="IFragmentStore"/>, between <see cref="CacheTag.Begin"/> and
/// <see cref="CacheTag.End"/>; in an asynchronous render it is the memoized value of the tag's await point, so the
/// replays of the render share it (and its hand-over with the store).
/// </summary>
internal sealed class FragmentPending(TimeSpan waitTimeout)
{
    // the fragments this thread is rendering for a store (renders are synchronous: one thread renders a body)
    [ThreadStatic] private static List<FragmentEntry>? t_rendering;

    private readonly TaskCompletionSource _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _rendered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;
    private bool _guarded;

    /// <summary>The text to write (stored, or rendered by an earlier attempt); null when the body must render.</summary>
    public string? Text { get; private set; }

    public FragmentEntry? Entry { get; init; }

    /// <summary>The store's answer, when it did not come at once.</summary>
    public Task<string>? Lookup { get; set; }

    /// <summary>Set while the body unwinds for an asynchronous wait: the hand-over stays open for the replay.</summary>
    public bool Suspended { get; set; }

    /// <summary>Completes when the store asked for the body.</summary>
    public Task Requested => _requested.Task;

    /// <summary>Notes on this thread that the entry's body may render here; false when it is rendering already (re-entry).</summary>
    public bool Guard()
    {
        var list = t_rendering ??= new List<FragmentEntry>(2);
        foreach (var e in list)
            if (e.Key == Entry!.Key && e.TemplateName == Entry.TemplateName && e.BlockName == Entry.BlockName) return false;
        list.Add(Entry!);
        _guarded = true;
        return true;
    }

    /// <summary>The store's render callback: the rendering thread renders the body after <see cref="CacheTag.Begin"/> returns.</summary>
    public ValueTask<string> RenderAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _calls, 1) != 0)
            return ValueTask.FromException<string>(new InvalidOperationException("An IFragmentStore called render twice for one fragment"));
        _requested.TrySetResult();
        return new ValueTask<string>(_rendered.Task);
    }

    /// <summary>Completes with this lookup when the store answered, asked for the body, or took longer than its wait timeout.</summary>
    public Task<FragmentPending> WhenReady(Task<string> lookup)
    {
        // the timer goes as soon as the lookup is over (no 10-second timer left behind per lookup)
        var timer = new CancellationTokenSource();
        return Task.WhenAny(lookup, _requested.Task, Task.Delay(waitTimeout, timer.Token)).ContinueWith(static (_, state) =>
        {
            var (pending, timer) = ((FragmentPending, CancellationTokenSource))state!;
            timer.Cancel();
            timer.Dispose();
            return pending;
        }, (this, timer), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The lookup is over (or given up): the stored text, or the body renders.</summary>
    public void Settle()
    {
        if (_requested.Task.IsCompleted || Lookup is not { } task) return;
        if (task.IsCompletedSuccessfully) Served(task.Result);
        else Observe(task);
    }

    /// <summary>In a replay: where the earlier attempt left this lookup.</summary>
    public FragmentPending Resume()
    {
        if (Text is not null) return this;
        if (_requested.Task.IsCompleted)
        {
            // the store waits for the body: it renders in this attempt (unless it is rendering on this thread already)
            if (!_rendered.Task.IsCompleted && Entry is not null) Guard();
            return this;
        }
        Settle();
        return this;
    }

    public void Served(string? text)
    {
        Text = text;
        Leave();
    }

    public void Complete(string text)
    {
        _rendered.TrySetResult(text);
        // a replay writes what this attempt wrote
        Text = text;
        Suspended = false;
        Leave();
    }

    public void Abandon()
    {
        Leave();
        if (_rendered.Task.IsCompleted) return;
        if (Suspended)
        {
            // the replay renders the body and completes the hand-over; if no replay comes, give up after the wait timeout
            Suspended = false;
            _ = Task.Delay(waitTimeout).ContinueWith(static (_, state) => ((TaskCompletionSource<string>)state!).TrySetCanceled(), _rendered,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return;
        }
        // cancelled, not failed: a store that asked for the body (now or later) sees that it will not come
        _rendered.TrySetCanceled();
    }

    public void Leave()
    {
        if (!_guarded || t_rendering is not { } list) return;
        _guarded = false;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (!ReferenceEquals(list[i], Entry)) continue;
            list.RemoveAt(i);
            break;
        }
    }

    /// <summary>Observes a store task nobody awaits any more (the store reported its own failure).</summary>
    public static void Observe(Task task) =>
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
