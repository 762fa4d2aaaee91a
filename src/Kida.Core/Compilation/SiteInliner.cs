using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kida.Runtime;

namespace Kida.Compilation;

/// <summary>
/// Runs when a tiered function is promoted to IL: every member-access site that has seen one .NET type while the
/// function ran interpreted gets a typed fast path in front of its generic call, <c>obj.GetType() == T ?
/// ((T)obj).Member : Rt.GetAttrSite(...)</c>. The member is read without a delegate call, and a written member is
/// formatted without boxing. Any other type (or a site never reached) keeps the generic path, so output is unchanged.
/// </summary>
internal sealed class SiteInliner : ExpressionVisitor
{
    private static readonly MethodInfo GetAttrSite = typeof(Rt).GetMethod(nameof(Rt.GetAttrSite))!;
    private static readonly MethodInfo WriteAttrSite = typeof(Rt).GetMethod(nameof(Rt.WriteAttrSite))!;
    private static readonly MethodInfo MemberFailed = typeof(Rt).GetMethod(nameof(Rt.MemberReadFailed))!;
    private static readonly MethodInfo Unwrap = typeof(Py).GetMethod(nameof(Py.Unwrap))!;
    private static readonly MethodInfo Truthy = typeof(Py).GetMethod(nameof(Py.Truthy))!;
    private static readonly MethodInfo BoxInt = typeof(Boxes).GetMethod(nameof(Boxes.Int))!;
    private static readonly MethodInfo ResolveSite = typeof(Context).GetMethod(nameof(Context.Resolve), [typeof(string), typeof(MemberSite)])!;
    private static readonly MethodInfo DataFor = typeof(Context).GetMethod(nameof(Context.DataFor))!;
    private static readonly MethodInfo WriteValue = typeof(Output).GetMethod(nameof(Output.WriteValue))!;

    public static Expression<TDelegate> Inline<TDelegate>(Expression<TDelegate> lambda) where TDelegate : Delegate =>
        (Expression<TDelegate>)new SiteInliner().Visit(lambda);

    protected override Expression VisitMethodCall(MethodCallExpression node)
    {
        if (InterpreterCalls.Unpack(node) is { } direct) return VisitMethodCall(direct);
        if (node.Method == Truthy && TypedTruth(node) is { } truth) return truth;
        if (node.Method == WriteValue && TypedNameWrite(node) is { } nameWrite) return nameWrite;
        var visited = (MethodCallExpression)base.VisitMethodCall(node);
        if (visited.Method == ResolveSite && visited.Arguments[1] is ConstantExpression { Value: MemberSite rs })
            return TypedName(visited, (string)((ConstantExpression)visited.Arguments[0]).Value!, rs) ?? visited;
        if (visited.Method == GetAttrSite && visited.Arguments[3] is ConstantExpression { Value: MemberSite gs })
            return TypedRead(visited, visited.Arguments[1], (string)((ConstantExpression)visited.Arguments[2]).Value!, gs) ?? visited;
        if (visited.Method == WriteAttrSite && visited.Arguments[4] is ConstantExpression { Value: MemberSite ws })
            return TypedWrite(visited, visited.Arguments[1], visited.Arguments[2], (string)((ConstantExpression)visited.Arguments[3]).Value!,
                ws, visited.Arguments[5]) ?? visited;
        return visited;
    }

    /// <summary><c>{% if obj.flag %}</c> on a bool member: the member itself, no box and no truth test.</summary>
    private Expression? TypedTruth(MethodCallExpression truthy)
    {
        if (SiteCall(truthy.Arguments[0], GetAttrSite, 3) is not var (read, site)) return null;
        var name = (string)((ConstantExpression)read.Arguments[2]).Value!;
        if (Observed(site, name) is not var (type, member)) return null;
        if ((member is PropertyInfo p ? p.PropertyType : ((FieldInfo)member).FieldType) != typeof(bool)) return null;
        var obj = Expression.Variable(typeof(object), "obj");
        var access = Expression.MakeMemberAccess(Expression.Convert(obj, type), member);
        var generic = truthy.Update(null, [read.Update(read.Object, [Visit(read.Arguments[0]), obj, read.Arguments[2], read.Arguments[3]])]);
        return Expression.Block(typeof(bool), [obj],
            Expression.Assign(obj, Visit(read.Arguments[1])),
            Expression.Condition(Expression.TypeEqual(obj, type), Guarded(access, type, name), generic, typeof(bool)));
    }

    /// <summary>A call of <paramref name="method"/> (under conversions to object) whose argument <paramref name="siteArg"/> is its member site.</summary>
    private static (MethodCallExpression Call, MemberSite Site)? SiteCall(Expression arg, MethodInfo method, int siteArg)
    {
        while (arg is UnaryExpression { NodeType: ExpressionType.Convert } convert && convert.Type == typeof(object)) arg = convert.Operand;
        return arg is MethodCallExpression call && call.Method == method && call.Arguments[siteArg] is ConstantExpression { Value: MemberSite site }
            ? (call, site)
            : null;
    }

    /// <summary>A member value as its compiled getter returns it: bools and small ints from the shared boxes.</summary>
    private static Expression BoxedLikeGetter(Expression access) =>
        access.Type == typeof(bool)
            ? Expression.Condition(access, Expression.Constant(Boxes.True, typeof(object)), Expression.Constant(Boxes.False, typeof(object)))
            : access.Type == typeof(int) ? Expression.Call(BoxInt, access)
            : Expression.Convert(access, typeof(object));

