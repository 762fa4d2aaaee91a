using Kida.Lexing;
using Kida.Syntax;

namespace Kida.Parsing;

internal sealed partial class Parser
{
    /// <summary>expression: coalesce (Kida's <c>??</c>, lowest precedence) over the ternary.</summary>
    private Expr ParseExpression(bool withCondExpr = true)
    {
        EnterDepth();
        try
        {
            var left = withCondExpr ? ParseCondExpr() : ParseOr();
            if (At(TokenKind.Coalesce))
            {
                var pos = Next().Start;
                var right = ParseExpression(withCondExpr);
                return new CoalesceExpr(pos, left, right);
            }
            return left;
        }
        finally
        {
            _depth--;
        }
    }

    private Expr ParseCondExpr()
    {
        var depth = _depth; // each link of a chain nests the tree one level deeper
        var expr = ParseOr();
        while (AtName("if"))
        {
            EnterDepth();
            var pos = Next().Start;
            var test = ParseOr();
            Expr? otherwise = null;
            if (SkipName("else")) otherwise = ParseCondExpr();
            expr = new CondExpr(pos, test, expr, otherwise);
        }
        _depth = depth;
        return expr;
    }

    private Expr ParseOr()
    {
        var depth = _depth; // each link of a chain nests the tree one level deeper
        var left = ParseAnd();
        while (AtName("or"))
        {
            EnterDepth();
            var pos = Next().Start;
            left = new BinaryExpr(pos, BinaryOp.Or, left, ParseAnd());
        }
        _depth = depth;
        return left;
    }

    private Expr ParseAnd()
    {
        var depth = _depth; // each link of a chain nests the tree one level deeper
        var left = ParseNot();
        while (AtName("and"))
        {
            EnterDepth();
            var pos = Next().Start;
            left = new BinaryExpr(pos, BinaryOp.And, left, ParseNot());
        }
        _depth = depth;
        return left;
    }

    private Expr ParseNot()
    {
        if (AtName("not"))
        {
            var pos = Next().Start;
            EnterDepth();
            try { return new UnaryExpr(pos, UnaryOp.Not, ParseNot()); }
            finally { _depth--; }
        }
        return ParseCompare();
    }

    private Expr ParseCompare()
    {
        var pos = Cur.Start;
        var first = ParseMath1();
        List<KeyValuePair<CompareOp, Expr>>? rest = null;
        while (true)
        {
            CompareOp op;
            switch (Cur.Kind)
            {
                case TokenKind.Eq: op = CompareOp.Eq; break;
                case TokenKind.Ne: op = CompareOp.Ne; break;
                case TokenKind.Lt: op = CompareOp.Lt; break;
                case TokenKind.Le: op = CompareOp.Le; break;
                case TokenKind.Gt: op = CompareOp.Gt; break;
                case TokenKind.Ge: op = CompareOp.Ge; break;
                case TokenKind.Name when Cur.IsName("in"): op = CompareOp.In; break;
                case TokenKind.Name when Cur.IsName("not") && Peek().IsName("in"): _i++; op = CompareOp.NotIn; break;
                default:
                    return rest is null ? first : new CompareExpr(pos, first, rest);
            }
            _i++;
            (rest ??= new()).Add(new(op, ParseMath1()));
        }
    }

    private Expr ParseMath1()
    {
        var depth = _depth; // each link of a chain nests the tree one level deeper
        var left = ParseConcat();
        while (At(TokenKind.Add) || At(TokenKind.Sub))
        {
            EnterDepth();
            var tok = Next();
            left = new BinaryExpr(tok.Start, tok.Kind == TokenKind.Add ? BinaryOp.Add : BinaryOp.Sub, left, ParseConcat());
        }
        _depth = depth;
        return left;
    }

    private Expr ParseConcat()
    {
        var depth = _depth; // each link of a chain nests the tree one level deeper
        var left = ParseMath2();
        while (At(TokenKind.Tilde))
        {
            EnterDepth();
            var pos = Next().Start;
            left = new BinaryExpr(pos, BinaryOp.Concat, left, ParseMath2());
        }
        _depth = depth;
        return left;
    }

