using Kida.Syntax;

namespace Kida.Binding;

/// <summary>
/// The semantic model of one template, produced by <see cref="Binder"/>: the compile-time facts the emitter reads
/// (block tables, which bodies read which names, what each def collects, whether the template can keep its context)
/// and the <see cref="TemplateSummary"/> behind <see cref="Template.Info"/>. Facts about nodes are keyed by reference.
/// </summary>
internal sealed class BoundTemplate
{
    internal BoundTemplate(TemplateNode tree) => Tree = tree;

    public TemplateNode Tree { get; }

    /// <summary>The blocks of the template (not those of embed tags), in source pre-order: nested blocks after their parent.</summary>
    public List<BlockStmt> Blocks { get; } = [];

    /// <summary>The top-level regions: callables that are blocks as well.</summary>
    public List<MacroStmt> RegionBlocks { get; } = [];

    /// <summary>The block overrides of each embed tag (nested ones included), in source pre-order.</summary>
    public Dictionary<EmbedStmt, List<BlockStmt>> EmbedBlocks { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Whether an extends statement stands directly in the template's body.</summary>
    public bool HasExtends { get; internal set; }

    /// <summary>The extends statements at the top level, directly or inside if/elif/else there (Jinja2 allows no other place).</summary>
    public HashSet<ExtendsStmt> TopLevelExtends { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Whether running the template could leave a reference to its context behind after it returns: a macro, caller,
    /// slot or recursive loop closes over it, <c>self</c> wraps it, and imports, includes and inheritance build contexts
    /// on top of it. A template with none of these can be included with a pooled context.
    /// </summary>
    public bool KeepsContext { get; internal set; }

    /// <summary>The summary behind <see cref="Template.Info"/>.</summary>
    public TemplateSummary Summary { get; internal set; } = null!;

    internal readonly Dictionary<Stmt, (int Start, int End)> Spans = new(ReferenceEqualityComparer.Instance);
    internal readonly Dictionary<string, List<int>> NameUses = new(StringComparer.Ordinal);
    internal readonly List<int> LocalExposers = [];
    internal readonly Dictionary<Stmt, string[]> Assigned = new(ReferenceEqualityComparer.Instance);
    internal readonly HashSet<ForStmt> LoopUsers = new(ReferenceEqualityComparer.Instance);
    internal readonly Dictionary<MacroStmt, MacroFacts> Macros = new(ReferenceEqualityComparer.Instance);

    /// <summary>Does a statement of <paramref name="body"/> (or anything nested in it) read the name?</summary>
    public bool UsesName(IEnumerable<Stmt> body, string name)
    {
        if (!NameUses.TryGetValue(name, out var uses)) return false;
        foreach (var s in body)
            if (AnyIn(uses, Spans[s])) return true;
        return false;
    }

    /// <summary>Does <paramref name="body"/> hand its locals to something else (an include or embed with context, a scoped block)?</summary>
    public bool ExposesLocals(IEnumerable<Stmt> body)
    {
        foreach (var s in body)
            if (AnyIn(LocalExposers, Spans[s])) return true;
        return false;
    }

    /// <summary>
    /// Appends the names <paramref name="body"/> assigns with <c>set</c>, <c>macro</c>/<c>def</c> and imports, directly
    /// or inside statements that open no scope of their own (filter, spaceless, try, match, provide, cache, push,
    /// globals); names may repeat.
    /// </summary>
    public void CollectAssigned(IEnumerable<Stmt> body, List<string> names)
    {
        foreach (var s in body)
            if (Assigned.TryGetValue(s, out var assigned)) names.AddRange(assigned);
    }

    /// <summary>Whether the loop needs its <c>loop</c> variable: it is recursive, or its body or inline filter reads <c>loop</c>.</summary>
    public bool UsesLoop(ForStmt loop) => LoopUsers.Contains(loop);

    public MacroFacts Macro(MacroStmt macro) => Macros[macro];

    private static bool AnyIn(List<int> sorted, (int Start, int End) span)
    {
        var i = sorted.BinarySearch(span.Start);
        if (i < 0) i = ~i;
        return i < sorted.Count && sorted[i] < span.End;
    }
}

/// <summary>What the binder found in a macro, def or region body (not counting nested ones).</summary>
internal sealed class MacroFacts
{
    /// <summary>The body calls <c>caller</c> or renders a slot.</summary>
    public bool UsesCaller { get; set; }

    /// <summary>Names the body writes with let/export (outside nested macros and call blocks), in order, distinct.</summary>
    public List<string> Lets { get; } = [];

    /// <summary>Named slots rendered, in order of first use.</summary>
    public List<string> Slots { get; } = [];

    public bool HasDefaultSlot { get; set; }

    /// <summary>The body reads <c>caller</c> (Jinja2's <c>caller()</c> renders the default slot).</summary>
    public bool CallsCaller { get; set; }

    /// <summary>Names the body reads that no enclosing scope binds, in order of first use.</summary>
    public List<string> FreeNames { get; } = [];

    /// <summary>Adds a name to <see cref="FreeNames"/> once.</summary>
    public void AddFreeName(string name)
    {
        if (_freeSeen.Add(name)) FreeNames.Add(name);
    }

    private readonly HashSet<string> _freeSeen = new(StringComparer.Ordinal);
}

/// <summary>The facts about one template that outlive its compilation (the syntax tree does not).</summary>
internal sealed record TemplateSummary(
    string? ParentName,
    IReadOnlyList<BlockFact> Blocks,
    IReadOnlyList<DefFact> Defs,
    IReadOnlyList<DependencyFact> Dependencies,
    IReadOnlyList<string> FreeNames,
    IReadOnlyList<TemplateDeclaration> Declarations);

internal sealed record BlockFact(string Name, int Pos, IReadOnlyList<BlockModifier> Modifiers, bool Scoped, bool Required, bool Fragment,
    bool Region, bool HasCondition);

internal sealed record DefFact(string Name, DefKind Kind, IReadOnlyList<DefParameterInfo> Parameters, string? VarArgs, string? KwArgs,
    IReadOnlyList<string> Slots, bool HasDefaultSlot, IReadOnlyList<string> FreeNames, int Pos);

internal sealed record DependencyFact(DependencyKind Kind, string? Target, bool Optional, int Pos);
