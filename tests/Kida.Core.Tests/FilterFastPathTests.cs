using Xunit;
using Kida.Runtime;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// Issue 15: the filters' fast paths (typed lists read by index, member getters resolved once per item type, format
/// strings parsed once, one-pass text filters, rounding without decimal parsing) give exactly what the general paths
/// give. Where the answer is Python's, it is written out; elsewhere the fast input (a .NET list, a plain format string)
/// is compared with the same filter on an input that takes the general path (a tuple, <c>str.format</c>).
/// </summary>
public class FilterFastPathTests
{
    public sealed class Item
    {
        public string Name { get; set; } = "";
        public bool Active { get; set; }
        public decimal Price { get; set; }
        public int Qty { get; set; }
        public string Kind { get; set; } = "";
    }

    public class Base { public bool Flag { get; set; } }
    public sealed class Left : Base { }
    public sealed class Right : Base { public string Side => "right"; }
    public sealed class Throwing { public bool Boom => throw new InvalidOperationException("no"); }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Selectattr_reads_bool_members_of_mixed_types_and_reports_failing_getters(Mode mode)
    {
        var ctx = new Dictionary<string, object?>
        {
            ["mixed"] = new List<Base> { new Left { Flag = true }, new Right { Flag = true }, new Left(), new Right(), new Right { Flag = true } },
            ["bad"] = new List<Throwing> { new() },
        };
        Assert.Equal("3|2|right,right", Render(mode,
            "{{ mixed|selectattr('flag')|list|length }}|{{ mixed|rejectattr('flag')|list|length }}|{{ mixed|selectattr('flag')|selectattr('side', 'defined')|map(attribute='side')|join(',') }}", ctx));
        var ex = Assert.ThrowsAny<TemplateException>(() => Render(mode, "{{ bad|selectattr('boom')|list|length }}", ctx));
        Assert.Contains("Reading 'Throwing.boom' failed: no", ex.Message);
    }

    private static Dictionary<string, object?> Ctx() => new()
    {
        ["ints"] = new List<int> { 3, 1, 2, 3 },
        ["arr"] = new[] { 5, -7, 2 },
        ["longs"] = new List<long> { long.MaxValue, 1 },
        ["doubles"] = new List<double> { 2.5, -0.0, 0.0, 1.5 },
        ["tenths"] = new List<double> { 0.1, 0.2 },
        ["nodoubles"] = new List<double>(),
        ["strs"] = new List<string> { "b", "A", "a", "C" },
        ["many"] = new List<string> { "x1", "X1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x2", "X10", "x10", "x11" },
        ["items"] = new List<Item>
        {
            new() { Name = "pen", Active = true, Price = 1.25m, Qty = 2, Kind = "b" },
            new() { Name = "ink", Active = false, Price = 3.10m, Qty = 5, Kind = "A" },
            new() { Name = "pad", Active = true, Price = 0.65m, Qty = 1, Kind = "a" },
        },
        ["map"] = new Dictionary<string, object?> { ["b"] = 1, ["A"] = 2, ["a"] = 3 },
        ["price"] = 1.005m,
        ["d1"] = 12.5m,
        ["d2"] = -3.25m,
        ["d3"] = 0m,
        ["d4"] = -0.00m,
        ["d5"] = 123456789012.34m,
        ["d6"] = 0.125m,
    };

