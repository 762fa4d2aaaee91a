using System.Linq.Expressions;
using Kida.Compilation;
using Kida.Runtime;
using Xunit;

namespace Kida.Core.Tests;

/// <summary>
/// The interpreted form of a tiered function (InterpretedForm): its for loops' typed lanes are taken out, so the
/// interpreter's compiler lowers a fraction of the tree at every load, while each loop still notes the model list it
/// met and tier-up still gives the loop that list's lane. Under PreferInterpretation the emitter makes no lanes.
/// </summary>
public class InterpretedFormTests
{
    public sealed record Row(string Name);

    /// <summary>A model list of each kind a lane walks in place, with what a loop printing its items writes.</summary>
    public static TheoryData<int> Kinds() => [0, 1, 2, 3, 4, 5, 6];

    private static (object List, string Printed, MethodInfoOf Item) Source(int kind) => kind switch
    {
        0 => (new List<int> { 3, 1, 2 }, "3,1,2,", new(RuntimeMethods.ListItemInt)),
        1 => (new List<double> { 1.5, 2, -0.25 }, "1.5,2.0,-0.25,", new(RuntimeMethods.LaneMethods[typeof(double)].Item)),
        2 => (new List<decimal> { 1.50m, 2m, 3.125m }, "1.50,2,3.125,", new(RuntimeMethods.LaneMethods[typeof(decimal)].Item)),
        3 => (new List<long> { 1L << 40, -7, 0 }, "1099511627776,-7,0,", new(RuntimeMethods.LaneMethods[typeof(long)].Item)),
        4 => (new List<DateTime> { new(2026, 12, 6), new(2000, 1, 2, 3, 4, 5) }, "2026-12-06 00:00:00,2000-01-02 03:04:05,", new(RuntimeMethods.LaneMethods[typeof(DateTime)].Item)),
        5 => (new List<string> { "a", "<b>", "" }, "a,&lt;b&gt;,,", new(RuntimeMethods.LaneMethods[typeof(string)].Item)),
        _ => (new List<Row> { new("x"), new("y") }, "Row { Name = x },Row { Name = y },", new(RuntimeMethods.AsObjectList)),
    };

    public sealed record MethodInfoOf(System.Reflection.MethodInfo Method);

    private const string Loop = "{% for x in xs %}{{ x }},{% endfor %}";

    private static Template Tiered(string source) =>
        new KidaEnvironment(new KidaOptions { Loader = new DictLoader(new Dictionary<string, string> { ["t"] = source }), TierUpAfterRenders = int.MaxValue })
            .GetTemplate("t");

