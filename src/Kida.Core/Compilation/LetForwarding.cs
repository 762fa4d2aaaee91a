using System.Linq.Expressions;

namespace Kida.Compilation;

/// <summary>
/// At tier-up, before <see cref="TypedLocals"/>: a template-scope write printed at once,
/// <c>{% let z = x.id + 1 %}{{ z }}</c>, whose statements are <c>ctx.Set("z", V)</c> and then, with only literal text
/// between them, <c>out.WriteValue(ctx.Resolve("z"))</c>. Nothing can run between the two, so the lookup finds exactly
/// the value just stored: it is kept in a local (<c>tmp = V; ctx.Set("z", tmp); … WriteValue(tmp)</c>) and the print
/// reads the local, which TypedLocals then prints unboxed when V is a typed result. The context still receives the value
/// as before (anything later reads it from there).
/// </summary>
internal static class LetForwarding
{
    public static Expression<TDelegate> Rewrite<TDelegate>(Expression<TDelegate> lambda) where TDelegate : Delegate
    {
        var forwarding = new Rewriter();
        var forwarded = (Expression<TDelegate>)forwarding.Visit(lambda);
        return forwarding.Writes.Count == 0 ? forwarded : (Expression<TDelegate>)new Sinker(forwarding.Writes).Visit(forwarded);
    }

    /// <summary>A forwarded write: the context, the name and the local holding the value.</summary>
    private sealed record Forwarded(Expression Context, string Name, ParameterExpression Value);

    private sealed class Rewriter : ExpressionVisitor
    {
        /// <summary>The forwarded <c>ctx.Set(name, local)</c> calls this pass made.</summary>
        public readonly Dictionary<MethodCallExpression, Forwarded> Writes = new();

        protected override Expression VisitBlock(BlockExpression node)
        {
            var visited = (BlockExpression)base.VisitBlock(node);
            var statements = visited.Expressions;
            List<Expression>? rewritten = null;
            List<ParameterExpression>? locals = null;
            for (var k = 0; k < statements.Count; k++)
            {
                if (Write(statements[k]) is not var (setPrefix, set) || set.Arguments[0] is not ConstantExpression { Value: string name }) continue;
                // the next statement that is not literal text must print exactly this name from the same context
                var next = k + 1;
                while (next < statements.Count && IsLiteralText(statements[next])) next++;
                if (next >= statements.Count || Print(statements[next]) is not var (printPrefix, print, resolve)
                    || resolve.Object != set.Object || resolve.Arguments[0] is not ConstantExpression { Value: string read } || read != name) continue;
                rewritten ??= [.. statements];
                locals ??= [.. visited.Variables];
                var value = Expression.Variable(typeof(object), "let_" + name);
                locals.Add(value);
                var store = set.Update(set.Object, [set.Arguments[0], value]);
                Writes[store] = new Forwarded(set.Object!, name, value);
                rewritten[k] = Expression.Block(typeof(void), [.. setPrefix, Expression.Assign(value, set.Arguments[1]), store]);
                rewritten[next] = Expression.Block(typeof(void), [.. printPrefix, print.Update(print.Object, [value, print.Arguments[1]])]);
                k = next;
            }
            return rewritten is null ? visited : Expression.Block(visited.Type, locals!, rewritten);
        }

        /// <summary><c>{ rs.Pos = p; ctx.Set("name", V) }</c>: the position store(s) and the call.</summary>
        private static (Expression[] Prefix, MethodCallExpression Set)? Write(Expression e)
        {
            if (e is MethodCallExpression { Method: var m } direct && m == RuntimeMethods.ContextSet) return ([], direct);
            if (e is BlockExpression { Variables.Count: 0, Expressions: var list } && list[^1] is MethodCallExpression { Method: var bm } call
                && bm == RuntimeMethods.ContextSet && list.Take(list.Count - 1).All(IsPositionStore))
                return ([.. list.Take(list.Count - 1)], call);
            return null;
        }

        /// <summary><c>{ rs.Pos = p; out.WriteValue(ctx.Resolve("name", site), escape) }</c>: the position store(s), the print and the lookup.</summary>
        private static (Expression[] Prefix, MethodCallExpression Print, MethodCallExpression Resolve)? Print(Expression e)
        {
            Expression[] prefix = [];
            if (e is BlockExpression { Variables.Count: 0, Expressions: var list } && list.Take(list.Count - 1).All(IsPositionStore))
            {
                prefix = [.. list.Take(list.Count - 1)];
                e = list[^1];
            }
            if (e is not MethodCallExpression { Method: var m } print || m != RuntimeMethods.OutputWriteValue) return null;
            var arg = print.Arguments[0];
            while (arg is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) arg = c.Operand;
            return arg is MethodCallExpression { Method: var rm } resolve && rm == RuntimeMethods.ContextResolveSite ? (prefix, print, resolve) : null;
        }

        private static bool IsPositionStore(Expression e) =>
            e is BinaryExpression { NodeType: ExpressionType.Assign, Left: MemberExpression { Member: var f }, Right: ConstantExpression } && f == RuntimeMethods.RenderStatePos;

