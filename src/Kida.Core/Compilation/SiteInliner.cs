using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kida.Runtime;

namespace Kida.Compilation;

/// <summary>
/// Runs when a tiered function is promoted to IL: every member-access site that has seen one .NET type while the
/// function ran interpreted gets a typed fast path in front of its generic call, <c>obj.GetType() == T ?
/// ((T)obj).Member : MemberAccess.GetAttrSite(...)</c>. The member is read without a delegate call, and a written member is
/// formatted without boxing. Any other type (or a site never reached) keeps the generic path, so output is unchanged.
/// </summary>
internal sealed partial class SiteInliner : ExpressionVisitor
{
    private static readonly MethodInfo GetAttrSite = RuntimeMethods.GetAttrSite;
    private static readonly MethodInfo WriteAttrSite = RuntimeMethods.WriteAttrSite;
    private static readonly MethodInfo MemberFailed = RuntimeMethods.MemberReadFailed;
    private static readonly MethodInfo Unwrap = RuntimeMethods.Unwrap;
    private static readonly MethodInfo Truthy = RuntimeMethods.Truthy;
    private static readonly MethodInfo BoxInt = RuntimeMethods.BoxInt;
    private static readonly MethodInfo ResolveSite = RuntimeMethods.ContextResolveSite;
    private static readonly MethodInfo DataFor = RuntimeMethods.ContextDataFor;
    private static readonly MethodInfo WriteValue = RuntimeMethods.OutputWriteValue;

    // where the rewritten helpers take their operands, found from their parameter types (checked once, at first use):
    // GetAttrSite(rs, obj, name, site), WriteAttrSite(rs, output, obj, name, site, escape), Resolve(name, site)
    private static readonly int ReadSite = SiteIndex(GetAttrSite);
    private static readonly int WriteSite = SiteIndex(WriteAttrSite);
    private static readonly int NameSite = SiteIndex(ResolveSite);

    /// <summary>The index of <paramref name="helper"/>'s <see cref="MemberSite"/> parameter; the member name comes just before it and the object before that.</summary>
    private static int SiteIndex(MethodInfo helper)
    {
        var ps = helper.GetParameters();
        var site = Array.FindIndex(ps, p => p.ParameterType == typeof(MemberSite));
        if (site < 1 || ps[site - 1].ParameterType != typeof(string))
            throw new InvalidOperationException($"{helper.DeclaringType?.Name}.{helper.Name} no longer takes (..., string name, MemberSite site, ...)");
        return site;
    }

    public static Expression<TDelegate> Inline<TDelegate>(Expression<TDelegate> lambda) where TDelegate : Delegate =>
        // (twice: a variable set from an operation on a shadowed variable, {% set y = x * 2 %}, gets a shadow of its own)
        TypedLocals.Rewrite(TypedLocals.Rewrite(LetForwarding.Rewrite(new SiteInliner().Promoted(lambda))));

    private Expression<TDelegate> Promoted<TDelegate>(Expression<TDelegate> lambda) where TDelegate : Delegate
    {
        FindLanes(lambda);
        return (Expression<TDelegate>)Visit(lambda);
    }

    // the locals the typed paths of the function being visited need (a dictionary item read once in a guard, then used):
    // declared at the top of the nearest lambda, each written just before it is read
    private List<ParameterExpression>? _hoisted;

    /// <summary>A local of the lambda being visited, for a typed path to fill in its guard and read in its value.</summary>
    private ParameterExpression Hoisted(Type type, string name)
    {
        var local = Expression.Variable(type, name);
        (_hoisted ??= []).Add(local);
        return local;
    }

    protected override Expression VisitLambda<T>(Expression<T> node)
    {
        var saved = _hoisted;
        _hoisted = null;
        try
        {
            var body = Visit(node.Body);
            if (_hoisted is { Count: > 0 } locals) body = Expression.Block(body.Type, locals, body);
            return node.Update(body, node.Parameters);
        }
        finally
        {
            _hoisted = saved;
        }
    }

