using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;

namespace Kida.AspNetCore.Caching;

/// <summary>
/// <c>{% cache %}</c> fragments in a <see cref="HybridCache"/>: its local level answers repeated requests without I/O,
/// its distributed level (Redis, SQL Server…) shares each fragment between servers, and its stampede protection makes
/// concurrent requests for one fragment on a server share one render.
/// </summary>
/// <remarks>
/// <para>Keys: <c>{prefix}fragment:</c> and the SHA-256 of the template name, the block and the key (each
/// length-prefixed, so no key from data can collide with another template's), plus the current generation of each
/// tag.</para>
/// <para>Tags: every tag has a generation, kept under <c>{prefix}tag:</c> and its SHA-256 in the cache. Invalidating a
/// tag writes a new generation, so every key that included the old one is never asked for again, on any server (a
/// server re-reads a generation after <see cref="KidaFragmentCacheOptions.TagCheckInterval"/>). <see cref="HybridCache"/>'s
/// own tags are set too, and removed (<see cref="HybridCache.RemoveByTagAsync(IEnumerable{string}, CancellationToken)"/>):
/// on its own, <c>HybridCache</c> does not tell other servers' local levels about a removed tag.</para>
/// </remarks>
internal sealed class HybridFragmentStore : IFragmentStore
{
    // a generation outlives every fragment that used it: fragment lifetimes are capped below it
    private static readonly TimeSpan s_generationLifetime = TimeSpan.FromDays(30);
    private static readonly TimeSpan s_longestFragment = TimeSpan.FromDays(29);

    private readonly HybridCache _cache;
    private readonly ILogger _logger;
    private readonly string _prefix;
    private readonly HybridCacheEntryOptions _generationRead;
    private readonly HybridCacheEntryOptions _generationWrite;

    public HybridFragmentStore(HybridCache cache, KidaFragmentCacheOptions options, ILogger logger)
    {
        _cache = cache;
        _logger = logger;
        _prefix = options.KeyPrefix;
        WaitTimeout = options.WaitTimeout;
        var local = options.TagCheckInterval;
        var noLocal = local == TimeSpan.Zero;
        // a generation is read from the distributed level ("0" when it was never invalidated) and kept locally for the
        // check interval; the "0" is never written back, so it cannot overwrite an invalidation made meanwhile
        _generationRead = new HybridCacheEntryOptions
        {
            Expiration = s_generationLifetime,
            LocalCacheExpiration = noLocal ? null : local,
            Flags = HybridCacheEntryFlags.DisableDistributedCacheWrite | (noLocal ? HybridCacheEntryFlags.DisableLocalCache : HybridCacheEntryFlags.None),
        };
        _generationWrite = new HybridCacheEntryOptions
        {
            Expiration = s_generationLifetime,
            LocalCacheExpiration = noLocal ? null : local,
            Flags = noLocal ? HybridCacheEntryFlags.DisableLocalCache : HybridCacheEntryFlags.None,
        };
    }

    public TimeSpan WaitTimeout { get; }

    public ValueTask<string> GetOrRenderAsync(FragmentEntry entry, Func<CancellationToken, ValueTask<string>> render, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(render);
        var state = new RenderState(render);
        ValueTask<string> lookup;
        try
        {
            lookup = Lookup(entry, state);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            FragmentLog.Unavailable(_logger, entry.TemplateName, entry.BlockName, ex);
            throw;
        }
        // a fragment (and its tags' generations) in the local level: complete, no waiting
        return lookup.IsCompletedSuccessfully ? lookup : GuardAsync(lookup, state, entry);
    }

    private ValueTask<string> Lookup(FragmentEntry entry, RenderState state)
    {
        var tags = entry.Tags.Count == 0 ? [] : entry.Tags.Order(StringComparer.Ordinal).ToArray();
        var generations = new string[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            var read = ReadGeneration(tags[i]);
            if (!read.IsCompletedSuccessfully) return SlowAsync(this, entry, tags, generations, i, read, state);
            generations[i] = read.Result;
        }
        return Fragment(entry, tags, generations, state);

        static async ValueTask<string> SlowAsync(HybridFragmentStore store, FragmentEntry entry, string[] tags, string[] generations, int at,
            ValueTask<string> read, RenderState state)
        {
            generations[at] = await read.ConfigureAwait(false);
            for (var i = at + 1; i < tags.Length; i++) generations[i] = await store.ReadGeneration(tags[i]).ConfigureAwait(false);
            return await store.Fragment(entry, tags, generations, state).ConfigureAwait(false);
        }
    }

    private ValueTask<string> ReadGeneration(string tag) =>
        _cache.GetOrCreateAsync(GenerationKey(tag), static _ => ValueTask.FromResult("0"), _generationRead, null, CancellationToken.None);

