using Kida.Syntax;
using Kida.Text;

namespace Kida.Binding;

/// <summary>
/// One pass over the syntax tree that builds the <see cref="BoundTemplate"/>: scopes and the names each reads from the
/// context, the block tables, what each def collects (caller, slots, let/export names), dependencies, declarations and
/// whether the template can keep its context. Recursion is bounded by the parser's nesting limit and checked against
/// the stack, as the emitter does.
/// </summary>
internal sealed class Binder : SyntaxVisitor<bool>
{
    /// <summary>Names the engine gives meaning to, never reported as read from the context.</summary>
    private static readonly HashSet<string> SpecialNames = new(StringComparer.Ordinal)
        { "self", "super", "caller", "varargs", "kwargs", "has_slot" };

    private readonly SourceText _source;
    private readonly BoundTemplate _bound;
    private int _index;

    // where the statement being bound contributes: names assigned in the current scope body, let/export names of the
    // enclosing def (null outside defs, and in call and slot bodies), blocks of the template or of an embed tag
    private List<string> _assigned = [];
    private List<string>? _lets;
    private List<BlockStmt> _blocks;
    private MacroFacts? _callerOwner;
    private readonly List<MacroFacts> _macroStack = [];
    // statements directly in the template's body; where an extends counts as top-level (the body and if bodies at the
    // top level); where a def or region is top-level (the body and {% globals %} there)
    private bool _inTemplateBody = true;
    private bool _extendsAllowed = true;
    private bool _topLevel = true;

    // scopes for the context-name analysis
    private readonly List<HashSet<string>> _scopes = [new(StringComparer.Ordinal)];
    private readonly HashSet<string> _templateWide = new(StringComparer.Ordinal);
    private readonly List<string> _free = [];
    private readonly HashSet<string> _freeSeen = new(StringComparer.Ordinal);

    private readonly List<(MacroStmt Macro, MacroFacts Facts)> _topLevelDefs = [];
    private readonly List<DependencyFact> _dependencies = [];
    private readonly List<TemplateDeclaration> _declarations = [];

    private Binder(SourceText source, TemplateNode tree)
    {
        _source = source;
        _bound = new BoundTemplate(tree);
        _blocks = _bound.Blocks;
    }

    /// <summary>Binds a parsed template. Throws <see cref="TemplateSyntaxException"/> for what the parser cannot see.</summary>
    public static BoundTemplate Bind(SourceText source, TemplateNode tree)
    {
        var binder = new Binder(source, tree);
        binder.BindTemplate(tree);
        return binder._bound;
    }

    private void BindTemplate(TemplateNode tree)
    {
        foreach (var s in tree.Body) BindStmt(s);
        var blockNames = new HashSet<string>(_bound.Blocks.Select(b => b.Name), StringComparer.Ordinal);
        foreach (var region in _bound.RegionBlocks)
            if (!blockNames.Add(region.Name))
                throw Error($"Block '{region.Name}' defined twice (a region is a block too)", region.Pos);

        var blocks = _bound.Blocks.Select(b => new BlockFact(b.Name, b.Pos, b.Modifiers, b.Scoped, b.Required, b.Fragment, false, b.Condition is not null))
            .Concat(_bound.RegionBlocks.Select(r => new BlockFact(r.Name, r.Pos, [], false, false, false, true, false)))
            .OrderBy(b => b.Pos)
            .ToList();
        var defs = _topLevelDefs.Select(d => DefFactOf(d.Macro, d.Facts)).ToList();
        string? parent = null;
        if (_bound.HasExtends && _bound.TopLevelExtends.Count == 1 && _bound.TopLevelExtends.First().Template is ConstExpr { Value: string p })
            parent = p;
        _bound.Summary = new TemplateSummary(parent, blocks, defs, _dependencies, ContextNames(_free), _declarations);
    }

    private List<string> ContextNames(IEnumerable<string> names) =>
        names.Where(n => !_templateWide.Contains(n) && !SpecialNames.Contains(n)).ToList();