    private static string R(Mode mode, string source) => Render(mode, source, Ctx());

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Sort_of_typed_lists_keeps_the_order_and_stability_of_the_general_sort(Mode mode)
    {
        Assert.Equal("1,2,3,3|3,3,2,1|-7,2,5", R(mode, "{{ ints|sort|join(',') }}|{{ ints|sort(true)|join(',') }}|{{ arr|sort|join(',') }}"));
        Assert.Equal("A,a,b,C|C,b,A,a|A,C,a,b", R(mode, "{{ strs|sort|join(',') }}|{{ strs|sort(reverse=true)|join(',') }}|{{ strs|sort(case_sensitive=true)|join(',') }}"));
        // -0.0 and 0.0 are equal keys: they keep their order
        Assert.Equal("-0.0,0.0,1.5,2.5|2.5,1.5,-0.0,0.0", R(mode, "{{ doubles|sort|join(',') }}|{{ doubles|sort(reverse=true)|join(',') }}"));
        Assert.Equal(R(mode, "{{ ('b', 'A', 'a', 'C')|sort|join(',') }}"), R(mode, "{{ strs|sort|join(',') }}"));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Sum_of_typed_lists_and_members_matches_python(Mode mode)
    {
        Assert.Equal("9|19|0|9223372036854775808|0.30000000000000004|0|5.00",
            R(mode, "{{ ints|sum }}|{{ ints|sum(start=10) }}|{{ arr|sum }}|{{ longs|sum }}|{{ tenths|sum }}|{{ nodoubles|sum }}|{{ items|sum(attribute='price') }}"));
        Assert.Equal("8|8", R(mode, "{{ items|sum(attribute='qty') }}|{{ items|map(attribute='qty')|sum }}"));
        Assert.Equal(R(mode, "{{ (9223372036854775807, 1)|sum }}"), R(mode, "{{ longs|sum }}"));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Select_reject_map_and_groupby_read_members_once_per_type(Mode mode)
    {
        Assert.Equal("2|1|pen,pad|ink", R(mode,
            "{{ items|selectattr('active')|list|length }}|{{ items|rejectattr('active')|list|length }}|{{ items|selectattr('active')|map(attribute='name')|join(',') }}|{{ items|rejectattr('active')|map(attribute='name')|join(',') }}"));
        Assert.Equal("3,1,3|2", R(mode, "{{ ints|select('odd')|join(',') }}|{{ ints|reject('odd')|join(',') }}"));
        Assert.Equal("pen,-,pad", R(mode, "{{ items|map(attribute='name')|map('replace', 'ink', '-')|join(',') }}"));
        // a missing member is still an undefined value that fails where it is used (this suite renders strictly)
        Assert.ThrowsAny<TemplateException>(() => R(mode, "{{ items|map(attribute='nope')|join(',') }}"));
        // case-insensitive groups, sorted, the grouper is the first item's key
        Assert.Equal("A:ink,pad;b:pen;", R(mode, "{% for g in items|groupby('kind') %}{{ g.grouper }}:{{ g.list|map(attribute='name')|join(',') }};{% endfor %}"));
        Assert.Equal("A:ink;a:pad;b:pen;", R(mode, "{% for g in items|groupby('kind', case_sensitive=true) %}{{ g.grouper }}:{{ g.list|map(attribute='name')|join(',') }};{% endfor %}"));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void First_last_unique_batch_and_length_of_typed_lists(Mode mode)
    {
        Assert.Equal("3|3|5|2", R(mode, "{{ ints|first }}|{{ ints|last }}|{{ arr|first }}|{{ arr|last }}"));
        Assert.Contains("No first item", Assert.ThrowsAny<TemplateException>(() => R(mode, "{{ nodoubles|first }}")).Message);
        Assert.Contains("No last item", Assert.ThrowsAny<TemplateException>(() => R(mode, "{{ nodoubles|last }}")).Message);
        Assert.Equal("3,1,2|b,A,C", R(mode, "{{ ints|unique|join(',') }}|{{ strs|unique|join(',') }}"));
        // more than eight keys: the set takes over from the one-by-one comparison
        Assert.Equal("x1,x2,x3,x4,x5,x6,x7,x8,x9,X10,x11|x1,X1,x2,x3,x4,x5,x6,x7,x8,x9,X10,x10,x11",
            R(mode, "{{ many|unique|join(',') }}|{{ many|unique(case_sensitive=true)|join(',') }}"));
        Assert.Equal("3+1;2+3;|5+-7;2+0;", R(mode, "{% for b in ints|batch(2) %}{{ b|join('+') }};{% endfor %}|{% for b in arr|batch(2, 0) %}{{ b|join('+') }};{% endfor %}"));
        Assert.Equal("4|3|14", R(mode, "{{ ints|length }}|{{ arr|count }}|{{ many|length }}"));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Dictsort_sorts_string_keys_stably_and_reverses_the_whole_list(Mode mode)
    {
        Assert.Equal("A=2;a=3;b=1;|b=1;a=3;A=2;|A=2;a=3;b=1;", R(mode,
            "{% for k, v in map|dictsort %}{{ k }}={{ v }};{% endfor %}|{% for k, v in map|dictsort(reverse=true) %}{{ k }}={{ v }};{% endfor %}|{% for k, v in map|dictsort(true) %}{{ k }}={{ v }};{% endfor %}"));
        Assert.Equal("b=1;A=2;a=3;", R(mode, "{% for k, v in map|dictsort(by='value') %}{{ k }}={{ v }};{% endfor %}"));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Format_with_a_parsed_plan_gives_what_str_format_gives(Mode mode)
    {
        foreach (var value in new[] { "2.675", "-0.0", "-1.5", "3", "-3", "true", "price", "'abc'", "none", "[1, 2]", "1e300", "0.000001", "d1", "d2", "d3", "d4", "d5", "d6" })
        {
            foreach (var fmt in new[] { "{}", "{:.2f}", "{0:.0f}", "{} items", "{:>8}", "{:,}", "<{:.3F}>" })
            {
                string Expected() => R(mode, $"{{{{ '{fmt}'.format({value}) }}}}");
                string Actual() => R(mode, $"{{{{ '{fmt}'|format({value}) }}}}");
                string? expected = null, actual = null;
                Exception? expectedError = null, actualError = null;
                try { expected = Expected(); } catch (TemplateException ex) { expectedError = ex; }
                try { actual = Actual(); } catch (TemplateException ex) { actualError = ex; }
                Assert.True(expected == actual, $"{fmt} of {value}: expected '{expected}', got '{actual}'");
                Assert.Equal(expectedError?.GetType(), actualError?.GetType());
            }
        }
        Assert.Equal("1.00 2.5 x", R(mode, "{{ '{0:.2f} {2} {1}'|format(1, 'x', 2.5) }}"));
        var missing = Assert.ThrowsAny<TemplateException>(() => R(mode, "{{ '{} {}'|format(1) }}"));
        Assert.Contains("Replacement index 1 out of range", missing.Message);
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Date_in_the_default_format_matches_the_general_formatter(Mode mode)
    {
        var ctx = new Dictionary<string, object?>
        {
            ["a"] = new DateTime(2026, 1, 5, 23, 59, 59),
            ["b"] = new DateTime(999, 12, 31),
            ["c"] = new DateTimeOffset(2024, 2, 29, 1, 2, 3, TimeSpan.FromHours(-5)),
            ["d"] = new DateOnly(9999, 10, 1),
        };
        Assert.Equal("2026-01-05|2026-01-05|2024-02-29|9999-10-01", Render(mode, "{{ a|date }}|{{ a|date('%Y-%m-%d') }}|{{ c|date('%Y-%m-%d') }}|{{ d|date }}", ctx));
        foreach (var name in new[] { "a", "b", "c", "d" })
            Assert.Equal(Render(mode, $"{{{{ {name}|date('%Y-%m-%d ') }}}}", ctx).TrimEnd(), Render(mode, $"{{{{ {name}|date('%Y-%m-%d') }}}}", ctx));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Floats_print_as_python_repr(Mode mode)
    {
        Assert.Equal("0.0001|1e-05|1000000000000000.0|1e+16|123456789012345.6|-2.5|0.3333333333333333|2.0|-0.0|0.1",
            R(mode, "{{ 0.0001 }}|{{ 0.00001 }}|{{ 1e15 }}|{{ 1e16 }}|{{ 123456789012345.6 }}|{{ -2.5 }}|{{ 1 / 3 }}|{{ 4 / 2 }}|{{ -0.0 }}|{{ 0.1 }}"));
        Assert.Equal("0.0001|1e-05|1000000000000000.0|1e+16|-2.5|0.3333333333333333", R(mode,
            "{{ [0.0001]|join }}|{{ [0.00001]|join }}|{{ [1e15]|join }}|{{ [1e16]|join }}|{{ [-2.5]|join }}|{{ [1 / 3]|join }}"));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Round_and_int_of_floats_match_python(Mode mode)
    {
        Assert.Equal("2.67|0.0|2.0|2.0|123.5|10000000000.0|0.2|-2.0|1.0|-123.46|0.1",
            R(mode, "{{ 2.675|round(2) }}|{{ 0.5|round }}|{{ 1.5|round }}|{{ 2.5|round }}|{{ 123.456|round(1) }}|{{ 1e10|round(1) }}|{{ 0.25|round(1) }}|{{ -1.5|round }}|{{ 0.96|round(1) }}|{{ -123.456|round(2) }}|{{ 0.1|round(3) }}"));
        Assert.Equal("-3|3|10000000000000000000|0", R(mode, "{{ -3.9|int }}|{{ 3.99|int }}|{{ 1e19|int }}|{{ -0.0|int }}"));
        Assert.Equal("7|2147483648|2.5|0", R(mode, "{{ -7|abs }}|{{ -2147483648|abs }}|{{ -2.5|abs }}|{{ 0|abs }}"));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Text_filters_in_one_pass_match_the_regex_versions(Mode mode)
    {
        Assert.Equal("Hello-World (Draft) [X] &lt;Y&gt; A\tB|Hello World|Ünïcode Straße",
            R(mode, "{{ 'hello-world (draft) [x] <y> a\tb'|title }}|{{ 'hELLO   wORLD'|title|replace('   ', ' ') }}|{{ 'ünïcode straße'|title }}"));
        Assert.Equal("4|0|2", R(mode, "{{ 'a_b c-d 12'|wordcount }}|{{ ''|wordcount }}|{{ 'ünï straße'|wordcount }}"));
        Assert.Equal("a b &amp; c|x|", R(mode, "{{ '  <b>a</b>\t\n b &amp; c  '|striptags }}|{{ 'x'|striptags }}|{{ ' \n '|striptags }}"));
        Assert.Equal("a%20b/c%3Fd%3D%26|a%20b/c%3Fd%3D%C3%A9|plain", R(mode, "{{ 'a b/c?d=&'|urlencode }}|{{ 'a b/c?d=é'|urlencode }}|{{ 'plain'|urlencode }}"));
        Assert.Equal("[1, \"a\\u003cb\", true, null]|\"x\\\"y\"|[]", R(mode, "{{ [1, 'a<b', true, none]|tojson }}|{{ 'x\"y'|tojson }}|{{ nodoubles|tojson }}"));
        Assert.Equal(R(mode, "{{ (3, 1, 2, 3)|tojson }}"), R(mode, "{{ ints|tojson }}"));
    }

    public sealed class Noted
    {
        public string? Note { get; set; }
        public int Count { get; set; }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Default_with_a_literal_fallback_answers_as_the_filter(Mode mode)
    {
        var ctx = new Dictionary<string, object?>
        {
            ["rows"] = new List<Noted> { new() { Note = "n1", Count = 0 }, new() { Note = null, Count = 2 }, new() { Note = "", Count = 3 } },
            ["nothing"] = null,
            ["zero"] = 0,
            ["html"] = new Markup("<b>"),
        };
        // undefined and None take the fallback; every other value (falsy ones too) is itself
        Assert.Equal("n/a|n/a|0|False||&lt;b&gt;|<b>|3|2.5|True|-|0x",
            Render(mode, "{{ missing|default('n/a') }}|{{ nothing|d('n/a') }}|{{ zero|default(1) }}|{{ false|default(true) }}|{{ ''|default('x') }}|"
                + "{{ missing|default('<b>') }}|{{ html|default('x') }}|{{ missing|default(3) }}|{{ missing|default(2.5) }}|{{ missing|default(true) }}|"
                + "{{ missing|default }}-|{{ missing|default|length }}x", ctx));
        // a model member, printed and in a loop (the typed read at tier-up); a null string member reads as ''
        Assert.Equal("n1:0;:2;:3;", Render(mode, "{% for r in rows %}{{ r.note|default('n/a') }}:{{ r.count|default(9) }};{% endfor %}", ctx));
        Assert.Equal("n/a,n/a,n/a", Render(mode, "{% for r in rows %}{{ r.missing|default('n/a') }}{{ ',' if not loop.last }}{% endfor %}", ctx));
        // the boolean form replaces falsy values too, and a fallback with effects is evaluated as the filter's argument
        Assert.Equal("a|a|a|v", Render(mode, "{{ ''|default('a', true) }}|{{ zero|default('a', boolean=true) }}|{{ missing|default('a', true) }}|{{ 'v'|default('a', true) }}", ctx));
        Assert.Equal("v1", Render(mode,
            "{% set ns = namespace(n=0) %}{% macro bump() %}{% set ns.n = ns.n + 1 %}x{% endmacro %}{{ 'v'|default(bump()) }}{{ ns.n }}", ctx));
        Assert.Equal("ok", Render(mode, "{{ missing|default(none) is none and 'ok' }}", ctx));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void An_environment_filter_named_default_replaces_the_built_in_one(bool interpret)
    {
        var env = new KidaEnvironment(new KidaOptions { PreferInterpretation = interpret, StrictUndefined = false });
        env.AddFilter("default", (Func<object?, object?, object?>)((v, fallback) => $"[{v}|{fallback}]"));
        Assert.Equal("[x|y]", env.FromString("{{ 'x'|default('y') }}").Render());
        Assert.Equal("[|y]", env.FromString("{{ missing|default('y') }}").Render());
        // d is a built-in filter of its own: not replaced
        Assert.Equal("y", env.FromString("{{ missing|d('y') }}").Render());
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("@[`{")]
    [InlineData("Zeta")]
    [InlineData("aZ")]
    [InlineData("A")]
    [InlineData("mixed_Case-9")]
    [InlineData("\u007f")]
    [InlineData("\u00c9mile")]
    [InlineData("\u00e9mile")]
    [InlineData("\u0130stanbul")]
    [InlineData("\ud83d\ude00X")]
    public void Case_folded_sort_keys_are_the_lowered_text(string text)
    {
        Assert.Equal(text.ToLowerInvariant(), Comparison.CaseFolded(text));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Case_insensitive_orders_place_capitals_among_their_lower_case_letters(Mode mode)
    {
        // '[', '_' and '`' sit between 'Z' and 'a': lowered keys put 'Zeta' after them, case-sensitive ones before
        var ctx = new Dictionary<string, object?>
        {
            ["m"] = new Dictionary<string, object?> { ["_x"] = 1, ["Zeta"] = 2, ["alpha"] = 3, ["[y"] = 4, ["\u00c9mile"] = 5, ["Beta"] = 6 },
            ["words"] = new List<string> { "_x", "Zeta", "alpha", "[y", "\u00c9mile", "Beta" },
        };
        Assert.Equal("[y,_x,alpha,Beta,Zeta,\u00c9mile|Beta,Zeta,[y,_x,alpha,\u00c9mile",
            Render(mode, "{% for k, v in m|dictsort %}{{ k }}{{ ',' if not loop.last }}{% endfor %}|{% for k, v in m|dictsort(true) %}{{ k }}{{ ',' if not loop.last }}{% endfor %}", ctx));
        Assert.Equal("[y,_x,alpha,Beta,Zeta,\u00c9mile", Render(mode, "{{ words|sort|join(',') }}", ctx));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Min_and_max_of_typed_lists_answer_as_the_general_comparison(Mode mode)
    {
        var ctx = Ctx();
        ctx["ties"] = new List<string> { "b", "B", "a", "A" };
        ctx["holey"] = new List<string> { "b", null! };
        ctx["nolongs"] = new List<long>();
        // ints, an int array, longs; strings lowered (the first of equal keys kept) or case-sensitive
        Assert.Equal("1|3|-7|5|1|9223372036854775807", R2(mode, ctx, "{{ ints|min }}|{{ ints|max }}|{{ arr|min }}|{{ arr|max }}|{{ longs|min }}|{{ longs|max }}"));
        Assert.Equal("a|b|A|b|A|C", R2(mode, ctx,
            "{{ ties|min }}|{{ ties|max }}|{{ ties|min(case_sensitive=true) }}|{{ ties|max(true) }}|{{ strs|min }}|{{ strs|max }}"));
        // template lists and attributes take the general path, with the same answers
        Assert.Equal("1.5|3|pad|ink", R2(mode, ctx, "{{ [3, 1.5, 2]|min }}|{{ [3, 1.5, 2]|max }}|{{ (items|min(attribute='price')).name }}|{{ (items|max(attribute='qty')).name }}"));
        Assert.Equal("", R2(mode, ctx, "{{ nolongs|min is undefined and '' }}"));
        Assert.Contains("not supported", Assert.ThrowsAny<TemplateException>(() => R2(mode, ctx, "{{ holey|min }}")).Message);
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Reverse_and_its_join_match_the_filters(Mode mode)
    {
        var ctx = Ctx();
        ctx["big"] = new List<int> { int.MinValue, 0, int.MaxValue };
        Assert.Equal("3,2,1,3|2147483647&amp;0&amp;-2147483648|2,-7,5|C,a,A,b|c-b-a|3,2,1|2,1", R2(mode, ctx,
            "{{ ints|reverse|join(',') }}|{{ big|reverse|join('&') }}|{{ arr|reverse|join(',') }}|{{ strs|reverse|join(',') }}|"
            + "{{ 'abc'|reverse|join('-') }}|{{ range(1, 4)|reverse|join(',') }}|{{ (1, 2)|reverse|join(',') }}"));
        Assert.Equal("[3, 2, 1, 3]|cba|3", R2(mode, ctx, "{{ ints|reverse|list }}|{{ 'abc'|reverse }}|{{ (ints|reverse)[0] }}"));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void The_string_filter_printed_is_the_string_it_makes(Mode mode)
    {
        var ctx = Ctx();
        ctx["nothing"] = null;
        ctx["html"] = new Markup("<b>");
        Assert.Equal("3|True|None|&lt;i&gt;|<b>|[3, 1, 2, 3]|2.5|1.005|3", R2(mode, ctx,
            "{{ ints[0]|string }}|{{ true|string }}|{{ nothing|string }}|{{ '<i>'|string }}|{{ html|string }}|{{ ints|string }}|{{ 2.5|string }}|{{ price|string }}|{{ (items|length)|string }}"));
        Assert.ThrowsAny<TemplateException>(() => R2(mode, ctx, "{{ missing|string }}"));
    }

    private static string R2(Mode mode, Dictionary<string, object?> ctx, string source) => Render(mode, source, ctx);

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Indent_of_one_line_and_of_every_line_break(Mode mode)
    {
        var ctx = Ctx();
        ctx["html"] = new Markup("<b>x</b>");
        // one line: as it is (first=True indents it); every line break Python's splitlines knows starts a new line
        Assert.Equal("abc|  abc|<b>x</b>|&lt;i&gt;", R2(mode, ctx, "{{ 'abc'|indent(2) }}|{{ 'abc'|indent(2, true) }}|{{ html|indent }}|{{ '<i>'|indent(3) }}"));
        foreach (var brk in new[] { "\n", "\r", "\r\n", "\v", "\f", "\u001c", "\u001d", "\u001e", "\u0085", "\u2028", "\u2029" })
        {
            ctx["t"] = "a" + brk + "b";
            Assert.Equal("a\n  b", R2(mode, ctx, "{{ t|indent(2) }}"));
        }
        Assert.ThrowsAny<TemplateException>(() => R2(mode, ctx, "{{ 'abc'|indent('x', 'y', 'z', 'w') }}"));
        Assert.ThrowsAny<TemplateException>(() => R2(mode, ctx, "{{ 'abc'|indent(10 ** 12) }}"));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Round_of_decimals_rounds_the_float_they_convert_to(Mode mode)
    {
        // as before: a decimal rounds as its float (Python's round of that float, half to even on the exact binary value)
        Assert.Equal("1.0|12.5|-3.25|0.0|123456789012.34|2.67|0.12", R2(mode, Ctx(),
            "{{ price|round(2) }}|{{ d1|round(1) }}|{{ d2|round(2) }}|{{ d3|round }}|{{ d5|round(2) }}|{{ 2.675|round(2) }}|{{ d6|round(2) }}"));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Str_join_format_indexes_and_items_loops_answer_as_before(Mode mode)
    {
        var ctx = Ctx();
        ctx["html"] = new Markup("<b>");
        Assert.Equal("3, 1, 2, 3|b-A-a-C|&lt;b&gt;|x|", R2(mode, ctx,
            "{{ ', '.join(ints) }}|{{ '-'.join(strs) }}|{{ ''.join([html]) }}|{{ '/'.join(['x']) }}|{{ ','.join([]) }}"));
        Assert.Equal("pen #3|1 + 2 = 3|&lt;&gt;", R2(mode, ctx, "{{ '{} #{}'.format(items[0].name, ints[0]) }}|{{ '{0} + {1} = {2}'.format(1, 2, 3) }}|{{ '{}'.format('<>') }}"));
        Assert.Equal("3|-7|3|2|c|g|None", R2(mode, ctx, "{{ ints[0] }}|{{ arr[-2] }}|{{ ints[-1] }}|{{ (1, 2)[1] }}|{{ 'abc'[2] }}|{{ 'abcdefg'[-1] }}|{{ ints[10] is undefined and 'None' }}"));
        Assert.Equal("b=1;A=2;a=3;|", R2(mode, ctx, "{% for k, v in map|items %}{{ k }}={{ v }};{% endfor %}|{% for k, v in missing|items %}x{% endfor %}"));
        ctx["keyed"] = new Dictionary<string, object?> { ["items"] = 5, ["z"] = 1 };
        Assert.Equal("items=5;z=1;", R2(mode, ctx, "{% for k, v in keyed|items %}{{ k }}={{ v }};{% endfor %}"));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Length_in_expressions_counts_as_the_filter(Mode mode)
    {
        var ctx = Ctx();
        ctx["emoji"] = "a\ud83d\ude00b";
        ctx["nothing"] = null;
        Assert.Equal("True|3|4|False|True|3|2|yes", R2(mode, ctx,
            "{{ strs|length > 3 }}|{{ emoji|length }}|{{ ints|count }}|{{ map|length > 3 }}|{{ 'abc'|length == 3 }}|"
            + "{{ [items|length, 1]|max }}|{{ (ints|length) // 2 }}|{% if items|length >= 3 %}yes{% endif %}"));
        Assert.Equal("3 3 3", R2(mode, ctx, "{% for i in items %}{{ i.name|length }}{{ ' ' if i.name|length < 4 and not loop.last }}{% endfor %}"));
        Assert.Contains("has no len()", Assert.ThrowsAny<TemplateException>(() => R2(mode, ctx, "{{ nothing|length + 1 }}")).Message);
        Assert.ThrowsAny<TemplateException>(() => R2(mode, ctx, "{{ missing|length > 1 }}"));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void The_length_of_a_list_of_a_value_is_the_values_count(Mode mode)
    {
        var ctx = Ctx();
        ctx["emoji"] = "a\ud83d\ude00";
        Assert.Equal("4|3|2|3|5|0|2|True", R2(mode, ctx,
            "{{ ints|list|length }}|{{ map|list|length }}|{{ emoji|list|length }}|{{ (1, 2, 3)|list|count }}|{{ range(5)|list|length }}|"
            + "{{ []|list|length }}|{{ (ints|list|length) // 2 }}|{{ strs|list|length == strs|length }}"));
        Assert.ThrowsAny<TemplateException>(() => R2(mode, ctx, "{{ missing|list|length }}"));
        Assert.ThrowsAny<TemplateException>(() => R2(mode, ctx, "{{ 5|list|length }}"));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void The_length_of_a_list_of_a_value_keeps_the_collection_limit(bool interpret)
    {
        var env = new KidaEnvironment(new KidaOptions { PreferInterpretation = interpret, Limits = KidaLimits.Default with { MaxCollectionLength = 3 } });
        var ctx = new Dictionary<string, object?> { ["four"] = new List<int> { 1, 2, 3, 4 }, ["three"] = new[] { "a", "b", "c" } };
        Assert.Equal("3|4", env.FromString("{{ three|list|length }}|{{ four|length }}").Render(ctx));
        foreach (var source in new[] { "{{ four|list|length }}", "{{ 'abcd'|list|length }}", "{{ (four|list|length) + 1 }}" })
            Assert.Contains("MaxCollectionLength", Assert.ThrowsAny<TemplateException>(() => env.FromString(source).Render(ctx)).Message);
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Wordwrap_chunks_text_as_python_textwrap(Mode mode)
    {
        var ctx = Ctx();
        (string Text, string Args, string Expected)[] cases =
        [
            ("The quick brown fox jumps over the lazy dog", "10", "The quick\nbrown fox\njumps over\nthe lazy\ndog"),
            ("a  b   c", "3", "a\nb\nc"),
            ("abcdefghij", "4", "abcd\nefgh\nij"),
            ("abcdefghij xy", "4, false", "abcdefghij\nxy"),
            ("a\tb c", "3", "a\tb\nc"),
            ("  lead and trail  ", "8", "  lead\nand\ntrail"),
            ("well-known long-term plans", "10", "well-known\nlong-term\nplans"),
            ("well-known long-term plans", "7", "well-\nknown\nlong-\nterm\nplans"),
            ("", "5", ""),
        ];
        foreach (var (text, args, expected) in cases)
        {
            ctx["t"] = text;
            Assert.Equal(expected, R2(mode, ctx, "{{ t|wordwrap(" + args + ") }}"));
        }
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Integers_print_their_digits_up_to_the_output_limit(bool interpret)
    {
        var env = new KidaEnvironment(new KidaOptions { PreferInterpretation = interpret });
        var expected = string.Concat(Enumerable.Range(-5, 1200).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ","));
        Assert.Equal(expected, env.FromString("{% for i in range(-5, 1195) %}{{ i }},{% endfor %}").Render());
        // a limit that ends inside a two-digit number: refused, never cut
        for (var limit = 1; limit <= 4; limit++)
        {
            var limited = new KidaEnvironment(new KidaOptions { PreferInterpretation = interpret, Limits = KidaLimits.Default with { MaxOutputLength = limit } });
            var render = () => limited.FromString("{{ 'x' * (limit - 1) }}{{ n }}").Render(new Dictionary<string, object?> { ["limit"] = limit, ["n"] = 42 });
            if (limit >= 3) Assert.Equal(new string('x', limit - 2) + "42", limited.FromString("{{ 'x' * (limit - 2) }}{{ n }}").Render(new Dictionary<string, object?> { ["limit"] = limit, ["n"] = 42 }));
            Assert.Contains("MaxOutputLength", Assert.ThrowsAny<TemplateException>(render).Message);
        }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Keys_and_values_of_dictionaries_in_insertion_order(Mode mode)
    {
        var ctx = Ctx();
        ctx["sorted"] = new SortedDictionary<string, object?> { ["z"] = 1, ["a"] = 2 };
        Assert.Equal("b,A,a|1,2,3|a,z|2,1|x,y", R2(mode, ctx,
            "{{ map.keys()|join(',') }}|{{ map.values()|join(',') }}|{{ sorted.keys()|join(',') }}|{{ sorted.values()|join(',') }}|{{ {'x': 1, 'y': 2}.keys()|join(',') }}"));
        Assert.Equal("b1A2a3", R2(mode, ctx, "{% for k in map.keys() %}{{ k }}{{ map[k] }}{% endfor %}"));
        // a list of its own: changing it leaves the dictionary alone
        Assert.Equal("4|3", R2(mode, ctx, "{% set ks = map.keys() %}{% do ks.append('q') %}{{ ks|length }}|{{ map|length }}"));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Printed_xmlattr_of_a_literal_writes_what_the_filter_returns(Mode mode)
    {
        var ctx = Ctx();
        ctx["nothing"] = null;
        ctx["quoted"] = new Markup("say \"hi\" &amp; go");
        ctx["text"] = "a<b> & 'c' \"d\"";
        const string literal = "{'id': text, 'class': 'c', 'skip': nothing, 'n': 5, 'flag': true, 'safe': quoted, 'a&b': 1.5, 'data-x': '', 'q': 'x<y&z'}";
        var printed = R2(mode, ctx, "<a{{ " + literal + "|xmlattr }}>");
        Assert.Equal("<a id=\"a&lt;b&gt; &amp; &#39;c&#39; &quot;d&quot;\" class=\"c\" n=\"5\" flag=\"True\" safe=\"say &quot;hi&quot; &amp; go\" a&amp;b=\"1.5\" data-x=\"\" q=\"x&lt;y&amp;z\">",
            printed);
        // the general filter (a stored value) gives the same text, with autoescape on and off
        Assert.Equal(printed, R2(mode, ctx, "{% set attrs = " + literal + "|xmlattr %}<a{{ attrs }}>"));
        Assert.Equal(R2(mode, ctx, "{% autoescape false %}{% set attrs = " + literal + "|xmlattr %}<a{{ attrs }}>{% endautoescape %}"),
            R2(mode, ctx, "{% autoescape false %}<a{{ " + literal + "|xmlattr }}>{% endautoescape %}"));
        Assert.Equal("<a>|<a x=\"2\">", R2(mode, ctx, "<a{{ {}|xmlattr }}>|<a{{ {'x': 1, 'x': 2}|xmlattr }}>"));
        // names that could end the attribute are refused, printed or not
        Assert.Contains("Invalid character", Assert.ThrowsAny<TemplateException>(() => R2(mode, ctx, "{{ {'a b': 1}|xmlattr }}")).Message);
        Assert.Contains("Invalid character", Assert.ThrowsAny<TemplateException>(() => R2(mode, ctx, "{{ {'x': 1, 'a\"': 2}|xmlattr }}")).Message);
        // an undefined value is left out, as None is
        Assert.Equal(R2(mode, ctx, "{% set attrs = {'id': missing, 'k': 1}|xmlattr %}{{ attrs }}"), R2(mode, ctx, "{{ {'id': missing, 'k': 1}|xmlattr }}"));
    }
}
