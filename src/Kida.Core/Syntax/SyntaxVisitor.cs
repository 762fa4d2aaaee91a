namespace Kida.Syntax;

/// <summary>
/// A typed visitor over the syntax tree: one abstract method per kind of statement and expression. A new node kind
/// must override <see cref="Stmt.Accept{T}"/> or <see cref="Expr.Accept{T}"/>, which names its method here, so it is a
/// compile error until every visitor (the binder, the emitter, the statement classifier) handles it.
/// </summary>
internal abstract class SyntaxVisitor<T>
{
    public T Visit(Stmt node) => node.Accept(this);

    public T Visit(Expr node) => node.Accept(this);

    // ------------------------------------------------------------ expressions
    public abstract T VisitConstExpr(ConstExpr node);
    public abstract T VisitNameExpr(NameExpr node);
    public abstract T VisitGetAttrExpr(GetAttrExpr node);
    public abstract T VisitGetItemExpr(GetItemExpr node);
    public abstract T VisitSliceExpr(SliceExpr node);
    public abstract T VisitCallExpr(CallExpr node);
    public abstract T VisitFilterExpr(FilterExpr node);
    public abstract T VisitTestExpr(TestExpr node);
    public abstract T VisitUnaryExpr(UnaryExpr node);
    public abstract T VisitBinaryExpr(BinaryExpr node);
    public abstract T VisitCompareExpr(CompareExpr node);
    public abstract T VisitCondExpr(CondExpr node);
    public abstract T VisitCoalesceExpr(CoalesceExpr node);
    public abstract T VisitListExpr(ListExpr node);
    public abstract T VisitTupleExpr(TupleExpr node);
    public abstract T VisitDictExpr(DictExpr node);
    public abstract T VisitListCompExpr(ListCompExpr node);
    public abstract T VisitRangeExpr(RangeExpr node);

    // ------------------------------------------------------------ statements
    public abstract T VisitTextStmt(TextStmt node);
    public abstract T VisitOutputStmt(OutputStmt node);
    public abstract T VisitIfStmt(IfStmt node);
    public abstract T VisitForStmt(ForStmt node);
    public abstract T VisitWhileStmt(WhileStmt node);
    public abstract T VisitSetStmt(SetStmt node);
    public abstract T VisitSetBlockStmt(SetBlockStmt node);
    public abstract T VisitBlockStmt(BlockStmt node);
    public abstract T VisitExtendsStmt(ExtendsStmt node);
    public abstract T VisitIncludeStmt(IncludeStmt node);
    public abstract T VisitImportStmt(ImportStmt node);
    public abstract T VisitFromImportStmt(FromImportStmt node);
    public abstract T VisitMacroStmt(MacroStmt node);
    public abstract T VisitCallBlockStmt(CallBlockStmt node);
    public abstract T VisitSlotStmt(SlotStmt node);
    public abstract T VisitFilterBlockStmt(FilterBlockStmt node);
    public abstract T VisitWithStmt(WithStmt node);
    public abstract T VisitWithIfStmt(WithIfStmt node);
    public abstract T VisitDoStmt(DoStmt node);
    public abstract T VisitBreakStmt(BreakStmt node);
    public abstract T VisitContinueStmt(ContinueStmt node);
    public abstract T VisitFlushStmt(FlushStmt node);
    public abstract T VisitAutoescapeStmt(AutoescapeStmt node);
    public abstract T VisitMatchStmt(MatchStmt node);
    public abstract T VisitTryStmt(TryStmt node);
    public abstract T VisitSpacelessStmt(SpacelessStmt node);
    public abstract T VisitProvideStmt(ProvideStmt node);
    public abstract T VisitPushStmt(PushStmt node);
    public abstract T VisitStackStmt(StackStmt node);
    public abstract T VisitCacheStmt(CacheStmt node);
    public abstract T VisitEmbedStmt(EmbedStmt node);
    public abstract T VisitTransStmt(TransStmt node);
    public abstract T VisitTemplateDeclStmt(TemplateDeclStmt node);
    public abstract T VisitScopeStmt(ScopeStmt node);
}
