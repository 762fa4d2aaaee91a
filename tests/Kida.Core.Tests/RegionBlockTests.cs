using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// Regions are blocks as well as callables (issue 12, cluster 10; kida-spec 3.11): <c>RenderBlock("sidebar")</c> calls
/// the region with parameters from the model (missing ones take their defaults), <c>BlockNames</c> lists it, and a
/// full render still prints nothing where it is written. Every case runs interpreted, compiled and tiered.
/// </summary>
public class RegionBlockTests
{
    [Theory]
    [MemberData(nameof(FidelityRound2Tests.Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void The_most_derived_block_wins_with_few_and_with_many_blocks_per_template(FidelityRound2Tests.Mode mode)
    {
        // a template of up to 8 blocks is searched by a scan of its blocks, one of more by name lookup: both must find
        // the most derived implementation, through three levels, with super() and an embed's overrides
        foreach (var count in new[] { 3, 8, 9, 14 })
        {
            var names = Enumerable.Range(0, count).Select(i => "b" + i).ToList();
            var templates = new Dictionary<string, string>
            {
                ["base.html"] = string.Concat(names.Select(n => "{% block " + n + " %}base-" + n + "{% endblock %}|")),
                ["mid.html"] = "{% extends 'base.html' %}" + string.Concat(names.Where((_, i) => i % 2 == 0).Select(n => "{% block " + n + " %}mid-" + n + "{% endblock %}")),
                ["main.html"] = "{% extends 'mid.html' %}" + string.Concat(names.Where((_, i) => i % 3 == 0).Select(n => "{% block " + n + " %}top-" + n + "({{ super() }}){% endblock %}")),
                ["embedding.html"] = "{% embed 'base.html' %}{% block b1 %}embedded{% endblock %}{% endembed %}",
            };
            var expected = string.Concat(names.Select((n, i) =>
                (i % 3 == 0 ? "top-" + n + "(" + (i % 2 == 0 ? "mid-" : "base-") + n + ")" : i % 2 == 0 ? "mid-" + n : "base-" + n) + "|"));
            Assert.Equal(expected, FidelityRound2Tests.Render(mode, templates));
            var embedded = new Dictionary<string, string>(templates) { ["main.html"] = templates["embedding.html"] };
            Assert.Equal(string.Concat(names.Select(n => (n == "b1" ? "embedded" : "base-" + n) + "|")), FidelityRound2Tests.Render(mode, embedded));
        }
    }

    private const string Page = """
        {%- let site = "S" %}
        {%- region sidebar(user, count=limit * 2, title: str = "Menu") %}[{{ title }}:{{ user }}:{{ count }}:{{ site }}]{% end -%}
        <main>{{ sidebar(user="ann") }}</main>
        """;

    private static KidaEnvironment Env(Mode mode, Dictionary<string, string> templates) => new(new KidaOptions
    {
        Loader = new DictLoader(templates),
        PreferInterpretation = mode == Mode.Interpreted,
        TieredCompilation = mode == Mode.Tiered,
        TierUpAfterRenders = int.MaxValue, // promoted by hand, never in the background
    });

    /// <summary>Renders the block twice in tiered mode, the second time after promotion to IL.</summary>
    private static string RenderBlock(Mode mode, KidaEnvironment env, string template, string block, object? model)
    {
        var t = env.GetTemplate(template);
        var first = t.RenderBlock(block, model);
        if (mode != Mode.Tiered) return first;
        var tiers = t.Compiled.Tiers?.ToList() ?? [];
        t.Compiled.Promote();
        Assert.All(tiers, tier => Assert.Null(tier.PromotionError));
        Assert.Equal(first, t.RenderBlock(block, model));
        return first;
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_region_renders_as_a_block_with_parameters_from_the_model(Mode mode)
    {
        var env = Env(mode, new() { ["page.html"] = Page });
        Assert.Equal("[Menu:bob:6:S]", RenderBlock(mode, env, "page.html", "sidebar", new Dictionary<string, object?> { ["user"] = "bob", ["limit"] = 3 }));
        Assert.Equal("[Top:eve:1:S]", RenderBlock(mode, env, "page.html", "sidebar", new { user = "eve", count = 1, title = "Top", limit = 0 }));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_region_is_still_a_callable_and_renders_nothing_where_it_stands(Mode mode)
    {
        var output = Render(mode, new Dictionary<string, string> { ["main.html"] = Page }, new() { ["limit"] = 2 });
        Assert.Equal("<main>[Menu:ann:4:S]</main>", output);
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_region_block_without_a_required_parameter_fails_like_the_call(Mode mode)
    {
        var env = Env(mode, new() { ["page.html"] = Page });
        var ex = Assert.Throws<TemplateRuntimeException>(() => env.GetTemplate("page.html").RenderBlock("sidebar", new { limit = 1 }));
        Assert.Equal("K-RUN-012", ex.Code);
        Assert.Contains("user", ex.Message);
        Assert.Equal(2, ex.Line);
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void BlockNames_and_Info_list_regions_in_source_order(Mode mode)
    {
        var env = Env(mode, new()
        {
            ["page.html"] = "{% block a %}{% end %}{% region r(x=1) %}{{ x }}{% end %}{% fragment f %}{% end %}{% def d() %}{% end %}",
        });
        var t = env.GetTemplate("page.html");
        Assert.Equal(["a", "r", "f"], t.BlockNames);
        var r = t.Info.GetBlock("r")!;
        Assert.True(r.IsRegion);
        Assert.False(t.Info.GetBlock("a")!.IsRegion);
        Assert.Equal("1", RenderBlock(mode, env, "page.html", "r", null));
        Assert.Equal("", t.Render());
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_child_renders_its_parents_region_and_may_override_it(Mode mode)
    {
        var env = Env(mode, new()
        {
            ["base.html"] = "{% region nav(active=none) %}nav:{{ active }}{% end %}<{% block body %}{% end %}>",
            ["child.html"] = "{% extends 'base.html' %}{% block body %}{{ nav(active='home') }}{% end %}",
            ["override.html"] = "{% extends 'base.html' %}{% region nav(active) %}mine:{{ active }}{% end %}",
        });
        Assert.Equal(["body", "nav"], env.GetTemplate("child.html").BlockNames);
        Assert.True(env.GetTemplate("child.html").Info.GetBlock("nav")!.IsInherited);
        Assert.Equal("<nav:home>", env.GetTemplate("child.html").Render());
        Assert.Equal("nav:None", RenderBlock(mode, env, "child.html", "nav", null));
        Assert.Equal("nav:x", RenderBlock(mode, env, "child.html", "nav", new { active = "x" }));
        Assert.Equal("mine:y", RenderBlock(mode, env, "override.html", "nav", new { active = "y" }));
        Assert.False(env.GetTemplate("override.html").Info.GetBlock("nav")!.IsInherited);
    }

    [Fact]
    public void A_region_may_not_share_its_name_with_a_block()
    {
        var env = new KidaEnvironment();
        var ex = Assert.Throws<TemplateSyntaxException>(() => env.FromString("{% block nav %}{% end %}\n{% region nav() %}{% end %}"));
        Assert.Equal(("K-PAR-001", 2, 4), (ex.Code, ex.Line, ex.Column));
        ex = Assert.Throws<TemplateSyntaxException>(() => env.FromString("{% region r() %}{% end %}{% region r() %}{% end %}"));
        Assert.Equal("K-PAR-001", ex.Code);
    }

    [Fact]
    public void A_nested_region_is_a_callable_only()
    {
        var t = new KidaEnvironment().FromString("{% block b %}{% region inner(x=2) %}{{ x }}{% end %}{{ inner() }}{% end %}");
        Assert.Equal(["b"], t.BlockNames);
        Assert.Equal("2", t.Render());
    }
}
