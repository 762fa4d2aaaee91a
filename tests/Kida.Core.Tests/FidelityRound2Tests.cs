using Xunit;

namespace Kida.Core.Tests;

/// <summary>
/// Issue 12 (language fidelity, round 2), runtime clusters: Python semantics, strict undefined in <c>match</c>,
/// <c>{% autoescape %}</c> blocks, macros and blocks, HTMX helpers. Every case runs interpreted, compiled to IL, and
/// tiered (the first render interpreted, then every template promoted to IL with inlined member sites and rendered
/// again), and errors are checked by code, line and column.
/// </summary>
public class FidelityRound2Tests
{
    public enum Mode { Interpreted, Compiled, Tiered }

    public static IEnumerable<object[]> Modes3 => [[Mode.Interpreted], [Mode.Compiled], [Mode.Tiered]];

    /// <summary>Renders <c>main.html</c> of <paramref name="templates"/> in <paramref name="mode"/>.</summary>
    internal static string Render(Mode mode, IDictionary<string, string> templates, Dictionary<string, object?>? context = null,
        bool autoescape = true)
    {
        var env = new KidaEnvironment(new KidaOptions
        {
            Loader = new DictLoader(new Dictionary<string, string>(templates)),
            PreferInterpretation = mode == Mode.Interpreted,
            TieredCompilation = mode == Mode.Tiered,
            TierUpAfterRenders = int.MaxValue, // promoted by hand below, never in the background
            Autoescape = autoescape,
        });
        var first = env.GetTemplate("main.html").Render(context ?? []);
        if (mode != Mode.Tiered) return first;
        foreach (var name in templates.Keys)
        {
            var compiled = env.GetTemplate(name).Compiled;
            var tiers = compiled.Tiers?.ToList() ?? [];
            compiled.Promote();
            Assert.All(tiers, t => Assert.Null(t.PromotionError));
        }
        var second = env.GetTemplate("main.html").Render(context ?? []);
        Assert.Equal(first, second);
        return second;
    }

    /// <summary>An environment that compiles as <paramref name="mode"/> does, with <paramref name="limits"/> and a sandbox when given.</summary>
    internal static KidaEnvironment Env(Mode mode, KidaLimits? limits = null, SandboxPolicy? sandbox = null)
    {
        var options = new KidaOptions { PreferInterpretation = mode == Mode.Interpreted, TieredCompilation = mode == Mode.Tiered, Sandbox = sandbox };
        return new KidaEnvironment(limits is null ? options : options with { Limits = limits });
    }

    internal static string Render(Mode mode, string source, Dictionary<string, object?>? context = null, bool autoescape = true) =>
        Render(mode, new Dictionary<string, string> { ["main.html"] = source }, context, autoescape);

    /// <summary>
    /// What rendering <paramref name="source"/> in <paramref name="mode"/> gives: the text, or the error's code, position
    /// and first line (not the template's name, which differs between the ways of loading it), for differential tests
    /// whose inputs may fail.
    /// </summary>
    internal static string RenderOutcome(Mode mode, string source, Dictionary<string, object?> context, bool autoescape = true)
    {
        try { return Render(mode, source, context, autoescape); }
        catch (TemplateException ex) { return DescribedError(ex); }
    }

    /// <inheritdoc cref="RenderOutcome(Mode, string, Dictionary{string, object?}, bool)"/>
    internal static string RenderOutcome(Template template, Dictionary<string, object?> context)
    {
        try { return template.Render(context); }
        catch (TemplateException ex) { return DescribedError(ex); }
    }

    /// <summary>
    /// The bytes a render of <paramref name="source"/> allocates beyond its text once promoted to IL (tiered, promoted by
    /// hand after one render, checked to print what it printed before), for the tests of what a fast path saves.
    /// </summary>
    internal static long AllocatedAfterPromotion(string source, Dictionary<string, object?> data)
    {
        var t = new KidaEnvironment(new KidaOptions { TieredCompilation = true, TierUpAfterRenders = int.MaxValue }).FromString(source);
        var expected = t.Render(data);
        t.Compiled.Promote();
        Assert.Equal(expected, t.Render(data));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var text = t.Render(data);
        return GC.GetAllocatedBytesForCurrentThread() - before - 2L * text.Length;
    }

