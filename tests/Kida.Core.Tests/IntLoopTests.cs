using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// A for loop over a model <c>List&lt;int&gt;</c> walks the ints unboxed: in place when its body cannot change the list
/// (no call, only built-in filters and tests), else through a copy the render keeps (Iteration.IntSnapshot). Each body
/// below must print over a <c>List&lt;int&gt;</c> what it prints over the same numbers in a list of objects (the general
/// path), in every compile mode, for lists short and long.
/// </summary>
public class IntLoopTests
{
    public static IEnumerable<object[]> Bodies() => new[]
    {
        "{{ n }},",
        "{{ n * 2 + 1 }}{{ n is even }}{{ -n }};",
        "{% set m = n %}{{ m }}{% if n > 5 %}+{% elif n %}.{% else %}0{% endif %}",
        "{{ loop.index }}/{{ loop.length }}={{ n }}{% if not loop.last %},{% endif %}",
        "{% if n == 3 %}{% break %}{% endif %}{{ n }}",
        "{% if n is odd %}{% continue %}{% endif %}{{ n }}",
        "{% for m in xs %}{% if m == n %}={% endif %}{% endfor %}{{ n }}|",
        "{{ {n: 1}[n] }}{{ [n, n][1] }}{{ n ~ '' }}{{ (n, 'a') }}",
        "{{ n|string }}{{ n|abs }}{{ n|float }}",
        "{{ range(n % 3)|list }}",
        "{{ xs|length }}{{ xs[0] }}",
        "{% set n = n + 100 %}{{ n }}",
        // integer operations on the unboxed loop variable (TypedLocals), inside and past their bounds
        "{{ n * 2 }} {{ n + 7 }} {{ n - 3 }} {{ n // 7 }} {{ n % 3 }} {{ n // -2 }} {{ n % -5 }} {{ n % -1 }} {{ n // -1 }} {{ n * n }} {{ n * 3000000000 }} {{ n + n }};",
        "{% if n % 3 == 0 %}a{% endif %}{% if n is divisibleby 4 %}b{% endif %}{% if n is divisibleby(-1) %}c{% endif %}{{ n is even }}{{ n is odd }}{{ n // 2 > 3 }}{{ 5 < n * 2 }};",
        "{% set y = n * 2 %}{{ y }} {{ y + 1 }}{% if y > 10 %}+{% endif %}{% set z = y * 5 %}{{ z }} {{ y % 7 }} {{ y is divisibleby 3 }};",
        "{{ '{} items'|format(n) }} {{ '%d!' % n }} {{ '{:05d}'|format(n) }} {{ n|tojson }} {{ (n * 2)|tojson }} {{ n * 2.5 }};",
    }.Select(b => new object[] { b });

    private static readonly int[][] Lists =
    [
        [],
        [7],
        [3, -1, 2000, 0, 5, int.MaxValue, int.MinValue],
        [.. Enumerable.Range(-10, 64)],
        [.. Enumerable.Range(-10, 65)],
        [.. Enumerable.Range(0, 300).Select(i => i * 7 % 101)],
    ];

    [Theory]
    [MemberData(nameof(Bodies))]
    public void A_list_of_ints_prints_what_the_same_numbers_as_objects_print(string body)
    {
        var source = $"{{% for n in xs %}}{body}{{% else %}}none{{% endfor %}}|{{{{ xs|join(',') }}}}";
        foreach (var mode in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered })
            foreach (var items in Lists)
            {
                var ints = new Dictionary<string, object?> { ["xs"] = items.ToList() };
                var objects = new Dictionary<string, object?> { ["xs"] = items.Select(i => (object?)i).ToList() };
                Assert.Equal(Render(mode, source, objects), Render(mode, source, ints));
            }
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void A_body_that_calls_something_walks_the_ints_as_they_were_at_the_start(Mode mode)
    {
        // (a call may change the list: such a loop walks its copy, and sees neither the reversals nor the emptying)
        Assert.Equal("1[3, 2, 1]2[1, 2, 3]3[3, 2, 1]|3,2,1", RenderFresh(mode,
            "{% for n in xs %}{{ n }}{% do xs.reverse() %}{{ xs }}{% endfor %}|{{ xs|join(',') }}", () => [1, 2, 3]));
        Assert.Equal("12|", RenderFresh(mode, "{% for n in xs %}{{ n }}{% do xs.clear() %}{% endfor %}|{{ xs|join(',') }}", () => [1, 2]));
    }

    [Fact]
    public void A_loop_promoted_before_it_met_a_list_of_ints_still_walks_one()
    {
        // tier-up drops the int lane of a loop that has only seen other lists; a List<int> after that takes the general path
        const string source = "{% for n in xs %}{{ n * 2 }}{% if not loop.last %},{% endif %}{% endfor %}|{% for n in xs %}{{ n }}{% do range(1) %}{% endfor %}";
        foreach (var first in new object[] { new List<object?> { 1, 2 }, new List<int> { 5 }, new List<long> { 3 } })
        {
            var t = new KidaEnvironment(new KidaOptions { TieredCompilation = true, TierUpAfterRenders = int.MaxValue }).FromString(source);
            t.Render(new Dictionary<string, object?> { ["xs"] = first });
            var tiers = t.Compiled.Tiers?.ToList() ?? [];
            t.Compiled.Promote();
            Assert.All(tiers, x => Assert.Null(x.PromotionError));
            Assert.Equal("6,8,-2|34-1", t.Render(new Dictionary<string, object?> { ["xs"] = new List<int> { 3, 4, -1 } }));
            Assert.Equal("2,4|12", t.Render(new Dictionary<string, object?> { ["xs"] = new List<object?> { 1, 2 } }));
            Assert.Equal("|", t.Render(new Dictionary<string, object?> { ["xs"] = new List<int>() }));
        }
    }

    /// <summary>Renders with a new list each time (under tiered compilation: once, then again after promotion, both compared).</summary>
    private static string RenderFresh(Mode mode, string source, Func<List<int>> xs)
    {
        var t = Env(mode).FromString(source);
        var first = t.Render(new Dictionary<string, object?> { ["xs"] = xs() });
        if (mode != Mode.Tiered) return first;
        t.Compiled.Promote();
        Assert.Equal(first, t.Render(new Dictionary<string, object?> { ["xs"] = xs() }));
        return first;
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Nested_loops_over_lists_of_ints_each_keep_their_own_place(Mode mode)
    {
        var rows = new List<List<int>> { new() { 1, 2 }, new(), new() { 3 } };
        Assert.Equal("[1:1,2;2:1,2;][][3:3;]", Render(mode,
            "{% for r in rows %}[{% for a in r %}{{ a }}:{% for b in r %}{{ b }}{% if not loop.last %},{% endif %}{% endfor %};{% endfor %}]{% endfor %}",
            new() { ["rows"] = rows }));
        // deeper than the render keeps copies for (nine loops over one list, a call in each body)
        var expected = string.Concat(Enumerable.Repeat("x", 512));
        Assert.Equal(expected, Render(mode,
            string.Concat(Enumerable.Repeat("{% for n in xs %}{% do range(1) %}", 9)) + "x" + string.Concat(Enumerable.Repeat("{% endfor %}", 9)),
            new() { ["xs"] = new List<int> { 1, 2 } }));
    }
}