    private DefFact DefFactOf(MacroStmt m, MacroFacts facts)
    {
        var ordinary = m.Parameters.Where(p => p.Star == 0).ToList();
        var varArgs = m.Parameters.FirstOrDefault(p => p.Star == 1)?.Name
            ?? (!m.IsDef && _bound.UsesName(m.Body, "varargs") && ordinary.All(p => p.Name != "varargs") ? "varargs" : null);
        var kwArgs = m.Parameters.FirstOrDefault(p => p.Star == 2)?.Name
            ?? (!m.IsDef && _bound.UsesName(m.Body, "kwargs") && ordinary.All(p => p.Name != "kwargs") ? "kwargs" : null);
        var kind = m.IsRegion ? DefKind.Region : m.IsDef ? DefKind.Def : DefKind.Macro;
        var parameters = ordinary.Select(p => new DefParameterInfo(p.Name, p.Annotation, p.DefaultText)).ToList();
        return new DefFact(m.Name, kind, parameters, varArgs, kwArgs, facts.Slots, facts.HasDefaultSlot || facts.CallsCaller,
            ContextNames(facts.FreeNames), m.Pos);
    }

    private TemplateSyntaxException Error(string message, int pos, string code = ErrorCodes.UnexpectedToken) =>
        _source.WithPosition(new TemplateSyntaxException(message, code, _source.Name), pos);

    private void EnsureStack(int pos)
    {
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw Error("Template is nested too deeply to compile", pos, ErrorCodes.InvalidExpression);
    }

    // ------------------------------------------------------------------ traversal helpers

    private void BindStmt(Stmt s)
    {
        EnsureStack(s.Pos);
        var start = _index++;
        var sink = _assigned;
        var before = sink.Count;
        s.Accept(this);
        _bound.Spans[s] = (start, _index);
        if (sink.Count > before) _bound.Assigned[s] = sink.GetRange(before, sink.Count - before).ToArray();
    }

    private void BindExpr(Expr? e)
    {
        if (e is null) return;
        EnsureStack(e.Pos);
        _index++;
        e.Accept(this);
    }

    private void BindArgs(Arguments args)
    {
        foreach (var a in args.Positional) BindExpr(a);
        foreach (var (_, v) in args.Named) BindExpr(v);
        BindExpr(args.DynArgs);
        BindExpr(args.DynKwargs);
    }

    /// <summary>Statements that share the enclosing scope (names they assign belong to the enclosing body).</summary>
    private void BindInline(IReadOnlyList<Stmt> body, bool keepsTopLevel = false)
    {
        var savedTemplateBody = _inTemplateBody;
        var savedExtends = _extendsAllowed;
        var savedTopLevel = _topLevel;
        _inTemplateBody = false;
        _extendsAllowed = false;
        _topLevel = keepsTopLevel && _topLevel;
        try
        {
            foreach (var s in body) BindStmt(s);
        }
        finally
        {
            _inTemplateBody = savedTemplateBody;
            _extendsAllowed = savedExtends;
            _topLevel = savedTopLevel;
        }
    }

    /// <summary>
    /// A body with a scope of its own, in which <paramref name="locals"/> are bound. <paramref name="keepsExtends"/>:
    /// an extends inside still counts as top-level (if bodies at the top level).
    /// </summary>
    private void BindScoped(IReadOnlyList<Stmt> body, IEnumerable<string>? locals = null, bool keepsExtends = false, Action? before = null)
    {
        var savedAssigned = _assigned;
        var savedTemplateBody = _inTemplateBody;
        var savedExtends = _extendsAllowed;
        var savedTopLevel = _topLevel;
        _assigned = [];
        _inTemplateBody = false;
        _extendsAllowed = keepsExtends && _extendsAllowed;
        _topLevel = false;
        PushScope(locals);
        try
        {
            before?.Invoke();
            foreach (var s in body) BindStmt(s);
        }
        finally
        {
            PopScope();
            _assigned = savedAssigned;
            _inTemplateBody = savedTemplateBody;
            _extendsAllowed = savedExtends;
            _topLevel = savedTopLevel;
        }
    }

    private void PushScope(IEnumerable<string>? locals)
    {
        var scope = new HashSet<string>(StringComparer.Ordinal);
        if (locals is not null) scope.UnionWith(locals);
        _scopes.Add(scope);
    }

    private void PopScope() => _scopes.RemoveAt(_scopes.Count - 1);

    private bool IsBound(string name)
    {
        for (var i = _scopes.Count - 1; i >= 0; i--)
            if (_scopes[i].Contains(name)) return true;
        return false;
    }