    protected override Expression VisitMethodCall(MethodCallExpression node)
    {
        if (InterpreterCalls.Unpack(node) is { } direct) return VisitMethodCall(direct);
        if (InlinedMacroCall(node) is { } inlinedCall) return inlinedCall;
        if (FusedChunkJoin(node) is { } chunkJoin) return chunkJoin;
        // (IL reads a short model List<T> of references through List's own indexer: Iteration.LoopOwnListShared)
        // (the note of a loop's source type is read at promotion: SiteInliner.ItemGuess)
        if (node.Method == RuntimeMethods.IntLaneNote) return Expression.Empty();
        if (node.Method == RuntimeMethods.ReferenceLane) return ReferenceLaneOpen(node);
        if (node.Method == RuntimeMethods.LoopOwnList) return Expression.Call(RuntimeMethods.LoopOwnListShared, Visit(node.Arguments[0]));
        if (node.Method == RuntimeMethods.GetItem && TypedListItem(node) is { } listItem) return listItem;
        if (node.Method == RuntimeMethods.GroupedLoopSource && TypedGroupedSource(node) is { } grouped) return grouped;
        if (node.Method == Truthy && TypedTruth(node) is { } truth) return truth;
        if (node.Method == Truthy && Visit(node.Arguments[0]) is var tested) return Truth(tested) ?? node.Update(null, [tested]);
        if (node.Method == WriteValue && TypedNameWrite(node) is { } nameWrite) return nameWrite;
        if (node.Method == WriteValue && TypedLaneWrite(node) is { } laneWrite) return laneWrite;
        if (node.Method == WriteValue && TypedValueWrite(node) is { } valueWrite) return valueWrite;
        if (node.Method == WriteValue && TypedFilterWrite(node) is { } filterWrite) return filterWrite;
        if (node.Method == WriteValue && TypedCountWrite(node) is { } countWrite) return countWrite;
        if (node.Method == WriteValue && TypedItemWrite(node) is { } itemWrite) return itemWrite;
        if (node.Method == WriteValue && SiteCall(node.Arguments[0], RuntimeMethods.CallAffix) is { } printedAffix && TypedAffix(printedAffix, node) is { } affixWrite)
            return affixWrite;
        if (node.Method == RuntimeMethods.CallAffix && TypedAffix(node, null) is { } affix) return affix;
        if (TypedStringWrite(node) is { } stringWrite) return stringWrite;
        if (TypedOperation(node) is { } operation) return operation;
        var visited = (MethodCallExpression)base.VisitMethodCall(node);
        if (visited.Method == ResolveSite && visited.Arguments[NameSite] is ConstantExpression { Value: MemberSite rs })
            return TypedName(visited, (string)((ConstantExpression)visited.Arguments[NameSite - 1]).Value!, rs) ?? visited;
        if (visited.Method == GetAttrSite && visited.Arguments[ReadSite] is ConstantExpression { Value: MemberSite gs })
            return GroupMember(visited, visited.Arguments[ReadSite - 2], (string)((ConstantExpression)visited.Arguments[ReadSite - 1]).Value!, null, null)
                ?? TypedRead(visited, visited.Arguments[ReadSite - 2], (string)((ConstantExpression)visited.Arguments[ReadSite - 1]).Value!, gs) ?? visited;
        if (visited.Method == WriteAttrSite && GroupMember(visited, visited.Arguments[WriteSite - 2], (string)((ConstantExpression)visited.Arguments[WriteSite - 1]).Value!,
                visited.Arguments[1], visited.Arguments[WriteSite + 1]) is { } groupWrite)
            return groupWrite;
        if (visited.Method == WriteAttrSite && visited.Arguments[WriteSite] is ConstantExpression { Value: MemberSite ws })
            return TypedWrite(visited, visited.Arguments[1], visited.Arguments[WriteSite - 2], (string)((ConstantExpression)visited.Arguments[WriteSite - 1]).Value!,
                ws, visited.Arguments[WriteSite + 1]) ?? visited;
        return visited;
    }

