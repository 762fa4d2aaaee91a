using System.Text.Json.Nodes;
using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// A for loop whose body cannot change its source walks a model <c>List&lt;T&gt;</c> of references in place (the
/// reference lane: no sequence, array or release per loop, the count taken once), in IL only; tier-up checks the one
/// type of list the loop met inline. Light loops read <c>loop.last</c> and kin as plain bools. Every body below must
/// print over the typed list what it prints over the same items in a list of objects (the general path), in every
/// compile mode, errors included.
/// </summary>
public class ReferenceLaneTests
{
    public class Child
    {
        public string? Name { get; init; }
        public bool Active { get; init; }
    }

    public sealed class Grandchild : Child;

    private static readonly Child?[] Children =
    [
        new() { Name = "ann", Active = true }, new Grandchild { Name = "<g>" }, null, new() { Name = null, Active = true }, new() { Name = "zed" },
    ];

    public static IEnumerable<object[]> Bodies() => new[]
    {
        "{{ c.name }}{% if not loop.last %}, {% endif %}",
        "{{ loop.index }}/{{ loop.length }}/{{ loop.revindex }}{% if loop.first %}^{% endif %}{% if loop.last %}${% endif %}{{ c.active }};",
        "{% if c is none %}{% continue %}{% endif %}{{ c.name|default('?') }}{% if c.name == 'zed' %}{% break %}{% endif %};",
        "{% for d in cs %}{{ c.name }}{{ d.name }}{% if not loop.last %}|{% endif %}{% endfor %};",
        "{{ c }}{{ c is mapping }}{{ c.name ~ '' if c else 'none' }}{% if loop.last and not loop.first %}!{% endif %}",
        "{% set n = c.name %}{{ n }}{{ loop.index0 * 2 }}{% if not loop.first %}<{% endif %}",
    }.Select(b => new object[] { b });

    [Theory]
    [MemberData(nameof(Bodies))]
    public void A_list_of_records_prints_what_the_same_records_as_objects_print(string body)
    {
        var source = "{% for c in cs %}" + body + "{% else %}empty{% endfor %}";
        foreach (var mode in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered })
            foreach (var items in new[] { Children, [], Children.Take(1).ToArray(), Enumerable.Repeat(Children, 30).SelectMany(c => c).ToArray() })
            {
                var expected = RenderOutcome(mode, source, new() { ["cs"] = items.Select(c => (object?)c).ToList() });
                Assert.Equal(expected, RenderOutcome(mode, source, new() { ["cs"] = items.ToList() }));
                Assert.Equal(expected, RenderOutcome(mode, source, new() { ["cs"] = items.ToArray() }));
            }
    }

    [Fact]
    public void A_loop_promoted_after_one_kind_of_list_walks_every_other_kind_as_before()
    {
        const string source = "{% for c in cs %}{{ c.name if c.name is defined else c }}{% if not loop.last %},{% endif %}{% endfor %}";
        object[] kinds =
        [
            new List<Child> { new() { Name = "a" }, new Grandchild { Name = "b" } },
            new List<Grandchild> { new() { Name = "g" } },
            new List<string> { "s", "t" },
            new List<List<int>> { new() { 1 }, new() { 2, 3 } },
            new List<JsonNode?> { JsonValue.Create(5), JsonValue.Create("j"), null },
            new List<object?> { new Child { Name = "o" }, 7 },
            new Child[] { new() { Name = "arr" } },
            new List<int> { 4, 5 },
        ];
        EachKindAfterAnother(source, "cs", kinds);
    }

    [Fact]
    public void A_body_that_can_change_the_list_walks_it_as_the_interpreter_does()
    {
        // (a body that calls a method may change the list: no reference lane)
        const string source = "{% for c in cs %}{{ c.name }}{% if loop.first %}{{ cs.clear() or '' }}{% endif %};{% endfor %}{{ cs|length }}";
        List<Child> Fresh() => [new() { Name = "a" }, new() { Name = "b" }, new() { Name = "c" }];
        var expected = Render(Mode.Interpreted, source, new() { ["cs"] = Fresh() });
        Assert.StartsWith("a;", expected);
        Assert.Equal(expected, Render(Mode.Compiled, source, new() { ["cs"] = Fresh() }));
        var t = new KidaEnvironment(new KidaOptions { TieredCompilation = true, TierUpAfterRenders = int.MaxValue }).FromString(source);
        Assert.Equal(expected, t.Render(new Dictionary<string, object?> { ["cs"] = Fresh() }));
        t.Compiled.Promote();
        Assert.Equal(expected, t.Render(new Dictionary<string, object?> { ["cs"] = Fresh() }));
    }

    [Fact]
    public void Tier_up_opens_a_loop_over_the_one_list_of_records_it_met_without_the_general_source()
    {
        // what the lane is for: promoted after meeting a List<Child>, the inner loop checks that type inline and walks the
        // list by index; the general source (sequence, array, release) is only the fallback for any other value
        var t = new KidaEnvironment(new KidaOptions { TieredCompilation = true, TierUpAfterRenders = int.MaxValue })
            .FromString("{% for row in rows %}{% for c in row %}{{ c.name }}{% if not loop.last %},{% endif %}{% endfor %};{% endfor %}");
        var data = new Dictionary<string, object?> { ["rows"] = Enumerable.Range(0, 3).Select(i => new List<Child> { new() { Name = "c" + i }, new() { Name = "d" } }).ToList() };
        var expected = t.Render(data);
        var promoted = PromotedCalls(t);
        Assert.Contains(typeof(Runtime.Iteration).GetMethod(nameof(Runtime.Iteration.AsObjectList))!, promoted);
        // (Truthy no longer asked about loop.last)
        Assert.DoesNotContain(typeof(Runtime.Values).GetMethod(nameof(Runtime.Values.Truthy))!, promoted);
        t.Compiled.Promote();
        Assert.Equal(expected, t.Render(data));
        Assert.Equal("c0,d;c1,d;c2,d;", expected);
    }

    /// <summary>The methods the template's functions call once tier-up has rewritten them.</summary>
    internal static HashSet<System.Reflection.MethodInfo> PromotedCalls(Template t)
    {
        var calls = new CallCollector();
        foreach (var tier in t.Compiled.Tiers ?? [])
        {
            var lambda = (System.Linq.Expressions.LambdaExpression)tier.GetType().BaseType!
                .GetField("_lambda", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.GetValue(tier)!;
            calls.Visit((System.Linq.Expressions.Expression)typeof(Compilation.SiteInliner).GetMethod(nameof(Compilation.SiteInliner.Inline))!
                .MakeGenericMethod(lambda.Type).Invoke(null, [lambda])!);
        }
        return calls.Methods;
    }

    private sealed class CallCollector : System.Linq.Expressions.ExpressionVisitor
    {
        public readonly HashSet<System.Reflection.MethodInfo> Methods = [];

        protected override System.Linq.Expressions.Expression VisitMethodCall(System.Linq.Expressions.MethodCallExpression node)
        {
            Methods.Add(node.Method);
            return base.VisitMethodCall(node);
        }
    }
}
