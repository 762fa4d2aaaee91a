using Kida.Lexing;
using Kida.Syntax;

namespace Kida.Parsing;

internal sealed partial class Parser
{
    private static readonly HashSet<string> Continuations = new(StringComparer.Ordinal)
        { "elif", "else", "empty", "case", "fallback", "plural" };

    private static readonly Dictionary<string, string> JinjaExtensionHints = new(StringComparer.Ordinal)
    {
        ["endmacro"] = "close a macro with {% endmacro %} or {% end %}",
    };

    /// <summary>
    /// Parses statements until a block tag whose name is in <paramref name="stops"/> (or the generic closers of
    /// <paramref name="opener"/>); the current token is then that tag's name. At top level (<paramref name="opener"/>
    /// null) parses to the end of the template.
    /// </summary>
    private List<Stmt> ParseStatements(string? opener, IReadOnlyCollection<string> stops, out string terminator)
    {
        var body = new List<Stmt>();
        while (true)
        {
            var tok = Cur;
            switch (tok.Kind)
            {
                case TokenKind.Data:
                    body.Add(new TextStmt(tok.Start, (string)tok.Value!));
                    _i++;
                    break;
                case TokenKind.VarBegin:
                {
                    _i++;
                    if (At(TokenKind.VarEnd)) throw Error("Expected an expression, got end of print statement", Cur.Start, ErrorCodes.InvalidExpression);
                    var expr = ParseTuple();
                    Expect(TokenKind.VarEnd);
                    body.Add(new OutputStmt(tok.Start, expr));
                    break;
                }
                case TokenKind.BlockBegin:
                {
                    var nameTok = Peek();
                    if (nameTok.Kind != TokenKind.Name)
                        throw Error($"Expected a tag name after '{{%', got {nameTok}", nameTok.Start);
                    var name = (string)nameTok.Value!;
                    if (opener is not null && (stops.Contains(name) || name == "end" || name == "end" + opener))
                    {
                        _i++;
                        terminator = name;
                        return body;
                    }
                    if (name.StartsWith("end", StringComparison.Ordinal) || Continuations.Contains(name))
                        throw StrayTag(name, nameTok.Start, opener, stops);
                    _i++;
                    var stmt = ParseStatement();
                    if (stmt is not null) body.Add(stmt);
                    break;
                }
                case TokenKind.Eof:
                    if (opener is not null)
                    {
                        // the error points at the unclosed opener (where the fix goes), and names where the template ends
                        var (tag, pos) = _open.Peek();
                        var (l, c) = _source.GetPosition(pos);
                        var (el, ec) = _source.GetPosition(tok.Start);
                        throw Error($"Unexpected end of template at {el}:{ec}: '{tag}' block opened at {l}:{c} was never closed (expected '{{% end{tag} %}}' or '{{% end %}}')",
                            pos, ErrorCodes.UnclosedBlock);
                    }
                    terminator = "";
                    return body;
                default:
                    throw Error($"Unexpected {tok}", tok.Start);
            }
        }
    }

    private TemplateSyntaxException StrayTag(string name, int pos, string? opener, IReadOnlyCollection<string> stops)
    {
        if (opener is null)
            return Error($"Encountered unknown tag '{name}'", pos, ErrorCodes.UnexpectedToken,
                Continuations.Contains(name) ? $"'{name}' is only valid inside its block" : "there is no open block to close");
        var expected = string.Join(", ", stops.Select(s => $"'{s}'").Append($"'end{opener}'").Append("'end'"));
        return Error($"Unexpected tag '{name}': expected one of {expected}", pos, ErrorCodes.UnexpectedToken);
    }

    /// <summary>Parses the body of a block tag whose header has been read up to and including '%}'.</summary>
    private List<Stmt> ParseBody(string tag, int pos, out string terminator, params string[] stops)
    {
        _open.Push((tag, pos));
        try
        {
            return ParseStatements(tag, stops, out terminator);
        }
        finally
        {
            _open.Pop();
        }
    }

    /// <summary>Consumes the closer tag (current token is its name) through '%}'.</summary>
    private void EndTag()
    {
        _i++;
        Expect(TokenKind.BlockEnd);
    }

    private List<Stmt> ParseClosedBody(string tag, int pos)
    {
        var body = ParseBody(tag, pos, out _);
        EndTag();
        return body;
    }

