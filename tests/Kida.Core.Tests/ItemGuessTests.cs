using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// A for loop notes the type of the source it opens on; at tier-up, a loop that has only walked one kind of model list of
/// references (<c>List&lt;List&lt;int&gt;&gt;</c>, <c>List&lt;Child&gt;</c>, <c>Dictionary&lt;string, object?&gt;[]</c>) has its
/// variable's operations typed for that item type, behind a check of each value's exact type (SiteInliner.ItemGuess):
/// <c>{{ v|first }}</c>, <c>{{ v[0].name }}</c>, <c>{{ v|length }}</c> as on a member of that type. Every body below must
/// print over the typed list what it prints over the same items in a list of objects (the general path, no guess), in
/// every compile mode, errors included.
/// </summary>
public class ItemGuessTests
{
    public class Child
    {
        public string? Name { get; init; }
        public bool Active { get; init; }
        public int Rank { get; init; }
    }

    /// <summary>A subclass: its values fail the exact type check of a loop that guessed <see cref="Child"/>.</summary>
    public sealed class Grandchild : Child
    {
        public string Extra { get; init; } = "x";
    }

    private static readonly List<int>[] IntLists = [[3, 1, 2], [], [int.MinValue, int.MaxValue], [7], [0, 0, -5, 4, 4]];

    private static readonly List<string?>[] StringLists = [["b", "a", "<c>"], [], ["only"], ["x", null, "y"], ["é", "e", "E"]];

    private static readonly List<Child?>[] Families =
    [
        [new() { Name = "ann", Active = true, Rank = 2 }, new() { Name = "<bob>", Rank = 1 }],
        [],
        [new() { Name = null, Active = true }],
        [new Grandchild { Name = "gus", Rank = 3 }, null, new() { Name = "cy", Active = true, Rank = -1 }],
    ];

    private static readonly Dictionary<string, object?>[] Maps =
    [
        new() { ["b"] = 2, ["a"] = "x", ["c"] = true },
        new(),
        new() { ["name"] = "<n>", ["b"] = null },
        new() { ["keys"] = "own key", ["z"] = 1.5 },
    ];

    public static IEnumerable<object[]> ListBodies() => new[]
    {
        "{{ v }};",
        "{{ v|first }} {{ v|last }} {{ v|length }} {{ v|count }};",
        "{{ v|min }} {{ v|max }} {{ v|sum }} {{ v|sort|join(',') }} {{ v|join('-') }};",
        "{{ v[0] }} {{ v[1] }} {{ v[-1] }} {{ v[1:]|list }} {{ v|list|length }};",
        "{{ 2 in v }} {{ 'a' in v }} {{ 3 not in v }} {{ v is sequence }} {{ v is mapping }} {{ v is none }};",
        "{{ v|unique|list }} {{ v|reverse|list }} {{ v|tojson }} {{ v|string }} {{ v ~ '!' }} {{ v == [3, 1, 2] }};",
        "{% for n in v %}{{ n }}{% if not loop.last %},{% endif %}{% else %}empty{% endfor %} {{ v|batch(2)|list|length }};",
        "{{ v.count(3) }} {{ v.index(3) if 3 in v else -1 }} {{ v|default('d') }} {% if v %}t{% else %}f{% endif %};",
    }.Select(b => new object[] { b });

    [Theory]
    [MemberData(nameof(ListBodies))]
    public void A_list_of_int_lists_prints_what_the_same_lists_as_objects_print(string body) => Differential(body, IntLists);

    [Theory]
    [MemberData(nameof(ListBodies))]
    public void A_list_of_string_lists_prints_what_the_same_lists_as_objects_print(string body) => Differential(body, StringLists);

    public static IEnumerable<object[]> FamilyBodies() => new[]
    {
        "{{ v|length }} {{ v[0].name }} {{ v[0].rank * 2 }} {{ (v|first).name }} {{ (v|last).active }};",
        "{{ v|map(attribute='name')|join(', ') }} {{ v|selectattr('active')|list|length }} {{ v|rejectattr('active')|map(attribute='rank')|sum }};",
        "{% for c in v %}{{ c.name }}{% if c.active %}*{% endif %}{% endfor %} {{ v|sum(attribute='rank') }};",
        "{{ v|sort(attribute='rank')|map(attribute='name')|join }} {{ v|groupby('active')|length }} {{ v|first is none }};",
        "{{ v is sequence }} {{ v|tojson if false else v|length }} {{ v[5] is defined }} {{ v[0] is defined }};",
    }.Select(b => new object[] { b });

    [Theory]
    [MemberData(nameof(FamilyBodies))]
    public void A_list_of_record_lists_prints_what_the_same_lists_as_objects_print(string body) => Differential(body, Families);

    public static IEnumerable<object[]> RecordBodies() => new[]
    {
        "{{ v.name }} {{ v.rank + 1 }} {{ v.active }} {{ v is none }} {{ v|string if false else 1 }};",
        "{{ v.name|default('anon') }} {{ v.name|length if v.name else 0 }} {{ v['rank'] }} {{ v.extra is defined }};",
        "{% if v.active %}on{% else %}off{% endif %} {{ v == v }} {{ v is mapping }} {{ v is sequence }};",
    }.Select(b => new object[] { b });

    [Theory]
    [MemberData(nameof(RecordBodies))]
    public void A_list_of_records_with_a_subclass_and_nulls_prints_what_the_same_records_as_objects_print(string body) =>
        Differential(body, [new() { Name = "ann", Active = true, Rank = 2 }, new Grandchild { Name = "<g>", Rank = 5 }, null, new() { Rank = -3 }]);

