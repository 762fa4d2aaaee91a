using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Kida.Compilation;

/// <summary>
/// How interpreted template code calls runtime helpers of five or more parameters. The expression interpreter calls
/// such a method through reflection, and reflection catches every exception that passes through the call and throws
/// it again. Each rethrow starts a new exception dispatch on top of the stack, so an error that unwinds a deep
/// recursion (a macro calling itself, includes within includes) needs tens of kilobytes of stack per level and ends the
/// process with a stack overflow. Interpreted code therefore reaches those helpers through a two-argument adapter (the
/// helper as a delegate, the arguments in a struct), which the interpreter calls directly; <see cref="Unpack"/> turns
/// the adapter back into the direct call before a function is compiled to IL.
/// </summary>
internal static class InterpreterCalls
{
    /// <summary>The call of <paramref name="method"/> with <paramref name="args"/>, through an adapter when it has five or more parameters.</summary>
    public static Expression Call(MethodInfo method, Expression[] args)
    {
        var ps = method.GetParameters();
        if (ps.Length < 5 || ps.Length > 9 || !method.IsStatic || !RuntimeFeature.IsDynamicCodeSupported) return Expression.Call(method, args);
        var types = new Type[ps.Length];
        for (var i = 0; i < ps.Length; i++) types[i] = ps[i].ParameterType;
        var isAction = method.ReturnType == typeof(void);
        var delegateType = Expression.GetDelegateType([.. types, method.ReturnType]);
        var argsType = Packs[ps.Length - 5].MakeGenericType(types);
        var adapter = (isAction ? Adapters[ps.Length - 5].Action : Adapters[ps.Length - 5].Func)
            .MakeGenericMethod(isAction ? types : [.. types, method.ReturnType]);
        return Expression.Call(adapter, Expression.Constant(method.CreateDelegate(delegateType), delegateType),
            Expression.New(argsType.GetConstructor(types)!, args));
    }

    /// <summary>The direct call an adapter call stands for, or null when <paramref name="node"/> is not one.</summary>
    public static MethodCallExpression? Unpack(MethodCallExpression node) =>
        node.Method.DeclaringType == typeof(InterpreterCalls)
        && node.Arguments is [ConstantExpression { Value: Delegate target }, NewExpression packed]
            ? Expression.Call(target.Method, packed.Arguments)
            : null;

    private static readonly Type[] Packs = [typeof(Args5<,,,,>), typeof(Args6<,,,,,>), typeof(Args7<,,,,,,>), typeof(Args8<,,,,,,,>), typeof(Args9<,,,,,,,,>)];

    private static readonly (MethodInfo Action, MethodInfo Func)[] Adapters =
        [.. Enumerable.Range(5, 5).Select(n => (typeof(InterpreterCalls).GetMethod("Do" + n)!, typeof(InterpreterCalls).GetMethod("Get" + n)!))];

    internal readonly struct Args5<T0,T1,T2,T3,T4>(T0 a0, T1 a1, T2 a2, T3 a3, T4 a4)
    {
        public readonly T0 A0 = a0;
        public readonly T1 A1 = a1;
        public readonly T2 A2 = a2;
        public readonly T3 A3 = a3;
        public readonly T4 A4 = a4;
    }

    public static void Do5<T0,T1,T2,T3,T4>(Action<T0,T1,T2,T3,T4> target, Args5<T0,T1,T2,T3,T4> a) => target(a.A0, a.A1, a.A2, a.A3, a.A4);

    public static TR Get5<T0,T1,T2,T3,T4,TR>(Func<T0,T1,T2,T3,T4,TR> target, Args5<T0,T1,T2,T3,T4> a) => target(a.A0, a.A1, a.A2, a.A3, a.A4);

    internal readonly struct Args6<T0,T1,T2,T3,T4,T5>(T0 a0, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5)
    {
        public readonly T0 A0 = a0;
        public readonly T1 A1 = a1;
        public readonly T2 A2 = a2;
        public readonly T3 A3 = a3;
        public readonly T4 A4 = a4;
        public readonly T5 A5 = a5;
    }

