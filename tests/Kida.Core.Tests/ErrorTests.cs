using Xunit;

namespace Kida.Core.Tests;

public class ErrorTests
{
    public static IEnumerable<object[]> SyntaxErrors()
    {
        var cases = new (string Template, int Line, int Column)[]
        {
            ("Hello {% if x", 1, 7),
            ("text{% endif %}", 1, 8),
            ("{% for x in y %}{% endif %}", 1, 20),
            ("{% frobnicate %}", 1, 4),
            ("a{% else %}b", 1, 5),
            ("{{ }}", 1, 4),
            ("{{ 1 + 2) }}", 1, 9),
            ("{{ a b }}", 1, 6),
            ("{{ 'x'|nosuchfilter }}", 1, 8),
            ("{{ 1 is nosuchtest }}", 1, 6),
            ("{% if %}x{% endif %}", 1, 7),
            ("{% for x %}{% endfor %}", 1, 10),
            ("{% for x in %}{% endfor %}", 1, 13),
            ("{% block a %}1{% endblock %}{% block a %}2{% endblock %}", 1, 38),
            ("{{ {'a' 1} }}", 1, 9),
            ("line1\n{% for x in y %}\nno end", 2, 4), // an unclosed block: at its opener, where the fix goes (issue 16)
            ("{# never closed", 1, 1),
            ("{{ 'unterminated }}", 1, 4),
            ("{{ x | }}", 1, 8),
            ("{% set %}", 1, 8),
            ("{% macro m(a b) %}{% endmacro %}", 1, 14),
            ("{% break %}", 1, 4),
            ("{{ 1 @ 2 }}", 1, 6),
            ("{% if a %}{% for x in y %}{% endif %}{% endfor %}", 1, 30),
            ("\n\n   {{ x.}}", 3, 9),
        };
        foreach (var (t, l, c) in cases)
        {
            yield return [t, l, c, false];
            yield return [t, l, c, true];
        }
    }

    [Theory]
    [MemberData(nameof(SyntaxErrors))]
    public void Syntax_errors_name_template_line_and_column(string template, int line, int column, bool interpret)
    {
        var ex = Assert.Throws<TemplateSyntaxException>(() => Modes.Env(interpret).FromString(template, "bad.html"));
        Assert.Equal("bad.html", ex.TemplateName);
        Assert.Equal(line, ex.Line);
        Assert.Equal(column, ex.Column);
        Assert.StartsWith("K-", ex.Code);
        Assert.NotNull(ex.SourceLine);
    }

    public static IEnumerable<object[]> RuntimeErrors()
    {
        var cases = new (string Template, Type Kind, int Line)[]
        {
            ("{{ 1 / 0 }}", typeof(TemplateRuntimeException), 1),
            ("a\n{{ 1 // 0 }}", typeof(TemplateRuntimeException), 2),
            ("{{ missing }}", typeof(UndefinedException), 1),
            ("x\ny\n{{ 1 + missing }}", typeof(UndefinedException), 3),
            ("{{ name() }}", typeof(TemplateRuntimeException), 1),
            ("{% for x in 3 %}{% endfor %}", typeof(TemplateRuntimeException), 1),
            ("{{ 'a' < 1 }}", typeof(TemplateRuntimeException), 1),
            ("{{ user.greet() }}", typeof(UndefinedException), 1),
            ("{{ items[5] }}", typeof(UndefinedException), 1),
            ("{% for a, b in [[1, 2, 3]] %}{% endfor %}", typeof(TemplateRuntimeException), 1),
            ("{% macro one(a) %}{% endmacro %}\n{{ one(a=1, b=2) }}", typeof(TemplateRuntimeException), 2),
            ("{% macro r(n) %}{{ r(n) }}{% endmacro %}{{ r(1) }}", typeof(TemplateRuntimeException), 1),
            ("{{ range(10000000)|list }}", typeof(TemplateRuntimeException), 1),
            ("{{ '%.2f'|format(1.5) }}", typeof(TemplateRuntimeException), 1),
            ("{% include 'nope.html' %}", typeof(TemplateNotFoundException), 0),
            ("{{ 'x' ~ missing }}", typeof(UndefinedException), 1),
            ("{% macro m() %}\n\n{{ 1 // 0 }}{% endmacro %}\n{{ m() }}", typeof(TemplateRuntimeException), 3),
            ("{% macro m() %}\n{{ x.y }}{% endmacro %}\n{% set v = m() %}", typeof(UndefinedException), 2),
            ("{% macro m() %}{{ caller() }}{% endmacro %}\n{% call m() %}\n{{ 1 // 0 }}{% endcall %}", typeof(TemplateRuntimeException), 3),
            ("{% macro r(n) %}{{ r(n + 1) ~ 'x' }}{% endmacro %}\n{{ r(1) }}", typeof(TemplateRuntimeException), 1),
        };
        foreach (var (t, k, l) in cases)
        {
            yield return [t, k, l, false];
            yield return [t, k, l, true];
        }
    }

    [Theory]
    [MemberData(nameof(RuntimeErrors))]
    public void Runtime_errors_are_template_exceptions_with_position(string template, Type kind, int line, bool interpret)
    {
        var t = Modes.Env(interpret).FromString(template, "run.html");
        var ex = Assert.ThrowsAny<TemplateException>(() => t.Render(new Dictionary<string, object?> { ["name"] = "text", ["user"] = new Dictionary<string, object?>(), ["items"] = new List<object?> { 1, 2 } }));
        Assert.IsType(kind, ex);
        if (line > 0)
        {
            Assert.Equal("run.html", ex.TemplateName);
            Assert.Equal(line, ex.Line);
        }
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void An_error_caught_by_try_does_not_misplace_later_errors(bool interpret)
    {
        var env = Modes.Env(interpret, new()
        {
            ["lib.html"] = "{% macro bad() %}\n\n\n{{ 1 // 0 }}{% endmacro %}",
            ["page.html"] = "{% from 'lib.html' import bad %}{% try %}{{ bad() }}{% fallback %}F{% end %}\n{{ missing }}",
        });
        var ex = Assert.Throws<UndefinedException>(() => env.GetTemplate("page.html").Render());
        Assert.Equal("page.html", ex.TemplateName);
        Assert.Equal(2, ex.Line);
    }

    [Fact]
    public void Undefined_names_suggest_a_close_match()
    {
        var ex = Assert.Throws<UndefinedException>(() => new KidaEnvironment().FromString("{{ nme }}").Render(new { name = "x" }));
        Assert.Equal("did you mean 'name'?", ex.Hint);
    }

    [Fact]
    public void Missing_template_is_not_found()
    {
        var env = Modes.Env(false, new() { ["a.html"] = "x" });
        Assert.Throws<TemplateNotFoundException>(() => env.GetTemplate("b.html"));
    }

    [Fact]
    public void File_system_loader_refuses_traversal()
    {
        var dir = Directory.CreateTempSubdirectory();
        File.WriteAllText(Path.Combine(dir.FullName, "ok.html"), "ok");
        var env = new KidaEnvironment(new KidaOptions { Loader = new FileSystemLoader(dir.FullName) });
        Assert.Equal("ok", env.GetTemplate("ok.html").Render());
        Assert.Throws<TemplateNotFoundException>(() => env.GetTemplate("../secret.txt"));
        Assert.Throws<TemplateNotFoundException>(() => env.GetTemplate("/etc/passwd"));
    }
}