    /// <summary>
    /// The undefined guard of <c>default</c>, <c>defined</c> and <c>??</c> (<c>try { r = v } catch (UndefinedException)
    /// {...}</c>) around a member read that now has a typed fast path: only the generic branch can raise undefined, so the
    /// try moves into it and the typed read runs outside any protected region (where the JIT keeps the loop's locals in
    /// registers). The typed read throws no UndefinedException (a failing getter reports K-RUN-010), so nothing changes.
    /// </summary>
    protected override Expression VisitTry(TryExpression node)
    {
        var visited = (TryExpression)base.VisitTry(node);
        if (visited is not { Finally: null, Fault: null, Handlers: [{ Test: var caught, Filter: null } handler], Body: BinaryExpression { NodeType: ExpressionType.Assign, Left: ParameterExpression result } assign }
            || caught != typeof(UndefinedException)
            || assign.Right is not BlockExpression { Variables: [var obj], Expressions: [BinaryExpression { NodeType: ExpressionType.Assign, Left: var target, Right: ParameterExpression source } load, ConditionalExpression { Test: TypeBinaryExpression { NodeType: ExpressionType.TypeEqual } test } choice] } read
            || target != obj || test.Expression != obj || read.Type != result.Type)
            return visited;
        return Expression.Block(visited.Type, [obj],
            load,
            Expression.Condition(test,
                Expression.Assign(result, choice.IfTrue),
                visited.Update(Expression.Assign(result, choice.IfFalse), [handler], null, null),
                visited.Type));
    }

    private static readonly PropertyInfo GroupList = typeof(Filters.BuiltinFilters.GroupTuple).GetProperty(nameof(Filters.BuiltinFilters.GroupTuple.List))!;
    private static readonly PropertyInfo GroupGrouper = typeof(Filters.BuiltinFilters.GroupTuple).GetProperty(nameof(Filters.BuiltinFilters.GroupTuple.Grouper))!;

    /// <summary>
    /// <c>g.grouper</c> / <c>g.list</c> (read, or with <paramref name="output"/> written) on a variable: behind a check that it
    /// holds a group of the groupby filter or loop, the group's own member (a grouper that is not a string, which the
    /// general read may turn into "", takes the general path).
    /// </summary>
    private static Expression? GroupMember(MethodCallExpression call, Expression target, string name, Expression? output, Expression? escape)
    {
        if (name is not ("grouper" or "list") || (output is not null && name != "grouper")) return null;
        var bare = target;
        while (bare is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) bare = c.Operand;
        if (bare is MethodCallExpression use && use.Method == RuntimeMethods.UseValue) bare = use.Arguments[0];
        if (bare is not ParameterExpression { Type: var t } variable || t != typeof(object)) return null;
        var type = typeof(Filters.BuiltinFilters.GroupTuple);
        var group = Expression.Convert(variable, type);
        if (name == "list")
            return Expression.Condition(Expression.TypeEqual(variable, type),
                Expression.Convert(Expression.Property(group, GroupList), typeof(object)), call, typeof(object));
        var text = Expression.Variable(typeof(string), "grouper");
        var typed = Expression.Block([text],
            Expression.Assign(text, Expression.TypeAs(Expression.Property(group, GroupGrouper), typeof(string))),
            output is null
                ? Expression.Condition(Expression.NotEqual(text, Expression.Constant(null, typeof(string))), Expression.Convert(text, typeof(object)), call, typeof(object))
                : Expression.IfThenElse(Expression.NotEqual(text, Expression.Constant(null, typeof(string))), Members.WriteExpression(text, output, escape!)!, call));
        return output is null
            ? Expression.Condition(Expression.TypeEqual(variable, type), typed, call, typeof(object))
            : Expression.IfThenElse(Expression.TypeEqual(variable, type), typed, call);
    }

