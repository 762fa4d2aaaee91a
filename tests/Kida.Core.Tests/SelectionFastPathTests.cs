using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// Issue 15, round 3 of the fast paths. Each form below has a specialised path in compiled and promoted code (counting or
/// joining a list of ints by remainders, printed <c>tojson</c> of a typed list, <c>split|length</c> counted, a string
/// member's length, a member read without a try block); the interpreter runs the general filters. Every mode must print
/// what the interpreter prints, over typed lists, lists of objects, negative numbers, empty lists and None, or fail with
/// the same code.
/// </summary>
public class SelectionFastPathTests
{
    public static IEnumerable<object[]> Modes => Modes3;

    private static readonly object?[] Sources =
    [
        new List<int> { 1, 2, 3, 4, -3, -4, 0, int.MaxValue, int.MinValue },
        new[] { 5, 10, 15, -30 },
        new List<long> { 9007199254740993L, long.MinValue, long.MaxValue, -9, 6 },
        new[] { 2L, 3L, -6L },
        new List<object?> { 1, 2L, 3.0, true, 9 },
        new List<int>(),
        null,
    ];

    private static string Outcome(Mode mode, string source, object? xs, bool autoescape = true, Dictionary<string, object?>? extra = null)
    {
        var model = new Dictionary<string, object?>(extra ?? []) { ["xs"] = xs };
        try { return Render(mode, source, model, autoescape); }
        catch (TemplateException ex) { return "error " + ex.Code; }
    }

    /// <summary>
    /// <c>[{{ expr }}]</c> compiled and tiered (promoted) prints what the interpreter prints, with and without autoescape;
    /// so does the same value stored in a variable and then printed (the value form, not the printed one).
    /// </summary>
    private static void AssertEveryModeAgrees(string expr, object? xs)
    {
        foreach (var autoescape in new[] { true, false })
        {
            var expected = Outcome(Mode.Interpreted, $"[{{{{ {expr} }}}}]", xs, autoescape);
            foreach (var mode in new[] { Mode.Compiled, Mode.Tiered })
            {
                Assert.Equal(expected, Outcome(mode, $"[{{{{ {expr} }}}}]", xs, autoescape));
                Assert.Equal(expected, Outcome(mode, $"{{% set r = {expr} %}}[{{{{ r }}}}]", xs, autoescape));
            }
        }
    }

    public static IEnumerable<object[]> Selections =>
        from e in new[]
        {
            "xs|select('even')|list|length", "xs|reject('even')|length", "xs|select('odd')|count", "xs|reject('odd')|list|count",
            "xs|select('divisibleby', 3)|list|length", "xs|reject('divisibleby', 5)|length", "xs|select('divisibleby', 0)|length",
            "xs|select('even')|join(',')", "xs|reject('odd')|join('<&>')", "xs|select('odd')|list|join(', ')",
            "xs|select('divisibleby', 3)|join('-')", "xs|reject('divisibleby', 1)|join(',')", "xs|select('divisibleby', -2)|join(',')",
        }
        from i in Enumerable.Range(0, 7)
        select new object[] { e, i };

    [Theory]
    [MemberData(nameof(Selections))]
    public void Selections_by_a_divisibility_test_agree_in_every_mode(string expr, int source)
    {
        var xs = Sources[source];
        AssertEveryModeAgrees(expr, xs);
    }

    public static IEnumerable<object[]> Summed =>
        from e in new[] { "xs|sum", "xs|sum(start=1)", "xs|sum + 1" } from i in Enumerable.Range(0, 7) select new object[] { e, i };

    [Theory]
    [MemberData(nameof(Summed))]
    public void A_printed_sum_agrees_in_every_mode(string expr, int source) => AssertEveryModeAgrees(expr, Sources[source]);

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_printed_sum_of_longs_that_overflows_prints_the_exact_total(Mode mode)
    {
        var xs = new List<long> { long.MaxValue, long.MaxValue, 2 };
        Assert.Equal("18446744073709551616|-2147483648|4294967294", Outcome(mode, "{{ xs|sum }}|{{ ys|sum }}|{{ zs|sum }}", xs,
            extra: new() { ["ys"] = new[] { int.MinValue }, ["zs"] = new List<int> { int.MaxValue, int.MaxValue } }));
    }

