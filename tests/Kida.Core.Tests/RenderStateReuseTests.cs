using System.Runtime.CompilerServices;
using Xunit;

namespace Kida.Core.Tests;

/// <summary>
/// A render reuses its thread's spare state, root context and output object: nothing of one render may be seen by the
/// next, whether it succeeded or failed, and a render nested inside another (a global that renders) gets its own.
/// </summary>
public class RenderStateReuseTests
{
    private static readonly Dictionary<string, string> Files = new()
    {
        ["set.html"] = "{% set x = 1 %}{% macro m() %}m{% endmacro %}{% provide theme = 'dark' %}{{ x }}{% endprovide %}",
        ["read.html"] = "{{ x is defined }}|{{ m is defined }}|{{ consume('theme') is none }}",
        ["layout.html"] = "<{% block b %}base{% endblock %}>",
        ["child.html"] = "{% extends 'layout.html' %}{% block b %}child{% endblock %}",
        ["plain.html"] = "{% block b %}plain{% endblock %}",
        ["deep.html"] = "{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}",
        ["bad.html"] = "line one\n{{ missing.attr }}",
        ["outer.html"] = "[{{ inner() }}|{{ v }}]",
        ["inner.html"] = "{% set v = 'inner' %}{{ v }}",
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Nothing_of_one_render_is_seen_by_the_next_on_the_same_thread(bool interpreted)
    {
        var env = Modes.Env(interpreted, Files);
        Assert.Equal("1", env.GetTemplate("set.html").Render());
        Assert.Equal("False|False|True", env.GetTemplate("read.html").Render());
        // a child's block layers do not stay registered for the next template's blocks
        Assert.Equal("<child>", env.GetTemplate("child.html").Render());
        Assert.Equal("plain", env.GetTemplate("plain.html").Render());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_failed_render_leaves_nothing_behind(bool interpreted)
    {
        var env = Modes.Env(interpreted, Files);
        var deep = Assert.ThrowsAny<TemplateException>(() => env.GetTemplate("deep.html").Render());
        Assert.Equal("K-RUN-006", deep.Code);
        // the recursion depth of the failed render is not carried over: a shallow macro call still works
        Assert.Equal("1", env.GetTemplate("set.html").Render());
        var bad = Assert.ThrowsAny<TemplateException>(() => env.GetTemplate("bad.html").Render(new { }));
        Assert.Equal(2, bad.Line);
        Assert.Equal("bad.html", bad.TemplateName);
        Assert.Equal("False|False|True", env.GetTemplate("read.html").Render());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_top_level_macro_reused_with_the_root_context_reads_each_renders_data(bool interpreted)
    {
        // 20 templates with a macro each, rendered in turn twice: more than the 16 bound macros a context keeps
        var files = Enumerable.Range(0, 20).ToDictionary(i => $"m{i}.html",
            i => $"{{% macro greet(p) %}}{i}:{{{{ p }}}} {{{{ who }}}}{{% endmacro %}}{{{{ greet('a') }}}}|{{{{ greet('b') }}}}|{{{{ greet is sameas greet }}}}");
        var env = Modes.Env(interpreted, files);
        for (var round = 0; round < 2; round++)
            for (var i = 0; i < 20; i++)
                Assert.Equal($"{i}:a w{round}{i}|{i}:b w{round}{i}|True", env.GetTemplate($"m{i}.html").Render(new { who = $"w{round}{i}" }));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reused_block_layers_resolve_each_renders_own_inheritance_chain(bool interpreted)
    {
        var files = new Dictionary<string, string>
        {
            ["base.html"] = "<{% block a %}A{% endblock %}|{% block b %}B{% endblock %}>",
            ["mid.html"] = "{% extends 'base.html' %}{% block a %}mid-a({{ super() }}){% endblock %}",
            ["leaf.html"] = "{% extends 'mid.html' %}{% block b %}leaf-b({{ super() }}){% endblock %}",
            ["other.html"] = "{% extends 'base.html' %}{% block b %}other-b{% if fail %}{{ fail.x.y }}{% endif %}{% endblock %}",
        };
        var env = Modes.Env(interpreted, files);
        for (var round = 0; round < 3; round++)
        {
            Assert.Equal("<mid-a(A)|leaf-b(B)>", env.GetTemplate("leaf.html").Render());
            Assert.Equal("<A|other-b>", env.GetTemplate("other.html").Render(new { fail = false }));
            Assert.ThrowsAny<TemplateException>(() => env.GetTemplate("other.html").Render(new { fail = new { } }));
            Assert.Equal("<mid-a(A)|B>", env.GetTemplate("mid.html").Render());
            Assert.Equal("<A|B>", env.GetTemplate("base.html").Render());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_included_template_gets_a_fresh_context_each_time_and_what_it_could_keep_stays_valid(bool interpreted)
    {
        var files = new Dictionary<string, string>
        {
            // plain includes: their context is pooled, so nothing set by one may be seen by the next
            ["plain.html"] = "[{{ v is defined }}:{{ x|default('-') }}{% set v = x|default('-') %}:{{ v }}]",
            ["nested.html"] = "{% for x in ['n1', 'n2'] %}{% include 'plain.html' %}{% endfor %}",
            // an include defining a macro keeps its context alive through the macro: never pooled
            ["keeps.html"] = "{% macro m() %}{{ x }}{% endmacro %}{% set ns.m = m %}",
            ["page.html"] = "{% set x = 'a' %}{% include 'plain.html' %}{% set x = 'b' %}{% include 'plain.html' %}"
                + "{% include 'plain.html' without context %}|{% include 'nested.html' %}|"
                + "{% set ns = namespace() %}{% include 'keeps.html' %}{% set x = 'c' %}{% include 'plain.html' %}{{ ns.m() }}",
        };
        var env = Modes.Env(interpreted, files);
        for (var round = 0; round < 2; round++)
            Assert.Equal("[False:a:a][False:b:b][False:-:-]|[False:n1:n1][False:n2:n2]|[False:c:c]c",
                env.GetTemplate("page.html").Render(new { }));
    }

    /// <summary>A loader whose sources change, with a change token per version (hot reload).</summary>
    private sealed class EditableLoader : ITemplateLoader
    {
        public readonly Dictionary<string, string> Sources = new(StringComparer.Ordinal);
        public readonly Dictionary<string, CancellationTokenSource> Tokens = new(StringComparer.Ordinal);

        public TemplateSource GetSource(string name)
        {
            if (!Sources.TryGetValue(name, out var text)) throw new TemplateNotFoundException(name, null, $"no {name}");
            var cts = Tokens[name] = new CancellationTokenSource();
            return new TemplateSource(name, text, null, new Microsoft.Extensions.Primitives.CancellationChangeToken(cts.Token));
        }

        public void Edit(string name, string text)
        {
            Sources[name] = text;
            Tokens[name].Cancel();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_include_or_parent_found_by_an_earlier_render_is_looked_up_again_once_it_left_the_cache(bool tiered)
    {
        var loader = new EditableLoader();
        loader.Sources["layout.html"] = "<{% block b %}{% endblock %}>";
        loader.Sources["part.html"] = "part1";
        loader.Sources["page.html"] = "{% extends 'layout.html' %}{% block b %}{% include 'part.html' %}{% endblock %}";
        var env = new KidaEnvironment(new KidaOptions { Loader = loader, AutoReload = true, TieredCompilation = tiered, TierUpAfterRenders = 2 });
        for (var i = 0; i < 5; i++) Assert.Equal("<part1>", env.GetTemplate("page.html").Render());

        loader.Edit("part.html", "part2"); // the change token evicts it
        Assert.Equal("<part2>", env.GetTemplate("page.html").Render());
        loader.Edit("layout.html", "[{% block b %}{% endblock %}]");
        Assert.Equal("[part2]", env.GetTemplate("page.html").Render());

        loader.Sources["part.html"] = "part3"; // no change token fired: still cached until the cache is cleared
        Assert.Equal("[part2]", env.GetTemplate("page.html").Render());
        env.ClearCache();
        for (var i = 0; i < 3; i++) Assert.Equal("[part3]", env.GetTemplate("page.html").Render());
    }

    [Fact]
    public void A_render_inside_a_render_gets_its_own_state()
    {
        var env = Modes.Env(false, Files);
        env.AddGlobal("inner", new Func<string>(() => env.GetTemplate("inner.html").Render()));
        Assert.Equal("[inner|outer]", env.GetTemplate("outer.html").Render(new { v = "outer" }));
        Assert.Equal("[inner|again]", env.GetTemplate("outer.html").Render(new { v = "again" }));
    }

    [Fact]
    public void The_model_of_a_finished_render_is_not_kept_alive()
    {
        var env = Modes.Env(false, Files);
        var template = env.GetTemplate("outer.html");
        env.AddGlobal("inner", new Func<string>(() => "i"));
        var weak = RenderAndForget(template);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(weak.IsAlive);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference RenderAndForget(Template template)
    {
        var model = new Dictionary<string, object?> { ["v"] = new string('x', 3) };
        Assert.Equal("[i|xxx]", template.Render(model));
        return new WeakReference(model);
    }
}
