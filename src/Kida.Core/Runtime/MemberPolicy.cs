using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Kida.Runtime;

/// <summary>
/// The one rule every path that reads a member of, or calls a method on, a .NET object consults: templates see data,
/// never the runtime. Applies in every mode (interpreted, IL, tier-up inlined sites), with or without a sandbox.
/// <list type="bullet">
/// <item>Objects of a <em>blocked type</em> expose no members at all: <see cref="Type"/>, everything in
/// <c>System.Reflection</c>, delegates (they stay callable), tasks, service providers, <c>HttpContext</c>, the host's
/// configuration, file providers and lifetimes, processes, threads, streams, <c>System.Runtime</c> handles…</item>
/// <item>A member whose result is of a blocked type is hidden on every type (a property returning a <c>Type</c> on a
/// user class too), as are <c>Exception.TargetSite</c>/<c>StackTrace</c>/<c>Source</c>, the methods of
/// <see cref="object"/> (<c>GetType</c>, <c>Equals</c>, <c>GetHashCode</c>, <c>ToString()</c>), <c>Dispose</c>,
/// static members, generic method definitions and methods with by-ref, pointer or blocked-type parameters.</item>
/// </list>
/// A hidden member behaves exactly like a missing one, so templates cannot probe for it. Decisions are made once per
/// type when its member table is built (cached), never per access.
/// </summary>
internal static class MemberPolicy
{
    private static readonly ConcurrentDictionary<Type, bool> BlockedTypes = new();
    private static readonly ConcurrentDictionary<Type, TypeMembers> Tables = new();

    /// <summary>Full names of types and interfaces whose implementations are runtime machinery (matched by name: Core does not reference ASP.NET Core).</summary>
    private static readonly HashSet<string> BlockedNames = new(StringComparer.Ordinal)
    {
        "System.IServiceProvider",
        "System.AppDomain",
        "System.Environment",
        "System.GC",
        "System.RuntimeTypeHandle", "System.RuntimeMethodHandle", "System.RuntimeFieldHandle", "System.ModuleHandle",
        "System.ArgIterator", "System.TypedReference", "System.IntPtr", "System.UIntPtr",
        "System.Activator",
        "Microsoft.AspNetCore.Http.HttpContext",
        "Microsoft.AspNetCore.Http.Features.IFeatureCollection",
        "Microsoft.AspNetCore.Http.ConnectionInfo",
        "Microsoft.AspNetCore.Http.WebSocketManager",
        "Microsoft.AspNetCore.Http.IHttpContextAccessor",
        "Microsoft.AspNetCore.Hosting.IWebHostEnvironment",
        "Microsoft.AspNetCore.Hosting.IHostingEnvironment",
        "Microsoft.AspNetCore.Hosting.IApplicationLifetime",
        "Microsoft.AspNetCore.Builder.IApplicationBuilder",
        "Microsoft.AspNetCore.Mvc.ActionContext",
        "Microsoft.Extensions.DependencyInjection.IServiceScope",
        "Microsoft.Extensions.DependencyInjection.IServiceScopeFactory",
        "Microsoft.Extensions.DependencyInjection.IServiceCollection",
        "Microsoft.Extensions.Configuration.IConfiguration",
        "Microsoft.Extensions.Configuration.IConfigurationProvider",
        "Microsoft.Extensions.Hosting.IHost",
        "Microsoft.Extensions.Hosting.IHostEnvironment",
        "Microsoft.Extensions.Hosting.IHostApplicationLifetime",
        "Microsoft.Extensions.FileProviders.IFileProvider",
        "Microsoft.Extensions.FileProviders.IFileInfo",
        "System.Data.IDbConnection", "System.Data.IDbCommand", "System.Data.IDbTransaction",
        typeof(ITemplateHost).FullName!, "Kida.KidaOptions", "Kida.ITemplateLoader",
    };

    /// <summary>Namespaces (and their sub-namespaces) whose types are runtime machinery.</summary>
    private static readonly string[] BlockedNamespaces =
    [
        "System.Reflection", "System.Runtime", "System.Threading", "System.Diagnostics", "System.IO", "System.Linq.Expressions",
        "System.Net.Sockets", "System.Net.Http", "System.Security", "System.Resources", "System.Buffers", "Microsoft.Win32",
        "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Logging", "Microsoft.Extensions.Hosting",
        "Microsoft.Extensions.FileProviders", "System.Security.Cryptography",
    ];

