using Kida.Binding;
using Kida.Lexing;
using Kida.Parsing;
using Kida.Runtime;
using Kida.Text;

namespace Kida.Compilation;

/// <summary>Source to <see cref="CompiledTemplate"/>: lex, parse, emit, compile.</summary>
internal static class TemplateCompiler
{
    /// <summary>Lexes, parses, binds and emits; <paramref name="summary"/> is what <see cref="Template.Info"/> reads.</summary>
    public static CompiledTemplate Compile(KidaEnvironment env, string text, string? name, out TemplateSummary summary)
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
        var bound = Binder.Bind(source, tree);
        var compiled = new CompiledTemplate(name, source, autoescape) { KeepsNoContext = !bound.KeepsContext };
        Emitter.Emit(env, compiled, bound);
        summary = bound.Summary;
        return compiled;
    }
}
