using Kida.Binding;
using Kida.Lexing;
using Kida.Parsing;
using Kida.Runtime;
using Kida.Text;

namespace Kida.Compilation;

/// <summary>Source to <see cref="CompiledTemplate"/>: lex, parse, bind, emit, compile.</summary>
internal static class TemplateCompiler
{
    /// <summary>Lexes, parses, binds and emits; <paramref name="summary"/> is what <see cref="Template.Info"/> reads.</summary>
    public static CompiledTemplate Compile(KidaEnvironment env, string text, string? name, out TemplateSummary summary)
    {
        var bound = Analyze(env, text, name, out var source);
        var options = env.Options;
        var autoescape = options.AutoescapeSelector?.Invoke(name) ?? options.Autoescape;
        var compiled = new CompiledTemplate(name, source, autoescape) { KeepsNoContext = !bound.KeepsContext };
        Emitter.Emit(env, compiled, bound);
        summary = bound.Summary;
        return compiled;
    }

    /// <summary>
    /// Lexes, parses and binds with the environment's options and limits, without emitting: what tools and
    /// <see cref="KidaEnvironment.Inspect"/> read (unknown filters and tests are not errors here, they are found by the emitter).
    /// </summary>
    public static BoundTemplate Analyze(KidaEnvironment env, string text, string? name, out SourceText source)
    {
        source = new SourceText(text, name);
        var options = env.Options;
        var maxLength = env.Limits.MaxTemplateLength;
        if (text.Length > maxLength)
            throw new TemplateSyntaxException(
                $"The template is {text.Length} characters long: Limits.MaxTemplateLength is {maxLength}", ErrorCodes.TemplateTooLong, name, 1, 1);
        var tokens = Lexer.Tokenize(source, options.TrimBlocks, options.LstripBlocks);
        var tree = Parser.Parse(source, tokens);
        return Binder.Bind(source, tree);
    }
}
