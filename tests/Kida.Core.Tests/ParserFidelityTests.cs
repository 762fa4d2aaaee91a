using Xunit;

namespace Kida.Core.Tests;

/// <summary>
/// Issue 12, clusters 2 and 3: syntax Jinja2 and Kida reject is rejected (with the code and the position of the
/// offending token), and what they accept is accepted. Expectations checked against Jinja2 3.1.6 where Jinja2 has the
/// construct, and against the Kida spec (block modifiers, §3) where it does not.
/// </summary>
public class ParserFidelityTests
{
    public static IEnumerable<object[]> Rejected()
    {
        var cases = new (string Source, string Code, int Column)[]
        {
            ("{% for loop in [1] %}{% endfor %}", "K-PAR-001", 8),
            ("{% for a, loop in [(1, 2)] %}{% endfor %}", "K-PAR-001", 11),
            ("{% from 'x' import bar, %}", "K-PAR-001", 25),
            ("{% block b required scoped %}{% endblock %}", "K-PAR-007", 21),
            ("{% block b scoped scoped %}{% endblock %}", "K-PAR-007", 19),
            ("{% block b k=1 k=2 %}{% endblock %}", "K-PAR-007", 16),
            ("{% block b k=x %}{% endblock %}", "K-PAR-007", 14),
            ("{% block b foo %}{% endblock %}", "K-PAR-007", 12),
            ("{% block b if true k=1 %}{% endblock %}", "K-PAR-007", 20),
            ("{{ f(*a, *b) }}", "K-PAR-003", 10),
            ("{{ f(**a, *b) }}", "K-PAR-003", 11),
            ("{{ f(**a, **b) }}", "K-PAR-003", 11),
            ("{{ f(**a, x=1) }}", "K-PAR-003", 11),
            ("{{ f(x=1, 2) }}", "K-PAR-003", 11),
            ("{{ 1 is number is sameas true }}", "K-PAR-005", 16),
            ("{% raw +%}x{% endraw %}", "K-PAR-001", 4),
            ("{% macro m(caller) %}{{ caller() }}{% endmacro %}", "K-PAR-001", 4),
        };
        for (var i = 0; i < cases.Length; i++)
            foreach (var interpret in new[] { false, true })
                yield return [i, cases[i].Source, cases[i].Code, cases[i].Column, interpret];
    }

    [Theory, MemberData(nameof(Rejected))]
    public void Invalid_syntax_is_a_syntax_error_at_the_offending_token(int id, string source, string code, int column, bool interpret)
    {
        Assert.True(id >= 0);
        var te = Assert.Throws<TemplateSyntaxException>(() => Modes.Env(interpret, new() { ["x"] = "{% macro bar() %}{% endmacro %}" })
            .FromString(source, "t.html").Render(new { f = 1, a = new[] { 1 }, b = new Dictionary<string, object?>() }));
        Assert.Equal(code, te.Code);
        Assert.Equal((1, column), (te.Line, te.Column));
    }

    public static IEnumerable<object[]> Accepted()
    {
        var cases = new (string Source, string Expected)[]
        {
            ("{% from 'x' import bar, with context %}{{ bar() }}", "b"),
            ("{% block b scoped required %}{% endblock %}", null!),
            ("{% block b if=\"x\" if true %}B{% endblock %}", "B"),
            ("{% block b k=-1 j='a' f=1.5 t=true n=none if false %}B{% endblock %}", ""),
            ("{% macro m(caller) %}m{% endmacro %}{{ m(1) }}", "m"),
            ("{{ 1 is number and 2 is not string }}", "True"),
            ("{{ 1 is not false }}", "True"),
            ("{{ 1_2.3e5 }}", "1230000.0"),
            ("{{ [1, 2, 3].1 }}", "2"),
            ("{% raw -%}  {{ x }}{% endraw %}", "{{ x }}"),
            ("{%+ raw %}{{ x }}{% endraw %}", "{{ x }}"),
        };
        for (var i = 0; i < cases.Length; i++)
            foreach (var interpret in new[] { false, true })
                yield return [i, cases[i].Source, cases[i].Expected, interpret];
    }

