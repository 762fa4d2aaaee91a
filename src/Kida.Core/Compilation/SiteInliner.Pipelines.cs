using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json.Nodes;
using Kida.Runtime;

namespace Kida.Compilation;

// Pipelines over observed model lists. x.children|selectattr('active')|list|length (the fused count the emitter makes
// of selectattr, rejectattr, their |list and |length or |count) over a member seen as List<T>, where T is a plain class
// with a bool member of that name, becomes a loop at tier-up that reads the member of each item of type T directly:
//     count = 0; for (i = 0; i < list.Count; i++) { item = list[i]; if (item.GetType() == T ? ((T)item).Active : <general rule>) count++; }
// An item of another type (a subclass, null) is decided by the general rule; a null list, a render under a sandbox or
// a variable of another type take the generic call. The count is the general path's count.
internal sealed partial class SiteInliner
{
    private Expression? TypedCountSelected(MethodCallExpression node)
    {
        if (CountLoop(node) is not var (guard, list, read, count)) return null;
        var generic = base.VisitMethodCall(node);
        return Expression.Condition(guard,
            Expression.Block(typeof(object), [list],
                Expression.Assign(list, read),
                Expression.Condition(Expression.NotEqual(list, Expression.Constant(null, list.Type)), Expression.Call(RuntimeMethods.BoxLong, count), generic, typeof(object))),
            generic, typeof(object));
    }

    /// <summary>A count this file computes in place: a selection's (<see cref="SelectedCountLoop"/>) or a string list's (<see cref="StringCountLoop"/>).</summary>
    private (Expression Guard, ParameterExpression List, Expression Read, Expression Count)? CountLoop(MethodCallExpression node) =>
        SelectedCountLoop(node) ?? StringCountLoop(node);

    /// <summary>
    /// <c>{{ x.nums[1] }}</c>, <c>{{ x.nums[-1] }}</c>, <c>{{ x.name[0] }}</c>: a literal integer index into a member seen as
    /// <c>List&lt;T&gt;</c> or <c>T[]</c> of int, long, double or string, or as a string, the item written as the number or
    /// text it is (no box, no general item lookup). An index out of range, a null member or a value of another type takes
    /// the generic read.
    /// </summary>
    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2060:MakeGenericMethod", Justification = TrimReasons.DynamicCodeOnly)]
    [UnconditionalSuppressMessage("AotAnalysis", "IL3050:RequiresDynamicCode", Justification = TrimReasons.DynamicCodeOnly)]
    private Expression? TypedItemWrite(MethodCallExpression write)
    {
        var (prefix, arg) = PrintedValue(write);
        while (arg is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) arg = c.Operand;
        if (arg is not MethodCallExpression packed || (InterpreterCalls.Unpack(packed) ?? packed) is not { } get || get.Method != RuntimeMethods.GetItem) return null;
        var key = get.Arguments[2];
        while (key is UnaryExpression { NodeType: ExpressionType.Convert } kc && kc.Type == typeof(object)) key = kc.Operand;
        if (key is not ConstantExpression { Value: long k } || k is > int.MaxValue or < -int.MaxValue || ObservedRead(get.Arguments[1]) is not { } m) return null;
        var listType = m.Type;
        var output = write.Object!;
        // (the generic read of the member already read)
        MethodCallExpression ReadFrom(ParameterExpression v) =>
            write.Update(output, [Expression.Convert(get.Update(null, [Visit(get.Arguments[0]), Expression.Convert(v, typeof(object)), get.Arguments[2]]), typeof(object)),
                Visit(write.Arguments[1])]);
        if (listType == typeof(string))
        {
            // a string member: its character (Python counts code points: a string with surrogates takes the general read)
            var s = Expression.Variable(typeof(string), "s");
            return Expression.IfThenElse(m.Guard,
                Expression.Block(typeof(void), [s],
                    Expression.Block(typeof(void), [.. prefix, Expression.Assign(s, m.Read)]),
                    Expression.IfThen(
                        Expression.Not(Expression.AndAlso(Expression.NotEqual(s, Expression.Constant(null, typeof(string))),
                            Expression.Call(RuntimeMethods.TryWriteStringIndex, output, s, Expression.Constant((int)k), Visit(write.Arguments[1])))),
                        ReadFrom(s))),
                base.VisitMethodCall(write));
        }
        var isList = listType.IsGenericType && listType.GetGenericTypeDefinition() == typeof(List<>);
        var itemType = isList ? listType.GetGenericArguments()[0] : listType.IsArray && listType.GetArrayRank() == 1 ? listType.GetElementType() : null;
        if (itemType != typeof(int) && itemType != typeof(long) && itemType != typeof(double) && itemType != typeof(string)) return null;

        var list = Expression.Variable(listType, "list");
        Expression count = isList ? Expression.Call(RuntimeMethods.ListCountOf.MakeGenericMethod(itemType), list) : Expression.ArrayLength(list);
        var at = (int)k;
        var index = at >= 0 ? (Expression)Expression.Constant(at) : Expression.Add(count, Expression.Constant(at));
        var inRange = at >= 0 ? Expression.LessThan(Expression.Constant(at), count) : Expression.GreaterThanOrEqual(count, Expression.Constant(-at));
        Expression item = isList ? Expression.Call(RuntimeMethods.ListItemOf.MakeGenericMethod(itemType), list, index) : Expression.ArrayIndex(list, index);
        var typed = WriteTypedItem(output, item, Visit(write.Arguments[1]));
        var fromList = ReadFrom(list);
        var generic = base.VisitMethodCall(write);
        return Expression.IfThenElse(m.Guard,
            Expression.Block(typeof(void), [list],
                Expression.Block(typeof(void), [.. prefix, Expression.Assign(list, m.Read)]),
                Expression.IfThenElse(Expression.AndAlso(Expression.NotEqual(list, Expression.Constant(null, listType)), inRange), typed, fromList)),
            generic);
    }