    private Stmt? ParseStatement()
    {
        var tagTok = Next();
        var tag = (string)tagTok.Value!;
        var pos = tagTok.Start;
        EnterDepth();
        try
        {
            switch (tag)
            {
                case "if": return ParseIf(pos, negate: false);
                case "unless": return ParseIf(pos, negate: true);
                case "for": return ParseFor(pos);
                case "async":
                    if (!AtName("for")) throw Error("'async' must be followed by 'for'", Cur.Start, ErrorCodes.UnexpectedToken);
                    _i++;
                    return ParseFor(pos, isAsync: true);
                case "while": return ParseWhile(pos);
                case "set": return ParseSet(pos, SetKind.Set, "set");
                case "let": return ParseSet(pos, SetKind.Let, "let");
                case "export": case "promote": return ParseSet(pos, SetKind.Export, tag);
                case "block": return ParseBlock(pos, fragment: false);
                case "fragment": return ParseBlock(pos, fragment: true);
                case "extends": return ParseExtends(pos);
                case "include": return ParseInclude(pos);
                case "import": return ParseImport(pos);
                case "from": return ParseFromImport(pos);
                case "macro": return ParseMacro(pos, isDef: false, "macro");
                case "def": return ParseMacro(pos, isDef: true, "def");
                case "region": return ParseMacro(pos, isDef: true, "region");
                case "call": return ParseCallBlock(pos);
                case "filter": return ParseFilterBlock(pos);
                case "with": return ParseWith(pos);
                case "do": { var e = ParseTuple(); Expect(TokenKind.BlockEnd); return new DoStmt(pos, e); }
                case "break":
                case "continue":
                    if (_loopDepth == 0) throw Error($"'{tag}' outside loop", pos, ErrorCodes.UnexpectedToken);
                    Expect(TokenKind.BlockEnd);
                    return tag == "break" ? new BreakStmt(pos) : new ContinueStmt(pos);
                case "autoescape": return ParseAutoescape(pos);
                case "match": return ParseMatch(pos);
                case "try": return ParseTry(pos);
                case "capture": return ParseCapture(pos);
                case "spaceless": { Expect(TokenKind.BlockEnd); return new SpacelessStmt(pos, ParseClosedBody(tag, pos)); }
                case "provide": return ParseProvide(pos);
                case "push":
                {
                    var name = Expect(TokenKind.String).Text!;
                    Expect(TokenKind.BlockEnd);
                    return new PushStmt(pos, name, ParseClosedBody(tag, pos));
                }
                case "stack": { var name = Expect(TokenKind.String).Text!; Expect(TokenKind.BlockEnd); return new StackStmt(pos, name); }
                case "cache": return ParseCache(pos);
                case "embed": return ParseEmbed(pos);
                case "trans": return ParseTrans(pos);
                case "flush": Expect(TokenKind.BlockEnd); return new FlushStmt(pos);
                case "slot": return ParseSlot(pos, isYield: false);
                case "yield": return ParseSlot(pos, isYield: true);
                case "globals":
                case "imports":
                    Expect(TokenKind.BlockEnd);
                    return new ScopeStmt(pos, ParseClosedBody(tag, pos));
                case "template": return ParseTemplateDeclaration(pos);
                case "print": { var e = ParseTuple(); Expect(TokenKind.BlockEnd); return new OutputStmt(pos, e); }
                default:
                    throw Error($"Encountered unknown tag '{tag}'", pos, ErrorCodes.UnexpectedToken,
                        JinjaExtensionHints.TryGetValue(tag, out var hint) ? hint : null);
            }
        }
        finally
        {
            _depth--;
        }
    }

    private Stmt ParseIf(int pos, bool negate)
    {
        var branches = new List<IfBranch>();
        List<Stmt>? elseBody = null;
        var tag = negate ? "unless" : "if";
        var cond = ParseTuple(withCondExpr: false);
        if (negate) cond = new UnaryExpr(cond.Pos, UnaryOp.Not, cond);
        Expect(TokenKind.BlockEnd);
        while (true)
        {
            var body = ParseBody(tag, pos, out var term, negate ? ["else"] : ["elif", "else"]);
            branches.Add(new IfBranch(cond, body));
            if (term == "elif")
            {
                _i++;
                cond = ParseTuple(withCondExpr: false);
                Expect(TokenKind.BlockEnd);
                continue;
            }
            if (term == "else")
            {
                _i++;
                Expect(TokenKind.BlockEnd);
                elseBody = ParseBody(tag, pos, out _);
            }
            EndTag();
            break;
        }
        return new IfStmt(pos, branches, elseBody);
    }

    private Stmt ParseFor(int pos, bool isAsync = false)
    {
        var target = ParseAssignTarget(extraEnd: "in");
        if (TargetNamed(target, "loop") is { } loopTarget)
            throw Error("Can't assign to special loop variable in for-loop target", loopTarget.Pos, ErrorCodes.UnexpectedToken);
        ExpectName("in");
        var iter = ParseTuple(withCondExpr: false, extraEnd: "recursive");
        Expr? filter = null;
        if (SkipName("if")) filter = ParseExpression();
        var recursive = SkipName("recursive");
        if (recursive && isAsync) throw Error("An async for loop cannot be recursive", pos, ErrorCodes.UnexpectedToken);
        Expect(TokenKind.BlockEnd);
        _loopDepth++;
        List<Stmt> body;
        string term;
        try
        {
            body = ParseBody("for", pos, out term, "else", "empty");
        }
        finally
        {
            _loopDepth--;
        }
        List<Stmt>? elseBody = null;
        if (term is "else" or "empty")
        {
            _i++;
            Expect(TokenKind.BlockEnd);
            elseBody = ParseBody("for", pos, out _);
        }
        EndTag();
        return new ForStmt(pos, target, iter, filter, body, elseBody, recursive, isAsync);
    }

