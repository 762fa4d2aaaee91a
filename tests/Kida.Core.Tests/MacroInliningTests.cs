using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// A printed call of a top-level macro with one or two positional arguments is inlined when its function is compiled
/// to IL at tier-up (the site saw one macro body while interpreted). The inlined call must behave as the call does:
/// output, defaults, a callee that changes, errors and their template stack, the recursion budget, <c>{% try %}</c>.
/// </summary>
public class MacroInliningTests
{
    private const string Lib = """
        {% macro cell(v, cls='c') %}<td class="{{ cls }}">{% for ch in v|string %}{% if ch == '!' %}{% break %}{% endif %}{{ ch }}{% endfor %}</td>{% endmacro %}
        {% macro div(n, d) %}{{ n // d }}{% endmacro %}
        """;

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Inlined_calls_print_what_calls_print(Mode mode)
    {
        var templates = new Dictionary<string, string>
        {
            ["lib.html"] = Lib,
            // the same body (with a loop and its labels) at several sites of one function, defaults, two arguments, None
            ["main.html"] = """
                {%- macro two(a, b='-') %}[{{ a }}|{{ b }}]{% endmacro -%}
                {%- macro nothing() %}N{% endmacro -%}
                {%- from 'lib.html' import cell -%}
                {%- for r in rows %}{{ cell(r.name) }}{{ cell(r.name, 'x') }}{{ two(r.n) }}{{ two(r.n, r.name) }}{{ two(none, '<b>') }};{% endfor -%}
                {{ cell('ab!c') }}{{ nothing() }}
                """,
        };
        var ctx = new Dictionary<string, object?>
        {
            ["rows"] = new[] { new Row("a<b", 1), new Row("x!y", 2) },
        };
        Assert.Equal(
            """<td class="c">a&lt;b</td><td class="x">a&lt;b</td>[1|-][1|a&lt;b][None|&lt;b&gt;];<td class="c">x</td><td class="x">x</td>[2|-][2|x!y][None|&lt;b&gt;];<td class="c">ab</td>N""",
            Render(mode, templates, ctx));
    }

    public sealed record Row(string Name, int N);

    [Fact]
    public void A_site_that_meets_another_callee_after_promotion_calls_it()
    {
        var env = Promoted("""
            {%- macro a(x) %}A{{ x }}{% endmacro -%}
            {%- macro b(x) %}B{{ x }}{% endmacro -%}
            {%- set m = a if pick == 'a' else b if pick == 'b' else f if pick == 'f' else none -%}
            {%- for i in [1, 2] %}{{ m(i) }}{% endfor -%}
            """, new() { ["pick"] = "a" }, out var t);
        Assert.Equal("A1A2", t.Render(new Dictionary<string, object?> { ["pick"] = "a" }));
        Assert.Equal("B1B2", t.Render(new Dictionary<string, object?> { ["pick"] = "b" }));
        Assert.Equal("F1F2", t.Render(new Dictionary<string, object?> { ["pick"] = "f", ["f"] = (Func<object?, object?>)(x => "F" + x) }));
        var ex = Assert.ThrowsAny<TemplateException>(() => t.Render(new Dictionary<string, object?> { ["pick"] = "none" }));
        Assert.Equal("K-RUN-012", ex.Code);
    }

