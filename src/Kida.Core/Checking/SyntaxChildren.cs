using Kida.Syntax;

namespace Kida.Checking;

/// <summary>
/// The statements and expressions directly inside a node, in source order (targets, parameters and names are read
/// from the node itself). A typed visitor, so a new node kind is a compile error here until it lists its children.
/// </summary>
internal sealed class SyntaxChildren : SyntaxVisitor<IEnumerable<Node>>
{
    private static readonly SyntaxChildren Instance = new();

    /// <summary>The children of a statement, an expression or a whole template.</summary>
    public static IEnumerable<Node> Of(Node node) => node switch
    {
        Stmt s => s.Accept(Instance),
        Expr e => e.Accept(Instance),
        TemplateNode t => t.Body,
        _ => [],
    };

    /// <summary>Every node under <paramref name="node"/> (not itself), depth first, stopping below nodes <paramref name="stop"/> accepts.</summary>
    public static IEnumerable<Node> Descendants(Node node, Func<Node, bool>? stop = null)
    {
        foreach (var child in Of(node))
        {
            yield return child;
            if (stop is not null && stop(child)) continue;
            foreach (var d in Descendants(child, stop)) yield return d;
        }
    }

    private static IEnumerable<Node> Args(Arguments a)
    {
        foreach (var p in a.Positional) yield return p;
        foreach (var (_, v) in a.Named) yield return v;
        if (a.DynArgs is not null) yield return a.DynArgs;
        if (a.DynKwargs is not null) yield return a.DynKwargs;
    }

    private static IEnumerable<Node> Maybe(params Node?[] nodes) => nodes.Where(n => n is not null)!;

    private static IEnumerable<Node> Defaults(IEnumerable<Parameter> parameters) =>
        parameters.Where(p => p.Default is not null).Select(p => (Node)p.Default!);

    public override IEnumerable<Node> VisitConstExpr(ConstExpr node) => [];
    public override IEnumerable<Node> VisitNameExpr(NameExpr node) => [];
    public override IEnumerable<Node> VisitGetAttrExpr(GetAttrExpr node) => [node.Target];
    public override IEnumerable<Node> VisitGetItemExpr(GetItemExpr node) => [node.Target, node.Key];
    public override IEnumerable<Node> VisitSliceExpr(SliceExpr node) => Maybe(node.Start, node.Stop, node.Step);
    public override IEnumerable<Node> VisitCallExpr(CallExpr node) => Args(node.Args).Prepend(node.Callee);
    public override IEnumerable<Node> VisitFilterExpr(FilterExpr node) => node.Value is null ? Args(node.Args) : Args(node.Args).Prepend(node.Value);
    public override IEnumerable<Node> VisitTestExpr(TestExpr node) => Args(node.Args).Prepend(node.Value);
    public override IEnumerable<Node> VisitUnaryExpr(UnaryExpr node) => [node.Operand];
    public override IEnumerable<Node> VisitBinaryExpr(BinaryExpr node) => [node.Left, node.Right];
    public override IEnumerable<Node> VisitCompareExpr(CompareExpr node) => node.Rest.Select(r => (Node)r.Value).Prepend(node.First);
    public override IEnumerable<Node> VisitCondExpr(CondExpr node) => Maybe(node.Test, node.Then, node.Else);
    public override IEnumerable<Node> VisitCoalesceExpr(CoalesceExpr node) => [node.Left, node.Right];
    public override IEnumerable<Node> VisitListExpr(ListExpr node) => node.Items;
    public override IEnumerable<Node> VisitTupleExpr(TupleExpr node) => node.Items;
    public override IEnumerable<Node> VisitDictExpr(DictExpr node) => node.Items.SelectMany(kv => new Node[] { kv.Key, kv.Value });
    public override IEnumerable<Node> VisitListCompExpr(ListCompExpr node) => Maybe(node.Iterable, node.Condition, node.Element);
    public override IEnumerable<Node> VisitRangeExpr(RangeExpr node) => Maybe(node.Start, node.End, node.Step);

