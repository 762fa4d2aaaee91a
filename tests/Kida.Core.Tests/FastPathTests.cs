using System.Numerics;
using Kida.Runtime;
using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// Issue 15: the typed fast paths of operators and tests (<see cref="FastOps"/>) must answer exactly as Python's general
/// rules do. Every pair of a value matrix goes through both and must give the same value (type included) or the same
/// error; templates then check the emitted forms (conditions as bools, direct test calls, set-before-use locals) in
/// every compile mode.
/// </summary>
public class FastPathTests
{
    private static readonly object?[] Values =
    [
        0, 1, -1, 7, -7, 3, int.MaxValue, int.MinValue,
        0L, 2L, -3L, 1000L, long.MaxValue, long.MinValue, long.MaxValue - 1, 4611686018427387904L, -4611686018427387905L,
        0.0, -0.0, 1.5, -2.25, 1e300, double.NaN, double.PositiveInfinity, double.NegativeInfinity,
        true, false, new BigInteger(long.MaxValue) * 4, 2.5m, "a", "ab", "", null,
    ];

    public static IEnumerable<object[]> Pairs() =>
        from a in Enumerable.Range(0, Values.Length) from b in Enumerable.Range(0, Values.Length) select new object[] { a, b };

    private static object Outcome(Func<object?> f)
    {
        try { return f() is { } v ? (v.GetType(), v is double d ? d.ToString("R") : v.ToString()) : "None"; }
        catch (TemplateException ex) { return ex.GetType().Name + ":" + ex.Code; }
        catch (Exception ex) { return ex.GetType().Name; }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Operators_agree_with_the_general_rules(int i, int j)
    {
        var (a, b) = (Values[i], Values[j]);
        Assert.Equal(Outcome(() => Arithmetic.Add(a, b)), Outcome(() => FastOps.Add(a, b)));
        Assert.Equal(Outcome(() => Arithmetic.Sub(a, b)), Outcome(() => FastOps.Sub(a, b)));
        Assert.Equal(Outcome(() => Arithmetic.Mul(a, b)), Outcome(() => FastOps.Mul(a, b)));
        Assert.Equal(Outcome(() => Arithmetic.FloorDiv(a, b)), Outcome(() => FastOps.FloorDiv(a, b)));
        Assert.Equal(Outcome(() => Arithmetic.Mod(a, b)), Outcome(() => FastOps.Mod(a, b)));
        if (!(a is long or int && b is long l && l > 64)) // (huge exponents: the digit limit, checked below)
            Assert.Equal(Outcome(() => Arithmetic.Pow(a, b)), Outcome(() => FastOps.Pow(a, b)));
        Assert.Equal(Outcome(() => Arithmetic.Neg(a)), Outcome(() => FastOps.Neg(a)));
        Assert.Equal(Outcome(() => Comparison.Eq(a, b) && !(a is double x && double.IsNaN(x))), Outcome(() => FastOps.Eq(a, b)));
        Assert.Equal(Outcome(() => !Comparison.Eq(a, b) || (a is double y && double.IsNaN(y))), Outcome(() => FastOps.Ne(a, b)));
        foreach (var op in new[] { Syntax.CompareOp.Lt, Syntax.CompareOp.Le, Syntax.CompareOp.Gt, Syntax.CompareOp.Ge })
        {
            var nan = a is double da && double.IsNaN(da) || b is double db && double.IsNaN(db);
            object general = Outcome(() => Comparison.CompareOp(op, a, b));
            // Python: every ordering with a NaN is False (the general path orders NaN below every number)
            if (nan && general is not string) general = Outcome(() => false);
            object fast = Outcome(() => op switch
            {
                Syntax.CompareOp.Lt => FastOps.Lt(a, b),
                Syntax.CompareOp.Le => FastOps.Le(a, b),
                Syntax.CompareOp.Gt => FastOps.Gt(a, b),
                _ => FastOps.Ge(a, b),
            });
            if (nan && !(a is double && b is double)) continue; // a NaN against a non-double keeps the general path's answer
            Assert.Equal(general, fast);
        }
        Assert.Equal(Outcome(() => Values_DivisibleBy(a, b)), Outcome(() => FastOps.DivisibleBy(a, b)));
    }

