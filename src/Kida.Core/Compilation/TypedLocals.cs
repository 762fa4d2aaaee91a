using System.Linq.Expressions;
using Kida.Runtime;

namespace Kida.Compilation;

/// <summary>
/// After <see cref="SiteInliner"/>: a template variable assigned a typed result (<c>{% set y = x.id * 2 %}</c>, which
/// tier-up made <c>y = guard ? Box(long) : generic</c>) keeps the number unboxed beside it. The variable gets a shadow
/// value and a flag saying the shadow is current: the typed assignment sets the shadow (no box), any other assignment
/// clears the flag, <c>{{ y }}</c> prints the shadow directly, and any other read first boxes the shadow into the
/// variable once (so every later read sees the same object, as before). A variable a nested function reads or writes is
/// left alone. Output and values are what the boxed variable gives.
/// </summary>
internal static class TypedLocals
{
    public static Expression<TDelegate> Rewrite<TDelegate>(Expression<TDelegate> lambda) where TDelegate : Delegate
    {
        var survey = new Survey();
        survey.Visit(lambda.Body);
        var shadows = new Dictionary<ParameterExpression, Shadow>();
        foreach (var (variable, type) in survey.Typed)
            if (type is not null && !survey.Excluded.Contains(variable) && survey.Declared.Contains(variable))
                shadows[variable] = new Shadow(Expression.Variable(type, variable.Name + "_value"), Expression.Variable(typeof(bool), variable.Name + "_typed"));
        return shadows.Count == 0 ? lambda : (Expression<TDelegate>)new Rewriter(shadows).Visit(lambda)!;
    }

    private sealed record Shadow(ParameterExpression Value, ParameterExpression IsTyped);

    /// <summary><c>guard ? Box(v) : generic</c> as SiteInliner builds it for a long or double result, or null.</summary>
    private static (Expression Guard, Expression Value, Expression Generic)? TypedChoice(Expression e)
    {
        if (e is not ConditionalExpression { Type: var t } c || t != typeof(object)) return null;
        var value = c.IfTrue switch
        {
            MethodCallExpression call when call.Method == RuntimeMethods.BoxLong => call.Arguments[0],
            UnaryExpression { NodeType: ExpressionType.Convert, Operand.Type: var ot } convert when ot == typeof(double) => convert.Operand,
            _ => null,
        };
        return value is null ? null : (c.Test, value, c.IfFalse);
    }

    /// <summary>Which object variables are assigned a typed choice (and of which type), which are declared by a block, and which must be left alone.</summary>
    private sealed class Survey : ExpressionVisitor
    {
        public readonly Dictionary<ParameterExpression, Type?> Typed = new();
        public readonly HashSet<ParameterExpression> Excluded = new();
        public readonly HashSet<ParameterExpression> Declared = new();
        private int _nested;

        protected override Expression VisitBlock(BlockExpression node)
        {
            if (_nested == 0) foreach (var v in node.Variables) Declared.Add(v);
            return base.VisitBlock(node);
        }

        protected override Expression VisitLambda<T>(Expression<T> node)
        {
            _nested++;
            try { return base.VisitLambda(node); }
            finally { _nested--; }
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            if (_nested > 0) Excluded.Add(node);
            return node;
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            // a variable passed by reference could be written unseen
            var ps = node.Method.GetParameters();
            for (var i = 0; i < ps.Length; i++)
                if (ps[i].ParameterType.IsByRef && node.Arguments[i] is ParameterExpression p) Excluded.Add(p);
            return base.VisitMethodCall(node);
        }

        protected override Expression VisitBinary(BinaryExpression node)
        {
            if (node.NodeType == ExpressionType.Assign && node.Left is ParameterExpression { Type: var t } v && t == typeof(object))
            {
                var typed = TypedChoice(node.Right)?.Value.Type;
                // every typed assignment of one variable must agree on the type; untyped ones are fine (they clear the flag)
                if (typed is not null)
                    Typed[v] = Typed.TryGetValue(v, out var known) && known != typed ? null : typed;
            }
            else if (node.NodeType != ExpressionType.Assign && node.Left is ParameterExpression left && node.Left.Type == typeof(object)
                     && node.NodeType is ExpressionType.AddAssign or ExpressionType.SubtractAssign or ExpressionType.MultiplyAssign or ExpressionType.DivideAssign)
                Excluded.Add(left);
            return base.VisitBinary(node);
        }
    }

