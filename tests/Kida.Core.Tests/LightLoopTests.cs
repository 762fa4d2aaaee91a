using System.Text.Json.Nodes;
using Kida.Compilation;
using Kida.Syntax;
using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// A for loop whose body reads <c>loop</c> only as <c>index</c>, <c>index0</c>, <c>revindex</c>, <c>revindex0</c>,
/// <c>length</c>, <c>first</c> or <c>last</c> reads them from its own counter and items, without a LoopContext
/// (Compilation/LightLoops). Every such body must print what the same body prints with a context, which a dead
/// <c>loop.cycle</c> forces, over every kind of source, in every compile mode.
/// </summary>
public class LightLoopTests
{
    private static IEnumerable<int> Generated()
    {
        for (var i = 5; i < 9; i++) yield return i;
    }

    private static Dictionary<string, object?> Ctx() => new()
    {
        ["ints"] = new List<int> { 4, 5, 6 },
        ["one"] = new List<int> { 9 },
        ["none_"] = new List<int>(),
        ["arr"] = new[] { 7, 8 },
        ["longs"] = new List<long> { 10, -20 },
        ["many"] = Enumerable.Range(0, 100).ToList(),
        ["huge"] = Enumerable.Range(0, 2000).ToList(),
        ["words"] = new List<string> { "a", "<b>", "c" },
        ["objs"] = new List<object?> { 1, "two", null },
        ["gen"] = Generated(),
        ["text"] = "xyz",
        ["map"] = new Dictionary<string, object?> { ["k"] = 1, ["j"] = 2 },
        ["json"] = JsonNode.Parse("[1, \"s\", {\"a\": 2}, [3]]"),
        ["rows"] = new[] { new List<int> { 1, 2 }, new List<int> { 3 }, new List<int>(), new List<int> { 4, 5, 6 } },
    };

    public static IEnumerable<object[]> Bodies() => new[]
    {
        "{{ loop.index }}",
        "{{ loop.index0 }}:{{ loop.revindex }}:{{ loop.revindex0 }}:{{ loop.length }}",
        "{{ n }}{% if not loop.last %}, {% endif %}",
        "{% if loop.first %}[{% endif %}{{ n }}{% if loop.last %}]{% endif %}",
        "{{ loop.index * 10 + n|length if n is string else loop.index }}|{{ loop.index ~ '.' }}|{{ (loop.index, loop.first) }}",
        "{% set k = loop.index0 %}{{ k }}{{ loop.first and loop.last }}{{ [loop.index][0] }}",
        "{% if loop.index is even %}e{% elif loop.revindex == 1 %}l{% else %}o{% endif %}",
        "{% if loop.index > 2 %}{% break %}{% endif %}{{ loop.index }}",
        "{% if loop.first %}{% continue %}{% endif %}{{ loop.index0 }}",
        "{% for m in [1, 2] %}{{ loop.index }}{% endfor %}/{{ loop.index }}",
        "{% for m in [1, 2] %}{{ m }}{% endfor %}{{ loop.last }}",
        "{% for m in [] %}{% else %}{{ loop.index }}{% endfor %}",
        "{% set c = namespace(v=0) %}{% while c.v < loop.index and c.v < 4 %}{% set c.v = c.v + 1 %}*{% endwhile %}",
        "{{ loop.length|string }}{{ loop.last|string }}",
    }.Select(b => new object[] { b });

    private static readonly string[] Sources = ["ints", "one", "none_", "arr", "longs", "many", "huge", "words", "objs", "gen", "text", "map", "json", "rows", "range(3)", "[1, 2, 3]", "ints|reverse"];

