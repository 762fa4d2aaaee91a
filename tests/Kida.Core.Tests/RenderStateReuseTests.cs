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
