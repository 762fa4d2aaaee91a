using Xunit;

namespace Kida.Core.Tests;

public class ConcurrencyTests
{
    [Fact]
    public void Many_threads_render_one_template_with_their_own_data()
    {
        var env = Modes.Env(false, new() { ["t.html"] = "{% for i in range(n) %}{{ name }}{{ i }}{% if not loop.last %},{% endif %}{% endfor %}" });
        var template = env.GetTemplate("t.html");
        var failures = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, thread =>
        {
            for (var k = 0; k < 2000; k++)
            {
                var n = k % 7;
                var name = $"t{thread}";
                var expected = string.Join(",", Enumerable.Range(0, n).Select(i => name + i));
                if (template.Render(new Dictionary<string, object?> { ["n"] = n, ["name"] = name }) != expected)
                    Interlocked.Increment(ref failures);
            }
        });
        Assert.Equal(0, failures);
    }

    [Fact]
    public async Task Concurrent_first_requests_compile_once()
    {
        var env = Modes.Env(false, new() { ["t.html"] = "{{ x }}" });
        using var gate = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 32).Select(_ => Task.Run(() => { gate.Wait(); return env.GetTemplate("t.html"); })).ToArray();
        gate.Set();
        var templates = await Task.WhenAll(tasks);
        Assert.Equal(1, env.CompilationCount);
        Assert.All(templates, t => Assert.Same(templates[0], t));
    }

    [Fact]
    public async Task Adding_filters_while_rendering_never_loses_an_add()
    {
        var env = Modes.Env(false);
        var template = env.FromString("{{ x|upper }}");
        var stop = false;
        var renderer = Task.Run(() =>
        {
            while (!Volatile.Read(ref stop)) Assert.Equal("A", template.Render(new { x = "a" }));
        });
        Parallel.For(0, 200, i => env.AddFilter("f" + i, (Func<object?, object?>)(v => v)));
        Volatile.Write(ref stop, true);
        await renderer;
        for (var i = 0; i < 200; i++) Assert.Contains("f" + i, env.FilterNames);
    }

    /// <summary>A loader over a mutable dictionary that counts how often each name was asked for.</summary>
    private sealed class CountingLoader(Dictionary<string, string> sources) : ITemplateLoader
    {
        public readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Asked = new();
        public Func<string, string?>? Hook;

        public TemplateSource GetSource(string name)
        {
            Asked.AddOrUpdate(name, 1, (_, n) => n + 1);
            if (Hook?.Invoke(name) is { } hooked) return new TemplateSource(name, hooked);
            lock (sources)
                return sources.TryGetValue(name, out var text) ? new TemplateSource(name, text) : throw new TemplateNotFoundException(name, [name], $"no template '{name}'");
        }

        public async ValueTask<TemplateSource> GetSourceAsync(string name, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return GetSource(name);
        }
    }

    [Fact]
    public void Failed_compilations_are_not_cached()
    {
        var sources = new Dictionary<string, string> { ["bad.html"] = "{% if %}" };
        var loader = new CountingLoader(sources);
        var env = new KidaEnvironment(new KidaOptions { Loader = loader });
        Assert.Throws<TemplateSyntaxException>(() => env.GetTemplate("bad.html"));
        Assert.Throws<TemplateSyntaxException>(() => env.GetTemplate("bad.html"));
        // each request went back to the loader: the failure was not kept
        Assert.Equal(2, loader.Asked["bad.html"]);
        lock (sources) sources["bad.html"] = "fixed";
        Assert.Equal("fixed", env.GetTemplate("bad.html").Render());
        Assert.Equal(1, env.CompilationCount);
    }

    [Fact]
    public async Task A_loader_that_asks_for_the_template_it_is_loading_gets_a_template_error()
    {
        var loader = new CountingLoader(new Dictionary<string, string>());
        var env = new KidaEnvironment(new KidaOptions { Loader = loader });
        loader.Hook = name => name == "self.html" ? env.GetTemplate("self.html").Render() : null;
        var sync = Assert.Throws<TemplateRuntimeException>(() => env.GetTemplate("self.html"));
        Assert.Equal("K-TPL-003", sync.Code);
        Assert.Contains("'self.html' was requested while it was being loaded", sync.Message);
        var viaAsync = await Assert.ThrowsAsync<TemplateRuntimeException>(() => env.GetTemplateAsync("self.html"));
        Assert.Equal("K-TPL-003", viaAsync.Code);
        // a loader may still ask for other templates
        loader.Hook = name => name == "outer.html" ? "[" + env.GetTemplate("inner.html").Render() + "]" : name == "inner.html" ? "in" : null;
        Assert.Equal("[in]", env.GetTemplate("outer.html").Render());
    }

    [Fact]
    public void Trimming_the_template_cache_under_load_never_fails()
    {
        var sources = Enumerable.Range(0, 64).ToDictionary(i => $"t{i}.html", i => $"{{{{ {i} }}}}");
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(sources), CacheSize = 4 });
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            try
            {
                var n = i * 7919 % 64;
                Assert.Equal(n.ToString(System.Globalization.CultureInfo.InvariantCulture), env.GetTemplate($"t{n}.html").Render());
            }
            catch (Exception ex) { errors.Add(ex); }
        });
        Assert.Empty(errors);
    }

    [Fact]
    public void Storing_fragments_past_the_cache_size_under_load_never_fails()
    {
        var env = new KidaEnvironment(new KidaOptions { FragmentCacheSize = 4 });
        var template = env.FromString("{% cache key %}{{ key }}!{% endcache %}");
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            try
            {
                var key = "k" + i % 97;
                Assert.Equal(key + "!", template.Render(new { key }));
            }
            catch (Exception ex) { errors.Add(ex); }
        });
        Assert.Empty(errors);
        Assert.True(env.FragmentCount <= 4 + 8);
    }

    [Fact]
    public void Least_recently_used_entries_are_chosen_from_a_snapshot()
    {
        var snapshot = new[] { new KeyValuePair<string, long>("a", 30), new("b", 10), new("c", 20) };
        Assert.Equal(["b", "c"], Kida.Runtime.Eviction.LeastRecentlyUsed(snapshot, static v => v, 2));
    }
}
