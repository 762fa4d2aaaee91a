using Kida.Compilation;
using Kida.Syntax;
using Kida.Text;

namespace Kida.Checking;

/// <summary>
/// What the checker knows about one template: its tree (when it parses), the defs it exports with their
/// signatures, its blocks, its constant parent and its <c>{% template %}</c> declarations.
/// </summary>
internal sealed class TemplateAnalysis
{
    private TemplateAnalysis(string name, string? path, SourceText source)
    {
        Name = name;
        Path = path;
        Source = source;
    }

    public string Name { get; }
    public string? Path { get; }
    public SourceText Source { get; }

    /// <summary>The syntax tree, or null when the template does not parse (see <see cref="ParseError"/>).</summary>
    public TemplateNode? Tree { get; private init; }
    public TemplateException? ParseError { get; private init; }

    /// <summary>Every def, region and macro of the template (nested ones too), in source order.</summary>
    public IReadOnlyList<(MacroStmt Node, DefSignature Signature)> Defs { get; private set; } = [];

    /// <summary>Names another template can import: top-level defs, variables and imports.</summary>
    public IReadOnlySet<string> Exports { get; private set; } = new HashSet<string>();

    /// <summary>Top-level defs by name (the ones an import sees).</summary>
    public IReadOnlyDictionary<string, DefSignature> ExportedDefs { get; private set; } = new Dictionary<string, DefSignature>();

    /// <summary>Whether the exports are not all known (the template extends another).</summary>
    public bool ExportsOpen { get; private set; }

    /// <summary>The blocks the template defines itself (nested ones too).</summary>
    public IReadOnlySet<string> OwnBlocks { get; private set; } = new HashSet<string>();

    /// <summary>The parent named by a single constant <c>{% extends %}</c>.</summary>
    public string? Parent { get; private set; }

    /// <summary>The template extends something that is not one constant name (conditional or computed).</summary>
    public bool DynamicParent { get; private set; }

    public IReadOnlyList<Declaration> Declarations { get; private set; } = [];

    /// <summary>The names the template reads from its context (not set, imported or a parameter where they are read).</summary>
    public IReadOnlySet<string> ContextNames { get; private init; } = new HashSet<string>();

    /// <summary>Lexes, parses and reads the template's signatures.</summary>
    public static TemplateAnalysis Create(KidaEnvironment env, string name, string? path, string text)
    {
        TemplateAnalysis analysis;
        try
        {
            // the compiler's front end: lex, parse, bind (the emitter's checks run in TemplateChecker)
            var bound = TemplateCompiler.Analyze(env, text, name, out var sourceText);
            analysis = new TemplateAnalysis(name, path, sourceText)
            {
                Tree = bound.Tree,
                // the binder's free names: what the template (and its top-level defs) read from the context
                ContextNames = bound.Summary.FreeNames.Concat(bound.Summary.Defs.SelectMany(d => d.FreeNames)).ToHashSet(StringComparer.Ordinal),
            };
        }
        catch (TemplateException ex)
        {
            return new TemplateAnalysis(name, path, new SourceText(text, name)) { ParseError = ex };
        }
        var source = analysis.Source;
        var reader = new SignatureReader(source);
        analysis.Declarations = reader.ReadDeclarations(analysis.Tree);
        var defs = new List<(MacroStmt, DefSignature)>();
        var blocks = new HashSet<string>(StringComparer.Ordinal);
        Collect(analysis.Tree, reader, defs, blocks);
        analysis.Defs = defs;
        analysis.OwnBlocks = blocks;

        var exports = new HashSet<string>(StringComparer.Ordinal);
        var exported = new Dictionary<string, DefSignature>(StringComparer.Ordinal);
        CollectExports(analysis.Tree.Body, exports, exported, defs);
        analysis.Exports = exports;
        analysis.ExportedDefs = exported;

        var extends = new List<ExtendsStmt>();
        CollectExtends(analysis.Tree.Body, extends, topLevel: true);
        if (extends.Count == 1 && analysis.Tree.Body.Contains(extends[0]) && extends[0].Template is ConstExpr { Value: string parent })
            analysis.Parent = parent;
        else if (extends.Count > 0)
            analysis.DynamicParent = true;
        analysis.ExportsOpen = extends.Count > 0;
        return analysis;
    }

    private static void Collect(Node node, SignatureReader reader, List<(MacroStmt, DefSignature)> defs, HashSet<string> blocks)
    {
        switch (node)
        {
            case MacroStmt m: defs.Add((m, reader.Read(m))); break;
            case BlockStmt b: blocks.Add(b.Name); break;
            case EmbedStmt e:
                // an embed's blocks override the embedded template's, not this one's
                foreach (var block in e.Blocks)
                    foreach (var stmt in block.Body) Collect(stmt, reader, defs, new HashSet<string>());
                return;
        }
        foreach (var child in SyntaxChildren.Of(node)) Collect(child, reader, defs, blocks);
    }

    private static void CollectExports(IEnumerable<Stmt> body, HashSet<string> exports, Dictionary<string, DefSignature> exported,
        List<(MacroStmt Node, DefSignature Signature)> defs)
    {
        foreach (var stmt in body)
        {
            switch (stmt)
            {
                case MacroStmt m:
                    exports.Add(m.Name);
                    exported[m.Name] = defs.First(d => ReferenceEquals(d.Node, m)).Signature;
                    break;
                case SetStmt s: AddTargets(s.Target, exports); break;
                case SetBlockStmt s: AddTargets(s.Target, exports); break;
                case ImportStmt i: exports.Add(i.Alias); break;
                case FromImportStmt f: foreach (var (_, alias) in f.Names) exports.Add(alias); break;
                case ScopeStmt scope: CollectExports(scope.Body, exports, exported, defs); break;
                default:
                    // let and export are template-wide wherever they appear
                    AddTemplateWide(stmt, exports);
                    break;
            }
        }
    }

    private static void AddTemplateWide(Node node, HashSet<string> exports)
    {
        if (node is MacroStmt) return;
        if (node is SetStmt { Kind: not SetKind.Set } s) AddTargets(s.Target, exports);
        if (node is SetBlockStmt { Kind: not SetKind.Set } sb) AddTargets(sb.Target, exports);
        foreach (var child in SyntaxChildren.Of(node)) AddTemplateWide(child, exports);
    }

    internal static void AddTargets(Target target, ISet<string> into)
    {
        switch (target)
        {
            case NameTarget n: into.Add(n.Name); break;
            case TupleTarget t: foreach (var item in t.Items) AddTargets(item, into); break;
        }
    }

    private static void CollectExtends(IEnumerable<Stmt> body, List<ExtendsStmt> into, bool topLevel)
    {
        foreach (var stmt in body)
        {
            if (stmt is ExtendsStmt e) into.Add(e);
            else if (stmt is IfStmt i)
            {
                foreach (var branch in i.Branches) CollectExtends(branch.Body, into, false);
                if (i.Else is not null) CollectExtends(i.Else, into, false);
            }
        }
    }
}
