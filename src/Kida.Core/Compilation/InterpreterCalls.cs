using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Kida.Compilation;

/// <summary>
/// How interpreted template code calls runtime helpers of five or more parameters. The expression interpreter calls
/// such a method through reflection, and reflection catches every exception that passes through the call and throws
/// it again. Each rethrow starts a new exception dispatch on top of the stack, so an error that unwinds a deep
/// recursion (a macro calling itself, includes within includes) needs tens of kilobytes of stack per level and ends the
/// process with a stack overflow. Interpreted code therefore reaches those helpers through an adapter of at most four
/// parameters (the helper as a delegate, the arguments grouped by small factory methods), all of which the interpreter
/// calls through typed delegates; <see cref="Unpack"/> turns the adapter back into the direct call before a function is
/// compiled to IL.
/// </summary>
internal static class InterpreterCalls
{
    /// <summary>The call of <paramref name="method"/> with <paramref name="args"/>, through an adapter when it has five or more parameters.</summary>
    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2060:MakeGenericMethod", Justification = TrimReasons.DynamicCodeOnly)]
    [UnconditionalSuppressMessage("AotAnalysis", "IL3050:RequiresDynamicCode", Justification = TrimReasons.DynamicCodeOnly)]
    public static Expression Call(MethodInfo method, Expression[] args)
    {
        if (!method.IsStatic || !RuntimeFeature.IsDynamicCodeSupported) return Expression.Call(method, args);
        // (the adapter of a helper made once: generic instantiations and delegates cost microseconds each, and a
        // template calls the same few helpers at every site; the keys are Kida's own helpers, a bounded set)
        var plan = Plans.GetOrAdd(method, MakePlan);
        if (plan is null) return Expression.Call(method, args);
        Expression Group(int from, int count) => Expression.Call(count == 3 ? plan.First3 ?? plan.Second! : from == 0 ? plan.First4! : plan.Second!, args[from..(from + count)]);
        Expression[] rest = plan.Arity switch
        {
            5 => [Group(0, 3), args[3], args[4]],
            6 => [Group(0, 4), args[4], args[5]],
            7 => [Group(0, 4), Group(4, 3)],
            8 => [Group(0, 4), Group(4, 4)],
            _ => [Group(0, 4), Group(4, 4), args[8]],
        };
        return Expression.Call(plan.Adapter, [plan.Target, .. rest]);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<MethodInfo, Plan?> Plans = new();

    /// <summary>How a helper of five to nine parameters is called: the adapter, the helper as a delegate constant, and the group factories.</summary>
    private sealed record Plan(int Arity, MethodInfo Adapter, ConstantExpression Target, MethodInfo? First3, MethodInfo? First4, MethodInfo? Second);

    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2060:MakeGenericMethod", Justification = TrimReasons.DynamicCodeOnly)]
    [UnconditionalSuppressMessage("AotAnalysis", "IL3050:RequiresDynamicCode", Justification = TrimReasons.DynamicCodeOnly)]
    private static Plan? MakePlan(MethodInfo method)
    {
        var ps = method.GetParameters();
        if (ps.Length < 5 || ps.Length > 9) return null;
        var types = new Type[ps.Length];
        for (var i = 0; i < ps.Length; i++) types[i] = ps[i].ParameterType;
        var isAction = method.ReturnType == typeof(void);
        var delegateType = Expression.GetDelegateType([.. types, method.ReturnType]);
        var adapter = (isAction ? Actions : Functions)[ps.Length - 5]
            .MakeGenericMethod(isAction ? types : [.. types, method.ReturnType]);
        var target = Expression.Constant(method.CreateDelegate(delegateType), delegateType);
        // the groups each adapter takes after the delegate (see its signature): 3 | 4 first, then 3 or 4 more
        return ps.Length switch
        {
            5 => new Plan(5, adapter, target, GroupOf3.MakeGenericMethod(types[0..3]), null, null),
            6 => new Plan(6, adapter, target, null, GroupOf4.MakeGenericMethod(types[0..4]), null),
            7 => new Plan(7, adapter, target, null, GroupOf4.MakeGenericMethod(types[0..4]), GroupOf3.MakeGenericMethod(types[4..7])),
            _ => new Plan(ps.Length, adapter, target, null, GroupOf4.MakeGenericMethod(types[0..4]), GroupOf4.MakeGenericMethod(types[4..8])),
        };
    }

    /// <summary>The direct call an adapter call stands for, or null when <paramref name="node"/> is not one.</summary>
    public static MethodCallExpression? Unpack(MethodCallExpression node)
    {
        if (node.Method.DeclaringType != typeof(InterpreterCalls) || node.Arguments.Count == 0
            || node.Arguments[0] is not ConstantExpression { Value: Delegate target })
            return null;
        var args = new List<Expression>();
        for (var i = 1; i < node.Arguments.Count; i++)
        {
            var part = node.Arguments[i];
            if (part is MethodCallExpression { Method.IsGenericMethod: true } group
                && group.Method.GetGenericMethodDefinition() is var definition && (definition == GroupOf3 || definition == GroupOf4))
                args.AddRange(group.Arguments);
            else args.Add(part);
        }
        return Expression.Call(target.Method, args);
    }

    // the generic definitions of the adapters and groups, from their method groups
    private static readonly MethodInfo GroupOf3 = new Func<int, int, int, G3<int, int, int>>(Of3).Method.GetGenericMethodDefinition();
    private static readonly MethodInfo GroupOf4 = new Func<int, int, int, int, G4<int, int, int, int>>(Of4).Method.GetGenericMethodDefinition();
    private static readonly MethodInfo[] Actions =
    [
        Definition(new Action<Action<int, int, int, int, int>, G3<int, int, int>, int, int>(Do5)),
        Definition(new Action<Action<int, int, int, int, int, int>, G4<int, int, int, int>, int, int>(Do6)),
        Definition(new Action<Action<int, int, int, int, int, int, int>, G4<int, int, int, int>, G3<int, int, int>>(Do7)),
        Definition(new Action<Action<int, int, int, int, int, int, int, int>, G4<int, int, int, int>, G4<int, int, int, int>>(Do8)),
        Definition(new Action<Action<int, int, int, int, int, int, int, int, int>, G4<int, int, int, int>, G4<int, int, int, int>, int>(Do9)),
    ];
    private static readonly MethodInfo[] Functions =
    [
        Definition(new Func<Func<int, int, int, int, int, int>, G3<int, int, int>, int, int, int>(Get5)),
        Definition(new Func<Func<int, int, int, int, int, int, int>, G4<int, int, int, int>, int, int, int>(Get6)),
        Definition(new Func<Func<int, int, int, int, int, int, int, int>, G4<int, int, int, int>, G3<int, int, int>, int>(Get7)),
        Definition(new Func<Func<int, int, int, int, int, int, int, int, int>, G4<int, int, int, int>, G4<int, int, int, int>, int>(Get8)),
        Definition(new Func<Func<int, int, int, int, int, int, int, int, int, int>, G4<int, int, int, int>, G4<int, int, int, int>, int, int>(Get9)),
    ];

    private static MethodInfo Definition(Delegate adapter) => adapter.Method.GetGenericMethodDefinition();

    internal readonly record struct G3<T0, T1, T2>(T0 A0, T1 A1, T2 A2);

    internal readonly record struct G4<T0, T1, T2, T3>(T0 A0, T1 A1, T2 A2, T3 A3);

    public static G3<T0, T1, T2> Of3<T0, T1, T2>(T0 a0, T1 a1, T2 a2) => new(a0, a1, a2);

    public static G4<T0, T1, T2, T3> Of4<T0, T1, T2, T3>(T0 a0, T1 a1, T2 a2, T3 a3) => new(a0, a1, a2, a3);

    public static void Do5<T0, T1, T2, T3, T4>(Action<T0, T1, T2, T3, T4> f, G3<T0, T1, T2> a, T3 a3, T4 a4) => f(a.A0, a.A1, a.A2, a3, a4);

    public static TR Get5<T0, T1, T2, T3, T4, TR>(Func<T0, T1, T2, T3, T4, TR> f, G3<T0, T1, T2> a, T3 a3, T4 a4) => f(a.A0, a.A1, a.A2, a3, a4);

    public static void Do6<T0, T1, T2, T3, T4, T5>(Action<T0, T1, T2, T3, T4, T5> f, G4<T0, T1, T2, T3> a, T4 a4, T5 a5) =>
        f(a.A0, a.A1, a.A2, a.A3, a4, a5);

    public static TR Get6<T0, T1, T2, T3, T4, T5, TR>(Func<T0, T1, T2, T3, T4, T5, TR> f, G4<T0, T1, T2, T3> a, T4 a4, T5 a5) =>
        f(a.A0, a.A1, a.A2, a.A3, a4, a5);

    public static void Do7<T0, T1, T2, T3, T4, T5, T6>(Action<T0, T1, T2, T3, T4, T5, T6> f, G4<T0, T1, T2, T3> a, G3<T4, T5, T6> b) =>
        f(a.A0, a.A1, a.A2, a.A3, b.A0, b.A1, b.A2);

    public static TR Get7<T0, T1, T2, T3, T4, T5, T6, TR>(Func<T0, T1, T2, T3, T4, T5, T6, TR> f, G4<T0, T1, T2, T3> a, G3<T4, T5, T6> b) =>
        f(a.A0, a.A1, a.A2, a.A3, b.A0, b.A1, b.A2);

    public static void Do8<T0, T1, T2, T3, T4, T5, T6, T7>(Action<T0, T1, T2, T3, T4, T5, T6, T7> f, G4<T0, T1, T2, T3> a, G4<T4, T5, T6, T7> b) =>
        f(a.A0, a.A1, a.A2, a.A3, b.A0, b.A1, b.A2, b.A3);

    public static TR Get8<T0, T1, T2, T3, T4, T5, T6, T7, TR>(Func<T0, T1, T2, T3, T4, T5, T6, T7, TR> f, G4<T0, T1, T2, T3> a, G4<T4, T5, T6, T7> b) =>
        f(a.A0, a.A1, a.A2, a.A3, b.A0, b.A1, b.A2, b.A3);

    public static void Do9<T0, T1, T2, T3, T4, T5, T6, T7, T8>(Action<T0, T1, T2, T3, T4, T5, T6, T7, T8> f, G4<T0, T1, T2, T3> a,
        G4<T4, T5, T6, T7> b, T8 a8) =>
        f(a.A0, a.A1, a.A2, a.A3, b.A0, b.A1, b.A2, b.A3, a8);

    public static TR Get9<T0, T1, T2, T3, T4, T5, T6, T7, T8, TR>(Func<T0, T1, T2, T3, T4, T5, T6, T7, T8, TR> f, G4<T0, T1, T2, T3> a,
        G4<T4, T5, T6, T7> b, T8 a8) =>
        f(a.A0, a.A1, a.A2, a.A3, b.A0, b.A1, b.A2, b.A3, a8);
}