    /// <summary>A loop's int-lane flag (Emitter.EmitForCore) read as what it is at promotion.</summary>
    protected override Expression VisitMember(MemberExpression node) =>
        node.Member == RuntimeMethods.IntLaneSeen && node.Expression is ConstantExpression { Value: Iteration.IntLaneSite site }
            ? Expression.Constant(Volatile.Read(ref site.Seen))
            : base.VisitMember(node);

    /// <summary>not, and, or over a constant folded (what a folded lane flag leaves), so an unused lane disappears.</summary>
    protected override Expression VisitUnary(UnaryExpression node) => ConstantFolding.Not(base.VisitUnary(node));

    /// <summary>A choice whose test folded to a constant: the branch it takes.</summary>
    protected override Expression VisitConditional(ConditionalExpression node)
    {
        // a lane's opening (source is List<T> ? { site.Seen = true; list } : null) of a lane its loop never used: the
        // lane stays closed (every use of it folds away with its flag)
        if (node.IfTrue is BlockExpression { Expressions: [BinaryExpression { NodeType: ExpressionType.Assign, Left: MemberExpression flag }, ..] }
            && flag.Member == RuntimeMethods.IntLaneSeen && flag.Expression is ConstantExpression { Value: Iteration.IntLaneSite site } && !Volatile.Read(ref site.Seen))
            return Visit(node.IfFalse);
        return ConstantFolding.Choice(node, Visit(node.Test), e => Visit(e));
    }

    /// <summary><c>{% if obj.flag %}</c> on a bool member: the member itself, no box and no truth test.</summary>
    private Expression? TypedTruth(MethodCallExpression truthy)
    {
        if (SiteCall(truthy.Arguments[0], GetAttrSite, ReadSite) is not var (read, site)) return null;
        var name = (string)((ConstantExpression)read.Arguments[ReadSite - 1]).Value!;
        if (Observed(site, name) is not var (type, member)) return null;
        if ((member is PropertyInfo p ? p.PropertyType : ((FieldInfo)member).FieldType) != typeof(bool)) return null;
        var obj = Expression.Variable(typeof(object), "obj");
        var access = Expression.MakeMemberAccess(Expression.Convert(obj, type), member);
        var generic = truthy.Update(null, [WithArgument(read, ReadSite - 2, obj, Visit)]);
        return Expression.Block(typeof(bool), [obj],
            Expression.Assign(obj, Visit(read.Arguments[ReadSite - 2])),
            Expression.Condition(Expression.TypeEqual(obj, type), Guarded(access, type, name, member), generic, typeof(bool)));
    }

    /// <summary>
    /// A loop's reference lane opening (Iteration.ReferenceLane, which the interpreter leaves closed): nothing when the
    /// loop never met a model list of references (the lane folds away with its flag), else the lane opened in IL
    /// (Iteration.ReferenceLaneCompiled), the one type of list it met checked inline first.
    /// </summary>
    private Expression ReferenceLaneOpen(MethodCallExpression node)
    {
        var site = (Iteration.IntLaneSite)((ConstantExpression)node.Arguments[1]).Value!;
        if (!Volatile.Read(ref site.Seen)) return Expression.Constant(null, node.Type);
        var source = Visit(node.Arguments[0]);
        var call = Expression.Call(RuntimeMethods.ReferenceLaneCompiled, source);
        return source is ParameterExpression && !Volatile.Read(ref site.Source.Mixed) && Volatile.Read(ref site.Source.Seen) is { } seen
            ? Expression.Condition(Expression.TypeEqual(source, seen), Expression.Call(RuntimeMethods.AsObjectList, source), call)
            : call;
    }

