using Xunit;

namespace Kida.Core.Tests;

/// <summary>
/// At tier-up, <c>{{ x.nums[1] }}</c> with a literal index into a member seen as a list or array of int, long, double or
/// string writes the item directly (Compilation/SiteInliner.Pipelines, TypedItemWrite). Over indices in and out of
/// range, negative ones, null lists and members of other types, the promoted template must print what the interpreter
/// prints.
/// </summary>
public class TypedItemWriteTests
{
    public sealed record Lists(List<int>? Ints, int[]? Arr, List<long>? Longs, List<double>? Ds, List<string?>? Strs, string[]? SArr, string? Name = null);

    // the same member names holding other types: the promoted checks fail and the generic read runs
    public sealed record Others(List<object?>? Ints, List<int>? Arr, long[]? Longs, Dictionary<long, object?>? Ds, string? Strs, List<string>? SArr, List<string>? Name = null);

    private static List<Lists> Items() =>
    [
        new([3, -1, int.MaxValue], [7, 8, 9], [long.MinValue, 0, 5], [0.1, double.NaN, 1e300], ["<b>", null, "c&d"], ["x", "y", "z"], "a<&"),
        new([1], [2], [3], [-0.0], ["only"], ["s"], "\U0001F600x\U0001F600"),
        new([5, int.MinValue, 7, 7, -3], [1, 2], [long.MaxValue, long.MinValue, 9], [double.NaN, 1.0, 2.0], ["b", "a"], ["k"], "ok"),
        new([], [], [], [], [], [], ""),
        new(null, null, null, null, null, null),
    ];

    private static List<Others> OtherItems() =>
    [
        new([1, "two", null], [4, 5, 6], [7, 8, 9], new() { [0] = "zero", [1] = "one", [-1] = "minus" }, "text", ["p", "q", "r"], ["n", "m", "o"]),
        new(null, null, null, null, null, null),
    ];

    public static IEnumerable<object[]> Expressions() =>
        from member in new[] { "ints", "arr", "longs", "ds", "strs", "sarr", "name" }
        from index in new[] { "0", "1", "2", "3", "-1", "-3", "-4" }
        select new object[] { $"x.{member}[{index}]" };

    /// <summary>min, max, first and last of the same members (typed at tier-up for lists of int and long).</summary>
    public static IEnumerable<object[]> Extremes() =>
        from member in new[] { "ints", "arr", "longs", "ds", "strs", "sarr" }
        from filter in new[] { "min", "max", "first", "last" }
        select new object[] { $"x.{member}|{filter}" };

    [Theory]
    [MemberData(nameof(Extremes))]
    public void Min_max_first_and_last_print_what_the_interpreter_prints(string expr) => A_literal_index_prints_what_the_interpreter_prints(expr);

    [Theory]
    [MemberData(nameof(Expressions))]
    public void A_literal_index_prints_what_the_interpreter_prints(string expr)
    {
        // (failing items caught one by one, so the others' output is compared too, then the render's first error)
        AssertPromotedAgrees($"{{% for x in xs %}}{{% try %}}{{{{ {expr} }}}}{{% fallback %}}!{{% end %}};{{% endfor %}}");
        AssertPromotedAgrees($"{{% for x in xs %}}{{{{ {expr} }}}};{{% endfor %}}");
    }

    private static void AssertPromotedAgrees(string source)
    {
        var interpreted = new KidaEnvironment(new KidaOptions { PreferInterpretation = true }).FromString(source);
        var tiered = new KidaEnvironment(new KidaOptions { TieredCompilation = true, TierUpAfterRenders = int.MaxValue }).FromString(source);
        var expected = Outcome(interpreted, Items());
        Assert.Equal(expected, Outcome(tiered, Items()));
        var tiers = tiered.Compiled.Tiers?.ToList() ?? [];
        tiered.Compiled.Promote();
        Assert.All(tiers, t => Assert.Null(t.PromotionError));
        Assert.Equal(expected, Outcome(tiered, Items()));
        Assert.Equal(Outcome(interpreted, OtherItems()), Outcome(tiered, OtherItems()));
        var mixed = Items().Cast<object>().Concat(OtherItems()).Concat(Items()).ToList();
        Assert.Equal(Outcome(interpreted, mixed), Outcome(tiered, mixed));
    }