    /// <summary>A name read where no scope binds it: the template reads it from the context (or a global).</summary>
    private void Read(string name)
    {
        if (IsBound(name)) return;
        if (_freeSeen.Add(name)) _free.Add(name);
        foreach (var m in _macroStack) m.AddFreeName(name);
    }

    private void Declare(string name)
    {
        _scopes[^1].Add(name);
        if (_scopes.Count == 1) _templateWide.Add(name);
    }

    /// <summary>A set/import/macro name assigned in the current scope body.</summary>
    private void Assign(string name)
    {
        _assigned.Add(name);
        Declare(name);
    }

    private void AssignTarget(Target target, SetKind kind)
    {
        switch (target)
        {
            case NameTarget n:
                if (kind == SetKind.Set) Assign(n.Name);
                else
                {
                    // let/export are template-wide (inside a def: the call's own variables)
                    _lets?.Add(n.Name);
                    _templateWide.Add(n.Name);
                    Declare(n.Name);
                }
                break;
            case TupleTarget t:
                foreach (var item in t.Items) AssignTarget(item, kind);
                break;
            case AttrTarget a:
                Read(a.Name);
                break;
        }
    }

    private static IEnumerable<string> TargetNames(Target target) => target switch
    {
        NameTarget n => [n.Name],
        TupleTarget t => t.Items.SelectMany(TargetNames),
        _ => [],
    };

    private void Dependency(DependencyKind kind, Expr template, bool optional, int pos)
    {
        switch (template)
        {
            case ConstExpr { Value: string name }:
                _dependencies.Add(new DependencyFact(kind, name, optional, pos));
                return;
            case ListExpr or TupleExpr:
            {
                var items = template is ListExpr l ? l.Items : ((TupleExpr)template).Items;
                if (items.Count > 0 && items.All(i => i is ConstExpr { Value: string }))
                {
                    // the first that exists is used: each alternative may be missing
                    foreach (var i in items) _dependencies.Add(new DependencyFact(kind, (string)((ConstExpr)i).Value!, true, pos));
                    return;
                }
                break;
            }
            case CondExpr { Then: ConstExpr { Value: string a }, Else: ConstExpr { Value: string b } }:
                _dependencies.Add(new DependencyFact(kind, a, optional, pos));
                _dependencies.Add(new DependencyFact(kind, b, optional, pos));
                return;
        }
        _dependencies.Add(new DependencyFact(kind, null, optional, pos));
    }

    // ------------------------------------------------------------------ expressions

    public override bool VisitConstExpr(ConstExpr node) => true;

    public override bool VisitNameExpr(NameExpr node)
    {
        // the index of this node: every visit counts one before dispatching
        if (!_bound.NameUses.TryGetValue(node.Name, out var uses)) _bound.NameUses[node.Name] = uses = [];
        uses.Add(_index - 1);
        if (node.Name is "self" or "caller" or "varargs" or "kwargs") _bound.KeepsContext = true;
        if (node.Name == "caller" && _callerOwner is not null) _callerOwner.UsesCaller = _callerOwner.CallsCaller = true;
        Read(node.Name);
        return true;
    }

    public override bool VisitGetAttrExpr(GetAttrExpr node)
    {
        BindExpr(node.Target);
        return true;
    }

    public override bool VisitGetItemExpr(GetItemExpr node)
    {
        BindExpr(node.Target);
        BindExpr(node.Key);
        return true;
    }

    public override bool VisitSliceExpr(SliceExpr node)
    {
        BindExpr(node.Start);
        BindExpr(node.Stop);
        BindExpr(node.Step);
        return true;
    }

    public override bool VisitCallExpr(CallExpr node)
    {
        BindExpr(node.Callee);
        BindArgs(node.Args);
        return true;
    }

    public override bool VisitFilterExpr(FilterExpr node)
    {
        BindExpr(node.Value);
        BindArgs(node.Args);
        return true;
    }

    public override bool VisitTestExpr(TestExpr node)
    {
        BindExpr(node.Value);
        BindArgs(node.Args);
        return true;
    }

    public override bool VisitUnaryExpr(UnaryExpr node)
    {
        BindExpr(node.Operand);
        return true;
    }