    private static readonly object?[] StringSources =
    [
        new List<string> { "a", "<b>", "c & d", "'q'" },
        new[] { "x", "y\"z" },
        new List<string?> { "a", null, "b" },
        new List<string>(),
        new List<string> { "only" },
        new string?[] { null },
        new List<object?> { "a<", 1, 2L, long.MinValue, "" },
        new List<object?> { "x", new Markup("<b>"), 3 },
        new List<object?> { true, null, 1.5, 7 },
    ];

    public static IEnumerable<object[]> Joined =>
        from e in new[] { "xs|join('<&>')", "xs|join(', ')", "xs|join('')", "xs|join(', ')|length", "xs|batch(2)|map('join', '+')|join(';')" } from i in Enumerable.Range(0, 9) select new object[] { e, i };

    [Theory]
    [MemberData(nameof(Joined))]
    public void A_printed_join_of_model_strings_agrees_in_every_mode(string expr, int source) => AssertEveryModeAgrees(expr, StringSources[source]);

    [Theory]
    [MemberData(nameof(Joined))]
    public void A_printed_join_of_each_batch_agrees_in_every_mode(string _, int source)
    {
        const string loop = "{% for b in xs|batch(2) %}{{ b|join('<+>') }};{% endfor %}";
        foreach (var autoescape in new[] { true, false })
        {
            var expected = Outcome(Mode.Interpreted, loop, StringSources[source], autoescape);
            Assert.Equal(expected, Outcome(Mode.Compiled, loop, StringSources[source], autoescape));
            Assert.Equal(expected, Outcome(Mode.Tiered, loop, StringSources[source], autoescape));
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_printed_join_of_model_strings_past_the_string_limit_fails_as_the_join_does(Mode mode)
    {
        var env = Env(mode, KidaLimits.Default with { MaxStringLength = 1000 });
        var ex = Assert.ThrowsAny<TemplateException>(() =>
            env.FromString("{{ xs|join(',') }}").Render(new Dictionary<string, object?> { ["xs"] = Enumerable.Repeat("abcdefghij", 100).ToList() }));
        Assert.Equal("K-SEC-006", ex.Code);
        Assert.Equal(1000 - 1, env.FromString("{{ xs|join(',') }}").Render(new Dictionary<string, object?> { ["xs"] = Enumerable.Repeat("abcdefghi", 100).ToList() }).Length);
    }

    public sealed record Item(string? Kind, int Id);

    [Theory]
    [InlineData(1, false)]
    [InlineData(7, false)]
    [InlineData(64, false)]
    [InlineData(65, false)]
    [InlineData(300, false)]
    [InlineData(7, true)]
    [InlineData(64, true)]
    [InlineData(65, true)]
    public void Groupby_over_short_and_long_lists_orders_and_groups_as_Python(int n, bool caseSensitive)
    {
        // short lists are grouped from scratch arrays, long ones by the general path: both must give Python's groups
        // (a stable sort on the key, lowered unless case_sensitive; the grouper is the first item's own key)
        var kinds = new[] { "b", "A", "a", "B", "c", "ä", "Ä", "a b", "" };
        var rng = new Random(n * 31 + (caseSensitive ? 1 : 0));
        var items = Enumerable.Range(0, n).Select(i => new Item(kinds[rng.Next(kinds.Length)], i)).ToList();
        string Norm(string k) => caseSensitive ? k : k.ToLowerInvariant();
        var expected = string.Concat(items.OrderBy(x => Norm(x.Kind!), StringComparer.Ordinal).GroupBy(x => Norm(x.Kind!))
            .Select(g => $"{g.First().Kind}:{string.Join(",", g.Select(x => x.Id))};"));
        var source = "{% for g in xs|groupby('kind', case_sensitive=" + (caseSensitive ? "true" : "false") + ") %}{{ g.grouper }}:{{ g.list|map(attribute='id')|join(',') }};{% endfor %}";
        foreach (var mode in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered })
            Assert.Equal(expected, Outcome(mode, source, items, autoescape: false));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Groupby_keys_that_are_not_all_strings_fall_back_without_reading_any_item_twice(Mode mode)
    {
        var reads = 0;
        var items = new List<object?>
        {
            new Dictionary<string, object?> { ["k"] = 2 }, new Dictionary<string, object?> { ["k"] = 1 },
            new Counting(() => reads++, 2), new Dictionary<string, object?> { ["k"] = 1.5 },
        };
        Assert.Equal("1:1;1.5:1;2:2;", Outcome(mode, "{% for g in xs|groupby('k') %}{{ g.grouper }}:{{ g.list|length }};{% endfor %}", items));
        Assert.Equal(mode == Mode.Tiered ? 2 : 1, reads); // (tiered renders twice: before and after promotion)
        Assert.Equal("x:2;y:1;", Outcome(mode, "{% for g in xs|groupby('k', default='y') %}{{ g.grouper }}:{{ g.list|length }};{% endfor %}",
            new List<object?> { new Dictionary<string, object?> { ["k"] = "x" }, new Dictionary<string, object?>(), new Dictionary<string, object?> { ["k"] = "x" } }));
        Assert.Equal("error K-RUN-001", Outcome(mode, "{% for g in xs|groupby('k') %}{{ g.grouper }}{% endfor %}",
            new List<object?> { new Dictionary<string, object?> { ["k"] = "x" }, new Dictionary<string, object?>() }));
    }

    public sealed class Counting(Action onRead, object? k)
    {
        public object? K { get { onRead(); return k; } }
    }

    [Fact]
    public void A_groupby_key_getter_that_renders_a_groupby_of_its_own_keeps_both_results()
    {
        var env = new KidaEnvironment();
        var inner = env.FromString("{% for g in ys|groupby('kind') %}{{ g.grouper }}{{ g.list|length }}{% endfor %}");
        var ys = new List<Item> { new("q", 1), new("p", 2), new("q", 3) };
        var items = new List<Reentrant> { new(() => inner.Render(new Dictionary<string, object?> { ["ys"] = ys }), "b"), new(() => "", "a"), new(() => "", "b") };
        var outer = env.FromString("{% for g in xs|groupby('kind') %}{{ g.grouper }}:{{ g.list|map(attribute='seen')|join('/') }};{% endfor %}");
        Assert.Equal("a:;b:p1q2/;", outer.Render(new Dictionary<string, object?> { ["xs"] = items }));
    }

    public sealed class Reentrant(Func<string> render, string kind)
    {
        public string Seen { get; private set; } = "";
        public string Kind { get { Seen = render(); return kind; } }
    }

    [Fact]
    public void A_selection_printed_as_a_number_and_joined_prints_the_kept_items()
    {
        var xs = new List<int> { 1, 2, 3, 4, -3, -4, 0 };
        Assert.Equal("4|2,4,-4,0|1,3,-3|3", Outcome(Mode.Compiled,
            "{{ xs|select('even')|list|length }}|{{ xs|reject('odd')|join(',') }}|{{ xs|select('odd')|join(',') }}|{{ xs|select('divisibleby', 3)|length }}", xs));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void An_environment_test_named_even_replaces_the_builtin_in_every_selection(Mode mode)
    {
        var options = new KidaOptions { PreferInterpretation = mode == Mode.Interpreted, TieredCompilation = mode == Mode.Tiered };
        var env = new KidaEnvironment(options);
        env.AddTest("even", (Func<object?, bool>)(v => v is int i && i > 2));
        var t = env.FromString("{{ xs|select('even')|length }}/{{ xs|select('even')|join(',') }}");
        var xs = new List<int> { 1, 2, 3, 4 };
        Assert.Equal("2/3,4", t.Render(new Dictionary<string, object?> { ["xs"] = xs }));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_joined_selection_past_the_string_limit_fails_as_the_general_join_does(Mode mode)
    {
        var env = Env(mode, KidaLimits.Default with { MaxStringLength = 1000 });
        var big = Enumerable.Range(0, 2000).ToList();
        var ex = Assert.ThrowsAny<TemplateException>(() =>
            env.FromString("{{ xs|select('even')|join(',') }}").Render(new Dictionary<string, object?> { ["xs"] = big }));
        Assert.Equal("K-SEC-006", ex.Code);
        var small = Enumerable.Range(0, 40).ToList();
        Assert.Equal(string.Join(",", small.Where(n => n % 2 == 0)),
            env.FromString("{{ xs|select('even')|join(',') }}").Render(new Dictionary<string, object?> { ["xs"] = small }));
    }

    public static IEnumerable<object[]> JsonLists =>
        from i in Enumerable.Range(0, 9) from m in Modes3.Select(x => (Mode)x[0]) select new object[] { i, m };

    private static readonly object?[] Jsonable =
    [
        new List<int> { 1, -2, int.MaxValue, int.MinValue }, new[] { 3, 4 }, new List<long> { long.MinValue, 0 }, new[] { 7L },
        new List<string> { "a", "b c", "" }, new[] { "x", "y" }, new List<string> { "<b>", "it's", "é", "tab\t" },
        new List<string?> { "a", null }, new List<int>(),
    ];

    [Theory]
    [MemberData(nameof(JsonLists))]
    public void Printed_tojson_of_a_typed_list_is_the_json_the_filter_returns(int list, Mode mode)
    {
        var xs = Jsonable[list];
        var expected = Outcome(Mode.Interpreted, "{{ xs|tojson }}", xs);
        Assert.Equal(expected, Outcome(mode, "{{ xs|tojson }}", xs));
        Assert.Equal(expected, Outcome(mode, "{% set r = xs|tojson %}{{ r }}", xs));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Printed_tojson_of_a_typed_list_past_the_string_limit_fails_as_the_filter_does(Mode mode)
    {
        var env = Env(mode, KidaLimits.Default with { MaxStringLength = 200 });
        var t = env.FromString("[{{ xs|tojson }}]");
        foreach (var xs in new object[] { Enumerable.Range(0, 100).ToList(), Enumerable.Repeat("abcdefghij", 30).ToList(), Enumerable.Range(0, 100).Select(i => (long)i).ToArray() })
        {
            var ex = Assert.ThrowsAny<TemplateException>(() => t.Render(new Dictionary<string, object?> { ["xs"] = xs }));
            Assert.Equal("K-SEC-006", ex.Code);
        }
        Assert.Equal("[[1, 2]]", t.Render(new Dictionary<string, object?> { ["xs"] = new List<int> { 1, 2 } }));
    }

    public sealed record Text(string? Name);

    public sealed class Throwing
    {
        public string Name => throw new InvalidOperationException("boom");
    }

    public static IEnumerable<object[]> Strings =>
        from e in new[]
        {
            "x.name|length", "x.name.split(',')|length", "x.name.split('ab')|length", "x.name.split()|length", "x.name.split(',')|count",
            "x.name|default('n/a')", "x.name ?? 'none'", "'y' if x.name is defined else 'n'", "x.missing|default('d')",
        }
        from m in Modes3.Select(x => (Mode)x[0])
        select new object[] { e, m };

    private static readonly object[] Texts =
        [new Text("a,b,,c"), new Text("aaaab"), new Text("  two  words "), new Text("😀,x"), new Text(""), new Text(null), new Dictionary<string, object?> { ["name"] = "d,e" }];

    [Theory]
    [MemberData(nameof(Strings))]
    public void String_members_count_and_default_as_the_interpreter_does(string expr, Mode mode)
    {
        var template = "{% for x in xs %}[{{ " + expr + " }}]{% endfor %}";
        var expected = Outcome(Mode.Interpreted, template, Texts);
        Assert.Equal(expected, Outcome(mode, template, Texts));
        // each item alone too: a promoted site that saw only records, then given a dictionary
        foreach (var one in Texts) Assert.Equal(Outcome(Mode.Interpreted, template, new[] { one }), Outcome(mode, template, new[] { one }));
    }

    [Fact]
    public void A_split_count_counts_non_overlapping_separators_from_the_left()
    {
        Assert.Equal("3|2|4|1", Outcome(Mode.Compiled,
            "{{ 'aaaaa'.split('aa')|length }}|{{ 'a b'.split(' ')|length }}|{{ x.split(',')|length }}|{{ ''.split(',')|length }}", null,
            extra: new Dictionary<string, object?> { ["x"] = "1,2,,3" }));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_getter_that_throws_still_reports_K_RUN_010_after_promotion(Mode mode)
    {
        var template = "{% for x in xs %}{{ x.name|length }}{% endfor %}";
        var ok = new object[] { new Text("abc"), new Text("de") };
        Assert.Equal("32", Outcome(mode, template, ok));
        var env = new KidaEnvironment(new KidaOptions { TieredCompilation = mode == Mode.Tiered, PreferInterpretation = mode == Mode.Interpreted, TierUpAfterRenders = int.MaxValue });
        var t = env.FromString("{% for x in xs %}[{{ x.name }}]{% endfor %}");
        var throwing = new object[] { new Throwing() };
        Assert.Equal("error K-RUN-010", Outcome(t, throwing));
        t.Compiled.Promote();
        Assert.Equal("error K-RUN-010", Outcome(t, throwing));
        Assert.Equal("[abc]", Outcome(t, new object[] { new Text("abc") }));
    }

    private static string Outcome(Template t, object xs)
    {
        try { return t.Render(new Dictionary<string, object?> { ["xs"] = xs }); }
        catch (TemplateException ex) { return "error " + ex.Code; }
    }

    public sealed record Child(string Name, object? Label);

    private static readonly object?[] Lists =
    [
        new List<string> { "Tag", "tag", "TAG", "b<i>", "B<I>", "é", "É", "", "x" },
        new[] { "a", "b", "a" },
        new List<string?> { "a", null, "a" },
        new List<int> { 1, 2, 1, -1 },
        new List<long> { 5, 5, 9007199254740993L },
        new List<object?> { "a", 1, "A", 1L, 1.0, true },
        new List<string>(),
        Enumerable.Range(0, 40).Select(i => "k" + (i % 7)).ToList(),
        null,
    ];

    public static IEnumerable<object[]> ListForms =>
        from e in new[]
        {
            "xs.count('a')", "xs.count('tag')", "xs.count(1)", "xs.count(5)", "xs.count(9007199254740993)", "xs.count(none)", "xs.count(true)",
            "xs|unique|join(',')", "xs|unique|join('<&>')", "xs|unique|list|join(',')", "xs|unique(case_sensitive=true)|join(',')",
        }
        from i in Enumerable.Range(0, 9)
        select new object[] { e, i };

    [Theory]
    [MemberData(nameof(ListForms))]
    public void List_count_and_unique_join_agree_in_every_mode(string expr, int list)
    {
        var xs = Lists[list];
        AssertEveryModeAgrees(expr, xs);
    }

    [Fact]
    public void Unique_join_keeps_the_first_of_each_case_insensitive_group()
    {
        Assert.Equal("Tag,b&lt;i&gt;,é,,x", Outcome(Mode.Compiled, "{{ xs|unique|join(',') }}", Lists[0]));
        Assert.Equal("3", Outcome(Mode.Compiled, "{{ xs.count('a') + 1 }}", Lists[1]));
    }

    private static readonly object?[] Parents =
    [
        new List<Child> { new("a<b>", 1), new("c", null), new("d & e", "x") },
        new[] { new Child("one", 1) },
        new List<object?> { new Child("a", 1), new Dictionary<string, object?> { ["name"] = "dict" }, new Child("b", 2) },
        new List<object?> { new Child("a", 1), 5, "text" },
        new List<object?> { new Dictionary<string, object?> { ["name"] = new Markup("<i>safe</i>") }, new Child("<b>", 2) },
        new List<Child>(),
        null,
    ];

    public static IEnumerable<object[]> MapForms =>
        from e in new[] { "xs|map(attribute='name')|join(', ')", "xs|map(attribute='label')|join('|')", "xs|map(attribute='missing')|join(',')", "xs|map(attribute='name')|join('<>')" }
        from i in Enumerable.Range(0, 7)
        select new object[] { e, i };

    [Theory]
    [MemberData(nameof(MapForms))]
    public void A_joined_map_of_an_attribute_agrees_in_every_mode(string expr, int list)
    {
        var xs = Parents[list];
        AssertEveryModeAgrees(expr, xs);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_joined_map_past_the_string_limit_fails_with_K_SEC_006(Mode mode)
    {
        var env = Env(mode, KidaLimits.Default with { MaxStringLength = 100 });
        var xs = Enumerable.Range(0, 30).Select(i => new Child("name" + i, i)).ToList();
        var ex = Assert.ThrowsAny<TemplateException>(() => env.FromString("{{ xs|map(attribute='name')|join(',') }}").Render(new Dictionary<string, object?> { ["xs"] = xs }));
        Assert.Equal("K-SEC-006", ex.Code);
    }

    public record Kid(string? Name, int Age);

    public sealed record Nephew(string? Name, int Age) : Kid(Name, Age);

    public sealed record Parent(List<Kid> Kids);

    public sealed record Stranger(List<string> Kids);

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_joined_map_over_an_observed_member_list_agrees_with_the_interpreter(Mode mode)
    {
        const string source = "{% for p in ps %}[{{ p.kids|map(attribute='name')|join(', ') }}]{% endfor %}";
        var typed = new List<object?>
        {
            new Parent([new Kid("a<b>", 1), new Kid("c & d", 2)]), new Parent([]), new Parent([new Kid("solo", 3)]),
        };
        var odd = new List<object?>
        {
            new Parent([new Kid("x", 1), new Kid(null, 2), new Kid("z", 3)]),      // a null value: the general path
            new Parent([new Kid("x", 1), new Nephew("sub", 2)]),                  // a subclass item
            new Stranger(["s1", "s2"]),                                            // another owner type
            new Dictionary<string, object?> { ["kids"] = new List<object?> { new Kid("d", 1), new Markup("<i>m</i>") } },
            new Parent([new Kid(new string('w', 300), 1), new Kid(new string('v', 300), 2)]),
        };
        var expected = Env(Mode.Interpreted, KidaLimits.Default with { MaxStringLength = 1000 }).FromString(source);
        var actual = Env(mode, KidaLimits.Default with { MaxStringLength = 1000 }).FromString(source);
        string Of(Template t, List<object?> ps)
        {
            try { return t.Render(new Dictionary<string, object?> { ["ps"] = ps }); }
            catch (TemplateException ex) { return "error " + ex.Code; }
        }
        Assert.Equal(Of(expected, typed), Of(actual, typed));
        actual.Compiled.Promote();
        foreach (var ps in new[] { typed, odd, typed.Concat(odd).ToList() })
            Assert.Equal(Of(expected, ps), Of(actual, ps));
        // past the string limit after promotion: the same error as the interpreter's
        var big = new List<object?> { new Parent([new Kid(new string('w', 600), 1), new Kid(new string('v', 600), 2)]) };
        Assert.Equal("error K-SEC-006", Of(actual, big));
        Assert.Equal(Of(expected, big), Of(actual, big));
    }

    public record Member(string? Name, bool Active, int Age);

    public sealed record Guest(string? Name, bool Active, int Age) : Member(Name, Active, Age);

    public sealed record Club(List<Member> Members);

    public static IEnumerable<object[]> SelectedJoins =>
        from e in new[]
        {
            "selectattr('active')|map(attribute='name')|join(', ')", "rejectattr('active')|map(attribute='name')|join('<&>')",
            "selectattr('age')|map(attribute='name')|join(',')", "selectattr('name')|map(attribute='age')|join(',')",
            "selectattr('missing')|map(attribute='name')|join(',')", "rejectattr('active')|map(attribute='missing')|join(',')",
        }
        from mode in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered }
        select new object[] { e, mode };

    /// <summary>
    /// <c>xs|selectattr(a)|map(attribute=b)|join(sep)</c>, fused, prints what the selection kept in a variable and then
    /// mapped and joined prints (the unfused filters), over typed member lists before and after promotion, with the items
    /// tier-up cannot read directly (null values kept or dropped, a subclass, a dictionary, another owner type, a long text).
    /// </summary>
    [Theory]
    [MemberData(nameof(SelectedJoins))]
    public void A_joined_map_of_a_selection_prints_what_the_unfused_filters_print(string chain, Mode mode)
    {
        var cut = chain.IndexOf("|map", StringComparison.Ordinal);
        var fused = "{% for c in cs %}[{{ c.members|" + chain + " }}]{% endfor %}";
        var unfused = "{% for c in cs %}{% set kept = c.members|" + chain[..cut] + " %}[{{ kept" + chain[cut..] + " }}]{% endfor %}";
        var typed = new List<object?>
        {
            new Club([new Member("a<b>", true, 1), new Member("c & d", false, 0), new Member("e", true, 3)]), new Club([]),
            new Club([new Member("off", false, 2)]),
        };
        var odd = new List<object?>
        {
            new Club([new Member("x", true, 1), new Member(null, false, 2), new Member("z", true, 3)]),   // a null value dropped
            new Club([new Member("x", true, 1), new Member(null, true, 2)]),                             // a null value kept
            new Club([new Member("x", true, 1), new Guest("sub", true, 2)]),                             // a subclass item
            new Dictionary<string, object?> { ["members"] = new List<object?> { new Member("d", true, 1), new Dictionary<string, object?> { ["name"] = "m", ["active"] = 1 } } },
            new Club([new Member(new string('w', 600), true, 1), new Member(new string('v', 600), true, 2)]),  // past the limit
            new Club([new Member(new string('w', 600), true, 1), new Member(new string('v', 600), false, 2)]),
        };
        var limits = KidaLimits.Default with { MaxStringLength = 1000 };
        var expected = Env(Mode.Interpreted, limits).FromString(unfused);
        var actual = Env(mode, limits).FromString(fused);
        string Of(Template t, List<object?> cs)
        {
            try { return t.Render(new Dictionary<string, object?> { ["cs"] = cs }); }
            catch (TemplateException ex) { return "error " + ex.Code; }
        }
        Assert.Equal(Of(expected, typed), Of(actual, typed));
        if (mode == Mode.Tiered) actual.Compiled.Promote();
        foreach (var cs in new[] { typed, odd, typed.Concat(odd).ToList() })
            Assert.Equal(Of(expected, cs), Of(actual, cs));
        foreach (var item in odd)
            Assert.Equal(Of(expected, [item]), Of(actual, [item]));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_joined_map_of_a_selection_keeps_what_its_filter_keeps(Mode mode)
    {
        var env = Env(mode);
        var t = env.FromString("{% for c in cs %}{{ c.members|selectattr('active')|map(attribute='name')|join(',') }}/{{ c.members|rejectattr('active')|map(attribute='name')|join(',') }};{% endfor %}");
        var cs = new List<object?> { new Club([new Member("a", true, 1), new Member("b", false, 2), new Member("c", true, 3)]), new Club([new Member("<d>", false, 4)]) };
        Assert.Equal("a,c/b;/&lt;d&gt;;", t.Render(new Dictionary<string, object?> { ["cs"] = cs }));
        if (mode == Mode.Tiered)
        {
            t.Compiled.Promote();
            Assert.Equal("a,c/b;/&lt;d&gt;;", t.Render(new Dictionary<string, object?> { ["cs"] = cs }));
        }
    }

    /// <summary>
    /// <c>{% for ms in lists %}{{ ms|selectattr('active')|list|length }}</c> (and a printed select-map-join): a loop
    /// variable the site has only seen as one list type is read over its members directly after promotion
    /// (SiteInliner.ObservedListVariable); other types, subclasses, nulls and a site that has seen two types print as the
    /// interpreter prints.
    /// </summary>
    [Theory]
    [InlineData("ms|selectattr('active')|list|length")]
    [InlineData("ms|rejectattr('active')|count")]
    [InlineData("ms|selectattr('active')|length + 1")]
    [InlineData("ms|selectattr('age')|list|length")]
    [InlineData("ms|selectattr('active')|map(attribute='name')|join(', ')")]
    [InlineData("ms|rejectattr('active')|map(attribute='name')|join('<&>')")]
    public void A_count_over_a_loop_variable_seen_as_one_list_type_agrees_with_the_interpreter(string expr)
    {
        var source = "{% for ms in lists %}[{{ " + expr + " }}]{% set c = " + expr + " %}{{ c }};{% endfor %}";
        var typed = new List<object?>
        {
            new List<Member> { new("a", true, 1), new("b", false, 0), new("c", true, 2) }, new List<Member>(), new List<Member> { new("d", false, 3) },
        };
        var odd = new List<object?>
        {
            new List<Member> { new("a", true, 1), new Guest("g", true, 2), new Guest("h", false, 0) },
            new List<Member?> { null, new("x", true, 1) },
            new List<object?> { new Member("o", true, 1), new Dictionary<string, object?> { ["active"] = 1 }, "text" },
            new List<Guest> { new("g", true, 1) },
            null,
        };
        var interpreted = Env(Mode.Interpreted).FromString(source);
        var tiered = Env(Mode.Tiered).FromString(source);
        string Of(Template t, List<object?> lists)
        {
            try { return t.Render(new Dictionary<string, object?> { ["lists"] = lists }); }
            catch (TemplateException ex) { return "error " + ex.Code; }
        }
        var expected = Of(interpreted, typed);
        Assert.Equal(expected, Of(tiered, typed));
        tiered.Compiled.Promote();
        Assert.Equal(expected, Of(tiered, typed));
        foreach (var item in odd) Assert.Equal(Of(interpreted, [item]), Of(tiered, [item]));
        Assert.Equal(Of(interpreted, [.. typed, .. odd, .. typed]), Of(tiered, [.. typed, .. odd, .. typed]));
        // a site that has seen two list types keeps its general call after promotion
        var mixedSite = Env(Mode.Tiered).FromString(source);
        List<object?> both = [.. typed, new List<Guest> { new("g", true, 1) }];
        Assert.Equal(Of(interpreted, both), Of(mixedSite, both));
        mixedSite.Compiled.Promote();
        Assert.Equal(Of(interpreted, both), Of(mixedSite, both));
    }
}