    [Fact]
    public void Items_are_escaped_and_numbers_printed_as_Python_prints_them()
    {
        var t = new KidaEnvironment(new KidaOptions { TieredCompilation = true, TierUpAfterRenders = int.MaxValue })
            .FromString("{% for x in xs %}{{ x.strs[0] }}|{{ x.ds[0] }}|{{ x.ds[-1] }}|{{ x.longs[0] }}|{{ x.ints[-1] }}|{{ x.name[1] }}{{ x.name[-1]|safe }}{% endfor %}");
        var items = Items().Take(1).ToList();
        t.Render(new Dictionary<string, object?> { ["xs"] = items });
        t.Compiled.Promote();
        Assert.Equal("&lt;b&gt;|0.1|1e+300|-9223372036854775808|2147483647|&lt;&", t.Render(new Dictionary<string, object?> { ["xs"] = items }));
    }

    private static string Outcome(Template t, object items)
    {
        try
        {
            return t.Render(new Dictionary<string, object?> { ["xs"] = items });
        }
        catch (TemplateException ex)
        {
            return $"{ex.Code} {ex.Message}";
        }
    }

    public record Kid(string? Name, int Age);

    public sealed record Grandkid(string? Name, int Age) : Kid(Name, Age);

    public sealed record Family(List<Kid?>? Kids, List<object?>? Any);

    public sealed record Strangers(List<string>? Kids, List<Kid?>? Any);

    public static IEnumerable<object[]> ReferenceItems() =>
        from expr in new[] { "x.kids[0].name", "x.kids[1].age + 1", "x.kids[-1].name", "x.kids[-3]", "x.kids[2].name", "x.kids[0]", "x.any[0].name", "x.kids[5].name" }
        select new object[] { expr };

    /// <summary>
    /// <c>x.kids[0].name</c>: a literal index into a member seen as a list of records reads the item through List's
    /// indexer at tier-up; out-of-range indices, null lists and items, subclasses and other member types print (or fail)
    /// as the interpreter does.
    /// </summary>
    [Theory]
    [MemberData(nameof(ReferenceItems))]
    public void A_literal_index_into_a_list_of_records_reads_what_the_interpreter_reads(string expr)
    {
        foreach (var source in new[]
        {
            $"{{% for x in xs %}}{{% try %}}{{{{ {expr} }}}}{{% fallback %}}!{{% end %}};{{% endfor %}}",
            $"{{% for x in xs %}}{{{{ {expr} }}}};{{% endfor %}}",
        })
        {
            var interpreted = new KidaEnvironment(new KidaOptions { PreferInterpretation = true }).FromString(source);
            var tiered = new KidaEnvironment(new KidaOptions { TieredCompilation = true, TierUpAfterRenders = int.MaxValue }).FromString(source);
            var typed = new List<object?>
            {
                new Family([new Kid("a<b>", 1), new Kid("c", 2), new Kid("d", 3)], [new Kid("x", 9)]),
                new Family([new Kid("solo", 4)], []),
            };
            var odd = new List<object?>
            {
                new Family([null, new Grandkid("g", 5), new Kid(null, 6)], [null]),
                new Family([], null),
                new Family(null, null),
                new Strangers(["s", "t", "u"], [new Kid("k", 1)]),
                new Dictionary<string, object?> { ["kids"] = new List<object?> { new Dictionary<string, object?> { ["name"] = "dict", ["age"] = 1 } } },
            };
            var expected = Outcome(interpreted, typed);
            Assert.Equal(expected, Outcome(tiered, typed));
            tiered.Compiled.Promote();
            Assert.Equal(expected, Outcome(tiered, typed));
            foreach (var item in odd) Assert.Equal(Outcome(interpreted, new List<object?> { item }), Outcome(tiered, new List<object?> { item }));
            var mixed = typed.Concat(odd).Concat(typed).ToList();
            Assert.Equal(Outcome(interpreted, mixed), Outcome(tiered, mixed));
        }
    }
}
