using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// Issue 15: <c>s.split(sep)|length</c> counts the parts without building them, and str methods on plain strings are
/// dispatched before the mapping and list checks. Each must answer exactly as the general path (the split list, then
/// its length) answers, errors included.
/// </summary>
public class MethodFastPathTests
{
    private static readonly string[] Texts =
    [
        "", " ", "a", "a b", "  a  b  ", "a,b,,c,", ",", "aaa", "aaaa", "x\ty\nz\r\nw", "a\u00a0b\u2003c\u3000d", "a\u001cb\u0085c",
        "Item 1 of 10", "ααα βββ", "🙂 🙂",
    ];

    private static readonly string[] Separators = ["None", "' '", "','", "'aa'", "'a'", "'  '", "'🙂'", "'\\n'"];

    public static IEnumerable<object[]> Cases =>
        from sep in Separators
        from m in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered }
        select new object[] { sep, m };

    private static string Outcome(Mode mode, string source, Dictionary<string, object?> model)
    {
        try { return Render(mode, source, model); }
        catch (TemplateException ex) { return "error " + ex.Code; }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Split_length_counts_what_the_split_list_holds(string sep, Mode mode)
    {
        var model = new Dictionary<string, object?> { ["texts"] = Texts.ToList() };
        var args = sep == "None" ? "" : sep;
        var fused = Outcome(mode, $"{{% for t in texts %}}{{{{ t.split({args})|length }}}},{{{{ t.split({args})|count }}}};{{% endfor %}}", model);
        var general = Outcome(mode, $"{{% for t in texts %}}{{{{ t.split({args})|list|length }}}},{{{{ t.split({args})|list|count }}}};{{% endfor %}}", model);
        Assert.Equal(general, fused);
        Assert.DoesNotContain("error", fused);
        // the general path is Python's: spot-check against .NET for the plain separators
        if (sep == "','")
            Assert.StartsWith(string.Concat(Texts.Take(3).Select(t => $"{t.Split(',').Length},{t.Split(',').Length};")), fused);
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Anything_else_takes_the_method_call_as_written(Mode mode)
    {
        var model = new Dictionary<string, object?>
        {
            ["safe"] = new Markup("a&amp;b c"),
            ["d"] = new Dictionary<string, object?> { ["split"] = (Func<object?, object?>)(_ => new List<object?> { 1, 2, 3, 4, 5 }) },
            ["n"] = null,
            ["num"] = 12,
        };
        foreach (var expr in new[] { "safe.split()", "safe.split('&')", "'a b c'.split(' ', 1)", "'a b c'.split(maxsplit=1)", "'a'.split('')", "'a1b'.split(1)", "n.split()", "num.split()", "missing.split()", "'abc'.split(none)" })
        {
            var fused = Outcome(mode, $"{{{{ {expr}|length }}}}", model);
            var general = Outcome(mode, $"{{{{ {expr}|list|length }}}}", model);
            Assert.Equal(general, fused);
        }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_huge_split_stops_at_the_collection_limit_as_the_split_list_does(Mode mode)
    {
        var env = Env(mode, KidaLimits.Default with { MaxCollectionLength = 1000 });
        var model = new Dictionary<string, object?> { ["s"] = string.Join(",", Enumerable.Repeat("x", 5000)), ["w"] = string.Join(" ", Enumerable.Repeat("x", 5000)) };
        foreach (var source in new[] { "{{ s.split(',')|length }}", "{{ w.split()|length }}", "{{ s.split(',')|list|length }}" })
        {
            var ex = Assert.ThrowsAny<TemplateException>(() => env.FromString(source).Render(model));
            Assert.StartsWith("K-SEC", ex.Code);
        }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Str_methods_on_plain_strings_answer_as_before(Mode mode)
    {
        var model = new Dictionary<string, object?>
        {
            ["s"] = "Item 12",
            ["m"] = new Dictionary<string, object?> { ["startswith"] = "not a method" },
        };
        Assert.Equal("True|False|True|item 12|3|Item/12|Item 12", Render(mode,
            "{{ s.startswith('Item') }}|{{ s.endswith('3') }}|{{ s.startswith(('x', 'It')) }}|{{ s.lower() }}|{{ s.find('m') }}|{{ s.split()|join('/') }}|{{ s.strip() }}", model));
        // a name that is not a str method fails as an unknown attribute, as before; a mapping's key still wins over a method
        Assert.Equal("error K-RUN-001", Outcome(mode, "{{ s.nosuch() }}", model));
        Assert.Equal("not a method", Render(mode, "{{ m.startswith }}", model));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Startswith_and_endswith_bound_at_compile_time_answer_as_the_method_call(Mode mode)
    {
        var model = new Dictionary<string, object?>
        {
            ["s"] = "Item <12>", ["safe"] = new Markup("<b>x</b>"), ["n"] = null, ["num"] = 5,
            ["d"] = new Dictionary<string, object?> { ["startswith"] = (Func<object?, object?>)(x => "key:" + x), ["endswith"] = "not callable" },
        };
        foreach (var expr in new[]
        {
            "s.startswith('Item')", "s.endswith('>')", "s.startswith('')", "s.startswith(('x', 'It'))", "s.endswith(12)", "s.startswith('It', 1)",
            "safe.startswith('<b>')", "safe.startswith('&lt;')", "d.startswith('q')", "d.endswith('q')", "n.startswith('a')", "num.startswith('5')", "missing.endswith('a')",
        })
        {
            string Run(string source) { try { return Render(mode, source, model); } catch (TemplateException ex) { return $"error {ex.Code}"; } }
            // bound (printed and as a value) against the general method call reached through a bound-method value
            var general = Run($"{{% set f = {expr.Split('(')[0]} %}}{{{{ f({string.Join("(", expr.Split('(').Skip(1))} }}}}");
            Assert.Equal(general, Run($"{{{{ {expr} }}}}"));
            Assert.Equal(general, Run($"{{% set r = {expr} %}}{{{{ r }}}}"));
        }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Even_and_odd_selections_of_int_lists_answer_as_for_any_list(Mode mode)
    {
        int[] values = [0, 1, -1, 2, -2, 7, int.MaxValue, int.MinValue, 10, 11];
        var typed = new Dictionary<string, object?> { ["xs"] = values.ToList() };
        var general = new Dictionary<string, object?> { ["xs"] = values.Select(v => (object?)v).ToList() };
        foreach (var expr in new[]
        {
            "xs|select('even')|list|length", "xs|select('odd')|list", "xs|reject('even')|join(',')", "xs|reject('odd')|count",
            "xs|select('even')|first", "xs|select('odd')|sum", "xs|select('divisibleby', 2)|list",
        })
        {
            var source = $"{{{{ {expr} }}}}";
            Assert.Equal(Render(mode, source, general), Render(mode, source, typed));
        }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Dict_get_bound_at_compile_time_answers_as_the_method_call(Mode mode)
    {
        var model = new Dictionary<string, object?>
        {
            ["d"] = new Dictionary<string, object?> { ["a"] = "<1>", ["n"] = null, ["j"] = System.Text.Json.JsonDocument.Parse("5").RootElement },
            ["own"] = new Dictionary<string, object?> { ["get"] = (Func<object?, object?>)(k => "own:" + k) },
            ["ro"] = (IReadOnlyDictionary<string, object?>)new System.Collections.ObjectModel.ReadOnlyDictionary<string, object?>(new Dictionary<string, object?> { ["a"] = 1 }),
            ["none"] = null, ["text"] = "abc",
        };
        foreach (var expr in new[]
        {
            "d.get('a')", "d.get('zz')", "d.get('zz', 'dflt')", "d.get('n', 'dflt')", "d.get('j') + 1", "d.get(1)", "own.get('a')", "ro.get('a')", "ro.get('b', 2)",
            "none.get('a')", "text.get('a')", "missing.get('a')",
        })
        {
            string Run(string source) { try { return Render(mode, source, model); } catch (TemplateException ex) { return $"error {ex.Code}"; } }
            var general = Run($"{{% set f = {expr.Split('(')[0]} %}}{{{{ f({string.Join("(", expr.Split('(').Skip(1))} }}}}");
            Assert.Equal(general, Run($"{{{{ {expr} }}}}"));
            Assert.Equal(general, Run($"{{% set r = {expr} %}}{{{{ r }}}}"));
        }
        // under a sandbox the call takes the general path (and its rules)
        var env = Env(mode, sandbox: new SandboxPolicy());
        Assert.Equal("&lt;1&gt;", env.FromString("{{ d.get('a') }}").Render(model));
    }

    public sealed record Named(string? Name, int Id, List<int> Ids);

    public sealed record Other(int Name, string Id, List<long> Ids);

    public static IEnumerable<object[]> MemberForms =>
        from e in new[]
        {
            "x.name.startswith('Item 1')", "x.name.endswith('0')", "x.name.startswith('')", "x.name.startswith('🙂')",
            "'y' if x.name.startswith('Item') else 'n'", "x.name.startswith('Item') and x.id > 3",
            "x.id in x.ids", "x.id not in x.ids", "'y' if x.id is in x.ids else 'n'", "x.id ** 2 in x.ids",
        }
        from m in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered }
        select new object[] { e, m };

    [Theory]
    [MemberData(nameof(MemberForms))]
    public void Affixes_and_membership_on_observed_members_agree_with_the_interpreter(string expr, Mode mode)
    {
        var named = new List<object?>
        {
            new Named("Item 10", 10, [1, 10, 100]), new Named("Item 2", 2, []), new Named(null, -5, [-5]), new Named("🙂 Item", int.MaxValue, [int.MaxValue]),
            new Named("", int.MinValue, [int.MinValue, 4]),
        };
        // after promotion, records of another type with the same member names (the typed checks fail) and a dictionary
        var others = new List<object?> { new Other(7, "Item 1", [7L, 49L]), new Dictionary<string, object?> { ["name"] = "Item 1x", ["id"] = 3, ["ids"] = new List<object?> { 3 } } };
        var source = "{% for x in xs %}[{{ " + expr + " }}]{% endfor %}";
        var expected = Env(Mode.Interpreted).FromString(source);
        var actual = Env(mode).FromString(source);
        string Of(Template t, List<object?> xs)
        {
            try { return t.Render(new Dictionary<string, object?> { ["xs"] = xs }); }
            catch (TemplateException ex) { return "error " + ex.Code; }
        }
        // the sites observe the records first; then (promoted, under tiered compilation) other types and a mixed list
        Assert.Equal(Of(expected, named), Of(actual, named));
        var tiers = actual.Compiled.Tiers?.ToList() ?? [];
        actual.Compiled.Promote();
        Assert.All(tiers, t => Assert.Null(t.PromotionError));
        foreach (var xs in new[] { named, others, named.Concat(others).ToList() })
            Assert.Equal(Of(expected, xs), Of(actual, xs));
    }
}