    private static (Type Type, MemberInfo Member)? Observed(MemberSite site, string name)
    {
        var entry = Volatile.Read(ref site.Entry);
        if (entry is null || entry.Type.IsValueType || entry.Type.ContainsGenericParameters) return null;
        var member = Members.FindMember(entry.Type, name);
        return member is null ? null : (entry.Type, member);
    }

    private static Expression? TypedRead(MethodCallExpression call, Expression target, string name, MemberSite site)
    {
        if (Observed(site, name) is not var (type, member)) return null;
        var obj = Expression.Variable(typeof(object), "obj");
        var access = Expression.MakeMemberAccess(Expression.Convert(obj, type), member);
        var t = access.Type;
        Expression value;
        if (t == typeof(bool) || t == typeof(int) || (t.IsValueType && t != typeof(JsonElement) && Nullable.GetUnderlyingType(t) is null))
            value = BoxedLikeGetter(access);
        else
        {
            // what GetAttrSite does with the value: JSON unwrapped, null read through an attribute as ""
            Expression boxed = Expression.Convert(access, typeof(object));
            if (t == typeof(object) || t == typeof(JsonElement) || typeof(JsonNode).IsAssignableFrom(t) || t.IsAssignableFrom(typeof(JsonNode)))
                boxed = Expression.Call(Unwrap, boxed);
            value = Expression.Coalesce(boxed, Expression.Constant("", typeof(object)));
        }
        var rebound = call.Update(call.Object, [call.Arguments[0], obj, call.Arguments[2], call.Arguments[3]]);
        return Expression.Block(typeof(object), [obj],
            Expression.Assign(obj, target),
            Expression.Condition(Expression.TypeEqual(obj, type), Guarded(value, type, name), rebound, typeof(object)));
    }

    private static Expression? TypedWrite(MethodCallExpression call, Expression output, Expression target, string name, MemberSite site, Expression escape)
    {
        if (Observed(site, name) is not var (type, member)) return null;
        var obj = Expression.Variable(typeof(object), "obj");
        var access = Expression.MakeMemberAccess(Expression.Convert(obj, type), member);
        var write = Members.WriteExpression(access, output, escape);
        if (write is null) return null;
        var rebound = call.Update(call.Object, [call.Arguments[0], call.Arguments[1], obj, call.Arguments[3], call.Arguments[4], call.Arguments[5]]);
        return Expression.Block(typeof(void), [obj],
            Expression.Assign(obj, target),
            Expression.IfThenElse(Expression.TypeEqual(obj, type), Guarded(write, type, name), rebound));
    }

    /// <summary>
    /// A top-level name (<c>{{ title }}</c>) read from render data of the type this site saw: when no template variable
    /// of that name shadows the data, the member is read directly. The value is what the site's getter returns (booleans
    /// and small ints from the shared boxes); a failing getter reports K-RUN-010 as the generic path does.
    /// </summary>
    private static Expression? TypedName(MethodCallExpression call, string name, MemberSite site)
    {
        if (Observed(site, name) is not var (type, member)) return null;
        var obj = Expression.Variable(typeof(object), "data");
        var access = Expression.MakeMemberAccess(Expression.Convert(obj, type), member);
        var value = BoxedLikeGetter(access);
        return Expression.Block(typeof(object), [obj],
            Expression.Assign(obj, Expression.Call(call.Object, DataFor, call.Arguments[0])),
            Expression.Condition(Expression.TypeEqual(obj, type), Guarded(value, type, name), call, typeof(object)));
    }

    /// <summary><c>{{ year }}</c> on a top-level name of a primitive type: formatted straight into the output, no box.</summary>
    private Expression? TypedNameWrite(MethodCallExpression write)
    {
        if (SiteCall(write.Arguments[0], ResolveSite, 1) is not var (resolve, site)) return null;
        var name = (string)((ConstantExpression)resolve.Arguments[0]).Value!;
        if (Observed(site, name) is not var (type, member)) return null;
        var obj = Expression.Variable(typeof(object), "data");
        var access = Expression.MakeMemberAccess(Expression.Convert(obj, type), member);
        // only the types Output.WriteValue formats the same way; a null string prints None here (unlike an attribute)
        var t = access.Type;
        if (!(t == typeof(int) || t == typeof(long) || t == typeof(bool) || t == typeof(decimal) || t == typeof(double))
            || Members.WriteExpression(access, write.Object!, write.Arguments[1]) is not { } typed) return null;
        return Expression.Block(typeof(void), [obj],
            Expression.Assign(obj, Expression.Call(resolve.Object, DataFor, resolve.Arguments[0])),
            Expression.IfThenElse(Expression.TypeEqual(obj, type), Guarded(typed, type, name), write));
    }

    /// <summary>A failing getter reports as the generic path does (K-RUN-010 naming the type and member).</summary>
    private static Expression Guarded(Expression body, Type type, string name)
    {
        var ex = Expression.Variable(typeof(Exception), "ex");
        return Expression.TryCatch(body,
            Expression.Catch(ex, Expression.Throw(Expression.Call(MemberFailed, ex, Expression.Constant(type), Expression.Constant(name)), body.Type)));
    }
}