    /// <summary>
    /// <paramref name="source"/> rendered with each value of <paramref name="kinds"/> as <paramref name="name"/>, promoted,
    /// then given every other kind: each render prints what the interpreter prints for that value (errors included), for
    /// the tests of fast paths chosen from what a template met before its promotion.
    /// </summary>
    internal static void EachKindAfterAnother(string source, string name, object[] kinds)
    {
        foreach (var first in kinds)
            foreach (var second in kinds)
            {
                var t = new KidaEnvironment(new KidaOptions { TieredCompilation = true, TierUpAfterRenders = int.MaxValue }).FromString(source);
                var expectedFirst = RenderOutcome(Mode.Interpreted, source, new() { [name] = first });
                var expectedSecond = RenderOutcome(Mode.Interpreted, source, new() { [name] = second });
                Assert.Equal(expectedFirst, RenderOutcome(t, new() { [name] = first }));
                var tiers = t.Compiled.Tiers?.ToList() ?? [];
                t.Compiled.Promote();
                Assert.All(tiers, x => Assert.Null(x.PromotionError));
                Assert.Equal(expectedSecond, RenderOutcome(t, new() { [name] = second }));
                Assert.Equal(expectedFirst, RenderOutcome(t, new() { [name] = first }));
                Assert.Equal(expectedSecond, RenderOutcome(Mode.Compiled, source, new() { [name] = second }));
            }
    }

    private static string DescribedError(TemplateException ex) => $"error {ex.Code} at {ex.Line}:{ex.Column}: {ex.Message.Split('\n')[0]}";

    /// <summary>The error <paramref name="source"/> raises, checked for its type, code, line and column.</summary>
    internal static T Fails<T>(Mode mode, string source, string code, int line, int column, Dictionary<string, object?>? context = null,
        IDictionary<string, string>? others = null) where T : TemplateException
    {
        var templates = new Dictionary<string, string>(others ?? new Dictionary<string, string>()) { ["main.html"] = source };
        var ex = Assert.ThrowsAny<TemplateException>(() => Render(mode, templates, context));
        var typed = Assert.IsType<T>(ex);
        Assert.Equal(code, ex.Code);
        Assert.Equal((line, column), (ex.Line, ex.Column));
        return typed;
    }

    // ------------------------------------------------------------------ cluster 9: Python semantics

