namespace Kida.Syntax;

/// <summary>Base of the immutable syntax tree. <see cref="Pos"/> is the source offset of the node.</summary>
internal abstract record Node(int Pos);

// ---------------------------------------------------------------- expressions

internal abstract record Expr(int Pos) : Node(Pos)
{
    /// <summary>Calls the <paramref name="visitor"/>'s method for this kind of expression.</summary>
    public abstract T Accept<T>(SyntaxVisitor<T> visitor);
}

internal sealed record ConstExpr(int Pos, object? Value) : Expr(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitConstExpr(this);
}

internal sealed record NameExpr(int Pos, string Name) : Expr(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitNameExpr(this);
}

internal sealed record GetAttrExpr(int Pos, Expr Target, string Name, bool Optional) : Expr(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitGetAttrExpr(this);
}

internal sealed record GetItemExpr(int Pos, Expr Target, Expr Key, bool Optional) : Expr(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitGetItemExpr(this);
}

internal sealed record SliceExpr(int Pos, Expr? Start, Expr? Stop, Expr? Step) : Expr(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitSliceExpr(this);
}

internal sealed record Arguments(IReadOnlyList<Expr> Positional, IReadOnlyList<KeyValuePair<string, Expr>> Named, Expr? DynArgs, Expr? DynKwargs)
{
    public static readonly Arguments Empty = new([], [], null, null);
    public bool IsEmpty => Positional.Count == 0 && Named.Count == 0 && DynArgs is null && DynKwargs is null;
}

internal sealed record CallExpr(int Pos, Expr Callee, Arguments Args) : Expr(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitCallExpr(this);
}

internal enum FilterStyle : byte { Pipe, OptionalPipe, Pipeline, OptionalPipeline }

/// <summary>A filter application. <see cref="Value"/> is null inside <c>{% filter %}</c> blocks.</summary>
internal sealed record FilterExpr(int Pos, Expr? Value, string Name, Arguments Args, FilterStyle Style) : Expr(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitFilterExpr(this);
}

internal sealed record TestExpr(int Pos, Expr Value, string Name, Arguments Args, bool Negated) : Expr(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitTestExpr(this);
}

/// <summary>Unary operators; <see cref="Await"/> is <c>await expr</c> (an await point, see <c>Runtime/AsyncValues</c>).</summary>
internal enum UnaryOp : byte { Neg, Pos, Not, Await }

internal sealed record UnaryExpr(int Pos, UnaryOp Op, Expr Operand) : Expr(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitUnaryExpr(this);
}

internal enum BinaryOp : byte { Add, Sub, Mul, Div, FloorDiv, Mod, Pow, Concat, And, Or }

internal sealed record BinaryExpr(int Pos, BinaryOp Op, Expr Left, Expr Right) : Expr(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitBinaryExpr(this);
}

internal enum CompareOp : byte { Eq, Ne, Lt, Le, Gt, Ge, In, NotIn }

internal sealed record CompareExpr(int Pos, Expr First, IReadOnlyList<KeyValuePair<CompareOp, Expr>> Rest) : Expr(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitCompareExpr(this);
}

/// <summary><c>a if cond else b</c>; <see cref="Else"/> null means the short form, which yields an empty string.</summary>
internal sealed record CondExpr(int Pos, Expr Test, Expr Then, Expr? Else) : Expr(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitCondExpr(this);
}

internal sealed record CoalesceExpr(int Pos, Expr Left, Expr Right) : Expr(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitCoalesceExpr(this);
}

internal sealed record ListExpr(int Pos, IReadOnlyList<Expr> Items) : Expr(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitListExpr(this);
}

internal sealed record TupleExpr(int Pos, IReadOnlyList<Expr> Items) : Expr(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitTupleExpr(this);
}

internal sealed record DictExpr(int Pos, IReadOnlyList<KeyValuePair<Expr, Expr>> Items) : Expr(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitDictExpr(this);
}

internal sealed record ListCompExpr(int Pos, Expr Element, Target Target, Expr Iterable, Expr? Condition) : Expr(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitListCompExpr(this);
}

internal sealed record RangeExpr(int Pos, Expr Start, Expr End, Expr? Step, bool Inclusive) : Expr(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitRangeExpr(this);
}

// ---------------------------------------------------------------- assignment targets

internal abstract record Target(int Pos) : Node(Pos);

internal sealed record NameTarget(int Pos, string Name) : Target(Pos);

internal sealed record TupleTarget(int Pos, IReadOnlyList<Target> Items) : Target(Pos);

