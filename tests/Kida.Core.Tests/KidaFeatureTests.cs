using Xunit;

namespace Kida.Core.Tests;

/// <summary>Kida's own features (expected outputs from Kida's documented behaviour, spec Appendix C).</summary>
public class KidaFeatureTests
{
    public static IEnumerable<object[]> Cases()
    {
        var cases = new (string Template, string Expected)[]
        {
            ("{% def card(title, tone='plain') %}<h2 class='{{ tone }}'>{{ title }}</h2>[{% slot %}]({% slot footer %}){% end %}{% call card('<T>') %}body{% slot footer %}F{% end %}{% end %}",
                "<h2 class='plain'>&lt;T&gt;</h2>[body](F)"),
            ("{% def lst(items) %}{% for it in items %}<{% slot row let:item=it %}{{ item }}{% end %}>{% end %}{% end %}{{ lst([1, 2]) }}|{% call lst([1, 2]) %}{% slot row let:item %}#{{ item }}{% end %}{% end %}",
                "<1><2>|<#1><#2>"),
            ("{% def box() %}{{ has_slot() }}{% end %}{{ box() }}|{% call box() %}x{% end %}", "False|True"),
            ("{% try %}a{{ missing }}b{% fallback e %}[{{ e.type }}]{% end %}", "[UndefinedError]"),
            ("{% provide theme = 'dark' %}{{ consume('theme') }}{% end %}|{{ consume('theme', 'light') }}", "dark|light"),
            ("{% unless done %}todo{% end %}|{% let c = 0 %}{% while c < 3 %}{{ c }}{% let c = c + 1 %}{% end %}", "todo|012"),
            ("{{ [x * 2 for x in [1, 2, 3] if x > 1] }}|{{ 1..3 | list }}|{{ 1...3 | list }}", "[4, 6]|[1, 2, 3]|[1, 2]"),
            ("{{ items |> sort |> take(2) |> join(',') }}", "1,2"),
            ("{% with user as u %}{{ u.name }}{% empty %}anon{% end %}", "anon"),
            ("{% capture c %}<b>{% end %}{{ c }}", "&lt;b&gt;"),
            ("{% spaceless %} <ul>\n  <li>a</li>\n</ul> {% end %}", "<ul><li>a</li></ul>"),
            ("{{ d.a }}|{{ d['a'] }}|{{ d?.a is none }}", "|None|True"),
            ("{{ v ?| upper ?? 'n/a' }}", "n/a"),
            ("{% match p %}{% case 'pt', (x, y) %}{{ x }},{{ y }}{% case _ %}?{% end %}", "1,2"),
            ("{{ ['btn', none, ['on', '']] | classes }}|{{ 'Hello World!' | slug }}|{{ 2 | pluralize('y,ies') }}", "btn on|hello-world|ies"),
        };
        foreach (var (t, e) in cases)
        {
            yield return [t, e, false];
            yield return [t, e, true];
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders_like_kida(string template, string expected, bool interpret)
    {
        var context = new Dictionary<string, object?>
        {
            ["done"] = false,
            ["items"] = new List<object?> { 3, 1, 2 },
            ["user"] = null,
            ["d"] = new Dictionary<string, object?> { ["a"] = null },
            ["v"] = null,
            ["p"] = new List<object?> { "pt", new List<object?> { 1, 2 } },
        };
        Assert.Equal(expected, Modes.Render(interpret, template, context));
    }
}

public class BlockRenderingTests
{
    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Macro_inside_nested_blocks_compiles(bool interpret)
    {
        var env = Modes.Env(interpret, new()
        {
            ["p.html"] = "{% block outer %}<{% block inner %}{% macro row(x) %}[{{ x }}]{% endmacro %}{% set n = 2 %}{{ row(n) }}{% endblock %}>{% endblock %}",
        });
        Assert.Equal("<[2]>", env.GetTemplate("p.html").Render());
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Render_block_runs_only_setup_and_the_block(bool interpret)
    {
        var env = Modes.Env(interpret, new()
        {
            ["layout.html"] = "{% set site = 'S' %}<title>{% block title %}{{ title }}{% endblock %}</title>{{ needs_title }}{% block list %}{% endblock %}",
            ["page.html"] = "{% extends 'layout.html' %}{% import 'm.html' as m %}{% block title %}{{ title }}{% endblock %}{% block list %}{{ site }}:{{ m.b(n) }}{% endblock %}",
            ["m.html"] = "{% macro b(x) %}<b>{{ x }}</b>{% endmacro %}",
        });
        Assert.Equal("S:<b>3</b>", env.GetTemplate("page.html").RenderBlock("list", new { n = 3 }));
    }
}
