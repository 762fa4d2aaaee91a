using System.Globalization;
using System.Text;
using Kida.Common;
using Kida.Text;

namespace Kida.Lexing;

/// <summary>
/// Turns template source into tokens. Data between tags becomes <see cref="TokenKind.Data"/> tokens with
/// whitespace control (<c>-</c>, <c>+</c>, trim_blocks, lstrip_blocks) already applied.
/// </summary>
internal sealed class Lexer
{
    /// <summary>Kida's token limit (kida-spec §2): compiling takes time in proportion to the tokens.</summary>
    private const int MaxTokens = 100_000;
    private readonly SourceText _source;
    private readonly string _text;
    private readonly bool _trimBlocks;
    private readonly bool _lstripBlocks;
    private readonly List<Token> _tokens = new();
    private int _pos;
    private bool _trimNextLeading;
    private bool _trimNextNewline;
    private bool _lineStarting = true;

    private Lexer(SourceText source, bool trimBlocks, bool lstripBlocks)
    {
        _source = source;
        _text = source.Text;
        _trimBlocks = trimBlocks;
        _lstripBlocks = lstripBlocks;
    }

    public static List<Token> Tokenize(SourceText source, bool trimBlocks, bool lstripBlocks)
    {
        var lexer = new Lexer(source, trimBlocks, lstripBlocks);
        lexer.Run();
        return lexer._tokens;
    }

    private TemplateSyntaxException Error(string message, int offset, string code = ErrorCodes.UnclosedTag, string? hint = null) =>
        _source.WithPosition(new TemplateSyntaxException(message, code, _source.Name, hint: hint), offset);

    private void Run()
    {
        while (_pos <= _text.Length)
        {
            var open = FindOpening(_pos);
            var textEnd = open < 0 ? _text.Length : open;
            if (open < 0)
            {
                EmitData(_pos, textEnd, stripBefore: false, lstrip: false);
                break;
            }
            var kind = _text[open + 1];
            var modifier = open + 2 < _text.Length ? _text[open + 2] : '\0';
            var stripBefore = modifier == '-';
            var plus = modifier == '+';
            var lstrip = _lstripBlocks && !plus && (kind == '%' || kind == '#');
            if (kind == '%' && IsRawStart(open, out var rawBodyStart, out var rawOpenMinus))
            {
                EmitData(_pos, open, stripBefore, lstrip);
                LexRaw(open, rawBodyStart, rawOpenMinus);
                continue;
            }
            EmitData(_pos, open, stripBefore, lstrip);
            var inner = open + 2 + ((stripBefore || plus) ? 1 : 0);
            switch (kind)
            {
                case '#': LexComment(open, inner); break;
                case '{': LexTag(open, inner, TokenKind.VarBegin, TokenKind.VarEnd, "}}"); break;
                default: LexTag(open, inner, TokenKind.BlockBegin, TokenKind.BlockEnd, "%}"); break;
            }
        }
        _tokens.Add(new Token(TokenKind.Eof, _text.Length, 0));
    }

    private int FindOpening(int from)
    {
        while (true)
        {
            var i = _text.IndexOf('{', from);
            if (i < 0 || i + 1 >= _text.Length) return -1;
            var c = _text[i + 1];
            if (c is '{' or '%' or '#') return i;
            from = i + 1;
        }
    }

    private void EmitData(int start, int end, bool stripBefore, bool lstrip)
    {
        var s = start;
        var e = end;
        var lineStarting = _lineStarting;
        if (_trimNextLeading)
        {
            while (s < e && char.IsWhiteSpace(_text[s])) s++;
            if (s > start && _text[s - 1] == '\n') lineStarting = true;
        }
        else if (_trimNextNewline)
        {
            if (s < e && _text[s] == '\n') { s++; lineStarting = true; }
            else if (s + 1 < e && _text[s] == '\r' && _text[s + 1] == '\n') { s += 2; lineStarting = true; }
        }
        _trimNextLeading = false;
        _trimNextNewline = false;
        if (stripBefore)
        {
            while (e > s && char.IsWhiteSpace(_text[e - 1])) e--;
        }
        else if (lstrip)
        {
            var lastNl = _text.LastIndexOf('\n', Math.Max(s, e - 1), Math.Max(0, e - s));
            var lineStart = lastNl >= s ? lastNl + 1 : s;
            if ((lastNl >= s || lineStarting) && lineStart < e)
            {
                var allWs = true;
                for (var i = lineStart; i < e; i++)
                    if (_text[i] is not (' ' or '\t' or '\r' or '\f' or '\v')) { allWs = false; break; }
                if (allWs) e = lineStart;
            }
        }
        if (e > s) Add(new Token(TokenKind.Data, s, e - s, _text.Substring(s, e - s)));
    }

