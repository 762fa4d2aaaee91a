using Kida.Compilation;
using Kida.Syntax;

namespace Kida.Checking;

/// <summary>
/// The checks of <c>kida check</c> and the build: every template is compiled (syntax errors, unknown filters and
/// tests), then its tree is read for references that cannot work: missing templates, <c>super()</c> and
/// <c>self.x()</c> of missing blocks, imported names a library does not define, calls that do not fit the def they
/// call, literal arguments that do not fit an annotation, and uses of <c>{% template %}</c>-declared variables.
/// </summary>
internal sealed class TemplateChecker
{
    private readonly KidaEnvironment _env;
    private readonly Dictionary<string, TemplateAnalysis?> _analyses = new(StringComparer.Ordinal);
    private readonly HashSet<string> _extraGlobals;

    /// <summary>A checker reading templates through the environment's loader; <paramref name="globals"/> are names the host provides.</summary>
    public TemplateChecker(KidaEnvironment environment, IEnumerable<string>? globals = null)
    {
        _env = environment;
        _extraGlobals = new HashSet<string>(globals ?? [], StringComparer.Ordinal);
    }

    /// <summary>Names every template sees without declaring them (Kida's own specials).</summary>
    private static readonly HashSet<string> Specials = new(StringComparer.Ordinal)
        { "loop", "self", "super", "caller", "varargs", "kwargs", "has_slot", "true", "false", "none", "True", "False", "None", "_", "_n", "gettext", "ngettext" };

    /// <summary>The analysis of <paramref name="name"/>, or null when the loader does not find it.</summary>
    public TemplateAnalysis? Analyze(string name)
    {
        if (_analyses.TryGetValue(name, out var cached)) return cached;
        TemplateAnalysis? analysis = null;
        try
        {
            if (_env.Options.Loader is { } loader)
            {
                var source = loader.GetSource(name);
                analysis = TemplateAnalysis.Create(_env, name, source.Path, source.Text);
            }
        }
        catch (TemplateNotFoundException)
        {
        }
        _analyses[name] = analysis;
        return analysis;
    }

    /// <summary>Whether the loader finds <paramref name="name"/>.</summary>
    public bool Exists(string name) => Analyze(name) is not null;

    /// <summary>Checks the template <paramref name="name"/>; the findings are in source order.</summary>
    public IReadOnlyList<TemplateDiagnostic> Check(string name)
    {
        var analysis = Analyze(name);
        if (analysis is null)
            return [new TemplateDiagnostic(ErrorCodes.TemplateNotFound, DiagnosticSeverity.Error, $"Template '{name}' not found", name, null, 1, 1)];
        return Check(analysis);
    }

    /// <summary>Checks a template given as text (not through the loader, though its references are).</summary>
    public IReadOnlyList<TemplateDiagnostic> CheckSource(string name, string text, string? path = null)
    {
        var analysis = TemplateAnalysis.Create(_env, name, path, text);
        return Check(analysis);
    }

    private List<TemplateDiagnostic> Check(TemplateAnalysis analysis)
    {
        var findings = new List<TemplateDiagnostic>();
        if (analysis.ParseError is { } parseError)
        {
            findings.Add(TemplateDiagnostic.FromException(parseError, analysis.Name, analysis.Path));
            return findings;
        }
        try
        {
            // the compiler's own checks: unknown filters and tests, and what only the emitter rejects
            TemplateCompiler.Compile(_env, analysis.Source.Text, analysis.Name, out _);
        }
        catch (TemplateException ex)
        {
            findings.Add(TemplateDiagnostic.FromException(ex, analysis.Name, analysis.Path));
        }
        new Walker(this, analysis, findings).Run();
        return findings
            .GroupBy(f => (f.Code, f.Line, f.Column, f.Message)).Select(g => g.First())
            .OrderBy(f => f.Line).ThenBy(f => f.Column).ToList();
    }

    /// <summary>The block names of <paramref name="name"/> and its ancestors; null when the chain is not fully known.</summary>
    internal HashSet<string>? InheritedBlocks(string name, int depth = 0)
    {
        var analysis = Analyze(name);
        if (analysis?.Tree is null || analysis.DynamicParent || depth > 32) return null;
        var blocks = new HashSet<string>(analysis.OwnBlocks, StringComparer.Ordinal);
        if (analysis.Parent is null) return blocks;
        var parent = InheritedBlocks(analysis.Parent, depth + 1);
        if (parent is null) return null;
        blocks.UnionWith(parent);
        return blocks;
    }

