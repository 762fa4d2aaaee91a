using System.Runtime.ExceptionServices;
using Xunit;

namespace Kida.Core.Tests;

/// <summary>
/// Deliverable 1 of the reliability issue: no template, however written, ends the process with a stack overflow.
/// Every case renders on a thread of 1 MB of stack (less than the thread pool's), interpreted, compiled to IL, and
/// tiered (interpreted first, then promoted), and must end with a <see cref="TemplateException"/> or a result.
/// </summary>
public class StackSafetyTests
{
    public enum Mode { Interpreted, Compiled, Tiered }

    private static readonly Dictionary<string, string> Library = new()
    {
        ["self.html"] = "{% include 'self.html' %}",
        ["a.html"] = "a{% include 'b.html' %}",
        ["b.html"] = "b{% include 'a.html' %}",
        ["ea.html"] = "{% extends 'eb.html' %}",
        ["eb.html"] = "{% extends 'ea.html' %}",
        ["ia.html"] = "{% import 'ib.html' as b %}",
        ["ib.html"] = "{% import 'ia.html' as a %}",
        ["emb.html"] = "{% embed 'emb.html' %}{% endembed %}",
        ["tree.html"] = "{{ node.name }}{% for child in node.children %}({% with node = child %}{% include 'tree.html' %}{% endwith %}){% endfor %}",
    };

    private static KidaEnvironment Env(Mode mode, Dictionary<string, string>? extra = null)
    {
        var templates = new Dictionary<string, string>(Library);
        if (extra is not null) foreach (var (k, v) in extra) templates[k] = v;
        return new KidaEnvironment(new KidaOptions
        {
            Loader = new DictLoader(templates),
            PreferInterpretation = mode == Mode.Interpreted,
            TieredCompilation = mode == Mode.Tiered,
            TierUpAfterRenders = 1,
        });
    }

