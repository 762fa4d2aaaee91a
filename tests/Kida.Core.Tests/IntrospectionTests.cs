using Xunit;

namespace Kida.Core.Tests;

/// <summary>
/// <see cref="Template.Info"/> (issue 13, item 6): blocks own and inherited with modifiers, top-level defs with their
/// parameters and slots, dependencies, the context names a template reads, and <c>{% template %}</c> declarations.
/// </summary>
public class IntrospectionTests
{
    private static KidaEnvironment Env(Dictionary<string, string>? templates = null) =>
        new(new KidaOptions { Loader = new DictLoader(templates ?? []) });

    private static TemplateInfo Info(string source) => Env().FromString(source, "t.html").Info;

    [Fact]
    public void Defs_report_kind_parameters_annotations_defaults_and_lines()
    {
        var info = Info("""
            {% def card(title: str, items: list[str] | None = none, variant="primary", *rest, **opts) %}{{ title }}{% end %}
            {% macro m(a, b=1 + 2) %}{{ varargs }}{{ kwargs }}{% endmacro %}
            {% region sidebar(user, count: int = 3) %}{{ user }}{% end %}
            """);
        Assert.Equal(["card", "m", "sidebar"], info.Defs.Select(d => d.Name));
        var card = info.GetDef("card")!;
        Assert.Equal(DefKind.Def, card.Kind);
        Assert.Equal((1, 4), (card.Line, card.Column));
        Assert.Equal(["title", "items", "variant"], card.Parameters.Select(p => p.Name));
        Assert.Equal("str", card.Parameters[0].Annotation);
        Assert.True(card.Parameters[0].IsRequired);
        Assert.Null(card.Parameters[0].Default);
        Assert.Equal("list[str] | None", card.Parameters[1].Annotation);
        Assert.Equal("none", card.Parameters[1].Default);
        Assert.False(card.Parameters[1].IsRequired);
        Assert.Equal("\"primary\"", card.GetParameter("variant")!.Default);
        Assert.Null(card.GetParameter("variant")!.Annotation);
        Assert.Equal(("rest", "opts"), (card.VarArgs, card.KwArgs));

        var m = info.GetDef("m")!;
        Assert.Equal(DefKind.Macro, m.Kind);
        Assert.Equal("1 + 2", m.Parameters[1].Default);
        Assert.Equal(("varargs", "kwargs"), (m.VarArgs, m.KwArgs));

        var region = info.GetDef("sidebar")!;
        Assert.Equal(DefKind.Region, region.Kind);
        Assert.Equal(3, region.Line);
        Assert.Equal("int", region.Parameters[1].Annotation);
        Assert.Equal("3", region.Parameters[1].Default);
    }

    [Fact]
    public void Defs_report_named_slots_and_the_default_slot()
    {
        var info = Info("""
            {% def card() %}<h>{% slot header %}</h>{% slot %}{% slot footer %}{% slot header %}{% end %}
            {% def plain() %}x{% end %}
            {% macro old() %}{{ caller() }}{% endmacro %}
            {% def outer() %}{% def inner() %}{% slot deep %}{% end %}{% end %}
            """);
        var card = info.GetDef("card")!;
        Assert.Equal(["header", "footer"], card.Slots);
        Assert.True(card.HasDefaultSlot);
        Assert.False(info.GetDef("plain")!.HasDefaultSlot);
        Assert.Empty(info.GetDef("plain")!.Slots);
        Assert.True(info.GetDef("old")!.HasDefaultSlot);
        // a nested def's slots are its own; only top-level defs are listed
        Assert.Empty(info.GetDef("outer")!.Slots);
        Assert.Null(info.GetDef("inner"));
    }

    [Fact]
    public void Defs_report_the_context_names_their_bodies_read()
    {
        var info = Info("""
            {% let site = "x" %}
            {% def card(title) %}{% set local = 1 %}{{ title }}{{ local }}{{ page.heading }}{{ site }}{{ range(2) }}{% for i in items %}{{ i }}{{ loop.index }}{% end %}{% end %}
            """);
        Assert.Equal(["page", "items"], info.GetDef("card")!.ContextNames);
    }

    [Fact]
    public void Context_names_are_the_free_names_in_order_of_first_use()
    {
        var info = Info("""
            {% template page: Page %}
            {{ user.name }}{% set x = 1 %}{{ x }}
            {% for item in items if item.visible %}{{ item }}{{ loop.index }}{{ other }}{% endfor %}
            {% with a = b %}{{ a }}{% endwith %}
            {% set ns = namespace(n=0) %}{% set ns.n = ns.n + 1 %}
            {{ [y for y in ys if y > limit] }}
            {% match status %}{% case "a" %}A{% case z %}{{ z }}{% end %}
            {% macro m(p) %}{{ p }}{{ q }}{% endmacro %}
            {{ m(1) }}{{ undefined_later }}{% let undefined_later = 1 %}{{ self }}
            """);
        Assert.Equal(["user", "items", "other", "b", "ys", "limit", "status", "q"], info.ContextNames);
    }

