using Kida.Syntax;

namespace Kida.Checking;

/// <summary>A translatable message found in a template: its text, plural form and 1-based line.</summary>
internal sealed record ExtractedMessage(string Id, string? Plural, int Line);

/// <summary>
/// Finds the messages of <c>{% trans %}</c> blocks and of <c>_()</c>/<c>gettext()</c> and <c>_n()</c>/<c>ngettext()</c>
/// calls with literal text, for <c>kida extract</c>.
/// </summary>
internal static class MessageExtractor
{
    public static List<ExtractedMessage> Extract(TemplateAnalysis analysis)
    {
        var result = new List<ExtractedMessage>();
        if (analysis.Tree is { } tree) Walk(tree, analysis, result);
        return result;
    }

    private static void Walk(Node node, TemplateAnalysis analysis, List<ExtractedMessage> into)
    {
        switch (node)
        {
            case TransStmt t:
                into.Add(new ExtractedMessage(t.Singular, t.Plural, analysis.Source.GetPosition(t.Pos).Line));
                break;
            case CallExpr { Callee: NameExpr { Name: "_" or "gettext" } callee, Args.Positional: [ConstExpr { Value: string id }, ..] }:
                into.Add(new ExtractedMessage(id, null, analysis.Source.GetPosition(callee.Pos).Line));
                break;
            case CallExpr { Callee: NameExpr { Name: "_n" or "ngettext" } callee, Args.Positional: [ConstExpr { Value: string one }, ConstExpr { Value: string many }, ..] }:
                into.Add(new ExtractedMessage(one, many, analysis.Source.GetPosition(callee.Pos).Line));
                break;
        }
        foreach (var child in SyntaxChildren.Of(node)) Walk(child, analysis, into);
    }
}