    public override bool VisitBinaryExpr(BinaryExpr node)
    {
        BindExpr(node.Left);
        BindExpr(node.Right);
        return true;
    }

    public override bool VisitCompareExpr(CompareExpr node)
    {
        BindExpr(node.First);
        foreach (var (_, operand) in node.Rest) BindExpr(operand);
        return true;
    }

    public override bool VisitCondExpr(CondExpr node)
    {
        BindExpr(node.Test);
        BindExpr(node.Then);
        BindExpr(node.Else);
        return true;
    }

    public override bool VisitCoalesceExpr(CoalesceExpr node)
    {
        BindExpr(node.Left);
        BindExpr(node.Right);
        return true;
    }

    public override bool VisitListExpr(ListExpr node)
    {
        foreach (var item in node.Items) BindExpr(item);
        return true;
    }

    public override bool VisitTupleExpr(TupleExpr node)
    {
        foreach (var item in node.Items) BindExpr(item);
        return true;
    }

    public override bool VisitDictExpr(DictExpr node)
    {
        foreach (var (k, v) in node.Items)
        {
            BindExpr(k);
            BindExpr(v);
        }
        return true;
    }

    public override bool VisitListCompExpr(ListCompExpr node)
    {
        BindExpr(node.Iterable);
        PushScope(TargetNames(node.Target));
        try
        {
            BindExpr(node.Element);
            BindExpr(node.Condition);
        }
        finally
        {
            PopScope();
        }
        return true;
    }

    public override bool VisitRangeExpr(RangeExpr node)
    {
        BindExpr(node.Start);
        BindExpr(node.End);
        BindExpr(node.Step);
        return true;
    }

    // ------------------------------------------------------------------ statements

    public override bool VisitTextStmt(TextStmt node) => true;

    public override bool VisitOutputStmt(OutputStmt node)
    {
        BindExpr(node.Value);
        return true;
    }

    public override bool VisitIfStmt(IfStmt node)
    {
        // an extends in an if at the top level (or in such an if) is Jinja2's conditional extends
        foreach (var branch in node.Branches)
        {
            BindExpr(branch.Condition);
            BindScoped(branch.Body, keepsExtends: true);
        }
        if (node.Else is not null) BindScoped(node.Else, keepsExtends: true);
        return true;
    }

    public override bool VisitForStmt(ForStmt node)
    {
        if (node.Recursive) _bound.KeepsContext = true;
        BindExpr(node.Iterable);
        var filterStart = _index;
        var filterEnd = _index;
        BindScoped(node.Body, TargetNames(node.Target).Append("loop"), before: () =>
        {
            filterStart = _index;
            BindExpr(node.Filter);
            filterEnd = _index;
        });
        if (node.Recursive || _bound.UsesName(node.Body, "loop") || LoopBetween(filterStart, filterEnd))
            _bound.LoopUsers.Add(node);
        if (node.Else is not null) BindScoped(node.Else);
        return true;
    }

    private bool LoopBetween(int start, int end) =>
        _bound.NameUses.TryGetValue("loop", out var uses) && uses.Any(i => i >= start && i < end);

    public override bool VisitWhileStmt(WhileStmt node)
    {
        BindExpr(node.Condition);
        BindScoped(node.Body);
        return true;
    }

    public override bool VisitSetStmt(SetStmt node)
    {
        BindExpr(node.Value);
        if (node.OnlyIfMissing && node.Target is NameTarget n) Read(n.Name);
        AssignTarget(node.Target, node.Kind);
        return true;
    }

    public override bool VisitSetBlockStmt(SetBlockStmt node)
    {
        BindScoped(node.Body);
        foreach (var f in node.Filters) BindExpr(f);
        AssignTarget(node.Target, node.Kind);
        return true;
    }

    public override bool VisitBlockStmt(BlockStmt node)
    {
        _blocks.Add(node);
        if (node.Scoped) _bound.LocalExposers.Add(_index - 1);
        BindExpr(node.Condition);
        BindScoped(node.Body);
        return true;
    }

    public override bool VisitExtendsStmt(ExtendsStmt node)
    {
        _bound.KeepsContext = true;
        if (_inTemplateBody) _bound.HasExtends = true;
        if (_extendsAllowed) _bound.TopLevelExtends.Add(node);
        Dependency(DependencyKind.Extends, node.Template, false, node.Pos);
        BindExpr(node.Template);
        return true;
    }