    private Stmt ParseWhile(int pos)
    {
        var cond = ParseExpression();
        Expect(TokenKind.BlockEnd);
        _loopDepth++;
        try
        {
            return new WhileStmt(pos, cond, ParseClosedBody("while", pos));
        }
        finally
        {
            _loopDepth--;
        }
    }

    private Stmt ParseSet(int pos, SetKind kind, string tag)
    {
        var statements = new List<Stmt>();
        while (true)
        {
            var targetPos = Cur.Start;
            var target = ParseAssignTarget(allowAttr: true);
            if (statements.Count == 0 && (At(TokenKind.BlockEnd) || At(TokenKind.Pipe)))
            {
                // block form: {% set x %}...{% endset %}
                var filters = new List<FilterExpr>();
                while (Skip(TokenKind.Pipe)) filters.Add(ParseFilterCall(null, FilterStyle.Pipe));
                Expect(TokenKind.BlockEnd);
                var body = ParseClosedBody(tag, pos);
                return new SetBlockStmt(pos, target, body, filters, kind, AsMarkup: true);
            }
            var onlyIfMissing = false;
            if (Skip(TokenKind.CoalesceAssign)) onlyIfMissing = true;
            else Expect(TokenKind.Assign);
            var value = ParseSetValue();
            statements.Add(new SetStmt(targetPos, target, value, kind, onlyIfMissing));
            if (Skip(TokenKind.Comma)) continue;
            break;
        }
        Expect(TokenKind.BlockEnd);
        return statements.Count == 1 ? statements[0] : new ScopeStmt(pos, statements) { };
    }

    /// <summary>A set value: an expression or implicit tuple, stopping at ", name =" (Kida multi-assignment).</summary>
    private Expr ParseSetValue()
    {
        var pos = Cur.Start;
        var first = ParseExpression();
        if (!At(TokenKind.Comma) || StartsNextAssignment()) return first;
        var items = new List<Expr> { first };
        while (At(TokenKind.Comma) && !StartsNextAssignment())
        {
            _i++;
            if (At(TokenKind.BlockEnd)) break;
            items.Add(ParseExpression());
        }
        return new TupleExpr(pos, items);
    }

    private bool StartsNextAssignment()
    {
        if (!At(TokenKind.Comma)) return false;
        var j = 1;
        // , name =   or , name ??=   or , a, b = (unpacking) is not supported for multi-assignment
        if (Peek(j).Kind != TokenKind.Name) return false;
        var after = Peek(j + 1).Kind;
        return after is TokenKind.Assign or TokenKind.CoalesceAssign;
    }

    private Stmt ParseBlock(int pos, bool fragment)
    {
        var namePos = Cur.Start;
        var name = ExpectName();
        if (At(TokenKind.Sub)) throw Error($"Invalid block name: '{name}-…' contains a hyphen", Cur.Start, ErrorCodes.InvalidIdentifier);
        // Jinja2's [scoped] [required], in that order; Kida's name=literal modifiers; then an optional condition
        var scoped = !IsModifier() && SkipName("scoped");
        var required = !IsModifier() && SkipName("required");
        Expr? condition = null;
        var modifiers = new List<BlockModifier>();
        while (IsModifier())
        {
            var modifierPos = Cur.Start;
            var modifier = ExpectName();
            if (modifiers.Any(m => m.Name == modifier)) throw Error($"Block modifier '{modifier}' is given twice", modifierPos, ErrorCodes.UnsupportedSyntax);
            _i++;
            modifiers.Add(new BlockModifier(modifier, ParseModifierLiteral(modifier), modifierPos));
        }
        if (SkipName("if")) condition = ParseExpression();
        if (!At(TokenKind.BlockEnd))
            throw Error($"Expected end of statement block, got {Cur} (a block takes [scoped] [required], name=literal modifiers, then 'if condition')",
                Cur.Start, At(TokenKind.Name) ? ErrorCodes.UnsupportedSyntax : ErrorCodes.UnexpectedToken);
        Expect(TokenKind.BlockEnd);
        if (!_blockNames.Add(name))
            throw Error($"Block '{name}' defined twice", namePos, ErrorCodes.UnexpectedToken);
        var body = ParseBody(fragment ? "fragment" : "block", pos, out _);
        _i++;
        if (At(TokenKind.Name))
        {
            var endName = ExpectName();
            if (endName != name) throw Error($"Block '{name}' closed with 'endblock {endName}'", Cur.Start);
        }
        Expect(TokenKind.BlockEnd);
        if (required && body.Any(s => s is not TextStmt t || !string.IsNullOrWhiteSpace(t.Text)))
            throw Error($"Required block '{name}' may only contain whitespace", pos);
        return new BlockStmt(pos, name, body, scoped, required, condition, fragment) { Modifiers = modifiers };
    }