    [Theory, MemberData(nameof(Accepted))]
    public void Valid_syntax_is_accepted(int id, string source, string? expected, bool interpret)
    {
        Assert.True(id >= 0);
        var template = Modes.Env(interpret, new() { ["x"] = "{% macro bar() %}b{% endmacro %}" }).FromString(source, "t.html");
        if (expected is null) Assert.Equal("K-RUN-014", Assert.Throws<TemplateRuntimeException>(() => template.Render()).Code);
        else Assert.Equal(expected, template.Render());
    }

    public static IEnumerable<object[]> ConditionalExtends()
    {
        // issue 12, cluster 4: Jinja2 3.1.6's outputs
        var cases = new (string Source, string Expected)[]
        {
            ("{% if true %}{% extends 'base' %}{% endif %}{% block a %}A{% endblock %}", "BA"),
            ("{% if false %}{% extends 'base' %}{% endif %}X{% block a %}A{% endblock %}", "XA"),
            ("pre{% if true %}{% extends 'base' %}{% endif %}post{% block a %}A{% endblock %}", "preBA"),
            ("{% if true %}{% extends 'base' %}{% else %}{% extends 'other' %}{% endif %}{% block a %}A{% endblock %}", "BA"),
            ("{% if false %}{% extends 'base' %}{% elif true %}{% extends 'other' %}{% endif %}{% block a %}A{% endblock %}", "OA"),
            ("{% extends 'base' if false else 'other' %}{% block a %}A{% endblock %}", "OA"),
            ("{% if flag %}{% extends 'base' %}{% endif %}{% block a %}[{{ super() }}]{% endblock %}", "B[b]"),
        };
        for (var i = 0; i < cases.Length; i++)
            foreach (var mode in new[] { "interpreted", "compiled", "tiered" })
                yield return [i, cases[i].Source, cases[i].Expected, mode];
    }

    [Theory, MemberData(nameof(ConditionalExtends))]
    public void An_extends_inside_an_if_picks_the_parent_when_it_runs(int id, string source, string expected, string mode)
    {
        Assert.True(id >= 0);
        var env = new KidaEnvironment(new KidaOptions
        {
            Loader = new DictLoader(new Dictionary<string, string> { ["base"] = "B{% block a %}b{% endblock %}", ["other"] = "O{% block a %}o{% endblock %}", ["t.html"] = source }),
            PreferInterpretation = mode == "interpreted",
            TieredCompilation = mode == "tiered",
            TierUpAfterRenders = 1,
        });
        var template = env.GetTemplate("t.html");
        for (var i = 0; i < 3; i++) // tiered: interpreted, then promoted to IL
        {
            Assert.Equal(expected, template.Render(new { flag = true }));
            if (mode == "tiered") template.Compiled.Promote();
        }
    }

    [Theory]
    [InlineData("{% extends 'base' %}{% extends 'other' %}", "K-RUN-007")]
    [InlineData("{% if true %}{% extends 'base' %}{% endif %}{% extends 'other' %}", "K-RUN-007")]
    [InlineData("{% for x in [1] %}{% extends 'base' %}{% endfor %}", "K-PAR-001")]
    [InlineData("{% with p = 'other' %}{% extends p %}{% endwith %}", "K-PAR-001")]
    [InlineData("{% set t %}{% extends 'base' %}{% endset %}", "K-PAR-001")]
    public void Extends_elsewhere_or_twice_is_an_error(string source, string code)
    {
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(new Dictionary<string, string> { ["base"] = "B", ["other"] = "O" }) });
        var te = Assert.ThrowsAny<TemplateException>(() => env.FromString(source, "t.html").Render());
        Assert.Equal(code, te.Code);
        Assert.Equal(1, te.Line);
    }
}