    public override bool VisitIncludeStmt(IncludeStmt node)
    {
        _bound.KeepsContext = true;
        if (node.WithContext) _bound.LocalExposers.Add(_index - 1);
        Dependency(DependencyKind.Include, node.Template, node.IgnoreMissing, node.Pos);
        BindExpr(node.Template);
        return true;
    }

    public override bool VisitImportStmt(ImportStmt node)
    {
        _bound.KeepsContext = true;
        Dependency(DependencyKind.Import, node.Template, false, node.Pos);
        BindExpr(node.Template);
        Assign(node.Alias);
        return true;
    }

    public override bool VisitFromImportStmt(FromImportStmt node)
    {
        _bound.KeepsContext = true;
        Dependency(DependencyKind.FromImport, node.Template, false, node.Pos);
        BindExpr(node.Template);
        foreach (var (_, alias) in node.Names) Assign(alias);
        return true;
    }

    public override bool VisitMacroStmt(MacroStmt node)
    {
        _bound.KeepsContext = true;
        var facts = new MacroFacts();
        _bound.Macros[node] = facts;
        var topLevel = _topLevel;
        // defaults belong to neither this macro nor the enclosing one (for caller and slot use)
        var savedOwner = _callerOwner;
        _callerOwner = null;
        try
        {
            foreach (var p in node.Parameters) BindExpr(p.Default);
        }
        finally
        {
            _callerOwner = savedOwner;
        }
        Assign(node.Name);

        var locals = node.Parameters.Select(p => p.Name).Concat(["caller", "varargs", "kwargs", "has_slot"]);
        var savedLets = _lets;
        var lets = new List<string>();
        _lets = lets;
        _callerOwner = facts;
        _macroStack.Add(facts);
        try
        {
            BindScoped(node.Body, locals);
        }
        finally
        {
            _macroStack.RemoveAt(_macroStack.Count - 1);
            _callerOwner = savedOwner;
            _lets = savedLets;
        }
        facts.Lets.AddRange(lets.Distinct());

        if (node.Parameters.FirstOrDefault(p => p.Name == "caller") is { Default: null, Star: 0 } && facts.UsesCaller)
            throw Error("When defining macros or call blocks the special 'caller' argument must be omitted or be given a default", node.Pos);
        if (topLevel)
        {
            _topLevelDefs.Add((node, facts));
            if (node.IsRegion) _bound.RegionBlocks.Add(node);
        }
        return true;
    }

    public override bool VisitCallBlockStmt(CallBlockStmt node)
    {
        _bound.KeepsContext = true;
        BindExpr(node.Call);
        foreach (var p in node.CallerParameters) BindExpr(p.Default);
        var savedLets = _lets;
        _lets = null;
        try
        {
            BindScoped(node.Body, node.CallerParameters.Select(p => p.Name));
            foreach (var (_, slot) in node.Slots) BindScoped(slot);
        }
        finally
        {
            _lets = savedLets;
        }
        return true;
    }

    public override bool VisitSlotStmt(SlotStmt node)
    {
        _bound.KeepsContext = true;
        if (_callerOwner is { } owner)
        {
            owner.UsesCaller = true;
            if (!node.IsYield)
            {
                if (node.Name is null or "default") owner.HasDefaultSlot = true;
                else if (!owner.Slots.Contains(node.Name)) owner.Slots.Add(node.Name);
            }
        }
        foreach (var (_, value) in node.Bindings) BindExpr(value);
        if (node.DefaultBody is not null)
        {
            var savedLets = _lets;
            _lets = null;
            try
            {
                BindScoped(node.DefaultBody, node.Bindings.Select(b => b.Key));
            }
            finally
            {
                _lets = savedLets;
            }
        }
        return true;
    }

    public override bool VisitFilterBlockStmt(FilterBlockStmt node)
    {
        foreach (var f in node.Filters) BindExpr(f);
        BindInline(node.Body);
        return true;
    }

    public override bool VisitWithStmt(WithStmt node)
    {
        foreach (var (_, value) in node.Assignments) BindExpr(value);
        BindScoped(node.Body, node.Assignments.SelectMany(a => TargetNames(a.Key)));
        return true;
    }

