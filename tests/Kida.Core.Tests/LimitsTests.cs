using Xunit;
using System.IO.Pipelines;
using System.Text;

namespace Kida.Core.Tests;

/// <summary>
/// KidaLimits: each limit fires with its K-SEC code, the limit's name and the template position, and a raised limit lets
/// the same template pass. Hostile templates fail fast. Both compile modes.
/// </summary>
public class LimitsTests
{
    private static KidaEnvironment Env(bool interpret, KidaLimits? limits = null, Dictionary<string, string>? templates = null) =>
        new(new KidaOptions
        {
            Loader = new DictLoader(templates ?? new Dictionary<string, string>()),
            PreferInterpretation = interpret,
            TieredCompilation = false,
            Limits = limits ?? KidaLimits.Default,
        });

    private static string Render(bool interpret, KidaLimits? limits, string source, object? model = null) =>
        Env(interpret, limits).FromString(source, "limits.html").Render(model);

    /// <summary>Renders and expects a limit error: its code, a message naming the limit, and a template position.</summary>
    private static TemplateRuntimeException Fails(bool interpret, KidaLimits? limits, string code, string limitName, string source, object? model = null)
    {
        var ex = Assert.Throws<TemplateRuntimeException>(() => Render(interpret, limits, source, model));
        Assert.Equal(code, ex.Code);
        Assert.Contains(limitName, ex.Message);
        Assert.Equal("limits.html", ex.TemplateName);
        Assert.True(ex.Line >= 1, "the error carries the template position");
        return ex;
    }