    private bool IsGlobal(string name) =>
        Specials.Contains(name) || _extraGlobals.Contains(name) || _env.GlobalsSnapshot.ContainsKey(name);

    /// <summary>One pass over one template's tree.</summary>
    private sealed class Walker
    {
        private readonly TemplateChecker _checker;
        private readonly TemplateAnalysis _t;
        private readonly List<TemplateDiagnostic> _findings;
        private readonly Dictionary<string, int> _bound = new(StringComparer.Ordinal);
        private readonly Dictionary<string, DefSignature> _defs = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (string Library, string Name)> _fromImports = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _imports = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Declaration> _declared;
        private readonly HashSet<string> _read = new(StringComparer.Ordinal);
        private readonly HashSet<string> _reportedUndeclared = new(StringComparer.Ordinal);

        public Walker(TemplateChecker checker, TemplateAnalysis t, List<TemplateDiagnostic> findings)
        {
            _checker = checker;
            _t = t;
            _findings = findings;
            _declared = t.Declarations.GroupBy(d => d.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        }

        public void Run()
        {
            var tree = _t.Tree!;
            CountBindings(tree);
            foreach (var (node, signature) in _t.Defs)
                if (_t.Defs.Count(d => d.Node.Name == node.Name) == 1 && Bound(node.Name) == 1) _defs[node.Name] = signature;
            Visit(tree, block: null, inEmbed: false);
            foreach (var d in _declared.Values)
                if (!_read.Contains(d.Name))
                    Add(ErrorCodes.UnusedDeclaration, DiagnosticSeverity.Warning, $"'{d.Name}' is declared in {{% template %}} but never used", d.Line, d.Column);
        }

        private int Bound(string name) => _bound.GetValueOrDefault(name);

        private void Bind(string name) => _bound[name] = Bound(name) + 1;

        private void BindTarget(Target target)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            TemplateAnalysis.AddTargets(target, names);
            foreach (var n in names) Bind(n);
        }

        /// <summary>Counts every binding of every name, so that a def called by a name bound twice is not validated.</summary>
        private void CountBindings(Node node)
        {
            switch (node)
            {
                case MacroStmt m:
                    Bind(m.Name);
                    foreach (var p in m.Parameters) Bind(p.Name);
                    break;
                case CallBlockStmt c: foreach (var p in c.CallerParameters) Bind(p.Name); break;
                case SetStmt s: BindTarget(s.Target); break;
                case SetBlockStmt s: BindTarget(s.Target); break;
                case ForStmt f: BindTarget(f.Target); break;
                case ListCompExpr l: BindTarget(l.Target); break;
                case WithStmt w: foreach (var (target, _) in w.Assignments) BindTarget(target); break;
                case WithIfStmt w: BindTarget(w.Target); break;
                case ImportStmt i:
                    Bind(i.Alias);
                    if (i.Template is ConstExpr { Value: string lib }) _imports[i.Alias] = lib;
                    break;
                case FromImportStmt f:
                    foreach (var (name, alias) in f.Names)
                    {
                        Bind(alias);
                        if (f.Template is ConstExpr { Value: string fromLib }) _fromImports[alias] = (fromLib, name);
                    }
                    break;
                case TryStmt { ErrorName: { } error }: Bind(error); break;
                case SlotStmt slot: foreach (var (name, _) in slot.Bindings) Bind(name); break;
            }
            foreach (var child in SyntaxChildren.Of(node)) CountBindings(child);
        }

        private void Add(string code, DiagnosticSeverity severity, string message, int line, int column) =>
            _findings.Add(new TemplateDiagnostic(code, severity, TemplateDiagnostic.OneLine(message), _t.Name, _t.Path, line, column));

        private void Add(string code, DiagnosticSeverity severity, string message, int offset)
        {
            var (line, column) = _t.Source.GetPosition(offset);
            Add(code, severity, message, line, column);
        }

