using System.Linq.Expressions;
using Kida.Runtime;

namespace Kida.Compilation;

/// <summary>
/// The form of a tiered template function the expression interpreter runs until tier-up: the function with its for
/// loops' typed lanes taken out (under <see cref="KidaOptions.PreferInterpretation"/> the emitter makes none). A lane walks
/// a model <c>List&lt;T&gt;</c> in place for the IL tier-up compiles (Emitter.EmitForCore); interpreted, the general
/// path walks the same list with the same result, so a loop keeps only the note that it met such a list (the lane's
/// flag, which tier-up reads to keep the lane). Each lane repeats its test at the loop's opening, every item and the
/// release, which made a one-line loop some 700 expression nodes for the interpreter's compiler to lower at every load:
/// the cost of loading a template, which a cache that evicts pays again and again. The render state's position,
/// current template and loop budget are read and written through small methods instead of their fields (the interpreter
/// reaches a field through reflection and boxes its value: a long list's interpreted render ran 13 % faster without).
/// </summary>
internal sealed class InterpretedForm : ExpressionVisitor
{
    private InterpretedForm() { }

    /// <summary><paramref name="lambda"/> without its loops' lanes (itself when it has none).</summary>
    public static Expression<TDelegate> Of<TDelegate>(Expression<TDelegate> lambda) where TDelegate : Delegate =>
        (Expression<TDelegate>)new InterpretedForm().Visit(lambda);

    /// <summary>A lane's flag read: closed, as if no lane had opened. The render state's position and template, and its
    /// token's flag, read through calls (the interpreter reads a field through reflection, boxing it).</summary>
    protected override Expression VisitMember(MemberExpression node)
    {
        if (IsLaneFlag(node)) return Expression.Constant(false);
        if (node.Member == RuntimeMethods.RenderStatePos) return Expression.Call(GetPos, Visit(node.Expression)!);
        if (node.Member == RuntimeMethods.RenderStateCurrent) return Expression.Call(GetCurrent, Visit(node.Expression)!);
        if (node.Member == TokenRequested && node.Expression is MemberExpression token && token.Member == RuntimeMethods.RenderStateToken)
            return Expression.Call(CancellationRequested, Visit(token.Expression)!);
        return base.VisitMember(node);
    }

    private static readonly System.Reflection.PropertyInfo TokenRequested = typeof(CancellationToken).GetProperty(nameof(CancellationToken.IsCancellationRequested))!;
    private static readonly System.Reflection.MethodInfo GetPos = typeof(InterpretedForm).GetMethod(nameof(ReadPos), System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!;
    private static readonly System.Reflection.MethodInfo SetPos = typeof(InterpretedForm).GetMethod(nameof(WritePos), System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!;
    private static readonly System.Reflection.MethodInfo GetCurrent = typeof(InterpretedForm).GetMethod(nameof(ReadCurrent), System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!;
    private static readonly System.Reflection.MethodInfo SetCurrent = typeof(InterpretedForm).GetMethod(nameof(WriteCurrent), System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!;
    private static readonly System.Reflection.MethodInfo CountDown = typeof(InterpretedForm).GetMethod(nameof(CountDownLoop), System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!;
    private static readonly System.Reflection.MethodInfo CancellationRequested = typeof(InterpretedForm).GetMethod(nameof(IsCancellationRequested), System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!;

    private static int ReadPos(RenderState rs) => rs.Pos;
    private static int WritePos(RenderState rs, int pos) => rs.Pos = pos;
    private static CompiledTemplate? ReadCurrent(RenderState rs) => rs.Current;
    private static CompiledTemplate? WriteCurrent(RenderState rs, CompiledTemplate? template) => rs.Current = template;
    private static int CountDownLoop(RenderState rs) => --rs.LoopCountdown;
    private static bool IsCancellationRequested(RenderState rs) => rs.CancellationToken.IsCancellationRequested;

    private static bool IsLaneFlag(Expression e) =>
        e is MemberExpression { Expression: ConstantExpression { Value: Iteration.IntLaneSite } } m && m.Member == RuntimeMethods.IntLaneSeen;

    protected override Expression VisitUnary(UnaryExpression node)
    {
        // (a loop's back-edge counting down the render's budget)
        if (node.NodeType == ExpressionType.PreDecrementAssign && node.Operand is MemberExpression { Expression: { } state } countdown
            && countdown.Member == RuntimeMethods.RenderStateLoopCountdown)
            return Expression.Call(CountDown, Visit(state));
        return ConstantFolding.Not(base.VisitUnary(node));
    }

    protected override Expression VisitBinary(BinaryExpression node)
    {
        // (the flag set where a loop opens such a list stays set: the note tier-up reads)
        if (node.NodeType == ExpressionType.Assign && IsLaneFlag(node.Left)) return node.Update(node.Left, null, Visit(node.Right));
        // (the position and template set through calls: the interpreter sets a field through reflection, boxing it)
        if (node.NodeType == ExpressionType.Assign && node.Left is MemberExpression { Expression: { } state } field)
        {
            if (field.Member == RuntimeMethods.RenderStatePos) return Expression.Call(SetPos, Visit(state), Visit(node.Right));
            if (field.Member == RuntimeMethods.RenderStateCurrent) return Expression.Call(SetCurrent, Visit(state), Visit(node.Right));
        }
        return ConstantFolding.Logic(base.VisitBinary(node));
    }

    protected override Expression VisitConditional(ConditionalExpression node)
    {
        // a lane's opening (source is List<T> ? { flag = true; the list } : null): the flag noted, the lane left closed
        // (no snapshot of a list of ints taken that nothing would read or give back)
        if (node.IfTrue is BlockExpression { Expressions: [BinaryExpression { NodeType: ExpressionType.Assign, Left: var flag } setFlag, ..] }
            && IsLaneFlag(flag) && node.IfFalse is ConstantExpression { Value: null } closed)
            return Expression.Condition(Visit(node.Test), Expression.Block(setFlag, closed), closed, node.Type);
        return ConstantFolding.Choice(node, Visit(node.Test), e => Visit(e));
    }

    /// <summary>
    /// Every node, on a stack with room (the first call of a function may come deep in a render: a tree too deep for
    /// what is left fails the render with an exception instead of ending the process).
    /// </summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(node))]
    public override Expression? Visit(Expression? node)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        return base.Visit(node);
    }
}
