using System.Linq.Expressions;

namespace Kida.Compilation;

/// <summary>
/// A function body copied for inlining at a call site: the lambda's parameters become variables holding the call's
/// values, and every variable, catch variable, nested lambda parameter and label the body declares is a fresh one, so
/// the same body can be inlined at several sites of one function.
/// </summary>
internal sealed class BodyCopier : ExpressionVisitor
{
    private readonly Dictionary<ParameterExpression, ParameterExpression> _variables = new();
    private readonly Dictionary<LabelTarget, LabelTarget> _labels = new();

    private BodyCopier() { }

    /// <summary>The body of <paramref name="lambda"/> (returning void) as a block that first binds its parameters to <paramref name="arguments"/>, in order.</summary>
    public static Expression Inline(LambdaExpression lambda, IReadOnlyList<Expression> arguments)
    {
        if (arguments.Count != lambda.Parameters.Count || lambda.ReturnType != typeof(void))
            throw new ArgumentException("The arguments do not match the function inlined.", nameof(arguments));
        var copier = new BodyCopier();
        var parameters = new ParameterExpression[arguments.Count];
        var body = new Expression[arguments.Count + 1];
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i] = copier.Fresh(lambda.Parameters[i]);
            body[i] = Expression.Assign(parameters[i], arguments[i]);
        }
        body[^1] = copier.Visit(lambda.Body);
        return Expression.Block(typeof(void), parameters, body);
    }

    /// <summary>Counts the nodes of an expression tree (how big an inlined body would be).</summary>
    public static int Size(Expression node)
    {
        var counter = new Counter();
        counter.Visit(node);
        return counter.Count;
    }

    private ParameterExpression Fresh(ParameterExpression declared) =>
        _variables[declared] = Expression.Variable(declared.Type, declared.Name);

    protected override Expression VisitParameter(ParameterExpression node) =>
        _variables.TryGetValue(node, out var copy) ? copy : node;

    protected override Expression VisitBlock(BlockExpression node)
    {
        foreach (var v in node.Variables) Fresh(v);
        return base.VisitBlock(node);
    }

    protected override CatchBlock VisitCatchBlock(CatchBlock node)
    {
        if (node.Variable is { } v) Fresh(v);
        return base.VisitCatchBlock(node);
    }

    protected override Expression VisitLambda<T>(Expression<T> node)
    {
        foreach (var p in node.Parameters) _variables[p] = Expression.Parameter(p.IsByRef ? p.Type.MakeByRefType() : p.Type, p.Name);
        return base.VisitLambda(node);
    }

    protected override Expression VisitRuntimeVariables(RuntimeVariablesExpression node) =>
        throw new NotSupportedException("A body reading its variables at run time is not inlined.");

    protected override LabelTarget? VisitLabelTarget(LabelTarget? node)
    {
        if (node is null) return null;
        if (!_labels.TryGetValue(node, out var copy)) _labels[node] = copy = Expression.Label(node.Type, node.Name);
        return copy;
    }

    private sealed class Counter : ExpressionVisitor
    {
        public int Count;

        public override Expression? Visit(Expression? node)
        {
            if (node is not null) Count++;
            return base.Visit(node);
        }
    }
}
