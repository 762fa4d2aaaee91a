namespace Kida;

/// <summary>
/// Where <c>{% cache %}</c> keeps its fragments when they should outlive one environment or be shared between servers
/// (<see cref="KidaOptions.FragmentStore"/>). Without one, an environment keeps fragments in its own memory
/// (<see cref="KidaOptions.FragmentCacheSize"/>). Kida.AspNetCore provides one over <c>HybridCache</c>.
/// </summary>
/// <remarks>
/// Rendering is synchronous: a <c>{% cache %}</c> tag calls <see cref="GetOrRenderAsync"/> and, when the returned task
/// is already complete (a fragment in process memory), writes its text without waiting. Otherwise an asynchronous render
/// (<c>RenderAsync</c>) awaits the task as one of its await points (the render is replayed once it completes, and finds
/// the lookup where it left it), and a synchronous render waits on its thread, at most <see cref="WaitTimeout"/>. When
/// the store calls <c>render</c>, the rendering thread renders the fragment's body itself (with the render's own
/// variables) and completes the task <c>render</c> returned. A store that fails, or completes with an exception, before
/// calling <c>render</c> makes the tag render its body without storing it: a broken store never breaks a page.
/// </remarks>
public interface IFragmentStore
{
    /// <summary>
    /// Returns the fragment stored for <paramref name="entry"/>, or calls <paramref name="render"/> (at most once, and
    /// only before the returned task completes), stores what it produces for <see cref="FragmentEntry.TimeToLive"/>
    /// under <see cref="FragmentEntry.Tags"/>, and returns it. Concurrent calls for one entry should share one render.
    /// </summary>
    /// <param name="entry">The fragment: template, block, key, time to live and tags.</param>
    /// <param name="render">Renders the fragment's body on the waiting thread; its task completes with the text, or fails
    /// or is cancelled when the body did.</param>
    /// <param name="cancellationToken">The render's token.</param>
    ValueTask<string> GetOrRenderAsync(FragmentEntry entry, Func<CancellationToken, ValueTask<string>> render, CancellationToken cancellationToken);

    /// <summary>
    /// How long a render waits for <see cref="GetOrRenderAsync"/> (before it calls <c>render</c>) until it renders the
    /// fragment itself without storing it. Default 10 seconds.
    /// </summary>
    TimeSpan WaitTimeout => TimeSpan.FromSeconds(10);

    /// <summary>Forgets every fragment stored with one of <paramref name="tags"/> (<c>depends=</c> values).</summary>
    ValueTask InvalidateTagsAsync(IReadOnlyCollection<string> tags, CancellationToken cancellationToken);
}

/// <summary>A <c>{% cache %}</c> fragment as a <see cref="IFragmentStore"/> sees it.</summary>
public sealed class FragmentEntry
{
    internal FragmentEntry(string templateName, string blockName, string key, TimeSpan timeToLive, IReadOnlyList<string> tags)
    {
        TemplateName = templateName;
        BlockName = blockName;
        Key = key;
        TimeToLive = timeToLive;
        Tags = tags;
    }

    /// <summary>The name of the template the <c>{% cache %}</c> tag is in.</summary>
    public string TemplateName { get; }

    /// <summary>The block, region or def the tag is in; empty at the top level of the template.</summary>
    public string BlockName { get; }

    /// <summary>The tag's key expression as a string (<c>str(key)</c>); it may come from request data.</summary>
    public string Key { get; }

    /// <summary>How long the fragment may be kept: the tag's <c>ttl=</c>, or <see cref="KidaOptions.FragmentTtl"/>.</summary>
    public TimeSpan TimeToLive { get; }

    /// <summary>The fragment's tags: its <c>depends=</c> values as strings (a list gives one tag per item), without duplicates.</summary>
    public IReadOnlyList<string> Tags { get; }
}
