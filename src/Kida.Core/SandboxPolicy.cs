namespace Kida;

/// <summary>
/// The rules for templates written by untrusted authors (<see cref="KidaOptions.Sandbox"/>), modelled on Jinja2's
/// <c>ImmutableSandboxedEnvironment</c> and Kida's <c>SandboxPolicy</c>. On top of what every environment enforces
/// (templates never see reflection, delegates' members, tasks, services or <c>HttpContext</c>), a sandboxed template:
/// <list type="bullet">
/// <item>reads members only of allowed types: primitives, strings, numbers, dates, <see cref="Guid"/>, enums, tuples,
/// collections and dictionaries (their properties, such as <c>Count</c>, never their methods), <c>JsonElement</c> and
/// <c>JsonNode</c>, anonymous types, the public properties of the render data object itself, types in
/// <see cref="AllowedTypes"/> (properties and fields; methods only when marked <see cref="KidaVisibleAttribute"/>), and
/// types or members marked <see cref="KidaVisibleAttribute"/>. Any other type raises K-SEC-002; a member in
/// <see cref="BlockedMembers"/> raises K-SEC-001; an allowed type's hidden member behaves like a missing one;</item>
/// <item>calls only registered globals, filters and tests, Kida's built-ins and the macros and defs of templates: a
/// delegate from the model raises K-SEC-004;</item>
/// <item>cannot mutate collections it did not create: <c>append</c>, <c>extend</c>, <c>insert</c>, <c>pop</c>,
/// <c>remove</c>, <c>reverse</c>, <c>sort</c>, <c>clear</c>, <c>update</c>, <c>setdefault</c> raise K-SEC-004 on
/// the model's lists and dictionaries (allowed on list and dict literals, comprehensions, <c>|list</c>,
/// <c>dict()</c> and <c>copy()</c> results) unless <see cref="AllowMutatingMethods"/>;</item>
/// <item>runs under tighter <see cref="Limits"/> (default <see cref="KidaLimits.Sandboxed"/>).</item>
/// </list>
/// Violations are <see cref="TemplateRuntimeException"/>s with a K-SEC code and the template position, and
/// <c>{% try %}</c> does not catch them. The sandbox limits what a template can reach; it is not a process boundary.
/// </summary>
public sealed record SandboxPolicy
{
    /// <summary>The default policy: no extra allowed types, no blocked members, <see cref="KidaLimits.Sandboxed"/>.</summary>
    public static SandboxPolicy Default { get; } = new();

    /// <summary>
    /// Types whose public instance properties and fields templates may read (a type matches itself and the types
    /// derived from it). Their methods stay hidden unless marked <see cref="KidaVisibleAttribute"/>. Types that are
    /// always blocked (reflection, delegates, tasks, services…) cannot be allowed.
    /// </summary>
    public IReadOnlyCollection<Type> AllowedTypes { get; init; } = [];

    /// <summary>
    /// Member names templates may never use on .NET objects, also on allowed types: <c>"PasswordHash"</c> blocks that
    /// name on every type, <c>"User.PasswordHash"</c> (simple or full type name) on one type and its subclasses. Names
    /// match as templates resolve them (case-insensitive, snake_case: <c>password_hash</c> is <c>PasswordHash</c>).
    /// Using one raises K-SEC-001, whether or not the object has such a member.
    /// </summary>
    public IReadOnlyCollection<string> BlockedMembers { get; init; } = [];

    /// <summary>Allow mutating methods (<c>append</c>, <c>update</c>, …) on collections from the model too (default false).</summary>
    public bool AllowMutatingMethods { get; init; }

    /// <summary>The limits sandboxed renders run under (default <see cref="KidaLimits.Sandboxed"/>); they replace <see cref="KidaOptions.Limits"/>.</summary>
    public KidaLimits Limits { get; init; } = KidaLimits.Sandboxed;
}

/// <summary>
/// Opts a type or member into the sandbox (<see cref="KidaOptions.Sandbox"/>): on a class, struct or interface, its
/// public properties, fields and methods (and those of derived types) become visible to sandboxed templates; on a
/// property, field or method, that member alone. Members that are always blocked (reflection, tasks, services, by-ref
/// parameters…) stay blocked. Without a sandbox the attribute changes nothing.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface | AttributeTargets.Property
    | AttributeTargets.Field | AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class KidaVisibleAttribute : Attribute;