/// <summary><c>ns.attr</c> as an assignment target (namespace objects).</summary>
internal sealed record AttrTarget(int Pos, string Name, string Attr) : Target(Pos);

// ---------------------------------------------------------------- statements

internal abstract record Stmt(int Pos) : Node(Pos)
{
    /// <summary>Calls the <paramref name="visitor"/>'s method for this kind of statement.</summary>
    public abstract T Accept<T>(SyntaxVisitor<T> visitor);
}

internal sealed record TextStmt(int Pos, string Text) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitTextStmt(this);
}

internal sealed record OutputStmt(int Pos, Expr Value) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitOutputStmt(this);
}

internal sealed record IfBranch(Expr Condition, IReadOnlyList<Stmt> Body);

internal sealed record IfStmt(int Pos, IReadOnlyList<IfBranch> Branches, IReadOnlyList<Stmt>? Else) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitIfStmt(this);
}

/// <summary>A for loop; <see cref="IsAsync"/> for <c>{% async for %}</c> (over an <c>IAsyncEnumerable&lt;T&gt;</c>).</summary>
internal sealed record ForStmt(int Pos, Target Target, Expr Iterable, Expr? Filter, IReadOnlyList<Stmt> Body,
    IReadOnlyList<Stmt>? Else, bool Recursive, bool IsAsync = false) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitForStmt(this);
}

internal sealed record WhileStmt(int Pos, Expr Condition, IReadOnlyList<Stmt> Body) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitWhileStmt(this);
}

internal enum SetKind : byte { Set, Let, Export }

internal sealed record SetStmt(int Pos, Target Target, Expr Value, SetKind Kind, bool OnlyIfMissing) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitSetStmt(this);
}

/// <summary><c>{% set x %}…{% endset %}</c> (and <c>capture</c>): renders the body into a variable.</summary>
internal sealed record SetBlockStmt(int Pos, Target Target, IReadOnlyList<Stmt> Body, IReadOnlyList<FilterExpr> Filters,
    SetKind Kind, bool AsMarkup) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitSetBlockStmt(this);
}

/// <summary>A block modifier <c>name=literal</c> (metadata only: it does not change rendering).</summary>
internal sealed record BlockModifier(string Name, object? Value, int Pos);

internal sealed record BlockStmt(int Pos, string Name, IReadOnlyList<Stmt> Body, bool Scoped, bool Required,
    Expr? Condition, bool Fragment) : Stmt(Pos)
{
    /// <summary>The <c>name=literal</c> modifiers, in source order.</summary>
    public IReadOnlyList<BlockModifier> Modifiers { get; init; } = [];

    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitBlockStmt(this);
}

internal sealed record ExtendsStmt(int Pos, Expr Template) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitExtendsStmt(this);
}

internal sealed record IncludeStmt(int Pos, Expr Template, bool IgnoreMissing, bool WithContext) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitIncludeStmt(this);
}

internal sealed record ImportStmt(int Pos, Expr Template, string Alias, bool WithContext) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitImportStmt(this);
}

internal sealed record FromImportStmt(int Pos, Expr Template, IReadOnlyList<KeyValuePair<string, string>> Names, bool WithContext) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitFromImportStmt(this);
}

internal sealed record Parameter(string Name, Expr? Default)
{
    /// <summary>0 for an ordinary parameter, 1 for <c>*name</c>, 2 for <c>**name</c> (defs only).</summary>
    public int Star { get; init; }

    /// <summary>The type annotation as written (<c>p: list[str] | None</c> gives <c>list[str] | None</c>), or null.</summary>
    public string? Annotation { get; init; }

    /// <summary>The default expression as written in the source, or null.</summary>
    public string? DefaultText { get; init; }
}

/// <summary>A <c>macro</c>, a <c>def</c> (<see cref="IsDef"/>) or a <c>region</c> (<see cref="IsDef"/> and <see cref="IsRegion"/>).</summary>
internal sealed record MacroStmt(int Pos, string Name, IReadOnlyList<Parameter> Parameters, IReadOnlyList<Stmt> Body, bool IsDef) : Stmt(Pos)
{
    /// <summary>A <c>{% region %}</c>: callable like a def and renderable as a block.</summary>
    public bool IsRegion { get; init; }

    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitMacroStmt(this);
}

internal sealed record CallBlockStmt(int Pos, CallExpr Call, IReadOnlyList<Parameter> CallerParameters, IReadOnlyList<Stmt> Body,
    IReadOnlyDictionary<string, IReadOnlyList<Stmt>> Slots) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitCallBlockStmt(this);
}

