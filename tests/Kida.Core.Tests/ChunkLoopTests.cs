using Kida.Compilation;
using Kida.Syntax;
using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// <c>{% for b in xs|batch(n) %}</c> and <c>xs|slice(n)</c> whose body cannot keep <c>b</c> or change <c>xs</c> read
/// each batch or column into one reused list (BuiltinFilters.ChunkedLoopSource). Every body must print what the same
/// body prints when it stores <c>b</c> (which keeps the filter's own lists), over every kind of source, in every mode.
/// </summary>
public class ChunkLoopTests
{
    private static IEnumerable<int> Generated()
    {
        for (var i = 0; i < 5; i++) yield return i * 3;
    }

    private static Dictionary<string, object?> Ctx() => new()
    {
        ["none_"] = new List<int>(),
        ["one"] = new List<int> { 9 },
        ["ints"] = new List<int> { 4, 5, 6, 7, 8 },
        ["many"] = Enumerable.Range(0, 67).ToList(),
        ["arr"] = new[] { 1, 2, 3 },
        ["words"] = new List<string> { "a", "<b>", "c", "d" },
        ["longs"] = new List<long> { 1L << 40, -3, 7 },
        ["doubles"] = new List<double> { 1.5, -0.25, 2.0, 1e20, 3.0 },
        ["decimals"] = new List<decimal> { 1.50m, 2m, -0.125m },
        ["flags"] = new List<bool> { true, false, true, true },
        ["objs"] = new List<object?> { 1, "two", null, 4.5 },
        ["tuple"] = new object?[] { "x", "y", "z" },
        ["gen"] = Generated(),
        ["text"] = "abcde",
        ["map"] = new Dictionary<string, object?> { ["k"] = 1, ["j"] = 2, ["i"] = 3 },
        ["nothing"] = null,
    };

    public static IEnumerable<object[]> Bodies() => new[]
    {
        "{{ b|join(',') }};",
        "{{ b }}{{ b|length }}{{ b|first if b else '-' }}{{ b|sum if b and b[0] is number and b|select('string')|list|length == 0 else '' }};",
        "{% for y in b %}{{ y }}{% if not loop.last %}+{% endif %}{% endfor %}|",
        "{{ loop.index }}/{{ loop.length }}:{{ b|list }}{% if loop.last %}!{% endif %} ",
        "{% if b|length == 1 %}{% break %}{% endif %}{{ b|join }}.",
        "{% if loop.first %}{% continue %}{% endif %}{{ b[0] }}{{ b[-1] }}.",
        "{% for c in xs|batch(2) %}<{{ c|join }}>{% endfor %}{{ b|join }}|",
        "{% set k = loop.index %}{{ k }}{{ b|length }}{{ 'x' in b }}{{ b is sequence }}.",
    }.Select(body => new object[] { body });

    private static readonly string[] Sources = ["none_", "one", "ints", "many", "arr", "words", "longs", "doubles", "decimals", "flags", "objs", "tuple", "gen", "text", "map", "nothing", "missing", "[1, 2, 3, 4]", "range(7)"];