    [Theory]
    [InlineData("{% from 'lib.html' import div %}\n{%- for d in ds %}{{ div(10, d) }},{% endfor %}")]
    [InlineData("{% import 'lib.html' as m %}\n{%- for d in ds %}{{ m.div(10, d) }},{% endfor %}")]
    public void An_error_in_an_inlined_body_reports_as_the_call_does(string main)
    {
        var templates = new Dictionary<string, string> { ["lib.html"] = Lib, ["main.html"] = main };
        var good = new Dictionary<string, object?> { ["ds"] = new[] { 1, 2 } };
        var bad = new Dictionary<string, object?> { ["ds"] = new[] { 5, 0 } };
        Promoted(templates, good, out var t);
        Assert.Equal("10,5,", t.Render(good));
        var inlined = Assert.ThrowsAny<TemplateException>(() => t.Render(bad));
        // the oracle: the same render compiled to IL without tiering (no inlining)
        var plain = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(templates), TieredCompilation = false });
        var called = Assert.ThrowsAny<TemplateException>(() => plain.GetTemplate("main.html").Render(bad));
        Assert.Equal((called.Code, called.TemplateName, called.Line, called.Column), (inlined.Code, inlined.TemplateName, inlined.Line, inlined.Column));
        Assert.Equal("lib.html", inlined.TemplateName);
        Assert.Equal(string.Join(" / ", called.TemplateStack), string.Join(" / ", inlined.TemplateStack));
        Assert.Contains(inlined.TemplateStack, f => f is { Kind: "macro", Name: "div" });
        // the template renders again afterwards, unchanged
        Assert.Equal("10,5,", t.Render(good));
    }

    [Fact]
    public void Errors_caught_around_inlined_calls_give_back_their_depth()
    {
        // 300 failed calls caught by {% try %}: each must leave the recursion budget (200) as it found it
        Promoted("""
            {%- macro need(v) %}{{ v.value }}{% endmacro -%}
            {%- for d in ds %}{% try %}{{ need(d) }}{% fallback %}e{% end %}{% endfor -%}
            """, new() { ["ds"] = new[] { new Dictionary<string, object?> { ["value"] = 1 } } }, out var t);
        var ds = Enumerable.Repeat(new Dictionary<string, object?>(), 300).Append(new Dictionary<string, object?> { ["value"] = 3 }).ToArray();
        Assert.Equal(new string('e', 300) + "3", t.Render(new Dictionary<string, object?> { ["ds"] = ds }));
    }

    [Fact]
    public void Recursion_through_an_inlined_call_keeps_its_budget()
    {
        Promoted("""
            {%- macro down(n) %}{{ n }}{% if n > 0 %}.{{ down(n - 1) }}{% endif %}{% endmacro -%}
            {{ down(k) }}
            """, new() { ["k"] = 3 }, out var t);
        Assert.Equal("3.2.1.0", t.Render(new Dictionary<string, object?> { ["k"] = 3 }));
        Assert.Equal(string.Join(".", Enumerable.Range(0, 150).Reverse()), t.Render(new Dictionary<string, object?> { ["k"] = 149 }));
        var ex = Assert.ThrowsAny<TemplateException>(() => t.Render(new Dictionary<string, object?> { ["k"] = 100_000 }));
        Assert.Equal("K-RUN-006", ex.Code);
    }

    [Fact]
    public void Checked_calls_are_still_checked_after_promotion()
    {
        var env = new KidaEnvironment(new KidaOptions
        {
            Loader = new DictLoader(new Dictionary<string, string>
            {
                ["main.html"] = "{% macro m(a) %}<{{ a }}>{% endmacro %}{% for x in xs %}{{ m(x) }}{% endfor %}{{ m(1, 2) if extra }}",
            }),
            TieredCompilation = true,
            TierUpAfterRenders = int.MaxValue,
            ValidateCalls = true,
        });
        var t = env.GetTemplate("main.html");
        Assert.Equal("<1><2>", t.Render(new Dictionary<string, object?> { ["xs"] = new[] { 1, 2 }, ["extra"] = false }));
        t.Compiled.Promote();
        Assert.Equal("<3>", t.Render(new Dictionary<string, object?> { ["xs"] = new[] { 3 }, ["extra"] = false }));
        Assert.ThrowsAny<TemplateException>(() => t.Render(new Dictionary<string, object?> { ["xs"] = new[] { 3 }, ["extra"] = true }));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Calls_of_an_imported_namespace_print_what_calls_print(Mode mode)
    {
        var templates = new Dictionary<string, string>
        {
            ["lib.html"] = Lib + "{% macro two(a, b='-') %}[{{ a }}|{{ b }}]{% endmacro %}{% set label = 'L' %}",
            // m.name(a) / m.name(a, b) of an import, beside method calls of one and two arguments on other values (which
            // are no macros: called as methods, as before) and a member that is not callable
            ["main.html"] = """
                {%- import 'lib.html' as m -%}
                {%- for r in rows %}{{ m.cell(r.name) }}{{ m.cell(r.name, 'x') }}{{ m.two(r.n) }}{{ m.two(r.n, r.name) }}{{ r.name.replace('a', 'A') }}{{ r.name.split('<') }}{{ d.get('k') }}{{ r.name.count('b') }}{{ ', '.join([r.name, 'z']) }};{% endfor -%}
                {{ m.div(7, 2) }}{{ m.label }}
                """,
        };
        var ctx = new Dictionary<string, object?>
        {
            ["rows"] = new[] { new Row("a<b", 1), new Row("x!y", 2) },
            ["d"] = new Dictionary<string, object?> { ["k"] = "v" },
        };
        Assert.Equal(
            """<td class="c">a&lt;b</td><td class="x">a&lt;b</td>[1|-][1|a&lt;b]A&lt;b[&#39;a&#39;, &#39;b&#39;]v1a&lt;b, z;<td class="c">x</td><td class="x">x</td>[2|-][2|x!y]x!y[&#39;x!y&#39;]v0x!y, z;3L""",
            Render(mode, templates, ctx));
    }

    [Fact]
    public void An_imported_call_meets_another_namespace_or_value_after_promotion()
    {
        var templates = new Dictionary<string, string>
        {
            ["a.html"] = "{% macro f(x) %}A{{ x }}{% endmacro %}",
            ["b.html"] = "{% macro f(x) %}B{{ x }}{% endmacro %}",
            ["c.html"] = "{% set f = 'not callable' %}",
            ["main.html"] = "{% import lib as m %}{% for i in [1, 2] %}{{ m.f(i) }}{% endfor %}",
        };
        Promoted(templates, new() { ["lib"] = "a.html" }, out var t);
        Assert.Equal("A1A2", t.Render(new Dictionary<string, object?> { ["lib"] = "a.html" }));
        Assert.Equal("B1B2", t.Render(new Dictionary<string, object?> { ["lib"] = "b.html" }));
        Assert.ThrowsAny<TemplateException>(() => t.Render(new Dictionary<string, object?> { ["lib"] = "c.html" }));
    }

    [Fact]
    public void An_imported_call_allocates_no_argument_list()
    {
        var templates = new Dictionary<string, string>
        {
            ["lib.html"] = "{% macro f(x, y='-') %}<i>{{ x }}{{ y }}</i>{% endmacro %}",
            ["main.html"] = "{% import 'lib.html' as m %}{% for i in items %}{{ m.f(i) }}{{ m.f(i, i) }}{% endfor %}",
        };
        var data = new Dictionary<string, object?> { ["items"] = Enumerable.Range(0, 2000).Select(i => (object?)("s" + i)).ToList() };
        Promoted(templates, data, out var t);
        t.Render(data);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var text = t.Render(data);
        var extra = GC.GetAllocatedBytesForCurrentThread() - before - 2L * text.Length;
        // (an argument array and a CallArgs per call would be 4,000 × 64 bytes)
        Assert.True(extra < 16_000, $"{extra} bytes beyond the text");
        Assert.StartsWith("<i>s0-</i><i>s0s0</i><i>s1-</i>", text);
    }

    [Fact]
    public void Recursion_through_an_imported_call_keeps_its_budget()
    {
        var templates = new Dictionary<string, string>
        {
            ["lib.html"] = "{% macro down(n) %}{{ n }}{% if n > 0 %}.{% import 'lib.html' as again %}{{ again.down(n - 1) }}{% endif %}{% endmacro %}",
            ["main.html"] = "{% import 'lib.html' as m %}{{ m.down(k) }}",
        };
        Promoted(templates, new() { ["k"] = 3 }, out var t);
        Assert.Equal("3.2.1.0", t.Render(new Dictionary<string, object?> { ["k"] = 3 }));
        var ex = Assert.ThrowsAny<TemplateException>(() => t.Render(new Dictionary<string, object?> { ["k"] = 100_000 }));
        Assert.Equal("K-RUN-006", ex.Code);
    }

    private static KidaEnvironment Promoted(string main, Dictionary<string, object?> warmup, out Template template) =>
        Promoted(new Dictionary<string, string> { ["main.html"] = main }, warmup, out template);

    /// <summary>Renders main.html once interpreted (the call sites note their macros), then compiles every template to IL.</summary>
    private static KidaEnvironment Promoted(Dictionary<string, string> templates, Dictionary<string, object?> warmup, out Template template)
    {
        var env = new KidaEnvironment(new KidaOptions
        {
            Loader = new DictLoader(templates),
            TieredCompilation = true,
            TierUpAfterRenders = int.MaxValue,
        });
        template = env.GetTemplate("main.html");
        template.Render(warmup);
        foreach (var name in templates.Keys)
        {
            var compiled = env.GetTemplate(name).Compiled;
            var tiers = compiled.Tiers?.ToList() ?? [];
            compiled.Promote();
            Assert.All(tiers, t => Assert.Null(t.PromotionError));
        }
        return env;
    }
}