    public override bool VisitWithIfStmt(WithIfStmt node)
    {
        BindExpr(node.Subject);
        BindScoped(node.Body, TargetNames(node.Target));
        if (node.Else is not null) BindScoped(node.Else);
        return true;
    }

    public override bool VisitDoStmt(DoStmt node)
    {
        BindExpr(node.Value);
        return true;
    }

    public override bool VisitBreakStmt(BreakStmt node) => true;

    public override bool VisitContinueStmt(ContinueStmt node) => true;

    public override bool VisitFlushStmt(FlushStmt node) => true;

    public override bool VisitAutoescapeStmt(AutoescapeStmt node)
    {
        BindExpr(node.Enabled);
        BindScoped(node.Body);
        return true;
    }

    public override bool VisitMatchStmt(MatchStmt node)
    {
        BindExpr(node.Subject);
        foreach (var c in node.Cases)
        {
            // a case body shares the enclosing body (its assignments are the body's), with the pattern's captures bound
            PushScope(null);
            try
            {
                if (c.Pattern is not null) BindPattern(c.Pattern);
                BindExpr(c.Guard);
                BindInline(c.Body);
            }
            finally
            {
                PopScope();
            }
        }
        return true;
    }

    /// <summary>A match pattern: names capture (except <c>_</c>), tuples and lists destructure, anything else is a value.</summary>
    private void BindPattern(Expr pattern)
    {
        EnsureStack(pattern.Pos);
        switch (pattern)
        {
            case NameExpr n:
                _index++;
                if (!_bound.NameUses.TryGetValue(n.Name, out var uses)) _bound.NameUses[n.Name] = uses = [];
                uses.Add(_index - 1);
                if (n.Name != "_") Declare(n.Name);
                break;
            case TupleExpr t:
                _index++;
                foreach (var item in t.Items) BindPattern(item);
                break;
            case ListExpr l:
                _index++;
                foreach (var item in l.Items) BindPattern(item);
                break;
            default:
                BindExpr(pattern);
                break;
        }
    }

    public override bool VisitTryStmt(TryStmt node)
    {
        BindInline(node.Body);
        PushScope(node.ErrorName is null ? null : [node.ErrorName]);
        try
        {
            BindInline(node.Fallback);
        }
        finally
        {
            PopScope();
        }
        return true;
    }

    public override bool VisitSpacelessStmt(SpacelessStmt node)
    {
        BindInline(node.Body);
        return true;
    }

    public override bool VisitProvideStmt(ProvideStmt node)
    {
        BindExpr(node.Value);
        BindInline(node.Body);
        return true;
    }

    public override bool VisitPushStmt(PushStmt node)
    {
        BindInline(node.Body);
        return true;
    }

    public override bool VisitStackStmt(StackStmt node) => true;

    public override bool VisitCacheStmt(CacheStmt node)
    {
        BindExpr(node.Key);
        BindExpr(node.Ttl);
        foreach (var d in node.Depends) BindExpr(d);
        BindInline(node.Body);
        return true;
    }

    public override bool VisitEmbedStmt(EmbedStmt node)
    {
        _bound.KeepsContext = true;
        if (node.WithContext) _bound.LocalExposers.Add(_index - 1);
        Dependency(DependencyKind.Embed, node.Template, false, node.Pos);
        BindExpr(node.Template);
        // the overrides are blocks of the embed tag, not of this template
        var savedBlocks = _blocks;
        var savedLets = _lets;
        var blocks = new List<BlockStmt>();
        _blocks = blocks;
        _lets = null;
        try
        {
            BindScoped(node.Blocks);
        }
        finally
        {
            _blocks = savedBlocks;
            _lets = savedLets;
        }
        _bound.EmbedBlocks[node] = blocks;
        return true;
    }

    public override bool VisitTransStmt(TransStmt node)
    {
        foreach (var (_, value) in node.Variables) BindExpr(value);
        return true;
    }

    public override bool VisitTemplateDeclStmt(TemplateDeclStmt node)
    {
        _declarations.AddRange(node.Declarations);
        return true;
    }

    public override bool VisitScopeStmt(ScopeStmt node)
    {
        // {% globals %}/{% imports %} and scoped helpers: their statements run in the enclosing scope
        BindInline(node.Body, keepsTopLevel: true);
        return true;
    }
}