    [Theory]
    [MemberData(nameof(Bodies))]
    public void A_reused_batch_prints_what_the_filters_lists_print(string body)
    {
        foreach (var mode in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered })
            foreach (var source in Sources)
                foreach (var filter in new[] { "batch(1)", "batch(2)", "batch(3)", "slice(1)", "slice(2)", "slice(3)", "slice(9)" })
                {
                    var reused = $"{{% for b in xs|{filter} %}}{body}{{% else %}}empty{{% endfor %}}";
                    var kept = $"{{% for b in xs|{filter} %}}{{% set kept = b %}}{body}{{% else %}}empty{{% endfor %}}";
                    Assert.True(Chunked(reused), reused);
                    Assert.False(Chunked(kept));
                    var ctx = Ctx();
                    ctx["xs"] = source.StartsWith('[') || source.StartsWith("range") || source == "missing" ? null : ctx[source];
                    var src = source.StartsWith('[') || source.StartsWith("range") || source == "missing" ? source : "xs";
                    Assert.Equal(Outcome(mode, kept.Replace("xs|", src + "|"), ctx), Outcome(mode, reused.Replace("xs|", src + "|"), ctx));
                }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Nested_and_following_chunk_loops_each_read_their_own_batches(Mode mode)
    {
        var ctx = new Dictionary<string, object?> { ["a"] = new List<int> { 1, 2, 3, 4, 5 }, ["w"] = new List<string> { "x", "y", "z" } };
        Assert.Equal("[1,2:x,y/z/][3,4:x,y/z/][5:x,y/z/]|x/y/z/|1,2,3/4,5/", Render(mode,
            "{% for b in a|batch(2) %}[{{ b|join(',') }}:{% for c in w|batch(2) %}{{ c|join(',') }}/{% endfor %}]{% endfor %}|"
            + "{% for c in w|slice(3) %}{{ c|join(',') }}/{% endfor %}|{% for b in a|slice(2) %}{{ b|join(',') }}/{% endfor %}", ctx));
    }

    public static IEnumerable<object[]> ChunkCounts() =>
        from filter in new[] { "batch(1)", "batch(2)", "batch(3)", "batch(0)", "batch(-1)", "slice(1)", "slice(2)", "slice(9)", "slice(0)", "slice(2000000)" }
        from form in new[] { "|length", "|count", "|list|length", "|list|count" }
        select new object[] { filter + form };

