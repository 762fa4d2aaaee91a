using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// <c>{{ '{} #{}'.format(x.name, x.id) }}</c> and <c>{{ '&lt;b&gt;{}&lt;/b&gt;'|format(x.name) }}</c>: a plan of bare fields
/// given one or two string, int or long members is written by the promoted code part by part (SiteInliner.TypedBareFormatWrite).
/// Every mode must print what the interpreter prints, with and without autoescape, for null and escaped strings, rows of
/// another type after promotion and text past the string limit; and the promoted code boxes no integer.
/// </summary>
public class FormatBareTests
{
    public sealed class Row
    {
        public string? Name { get; init; }
        public int Id { get; init; }
        public long Big { get; init; }
    }

    private static readonly string[] Forms =
    [
        "'{} #{}'.format(r.name, r.id)", "'<b>{}</b>'|format(r.name)", "'{1}-{0}'.format(r.name, r.big)", "'{} {}'|format(r.big, r.id)",
        "'{}{}'.format(r.name, r.name)", "'{0}&{0}'.format(r.id, r.name)", "'{}'.format(r.id)", "'{} items'|format(r.big)", "'{2}'.format(r.name, r.id)",
    ];

    public static IEnumerable<object[]> Cases => Enumerable.Range(0, Forms.Length).Select(f => new object[] { f });

    private static List<object?> Rows() =>
    [
        new Row { Name = "plain", Id = 7, Big = 5_000_000_000L },
        new Row { Name = "<a & 'b'>", Id = -3, Big = long.MinValue },
        new Row { Name = null, Id = 0, Big = 0 },
        new Row { Name = "", Id = int.MaxValue, Big = -1 },
        new Row { Name = "é😀\"x\"", Id = 123456, Big = 42 },
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_format_of_members_prints_what_the_interpreter_prints(int form)
    {
        var source = $"{{% for r in rows %}}[{{{{ {Forms[form]} }}}}]{{% endfor %}}";
        foreach (var autoescape in new[] { true, false })
        {
            var data = new Dictionary<string, object?> { ["rows"] = Rows() };
            var expected = RenderOutcome(Mode.Interpreted, source, data, autoescape);
            Assert.Equal(expected, RenderOutcome(Mode.Compiled, source, data, autoescape));
            var env = new KidaEnvironment(new KidaOptions { TieredCompilation = true, TierUpAfterRenders = int.MaxValue, Autoescape = autoescape });
            var t = env.FromString(source);
            Assert.Equal(expected, RenderOutcome(t, data));
            t.Compiled.Promote();
            Assert.Equal(expected, RenderOutcome(t, data));
            // rows of another kind after promotion: the generic path, the same text as the interpreter's for them
            var other = new Dictionary<string, object?>
            {
                ["rows"] = new List<object?> { new Dictionary<string, object?> { ["name"] = "<d>", ["id"] = 1.5, ["big"] = true }, Rows()[0] },
            };
            Assert.Equal(RenderOutcome(Mode.Interpreted, source, other, autoescape), RenderOutcome(t, other));
        }
    }

    [Fact]
    public void Text_past_the_string_limit_fails_as_the_interpreter_fails()
    {
        var limits = KidaLimits.Default with { MaxStringLength = 64 };
        const string source = "{% for r in rows %}{{ '{} #{}'.format(r.name, r.id) }};{% endfor %}";
        var data = new Dictionary<string, object?> { ["rows"] = new List<object?> { new Row { Name = "short", Id = 1 }, new Row { Name = new string('x', 60), Id = 1_000_000 } } };
        string Outcome(Template t)
        {
            try { return t.Render(data); }
            catch (TemplateException ex) { return ex.Code; }
        }
        var expected = Outcome(Env(Mode.Interpreted, limits).FromString(source));
        Assert.StartsWith("K-SEC", expected);
        var tiered = new KidaEnvironment(new KidaOptions { TieredCompilation = true, TierUpAfterRenders = int.MaxValue, Limits = limits }).FromString(source);
        Assert.Equal(expected, Outcome(tiered));
        tiered.Compiled.Promote();
        Assert.Equal(expected, Outcome(tiered));
    }

    [Fact]
    public void A_string_and_an_int_member_are_formatted_without_a_box()
    {
        // ids past the shared small boxes: the plan's general direct write boxes each one (24 bytes a row)
        var data = new Dictionary<string, object?> { ["rows"] = Enumerable.Range(0, 2000).Select(i => (object?)new Row { Name = "n" + i, Id = 100_000 + i }).ToList() };
        var allocated = AllocatedAfterPromotion("{% for r in rows %}{{ '{} #{}'.format(r.name, r.id) }}{% endfor %}", data);
        Assert.True(allocated < 2000 * 8, $"allocated {allocated} bytes beyond the text");
    }
}