    /// <summary>
    /// <c>x.children[0]</c>, <c>x.children[-1]</c> (a literal integer index) on a member seen as a <c>List&lt;T&gt;</c> of a
    /// reference type T that no value of is unwrapped (not a task, JSON node or a base of one): the item read through
    /// List's own indexer. An index out of range, a null list or a value of another type takes the generic read.
    /// </summary>
    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2060:MakeGenericMethod", Justification = TrimReasons.DynamicCodeOnly)]
    [UnconditionalSuppressMessage("AotAnalysis", "IL3050:RequiresDynamicCode", Justification = TrimReasons.DynamicCodeOnly)]
    private Expression? TypedListItem(MethodCallExpression get)
    {
        var key = get.Arguments[2];
        while (key is UnaryExpression { NodeType: ExpressionType.Convert } kc && kc.Type == typeof(object)) key = kc.Operand;
        if (key is not ConstantExpression { Value: long k } || k is > int.MaxValue or < -int.MaxValue
            || ListMember(get.Arguments[1]) is not var (guard, read, listType, itemType)
            || itemType.IsValueType || itemType == typeof(string) || NeedsUnwrap(itemType)) return null;
        var list = Expression.Variable(listType, "list");
        Expression count = Expression.Call(RuntimeMethods.ListCountOf.MakeGenericMethod(itemType), list);
        var at = (int)k;
        var index = at >= 0 ? (Expression)Expression.Constant(at) : Expression.Add(count, Expression.Constant(at));
        var inRange = at >= 0 ? Expression.LessThan(Expression.Constant(at), count) : Expression.GreaterThanOrEqual(count, Expression.Constant(-at));
        var item = Expression.Convert(Expression.Call(RuntimeMethods.ListItemOf.MakeGenericMethod(itemType), list, index), typeof(object));
        // (the generic read of the list already read; a null member is read again, as the attribute read turns it into "")
        var fromList = get.Update(null, [Visit(get.Arguments[0]), Expression.Convert(list, typeof(object)), get.Arguments[2]]);
        var generic = base.VisitMethodCall(get);
        return Expression.Condition(guard,
            Expression.Block(typeof(object), [list],
                Expression.Assign(list, read),
                Expression.Condition(Expression.Equal(list, Expression.Constant(null, listType)), generic,
                    Expression.Condition(inRange, item, fromList, typeof(object)), typeof(object))),
            generic, typeof(object));

        // what Values.Unwrap would change: a task, a JSON node, or a type one of them derives from
        static bool NeedsUnwrap(Type t) =>
            t.IsAssignableFrom(typeof(Task)) || typeof(Task).IsAssignableFrom(t) || t.IsAssignableFrom(typeof(JsonNode)) || typeof(JsonNode).IsAssignableFrom(t)
            || AsyncValues.IsAwaitableType(t);
    }