    private static bool Values_DivisibleBy(object? a, object? b) => !Kida.Runtime.Values.Truthy(Arithmetic.Mod(a, b));

    [Fact]
    public void Integer_overflow_still_becomes_a_big_integer()
    {
        Assert.Equal(new BigInteger(long.MaxValue) + 1, FastOps.Add(long.MaxValue, 1));
        Assert.Equal(new BigInteger(long.MinValue) - 1, FastOps.Sub(long.MinValue, 1L));
        Assert.Equal(new BigInteger(long.MaxValue) * 2, FastOps.Mul(long.MaxValue, 2));
        Assert.Equal(-(new BigInteger(long.MinValue)), FastOps.FloorDiv(long.MinValue, -1L));
        Assert.Equal(0L, FastOps.Mod(long.MinValue, -1L));
        Assert.Equal(BigInteger.Pow(3, 63), FastOps.Pow(3, 63L));
        Assert.Equal(BigInteger.Pow(2, 63), FastOps.Pow(2L, 63));
        Assert.Equal(long.MinValue, FastOps.Pow(-2L, 63));
        Assert.Equal(-(new BigInteger(long.MinValue)), FastOps.Neg(long.MinValue));
        for (var e = 0; e < 64; e++)
            Assert.Equal(Outcome(() => Arithmetic.Pow(7L, (long)e)), Outcome(() => FastOps.Pow(7L, (long)e)));
    }

    public static IEnumerable<object[]> Containers() =>
    [
        [new List<int> { 1, 2, 3 }], [new List<long> { 1, 2, 3 }], [new[] { 1, 2, 3 }], [new List<object?> { 1L, "2", 3 }],
        [new object?[] { 1, 2.0, 3L }], [new HashSet<int> { 1, 2, 3 }],
    ];

    [Fact]
    public void Floats_print_as_python_reprs_them()
    {
        foreach (var (d, text) in new (double, string)[]
        {
            (1.5, "1.5"), (-2.25, "-2.25"), (0.1, "0.1"), (1e16, "1e+16"), (1.5e16, "1.5e+16"), (123456789012345.6, "123456789012345.6"),
            (1e-4, "0.0001"), (1.5e-5, "1.5e-05"), (1e-310, "1e-310"), (1.7976931348623157e308, "1.7976931348623157e+308"),
            (0.30000000000000004, "0.30000000000000004"), (-0.0, "-0.0"), (double.NaN, "nan"), (double.NegativeInfinity, "-inf"),
            (5e-324, "5e-324"), (9999999999999998.0, "9999999999999998.0"), (1e22, "1e+22"), (2.5e-4, "0.00025"),
        })
        {
            Assert.Equal(text, Numbers.FormatDouble(d));
            var output = new Output(4, long.MaxValue); // a small buffer: the formatted text goes through the slow path
            output.WriteDouble(d);
            output.WriteDouble(d);
            Assert.Equal(text + text, output.ToString());
        }
    }

    /// <summary>
    /// Short strings and spans (copied character by character) and longer ones (copied in bulk) written into a buffer
    /// that starts small and grows, at every offset of its end: the text is exactly the pieces in order, and a limit
    /// reached by a short piece fails as by a long one.
    /// </summary>
    [Fact]
    public void Short_and_long_writes_give_exactly_the_text()
    {
        var pieces = Enumerable.Range(0, 40).Select(n => new string((char)('a' + n % 26), n % 13)).ToList();
        foreach (var capacity in new[] { 1, 3, 8, 9, 16 })
        {
            var output = new Output(capacity, long.MaxValue);
            var expected = new System.Text.StringBuilder();
            for (var round = 0; round < 30; round++)
                foreach (var piece in pieces)
                {
                    if (round % 2 == 0) output.Write(piece); else output.Write(piece.AsSpan());
                    expected.Append(piece);
                }
            Assert.Equal(expected.ToString(), output.ToString());
        }
        var limited = new Output(4, 10);
        limited.Write("12345678");
        limited.Write("9");
        var ex = Assert.ThrowsAny<TemplateException>(() => limited.Write("ab"));
        Assert.Equal("123456789", limited.ToString());
        Assert.StartsWith("K-SEC", ex.Code);
    }

