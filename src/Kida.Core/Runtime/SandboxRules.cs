using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kida.Runtime;

/// <summary>
/// A <see cref="SandboxPolicy"/> compiled for one environment: what sandboxed templates may read, call and mutate.
/// Every decision is made once per (type, name) and cached (bounded), never per access.
/// </summary>
internal sealed class SandboxRules
{
    private enum Access : byte
    {
        /// <summary>Not allowed at all: K-SEC-002.</summary>
        None,
        /// <summary>Kida's own runtime types: nothing visible, like a missing member.</summary>
        Nothing,
        /// <summary>Properties (and fields), no methods: collections, tuples, anonymous types, JSON nodes.</summary>
        Data,
        /// <summary>AllowedTypes: properties and fields; methods only when marked [KidaVisible].</summary>
        Allowed,
        /// <summary>Only the members marked [KidaVisible].</summary>
        Marked,
        /// <summary>Everything MemberPolicy lets through: immutable values and [KidaVisible] types.</summary>
        Full,
    }

    private enum Verdict : byte { Missing, Member, Methods, BlockedMember, BlockedType }

    private sealed record Decision(Verdict Verdict, MethodInfo[]? Methods = null);

    private readonly HashSet<Type> _allowed;
    private readonly HashSet<string> _blockedNames = new(StringComparer.Ordinal);
    private readonly List<(string Type, string Name)> _blockedTypeMembers = [];
    private readonly ConcurrentDictionary<Type, Access> _types = new();
    private readonly ConcurrentDictionary<Type, bool> _printable = new();
    private readonly BoundedCache<(Type, string), Decision> _decisions = new(100_000);

    public SandboxRules(SandboxPolicy policy)
    {
        Policy = policy;
        _allowed = new HashSet<Type>(policy.AllowedTypes ?? []);
        foreach (var entry in policy.BlockedMembers ?? [])
        {
            if (string.IsNullOrWhiteSpace(entry)) continue;
            var dot = entry.LastIndexOf('.');
            if (dot < 0) _blockedNames.Add(Normalize(entry));
            else _blockedTypeMembers.Add((entry[..dot], Normalize(entry[(dot + 1)..])));
        }
    }

    public SandboxPolicy Policy { get; }

    /// <summary>A member name as templates resolve it: case-insensitive, underscores ignored.</summary>
    private static string Normalize(string name) => name.Replace("_", "").ToLowerInvariant();

    private bool IsBlockedName(Type type, string name)
    {
        if (_blockedNames.Count == 0 && _blockedTypeMembers.Count == 0) return false;
        var n = Normalize(name);
        if (_blockedNames.Contains(n)) return true;
        foreach (var (typeName, member) in _blockedTypeMembers)
        {
            if (member != n) continue;
            for (var t = type; t is not null; t = t.BaseType)
                if (t.Name == typeName || t.FullName == typeName) return true;
        }
        return false;
    }

    private Access AccessOf(Type type) => _types.GetOrAdd(type, ComputeAccess);

    private Access ComputeAccess(Type t)
    {
        if (MemberPolicy.IsBlockedType(t) || typeof(Delegate).IsAssignableFrom(t)) return Access.None;
        if (MemberPolicy.ExposesNothing(t)) return Access.Nothing;
        if (t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(DateTime) || t == typeof(DateTimeOffset)
            || t == typeof(DateOnly) || t == typeof(TimeOnly) || t == typeof(TimeSpan) || t == typeof(Guid) || t == typeof(BigInteger)
            || t == typeof(Half) || t == typeof(Int128) || t == typeof(UInt128) || t == typeof(Uri) || t == typeof(Version)
            || t == typeof(JsonElement))
            return Access.Full;
        if (HasVisibleAttribute(t)) return Access.Full;
        for (var b = t; b is not null; b = b.BaseType)
            if (_allowed.Contains(b)) return Access.Allowed;
        if (typeof(JsonNode).IsAssignableFrom(t) || IsAnonymous(t) || t.IsArray
            || (t.Namespace is { } ns && (ns == "System.Collections" || ns.StartsWith("System.Collections.", StringComparison.Ordinal)))
            || (t.Namespace == "System" && (t.Name.StartsWith("Tuple`", StringComparison.Ordinal) || t.Name.StartsWith("ValueTuple`", StringComparison.Ordinal))))
            return Access.Data;
        if (HasMarkedMembers(t)) return Access.Marked;
        return Access.None;
    }

    private static bool IsAnonymous(Type t) =>
        t.IsDefined(typeof(CompilerGeneratedAttribute), false) && t.Name.Contains("AnonymousType", StringComparison.Ordinal);

    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2070:GetInterfaces", Justification = TrimReasons.LiveInterfaces)]
    private static bool HasVisibleAttribute(Type t)
    {
        if (t.IsDefined(typeof(KidaVisibleAttribute), inherit: true)) return true;
        foreach (var i in t.GetInterfaces())
            if (i.IsDefined(typeof(KidaVisibleAttribute), inherit: false)) return true;
        return false;
    }

    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2070:GetMembers", Justification = TrimReasons.ModelMembers)]
    private static bool HasMarkedMembers(Type t) =>
        t.GetMembers(BindingFlags.Public | BindingFlags.Instance).Any(m => m.IsDefined(typeof(KidaVisibleAttribute), inherit: true));

    private static bool Marked(MemberInfo m) => m.IsDefined(typeof(KidaVisibleAttribute), inherit: true);

