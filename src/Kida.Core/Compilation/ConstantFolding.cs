using System.Linq.Expressions;

namespace Kida.Compilation;

/// <summary>
/// The folds a constant bool leaves behind where a rewrite put it in place of a flag: SiteInliner (a promoted site's
/// flag, read as what it is at promotion) and InterpretedForm (a loop lane's flag, read as closed). Each takes a node
/// whose parts are already rewritten.
/// </summary>
internal static class ConstantFolding
{
    /// <summary><c>not</c> over a constant: the constant negated; anything else as it is.</summary>
    public static Expression Not(Expression visited) =>
        visited is UnaryExpression { NodeType: ExpressionType.Not, Operand: ConstantExpression { Value: bool b } } ? Expression.Constant(!b) : visited;

    /// <summary>
    /// <c>and</c>/<c>or</c> with a constant on the left: the right side, or the constant when it decides; with a
    /// constant on the right that does not decide (<c>x and true</c>, <c>x or false</c>): the left side, whatever it does.
    /// </summary>
    public static Expression Logic(Expression visited)
    {
        if (visited is not BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.OrElse, Method: null } logic || logic.Type != typeof(bool))
            return visited;
        var and = logic.NodeType == ExpressionType.AndAlso;
        if (logic.Left is ConstantExpression { Value: bool left }) return and == left ? logic.Right : Expression.Constant(left);
        if (logic.Right is ConstantExpression { Value: bool right } && and == right) return logic.Left;
        return visited;
    }

    /// <summary>A choice whose rewritten <paramref name="test"/> is a constant: the branch it takes, rewritten (an if
    /// without else keeps its own void type); any other choice with its parts rewritten.</summary>
    public static Expression Choice(ConditionalExpression node, Expression test, Func<Expression, Expression> visit)
    {
        if (test is ConstantExpression { Value: bool taken })
        {
            var branch = visit(taken ? node.IfTrue : node.IfFalse);
            return branch.Type == node.Type ? branch : Expression.Block(node.Type, branch);
        }
        return node.Update(test, visit(node.IfTrue), visit(node.IfFalse));
    }
}