    /// <summary>
    /// The truth of <paramref name="e"/> (an object) where its parts say it without Values.Truthy: a boxed bool is itself,
    /// a bool constant is constant, and a choice or block whose results are such (<c>not loop.last</c> in a light loop:
    /// <c>i == n - 1 ? True : False</c>) gives their truth, the other results asking Truthy as before. Null when nothing is known.
    /// </summary>
    private static Expression? Truth(Expression e)
    {
        switch (e)
        {
            case UnaryExpression { NodeType: ExpressionType.Convert, Operand: var operand } when e.Type == typeof(object) && operand.Type == typeof(bool):
                return operand;
            case UnaryExpression { NodeType: ExpressionType.Convert, Operand: var inner } when e.Type == typeof(object) && inner.Type == typeof(object):
                return Truth(inner);
            case ConstantExpression { Value: bool b }:
                return Expression.Constant(b);
            case ConditionalExpression choice when choice.Type == typeof(object):
                var whenTrue = Truth(choice.IfTrue);
                var whenFalse = Truth(choice.IfFalse);
                if (whenTrue is null && whenFalse is null) return null;
                if (whenTrue is ConstantExpression { Value: true } && whenFalse is ConstantExpression { Value: false }) return choice.Test;
                if (whenTrue is ConstantExpression { Value: false } && whenFalse is ConstantExpression { Value: true }) return Expression.Not(choice.Test);
                return Expression.Condition(choice.Test, whenTrue ?? Expression.Call(Truthy, choice.IfTrue), whenFalse ?? Expression.Call(Truthy, choice.IfFalse), typeof(bool));
            case BlockExpression block when block.Type == typeof(object) && Truth(block.Expressions[^1]) is { } last:
                return Expression.Block(typeof(bool), block.Variables, [.. block.Expressions.Take(block.Expressions.Count - 1), last]);
            default:
                return null;
        }
    }

    /// <summary>
    /// What a <c>{{ }}</c> write prints, under conversions to object: a filter's or a count's block gives its position
    /// stores (kept in front of a typed write) and its last expression, the value.
    /// </summary>
    private static (Expression[] Prefix, Expression Value) PrintedValue(MethodCallExpression write)
    {
        var arg = write.Arguments[0];
        while (arg is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) arg = c.Operand;
        if (arg is BlockExpression { Variables.Count: 0 } block && block.Expressions.Count <= 2)
            return ([.. block.Expressions.Take(block.Expressions.Count - 1)], block.Expressions[^1]);
        return ([], arg);
    }

    /// <summary>A call of <paramref name="method"/> under conversions to object, or null.</summary>
    private static MethodCallExpression? SiteCall(Expression arg, MethodInfo method)
    {
        while (arg is UnaryExpression { NodeType: ExpressionType.Convert } convert && convert.Type == typeof(object)) arg = convert.Operand;
        return arg is MethodCallExpression call && call.Method == method ? call : null;
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
        // (a value type only when it is one of the immutable framework structs: a getter on the unboxed copy reads what the boxed one would)
        if (entry is null || (entry.Type.IsValueType && !ValueMembersOf.Contains(entry.Type)) || entry.Type.ContainsGenericParameters) return null;
        var member = Members.FindMember(entry.Type, name);
        // a member of a task type is read through its getter, the await point (AsyncValues): never inlined
        if (member is null || AsyncValues.IsAwaitableType(member is PropertyInfo p ? p.PropertyType : ((FieldInfo)member).FieldType)) return null;
        return (entry.Type, member);
    }

    private Expression? TypedRead(MethodCallExpression call, Expression target, string name, MemberSite site)
    {
        if (LaneMember(target, name, site) is var (laneGuard, laneAccess, laneMember, laneType))
            return Expression.Condition(laneGuard, Guarded(BoxedLikeGetter(laneAccess), laneType, name, laneMember), call, typeof(object));
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
        var rebound = WithArgument(call, ReadSite - 2, obj);
        return Expression.Block(typeof(object), [obj],
            Expression.Assign(obj, target),
            Expression.Condition(Expression.TypeEqual(obj, type), Guarded(value, type, name, member), rebound, typeof(object)));
    }

