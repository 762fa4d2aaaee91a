namespace Kida.Syntax;

/// <summary>What a top-level statement is for, as the parts of a template that run without rendering it need to know.</summary>
[Flags]
internal enum StatementRole : byte
{
    /// <summary>Renders (or controls rendering): skipped where only set-up runs.</summary>
    Output = 0,

    /// <summary>Binds names: set, block set, import, from-import, macro/def/region, globals/imports bodies.</summary>
    Definition = 1,

    /// <summary>An expression run for its effect: <c>do</c>.</summary>
    Effect = 2,

    /// <summary><c>extends</c>.</summary>
    Extends = 4,

    /// <summary>An <c>if</c>, which may hold a conditional extends.</summary>
    Branch = 8,
}

/// <summary>
/// The role of each kind of statement (one method per kind, so a new statement must choose). The set-up function
/// that <c>RenderBlock</c> and a child's extends run holds the definitions and extends; after an extends only
/// definitions and effects run; once a conditional extends has run, definitions, effects and ifs still run.
/// </summary>
internal sealed class StatementRoles : SyntaxVisitor<StatementRole>
{
    private static readonly StatementRoles Instance = new();

    public static StatementRole Of(Stmt s) => s.Accept(Instance);

    /// <summary>Top-level statements of the set-up function (definitions and the extends that chains to the parent's set-up).</summary>
    public static bool RunsInSetup(Stmt s) => (Of(s) & (StatementRole.Definition | StatementRole.Extends)) != 0;

    /// <summary>Top-level statements that still run after an unconditional extends.</summary>
    public static bool RunsAfterExtends(Stmt s) => (Of(s) & (StatementRole.Definition | StatementRole.Effect)) != 0;

    /// <summary>Top-level statements that still run once a conditional extends has chosen a parent.</summary>
    public static bool RunsAfterConditionalExtends(Stmt s) =>
        (Of(s) & (StatementRole.Definition | StatementRole.Effect | StatementRole.Branch)) != 0;

    public override StatementRole VisitTextStmt(TextStmt node) => StatementRole.Output;

    public override StatementRole VisitOutputStmt(OutputStmt node) => StatementRole.Output;

    public override StatementRole VisitIfStmt(IfStmt node) => StatementRole.Branch;

    public override StatementRole VisitForStmt(ForStmt node) => StatementRole.Output;

    public override StatementRole VisitWhileStmt(WhileStmt node) => StatementRole.Output;

    public override StatementRole VisitSetStmt(SetStmt node) => StatementRole.Definition;

    public override StatementRole VisitSetBlockStmt(SetBlockStmt node) => StatementRole.Definition;

    public override StatementRole VisitBlockStmt(BlockStmt node) => StatementRole.Output;

    public override StatementRole VisitExtendsStmt(ExtendsStmt node) => StatementRole.Extends;

    public override StatementRole VisitIncludeStmt(IncludeStmt node) => StatementRole.Output;

    public override StatementRole VisitImportStmt(ImportStmt node) => StatementRole.Definition;

    public override StatementRole VisitFromImportStmt(FromImportStmt node) => StatementRole.Definition;

    public override StatementRole VisitMacroStmt(MacroStmt node) => StatementRole.Definition;

    public override StatementRole VisitCallBlockStmt(CallBlockStmt node) => StatementRole.Output;

    public override StatementRole VisitSlotStmt(SlotStmt node) => StatementRole.Output;

    public override StatementRole VisitFilterBlockStmt(FilterBlockStmt node) => StatementRole.Output;

    public override StatementRole VisitWithStmt(WithStmt node) => StatementRole.Output;

    public override StatementRole VisitWithIfStmt(WithIfStmt node) => StatementRole.Output;

    public override StatementRole VisitDoStmt(DoStmt node) => StatementRole.Effect;

    public override StatementRole VisitBreakStmt(BreakStmt node) => StatementRole.Output;

    public override StatementRole VisitContinueStmt(ContinueStmt node) => StatementRole.Output;

    public override StatementRole VisitFlushStmt(FlushStmt node) => StatementRole.Output;

    public override StatementRole VisitAutoescapeStmt(AutoescapeStmt node) => StatementRole.Output;

    public override StatementRole VisitMatchStmt(MatchStmt node) => StatementRole.Output;

    public override StatementRole VisitTryStmt(TryStmt node) => StatementRole.Output;

    public override StatementRole VisitSpacelessStmt(SpacelessStmt node) => StatementRole.Output;

    public override StatementRole VisitProvideStmt(ProvideStmt node) => StatementRole.Output;

    public override StatementRole VisitPushStmt(PushStmt node) => StatementRole.Output;

    public override StatementRole VisitStackStmt(StackStmt node) => StatementRole.Output;

    public override StatementRole VisitCacheStmt(CacheStmt node) => StatementRole.Output;

    public override StatementRole VisitEmbedStmt(EmbedStmt node) => StatementRole.Output;

    public override StatementRole VisitTransStmt(TransStmt node) => StatementRole.Output;

    public override StatementRole VisitTemplateDeclStmt(TemplateDeclStmt node) => StatementRole.Output;

    public override StatementRole VisitScopeStmt(ScopeStmt node) => StatementRole.Definition;

    // expressions are no statements

    public override StatementRole VisitConstExpr(ConstExpr node) => throw new System.Diagnostics.UnreachableException();

    public override StatementRole VisitNameExpr(NameExpr node) => throw new System.Diagnostics.UnreachableException();

    public override StatementRole VisitGetAttrExpr(GetAttrExpr node) => throw new System.Diagnostics.UnreachableException();

    public override StatementRole VisitGetItemExpr(GetItemExpr node) => throw new System.Diagnostics.UnreachableException();

    public override StatementRole VisitSliceExpr(SliceExpr node) => throw new System.Diagnostics.UnreachableException();

    public override StatementRole VisitCallExpr(CallExpr node) => throw new System.Diagnostics.UnreachableException();

    public override StatementRole VisitFilterExpr(FilterExpr node) => throw new System.Diagnostics.UnreachableException();

    public override StatementRole VisitTestExpr(TestExpr node) => throw new System.Diagnostics.UnreachableException();

    public override StatementRole VisitUnaryExpr(UnaryExpr node) => throw new System.Diagnostics.UnreachableException();

    public override StatementRole VisitBinaryExpr(BinaryExpr node) => throw new System.Diagnostics.UnreachableException();

    public override StatementRole VisitCompareExpr(CompareExpr node) => throw new System.Diagnostics.UnreachableException();

    public override StatementRole VisitCondExpr(CondExpr node) => throw new System.Diagnostics.UnreachableException();

    public override StatementRole VisitCoalesceExpr(CoalesceExpr node) => throw new System.Diagnostics.UnreachableException();

    public override StatementRole VisitListExpr(ListExpr node) => throw new System.Diagnostics.UnreachableException();

    public override StatementRole VisitTupleExpr(TupleExpr node) => throw new System.Diagnostics.UnreachableException();

    public override StatementRole VisitDictExpr(DictExpr node) => throw new System.Diagnostics.UnreachableException();

    public override StatementRole VisitListCompExpr(ListCompExpr node) => throw new System.Diagnostics.UnreachableException();

    public override StatementRole VisitRangeExpr(RangeExpr node) => throw new System.Diagnostics.UnreachableException();
}