    private ValueTask<string> Fragment(FragmentEntry entry, string[] tags, string[] generations, RenderState state)
    {
        var ttl = entry.TimeToLive < s_longestFragment ? entry.TimeToLive : s_longestFragment;
        var options = new HybridCacheEntryOptions { Expiration = ttl, LocalCacheExpiration = ttl };
        var hybridTags = tags.Where(IsUsableHybridTag).ToArray();
        // no cancellation token: the render may be shared by other requests (the waiting render has its own token)
        return _cache.GetOrCreateAsync(FragmentKey(entry, tags, generations), state, static (s, ct) => s.RenderAsync(ct), options, hybridTags,
            CancellationToken.None);
    }

    /// <summary>Logs a cache that fails or does not answer within <see cref="WaitTimeout"/> (the render then renders the body itself).</summary>
    private async ValueTask<string> GuardAsync(ValueTask<string> lookup, RenderState state, FragmentEntry entry)
    {
        var task = lookup.AsTask();
        try
        {
            return await task.WaitAsync(WaitTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException) when (state.Called)
        {
            return await task.ConfigureAwait(false); // the body is rendering: that is not the cache being slow
        }
        catch (TimeoutException ex)
        {
            // the render stops waiting at the same moment (IFragmentStore.WaitTimeout) and renders the body itself
            FragmentLog.Slow(_logger, entry.TemplateName, entry.BlockName, WaitTimeout.TotalMilliseconds, ex);
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
        catch (Exception ex) when (!state.Called && ex is not OperationCanceledException)
        {
            // the shared cache failed (not a render): the tag renders its body without storing it
            FragmentLog.Unavailable(_logger, entry.TemplateName, entry.BlockName, ex);
            throw;
        }
    }

    public async ValueTask InvalidateTagsAsync(IReadOnlyCollection<string> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tags);
        foreach (var tag in tags)
            await _cache.SetAsync(GenerationKey(tag), Guid.NewGuid().ToString("N"), _generationWrite, null, cancellationToken).ConfigureAwait(false);
        var hybridTags = tags.Where(IsUsableHybridTag).ToArray();
        if (hybridTags.Length > 0) await _cache.RemoveByTagAsync(hybridTags, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>HybridCache rejects or reserves some tags (blank, the wildcard, control characters); Kida's generations still cover them.</summary>
    private static bool IsUsableHybridTag(string tag) => tag != "*" && !string.IsNullOrWhiteSpace(tag) && !tag.Any(char.IsControl);

    internal string GenerationKey(string tag)
    {
        var hash = new Hasher();
        hash.Part('g', tag);
        return _prefix + "tag:" + hash.Finish();
    }

    internal string FragmentKey(FragmentEntry entry, string[] tags, string[] generations)
    {
        var hash = new Hasher();
        hash.Part('t', entry.TemplateName);
        hash.Part('b', entry.BlockName);
        hash.Part('k', entry.Key);
        for (var i = 0; i < tags.Length; i++)
        {
            hash.Part('g', tags[i]);
            hash.Part('v', generations[i]);
        }
        return _prefix + "fragment:" + hash.Finish();
    }

    /// <summary>SHA-256 over length-prefixed parts: "t5:a.htm" can never be read as another split of the same characters.</summary>
    private sealed class Hasher
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public void Part(char kind, string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            _hash.AppendData(Encoding.ASCII.GetBytes(kind + bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":"));
            _hash.AppendData(bytes);
        }

        public string Finish()
        {
            var digest = _hash.GetHashAndReset();
            _hash.Dispose();
            return Convert.ToHexStringLower(digest);
        }
    }

    /// <summary>The factory's state: the tag's render callback, and whether HybridCache called it.</summary>
    private sealed class RenderState(Func<CancellationToken, ValueTask<string>> render)
    {
        public bool Called { get; private set; }

        public ValueTask<string> RenderAsync(CancellationToken cancellationToken)
        {
            Called = true;
            return render(cancellationToken);
        }
    }
}

internal static partial class FragmentLog
{
    [LoggerMessage(EventId = 40, Level = LogLevel.Warning,
        Message = "The fragment cache is unavailable for a {{% cache %}} fragment of {Template} (block '{Block}'); the fragment is rendered without it")]
    public static partial void Unavailable(ILogger logger, string template, string block, Exception exception);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning,
        Message = "The fragment cache did not answer within {Milliseconds} ms for a {{% cache %}} fragment of {Template} (block '{Block}'); the fragment is rendered without it")]
    public static partial void Slow(ILogger logger, string template, string block, double milliseconds, Exception exception);
}
