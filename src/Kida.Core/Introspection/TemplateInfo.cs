namespace Kida;

/// <summary>
/// What a template declares and needs, read from its source without rendering it (<see cref="Template.Info"/>): its
/// blocks (own and inherited), its top-level defs, macros and regions with their parameters, the templates it
/// depends on, the names it reads from the context, and its <c>{% template %}</c> declarations. Immutable.
/// </summary>
public sealed class TemplateInfo
{
    internal TemplateInfo(string? name, string? extends, IReadOnlyList<BlockInfo> blocks, IReadOnlyList<DefInfo> defs,
        IReadOnlyList<DependencyInfo> dependencies, IReadOnlyList<string> contextNames, IReadOnlyList<DeclarationInfo> declarations)
    {
        Name = name;
        Extends = extends;
        Blocks = blocks;
        Defs = defs;
        Dependencies = dependencies;
        ContextNames = contextNames;
        Declarations = declarations;
    }

    /// <summary>The template's name (as loaded, or as given to <see cref="KidaEnvironment.FromString"/>).</summary>
    public string? Name { get; }

    /// <summary>
    /// The parent template named by the template's one top-level, unconditional <c>{% extends %}</c> with a constant name;
    /// null when it extends nothing, or its parent is chosen at render time (see <see cref="Dependencies"/>).
    /// </summary>
    public string? Extends { get; }

    /// <summary>
    /// The blocks <see cref="Template.RenderBlock(string, object?)"/> accepts: the template's own blocks, fragments and
    /// regions in source order, then those it inherits and does not override (nearest parent first).
    /// </summary>
    public IReadOnlyList<BlockInfo> Blocks { get; }

    /// <summary>The top-level <c>def</c>s, <c>macro</c>s and <c>region</c>s, in source order.</summary>
    public IReadOnlyList<DefInfo> Defs { get; }

    /// <summary>Every <c>extends</c>, <c>include</c>, <c>import</c>, <c>from … import</c> and <c>embed</c>, in source order.</summary>
    public IReadOnlyList<DependencyInfo> Dependencies { get; }

    /// <summary>
    /// The names the template reads from its context (the model, view data), in order of first use: names it does not
    /// assign itself, that are no parameter or loop variable where they are read, and that are not globals of the
    /// environment.
    /// </summary>
    public IReadOnlyList<string> ContextNames { get; }

    /// <summary>The names and types of the template's <c>{% template name: Type, … %}</c> declaration (empty without one).</summary>
    public IReadOnlyList<DeclarationInfo> Declarations { get; }

    /// <summary>The block called <paramref name="name"/>, or null.</summary>
    public BlockInfo? GetBlock(string name) => Blocks.FirstOrDefault(b => b.Name == name);

    /// <summary>The top-level def, macro or region called <paramref name="name"/>, or null.</summary>
    public DefInfo? GetDef(string name) => Defs.FirstOrDefault(d => d.Name == name);
}

/// <summary>A block of a template (<c>block</c>, <c>fragment</c> or <c>region</c>) as <see cref="TemplateInfo.Blocks"/> lists it.</summary>
public sealed class BlockInfo
{
    internal BlockInfo(string name, string? template, bool isInherited, int line, int column, IReadOnlyList<BlockModifierInfo> modifiers,
        bool isScoped, bool isRequired, bool isFragment, bool isRegion, bool hasCondition)
    {
        Name = name;
        Template = template;
        IsInherited = isInherited;
        Line = line;
        Column = column;
        Modifiers = modifiers;
        IsScoped = isScoped;
        IsRequired = isRequired;
        IsFragment = isFragment;
        IsRegion = isRegion;
        HasCondition = hasCondition;
    }

    /// <summary>The block's name.</summary>
    public string Name { get; }

    /// <summary>The name of the template that defines this block (for an inherited block: the parent's name).</summary>
    public string? Template { get; }

    /// <summary>Whether the block comes from a parent template (the template itself does not define it).</summary>
    public bool IsInherited { get; }

    /// <summary>The 1-based line of the block's tag in <see cref="Template"/>.</summary>
    public int Line { get; }

    /// <summary>The 1-based column of the block's tag in <see cref="Template"/>.</summary>
    public int Column { get; }