        private void Visit(Node node, string? block, bool inEmbed)
        {
            switch (node)
            {
                case BlockStmt b:
                    block = b.Name;
                    break;
                case ExtendsStmt e: CheckTarget(e.Template, "extends", ignoreMissing: false); break;
                case IncludeStmt i: CheckTarget(i.Template, "include", i.IgnoreMissing); break;
                case ImportStmt i: CheckTarget(i.Template, "import", ignoreMissing: false); break;
                case FromImportStmt f:
                    if (CheckTarget(f.Template, "from", ignoreMissing: false) is { } library)
                        foreach (var (name, _) in f.Names) CheckExported(library, name, f.Pos);
                    break;
                case EmbedStmt e:
                    CheckTarget(e.Template, "embed", ignoreMissing: false);
                    foreach (var b in e.Blocks) Visit(b, b.Name, inEmbed: true);
                    return;
                case CallBlockStmt cb:
                    CheckCall(cb.Call, passesCaller: true);
                    Visit(cb.Call.Callee, block, inEmbed);
                    foreach (var a in cb.Call.Args.Positional) Visit(a, block, inEmbed);
                    foreach (var (_, a) in cb.Call.Args.Named) Visit(a, block, inEmbed);
                    foreach (var p in cb.CallerParameters) if (p.Default is not null) Visit(p.Default, block, inEmbed);
                    foreach (var s in cb.Body) Visit(s, block, inEmbed);
                    foreach (var slot in cb.Slots.Values) foreach (var s in slot) Visit(s, block, inEmbed);
                    return;
                case CallExpr call:
                    CheckSpecialCall(call, block, inEmbed);
                    CheckCall(call, passesCaller: false);
                    break;
                case GetAttrExpr { Target: NameExpr { Name: var alias } } attr when _imports.TryGetValue(alias, out var module) && Bound(alias) == 1:
                    if (_checker.Analyze(module) is not null) CheckExported(module, attr.Name, attr.Pos);
                    break;
                case SetStmt s: CheckDeclaredAssignment(s.Target, s.Value); break;
                case CompareExpr c: CheckDeclaredComparison(c); break;
                case NameExpr n: NoteRead(n); break;
            }
            foreach (var child in SyntaxChildren.Of(node)) Visit(child, block, inEmbed);
        }

        /// <summary>Checks a constant template reference; returns its name when the template exists.</summary>
        private string? CheckTarget(Expr target, string tag, bool ignoreMissing)
        {
            switch (target)
            {
                case ConstExpr { Value: string name }:
                    if (_checker.Exists(name)) return name;
                    if (!ignoreMissing)
                        Add(ErrorCodes.TemplateNotFound, DiagnosticSeverity.Error, $"Template '{name}' not found (referenced by {{% {tag} %}})", target.Pos);
                    return null;
                case ListExpr or TupleExpr when !ignoreMissing:
                    var items = target is ListExpr l ? l.Items : ((TupleExpr)target).Items;
                    var names = items.Select(i => i is ConstExpr { Value: string s } ? s : null).ToList();
                    if (names.Count > 0 && names.All(n => n is not null) && !names.Any(n => _checker.Exists(n!)))
                        Add(ErrorCodes.TemplateNotFound, DiagnosticSeverity.Error,
                            $"None of the templates {string.Join(", ", names.Select(n => $"'{n}'"))} exists (referenced by {{% {tag} %}})", target.Pos);
                    return null;
                default:
                    return null;
            }
        }

        private void CheckExported(string library, string name, int offset)
        {
            var lib = _checker.Analyze(library);
            if (lib?.Tree is null || lib.ExportsOpen || lib.Exports.Contains(name)) return;
            var hint = Common.Suggest.Closest(name, lib.Exports);
            Add(ErrorCodes.MacroNotFound, DiagnosticSeverity.Error,
                $"'{name}' is not defined in template '{library}'" + (hint is null ? "" : $"; did you mean '{hint}'?"), offset);
        }

        /// <summary><c>super()</c> and <c>self.name()</c>: the block must exist.</summary>
        private void CheckSpecialCall(CallExpr call, string? block, bool inEmbed)
        {
            if (inEmbed) return;
            if (call.Callee is NameExpr { Name: "super" } sup && Bound("super") == 0)
            {
                // outside a block the compiler reports it (K-PAR-001)
                if (block is null) return;
                if (_t.DynamicParent) return;
                if (_t.Parent is null)
                {
                    Add(ErrorCodes.BlockNotFound, DiagnosticSeverity.Error,
                        $"super() in block '{block}': the template extends no other template, so there is no parent block", sup.Pos);
                    return;
                }
                var inherited = _checker.InheritedBlocks(_t.Parent);
                if (inherited is not null && !inherited.Contains(block))
                    Add(ErrorCodes.BlockNotFound, DiagnosticSeverity.Error,
                        $"super() in block '{block}': no template '{_t.Parent}' inherits from defines block '{block}'", sup.Pos);
                return;
            }
            if (call.Callee is GetAttrExpr { Target: NameExpr { Name: "self" }, Name: var name } self && Bound("self") == 0)
            {
                var blocks = _t.DynamicParent ? null
                    : _t.Parent is null ? new HashSet<string>(_t.OwnBlocks) : _checker.InheritedBlocks(_t.Name) ?? Inherited();
                if (blocks is not null && !blocks.Contains(name))
                {
                    var hint = Common.Suggest.Closest(name, blocks);
                    Add(ErrorCodes.BlockNotFound, DiagnosticSeverity.Error,
                        $"self.{name}(): there is no block '{name}'" + (hint is null ? "" : $"; did you mean '{hint}'?"), self.Target.Pos);
                }
            }
        }