    private Stmt ParseExtends(int pos)
    {
        var e = ParseExpression();
        Expect(TokenKind.BlockEnd);
        // {% extends none %}: the template extends nothing (it renders on its own); ASP.NET Core's views take it as
        // "no default layout either"
        if (e is ConstExpr { Value: null }) return new DoStmt(pos, e);
        return new ExtendsStmt(pos, e);
    }

    private bool? ParseContextModifier()
    {
        if ((AtName("with") || AtName("without")) && Peek().IsName("context"))
        {
            var with = Cur.IsName("with");
            _i += 2;
            return with;
        }
        return null;
    }

    private Stmt ParseInclude(int pos)
    {
        var e = ParseExpression();
        var ignoreMissing = false;
        bool withContext = true;
        while (!At(TokenKind.BlockEnd))
        {
            if (AtName("ignore") && Peek().IsName("missing")) { _i += 2; ignoreMissing = true; continue; }
            var ctx = ParseContextModifier();
            if (ctx is not null) { withContext = ctx.Value; continue; }
            throw Error($"Expected 'ignore missing' or 'with context', got {Cur}", Cur.Start);
        }
        Expect(TokenKind.BlockEnd);
        return new IncludeStmt(pos, e, ignoreMissing, withContext);
    }

    private Stmt ParseImport(int pos)
    {
        var e = ParseExpression();
        ExpectName("as");
        var alias = ExpectName();
        var ctx = ParseContextModifier() ?? false;
        Expect(TokenKind.BlockEnd);
        return new ImportStmt(pos, e, alias, ctx);
    }

    /// <summary>At a block modifier: <c>name=</c>.</summary>
    private bool IsModifier() => At(TokenKind.Name) && Peek().Kind == TokenKind.Assign;

    /// <summary>A block modifier's value: a string, a number (optionally negative), true/false/none.</summary>
    private object? ParseModifierLiteral(string modifier)
    {
        var tok = Cur;
        var negative = tok.Kind == TokenKind.Sub && Peek().Kind is TokenKind.Integer or TokenKind.Float;
        if (negative)
        {
            _i += 2;
            return Peek(-1).Value switch
            {
                double d => -d,
                var number => ModifierInteger(-ToBig(number)),
            };
        }
        if (tok.Kind is TokenKind.String or TokenKind.Integer or TokenKind.Float
            || (tok.Kind == TokenKind.Name && tok.Value is "true" or "false" or "none" or "True" or "False" or "None"))
        {
            _i++;
            if (tok.Kind == TokenKind.Name) return tok.Value is "true" or "True" ? true : tok.Value is "false" or "False" ? false : null;
            if (tok.Kind == TokenKind.Integer) return ModifierInteger(ToBig(tok.Value));
            if (tok.Kind != TokenKind.String) return tok.Value;
            var text = tok.Text!;
            while (At(TokenKind.String)) text += Next().Text;
            return text;
        }
        throw Error($"The value of block modifier '{modifier}' must be a literal (a string, a number, true, false or none), got {tok}", tok.Start, ErrorCodes.UnsupportedSyntax);
    }

    private static System.Numerics.BigInteger ToBig(object? integer) =>
        integer is long l ? l : integer is System.Numerics.BigInteger b ? b : System.Numerics.BigInteger.Zero;

    /// <summary>A modifier's integer value: a <see cref="long"/> when it fits.</summary>
    private static object ModifierInteger(System.Numerics.BigInteger value) =>
        value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;

    private Stmt ParseFromImport(int pos)
    {
        var e = ParseExpression();
        ExpectName("import");
        var names = new List<KeyValuePair<string, string>>();
        bool withContext = false;
        while (true)
        {
            if (names.Count > 0 && !Skip(TokenKind.Comma)) break;
            var ctx = ParseContextModifier();
            if (ctx is not null) { withContext = ctx.Value; break; }
            if (!At(TokenKind.Name))
            {
                if (names.Count > 0) throw Error($"Expected a name to import after ',', got {Cur}", Cur.Start, ErrorCodes.UnexpectedToken);
                break;
            }
            var namePos = Cur.Start;
            var name = ExpectName();
            if (name.StartsWith('_')) throw Error("Names starting with an underscore cannot be imported", namePos);
            var alias = SkipName("as") ? ExpectName() : name;
            names.Add(new(name, alias));
            var after = ParseContextModifier();
            if (after is not null) { withContext = after.Value; break; }
        }
        if (names.Count == 0) throw Error("Expected at least one name to import", Cur.Start);
        Expect(TokenKind.BlockEnd);
        return new FromImportStmt(pos, e, names, withContext);
    }

