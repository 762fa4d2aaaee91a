using Kida.Runtime;
using Xunit;

namespace Kida.Core.Tests;

/// <summary>
/// A thread keeps one render state and one root output between its renders (<see cref="RenderThread"/>). These tests
/// hold the promises that keeping makes: a render that renders another on the same thread gets its own state and
/// output and gives the outer render back intact, a failed render leaves nothing behind, and nothing of one render's
/// text or variables reaches the next.
/// </summary>
public class RenderThreadTests
{
    private static KidaEnvironment Env(bool interpret, bool strict = true, KidaLimits? limits = null) => new(new KidaOptions
    {
        PreferInterpretation = interpret,
        TieredCompilation = false,
        StrictUndefined = strict,
        Limits = limits ?? KidaLimits.Default,
    });

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void A_render_inside_a_render_gets_its_own_output_and_the_outer_text_continues(bool interpret)
    {
        var inner = Env(interpret).FromString("<i>{{ word * 3 }}</i>");
        var outer = Env(interpret);
        outer.AddGlobal("nested", (Func<string, string>)(w => inner.Render(new { word = w })));
        var page = outer.FromString("[{% for w in words %}{{ w }}={{ nested(w) }};{% endfor %}]");
        var words = Enumerable.Range(0, 300).Select(i => "w" + i).ToList();

        var expected = "[" + string.Concat(words.Select(w => $"{w}=&lt;i&gt;{w}{w}{w}&lt;/i&gt;;")) + "]";
        Assert.Equal(expected, page.Render(new { words }));
        Assert.Equal(expected, page.Render(new { words }));
        Assert.Null(RenderState.Running);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void The_outer_render_keeps_its_own_settings_after_a_nested_render_of_another_environment(bool interpret)
    {
        // the inner environment is lenient about undefined names; the outer one is strict, before and after the call
        var lenient = Env(interpret, strict: false).FromString("{{ missing }}inner");
        var outer = Env(interpret, strict: true);
        outer.AddGlobal("nested", (Func<string>)(() => lenient.Render()));
        var page = outer.FromString("{{ nested() }}|{{ nothing }}");

        var ex = Assert.ThrowsAny<TemplateException>(() => page.Render());
        Assert.Contains("nothing", ex.Message, StringComparison.Ordinal);
        Assert.Equal("inner|", outer.FromString("{{ nested() }}|").Render());
        Assert.Null(RenderState.Running);
    }

    private sealed class Widget(string html)
    {
        public string Html { get; } = html;
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Helpers_that_ask_for_the_running_render_find_the_outer_one_after_a_nested_render(bool interpret)
    {
        // how a value carrying its own HTML is written is read from the running render's environment
        var plain = Env(interpret).FromString("{{ w }}");
        var outer = new KidaEnvironment(new KidaOptions
        {
            PreferInterpretation = interpret,
            TieredCompilation = false,
            SafeHtml = v => v is Widget w ? w.Html : null,
        });
        outer.AddGlobal("nested", (Func<object, string>)(w => plain.Render(new { w })));
        var model = new { w = new Widget("<b>x</b>") };

        Assert.Equal("<b>x</b>|", outer.FromString("{{ w }}|").Render(model));
        Assert.Equal("<b>x</b>|" + plain.Render(model).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal) + "|<b>x</b>",
            outer.FromString("{{ w }}|{{ nested(w) }}|{{ w }}").Render(model));
        Assert.Null(RenderState.Running);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void The_outer_render_keeps_its_limits_after_a_nested_render(bool interpret)
    {
        // the nested render has generous limits; the outer one allows 50 loop iterations in all
        var roomy = Env(interpret).FromString("{% for i in range(1000) %}{% endfor %}ok");
        var outer = Env(interpret, limits: KidaLimits.Default with { MaxLoopIterations = 50 });
        outer.AddGlobal("nested", (Func<string>)(() => roomy.Render()));

        Assert.Equal("ok", outer.FromString("{{ nested() }}").Render());
        var ex = Assert.ThrowsAny<TemplateException>(() =>
            outer.FromString("{{ nested() }}{% for i in range(100) %}{% endfor %}").Render());
        Assert.Contains("MaxLoopIterations", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void A_nested_render_that_fails_gives_the_thread_back_to_the_outer_render(bool interpret)
    {
        var failing = Env(interpret).FromString("before{{ 1 // 0 }}");
        var outer = Env(interpret);
        outer.AddGlobal("attempt", (Func<string>)(() =>
        {
            try { return failing.Render(); }
            catch (TemplateException) { return "caught"; }
        }));
        var page = outer.FromString("{% set a = 'A' %}{{ a }}{{ attempt() }}{{ a }}{{ attempt() }}{{ a }}");

        Assert.Equal("AcaughtAcaughtA", page.Render());
        Assert.Equal("AcaughtAcaughtA", page.Render());
        Assert.Null(RenderState.Running);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Nothing_of_one_render_reaches_the_next_on_the_same_thread(bool interpret)
    {
        var env = Env(interpret, strict: false);
        var big = env.FromString("{% set secret = 'S' %}{{ text }}");
        var empty = env.FromString("{{ secret }}");
        var small = env.FromString("{{ text }}");

        // a page far past the kept buffer, then a short one, then an empty one, then one that fails half-way
        var long1 = new string('x', 100_000);
        Assert.Equal(long1, big.Render(new { text = long1 }));
        Assert.Equal("ab", small.Render(new { text = "ab" }));
        Assert.Equal("", empty.Render());
        Assert.ThrowsAny<TemplateException>(() => env.FromString("partial text{{ 1 // 0 }}").Render());
        Assert.Equal("", empty.Render());
        Assert.Equal("cd", small.Render(new { text = "cd" }));
        Assert.Equal(new string('y', 20_000), small.Render(new { text = new string('y', 20_000) }));
        Assert.Equal("ef", small.Render(new { text = "ef" }));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void A_failed_render_past_the_output_limit_leaves_the_next_render_whole(bool interpret)
    {
        var env = Env(interpret, limits: KidaLimits.Default with { MaxOutputLength = 1000 });
        var ex = Assert.ThrowsAny<TemplateException>(() => env.FromString("{{ 'x' * 600 }}{{ 'y' * 600 }}").Render());
        Assert.Contains("MaxOutputLength", ex.Message, StringComparison.Ordinal);
        Assert.Equal(new string('z', 1000), env.FromString("{{ 'z' * 1000 }}").Render());
    }

    [Fact]
    public void A_thread_keeps_a_usual_buffer_and_lets_a_big_page_go()
    {
        // a template decides how much it writes: what the thread keeps afterwards must not grow with it
        var env = Env(interpret: false);
        var page = env.FromString("{{ 'x' * n }}");
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { Run(); }
            catch (Exception ex) { failure = ex; }
        });
        thread.Start();
        thread.Join();
        Assert.Null(failure);

        void Run()
        {
            Assert.Equal(100, page.Render(new { n = 100 }).Length);
            var kept = RenderThread.Get().Output!;
            Assert.InRange(kept.Capacity, 100, 16 * 1024);
            Assert.Equal(2_000_000, page.Render(new { n = 2_000_000 }).Length);
            Assert.Same(kept, RenderThread.Get().Output);
            Assert.InRange(kept.Capacity, 0, 16 * 1024);
            Assert.False(RenderThread.Get().OutputTaken);
            Assert.Equal(10, page.Render(new { n = 10 }).Length);
        }
    }

    [Fact]
    public void Threads_render_with_their_own_kept_state()
    {
        var env = Env(interpret: false);
        var page = env.FromString("{% for i in range(n) %}{{ tag }}{% endfor %}");
        var failures = 0;
        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var n = i % 37;
            var tag = "t" + (i % 11);
            if (page.Render(new { n, tag }) != string.Concat(Enumerable.Repeat(tag, n))) Interlocked.Increment(ref failures);
        });
        Assert.Equal(0, failures);
    }
}
