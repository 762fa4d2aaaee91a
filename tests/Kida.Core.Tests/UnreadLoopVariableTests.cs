using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// A loop whose body never reads its variable (<c>{% for n in xs %}{{ loop.index }}{% endfor %}</c>) does not bind it:
/// no item read or unboxed for it (LightLoops.NeverReads). A body that reads the name in any way (printed, in a set, as a
/// nested loop's source, through a call that could see the scope) or binds it again keeps the binding.
/// </summary>
public class UnreadLoopVariableTests
{
    public static IEnumerable<object[]> Cases()
    {
        // (template, expected) over xs = [3, 1, 2] as a list of ints, an array, longs, boxed ints; the cases that do not
        // print an item also over doubles and strings
        string[][] cases =
        [
            ["{% for n in xs %}{{ loop.index }}{% endfor %}", "123"],
            ["{% for n in xs %}{{ loop.index0 }}{{ '.' if loop.last }}{% endfor %}", "012."],
            ["{% for n in xs %}x{% if loop.first %}f{% endif %}{% endfor %}{{ n is defined }}", "xfxxFalse"],
            ["{% for n in xs %}{% for n in ['a'] %}{{ n }}{% endfor %}{{ loop.index }}{% endfor %}", "a1a2a3"],
            ["{% for n in xs %}{{ n|string|length > 0 }}{% endfor %}", "TrueTrueTrue"],
            ["{% for n in xs %}{% set n = 5 %}{{ loop.index }}{% endfor %}", "123"],
            ["{% for n in xs %}{% for k in range(2) %}{{ loop.index }}{% endfor %}{% endfor %}", "121212"],
            ["{% for n in xs %}{% else %}{{ n }}{% endfor %}{% for n in [] %}{% else %}{{ n is defined }}{% endfor %}", "False"],
            ["{% for n in xs %}[{{ loop.previtem if not loop.first else '' }}]{% endfor %}", "[][3][1]"],
            ["{% for n in xs %}{% set y = n %}{{ y }}{% endfor %}", "312"],
            ["{% for n in xs %}{% for m in [n, n] %}{{ m }}{% endfor %};{% endfor %}", "33;11;22;"],
            ["{% for n in xs if n > 1 %}{{ loop.index }}{% endfor %}", "12"],
        ];
        object?[][] sources = [[new List<int> { 3, 1, 2 }, true], [new[] { 3, 1, 2 }, true], [new List<long> { 3, 1, 2 }, true],
            [new List<object?> { 3, 1, 2 }, true], [new List<double> { 3, 1, 2 }, false], [new List<string> { "3", "1", "2" }, false]];
        foreach (var mode in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered })
            for (var c = 0; c < cases.Length; c++)
                for (var k = 0; k < sources.Length; k++)
                    // (the last four cases print or compare the items themselves: ints only)
                    if ((bool)sources[k][1]! || c < 8)
                        yield return [mode, cases[c][0], k, cases[c][1]];
    }

    private static object Source(int kind) => kind switch
    {
        0 => new List<int> { 3, 1, 2 },
        1 => new[] { 3, 1, 2 },
        2 => new List<long> { 3, 1, 2 },
        3 => new List<object?> { 3, 1, 2 },
        4 => new List<double> { 3, 1, 2 },
        _ => new List<string> { "3", "1", "2" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_loop_prints_the_same_whether_or_not_its_variable_is_read(Mode mode, string source, int kind, string expected) =>
        Assert.Equal(expected, Render(mode, source, new() { ["xs"] = Source(kind) }));

    [Fact]
    public void An_unread_variable_of_a_loop_over_a_model_list_of_ints_reads_no_item()
    {
        var t = new KidaEnvironment(new KidaOptions { TieredCompilation = true, TierUpAfterRenders = int.MaxValue })
            .FromString("{% for x in rows %}{% for n in x %}{{ loop.index }}{% endfor %};{% endfor %}");
        var data = new Dictionary<string, object?> { ["rows"] = new List<List<int>> { new() { 7, 8 }, new() { 9 } } };
        Assert.Equal("12;1;", t.Render(data));
        var promoted = ReferenceLaneTests.PromotedCalls(t);
        // the int lane is open (the list's count is read), but no item of it is read for the unread name
        Assert.Contains(typeof(Runtime.Iteration).GetMethod(nameof(Runtime.Iteration.ListCount))!.MakeGenericMethod(typeof(int)), promoted);
        Assert.DoesNotContain(typeof(Runtime.Iteration).GetMethod(nameof(Runtime.Iteration.ListItem))!.MakeGenericMethod(typeof(int)), promoted);
        t.Compiled.Promote();
        Assert.Equal("12;1;", t.Render(data));
    }
}