    [Theory]
    [MemberData(nameof(Containers))]
    public void In_agrees_with_the_general_rules(object container)
    {
        foreach (var item in new object?[] { 1, 1L, 2, 2L, 3.0, 4, 4L, true, false, "2", null, long.MaxValue, (long)int.MaxValue + 2 })
            Assert.Equal(Comparison.Contains(container, item), FastOps.In(item, container));
    }

    [Fact]
    public void In_on_strings_and_string_collections()
    {
        Assert.True(FastOps.In("b", "abc"));
        Assert.False(FastOps.In("B", "abc"));
        Assert.True(FastOps.In("x", new List<string> { "x" }));
        Assert.True(FastOps.In("x", new[] { "y", "x" }));
        Assert.False(FastOps.In(1L, new[] { "1" }));
        // a set with its own comparer answers by it, as the general path does
        var ignoreCase = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "ABC" };
        Assert.Equal(Comparison.Contains(ignoreCase, "abc"), FastOps.In("abc", ignoreCase));
        Assert.True(FastOps.In("b", new HashSet<string> { "b" }));
        var ex = Assert.Throws<TemplateRuntimeException>(() => FastOps.In(1L, "abc"));
        Assert.Equal(ErrorCodes.TypeError, ex.Code);
    }

    public sealed record Row(int Id, double Price, bool Active, List<int> Tags);

