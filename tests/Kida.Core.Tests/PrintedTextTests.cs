using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// Issue 15: <c>{{ v|upper }}</c>, lower, capitalize, trim, escape, <c>replace('a', 'b')</c> and the str methods upper(),
/// lower(), capitalize(), strip() printed as they are write their result into the output as it is made (compiled and
/// promoted code). The interpreter runs the filters and methods themselves: every mode must print what it prints, with
/// and without autoescape, for plain and non-ASCII text, Markup, numbers, None, undefined, long text and a POCO member.
/// </summary>
public class PrintedTextTests
{
    public sealed class Row
    {
        public string Name { get; set; } = "";
    }

    private static readonly object?[] Values =
    [
        "Hello <World> & 'you'",
        "  padded\t\n",
        "a b&c=d/é?x~y_z.-%",
        "<p>a &amp; b</p>\n\t <i>c</i>  ", "x <!-- c <b> --> y <b>z</b> <!-- open", "a < b > c & d; e", "&lt;tag&gt; ; &#65;", "unterminated <b class='x'",
        string.Concat(Enumerable.Repeat("<b>w</b>  x ", 60)),
        "\u00a0 nbsp and ideographic space\u3000",
        "straße ﬁne İstanbul ΣΑΣ",
        "😀 emoji 😀 text long enough to be cut 😀😀 by truncate 😀",
        "title-case (of) {all} [kinds] <of> words\tand\nlines",
        "",
        "hELLO wORLD",
        "x",
        new string('a', 300) + "<B>",
        new string('é', 300),
        new Markup("<b>Bold</b> Item &amp; co"),
        42,
        3.5,
        true,
        null,
        new List<object?> { "a", 1 },
        new Dictionary<string, object?> { ["upper"] = "member" },
        new Row { Name = "Item <7> Item" },
        new List<string> { "a<b", "c", "" },
        new List<string?> { "x", null },
        new[] { "p", "q&" },
        new List<string>(),
        new List<int> { 3, -1, int.MinValue },
        new[] { 7, 8 },
        new List<int>(),
    ];

    private static readonly string[] Forms =
    [
        "v|upper", "v|lower", "v|capitalize", "v|trim", "v|strip", "v|escape", "v|e", "v|urlencode", "v|sum", "v|striptags", "v|title", "v|truncate", "v|truncate(10)", "v|truncate(0)", "v|truncate(3)",
        "v|replace('Item', 'Thing')", "v|replace('<', '&')", "v|replace('l', '')", "v|replace('', '-')", "v|replace('a', 'aaaa')",
        "v.upper()", "v.lower()", "v.capitalize()", "v.strip()",
        "v.replace('Item', 'Thing')", "v.replace('<', '&')", "v.replace('l', '')", "v.replace('', '-')", "v.replace('a', 'aaaa')", "v.replace('Item', 'I', 1)", "v.name.replace('Item', '<i>')",
        "v.name|upper", "v.name|replace('Item', '<i>')", "v.name.lower()", "missing|upper", "missing.upper()",
        "v|indent", "v|indent(2)", "v|indent(2, true)", "v|indent(0)", "v|indent(-3)", "v|indent('> ')", "v|indent(2, blank=true)",
        "v|indent(width=3)", "v.name|indent(1)", "missing|indent(2)", "v|indent(nope=1)", "v|indent(1, 2, 3, 4)",
        "', '.join(v)", "'<&>'.join(v)", "''.join(v)", "'-'.join(v, 1)",
        "v.split(' ')[0]", "v.split(' ')[1]", "v.split(' ')[-1]", "v.split(' ')[-3]", "v.split('&')[-2]", "v.split(' ')[99]", "v.split(' ')[-99]",
        "v.split('')[0]", "v.split('<b>')[2]", "v.name.split(' ')[1]", "missing.split(' ')[0]",
        "v ~ ' <&> ' ~ v", "'<i>' ~ v ~ '</i>'", "v.name ~ ' & \"q\" ' ~ 1", "'' ~ v ~ ''",
        "v|map('string')|join(',')", "v|map('string')|join('<&>')", "v|map('string')|join('')", "v|join(', ')", "v|join('<&>')", "v|sort|first", "v|sort|last",
    ];

