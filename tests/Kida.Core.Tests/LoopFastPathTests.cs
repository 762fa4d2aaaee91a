using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// For loops over short model lists of numbers and booleans walk a boxed copy, and <c>loop.index</c>, <c>first</c>,
/// <c>last</c>… are read from the loop in place. Both must answer exactly as the general paths do, in every mode.
/// </summary>
public class LoopFastPathTests
{
    private static Dictionary<string, object?> Ctx() => new()
    {
        ["ints"] = new List<int> { 3, -1, 2000 },
        ["arr"] = new[] { 7, 8 },
        ["longs"] = new List<long> { long.MaxValue, -5 },
        ["larr"] = new long[] { 1, 2 },
        ["doubles"] = new List<double> { 2.5, -0.0, 1e16 },
        ["darr"] = new[] { 0.1 },
        ["decimals"] = new List<decimal> { 1.50m, -0.25m },
        ["flags"] = new List<bool> { true, false },
        ["nothing"] = new List<int>(),
        ["many"] = Enumerable.Range(0, 3000).ToList(),
    };

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Loops_over_lists_of_numbers_and_booleans_see_every_item_as_it_is(Mode mode)
    {
        var ctx = Ctx();
        Assert.Equal("3,-1,2000,|7,8,|9223372036854775807,-5,|1,2,|2.5,-0.0,1e+16,|0.1,|1.50,-0.25,|True,False,|empty",
            Render(mode, "{% for n in ints %}{{ n }},{% endfor %}|{% for n in arr %}{{ n }},{% endfor %}|{% for n in longs %}{{ n }},{% endfor %}|"
                + "{% for n in larr %}{{ n }},{% endfor %}|{% for n in doubles %}{{ n }},{% endfor %}|{% for n in darr %}{{ n }},{% endfor %}|"
                + "{% for n in decimals %}{{ n }},{% endfor %}|{% for b in flags %}{{ b }},{% endfor %}|{% for n in nothing %}x{% else %}empty{% endfor %}", ctx));
        // arithmetic and tests on the items, break and continue, an inline filter, nesting
        Assert.Equal("4,0,|int|3|7-7,7-8,8-7,8-8,|2000", Render(mode,
            "{% for n in ints %}{% if n > 100 %}{% break %}{% endif %}{{ n + 1 }},{% endfor %}|{{ 'int' if ints[0] is integer }}|"
            + "{% for n in ints %}{% if n < 0 %}{% continue %}{% endif %}{% if loop.first %}{{ n }}{% endif %}{% endfor %}|"
            + "{% for a in arr %}{% for b in arr %}{{ a }}-{{ b }},{% endfor %}{% endfor %}|{% for n in ints if n > 100 %}{{ n }}{% endfor %}", ctx));
        // a long list is read item by item: the same items, the same count
        Assert.Equal("3000|4498500", Render(mode, "{% set ns = namespace(c=0, s=0) %}{% for n in many %}{% set ns.c = ns.c + 1 %}{% set ns.s = ns.s + n %}{% endfor %}{{ ns.c }}|{{ ns.s }}", ctx));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Loop_members_read_in_place_answer_as_the_loop_object(Mode mode)
    {
        var ctx = Ctx();
        Assert.Equal("1/0/3/2/3/True/False;2/1/2/1/3/False/False;3/2/1/0/3/False/True;",
            Render(mode, "{% for n in ints %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.revindex }}/{{ loop.revindex0 }}/{{ loop.length }}/{{ loop.first }}/{{ loop.last }};{% endfor %}", ctx));
        // in expressions, in an inner loop (its own loop), and beside the general members
        Assert.Equal("a1b2|1:7,2:8,1:7,2:8,|3-1=2|-1", Render(mode,
            "{% for s in ['a', 'b'] %}{{ s ~ loop.index }}{% endfor %}|"
            + "{% for a in ints if a < 100 %}{% for b in arr %}{{ loop.index }}:{{ b }},{% endfor %}{% endfor %}|"
            + "{% for n in ints %}{% if loop.last %}{{ loop.length }}-{{ loop.index0 - 1 }}={{ loop.length - 1 }}{% endif %}{% endfor %}|"
            + "{% for n in ints %}{% if loop.index == 2 %}{{ loop.previtem and n }}{% endif %}{% endfor %}", ctx));
        // a template may give the name to something else: then it is that value's member
        Assert.Equal("mm", Render(mode, "{% for x in [1, 2] %}{% set loop = {'index': 'm'} %}{{ loop.index }}{% endfor %}", ctx));
        // outside any loop, loop is an ordinary (missing) name
        Assert.ThrowsAny<TemplateException>(() => Render(mode, "{{ loop.index }}", ctx));
    }

    public static IEnumerable<object[]> SliceBounds()
    {
        long?[] ends = [null, -9, -3, -1, 0, 1, 2, 5, 7, 9];
        long?[] steps = [null, 1, 2, 3, -1, -2, -4];
        foreach (var step in steps)
            foreach (var start in ends)
                yield return [start!, step!];
    }

    [Theory]
    [MemberData(nameof(SliceBounds))]
    public void Slices_of_lists_pick_what_slices_of_text_pick(long? start, long? step)
    {
        // the string's slice (code that did not change) is the oracle for every list shape
        var env = new KidaEnvironment(new KidaOptions { TieredCompilation = false });
        var ctx = new Dictionary<string, object?>
        {
            ["s"] = "abcdefg",
            ["ints"] = new List<int> { 0, 1, 2, 3, 4, 5, 6 },
            ["arr"] = new[] { "a", "b", "c", "d", "e", "f", "g" },
        };
        string F(long? v) => v?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "";
        foreach (var stop in new long?[] { null, -9, -2, 0, 3, 7, 10 })
        {
            var slice = $"[{F(start)}:{F(stop)}:{F(step)}]";
            var expected = env.FromString("{{ s" + slice + " }}").Render(ctx);
            Assert.Equal(expected, env.FromString("{{ (s|list)" + slice + "|join }}").Render(ctx));
            Assert.Equal(expected, env.FromString("{{ arr" + slice + "|join }}").Render(ctx));
            Assert.Equal(expected, env.FromString("{{ ('a', 'b', 'c', 'd', 'e', 'f', 'g')" + slice + "|join }}").Render(ctx));
            var digits = env.FromString("{{ ints" + slice + "|join }}").Render(ctx);
            Assert.Equal(expected, string.Concat(digits.Select(c => (char)('a' + (c - '0')))));
        }
    }
}