    [Theory]
    [MemberData(nameof(Modes3))]
    public void List_plus_tuple_and_tuple_plus_list_are_type_errors(Mode mode)
    {
        var ex = Fails<TemplateRuntimeException>(mode, "ok\n{{ [1] + (2,) }}", "K-RUN-012", 2, 1);
        Assert.Contains("'list' and 'tuple'", ex.Message);
        Fails<TemplateRuntimeException>(mode, "{{ (1,) + [2] }}", "K-RUN-012", 1, 1);
        Assert.Equal("[1, 2]|(1, 2)", Render(mode, "{{ [1] + [2] }}|{{ (1,) + (2,) }}"));
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public void Int_and_float_globals_raise_like_Python(Mode mode)
    {
        Assert.Equal("42|-7|3|1|255|31|0|2.5|0.0|1.0", Render(mode,
            "{{ int(' 42 ') }}|{{ int('-7') }}|{{ int(3.9) }}|{{ int(true) }}|{{ int('ff', 16) }}|{{ int('0x1f', 0) }}|{{ int() }}|{{ float('2.5') }}|{{ float() }}|{{ float(true) }}"));
        var bad = Fails<TemplateRuntimeException>(mode, "\n  {{ int('x') }}", "K-RUN-007", 2, 9);
        Assert.Contains("invalid literal for int() with base 10: 'x'", bad.Message);
        Fails<TemplateRuntimeException>(mode, "{{ int('3.5') }}", "K-RUN-007", 1, 7);
        Fails<TemplateRuntimeException>(mode, "{{ float('x') }}", "K-RUN-007", 1, 9);
        Fails<TemplateRuntimeException>(mode, "{{ int(none) }}", "K-RUN-012", 1, 7);
        Fails<TemplateRuntimeException>(mode, "{{ int(5, 16) }}", "K-RUN-012", 1, 7);
        Fails<TemplateRuntimeException>(mode, "{{ int('5', 99) }}", "K-RUN-007", 1, 7);
        Fails<TemplateRuntimeException>(mode, "{{ float([]) }}", "K-RUN-012", 1, 9);
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public void Int_of_a_hostile_digit_string_keeps_the_integer_size_limit(Mode mode)
    {
        var ctx = new Dictionary<string, object?> { ["s"] = new string('9', 100_000) };
        var ex = Assert.ThrowsAny<TemplateException>(() => Render(mode, "{{ int(s) }}", ctx));
        Assert.Equal("K-SEC-009", ex.Code);
        // the message quotes at most 200 characters of a bad literal
        ctx["s"] = new string('x', 100_000);
        var bad = Assert.ThrowsAny<TemplateException>(() => Render(mode, "{{ int(s) }}", ctx));
        Assert.Equal("K-RUN-007", bad.Code);
        Assert.True(bad.Message.Length < 2_000, bad.Message.Length.ToString());
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public void Int_and_float_filters_honour_strict(Mode mode)
    {
        Assert.Equal("0|5|0.0|1.5|3|2.0", Render(mode,
            "{{ 'x'|int }}|{{ 'x'|int(5) }}|{{ 'x'|float }}|{{ 'x'|float(1.5) }}|{{ '3'|int(strict=true) }}|{{ '2'|float(strict=true) }}"));
        var ex = Fails<TemplateRuntimeException>(mode, "a\nb {{ 'x'|int(strict=true) }}", "K-RUN-002", 2, 10);
        Assert.Contains("int", ex.Message);
        Fails<TemplateRuntimeException>(mode, "{{ none|int(strict=true) }}", "K-RUN-002", 1, 9);
        Fails<TemplateRuntimeException>(mode, "{{ 'x'|float(strict=true) }}", "K-RUN-002", 1, 8);
        Fails<TemplateRuntimeException>(mode, "{{ [1]|float(0.0, strict=true) }}", "K-RUN-002", 1, 8);
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public void Map_with_a_filter_name_passes_keyword_arguments_to_that_filter(Mode mode)
    {
        var ctx = new Dictionary<string, object?>
        {
            ["orders"] = new List<object?>
            {
                new Dictionary<string, object?> { ["lines"] = new List<object?> { new Dictionary<string, object?> { ["price"] = 2 }, new Dictionary<string, object?> { ["price"] = 3 } } },
                new Dictionary<string, object?> { ["lines"] = new List<object?> { new Dictionary<string, object?> { ["price"] = 10 } } },
            },
        };
        Assert.Equal("15|5,10", Render(mode,
            "{{ orders|map(attribute='lines')|map('sum', attribute='price')|sum }}|{{ orders|map(attribute='lines')|map('sum', attribute='price')|join(',') }}", ctx));
        Assert.Equal("a-b|x", Render(mode, "{{ [['a','b']]|map('join', d='-')|first }}|{{ [{'n': 'x'}]|map(attribute='n')|first }}"));
    }

    // ------------------------------------------------------------------ cluster 8: strict undefined in match

    [Theory]
    [MemberData(nameof(Modes3))]
    public void Match_on_an_undefined_name_raises(Mode mode)
    {
        Fails<UndefinedException>(mode, "x\n{% match undefined_name %}{% case _ %}m{% endmatch %}", "K-RUN-001", 2, 4);
        Fails<UndefinedException>(mode, "{% match page.missing %}{% case _ %}m{% endmatch %}", "K-RUN-001", 1, 4,
            new Dictionary<string, object?> { ["page"] = new Dictionary<string, object?>() });
        Assert.Equal("none|m", Render(mode, "{% match x %}{% case none %}none{% case _ %}m{% endmatch %}|{% match 1 %}{% case _ %}m{% endmatch %}",
            new Dictionary<string, object?> { ["x"] = null }));
    }

    [Fact]
    public void Match_on_a_missing_attribute_is_lenient_without_strict_undefined()
    {
        var env = new KidaEnvironment(new KidaOptions { StrictUndefined = false });
        Assert.Equal("m", env.FromString("{% match page.missing %}{% case 1 %}one{% case _ %}m{% endmatch %}")
            .Render(new Dictionary<string, object?> { ["page"] = new Dictionary<string, object?>() }));
    }

    // ------------------------------------------------------------------ cluster 7: {% autoescape %} blocks

    [Theory]
    [MemberData(nameof(Modes3))]
    public void Macro_output_inside_an_autoescape_block_is_not_escaped_again(Mode mode)
    {
        const string source = "{% macro m(x) %}<b>{{ x }}</b>{% endmacro %}{% autoescape true %}{{ m('<i>') }}{% endautoescape %}|{{ m('<i>') }}";
        Assert.Equal("<b><i></b>|<b><i></b>", Render(mode, source, autoescape: false));
        Assert.Equal("<b>&lt;i&gt;</b>|<b>&lt;i&gt;</b>", Render(mode, source));
        Assert.Equal("<b>&lt;i&gt;</b>", Render(mode, "{% macro m(x) %}<b>{{ x }}</b>{% endmacro %}{% autoescape false %}{{ m('<i>') }}{% endautoescape %}"));
        // the same for a macro's value: Markup where the block autoescapes, plain text where it does not
        Assert.Equal("<b>|<B>", Render(mode, "{% macro m() %}<b>{% endmacro %}{% autoescape true %}{% set x = m() %}{{ x }}|{{ m()|upper }}{% endautoescape %}", autoescape: false));
        Assert.Equal("&lt;b&gt;", Render(mode, "{% macro m() %}<b>{% endmacro %}{% autoescape false %}{% set x = m() %}{{ x|e }}{% endautoescape %}"));
        // any other function's text is still escaped there
        Assert.Equal("&lt;B&gt;", Render(mode, "{% autoescape true %}{{ s.upper() }}{% endautoescape %}", new Dictionary<string, object?> { ["s"] = "<b>" }, autoescape: false));
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public void Set_and_macro_inside_an_autoescape_block_do_not_leak(Mode mode)
    {
        Assert.Equal("1|0", Render(mode, "{% set x = 0 %}{% autoescape true %}{% set x = 1 %}{{ x }}{% endautoescape %}|{{ x }}"));
        Fails<UndefinedException>(mode, "{% autoescape false %}{% set y = 1 %}{% endautoescape %}\n{{ y }}", "K-RUN-001", 2, 1);
        Fails<UndefinedException>(mode, "{% autoescape false %}{% macro m() %}{% endmacro %}{% endautoescape %}{{ m() }}", "K-RUN-001", 1, 75);
        // the block still reads and writes a namespace of the enclosing scope
        Assert.Equal("2", Render(mode, "{% set ns = namespace(v=1) %}{% autoescape true %}{% set ns.v = 2 %}{% endautoescape %}{{ ns.v }}"));
    }

    // ------------------------------------------------------------------ cluster 6: macros and blocks

    [Theory]
    [MemberData(nameof(Modes3))]
    public void A_block_inside_a_macro_renders_where_the_macro_runs_and_can_be_overridden(Mode mode)
    {
        Assert.Equal("[x]|x", Render(mode, "{% macro m() %}{% block b %}x{% endblock %}{% endmacro %}[{{ m() }}]|{{ self.b() }}"));
        Assert.Equal("[child]", Render(mode, new Dictionary<string, string>
        {
            ["main.html"] = "{% extends 'base.html' %}{% macro m() %}{% block c %}child{% endblock %}{% endmacro %}",
            ["base.html"] = "[{% block c %}base{% endblock %}]",
        }));
        Assert.Equal("<child><child>", Render(mode, new Dictionary<string, string>
        {
            ["main.html"] = "{% extends 'base.html' %}{% block b %}child{% endblock %}",
            ["base.html"] = "{% macro m() %}<{% block b %}base{% endblock %}>{% endmacro %}{{ m() }}{{ m() }}",
        }));
        Assert.Equal("(cb)", Render(mode, "{% macro w() %}({{ caller() }}){% endmacro %}{% call w() %}{% block b %}cb{% endblock %}{% endcall %}"));
        Assert.Equal("[1]", Render(mode, "{% macro m(a) %}{% block b scoped %}{{ a }}{% endblock %}{% endmacro %}[{{ m(1) }}]"));
        // an unscoped block does not see the macro's arguments (Jinja2): an undefined error, not KeyNotFoundException
        Fails<UndefinedException>(mode, "{% macro m(a) %}\n{% block b %}{{ a }}{% endblock %}{% endmacro %}{{ m(1) }}", "K-RUN-001", 2, 14);
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public void A_block_inside_a_macro_that_recurses_stops_at_the_recursion_limit(Mode mode)
    {
        Fails<TemplateRuntimeException>(mode, "{% macro m() %}{% block b %}{{ m() }}{% endblock %}{% endmacro %}{{ m() }}", "K-RUN-006", 1, 33);
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public void A_caller_parameter_with_a_default_receives_the_call_blocks_caller(Mode mode)
    {
        Assert.Equal("[body][no][3no]", Render(mode,
            "{% macro m(a=0, caller=none) %}[{{ a if a else '' }}{{ caller() if caller else 'no' }}]{% endmacro %}{% call m() %}body{% endcall %}{{ m() }}{{ m(3, caller=none) }}"));
        Assert.Equal("[b5]", Render(mode, "{% macro m(caller=none) %}[{{ caller(5) if caller else 'no' }}]{% endmacro %}{% call(x) m() %}b{{ x }}{% endcall %}"));
        Assert.Equal("[True]", Render(mode, "{% macro m(caller=none) %}[{{ caller is none }}]{% endmacro %}{{ m() }}"));
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public void Loop_is_visible_to_scoped_blocks_and_includes_inside_a_loop_that_names_it(Mode mode)
    {
        Assert.Equal("1122", Render(mode, "{% for i in [1, 2] %}{% block b scoped %}{{ loop.index }}{{ i }}{% endblock %}{% endfor %}"));
        Assert.Equal("F1/2/1;2/2/2;", Render(mode, new Dictionary<string, string>
        {
            ["main.html"] = "{% for i in [1, 2] %}{% if loop.first %}F{% endif %}{% include 'inc.html' %}{% endfor %}",
            ["inc.html"] = "{{ loop.index }}/{{ loop.length }}/{{ i }};",
        }));
        // as in Jinja2 and Kida (kida-spec D25): only a loop whose body names loop hands it to the include
        var inInclude = Fails<UndefinedException>(mode, "{% for x in 'ab' %}{% include 'inc.html' %}{% endfor %}", "K-RUN-001", 1, 1,
            others: new Dictionary<string, string> { ["inc.html"] = "{{ loop.index }}" });
        Assert.Equal("inc.html", inInclude.TemplateName);
        Assert.Equal("FalseFalse", Render(mode, new Dictionary<string, string>
        {
            ["main.html"] = "{% for i in [1, 2] %}{% include 'inc.html' without context %}{% endfor %}",
            ["inc.html"] = "{{ loop is defined }}",
        }));
        Assert.Equal("<1x><2y>", Render(mode, new Dictionary<string, string>
        {
            ["main.html"] = "{% extends 'base.html' %}{% block b %}<{{ loop.index }}{{ i }}>{% endblock %}",
            ["base.html"] = "{% for i in 'xy' %}{% block b scoped %}{{ loop.index }}{% endblock %}{% endfor %}",
        }));
        // an unscoped block still does not see it
        Fails<UndefinedException>(mode, "{% for i in [1] %}{% block b %}\n {{ loop.index }}{% endblock %}{% endfor %}", "K-RUN-001", 2, 2);
    }

    // ------------------------------------------------------------------ cluster 1: HTMX helpers

    [Theory]
    [MemberData(nameof(Modes3))]
    public void Htmx_tests_read_headers_or_the_value(Mode mode)
    {
        var ctx = new Dictionary<string, object?>
        {
            ["req"] = new Dictionary<string, object?> { ["headers"] = new Dictionary<string, object?> { ["HX-Request"] = "true", ["hx-target"] = "main", ["HX-Boosted"] = "false" } },
            ["plain"] = new Dictionary<string, object?> { ["headers"] = new Dictionary<string, object?>() },
        };
        Assert.Equal("True|False|True|False|False|False|False", Render(mode,
            "{{ req is hx_request }}|{{ req is hx_boosted }}|{{ req is hx_target('main') }}|{{ req is hx_target('other') }}|{{ plain is hx_request }}|{{ plain is hx_boosted }}|{{ plain is hx_target('') }}", ctx));
        // without headers: the value itself
        Assert.Equal("True|False|True|False|True|False", Render(mode,
            "{{ true is hx_request }}|{{ '' is hx_request }}|{{ 1 is hx_boosted }}|{{ none is hx_boosted }}|{{ 'main' is hx_target('main') }}|{{ none is hx_target('None') }}"));
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public void Htmx_globals_are_false_or_none_outside_a_request(Mode mode)
    {
        Assert.Equal("False|False|None|None", Render(mode, "{{ hx_request() }}|{{ hx_boosted() }}|{{ hx_target() }}|{{ hx_trigger() }}"));
    }

    [Fact]
    public void Htmx_test_on_a_hostile_headers_mapping_is_bounded()
    {
        var headers = new Dictionary<string, object?>();
        for (var i = 0; i < 10_000; i++) headers["X-" + i] = new string('x', 100);
        headers["hx-request"] = "TRUE";
        var env = new KidaEnvironment();
        Assert.Equal("True", env.FromString("{{ r is hx_request }}").Render(new Dictionary<string, object?> { ["r"] = new Dictionary<string, object?> { ["headers"] = headers } }));
    }

    // ------------------------------------------------------------------ cluster 5: urlize

    [Theory]
    [MemberData(nameof(Modes3))]
    public void Urlize_links_bare_domains_and_mail_as_Jinja2(Mode mode)
    {
        Assert.Equal("<a href=\"https://www.example.com\" rel=\"noopener\">www.example.com</a>, "
            + "(<a href=\"https://example.org/a\" rel=\"noopener\">example.org/a</a>) "
            + "<a href=\"mailto:me@example.com\">me@example.com</a> &lt;"
            + "<a href=\"https://x.io/&lt;b&gt;\" rel=\"noopener\">https://x.io/&lt;b&gt;</a>&gt; foo.bar",
            Render(mode, "{{ s|urlize }}", new Dictionary<string, object?> { ["s"] = "www.example.com, (example.org/a) mailto:me@example.com <https://x.io/<b>> foo.bar" }));
        Assert.Equal("<a href=\"https://example.com/long\" rel=\"nofollow noopener\" target=\"_blank\">https://e...</a>",
            Render(mode, "{{ 'https://example.com/long'|urlize(9, true, '_blank') }}"));
        var ex = Fails<TemplateRuntimeException>(mode, "\n{{ 'x'|urlize(extra_schemes=['a b']) }}", "K-RUN-002", 2, 8);
        Assert.Contains("not a valid URI scheme prefix", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Modes3))]
    public void Urlize_keeps_attribute_values_escaped(Mode mode)
    {
        // a quote in Markup input cannot end the href; rel and target are escaped
        var output = Render(mode, "{{ s|safe|urlize(rel=r, target=t) }}", new Dictionary<string, object?>
        {
            ["s"] = "https://example.com/\"onmouseover=alert(1)",
            ["r"] = "x\" onclick=\"y",
            ["t"] = "_b\"><script>",
        });
        // the opening tag has exactly its three attributes, each ending at its own quote
        Assert.Matches("^<a href=\"[^\"]*\" rel=\"[^\"]*\" target=\"[^\"]*\">", output);
        Assert.DoesNotContain("\" onclick", output);
        Assert.DoesNotContain("<script>", output);
        Assert.Contains("href=\"https://example.com/&quot;onmouseover=alert(1)\"", output);
    }

    [Fact]
    public void Urlize_is_linear_on_hostile_brackets_and_dots()
    {
        var env = new KidaEnvironment(new KidaOptions { Limits = KidaLimits.Default with { RenderTimeout = null } });
        // every ')' of the tail moves back into the URL one by one: done by index, not by copying the tail each time
        var brackets = "https://example.com/" + new string('(', 200_000) + new string(')', 200_000);
        var output = env.FromString("{{ s|urlize }}").Render(new Dictionary<string, object?> { ["s"] = brackets });
        Assert.Equal(2 * brackets.Length + "<a href=\"\" rel=\"noopener\"></a>".Length, output.Length);
        var dots = string.Concat(Enumerable.Repeat("a.", 300_000)) + "com@" + new string('x', 100_000);
        Assert.Equal(dots.Length, env.FromString("{{ s|urlize }}").Render(new Dictionary<string, object?> { ["s"] = dots }).Length);
    }
}
