using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary><c>{{ xs[a:b]|join(sep) }}</c> joins a model list's part in place; it must print what slicing, then joining, prints.</summary>
public class SliceJoinTests
{
    private static Dictionary<string, object?> Ctx() => new()
    {
        ["ints"] = new List<int> { 3, -1, 2000, 7, 0 },
        ["strs"] = new List<string> { "a", "<b>", "c&d", "", "e" },
        ["nulls"] = new List<string?> { "a", null, "c" },
        ["arr"] = new[] { 1, 2, 3, 4 },
        ["objs"] = new List<object?> { 1, "x", null, 2.5 },
        ["text"] = "abcdef",
        ["empty"] = new List<int>(),
    };

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Slices_join_as_sliced_lists_join(Mode mode)
    {
        string[] bounds = ["", "0", "1", "2", "-1", "-2", "-9", "9", "100", "-100"];
        var fused = new List<string>();
        var plain = new List<string>();
        foreach (var name in new[] { "ints", "strs", "nulls", "arr", "objs", "text", "empty" })
            foreach (var start in bounds)
                foreach (var stop in bounds)
                {
                    fused.Add($"{{{{ {name}[{start}:{stop}]|join('<,>') }}}}");
                    plain.Add($"{{% set s = {name}[{start}:{stop}] %}}{{{{ s|join('<,>') }}}}");
                }
        var expected = Render(mode, string.Join("|", plain), Ctx());
        Assert.Equal(expected, Render(mode, string.Join("|", fused), Ctx()));
        Assert.Equal(expected, Render(mode, string.Join("|", fused), Ctx(), autoescape: true));
        Assert.Equal(Render(mode, string.Join("|", plain), Ctx(), autoescape: false), Render(mode, string.Join("|", fused), Ctx(), autoescape: false));
        // spot checks of the oracle itself
        Assert.Equal("-1&lt;,&gt;2000|&lt;b&gt;&lt;,&gt;c&amp;d|7&lt;,&gt;0|c-d-e-f", Render(mode, "{{ ints[1:3]|join('<,>') }}|{{ strs[1:3]|join('<,>') }}|{{ ints[-2:]|join('<,>') }}|{{ text[2:]|join('-') }}", Ctx()));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Undefined_and_unsliceable_values_fail_as_before(Mode mode)
    {
        Assert.ThrowsAny<TemplateException>(() => Render(mode, "{{ missing[1:2]|join(',') }}", Ctx()));
        var ex = Assert.ThrowsAny<TemplateException>(() => Render(mode, "{{ 5[1:2]|join(',') }}", Ctx()));
        var plain = Assert.ThrowsAny<TemplateException>(() => Render(mode, "{% set s = 5[1:2] %}{{ s|join(',') }}", Ctx()));
        Assert.Equal(plain.Code, ex.Code);
    }
}