    [Fact]
    public void Globals_of_the_environment_are_no_context_names()
    {
        var env = Env();
        env.AddGlobal("site_name", "S");
        var info = env.FromString("{{ site_name }}{{ range(3) }}{{ dict(a=1) }}{{ model }}", "t.html").Info;
        Assert.Equal(["model"], info.ContextNames);
    }

    [Fact]
    public void Dependencies_name_constant_targets_and_mark_dynamic_ones()
    {
        var info = Info("""
            {% extends "base.html" %}
            {% include "a.html" %}{% include ["b.html", "c.html"] %}{% include name ignore missing %}
            {% import "forms.html" as forms %}{% from "./macros.html" import button %}
            {% block x %}{% embed "card.html" %}{% block body %}{% end %}{% end %}{% end %}
            """);
        Assert.Equal(
            [
                (DependencyKind.Extends, "base.html", false, 1),
                (DependencyKind.Include, "a.html", false, 2),
                (DependencyKind.Include, "b.html", true, 2),
                (DependencyKind.Include, "c.html", true, 2),
                (DependencyKind.Include, null, true, 2),
                (DependencyKind.Import, "forms.html", false, 3),
                (DependencyKind.FromImport, "./macros.html", false, 3),
                (DependencyKind.Embed, "card.html", false, 4),
            ],
            info.Dependencies.Select(d => (d.Kind, d.Target, d.IsOptional, d.Line)));
        Assert.True(info.Dependencies[4].IsDynamic);
        Assert.Equal("base.html", info.Extends);
    }

    [Fact]
    public void Conditional_or_dynamic_extends_has_no_constant_parent()
    {
        Assert.Null(Info("{% extends layout %}").Extends);
        var conditional = Info("{% extends 'a.html' if wide else 'b.html' %}");
        Assert.Null(conditional.Extends);
        Assert.Equal(["a.html", "b.html"], conditional.Dependencies.Select(d => d.Target));
        Assert.Null(Info("{% if x %}{% extends 'a.html' %}{% endif %}").Extends);
    }

    [Fact]
    public void Declarations_are_recorded_with_their_types_as_written()
    {
        var t = Env().FromString("{% template page: Page, items: list[Item], count: int | None, flag %}[{{ 1 }}]", "t.html");
        Assert.Equal("[1]", t.Render());
        Assert.Equal(
            [("page", "Page", 1, 13), ("items", "list[Item]", 1, 25), ("count", "int | None", 1, 44), ("flag", null, 1, 63)],
            t.Info.Declarations.Select(d => (d.Name, d.Type, d.Line, d.Column)));
        Assert.Empty(Info("{{ x }}").Declarations);
    }

    [Fact]
    public void A_second_template_declaration_is_a_syntax_error()
    {
        var ex = Assert.Throws<TemplateSyntaxException>(() => Info("{% template a: int %}\n{% template b: int %}"));
        Assert.Equal(("K-PAR-001", 2, 4), (ex.Code, ex.Line, ex.Column));
    }

    [Theory]
    [InlineData("{% template %}x", "")]
    [InlineData("{% template a: %}", "K-PAR-003")]
    [InlineData("{% template a: int b: str %}", "K-PAR-003")]
    [InlineData("{% template a: int, a: str %}", "K-PAR-001")]
    public void Malformed_declarations(string source, string code)
    {
        if (code.Length == 0)
        {
            Assert.Empty(Info(source).Declarations);
            return;
        }
        var ex = Assert.ThrowsAny<TemplateSyntaxException>(() => Info(source));
        Assert.Equal(code, ex.Code);
    }

    [Fact]
    public void Blocks_list_own_then_inherited_with_modifiers()
    {
        var env = Env(new()
        {
            ["root.html"] = "{% block head %}{% end %}{% block body required %}{% end %}{% fragment oob role=\"nav\" %}{% end %}",
            ["base.html"] = "{% extends 'root.html' %}{% block body %}{% block inner scoped %}{% end %}{% end %}",
            ["page.html"] = "{% extends 'base.html' %}{% block inner cache=-5 ttl=1.5 flag=true kind=\"a\" \"b\" none_=none if x %}p{% end %}",
        });
        var page = env.GetTemplate("page.html");
        Assert.Equal(["inner", "body", "head", "oob"], page.BlockNames);
        var blocks = page.Info.Blocks;
        Assert.Equal(
            [("inner", "page.html", false), ("body", "base.html", true), ("head", "root.html", true), ("oob", "root.html", true)],
            blocks.Select(b => (b.Name, b.Template, b.IsInherited)));
        var inner = blocks[0];
        Assert.True(inner.HasCondition);
        Assert.False(inner.IsScoped); // the override is not scoped; the parent's block was
        Assert.Equal(["cache", "ttl", "flag", "kind", "none_"], inner.Modifiers.Select(m => m.Name));
        Assert.Equal(-5L, Assert.IsType<long>(inner.Modifiers[0].Value));
        Assert.Equal(1.5, Assert.IsType<double>(inner.Modifiers[1].Value));
        Assert.Equal(true, inner.Modifiers[2].Value);
        Assert.Equal("ab", inner.Modifiers[3].Value);
        Assert.Null(inner.Modifiers[4].Value);
        Assert.Equal((1, 41), (inner.GetModifier("cache")!.Line, inner.GetModifier("cache")!.Column));
        Assert.True(blocks[1].IsRequired is false && env.GetTemplate("root.html").Info.GetBlock("body")!.IsRequired);
        Assert.True(env.GetTemplate("base.html").Info.GetBlock("inner")!.IsScoped);
        var oob = page.Info.GetBlock("oob")!;
        Assert.True(oob.IsFragment);
        Assert.Equal("nav", oob.GetModifier("role")!.Value);
    }