    private List<Parameter> ParseParameters(bool allowAnnotations)
    {
        var parameters = new List<Parameter>();
        Expect(TokenKind.LParen);
        while (!At(TokenKind.RParen))
        {
            if (parameters.Count > 0) Expect(TokenKind.Comma);
            if (At(TokenKind.RParen)) break;
            if (allowAnnotations && (At(TokenKind.Mul) || At(TokenKind.Pow)))
            {
                // Kida defs: *rest then **opts, which must come last
                var star = At(TokenKind.Mul) ? 1 : 2;
                var starPos = Cur.Start;
                _i++;
                var starName = ExpectName();
                var starAnnotation = Skip(TokenKind.Colon) ? ParseTypeAnnotation() : null;
                if (parameters.Any(p => p.Star == 2) || (star == 1 && parameters.Any(p => p.Star == 1)))
                    throw Error($"'{(star == 1 ? "*" : "**")}{starName}' is not allowed here: *args comes once, before **kwargs, which must be last", starPos);
                if (parameters.Any(p => p.Name == starName)) throw Error($"Duplicate parameter '{starName}'", starPos);
                parameters.Add(new Parameter(starName, null) { Star = star, Annotation = starAnnotation });
                continue;
            }
            if (parameters.Any(p => p.Star != 0))
                throw Error("Parameters cannot follow *args or **kwargs", Cur.Start);
            var name = ExpectName();
            var annotation = allowAnnotations && Skip(TokenKind.Colon) ? ParseTypeAnnotation() : null;
            Expr? def = null;
            string? defText = null;
            if (Skip(TokenKind.Assign))
            {
                var from = _i;
                def = ParseExpression();
                defText = SourceBetween(from, _i);
            }
            else if (parameters.Count > 0 && parameters[^1].Default is not null)
                throw Error($"Parameter '{name}' without a default follows a parameter with one", Cur.Start);
            if (parameters.Any(p => p.Name == name)) throw Error($"Duplicate parameter '{name}'", Cur.Start);
            parameters.Add(new Parameter(name, def) { Annotation = annotation, DefaultText = defText });
        }
        Expect(TokenKind.RParen);
        return parameters;
    }

    /// <summary>A type annotation (see <see cref="SkipTypeAnnotation"/>), returned as written; null when there is none.</summary>
    private string? ParseTypeAnnotation()
    {
        var from = _i;
        SkipTypeAnnotation();
        return _i > from ? SourceBetween(from, _i) : null;
    }

    /// <summary>The source text of the tokens [<paramref name="from"/>, <paramref name="to"/>).</summary>
    private string SourceBetween(int from, int to)
    {
        if (to <= from) return "";
        var start = _tokens[from].Start;
        var last = _tokens[to - 1];
        return _source.Text.Substring(start, last.Start + last.Length - start);
    }

    private void SkipTypeAnnotation()
    {
        // type annotations are documentation: name, dotted names, generics [..], unions with |, None
        var depth = 0;
        while (true)
        {
            if (At(TokenKind.Name) || At(TokenKind.Dot) || At(TokenKind.Pipe)) { _i++; continue; }
            if (At(TokenKind.LBracket)) { depth++; _i++; continue; }
            if (depth > 0 && (At(TokenKind.RBracket) || At(TokenKind.Comma)))
            {
                if (At(TokenKind.RBracket)) depth--;
                _i++;
                continue;
            }
            break;
        }
    }

    /// <summary>Tags a def or region may not be declared in (kida-spec 3.0, K-TPL-004).</summary>
    private static readonly HashSet<string> NoDefInside = new(StringComparer.Ordinal)
        { "if", "unless", "for", "while", "with", "provide", "try", "match", "cache", "capture", "push", "spaceless", "filter" };

    /// <summary>The name target called <paramref name="name"/> in <paramref name="target"/> (a name or nested tuple), if any.</summary>
    private static Target? TargetNamed(Target target, string name) => target switch
    {
        NameTarget n when n.Name == name => n,
        TupleTarget t => t.Items.Select(i => TargetNamed(i, name)).FirstOrDefault(i => i is not null),
        _ => null,
    };

    private Stmt ParseMacro(int pos, bool isDef, string tag)
    {
        if (isDef && _open.Count > 0 && NoDefInside.Contains(_open.Peek().Tag))
            throw Error($"{{% {tag} %}} must be declared at the top level of the template (or inside a block, call, slot, embed, def or region), not inside {{% {_open.Peek().Tag} %}}",
                pos, ErrorCodes.NotTopLevel);
        var name = ExpectName();
        var parameters = At(TokenKind.LParen) ? ParseParameters(isDef) : [];
        if (isDef && Skip(TokenKind.Sub)) { Expect(TokenKind.Gt); SkipTypeAnnotation(); }
        Expect(TokenKind.BlockEnd);
        _macroDepth++;
        var savedLoop = _loopDepth;
        _loopDepth = 0;
        try
        {
            var body = ParseBody(tag, pos, out _);
            _i++;
            // Jinja2 allows nothing after endmacro (unlike endblock)
            Expect(TokenKind.BlockEnd);
            return new MacroStmt(pos, name, parameters, body, isDef) { IsRegion = tag == "region" };
        }
        finally
        {
            _macroDepth--;
            _loopDepth = savedLoop;
        }
    }