    /// <summary>
    /// <c>{% for g in x.children|groupby('kind') %}</c> (the emitter's GroupedLoopSource) over a member seen as a
    /// <c>List&lt;T&gt;</c> of a plain class whose key is an auto-implemented string property or a string field: the keys
    /// read by a compiled getter (BuiltinFilters.GroupedLoopSourceOf), not through the attribute reader. A null list, a
    /// sandbox or another list type takes the general source.
    /// </summary>
    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2060:MakeGenericMethod", Justification = TrimReasons.DynamicCodeOnly)]
    [UnconditionalSuppressMessage("AotAnalysis", "IL3050:RequiresDynamicCode", Justification = TrimReasons.DynamicCodeOnly)]
    private Expression? TypedGroupedSource(MethodCallExpression node)
    {
        if (node.Arguments[2] is not ConstantExpression { Value: string attr } || !SimpleMemberName(attr)
            || (ListMember(node.Arguments[1]) ?? ObservedListVariable(node.Arguments[1], node.Arguments[3])) is not var (guard, read, listType, itemType)
            || PlainItemMember(itemType, attr, typeof(string)) is not { } member || !CannotFail(member)) return null;
        var key = KeyGetters.GetOrAdd(member, static (m, t) =>
        {
            var item = Expression.Parameter(t, "item");
            return Expression.Lambda(typeof(Func<,>).MakeGenericType(t, typeof(string)), Expression.MakeMemberAccess(item, m), item).Compile();
        }, itemType);
        var generic = base.VisitMethodCall(node);
        var list = Expression.Variable(listType, "list");
        return Expression.Condition(guard,
            Expression.Block(node.Type, [list],
                Expression.Assign(list, read),
                Expression.Condition(Expression.Equal(list, Expression.Constant(null, listType)), generic,
                    Expression.Call(RuntimeMethods.GroupedLoopSourceOf.MakeGenericMethod(itemType), Visit(node.Arguments[0]), list, node.Arguments[2], Expression.Constant(key)),
                    node.Type)),
            generic, node.Type);
    }

    // the compiled key getter of each member a grouped loop reads at tier-up (Func<T, string?>)
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<MemberInfo, Delegate> KeyGetters = new();

    /// <summary><c>{{ x.children|selectattr('active')|list|length }}</c>, <c>{{ x.tags.count('a') }}</c>: the count of <see cref="TypedCountSelected"/> written as the number it is, no box.</summary>
    private Expression? TypedCountWrite(MethodCallExpression write)
    {
        var (prefix, arg) = PrintedValue(write);
        while (arg is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) arg = c.Operand;
        if (arg is not MethodCallExpression packed || CountLoop(InterpreterCalls.Unpack(packed) ?? packed) is not var (guard, list, read, count)) return null;
        var generic = base.VisitMethodCall(write);
        return Expression.IfThenElse(guard,
            Expression.Block(typeof(void), [list],
                Expression.Block(typeof(void), [.. prefix, Expression.Assign(list, read)]),
                Expression.IfThenElse(Expression.NotEqual(list, Expression.Constant(null, list.Type)),
                    Expression.Call(write.Object!, RuntimeMethods.OutputWriteInt, count), generic)),
            generic);
    }

    /// <summary>
    /// The typed count of a CountSelected call this file rewrites: the guard (the variable's type, no sandbox), the list
    /// variable and its read, and the loop counting over it (a long; valid once the list is read and not null).
    /// </summary>
    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2060:MakeGenericMethod", Justification = TrimReasons.DynamicCodeOnly)]
    [UnconditionalSuppressMessage("AotAnalysis", "IL3050:RequiresDynamicCode", Justification = TrimReasons.DynamicCodeOnly)]
    private (Expression Guard, ParameterExpression List, Expression Read, Expression Count)? SelectedCountLoop(MethodCallExpression node)
    {
        if (node.Method != RuntimeMethods.CountSelected
            || node.Arguments[4] is not ConstantExpression { Value: true }
            || node.Arguments[3] is not ConstantExpression { Value: bool select }
            || node.Arguments[2] is not ConstantExpression { Value: CallArgs args }
            || args.Named is not null || args.Positional.Length != 1 || args.Positional[0] is not string attr || !SimpleMemberName(attr)) return null;
        if ((ListMember(node.Arguments[1]) ?? ObservedListVariable(node.Arguments[1], node.Arguments[5])) is not var (listGuard, listRead, listType, itemType)
            || PlainItemMember(itemType, attr, typeof(bool)) is not { } flag) return null;

        var rs = node.Arguments[0];
        var list = Expression.Variable(listType, "list");
        var count = Expression.Variable(typeof(long), "count");
        var i = Expression.Variable(typeof(int), "i");
        var item = Expression.Variable(itemType, "item");
        var ex = Expression.Variable(typeof(Exception), "ex");
        var done = Expression.Label("counted");
        var flagRead = Expression.MakeMemberAccess(Expression.Convert(item, itemType), flag);
        var direct = CannotFail(flag) ? (Expression)flagRead : Expression.TryCatch(
            flagRead,
            Expression.Catch(ex,
                Expression.Throw(Expression.Call(RuntimeMethods.AttributeReadFailed, ex, item, Expression.Constant(attr)), typeof(bool)),
                Expression.Not(Expression.TypeIs(ex, typeof(TemplateException)))));
        var keeps = Expression.Condition(
            Expression.AndAlso(Expression.NotEqual(item, Expression.Constant(null, itemType)), Expression.TypeEqual(item, itemType)),
            select ? direct : Expression.Not(direct),
            Expression.Call(RuntimeMethods.KeepsByAttribute, rs, item, Expression.Constant(attr), Expression.Constant(select)),
            typeof(bool));
        var loop = Expression.Block(typeof(long), [count, i, item],
            Expression.Assign(count, Expression.Constant(0L)),
            Expression.Assign(i, Expression.Constant(0)),
            Expression.Loop(Expression.Block(
                Expression.IfThen(Expression.GreaterThanOrEqual(i, Expression.Call(RuntimeMethods.ListCountOf.MakeGenericMethod(itemType), list)), Expression.Break(done)),
                Expression.Assign(item, Expression.Call(RuntimeMethods.ListItemOf.MakeGenericMethod(itemType), list, i)),
                Expression.IfThen(keeps, Expression.PostIncrementAssign(count)),
                Expression.PostIncrementAssign(i)), done),
            count);
        return (Expression.AndAlso(listGuard, Expression.Equal(Expression.Call(RuntimeMethods.SandboxOf, rs), Expression.Constant(null, typeof(SandboxRules)))),
            list, listRead, loop);
    }

