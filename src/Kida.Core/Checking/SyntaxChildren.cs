using Kida.Binding;
using Kida.Syntax;

namespace Kida.Checking;

/// <summary>Tree traversal for the checks, on the binder's <see cref="SyntaxWalker"/>.</summary>
internal static class SyntaxChildren
{
    /// <summary>The children of a statement, an expression or a whole template, in source order.</summary>
    public static IReadOnlyList<Node> Of(Node node) => node is TemplateNode t ? t.Body : SyntaxWalker.Children(node);

    /// <summary>Every node under <paramref name="node"/> (not itself), depth first, not below nodes <paramref name="stop"/> accepts.</summary>
    public static IEnumerable<Node> Descendants(Node node, Func<Node, bool>? stop = null)
    {
        foreach (var child in Of(node))
        {
            yield return child;
            if (stop is not null && stop(child)) continue;
            foreach (var d in Descendants(child, stop)) yield return d;
        }
    }
}
