using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// wordwrap on one line of plain text wraps by offsets (no chunk strings), and printed it writes its lines directly.
/// The oracle is the general path: the same text followed by a line break (which splits into the same single line).
/// </summary>
public class WordWrapFastPathTests
{
    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Known_wraps(Mode mode)
    {
        Assert.Equal("Lorem\nipsum\ndolor sit\namet", Render(mode, "{{ 'Lorem ipsum dolor sit amet'|wordwrap(10) }}"));
        Assert.Equal("a &lt;b&gt;\nc", Render(mode, "{{ 'a <b> c'|wordwrap(5) }}"));
        Assert.Equal("abcde\nfgh", Render(mode, "{{ 'abcdefgh'|wordwrap(5) }}"));
        Assert.Equal("abcdefgh\nij", Render(mode, "{{ 'abcdefgh ij'|wordwrap(5, false) }}"));
        Assert.Equal("  ab\ncd", Render(mode, "{{ '  ab   cd  '|wordwrap(4) }}"));
        Assert.Equal("|", Render(mode, "{{ '     '|wordwrap(2) }}|{{ ''|wordwrap(3) }}"));
        Assert.Equal("a-b\nc", Render(mode, "{{ 'a-b c'|wordwrap(4, break_on_hyphens=false) }}"));
        Assert.Equal("a<br>b", Render(mode, "{{ 'a b'|wordwrap(1, wrapstring='<br>') }}", autoescape: false));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Plain_lines_wrap_as_the_general_path_wraps_them(Mode mode)
    {
        var random = new Random(1234);
        string[] pieces = ["a", "bb", "word", "x<", "&", " ", " ", "  ", "\t", "longerword", "-", "é"];
        var texts = new List<string>();
        for (var i = 0; i < 150; i++)
        {
            var n = random.Next(0, 12);
            texts.Add(string.Concat(Enumerable.Range(0, n).Select(_ => pieces[random.Next(pieces.Length)])));
        }
        var ctx = new Dictionary<string, object?> { ["texts"] = texts };
        foreach (var width in new[] { 1, 2, 3, 5, 8, 13 })
            foreach (var breakLong in new[] { "true", "false" })
                foreach (var hyphens in new[] { "true", "false" })
                {
                    var args = $"{width}, {breakLong}, '\\n', {hyphens}";
                    var fast = Render(mode, $"{{% for s in texts %}}[{{{{ s|wordwrap({args}) }}}}]{{% endfor %}}", ctx);
                    var general = Render(mode, $"{{% for s in texts %}}[{{{{ (s ~ '\\n')|wordwrap({args}) }}}}]{{% endfor %}}", ctx);
                    Assert.Equal(general, fast);
                    if (args == $"{width}, true, '\\n', true")
                    {
                        // the printed form with only a width, and the value assigned first
                        Assert.Equal(general, Render(mode, $"{{% for s in texts %}}[{{{{ s|wordwrap({width}) }}}}]{{% endfor %}}", ctx));
                        Assert.Equal(general, Render(mode, $"{{% for s in texts %}}{{% set w = s|wordwrap({width}) %}}[{{{{ w }}}}]{{% endfor %}}", ctx));
                    }
                }
    }

    [Fact]
    public void Long_text_wraps_in_linear_time()
    {
        // (the render timeout bounds it: offsets are never rescanned per line)
        var env = new KidaEnvironment();
        var words = string.Concat(Enumerable.Repeat("ab  ", 250_000));
        var output = env.FromString("{{ s|wordwrap(2) }}").Render(new Dictionary<string, object?> { ["s"] = words });
        Assert.Equal(250_000 * 3 - 1, output.Length);
        var word = new string('x', 1 << 20);
        Assert.Equal((1 << 21) - 1, env.FromString("{% set w = s|wordwrap(1) %}{{ w }}").Render(new Dictionary<string, object?> { ["s"] = word }).Length);
    }

    [Fact]
    public void The_size_limit_holds()
    {
        var env = new KidaEnvironment(new KidaOptions { Limits = KidaLimits.Default with { MaxStringLength = 1000 } });
        var ex = Assert.ThrowsAny<TemplateException>(() => env.FromString("{{ s|wordwrap(1) }}").Render(new Dictionary<string, object?> { ["s"] = string.Join(' ', Enumerable.Repeat("ab", 400)) }));
        Assert.Equal("K-SEC-006", ex.Code);
        var ex2 = Assert.ThrowsAny<TemplateException>(() => env.FromString("{{ s|wordwrap(1, wrapstring='----') }}").Render(new Dictionary<string, object?> { ["s"] = string.Join(' ', Enumerable.Repeat("ab", 400)) }));
        Assert.Equal("K-SEC-006", ex2.Code);
    }
}
