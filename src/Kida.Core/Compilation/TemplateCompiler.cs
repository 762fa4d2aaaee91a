using Kida.Lexing;
using Kida.Parsing;
using Kida.Runtime;
using Kida.Text;

namespace Kida.Compilation;

/// <summary>Source to <see cref="CompiledTemplate"/>: lex, parse, emit, compile.</summary>
internal static class TemplateCompiler
{
    /// <summary>
    /// Whether running the template could leave a reference to its context behind after it returns: a macro, caller,
    /// slot or recursive loop closes over it, <c>self</c> wraps it, and imports, includes and inheritance build contexts
    /// on top of it. A template with none of these can be included with a pooled context.
    /// </summary>
    private static bool MayKeepContext(object node) =>
        node is Syntax.MacroStmt or Syntax.CallBlockStmt or Syntax.SlotStmt or Syntax.ImportStmt or Syntax.FromImportStmt
            or Syntax.IncludeStmt or Syntax.EmbedStmt or Syntax.ExtendsStmt or Syntax.ForStmt { Recursive: true }
            or Syntax.NameExpr { Name: "self" or "caller" or "varargs" or "kwargs" }
        || Syntax.NameWalker.Children(node).Any(MayKeepContext);

    public static CompiledTemplate Compile(KidaEnvironment env, string text, string? name)
    {
        var source = new SourceText(text, name);
        var options = env.Options;
        var maxLength = env.Limits.MaxTemplateLength;
        if (text.Length > maxLength)
            throw new TemplateSyntaxException(
                $"The template is {text.Length} characters long: Limits.MaxTemplateLength is {maxLength}", "K-SEC-011", name, 1, 1);
        var tokens = Lexer.Tokenize(source, options.TrimBlocks, options.LstripBlocks);
        var tree = Parser.Parse(source, tokens);
        var autoescape = options.AutoescapeSelector?.Invoke(name) ?? options.Autoescape;
        var compiled = new CompiledTemplate(name, source, autoescape) { KeepsNoContext = !MayKeepContext(tree) };
        Emitter.Emit(env, compiled, tree);
        return compiled;
    }
}