    private Expr ParseMath2()
    {
        var depth = _depth; // each link of a chain nests the tree one level deeper
        var left = ParsePow();
        while (Cur.Kind is TokenKind.Mul or TokenKind.Div or TokenKind.FloorDiv or TokenKind.Mod)
        {
            EnterDepth();
            var tok = Next();
            var op = tok.Kind switch
            {
                TokenKind.Mul => BinaryOp.Mul,
                TokenKind.Div => BinaryOp.Div,
                TokenKind.FloorDiv => BinaryOp.FloorDiv,
                _ => BinaryOp.Mod,
            };
            left = new BinaryExpr(tok.Start, op, left, ParsePow());
        }
        _depth = depth;
        return left;
    }

    private Expr ParsePow()
    {
        var depth = _depth; // each link of a chain nests the tree one level deeper
        var left = ParseUnary();
        while (At(TokenKind.Pow))
        {
            EnterDepth();
            var pos = Next().Start;
            left = new BinaryExpr(pos, BinaryOp.Pow, left, ParseUnary());
        }
        _depth = depth;
        return left;
    }

    private Expr ParseUnary(bool withFilter = true)
    {
        EnterDepth();
        try
        {
            Expr node;
            var tok = Cur;
            if (tok.Kind == TokenKind.Sub)
            {
                _i++;
                node = new UnaryExpr(tok.Start, UnaryOp.Neg, ParseUnary(false));
            }
            else if (tok.Kind == TokenKind.Add)
            {
                _i++;
                node = new UnaryExpr(tok.Start, UnaryOp.Pos, ParseUnary(false));
            }
            else if (tok.IsName("await") && Peek().Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float
                         or TokenKind.LParen or TokenKind.LBracket or TokenKind.LBrace)
            {
                // Kida's prefix await (same level as unary minus); 'await' alone stays a name
                _i++;
                node = new UnaryExpr(tok.Start, UnaryOp.Await, ParseUnary(false));
            }
            else
            {
                node = ParsePrimary();
            }
            node = ParsePostfix(node);
            if (withFilter) node = ParseFilterExpr(node);
            return node;
        }
        finally
        {
            _depth--;
        }
    }

    private Expr ParsePrimary()
    {
        var tok = Cur;
        switch (tok.Kind)
        {
            case TokenKind.Name:
            {
                _i++;
                var name = (string)tok.Value!;
                switch (name)
                {
                    case "true": case "True": return new ConstExpr(tok.Start, true);
                    case "false": case "False": return new ConstExpr(tok.Start, false);
                    case "none": case "None": return new ConstExpr(tok.Start, null);
                    case "and" or "or" or "not" or "in" or "is" or "if" or "else":
                        throw Error($"Unexpected '{name}'", tok.Start, ErrorCodes.InvalidExpression);
                }
                return new NameExpr(tok.Start, name);
            }
            case TokenKind.String:
            {
                _i++;
                var s = (string)tok.Value!;
                if (At(TokenKind.String))
                {
                    var sb = new System.Text.StringBuilder(s);
                    while (At(TokenKind.String)) sb.Append((string)Next().Value!);
                    s = sb.ToString();
                }
                return new ConstExpr(tok.Start, s);
            }
            case TokenKind.Integer:
            case TokenKind.Float:
                _i++;
                return new ConstExpr(tok.Start, tok.Value);
            case TokenKind.LParen:
                _i++;
                return ParseTuple(explicitParens: true, start: tok.Start);
            case TokenKind.LBracket:
                return ParseList();
            case TokenKind.LBrace:
                return ParseDict();
            case TokenKind.VarEnd:
            case TokenKind.BlockEnd:
            case TokenKind.Eof:
                throw Error($"Expected an expression, got {tok}", tok.Start, ErrorCodes.InvalidExpression);
            default:
                throw Error($"Unexpected {tok}", tok.Start, ErrorCodes.InvalidExpression);
        }
    }

