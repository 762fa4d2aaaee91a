using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// Tier-up reads <c>g.grouper</c> and <c>g.list</c> of a variable holding a group of the groupby filter or loop directly,
/// and types a groupby loop over a template variable its site has only seen as one <c>List&lt;T&gt;</c> as it types one
/// over a member. Whatever the variable holds (a group, a mapping or a record with those names, keys that are not
/// strings), each body must print after promotion what the interpreter prints.
/// </summary>
public class GroupMemberTests
{
    public sealed record Item(string? Kind, int Size, string Name);

    public sealed record Lookalike(string Grouper, List<int> List);

    private static readonly List<List<Item>> Families =
    [
        [new("a", 1, "x"), new("B", 2, "y"), new("b", 3, "z"), new("a", 4, "w")],
        [],
        [new("c", 5, "<v>")],
        [new("n", 6, "n"), new("a", 7, "m"), new("N", 8, "o")],
        [.. Enumerable.Range(0, 40).Select(i => new Item("k" + (i % 7), i, "i" + i))],
    ];

    public static IEnumerable<object[]> Bodies() => new[]
    {
        "{% for g in v|groupby('kind') %}{{ g.grouper }}:{{ g.list|length }}{{ g.list|map(attribute='name')|join(',') }};{% endfor %}",
        "{% for kind, items in v|groupby('kind') %}{{ kind }}={{ items|length }};{% endfor %}",
        "{% for g in v|groupby('size') %}{{ g.grouper }}:{{ g.list|length }};{% endfor %}",
        "{% for g in v|groupby('kind', default='none') %}{{ g.grouper }}{{ g[0] }}{{ g.list[0].name }};{% endfor %}",
        "{% for g in (v|groupby('kind'))|list %}{% set h = g %}{{ h.grouper }}{{ h.list|length }};{% endfor %}",
    }.Select(b => new object[] { b });

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Groups_of_a_loop_variable_print_what_the_interpreter_prints(string body)
    {
        // (a None key among strings is an error in every mode, as Python's sort gives: the lists here have none)
        var source = "{% for v in families %}" + body + "|{% endfor %}";
        var context = new Dictionary<string, object?> { ["families"] = Families };
        var expected = RenderOutcome(Mode.Interpreted, source, context);
        Assert.Equal(expected, RenderOutcome(Mode.Compiled, source, context));
        Assert.Equal(expected, RenderOutcome(Mode.Tiered, source, context));
        // promoted after seeing lists of records, then given a list of dictionaries and a list of lists
        var t = Env(Mode.Tiered).FromString(source);
        Assert.Equal(expected, RenderOutcome(t, context));
        t.Compiled.Promote();
        var other = new Dictionary<string, object?>
        {
            ["families"] = new List<object?>
            {
                new List<object?> { new Dictionary<string, object?> { ["kind"] = "q", ["size"] = 1, ["name"] = "d" } },
                Families[0],
            },
        };
        Assert.Equal(RenderOutcome(Mode.Interpreted, source, other), RenderOutcome(t, other));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Grouper_and_list_of_other_values_read_as_before(Mode mode)
    {
        const string source = "{% for g in gs %}{{ g.grouper }}/{{ g.list }};{% endfor %}";
        var gs = new List<object?>
        {
            new Dictionary<string, object?> { ["grouper"] = "<d>", ["list"] = new List<object?> { 1 } },
            new Lookalike("r", [2, 3]),
            new Dictionary<string, object?> { ["grouper"] = 7, ["list"] = "l" },
        };
        Assert.Equal("&lt;d&gt;/[1];r/[2, 3];7/l;", Render(mode, source, new() { ["gs"] = gs }));
    }
}