    /// <summary>The block's <c>name=literal</c> modifiers, in source order (metadata: they do not change rendering).</summary>
    public IReadOnlyList<BlockModifierInfo> Modifiers { get; }

    /// <summary><c>{% block name scoped %}</c>: the block sees the variables of the place it is written.</summary>
    public bool IsScoped { get; }

    /// <summary><c>{% block name required %}</c>: a child template must override it.</summary>
    public bool IsRequired { get; }

    /// <summary>A <c>{% fragment %}</c>: skipped in a full render, rendered only by <see cref="Kida.Template.RenderBlock(string, object?)"/>.</summary>
    public bool IsFragment { get; }

    /// <summary>
    /// A <c>{% region %}</c>: a callable that is a block as well; rendered as a block, its parameters are read from the
    /// model (see <see cref="TemplateInfo.Defs"/> for them).
    /// </summary>
    public bool IsRegion { get; }

    /// <summary><c>{% block name if condition %}</c>: in a full render the block renders only when the condition holds.</summary>
    public bool HasCondition { get; }

    /// <summary>The value of the modifier called <paramref name="name"/>, or null when the block has none of that name.</summary>
    public BlockModifierInfo? GetModifier(string name) => Modifiers.FirstOrDefault(m => m.Name == name);

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>A block modifier <c>name=literal</c>.</summary>
public sealed class BlockModifierInfo
{
    internal BlockModifierInfo(string name, object? value, int line, int column)
    {
        Name = name;
        Value = value;
        Line = line;
        Column = column;
    }

    /// <summary>The modifier's name.</summary>
    public string Name { get; }

    /// <summary>The literal value: a <see cref="string"/>, a <see cref="long"/> (or <see cref="System.Numerics.BigInteger"/>), a <see cref="double"/>, a <see cref="bool"/>, or null for <c>none</c>.</summary>
    public object? Value { get; }

    /// <summary>The 1-based line of the modifier.</summary>
    public int Line { get; }

    /// <summary>The 1-based column of the modifier.</summary>
    public int Column { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}={Value}";
}

/// <summary>What kind of callable a <see cref="DefInfo"/> describes.</summary>
public enum DefKind
{
    /// <summary>A Kida <c>{% def %}</c> (a component).</summary>
    Def,

    /// <summary>A Jinja2 <c>{% macro %}</c>.</summary>
    Macro,

    /// <summary>A Kida <c>{% region %}</c>: a def that is also a block.</summary>
    Region,
}

/// <summary>A top-level def, macro or region: its signature, slots and what it reads from the context.</summary>
public sealed class DefInfo
{
    internal DefInfo(string name, DefKind kind, IReadOnlyList<DefParameterInfo> parameters, string? varArgs, string? kwArgs,
        IReadOnlyList<string> slots, bool hasDefaultSlot, IReadOnlyList<string> contextNames, int line, int column)
    {
        Name = name;
        Kind = kind;
        Parameters = parameters;
        VarArgs = varArgs;
        KwArgs = kwArgs;
        Slots = slots;
        HasDefaultSlot = hasDefaultSlot;
        ContextNames = contextNames;
        Line = line;
        Column = column;
    }

    /// <summary>The name it is called by.</summary>
    public string Name { get; }

    /// <summary>Def, macro or region.</summary>
    public DefKind Kind { get; }

    /// <summary>The ordinary parameters, in order (<see cref="VarArgs"/> and <see cref="KwArgs"/> are not among them).</summary>
    public IReadOnlyList<DefParameterInfo> Parameters { get; }

    /// <summary>The name of the <c>*rest</c> parameter collecting extra positional arguments (a macro reading <c>varargs</c>: <c>varargs</c>), or null.</summary>
    public string? VarArgs { get; }

    /// <summary>The name of the <c>**opts</c> parameter collecting extra keyword arguments (a macro reading <c>kwargs</c>: <c>kwargs</c>), or null.</summary>
    public string? KwArgs { get; }

    /// <summary>The named slots the body renders (<c>{% slot header %}</c>), in order of first use.</summary>
    public IReadOnlyList<string> Slots { get; }

    /// <summary>Whether the body renders the default slot (<c>{% slot %}</c>) or calls <c>caller()</c>.</summary>
    public bool HasDefaultSlot { get; }

