using System.Dynamic;
using System.Text.Json;
using Xunit;

namespace Kida.Core.Tests;

public class ModelTests
{
    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Json_element_models_read_like_dicts(bool interpret)
    {
        using var doc = JsonDocument.Parse("""{"user": {"name": "Ada", "tags": ["a", "b"], "age": 36, "ratio": 0.5}}""");
        var result = Modes.Render(interpret, "{{ user.name }}|{{ user.tags|join(',') }}|{{ user.age + 1 }}|{{ user['ratio'] }}", doc.RootElement);
        Assert.Equal("Ada|a,b|37|0.5", result);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Expando_objects_are_mappings(bool interpret)
    {
        dynamic user = new ExpandoObject();
        user.Name = "Bo";
        Assert.Equal("Bo", Modes.Render(interpret, "{{ user.Name }}", new Dictionary<string, object?> { ["user"] = user }));
    }

    [Fact]
    public void Lenient_mode_renders_undefined_as_empty()
    {
        var env = new KidaEnvironment(new KidaOptions { StrictUndefined = false });
        Assert.Equal("[][]", env.FromString("[{{ missing }}][{{ missing.attr }}]").Render());
        var strict = new KidaEnvironment(new KidaOptions());
        var ex = Assert.Throws<UndefinedException>(() => strict.FromString("{{ missing }}").Render());
        Assert.Contains("missing", ex.Message);
    }

    [Fact]
    public void Render_does_not_modify_the_callers_dictionary()
    {
        var data = new Dictionary<string, object?> { ["x"] = 1 };
        Assert.Equal("2", new KidaEnvironment().FromString("{% set x = 2 %}{{ x }}").Render(data));
        Assert.Equal(1, data["x"]);
        Assert.Single(data);
    }
}
