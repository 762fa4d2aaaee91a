using System.Runtime.CompilerServices;
using Xunit;

namespace Kida.Core.Tests;

/// <summary>
/// Async values (issue 17, item 2): tasks from model members, globals and filters, <c>await</c>, <c>{% async for %}</c>,
/// in the compiled, interpreted and tiered modes. <c>RenderAsync</c> awaits them without blocking a thread (an attempt
/// that meets a running task is abandoned and replayed); <c>Render</c> unwraps completed tasks and refuses running ones.
/// </summary>
public class AsyncTests
{
    public static IEnumerable<object[]> AllModes => [["compiled"], ["interpreted"], ["tiered"]];

    internal static KidaEnvironment Env(string mode, Dictionary<string, string>? templates = null, KidaLimits? limits = null, int threshold = 0) =>
        new(new KidaOptions
        {
            Loader = new DictLoader(templates ?? new Dictionary<string, string>()),
            PreferInterpretation = mode == "interpreted",
            TieredCompilation = mode == "tiered",
            TierUpAfterRenders = 1,
            Limits = limits ?? KidaLimits.Default,
            StreamingThreshold = threshold,
        });

    internal static async Task<string> RenderAsync(Template t, object? model = null, CancellationToken ct = default)
    {
        var writer = new StringWriter();
        await t.RenderAsync(writer, model, ct);
        return writer.ToString();
    }

    /// <summary>Renders a few times (so a tiered template also runs after its tier-up) and checks every render gives the same.</summary>
    private static async Task<string> RenderAllAsync(string mode, Template t, Func<object?> model)
    {
        var first = await RenderAsync(t, model());
        for (var i = 0; i < (mode == "tiered" ? 4 : 1); i++)
        {
            if (mode == "tiered") await Task.Delay(20); // give the background tier-up a chance; the result must not change
            Assert.Equal(first, await RenderAsync(t, model()));
        }
        return first;
    }

    public sealed class Shop
    {
        public Task<string> Title => Task.FromResult("Kida & Co");
        public ValueTask<int> Count => new(3);
        public Task<string> Later { get; init; } = Task.FromResult("later");
        public ValueTask<string> LaterValue { get; init; } = new("value");
        public Task Nothing => Task.CompletedTask;
        public int Calls;

        /// <summary>A new task per call, not complete when returned.</summary>
        public async Task<int> LoadAsync(int x)
        {
            Interlocked.Increment(ref Calls);
            await Task.Delay(5);
            return x * 2;
        }

        public async ValueTask<string> NameAsync()
        {
            await Task.Yield();
            return "yielded";
        }

        public Task<int> Broken() => Task.FromException<int>(new InvalidOperationException("the database is down"));

        /// <summary>Waits until the render is cancelled: the CancellationToken parameter receives the render's token.</summary>
        public async Task<string> UntilCancelledAsync(string label, CancellationToken ct)
        {
            await Task.Delay(Timeout.Infinite, ct);
            return label;
        }

        public string Cancellable(CancellationToken ct) => ct.CanBeCanceled ? "token" : "none";
    }

    public static async IAsyncEnumerable<int> Numbers(int count, int delayMs = 1, [EnumeratorCancellation] CancellationToken ct = default)
    {
        for (var i = 1; i <= count; i++)
        {
            await Task.Delay(delayMs, ct);
            yield return i;
        }
    }

