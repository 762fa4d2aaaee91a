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
}