    /// <summary>
    /// An expression or an implicit tuple <c>a, b</c>. With <paramref name="explicitParens"/> the opening '(' has been
    /// read and the closing one is consumed here.
    /// </summary>
    private Expr ParseTuple(bool withCondExpr = true, bool explicitParens = false, string? extraEnd = null, int start = -1)
    {
        var pos = start >= 0 ? start : Cur.Start;
        var items = new List<Expr>();
        var isTuple = false;
        while (true)
        {
            if (items.Count > 0) Expect(TokenKind.Comma);
            if (IsTupleEnd(extraEnd)) break;
            items.Add(ParseExpression(withCondExpr));
            if (At(TokenKind.Comma)) isTuple = true;
            else break;
        }
        if (explicitParens) Expect(TokenKind.RParen);
        if (!isTuple)
        {
            if (items.Count == 1) return items[0];
            if (!explicitParens) throw Error($"Expected an expression, got {Cur}", Cur.Start, ErrorCodes.InvalidExpression);
        }
        return new TupleExpr(pos, items);
    }

    private bool IsTupleEnd(string? extraEnd) =>
        Cur.Kind is TokenKind.VarEnd or TokenKind.BlockEnd or TokenKind.RParen or TokenKind.Eof
        || (extraEnd is not null && AtName(extraEnd));

    private Expr ParseList()
    {
        var pos = Next().Start;
        var items = new List<Expr>();
        while (!At(TokenKind.RBracket))
        {
            if (items.Count > 0) Expect(TokenKind.Comma);
            if (At(TokenKind.RBracket)) break;
            items.Add(ParseExpression());
            if (items.Count == 1 && AtName("for"))
            {
                _i++;
                var target = ParseAssignTarget(extraEnd: "in");
                ExpectName("in");
                var iter = ParseOr();
                Expr? cond = SkipName("if") ? ParseOr() : null;
                if (AtName("for")) throw Error("Nested 'for' clauses are not supported", Cur.Start, ErrorCodes.UnsupportedSyntax);
                Expect(TokenKind.RBracket);
                return new ListCompExpr(pos, items[0], target, iter, cond);
            }
        }
        Expect(TokenKind.RBracket);
        return new ListExpr(pos, items);
    }

    private Expr ParseDict()
    {
        var pos = Next().Start;
        var items = new List<KeyValuePair<Expr, Expr>>();
        while (!At(TokenKind.RBrace))
        {
            if (items.Count > 0) Expect(TokenKind.Comma);
            if (At(TokenKind.RBrace)) break;
            var key = ParseExpression();
            Expect(TokenKind.Colon);
            items.Add(new(key, ParseExpression()));
        }
        Expect(TokenKind.RBrace);
        return new DictExpr(pos, items);
    }

    private Expr ParsePostfix(Expr node)
    {
        var depth = _depth;
        while (true)
        {
            EnterDepth();
            var tok = Cur;
            switch (tok.Kind)
            {
                case TokenKind.Dot:
                case TokenKind.OptDot:
                {
                    _i++;
                    var optional = tok.Kind == TokenKind.OptDot;
                    if (At(TokenKind.Name)) node = new GetAttrExpr(tok.Start, node, ExpectName(), optional);
                    else if (At(TokenKind.Integer)) node = new GetItemExpr(tok.Start, node, new ConstExpr(Cur.Start, Next().Value), optional);
                    else throw Error($"Expected an attribute name after '.', got {Cur}", Cur.Start, ErrorCodes.InvalidExpression);
                    break;
                }
                case TokenKind.LBracket:
                case TokenKind.OptBracket:
                    _i++;
                    node = new GetItemExpr(tok.Start, node, ParseSubscript(), tok.Kind == TokenKind.OptBracket);
                    break;
                case TokenKind.LParen:
                    node = ParseCall(node);
                    break;
                case TokenKind.Range:
                case TokenKind.RangeExclusive:
                {
                    _i++;
                    var end = ParseUnary(false);
                    Expr? step = SkipName("by") ? ParseUnary(false) : null;
                    node = new RangeExpr(tok.Start, node, end, step, tok.Kind == TokenKind.Range);
                    break;
                }
                default:
                    _depth = depth;
                    return node;
            }
        }
    }

    private Expr ParseSubscript()
    {
        var pos = Cur.Start;
        var items = new List<Expr>();
        while (true)
        {
            if (items.Count > 0) Expect(TokenKind.Comma);
            if (At(TokenKind.RBracket)) break;
            items.Add(ParseSubscribed());
            if (!At(TokenKind.Comma)) break;
        }
        Expect(TokenKind.RBracket);
        if (items.Count == 0) throw Error("Expected a subscript", pos, ErrorCodes.InvalidExpression);
        return items.Count == 1 ? items[0] : new TupleExpr(pos, items);
    }