    /// <summary>The names the body reads from the context: not its parameters or locals, not defined by the template, not globals.</summary>
    public IReadOnlyList<string> ContextNames { get; }

    /// <summary>The 1-based line of the tag.</summary>
    public int Line { get; }

    /// <summary>The 1-based column of the tag.</summary>
    public int Column { get; }

    /// <summary>The parameter called <paramref name="name"/>, or null.</summary>
    public DefParameterInfo? GetParameter(string name) => Parameters.FirstOrDefault(p => p.Name == name);

    /// <inheritdoc />
    public override string ToString() => $"{Name}({string.Join(", ", Parameters)})";
}

/// <summary>A parameter of a def, macro or region.</summary>
public sealed class DefParameterInfo
{
    internal DefParameterInfo(string name, string? annotation, string? @default)
    {
        Name = name;
        Annotation = annotation;
        Default = @default;
    }

    /// <summary>The parameter's name.</summary>
    public string Name { get; }

    /// <summary>The type annotation as written (<c>items: list[str] | None</c> gives <c>list[str] | None</c>), or null.</summary>
    public string? Annotation { get; }

    /// <summary>The default expression as written in the source (<c>"primary"</c>, <c>page.title ?? ""</c>), or null.</summary>
    public string? Default { get; }

    /// <summary>Whether the parameter has a default.</summary>
    public bool HasDefault => Default is not null;

    /// <summary>Whether every call must pass it (it has no default).</summary>
    public bool IsRequired => Default is null;

    /// <inheritdoc />
    public override string ToString() =>
        Name + (Annotation is null ? "" : ": " + Annotation) + (Default is null ? "" : " = " + Default);
}

/// <summary>The tag through which a template depends on another.</summary>
public enum DependencyKind
{
    /// <summary><c>{% extends %}</c>.</summary>
    Extends,

    /// <summary><c>{% include %}</c>.</summary>
    Include,

    /// <summary><c>{% import … as … %}</c>.</summary>
    Import,

    /// <summary><c>{% from … import … %}</c>.</summary>
    FromImport,

    /// <summary><c>{% embed %}</c>.</summary>
    Embed,
}

/// <summary>One template a template uses, as written at one tag.</summary>
public sealed class DependencyInfo
{
    internal DependencyInfo(DependencyKind kind, string? target, bool isOptional, int line, int column)
    {
        Kind = kind;
        Target = target;
        IsOptional = isOptional;
        Line = line;
        Column = column;
    }

    /// <summary>The tag.</summary>
    public DependencyKind Kind { get; }

    /// <summary>
    /// The template name when the tag names it with a constant (relative names such as <c>./card.html</c> as written);
    /// null when it is computed at render time. A tag choosing among constants (<c>{% include ['a', 'b'] %}</c>,
    /// <c>{% extends 'a' if c else 'b' %}</c>) gives one dependency per constant.
    /// </summary>
    public string? Target { get; }

    /// <summary>Whether the template may be missing (<c>{% include … ignore missing %}</c>, or a list of alternatives).</summary>
    public bool IsOptional { get; }

    /// <summary>Whether the name is computed at render time.</summary>
    public bool IsDynamic => Target is null;

    /// <summary>The 1-based line of the tag.</summary>
    public int Line { get; }

    /// <summary>The 1-based column of the tag.</summary>
    public int Column { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Kind} {Target ?? "(dynamic)"}";
}

/// <summary>One name of a <c>{% template name: Type, … %}</c> declaration.</summary>
public sealed class DeclarationInfo
{
    internal DeclarationInfo(string name, string? type, int line, int column)
    {
        Name = name;
        Type = type;
        Line = line;
        Column = column;
    }

    /// <summary>The declared context name.</summary>
    public string Name { get; }

    /// <summary>The type as written (<c>Page</c>, <c>list[Item]</c>, <c>str | None</c>), or null when none is given.</summary>
    public string? Type { get; }

    /// <summary>The 1-based line of the name.</summary>
    public int Line { get; }

    /// <summary>The 1-based column of the name.</summary>
    public int Column { get; }

    /// <inheritdoc />
    public override string ToString() => Type is null ? Name : $"{Name}: {Type}";
}
