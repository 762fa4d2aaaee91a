using Xunit;

namespace Kida.Core.Tests;

public class TieredCompilationTests
{
    private const string Page = """
        {% macro row(p) %}<tr><td>{{ p.name }}</td><td>{{ p.price }}</td></tr>{% endmacro %}
        {% block body %}<table>{% for p in products %}{{ row(p) }}{% else %}none{% endfor %}</table>{% endblock %}
        """;

    private static Dictionary<string, object?> Model() => new()
    {
        ["products"] = new List<object?>
        {
            new Dictionary<string, object?> { ["name"] = "<a>", ["price"] = 1.5m },
            new Dictionary<string, object?> { ["name"] = "b", ["price"] = 2m },
        },
    };

    [Fact]
    public void A_template_starts_interpreted_and_renders_the_same_once_compiled_to_IL()
    {
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(new Dictionary<string, string> { ["p.html"] = Page }), TierUpAfterRenders = 1000 });
        var template = env.GetTemplate("p.html");
        Assert.NotNull(template.Compiled.Tiers);
        Assert.All(template.Compiled.Tiers!, t => Assert.False(t.IsCompiled));
        var interpreted = template.Render(Model());

        var tiers = template.Compiled.Tiers!.ToList();
        template.Compiled.Promote();
        Assert.All(tiers, t => Assert.True(t.IsCompiled));
        Assert.All(tiers, t => Assert.Null(t.PromotionError));
        Assert.Null(template.Compiled.Tiers);
        Assert.Equal(interpreted, template.Render(Model()));
        Assert.Contains("<td>&lt;a&gt;</td><td>1.5</td>", interpreted);
    }

    [Fact]
    public void Enough_renders_compile_the_template_in_the_background()
    {
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(new Dictionary<string, string> { ["p.html"] = Page }), TierUpAfterRenders = 3 });
        var template = env.GetTemplate("p.html");
        var tiers = template.Compiled.Tiers!.ToList();
        var first = template.Render(Model());
        Assert.All(tiers, t => Assert.False(t.IsCompiled));
        for (var i = 0; i < 2; i++) Assert.Equal(first, template.Render(Model()));
        // the third render queued the compilation on the thread pool: wait for it (bounded), then render compiled
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!tiers.All(t => t.IsCompiled) && DateTime.UtcNow < deadline) Thread.Sleep(10);
        Assert.All(tiers, t => Assert.True(t.IsCompiled));
        Assert.Equal(first, template.Render(Model()));
    }

    [Fact]
    public void Without_tiering_templates_are_compiled_while_loading()
    {
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(new Dictionary<string, string> { ["p.html"] = Page }), TieredCompilation = false });
        Assert.Null(env.GetTemplate("p.html").Compiled.Tiers);
    }

    public sealed class Row
    {
        public string? Name { get; init; }
        public int Id { get; init; }
        public decimal Price { get; init; }
        public bool Active { get; init; }
        public double Ratio { get; init; }
        public object? Extra { get; init; }
        public string Broken => throw new InvalidOperationException("no name today");
    }

    public sealed class OtherRow
    {
        public string Name { get; init; } = "";
        public string Id { get; init; } = "";
        public string Price { get; init; } = "";
        public string Active { get; init; } = "";
        public string Ratio { get; init; } = "";
        public string? Extra { get; init; }
    }

    private const string Typed = """
        {% for r in rows %}[{{ r.name }}|{{ r.id }}|{{ r.price }}|{{ r.ratio }}|{% if r.active %}on{% else %}off{% endif %}|{{ r.id ~ "" }}|{{ r.extra }}|{{ r.name is none }}]{% endfor %}
        """;

    [Fact]
    public void Member_sites_that_saw_one_type_keep_rendering_every_type_the_same_once_promoted()
    {
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(new Dictionary<string, string> { ["t.html"] = Typed }), TierUpAfterRenders = 1000 });
        var template = env.GetTemplate("t.html");
        var rows = new { rows = new object[] { new Row { Name = "<a>", Id = 7, Price = 1.50m, Active = true, Ratio = 0.1, Extra = 3 }, new Row { Name = null, Id = -2, Price = -0.05m } } };
        var other = new { rows = new object[] { new OtherRow { Name = "x&y", Id = "i", Price = "p", Active = "", Ratio = "r" }, new Dictionary<string, object?> { ["name"] = "d", ["id"] = 1, ["price"] = 2, ["active"] = true, ["ratio"] = 1e20, ["extra"] = null } } };
        var mixed = new { rows = new object[] { rows.rows[0], other.rows[0], other.rows[1], rows.rows[1] } };
        var before = (template.Render(rows), template.Render(other), template.Render(mixed));
        Assert.Equal("[&lt;a&gt;|7|1.50|0.1|on|7|3|False][|-2|-0.05|0.0|off|-2||False]", before.Item1);

        var tiers = template.Compiled.Tiers!.ToList();
        template.Compiled.Promote();
        Assert.All(tiers, t => Assert.Null(t.PromotionError));
        Assert.Equal(before, (template.Render(rows), template.Render(other), template.Render(mixed)));
    }

    [Fact]
    public void A_failing_getter_reports_the_member_the_same_way_once_promoted()
    {
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(new Dictionary<string, string> { ["t.html"] = "{% for r in rows %}{% if r.active %}{{ r.broken }}{% endif %}{% endfor %}" }), TierUpAfterRenders = 1000 });
        var template = env.GetTemplate("t.html");
        var model = new { rows = new[] { new Row { Active = false }, new Row { Active = true } } };
        var interpreted = Assert.ThrowsAny<TemplateException>(() => template.Render(model));
        var tiers = template.Compiled.Tiers!.ToList();
        template.Compiled.Promote();
        Assert.All(tiers, t => Assert.Null(t.PromotionError));
        var compiled = Assert.ThrowsAny<TemplateException>(() => template.Render(model));
        Assert.Equal("K-RUN-010", compiled.Code);
        Assert.Equal(interpreted.Message, compiled.Message);
        Assert.Contains("Row.broken", compiled.Message);
        Assert.Contains("no name today", compiled.Message);
    }

    [Fact]
    public void Macros_of_up_to_two_parameters_bind_every_call_form_the_same_before_and_after_promotion()
    {
        const string source = """
            {%- macro zero() %}[zero]{% endmacro -%}
            {%- macro one(a) %}[{{ a }}]{% endmacro -%}
            {%- macro two(a, b='B') %}[{{ a }}{{ b }}]{% endmacro -%}
            {%- macro opt(a='A', b='B') %}[{{ a }}{{ b }}]{% endmacro -%}
            {{ zero() }}{{ one(1) }}{{ one(a=2) }}{{ two(3) }}{{ two(4, 5) }}{{ two(b=6, a=7) }}{{ opt() }}{{ opt(b=8) }}
            {{- one(x) ~ two(x, x) }}{% set f = two %}{{ f(9) }}{{ [1, 2]|map('string')|join }}{{ two.arguments|join(',') }}
            """;
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(new Dictionary<string, string> { ["m.html"] = source }), TierUpAfterRenders = 1000 });
        var template = env.GetTemplate("m.html");
        const string expected = "[zero][1][2][3B][45][76][AB][A8][<x>][<x><x>][9B]12a,b";
        Assert.Equal(expected, template.Render(new { x = "<x>" }).Replace("&lt;", "<").Replace("&gt;", ">"));
        var tooMany = Assert.ThrowsAny<TemplateException>(() => env.FromString("{% macro one(a) %}{% endmacro %}{{ one(1, 2) }}").Render());
        Assert.Contains("takes not more than 1 argument", tooMany.Message);
        var tiers = template.Compiled.Tiers!.ToList();
        template.Compiled.Promote();
        Assert.All(tiers, t => Assert.Null(t.PromotionError));
        Assert.All(tiers, t => Assert.True(t.IsCompiled));
        Assert.Equal(expected, template.Render(new { x = "<x>" }).Replace("&lt;", "<").Replace("&gt;", ">"));
    }

    public sealed class TopModel
    {
        public int Id { get; init; }
        public int Year { get; init; }
        public bool Flag { get; init; }
        public decimal Price { get; init; }
        public double Ratio { get; init; }
        public string? Name { get; init; }
        public string? Missing { get; init; }
        public string Shadow { get; init; } = "data";
        public object? Boxed { get; init; }
        public int Broken => throw new InvalidOperationException("no year today");
    }

    private static readonly Dictionary<string, string> TopFiles = new()
    {
        ["top.html"] = "{{ id }}|{{ year }}|{{ flag }}|{{ price }}|{{ ratio }}|{{ name }}|{{ missing }}|{{ boxed }}|{{ id + 1 }}|"
            + "{% if flag %}y{% endif %}|{{ shadow }}{% set shadow = 'var' %}{{ shadow }}|{% include 'inc.html' %}",
        ["inc.html"] = "{{ shadow }}-{{ year }}-{% set year = 1 %}{{ year }}",
        ["broken.html"] = "{{ id }}{{ broken }}",
    };

    [Fact]
    public void Top_level_names_of_a_typed_model_render_the_same_once_promoted_and_a_template_variable_still_shadows_them()
    {
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(TopFiles), TierUpAfterRenders = 1000 });
        var template = env.GetTemplate("top.html");
        var typed = new TopModel { Id = 7, Year = 2026, Flag = true, Price = 1.50m, Ratio = 0.5, Name = "<b>", Boxed = 3 };
        var other = new TopModel { Id = -1, Year = 300, Name = null, Boxed = "x" };
        var dict = new Dictionary<string, object?>
        {
            ["id"] = 5, ["year"] = 1.5, ["flag"] = 0, ["price"] = "p", ["ratio"] = null, ["name"] = "n", ["missing"] = "m", ["boxed"] = true, ["shadow"] = "d",
        };
        var before = (template.Render(typed), template.Render(other), template.Render(dict));
        Assert.Equal("7|2026|True|1.50|0.5|&lt;b&gt;|None|3|8|y|datavar|var-2026-1", before.Item1);

        var tiers = template.Compiled.Tiers!.ToList();
        template.Compiled.Promote();
        env.GetTemplate("inc.html").Compiled.Promote();
        Assert.All(tiers, t => Assert.Null(t.PromotionError));
        Assert.Equal(before, (template.Render(typed), template.Render(other), template.Render(dict)));
    }

    [Fact]
    public void A_failing_top_level_getter_reports_the_same_error_once_promoted()
    {
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(TopFiles), TierUpAfterRenders = 1000 });
        var template = env.GetTemplate("broken.html");
        var interpreted = Assert.ThrowsAny<TemplateException>(() => template.Render(new TopModel()));
        template.Compiled.Promote();
        var compiled = Assert.ThrowsAny<TemplateException>(() => template.Render(new TopModel()));
        Assert.Equal(interpreted.Message, compiled.Message);
        Assert.Equal(interpreted.Code, compiled.Code);
        Assert.Contains("no year today", compiled.Message);
    }

    /// <summary>
    /// The typed paths are observable through allocation: once promoted, a page of a typed model (inheritance, a macro
    /// per row, ints beyond the small-int boxes, decimals, bools) allocates exactly its output string per render. The
    /// generic paths box each int and decimal; before the pooling of block layers and bound macros, each render also
    /// allocated those.
    /// </summary>
    [Fact]
    public void A_promoted_page_of_a_typed_model_allocates_only_its_output_string()
    {
        var files = new Dictionary<string, string>
        {
            ["layout.html"] = "<title>{% block title %}{% endblock %} {{ year }}</title><main>{% block content %}{% endblock %}</main>",
            ["page.html"] = "{% extends 'layout.html' %}{% macro row(r) %}<tr class=\"{% if r.active %}on{% else %}off{% endif %}\">"
                + "<td>{{ r.id }}</td><td>{{ r.name }}</td><td>{{ r.price }}</td></tr>{% endmacro %}"
                + "{% block title %}{{ name }}{% endblock %}{% block content %}{% for r in rows %}{{ row(r) }}{% endfor %}{% endblock %}",
        };
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(files), TierUpAfterRenders = 1000 });
        var page = env.GetTemplate("page.html");
        var model = new PageModel
        {
            Name = "Rows & <more>",
            Year = 2026,
            Rows = Enumerable.Range(0, 20).Select(i => new Row { Id = 1000 + i, Name = $"n{i}<", Price = 10.25m * i, Active = i % 3 == 0 }).ToList(),
        };
        var expected = page.Render(model);
        page.Compiled.Promote();
        env.GetTemplate("layout.html").Compiled.Promote();
        for (var i = 0; i < 200; i++) Assert.Equal(expected, page.Render(model));

        const int renders = 100;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < renders; i++) page.Render(model);
        var perRender = (GC.GetAllocatedBytesForCurrentThread() - before) / renders;
        var stringBytes = (22 + 2 * expected.Length + 7) / 8 * 8; // object header, length, chars and terminator, 8-aligned
        Assert.Equal(stringBytes, perRender);
    }

    public sealed class PageModel
    {
        public string Name { get; init; } = "";
        public int Year { get; init; }
        public List<Row> Rows { get; init; } = [];
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.00")]
    [InlineData("1.5")]
    [InlineData("-1.50")]
    [InlineData("0.0001")]
    [InlineData("-0.0001")]
    [InlineData("123456789.123456789")]
    [InlineData("18446744073709551615")]
    [InlineData("18446744073709551616")]
    [InlineData("-79228162514264337593543950335")]
    [InlineData("0.000001")]
    [InlineData("-0.0000012", "-0.0000012")]
    [InlineData("0.0000001", "1E-7")]
    [InlineData("0.00000012", "1.2E-7")]
    [InlineData("-0.000000120", "-1.20E-7")]
    [InlineData("0.00000000", "0E-8")]
    [InlineData("0.0000000000000000000000000001", "1E-28")]
    [InlineData("0.0000000123456789012345678901234", "1.23456789012345678901E-8")]
    public void Decimals_print_with_their_scale_in_every_path(string text, string? python = null)
    {
        // Python's str(Decimal): plain digits keeping the scale, exponent form once the adjusted exponent is below -6
        var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        text = python ?? text;
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(new Dictionary<string, string> { ["d.html"] = "{{ r.price }} {{ v }} {{ v|string }}" }), TierUpAfterRenders = 1000 });
        var template = env.GetTemplate("d.html");
        var model = new { r = new Row { Price = value }, v = value };
        var expected = $"{text} {text} {text}";
        Assert.Equal(expected, template.Render(model));
        var tiers = template.Compiled.Tiers!.ToList();
        template.Compiled.Promote();
        Assert.All(tiers, t => Assert.Null(t.PromotionError));
        Assert.Equal(expected, template.Render(model));
    }
}