    public static IEnumerable<object[]> Cases =>
        from f in Enumerable.Range(0, Forms.Length) from v in Enumerable.Range(0, Values.Length) select new object[] { f, v };

    private static string Outcome(Mode mode, string source, object? v, bool autoescape)
    {
        try { return Render(mode, source, new Dictionary<string, object?> { ["v"] = v }, autoescape); }
        catch (TemplateException ex) { return "error " + ex.Code; }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_printed_text_filter_or_method_prints_what_the_interpreter_prints(int form, int value)
    {
        var source = $"[{{{{ {Forms[form]} }}}}]";
        var v = Values[value];
        foreach (var autoescape in new[] { true, false })
        {
            var expected = Outcome(Mode.Interpreted, source, v, autoescape);
            Assert.Equal(expected, Outcome(Mode.Compiled, source, v, autoescape));
            Assert.Equal(expected, Outcome(Mode.Tiered, source, v, autoescape));
            // the value form (not printed) is the filter itself: the same text
            Assert.Equal(expected, Outcome(Mode.Compiled, $"{{% set r = {Forms[form]} %}}[{{{{ r }}}}]", v, autoescape));
        }
    }

    private static readonly object?[] Moments =
    [
        new DateTime(2026, 3, 7, 14, 5, 9), new DateTime(2026, 12, 31, 0, 0, 0, DateTimeKind.Utc), new DateTime(999, 1, 2, 23, 59, 1, DateTimeKind.Local),
        new DateTimeOffset(2026, 7, 4, 9, 30, 0, TimeSpan.FromHours(-5)), new DateOnly(2024, 2, 29), new TimeOnly(12, 0, 1),
        "2026-05-06T07:08:09Z", 1700000000, null, "not a date",
    ];

    private static readonly string[] DateForms =
    [
        "v|date", "v|date('%Y-%m-%d')", "v|date('%d %b %Y')", "v|date('%A, %B %d %Y %I:%M:%S %p')", "v|date('<b>%j</b> %y %H & %%')",
        "v|date('%a %h')", "v|date('%z %Z')", "v|date('%-d/%-m')", "v|date('%e %U %W %G %V %f')", "v|date('%')", "v|date('100%')",
    ];

    public static IEnumerable<object[]> DateCases =>
        from f in Enumerable.Range(0, DateForms.Length) from v in Enumerable.Range(0, Moments.Length) select new object[] { f, v };

    [Theory]
    [MemberData(nameof(DateCases))]
    public void A_printed_date_prints_what_the_filter_returns(int form, int value)
    {
        var source = $"[{{{{ {DateForms[form]} }}}}]";
        foreach (var autoescape in new[] { true, false })
        {
            var expected = Outcome(Mode.Interpreted, source, Moments[value], autoescape);
            Assert.Equal(expected, Outcome(Mode.Compiled, source, Moments[value], autoescape));
            Assert.Equal(expected, Outcome(Mode.Tiered, source, Moments[value], autoescape));
            Assert.Equal(expected, Outcome(Mode.Compiled, $"{{% set r = {DateForms[form]} %}}[{{{{ r }}}}]", Moments[value], autoescape));
        }
    }

    [Fact]
    public void A_printed_date_whose_format_expands_the_most_prints_what_the_filter_returns()
    {
        // 32 %B (64 characters, the longest format the stack path takes) expand to 288 characters
        var source = "{{ v|date('" + string.Concat(Enumerable.Repeat("%B", 32)) + "') }}|{{ v|date('" + string.Concat(Enumerable.Repeat("%A", 32)) + "') }}";
        var v = new DateTime(2026, 9, 2);
        var expected = Outcome(Mode.Interpreted, source, v, true);
        Assert.Equal(string.Concat(Enumerable.Repeat("September", 32)) + "|" + string.Concat(Enumerable.Repeat("Wednesday", 32)), expected);
        Assert.Equal(expected, Outcome(Mode.Compiled, source, v, true));
        Assert.Equal(expected, Outcome(Mode.Tiered, source, v, true));
    }

    public sealed class Named
    {
        public string Name { get; init; } = "";
    }

    [Fact]
    public void A_printed_replace_method_on_a_string_makes_no_string()
    {
        // what the direct form is for (BuiltinFilters.WriteReplacedText): no replaced string per row
        var data = new Dictionary<string, object?> { ["rows"] = Enumerable.Range(0, 2000).Select(i => new Named { Name = "Item " + i + " of Item" }).ToList() };
        var allocated = AllocatedAfterPromotion("{% for r in rows %}{{ r.name.replace('Item', 'I') }};{% endfor %}", data);
        Assert.True(allocated < 2000 * 8, $"allocated {allocated} bytes beyond the text");
    }

    [Theory]
    [InlineData("[{{ nope|upper }}][{{ nope.upper() }}][{{ nope|replace('a', 'b') }}][{{ nope.replace('a', 'b') }}][{{ nope|e }}][{{ nope|trim }}]")]
    public void A_lenient_undefined_prints_what_the_interpreter_prints(string source)
    {
        string Lenient(bool interpret) => new KidaEnvironment(new KidaOptions { PreferInterpretation = interpret, TieredCompilation = false, StrictUndefined = false })
            .FromString(source).Render(new Dictionary<string, object?>());
        Assert.Equal(Lenient(true), Lenient(false));
    }

    [Fact]
    public void Upper_and_capitalize_use_Python_case_mappings_outside_ASCII()
    {
        Assert.Equal("STRASSE|ǅemal|İSTANBUL", Render(Mode.Compiled, "{{ a|upper }}|{{ b|capitalize }}|{{ c.upper() }}",
            new Dictionary<string, object?> { ["a"] = "straße", ["b"] = "ǆEMAL", ["c"] = "İstanbul" }));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void An_environment_filter_named_upper_replaces_the_builtin(Mode mode)
    {
        var env = new KidaEnvironment(new KidaOptions { PreferInterpretation = mode == Mode.Interpreted, TieredCompilation = mode == Mode.Tiered });
        env.AddFilter("upper", (Func<object?, object?>)(v => $"<{v}>"));
        env.AddFilter("replace", (Func<object?, object?, object?, object?>)((v, a, b) => "replaced"));
        Assert.Equal("&lt;ab&gt;|replaced|AB", env.FromString("{{ v|upper }}|{{ v|replace('a', 'b') }}|{{ v.upper() }}")
            .Render(new Dictionary<string, object?> { ["v"] = "ab" }));
    }

    private static KidaEnvironment Limited(Mode mode, KidaLimits limits) => new(new KidaOptions
    {
        PreferInterpretation = mode == Mode.Interpreted, TieredCompilation = mode == Mode.Tiered, Limits = limits,
    });

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_printed_replace_past_the_string_limit_fails_as_the_filter_does(Mode mode)
    {
        var t = Limited(mode, KidaLimits.Default with { MaxStringLength = 1000 }).FromString("{{ v|replace('a', 'aaaaaaaaaa') }}");
        var ex = Assert.ThrowsAny<TemplateException>(() => t.Render(new Dictionary<string, object?> { ["v"] = new string('a', 200) }));
        Assert.Equal("K-SEC-006", ex.Code);
        Assert.Equal(new string('a', 900), t.Render(new Dictionary<string, object?> { ["v"] = new string('a', 90) }));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Printed_text_counts_against_the_output_limit(Mode mode)
    {
        var env = Limited(mode, KidaLimits.Default with { MaxOutputLength = 1000 });
        foreach (var form in new[] { "v|upper", "v|e", "v.strip()", "v|replace('<', '>')" })
        {
            var ex = Assert.ThrowsAny<TemplateException>(() => env.FromString($"{{% for i in range(10) %}}{{{{ {form} }}}}{{% endfor %}}")
                .Render(new Dictionary<string, object?> { ["v"] = new string('<', 150) }));
            Assert.Equal("K-SEC-005", ex.Code);
        }
    }
}