    public static IEnumerable<object[]> MapBodies() => new[]
    {
        "{{ v|length }} {{ v['b'] }} {{ v.a }} {{ v.get('c', 'no') }} {{ 'b' in v }} {{ v is mapping }};",
        "{% for k in v.keys() %}{{ k }};{% endfor %}{% for k, x in v.items() %}{{ k }}={{ x }},{% endfor %}{% for x in v.values() %}{{ x }}{% endfor %}",
        "{% for k, x in v|dictsort %}{{ k }}:{{ x }} {% endfor %}{{ v|tojson }} {{ v.keys }} {{ v|list|join(',') }};",
        "{{ v|xmlattr }} {{ v|length > 1 }} {% if v %}t{% else %}f{% endif %} {{ v|first if v else '' }};",
    }.Select(b => new object[] { b });

    [Theory]
    [MemberData(nameof(MapBodies))]
    public void A_list_of_dictionaries_and_an_array_of_them_print_what_the_same_dictionaries_as_objects_print(string body)
    {
        Differential(body, Maps);
        DifferentialArray(body, Maps);
    }

    [Fact]
    public void A_loop_promoted_after_meeting_one_kind_of_list_still_walks_any_other()
    {
        // the guess is the first kind of list: a loop later given another kind (or items of another type) prints what the
        // interpreter prints for it
        const string source = "{% for v in xs %}{{ v|first }}|{{ v|length }}|{{ v[0] }}|{{ v|join(',') }}|{{ v|sum if v is sequence and v|first is number else '-' }};{% endfor %}";
        object[] kinds =
        [
            new List<List<int>> { new() { 1, 2 }, new() { 3 } },
            new List<List<string>> { new() { "a", "b" } },
            new List<int[]> { new[] { 5, 6 } },
            new List<object?> { new List<int> { 9 }, "text", new List<string> { "q" } },
            new List<string>[] { new() { "r", "s" } },
            new List<List<int>?> { null, new() { 4 } },
        ];
        EachKindAfterAnother(source, "xs", kinds);
    }

    [Fact]
    public void A_guessed_list_of_int_lists_boxes_no_item_once_promoted()
    {
        // what the guess is for: {{ v|first }} and {{ v[1] }} over a List<List<int>> read the ints unboxed after promotion
        var data = new Dictionary<string, object?> { ["xs"] = Enumerable.Range(0, 2000).Select(i => new List<int> { 100_000 + i, 200_000 + i }).ToList() };
        var allocated = AllocatedAfterPromotion("{% for v in xs %}{{ v|first }} {{ v[1] }} {{ v|length }},{% endfor %}", data);
        // (beyond the result string: a boxed int per item read would be 2,000 × 24 bytes at least)
        Assert.True(allocated < 2000 * 12, $"allocated {allocated} bytes beyond the text");
    }

    public sealed class Account
    {
        public string Owner { get; init; } = "";
        internal string Secret { get; init; } = "s3cret";
        public string Password { get; init; } = "hunter2";
    }

    [Fact]
    public void A_guessed_item_type_reads_no_member_the_sandbox_or_the_member_rules_refuse()
    {
        // promoted after the loop met a List<List<Account>>: what the item type guess types must still refuse an internal
        // member and a member the sandbox blocks, exactly as before promotion
        var sandbox = new SandboxPolicy { BlockedMembers = ["Account.Password"] };
        var data = new Dictionary<string, object?> { ["xs"] = new List<List<Account>> { new() { new Account { Owner = "o" } } } };
        foreach (var body in new[]
                 {
                     "{{ v[0].secret }}", "{{ v|map(attribute='secret')|join }}", "{{ v|first|attr('Secret') }}", "{{ v[0].password }}",
                     "{{ v|map(attribute='password')|join }}", "{{ v|selectattr('password')|list|length }}", "{{ v|sort(attribute='password')|length }}",
                     "{{ v|sum(attribute='secret') }}", "{{ v|groupby('password')|length }}", "{{ v[0].owner }}",
                 })
        {
            var source = "{% for v in xs %}" + body + ";{% endfor %}";
            var expected = RenderOutcome(Env(Mode.Interpreted, sandbox: sandbox).FromString(source), data);
            Assert.DoesNotContain("s3cret", expected);
            Assert.DoesNotContain("hunter2", expected);
            var t = new KidaEnvironment(new KidaOptions { TieredCompilation = true, TierUpAfterRenders = int.MaxValue, Sandbox = sandbox }).FromString(source);
            Assert.Equal(expected, RenderOutcome(t, data));
            t.Compiled.Promote();
            Assert.Equal(expected, RenderOutcome(t, data));
        }
    }

    private static void Differential<T>(string body, T[] values) where T : class?
    {
        var source = $"{{% for v in xs %}}{body}{{% else %}}none{{% endfor %}}";
        foreach (var mode in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered })
            foreach (var items in new[] { values, [], values.Take(1).ToArray(), Enumerable.Repeat(values, 12).SelectMany(v => v).ToArray() })
            {
                var typed = new Dictionary<string, object?> { ["xs"] = items.ToList() };
                var objects = new Dictionary<string, object?> { ["xs"] = items.Select(i => (object?)i).ToList() };
                Assert.Equal(RenderOutcome(mode, source, objects), RenderOutcome(mode, source, typed));
            }
    }

    private static void DifferentialArray<T>(string body, T[] values) where T : class?
    {
        var source = $"{{% for v in xs %}}{body}{{% endfor %}}";
        foreach (var mode in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered })
        {
            var objects = new Dictionary<string, object?> { ["xs"] = values.Select(i => (object?)i).ToList() };
            Assert.Equal(RenderOutcome(mode, source, objects), RenderOutcome(mode, source, new() { ["xs"] = values.ToArray() }));
        }
    }
}
