using System.Reflection;
using Xunit;

namespace Kida.Core.Tests;

/// <summary>
/// A template function is lowered for the interpreter at its first call, not when the template loads
/// (Compilation.TieredFunction): a block a child overrides or a macro nobody calls costs its load nothing more, and
/// first calls racing on several threads all render right.
/// </summary>
public class LazyInterpretationTests
{
    private const string Macros = "{% macro used(x) %}<{{ x }}>{% endmacro %}{% macro unused(x, y, z) %}[{{ x }}{{ y }}{{ z }}]{% endmacro %}";

    private static Dictionary<string, string> Templates() => new()
    {
        ["base.html"] = "<title>{% block title %}base title{% endblock %}</title>{% block body %}base body{% endblock %}",
        ["macros.html"] = Macros,
        ["page.html"] = "{% extends 'base.html' %}{% from 'macros.html' import used %}"
            + "{% block title %}{{ used(t) }}{% endblock %}{% block body %}{% for i in range(3) %}{{ used(i) }}{% endfor %}{% endblock %}",
    };

    private const string Expected = "<title><T></title><0><1><2>";

    /// <summary>The interpreted delegate each tiered function of <paramref name="t"/> holds now (null: not yet lowered).</summary>
    private static List<object?> Lowered(Template t) =>
        [.. (t.Compiled.Tiers ?? []).Select(tier =>
        {
            for (var type = tier.GetType(); type is not null; type = type.BaseType)
                if (type.GetField("_current", BindingFlags.Instance | BindingFlags.NonPublic) is { } field) return field.GetValue(tier);
            throw new InvalidOperationException("no _current field");
        })];

    [Fact]
    public void Loading_a_template_lowers_none_of_its_functions_and_a_render_only_those_it_calls()
    {
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(Templates()), TierUpAfterRenders = int.MaxValue });
        var page = env.GetTemplate("page.html");
        var base_ = env.GetTemplate("base.html");
        var macros = env.GetTemplate("macros.html");
        Assert.All(Lowered(page).Concat(Lowered(base_)).Concat(Lowered(macros)), Assert.Null);

        Assert.Equal(Expected, page.Render(new Dictionary<string, object?> { ["t"] = "T" }));
        // the page's own blocks and the base's root ran; the base's blocks, which the page overrides, did not
        Assert.Contains(Lowered(page), d => d is not null);
        var baseLowered = Lowered(base_);
        Assert.Equal(1, baseLowered.Count(d => d is not null));
        // (macros.html's root ran for the import, and the macro the page called; the other macro never did)
        var macroLowered = Lowered(macros);
        Assert.True(macroLowered.Count(d => d is not null) >= 2, $"{macroLowered.Count(d => d is not null)} of {macroLowered.Count} lowered");
        Assert.Contains(null, macroLowered);
    }

    public static TheoryData<bool> Interpreted() => [false, true];

    [Theory]
    [MemberData(nameof(Interpreted))]
    public void First_calls_racing_on_many_threads_all_render_right(bool interpretOnly)
    {
        for (var round = 0; round < 20; round++)
        {
            var env = new KidaEnvironment(new KidaOptions
            {
                Loader = new DictLoader(Templates()),
                PreferInterpretation = interpretOnly,
                // (tiered: a promotion may land while the first calls still race)
                TierUpAfterRenders = interpretOnly ? int.MaxValue : 3,
            });
            var page = env.GetTemplate("page.html");
            using var start = new Barrier(6);
            var outputs = new string[6];
            var threads = Enumerable.Range(0, 6).Select(k => new Thread(() =>
            {
                start.SignalAndWait();
                outputs[k] = page.Render(new Dictionary<string, object?> { ["t"] = "T" });
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.All(outputs, o => Assert.Equal(Expected, o));
        }
    }

    [Fact]
    public void A_macro_called_first_through_its_argument_array_and_then_directly_renders_the_same()
    {
        // (the array form, caller and keyword arguments, reaches the body through MacroCode.Body; the positional call
        // through MacroCode.Positional: each replaces its own first-call stub)
        var env = new KidaEnvironment(new KidaOptions
        {
            Loader = new DictLoader(new Dictionary<string, string>
            {
                ["t"] = "{% macro m(a, b='-') %}{{ a }}{{ b }}{% endmacro %}{% macro k(a) %}{{ a }}{{ varargs|join }}{% endmacro %}"
                    + "{{ m(b=2, a=1) }}|{{ m(3) }}|{{ m(4, 5) }}|{{ k(1, 2, 3) }}|{{ k(0) }}",
            }),
            TierUpAfterRenders = int.MaxValue,
        });
        var t = env.GetTemplate("t");
        Assert.Equal("12|3-|45|123|0", t.Render());
        Assert.Equal("12|3-|45|123|0", t.Render());
        t.Compiled.Promote();
        Assert.Equal("12|3-|45|123|0", t.Render());
    }
}

/// <summary>
/// A render that runs many loop iterations interpreted queues its template's promotion from its second render
/// (CompiledTemplate.NoteWork), instead of after TierUpAfterRenders renders; a light render does not.
/// </summary>
public class HeavyRenderPromotionTests
{
    private const string Loop = "{% for i in xs %}{{ i }}{% endfor %}";

    private static Template Load(int tierUpAfter = 8) =>
        new KidaEnvironment(new KidaOptions { Loader = new DictLoader(new Dictionary<string, string> { ["t"] = Loop }), TierUpAfterRenders = tierUpAfter })
            .GetTemplate("t");

    private static Dictionary<string, object?> Items(int n) => new() { ["xs"] = Enumerable.Range(0, n).ToList() };

    [Fact]
    public void A_second_heavy_render_promotes_its_template()
    {
        var t = Load();
        Assert.NotNull(t.Compiled.Tiers);
        var expected = string.Concat(Enumerable.Range(0, 1_500));
        Assert.Equal(expected, t.Render(Items(1_500)));
        // (a template rendered once is not compiled for nothing)
        Assert.False(t.Compiled.PromotionQueued);
        Assert.Equal(expected, t.Render(Items(1_500)));
        Assert.True(t.Compiled.PromotionQueued);
        // (the promotion runs on the thread pool: it has been queued, and lands within seconds)
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (t.Compiled.Tiers is not null && waited.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(10);
        Assert.Null(t.Compiled.Tiers);
        Assert.Equal(expected, t.Render(Items(1_500)));
    }

    [Fact]
    public void Light_renders_wait_for_the_render_count()
    {
        var t = Load();
        for (var i = 0; i < 5; i++) Assert.Equal("0123456789", t.Render(Items(10)));
        // (fewer renders than TierUpAfterRenders, each under the heavy mark: nothing was queued)
        Assert.False(t.Compiled.PromotionQueued);
        Assert.NotNull(t.Compiled.Tiers);
    }

    [Fact]
    public void Promotion_off_stays_off_whatever_a_render_costs()
    {
        var t = Load(int.MaxValue);
        t.Render(Items(5_000));
        Assert.False(t.Compiled.PromotionQueued);
        Assert.NotNull(t.Compiled.Tiers);
    }
}