    /// <summary>
    /// The member <paramref name="attr"/> of type <paramref name="memberType"/> of <paramref name="itemType"/> when that is a
    /// plain class, what the attribute reader reads by its getter (no mapping, list, string, JSON or template object);
    /// otherwise null.
    /// </summary>
    private static MemberInfo? PlainItemMember(Type itemType, string attr, Type memberType)
    {
        if (itemType.IsValueType || itemType.IsInterface || itemType.IsAbstract || itemType.ContainsGenericParameters
            || typeof(IEnumerable).IsAssignableFrom(itemType) || typeof(IKidaObject).IsAssignableFrom(itemType)
            || itemType == typeof(Markup) || itemType == typeof(object)
            || Members.GetGetter(itemType, attr) is null || Members.FindMember(itemType, attr) is not { } member
            || (member is PropertyInfo p ? p.PropertyType : ((FieldInfo)member).FieldType) != memberType) return null;
        return member;
    }

    /// <summary>
    /// A template variable (a loop's, a set one) that a call site has only ever been given as one <c>List&lt;T&gt;</c>
    /// (Iteration.ValueSite): its type check, its read as the list and T. Reading a variable twice has no side effect.
    /// </summary>
    private static (Expression Guard, Expression Read, Type ListType, Type ItemType)? ObservedListVariable(Expression e, Expression siteArgument)
    {
        while (e is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) e = c.Operand;
        if (e is MethodCallExpression use && use.Method == RuntimeMethods.UseValue) e = use.Arguments[0];
        while (e is UnaryExpression { NodeType: ExpressionType.Convert } c2 && c2.Type == typeof(object)) e = c2.Operand;
        if (e is not ParameterExpression { Type: var t } variable || t != typeof(object)
            || siteArgument is not ConstantExpression { Value: Iteration.ValueSite { Mixed: false, Seen: { IsGenericType: true } seen } }
            || seen.GetGenericTypeDefinition() != typeof(List<>)) return null;
        return (Expression.TypeEqual(variable, seen), Expression.Convert(variable, seen), seen, seen.GetGenericArguments()[0]);
    }

    /// <summary>A literal attribute name the attribute reader reads as one member (no dots, not an index).</summary>
    private static bool SimpleMemberName(string name) => name.Length > 0 && !name.Contains('.') && !char.IsAsciiDigit(name[0]);

    /// <summary>A member of a template variable observed as a <c>List&lt;T&gt;</c>: its type check, the (guarded) read and T.</summary>
    private (Expression Guard, Expression Read, Type ListType, Type ItemType)? ListMember(Expression e) =>
        ObservedRead(e) is { Type: { IsGenericType: true } listType } m && listType.GetGenericTypeDefinition() == typeof(List<>)
            ? (m.Guard, m.Read, listType, listType.GetGenericArguments()[0])
            : null;