    public override IEnumerable<Node> VisitTextStmt(TextStmt node) => [];
    public override IEnumerable<Node> VisitOutputStmt(OutputStmt node) => [node.Value];
    public override IEnumerable<Node> VisitIfStmt(IfStmt node) =>
        node.Branches.SelectMany(b => b.Body.Cast<Node>().Prepend(b.Condition)).Concat(node.Else ?? []);
    public override IEnumerable<Node> VisitForStmt(ForStmt node) =>
        Maybe(node.Iterable, node.Filter).Concat(node.Body).Concat(node.Else ?? []);
    public override IEnumerable<Node> VisitWhileStmt(WhileStmt node) => node.Body.Cast<Node>().Prepend(node.Condition);
    public override IEnumerable<Node> VisitSetStmt(SetStmt node) => [node.Value];
    public override IEnumerable<Node> VisitSetBlockStmt(SetBlockStmt node) => node.Body.Cast<Node>().Concat(node.Filters);
    public override IEnumerable<Node> VisitBlockStmt(BlockStmt node) => Maybe(node.Condition).Concat(node.Body);
    public override IEnumerable<Node> VisitExtendsStmt(ExtendsStmt node) => [node.Template];
    public override IEnumerable<Node> VisitIncludeStmt(IncludeStmt node) => [node.Template];
    public override IEnumerable<Node> VisitImportStmt(ImportStmt node) => [node.Template];
    public override IEnumerable<Node> VisitFromImportStmt(FromImportStmt node) => [node.Template];
    public override IEnumerable<Node> VisitMacroStmt(MacroStmt node) => Defaults(node.Parameters).Concat(node.Body);
    public override IEnumerable<Node> VisitCallBlockStmt(CallBlockStmt node) =>
        Defaults(node.CallerParameters).Prepend(node.Call).Concat(node.Body).Concat(node.Slots.Values.SelectMany(s => s));
    public override IEnumerable<Node> VisitSlotStmt(SlotStmt node) => node.Bindings.Select(b => (Node)b.Value).Concat(node.DefaultBody ?? []);
    public override IEnumerable<Node> VisitFilterBlockStmt(FilterBlockStmt node) => node.Filters.Cast<Node>().Concat(node.Body);
    public override IEnumerable<Node> VisitWithStmt(WithStmt node) => node.Assignments.Select(a => (Node)a.Value).Concat(node.Body);
    public override IEnumerable<Node> VisitWithIfStmt(WithIfStmt node) => node.Body.Cast<Node>().Prepend(node.Subject).Concat(node.Else ?? []);
    public override IEnumerable<Node> VisitDoStmt(DoStmt node) => [node.Value];
    public override IEnumerable<Node> VisitBreakStmt(BreakStmt node) => [];
    public override IEnumerable<Node> VisitContinueStmt(ContinueStmt node) => [];
    public override IEnumerable<Node> VisitAutoescapeStmt(AutoescapeStmt node) => node.Body.Cast<Node>().Prepend(node.Enabled);
    public override IEnumerable<Node> VisitMatchStmt(MatchStmt node) =>
        Maybe(node.Subject).Concat(node.Cases.SelectMany(c => Maybe(c.Pattern, c.Guard).Concat(c.Body)));
    public override IEnumerable<Node> VisitTryStmt(TryStmt node) => node.Body.Cast<Node>().Concat(node.Fallback);
    public override IEnumerable<Node> VisitSpacelessStmt(SpacelessStmt node) => node.Body;
    public override IEnumerable<Node> VisitProvideStmt(ProvideStmt node) => node.Body.Cast<Node>().Prepend(node.Value);
    public override IEnumerable<Node> VisitPushStmt(PushStmt node) => node.Body;
    public override IEnumerable<Node> VisitStackStmt(StackStmt node) => [];
    public override IEnumerable<Node> VisitCacheStmt(CacheStmt node) => Maybe(node.Key, node.Ttl).Concat(node.Body);
    public override IEnumerable<Node> VisitEmbedStmt(EmbedStmt node) => node.Blocks.Cast<Node>().Prepend(node.Template);
    public override IEnumerable<Node> VisitTransStmt(TransStmt node) => node.Variables.Select(v => (Node)v.Value);
    public override IEnumerable<Node> VisitTemplateDeclStmt(TemplateDeclStmt node) => [];
    public override IEnumerable<Node> VisitScopeStmt(ScopeStmt node) => node.Body;
}
