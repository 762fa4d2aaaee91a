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
/// the cost of loading a template, which a cache that evicts pays again and again.
/// </summary>
internal sealed class InterpretedForm : ExpressionVisitor
{
    private InterpretedForm() { }

    /// <summary><paramref name="lambda"/> without its loops' lanes (itself when it has none).</summary>
    public static Expression<TDelegate> Of<TDelegate>(Expression<TDelegate> lambda) where TDelegate : Delegate =>
        (Expression<TDelegate>)new InterpretedForm().Visit(lambda);

    /// <summary>A lane's flag read: closed, as if no lane had opened.</summary>
    protected override Expression VisitMember(MemberExpression node) =>
        IsLaneFlag(node) ? Expression.Constant(false) : base.VisitMember(node);

    private static bool IsLaneFlag(Expression e) =>
        e is MemberExpression { Expression: ConstantExpression { Value: Iteration.IntLaneSite } } m && m.Member == RuntimeMethods.IntLaneSeen;

    protected override Expression VisitUnary(UnaryExpression node)
    {
        var visited = base.VisitUnary(node);
        return visited is UnaryExpression { NodeType: ExpressionType.Not, Operand: ConstantExpression { Value: bool b } } ? Expression.Constant(!b) : visited;
    }

    protected override Expression VisitBinary(BinaryExpression node)
    {
        // (the flag set where a loop opens such a list stays set: the note tier-up reads)
        if (node.NodeType == ExpressionType.Assign && IsLaneFlag(node.Left)) return node.Update(node.Left, null, Visit(node.Right));
        var visited = base.VisitBinary(node);
        if (visited is BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.OrElse, Method: null } logic && logic.Right.Type == typeof(bool))
        {
            var and = logic.NodeType == ExpressionType.AndAlso;
            // (a constant on the left: the right side or the constant; on the right, when it does not decide: the left side)
            if (logic.Left is ConstantExpression { Value: bool left }) return and == left ? logic.Right : Expression.Constant(left);
            if (logic.Right is ConstantExpression { Value: bool right } && and == right) return logic.Left;
        }
        return visited;
    }

    protected override Expression VisitConditional(ConditionalExpression node)
    {
        // a lane's opening (source is List<T> ? { flag = true; the list } : null): the flag noted, the lane left closed
        // (no snapshot of a list of ints taken that nothing would read or give back)
        if (node.IfTrue is BlockExpression { Expressions: [BinaryExpression { NodeType: ExpressionType.Assign, Left: var flag } setFlag, ..] }
            && IsLaneFlag(flag) && node.IfFalse is ConstantExpression { Value: null } closed)
            return Expression.Condition(Visit(node.Test), Expression.Block(setFlag, closed), closed, node.Type);
        var test = Visit(node.Test);
        if (test is ConstantExpression { Value: bool taken })
        {
            var branch = Visit(taken ? node.IfTrue : node.IfFalse);
            // (an if without else has a void branch of its own type)
            return branch.Type == node.Type ? branch : Expression.Block(node.Type, branch);
        }
        return node.Update(test, Visit(node.IfTrue), Visit(node.IfFalse));
    }
}