    private Expr ParseSubscribed()
    {
        var pos = Cur.Start;
        Expr? start = null;
        if (!At(TokenKind.Colon))
        {
            start = ParseExpression();
            if (!At(TokenKind.Colon)) return start;
        }
        _i++;
        Expr? stop = null, step = null;
        if (!At(TokenKind.RBracket) && !At(TokenKind.Comma) && !At(TokenKind.Colon)) stop = ParseExpression();
        if (Skip(TokenKind.Colon) && !At(TokenKind.RBracket) && !At(TokenKind.Comma)) step = ParseExpression();
        return new SliceExpr(pos, start, stop, step);
    }

    private Expr ParseCall(Expr callee)
    {
        var pos = Cur.Start;
        return new CallExpr(pos, callee, ParseCallArgs());
    }

    private Arguments ParseCallArgs()
    {
        Expect(TokenKind.LParen);
        var positional = new List<Expr>();
        var named = new List<KeyValuePair<string, Expr>>();
        Expr? dynArgs = null, dynKwargs = null;
        var first = true;
        while (!At(TokenKind.RParen))
        {
            if (!first) Expect(TokenKind.Comma);
            first = false;
            if (At(TokenKind.RParen)) break;
            if (At(TokenKind.Mul))
            {
                if (dynArgs is not null || dynKwargs is not null)
                    throw Error("Invalid syntax for function call expression: *args comes once, before **kwargs", Cur.Start, ErrorCodes.InvalidExpression);
                _i++;
                dynArgs = ParseExpression();
                continue;
            }
            if (At(TokenKind.Pow))
            {
                if (dynKwargs is not null) throw Error("Invalid syntax for function call expression: **kwargs comes once, last", Cur.Start, ErrorCodes.InvalidExpression);
                _i++;
                dynKwargs = ParseExpression();
                continue;
            }
            if (At(TokenKind.Name) && Peek().Kind == TokenKind.Assign)
            {
                if (dynKwargs is not null)
                    throw Error("Invalid syntax for function call expression: a keyword argument follows **kwargs", Cur.Start, ErrorCodes.InvalidExpression);
                var namePos = Cur.Start;
                var key = ExpectName();
                _i++;
                if (named.Any(n => n.Key == key)) throw Error($"Duplicate keyword argument '{key}'", namePos, ErrorCodes.InvalidExpression);
                named.Add(new(key, ParseExpression()));
                continue;
            }
            if (named.Count > 0 || dynArgs is not null || dynKwargs is not null)
                throw Error("Positional argument follows keyword argument", Cur.Start, ErrorCodes.InvalidExpression);
            positional.Add(ParseExpression());
        }
        Expect(TokenKind.RParen);
        return new Arguments(positional, named, dynArgs, dynKwargs);
    }

    private Expr ParseFilterExpr(Expr node)
    {
        var depth = _depth;
        FilterStyle? pipelineStyle = null;
        var filters = 0;
        while (true)
        {
            EnterDepth();
            if (Cur.Kind is TokenKind.Pipe or TokenKind.OptPipe or TokenKind.PipeForward or TokenKind.OptPipeForward && ++filters > MaxFilterChain)
                throw Error($"Filter chain too long: at most {MaxFilterChain} filters in one expression", Cur.Start, ErrorCodes.InvalidFilter);
            var tok = Cur;
            switch (tok.Kind)
            {
                case TokenKind.Pipe:
                case TokenKind.OptPipe:
                    if (pipelineStyle is FilterStyle.Pipeline or FilterStyle.OptionalPipeline)
                        throw Error("Cannot mix '|' and '|>' in one expression", tok.Start, ErrorCodes.InvalidFilter);
                    _i++;
                    pipelineStyle = FilterStyle.Pipe;
                    node = ParseFilterCall(node, tok.Kind == TokenKind.Pipe ? FilterStyle.Pipe : FilterStyle.OptionalPipe);
                    break;
                case TokenKind.PipeForward:
                case TokenKind.OptPipeForward:
                    if (pipelineStyle == FilterStyle.Pipe)
                        throw Error("Cannot mix '|' and '|>' in one expression", tok.Start, ErrorCodes.InvalidFilter);
                    _i++;
                    pipelineStyle = FilterStyle.Pipeline;
                    node = ParseFilterCall(node, tok.Kind == TokenKind.PipeForward ? FilterStyle.Pipeline : FilterStyle.OptionalPipeline);
                    break;
                case TokenKind.Name when tok.IsName("is"):
                    if (node is TestExpr) throw Error("You cannot chain multiple tests with is", tok.Start, ErrorCodes.InvalidTest);
                    _i++;
                    node = ParseTest(node, tok.Start);
                    break;
                case TokenKind.LParen:
                    node = ParseCall(node);
                    break;
                default:
                    _depth = depth;
                    return node;
            }
        }
    }