    // ------------------------------------------------------------------ the record

    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var d = KidaLimits.Default;
        Assert.Equal(32L * 1024 * 1024, d.MaxOutputLength);
        Assert.Equal(8 * 1024 * 1024, d.MaxStringLength);
        Assert.Equal(1_000_000, d.MaxCollectionLength);
        Assert.Equal(5_000_000, d.MaxLoopIterations);
        Assert.Equal(100_000, d.MaxRangeLength);
        Assert.Equal(4_300, d.MaxIntegerDigits);
        Assert.Equal(200, d.MaxRecursionDepth);
        Assert.Equal(50, d.MaxIncludeDepth);
        Assert.Equal(TimeSpan.FromSeconds(5), d.RenderTimeout);
        Assert.Equal(1024 * 1024, d.MaxTemplateLength);
        Assert.Equal(d, new KidaLimits());
        Assert.Same(KidaLimits.Default, new KidaOptions().Limits);
    }

    [Fact]
    public void Sandboxed_preset_is_tighter()
    {
        var s = KidaLimits.Sandboxed;
        Assert.Equal(4L * 1024 * 1024, s.MaxOutputLength);
        Assert.Equal(1024 * 1024, s.MaxStringLength);
        Assert.Equal(100_000, s.MaxCollectionLength);
        Assert.Equal(1_000_000, s.MaxLoopIterations);
        Assert.Equal(10_000, s.MaxRangeLength);
        Assert.Equal(4_300, s.MaxIntegerDigits);
        Assert.Equal(100, s.MaxRecursionDepth);
        Assert.Equal(20, s.MaxIncludeDepth);
        Assert.Equal(TimeSpan.FromSeconds(2), s.RenderTimeout);
        Assert.Equal(256 * 1024, s.MaxTemplateLength);
    }

    [Fact]
    public void Old_option_properties_forward_into_limits()
    {
        var o = new KidaOptions { MaxRangeLength = 7, MaxIncludeDepth = 3, MaxLoopIterations = 11 };
        Assert.Equal(7, o.Limits.MaxRangeLength);
        Assert.Equal(3, o.Limits.MaxIncludeDepth);
        Assert.Equal(11, o.Limits.MaxLoopIterations);
        Assert.Equal(7, o.MaxRangeLength);
        Assert.Equal(100_000, new KidaOptions().MaxRangeLength);
        var p = new KidaOptions { Limits = KidaLimits.Sandboxed };
        Assert.Equal(10_000, p.MaxRangeLength);
        Assert.Equal(1_000_000, p.MaxLoopIterations);
    }

    public static IEnumerable<object[]> BadLimits =>
    [
        [KidaLimits.Default with { MaxOutputLength = -1 }, "MaxOutputLength"],
        [KidaLimits.Default with { MaxStringLength = -1 }, "MaxStringLength"],
        [KidaLimits.Default with { MaxCollectionLength = -1 }, "MaxCollectionLength"],
        [KidaLimits.Default with { MaxLoopIterations = -1 }, "MaxLoopIterations"],
        [KidaLimits.Default with { MaxRangeLength = -1 }, "MaxRangeLength"],
        [KidaLimits.Default with { MaxIntegerDigits = -1 }, "MaxIntegerDigits"],
        [KidaLimits.Default with { MaxRecursionDepth = -1 }, "MaxRecursionDepth"],
        [KidaLimits.Default with { MaxIncludeDepth = -1 }, "MaxIncludeDepth"],
        [KidaLimits.Default with { MaxTemplateLength = -1 }, "MaxTemplateLength"],
        [KidaLimits.Default with { RenderTimeout = TimeSpan.Zero }, "RenderTimeout"],
        [KidaLimits.Default with { RenderTimeout = TimeSpan.FromSeconds(-1) }, "RenderTimeout"],
    ];

    [Theory]
    [MemberData(nameof(BadLimits))]
    public void Negative_limits_are_rejected_when_the_environment_is_built(KidaLimits limits, string name)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new KidaEnvironment(new KidaOptions { Limits = limits }));
        Assert.Equal(name, ex.ParamName);
    }

    [Fact]
    public void No_timeout_is_allowed()
    {
        var env = new KidaEnvironment(new KidaOptions { Limits = KidaLimits.Default with { RenderTimeout = null } });
        Assert.Equal("0123", env.FromString("{% for i in range(4) %}{{ i }}{% endfor %}").Render());
    }

    // ------------------------------------------------------------------ loop iterations

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Loop_iterations_count_over_nested_loops(bool interpret)
    {
        const string source = "{% for i in range(10) %}{% for j in range(10) %}.{% endfor %}{% endfor %}";
        Fails(interpret, KidaLimits.Default with { MaxLoopIterations = 100 }, "K-SEC-008", "Limits.MaxLoopIterations", source);
        // 10 outer + 100 inner iterations
        Assert.Equal(new string('.', 100), Render(interpret, KidaLimits.Default with { MaxLoopIterations = 110 }, source));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void While_and_for_loops_share_the_budget(bool interpret)
    {
        const string source = "{% let n = namespace(i=0) %}{% while n.i < 5 %}{% set n.i = n.i + 1 %}{% endwhile %}{% for x in [1, 2, 3] %}{{ x }}{% endfor %}";
        Fails(interpret, KidaLimits.Default with { MaxLoopIterations = 7 }, "K-SEC-008", "Limits.MaxLoopIterations", source);
        Assert.Equal("123", Render(interpret, KidaLimits.Default with { MaxLoopIterations = 8 }, source));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void The_loop_budget_allows_exactly_its_iterations_with_and_without_a_timeout(bool interpret)
    {
        // with a render timeout (the clock and the first chunk start with the render) and without one (the first chunk is
        // granted at once): N iterations pass under a limit of N, N + 1 fail, for small and chunk-sized limits
        foreach (var timeout in new TimeSpan?[] { TimeSpan.FromSeconds(5), null })
            foreach (var n in new[] { 1, 7, 16, 17, 1024, 1025 })
            {
                var limits = KidaLimits.Default with { MaxLoopIterations = n, RenderTimeout = timeout };
                Assert.Equal(n.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Render(interpret, limits, "{% for i in range(" + n + ") %}{% if loop.last %}{{ loop.length }}{% endif %}{% endfor %}"));
                Fails(interpret, limits, "K-SEC-008", "Limits.MaxLoopIterations", "{% for i in range(" + (n + 1) + ") %}{% endfor %}");
            }
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Loops_over_loop_variable_and_includes_count_too(bool interpret)
    {
        var env = Env(interpret, KidaLimits.Default with { MaxLoopIterations = 20 }, new()
        {
            ["inner.html"] = "{% for j in range(5) %}{{ loop.index }}{% endfor %}",
            ["outer.html"] = "{% for i in range(4) %}{% include 'inner.html' %}{% endfor %}",
        });
        var ex = Assert.Throws<TemplateRuntimeException>(() => env.GetTemplate("outer.html").Render());
        Assert.Equal("K-SEC-008", ex.Code);
        var roomy = Env(interpret, KidaLimits.Default with { MaxLoopIterations = 24 }, new()
        {
            ["inner.html"] = "{% for j in range(5) %}{{ loop.index }}{% endfor %}",
            ["outer.html"] = "{% for i in range(4) %}{% include 'inner.html' %}{% endfor %}",
        });
        Assert.Equal(string.Concat(Enumerable.Repeat("12345", 4)), roomy.GetTemplate("outer.html").Render());
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Nested_big_ranges_stop_at_the_iteration_budget(bool interpret)
    {
        // the iteration budget, or on a slow machine in the interpreter the time budget, stops it
        var ex = Assert.Throws<TemplateRuntimeException>(() => Render(interpret, null,
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"));
        Assert.Contains(ex.Code, new[] { "K-SEC-008", "K-SEC-010" });
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void An_endless_while_loop_stops(bool interpret)
    {
        Fails(interpret, KidaLimits.Default with { MaxLoopIterations = 1000 }, "K-SEC-008", "Limits.MaxLoopIterations",
            "{% while true %}{% endwhile %}");
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void A_try_block_cannot_buy_more_iterations(bool interpret)
    {
        const string source = "{% for i in range(50) %}{% try %}{% for j in range(50) %}{% endfor %}{% fallback %}x{% end %}{% endfor %}";
        Fails(interpret, KidaLimits.Default with { MaxLoopIterations = 100 }, "K-SEC-008", "Limits.MaxLoopIterations", source);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void An_endless_model_enumerable_in_a_for_loop_stops(bool interpret)
    {
        Fails(interpret, KidaLimits.Default with { MaxLoopIterations = 10_000 }, "K-SEC-008", "Limits.MaxLoopIterations",
            "{% for x in endless %}{% endfor %}", new { endless = Endless() });
    }

    internal static IEnumerable<int> Endless()
    {
        for (var i = 0; ; i++) yield return i;
    }

    // ------------------------------------------------------------------ time and cancellation

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void The_exponential_macro_stops_at_the_render_timeout(bool interpret)
    {
        var limits = KidaLimits.Default with { RenderTimeout = TimeSpan.FromMilliseconds(200) };
        Fails(interpret, limits, "K-SEC-010", "Limits.RenderTimeout",
            "{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(40) }}");
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void A_long_loop_stops_at_the_render_timeout(bool interpret)
    {
        var limits = KidaLimits.Default with { RenderTimeout = TimeSpan.FromMilliseconds(100), MaxLoopIterations = long.MaxValue };
        Fails(interpret, limits, "K-SEC-010", "Limits.RenderTimeout", "{% while true %}{% endwhile %}");
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void A_cancelled_token_surfaces_as_OperationCanceledException(bool interpret)
    {
        var template = Env(interpret, KidaLimits.Default with { MaxLoopIterations = long.MaxValue, RenderTimeout = null })
            .FromString("{% while true %}{% endwhile %}", "limits.html");
        using var cts = new CancellationTokenSource();
        cts.CancelAfter(50);
        Assert.ThrowsAny<OperationCanceledException>(() => template.Render(new Dictionary<string, object?>(), cts.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => template.Render((object?)null, cts.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => template.Render(cts.Token));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public async Task Cancellation_stops_an_endless_macro_recursion_and_every_overload_takes_a_token(bool interpret)
    {
        var template = Env(interpret, KidaLimits.Default with { RenderTimeout = null })
            .FromString("{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{% block b %}{{ f(40) }}{% endblock %}", "limits.html");
        using var cts = new CancellationTokenSource();
        cts.CancelAfter(50);
        Assert.ThrowsAny<OperationCanceledException>(() => template.RenderBlock("b", null, cts.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => template.RenderBlock("b", cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => template.RenderAsync(new StringWriter(), null, cts.Token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => template.RenderBlockAsync(new StringWriter(), "b", null, cts.Token).AsTask());
        var pipe = new Pipe();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => template.RenderAsync(pipe.Writer, null, cts.Token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => template.RenderBlockAsync(pipe.Writer, "b", null, cts.Token).AsTask());
    }

    [Fact]
    public void A_token_that_is_not_cancelled_changes_nothing()
    {
        var template = new KidaEnvironment().FromString("{% for i in range(3) %}{{ i }}{% endfor %}{{ n }}");
        using var cts = new CancellationTokenSource();
        Assert.Equal("0125", template.Render(new Dictionary<string, object?> { ["n"] = 5 }, cts.Token));
        Assert.Equal("0126", template.Render(new { n = 6 }, cts.Token));
    }

    // ------------------------------------------------------------------ output

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Output_length_is_limited(bool interpret)
    {
        const string source = "{% for i in range(100) %}0123456789{% endfor %}";
        Fails(interpret, KidaLimits.Default with { MaxOutputLength = 999 }, "K-SEC-005", "Limits.MaxOutputLength (999 characters)", source);
        Assert.Equal(1000, Render(interpret, KidaLimits.Default with { MaxOutputLength = 1000 }, source).Length);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Output_limit_counts_numbers_and_escaped_text(bool interpret)
    {
        Fails(interpret, KidaLimits.Default with { MaxOutputLength = 50 }, "K-SEC-005", "Limits.MaxOutputLength",
            "{% for i in range(31) %}{{ i }}{% endfor %}");
        Fails(interpret, KidaLimits.Default with { MaxOutputLength = 50 }, "K-SEC-005", "Limits.MaxOutputLength",
            "{{ s }}", new { s = new string('<', 20) });
        Assert.Equal(80, Render(interpret, KidaLimits.Default with { MaxOutputLength = 80 }, "{{ s }}", new { s = new string('<', 20) }).Length);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public async Task Output_limit_holds_for_captures_blocks_and_async_renders(bool interpret)
    {
        var limits = KidaLimits.Default with { MaxOutputLength = 100 };
        var env = Env(interpret, limits);
        var capture = env.FromString("{% set x %}{% for i in range(51) %}ab{% endfor %}{% endset %}{{ x|length }}", "limits.html");
        Assert.Equal("K-SEC-005", Assert.Throws<TemplateRuntimeException>(() => capture.Render()).Code);
        var caller = env.FromString("{% macro m() %}{{ caller() }}{% endmacro %}{% call m() %}{% for i in range(200) %}a{% endfor %}{% endcall %}", "limits.html");
        Assert.Equal("K-SEC-005", Assert.Throws<TemplateRuntimeException>(() => caller.Render()).Code);
        var block = env.FromString("{% block b %}{% for i in range(101) %}a{% endfor %}{% endblock %}", "limits.html");
        Assert.Equal("K-SEC-005", Assert.Throws<TemplateRuntimeException>(() => block.RenderBlock("b")).Code);
        var ex = await Assert.ThrowsAsync<TemplateRuntimeException>(() => block.RenderAsync(new StringWriter()).AsTask());
        Assert.Equal("K-SEC-005", ex.Code);
        ex = await Assert.ThrowsAsync<TemplateRuntimeException>(() => block.RenderAsync(new Pipe().Writer).AsTask());
        Assert.Equal("K-SEC-005", ex.Code);
        var fits = env.FromString("{% block b %}{% for i in range(100) %}a{% endfor %}{% endblock %}", "limits.html");
        var writer = new StringWriter();
        await fits.RenderAsync(writer);
        Assert.Equal(100, writer.ToString().Length);
    }

    // ------------------------------------------------------------------ strings

    public static IEnumerable<object[]> StringCases()
    {
        // (template, the length of the string it creates)
        string[][] cases =
        [
            ["{{ 'ab' * 50 }}", "100"],
            ["{{ s + s }}", "100"],
            ["{{ s ~ s }}", "100"],
            ["{{ [s, s]|join }}", "100"],
            ["{{ [s, s]|join('') }}", "100"],
            ["{{ ''.join([s, s]) }}", "100"],
            ["{{ '{}{}'.format(s, s) }}", "100"],
            ["{{ '{:>100}'.format(1) }}", "100"],
            ["{{ '{:<100}'.format('x') }}", "100"],
            ["{{ '%s%s' % (s, s) }}", "100"],
            ["{{ '%100d' % 1 }}", "100"],
            ["{{ s|format }}{{ '{}'|format(s ~ s) }}", "100"],
            ["{{ 'x'|center(100) }}", "100"],
            ["{{ 'x'.center(100) }}", "100"],
            ["{{ 'x'.ljust(100) }}", "100"],
            ["{{ 'x'.rjust(100) }}", "100"],
            ["{{ '1'.zfill(100) }}", "100"],
            ["{{ 'a\nb'|indent(49, true) }}", "101"],
            ["{{ s|replace('a', 'aa') }}", "100"],
            ["{{ s.replace('a', 'aa') }}", "100"],
            ["{{ s|wordwrap(1, wrapstring='x') }}", "99"],
            ["{{ [s, s]|tojson }}", "108"],
        ];
        foreach (var c in cases)
            foreach (var mode in new[] { false, true })
                yield return [mode, c[0], int.Parse(c[1])];
    }

    [Theory]
    [MemberData(nameof(StringCases))]
    public void Strings_a_template_creates_are_limited(bool interpret, string source, int length)
    {
        var model = new { s = new string('a', 50) };
        Fails(interpret, KidaLimits.Default with { MaxStringLength = length - 1 }, "K-SEC-006", "Limits.MaxStringLength", source, model);
        var output = Render(interpret, KidaLimits.Default with { MaxStringLength = length }, source, model);
        Assert.True(output.Length >= length - 8, output);
    }

    public static IEnumerable<object[]> HostileStrings()
    {
        string[] cases =
        [
            "{{ 'x' * 10**9 }}",
            "{{ 'x' * 10**30 }}",
            "{{ 'abc'|center(10**9) }}",
            "{{ 'abc'|center(10**30) }}",
            "{{ 'abc'|indent(10**9) }}",
            "{{ 'abc'.ljust(10**9) }}",
            "{{ '{:>1000000000}'.format(1) }}",
            "{{ '{:>100000000000000000000}'.format(1) }}",
            "{{ '{:.1000000000f}'.format(1.5) }}",
            "{{ '%1000000000d' % 1 }}",
            "{{ 1.5|format_number(10**9) }}",
            "{{ (('x' * 1000000) ~ '')|replace('x', 'xxxxxxxxxxxxxxxxxxxx') }}",
            "{% let n = namespace(s='x') %}{% for i in range(100) %}{% set n.s = n.s ~ n.s %}{% endfor %}{{ n.s|length }}",
            "{% let n = namespace(s='x') %}{% for i in range(100) %}{% set n.s = n.s + n.s %}{% endfor %}{{ n.s|length }}",
            "{{ lipsum(10**9) }}",
            "{{ {'a': 1}|tojson(indent=10**9) }}",
        ];
        foreach (var c in cases)
            foreach (var mode in new[] { false, true })
                yield return [mode, c];
    }

    [Theory]
    [MemberData(nameof(HostileStrings))]
    public void Hostile_strings_fail_before_allocating(bool interpret, string source)
    {
        Fails(interpret, null, "K-SEC-006", "Limits.MaxStringLength", source);
    }

    // ------------------------------------------------------------------ collections

    public static IEnumerable<object[]> CollectionCases()
    {
        // (template, the number of items of the collection it creates)
        string[][] cases =
        [
            ["{{ ([0] * 100)|length }}", "100"],
            ["{{ ((0,) * 100)|length }}", "100"],
            ["{{ (l + l)|length }}", "100"],
            ["{{ (t + t)|length }}", "100"],
            ["{{ gen|list|length }}", "100"],
            ["{{ list(gen)|length }}", "100"],
            ["{{ gen|length }}", "100"],
            ["{{ gen|last }}", "100"],
            ["{{ 99 in gen }}", "100"],
            ["{{ gen|join(',')|length > 0 }}", "100"],
            ["{{ gen|sort|first }}", "100"],
            ["{{ [x for x in gen]|length }}", "100"],
            ["{{ [1]|batch(100, 0)|first|length }}", "100"],
            ["{{ l|slice(100)|length }}", "100"],
            ["{{ ('x' * 100)|list|length }}", "100"],
            ["{% let m = [] %}{% for i in range(100) %}{% do m.append(i) %}{% endfor %}{{ m|length }}", "100"],
            ["{% let m = [] %}{% do m.extend(l) %}{% do m.extend(l) %}{{ m|length }}", "100"],
        ];
        foreach (var c in cases)
            foreach (var mode in new[] { false, true })
                yield return [mode, c[0], int.Parse(c[1])];
    }

    [Theory]
    [MemberData(nameof(CollectionCases))]
    public void Collections_a_template_creates_are_limited(bool interpret, string source, int count)
    {
        object Model() => new
        {
            l = Enumerable.Range(0, 50).Select(i => (object?)i).ToList(),
            t = new List<object?>(Enumerable.Range(0, 50).Select(i => (object?)i)).AsReadOnly(),
            gen = Enumerable.Range(0, 100).Select(i => (long)i),
        };
        Fails(interpret, KidaLimits.Default with { MaxCollectionLength = count - 1 }, "K-SEC-007", "Limits.MaxCollectionLength", source, Model());
        Render(interpret, KidaLimits.Default with { MaxCollectionLength = count }, source, Model());
    }

    public static IEnumerable<object[]> HostileCollections()
    {
        string[] cases =
        [
            "{{ ([0] * 10**8)|length }}",
            "{{ ([0] * 10**30)|length }}",
            "{{ endless|list|length }}",
            "{{ endless|length }}",
            "{{ endless|last }}",
            "{{ -1 in endless }}",
            "{{ endless|join }}",
            "{{ endless|sort }}",
            "{{ endless|unique|list }}",
            "{{ [x for x in endless] }}",
            "{% for x in endless %}{{ loop.length }}{% endfor %}",
            "{{ [1, 2]|slice(10**9)|length }}",
            "{{ [1, 2]|batch(10**9, 0)|length }}",
            "{% let n = namespace(l=[0]) %}{% for i in range(100) %}{% set n.l = n.l + n.l %}{% endfor %}{{ n.l|length }}",
        ];
        foreach (var c in cases)
            foreach (var mode in new[] { false, true })
                yield return [mode, c];
    }

    [Theory]
    [MemberData(nameof(HostileCollections))]
    public void Hostile_collections_fail_fast(bool interpret, string source)
    {
        var limits = KidaLimits.Default with { MaxCollectionLength = 100_000 };
        Fails(interpret, limits, "K-SEC-007", "Limits.MaxCollectionLength", source, new { endless = Endless() });
    }

    // ------------------------------------------------------------------ integers

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Integer_digits_follow_pythons_rule(bool interpret)
    {
        var limits = KidaLimits.Default with { MaxIntegerDigits = 30 };
        var roomy = KidaLimits.Default with { MaxIntegerDigits = 31 };
        // int() of a string of more digits
        Fails(interpret, limits, "K-SEC-009", "Limits.MaxIntegerDigits", "{{ ('9' * 31)|int }}");
        Assert.Equal(new string('9', 31), Render(interpret, roomy, "{{ ('9' * 31)|int }}"));
        // arithmetic whose result has more digits
        Fails(interpret, limits, "K-SEC-009", "Limits.MaxIntegerDigits", "{{ 10 ** 30 }}");
        Assert.Equal("1" + new string('0', 30), Render(interpret, roomy, "{{ 10 ** 30 }}"));
        Fails(interpret, limits, "K-SEC-009", "Limits.MaxIntegerDigits", "{{ (10 ** 20) * (10 ** 10) }}");
        // printing an integer from the model with more digits
        var big = System.Numerics.BigInteger.Pow(10, 30);
        Fails(interpret, limits, "K-SEC-009", "Limits.MaxIntegerDigits", "{{ n }}", new { n = big });
        Assert.Equal(big.ToString(), Render(interpret, roomy, "{{ n }}", new { n = big }));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Hostile_integers_fail_fast(bool interpret)
    {
        Fails(interpret, null, "K-SEC-009", "Limits.MaxIntegerDigits", "{{ ('9' * 5000000)|int }}");
        Fails(interpret, null, "K-SEC-009", "Limits.MaxIntegerDigits", "{{ int('9' * 5000) }}");
        // 2 ** 10**10 used to compute 2 ** 100000 silently: now it refuses
        Fails(interpret, null, "K-SEC-009", "Limits.MaxIntegerDigits", "{{ 2 ** (10**10) }}");
        Fails(interpret, null, "K-SEC-009", "Limits.MaxIntegerDigits", "{{ 2 ** 100000 }}");
        Fails(interpret, null, "K-SEC-009", "Limits.MaxIntegerDigits", "{{ (2 ** 1000) ** 1000 }}");
        Fails(interpret, null, "K-SEC-009", "Limits.MaxIntegerDigits", "{% let n = namespace(x=3) %}{% for i in range(40) %}{% set n.x = n.x * n.x %}{% endfor %}");
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Trivial_powers_of_huge_exponents_are_exact(bool interpret)
    {
        Assert.Equal("1 1 -1 0 1", Render(interpret, null, "{{ 1 ** 10**30 }} {{ (-1) ** 10**30 }} {{ (-1) ** (10**30 + 1) }} {{ 0 ** 10**30 }} {{ 5 ** 0 }}"));
        Assert.Equal(System.Numerics.BigInteger.Pow(2, 1000).ToString(), Render(interpret, null, "{{ 2 ** 1000 }}"));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Rounding_to_a_huge_negative_precision_is_immediate(bool interpret)
    {
        Assert.Equal("0", Render(interpret, null, "{{ 15|round(-10**9) }}"));
        Assert.Equal("0", Render(interpret, null, "{{ 15|round(-(10**30)) }}"));
        Assert.Equal("0.0", Render(interpret, null, "{{ 15.5|round(-10**9) }}"));
        Assert.Equal("20 200 100", Render(interpret, null, "{{ 15|round(-1) }} {{ 150|round(-2) }} {{ 149|round(-2) }}"));
    }

    // ------------------------------------------------------------------ linear algorithms

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Wordwrap_of_a_megabyte_is_linear(bool interpret)
    {
        // one 1 MB word wrapped at width 1 (quadratic before: the rest of the word was copied for every line)
        var word = new string('x', 1 << 20);
        var output = Render(interpret, KidaLimits.Default with { RenderTimeout = null }, "{{ s|wordwrap(1) }}", new { s = word });
        Assert.Equal((1 << 21) - 1, output.Length);
        var hyphens = string.Concat(Enumerable.Repeat("ab-", 1 << 18));
        var wrapped = Render(interpret, KidaLimits.Default with { RenderTimeout = null }, "{{ s|wordwrap(5) }}", new { s = hyphens });
        Assert.StartsWith("ab-\nab-\n", wrapped);
        var surrogates = string.Concat(Enumerable.Repeat("\U0001F600", 1 << 17));
        var emoji = Render(interpret, KidaLimits.Default with { RenderTimeout = null }, "{{ s|wordwrap(3) }}", new { s = surrogates });
        Assert.Equal((1 << 17) * 2 + ((1 << 17) / 3), emoji.Length);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Wordwrap_keeps_textwrap_results(bool interpret)
    {
        Assert.Equal("Lorem\nipsum\ndolor\nsit\namet", Render(interpret, null, "{{ 'Lorem ipsum dolor sit amet'|wordwrap(5) }}"));
        Assert.Equal("abcd\nefgh\nij", Render(interpret, null, "{{ 'abcdefghij'|wordwrap(4) }}"));
        Assert.Equal("one-\ntwo-\nthree", Render(interpret, null, "{{ 'one-two-three'|wordwrap(5) }}"));
        Assert.Equal("a b|c d", Render(interpret, null, "{{ 'a b c d'|wordwrap(3, wrapstring='|') }}"));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Unique_replace_indent_center_and_join_handle_big_inputs(bool interpret)
    {
        var limits = KidaLimits.Default with { RenderTimeout = null };
        var numbers = Enumerable.Range(0, 200_000).Select(i => (object?)(long)(i % 1000)).ToList();
        Assert.Equal("1000", Render(interpret, limits, "{{ xs|unique|list|length }}", new { xs = numbers }));
        var text = string.Concat(Enumerable.Repeat("ab\n", 300_000));
        Assert.Equal((text.Length + 2 * 300_000).ToString(), Render(interpret, limits, "{{ s|replace('a', 'aaa')|length }}", new { s = text }));
        Assert.Equal((text.Length + 2 * 299_999).ToString(), Render(interpret, limits, "{{ s|indent(2)|length }}", new { s = text }));
        Assert.Equal("3000000", Render(interpret, limits, "{{ s|center(3000000)|length }}", new { s = text }));
        Assert.Equal(text.Length.ToString(), Render(interpret, limits, "{{ s.split('\\n')|join('|')|length }}", new { s = text }));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void A_loop_of_heavy_iterations_stops_at_the_render_timeout(bool interpret)
    {
        // every iteration walks a megabyte: the clock is read more often when iterations are slow
        var limits = KidaLimits.Default with { RenderTimeout = TimeSpan.FromMilliseconds(300) };
        Fails(interpret, limits, "K-SEC-010", "Limits.RenderTimeout",
            "{% for i in range(100000) %}{{ s|replace('a', 'b')|length }}{% endfor %}", new { s = new string('a', 1 << 20) });
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Split_with_maxsplit_and_truncate_keep_their_results(bool interpret)
    {
        Assert.Equal("a|b  c  ", Render(interpret, null, "{{ '  a  b  c  '.split(None, 1)|join('|') }}"));
        Assert.Equal("  a  b|c", Render(interpret, null, "{{ '  a  b  c  '.rsplit(None, 1)|join('|') }}"));
        Assert.Equal("a|b|c d", Render(interpret, null, "{{ 'a b c d'.split(None, 2)|join('|') }}"));
        Assert.Equal("a b|c|d", Render(interpret, null, "{{ 'a b c d'.rsplit(None, 2)|join('|') }}"));
        Assert.Equal("foo...", Render(interpret, null, "{{ 'foo bar baz qux'|truncate(9, leeway=0) }}"));
        Assert.Equal("foo ba...", Render(interpret, null, "{{ 'foo bar baz qux'|truncate(9, true, leeway=0) }}"));
        Assert.Equal("\U0001F600\U0001F600...", Render(interpret, null, "{{ s|truncate(5, true, leeway=0) }}", new { s = string.Concat(Enumerable.Repeat("\U0001F600", 10)) }));
        var words = string.Concat(Enumerable.Repeat("ab ", 200_000));
        Assert.Equal("199999", Render(interpret, KidaLimits.Default with { RenderTimeout = null }, "{{ s.split(None, 199998)|length }}", new { s = words }));
        Assert.Equal("199999", Render(interpret, KidaLimits.Default with { RenderTimeout = null }, "{{ s.rsplit(None, 199998)|length }}", new { s = words }));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Split_and_dict_growth_count_against_the_collection_limit(bool interpret)
    {
        var limits = KidaLimits.Default with { MaxCollectionLength = 10 };
        Fails(interpret, limits, "K-SEC-007", "Limits.MaxCollectionLength", "{{ ('a ' * 11).split()|length }}");
        Fails(interpret, limits, "K-SEC-007", "Limits.MaxCollectionLength", "{{ ('a,' * 10).split(',')|length }}");
        Assert.Equal("10", Render(interpret, limits, "{{ ('a ' * 10).split()|length }}"));
        const string grow = "{% let d = {} %}{% for i in range(11) %}{% do d.update({i: i}) %}{% endfor %}{{ d|length }}";
        Fails(interpret, limits, "K-SEC-007", "Limits.MaxCollectionLength", grow);
        Assert.Equal("11", Render(interpret, KidaLimits.Default with { MaxCollectionLength = 11 }, grow));
        Fails(interpret, limits, "K-SEC-007", "Limits.MaxCollectionLength",
            "{% let d = {} %}{% for i in range(11) %}{% do d.setdefault(i, i) %}{% endfor %}{{ d|length }}");
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Striptags_and_urlize_are_linear_on_hostile_text(bool interpret)
    {
        var limits = KidaLimits.Default with { RenderTimeout = null };
        // an unterminated comment repeated, and a long word: both retried to the end of the text from every position before
        var comments = string.Concat(Enumerable.Repeat("<!--", 1 << 17));
        Assert.Equal(comments.Length.ToString(), Render(interpret, limits, "{{ s|striptags|length }}", new { s = comments }));
        var word = new string('a', 1 << 19);
        Assert.Equal(word.Length.ToString(), Render(interpret, limits, "{{ s|urlize|length }}", new { s = word }));
        Assert.Equal("a b c d", Render(interpret, limits, "{{ s|striptags }}", new { s = "a <!-- x <b> --> b <i>c</i> <!-- open <p>d" }));
        Assert.Equal("x &lt;!-- y", Render(interpret, limits, "{{ s|striptags }}", new { s = "<b>x</b> <!-- y" }));
        Assert.Equal("<a href=\"https://example.com\" rel=\"noopener\">https://example.com</a> and <a href=\"mailto:me@example.org\">me@example.org</a>",
            Render(interpret, limits, "{{ s|urlize }}", new { s = "https://example.com and me@example.org" }));
    }

    /// <summary>A model mapping whose enumeration never ends.</summary>
    private sealed class EndlessMap : IReadOnlyDictionary<string, object?>
    {
        public object? this[string key] => key;
        public IEnumerable<string> Keys { get { for (var i = 0; ; i++) yield return "k" + i; } }
        public IEnumerable<object?> Values { get { for (var i = 0; ; i++) yield return i; } }
        public int Count => int.MaxValue;
        public bool ContainsKey(string key) => true;
        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() { for (var i = 0; ; i++) yield return new("k" + i, i); }
        public bool TryGetValue(string key, out object? value) { value = key; return true; }
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    public static IEnumerable<object[]> EndlessMapCases()
    {
        string[] cases =
        [
            "{{ d|dictsort|first }}",
            "{{ d|items|list|length }}",
            "{{ d|list|length }}",
            "{{ d|join(',') }}",
            "{% for k, v in d|items %}{% endfor %}",
            "{% for k in d %}{{ loop.length }}{% endfor %}",
            "{{ d|tojson }}",
        ];
        foreach (var c in cases)
            foreach (var mode in new[] { false, true })
                yield return [mode, c];
    }

    [Theory]
    [MemberData(nameof(EndlessMapCases))]
    public void An_endless_model_mapping_stops_at_the_collection_limit(bool interpret, string source)
    {
        var limits = KidaLimits.Default with { MaxCollectionLength = 10_000 };
        var ex = Assert.Throws<TemplateRuntimeException>(() => Render(interpret, limits, source, new { d = new EndlessMap() }));
        Assert.StartsWith("K-SEC-", ex.Code);
        Assert.Equal("v", Render(interpret, limits, "{{ d['v'] }}{{ 'x' in d and '' }}", new { d = new EndlessMap() }));
    }

    [Fact]
    public void A_hex_literal_past_the_digit_limit_is_a_syntax_error_where_it_stands()
    {
        // 4,000 hex digits pass the lexer's count of literal digits but make an integer of about 4,800 decimal digits
        var env = new KidaEnvironment();
        var ex = Assert.Throws<TemplateSyntaxException>(() => env.FromString("ab {{ 0x" + new string('f', 4_000) + " }}"));
        Assert.Equal("K-SEC-009", ex.Code);
        Assert.Equal(1, ex.Line);
        Assert.Equal(7, ex.Column);
        Assert.Equal("4096", env.FromString("{{ 0x1000 }}").Render());
    }
}
