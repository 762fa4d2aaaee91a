using Xunit;

namespace Kida.Core.Tests;

/// <summary>Kida's own tags and rules: embed, trans, cache, relative names, def scoping, optional calls.</summary>
public class KidaTagTests
{
    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Embed_overrides_blocks_sees_the_callers_loop_variable_and_calls_super(bool interpret)
    {
        var env = Modes.Env(interpret, new()
        {
            ["card.html"] = "<div>{% block title %}T{% end %}|{% block body %}B{% end %}</div>",
            ["page.html"] = "{% for x in ['a<', 'b'] %}{% embed 'card.html' %}{% block title %}{{ x }}+{{ super() }}{% end %}{% end %}{% end %}",
        });
        Assert.Equal("<div>a&lt;+T|B</div><div>b+T|B</div>", env.GetTemplate("page.html").Render());
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Embed_body_accepts_only_blocks(bool interpret)
    {
        var env = Modes.Env(interpret, new() { ["card.html"] = "x", ["p.html"] = "{% embed 'card.html' %}{% if true %}{% end %}{% end %}" });
        var ex = Assert.Throws<TemplateSyntaxException>(() => env.GetTemplate("p.html"));
        Assert.Contains("Expected 'block' or 'end' in embed", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Trans_uses_installed_gettext_escapes_values_and_picks_plural(bool interpret)
    {
        var env = Modes.Env(interpret, new()
        {
            ["t.html"] = "{% trans %}  Hello\n   world {% end %}|{% trans name=user %}Hi {{ name }}!{% endtrans %}|"
                + "{% trans count=n %}{{ count }} item{% plural %}{{ count }} items{% end %}",
        });
        Assert.Equal("Hello world|Hi &lt;Ada&gt;!|3 items", env.GetTemplate("t.html").Render(new { user = "<Ada>", n = 3 }));
        env.AddGlobal("_", (Func<string, string>)(m => m == "Hello world" ? "Bonjour <le> monde" : m));
        env.AddGlobal("_n", (Func<string, string, long, string>)((s, p, n) => n == 1 ? "un " + s : "plusieurs " + p));
        Assert.Equal("Bonjour &lt;le&gt; monde|Hi &lt;Ada&gt;!|un %(count)s item".Replace("%(count)s", "1"),
            env.GetTemplate("t.html").Render(new { user = "<Ada>", n = 1 }));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Trans_rejects_undeclared_placeholders_and_expressions(bool interpret)
    {
        var env = Modes.Env(interpret, new() { ["a.html"] = "{% trans %}Hi {{ name }}{% end %}", ["b.html"] = "{% trans x=1 %}{{ x|upper }}{% end %}" });
        Assert.Contains("not declared", Assert.Throws<TemplateSyntaxException>(() => env.GetTemplate("a.html")).Message);
        Assert.Contains("simple placeholders", Assert.Throws<TemplateSyntaxException>(() => env.GetTemplate("b.html")).Message);
    }

    [Fact]
    public void Fragment_cache_is_shared_per_environment_honours_ttl_and_can_be_cleared()
    {
        var env = Modes.Env(false, new()
        {
            ["a.html"] = "{% cache 'k' %}{{ n }}{% end %}",
            ["b.html"] = "{% cache 'k' %}other{% end %}",
            ["zero.html"] = "{% cache 'z', ttl='0s' %}{{ n }}{% end %}",
        });
        Assert.Equal("1", env.GetTemplate("a.html").Render(new { n = 1 }));
        Assert.Equal("1", env.GetTemplate("a.html").Render(new { n = 2 }));
        Assert.Equal("1", env.GetTemplate("b.html").Render());
        Assert.Equal(1, env.FragmentCount);
        env.ClearFragmentCache();
        Assert.Equal("2", env.GetTemplate("a.html").Render(new { n = 2 }));
        // a zero ttl expires at once: every render runs the body
        Assert.Equal("1", env.GetTemplate("zero.html").Render(new { n = 1 }));
        Assert.Equal("2", env.GetTemplate("zero.html").Render(new { n = 2 }));
    }

    [Fact]
    public void Fragment_cache_keeps_at_most_its_capacity()
    {
        var env = new KidaEnvironment(new KidaOptions { FragmentCacheSize = 3, TieredCompilation = false });
        var t = env.FromString("{% for i in range(10) %}{% cache 'k' ~ i %}{{ i }}{% end %}{% end %}");
        Assert.Equal("0123456789", t.Render());
        Assert.True(env.FragmentCount <= 3, $"{env.FragmentCount} fragments kept");
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Relative_names_resolve_against_the_calling_template(bool interpret)
    {
        var env = Modes.Env(interpret, new()
        {
            ["pages/a.html"] = "{% extends '../layouts/base.html' %}{% block b %}{% include './part.html' %}{% end %}",
            ["layouts/base.html"] = "[{% block b %}{% end %}]",
            ["pages/part.html"] = "{% from '../lib/m.html' import f %}{{ f() }}",
            ["lib/m.html"] = "{% def f() %}F{% end %}",
            ["escape.html"] = "{% include '../../x.html' %}",
        });
        Assert.Equal("[F]", env.GetTemplate("pages/a.html").Render());
        var ex = Assert.Throws<TemplateNotFoundException>(() => env.GetTemplate("escape.html").Render());
        Assert.Contains("escapes the template root", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Def_inside_control_flow_is_a_syntax_error_with_K_TPL_004(bool interpret)
    {
        var env = Modes.Env(interpret);
        var ex = Assert.Throws<TemplateSyntaxException>(() => env.FromString("{% for x in [1] %}{% def f() %}{% end %}{% end %}"));
        Assert.Equal("K-TPL-004", ex.Code);
        Assert.Equal("ok", env.FromString("{% block b %}{% def f() %}ok{% end %}{{ f() }}{% end %}").Render());
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Let_inside_a_def_is_private_to_the_call(bool interpret)
    {
        Assert.Equal("1|2|0",
            Modes.Render(interpret, "{% let z = 0 %}{% def f(v) %}{% let z = v %}{{ z }}{% end %}{{ f(1) }}|{{ f(2) }}|{{ z }}"));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Optional_calls_skip_on_none_and_optional_subscripts_raise_out_of_range(bool interpret)
    {
        Assert.Equal("A|[]|[]", Modes.Render(interpret, "{{ s?.upper() }}|[{{ n?.upper() }}]|[{{ d?.get('x') }}]", new Dictionary<string, object?> { ["s"] = "a", ["n"] = null, ["d"] = null }));
        Assert.Throws<UndefinedException>(() => Modes.Render(interpret, "{{ xs?[5] }}", new { xs = new[] { 1, 2, 3 } }));
        Assert.Equal("[]", Modes.Render(interpret, "[{{ d?['k'] }}]", new { d = new Dictionary<string, object?>() }));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Undefined_values_fail_in_filters_and_value_tests_but_not_in_type_checks(bool interpret)
    {
        Assert.Throws<UndefinedException>(() => Modes.Render(interpret, "{{ missing|int }}"));
        Assert.Throws<UndefinedException>(() => Modes.Render(interpret, "{{ missing is iterable }}"));
        Assert.Equal("False|x|[]", Modes.Render(interpret, "{{ missing is none }}|{{ missing|default('x') }}|{% for k in missing|items %}{{ k }}{% else %}[]{% end %}"));
    }
}