    /// <summary>
    /// <c>5 in x.ids</c>, <c>'tag' in x.tags</c> (and <c>not in</c>, <c>is in</c>) on a member seen as <c>List&lt;int&gt;</c>,
    /// <c>List&lt;long&gt;</c> or <c>List&lt;string&gt;</c>, with an integer or string operand: the list's own Contains (what
    /// Python's == finds for these item types); a null list or another type takes the generic path.
    /// </summary>
    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2060:MakeGenericMethod", Justification = TrimReasons.DynamicCodeOnly)]
    [UnconditionalSuppressMessage("AotAnalysis", "IL3050:RequiresDynamicCode", Justification = TrimReasons.DynamicCodeOnly)]
    private Expression? TypedIn(MethodCallExpression node)
    {
        if (TypedInLiterals(node) is { } inLiterals) return inLiterals;
        var negate = node.Method == RuntimeMethods.FastNotIn;
        if (!negate && node.Method != RuntimeMethods.FastIn || ListMember(node.Arguments[1]) is not var (listGuard, read, listType, itemType)) return null;
        Expression? value = null;
        var guards = new List<Expression>();
        if (itemType == typeof(string))
        {
            var item = node.Arguments[0];
            while (item is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) item = c.Operand;
            if (item is ConstantExpression { Value: string text }) value = Expression.Constant(text);
        }
        else if ((itemType == typeof(int) || itemType == typeof(long)) && Typed(node.Arguments[0]) is { Value.Type: var t } typed && t == typeof(long))
        {
            // an int member (widened to long) is looked for in a List<int> as the int it is
            if (itemType == typeof(int) && typed.Value is UnaryExpression { NodeType: ExpressionType.Convert, Operand: { Type: var from } narrow } && from == typeof(int))
                value = narrow;
            else if (itemType == typeof(long) || typed.Bound <= int.MaxValue)
                value = itemType == typeof(int) ? Expression.Convert(typed.Value, typeof(int)) : typed.Value;
            if (value is not null) guards.AddRange(typed.Guards);
        }
        if (value is null) return null;
        guards.Add(listGuard);
        var generic = base.VisitMethodCall(node);
        var list = Expression.Variable(listType, "list");
        // a literal string is compared in place, where the JIT sees the constant (List.Contains compares through a comparer)
        Expression found = itemType == typeof(string) && value is ConstantExpression { Value: string literal }
            ? Expression.NotEqual(StringListScan(list, literal, count: false), Expression.Constant(0L))
            : Expression.Call(RuntimeMethods.ListContainsOf.MakeGenericMethod(itemType), list, value);
        if (negate) found = Expression.Not(found);
        return Expression.Condition(AllOf(guards),
            Expression.Block(typeof(bool), [list],
                Expression.Assign(list, read),
                Expression.Condition(Expression.NotEqual(list, Expression.Constant(null, listType)), found, generic, typeof(bool))),
            generic, typeof(bool));
    }

    /// <summary>
    /// <c>x.id in [1, 2, 3]</c> (the literals a constant array, Emitter.EmitContainer) on a typed integer: the value
    /// compared with each integer literal, behind the operand's type checks. Literals of other kinds (a float, a string,
    /// a bool) leave the call as it is, since Python's == mixes them with ints in ways a plain compare would not.
    /// </summary>
    private Expression? TypedInLiterals(MethodCallExpression node)
    {
        var negate = node.Method == RuntimeMethods.FastNotIn;
        if (!negate && node.Method != RuntimeMethods.FastIn || node.Arguments[1] is not ConstantExpression { Value: object?[] literals }
            || !literals.All(l => l is long) || Typed(node.Arguments[0]) is not { Guards.Count: > 0, Value.Type: var t } typed || t != typeof(long)) return null;
        Expression found = Expression.Constant(false);
        foreach (var l in literals) found = Expression.OrElse(found, Expression.Equal(typed.Value, Expression.Constant((long)l!)));
        if (negate) found = Expression.Not(found);
        return Expression.Condition(AllOf(typed.Guards), found, base.VisitMethodCall(node), typeof(bool));
    }

    /// <summary>
    /// How many items of the <c>List&lt;string&gt;</c> <paramref name="list"/> equal <paramref name="literal"/> (ordinal, as
    /// Python's == on str), or with <paramref name="count"/> false 1 at the first and 0 for none: a loop comparing each
    /// item with the literal as a constant.
    /// </summary>
    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2060:MakeGenericMethod", Justification = TrimReasons.DynamicCodeOnly)]
    [UnconditionalSuppressMessage("AotAnalysis", "IL3050:RequiresDynamicCode", Justification = TrimReasons.DynamicCodeOnly)]
    private static Expression StringListScan(ParameterExpression list, string literal, bool count)
    {
        var n = Expression.Variable(typeof(long), "n");
        var i = Expression.Variable(typeof(int), "i");
        var done = Expression.Label("scanned");
        var match = Expression.Call(StringEquals, Expression.Call(RuntimeMethods.ListItemOf.MakeGenericMethod(typeof(string)), list, i), Expression.Constant(literal));
        return Expression.Block(typeof(long), [n, i],
            Expression.Assign(n, Expression.Constant(0L)),
            Expression.Assign(i, Expression.Constant(0)),
            Expression.Loop(Expression.Block(
                Expression.IfThen(Expression.GreaterThanOrEqual(i, Expression.Call(RuntimeMethods.ListCountOf.MakeGenericMethod(typeof(string)), list)), Expression.Break(done)),
                Expression.IfThen(match, count ? Expression.PostIncrementAssign(n) : Expression.Block(Expression.Assign(n, Expression.Constant(1L)), Expression.Break(done))),
                Expression.PostIncrementAssign(i)), done),
            n);
    }