    private void Add(Token token)
    {
        if (_tokens.Count >= MaxTokens)
            throw Error($"Token limit exceeded: a template may have at most {MaxTokens} tokens", token.Start, ErrorCodes.TokenLimit);
        _tokens.Add(token);
    }

    private void LexComment(int open, int inner)
    {
        var close = _text.IndexOf("#}", inner, StringComparison.Ordinal);
        if (close < 0) throw Error("Unclosed comment, expected '#}'", open, ErrorCodes.UnclosedComment);
        var minus = close > inner && _text[close - 1] == '-';
        FinishTag(close + 2, minus, plus: close > inner && _text[close - 1] == '+', isBlock: true);
    }

    private void FinishTag(int after, bool minus, bool plus, bool isBlock)
    {
        _pos = after;
        _trimNextLeading = minus;
        _trimNextNewline = !minus && !plus && isBlock && _trimBlocks;
        _lineStarting = false;
        if (minus)
        {
            var i = after;
            while (i < _text.Length && char.IsWhiteSpace(_text[i])) i++;
            _lineStarting = i > after && _text[i - 1] == '\n';
        }
        else if (_trimNextNewline && after < _text.Length && (_text[after] == '\n' || (_text[after] == '\r' && after + 1 < _text.Length && _text[after + 1] == '\n')))
        {
            _lineStarting = true;
        }
    }

    private bool IsRawStart(int open, out int bodyStart, out bool openMinus)
    {
        bodyStart = 0;
        openMinus = false;
        var i = open + 2;
        if (i < _text.Length && (_text[i] == '-' || _text[i] == '+')) i++;
        while (i < _text.Length && char.IsWhiteSpace(_text[i])) i++;
        if (string.CompareOrdinal(_text, i, "raw", 0, 3) != 0) return false;
        i += 3;
        if (i < _text.Length && (char.IsLetterOrDigit(_text[i]) || _text[i] == '_')) return false;
        while (i < _text.Length && char.IsWhiteSpace(_text[i])) i++;
        // Jinja2: only '-' may come before the closing %} of a raw tag ('{% raw +%}' is not a raw tag)
        if (i < _text.Length && _text[i] == '-') { openMinus = true; i++; }
        if (string.CompareOrdinal(_text, i, "%}", 0, 2) != 0) return false;
        bodyStart = i + 2;
        return true;
    }

    private void LexRaw(int open, int bodyStart, bool openMinus)
    {
        // Jinja: trim_blocks does not apply to the opening raw tag (only '-' does); it applies after endraw
        FinishTag(bodyStart, openMinus, plus: false, isBlock: false);
        var search = bodyStart;
        while (true)
        {
            var tag = _text.IndexOf("{%", search, StringComparison.Ordinal);
            if (tag < 0) throw Error("Missing end of raw directive ({% endraw %})", open, ErrorCodes.UnclosedBlock);
            var i = tag + 2;
            var closeMinusBefore = i < _text.Length && _text[i] == '-';
            var closePlus = i < _text.Length && _text[i] == '+';
            if (closeMinusBefore || closePlus) i++;
            while (i < _text.Length && char.IsWhiteSpace(_text[i])) i++;
            if (string.CompareOrdinal(_text, i, "endraw", 0, 6) == 0)
            {
                var j = i + 6;
                while (j < _text.Length && char.IsWhiteSpace(_text[j])) j++;
                var endMinus = false;
                if (j < _text.Length && (_text[j] == '-' || _text[j] == '+')) { endMinus = _text[j] == '-'; j++; }
                if (string.CompareOrdinal(_text, j, "%}", 0, 2) == 0)
                {
                    EmitData(bodyStart, tag, closeMinusBefore, _lstripBlocks && !closePlus);
                    FinishTag(j + 2, endMinus, plus: false, isBlock: true);
                    return;
                }
            }
            search = tag + 2;
        }
    }

