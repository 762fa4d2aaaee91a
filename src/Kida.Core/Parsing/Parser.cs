using Kida.Lexing;
using Kida.Syntax;
using Kida.Text;

namespace Kida.Parsing;

/// <summary>Recursive-descent parser: tokens to an immutable <see cref="TemplateNode"/>.</summary>
internal sealed partial class Parser
{
    // nesting of blocks and expressions, each link of a chain counting as one level: bounds every recursion over the tree
    private const int MaxDepth = 256;

    /// <summary>Kida's limit on the filters of one chain (K-PAR-004).</summary>
    private const int MaxFilterChain = 200;

    private readonly SourceText _source;
    private readonly List<Token> _tokens;
    private readonly Stack<(string Tag, int Pos)> _open = new();
    private HashSet<string> _blockNames = new(StringComparer.Ordinal);
    private int _i;
    private int _depth;
    private int _loopDepth;
    private int _macroDepth;

    private Parser(SourceText source, List<Token> tokens)
    {
        _source = source;
        _tokens = tokens;
    }

    public static TemplateNode Parse(SourceText source, List<Token> tokens)
    {
        var parser = new Parser(source, tokens);
        var body = parser.ParseStatements(null, [], out _);
        return new TemplateNode(0, body);
    }

    // ------------------------------------------------------------ token helpers

    private Token Cur => _tokens[_i];
    private Token Peek(int n = 1) => _tokens[Math.Min(_i + n, _tokens.Count - 1)];
    private Token Next() => _tokens[_i < _tokens.Count - 1 ? _i++ : _i];
    private bool At(TokenKind kind) => Cur.Kind == kind;
    private bool AtName(string name) => Cur.IsName(name);

    private bool Skip(TokenKind kind)
    {
        if (!At(kind)) return false;
        _i++;
        return true;
    }

    private bool SkipName(string name)
    {
        if (!AtName(name)) return false;
        _i++;
        return true;
    }

    private Token Expect(TokenKind kind)
    {
        if (At(kind)) return Next();
        throw Error($"Expected {Describe(kind)}, got {Cur}", Cur.Start, kind is TokenKind.BlockEnd or TokenKind.VarEnd ? ErrorCodes.UnexpectedToken : ErrorCodes.InvalidExpression);
    }

    private static string Describe(TokenKind kind) => kind switch
    {
        TokenKind.Name => "a name",
        TokenKind.BlockEnd => "end of statement block ('%}')",
        TokenKind.VarEnd => "end of print statement ('}}')",
        TokenKind.String => "a string",
        _ => $"'{Token.Describe(kind)}'",
    };

    private string ExpectName()
    {
        if (At(TokenKind.Name)) return (string)Next().Value!;
        throw Error($"Expected a name, got {Cur}", Cur.Start, ErrorCodes.InvalidExpression);
    }

    private void ExpectName(string name)
    {
        if (SkipName(name)) return;
        throw Error($"Expected '{name}', got {Cur}", Cur.Start, ErrorCodes.UnexpectedToken);
    }

    internal TemplateSyntaxException Error(string message, int offset, string code = ErrorCodes.UnexpectedToken, string? hint = null)
    {
        if (_open.Count > 0 && code != ErrorCodes.UnclosedBlock)
        {
            var (tag, pos) = _open.Peek();
            var (l, c) = _source.GetPosition(pos);
            message += $" (innermost open block: '{tag}' opened at {l}:{c})";
        }
        return _source.WithPosition(new TemplateSyntaxException(message, code, _source.Name, hint: hint), offset);
    }

    private void EnterDepth()
    {
        if (++_depth > MaxDepth) throw Error("Template nesting is too deep", Cur.Start, ErrorCodes.InvalidExpression);
    }
}
