using Kida.Lexing;
using Kida.Parsing;
using Kida.Text;

namespace Kida.Compilation;

/// <summary>Source to <see cref="CompiledTemplate"/>: lex, parse, emit, compile.</summary>
internal static class TemplateCompiler
{
    public static CompiledTemplate Compile(KidaEnvironment env, string text, string? name)
    {
        var source = new SourceText(text, name);
        var options = env.Options;
        var tokens = Lexer.Tokenize(source, options.TrimBlocks, options.LstripBlocks);
        var tree = Parser.Parse(source, tokens);
        var autoescape = options.AutoescapeSelector?.Invoke(name) ?? options.Autoescape;
        var compiled = new CompiledTemplate(name, source, autoescape);
        Emitter.Emit(env, compiled, tree);
        return compiled;
    }
}