    [Fact]
    public void Inherited_blocks_stop_at_a_missing_parent_or_a_cycle()
    {
        var env = Env(new()
        {
            ["orphan.html"] = "{% extends 'nowhere.html' %}{% block a %}{% end %}",
            ["x.html"] = "{% extends 'y.html' %}{% block a %}{% end %}",
            ["y.html"] = "{% extends 'x.html' %}{% block b %}{% end %}",
            ["dir/child.html"] = "{% extends './base.html' %}",
            ["dir/base.html"] = "{% block c %}{% end %}",
        });
        Assert.Equal(["a"], env.GetTemplate("orphan.html").BlockNames);
        Assert.Equal(["a", "b"], env.GetTemplate("x.html").BlockNames);
        Assert.Equal(["c"], env.GetTemplate("dir/child.html").BlockNames);
        Assert.Equal(["c"], Env().FromString("{% extends 'base.html' %}{% block c %}{% end %}").BlockNames);
    }

    [Fact]
    public void Info_does_not_render_or_compile_twice()
    {
        var env = Env(new() { ["base.html"] = "{% block a %}{{ fail() }}{% end %}", ["page.html"] = "{% extends 'base.html' %}" });
        var page = env.GetTemplate("page.html");
        var before = env.CompilationCount;
        Assert.Equal(["a"], page.Info.Blocks.Select(b => b.Name));
        Assert.Equal(before + 1, env.CompilationCount);
        Assert.Equal(["a"], page.Info.Blocks.Select(b => b.Name));
        Assert.Equal(before + 1, env.CompilationCount);
    }

    [Fact]
    public void Inspect_reads_a_template_and_its_parents_without_compiling_them()
    {
        var env = Env(new()
        {
            ["base.html"] = "{% block head %}{{ title | shout }}{% end %}",
            ["page.html"] = "{% extends 'base.html' %}{% def card(x: int) %}{{ x | app_only }}{% end %}{% block body %}{% end %}",
        });
        Assert.Equal("K-PAR-004", Assert.Throws<TemplateSyntaxException>(() => env.GetTemplate("page.html")).Code);
        var before = env.CompilationCount;
        var info = env.Inspect("page.html");
        Assert.Equal(before, env.CompilationCount);
        Assert.Equal("page.html", info.Name);
        Assert.Equal("base.html", info.Extends);
        Assert.Equal([("body", false), ("head", true)], info.Blocks.Select(b => (b.Name, b.IsInherited)));
        Assert.Equal("int", info.GetDef("card")!.Parameters[0].Annotation);
    }

    [Fact]
    public void Inspect_reports_missing_and_broken_templates_and_refuses_names_outside_the_root()
    {
        var env = Env(new() { ["bad.html"] = "{% if %}", ["ok.html"] = "{% extends 'missing.html' %}{% block a %}{% end %}" });
        Assert.Throws<TemplateNotFoundException>(() => env.Inspect("nope.html"));
        var syntax = Assert.ThrowsAny<TemplateSyntaxException>(() => env.Inspect("bad.html"));
        Assert.StartsWith("K-PAR-", syntax.Code);
        Assert.Equal(("bad.html", 1), (syntax.TemplateName, syntax.Line));
        Assert.Equal(["a"], env.Inspect("ok.html").Blocks.Select(b => b.Name));
        var root = Path.Combine(Path.GetTempPath(), "kida-inspect-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "views"));
        try
        {
            File.WriteAllText(Path.Combine(root, "secret.html"), "{% block s %}{% end %}");
            File.WriteAllText(Path.Combine(root, "views", "page.html"), "{% extends '../secret.html' %}");
            using var loader = new FileSystemLoader(Path.Combine(root, "views"));
            var files = new KidaEnvironment(new KidaOptions { Loader = loader });
            Assert.ThrowsAny<TemplateException>(() => files.Inspect("../secret.html"));
            Assert.Empty(files.Inspect("page.html").Blocks);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