    private void LexTag(int open, int inner, TokenKind begin, TokenKind end, string closer)
    {
        Add(new Token(begin, open, inner - open));
        var i = inner;
        var depth = 0;
        var isBlock = begin == TokenKind.BlockBegin;
        while (true)
        {
            while (i < _text.Length && char.IsWhiteSpace(_text[i])) i++;
            if (i >= _text.Length)
                throw Error($"Unexpected end of template, expected '{closer}'", open, isBlock ? ErrorCodes.UnclosedTag : ErrorCodes.UnclosedVariable);
            var c = _text[i];
            if (depth == 0)
            {
                if ((c == '-' || (c == '+' && isBlock)) && string.CompareOrdinal(_text, i + 1, closer, 0, 2) == 0)
                {
                    Add(new Token(end, i, 3));
                    FinishTag(i + 3, c == '-', c == '+', isBlock);
                    return;
                }
                if (string.CompareOrdinal(_text, i, closer, 0, 2) == 0)
                {
                    Add(new Token(end, i, 2));
                    FinishTag(i + 2, minus: false, plus: false, isBlock);
                    return;
                }
            }
            if (char.IsLetter(c) || c == '_')
            {
                var s = i;
                while (i < _text.Length && (char.IsLetterOrDigit(_text[i]) || _text[i] == '_')) i++;
                Add(new Token(TokenKind.Name, s, i - s, string.Intern(_text.Substring(s, i - s))));
                continue;
            }
            if (char.IsAsciiDigit(c))
            {
                i = LexNumber(i);
                continue;
            }
            if (c is '"' or '\'')
            {
                i = LexString(i);
                continue;
            }
            var (kind, len) = MatchOperator(i);
            if (len == 0)
                throw Error($"Unexpected character '{c}'", i, ErrorCodes.UnclosedTag);
            switch (kind)
            {
                case TokenKind.LParen or TokenKind.LBracket or TokenKind.LBrace or TokenKind.OptBracket: depth++; break;
                case TokenKind.RParen or TokenKind.RBracket or TokenKind.RBrace: if (depth > 0) depth--; break;
            }
            Add(new Token(kind, i, len));
            i += len;
        }
    }

    private (TokenKind, int) MatchOperator(int i)
    {
        var c = _text[i];
        var n1 = i + 1 < _text.Length ? _text[i + 1] : '\0';
        var n2 = i + 2 < _text.Length ? _text[i + 2] : '\0';
        switch (c)
        {
            case '+': return (TokenKind.Add, 1);
            case '-': return (TokenKind.Sub, 1);
            case '*': return n1 == '*' ? (TokenKind.Pow, 2) : (TokenKind.Mul, 1);
            case '/': return n1 == '/' ? (TokenKind.FloorDiv, 2) : (TokenKind.Div, 1);
            case '%': return (TokenKind.Mod, 1);
            case '~': return (TokenKind.Tilde, 1);
            case '[': return (TokenKind.LBracket, 1);
            case ']': return (TokenKind.RBracket, 1);
            case '(': return (TokenKind.LParen, 1);
            case ')': return (TokenKind.RParen, 1);
            case '{': return (TokenKind.LBrace, 1);
            case '}': return (TokenKind.RBrace, 1);
            case '=': return n1 == '=' ? (TokenKind.Eq, 2) : (TokenKind.Assign, 1);
            case '!': return n1 == '=' ? (TokenKind.Ne, 2) : (TokenKind.Eof, 0);
            case '>': return n1 == '=' ? (TokenKind.Ge, 2) : (TokenKind.Gt, 1);
            case '<': return n1 == '=' ? (TokenKind.Le, 2) : (TokenKind.Lt, 1);
            case '.':
                if (n1 == '.') return n2 == '.' ? (TokenKind.RangeExclusive, 3) : (TokenKind.Range, 2);
                return (TokenKind.Dot, 1);
            case ':': return (TokenKind.Colon, 1);
            case ',': return (TokenKind.Comma, 1);
            case ';': return (TokenKind.Semicolon, 1);
            case '|': return n1 == '>' ? (TokenKind.PipeForward, 2) : (TokenKind.Pipe, 1);
            case '?':
                if (n1 == '?') return n2 == '=' ? (TokenKind.CoalesceAssign, 3) : (TokenKind.Coalesce, 2);
                if (n1 == '.') return (TokenKind.OptDot, 2);
                if (n1 == '[') return (TokenKind.OptBracket, 2);
                if (n1 == '|') return n2 == '>' ? (TokenKind.OptPipeForward, 3) : (TokenKind.OptPipe, 2);
                return (TokenKind.Eof, 0);
            default: return (TokenKind.Eof, 0);
        }
    }

