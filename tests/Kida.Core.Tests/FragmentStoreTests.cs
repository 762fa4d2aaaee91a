using System.Collections.Concurrent;
using Xunit;

namespace Kida.Core.Tests;

/// <summary>
/// <c>{% cache %}</c> with an <see cref="IFragmentStore"/> (issue 17 item 5): what the store is told, when the body
/// runs and on which thread, and that a failing store never fails a page. In compiled, interpreted and tiered modes.
/// </summary>
public class FragmentStoreTests
{
    public static IEnumerable<object[]> Modes3 => [["compiled"], ["interpreted"], ["tiered"]];

    /// <summary>A store over a dictionary; <see cref="Async"/> answers misses after a thread hop, as a distributed cache does.</summary>
    private sealed class DictStore : IFragmentStore
    {
        public ConcurrentDictionary<string, string> Stored { get; } = new();
        public ConcurrentQueue<FragmentEntry> Entries { get; } = new();
        public ConcurrentQueue<Task<string>> Renders { get; } = new();
        public ConcurrentQueue<Task<string>> Lookups { get; } = new();
        public List<IReadOnlyCollection<string>> Invalidated { get; } = [];
        public bool Async { get; init; }
        public Exception? ThrowAtOnce { get; init; }
        public Exception? FailLater { get; init; }
        public TimeSpan WaitTimeout { get; init; } = TimeSpan.FromSeconds(30);

        /// <summary>Waits for the lookups still storing what the page rendered (the store finishes after the page).</summary>
        public async Task Settle()
        {
            foreach (var task in Lookups)
            {
                try { await task; }
                catch (Exception) { }
            }
        }

        public static string KeyOf(FragmentEntry e) => $"{e.TemplateName}|{e.BlockName}|{e.Key}";

        public ValueTask<string> GetOrRenderAsync(FragmentEntry entry, Func<CancellationToken, ValueTask<string>> render, CancellationToken cancellationToken)
        {
            Entries.Enqueue(entry);
            if (ThrowAtOnce is not null) throw ThrowAtOnce;
            if (Stored.TryGetValue(KeyOf(entry), out var text)) return ValueTask.FromResult(text);
            var lookup = Async || FailLater is not null ? SlowAsync(entry, render) : RenderNow(entry, render);
            if (lookup.IsCompleted) return lookup;
            var task = lookup.AsTask();
            Lookups.Enqueue(task);
            return new ValueTask<string>(task);
        }

        private async ValueTask<string> RenderNow(FragmentEntry entry, Func<CancellationToken, ValueTask<string>> render)
        {
            var task = render(CancellationToken.None).AsTask();
            Renders.Enqueue(task);
            var text = await task;
            Stored[KeyOf(entry)] = text;
            return text;
        }

        private async ValueTask<string> SlowAsync(FragmentEntry entry, Func<CancellationToken, ValueTask<string>> render)
        {
            await Task.Yield();
            if (FailLater is not null) throw FailLater;
            return await RenderNow(entry, render);
        }

        public ValueTask InvalidateTagsAsync(IReadOnlyCollection<string> tags, CancellationToken cancellationToken)
        {
            Invalidated.Add(tags);
            foreach (var key in Stored.Keys) Stored.TryRemove(key, out _);
            return ValueTask.CompletedTask;
        }
    }