    /// <summary>Runs <paramref name="action"/> on a thread with 1 MB of stack and hands back its exception, if any.</summary>
    private static Exception? OnSmallStack(Action action)
    {
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try { action(); }
            catch (Exception ex) { error = ex; }
        }, 1 << 20);
        thread.Start();
        thread.Join();
        return error;
    }

    private static TemplateException Fails(Mode mode, string source, string? code = null, Dictionary<string, string>? extra = null)
    {
        var env = Env(mode, extra);
        Exception? error = null;
        // tiered: the first render runs interpreted and promotes the template; the later ones run the IL
        for (var i = 0; i < (mode == Mode.Tiered ? 3 : 1) && error is null; i++)
        {
            error = OnSmallStack(() => env.FromString(source, "main.html").Render(new Dictionary<string, object?>()));
            if (mode == Mode.Tiered) Thread.Sleep(20);
        }
        var te = Assert.IsAssignableFrom<TemplateException>(error);
        if (code is not null) Assert.Equal(code, te.Code);
        return te;
    }

    public static IEnumerable<object[]> Modes3 => [[Mode.Interpreted], [Mode.Compiled], [Mode.Tiered]];

    public static IEnumerable<object[]> Recursions()
    {
        var cases = new[]
        {
            "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
            "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
            "{% macro f(a, b, c) %}{{ f(a, b, c) }}{% endmacro %}{{ f(1, 2, 3) }}",
            "{% def f() %}{{ f() }}{% end %}{{ f() }}",
            "{% macro f() %}{% call f() %}x{% endcall %}{{ caller() }}{% endmacro %}{% call f() %}y{% endcall %}",
            "{% macro f() %}{{ caller() }}{% endmacro %}{% macro g() %}{% call f() %}{{ g() }}{% endcall %}{% endmacro %}{{ g() }}",
            "{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}",
            "{% block b %}{{ self.b() }}{% endblock %}",
            "{% macro f() %}{{ f()|upper }}{% endmacro %}{{ f() }}",
            "{% macro f() %}{% set x %}{{ f() }}{% endset %}{% endmacro %}{{ f() }}",
            "{% macro f() %}{% filter upper %}{{ f() }}{% endfilter %}{% endmacro %}{{ f() }}",
            "{% macro f() %}{{ [1]|map('string')|join(f()) }}{% endmacro %}{{ f() }}",
            // {% try %} does not hand a failed recursion a fresh budget
            "{% macro f() %}{{ f() }}{% endmacro %}{% for i in range(20) %}{% try %}{{ f() }}{% fallback %}.{% end %}{% endfor %}",
            "{% macro f() %}{% try %}{{ f() }}{% fallback %}.{% end %}{% endmacro %}{{ f() }}",
        };
        for (var i = 0; i < cases.Length; i++)
            foreach (var m in Enum.GetValues<Mode>())
                yield return [i, cases[i], m];
    }

    [Theory, MemberData(nameof(Recursions))]
    public void Runaway_recursion_is_a_depth_error(int id, string source, Mode mode)
    {
        Assert.True(id >= 0);
        Fails(mode, source, "K-RUN-006");
    }

    [Theory, MemberData(nameof(Modes3))]
    public void An_undefined_name_deep_in_a_recursion_unwinds_safely(Mode mode)
    {
        var te = Fails(mode, "{% macro f(n) %}{% if n < 150 %}{{ f(n + 1) }}{% else %}{{ missing }}{% endif %}{% endmacro %}{{ f(0) }}");
        Assert.IsType<UndefinedException>(te);
    }

    [Theory, MemberData(nameof(Modes3))]
    public void Legitimate_recursion_still_works(Mode mode)
    {
        var env = Env(mode);
        var source = "{% macro f(n) %}{% if n > 0 %}{{ n }},{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}";
        string? result = null;
        Assert.Null(OnSmallStack(() => result = env.FromString(source).Render()));
        Assert.Equal(string.Join(",", Enumerable.Range(1, 60).Reverse()) + ",", result);
        var tree = new { name = "r", children = new[] { new { name = "a", children = new[] { new { name = "b", children = Array.Empty<object>() } } } } };
        Assert.Equal("r(a(b))", env.GetTemplate("tree.html").Render(new { node = tree }));
    }

    public static IEnumerable<object[]> Cycles()
    {
        var cases = new (string Source, string Expect)[]
        {
            ("{% include 'self.html' %}", "Circular include: 'self.html' → (include) 'self.html' (repeated"),
            ("{% include 'a.html' %}", "Circular include: 'a.html' → (include) 'b.html' → (include) 'a.html' (repeated"),
            ("{% extends 'ea.html' %}", "Circular extends: 'main.html' → (extends) 'ea.html' → (extends) 'eb.html' → (extends) 'ea.html'"),
            ("{% extends 'main.html' %}", "Circular extends"),
            ("{% import 'ia.html' as x %}", "Circular import"),
            ("{% include 'emb.html' %}", "Circular embed"),
        };
        for (var i = 0; i < cases.Length; i++)
            foreach (var m in Enum.GetValues<Mode>())
                yield return [i, cases[i].Source, cases[i].Expect, m];
    }

    [Theory, MemberData(nameof(Cycles))]
    public void Template_cycles_are_reported_with_their_chain(int id, string source, string expect, Mode mode)
    {
        Assert.True(id >= 0); // the case number keeps each row's display name unique
        var env = Env(mode, new Dictionary<string, string> { ["main.html"] = source });
        Exception? error = OnSmallStack(() => env.GetTemplate("main.html").Render());
        var te = Assert.IsAssignableFrom<TemplateException>(error);
        Assert.Equal("K-TPL-003", te.Code);
        Assert.Contains(expect, te.Message);
    }

    [Theory, MemberData(nameof(Modes3))]
    public void A_long_extends_chain_fails_with_the_depth_limit(Mode mode)
    {
        var templates = new Dictionary<string, string> { ["t0.html"] = "{% block b %}end{% endblock %}" };
        for (var i = 1; i < 500; i++) templates[$"t{i}.html"] = $"{{% extends 't{i - 1}.html' %}}";
        var env = Env(mode, templates);
        var error = OnSmallStack(() => env.GetTemplate("t499.html").Render());
        Assert.Equal("K-RUN-006", Assert.IsAssignableFrom<TemplateException>(error).Code);
        Assert.Equal("end", env.GetTemplate("t30.html").Render());
    }

    public static IEnumerable<object[]> Chains()
    {
        var cases = new[]
        {
            "{{ " + string.Join(" + ", Enumerable.Repeat("1", 1200)) + " }}",
            "{{ 1" + string.Concat(Enumerable.Repeat(" + 1", 20000)) + " }}",
            "{{ 'x'" + string.Concat(Enumerable.Repeat("|e", 5000)) + " }}",
            "{{ a" + string.Concat(Enumerable.Repeat(".a", 5000)) + " }}",
            "{{ a" + string.Concat(Enumerable.Repeat("[0]", 5000)) + " }}",
            "{{ f" + string.Concat(Enumerable.Repeat("()", 5000)) + " }}",
            "{{ " + string.Concat(Enumerable.Repeat("1 if x else ", 3000)) + "2 }}",
            "{{ " + string.Join(" ~ ", Enumerable.Repeat("'a'", 5000)) + " }}",
            "{{ " + string.Join(" and ", Enumerable.Repeat("1", 5000)) + " }}",
            "{{ " + string.Join(" or ", Enumerable.Repeat("0", 5000)) + " }}",
            "{{ " + string.Join(" * ", Enumerable.Repeat("1", 5000)) + " }}",
            "{{ " + string.Join(" ** ", Enumerable.Repeat("1", 5000)) + " }}",
            "{{ " + string.Join(" ?? ", Enumerable.Repeat("x", 5000)) + " }}",
            "{{ " + string.Join(" and ", Enumerable.Repeat("x is defined", 3000)) + " }}",
            "{{ " + new string('(', 5000) + "1" + new string(')', 5000) + " }}",
            "{{ " + new string('[', 5000) + "1" + new string(']', 5000) + " }}",
            "{{ " + string.Concat(Enumerable.Repeat("{'a': ", 5000)) + "1" + new string('}', 5000) + " }}",
            "{{ " + string.Concat(Enumerable.Repeat("not ", 5000)) + "1 }}",
            "{{ " + new string('-', 5000) + "1 }}",
            string.Concat(Enumerable.Repeat("{% if 1 %}", 10000)) + "x" + string.Concat(Enumerable.Repeat("{% endif %}", 10000)),
            string.Concat(Enumerable.Repeat("{% for x in [1] %}", 3000)) + "x" + string.Concat(Enumerable.Repeat("{% endfor %}", 3000)),
            string.Concat(Enumerable.Repeat("{% macro m() %}", 3000)) + "x" + string.Concat(Enumerable.Repeat("{% endmacro %}", 3000)),
        };
        for (var i = 0; i < cases.Length; i++)
            foreach (var m in Enum.GetValues<Mode>())
                yield return [i, cases[i], m];
    }

    [Theory, MemberData(nameof(Chains))]
    public void Long_chains_and_deep_nesting_are_syntax_errors(int id, string source, Mode mode)
    {
        Assert.True(id >= 0); // the case number keeps each row's display name unique
        var env = Env(mode);
        var error = OnSmallStack(() => env.FromString(source, "main.html").Render(new { a = 1, x = 1 }));
        var te = Assert.IsAssignableFrom<TemplateSyntaxException>(error);
        Assert.Contains(te.Code, new[] { "K-PAR-003", "K-PAR-004" }); // too deep, or (filters) more than 200 in a chain
        Assert.Equal("main.html", te.TemplateName);
    }

    [Theory, MemberData(nameof(Modes3))]
    public void Moderate_chains_still_compile(Mode mode)
    {
        var env = Env(mode);
        var source = "{{ " + string.Join(" + ", Enumerable.Repeat("1", 240)) + " }}|{{ 'a'" + string.Concat(Enumerable.Repeat("|upper", 200)) + " }}|"
            + "{{ " + new string('(', 100) + "1" + new string(')', 100) + " }}|" + string.Concat(Enumerable.Repeat("{% if 1 %}", 200)) + "x"
            + string.Concat(Enumerable.Repeat("{% endif %}", 200));
        string? result = null;
        Assert.Null(OnSmallStack(() => result = env.FromString(source).Render()));
        Assert.Equal("240|A|1|x", result);
        var tooMany = Assert.IsAssignableFrom<TemplateSyntaxException>(
            OnSmallStack(() => env.FromString("{{ 'a'" + string.Concat(Enumerable.Repeat("|upper", 201)) + " }}").Render()));
        Assert.Equal("K-PAR-004", tooMany.Code);
    }

    public static IEnumerable<object[]> CyclicData()
    {
        var cases = new (string Source, string? Output, string? Code)[]
        {
            ("{% set l = [] %}{% do l.append(l) %}{{ l }}", "[[...]]", null),
            ("{% set l = [1] %}{% do l.append(l) %}{{ l|string }}|{{ l|pprint }}", "[1, [...]]|[1, [...]]", null),
            ("{% set d = {} %}{% do d.update({'k': d}) %}{{ d }}", "{&#39;k&#39;: {...}}", null),
            ("{% set ns = namespace() %}{% set ns.x = ns %}{{ ns }}", "&lt;Namespace x=&lt;Namespace ...&gt;&gt;", null),
            ("{% set l = [] %}{% do l.append(l) %}{{ l|tojson }}", null, "K-RUN-012"),
            ("{% set d = {} %}{% do d.update({'k': [d]}) %}{{ d|tojson }}", null, "K-RUN-012"),
            ("{% set a = [] %}{% do a.append(a) %}{% set b = [] %}{% do b.append(b) %}{{ a == b }}", null, "K-RUN-006"),
            ("{% set a = [] %}{% do a.append(a) %}{% set b = [] %}{% do b.append(b) %}{{ a in [b] }}", null, "K-RUN-006"),
            ("{% set a = [] %}{% do a.append(a) %}{% set b = [] %}{% do b.append(b) %}{{ [a, b]|sort }}", null, "K-RUN-006"),
            ("{% set l = [] %}{% do l.append(l) %}{{ [l, l]|unique|list|length }}", "1", null),
            ("{% set l = [] %}{% do l.append(l) %}{% for i in range(30) %}{% do l.append('xxxxxxxxxx') %}{% endfor %}{{ l|pprint }}", "[&lt;Recursion on list with id=", null),
        };
        for (var i = 0; i < cases.Length; i++)
            foreach (var m in Enum.GetValues<Mode>())
                yield return [i, cases[i].Source, cases[i].Output!, cases[i].Code!, m];
    }

    [Theory, MemberData(nameof(CyclicData))]
    public void Values_that_contain_themselves_print_as_Python_or_fail_clearly(int id, string source, string? output, string? code, Mode mode)
    {
        Assert.True(id >= 0); // the case number keeps each row's display name unique
        var env = Env(mode);
        string? result = null;
        var error = OnSmallStack(() => result = env.FromString(source).Render());
        if (code is null)
        {
            if (error is not null) ExceptionDispatchInfo.Throw(error);
            Assert.StartsWith(output!, result);
        }
        else Assert.Equal(code, Assert.IsAssignableFrom<TemplateException>(error).Code);
    }

    [Theory, MemberData(nameof(Modes3))]
    public void Sorting_values_of_mixed_types_reports_Pythons_type_error(Mode mode)
    {
        foreach (var source in new[] { "{{ [1, 'a']|sort }}", "{{ [{'k': 1}, {'k': 'a'}]|groupby('k') }}", "{{ {'a': 1, 'b': 'x'}|dictsort(by='value') }}",
                     "{% set l = [2, 'a'] %}{% do l.sort() %}" })
        {
            var te = Fails(mode, source, "K-RUN-012");
            Assert.Contains("TypeError: '<' not supported between instances of", te.Message);
            Assert.DoesNotContain("Failed to compare", te.Message);
        }
    }

    [Fact]
    public void A_template_longer_than_the_limit_is_refused_before_it_is_compiled()
    {
        var big = string.Concat(Enumerable.Repeat("<p>text</p>{{ 1 }}", 70_000)); // 1.26 M characters, 210,000 tokens
        var env = new KidaEnvironment(new KidaOptions());
        var te = Assert.Throws<TemplateSyntaxException>(() => env.FromString(big, "big.html"));
        Assert.Equal("K-SEC-011", te.Code);
        Assert.Contains("Limits.MaxTemplateLength is 1048576", te.Message);
        var raised = new KidaEnvironment(new KidaOptions { Limits = KidaLimits.Default with { MaxTemplateLength = 2_000_000 } });
        // past the length limit, the token limit (Kida's 100,000) still holds
        Assert.Equal("K-LEX-004", Assert.Throws<TemplateSyntaxException>(() => raised.FromString(big)).Code);
        var text = new string('x', 1_500_000);
        Assert.Equal(text, raised.FromString(text).Render());
        var sandboxed = new KidaEnvironment(new KidaOptions { Sandbox = new SandboxPolicy() });
        Assert.Equal("K-SEC-011", Assert.Throws<TemplateSyntaxException>(() => sandboxed.FromString(new string('x', 300_000))).Code);
    }

    [Theory, MemberData(nameof(Modes3))]
    public void Oversized_and_invalid_literals_are_syntax_errors_with_a_position(Mode mode)
    {
        var env = Env(mode);
        var cases = new (string Source, string Code)[]
        {
            ("x{{ 0x" + new string('f', 500_000) + " }}", "K-SEC-009"),
            ("x{{ " + new string('9', 5_000) + " }}", "K-SEC-009"),
            ("x{{ 0b" + new string('1', 20_000) + " }}", "K-SEC-009"),
            ("x{{ '\\UFFFFFFFF' }}", "K-LEX-001"),
            ("x{{ '\\U00110000' }}", "K-LEX-001"),
            (string.Concat(Enumerable.Repeat("{{ 1 }}", 40_000)), "K-LEX-004"),
        };
        foreach (var (source, code) in cases)
        {
            var te = Assert.IsAssignableFrom<TemplateSyntaxException>(OnSmallStack(() => env.FromString(source, "lit.html").Render()));
            Assert.Equal(code, te.Code);
            Assert.Equal(1, te.Line);
            Assert.True(te.Column > 1 || code == "K-LEX-004");
        }
        Assert.Equal(new string('9', 4_300), env.FromString("{{ " + new string('9', 4_300) + " }}").Render());
    }

    [Theory, MemberData(nameof(Modes3))]
    public void The_match_test_cannot_backtrack_for_ever(Mode mode)
    {
        var env = Env(mode);
        Assert.Equal("False", env.FromString("{{ ('a' * 5000 ~ '!') is match('(a+)+$') }}").Render());
        Assert.Equal("True|False", env.FromString("{{ 'abc' is match('a.c') }}|{{ 'xabc' is match('a') }}").Render());
        // backreferences need the backtracking engine: they run under a time limit
        Assert.Equal("True", env.FromString("{{ 'abab' is match('(ab)\\\\1') }}").Render());
        var slow = Assert.IsAssignableFrom<TemplateRuntimeException>(OnSmallStack(() =>
            env.FromString("{{ ('a' * 5000 ~ '!') is match('(a+)+\\\\1$') }}").Render()));
        Assert.Equal("K-SEC-010", slow.Code);
        Assert.Equal("K-RUN-003", Assert.Throws<TemplateRuntimeException>(() => env.FromString("{{ 'a' is match('(') }}").Render()).Code);
    }
}