    private Stmt ParseCallBlock(int pos)
    {
        var callerParams = At(TokenKind.LParen) ? ParseParameters(false) : [];
        var callPos = Cur.Start;
        var expr = ParseExpression();
        if (expr is not CallExpr call) throw Error("Expected a call expression after 'call'", callPos, ErrorCodes.InvalidExpression);
        Expect(TokenKind.BlockEnd);
        var savedLoop = _loopDepth;
        _loopDepth = 0;
        _macroDepth++;
        List<Stmt> body;
        try
        {
            body = ParseClosedBody("call", pos);
        }
        finally
        {
            _macroDepth--;
            _loopDepth = savedLoop;
        }
        var slots = new Dictionary<string, IReadOnlyList<Stmt>>(StringComparer.Ordinal);
        var defaultBody = new List<Stmt>();
        foreach (var stmt in body)
        {
            if (stmt is SlotStmt { Name: not null and not "default", IsYield: false, DefaultBody: not null } slot && !slot.Bindings.Any())
            {
                if (slots.TryGetValue(slot.Name, out var existing)) slots[slot.Name] = existing.Concat(slot.DefaultBody).ToList();
                else slots[slot.Name] = slot.DefaultBody;
            }
            else if (stmt is SlotStmt { IsYield: false, DefaultBody: not null, Bindings.Count: 0 } unnamed && (unnamed.Name is null or "default"))
                defaultBody.AddRange(unnamed.DefaultBody);
            else if (stmt is SlotStmt { IsYield: false, DefaultBody: not null, Name: not null } scoped)
                slots[scoped.Name] = scoped.DefaultBody;
            else defaultBody.Add(stmt);
        }
        return new CallBlockStmt(pos, call, callerParams, defaultBody, slots);
    }

    private Stmt ParseSlot(int pos, bool isYield)
    {
        string? name = null;
        if (At(TokenKind.Name) && !Cur.IsName("let") ) name = ExpectName();
        var bindings = new List<KeyValuePair<string, Expr>>();
        while (AtName("let") && Peek().Kind == TokenKind.Colon)
        {
            _i += 2;
            var bindPos = Cur.Start;
            var bind = ExpectName();
            Expr value = Skip(TokenKind.Assign) ? ParseExpression() : new NameExpr(bindPos, bind);
            bindings.Add(new(bind, value));
            Skip(TokenKind.Comma);
        }
        Expect(TokenKind.BlockEnd);
        var inCallBody = _open.Count > 0 && _open.Peek().Tag == "call";
        if (isYield) return new SlotStmt(pos, name, bindings, null, true);
        if (inCallBody || bindings.Count > 0)
        {
            var body = ParseClosedBody("slot", pos);
            return new SlotStmt(pos, name, bindings, body, false);
        }
        return new SlotStmt(pos, name, bindings, null, false);
    }

    private Stmt ParseFilterBlock(int pos)
    {
        var filters = new List<FilterExpr> { ParseFilterCall(null, FilterStyle.Pipe) };
        while (Skip(TokenKind.Pipe)) filters.Add(ParseFilterCall(null, FilterStyle.Pipe));
        Expect(TokenKind.BlockEnd);
        return new FilterBlockStmt(pos, filters, ParseClosedBody("filter", pos));
    }

    private Stmt ParseWith(int pos)
    {
        if (At(TokenKind.BlockEnd) || (At(TokenKind.Name) && Peek().Kind == TokenKind.Assign) || (At(TokenKind.LParen) && LooksLikeAssignTarget()))
        {
            var assignments = new List<KeyValuePair<Target, Expr>>();
            while (!At(TokenKind.BlockEnd))
            {
                if (assignments.Count > 0) Expect(TokenKind.Comma);
                var target = ParseAssignTarget();
                Expect(TokenKind.Assign);
                assignments.Add(new(target, ParseExpression()));
            }
            Expect(TokenKind.BlockEnd);
            return new WithStmt(pos, assignments, ParseClosedBody("with", pos));
        }
        var subject = ParseTuple(withCondExpr: false, extraEnd: "as");
        Target target2 = SkipName("as") ? ParseAssignTarget() : new NameTarget(pos, "it");
        Expect(TokenKind.BlockEnd);
        var body = ParseBody("with", pos, out var term, "else", "empty");
        List<Stmt>? elseBody = null;
        if (term is "else" or "empty")
        {
            _i++;
            Expect(TokenKind.BlockEnd);
            elseBody = ParseBody("with", pos, out _);
        }
        EndTag();
        return new WithIfStmt(pos, subject, target2, subject is TupleExpr, body, elseBody);
    }