    /// <summary>
    /// <c>x.tags.count('a')</c> (bound to PyMethods.CallCount) on a member seen as a <c>List&lt;string&gt;</c> with one literal
    /// string: the items counted in place (<see cref="StringListScan"/>); a null list, a sandbox or another type takes the
    /// call. The parts as <see cref="SelectedCountLoop"/> gives them, so a printed count is written unboxed too.
    /// </summary>
    private (Expression Guard, ParameterExpression List, Expression Read, Expression Count)? StringCountLoop(MethodCallExpression node)
    {
        if (node.Method != RuntimeMethods.CallCount || node.Arguments[2] is not ConstantExpression { Value: CallArgs { Named: null, Positional: [string literal] } }
            || ListMember(node.Arguments[1]) is not var (guard, read, listType, itemType) || itemType != typeof(string)) return null;
        var list = Expression.Variable(listType, "list");
        return (Expression.AndAlso(guard, Expression.Equal(Expression.Call(RuntimeMethods.SandboxOf, node.Arguments[0]), Expression.Constant(null, typeof(SandboxRules)))),
            list, read, StringListScan(list, literal, count: true));
    }

    /// <summary>
    /// A typed list item written as <c>{{ }}</c> writes it: a string through WriteValue (escaped as asked), a double as
    /// Python prints it, an int or long as its digits.
    /// </summary>
    private static MethodCallExpression WriteTypedItem(Expression output, Expression item, Expression escape) =>
        item.Type == typeof(string) ? Expression.Call(output, WriteValue, item, escape)
        : item.Type == typeof(double) ? Expression.Call(output, RuntimeMethods.OutputWriteDouble, item)
        : Expression.Call(output, RuntimeMethods.OutputWriteInt, Expression.Convert(item, typeof(long)));

    private static readonly Delegate? FirstFilter = Filters.BuiltinFilters.All.GetValueOrDefault("first");
    private static readonly Delegate? LastFilter = Filters.BuiltinFilters.All.GetValueOrDefault("last");
    private static readonly Delegate? MinFilter = Filters.BuiltinFilters.All.GetValueOrDefault("min");
    private static readonly Delegate? MaxFilter = Filters.BuiltinFilters.All.GetValueOrDefault("max");

    /// <summary><c>{{ x.ids|first }}</c> / <c>|last</c> on a member seen as a non-empty <c>List&lt;int|long|double|string&gt;</c>, and <c>|min</c> / <c>|max</c> on one of int or long: the item written without a box.</summary>
    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2060:MakeGenericMethod", Justification = TrimReasons.DynamicCodeOnly)]
    [UnconditionalSuppressMessage("AotAnalysis", "IL3050:RequiresDynamicCode", Justification = TrimReasons.DynamicCodeOnly)]
    private Expression? TypedFirstLastWrite(MethodCallExpression write, InvocationExpression call, Expression[] prefix)
    {
        if (call.Expression is not ConstantExpression { Value: Delegate d }
            || !(ReferenceEquals(d, FirstFilter) || ReferenceEquals(d, LastFilter) || ReferenceEquals(d, MinFilter) || ReferenceEquals(d, MaxFilter))
            || call.Arguments[2] is not ConstantExpression { Value: CallArgs { Positional.Length: 0, Named: null } }
            || ListMember(call.Arguments[1]) is not var (guard, read, listType, itemType)) return null;
        var extreme = ReferenceEquals(d, MinFilter) || ReferenceEquals(d, MaxFilter);
        // (min and max of integers only: a list of floats may hold NaN, which Python's comparisons order by position)
        if (!(itemType == typeof(int) || itemType == typeof(long) || (!extreme && (itemType == typeof(double) || itemType == typeof(string))))) return null;
        var list = Expression.Variable(listType, "list");
        var count = Expression.Call(RuntimeMethods.ListCountOf.MakeGenericMethod(itemType), list);
        Expression item = extreme
            ? Expression.Call(RuntimeMethods.ListExtremeOf.MakeGenericMethod(itemType), list, Expression.Constant(ReferenceEquals(d, MaxFilter)))
            : Expression.Call(RuntimeMethods.ListItemOf.MakeGenericMethod(itemType), list,
                ReferenceEquals(d, FirstFilter) ? Expression.Constant(0) : Expression.Decrement(count));
        var output = write.Object!;
        var print = WriteTypedItem(output, item, Visit(write.Arguments[1]));
        var generic = base.VisitMethodCall(write);
        return Expression.IfThenElse(guard,
            Expression.Block(typeof(void), [list],
                Expression.Block(typeof(void), [.. prefix, Expression.Assign(list, read)]),
                Expression.IfThenElse(
                    Expression.AndAlso(Expression.NotEqual(list, Expression.Constant(null, listType)), Expression.GreaterThan(count, Expression.Constant(0))),
                    print, generic)),
            generic);
    }