    /// <summary>Namespaces of <see cref="BlockedNamespaces"/> that only block the exact namespace.</summary>
    private static readonly HashSet<string> ExactOnly = new(StringComparer.Ordinal) { "System.Diagnostics", "System.Security" };

    /// <summary>Types of <c>System.IO</c> that are data a view may list (file names, sizes, dates): properties readable, no methods.</summary>
    private static bool IsDataOnlyIo(Type t) =>
        typeof(FileSystemInfo).IsAssignableFrom(t) || t == typeof(DriveInfo);

    /// <summary>
    /// Whether objects of type <paramref name="t"/> are runtime machinery: they expose nothing, and a member returning
    /// that type is hidden. Delegates are not in this set (a property holding a callback stays readable and callable),
    /// but expose no members either (<see cref="ExposesNothing"/>).
    /// </summary>
    public static bool IsBlockedType(Type t) => BlockedTypes.GetOrAdd(t, static t => ComputeBlocked(t));

    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2070:GetInterfaces", Justification = TrimReasons.LiveInterfaces)]
    private static bool ComputeBlocked(Type t)
    {
        if (t.IsPointer || t.IsByRef || t.IsByRefLike || t.IsFunctionPointer) return true;
        if (t.HasElementType) return IsBlockedType(t.GetElementType()!);
        if (typeof(Type).IsAssignableFrom(t) || typeof(MemberInfo).IsAssignableFrom(t)
            || typeof(Task).IsAssignableFrom(t) || typeof(IServiceProvider).IsAssignableFrom(t) || typeof(Assembly).IsAssignableFrom(t))
            return true;
        if (t == typeof(ValueTask) || (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(ValueTask<>))) return true;
        if (IsDataOnlyIo(t)) return false;
        for (var b = t; b is not null; b = b.BaseType)
        {
            if (b.FullName is { } full && BlockedNames.Contains(full)) return true;
            if (InBlockedNamespace(b.Namespace)) return true;
        }
        foreach (var i in t.GetInterfaces())
            if (i.FullName is { } full && BlockedNames.Contains(full)) return true;
        if (t.IsGenericType && !t.IsGenericTypeDefinition)
            foreach (var arg in t.GetGenericArguments())
                if (arg != t && !typeof(Delegate).IsAssignableFrom(arg) && IsBlockedResultArgument(arg)
                    // an anonymous type's arguments are its members' types, each checked as a member (a task member is awaited)
                    && !(IsAnonymous(t) && AsyncValues.IsVisibleAwaitable(arg))) return true;
        return false;
    }

    // a generic argument makes a type blocked when it is reflection or a task (List<Type>, Lazy<Task>…); a delegate
    // argument does not (a list of callbacks is data), nor does an ordinary class that happens to be blocked by namespace
    private static bool IsBlockedResultArgument(Type arg) =>
        typeof(Type).IsAssignableFrom(arg) || typeof(MemberInfo).IsAssignableFrom(arg) || typeof(Assembly).IsAssignableFrom(arg)
        || typeof(Task).IsAssignableFrom(arg) || typeof(IServiceProvider).IsAssignableFrom(arg)
        || (arg.IsGenericType && !arg.IsGenericTypeDefinition && arg.GetGenericArguments().Any(IsBlockedResultArgument));

    private static bool IsAnonymous(Type t) =>
        t.Namespace is null && t.Name.Contains("AnonymousType", StringComparison.Ordinal)
        && t.IsDefined(typeof(CompilerGeneratedAttribute), false);

    private static bool InBlockedNamespace(string? ns)
    {
        if (ns is null) return false;
        foreach (var blocked in BlockedNamespaces)
        {
            if (!ns.StartsWith(blocked, StringComparison.Ordinal)) continue;
            if (ns.Length == blocked.Length) return true;
            if (ns[blocked.Length] == '.' && !ExactOnly.Contains(blocked)) return true;
        }
        return false;
    }