    private static LambdaExpression TierLambda(Template t) =>
        (LambdaExpression)t.Compiled.Tiers![0].GetType().BaseType!
            .GetField("_lambda", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.GetValue(t.Compiled.Tiers[0])!;

    private static LambdaExpression Interpreted(LambdaExpression lambda) =>
        (LambdaExpression)typeof(InterpretedForm).GetMethod(nameof(InterpretedForm.Of))!.MakeGenericMethod(lambda.Type).Invoke(null, [lambda])!;

    [Fact]
    public void The_interpreted_form_of_a_loop_reads_no_lane_and_is_a_fraction_of_the_tree()
    {
        var full = TierLambda(Tiered(Loop));
        var interpreted = Interpreted(full);
        var before = Census.Of(full);
        var after = Census.Of(interpreted);
        Assert.True(before.LaneReads > 0, "the loop's full tree has lanes");
        Assert.Equal(0, after.LaneReads);
        // (each lane's opening keeps its flag: the note tier-up reads)
        Assert.Equal(before.LaneWrites, after.LaneWrites);
        Assert.DoesNotContain(RuntimeMethods.ListItemInt, after.Calls);
        Assert.DoesNotContain(RuntimeMethods.LaneMethods[typeof(string)].Item, after.Calls);
        Assert.True(after.Nodes * 2 < before.Nodes, $"{after.Nodes} nodes interpreted of {before.Nodes}");
        // (the render state's position, template and loop budget are reached through calls, not through the fields the
        // interpreter would read and write by reflection)
        Assert.True(before.StateFields > 0);
        Assert.Equal(0, after.StateFields);
    }

    [Fact]
    public void Errors_keep_their_position_and_a_cancelled_render_stops_in_the_interpreted_form()
    {
        var t = Tiered("{% for x in xs %}{{ x }}\n{% endfor %}{{ 1 // xs[1] }}");
        var ex = Assert.ThrowsAny<TemplateException>(() => t.Render(new Dictionary<string, object?> { ["xs"] = new List<int> { 1, 0 } }));
        Assert.Equal(2, ex.Line);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Tiered("{% for x in xs %}{{ x }}{% endfor %}")
            .Render(new Dictionary<string, object?> { ["xs"] = Enumerable.Range(0, 10).ToList() }, cancelled.Token));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_loop_interpreted_without_lanes_still_gets_its_lane_at_tier_up(int kind)
    {
        var (list, printed, item) = Source(kind);
        var data = new Dictionary<string, object?> { ["xs"] = list };
        var t = Tiered(Loop);
        Assert.Equal(printed, t.Render(data));
        Assert.Equal(printed, t.Render(data));
        // (what tier-up makes of the function: the lane this list's loop noted while interpreted)
        Assert.Contains(item.Method, ReferenceLaneTests.PromotedCalls(t));
        t.Compiled.Promote();
        Assert.Equal(printed, t.Render(data));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_loop_never_promoted_renders_every_list_kind_as_compiled_code_does(int kind)
    {
        var (list, printed, _) = Source(kind);
        var data = new Dictionary<string, object?> { ["xs"] = list, ["ys"] = new List<int>() };
        const string source = "{% for x in xs %}{{ loop.index }}{{ x }}{{ '.' if loop.last }}{% if loop.first %}{% continue %}{% endif %};{% endfor %}"
            + "{% for y in ys %}{{ y }}{% else %}none{% endfor %}{% for x in xs %}{% if loop.index > 1 %}{% break %}{% endif %}[{{ x }}]{% endfor %}";
        string Render(KidaOptions o) =>
            new KidaEnvironment(o with { Loader = new DictLoader(new Dictionary<string, string> { ["t"] = source }) }).GetTemplate("t").Render(data);
        var compiled = Render(new KidaOptions { TieredCompilation = false });
        Assert.Equal(compiled, Render(new KidaOptions { TierUpAfterRenders = int.MaxValue }));
        Assert.Equal(compiled, Render(new KidaOptions { PreferInterpretation = true }));
        Assert.StartsWith("1" + printed.Split(',')[0], compiled);
        Assert.EndsWith("none[" + printed.Split(',')[0] + "]", compiled);
    }

    [Fact]
    public void A_tree_too_deep_for_the_stack_left_fails_with_an_exception_instead_of_ending_the_process()
    {
        // (the first call of a function may come deep in a render; a 200,000-deep tree on a 1 MB thread)
        var flag = Expression.Parameter(typeof(bool), "flag");
        Expression body = flag;
        for (var i = 0; i < 200_000; i++) body = Expression.Not(body);
        var lambda = Expression.Lambda<Func<bool, bool>>(body, flag);
        Exception? caught = null;
        var thread = new Thread(() =>
        {
            try { InterpretedForm.Of(lambda); }
            catch (Exception ex) { caught = ex; }
        }, 1 << 20);
        thread.Start();
        thread.Join();
        Assert.IsType<InsufficientExecutionStackException>(caught);
    }

    /// <summary>What a tree holds: its nodes (shared ones counted where they recur, as the compiler lowers them), the
    /// reads and writes of lane flags, and the methods it calls.</summary>
    private sealed class Census : ExpressionVisitor
    {
        public int Nodes, LaneReads, LaneWrites, StateFields;
        public readonly HashSet<System.Reflection.MethodInfo> Calls = [];

        public static Census Of(Expression e)
        {
            var c = new Census();
            c.Visit(e);
            return c;
        }

        public override Expression? Visit(Expression? node)
        {
            if (node is not null) Nodes++;
            return base.Visit(node);
        }

        protected override Expression VisitBinary(BinaryExpression node)
        {
            if (node.NodeType == ExpressionType.Assign && node.Left is MemberExpression m && m.Member == RuntimeMethods.IntLaneSeen)
            {
                LaneWrites++;
                Visit(node.Right);
                return node;
            }
            return base.VisitBinary(node);
        }

        protected override Expression VisitMember(MemberExpression node)
        {
            if (node.Member == RuntimeMethods.IntLaneSeen) LaneReads++;
            if (node.Member == RuntimeMethods.RenderStatePos || node.Member == RuntimeMethods.RenderStateCurrent || node.Member == RuntimeMethods.RenderStateLoopCountdown)
                StateFields++;
            return base.VisitMember(node);
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            Calls.Add(node.Method);
            return base.VisitMethodCall(node);
        }
    }
}
