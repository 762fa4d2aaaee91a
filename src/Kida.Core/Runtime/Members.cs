using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Kida.Runtime;

/// <summary>Objects of the runtime (loop, cycler, namespace…) that expose members to templates themselves.</summary>
internal interface IKidaObject
{
    bool TryGetMember(string name, out object? value);
}

/// <summary>
/// Reads members of .NET objects the way templates written for Python expect: exact name, then case-insensitive,
/// then snake_case to PascalCase (<c>first_name</c> finds <c>FirstName</c>). Accessors are compiled once per
/// (type, name) and cached.
/// </summary>
internal static class Members
{
    // keyed by the name a template used (bounded: names can come from data, x|attr(name), obj[key]); the compiled
    // accessors themselves are keyed by the member, so spellings of one name share one compiled getter
    private static readonly BoundedCache<(Type, string), MemberInfo?> Found = new(100_000);
    private static readonly BoundedCache<(Type, string), MethodInfo[]?> Methods = new(100_000);
    private static readonly ConcurrentDictionary<MemberInfo, Func<object, object?>> Getters = new();
    private static readonly BoundedCache<(Type, string), Func<object, object?>?> GettersByName = new(100_000);
    private static readonly ConcurrentDictionary<MemberInfo, Action<object, Output, bool>?> Writers = new();
    // the writers' targets, found on typeof(Output) (kept by the trimmer; never looked up on a runtime type)
    private static readonly MethodInfo WriteTextMethod = typeof(Output).GetMethod(nameof(Output.WriteText), [typeof(string), typeof(bool)])!;
    private static readonly MethodInfo WriteBoolMethod = typeof(Output).GetMethod(nameof(Output.WriteBool), [typeof(bool)])!;
    private static readonly MethodInfo WriteIntMethod = typeof(Output).GetMethod(nameof(Output.WriteInt), [typeof(long)])!;
    private static readonly MethodInfo WriteDoubleMethod = typeof(Output).GetMethod(nameof(Output.WriteDouble), [typeof(double)])!;
    private static readonly MethodInfo WriteDecimalMethod = typeof(Output).GetMethod(nameof(Output.WriteDecimal), [typeof(decimal)])!;

    public static bool TryGet(object obj, string name, out object? value)
    {
        var getter = GetGetter(obj.GetType(), name);
        if (getter is null) { value = null; return false; }
        try
        {
            value = getter(obj);
        }
        catch (Exception ex) when (ex is not TemplateException and not AsyncPendingSignal)
        {
            throw new TemplateRuntimeException($"Reading '{obj.GetType().Name}.{name}' failed: {ex.Message}", ErrorCodes.AttributeError, ex);
        }
        return true;
    }

    /// <summary>The cached getter of a property or field, or null when the type has no such member (or <see cref="MemberPolicy"/> hides it).</summary>
    public static Func<object, object?>? GetGetter(Type type, string name) =>
        GettersByName.GetOrAdd((type, name), static (key, _) =>
            FindMember(key.Item1, key.Item2) is { } member ? Getters.GetOrAdd(member, static (m, t) => Compile(t, m), key.Item1) : null, 0);

    /// <summary>
    /// A compiled writer that reads the member and formats it straight into the output without boxing, for members
    /// of type string, bool, int, long, double or decimal; null for other member types (or without dynamic code).
    /// </summary>
    public static Action<object, Output, bool>? GetWriter(Type type, string name) =>
        FindMember(type, name) is { } member ? Writers.GetOrAdd(member, static (m, t) => BuildWriter(t, m), type) : null;

    private static Action<object, Output, bool>? BuildWriter(Type type, MemberInfo member)
    {
        if (!RuntimeFeature.IsDynamicCodeCompiled) return null;
        var obj = Expression.Parameter(typeof(object), "obj");
        var output = Expression.Parameter(typeof(Output), "output");
        var escape = Expression.Parameter(typeof(bool), "escape");
        var body = WriteExpression(Expression.MakeMemberAccess(Expression.Convert(obj, type), member), output, escape);
        return body is null ? null : Expression.Lambda<Action<object, Output, bool>>(body, obj, output, escape).Compile();
    }

    /// <summary>
    /// Writes a member value of type string, bool, int, long, short, byte, double or decimal straight into the output
    /// (no boxing); null for other types. Shared by the compiled writers and the sites inlined at tier-up.
    /// </summary>
    internal static Expression? WriteExpression(Expression access, Expression output, Expression escape)
    {
        var t = access.Type;
        if (t == typeof(string)) return Expression.Call(output, WriteTextMethod, access, escape);
        if (t == typeof(bool)) return Expression.Call(output, WriteBoolMethod, access);
        if (t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(byte))
            return Expression.Call(output, WriteIntMethod, Expression.Convert(access, typeof(long)));
        if (t == typeof(double)) return Expression.Call(output, WriteDoubleMethod, access);
        if (t == typeof(decimal)) return Expression.Call(output, WriteDecimalMethod, access);
        return null;
    }

