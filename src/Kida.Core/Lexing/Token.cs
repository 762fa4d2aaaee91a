namespace Kida.Lexing;

internal enum TokenKind : byte
{
    Eof,
    Data,
    VarBegin,
    VarEnd,
    BlockBegin,
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    // operators
    Add, Sub, Mul, Div, FloorDiv, Mod, Pow, Tilde,
    LBracket, RBracket, LParen, RParen, LBrace, RBrace,
    Eq, Ne, Gt, Ge, Lt, Le, Assign, Dot, Colon, Pipe, Comma, Semicolon,
    Coalesce,          // ??
    CoalesceAssign,    // ??=
    OptDot,            // ?.
    OptBracket,        // ?[
    OptPipe,           // ?|
    PipeForward,       // |>
    OptPipeForward,    // ?|>
    Range,             // ..
    RangeExclusive,    // ...
}

/// <summary>A token: kind, where it starts in the source, its length and, for literals and names, its value.</summary>
internal readonly record struct Token(TokenKind Kind, int Start, int Length, object? Value = null)
{
    public string? Text => Value as string;

    public bool IsName(string name) => Kind == TokenKind.Name && (string)Value! == name;

    public override string ToString() => Kind switch
    {
        TokenKind.Name => $"name '{Value}'",
        TokenKind.String => "string literal",
        TokenKind.Integer => "integer",
        TokenKind.Float => "float",
        TokenKind.Eof => "end of template",
        TokenKind.VarEnd => "end of print statement",
        TokenKind.BlockEnd => "end of statement block",
        TokenKind.Data => "template data",
        _ => $"'{Describe(Kind)}'",
    };

    public static string Describe(TokenKind kind) => kind switch
    {
        TokenKind.Add => "+", TokenKind.Sub => "-", TokenKind.Mul => "*", TokenKind.Div => "/",
        TokenKind.FloorDiv => "//", TokenKind.Mod => "%", TokenKind.Pow => "**", TokenKind.Tilde => "~",
        TokenKind.LBracket => "[", TokenKind.RBracket => "]", TokenKind.LParen => "(", TokenKind.RParen => ")",
        TokenKind.LBrace => "{", TokenKind.RBrace => "}", TokenKind.Eq => "==", TokenKind.Ne => "!=",
        TokenKind.Gt => ">", TokenKind.Ge => ">=", TokenKind.Lt => "<", TokenKind.Le => "<=",
        TokenKind.Assign => "=", TokenKind.Dot => ".", TokenKind.Colon => ":", TokenKind.Pipe => "|",
        TokenKind.Comma => ",", TokenKind.Semicolon => ";", TokenKind.Coalesce => "??",
        TokenKind.CoalesceAssign => "??=", TokenKind.OptDot => "?.", TokenKind.OptBracket => "?[",
        TokenKind.OptPipe => "?|", TokenKind.PipeForward => "|>", TokenKind.OptPipeForward => "?|>",
        TokenKind.Range => "..", TokenKind.RangeExclusive => "...",
        TokenKind.VarBegin => "{{", TokenKind.VarEnd => "}}", TokenKind.BlockBegin => "{%", TokenKind.BlockEnd => "%}",
        _ => kind.ToString(),
    };
}
