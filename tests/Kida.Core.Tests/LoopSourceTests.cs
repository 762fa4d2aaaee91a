using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// Issue 15: a for loop walks a model list as an array (tuples and arrays as they are, a model <c>List&lt;T&gt;</c> of
/// references copied into a pooled array), a template-built list live, anything else through its interface or an
/// enumerator. Each source must give the items, the order, the JSON unwrapping and the limits the general path gives.
/// </summary>
public class LoopSourceTests
{
    public sealed record Item(int Id, string Name);

    private static List<Item> Items(int n) => Enumerable.Range(0, n).Select(i => new Item(i, "n" + i)).ToList();

    public static IEnumerable<object[]> SizesAndModes =>
        from n in new[] { 0, 1, 7, 8, 15, 16, 17, 100, 3000 }
        from m in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered }
        select new object[] { n, m };

    [Theory]
    [MemberData(nameof(SizesAndModes))]
    public void Every_list_shape_loops_over_its_items_in_order(int n, Mode mode)
    {
        var list = Items(n);
        var expected = string.Concat(list.Select(i => i.Id + ":" + i.Name + ","));
        var sources = new Dictionary<string, object?>
        {
            ["list"] = list,
            ["array"] = list.ToArray(),
            ["objects"] = list.Cast<object?>().ToList(),
            ["readonly"] = list.AsReadOnly(),
            ["lazy"] = list.Select(i => i),
        };
        foreach (var (name, _) in sources)
        {
            var source = $"{{% for x in {name} %}}{{{{ x.id }}}}:{{{{ x.name }}}},{{% endfor %}}";
            Assert.Equal(expected, Render(mode, source, sources));
            // with loop (materialised, indexable) and with an inline filter and an else
            var looped = $"{{% for x in {name} if x.id is even %}}{{{{ loop.index }}}}/{{{{ loop.length }}}}={{{{ x.id }}}},{{% else %}}empty{{% endfor %}}";
            var evens = list.Where(i => i.Id % 2 == 0).ToList();
            Assert.Equal(evens.Count == 0 ? "empty" : string.Concat(evens.Select((x, k) => $"{k + 1}/{evens.Count}={x.Id},")), Render(mode, looped, sources));
        }
        // a tuple unpacked in the target
        Assert.Equal(string.Concat(list.Select(i => $"{i.Id}-{i.Name};")),
            Render(mode, "{% for a, b in pairs %}{{ a }}-{{ b }};{% endfor %}", new() { ["pairs"] = list.Select(i => (object?)new object?[] { i.Id, i.Name }).ToList() }));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Break_continue_and_nested_loops_over_copied_lists(Mode mode)
    {
        var model = new Dictionary<string, object?> { ["rows"] = Items(20), ["cols"] = Items(10) };
        var expected = string.Concat(Enumerable.Range(0, 20).Where(r => r % 3 != 0).TakeWhile(r => r < 15)
            .Select(r => r + "[" + string.Concat(Enumerable.Range(0, 10).Where(c => c < r).Select(c => c.ToString())) + "]"));
        Assert.Equal(expected, Render(mode,
            "{% for r in rows %}{% if r.id is divisibleby 3 %}{% continue %}{% endif %}{% if r.id >= 15 %}{% break %}{% endif %}" +
            "{{ r.id }}[{% for c in cols %}{% if c.id >= r.id %}{% break %}{% endif %}{{ c.id }}{% endfor %}]{% endfor %}", model));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void An_error_inside_a_loop_over_a_copied_list_leaves_the_next_render_correct(Mode mode)
    {
        // the pooled copy is given back on the way out; a later render of the same list sees its own items
        var model = new Dictionary<string, object?> { ["rows"] = Items(50) };
        Assert.ThrowsAny<TemplateException>(() => Render(mode, "{% for r in rows %}{{ r.id }}{% if r.id == 30 %}{{ 1 // 0 }}{% endif %}{% endfor %}", model));
        var other = new Dictionary<string, object?> { ["rows"] = Items(40).Select(i => i with { Name = "m" + i.Id }).ToList() };
        Assert.Equal(string.Concat(Enumerable.Range(0, 40).Select(i => "m" + i)), Render(mode, "{% for r in rows %}{{ r.name }}{% endfor %}", other));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_template_list_appended_to_inside_its_loop_is_read_live(Mode mode)
    {
        // Python walks a list it appends to: the loop sees the new items (here until the list holds 12)
        Assert.Equal("0,1,2,3,4,5,6,7,8,9,10,11,", Render(mode,
            "{% set xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] %}{% for x in xs %}{% if xs|length < 12 %}{% do xs.append(xs|length) %}{% endif %}{{ x }},{% endfor %}"));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Json_items_of_typed_and_untyped_lists_are_unwrapped(Mode mode)
    {
        var doc = JsonDocument.Parse("[1, \"two\", 3.5, true, null, 6, 7, 8, 9, 10]").RootElement;
        var elements = doc.EnumerateArray().ToList();
        var nodes = JsonNode.Parse("[1, \"two\", 3.5, true, null, 6, 7, 8, 9, 10]")!.AsArray().ToList();
        const string expected = "1:int,two:str,3.5:float,True:bool,None:none,6:int,7:int,8:int,9:int,10:int,";
        const string source = "{% for v in xs %}{{ v }}:{{ v|typeof }},{% endfor %}";
        Assert.Equal(expected, Render(mode, source, new() { ["xs"] = elements.Cast<object?>().ToList() }));
        Assert.Equal(expected, Render(mode, source, new() { ["xs"] = nodes }));
        Assert.Equal(expected, Render(mode, source, new() { ["xs"] = nodes.ToArray() }));
        Assert.Equal(expected, Render(mode, source, new() { ["xs"] = nodes.Select(n => (JsonValue?)n?.AsValue()).ToList() }));
    }

    /// <summary>A list that claims more items than memory could hold: never copied, its loop stops at the iteration limit.</summary>
    private sealed class Endless : IReadOnlyList<object?>, ICollection
    {
        public object? this[int index] => index;
        public int Count => int.MaxValue;
        public IEnumerator<object?> GetEnumerator() { for (var i = 0; ; i++) yield return i; }
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
        public void CopyTo(Array array, int index) => throw new InvalidOperationException("a hostile list must never be copied");
        public bool IsSynchronized => false;
        public object SyncRoot => this;
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_hostile_list_of_huge_count_is_never_copied_and_stops_at_the_loop_limit(Mode mode)
    {
        var env = Env(mode, KidaLimits.Default with { MaxLoopIterations = 5000 });
        var t = env.FromString("{% for x in xs %}{% endfor %}");
        var ex = Assert.Throws<TemplateRuntimeException>(() => t.Render(new Dictionary<string, object?> { ["xs"] = new Endless() }));
        Assert.StartsWith("K-SEC", ex.Code);
    }

    public sealed class Counting
    {
        public int Calls;

        public IEnumerable<int> Pairs()
        {
            Calls++;
            return Enumerable.Range(0, 3).Select(i => i * 10);
        }

        public Dictionary<string, object?> Meta()
        {
            Calls++;
            return new Dictionary<string, object?> { ["a"] = 1, ["b"] = 2 };
        }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_loop_source_that_is_not_a_list_is_evaluated_once(Mode mode)
    {
        var counting = new Counting();
        var text = Render(mode, "{% for n in c.Pairs() %}{{ n }};{% endfor %}|{% for k, v in c.Meta().items() %}{{ k }}={{ v }};{% endfor %}",
            new Dictionary<string, object?> { ["c"] = counting });
        Assert.Equal("0;10;20;|a=1;b=2;", text);
        // Render(mode, ...) renders twice under tiered compilation (before and after promotion): two calls per render
        Assert.Equal(mode == Mode.Tiered ? 4 : 2, counting.Calls);
    }

    private static readonly object?[] Mappings =
    [
        new Dictionary<string, object?> { ["b"] = 1, ["A"] = "x<y>", ["c"] = true, ["a"] = null, ["B"] = 2.5 },
        new Dictionary<string, object?> { ["items"] = "own", ["k"] = 1 },
        new Dictionary<string, object?>(),
        Enumerable.Range(0, 20).ToDictionary(i => "key" + (19 - i), i => (object?)i),
        new Dictionary<string, int> { ["z"] = 1, ["y"] = 2 },
        new SortedDictionary<string, object?> { ["q"] = 1, ["p"] = 2 },
        JsonNode.Parse("""{"j": 1, "i": [1, 2]}"""),
        new Dictionary<string, object?> { ["é"] = 1, ["e"] = 2, ["É"] = 3, ["ß"] = 4, ["Z"] = 5, ["😀"] = 6, ["\uFFFD"] = 7 },
        null,
        "not a mapping",
    ];

    public static IEnumerable<object[]> PairLoops =>
        from t in new[]
        {
            "{% for k, v in m.items() %}{{ k }}={{ v }};{% endfor %}",
            "{% for k, v in m|dictsort %}{{ k }}={{ v }};{% else %}empty{% endfor %}",
            "{% for k, v in m.items() if v %}{{ k }};{% endfor %}",
            "{% for k, v in m|dictsort %}{% if loop is defined %}L{% endif %}{% if k == 'b' %}{% break %}{% endif %}{{ k }};{% endfor %}",
            "{% for k, v in m.items() %}{% for k2, v2 in m|dictsort %}{{ k }}{{ k2 }},{% endfor %};{% endfor %}",
            "{% for k, v in m.items() %}{% set k = k ~ '!' %}{{ k }}{% endfor %}|{{ k }}",
            "{% for (k, v) in m|dictsort %}{{ v }}{% endfor %}",
        }
        from i in Enumerable.Range(0, 10)
        select new object[] { t, i };

    [Theory]
    [MemberData(nameof(PairLoops))]
    public void Loops_over_items_and_dictsort_agree_in_every_mode(string template, int mapping)
    {
        string Outcome(Mode mode)
        {
            try { return Render(mode, template, new Dictionary<string, object?> { ["m"] = Mappings[mapping] }); }
            catch (TemplateException ex) { return "error " + ex.Code; }
        }
        var expected = Outcome(Mode.Interpreted);
        Assert.Equal(expected, Outcome(Mode.Compiled));
        Assert.Equal(expected, Outcome(Mode.Tiered));
    }

    /// <summary>
    /// A short model list of references is read live, through the list's own indexer once the loop is promoted: an item
    /// the body appends is walked, in every mode, as Python's loop walks it; nested loops over the list each keep their place.
    /// </summary>
    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_short_model_list_of_references_is_read_live_in_every_mode(Mode mode)
    {
        var t = Env(mode).FromString("{% for s in xs %}{{ s }}{% if s == 'a' %}{% do xs.append('z') %}{% endif %}{% for u in xs %}{% if loop.last %}.{{ u }}{% endif %}{% endfor %};{% endfor %}");
        for (var round = 0; round < 2; round++)
        {
            Assert.Equal("a.z;b.z;z.z;", t.Render(new Dictionary<string, object?> { ["xs"] = new List<string> { "a", "b" } }));
            Assert.Equal("a.z;&lt;b&gt;.z;z.z;", t.Render(new Dictionary<string, object?> { ["xs"] = new List<string> { "a", "<b>" } }));
            if (mode == Mode.Tiered) t.Compiled.Promote();
        }
        var items = Env(mode).FromString("{% for i in xs %}{{ i.name }}{% for j in xs %}{{ j.id }}{% endfor %},{% endfor %}");
        for (var round = 0; round < 2; round++)
        {
            Assert.Equal("n0012,n1012,n2012,", items.Render(new Dictionary<string, object?> { ["xs"] = Items(3) }));
            if (mode == Mode.Tiered) items.Compiled.Promote();
        }
    }

    /// <summary>
    /// <c>for k in m.keys()</c> and <c>for v in m.values()</c> over a <c>Dictionary&lt;string, object?&gt;</c> read the
    /// pairs as items() does: each must give what the same loop over the view made a list gives (the general path), for
    /// every mapping, a dictionary whose own 'keys' or 'values' key wins over the method included.
    /// </summary>
    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Loops_over_keys_and_values_agree_with_the_general_path(Mode mode)
    {
        var mappings = Mappings.Concat([
            new Dictionary<string, object?> { ["keys"] = "mine", ["a"] = 1 },
            new Dictionary<string, object?> { ["values"] = new List<object?> { 1, 2 }, ["b"] = 2 },
        ]);
        foreach (var m in mappings)
        {
            string Outcome(string template)
            {
                try { return Render(mode, template, new Dictionary<string, object?> { ["m"] = m }); }
                catch (TemplateException ex) { return "error " + ex.Code; }
            }
            foreach (var view in new[] { "keys", "values" })
            {
                var body = "{{ x }};{% if x == 2 %}{% break %}{% endif %}{% else %}empty";
                Assert.Equal(Outcome($"{{% for x in m.{view}()|list %}}{body}{{% endfor %}}|{{{{ x }}}}"),
                    Outcome($"{{% for x in m.{view}() %}}{body}{{% endfor %}}|{{{{ x }}}}"));
                Assert.Equal(Outcome($"{{% for x in m.{view}()|list %}}{{% for y in m.{view}()|list %}}{{{{ x }}}}{{{{ y }}}},{{% endfor %}}{{% endfor %}}"),
                    Outcome($"{{% for x in m.{view}() %}}{{% for y in m.{view}() %}}{{{{ x }}}}{{{{ y }}}},{{% endfor %}}{{% endfor %}}"));
            }
        }
    }

    /// <summary>
    /// One loop over <c>m.values()</c> meeting a dictionary of objects (read as pairs) after a dictionary of booleans (a
    /// boxed copy the render pools): the pairs run must not give back the copy the run before it gave back already, or
    /// two later loops would share one copy and print each other's items.
    /// </summary>
    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_pairs_loop_after_a_copied_source_gives_back_nothing_twice(Mode mode)
    {
        var source = "{% for r in rows %}{% for v in r.values() %}{{ v }}{% endfor %},{% endfor %}|"
            + "{% for a in xs %}{% for b in ys %}{{ a }}{{ b }} {% endfor %}{% endfor %}";
        var rows = new List<object?>
        {
            new Dictionary<string, bool> { ["p"] = true, ["q"] = false },
            new Dictionary<string, object?> { ["s"] = 1 },
            new Dictionary<string, bool> { ["p"] = false },
            new Dictionary<string, object?> { ["t"] = 2 },
        };
        var data = new Dictionary<string, object?> { ["rows"] = rows, ["xs"] = new List<bool> { true, false }, ["ys"] = new List<bool> { false, true, false } };
        const string expected = "TrueFalse,1,False,2,|TrueFalse TrueTrue TrueFalse FalseFalse FalseTrue FalseFalse ";
        var t = Env(mode).FromString(source);
        for (var round = 0; round < 3; round++)
        {
            Assert.Equal(expected, t.Render(data));
            t.Compiled.Promote();
        }
    }

    /// <summary>
    /// One dictsort loop meeting many dictionaries in one render: the same keys in the same order (the order the loop
    /// remembers), equal keys that are other string instances, the same keys inserted in another order, other keys,
    /// keys that differ only in case, more than 16 pairs, and more changes of key order than the loop remembers. Each
    /// row must print what sorting that row's pairs gives (the general path, through a list).
    /// </summary>
    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_dictsort_loop_over_rows_with_changing_keys_sorts_each_row(Mode mode)
    {
        static Dictionary<string, object?> Row(params (string Key, object? Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);
        var rows = new List<object?>();
        for (var i = 0; i < 3; i++) rows.Add(Row(("b", i), ("a", "x"), ("c", true)));
        rows.Add(Row((new string('b', 1), 7), (new string('a', 1), 8), (new string('c', 1), 9)));
        rows.Add(Row(("c", 1), ("b", 2), ("a", 3)));
        rows.Add(Row(("B", 1), ("a", 2), ("b", 3), ("A", 4)));
        rows.Add(Row(("b", 1), ("a", 2)));
        rows.Add(Row(("b", 1), ("a", 2), ("d", 3)));
        rows.Add(Row(Enumerable.Range(0, 17).Select(k => ($"k{(k * 7) % 17:D2}", (object?)k)).ToArray()));
        rows.Add(Row());
        // (more new key orders than one loop remembers, then the first again)
        for (var i = 0; i < 40; i++) rows.Add(Row(($"z{i}", i), ($"y{i}", -i), ("m", i % 2 == 0)));
        rows.Add(Row(("b", 5), ("a", "y"), ("c", false)));
        var data = new Dictionary<string, object?> { ["rows"] = rows };
        var expected = Render(mode, "{% for r in rows %}{% for p in r|dictsort|list %}{{ p[0] }}={{ p[1] }};{% endfor %}|{% endfor %}", data);
        Assert.Contains("a=x;b=0;c=True;|", expected);
        Assert.Contains("a=3;b=2;c=1;|", expected);
        var t = Env(mode).FromString("{% for r in rows %}{% for k, v in r|dictsort %}{{ k }}={{ v }};{% endfor %}|{% endfor %}");
        for (var round = 0; round < 3; round++)
        {
            Assert.Equal(expected, t.Render(data));
            t.Compiled.Promote();
        }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_loop_over_items_sees_the_pairs_as_they_were_when_it_began(Mode mode)
    {
        var t = Env(mode).FromString("{% for k, v in m.items() %}{{ k }}{% do m.update({'z': 9}) %}{% endfor %}|{{ m|length }}");
        var sorted = Env(mode).FromString("{% for k, v in m|dictsort %}{{ k }}={{ v }};{% do m.pop('b') if 'b' in m %}{% endfor %}");
        for (var round = 0; round < 2; round++)
        {
            Assert.Equal("ab|3", t.Render(new Dictionary<string, object?> { ["m"] = new Dictionary<string, object?> { ["a"] = 1, ["b"] = 2 } }));
            Assert.Equal("a=1;b=2;", sorted.Render(new Dictionary<string, object?> { ["m"] = new Dictionary<string, object?> { ["b"] = 2, ["a"] = 1 } }));
            t.Compiled.Promote();
            sorted.Compiled.Promote();
        }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void The_loop_budget_is_exact_on_every_render_of_a_reused_render_state(Mode mode)
    {
        foreach (var budget in new long[] { 0, 1, 5, 1023, 1024, 1025, 3000 })
        {
            var env = Env(mode, KidaLimits.Default with { MaxLoopIterations = budget });
            var fits = env.FromString("{% for i in range(n) %}.{% endfor %}");
            for (var round = 0; round < 3; round++)
            {
                // exactly the budget: every iteration runs; one more fails with K-SEC-008
                Assert.Equal(new string('.', (int)budget), fits.Render(new Dictionary<string, object?> { ["n"] = budget }));
                var ex = Assert.ThrowsAny<TemplateException>(() => fits.Render(new Dictionary<string, object?> { ["n"] = budget + 1 }));
                Assert.Equal("K-SEC-008", ex.Code);
                if (mode == Mode.Tiered) fits.Compiled.Promote();
            }
        }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_token_cancelled_before_the_render_stops_the_first_loop(Mode mode)
    {
        var t = Env(mode).FromString("before{% for i in range(10) %}{{ i }}{% endfor %}");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => t.Render(new Dictionary<string, object?>(), cts.Token));
        Assert.Equal("before0123456789", t.Render(new Dictionary<string, object?>()));
    }
}