    /// <summary>
    /// Whether objects of type <paramref name="t"/> expose no .NET members to templates: blocked types, and Kida's own
    /// runtime types (callables, macros, templates), which show templates only what they choose to.
    /// </summary>
    public static bool ExposesNothing(Type t) =>
        IsBlockedType(t) || typeof(Delegate).IsAssignableFrom(t) || IsKidaObject(t);

    /// <summary>Kida's runtime objects, also those of Kida.AspNetCore (callables, wrappers): they show templates only what they choose to.</summary>
    public static bool IsKidaObject(Type t) =>
        (t.Assembly == typeof(MemberPolicy).Assembly && t != typeof(Markup)) || typeof(IKidaObject).IsAssignableFrom(t) || typeof(KidaCallable).IsAssignableFrom(t);

    /// <summary>
    /// The text of a .NET object a template prints (the last case of <c>str()</c>): its <c>ToString()</c>, except that an
    /// exception prints its message as Python's <c>str(exception)</c> does (never its stack trace), and the sandbox
    /// decides for its types (<see cref="SandboxRules.ObjectText"/>).
    /// </summary>
    public static string ObjectText(object v)
    {
        if (SandboxRules.Of(null) is { } sandbox) return sandbox.ObjectText(v);
        if (v is Exception ex) return ex.Message;
        return Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    /// <summary>The members of <paramref name="type"/> templates may read or call (built once per type).</summary>
    public static TypeMembers For(Type type) => Tables.GetOrAdd(type, static t => new TypeMembers(t));

    /// <summary>
    /// Whether a member of declared type <paramref name="t"/> may be read: not a blocked type, or a task of a visible
    /// result, which templates see awaited (<see cref="AsyncValues"/>), never as the task.
    /// </summary>
    private static bool IsVisibleType(Type t) => !IsBlockedType(t) || AsyncValues.IsVisibleAwaitable(t);

    internal static bool IsVisibleProperty(PropertyInfo p) =>
        p.GetMethod is { IsPublic: true, IsStatic: false } && p.GetIndexParameters().Length == 0 && IsVisibleType(p.PropertyType)
        && !IsHiddenName(p.Name) && !IsExceptionInternals(p);

    internal static bool IsVisibleField(FieldInfo f) =>
        f.IsPublic && !f.IsStatic && IsVisibleType(f.FieldType) && !IsHiddenName(f.Name);

    internal static bool IsCallable(MethodInfo m)
    {
        if (!m.IsPublic || m.IsStatic || m.IsSpecialName || m.IsGenericMethodDefinition || m.ContainsGenericParameters) return false;
        if (IsHiddenName(m.Name) || IsObjectMethod(m)) return false;
        if (m.DeclaringType is null || ExposesNothing(m.DeclaringType)) return false;
        if (m.ReturnType != typeof(void) && !IsVisibleType(m.ReturnType)) return false;
        if (m.ReturnParameter?.ParameterType.IsByRef == true) return false;
        foreach (var p in m.GetParameters())
        {
            var pt = p.ParameterType;
            // a CancellationToken parameter is bound to the render's token (ArgBinder), never to a template value
            if (pt.IsByRef || pt.IsPointer || pt.IsByRefLike || p.IsOut || (IsBlockedType(pt) && pt != typeof(CancellationToken))) return false;
        }
        return true;
    }

    private static readonly HashSet<string> ObjectMethods = new(StringComparer.Ordinal)
    {
        "GetType", "Equals", "GetHashCode", "ReferenceEquals", "MemberwiseClone", "Finalize", "Dispose", "DisposeAsync",
        "Deconstruct", "GetEnumerator", "GetAsyncEnumerator", "GetAwaiter", "ConfigureAwait",
    };

    private static bool IsObjectMethod(MethodInfo m) =>
        ObjectMethods.Contains(m.Name) || (m.Name == "ToString" && m.GetParameters().Length == 0)
        || m.GetBaseDefinition().DeclaringType == typeof(object);

    /// <summary>Compiler-generated names (<c>&lt;Clone&gt;$</c>, backing fields) are never members a template may name.</summary>
    private static bool IsHiddenName(string name) => name.Length == 0 || name[0] == '<' || name.Contains('$');

    private static bool IsExceptionInternals(PropertyInfo p) =>
        typeof(Exception).IsAssignableFrom(p.DeclaringType) && p.Name is "TargetSite" or "StackTrace" or "Source" or "HResult";

    /// <summary>Name matching as templates written for Python expect: exact, then case-insensitive, then snake_case to PascalCase.</summary>
    internal static T? Match<T>(T[] members, string name) where T : MemberInfo
    {
        foreach (var m in members) if (m.Name == name) return m;
        foreach (var m in members) if (string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)) return m;
        if (name.Contains('_'))
        {
            var compact = name.Replace("_", "");
            foreach (var m in members) if (string.Equals(m.Name, compact, StringComparison.OrdinalIgnoreCase)) return m;
        }
        return null;
    }

