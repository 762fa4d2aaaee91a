using Kida.Lexing;
using Kida.Syntax;
using Kida.Text;

namespace Kida.Checking;

/// <summary>One parameter of a def or macro: its annotation and default as written.</summary>
internal sealed record ParameterSignature(string Name, TypeAnnotation? Annotation, string? AnnotationText, Expr? Default, string? DefaultText, int Star)
{
    /// <summary>A parameter that a call must pass (no default, not <c>*args</c>/<c>**kwargs</c>).</summary>
    public bool Required => Default is null && Star == 0;
}

/// <summary>
/// What a call needs to know about a <c>def</c>, <c>region</c> or <c>macro</c>: its parameters, what it collects and
/// where it is defined.
/// </summary>
internal sealed record DefSignature(
    string Name,
    string Kind,
    IReadOnlyList<ParameterSignature> Parameters,
    bool CatchVarargs,
    bool CatchKwargs,
    bool AcceptsCaller,
    string? TemplateName,
    int Line,
    int Column,
    IReadOnlyList<string> Slots,
    bool HasDefaultSlot)
{
    /// <summary>The ordinary (positional-or-keyword) parameters, in order.</summary>
    public IEnumerable<ParameterSignature> Ordinary => Parameters.Where(p => p.Star == 0);

    /// <summary>Whether a missing required argument is an error (defs) or becomes undefined (Jinja2 macros).</summary>
    public bool StrictArguments => Kind != "macro";

    /// <summary><c>def 'card' (components.html:3:4)</c>.</summary>
    public string Describe() => $"{Kind} '{Name}' ({TemplateName ?? "<string>"}:{Line}:{Column})";
}

/// <summary>Reads the signatures of a template's defs and its <c>{% template %}</c> declarations from its tree.</summary>
internal sealed class SignatureReader
{
    private readonly SourceText _source;

    public SignatureReader(SourceText source) => _source = source;

    /// <summary>The signature of <paramref name="m"/> (defined in this source).</summary>
    public DefSignature Read(MacroStmt m)
    {
        var (line, column) = _source.GetPosition(m.Pos);
        var kind = m.IsRegion ? "region" : m.IsDef ? "def" : "macro";
        var parameters = m.Parameters
            .Select(p => new ParameterSignature(p.Name, ParseAnnotation(p.Annotation), NormalizeAnnotation(p.Annotation), p.Default, p.DefaultText, p.Star))
            .ToList();
        var ordinary = parameters.Where(p => p.Star == 0).ToList();
        var varargs = parameters.Any(p => p.Star == 1)
            || (!m.IsDef && Reads(m.Body, "varargs") && ordinary.All(p => p.Name != "varargs"));
        var kwargs = parameters.Any(p => p.Star == 2)
            || (!m.IsDef && Reads(m.Body, "kwargs") && ordinary.All(p => p.Name != "kwargs"));
        var caller = m.IsDef || UsesCaller(m.Body);
        var slots = new List<string>();
        var hasDefault = false;
        foreach (var stmt in m.Body) CollectSlots(stmt, slots, ref hasDefault);
        return new DefSignature(m.Name, kind, parameters, varargs, kwargs, caller, _source.Name, line, column, slots.Distinct().ToArray(), hasDefault);
    }

    /// <summary>Whether the body reads <paramref name="name"/> (not counting nested macros' own bodies).</summary>
    private static bool Reads(IEnumerable<Stmt> body, string name) =>
        body.Any(s => SyntaxChildren.Descendants(s, n => n is MacroStmt).Any(n => n is NameExpr e && e.Name == name));

    /// <summary>Jinja2: a macro that reads <c>caller</c> (or renders a slot) accepts a call block's caller.</summary>
    private static bool UsesCaller(IEnumerable<Stmt> body) =>
        body.Any(s => s is SlotStmt || SyntaxChildren.Descendants(s, n => n is MacroStmt).Any(n => n is SlotStmt || n is NameExpr { Name: "caller" }));

    private static void CollectSlots(Node node, List<string> slots, ref bool hasDefault)
    {
        if (node is MacroStmt or CallBlockStmt) return;
        if (node is SlotStmt { IsYield: false } s)
        {
            if (s.Name is null or "default") hasDefault = true;
            else slots.Add(s.Name);
        }
        foreach (var child in SyntaxChildren.Of(node)) CollectSlots(child, slots, ref hasDefault);
    }

    /// <summary>An annotation as written, parsed; null when there is none or it is not one.</summary>
    internal static TypeAnnotation? ParseAnnotation(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            var tokens = Lexer.Tokenize(new SourceText("{{ " + text + " }}", null), false, false);
            var start = tokens.FindIndex(t => t.Kind == TokenKind.VarBegin) + 1;
            var end = tokens.FindIndex(t => t.Kind == TokenKind.VarEnd);
            return start > 0 && end > start ? TypeAnnotation.Parse(tokens, start, end) : null;
        }
        catch (TemplateException)
        {
            return null;
        }
    }

    private static string? NormalizeAnnotation(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : ParseAnnotation(text)?.ToString() ?? text.Trim();

    /// <summary>The <c>{% template name: Type, … %}</c> declarations of <paramref name="tree"/>, in order.</summary>
    public IReadOnlyList<Declaration> ReadDeclarations(TemplateNode tree)
    {
        var result = new List<Declaration>();
        foreach (var decl in SyntaxChildren.Descendants(tree, n => n is MacroStmt).OfType<TemplateDeclStmt>())
        {
            foreach (var d in decl.Declarations)
            {
                var (line, column) = _source.GetPosition(d.Pos);
                result.Add(new Declaration(d.Name, ParseAnnotation(d.Type), NormalizeAnnotation(d.Type), line, column));
            }
        }
        return result;
    }
}

/// <summary>One variable of a <c>{% template %}</c> declaration.</summary>
internal sealed record Declaration(string Name, TypeAnnotation? Annotation, string? AnnotationText, int Line, int Column);