    private static readonly PropertyInfo StringLength = typeof(string).GetProperty(nameof(string.Length))!;
    private static readonly MethodInfo StringStartsWith = typeof(string).GetMethod(nameof(string.StartsWith), [typeof(string), typeof(StringComparison)])!;
    private static readonly MethodInfo StringEndsWith = typeof(string).GetMethod(nameof(string.EndsWith), [typeof(string), typeof(StringComparison)])!;

    /// <summary>
    /// <c>x.name.startswith('p')</c> / <c>endswith</c> (bound at compile time to PyMethods.CallAffix) on a string member of an
    /// observed type, with one literal string: the ordinal test on the member itself. With <paramref name="print"/> (the
    /// output of <c>{{ }}</c>), the answer is written as True/False without a box; otherwise it is one of the shared boxes.
    /// A null member, another type or other arguments take the call as written.
    /// </summary>
    private Expression? TypedAffix(MethodCallExpression call, MethodCallExpression? print)
    {
        if (call.Method != RuntimeMethods.CallAffix || call.Arguments[2] is not ConstantExpression { Value: bool starts }
            || call.Arguments[3] is not ConstantExpression { Value: CallArgs { Named: null, Positional: [string affix] } }
            || ObservedRead(call.Arguments[1]) is not { Type: var t } m || t != typeof(string)) return null;
        var text = Expression.Variable(typeof(string), "text");
        Expression test = Expression.Call(text, starts ? StringStartsWith : StringEndsWith, Expression.Constant(affix), Expression.Constant(StringComparison.Ordinal));
        Expression generic = print is null ? base.VisitMethodCall(call) : base.VisitMethodCall(print);
        Expression typed = print is null
            ? Expression.Condition(test, Expression.Constant(Boxes.True, typeof(object)), Expression.Constant(Boxes.False, typeof(object)))
            : (Expression)Expression.Call(print.Object!, RuntimeMethods.OutputWriteBool, test);
        return Expression.Condition(m.Guard,
            Expression.Block(generic.Type, [text],
                Expression.Assign(text, m.Read),
                Expression.Condition(Expression.NotEqual(text, Expression.Constant(null, typeof(string))), typed, generic, generic.Type)),
            generic, generic.Type);
    }

