using System.Linq.Expressions;
using Kida.Runtime;

namespace Kida.Compilation;

internal sealed partial class SiteInliner
{
    /// <summary>The largest macro body inlined (in expression nodes), and the most inlined into one function.</summary>
    private const int MaxInlinedBody = 600, MaxInlinedPerFunction = 3000;

    private int _inlining;
    private int _inlined;

    /// <summary>
    /// <c>{{ m(a) }}</c> / <c>{{ m(a, b) }}</c> whose site has called one top-level macro body (without argument checks)
    /// while its function ran interpreted: the body is copied into the call site behind a check that the callee still runs
    /// it. The inlined call does what <see cref="Macro.WritePositional"/> does (the recursion budget, the template stack
    /// noted when an error leaves it, a missing parameter passed as <see cref="Macro.Missing"/>), without the call, the
    /// dispatch and the delegate. Any other callee takes the call as before. Bodies inlined do not inline further.
    /// </summary>
    private Expression? InlinedMacroCall(MethodCallExpression call)
    {
        // (m.name(a): the same call with the callee read as the member macro of m, Calls.WriteMethodCall1)
        var member = call.Method == RuntimeMethods.WriteMethodCall1 || call.Method == RuntimeMethods.WriteMethodCall2;
        var count = call.Method == RuntimeMethods.WriteCall1 || call.Method == RuntimeMethods.WriteMethodCall1 ? 1
            : call.Method == RuntimeMethods.WriteCall2 || call.Method == RuntimeMethods.WriteMethodCall2 ? 2 : 0;
        if (count == 0 || _inlining > 0 || call.Arguments[^1] is not ConstantExpression { Value: MacroCallSite site }) return null;
        var code = Volatile.Read(ref site.Seen);
        if (code is null || ReferenceEquals(code, MacroCallSite.Several) || code.InlineBody is not { } body || count > code.Arity) return null;
        var size = code.InlineSize;
        if (size == 0) code.InlineSize = size = BodyCopier.Size(body);
        if (size > MaxInlinedBody || _inlined + size > MaxInlinedPerFunction) return null;
        _inlined += size;

        var rs = Expression.Variable(typeof(RenderState), "rs");
        var output = Expression.Variable(typeof(Output), "out");
        var callee = Expression.Variable(typeof(object), "callee");
        var a0 = Expression.Variable(typeof(object), "arg0");
        var a1 = Expression.Variable(typeof(object), "arg1");
        var savedCaller = Expression.Variable(typeof(CompiledTemplate), "caller");
        var savedPos = Expression.Variable(typeof(int), "pos");
        // what WritePositional passes: a parameter beyond the arguments is Missing, an argument beyond the parameters cannot be
        Expression first = code.Arity > 0 ? a0 : Expression.Constant(null, typeof(object));
        Expression second = code.Arity < 2 ? Expression.Constant(null, typeof(object)) : count > 1 ? a1 : Expression.Constant(Macro.Missing, typeof(object));
        Expression inlined = BodyCopier.Inline(body, [rs, Expression.Call(RuntimeMethods.MacroContextOf, callee), first, second, output]);
        _inlining++;
        try
        {
            inlined = Visit(inlined);
        }
        finally
        {
            _inlining--;
        }
        var ex = Expression.Variable(typeof(Exception), "ex");
        var run = Expression.Block(
            Expression.Assign(savedCaller, Expression.Field(rs, RuntimeMethods.RenderStateCurrent)),
            Expression.Assign(savedPos, Expression.Field(rs, RuntimeMethods.RenderStatePos)),
            Expression.Call(rs, RuntimeMethods.RenderStateEnter),
            Expression.TryCatchFinally(inlined,
                Expression.Call(rs, RuntimeMethods.RenderStateExit),
                Expression.Catch(ex, Expression.Rethrow(),
                    Expression.Call(rs, RuntimeMethods.RenderStateNoteFrame, ex, Expression.Constant("macro"), Expression.Constant(code.Name, typeof(string)),
                        savedCaller, savedPos))));
        // (the arguments after the callee: for m.name(a), after the namespace and the name)
        var at = member ? 3 : 2;
        var obj = Expression.Variable(typeof(object), "obj");
        var generic = (member, count) switch
        {
            (false, 1) => Expression.Call(call.Method, rs, output, callee, a0, Visit(call.Arguments[4]), call.Arguments[5]),
            (false, _) => Expression.Call(call.Method, rs, output, callee, a0, a1, Visit(call.Arguments[5]), call.Arguments[6]),
            (true, 1) => Expression.Call(call.Method, rs, output, obj, call.Arguments[3], a0, Visit(call.Arguments[5]), call.Arguments[6]),
            (true, _) => Expression.Call(call.Method, rs, output, obj, call.Arguments[3], a0, a1, Visit(call.Arguments[6]), call.Arguments[7]),
        };
        var prologue = new List<Expression>
        {
            Expression.Assign(rs, Visit(call.Arguments[0])),
            Expression.Assign(output, Visit(call.Arguments[1])),
            member ? Expression.Assign(obj, Visit(call.Arguments[2])) : Expression.Assign(callee, Visit(call.Arguments[2])),
            Expression.Assign(a0, Visit(call.Arguments[at + 1])),
        };
        if (count > 1) prologue.Add(Expression.Assign(a1, Visit(call.Arguments[at + 2])));
        // (the member read after the arguments, as the call reads it)
        if (member) prologue.Add(Expression.Assign(callee, Expression.Call(RuntimeMethods.MemberMacro, obj, call.Arguments[3])));
        prologue.Add(Expression.IfThenElse(
            Expression.ReferenceEqual(Expression.Call(RuntimeMethods.MacroCodeOf, callee), Expression.Constant(code)),
            run, generic));
        List<ParameterExpression> locals = [rs, output, callee, a0, savedCaller, savedPos];
        if (count > 1) locals.Add(a1);
        if (member) locals.Add(obj);
        return Expression.Block(typeof(void), locals, prologue);
    }
}
