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