    /// <summary>
    /// <c>xs|batch(n)|list|length</c> and its kin count the batches or columns without making them
    /// (BuiltinFilters.ChunkCount): printed, in an operation and stored, every source counts (or fails) as the filter's
    /// own list counts.
    /// </summary>
    [Theory]
    [MemberData(nameof(ChunkCounts))]
    public void A_count_of_batches_or_columns_is_what_the_filters_list_counts(string chain)
    {
        var cut = chain.IndexOf("|", 1, StringComparison.Ordinal);
        var made = chain[..cut];
        var counted = chain[cut..];
        foreach (var mode in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered })
            foreach (var source in Sources)
            {
                var src = source.StartsWith('[') || source.StartsWith("range") || source == "missing" ? source : "xs";
                var fused = $"{{{{ {src}|{chain} }}}}|{{{{ {src}|{chain} + 1 }}}}|{{% set c = {src}|{chain} %}}{{{{ c }}}}";
                var kept = $"{{% set l = {src}|{made} %}}{{% set l = l|list %}}{{{{ l{counted} }}}}|{{{{ l{counted} + 1 }}}}|{{{{ l{counted} }}}}";
                var ctx = Ctx();
                ctx["xs"] = src == "xs" ? ctx[source] : null;
                Assert.Equal(Outcome(mode, kept, ctx), Outcome(mode, fused, ctx));
            }
    }

    /// <summary>
    /// A batch, slice or groupby loop's view is kept by the render state for the next such loop, with the items it read
    /// last until the render ends: after the render, nothing of the model is reachable from it (the model's strings are
    /// collected), in every mode.
    /// </summary>
    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_finished_render_keeps_nothing_of_the_model_in_its_chunk_view(Mode mode)
    {
        var env = Env(mode);
        var templates = new[]
        {
            env.FromString("{% for b in xs|batch(2) %}{% for s in b %}{{ s }}{% endfor %}|{% endfor %}"),
            env.FromString("{% for c in xs|slice(2) %}{{ c|join(',') }};{% endfor %}"),
            env.FromString("{% for g in rows|groupby('kind') %}{{ g.grouper }}{{ g.list|length }};{% endfor %}"),
        };
        foreach (var t in templates)
            for (var round = 0; round < 2; round++)
            {
                var kept = RenderAndForget(t);
                for (var i = 0; i < 3 && kept.Any(w => w.IsAlive); i++)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                }
                Assert.DoesNotContain(kept, w => w.IsAlive);
                if (mode == Mode.Tiered) t.Compiled.Promote();
            }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static List<WeakReference> RenderAndForget(Template t)
    {
        var texts = Enumerable.Range(0, 5).Select(i => new string((char)('a' + i), 3 + i)).ToList();
        var rows = texts.Select(s => new Row(s, s.Length)).ToList();
        Assert.NotEmpty(t.Render(new Dictionary<string, object?> { ["xs"] = texts, ["rows"] = rows }));
        return [.. texts.Select(s => new WeakReference(s)), .. rows.Select(r => new WeakReference(r))];
    }

    public sealed record Row(string? Kind, int N);

    public record Entry(string? Kind, int N);

    public sealed record SubEntry(string? Kind, int N) : Entry(Kind, N);

    private static Dictionary<string, object?> Grouped() => new()
    {
        ["rows"] = new List<Row> { new("b", 1), new("A", 2), new("a", 3), new("c", 4), new("B", 5), new("a", 6) },
        ["one"] = new List<Row> { new("x", 1) },
        ["none_"] = new List<Row>(),
        ["nulls"] = new List<Row> { new(null, 1), new("a", 2) },
        ["mixed"] = new List<object?> { new Dictionary<string, object?> { ["kind"] = 2, ["n"] = 1 }, new Dictionary<string, object?> { ["kind"] = 1, ["n"] = 2 } },
        ["dicts"] = new List<object?> { new Dictionary<string, object?> { ["kind"] = "z", ["n"] = 1 }, new Dictionary<string, object?> { ["kind"] = "y", ["n"] = 2 }, new Dictionary<string, object?> { ["kind"] = "z", ["n"] = 3 } },
        ["many"] = Enumerable.Range(0, 70).Select(i => new Row("k" + i % 7, i)).ToList(),
        ["gen"] = Enumerable.Range(0, 5).Select(i => new Row("g" + i % 2, i)),
        ["missing_key"] = new List<Row> { new("a", 1) },
        ["entries"] = new List<Entry> { new("q", 1), new("P", 2), new("q", 3) },
        ["subs"] = new List<Entry> { new("q", 1), new SubEntry("p", 2), new("Q", 3) },
        ["null_items"] = new List<Entry?> { new("q", 1), null },
        ["nothing"] = null,
    };

    public static IEnumerable<object[]> GroupBodies() => new[]
    {
        "{{ g.grouper }}:{{ g.list|length }};",
        "{{ g }}|{{ g[0] }}{{ g.list|map(attribute='n')|join(',') }};",
        "{% for r in g.list %}{{ r.n }}{% if not loop.last %}+{% endif %}{% endfor %}|{{ loop.index }}/{{ loop.length }};",
        "{% if g.list|length > 1 %}{% break %}{% endif %}{{ g.grouper }}.",
        "{% for h in g.list|groupby('n') %}<{{ h.grouper }}>{% endfor %}{{ g.grouper }};",
    }.Select(body => new object[] { body });

    [Theory]
    [MemberData(nameof(GroupBodies))]
    public void A_reused_group_prints_what_the_filters_groups_print(string body)
    {
        foreach (var mode in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered })
            foreach (var source in Grouped().Keys)
                foreach (var target in new[] { "g", "k, v" })
                {
                    var attribute = source == "missing_key" ? "'nope'" : "'kind'";
                    var unpacked = target == "g" ? body : body.Replace("g.grouper", "k").Replace("g.list", "v").Replace("{{ g }}", "{{ k }}{{ v }}").Replace("g[0]", "k");
                    var reused = $"{{% for {target} in xs|groupby({attribute}) %}}{unpacked}{{% else %}}empty{{% endfor %}}";
                    var kept = $"{{% for {target} in xs|groupby({attribute}) %}}{{% set kept = {target.Split(',')[0]} %}}{unpacked}{{% else %}}empty{{% endfor %}}";
                    Assert.True(Chunked(reused, names: target.Split(", ")), reused);
                    Assert.False(Chunked(kept, names: target.Split(", ")));
                    var ctx = Grouped();
                    ctx["xs"] = ctx[source];
                    var tiered = Env(mode).FromString(reused);
                    var expected = Outcome(mode, kept, ctx);
                    Assert.Equal(expected, Outcome(tiered, ctx));
                    if (mode == Mode.Tiered)
                    {
                        tiered.Compiled.Promote();
                        Assert.Equal(expected, Outcome(tiered, ctx));
                    }
                }
    }

    /// <summary>
    /// <c>{{ b|join(sep) }}</c> of int batches and columns after promotion (ChunkView.WriteJoined writes the digits itself
    /// for a separator with nothing to escape): separators that need escaping, the same separator with autoescape on and
    /// off through one reused view, and a string limit the joined text passes all print what the interpreter prints.
    /// </summary>
    [Theory]
    [InlineData(",", null)]
    [InlineData("&", null)]
    [InlineData(" < ", null)]
    [InlineData("+", 30)]
    [InlineData("", 12)]
    public void Joined_int_chunks_escape_and_limit_as_the_join_filter_does(string sep, int? maxString)
    {
        var source = "{% for r in rows %}{% for b in r|batch(2) %}{{ b|join(sep) }};{% endfor %}{% autoescape false %}"
            + "{% for b in r|slice(2) %}{{ b|join(sep) }}/{% endfor %}{% for b in r|batch(3) %}{{ b|join(sep) }}|{% endfor %}{% endautoescape %}"
            + "{% for b in r|batch(4) %}{{ b|join(sep) }}:{% endfor %}.{% endfor %}";
        var rows = new List<List<int>> { new() { 1, -22, 333, 4444, 55555 }, new(), new() { 7 }, Enumerable.Range(100_000, 9).ToList() };
        var data = new Dictionary<string, object?> { ["rows"] = rows, ["sep"] = sep };
        var limits = KidaLimits.Default;
        if (maxString is { } most) limits = limits with { MaxStringLength = most };
        string Outcome(Template t)
        {
            try { return t.Render(data); }
            catch (TemplateException ex) { return "error " + ex.Code; }
        }
        var expected = Outcome(new KidaEnvironment(new KidaOptions { PreferInterpretation = true, Autoescape = true, Limits = limits }).FromString(source));
        var tiered = new KidaEnvironment(new KidaOptions { TieredCompilation = true, TierUpAfterRenders = int.MaxValue, Autoescape = true, Limits = limits }).FromString(source);
        Assert.Equal(expected, Outcome(tiered));
        tiered.Compiled.Promote();
        Assert.Equal(expected, Outcome(tiered));
        Assert.Equal(expected, Outcome(tiered));
        if (maxString is null) Assert.DoesNotContain("error", expected);
        else Assert.StartsWith("error", expected);
    }

    public sealed record Holder(List<Entry?>? Rows);

    public sealed record OtherHolder(List<string>? Rows);

    /// <summary>
    /// <c>{% for g in c.rows|groupby('kind') %}</c> over a member seen as a list of records: tier-up reads the keys through
    /// a compiled getter (SiteInliner.TypedGroupedSource). Case-folded keys, null items and keys, subclasses, other
    /// member types and long lists print what the interpreter prints.
    /// </summary>
    [Theory]
    [MemberData(nameof(GroupBodies))]
    public void A_grouped_member_list_prints_what_the_interpreter_prints_after_promotion(string body)
    {
        var source = "{% for c in cs %}{% for g in c.rows|groupby('kind') %}" + body + "{% else %}empty{% endfor %}/{% endfor %}";
        var typed = new List<object?>
        {
            new Holder([new Entry("b", 1), new Entry("A", 2), new Entry("a", 3), new Entry("c", 4), new Entry("B", 5)]),
            new Holder([new Entry("x", 1)]), new Holder([]),
            // 16 keys held on the stack, then 17 and 40 through the pool's scratch arrays (GroupPool.Fill)
            new Holder([.. Enumerable.Range(0, 16).Select(i => (Entry?)new Entry(i % 3 == 0 ? "K" + i % 5 : "k" + i % 5, i))]),
            new Holder([.. Enumerable.Range(0, 17).Select(i => (Entry?)new Entry("z" + (17 - i) % 4, i))]),
            new Holder([.. Enumerable.Range(0, 40).Select(i => (Entry?)new Entry(i % 3 == 0 ? "K" + i % 5 : "k" + i % 5, i))]),
        };
        var odd = new List<object?>
        {
            new Holder([new Entry("q", 1), new SubEntry("p", 2), new Entry("Q", 3)]),
            new Holder([new Entry("q", 1), null]),
            new Holder([new Entry(null, 1), new Entry("a", 2)]),
            new Holder(null),
            new Holder([.. Enumerable.Range(0, 70).Select(i => (Entry?)new Entry("k" + i % 7, i))]),
            new OtherHolder(["x", "y"]),
            new Dictionary<string, object?> { ["rows"] = new List<object?> { new Dictionary<string, object?> { ["kind"] = "d", ["n"] = 1 } } },
        };
        var interpreted = Env(Mode.Interpreted).FromString(source);
        var tiered = Env(Mode.Tiered).FromString(source);
        Dictionary<string, object?> Ctx(List<object?> cs) => new() { ["cs"] = cs };
        var expected = Outcome(interpreted, Ctx(typed));
        Assert.Equal(expected, Outcome(tiered, Ctx(typed)));
        tiered.Compiled.Promote();
        Assert.Equal(expected, Outcome(tiered, Ctx(typed)));
        foreach (var item in odd) Assert.Equal(Outcome(interpreted, Ctx([item])), Outcome(tiered, Ctx([item])));
        var mixed = typed.Concat(odd).Concat(typed).ToList();
        Assert.Equal(Outcome(interpreted, Ctx(mixed)), Outcome(tiered, Ctx(mixed)));
    }

    [Theory]
    [InlineData("{{ b|join }}", true)]
    [InlineData("{% for y in b %}{{ y }}{% endfor %}", true)]
    [InlineData("{% set n = b|length %}", false)]
    [InlineData("{% set kept = b %}", false)]
    [InlineData("{% set ns.b = b %}", false)]
    [InlineData("{{ f(b) }}", false)]
    [InlineData("{{ b.append(1) }}", false)]
    [InlineData("{% do b.clear() %}", false)]
    [InlineData("{% macro m() %}{{ b }}{% endmacro %}", false)]
    [InlineData("{% include 'x' %}", false)]
    [InlineData("{{ b|custom }}", false)]
    public void Only_a_body_that_cannot_keep_the_batch_reuses_it(string body, bool reused) =>
        Assert.Equal(reused, Chunked($"{{% for b in xs|batch(2) %}}{body}{{% endfor %}}", "custom"));

    private static string Outcome(Mode mode, string source, Dictionary<string, object?> ctx)
    {
        try { return Render(mode, source, ctx); }
        catch (TemplateException ex) { return "error " + ex.Code; }
    }

    private static string Outcome(Template template, Dictionary<string, object?> ctx)
    {
        try { return template.Render(ctx); }
        catch (TemplateException ex) { return "error " + ex.Code; }
    }

    /// <summary>Whether the template's first loop reuses its batches (LightLoops.ChunkStaysInBody, built-ins but <paramref name="custom"/>).</summary>
    private static bool Chunked(string source, string? custom = null, string[]? names = null)
    {
        var bound = BinderTests.Bind(source);
        var loop = (ForStmt)bound.Tree.Body.First(s => s is ForStmt);
        return (names ?? [((NameTarget)loop.Target).Name]).All(name => LightLoops.ChunkStaysInBody(loop, name, (n, _) => n != custom));
    }
}
