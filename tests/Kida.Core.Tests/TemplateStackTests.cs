using Xunit;

namespace Kida.Core.Tests;

/// <summary>TemplateException.TemplateStack: the include/extends/import/macro/block chain that led to a render error.</summary>
public class TemplateStackTests
{
    public static IEnumerable<object[]> Modes3 => [["compiled"], ["interpreted"], ["tiered"]];

    private static KidaEnvironment Env(string mode, Dictionary<string, string> templates) => new(new KidaOptions
    {
        Loader = new DictLoader(templates),
        PreferInterpretation = mode == "interpreted",
        TieredCompilation = mode == "tiered",
    });

    private static readonly Dictionary<string, string> Shop = new()
    {
        ["Layout.html"] = "<html>\n<body>\n{% block content %}{% endblock %}\n</body>",
        ["_rows.html"] = "{% macro row(p) %}\n<li>{{ p.name }} {{ p.nope }}</li>\n{% endmacro %}",
        ["_list.html"] = "<ul>\n{% for p in products %}{{ rows.row(p) }}{% endfor %}\n</ul>",
        ["Index.html"] = "{% extends \"Layout.html\" %}\n{% import \"_rows.html\" as rows %}\n{% block content %}\n<h1>x</h1>\n  {% include \"_list.html\" %}\n{% endblock %}",
    };

    [Theory]
    [MemberData(nameof(Modes3))]
    public void An_error_in_a_macro_called_from_an_include_in_a_block_of_a_child_template_names_the_whole_chain(string mode)
    {
        var env = Env(mode, Shop);
        var model = new { products = new[] { new { name = "Tea" } } };
        // tiered: the first renders are interpreted, later ones compiled; both must give the same stack
        for (var i = 0; i < (mode == "tiered" ? 12 : 1); i++)
        {
            var ex = Assert.ThrowsAny<TemplateException>(() => env.GetTemplate("Index.html").Render(model));
            Assert.Equal("_rows.html", ex.TemplateName);
            Assert.Equal(2, ex.Line);
            Assert.Equal(
                [
                    "macro 'row' at _list.html:2:35",
                    "include '_list.html' at Index.html:5:6",
                    "block 'content' at Layout.html:3:4",
                    "extends 'Layout.html' at Index.html:1:4",
                ],
                ex.TemplateStack.Select(f => f.ToString()));
        }
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public void A_filter_error_in_a_def_slot_and_a_later_successful_render_have_their_own_stacks(string mode)
    {
        var env = Env(mode, new Dictionary<string, string>
        {
            ["page.html"] = "{% def card(t) %}<b>{% slot %}</b>{% end %}\n{% call card('x') %}{{ n|int(strict=true) }}{% end %}",
        });
        var ex = Assert.ThrowsAny<TemplateException>(() => env.GetTemplate("page.html").Render(new { n = "abc" }));
        Assert.Equal(["slot 'default' at page.html:1:24", "macro 'card' at page.html:2:13"], ex.TemplateStack.Select(f => f.ToString()));
        Assert.Equal("<b>5</b>", env.GetTemplate("page.html").Render(new { n = "5" }).Trim());
    }

    [Fact]
    public void An_error_at_the_top_level_has_an_empty_stack_and_a_syntax_error_too()
    {
        var env = Env("compiled", new Dictionary<string, string> { ["a.html"] = "{{ x.y }}", ["b.html"] = "{% if %}" });
        Assert.Empty(Assert.ThrowsAny<TemplateException>(() => env.GetTemplate("a.html").Render(new { x = 1 })).TemplateStack);
        Assert.Empty(Assert.ThrowsAny<TemplateException>(() => env.GetTemplate("b.html")).TemplateStack);
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public void A_missing_included_template_names_the_include_chain(string mode)
    {
        var env = Env(mode, new Dictionary<string, string>
        {
            ["a.html"] = "A\n{% include 'b.html' %}",
            ["b.html"] = "B\n\n{% include 'missing.html' %}",
        });
        var ex = Assert.Throws<TemplateNotFoundException>(() => env.GetTemplate("a.html").Render());
        Assert.Equal(["include 'b.html' at a.html:2:4"], ex.TemplateStack.Select(f => f.ToString()));
        Assert.Equal("b.html", ex.TemplateName);
        Assert.Equal(3, ex.Line);
    }
}