    private static Dictionary<string, object?> RowsModel() => new()
    {
        ["rows"] = Enumerable.Range(-3, 9).Select(i => new Row(i, i * 1.5, i % 2 == 0, [i, i * 2])).ToList(),
    };

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Conditions_decide_as_python_does(FidelityRound2Tests.Mode mode)
    {
        const string source =
            "{% for r in rows %}{% if r.id > 0 and not r.active or r.id is divisibleby 3 %}a{% elif 4 in r.tags %}b" +
            "{% elif r.price >= 3 %}c{% elif r.id is even %}d{% elif r.id is odd and r.id is lt(0) %}e{% else %}f{% endif %}" +
            "{{ 'T' if r.id is ne(1) else 'F' }}{{ r.id < 2 < 5 }}{% endfor %}";
        var expected = string.Concat(Enumerable.Range(-3, 9).Select(i =>
        {
            var active = i % 2 == 0;
            var price = i * 1.5;
            var branch = (i > 0 && !active) || i % 3 == 0 ? "a"
                : i == 4 || i * 2 == 4 ? "b"
                : price >= 3 ? "c"
                : i % 2 == 0 ? "d"
                : i % 2 != 0 && i < 0 ? "e" : "f";
            return branch + (i != 1 ? "T" : "F") + (i < 2 ? "True" : "False");
        }));
        Assert.Equal(expected, Render(mode, source, RowsModel()));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Arithmetic_on_model_ints_and_doubles(FidelityRound2Tests.Mode mode)
    {
        const string source = "{% for r in rows %}{{ r.id * 2 }},{{ r.id // 2 }},{{ r.id % 4 }},{{ r.price + 1 }},{{ r.id - r.price }};{% endfor %}";
        var expected = string.Concat(Enumerable.Range(-3, 9).Select(i =>
        {
            var fl = Math.Floor(i / 2.0);
            var mod = ((i % 4) + 4) % 4;
            return $"{i * 2},{fl},{mod},{Py(i * 1.5 + 1)},{Py(i - i * 1.5)};";
        }));
        Assert.Equal(expected, Render(mode, source, RowsModel()));
    }

    private static string Py(double d) =>
        d == Math.Floor(d) ? d.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) : d.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_loop_local_set_before_use_still_reads_correctly(FidelityRound2Tests.Mode mode)
    {
        // the set comes first: the body's local never shows the outer value
        Assert.Equal("0:1,2:3,", Render(mode, "{% set y = 'out' %}{% for i in [0, 2] %}{% set y = i + 1 %}{{ i }}:{{ y }},{% endfor %}{{ '' }}"));
        // read before the set: the first read sees the enclosing value, every iteration
        Assert.Equal("out1out2", Render(mode, "{% set y = 'out' %}{% for i in [0, 1] %}{{ y }}{% set y = i + 1 %}{{ y }}{% endfor %}"));
        // the set's own value reads the name: it sees the enclosing value
        Assert.Equal("out!out!", Render(mode, "{% set y = 'out' %}{% for i in [0, 1] %}{% set y = y ~ '!' %}{{ y }}{% endfor %}"));
        // a set inside an if is scoped to the if's body (Kida): the read after it sees the loop body's value, the outer one
        Assert.Equal("outout", Render(mode, "{% set y = 'out' %}{% for i in [0, 1] %}{% if i %}{% set y = 'set' %}{% endif %}{{ y }}{% endfor %}"));
        // an include before the set sees the enclosing value
        Assert.Equal("[out]1[out]2", Render(mode, new Dictionary<string, string>
        {
            ["main.html"] = "{% set y = 'out' %}{% for i in [0, 1] %}{% include 'p.html' %}{% set y = i + 1 %}{{ y }}{% endfor %}",
            ["p.html"] = "[{{ y }}]",
        }));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Strict_undefined_still_fails_inside_fast_conditions(FidelityRound2Tests.Mode mode)
    {
        // (a comparison reports where it starts, a test where its name is: as before the fast paths)
        Fails<UndefinedException>(mode, "{% if missing > 1 %}x{% endif %}", ErrorCodes.UndefinedVariable, 1, 7);
        Fails<UndefinedException>(mode, "{% if missing is divisibleby 3 %}x{% endif %}", ErrorCodes.UndefinedVariable, 1, 15);
        Fails<UndefinedException>(mode, "{% if 1 in missing %}x{% endif %}", ErrorCodes.UndefinedVariable, 1, 7);
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_printed_tilde_chain_prints_what_the_joined_value_prints(FidelityRound2Tests.Mode mode)
    {
        var values = new Dictionary<string, object?>
        {
            ["s"] = "<b>&'\"", ["m"] = new Markup("<i>ok</i>"), ["n"] = 42L, ["f"] = 2.5, ["none"] = null, ["t"] = true,
            ["big"] = BigInteger.Pow(10, 30), ["list"] = new List<object?> { 1L, "<x>" },
        };
        var names = values.Keys.ToList();
        foreach (var autoescape in new[] { true, false })
            foreach (var a in names)
                foreach (var b in names)
                {
                    var direct = Render(mode, $"{{{{ {a} ~ ' & ' ~ {b} ~ {a} }}}}|{{{{ '<' ~ {b} }}}}", values, autoescape);
                    var joined = Render(mode, $"{{% set j = {a} ~ ' & ' ~ {b} ~ {a} %}}{{% set k = '<' ~ {b} %}}{{{{ j }}}}|{{{{ k }}}}", values, autoescape);
                    Assert.Equal(joined, direct);
                }
        // a long chain is written without recursion
        var chain = string.Join(" ~ ", Enumerable.Repeat("n", 200));
        Assert.Equal(string.Concat(Enumerable.Repeat("42", 200)), Render(mode, "{{ " + chain + " }}", values));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void An_undefined_operand_of_a_printed_tilde_chain_fails_as_before(FidelityRound2Tests.Mode mode)
    {
        Fails<UndefinedException>(mode, "x{{ 'a' ~ missing }}", ErrorCodes.UndefinedVariable, 1, 2);
        // inside try, nothing of the failed chain is kept
        Assert.Equal("[fallback]", Render(mode, "{% try %}{{ 'partial' ~ missing }}{% fallback %}[fallback]{% end %}"));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Methods_and_unpacking_on_their_fast_paths(FidelityRound2Tests.Mode mode)
    {
        var model = new Dictionary<string, object?>
        {
            ["mixed"] = new List<object?> { 1L, 1.0, true, "1", 2, null },
            ["ints"] = new List<int> { 3, 1, 3 },
            ["meta"] = new Dictionary<string, object?> { ["b"] = 2L, ["a"] = "x" },
            ["price"] = 2.50m,
        };
        // Python: 1 == 1.0 == True, '1' is not 1
        Assert.Equal("3|2|0|1", Render(mode, "{{ mixed.count(1) }}|{{ ints.count(3) }}|{{ ints.count('3') }}|{{ mixed.count(none) }}", model));
        Assert.Equal("b=2;a=x;", Render(mode, "{% for k, v in meta.items() %}{{ k }}={{ v }};{% endfor %}", model));
        Assert.Equal("1-2|3-4", Render(mode, "{% set a, b = (1, 2) %}{{ a }}-{{ b }}|{% set c, d = [3, 4] %}{{ c }}-{{ d }}", model));
        Fails<TemplateRuntimeException>(mode, "{% set a, b = (1, 2, 3) %}", ErrorCodes.Runtime, 1, 8);
        Assert.Equal("5.00|0.50|7.50|3.50", Render(mode, "{{ price * 2 }}|{{ price - 2 }}|{{ price * 3 }}|{{ price + 1 }}", model));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_fused_select_count_counts_what_the_list_would_hold(FidelityRound2Tests.Mode mode)
    {
        var model = new Dictionary<string, object?>
        {
            ["rows"] = RowsModel()["rows"],
            ["nums"] = new List<int> { 1, 2, 3, 4, 5, 6 },
            ["dicts"] = new List<object?> { new Dictionary<string, object?> { ["on"] = true }, new Dictionary<string, object?> { ["on"] = false } },
            ["nothing"] = null,
        };
        foreach (var chain in new[]
        {
            "rows|selectattr('active')", "rows|rejectattr('active')", "rows|selectattr('id', 'gt', 1)", "rows|rejectattr('price', 'lt', 0)",
            "nums|select('odd')", "nums|reject('even')", "nums|select('divisibleby', 3)", "nums|select", "dicts|selectattr('on')",
            "nothing|select('odd')",
        })
        {
            var fused = Render(mode, $"{{{{ {chain}|list|length }}}},{{{{ {chain}|length }}}},{{{{ {chain}|list|count }}}}", model);
            var apart = Render(mode, $"{{% set l = {chain}|list %}}{{{{ l|length }}}},{{{{ l|length }}}},{{{{ l|count }}}}", model);
            Assert.Equal(apart, fused);
        }
        // a filter replaced by the application is not fused away
        var env = new KidaEnvironment(new KidaOptions { PreferInterpretation = mode == FidelityRound2Tests.Mode.Interpreted });
        env.AddFilter("list", (Func<object?, object?>)(_ => new List<object?> { 1, 2, 3, 4, 5, 6, 7 }));
        Assert.Equal("7", env.FromString("{{ nums|select('odd')|list|length }}").Render(model));
        // a strict undefined source still fails
        // (reported where the unfused chain reports it: at the select filter)
        Fails<UndefinedException>(mode, "{{ missing|selectattr('a')|list|first }}", ErrorCodes.UndefinedVariable, 1, 12);
        Fails<UndefinedException>(mode, "{{ missing|selectattr('a')|list|length }}", ErrorCodes.UndefinedVariable, 1, 12);
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Hostile_a_fused_count_over_an_endless_enumerable_stops_at_a_limit(FidelityRound2Tests.Mode mode)
    {
        var env = new KidaEnvironment(new KidaOptions
        {
            PreferInterpretation = mode == FidelityRound2Tests.Mode.Interpreted,
            TieredCompilation = mode == FidelityRound2Tests.Mode.Tiered,
            Limits = KidaLimits.Default with { MaxCollectionLength = 10_000 },
        });
        foreach (var source in new[] { "{{ endless|select('odd')|list|length }}", "{{ endless|reject('odd')|length }}" })
        {
            var ex = Assert.ThrowsAny<TemplateException>(() => env.FromString(source).Render(new { endless = LimitsTests.Endless() }));
            Assert.StartsWith("K-SEC-", ex.Code);
        }
    }
}
