using System.Collections.Concurrent;
using Kida.AspNetCore.Caching;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Kida.AspNetCore.Tests;

/// <summary>
/// The keys the HybridCache fragment store writes (issue 17 item 5, hostile input): scoped by template and block,
/// length-prefixed and hashed, so keys from data cannot collide across templates or smuggle anything into the cache.
/// </summary>
public sealed class CachingKeyTests
{
    /// <summary>Records what <c>{% cache %}</c> asks of a store, and renders every fragment.</summary>
    private sealed class Recorder : IFragmentStore
    {
        public ConcurrentQueue<FragmentEntry> Entries { get; } = new();

        public ValueTask<string> GetOrRenderAsync(FragmentEntry entry, Func<CancellationToken, ValueTask<string>> render, CancellationToken cancellationToken)
        {
            Entries.Enqueue(entry);
            return render(cancellationToken);
        }

        public ValueTask InvalidateTagsAsync(IReadOnlyCollection<string> tags, CancellationToken cancellationToken) => default;
    }

    private static FragmentEntry[] EntriesOf(Dictionary<string, string> templates, object? model = null)
    {
        var recorder = new Recorder();
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(templates), FragmentStore = recorder });
        foreach (var name in templates.Keys) env.GetTemplate(name).Render(model);
        return recorder.Entries.ToArray();
    }

    private static HybridFragmentStore Store(HybridCache? cache = null) =>
        new(cache ?? new ServiceCollection().AddHybridCache().Services.BuildServiceProvider().GetRequiredService<HybridCache>(),
            new KidaFragmentCacheOptions(), NullLogger.Instance);

    private static string KeyOf(HybridFragmentStore store, FragmentEntry e) =>
        store.FragmentKey(e, e.Tags.Order(StringComparer.Ordinal).ToArray(), e.Tags.Select(_ => "0").ToArray());

    [Fact]
    public void Splits_of_the_same_characters_give_different_keys()
    {
        var entries = EntriesOf(new()
        {
            ["t.html"] = "{% block b %}{% cache 'c' %}1{% end %}{% end %}{% cache 'bc' %}2{% end %}{% cache '' %}3{% end %}",
            ["t.htmlb"] = "{% cache 'c' %}4{% end %}",
            ["u.html"] = "{% cache 'c' %}5{% end %}",
        });
        var store = Store();
        var keys = entries.Select(e => KeyOf(store, e)).ToList();
        Assert.Equal(5, keys.Count);
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [Fact]
    public void Keys_from_data_are_hashed_to_a_fixed_printable_length()
    {
        var hostile = "\0\r\nDEL *\u001b[31m" + new string('x', 100_000) + "\ud800";
        var entry = EntriesOf(new() { ["p.html"] = "{% cache key, depends=key[:200] %}x{% end %}" }, new { key = hostile }).Single();
        Assert.Equal(hostile, entry.Key);
        var store = Store();
        var key = KeyOf(store, entry);
        Assert.Matches("^kida:fragment:[0-9a-f]{64}$", key);
        Assert.Matches("^kida:tag:[0-9a-f]{64}$", store.GenerationKey(entry.Tags.Single()));
    }

    [Fact]
    public async Task The_same_key_in_two_templates_is_two_fragments_in_HybridCache()
    {
        var services = new ServiceCollection().AddHybridCache().Services.BuildServiceProvider();
        var env = new KidaEnvironment(new KidaOptions
        {
            Loader = new DictLoader(new Dictionary<string, string>
            {
                ["a.html"] = "{% cache 'k' %}A{{ n }}{% end %}",
                ["b.html"] = "{% cache 'k' %}B{{ n }}{% end %}",
            }),
            FragmentStore = Store(services.GetRequiredService<HybridCache>()),
        });
        Assert.Equal("A1", env.GetTemplate("a.html").Render(new { n = 1 }));
        Assert.Equal("B2", env.GetTemplate("b.html").Render(new { n = 2 }));
        await Task.Yield();
        Assert.Equal("A1", env.GetTemplate("a.html").Render(new { n = 3 }));
        Assert.Equal("B2", env.GetTemplate("b.html").Render(new { n = 4 }));
    }

    [Fact]
    public async Task Many_threads_rendering_many_fragments_each_get_their_own_text_and_each_fragment_renders_once()
    {
        const int keys = 20;
        var renders = new int[keys];
        var services = new ServiceCollection().AddHybridCache().Services.BuildServiceProvider();
        var env = new KidaEnvironment(new KidaOptions
        {
            Loader = new DictLoader(new Dictionary<string, string>
            {
                ["p.html"] = "<{{ n }}:{% cache 'k' ~ n, depends='t' ~ (n % 3) %}[{{ count(n) }}|{{ n * 7 }}]{% end %}>",
            }),
            FragmentStore = Store(services.GetRequiredService<HybridCache>()),
            Globals = new Dictionary<string, object?> { ["count"] = new Func<int, int>(n => Interlocked.Increment(ref renders[n])) },
        });
        var template = env.GetTemplate("p.html");
        var failures = new ConcurrentQueue<string>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                var n = (i * 7 + t) % keys;
                var text = template.Render(new { n });
                if (text != $"<{n}:[1|{n * 7}]>") failures.Enqueue(text);
            }
        })));
        Assert.Empty(failures);
        Assert.All(renders, r => Assert.Equal(1, r));
    }
}