/// <summary>Inside a def: renders the caller's slot <see cref="Name"/> (default when null), or the default body.</summary>
internal sealed record SlotStmt(int Pos, string? Name, IReadOnlyList<KeyValuePair<string, Expr>> Bindings, IReadOnlyList<Stmt>? DefaultBody, bool IsYield) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitSlotStmt(this);
}

internal sealed record FilterBlockStmt(int Pos, IReadOnlyList<FilterExpr> Filters, IReadOnlyList<Stmt> Body) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitFilterBlockStmt(this);
}

internal sealed record WithStmt(int Pos, IReadOnlyList<KeyValuePair<Target, Expr>> Assignments, IReadOnlyList<Stmt> Body) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitWithStmt(this);
}

/// <summary>Kida's conditional <c>{% with expr as name %}…{% empty %}…{% end %}</c>.</summary>
internal sealed record WithIfStmt(int Pos, Expr Subject, Target Target, bool AllTruthy, IReadOnlyList<Stmt> Body, IReadOnlyList<Stmt>? Else) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitWithIfStmt(this);
}

internal sealed record DoStmt(int Pos, Expr Value) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitDoStmt(this);
}

internal sealed record BreakStmt(int Pos) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitBreakStmt(this);
}

internal sealed record ContinueStmt(int Pos) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitContinueStmt(this);
}

/// <summary><c>{% flush %}</c>: a chunk boundary of a streaming render (nothing in a buffered one).</summary>
internal sealed record FlushStmt(int Pos) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitFlushStmt(this);
}

internal sealed record AutoescapeStmt(int Pos, Expr Enabled, IReadOnlyList<Stmt> Body) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitAutoescapeStmt(this);
}

internal sealed record MatchCase(Expr? Pattern, Expr? Guard, IReadOnlyList<Stmt> Body);

internal sealed record MatchStmt(int Pos, Expr? Subject, IReadOnlyList<MatchCase> Cases) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitMatchStmt(this);
}

internal sealed record TryStmt(int Pos, IReadOnlyList<Stmt> Body, string? ErrorName, IReadOnlyList<Stmt> Fallback) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitTryStmt(this);
}

internal sealed record SpacelessStmt(int Pos, IReadOnlyList<Stmt> Body) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitSpacelessStmt(this);
}

internal sealed record ProvideStmt(int Pos, string Key, Expr Value, IReadOnlyList<Stmt> Body) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitProvideStmt(this);
}

internal sealed record PushStmt(int Pos, string Stack, IReadOnlyList<Stmt> Body) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitPushStmt(this);
}

internal sealed record StackStmt(int Pos, string Stack) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitStackStmt(this);
}

internal sealed record CacheStmt(int Pos, Expr Key, Expr? Ttl, IReadOnlyList<Stmt> Body) : Stmt(Pos)
{
    /// <summary>The <c>depends=</c> expressions, in source order: the fragment's tags.</summary>
    public IReadOnlyList<Expr> Depends { get; init; } = [];

    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitCacheStmt(this);
}

/// <summary><c>{% embed 'x' %}{% block a %}…{% end %}{% end %}</c>: include with block overrides.</summary>
internal sealed record EmbedStmt(int Pos, Expr Template, bool WithContext, IReadOnlyList<BlockStmt> Blocks) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitEmbedStmt(this);
}

/// <summary>
/// <c>{% trans %}</c>: a whitespace-normalised message with <c>%(name)s</c> placeholders (and an optional plural form
/// chosen by <see cref="CountName"/>), translated through the <c>_</c>/<c>_n</c> globals.
/// </summary>
internal sealed record TransStmt(int Pos, string Singular, string? Plural, IReadOnlyList<KeyValuePair<string, Expr>> Variables,
    string? CountName) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitTransStmt(this);
}

/// <summary>One name of a <c>{% template name: Type, … %}</c> declaration; <see cref="Type"/> is the annotation as written.</summary>
internal sealed record TemplateDeclaration(string Name, string? Type, int Pos);

/// <summary><c>{% template page: Page, count: int %}</c>: declares the context the template expects. It renders nothing.</summary>
internal sealed record TemplateDeclStmt(int Pos, IReadOnlyList<TemplateDeclaration> Declarations) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitTemplateDeclStmt(this);
}

/// <summary>A block of statements with its own scope (used for <c>scoped</c> helpers and bodies).</summary>
internal sealed record ScopeStmt(int Pos, IReadOnlyList<Stmt> Body) : Stmt(Pos)
{
    public override T Accept<T>(SyntaxVisitor<T> visitor) => visitor.VisitScopeStmt(this);
}

internal sealed record TemplateNode(int Pos, IReadOnlyList<Stmt> Body) : Node(Pos);