    private FilterExpr ParseFilterCall(Expr? value, FilterStyle style)
    {
        var pos = Cur.Start;
        var name = ExpectName();
        while (At(TokenKind.Dot) && Peek().Kind == TokenKind.Name)
        {
            _i++;
            name += "." + ExpectName();
        }
        var args = At(TokenKind.LParen) ? ParseCallArgs() : Arguments.Empty;
        return new FilterExpr(pos, value, name, args, style);
    }

    private Expr ParseTest(Expr node, int pos)
    {
        var negated = SkipName("not");
        if (!At(TokenKind.Name)) throw Error($"Expected a test name after 'is', got {Cur}", Cur.Start, ErrorCodes.InvalidTest);
        var name = ExpectName();
        while (At(TokenKind.Dot) && Peek().Kind == TokenKind.Name)
        {
            _i++;
            name += "." + ExpectName();
        }
        Arguments args;
        if (At(TokenKind.LParen))
        {
            args = ParseCallArgs();
        }
        else if (Cur.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float or TokenKind.LBracket or TokenKind.LBrace
                 && !(AtName("else") || AtName("or") || AtName("and") || AtName("if") || AtName("is") || AtName("not") || AtName("in") || AtName("recursive") || AtName("for") || AtName("as") || AtName("by")))
        {
            var arg = ParsePostfix(ParsePrimary());
            args = new Arguments([arg], [], null, null);
        }
        else
        {
            args = Arguments.Empty;
        }
        return new TestExpr(pos, node, name, args, negated);
    }

    /// <summary>An assignment target: a name, <c>ns.attr</c>, or a (possibly parenthesised, nested) tuple of names.</summary>
    private Target ParseAssignTarget(string? extraEnd = null, bool allowAttr = false)
    {
        var pos = Cur.Start;
        var items = new List<Target>();
        var isTuple = false;
        while (true)
        {
            if (items.Count > 0)
            {
                Expect(TokenKind.Comma);
                if (At(TokenKind.BlockEnd) || At(TokenKind.Assign) || (extraEnd is not null && AtName(extraEnd))) break;
            }
            items.Add(ParseSingleTarget(allowAttr));
            if (At(TokenKind.Comma)) isTuple = true;
            else break;
        }
        return isTuple ? new TupleTarget(pos, items) : items[0];
    }

    private Target ParseSingleTarget(bool allowAttr)
    {
        var pos = Cur.Start;
        if (Skip(TokenKind.LParen))
        {
            var items = new List<Target>();
            while (!At(TokenKind.RParen))
            {
                if (items.Count > 0) Expect(TokenKind.Comma);
                if (At(TokenKind.RParen)) break;
                items.Add(ParseSingleTarget(false));
            }
            Expect(TokenKind.RParen);
            return new TupleTarget(pos, items);
        }
        if (!At(TokenKind.Name)) throw Error($"Expected a name to assign to, got {Cur}", Cur.Start, ErrorCodes.InvalidExpression);
        var name = ExpectName();
        if (name is "true" or "false" or "none" or "True" or "False" or "None" or "and" or "or" or "not" or "in" or "is")
            throw Error($"Cannot assign to '{name}'", pos, ErrorCodes.InvalidExpression);
        if (allowAttr && At(TokenKind.Dot) && Peek().Kind == TokenKind.Name)
        {
            _i++;
            return new AttrTarget(pos, name, ExpectName());
        }
        return new NameTarget(pos, name);
    }
}