    /// <summary>
    /// <c>{{ x.children|map(attribute='name')|join(', ') }}</c> (the emitter's WriteJoinMapped) over a member seen as a
    /// <c>List&lt;T&gt;</c> of a plain class whose member is an auto-implemented string property or a string field: one
    /// pass checks that every item is a T with a non-null value and that the text passes the string limit, a second
    /// writes the values with the separator, escaped as the join would be. Any other item, a null value, a long text, a
    /// sandbox or another list type takes the general call, so nothing is written twice.
    /// </summary>
    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2060:MakeGenericMethod", Justification = TrimReasons.DynamicCodeOnly)]
    [UnconditionalSuppressMessage("AotAnalysis", "IL3050:RequiresDynamicCode", Justification = TrimReasons.DynamicCodeOnly)]
    private Expression? TypedJoinMapped(MethodCallExpression node)
    {
        // (WriteJoinMappedSelected: rs, output, list, flag, select, attribute, separator, escape, site; WriteJoinMapped has no flag or site)
        var selected = node.Method == RuntimeMethods.WriteJoinMappedSelected;
        if (!selected && node.Method != RuntimeMethods.WriteJoinMapped) return null;
        var at = selected ? 2 : 0;
        if (node.Arguments[3 + at] is not ConstantExpression { Value: string attr } || node.Arguments[4 + at] is not ConstantExpression { Value: string sep }
            || !SimpleMemberName(attr)
            || (ListMember(node.Arguments[2]) ?? (selected ? ObservedListVariable(node.Arguments[2], node.Arguments[8]) : null)) is not var (listGuard, listRead, listType, itemType))
            return null;
        if (PlainItemMember(itemType, attr, typeof(string)) is not { } member || !CannotFail(member)) return null;
        // (a selection by a bool member read as directly: auto-implemented or a field, so reading it twice changes nothing)
        MemberInfo? flagMember = null;
        if (selected && (node.Arguments[3] is not ConstantExpression { Value: string flag } || !SimpleMemberName(flag)
            || PlainItemMember(itemType, flag, typeof(bool)) is not { } flagRead || !CannotFail(flagRead) || (flagMember = flagRead) is null)) return null;
        var keep = !selected || node.Arguments[4] is ConstantExpression { Value: true };

        var generic = base.VisitMethodCall(node);
        var rs = node.Arguments[0];
        var output = node.Arguments[1];
        var escape = node.Arguments[5 + at];
        var list = Expression.Variable(listType, "list");
        var n = Expression.Variable(typeof(int), "n");
        var kept = Expression.Variable(typeof(int), "kept");
        var i = Expression.Variable(typeof(int), "i");
        var item = Expression.Variable(itemType, "item");
        var text = Expression.Variable(typeof(string), "text");
        var length = Expression.Variable(typeof(long), "length");
        var plain = Expression.Variable(typeof(bool), "plain");
        var checkedAll = Expression.Label("checked");
        var written = Expression.Label("written");
        Expression ItemAt() => Expression.Call(RuntimeMethods.ListItemOf.MakeGenericMethod(itemType), list, i);
        Expression ValueOf() => Expression.MakeMemberAccess(item, member);
        var next = Expression.Label("next");
        var nextWritten = Expression.Label("nextWritten");
        // (an item the selection drops: skipped in both passes)
        Expression Skip(LabelTarget to) => flagMember is null ? Expression.Empty()
            : Expression.IfThen(Expression.NotEqual(Expression.MakeMemberAccess(item, flagMember), Expression.Constant(keep)), Expression.Continue(to));
        var check = Expression.Block(
            Expression.Assign(plain, Expression.Constant(true)),
            Expression.Assign(length, Expression.Constant(0L)),
            Expression.Assign(kept, Expression.Constant(0)),
            Expression.Assign(i, Expression.Constant(-1)),
            Expression.Loop(Expression.Block(
                Expression.PreIncrementAssign(i),
                Expression.IfThen(Expression.GreaterThanOrEqual(i, n), Expression.Break(checkedAll)),
                Expression.Assign(item, ItemAt()),
                Expression.IfThen(Expression.OrElse(Expression.Equal(item, Expression.Constant(null, itemType)), Expression.Not(Expression.TypeEqual(item, itemType))),
                    Expression.Block(Expression.Assign(plain, Expression.Constant(false)), Expression.Break(checkedAll))),
                Skip(next),
                Expression.Assign(text, ValueOf()),
                Expression.IfThen(Expression.Equal(text, Expression.Constant(null, typeof(string))),
                    Expression.Block(Expression.Assign(plain, Expression.Constant(false)), Expression.Break(checkedAll))),
                Expression.AddAssign(length, Expression.Convert(Expression.Property(text, StringLength), typeof(long))),
                Expression.PostIncrementAssign(kept)), checkedAll, next),
            // (the separators between the values kept)
            Expression.IfThen(Expression.GreaterThan(kept, Expression.Constant(1)),
                Expression.AddAssign(length, Expression.Multiply(Expression.Convert(Expression.Subtract(kept, Expression.Constant(1)), typeof(long)), Expression.Constant((long)sep.Length)))));
        var write = Expression.Block(
            Expression.Assign(kept, Expression.Constant(0)),
            Expression.Assign(i, Expression.Constant(-1)),
            Expression.Loop(Expression.Block(
                Expression.PreIncrementAssign(i),
                Expression.IfThen(Expression.GreaterThanOrEqual(i, n), Expression.Break(written)),
                Expression.Assign(item, ItemAt()),
                Skip(nextWritten),
                Expression.IfThen(Expression.GreaterThan(Expression.PostIncrementAssign(kept), Expression.Constant(0)), Expression.Call(output, RuntimeMethods.OutputWriteText, Expression.Constant(sep), escape)),
                Expression.Call(output, RuntimeMethods.OutputWriteText, ValueOf(), escape)), written, nextWritten));
        return Expression.IfThenElse(
            Expression.AndAlso(listGuard, Expression.Equal(Expression.Call(RuntimeMethods.SandboxOf, rs), Expression.Constant(null, typeof(SandboxRules)))),
            Expression.Block(typeof(void), [list, n, i, item, text, length, plain, kept],
                Expression.Assign(list, listRead),
                Expression.IfThenElse(Expression.Equal(list, Expression.Constant(null, listType)), generic,
                    Expression.Block(
                        Expression.Assign(n, Expression.Call(RuntimeMethods.ListCountOf.MakeGenericMethod(itemType), list)),
                        Expression.IfThenElse(Expression.Equal(n, Expression.Constant(0)), generic,
                            Expression.Block(
                                check,
                                Expression.IfThenElse(Expression.AndAlso(plain, Expression.Call(RuntimeMethods.FitsStringLimit, length)), write, generic)))))),
            generic);
    }
}