    public static async IAsyncEnumerable<string> Words(params string[] words)
    {
        foreach (var w in words)
        {
            await Task.Yield();
            yield return w;
        }
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Completed_tasks_of_model_members_render_as_their_results_in_both_Render_and_RenderAsync(string mode)
    {
        var t = Env(mode).FromString("{{ shop.title }}|{{ shop.count + 1 }}|{{ shop.later|upper }}|{{ shop.later_value }}|{{ shop.nothing }}");
        const string expected = "Kida &amp; Co|4|LATER|value|"; // a Task has no result: None, read through an attribute as ""
        Assert.Equal(expected, t.Render(new { shop = new Shop() }));
        Assert.Equal(expected, await RenderAllAsync(mode, t, () => new { shop = new Shop() }));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task A_member_task_that_is_not_complete_is_awaited_by_RenderAsync(string mode)
    {
        var t = Env(mode).FromString("<h1>{{ shop.title }}</h1>{% if shop.later %}{{ shop.later }}{% endif %}!");
        var tcs = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var render = RenderAsync(t, new { shop = new Shop { Later = tcs.Task } });
        Assert.False(render.IsCompleted); // it cannot finish before the task does
        tcs.SetResult("arrived");
        Assert.Equal("<h1>Kida &amp; Co</h1>arrived!", await render);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task ValueTask_members_and_methods_that_yield_are_awaited(string mode)
    {
        var t = Env(mode).FromString("{{ shop.name_async() }} {{ shop.later_value }}");
        var slow = new ValueTask<string>(Task.Delay(5).ContinueWith(_ => "vt", TaskScheduler.Default));
        Assert.Equal("yielded vt", await RenderAllAsync(mode, t, () => new { shop = new Shop { LaterValue = slow } }));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Globals_and_filters_returning_tasks_are_awaited(string mode)
    {
        var env = Env(mode);
        env.AddGlobal("fetch", (Func<string, Task<string>>)(async key => { await Task.Delay(2); return "<" + key + ">"; }));
        env.AddGlobal("ready", Task.FromResult(7));
        env.AddGlobal("pending", Task.Delay(3).ContinueWith(_ => "p", TaskScheduler.Default));
        env.AddFilter("shout", (Func<string, ValueTask<string>>)(async s => { await Task.Yield(); return s.ToUpperInvariant() + "!"; }));
        var t = env.FromString("{{ fetch('a') }} {{ ready * 2 }} {{ pending }} {{ 'hi'|shout }} {{ fetch('b')|shout }}");
        Assert.Equal("&lt;a&gt; 14 p HI! &lt;B&gt;!", await RenderAllAsync(mode, t, () => null));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Await_works_in_conditions_filters_loops_macros_and_includes(string mode)
    {
        var env = Env(mode, new Dictionary<string, string>
        {
            ["inc.html"] = "[{{ await shop.load_async(5) }}]",
        });
        var t = env.FromString(
            "{% macro m(x) %}<{{ await shop.load_async(x) }}>{% endmacro %}" +
            "{% if await shop.load_async(1) > 1 %}yes{% endif %} " +
            "{{ (await shop.name_async())|upper }} " +
            "{% for i in [1, 2] %}{{ await shop.load_async(i * 10) }},{% endfor %} " +
            "{{ m(3) }} {% include 'inc.html' %} {{ await 5 }}", "page.html");
        var shop = new Shop();
        Assert.Equal("yes YIELDED 20,40, <6> [10] 5", await RenderAsync(t, new { shop }));
        Assert.Equal(5, shop.Calls);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task A_method_returning_a_new_task_per_call_is_called_once_per_render(string mode)
    {
        var env = Env(mode);
        var globalCalls = 0;
        env.AddGlobal("slow", (Func<Task<int>>)(async () => { Interlocked.Increment(ref globalCalls); await Task.Delay(3); return 1; }));
        var t = env.FromString("{{ shop.load_async(1) }}{{ await shop.load_async(2) }}{{ slow() }}{{ shop.load_async(3) }}");
        var shop = new Shop();
        Assert.Equal("2416", await RenderAsync(t, new { shop }));
        Assert.Equal(3, shop.Calls);
        Assert.Equal(1, globalCalls);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task The_result_equals_a_synchronous_render_with_completed_tasks(string mode)
    {
        const string source =
            "{% let total = 0 %}{% set ns = namespace(n=0) %}" +
            "{% for i in [1, 2, 3] %}{% let total = total + await shop.load_async(i) %}{% set ns.n = ns.n + 1 %}" +
            "{% push 'js' %}<s{{ i }}>{% end %}{% endfor %}" +
            "{% try %}{{ await shop.later }}{% fallback %}caught{% end %}" +
            "{{ total }}/{{ ns.n }}{% stack 'js' %}{{ shop.title }}";
        var pending = new Shop { Later = Task.Delay(5).ContinueWith(_ => "late", TaskScheduler.Default) };
        var completed = new CompletedShop();
        var env = Env(mode);
        var asyncResult = await RenderAsync(env.FromString(source), new { shop = pending });
        var syncResult = env.FromString(source).Render(new { shop = completed });
        Assert.Equal(syncResult, asyncResult);
        Assert.Contains("late12/3", asyncResult); // the try did not catch the wait
        Assert.Equal(3, pending.Calls);
    }

    public sealed class CompletedShop
    {
        public Task<string> Title => Task.FromResult("Kida & Co");
        public Task<string> Later => Task.FromResult("late");
        public Task<int> LoadAsync(int x) => Task.FromResult(x * 2);
    }

    public sealed class Ledger
    {
        public List<string> Lines { get; } = ["start"];
        public Dictionary<string, object?> Totals { get; } = new();
        public int Hits;
        public string Hit(string who) { Hits++; return who + Hits; }
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Side_effects_before_a_running_task_happen_once_per_render(string mode)
    {
        var env = Env(mode);
        var logged = new List<string>();
        env.AddGlobal("log", (Func<string, string>)(s => { logged.Add(s); return ""; }));
        var t = env.FromString(
            "{% set mine = [] %}{% do mine.append(1) %}{% do ledger.lines.append('a') %}{% do ledger.totals.update({'x': 1}) %}" +
            "{{ ledger.hit('h') }}{{ log('one') }}{{ await shop.load_async(1) }}" +
            "{% do mine.append(2) %}{% do ledger.lines.append('b') %}{{ ledger.hit('h') }}{{ log('two') }}{{ await shop.load_async(2) }}" +
            "|{{ mine }}|{{ ledger.lines|length }}");
        var ledger = new Ledger();
        var shop = new Shop();
        Assert.Equal("h12h24|[1, 2]|3", await RenderAsync(t, new { ledger, shop }));
        Assert.Equal(["start", "a", "b"], ledger.Lines);
        Assert.Equal(2, ledger.Hits);
        Assert.Equal(["one", "two"], logged);
        Assert.Equal(2, shop.Calls);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public void Render_refuses_a_task_that_is_not_complete_with_K_RUN_017_naming_it(string mode)
    {
        var t = Env(mode).FromString("a\n  {{ shop.later }}", "p.html");
        var never = new TaskCompletionSource<string>();
        var ex = Assert.Throws<TemplateRuntimeException>(() => t.Render(new { shop = new Shop { Later = never.Task } }));
        Assert.Equal(ErrorCodes.PendingTask, ex.Code);
        Assert.Contains("Shop.Later", ex.Message);
        Assert.Equal(2, ex.Line);
        Assert.Equal("p.html", ex.TemplateName);

        var awaited = Env(mode).FromString("{{ await job }}");
        var ex2 = Assert.Throws<TemplateRuntimeException>(() => awaited.Render(new { job = (object)never.Task }));
        Assert.Equal(ErrorCodes.PendingTask, ex2.Code);
        Assert.Contains("'job'", ex2.Message);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task A_faulted_task_is_a_located_error_with_the_original_exception_inside(string mode)
    {
        var t = Env(mode).FromString("ok\n{{ shop.broken() }}", "f.html");
        var ex = await Assert.ThrowsAsync<TemplateRuntimeException>(() => RenderAsync(t, new { shop = new Shop() }));
        Assert.Equal(2, ex.Line);
        Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.Contains("the database is down", ex.Message);

        var later = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var t2 = Env(mode).FromString("x{{ await job }}", "g.html");
        var render = RenderAsync(t2, new { job = (object)later.Task });
        later.SetException(new FormatException("bad data"));
        var ex2 = await Assert.ThrowsAsync<TemplateRuntimeException>(() => render);
        Assert.IsType<FormatException>(ex2.InnerException);
        Assert.Equal((1, "g.html"), (ex2.Line, ex2.TemplateName));
        // a failed task is not something {% try %} hides differently from other errors: it is caught like them
        var t3 = Env(mode).FromString("{% try %}{{ shop.broken() }}{% fallback %}fallback{% end %}");
        Assert.Equal("fallback", await RenderAsync(t3, new { shop = new Shop() }));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Cancelling_a_render_that_waits_for_a_task_throws_OperationCanceledException(string mode)
    {
        var t = Env(mode).FromString("{{ shop.later }}");
        using var cts = new CancellationTokenSource();
        var never = new TaskCompletionSource<string>();
        var render = RenderAsync(t, new { shop = new Shop { Later = never.Task } }, cts.Token);
        Assert.False(render.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => render);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task A_CancellationToken_parameter_receives_the_render_token(string mode)
    {
        var t = Env(mode).FromString("{{ shop.cancellable() }}|{{ shop.until_cancelled_async('x') }}");
        using var cts = new CancellationTokenSource();
        var render = RenderAsync(t, new { shop = new Shop() }, cts.Token);
        Assert.False(render.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => render);
        Assert.Equal("none", Env(mode).FromString("{{ shop.cancellable() }}").Render(new { shop = new Shop() }));
        using var live = new CancellationTokenSource();
        Assert.Equal("token", Env(mode).FromString("{{ shop.cancellable() }}").Render(new { shop = new Shop() }, live.Token));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Async_for_iterates_an_async_enumerable_that_yields_with_delays(string mode)
    {
        var t = Env(mode).FromString(
            "{% async for n in numbers %}{{ loop.index }}:{{ n }}{% if loop.first %}(first){% endif %}" +
            "{% if not loop.first %}<{{ loop.previtem }}>{% endif %}{{ loop.cycle('a', 'b') }} {% endfor %}" +
            "{% async for w in words if w != 'skip' %}{{ loop.index0 }}{{ w }}{% empty %}none{% end %}" +
            "{% async for w in nothing %}x{% empty %}empty{% end %}");
        var result = await RenderAllAsync(mode, t, () => new { numbers = Numbers(4), words = Words("x", "skip", "y"), nothing = Words() });
        Assert.Equal("1:1(first)a 2:2<1>b 3:3<2>a 4:4<3>b 0x1yempty", result);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Async_for_loop_members_that_need_the_length_raise(string mode)
    {
        foreach (var member in new[] { "last", "length", "revindex", "revindex0", "nextitem" })
        {
            var t = Env(mode).FromString("{% async for n in numbers %}{{ loop." + member + " }}{% endfor %}");
            var ex = await Assert.ThrowsAsync<TemplateRuntimeException>(() => RenderAsync(t, new { numbers = Numbers(2) }));
            Assert.Contains($"'loop.{member}' is not available in async for-loops", ex.Message);
        }
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Async_for_with_break_reads_only_part_of_an_endless_source_and_Render_refuses_a_pending_item(string mode)
    {
        var t = Env(mode).FromString("{% async for n in numbers %}{% if n > 3 %}{% break %}{% endif %}{{ n }}{% endfor %}");
        Assert.Equal("123", await RenderAsync(t, new { numbers = Numbers(int.MaxValue) }));
        var ex = Assert.Throws<TemplateRuntimeException>(() => t.Render(new { numbers = Numbers(3, delayMs: 50) }));
        Assert.Equal(ErrorCodes.PendingTask, ex.Code);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public void Async_for_over_a_source_that_completes_synchronously_works_in_Render(string mode)
    {
        var t = Env(mode).FromString("{% async for n in items %}{{ n }}{% endfor %}|{% async for n in plain %}{{ n }}{% endfor %}");
        Assert.Equal("abc|123", t.Render(new { items = Sync("a", "b", "c"), plain = new[] { 1, 2, 3 } }));
    }

    private static async IAsyncEnumerable<string> Sync(params string[] items)
    {
        foreach (var i in items) yield return i;
        await Task.CompletedTask;
    }

    [Fact]
    public void Await_and_async_for_parse_as_Kida_defines_them()
    {
        var env = Env("compiled");
        // 'await' followed by nothing it can apply to stays a name
        Assert.Equal("3", env.FromString("{{ await }}").Render(new Dictionary<string, object?> { ["await"] = 3 }));
        Assert.Equal("-4", env.FromString("{{ -await x }}").Render(new { x = Task.FromResult(4) }));
        var ex = Assert.Throws<TemplateSyntaxException>(() => env.FromString("{% async x in y %}{% end %}"));
        Assert.Contains("'async' must be followed by 'for'", ex.Message);
        Assert.Throws<TemplateSyntaxException>(() => env.FromString("{% async for x in y recursive %}{% end %}"));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Streaming_does_not_send_the_text_before_an_await_twice(string mode)
    {
        var t = Env(mode, threshold: 8).FromString("{% for i in range(5) %}<p>{{ i }}</p>{% endfor %}{{ shop.load_async(21) }}{% flush %}end");
        var shop = new Shop();
        var chunks = new List<string>();
        await foreach (var chunk in t.RenderStreamAsync(new { shop })) chunks.Add(chunk);
        Assert.Equal("<p>0</p><p>1</p><p>2</p><p>3</p><p>4</p>42end", string.Concat(chunks));
        Assert.Equal(1, shop.Calls);
        // and through a TextWriter once the template is known to stream ({% flush %} seen)
        Assert.Equal("<p>0</p><p>1</p><p>2</p><p>3</p><p>4</p>42end", await RenderAsync(t, new { shop }));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Hostile_an_endless_async_enumerable_stops_at_the_loop_limit(string mode)
    {
        var limits = KidaLimits.Default with { MaxLoopIterations = 200 };
        var t = Env(mode, limits: limits).FromString("{% async for n in numbers %}{{ n }}{% endfor %}");
        var ex = await Assert.ThrowsAsync<TemplateRuntimeException>(() => RenderAsync(t, new { numbers = Numbers(int.MaxValue, delayMs: 0) }));
        Assert.Equal(ErrorCodes.LoopLimit, ex.Code);
        var ex2 = Assert.Throws<TemplateRuntimeException>(() => t.Render(new { numbers = Sync(Enumerable.Repeat("x", 1000).ToArray()) }));
        Assert.Equal(ErrorCodes.LoopLimit, ex2.Code);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Hostile_thousands_of_awaits_reach_the_limits(string mode)
    {
        // each await counts as a loop iteration: 1,000 iterations with two awaits each pass a budget of 2,500
        var limits = KidaLimits.Default with { MaxLoopIterations = 2_500 };
        var env = Env(mode, limits: limits);
        env.AddGlobal("ready", (Func<int, Task<int>>)(i => Task.FromResult(i)));
        var t = env.FromString("{% for i in range(1000) %}{{ await ready(i) }}{{ await ready(i) }}{% endfor %}");
        Assert.Equal(ErrorCodes.LoopLimit, (await Assert.ThrowsAsync<TemplateRuntimeException>(() => RenderAsync(t))).Code);
        Assert.Equal(ErrorCodes.LoopLimit, Assert.Throws<TemplateRuntimeException>(() => t.Render()).Code);

        // each wait for a running task renders again: the waits are capped (K-SEC-013)
        var few = Env(mode, limits: KidaLimits.Default with { MaxAsyncWaits = 20 });
        few.AddGlobal("slow", (Func<int, Task<int>>)(async i => { await Task.Delay(5); return i; })); // (still running when the render reaches it, however loaded the machine: Task.Yield alone sometimes finished first)
        var many = few.FromString("{% for i in range(3000) %}{{ slow(i) }}{% endfor %}", "many.html");
        var ex = await Assert.ThrowsAsync<TemplateRuntimeException>(() => RenderAsync(many));
        Assert.Equal(ErrorCodes.AsyncWaitLimit, ex.Code);
        Assert.Equal("many.html", ex.TemplateName);
        Assert.Equal(1, ex.Line);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Hostile_a_task_that_never_completes_ends_at_the_render_timeout(string mode)
    {
        var limits = KidaLimits.Default with { RenderTimeout = TimeSpan.FromMilliseconds(200) };
        var t = Env(mode, limits: limits).FromString("start\n{{ shop.later }}", "t.html");
        var never = new TaskCompletionSource<string>();
        var ex = await Assert.ThrowsAsync<TemplateRuntimeException>(() => RenderAsync(t, new { shop = new Shop { Later = never.Task } }));
        Assert.Equal(ErrorCodes.TimeLimit, ex.Code);
        Assert.Equal(2, ex.Line);
        var slowItems = Env(mode, limits: limits).FromString("{% async for n in numbers %}{{ n }}{% endfor %}");
        var ex2 = await Assert.ThrowsAsync<TemplateRuntimeException>(() => RenderAsync(slowItems, new { numbers = Numbers(3, delayMs: 60_000) }));
        Assert.Equal(ErrorCodes.TimeLimit, ex2.Code);
    }

    [Fact]
    public void Tasks_of_hidden_types_stay_hidden()
    {
        var t = Env("compiled").FromString("{{ holder.type_task is defined }}|{{ holder.ok }}");
        Assert.Equal("False|1", t.Render(new { holder = new Holder() }));
    }

    public sealed class Holder
    {
        public Task<Type> TypeTask => Task.FromResult(typeof(string));
        public Task<int> Ok => Task.FromResult(1);
    }
}
