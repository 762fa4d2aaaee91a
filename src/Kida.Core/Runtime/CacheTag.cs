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
    /// finally: it fails the hand-over when the body threw or jumped out).
    /// </summary>
    public static FragmentPending Begin(RenderState rs, FragmentSite site, string key, object? ttl, string[]? tags)
    {
        var store = rs.Host.FragmentStore!;
        var seconds = FragmentCache.TtlSeconds(ttl) ?? rs.Host.Fragments.DefaultTtl.TotalSeconds;
        var pending = new FragmentPending();
        // a zero ttl keeps nothing: render every time
        if (seconds <= 0) return pending;
        var entry = new FragmentEntry(site.TemplateName, site.BlockName, key, TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2)), tags ?? []);
        // the same fragment inside its own body (an include of itself): waiting for it would wait for ourselves
        if (!FragmentPending.Enter(entry)) return pending;
        pending.Entry = entry;
        try
        {
            return Lookup(rs, store, entry, pending);
        }
        catch
        {
            pending.Leave();
            throw;
        }
    }

    private static FragmentPending Lookup(RenderState rs, IFragmentStore store, FragmentEntry entry, FragmentPending pending)
    {
        ValueTask<string> lookup;
        try
        {
            lookup = store.GetOrRenderAsync(entry, pending.RenderAsync, rs.CancellationToken);
        }
        catch (Exception) when (!rs.CancellationToken.IsCancellationRequested)
        {
            return pending; // the store failed at once: render the body, store nothing
        }
        if (lookup.IsCompletedSuccessfully && !pending.Requested.IsCompleted)
        {
            pending.Served(lookup.Result);
            return pending;
        }
        var task = lookup.AsTask();
        // the one place a render waits: a fragment not in process memory (a round trip to a shared cache) or one that
        // another request is rendering right now
        if (!pending.Requested.IsCompleted && !task.IsCompleted
            && Task.WaitAny(new[] { task, pending.Requested }, Milliseconds(store.WaitTimeout), rs.CancellationToken) < 0)
        {
            // waited long enough (a slow cache, or renders waiting for each other): render it here; a late request for
            // the body gets this render's text (End) or a cancellation (Abandon)
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return pending;
        }
        if (pending.Requested.IsCompleted) return pending;
        if (task.IsCompletedSuccessfully)
        {
            pending.Served(task.Result);
            return pending;
        }
        _ = task.Exception; // observed: the store reported (or logged) its own failure
        rs.CancellationToken.ThrowIfCancellationRequested();
        return pending; // the store failed before asking for the body: render it, store nothing
    }

    private static int Milliseconds(TimeSpan timeout) =>
        timeout <= TimeSpan.Zero ? 0 : (int)Math.Min(timeout.TotalMilliseconds, int.MaxValue - 1);

    /// <summary>The body rendered: hands the text to the store (when it asked for it) and returns it.</summary>
    public static string End(FragmentPending pending, string text)
    {
        pending.Complete(text);
        return text;
    }

    /// <summary>In the finally after the body: cancels the hand-over if <see cref="End"/> did not run.</summary>
    public static void Abandon(FragmentPending pending) => pending.Abandon();
}

/// <summary>Where a <c>{% cache %}</c> tag is: its template and the block it is in (a constant of the compiled code).</summary>
internal sealed class FragmentSite(string templateName, string blockName)
{
    public string TemplateName { get; } = templateName;
    public string BlockName { get; } = blockName;
}

/// <summary>One <c>{% cache %}</c> lookup in an <see cref="IFragmentStore"/>, between <see cref="CacheTag.Begin"/> and <see cref="CacheTag.End"/>.</summary>
internal sealed class FragmentPending
{
    // the fragments this thread is rendering for a store (renders are synchronous: one thread renders a body)
    [ThreadStatic] private static List<FragmentEntry>? t_rendering;

    private readonly TaskCompletionSource _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _rendered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;

    /// <summary>The stored text; null when the body must render.</summary>
    public string? Text { get; private set; }

    public FragmentEntry? Entry { get; set; }

    /// <summary>Completes when the store asked for the body.</summary>
    public Task Requested => _requested.Task;

    public static bool Enter(FragmentEntry entry)
    {
        var list = t_rendering ??= new List<FragmentEntry>(2);
        foreach (var e in list)
            if (e.Key == entry.Key && e.TemplateName == entry.TemplateName && e.BlockName == entry.BlockName) return false;
        list.Add(entry);
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

    public void Served(string? text)
    {
        Text = text;
        Leave();
    }

    public void Complete(string text)
    {
        _rendered.TrySetResult(text);
        Leave();
    }

    public void Abandon()
    {
        // only a store that asked for the body waits for it
        // cancelled, not failed: a store that asked for the body (now or later) sees that it will not come
        _rendered.TrySetCanceled();
        Leave();
    }

    public void Leave()
    {
        if (Entry is null || t_rendering is not { } list) return;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (!ReferenceEquals(list[i], Entry)) continue;
            list.RemoveAt(i);
            break;
        }
        Entry = null;
    }
}
