using Kida.Runtime;
using Kida.Text;

namespace Kida.Compilation;

/// <summary>The immutable result of compiling one template: its root and block delegates.</summary>
internal sealed class CompiledTemplate
{
    public CompiledTemplate(string? name, SourceText source, bool autoescape)
    {
        Name = name;
        Source = source;
        Autoescape = autoescape;
    }

    public string? Name { get; }
    public SourceText Source { get; }
    public bool Autoescape { get; }
    public Action<RenderState, Context, Output> Root { get; set; } = null!;

    /// <summary>Top-level set-up only (assignments, imports, macros, the parent's set-up): what a block render needs.</summary>
    public Action<RenderState, Context, Output> Setup { get; set; } = null!;
    public Dictionary<string, BlockFunction> Blocks { get; } = new(StringComparer.Ordinal);
    public IReadOnlyList<string> BlockOrder { get; set; } = [];
    public bool HasExtends { get; set; }
}
