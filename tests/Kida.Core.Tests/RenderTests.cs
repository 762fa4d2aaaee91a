using Xunit;

namespace Kida.Core.Tests;

public class RenderTests
{
    public static IEnumerable<object[]> Cases()
    {
        var cases = new (string Template, string Expected)[]
        {
            ("{{ 1 + 2 * 3 }}", "7"),
            ("{{ 10 / 4 }}|{{ 10 // 4 }}|{{ -7 // 2 }}|{{ -7 % 3 }}|{{ 2 ** 10 }}", "2.5|2|-4|2|1024"),
            ("{{ 0.1 + 0.2 }}|{{ 1e16 }}|{{ 2.0 }}|{{ 1.5e-5 }}", "0.30000000000000004|1e+16|2.0|1.5e-05"),
            ("{{ 2 ** 100 }}", "1267650600228229401496703205376"),
            ("{{ 9223372036854775807 + 1 }}", "9223372036854775808"),
            ("{{ true }} {{ none }} {{ [1, 'a', none] }} {{ (1,) }}", "True None [1, &#39;a&#39;, None] (1,)"),
            ("{{ 'a' ~ 1 ~ none }}", "a1None"),
            ("{% for x in [1,2,3] %}{{ loop.index }}{{ '/' if not loop.last }}{% endfor %}", "1/2/3"),
            ("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}", "a=1;b=2;"),
            ("{% for x in [] %}x{% else %}empty{% endfor %}", "empty"),
            ("{% set x = 1 %}{% if true %}{% set x = 2 %}{% endif %}{{ x }}", "1"),
            ("{% let t = 0 %}{% for i in [1, 2, 3] %}{% export t = t + i %}{% end %}{{ t }}", "6"),
            ("{% macro m(a, b='x') %}{{ a }}{{ b }}{% endmacro %}{{ m(1) }}{{ m(2, b='y') }}", "1x2y"),
            ("{% macro w() %}<{{ caller() }}>{% endmacro %}{% call w() %}in{% endcall %}", "<in>"),
            ("{{ '<b>' }}|{{ '<b>'|safe }}|{{ '<b>'|e|e }}", "&lt;b&gt;|<b>|&lt;b&gt;"),
            ("{{ missing|default('d') }}|{{ missing is defined }}|{{ missing ?? 'n' }}", "d|False|n"),
            ("{{ user?.name ?? 'guest' }}", "guest"),
            ("{{ 'hello world'|title }}|{{ [3,1,2]|sort|join(',') }}|{{ 'abc'|upper }}", "Hello World|1,2,3|ABC"),
            ("{{ '{} and {}'|format(1, 2) }}", "1 and 2"),
            ("{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}", "3"),
            ("{% match x %}{% case 1 %}one{% case _ %}other{% end %}", "other"),
            ("{% filter upper %}abc{% endfilter %}", "ABC"),
            ("{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}", "3"),
            ("{% raw %}{{ x }}{% endraw %}", "{{ x }}"),
            ("{{ 'abcdef'[1:4] }}|{{ [1,2,3,4][::-1]|join }}|{{ 'x'[-1] }}", "bcd|4321|x"),
            ("{{ [1, 2] + [3] }}|{{ 'ab' * 3 }}", "[1, 2, 3]|ababab"),
            ("{{ 1 < 2 < 3 }}|{{ 2 in [1, 2] }}|{{ 'b' not in 'abc' }}", "True|True|False"),
            ("a  {{- 'b' -}}  c", "abc"),
            ("{% for c in '😀✓' %}[{{ c }}]{% endfor %}{{ '😀✓'|length }}", "[😀][✓]2"),
            ("{{ 'straße'|upper }}|{{ 'e\u0301'|length }}", "STRASSE|2"),
            ("{{ {'b': 1, 'a': '</x>'}|tojson }}", "{\"b\": 1, \"a\": \"\\u003c/x\\u003e\"}"),
            // MarkupSafe escapes exactly & < > " ' (a NUL passes through, as Jinja2 3.1.6 prints it)
            ("{{ 'a\u0000b<' }}|{{ 'a\u0000b<'|e }}|{{ 'a\u0000b<'|e|length }}|{{ ('a\u0000' ~ x)|escape }}", "a\u0000b&lt;|a\u0000b&lt;|7|a\u00005"),
        };
        foreach (var (t, e) in cases)
        {
            yield return [t, e, false];
            yield return [t, e, true];
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders_like_jinja(string template, string expected, bool interpret)
    {
        Assert.Equal(expected, Modes.Render(interpret, template, new Dictionary<string, object?> { ["x"] = 5, ["user"] = null }));
    }

    public sealed record Person(string FirstName, int Age, Person? Friend = null);

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Reads_poco_members_with_snake_case(bool interpret)
    {
        var model = new { user = new Person("Ada", 36, new Person("Bob", 40)) };
        Assert.Equal("Ada 36 Bob", Modes.Render(interpret, "{{ user.first_name }} {{ user.Age }} {{ user.friend.firstName }}", model));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Inheritance_with_super_and_self(bool interpret)
    {
        var env = Modes.Env(interpret, new()
        {
            ["base.html"] = "<title>{% block title %}Site{% endblock %}</title><h1>{{ self.title() }}</h1>",
            ["page.html"] = "{% extends 'base.html' %}{% block title %}Page | {{ super() }}{% endblock %}",
        });
        Assert.Equal("<title>Page | Site</title><h1>Page | Site</h1>", env.GetTemplate("page.html").Render());
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Renders_a_single_block(bool interpret)
    {
        var env = Modes.Env(interpret, new()
        {
            ["page.html"] = "{% set who = 'x' %}<html>{% block list %}<ul>{{ who }}{{ n }}</ul>{% endblock %}</html>",
        });
        Assert.Equal("<ul>x3</ul>", env.GetTemplate("page.html").RenderBlock("list", new { n = 3 }));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Includes_and_imports(bool interpret)
    {
        var env = Modes.Env(interpret, new()
        {
            ["inc.html"] = "[{{ item }}]",
            ["lib.html"] = "{% macro b(t) %}<b>{{ t }}</b>{% endmacro %}",
            ["main.html"] = "{% import 'lib.html' as lib %}{% for item in [1, 2] %}{% include 'inc.html' %}{% endfor %}{{ lib.b('<x>') }}",
        });
        Assert.Equal("[1][2]<b>&lt;x&gt;</b>", env.GetTemplate("main.html").Render());
    }

    [Fact]
    public async Task Renders_utf8_into_a_pipe()
    {
        var env = Modes.Env(false);
        var template = env.FromString("héllo {{ name }}");
        var pipe = new System.IO.Pipelines.Pipe();
        await template.RenderAsync(pipe.Writer, new { name = "wörld" });
        await pipe.Writer.CompleteAsync();
        var result = await pipe.Reader.ReadAsync();
        Assert.Equal("héllo wörld", System.Text.Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(result.Buffer)));
    }

    [Fact]
    public void Custom_filters_tests_and_globals()
    {
        var env = Modes.Env(false);
        env.AddFilter("shout", (Func<string, int, string>)((s, n) => s.ToUpperInvariant() + new string('!', n)));
        env.AddTest("long", (Func<string, bool>)(s => s.Length > 3));
        env.AddGlobal("twice", (Func<int, int>)(x => x * 2));
        Assert.Equal("HI!! True 42", env.FromString("{{ 'hi'|shout(2) }} {{ 'abcd' is long }} {{ twice(21) }}").Render());
    }
}