    public static void Do6<T0,T1,T2,T3,T4,T5>(Action<T0,T1,T2,T3,T4,T5> target, Args6<T0,T1,T2,T3,T4,T5> a) => target(a.A0, a.A1, a.A2, a.A3, a.A4, a.A5);

    public static TR Get6<T0,T1,T2,T3,T4,T5,TR>(Func<T0,T1,T2,T3,T4,T5,TR> target, Args6<T0,T1,T2,T3,T4,T5> a) => target(a.A0, a.A1, a.A2, a.A3, a.A4, a.A5);

    internal readonly struct Args7<T0,T1,T2,T3,T4,T5,T6>(T0 a0, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6)
    {
        public readonly T0 A0 = a0;
        public readonly T1 A1 = a1;
        public readonly T2 A2 = a2;
        public readonly T3 A3 = a3;
        public readonly T4 A4 = a4;
        public readonly T5 A5 = a5;
        public readonly T6 A6 = a6;
    }

    public static void Do7<T0,T1,T2,T3,T4,T5,T6>(Action<T0,T1,T2,T3,T4,T5,T6> target, Args7<T0,T1,T2,T3,T4,T5,T6> a) => target(a.A0, a.A1, a.A2, a.A3, a.A4, a.A5, a.A6);

    public static TR Get7<T0,T1,T2,T3,T4,T5,T6,TR>(Func<T0,T1,T2,T3,T4,T5,T6,TR> target, Args7<T0,T1,T2,T3,T4,T5,T6> a) => target(a.A0, a.A1, a.A2, a.A3, a.A4, a.A5, a.A6);

    internal readonly struct Args8<T0,T1,T2,T3,T4,T5,T6,T7>(T0 a0, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7)
    {
        public readonly T0 A0 = a0;
        public readonly T1 A1 = a1;
        public readonly T2 A2 = a2;
        public readonly T3 A3 = a3;
        public readonly T4 A4 = a4;
        public readonly T5 A5 = a5;
        public readonly T6 A6 = a6;
        public readonly T7 A7 = a7;
    }

    public static void Do8<T0,T1,T2,T3,T4,T5,T6,T7>(Action<T0,T1,T2,T3,T4,T5,T6,T7> target, Args8<T0,T1,T2,T3,T4,T5,T6,T7> a) => target(a.A0, a.A1, a.A2, a.A3, a.A4, a.A5, a.A6, a.A7);

    public static TR Get8<T0,T1,T2,T3,T4,T5,T6,T7,TR>(Func<T0,T1,T2,T3,T4,T5,T6,T7,TR> target, Args8<T0,T1,T2,T3,T4,T5,T6,T7> a) => target(a.A0, a.A1, a.A2, a.A3, a.A4, a.A5, a.A6, a.A7);

    internal readonly struct Args9<T0,T1,T2,T3,T4,T5,T6,T7,T8>(T0 a0, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8)
    {
        public readonly T0 A0 = a0;
        public readonly T1 A1 = a1;
        public readonly T2 A2 = a2;
        public readonly T3 A3 = a3;
        public readonly T4 A4 = a4;
        public readonly T5 A5 = a5;
        public readonly T6 A6 = a6;
        public readonly T7 A7 = a7;
        public readonly T8 A8 = a8;
    }

    public static void Do9<T0,T1,T2,T3,T4,T5,T6,T7,T8>(Action<T0,T1,T2,T3,T4,T5,T6,T7,T8> target, Args9<T0,T1,T2,T3,T4,T5,T6,T7,T8> a) => target(a.A0, a.A1, a.A2, a.A3, a.A4, a.A5, a.A6, a.A7, a.A8);

    public static TR Get9<T0,T1,T2,T3,T4,T5,T6,T7,T8,TR>(Func<T0,T1,T2,T3,T4,T5,T6,T7,T8,TR> target, Args9<T0,T1,T2,T3,T4,T5,T6,T7,T8> a) => target(a.A0, a.A1, a.A2, a.A3, a.A4, a.A5, a.A6, a.A7, a.A8);
}
