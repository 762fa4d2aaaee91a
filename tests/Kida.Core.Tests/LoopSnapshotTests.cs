using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// For loops without a <c>loop</c> variable box a short model list of numbers or booleans into a snapshot the render
/// keeps and reuses. Each loop must see its own items as they were when it started, however loops nest, end or fail.
/// </summary>
public class LoopSnapshotTests
{
    private static Dictionary<string, object?> Ctx() => new()
    {
        ["ints"] = new List<int> { 1, 2, 3 },
        ["arr"] = new[] { 7, 8 },
        ["longs"] = new List<long> { 10, -20 },
        ["doubles"] = new List<double> { 0.5, 2.0 },
        ["flags"] = new List<bool> { true, false },
        ["many"] = Enumerable.Range(0, 100).ToList(),
        ["rows"] = new[] { new List<int> { 1, 2 }, new List<int> { 3 }, new List<int>(), new List<int> { 4, 5, 6 } },
    };

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Nested_loops_each_walk_their_own_items(Mode mode)
    {
        Assert.Equal("1:7,8;2:7,8;3:7,8;", Render(mode, "{% for a in ints %}{{ a }}:{% for b in arr %}{{ b }}{% if not b == 8 %},{% endif %}{% endfor %};{% endfor %}", Ctx()));
        Assert.Equal("[1,2][3][][4,5,6]", Render(mode, "{% for r in rows %}[{% for n in r %}{{ n }}{% if n != r[-1] %},{% endif %}{% endfor %}]{% endfor %}", Ctx()));
        Assert.Equal("10-20|0.52.0|TrueFalse|4950", Render(mode,
            "{% for n in longs %}{{ n }}{% endfor %}|{% for d in doubles %}{{ d }}{% endfor %}|{% for f in flags %}{{ f }}{% endfor %}|"
            + "{% set ns = namespace(s=0) %}{% for n in many %}{% set ns.s = ns.s + n %}{% endfor %}{{ ns.s }}", Ctx()));
        // the same list in loops nested four deep (four snapshots in use at once)
        var expected = string.Concat(from a in new[] { 1, 2, 3 } from b in new[] { 1, 2, 3 } from c in new[] { 1, 2, 3 } from d in new[] { 1, 2, 3 } select $"{a}{b}{c}{d} ");
        Assert.Equal(expected, Render(mode, "{% for a in ints %}{% for b in ints %}{% for c in ints %}{% for d in ints %}{{ a }}{{ b }}{{ c }}{{ d }} {% endfor %}{% endfor %}{% endfor %}{% endfor %}", Ctx()));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Loops_that_end_early_or_fail_give_their_snapshot_back_intact(Mode mode)
    {
        // break, continue, an error caught inside, deep recursion through a macro (more loops than the render keeps)
        Assert.Equal("1|13|1e3|", Render(mode,
            "{% for n in ints %}{% if n == 2 %}{% break %}{% endif %}{{ n }}{% endfor %}|"
            + "{% for n in ints %}{% if n == 2 %}{% continue %}{% endif %}{{ n }}{% endfor %}|"
            + "{% for n in ints %}{% try %}{{ n if n != 2 else missing.x }}{% fallback %}e{% end %}{% endfor %}|", Ctx()));
        Assert.Equal("3(2(1(0())))", Render(mode,
            "{% macro down(k) %}{% for n in [k] %}{{ n }}({% if n > 0 %}{{ down(n - 1) }}{% endif %}){% endfor %}{% endmacro %}{{ down(3) }}", Ctx()));
        var deep = Render(mode,
            "{% macro deep(k) %}{% for n in ints %}{% if n == 1 and k > 0 %}{{ deep(k - 1) }}{% endif %}{{ n }}{% endfor %}{% endmacro %}{{ deep(20) }}", Ctx());
        Assert.Equal(21 * 3, deep.Length);
        Assert.StartsWith("123", deep);
        // a render that failed in the middle of a loop leaves the next render's loops whole
        var env = Env(mode);
        var t = env.FromString("{% for n in ints %}{% for m in arr %}{{ n * m }}{{ none.x if n == fail }},{% endfor %}{% endfor %}");
        Assert.ThrowsAny<TemplateException>(() => t.Render(new Dictionary<string, object?>(Ctx()) { ["fail"] = 2 }));
        Assert.Equal("7,8,14,16,21,24,", t.Render(new Dictionary<string, object?>(Ctx()) { ["fail"] = 0 }));
    }

    [Fact]
    public void A_body_that_changes_the_list_does_not_change_what_the_loop_walks()
    {
        var ints = new List<int> { 1, 2, 3 };
        var output = new KidaEnvironment().FromString("{% for n in ints %}{{ n }}{% set _ = ints.reverse() %}{% endfor %}|{{ ints|join(',') }}")
            .Render(new Dictionary<string, object?> { ["ints"] = ints });
        Assert.Equal("123|3,2,1", output);
    }
}