    private static KidaEnvironment Env(string mode, IFragmentStore? store, Dictionary<string, string> templates, Func<object?>? tick = null)
    {
        var count = 0;
        return new KidaEnvironment(new KidaOptions
        {
            Loader = new DictLoader(templates),
            PreferInterpretation = mode == "interpreted",
            TieredCompilation = mode == "tiered",
            FragmentStore = store,
            Globals = new Dictionary<string, object?>
            {
                ["tick"] = tick ?? (() => (object?)Interlocked.Increment(ref count)),
                ["thread"] = () => (object?)Environment.CurrentManagedThreadId,
            },
        });
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public async Task A_stored_fragment_is_written_without_running_the_body(string mode)
    {
        var store = new DictStore();
        var env = Env(mode, store, new() { ["p.html"] = "<p>{% cache 'k' %}{{ tick() }}{% end %}</p>" });
        Assert.Equal("<p>1</p>", env.GetTemplate("p.html").Render());
        await store.Settle();
        Assert.Equal("<p>1</p>", env.GetTemplate("p.html").Render());
        Assert.Single(store.Stored);
        // the environment's own memory is not used beside a store
        Assert.Equal(0, env.FragmentCount);
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public void The_store_is_told_the_template_block_key_ttl_and_tags(string mode)
    {
        var store = new DictStore();
        var env = Env(mode, store, new()
        {
            ["base.html"] = "[{% block main %}{% end %}]",
            ["page.html"] = "{% extends 'base.html' %}{% block main %}"
                + "{% cache 'item-' ~ id, ttl='2m', depends=['products', 'p' ~ id], depends='products', depends=none %}x{% end %}{% end %}",
            ["top.html"] = "{% cache 'top' %}y{% end %}",
        });
        Assert.Equal("[x]", env.GetTemplate("page.html").Render(new { id = 7 }));
        Assert.Equal("y", env.GetTemplate("top.html").Render());
        var entries = store.Entries.ToArray();
        Assert.Equal(("page.html", "main", "item-7", TimeSpan.FromMinutes(2)), (entries[0].TemplateName, entries[0].BlockName, entries[0].Key, entries[0].TimeToLive));
        Assert.Equal(["products", "p7"], entries[0].Tags);
        Assert.Equal(("top.html", "", "top", TimeSpan.FromMinutes(5)), (entries[1].TemplateName, entries[1].BlockName, entries[1].Key, entries[1].TimeToLive));
        Assert.Empty(entries[1].Tags);
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public async Task A_store_answering_later_gets_the_body_rendered_on_the_rendering_thread(string mode)
    {
        var store = new DictStore { Async = true };
        var env = Env(mode, store, new() { ["p.html"] = "{{ thread() }}|{% cache 'k' %}{{ thread() }}{% end %}|{{ tick() }}" });
        var parts = env.GetTemplate("p.html").Render().Split('|');
        await store.Settle();
        // the body ran on the thread that renders the page, with its variables, while the store awaited it
        Assert.Equal(parts[0], parts[1]);
        Assert.Equal("1", parts[2]);
        Assert.Equal(parts[1], Assert.Single(store.Stored).Value);
        Assert.Equal(parts[1], await store.Renders.Single());
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public void A_failing_store_still_renders_the_page(string mode)
    {
        foreach (var store in new[] { new DictStore { ThrowAtOnce = new InvalidOperationException("down") }, new DictStore { FailLater = new IOException("down") } })
        {
            var env = Env(mode, store, new() { ["p.html"] = "<p>{% cache 'k' %}{{ tick() }}{% end %}</p>" });
            Assert.Equal("<p>1</p>", env.GetTemplate("p.html").Render());
            Assert.Equal("<p>2</p>", env.GetTemplate("p.html").Render());
            Assert.Empty(store.Stored);
        }
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public async Task A_failing_body_cancels_the_hand_over_and_raises_its_own_error(string mode)
    {
        var store = new DictStore { Async = true };
        var env = Env(mode, store, new() { ["p.html"] = "{% cache 'k' %}{{ missing.name }}{% end %}" });
        var error = Assert.Throws<UndefinedException>(() => env.GetTemplate("p.html").Render());
        Assert.Equal(ErrorCodes.UndefinedVariable, error.Code);
        await store.Settle();
        Assert.True(store.Renders.Single().IsCanceled);
        Assert.Empty(store.Stored);
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public void The_same_fragment_inside_its_own_body_does_not_wait_for_itself(string mode)
    {
        // a store that shares one render per key: the inner lookup would wait for the outer one, which waits for it
        var store = new DictStore { Async = true, WaitTimeout = TimeSpan.FromMinutes(10) };
        var env = Env(mode, store, new()
        {
            ["p.html"] = "{% def f(n) %}{% cache 'k' %}<{{ n }}{% if n < 2 %}{{ f(n + 1) }}{% end %}>{% end %}{% end %}{{ f(0) }}",
        });
        Assert.Equal("<0<1<2>>>", env.GetTemplate("p.html").Render());
        Assert.Single(store.Entries);
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public void A_zero_ttl_renders_every_time_without_asking_the_store(string mode)
    {
        var store = new DictStore();
        var env = Env(mode, store, new() { ["p.html"] = "{% cache 'k', ttl=0 %}{{ tick() }}{% end %}" });
        Assert.Equal("1", env.GetTemplate("p.html").Render());
        Assert.Equal("2", env.GetTemplate("p.html").Render());
        Assert.Empty(store.Entries);
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public async Task InvalidateFragmentsAsync_reaches_the_store(string mode)
    {
        var store = new DictStore();
        var env = Env(mode, store, new() { ["p.html"] = "{% cache 'k', depends='products' %}{{ tick() }}{% end %}" });
        Assert.Equal("1", env.GetTemplate("p.html").Render());
        await store.Settle();
        Assert.Equal("1", env.GetTemplate("p.html").Render());
        await env.InvalidateFragmentsAsync(["products", " ", "products"]);
        Assert.Equal(["products"], Assert.Single(store.Invalidated));
        Assert.Equal("2", env.GetTemplate("p.html").Render());
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public async Task In_memory_fragments_are_invalidated_by_their_tags_only(string mode)
    {
        var env = Env(mode, null, new()
        {
            ["p.html"] = "{% cache 'a', depends=['products', 'x'] %}a{{ tick() }}{% end %}"
                + "{% cache 'b', depends='users' %}b{{ tick() }}{% end %}{% cache 'c' %}c{{ tick() }}{% end %}",
        });
        Assert.Equal("a1b2c3", env.GetTemplate("p.html").Render());
        Assert.Equal("a1b2c3", env.GetTemplate("p.html").Render());
        await env.InvalidateFragmentsAsync(["products"]);
        Assert.Equal("a4b2c3", env.GetTemplate("p.html").Render());
        await env.InvalidateFragmentsAsync(["nothing"]);
        Assert.Equal(3, env.FragmentCount);
    }

    public static IEnumerable<object[]> HostileTags =>
    [
        ["{% cache 'k', depends=range(40) %}x{% end %}"],
        ["{% cache 'k', depends=range(40)|list %}x{% end %}"],
        ["{% cache 'k', depends='t' * 257 %}x{% end %}"],
        ["{% cache 'k', depends=['a', 'b'] * 20 %}x{% end %}"],
    ];

    [Theory]
    [MemberData(nameof(HostileTags))]
    public void Too_many_or_too_long_tags_are_K_SEC_012_in_both_stores(string source)
    {
        foreach (var mode in new[] { "compiled", "interpreted" })
        {
            foreach (var store in new IFragmentStore?[] { null, new DictStore() })
            {
                var env = Env(mode, store, new() { ["p.html"] = source });
                var error = Assert.Throws<TemplateRuntimeException>(() => env.GetTemplate("p.html").Render());
                Assert.Equal(ErrorCodes.CacheTagLimit, error.Code);
                Assert.Equal(("p.html", 1), (error.TemplateName, error.Line));
            }
        }
    }

    [Fact]
    public void Thirty_two_distinct_tags_and_repeats_are_accepted()
    {
        var store = new DictStore();
        var env = Env("compiled", store, new() { ["p.html"] = "{% cache 'k', depends=range(32), depends=range(32) %}x{% end %}" });
        Assert.Equal("x", env.GetTemplate("p.html").Render());
        Assert.Equal(32, store.Entries.Single().Tags.Count);
    }

    [Fact]
    public void An_undefined_depends_value_is_an_undefined_error()
    {
        var env = Env("compiled", null, new() { ["p.html"] = "{% cache 'k', depends=nope %}x{% end %}" });
        Assert.Throws<UndefinedException>(() => env.GetTemplate("p.html").Render());
    }

    private static async Task<string> RenderAsync(Template template, object? model = null)
    {
        using var writer = new StringWriter();
        await template.RenderAsync(writer, model);
        return writer.ToString();
    }

    /// <summary>A store that answers only when the test opens its gate.</summary>
    private sealed class GatedStore : IFragmentStore
    {
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ConcurrentDictionary<string, string> Stored { get; } = new();
        public int Calls;
        public TimeSpan WaitTimeout => TimeSpan.FromSeconds(2);

        public async ValueTask<string> GetOrRenderAsync(FragmentEntry entry, Func<CancellationToken, ValueTask<string>> render, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            if (Stored.TryGetValue(entry.Key, out var text)) return text;
            await Gate.Task;
            var rendered = Stored[entry.Key] = await render(CancellationToken.None);
            Done.TrySetResult();
            return rendered;
        }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask InvalidateTagsAsync(IReadOnlyCollection<string> tags, CancellationToken cancellationToken) => default;
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public async Task RenderAsync_waits_for_the_store_as_an_await_point_not_a_blocked_thread(string mode)
    {
        var store = new GatedStore();
        var env = Env(mode, store, new() { ["p.html"] = "{{ tick() }}|{% cache 'k' %}<{{ tick() }}>{% end %}" });
        var template = env.GetTemplate("p.html");
        var render = RenderAsync(template);
        // RenderAsync returned while the store has not answered: no thread waits for it (a blocked render would only
        // return after the store's 2 s wait timeout, having rendered the body without the store)
        Assert.False(render.IsCompleted);
        store.Gate.SetResult();
        // the first attempt stopped at the lookup and the render was replayed (the global call before the tag is
        // journaled, so the replay takes its result instead of calling it again); the replay rendered the body the
        // store asked for, once
        Assert.Equal("1|<2>", await render);
        await store.Done.Task;
        Assert.Equal("<2>", store.Stored["k"]);
        Assert.Equal(1, store.Calls);
        Assert.Equal("3|<2>", await RenderAsync(template));
        // a synchronous render of a stored fragment: no replay, no wait
        Assert.Equal("4|<2>", template.Render());
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public async Task An_await_inside_a_cached_body_is_rendered_once_and_stored(string mode)
    {
        foreach (var store in new[] { new DictStore(), new DictStore { Async = true } })
        {
            var loads = 0;
            var env = new KidaEnvironment(new KidaOptions
            {
                Loader = new DictLoader(new Dictionary<string, string> { ["p.html"] = "[{% cache 'k' %}{{ await load() }}{% end %}]" }),
                PreferInterpretation = mode == "interpreted",
                TieredCompilation = mode == "tiered",
                FragmentStore = store,
                Globals = new Dictionary<string, object?>
                {
                    ["load"] = new Func<Task<string>>(async () =>
                    {
                        var n = Interlocked.Increment(ref loads);
                        await Task.Delay(20);
                        return "loaded " + n;
                    }),
                },
            });
            Assert.Equal("[loaded 1]", await RenderAsync(env.GetTemplate("p.html")));
            await store.Settle();
            Assert.Equal("loaded 1", Assert.Single(store.Stored).Value);
            Assert.Equal("[loaded 1]", await RenderAsync(env.GetTemplate("p.html")));
            Assert.Equal(1, loads);
        }
    }
}