    /// <summary>The public instance methods a template name refers to, after <see cref="MemberPolicy"/>; null when none.</summary>
    public static MethodInfo[]? FindMethods(Type type, string name) =>
        Methods.GetOrAdd((type, name), static (key, _) => MemberPolicy.For(key.Item1).FindMethods(key.Item2), 0);

    /// <summary>
    /// The property or field a template name refers to (exact name, case-insensitive, snake_case to PascalCase),
    /// after <see cref="MemberPolicy"/>: every getter, writer and tier-up inlined site is built from this.
    /// </summary>
    internal static MemberInfo? FindMember(Type type, string name) =>
        Found.GetOrAdd((type, name), static (key, _) => MemberPolicy.For(key.Item1).FindMember(key.Item2), 0);

    private static Func<object, object?> Compile(Type type, MemberInfo member)
    {
        var getter = CompileRead(type, member);
        if (!AsyncValues.IsAwaitableType(member is PropertyInfo pi ? pi.PropertyType : ((FieldInfo)member).FieldType)) return getter;
        // a member of a task type is an await point: templates see its result, never the task
        var what = $"'{type.Name}.{member.Name}'";
        return obj => AsyncValues.Await((getter, obj), static s => s.getter(s.obj), what);
    }

    private static Func<object, object?> CompileRead(Type type, MemberInfo member)
    {
        if (!RuntimeFeature.IsDynamicCodeCompiled)
        {
            return member is PropertyInfo p ? p.GetValue : ((FieldInfo)member).GetValue;
        }
        var obj = Expression.Parameter(typeof(object), "obj");
        var access = Expression.MakeMemberAccess(Expression.Convert(obj, type), member);
        // booleans and small integers come from shared boxes: reading them allocates nothing
        Expression body = access.Type == typeof(bool)
            ? Expression.Condition(access, Expression.Constant(Boxes.True, typeof(object)), Expression.Constant(Boxes.False, typeof(object)))
            : access.Type == typeof(int) ? Expression.Call(typeof(Boxes).GetMethod(nameof(Boxes.Int))!, access)
            : Expression.Convert(access, typeof(object));
        return Expression.Lambda<Func<object, object?>>(body, obj).Compile();
    }
}

/// <summary>A .NET method bound to its target, callable from templates.</summary>
internal sealed class BoundClrMethod(object target, MethodInfo[] candidates) : KidaCallable
{
    public override string TypeName => "method";

    public override object? Invoke(RenderState rs, in CallArgs args)
    {
        foreach (var m in candidates.OrderBy(m => m.GetParameters().Length))
        {
            if (ArgBinder.TryBind(m.GetParameters(), args, out var bound))
            {
                try
                {
                    // a method returning a task is an await point: an asynchronous render that has its result does not call it again
                    if (AsyncValues.IsAwaitableType(m.ReturnType))
                        return AsyncValues.Await((m, target, bound), static s => s.m.Invoke(s.target, s.bound), $"'{m.Name}()'");
                    // an asynchronous render's later attempts do not call it again (AsyncValues.Journaled)
                    return AsyncValues.Journaled(target, m, bound, (m, target, bound), static s => s.m.Invoke(s.target, s.bound));
                }
                catch (TargetInvocationException ex) when (ex.InnerException is not null)
                {
                    if (ex.InnerException is TemplateException) throw ex.InnerException;
                    throw new TemplateRuntimeException($"{m.Name}() failed: {ex.InnerException.Message}", ErrorCodes.Runtime, ex.InnerException);
                }
            }
        }
        throw new TemplateRuntimeException($"No overload of '{candidates[0].Name}' accepts these arguments", ErrorCodes.TypeError);
    }

    public override string ToString() => $"<method {candidates[0].Name}>";
}

/// <summary>Shared boxes for values that templates read over and over.</summary>
internal static class Boxes
{
    public static readonly object True = true;
    public static readonly object False = false;
    private static readonly object[] SmallInts = Enumerable.Range(-128, 1152).Select(i => (object)i).ToArray();

    public static object Int(int value) => (uint)(value + 128) < (uint)SmallInts.Length ? SmallInts[value + 128] : value;

    private static readonly object[] SmallLongs = Enumerable.Range(-128, 1152).Select(i => (object)(long)i).ToArray();

    /// <summary>A boxed long; small values (loop counters, lengths) come from shared boxes.</summary>
    public static object Long(long value) => (ulong)(value + 128) < (ulong)SmallLongs.Length ? SmallLongs[value + 128] : value;
}