    private bool LooksLikeAssignTarget()
    {
        var j = _i;
        var depth = 0;
        while (j < _tokens.Count)
        {
            var k = _tokens[j].Kind;
            if (k == TokenKind.LParen) depth++;
            else if (k == TokenKind.RParen) { depth--; if (depth == 0) return _tokens[j + 1].Kind == TokenKind.Assign; }
            else if (k is not (TokenKind.Name or TokenKind.Comma)) return false;
            j++;
        }
        return false;
    }

    private Stmt ParseAutoescape(int pos)
    {
        var e = ParseExpression();
        Expect(TokenKind.BlockEnd);
        return new AutoescapeStmt(pos, e, ParseClosedBody("autoescape", pos));
    }

    private Stmt ParseMatch(int pos)
    {
        Expr? subject = null;
        if (!At(TokenKind.BlockEnd)) subject = ParseTuple(withCondExpr: false);
        Expect(TokenKind.BlockEnd);
        var cases = new List<MatchCase>();
        var preamble = ParseBody("match", pos, out var term, "case");
        if (preamble.Any(s => s is not TextStmt t || !string.IsNullOrWhiteSpace(t.Text)))
            throw Error("Only whitespace may appear between {% match %} and the first {% case %}", pos);
        while (term == "case")
        {
            var casePos = Cur.Start;
            _i++;
            var pattern = ParseTuple(withCondExpr: false);
            Expr? guard = SkipName("if") ? ParseExpression() : null;
            Expect(TokenKind.BlockEnd);
            if (subject is null && !(pattern is NameExpr { Name: "_" }))
                throw Error("Valueless {% match %} only allows wildcard (_) patterns", casePos);
            var body = ParseBody("match", pos, out term, "case");
            cases.Add(new MatchCase(pattern is NameExpr { Name: "_" } ? null : pattern, guard, body));
        }
        if (cases.Count == 0) throw Error("{% match %} needs at least one {% case %}", pos);
        EndTag();
        return new MatchStmt(pos, subject, cases);
    }

    private Stmt ParseTry(int pos)
    {
        Expect(TokenKind.BlockEnd);
        var body = ParseBody("try", pos, out var term, "fallback");
        if (term != "fallback") throw Error("{% try %} requires a {% fallback %} section", Cur.Start);
        _i++;
        string? name = At(TokenKind.Name) ? ExpectName() : null;
        Expect(TokenKind.BlockEnd);
        var fallback = ParseClosedBody("try", pos);
        return new TryStmt(pos, body, name, fallback);
    }

    private Stmt ParseCapture(int pos)
    {
        var target = new NameTarget(Cur.Start, ExpectName());
        var filters = new List<FilterExpr>();
        while (Skip(TokenKind.Pipe)) filters.Add(ParseFilterCall(null, FilterStyle.Pipe));
        Expect(TokenKind.BlockEnd);
        var body = ParseClosedBody("capture", pos);
        return new SetBlockStmt(pos, target, body, filters, SetKind.Let, AsMarkup: false);
    }

    private Stmt ParseProvide(int pos)
    {
        var key = ExpectName();
        Expect(TokenKind.Assign);
        var value = ParseExpression();
        Expect(TokenKind.BlockEnd);
        return new ProvideStmt(pos, key, value, ParseClosedBody("provide", pos));
    }

    private Stmt ParseCache(int pos)
    {
        var key = ParseExpression();
        Expr? ttl = null;
        var depends = new List<Expr>();
        while (Skip(TokenKind.Comma))
        {
            var optPos = Cur.Start;
            var opt = ExpectName();
            Expect(TokenKind.Assign);
            var value = ParseExpression();
            if (opt == "ttl") ttl = value;
            else if (opt == "depends") depends.Add(value);
            else throw Error($"Unknown cache option '{opt}' (expected ttl= or depends=)", optPos);
        }
        Expect(TokenKind.BlockEnd);
        return new CacheStmt(pos, key, ttl, ParseClosedBody("cache", pos)) { Depends = depends };
    }

    private Stmt ParseEmbed(int pos)
    {
        var template = ParseExpression();
        var withContext = ParseContextModifier() ?? true;
        Expect(TokenKind.BlockEnd);
        // the overrides are blocks of the embedded template, not of this one: their names are checked apart
        var savedNames = _blockNames;
        _blockNames = new HashSet<string>(StringComparer.Ordinal);
        List<Stmt> body;
        try
        {
            body = ParseClosedBody("embed", pos);
        }
        finally
        {
            _blockNames = savedNames;
        }
        var blocks = new List<BlockStmt>();
        foreach (var stmt in body)
        {
            if (stmt is BlockStmt b) blocks.Add(b);
            else if (stmt is not TextStmt) throw Error("Expected 'block' or 'end' in embed", stmt.Pos);
        }
        return new EmbedStmt(pos, template, withContext, blocks);
    }