    private Expression? TypedWrite(MethodCallExpression call, Expression output, Expression target, string name, MemberSite site, Expression escape)
    {
        if (LaneMember(target, name, site) is var (laneGuard, laneAccess, laneMember, laneType))
            return Members.WriteExpression(laneAccess, output, escape) is { } laneWrite
                ? Expression.IfThenElse(laneGuard, Guarded(laneWrite, laneType, name, laneMember), call)
                : null;
        if (Observed(site, name) is not var (type, member)) return null;
        var obj = Expression.Variable(typeof(object), "obj");
        var access = Expression.MakeMemberAccess(Expression.Convert(obj, type), member);
        var write = Members.WriteExpression(access, output, escape);
        if (write is null) return null;
        var rebound = WithArgument(call, WriteSite - 2, obj);
        return Expression.Block(typeof(void), [obj],
            Expression.Assign(obj, target),
            Expression.IfThenElse(Expression.TypeEqual(obj, type), Guarded(write, type, name, member), rebound));
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
            Expression.Assign(obj, Expression.Call(call.Object, DataFor, call.Arguments[NameSite - 1])),
            Expression.Condition(Expression.TypeEqual(obj, type), Guarded(value, type, name, member), call, typeof(object)));
    }

    /// <summary><c>{{ year }}</c> on a top-level name of a primitive type: formatted straight into the output, no box.</summary>
    private static Expression? TypedNameWrite(MethodCallExpression write)
    {
        if (SiteCall(write.Arguments[0], ResolveSite, NameSite) is not var (resolve, site)) return null;
        var name = (string)((ConstantExpression)resolve.Arguments[NameSite - 1]).Value!;
        if (Observed(site, name) is not var (type, member)) return null;
        var obj = Expression.Variable(typeof(object), "data");
        var access = Expression.MakeMemberAccess(Expression.Convert(obj, type), member);
        // only the types Output.WriteValue formats the same way; a null string prints None here (unlike an attribute)
        var t = access.Type;
        if (!(t == typeof(int) || t == typeof(long) || t == typeof(bool) || t == typeof(decimal) || t == typeof(double))
            || Members.WriteExpression(access, write.Object!, write.Arguments[1]) is not { } typed) return null;
        return Expression.Block(typeof(void), [obj],
            Expression.Assign(obj, Expression.Call(resolve.Object, DataFor, resolve.Arguments[NameSite - 1])),
            Expression.IfThenElse(Expression.TypeEqual(obj, type), Guarded(typed, type, name, member), write));
    }

    /// <summary><paramref name="call"/> with argument <paramref name="index"/> replaced by <paramref name="value"/> (the others through <paramref name="visit"/> when given).</summary>
    private static MethodCallExpression WithArgument(MethodCallExpression call, int index, Expression value, Func<Expression, Expression>? visit = null)
    {
        var args = new Expression[call.Arguments.Count];
        for (var i = 0; i < args.Length; i++) args[i] = i == index ? value : visit is null ? call.Arguments[i] : visit(call.Arguments[i]);
        return call.Update(call.Object, args);
    }

    /// <summary>
    /// A failing getter reports as the generic path does (K-RUN-010 naming the type and member). A field or an
    /// auto-implemented property (its getter is compiler-generated) cannot fail behind the type check, so it is read
    /// without a try block, which would keep the JIT from holding the loop's locals in registers.
    /// </summary>
    private static Expression Guarded(Expression body, Type type, string name, MemberInfo member)
    {
        if (CannotFail(member)) return body;
        var ex = Expression.Variable(typeof(Exception), "ex");
        return Expression.TryCatch(body,
            Expression.Catch(ex, Expression.Throw(Expression.Call(MemberFailed, ex, Expression.Constant(type), Expression.Constant(name)), body.Type)));
    }

    /// <summary>A field, or a property whose getter the compiler wrote (<c>{ get; set; }</c>, a record's positional member).</summary>
    internal static bool CannotFail(MemberInfo member) =>
        member is FieldInfo
        || member is PropertyInfo { GetMethod: { } getter } && getter.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute), false);
}