        private static bool IsLiteralText(Expression e) =>
            e is MethodCallExpression { Method: var m, Arguments: [ConstantExpression] } && m == RuntimeMethods.OutputWriteString;
    }

    /// <summary>
    /// A forwarded write inside a <c>for</c> loop whose body nothing else can see the context from (no call that could run
    /// template code: macros, blocks, includes, filters, delegates; no other read or write of the name) is stored once,
    /// when the loop is left, instead of on every iteration: each iteration keeps the value in its local and marks it
    /// pending, and the loop's finally writes the last one (also when an error leaves the loop, so a <c>{% try %}</c> around
    /// it sees what it would have seen). Nothing could have read the context in between, so nothing sees a difference.
    /// </summary>
    private sealed class Sinker(Dictionary<MethodCallExpression, Forwarded> writes) : ExpressionVisitor
    {
        protected override Expression VisitTry(TryExpression node)
        {
            var visited = (TryExpression)base.VisitTry(node);
            if (visited is not { Body: LoopExpression loop, Finally: { } fin, Handlers.Count: 0, Fault: null }) return visited;
            var scan = new Scan(writes);
            scan.Visit(loop.Body);
            var sunk = scan.Found.Where(f => !scan.Touched.Contains(f.Value.Name)).ToDictionary(f => f.Key, f => f.Value);
            if (scan.Opaque || sunk.Count == 0) return visited;
            var pending = sunk.ToDictionary(f => f.Key, f => Expression.Variable(typeof(bool), f.Value.Value.Name + "_pending"));
            var body = new Sink(sunk, pending).Visit(loop);
            var flush = sunk.Select(f => (Expression)Expression.IfThen(pending[f.Key],
                Expression.Call(f.Value.Context, RuntimeMethods.ContextSet, Expression.Constant(f.Value.Name), f.Value.Value)));
            return Expression.Block(visited.Type, [.. sunk.Values.Select(f => f.Value), .. pending.Values],
            [
                .. pending.Values.Select(p => (Expression)Expression.Assign(p, Expression.Constant(false))),
                Expression.TryFinally(body, Expression.Block(typeof(void), [fin, .. flush])),
            ]);
        }

        // what may run inside a sunk loop: writing output, operators, boxes, value and member reads, iteration and
        // loop-variable helpers (none of them reaches the template context); a context read of another name
        private static readonly HashSet<Type> Inert =
        [
            typeof(Runtime.Output), typeof(Runtime.FastOps), typeof(Runtime.Boxes), typeof(Runtime.Values), typeof(Runtime.MemberAccess),
            typeof(Runtime.Iteration), typeof(Runtime.LoopContext), typeof(Runtime.Numbers), typeof(Runtime.PyString), typeof(Runtime.Comparison),
            typeof(string), typeof(Math),
            // the loop's own fetch of the next item from an iterator
            typeof(System.Collections.IEnumerator), typeof(IEnumerator<object?>), typeof(IDisposable),
        ];

        private sealed class Scan(Dictionary<MethodCallExpression, Forwarded> writes) : ExpressionVisitor
        {
            public readonly Dictionary<MethodCallExpression, Forwarded> Found = new();
            public readonly HashSet<string> Touched = new(StringComparer.Ordinal);
            public bool Opaque;

            protected override Expression VisitMethodCall(MethodCallExpression node)
            {
                if (writes.TryGetValue(node, out var forwarded))
                {
                    // a second write of the name in the loop: leave both alone
                    if (Found.Values.Any(f => f.Name == forwarded.Name)) Touched.Add(forwarded.Name);
                    Found[node] = forwarded;
                }
                else if (node.Method == RuntimeMethods.ContextResolveSite || node.Method == RuntimeMethods.ContextSet)
                {
                    if (node.Arguments[0] is ConstantExpression { Value: string name }) Touched.Add(name);
                    else Opaque = true;
                }
                else if (node.Method == RuntimeMethods.ContextDataFor) { }
                else if (node.Method.DeclaringType is not { } t || !(Inert.Contains(t) || t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>)))
                    Opaque = true;
                return base.VisitMethodCall(node);
            }

            protected override Expression VisitInvocation(InvocationExpression node)
            {
                Opaque = true;
                return base.VisitInvocation(node);
            }

            protected override Expression VisitLambda<T>(Expression<T> node)
            {
                Opaque = true;
                return node;
            }
        }

        private sealed class Sink(Dictionary<MethodCallExpression, Forwarded> sunk, Dictionary<MethodCallExpression, ParameterExpression> pending) : ExpressionVisitor
        {
            private readonly HashSet<ParameterExpression> _hoisted = [.. sunk.Values.Select(f => f.Value)];

            protected override Expression VisitMethodCall(MethodCallExpression node) =>
                pending.TryGetValue(node, out var flag) ? Expression.Assign(flag, Expression.Constant(true)) : base.VisitMethodCall(node);

            protected override Expression VisitBlock(BlockExpression node)
            {
                var visited = (BlockExpression)base.VisitBlock(node);
                // the local now lives around the loop
                return visited.Variables.Any(_hoisted.Contains)
                    ? Expression.Block(visited.Type, visited.Variables.Where(v => !_hoisted.Contains(v)), visited.Expressions)
                    : visited;
            }
        }
    }
}