    private sealed class Rewriter(Dictionary<ParameterExpression, Shadow> shadows) : ExpressionVisitor
    {
        // whether the block being entered is a statement (its value unused): set by the enclosing block for each of its
        // expressions, cleared on the way into anything that is not a block
        private bool _statement;

        public override Expression? Visit(Expression? node)
        {
            if (node is BlockExpression) return base.Visit(node);
            var saved = _statement;
            _statement = false;
            try { return base.Visit(node); }
            finally { _statement = saved; }
        }

        private Expression V(Expression e) => Visit(e)!;

        protected override Expression VisitBlock(BlockExpression node)
        {
            var own = _statement || node.Type == typeof(void);
            var extra = node.Variables.Where(shadows.ContainsKey).SelectMany(v => new[] { shadows[v].Value, shadows[v].IsTyped }).ToList();
            var last = node.Expressions.Count - 1;
            var expressions = new List<Expression>(node.Expressions.Count);
            for (var i = 0; i <= last; i++)
            {
                var e = node.Expressions[i];
                var statement = i < last || own;
                // an assignment whose value nobody reads becomes a typed store
                if (statement && e is BinaryExpression { NodeType: ExpressionType.Assign, Left: ParameterExpression v } assign
                    && shadows.TryGetValue(v, out var shadow) && TypedChoice(assign.Right) is var (guard, value, generic))
                    expressions.Add(Expression.IfThenElse(V(guard),
                        Expression.Block(typeof(void), Expression.Assign(shadow.Value, V(value)), Expression.Assign(shadow.IsTyped, Expression.Constant(true))),
                        Expression.Block(typeof(void), Expression.Assign(v, V(generic)), Expression.Assign(shadow.IsTyped, Expression.Constant(false)))));
                else
                {
                    _statement = statement;
                    try { expressions.Add(Visit(e)!); }
                    finally { _statement = false; }
                }
            }
            // a statement block whose last expression became a statement has no value any more
            var type = own && expressions[last].Type != node.Type ? typeof(void) : node.Type;
            return Expression.Block(type, node.Variables.Concat(extra), expressions);
        }

        protected override Expression VisitBinary(BinaryExpression node)
        {
            if (node.NodeType == ExpressionType.Assign && node.Left is ParameterExpression v && shadows.TryGetValue(v, out var shadow))
                // an assignment used as a value: the variable holds it, the shadow is stale
                return Expression.Block(typeof(object),
                    Expression.Assign(v, V(node.Right)), Expression.Assign(shadow.IsTyped, Expression.Constant(false)), v);
            return base.VisitBinary(node);
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            if (!shadows.TryGetValue(node, out var shadow)) return node;
            // a read: the shadow boxed into the variable once, then the variable as always
            return Expression.Condition(shadow.IsTyped,
                Expression.Block(typeof(object),
                    Expression.Assign(node, Box(shadow.Value)), Expression.Assign(shadow.IsTyped, Expression.Constant(false)), node),
                node, typeof(object));
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            // {{ y }}: the shadow printed as the number it is
            if (node.Method == RuntimeMethods.OutputWriteValue && Unconverted(node.Arguments[0]) is ParameterExpression v && shadows.TryGetValue(v, out var shadow))
                return Expression.IfThenElse(shadow.IsTyped,
                    shadow.Value.Type == typeof(long)
                        ? Expression.Call(node.Object, RuntimeMethods.OutputWriteInt, shadow.Value)
                        : Expression.Call(node.Object, RuntimeMethods.OutputWriteDouble, shadow.Value),
                    node.Update(node.Object, [v, V(node.Arguments[1])]));
            return base.VisitMethodCall(node);
        }

        private static Expression Unconverted(Expression e)
        {
            while (e is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) e = c.Operand;
            return e;
        }

        private static Expression Box(ParameterExpression value) =>
            value.Type == typeof(long) ? Expression.Call(RuntimeMethods.BoxLong, value) : Expression.Convert(value, typeof(object));
    }
}
