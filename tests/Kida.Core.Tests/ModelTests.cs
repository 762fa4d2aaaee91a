using System.Dynamic;
using System.Text.Json;
using Xunit;

namespace Kida.Core.Tests;

public class ModelTests
{
    public sealed class Typed
    {
        public string? Name { get; init; }
        public string? Missing { get; init; }
        public decimal Price { get; init; }
        public double Ratio { get; init; }
        public double Whole { get; init; }
        public bool Flag { get; init; }
        public int Count { get; init; }
        public long Big { get; init; }
        public string[] Tags { get; init; } = [];
        public List<int> Numbers { get; init; } = [];
        public IEnumerable<string> Lazy => Tags.Select(t => t.ToUpperInvariant());
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Typed_members_print_like_python_values(bool interpret)
    {
        var model = new { item = new Typed { Name = "<a&b>", Price = 12.50m, Ratio = 0.1, Whole = 3, Flag = true, Count = -7, Big = long.MaxValue } };
        const string tpl = "{{ item.name }}|{{ item.missing }}|{{ item.price }}|{{ item.ratio }}|{{ item.whole }}|{{ item.flag }}|{{ item.count }}|{{ item.big }}";
        var env = Modes.Env(interpret);
        var t = env.FromString(tpl, "typed.html");
        const string expected = "&lt;a&amp;b&gt;||12.50|0.1|3.0|True|-7|9223372036854775807";
        Assert.Equal(expected, t.Render(model));
        Assert.Equal(expected, t.Render(model)); // second render goes through the call-site cache
        Assert.Equal("<b>", env.FromString("{% autoescape false %}{{ item.name }}{% endautoescape %}", "raw.html")
            .Render(new { item = new Typed { Name = "<b>" } }));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Loops_walk_typed_sequences_and_lazy_enumerables(bool interpret)
    {
        var item = new Typed { Tags = ["a", "b", "c"], Numbers = [1, 2, 3] };
        var tpl = "{% for t in item.tags %}{{ t }}{% endfor %}|{% for n in item.numbers if n > 1 %}{{ n }}{% endfor %}|"
            + "{% for t in item.lazy %}{{ loop.index }}{{ t }}{{ loop.length }}{% endfor %}|{% for t in item.tags %}{{ loop.revindex }}{% endfor %}";
        Assert.Equal("abc|23|1A32B33C3|321", Modes.Render(interpret, tpl, new { item }));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Loop_changed_remembers_the_previous_iteration(bool interpret)
    {
        Assert.Equal("123", Modes.Render(interpret, "{% for x in [1,1,2,2,3] %}{% if loop.changed(x) %}{{x}}{% endif %}{% endfor %}"));
        Assert.Equal("1/2a2/2b", Modes.Render(interpret, "{% for x in [1,2,3] if x>1 %}{{loop.index}}/{{loop.length}}{{loop.cycle('a','b')}}{% endfor %}"));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Json_arrays_iterate_as_plain_values(bool interpret)
    {
        using var doc = JsonDocument.Parse("""{"xs": [1, "two", 3.5, null, true]}""");
        Assert.Equal("1|two|3.5|None|True|", Modes.Render(interpret, "{% for x in xs %}{{ x }}|{% endfor %}", doc.RootElement));
    }

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