    internal static MethodInfo[]? MatchMethods(MethodInfo[] methods, string name)
    {
        if (Pick(methods, m => m.Name == name) is { } exact) return exact;
        if (Pick(methods, m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)) is { } ci) return ci;
        if (name.Contains('_'))
        {
            var compact = name.Replace("_", "");
            return Pick(methods, m => string.Equals(m.Name, compact, StringComparison.OrdinalIgnoreCase));
        }
        return null;

        static MethodInfo[]? Pick(MethodInfo[] all, Func<MethodInfo, bool> match)
        {
            var found = all.Where(match).ToArray();
            return found.Length > 0 ? found : null;
        }
    }
}

/// <summary>The readable members (properties before fields) and callable methods of one type, after <see cref="MemberPolicy"/>.</summary>
internal sealed class TypeMembers
{
    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2070:GetMembers", Justification = TrimReasons.ModelMembers)]
    public TypeMembers(Type type)
    {
        Type = type;
        if (MemberPolicy.ExposesNothing(type) || type.ContainsGenericParameters)
        {
            Properties = [];
            Fields = [];
            Methods = [];
            return;
        }
        const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance;
        Properties = type.GetProperties(flags).Where(MemberPolicy.IsVisibleProperty).ToArray();
        Fields = type.GetFields(flags).Where(MemberPolicy.IsVisibleField).ToArray();
        // data-only types (files listed by a view) expose properties, never methods
        Methods = typeof(FileSystemInfo).IsAssignableFrom(type) || type == typeof(DriveInfo)
            ? []
            : type.GetMethods(flags).Where(MemberPolicy.IsCallable).ToArray();
    }

    public Type Type { get; }
    public PropertyInfo[] Properties { get; }
    public FieldInfo[] Fields { get; }
    public MethodInfo[] Methods { get; }

    /// <summary>The property or field a template name refers to (exact, case-insensitive, snake_case), or null.</summary>
    public MemberInfo? FindMember(string name)
    {
        if (Properties.Length == 0 && Fields.Length == 0) return null;
        // per matching rule, a property wins over a field
        foreach (var m in Properties) if (m.Name == name) return m;
        foreach (var m in Fields) if (m.Name == name) return m;
        foreach (var m in Properties) if (string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)) return m;
        foreach (var m in Fields) if (string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)) return m;
        if (!name.Contains('_')) return null;
        var compact = name.Replace("_", "");
        foreach (var m in Properties) if (string.Equals(m.Name, compact, StringComparison.OrdinalIgnoreCase)) return m;
        foreach (var m in Fields) if (string.Equals(m.Name, compact, StringComparison.OrdinalIgnoreCase)) return m;
        return null;
    }

    public MethodInfo[]? FindMethods(string name) => Methods.Length == 0 ? null : MemberPolicy.MatchMethods(Methods, name);
}

/// <summary>
/// A cache that stops growing at a fixed size: lookups keyed by names a template computes (<c>x|attr(name)</c>,
/// <c>obj[key]</c>) cannot grow memory without bound. Past the bound, values are computed and not stored.
/// </summary>
internal sealed class BoundedCache<TKey, TValue>(int capacity) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _map = new();
    private int _count;

    public TValue GetOrAdd<TArg>(TKey key, Func<TKey, TArg, TValue> factory, TArg arg)
    {
        if (_map.TryGetValue(key, out var value)) return value;
        value = factory(key, arg);
        if (Volatile.Read(ref _count) < capacity && _map.TryAdd(key, value)) Interlocked.Increment(ref _count);
        return value;
    }
}
