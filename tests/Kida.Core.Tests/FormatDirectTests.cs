using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// A printed <c>'fmt'.format(...)</c> / <c>'fmt'|format(...)</c> whose fields have no spec writes string and integer
/// arguments straight into the output. It must print what the formatted string prints, for every argument kind.
/// </summary>
public class FormatDirectTests
{
    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Direct_writes_print_what_the_formatted_string_prints(Mode mode)
    {
        var values = new Dictionary<string, object?>
        {
            ["s"] = "a<b>&'\"", ["e"] = "", ["i"] = -42, ["l"] = long.MinValue, ["n"] = null, ["b"] = true, ["d"] = 2.5, ["m"] = new Markup("<i>x</i>"),
            ["big"] = 12345678901234567890m,
        };
        string[] formats = ["{} {}", "<{}>&{}", "{1}-{0}-{1}", "{{}}{}{{{}}}", "{}", "x{}y{}z", "{:>4}|{}", "{0}{0}"];
        string[] names = ["s", "e", "i", "l", "n", "b", "d", "m", "big"];
        var direct = new List<string>();
        var formatted = new List<string>();
        foreach (var f in formats)
            foreach (var a in names)
                foreach (var c in new[] { "s", "i", "n" })
                {
                    direct.Add($"{{{{ '{f}'.format({a}, {c}) }}}}");
                    formatted.Add($"{{% set t = '{f}'.format({a}, {c}) %}}{{{{ t }}}}");
                    direct.Add($"{{{{ '{f}'|format({a}, {c}) }}}}");
                    formatted.Add($"{{% set t = '{f}'|format({a}, {c}) %}}{{{{ t }}}}");
                }
        // one argument (formats with one field)
        foreach (var a in names)
        {
            direct.Add($"{{{{ '<{{}}> items'.format({a}) }}}}");
            formatted.Add($"{{% set t = '<{{}}> items'.format({a}) %}}{{{{ t }}}}");
        }
        foreach (var autoescape in new[] { true, false })
            Assert.Equal(Render(mode, string.Join("|", formatted), values, autoescape), Render(mode, string.Join("|", direct), values, autoescape));
        Assert.Equal("a&lt;b&gt;&amp;&#39;&quot; -42|-42-a&lt;b&gt;&amp;&#39;&quot;--42", Render(mode, "{{ '{} {}'.format(s, i) }}|{{ '{1}-{0}-{1}'.format(s, i) }}", values));
    }

    [Fact]
    public void The_string_limit_holds()
    {
        var env = new KidaEnvironment(new KidaOptions { Limits = KidaLimits.Default with { MaxStringLength = 100 } });
        var s = new string('x', 60);
        var ex = Assert.ThrowsAny<TemplateException>(() => env.FromString("{{ '{} {}'.format(s, s) }}").Render(new Dictionary<string, object?> { ["s"] = s }));
        Assert.Equal("K-SEC-006", ex.Code);
        Assert.Equal(s + " 7", env.FromString("{{ '{} {}'.format(s, 7) }}").Render(new Dictionary<string, object?> { ["s"] = s }));
    }
}
