using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary><c>{{ xs|map('upper')|join(sep) }}</c> cases model strings as it writes them; it must print what mapping, then joining, prints.</summary>
public class MapCaseJoinTests
{
    private static Dictionary<string, object?> Ctx() => new()
    {
        ["ascii"] = new List<string> { "ab c", " <b>Tag</b> ", "x&Y", "", "hello wORLD" },
        ["unicode"] = new List<string> { "straße", "İstanbul", "ǆemal" },
        ["nulls"] = new List<string?> { "a", null },
        ["marks"] = new List<object?> { new Markup("<i>x</i>"), "y" },
        ["long"] = new List<string> { new string('a', 300), "b" },
        ["empty"] = new List<string>(),
    };

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Cased_joins_print_what_mapped_lists_join_to(Mode mode)
    {
        var fused = new List<string>();
        var plain = new List<string>();
        foreach (var list in new[] { "ascii", "unicode", "nulls", "marks", "long", "empty" })
            foreach (var filter in new[] { "upper", "lower", "capitalize", "title", "trim" })
            {
                fused.Add($"{{{{ {list}|map('{filter}')|join(' <&> ') }}}}");
                plain.Add($"{{% set m = {list}|map('{filter}')|list %}}{{{{ m|join(' <&> ') }}}}");
            }
        foreach (var autoescape in new[] { true, false })
            Assert.Equal(Render(mode, string.Join("|", plain), Ctx(), autoescape), Render(mode, string.Join("|", fused), Ctx(), autoescape));
        Assert.Equal("AB C, &lt;B&gt;TAG&lt;/B&gt; ", Render(mode, "{{ ascii[:2]|map('upper')|join(',') }}", Ctx()));
    }

    [Fact]
    public void An_environment_s_own_casing_filter_is_the_one_mapped()
    {
        var env = new KidaEnvironment();
        env.AddFilter("upper", (Func<object?, object?>)(v => $"<{v}>"));
        Assert.Equal("&lt;a&gt;-&lt;b&gt;", env.FromString("{{ xs|map('upper')|join('-') }}").Render(new Dictionary<string, object?> { ["xs"] = new List<string> { "a", "b" } }));
    }

    [Fact]
    public void The_joined_length_is_limited()
    {
        var env = new KidaEnvironment(new KidaOptions { Limits = KidaLimits.Default with { MaxStringLength = 100_000 } });
        var xs = Enumerable.Repeat(new string('a', 200), 600).ToList();
        var ex = Assert.ThrowsAny<TemplateException>(() => env.FromString("{{ xs|map('upper')|join(',') }}").Render(new Dictionary<string, object?> { ["xs"] = xs }));
        Assert.Equal("K-SEC-006", ex.Code);
    }
}
