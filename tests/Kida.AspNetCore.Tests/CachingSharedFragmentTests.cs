using System.Net;
using Kida.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace Kida.AspNetCore.Tests;

/// <summary>
/// <c>{% cache %}</c> through HybridCache with a real Redis as its second level (issue 17 item 5): two application
/// instances sharing one Redis render a fragment once, an invalidation on one is seen by the other, and a Redis that
/// is down never fails a page.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class CachingSharedFragmentTests : IDisposable
{
    private const string Page =
        "<p>{% cache 'product-' ~ id, ttl='5m', depends=['products', 'product-' ~ id] %}#{{ tick() }} product {{ id }}{% end %}</p>";

    private readonly RedisServer _redis;
    private readonly ITestOutputHelper _output;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "kida-frag-" + Guid.NewGuid().ToString("N"));
    // each test its own key space in the shared Redis
    private readonly string _instance = "kida-test-" + Guid.NewGuid().ToString("N") + ":";

    public CachingSharedFragmentTests(RedisServer redis, ITestOutputHelper output)
    {
        _redis = redis;
        _output = output;
        Directory.CreateDirectory(Path.Combine(_root, "Views", "Frag"));
        File.WriteAllText(Path.Combine(_root, "Views", "Frag", "Page.html"), Page);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    /// <summary>Counts the renders of fragment bodies, across every instance of a test.</summary>
    private sealed class Counter
    {
        private int _renders;
        public int Renders => Volatile.Read(ref _renders);
        public int Tick() => Interlocked.Increment(ref _renders);
    }

    private async Task<WebApplication> StartInstanceAsync(Counter counter, string redisConfiguration, LogSink? logs = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = _root,
            EnvironmentName = "Production",
            ApplicationName = typeof(CachingSharedFragmentTests).Assembly.GetName().Name,
        });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        if (logs is not null) builder.Logging.AddProvider(logs);
        builder.Services.AddStackExchangeRedisCache(o =>
        {
            o.Configuration = redisConfiguration;
            o.InstanceName = _instance;
        });
        builder.Services.AddHybridCache();
        builder.Services.AddKida(o =>
        {
            // read tag generations from Redis at every use: an invalidation elsewhere is seen by the next render
            o.FragmentCache.TagCheckInterval = TimeSpan.Zero;
            o.EnvironmentSetup.Add(env => env.AddGlobal("tick", new Func<int>(counter.Tick)));
        });
        var app = builder.Build();
        app.MapGet("/product/{id:int}", (int id) => Results.Extensions.Kida("Frag/Page.html", new { id }));
        await app.StartAsync();
        return app;
    }

    private static async Task<string> GetAsync(WebApplication app, string path)
    {
        var response = await app.GetTestClient().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Waits until Redis holds <paramref name="count"/> fragments of this test (a render stores its fragment after the page is sent).</summary>
    private async Task WaitForFragmentsAsync(int count)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        for (var i = 0; i < 400; i++)
        {
            var found = server.Keys(pattern: _instance + "kida:fragment:*").Count();
            if (found >= count)
            {
                Assert.Equal(count, found);
                return;
            }
            await Task.Delay(25);
        }
        Assert.Fail($"Redis never held {count} fragment(s) of this test");
    }

    [SkippableFact]
    public async Task Two_instances_sharing_one_Redis_render_a_fragment_once()
    {
        _redis.Require();
        var counter = new Counter();
        await using var a = await StartInstanceAsync(counter, _redis.Configuration);
        await using var b = await StartInstanceAsync(counter, _redis.Configuration);

        var first = await GetAsync(a, "/product/1");
        Assert.Equal("<p>#1 product 1</p>", first);
        await WaitForFragmentsAsync(1);
        // the other instance has it from Redis; both then serve it from their own memory
        Assert.Equal(first, await GetAsync(b, "/product/1"));
        Assert.Equal(first, await GetAsync(a, "/product/1"));
        Assert.Equal(first, await GetAsync(b, "/product/1"));
        Assert.Equal(1, counter.Renders);
        // another key is another fragment
        Assert.Equal("<p>#2 product 2</p>", await GetAsync(b, "/product/2"));
        await WaitForFragmentsAsync(2);
        Assert.Equal("<p>#2 product 2</p>", await GetAsync(a, "/product/2"));
        Assert.Equal(2, counter.Renders);
        _output.WriteLine($"2 instances x 3 requests for product 1, 2 requests for product 2: {counter.Renders} fragment renders");
    }

    [SkippableFact]
    public async Task An_invalidation_on_one_instance_is_seen_by_the_other()
    {
        _redis.Require();
        var counter = new Counter();
        await using var a = await StartInstanceAsync(counter, _redis.Configuration);
        await using var b = await StartInstanceAsync(counter, _redis.Configuration);
        Assert.Equal("<p>#1 product 1</p>", await GetAsync(a, "/product/1"));
        await WaitForFragmentsAsync(1);
        Assert.Equal("<p>#1 product 1</p>", await GetAsync(b, "/product/1"));

        await a.Services.GetRequiredService<KidaEnvironment>().InvalidateFragmentsAsync(["products"]);

        // b holds the old fragment in its own memory, yet renders anew: the tag's generation changed in Redis
        Assert.Equal("<p>#2 product 1</p>", await GetAsync(b, "/product/1"));
        await WaitForFragmentsAsync(2);
        Assert.Equal("<p>#2 product 1</p>", await GetAsync(a, "/product/1"));
        Assert.Equal(2, counter.Renders);
        _output.WriteLine($"after one invalidation on instance A: {counter.Renders} renders in total over both instances");
    }

    [SkippableFact]
    public async Task HybridCache_RemoveByTagAsync_invalidates_the_instance_it_is_called_on()
    {
        _redis.Require();
        var counter = new Counter();
        await using var a = await StartInstanceAsync(counter, _redis.Configuration);
        Assert.Equal("<p>#1 product 1</p>", await GetAsync(a, "/product/1"));
        Assert.Equal("<p>#1 product 1</p>", await GetAsync(a, "/product/1"));
        await a.Services.GetRequiredService<HybridCache>().RemoveByTagAsync("product-1");
        Assert.Equal("<p>#2 product 1</p>", await GetAsync(a, "/product/1"));
    }

    [Fact]
    public async Task A_Redis_that_is_down_never_fails_a_page_and_is_logged()
    {
        var counter = new Counter();
        var logs = new LogSink();
        // a port nothing listens on; short timeouts so the failing round trips end quickly (they never fail the page)
        var dead = $"127.0.0.1:{RedisServer.FreePort()},abortConnect=false,connectTimeout=300,connectRetry=0,asyncTimeout=300,syncTimeout=300";
        await using var a = await StartInstanceAsync(counter, dead, logs);
        Assert.Equal("<p>#1 product 1</p>", await GetAsync(a, "/product/1"));
        // the next request is served (from the instance's memory, or rendered again): never an error
        Assert.Matches(@"^<p>#[12] product 1</p>$", await GetAsync(a, "/product/1"));
        // a failed background write is logged when its round trip times out, which may be after the page was served
        // (later still on a loaded machine): wait for the warning, up to 10 s
        static bool Warned(LogSink sink) => sink.Entries.Any(e => e.Level >= LogLevel.Warning && e.Category.Contains("Caching", StringComparison.Ordinal));
        for (var waited = 0; waited < 10_000 && !Warned(logs); waited += 50) await Task.Delay(50);
        Assert.Contains(logs.Entries, e => e.Level >= LogLevel.Warning && e.Category.Contains("Caching", StringComparison.Ordinal));
        foreach (var e in logs.Entries.Where(e => e.Level >= LogLevel.Warning)) _output.WriteLine($"{e.Level} {e.Category}: {e.Message}");
    }

    /// <summary>A distributed cache that never answers a read (a hung server).</summary>
    private sealed class HangingCache : Microsoft.Extensions.Caching.Distributed.IDistributedCache
    {
        private readonly TaskCompletionSource<byte[]?> _never = new();
        public byte[]? Get(string key) => _never.Task.GetAwaiter().GetResult();
        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => _never.Task.WaitAsync(token);
        public void Refresh(string key) { }
        public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;
        public void Remove(string key) { }
        public Task RemoveAsync(string key, CancellationToken token = default) => Task.CompletedTask;
        public void Set(string key, byte[] value, Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions options) { }
        public Task SetAsync(string key, byte[] value, Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions options, CancellationToken token = default) =>
            Task.CompletedTask;
    }

    [Fact]
    public async Task A_cache_that_does_not_answer_costs_at_most_WaitTimeout_and_is_logged()
    {
        var counter = new Counter();
        var logs = new LogSink();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = _root,
            EnvironmentName = "Production",
            ApplicationName = typeof(CachingSharedFragmentTests).Assembly.GetName().Name,
        });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton<Microsoft.Extensions.Caching.Distributed.IDistributedCache, HangingCache>();
        builder.Services.AddHybridCache();
        builder.Services.AddKida(o =>
        {
            o.FragmentCache.WaitTimeout = TimeSpan.FromMilliseconds(200);
            o.EnvironmentSetup.Add(env => env.AddGlobal("tick", new Func<int>(counter.Tick)));
        });
        await using var app = builder.Build();
        app.MapGet("/product/{id:int}", (int id) => Results.Extensions.Kida("Frag/Page.html", new { id }));
        await app.StartAsync();
        Assert.Equal("<p>#1 product 1</p>", await GetAsync(app, "/product/1"));
        Assert.Equal("<p>#2 product 1</p>", await GetAsync(app, "/product/1"));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Category == "Kida.AspNetCore.FragmentCache"
            && e.Message.Contains("did not answer within 200 ms", StringComparison.Ordinal) && e.Message.Contains("Frag/Page.html", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_requests_on_one_server_share_one_render()
    {
        const int requests = 4;
        File.WriteAllText(Path.Combine(_root, "Views", "Frag", "Slow.html"), "{{ arrive(r) }}{% cache 'slow' %}[{{ hold() }}]{% end %}");
        // requests that reached the page (an asynchronous render may be replayed: each request counts once)
        var arrived = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
        var renders = 0;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = _root,
            EnvironmentName = "Production",
            ApplicationName = typeof(CachingSharedFragmentTests).Assembly.GetName().Name,
        });
        builder.WebHost.UseTestServer();
        builder.Services.AddHybridCache();
        builder.Services.AddKida(o => o.EnvironmentSetup.Add(env =>
        {
            env.AddGlobal("arrive", new Func<int, string>(r =>
            {
                arrived.TryAdd(r, true);
                return "";
            }));
            // the body holds until every request has started: without stampede protection each would render it
            env.AddGlobal("hold", new Func<int>(() =>
            {
                var n = Interlocked.Increment(ref renders);
                SpinWait.SpinUntil(() => arrived.Count >= requests, TimeSpan.FromSeconds(10));
                return n;
            }));
        }));
        await using var app = builder.Build();
        app.MapGet("/slow", (int r) => Results.Extensions.Kida("Frag/Slow.html", new { r }));
        await app.StartAsync();
        var client = app.GetTestClient();
        var pages = await Task.WhenAll(Enumerable.Range(0, requests).Select(i => Task.Run(() => client.GetStringAsync("/slow?r=" + i))));
        Assert.All(pages, p => Assert.Equal("[1]", p));
        Assert.Equal(1, Volatile.Read(ref renders));
    }
}
