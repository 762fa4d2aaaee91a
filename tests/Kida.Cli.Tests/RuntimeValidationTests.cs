using Xunit;

namespace Kida.Cli.Tests;

/// <summary>KidaOptions.ValidateCalls and CheckTypes: calls checked while rendering, in every compile mode.</summary>
public class RuntimeValidationTests
{
    public static TheoryData<string> Modes => new() { "compiled", "interpreted", "tiered" };


    private static KidaEnvironment Env(string mode, bool validate = true, bool types = false) => new(new KidaOptions
    {
        Loader = new DictLoader(new Dictionary<string, string>
        {
            ["components.html"] = "\n{% def card(title: str, count: int = 0) %}[{{ title }}:{{ count }}]{% end %}\n{% macro old(a, b) %}{{ a }}{{ b | default('-') }}{% endmacro %}",
        }),
        ValidateCalls = validate,
        CheckTypes = types,
        PreferInterpretation = mode == "interpreted",
        TieredCompilation = mode == "tiered",
    });

    private static TemplateException Fails(KidaEnvironment env, string source)
    {
        var t = env.FromString(source, "page.html");
        return Assert.ThrowsAny<TemplateException>(() => t.Render(new Dictionary<string, object?> { ["five"] = "five", ["n"] = 3 }));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void An_unknown_keyword_fails_with_K_CMP_001_and_the_definition(string mode)
    {
        var ex = Fails(Env(mode), "{% from 'components.html' import card %}\nx{{ card(titel='a') }}");
        Assert.Equal("K-CMP-001", ex.Code);
        Assert.Contains("def 'card' (components.html:2:4) has no parameter 'titel'; did you mean 'title'?", ex.RawMessage);
        Assert.Equal(("page.html", 2), (ex.TemplateName, ex.Line));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_missing_required_argument_and_too_many_positionals_fail(string mode)
    {
        var env = Env(mode);
        var missing = Fails(env, "{% import 'components.html' as c %}{{ c.card(count=1) }}");
        Assert.Equal("K-CMP-001", missing.Code);
        Assert.Contains("missing the required argument 'title'", missing.RawMessage);
        var many = Fails(env, "{% import 'components.html' as c %}{{ c.card('a', 1, 2) }}");
        Assert.Equal("K-CMP-001", many.Code);
        Assert.Contains("at most 2 positional arguments, got 3", many.RawMessage);
        // the fast path for one or two positional arguments checks too
        var local = Fails(env, "{% def one(a) %}{{ a }}{% end %}{{ one() }}");
        Assert.Equal("K-CMP-001", local.Code);
        Assert.Contains("def 'one' (page.html:1:4)", local.RawMessage);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Good_calls_render_and_macros_stay_lenient(string mode)
    {
        var env = Env(mode, types: true);
        var t = env.FromString("{% from 'components.html' import card, old %}{{ card('a') }}{{ card(title='b', count=2) }}{{ old(1) }}{% def box(x) %}<{{ x }}>{% end %}{{ box(1) }}", "ok.html");
        Assert.Equal("[a:0][b:2]1-<1>", t.Render());
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Without_the_option_a_bad_call_fails_only_as_the_engine_does(string mode)
    {
        var env = Env(mode, validate: false);
        var unknown = Fails(env, "{% from 'components.html' import card %}{{ card('a', size=1) }}");
        Assert.Equal("K-RUN-012", unknown.Code);
        Assert.DoesNotContain("components.html:2:4", unknown.RawMessage);
        Assert.Equal("K-RUN-012", Fails(env, "{% def one(a) %}[]{% end %}{{ one() }}").Code);
        var validated = Fails(Env(mode), "{% def one(a) %}[]{% end %}{{ one() }}");
        Assert.Equal("K-CMP-001", validated.Code);
        Assert.Contains("def 'one' (page.html:1:4) is missing the required argument 'a'", validated.RawMessage);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void CheckTypes_checks_annotations_against_values(string mode)
    {
        var env = Env(mode, validate: false, types: true);
        var ex = Fails(env, "{% from 'components.html' import card %}{{ card('a', five) }}");
        Assert.Equal("K-CMP-002", ex.Code);
        Assert.Contains("argument 'count' is annotated int, got the value str 'five'", ex.RawMessage);
        Assert.Equal("[a:3]", env.FromString("{% from 'components.html' import card %}{{ card('a', n) }}").Render(new { n = 3 }));
        var list = env.FromString("{% def f(xs: list[int], d: dict[str, int] | None = none) %}{{ xs | length }}{% end %}{{ f(xs) }}{{ f(xs, none) }}");
        Assert.Equal("22", list.Render(new { xs = new List<int> { 1, 2 } }));
        Assert.Equal("K-CMP-002", Assert.Throws<TemplateRuntimeException>(() => list.Render(new { xs = new[] { "a" } })).Code);
        Assert.Equal("K-CMP-002", Assert.Throws<TemplateRuntimeException>(() => list.Render(new { xs = "ab" })).Code);
    }
}
