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

    [Fact]
    public void Failed_compilations_are_not_cached()
    {
        var env = Modes.Env(false, new() { ["bad.html"] = "{% if %}" });
        Assert.Throws<TemplateSyntaxException>(() => env.GetTemplate("bad.html"));
        Assert.Throws<TemplateSyntaxException>(() => env.GetTemplate("bad.html"));
        Assert.Equal(0, env.CompilationCount);
    }
}