    private int LexNumber(int i)
    {
        var start = i;
        if (_text[i] == '0' && i + 1 < _text.Length && (_text[i + 1] | 0x20) is 'x' or 'o' or 'b')
        {
            var radix = (_text[i + 1] | 0x20) switch { 'x' => 16, 'o' => 8, _ => 2 };
            i += 2;
            var digitsStart = i;
            CheckDigits(start, i);
            System.Numerics.BigInteger value = 0;
            while (i < _text.Length && (Uri.IsHexDigit(_text[i]) || _text[i] == '_'))
            {
                if (_text[i] != '_')
                {
                    var d = Convert.ToInt32(_text[i].ToString(), 16);
                    if (d >= radix) break;
                    value = value * radix + d;
                }
                i++;
            }
            if (i == digitsStart) throw Error("Invalid number literal", start);
            if (!Integers.FitsDigits(value, MaxIntegerDigits))
                throw Error($"Integer literal exceeds the limit of {MaxIntegerDigits} digits", start, ErrorCodes.IntegerLimit);
            Add(new Token(TokenKind.Integer, start, i - start, Integers.Narrow(value)));
            return i;
        }
        while (i < _text.Length && (char.IsAsciiDigit(_text[i]) || (_text[i] == '_' && i + 1 < _text.Length && char.IsAsciiDigit(_text[i + 1])))) i++;
        var isFloat = false;
        if (i + 1 < _text.Length && _text[i] == '.' && char.IsAsciiDigit(_text[i + 1]))
        {
            isFloat = true;
            i++;
            while (i < _text.Length && (char.IsAsciiDigit(_text[i]) || (_text[i] == '_' && i + 1 < _text.Length && char.IsAsciiDigit(_text[i + 1])))) i++;
        }
        if (i < _text.Length && (_text[i] | 0x20) == 'e')
        {
            var j = i + 1;
            if (j < _text.Length && (_text[j] == '+' || _text[j] == '-')) j++;
            if (j < _text.Length && char.IsAsciiDigit(_text[j]))
            {
                isFloat = true;
                i = j;
                while (i < _text.Length && char.IsAsciiDigit(_text[i])) i++;
            }
        }
        if (!isFloat) CheckDigits(start, start);
        var literal = _text.Substring(start, i - start).Replace("_", "");
        if (isFloat)
        {
            Add(new Token(TokenKind.Float, start, i - start, double.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture)));
        }
        else
        {
            // (object) on both arms: without it the conditional's type is BigInteger (long converts to it implicitly),
            // and every integer literal would reach the runtime as a boxed BigInteger on the slow big-number paths
            object value = long.TryParse(literal, NumberStyles.None, CultureInfo.InvariantCulture, out var l)
                ? (object)l
                : System.Numerics.BigInteger.Parse(literal, CultureInfo.InvariantCulture);
            Add(new Token(TokenKind.Integer, start, i - start, value));
        }
        return i;
    }

    private int LexString(int i)
    {
        var start = i;
        var quote = _text[i++];
        var sb = new StringBuilder();
        while (true)
        {
            if (i >= _text.Length) throw Error("Unterminated string literal", start, ErrorCodes.UnclosedTag);
            var c = _text[i];
            if (c == quote) { i++; break; }
            if (c != '\\') { sb.Append(c); i++; continue; }
            if (i + 1 >= _text.Length) throw Error("Unterminated string literal", start, ErrorCodes.UnclosedTag);
            var e = _text[i + 1];
            i += 2;
            switch (e)
            {
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case 'a': sb.Append('\a'); break;
                case '\n': break;
                case 'x': i = AppendHex(sb, i, 2, start); break;
                case 'u': i = AppendHex(sb, i, 4, start); break;
                case 'U': i = AppendHex(sb, i, 8, start); break;
                case >= '0' and <= '7':
                {
                    var v = e - '0';
                    var n = 1;
                    while (n < 3 && i < _text.Length && _text[i] is >= '0' and <= '7') { v = v * 8 + (_text[i] - '0'); i++; n++; }
                    sb.Append((char)v);
                    break;
                }
                default: sb.Append('\\').Append(e); break;
            }
        }
        Add(new Token(TokenKind.String, start, i - start, sb.ToString()));
        return i;
    }

    /// <summary>
    /// Python refuses integer literals of more than 4,300 digits (<c>sys.int_info.str_digits_check_threshold</c>); so do
    /// we, before building the number (big-number arithmetic on a huge literal is quadratic).
    /// </summary>
    private void CheckDigits(int start, int digitsStart)
    {
        var end = digitsStart;
        while (end < _text.Length && (char.IsAsciiHexDigit(_text[end]) || _text[end] == '_')) end++;
        if (end - digitsStart > MaxIntegerDigits)
            throw Error($"Integer literal exceeds the limit of {MaxIntegerDigits} digits", start, ErrorCodes.IntegerLimit);
    }

    private const int MaxIntegerDigits = 4_300;

    private int AppendHex(StringBuilder sb, int i, int digits, int start)
    {
        if (i + digits > _text.Length || !int.TryParse(_text.AsSpan(i, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var cp))
            throw Error("Invalid escape sequence in string literal", start, ErrorCodes.UnclosedTag);
        if (cp is < 0 or > 0x10FFFF) throw Error("Invalid escape sequence in string literal", start, ErrorCodes.UnclosedTag);
        sb.Append(char.ConvertFromUtf32(cp is >= 0xD800 and <= 0xDFFF ? 0xFFFD : cp));
        return i + digits;
    }
}
