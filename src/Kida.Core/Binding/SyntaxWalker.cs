using System.Runtime.CompilerServices;
using Kida.Syntax;

namespace Kida.Binding;

/// <summary>
/// A <see cref="SyntaxVisitor{T}"/> that walks every statement and expression of a tree in source order: parameter
/// defaults, call arguments, if conditions, match patterns and guards, slot and call bodies, embed overrides included.
/// Override a method to look at one kind of node and call the base method to keep walking below it. Being a visitor,
/// it must handle every node kind: a new node is a compile error here until its children are walked.
/// </summary>
internal abstract class SyntaxWalker : SyntaxVisitor<bool>
{
    /// <summary>The direct children of <paramref name="node"/> (statements and expressions), in source order.</summary>
    public static IReadOnlyList<Node> Children(Node node)
    {
        var collector = new ChildCollector();
        switch (node)
        {
            case Stmt s: s.Accept(collector); break;
            case Expr e: e.Accept(collector); break;
        }
        return collector.Found;
    }

    /// <summary>Walks a body.</summary>
    public void Walk(IEnumerable<Stmt> body)
    {
        foreach (var s in body) Walk(s);
    }

    /// <summary>Walks one statement (checking the stack first: trees are bounded by the parser's nesting limit).</summary>
    public virtual void Walk(Stmt s)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        s.Accept(this);
    }

    /// <summary>Walks one expression; null does nothing.</summary>
    public virtual void Walk(Expr? e)
    {
        if (e is null) return;
        RuntimeHelpers.EnsureSufficientExecutionStack();
        e.Accept(this);
    }

    private void Walk(Arguments args)
    {
        foreach (var a in args.Positional) Walk(a);
        foreach (var (_, v) in args.Named) Walk(v);
        Walk(args.DynArgs);
        Walk(args.DynKwargs);
    }

    private void Walk(IEnumerable<Parameter> parameters)
    {
        foreach (var p in parameters) Walk(p.Default);
    }

    private sealed class ChildCollector : SyntaxWalker
    {
        public List<Node> Found { get; } = [];

        public override void Walk(Stmt s) => Found.Add(s);

        public override void Walk(Expr? e)
        {
            if (e is not null) Found.Add(e);
        }
    }

    // ------------------------------------------------------------------ expressions

    public override bool VisitConstExpr(ConstExpr node) => true;

    public override bool VisitNameExpr(NameExpr node) => true;

    public override bool VisitGetAttrExpr(GetAttrExpr node)
    {
        Walk(node.Target);
        return true;
    }

    public override bool VisitGetItemExpr(GetItemExpr node)
    {
        Walk(node.Target);
        Walk(node.Key);
        return true;
    }

    public override bool VisitSliceExpr(SliceExpr node)
    {
        Walk(node.Start);
        Walk(node.Stop);
        Walk(node.Step);
        return true;
    }

    public override bool VisitCallExpr(CallExpr node)
    {
        Walk(node.Callee);
        Walk(node.Args);
        return true;
    }

    public override bool VisitFilterExpr(FilterExpr node)
    {
        Walk(node.Value);
        Walk(node.Args);
        return true;
    }

    public override bool VisitTestExpr(TestExpr node)
    {
        Walk(node.Value);
        Walk(node.Args);
        return true;
    }

    public override bool VisitUnaryExpr(UnaryExpr node)
    {
        Walk(node.Operand);
        return true;
    }

    public override bool VisitBinaryExpr(BinaryExpr node)
    {
        Walk(node.Left);
        Walk(node.Right);
        return true;
    }

    public override bool VisitCompareExpr(CompareExpr node)
    {
        Walk(node.First);
        foreach (var (_, operand) in node.Rest) Walk(operand);
        return true;
    }

    public override bool VisitCondExpr(CondExpr node)
    {
        Walk(node.Test);
        Walk(node.Then);
        Walk(node.Else);
        return true;
    }

    public override bool VisitCoalesceExpr(CoalesceExpr node)
    {
        Walk(node.Left);
        Walk(node.Right);
        return true;
    }

    public override bool VisitListExpr(ListExpr node)
    {
        foreach (var item in node.Items) Walk(item);
        return true;
    }

    public override bool VisitTupleExpr(TupleExpr node)
    {
        foreach (var item in node.Items) Walk(item);
        return true;
    }

    public override bool VisitDictExpr(DictExpr node)
    {
        foreach (var (k, v) in node.Items)
        {
            Walk(k);
            Walk(v);
        }
        return true;
    }

    public override bool VisitListCompExpr(ListCompExpr node)
    {
        Walk(node.Element);
        Walk(node.Iterable);
        Walk(node.Condition);
        return true;
    }

    public override bool VisitRangeExpr(RangeExpr node)
    {
        Walk(node.Start);
        Walk(node.End);
        Walk(node.Step);
        return true;
    }

    // ------------------------------------------------------------------ statements

    public override bool VisitTextStmt(TextStmt node) => true;

    public override bool VisitOutputStmt(OutputStmt node)
    {
        Walk(node.Value);
        return true;
    }

    public override bool VisitIfStmt(IfStmt node)
    {
        foreach (var branch in node.Branches)
        {
            Walk(branch.Condition);
            Walk(branch.Body);
        }
        if (node.Else is not null) Walk(node.Else);
        return true;
    }

    public override bool VisitForStmt(ForStmt node)
    {
        Walk(node.Iterable);
        Walk(node.Filter);
        Walk(node.Body);
        if (node.Else is not null) Walk(node.Else);
        return true;
    }

    public override bool VisitWhileStmt(WhileStmt node)
    {
        Walk(node.Condition);
        Walk(node.Body);
        return true;
    }

    public override bool VisitSetStmt(SetStmt node)
    {
        Walk(node.Value);
        return true;
    }

    public override bool VisitSetBlockStmt(SetBlockStmt node)
    {
        Walk(node.Body);
        foreach (var f in node.Filters) Walk(f);
        return true;
    }

    public override bool VisitBlockStmt(BlockStmt node)
    {
        Walk(node.Condition);
        Walk(node.Body);
        return true;
    }

    public override bool VisitExtendsStmt(ExtendsStmt node)
    {
        Walk(node.Template);
        return true;
    }

    public override bool VisitIncludeStmt(IncludeStmt node)
    {
        Walk(node.Template);
        return true;
    }

    public override bool VisitImportStmt(ImportStmt node)
    {
        Walk(node.Template);
        return true;
    }

    public override bool VisitFromImportStmt(FromImportStmt node)
    {
        Walk(node.Template);
        return true;
    }

    public override bool VisitMacroStmt(MacroStmt node)
    {
        Walk(node.Parameters);
        Walk(node.Body);
        return true;
    }

    public override bool VisitCallBlockStmt(CallBlockStmt node)
    {
        Walk(node.Call);
        Walk(node.CallerParameters);
        Walk(node.Body);
        foreach (var (_, slot) in node.Slots) Walk(slot);
        return true;
    }

    public override bool VisitSlotStmt(SlotStmt node)
    {
        foreach (var (_, value) in node.Bindings) Walk(value);
        if (node.DefaultBody is not null) Walk(node.DefaultBody);
        return true;
    }

    public override bool VisitFilterBlockStmt(FilterBlockStmt node)
    {
        foreach (var f in node.Filters) Walk(f);
        Walk(node.Body);
        return true;
    }

    public override bool VisitWithStmt(WithStmt node)
    {
        foreach (var (_, value) in node.Assignments) Walk(value);
        Walk(node.Body);
        return true;
    }

    public override bool VisitWithIfStmt(WithIfStmt node)
    {
        Walk(node.Subject);
        Walk(node.Body);
        if (node.Else is not null) Walk(node.Else);
        return true;
    }

    public override bool VisitDoStmt(DoStmt node)
    {
        Walk(node.Value);
        return true;
    }

    public override bool VisitBreakStmt(BreakStmt node) => true;

    public override bool VisitContinueStmt(ContinueStmt node) => true;

    public override bool VisitFlushStmt(FlushStmt node) => true;

    public override bool VisitAutoescapeStmt(AutoescapeStmt node)
    {
        Walk(node.Enabled);
        Walk(node.Body);
        return true;
    }

    public override bool VisitMatchStmt(MatchStmt node)
    {
        Walk(node.Subject);
        foreach (var c in node.Cases)
        {
            Walk(c.Pattern);
            Walk(c.Guard);
            Walk(c.Body);
        }
        return true;
    }

    public override bool VisitTryStmt(TryStmt node)
    {
        Walk(node.Body);
        Walk(node.Fallback);
        return true;
    }

    public override bool VisitSpacelessStmt(SpacelessStmt node)
    {
        Walk(node.Body);
        return true;
    }

    public override bool VisitProvideStmt(ProvideStmt node)
    {
        Walk(node.Value);
        Walk(node.Body);
        return true;
    }

    public override bool VisitPushStmt(PushStmt node)
    {
        Walk(node.Body);
        return true;
    }

    public override bool VisitStackStmt(StackStmt node) => true;

    public override bool VisitCacheStmt(CacheStmt node)
    {
        Walk(node.Key);
        Walk(node.Ttl);
        foreach (var d in node.Depends) Walk(d);
        Walk(node.Body);
        return true;
    }

    public override bool VisitEmbedStmt(EmbedStmt node)
    {
        Walk(node.Template);
        Walk(node.Blocks);
        return true;
    }

    public override bool VisitTransStmt(TransStmt node)
    {
        foreach (var (_, value) in node.Variables) Walk(value);
        return true;
    }

    public override bool VisitTemplateDeclStmt(TemplateDeclStmt node) => true;

    public override bool VisitScopeStmt(ScopeStmt node)
    {
        Walk(node.Body);
        return true;
    }
}