    [Theory]
    [MemberData(nameof(Bodies))]
    public void A_light_loop_prints_what_a_loop_with_its_context_prints(string body)
    {
        foreach (var mode in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered })
            foreach (var source in Sources)
            {
                var light = $"{{% for n in {source} %}}{body};{{% else %}}empty{{% endfor %}}";
                var withContext = $"{{% for n in {source} %}}{body}{{% if false %}}{{{{ loop.cycle(1) }}}}{{% endif %}};{{% else %}}empty{{% endfor %}}";
                Assert.True(Analyse(light) is not null, light);
                Assert.Null(Analyse(withContext));
                Assert.Equal(Outcome(mode, withContext), Outcome(mode, light));
            }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Nested_light_loops_each_count_their_own_items(Mode mode)
    {
        Assert.Equal("1.1 1.2 |2.1 |3. |4.1 4.2 4.3 |", Render(mode,
            "{% for r in rows %}{% set outer = loop.index %}{% for n in r %}{{ outer }}.{{ loop.index }} {% else %}{{ outer }}. {% endfor %}|{% endfor %}", Ctx()));
        // the same short list of numbers in light loops nested four deep (each walks its own snapshot)
        var expected = string.Concat(from a in new[] { 1, 2, 3 } from b in new[] { 1, 2, 3 } from c in new[] { 1, 2, 3 } from d in new[] { 1, 2, 3 } select $"{a}{b}{c}{d} ");
        Assert.Equal(expected, Render(mode,
            "{% for a in ints %}{% set i = loop.index %}{% for b in ints %}{% set j = loop.index %}{% for c in ints %}{% set k = loop.index %}"
            + "{% for d in ints %}{{ i }}{{ j }}{{ k }}{{ loop.index }} {% endfor %}{% endfor %}{% endfor %}{% endfor %}", Ctx()));
    }

    [Theory]
    [InlineData("{{ loop.index }}", false)]
    [InlineData("{{ loop.first }}{{ loop.index0 }}", false)]
    [InlineData("{{ loop.length }}", true)]
    [InlineData("{{ loop.last }}", true)]
    [InlineData("{% for m in xs %}{{ loop.revindex }}{% endfor %}{{ loop.index }}", false)]
    [InlineData("{% for m in loop.index|string %}{{ m }}{% endfor %}", false)]
    public void Light_loops_know_whether_they_need_their_length(string body, bool needsLength) =>
        Assert.Equal(needsLength, Analyse($"{{% for n in xs %}}{body}{{% endfor %}}"));

    [Theory]
    [InlineData("{{ loop }}")]
    [InlineData("{{ loop.cycle('a', 'b') }}")]
    [InlineData("{{ loop.previtem }}")]
    [InlineData("{{ loop.nextitem }}")]
    [InlineData("{{ loop.depth }}")]
    [InlineData("{{ loop.changed(n) }}")]
    [InlineData("{{ loop?.index }}")]
    [InlineData("{{ loop.index() }}")]
    [InlineData("{{ loop['index'] }}")]
    [InlineData("{{ f(loop) }}")]
    [InlineData("{% set l = loop %}")]
    [InlineData("{% set loop = 5 %}{{ loop.index }}")]
    [InlineData("{% set loop.x = 1 %}")]
    [InlineData("{% for m in loop %}{% endfor %}")]
    [InlineData("{{ [loop for loop in xs] }}")]
    [InlineData("{% macro m() %}{{ loop.index }}{% endmacro %}{{ m() }}")]
    [InlineData("{% call f() %}{{ loop.index }}{% endcall %}")]
    [InlineData("{% include 'x' %}")]
    [InlineData("{% with a = 1 %}{{ loop.index }}{% endwith %}")]
    [InlineData("{% try %}{{ loop.index }}{% fallback %}{% end %}")]
    [InlineData("{% for m in xs %}{% else %}{{ loop }}{% endfor %}")]
    public void A_loop_whose_variable_could_be_seen_otherwise_keeps_its_context(string body)
    {
        var source = $"{{% for n in xs %}}{body}{{% endfor %}}";
        Assert.Null(Analyse(source));
    }

    private static string Outcome(Mode mode, string source)
    {
        try
        {
            return Render(mode, source, Ctx());
        }
        catch (TemplateException ex)
        {
            return $"{ex.Code} {ex.Line}:{ex.Column} {ex.Message}";
        }
    }

    /// <summary>What LightLoops says of the template's first loop.</summary>
    private static bool? Analyse(string source)
    {
        var bound = BinderTests.Bind(source);
        return LightLoops.Analyse((ForStmt)bound.Tree.Body.First(s => s is ForStmt), bound);
    }
}