    private Stmt ParseTrans(int pos)
    {
        var variables = new List<KeyValuePair<string, Expr>>();
        while (!At(TokenKind.BlockEnd))
        {
            if (variables.Count > 0) Skip(TokenKind.Comma);
            if (SkipName("trimmed") || SkipName("notrimmed")) continue;
            var namePos = Cur.Start;
            var name = ExpectName();
            if (variables.Any(v => v.Key == name)) throw Error($"Translatable variable '{name}' defined twice", namePos);
            Expr value = Skip(TokenKind.Assign) ? ParseExpression() : new NameExpr(namePos, name);
            variables.Add(new(name, value));
        }
        Expect(TokenKind.BlockEnd);
        var singular = new System.Text.StringBuilder();
        System.Text.StringBuilder? plural = null;
        string? countName = null;
        var current = singular;
        var escapePercent = variables.Count > 0;
        while (true)
        {
            var tok = Cur;
            switch (tok.Kind)
            {
                case TokenKind.Data:
                    var text = (string)tok.Value!;
                    current.Append(escapePercent ? text.Replace("%", "%%", StringComparison.Ordinal) : text);
                    _i++;
                    continue;
                case TokenKind.VarBegin:
                {
                    _i++;
                    var namePos = Cur.Start;
                    if (!At(TokenKind.Name) || Peek().Kind != TokenKind.VarEnd)
                        throw Error("{% trans %} blocks may only contain simple placeholders such as {{ name }}: no filters, attributes or expressions", namePos);
                    var name = ExpectName();
                    Expect(TokenKind.VarEnd);
                    if (variables.All(v => v.Key != name))
                        throw Error($"Placeholder '{{{{ {name} }}}}' in {{% trans %}} is not declared in the tag (write {{% trans {name}={name} %}})", namePos);
                    current.Append("%(").Append(name).Append(")s");
                    continue;
                }
                case TokenKind.BlockBegin:
                {
                    var nameTok = Peek();
                    var tag = nameTok.Kind == TokenKind.Name ? (string)nameTok.Value! : "";
                    if (tag == "plural" && plural is null)
                    {
                        _i += 2;
                        if (At(TokenKind.Name)) countName = ExpectName();
                        Expect(TokenKind.BlockEnd);
                        countName ??= variables.Any(v => v.Key == "count") ? "count" : null;
                        if (countName is null || variables.All(v => v.Key != countName))
                            throw Error("{% plural %} requires a count variable declared in the {% trans %} tag (count=…)", nameTok.Start);
                        current = plural = new System.Text.StringBuilder();
                        continue;
                    }
                    if (tag is "endtrans" or "end")
                    {
                        _i += 2;
                        Expect(TokenKind.BlockEnd);
                        return new TransStmt(pos, NormalizeMessage(singular.ToString()), plural is null ? null : NormalizeMessage(plural.ToString()),
                            variables, countName);
                    }
                    throw Error($"Unexpected tag '{tag}' in {{% trans %}}: only {{% plural %}} and {{% endtrans %}} are allowed", nameTok.Start);
                }
                case TokenKind.Eof:
                    throw Error("Unexpected end of template: 'trans' block was never closed (expected '{% endtrans %}' or '{% end %}')", tok.Start, ErrorCodes.UnclosedBlock);
                default:
                    throw Error($"Unexpected {tok} in {{% trans %}}", tok.Start);
            }
        }
    }

    private static string NormalizeMessage(string message) =>
        System.Text.RegularExpressions.Regex.Replace(message.Trim(), @"\s+", " ");

    private bool _sawTemplateDeclaration;

    /// <summary><c>{% template name: Type, … %}</c> (kida-spec 3.23): at most one per template; the types are kept as written.</summary>
    private Stmt ParseTemplateDeclaration(int pos)
    {
        if (_sawTemplateDeclaration) throw Error("A template may have only one {% template %} declaration", pos, ErrorCodes.UnexpectedToken);
        _sawTemplateDeclaration = true;
        var declarations = new List<TemplateDeclaration>();
        while (!At(TokenKind.BlockEnd))
        {
            if (declarations.Count > 0)
            {
                Expect(TokenKind.Comma);
                if (At(TokenKind.BlockEnd)) break;
            }
            var namePos = Cur.Start;
            var name = ExpectName();
            if (declarations.Any(d => d.Name == name)) throw Error($"'{name}' is declared twice", namePos, ErrorCodes.UnexpectedToken);
            string? type = null;
            if (Skip(TokenKind.Colon))
            {
                // the same type grammar as def annotations (checked by kida check, not here)
                type = ParseTypeAnnotation() ?? throw Error($"Expected a type after '{name}:', got {Cur}", Cur.Start, ErrorCodes.InvalidExpression);
            }
            if (!At(TokenKind.Comma) && !At(TokenKind.BlockEnd))
                throw Error($"Expected ',' or end of statement block, got {Cur}", Cur.Start, ErrorCodes.InvalidExpression);
            declarations.Add(new TemplateDeclaration(name, type, namePos));
        }
        Expect(TokenKind.BlockEnd);
        return new TemplateDeclStmt(pos, declarations);
    }
}
