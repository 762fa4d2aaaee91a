using Kida.Checking;
using Xunit;

namespace Kida.Cli.Tests;

/// <summary>One failing template per finding of the checker: its code, line and column.</summary>
public class CheckerTests
{
    private const string Components = """
        {% def card(title: str, count: int = 0, tags: list[str] | None = none) %}
        <div>{{ title }} {{ count }}{% slot footer %}</div>
        {% end %}
        {% def wrap(*items, **attrs) %}{{ items }}{{ attrs }}{% end %}
        {% macro old(a, b) %}{{ a }}{{ b }}{% endmacro %}
        {% def typed(n: float, d: dict[str, int] = {}, s: str | None = none, model: Product = none) %}{{ n }}{% end %}
        {% set version = 2 %}
        """;

    private static IReadOnlyList<TemplateDiagnostic> Check(string source, params (string Name, string Text)[] others)
    {
        var templates = others.ToDictionary(o => o.Name, o => o.Text);
        templates["page.html"] = source;
        templates.TryAdd("components.html", Components);
        templates.TryAdd("base.html", "<title>{% block title %}{% endblock %}</title>{% block body %}{% endblock %}");
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(templates) });
        return new TemplateChecker(env).Check("page.html");
    }

    private static TemplateDiagnostic Single(string source, params (string, string)[] others)
    {
        var findings = Check(source, others);
        return Assert.Single(findings);
    }

    private static void AssertFinding(TemplateDiagnostic d, string code, int line, int column, DiagnosticSeverity severity = DiagnosticSeverity.Error)
    {
        Assert.Equal((code, line, column, severity), (d.Code, d.Line, d.Column, d.Severity));
        Assert.Equal("page.html", d.TemplateName);
    }

    [Fact]
    public void A_clean_template_has_no_findings()
    {
        Assert.Empty(Check("""
            {% extends "base.html" %}
            {% from "components.html" import card, wrap, version %}
            {% import "components.html" as c %}
            {% block body %}{{ super() }}{{ self.title() }}{{ card("a", 2, ["x"]) }}{{ card(title="t", count=-3) }}
            {{ wrap(1, 2, 3, x=1) }}{{ c.card("b") }}{{ c.old(1, 2) }}{{ c.typed(1, {"a": 1}, none) }}{{ c.typed(2.5, s="x", model="free") }}
            {% call card("slot") %}body{% endcall %}{% include ["missing.html", "base.html"] %}{% include "gone.html" ignore missing %}
            {% endblock %}
            """));
    }

    [Fact]
    public void A_syntax_error_is_reported_where_the_compiler_reports_it()
    {
        var d = Single("<p>\n  {{ name + }}\n</p>");
        AssertFinding(d, "K-PAR-003", 2, 13);
        Assert.Contains("Expected an expression", d.Message);
    }

    [Fact]
    public void Unknown_filters_and_tests_are_reported_with_a_suggestion()
    {
        var filter = Single("line one\n{{ name | uper }}");
        AssertFinding(filter, "K-PAR-004", 2, 11);
        Assert.Contains("upper", filter.Message);
        AssertFinding(Single("{% if x is evn %}{% endif %}"), "K-PAR-005", 1, 9);
    }

    [Theory]
    [InlineData("{% extends \"nope.html\" %}", 1, 12, "extends")]
    [InlineData("x\n{% include 'nope.html' %}", 2, 12, "include")]
    [InlineData("{% import 'nope.html' as n %}", 1, 11, "import")]
    [InlineData("{% from 'nope.html' import a %}", 1, 9, "from")]
    [InlineData("{% embed 'nope.html' %}{% end %}", 1, 10, "embed")]
    [InlineData("{% include ['a.html', 'b.html'] %}", 1, 12, "include")]
    public void Missing_templates_are_reported_at_the_name(string source, int line, int column, string tag)
    {
        var d = Single(source);
        AssertFinding(d, "K-TPL-001", line, column);
        Assert.Contains($"{{% {tag} %}}", d.Message);
    }

    [Fact]
    public void Computed_and_ignored_targets_are_not_reported()
    {
        Assert.Empty(Check("{% include name %}{% include 'x.html' ignore missing %}{% extends layout %}"));
    }

    [Fact]
    public void Super_without_a_parent_block_is_reported()
    {
        AssertFinding(Single("{% block body %}{{ super() }}{% endblock %}"), ErrorCodes.BlockNotFound, 1, 20);
        var d = Single("{% extends 'base.html' %}\n{% block footer %}{{ super() }}{% endblock %}");
        AssertFinding(d, ErrorCodes.BlockNotFound, 2, 22);
        Assert.Contains("footer", d.Message);
        // outside a block the compiler's own error is the one finding
        AssertFinding(Single("{{ super() }}"), "K-PAR-001", 1, 9);
    }

    [Fact]
    public void Self_calls_of_missing_blocks_are_reported_and_inherited_blocks_are_found()
    {
        var d = Single("{% block content %}x{% endblock %}{{ self.contnt() }}");
        AssertFinding(d, ErrorCodes.BlockNotFound, 1, 38);
        Assert.Contains("did you mean 'content'", d.Message);
        Assert.Empty(Check("{% extends 'base.html' %}{% block body %}{{ self.title() }}{% endblock %}"));
    }

    [Fact]
    public void Imported_names_a_library_does_not_define_are_reported()
    {
        var d = Single("{% from 'components.html' import cardd %}");
        AssertFinding(d, "K-RUN-008", 1, 4);
        Assert.Contains("did you mean 'card'", d.Message);
        AssertFinding(Single("{% import 'components.html' as c %}\n{{ c.nothing }}"), "K-RUN-008", 2, 5);
    }

    [Fact]
    public void An_unknown_keyword_is_K_CMP_001_with_the_definition_and_a_suggestion()
    {
        var d = Single("{% from 'components.html' import card %}\n{{ card(titel='x', title='y') }}");
        AssertFinding(d, ErrorCodes.CallSignature, 2, 15);
        Assert.Contains("def 'card' (components.html:1:4)", d.Message);
        Assert.Contains("did you mean 'title'", d.Message);
    }

    [Fact]
    public void A_missing_required_argument_is_K_CMP_001()
    {
        var d = Single("{% import 'components.html' as c %}\n  {{ c.card(count=1) }}");
        AssertFinding(d, ErrorCodes.CallSignature, 2, 6);
        Assert.Contains("'title'", d.Message);
    }

    [Fact]
    public void Too_many_positional_arguments_is_K_CMP_001()
    {
        var d = Single("{% from 'components.html' import card %}{{ card('a', 1, none, 4) }}");
        AssertFinding(d, ErrorCodes.CallSignature, 1, 44);
        Assert.Contains("at most 3 positional arguments, got 4", d.Message);
    }

    [Fact]
    public void An_argument_given_twice_is_K_CMP_001()
    {
        AssertFinding(Single("{% from 'components.html' import card %}{{ card('a', title='b') }}"), ErrorCodes.CallSignature, 1, 60);
    }

    [Fact]
    public void Calls_to_defs_of_the_same_template_and_call_blocks_are_validated()
    {
        var findings = Check("{% def box(label) %}{{ label }}{{ caller() }}{% end %}\n{% call box(lable=1) %}x{% endcall %}");
        Assert.Collection(findings,
            missing => AssertFinding(missing, ErrorCodes.CallSignature, 2, 9),
            unknown => AssertFinding(unknown, ErrorCodes.CallSignature, 2, 19));
    }

    [Fact]
    public void A_macro_called_without_an_argument_is_a_warning_as_Jinja2_makes_it_undefined()
    {
        AssertFinding(Single("{% from 'components.html' import old %}{{ old(1) }}"), ErrorCodes.CallSignature, 1, 43, DiagnosticSeverity.Warning);
    }

    [Fact]
    public void A_name_bound_twice_is_not_validated()
    {
        Assert.Empty(Check("{% from 'components.html' import card %}{% set card = other %}{{ card(nothing=1) }}"));
    }

    [Theory]
    [InlineData("card('a', 'five')", "'five'", "annotated int, got str 'five'")]
    [InlineData("card('a', 1.5)", "1.5", "annotated int, got float 1.5")]
    [InlineData("card(title=3)", "3", "annotated str, got int 3")]
    [InlineData("card('a', tags=[1])", "[1]", "annotated list[str] | None")]
    [InlineData("card('a', tags='x')", "'x'", "annotated list[str] | None, got str 'x'")]
    [InlineData("typed('1')", "'1'", "annotated float")]
    [InlineData("typed(1, {'a': 'b'})", "{", "annotated dict[str, int]")]
    [InlineData("typed(1, [])", "[]", "annotated dict[str, int], got a list")]
    [InlineData("typed(1, s=1)", "1)", "annotated str | None, got int 1")]
    public void Literal_arguments_are_checked_against_annotations(string call, string argument, string message)
    {
        const string prefix = "{% from 'components.html' import card, typed %}\n{{ ";
        var d = Single(prefix + call + " }}");
        AssertFinding(d, ErrorCodes.LiteralType, 2, 4 + call.IndexOf(argument, StringComparison.Ordinal), DiagnosticSeverity.Warning);
        Assert.Contains(message, d.Message);
    }

    [Fact]
    public void Template_declarations_are_checked_against_reads_and_literal_uses()
    {
        var findings = Check("""
            {% template title: str, count: int, unused: bool %}
            {{ title }} {{ count }} {{ undeclared }}
            {% set count = "many" %}
            {% if title == 3 %}{% endif %}{{ range(3) }}
            """);
        Assert.Collection(findings,
            d => AssertFinding(d, ErrorCodes.UnusedDeclaration, 1, 37, DiagnosticSeverity.Warning),
            d => AssertFinding(d, ErrorCodes.UndeclaredVariable, 2, 28, DiagnosticSeverity.Warning),
            d => AssertFinding(d, ErrorCodes.DeclaredTypeMismatch, 3, 16, DiagnosticSeverity.Warning),
            d => AssertFinding(d, ErrorCodes.DeclaredTypeMismatch, 4, 16, DiagnosticSeverity.Warning));
    }

    [Fact]
    public void A_name_set_only_inside_a_loop_is_still_a_context_read_outside_it()
    {
        // the binder's scopes: the set inside the for body does not bind the read after the loop
        var d = Single("{% template items: list %}{% for i in items %}{% set label = i %}{% endfor %}{{ label }}");
        AssertFinding(d, ErrorCodes.UndeclaredVariable, 1, 81, DiagnosticSeverity.Warning);
        Assert.Empty(Check("{% template items: list %}{% for i in items %}{{ i }}{% set label = i %}{{ label }}{% endfor %}"));
    }

    [Fact]
    public void Host_globals_count_as_declared()
    {
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(new Dictionary<string, string> { ["p.html"] = "{% template a: int %}{{ a }}{{ request }}" }) });
        Assert.Single(new TemplateChecker(env).Check("p.html"));
        Assert.Empty(new TemplateChecker(env, ["request"]).Check("p.html"));
    }

    [Fact]
    public void Annotations_parse_unions_generics_and_dotted_names()
    {
        Assert.Empty(Check("{% def f(a: typing.Optional[int], b: Union[str, None] = none, c: dict[str, list[int]] = {}) %}{% end %}{{ f(none, 'x', {'k': [1, 2]}) }}"));
        var all = Check("{% def f(a: typing.Optional[int], b: Union[str, None] = none, c: dict[str, list[int]] = {}) %}{% end %}{{ f('x', 2, {'k': ['v']}) }}");
        Assert.Equal(3, all.Count);
        Assert.All(all, x => Assert.Equal(ErrorCodes.LiteralType, x.Code));
    }
}