        private HashSet<string>? Inherited()
        {
            if (_t.Parent is null) return new HashSet<string>(_t.OwnBlocks);
            var parent = _checker.InheritedBlocks(_t.Parent);
            if (parent is null) return null;
            parent.UnionWith(_t.OwnBlocks);
            return parent;
        }

        /// <summary>K-CMP-001/002 for a call to a def whose definition is known.</summary>
        private void CheckCall(CallExpr call, bool passesCaller)
        {
            var signature = Resolve(call.Callee);
            if (signature is null) return;
            foreach (var problem in CallValidator.Check(signature, call.Args, CalleeOffset(call.Callee), passesCaller))
                Add(problem.Code, problem.Severity, problem.Message, problem.Offset);
        }

        private static int CalleeOffset(Expr callee) => callee switch
        {
            GetAttrExpr { Target: NameExpr target } => target.Pos,
            _ => callee.Pos,
        };

        private DefSignature? Resolve(Expr callee)
        {
            switch (callee)
            {
                case NameExpr n when _defs.TryGetValue(n.Name, out var own):
                    return own;
                case NameExpr n when Bound(n.Name) == 1 && _fromImports.TryGetValue(n.Name, out var imported):
                    return _checker.Analyze(imported.Library) is { ExportsOpen: false } lib ? lib.ExportedDefs.GetValueOrDefault(imported.Name) : null;
                case GetAttrExpr { Target: NameExpr alias } attr when Bound(alias.Name) == 1 && _imports.TryGetValue(alias.Name, out var library):
                    return _checker.Analyze(library) is { ExportsOpen: false } module ? module.ExportedDefs.GetValueOrDefault(attr.Name) : null;
                default:
                    return null;
            }
        }

        // ------------------------------------------------------------ {% template %} declarations

        private void NoteRead(NameExpr n)
        {
            _read.Add(n.Name);
            if (_declared.Count == 0 || _declared.ContainsKey(n.Name) || !_t.ContextNames.Contains(n.Name) || _checker.IsGlobal(n.Name)) return;
            if (!_reportedUndeclared.Add(n.Name)) return;
            Add(ErrorCodes.UndeclaredVariable, DiagnosticSeverity.Warning,
                $"'{n.Name}' is not declared in the template's {{% template %}} declaration (and not set, imported or a global)", n.Pos);
        }

        private void CheckDeclaredAssignment(Target target, Expr value)
        {
            if (target is not NameTarget { Name: var name } || !_declared.TryGetValue(name, out var declaration)) return;
            if (declaration.Annotation is not { } annotation || !LiteralValue.TryGet(value, out var literal)) return;
            if (!annotation.Accepts(literal, literal: true))
                Add(ErrorCodes.DeclaredTypeMismatch, DiagnosticSeverity.Warning,
                    $"'{name}' is declared {declaration.AnnotationText} in {{% template %}}, but is set to {CallValidator.Describe(literal)}", value.Pos);
        }

        private void CheckDeclaredComparison(CompareExpr c)
        {
            var left = c.First;
            foreach (var (op, right) in c.Rest)
            {
                if (op is CompareOp.Eq or CompareOp.Ne)
                {
                    Compare(left, right);
                    Compare(right, left);
                }
                left = right;
            }

            void Compare(Expr name, Expr value)
            {
                if (name is not NameExpr { Name: var n } || Bound(n) > 0 || !_declared.TryGetValue(n, out var declaration)) return;
                if (declaration.Annotation is not { } annotation || !LiteralValue.TryGet(value, out var literal)) return;
                // None compares with anything declared optional; an int equals a float
                if (annotation.Accepts(literal, literal: true) || (literal is null && annotation.Accepts(null))) return;
                if (literal is double && annotation.Accepts(0L, literal: true)) return;
                Add(ErrorCodes.DeclaredTypeMismatch, DiagnosticSeverity.Warning,
                    $"'{n}' is declared {declaration.AnnotationText} in {{% template %}}, but is compared with {CallValidator.Describe(literal)}", value.Pos);
            }
        }
    }
}