    private Decision Decide(Type type, string name)
    {
        if (IsBlockedName(type, name)) return new(Verdict.BlockedMember);
        var access = AccessOf(type);
        switch (access)
        {
            case Access.None: return new(Verdict.BlockedType);
            case Access.Nothing: return new(Verdict.Missing);
        }
        if (Members.FindMember(type, name) is { } member)
            return access is Access.Full or Access.Data or Access.Allowed || Marked(member) ? new(Verdict.Member) : new(Verdict.Missing);
        if (access == Access.Data || Members.FindMethods(type, name) is not { } methods) return new(Verdict.Missing);
        var callable = access == Access.Full ? methods : methods.Where(Marked).ToArray();
        return callable.Length > 0 ? new(Verdict.Methods, callable) : new(Verdict.Missing);
    }

    private Decision DecisionFor(Type type, string name) => _decisions.GetOrAdd((type, name), static (key, self) => self.Decide(key.Item1, key.Item2), this);

    /// <summary>
    /// <c>obj.name</c> on a .NET object in the sandbox: the value of an allowed property or field, or a bound allowed
    /// method; false for a missing or hidden member; K-SEC-001 for a blocked name, K-SEC-002 for a type not allowed.
    /// </summary>
    public bool TryGetMember(object obj, string name, out object? value)
    {
        var type = obj.GetType();
        var decision = DecisionFor(type, name);
        switch (decision.Verdict)
        {
            case Verdict.Member:
                if (Members.TryGet(obj, name, out value)) { value = Values.Unwrap(value); return true; }
                break;
            case Verdict.Methods:
                value = new BoundClrMethod(obj, decision.Methods!);
                return true;
            case Verdict.BlockedMember:
                throw SecurityErrors.BlockedMember(Values.TypeName(obj), name);
            case Verdict.BlockedType:
                throw SecurityErrors.BlockedType(type.Name);
        }
        value = null;
        return false;
    }

    /// <summary>
    /// A top-level name read from the render data object: its public properties are names in the sandbox too, except
    /// <see cref="SandboxPolicy.BlockedMembers"/> (K-SEC-001). Returns true when the name may be read.
    /// </summary>
    public bool CheckDataName(Type type, string name) =>
        !IsBlockedName(type, name) ? true : throw SecurityErrors.BlockedMember(type.Name, name);

    /// <summary>Whether <c>obj.name</c> reads a property or field the sandbox allows (a call site may then cache its getter).</summary>
    public bool AllowsRead(Type type, string name) => DecisionFor(type, name).Verdict == Verdict.Member;

    /// <summary>The properties <c>tojson</c> writes for an object in the sandbox; K-SEC-002 for a type not allowed.</summary>
    public IEnumerable<PropertyInfo> VisibleProperties(Type type)
    {
        var access = AccessOf(type);
        if (access == Access.None) throw SecurityErrors.BlockedType(type.Name);
        if (access == Access.Nothing) return [];
        return MemberPolicy.For(type).Properties.Where(p => !IsBlockedName(type, p.Name) && (access != Access.Marked || Marked(p)));
    }

    /// <summary>
    /// The text of a .NET object printed in the sandbox: K-SEC-002 for a type that is not allowed; for a type allowed
    /// through <see cref="SandboxPolicy.AllowedTypes"/> or member-level [KidaVisible], its <c>ToString()</c> only when
    /// that override is marked [KidaVisible] (a record's generated ToString would print every property, blocked ones
    /// too), otherwise its type name; any other allowed value its <c>ToString()</c>.
    /// </summary>
    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2070:GetMethod", Justification = TrimReasons.ModelMembers)]
    public string ObjectText(object v)
    {
        var type = v.GetType();
        switch (AccessOf(type))
        {
            case Access.None:
                throw SecurityErrors.BlockedType(type.Name);
            case Access.Allowed or Access.Marked:
                if (!_printable.GetOrAdd(type, static t =>
                    t.GetMethod(nameof(ToString), Type.EmptyTypes) is not { } m || m.DeclaringType == typeof(object) || Marked(m)))
                    return type.Name;
                break;
        }
        if (v is Exception ex) return ex.Message;
        return Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    private static readonly HashSet<string> ListMutators = new(StringComparer.Ordinal)
        { "append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear", "add", "discard", "update" };

    private static readonly HashSet<string> DictMutators = new(StringComparer.Ordinal)
        { "update", "pop", "popitem", "setdefault", "clear" };

    /// <summary>K-SEC-004 when a template calls a mutating method on a collection it did not create.</summary>
    public void CheckMutation(object collection, string name)
    {
        if (Policy.AllowMutatingMethods) return;
        var mapping = Values.IsMapping(collection);
        if (!(mapping ? DictMutators : ListMutators).Contains(name)) return;
        if (IsTemplateOwned(collection)) return;
        throw SecurityErrors.BlockedCall($"Calling '{name}' on a {(mapping ? "dict" : "list")} the template did not create");
    }

    /// <summary>Collections a template created (literals, comprehensions, <c>|list</c>, <c>dict()</c>, <c>copy()</c>).</summary>
    internal static bool IsTemplateOwned(object collection) =>
        collection is KidaList || (collection is Dictionary<object, object?> d && ReferenceEquals(d.Comparer, PyKeyComparer.Instance));

    /// <summary>The sandbox of the render <paramref name="rs"/> (or of the render running on this thread), or null.</summary>
    public static SandboxRules? Of(RenderState? rs) => (rs ?? RenderState.Running)?.Host?.Sandbox;
}

/// <summary>A list a template created (literal, comprehension, <c>|list</c>, <c>copy()</c>): the sandbox lets the template mutate it.</summary>
internal sealed class KidaList : List<object?>
{
    public KidaList() { }

    public KidaList(IEnumerable<object?> items) : base(items) { }
}
