using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// Issue 12, cluster 10: Kida's <c>date</c>, <c>shuffle</c>, <c>debug</c> and <c>csp_nonce</c> filters and the
/// <c>csp_nonce()</c> global, in every compile mode.
/// </summary>
public class KidaFiltersRound2Tests
{
    private static readonly DateTime Moment = new(2024, 3, 5, 14, 7, 9, 123, DateTimeKind.Unspecified);

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Date_formats_dotnet_dates_with_strftime_directives(Mode mode)
    {
        var ctx = new Dictionary<string, object?>
        {
            ["dt"] = Moment.AddTicks(4560), // 123.456 ms
            ["dto"] = new DateTimeOffset(2024, 3, 5, 14, 7, 9, TimeSpan.FromHours(-5.5)),
            ["utc"] = new DateTimeOffset(2024, 3, 5, 14, 7, 9, TimeSpan.Zero),
            ["d"] = new DateOnly(2024, 12, 31),
            ["t"] = new TimeOnly(9, 5, 3),
        };
        Assert.Equal("2024-03-05", Render(mode, "{{ dt|date }}", ctx));
        Assert.Equal("Tue Tuesday Mar March 05 14 02 PM 07 09 123456 065 24 2024 2",
            Render(mode, "{{ dt|date('%a %A %b %B %d %H %I %p %M %S %f %j %y %Y %w') }}", ctx));
        Assert.Equal("5/3 2PM %Q 100%", Render(mode, "{{ dt|date(format='%-d/%-m %-I%p %Q 100%%') }}", ctx));
        Assert.Equal("Tue Mar  5 14:07:09 2024 | 03/05/24 | 14:07:09", Render(mode, "{{ dt|date('%c | %x | %X') }}", ctx));
        Assert.Equal("-0530 UTC-05:30 | +0000 UTC | [] []", Render(mode, "{{ dto|date('%z %Z') }} | {{ utc|date('%z %Z') }} | [{{ dt|date('%z') }}] [{{ dt|date('%Z') }}]", ctx));
        Assert.Equal("2024-12-31 00:00 366 52 53", Render(mode, "{{ d|date('%Y-%m-%d %H:%M %j %U %W') }}", ctx));
        Assert.Equal("1900-01-01 09:05:03", Render(mode, "{{ t|date('%Y-%m-%d %H:%M:%S') }}", ctx));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Date_reads_iso_strings_and_gives_empty_text_for_what_it_cannot_read(Mode mode)
    {
        Assert.Equal("05.03.2024", Render(mode, "{{ '2024-03-05'|date('%d.%m.%Y') }}"));
        Assert.Equal("14:07:09.500000", Render(mode, "{{ '2024-03-05T14:07:09.5'|date('%H:%M:%S.%f') }}"));
        Assert.Equal("14:07 +0200", Render(mode, "{{ '2024-03-05 14:07:09+02:00'|date('%H:%M %z') }}"));
        Assert.Equal("UTC +0000", Render(mode, "{{ '2024-03-05T14:07:09Z'|date('%Z %z') }}"));
        // None, undefined-free values it cannot read, impossible dates, booleans, out-of-range epochs: ""
        Assert.Equal("[][][][][][]", Render(mode,
            "[{{ none|date }}][{{ 'yesterday'|date }}][{{ '2024-02-30'|date }}][{{ true|date }}][{{ (10**20)|date }}][{{ [1]|date }}]"));
        // the result is text, escaped like any other
        Assert.Equal("&lt;2024&gt;", Render(mode, "{{ '2024-03-05'|date('<%Y>') }}"));
    }

    [Theory]
    [InlineData("2021-01-01", "00 00 2020 53 5")]
    [InlineData("2021-01-03", "01 00 2020 53 7")]
    [InlineData("2022-01-01", "00 00 2021 52 6")]
    [InlineData("2022-01-03", "01 01 2022 01 1")]
    [InlineData("2023-01-01", "01 00 2022 52 7")]
    [InlineData("2023-12-31", "53 52 2023 52 7")]
    public void Date_week_numbers_follow_python(string date, string expected) =>
        Assert.Equal(expected, Render(Mode.Compiled, $"{{{{ '{date}'|date('%U %W %G %V %u') }}}}"));

    [Fact]
    public void Date_reads_a_unix_epoch_as_local_time()
    {
        var expected = TimeZoneInfo.ConvertTimeFromUtc(new DateTime(2023, 11, 14, 22, 13, 20, DateTimeKind.Utc), TimeZoneInfo.Local);
        Assert.Equal(expected.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            Render(Mode.Compiled, "{{ 1700000000|date('%Y-%m-%d %H:%M:%S') }}"));
        Assert.Equal(expected.AddMilliseconds(500).ToString("ss.ffffff", System.Globalization.CultureInfo.InvariantCulture),
            Render(Mode.Interpreted, "{{ 1700000000.5|date('%S.%f') }}"));
    }

    [Fact]
    public void Date_rejects_a_format_that_is_not_text_and_bad_arity_at_compile_time()
    {
        var ex = Assert.ThrowsAny<TemplateException>(() => Render(Mode.Compiled, "{{ '2024-01-01'|date(5) }}"));
        Assert.Contains("format must be a string", ex.Message);
        Assert.ThrowsAny<TemplateException>(() => Render(Mode.Compiled, "{{ '2024-01-01'|date('%Y', 2) }}"));
    }

    [Theory]
    [InlineData(Mode.Interpreted)]
    [InlineData(Mode.Compiled)]
    public void Shuffle_returns_a_permuted_copy(Mode mode)
    {
        var items = Enumerable.Range(1, 40).Cast<object?>().ToList();
        var ctx = new Dictionary<string, object?> { ["xs"] = items };
        var text = Render(mode, "{{ xs|shuffle|join(',') }}|{{ xs|join(',') }}|{{ none|shuffle|length }}", ctx);
        var parts = text.Split('|');
        var shuffled = parts[0].Split(',').Select(int.Parse).ToList();
        Assert.Equal(Enumerable.Range(1, 40), shuffled.Order());
        Assert.Equal(string.Join(',', Enumerable.Range(1, 40)), parts[1]); // the input is not touched
        Assert.Equal("0", parts[2]);
        // 40 items in their original order twice running: 1 in 40!² — a shuffle that does nothing fails here
        var again = Render(mode, "{{ xs|shuffle|join(',') }}", ctx);
        Assert.False(parts[0] == parts[1] && again == parts[1]);
    }

    [Fact]
    public void Debug_reports_to_the_error_stream_and_returns_the_value()
    {
        var saved = Filters.BuiltinFilters.DebugWriter;
        var sink = new StringWriter();
        Filters.BuiltinFilters.DebugWriter = sink;
        try
        {
            var ctx = new Dictionary<string, object?> { ["xs"] = new List<object?> { 1L, "a\nb", 3L, 4L } };
            Assert.Equal("4", Render(Mode.Compiled, "{{ xs|debug('items', max_items=2)|length }}", ctx));
            Assert.Equal("hi", Render(Mode.Interpreted, "{{ 'hi'|debug }}"));
            var lines = sink.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Length);
            Assert.Equal("[kida debug] main.html: items: list len=4 [1, 'a\\nb', …]", lines[0]);
            Assert.Equal("[kida debug] main.html: str len=2 'hi'", lines[1]);
            sink.GetStringBuilder().Clear();
            // a template cannot flood the host's log: one bounded line
            Render(Mode.Compiled, "{{ ('x' * 100000)|debug }}");
            var line = sink.ToString().TrimEnd();
            Assert.DoesNotContain('\n', line);
            Assert.True(line.Length <= Filters.BuiltinFilters.DebugLineLimit + 1, $"{line.Length} characters");
            sink.GetStringBuilder().Clear();
            // a large max_items over a long list still formats only what fits on the line
            Assert.Equal("100000", Render(Mode.Compiled, "{{ (range(100000)|list|debug(max_items=10**9))|length }}"));
            var many = sink.ToString().TrimEnd();
            Assert.StartsWith("[kida debug] main.html: list len=100000 [0, 1, 2,", many);
            Assert.True(many.Length <= Filters.BuiltinFilters.DebugLineLimit + 1, $"{many.Length} characters");
        }
        finally
        {
            Filters.BuiltinFilters.DebugWriter = saved;
        }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Csp_nonce_adds_the_nonce_to_script_and_style_tags(Mode mode)
    {
        var ctx = new Dictionary<string, object?>
        {
            ["html"] = "<script src=\"a.js\"></script><STYLE>p{}</STYLE><script nonce=\"keep\">x</script><scripts>",
        };
        Assert.Equal("<script nonce=\"n&quot;1\" src=\"a.js\"></script><STYLE nonce=\"n&quot;1\">p{}</STYLE><script nonce=\"keep\">x</script><scripts>",
            Render(mode, "{{ html|csp_nonce('n\"1') }}", ctx));
        // no nonce outside a request: the value comes back unchanged, as trusted markup
        Assert.Equal(ctx["html"], Render(mode, "{{ html|csp_nonce }}", ctx));
        Assert.Equal("[]", Render(mode, "[{{ csp_nonce() }}]"));
    }

    [Fact]
    public void Csp_nonce_filter_reads_the_csp_nonce_global()
    {
        var env = new KidaEnvironment(new KidaOptions
        {
            Globals = new Dictionary<string, object?> { ["csp_nonce"] = (Func<string>)(() => "r4nd") },
        });
        Assert.Equal("<script nonce=\"r4nd\">x</script>", env.FromString("{{ '<script>x</script>'|csp_nonce }}").Render());
    }
}
