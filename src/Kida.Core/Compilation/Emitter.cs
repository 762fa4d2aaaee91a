using System.Linq.Expressions;
using System.Reflection;
using Kida.Binding;
using Kida.Runtime;
using Kida.Syntax;
using E = System.Linq.Expressions.Expression;
using H = Kida.Compilation.RuntimeMethods;

namespace Kida.Compilation;

/// <summary>
/// Turns the syntax tree into <see cref="System.Linq.Expressions"/> lambdas (one for the root, one per block) and
/// compiles them, to IL or, when asked, to the expression interpreter. The emitted code is control flow, locals
/// and calls to the runtime helpers (reached through <see cref="RuntimeMethods"/>).
/// </summary>
internal sealed partial class Emitter : SyntaxVisitor<Expression>
{
    private static readonly E NullObject = E.Constant(null, typeof(object));

    private readonly KidaEnvironment _env;
    private readonly CompiledTemplate _ct;
    private readonly BoundTemplate _bound;
    private readonly IReadOnlyDictionary<string, FilterFn> _filters;
    private readonly IReadOnlyDictionary<string, TestFn> _tests;
    private FunctionFrame _fn = null!;
    private bool _setupMode;

    private Emitter(KidaEnvironment env, CompiledTemplate ct, BoundTemplate bound)
    {
        _env = env;
        _ct = ct;
        _bound = bound;
        _filters = env.FilterTable;
        _tests = env.TestTable;
    }

    /// <summary>The function being emitted (root, block, macro, caller or capture): its parameters, scope and loops.</summary>
    private sealed class FunctionFrame
    {
        public FunctionFrame(ParameterExpression rs, ParameterExpression ctx, ParameterExpression @out, FunctionFrame? parent, E escape)
        {
            Rs = rs;
            Ctx = ctx;
            Out = @out;
            Parent = parent;
            Escape = escape;
        }

        public ParameterExpression Rs { get; }
        public ParameterExpression Ctx { get; set; }
        public ParameterExpression Out { get; }
        public FunctionFrame? Parent { get; }
        public E Escape { get; set; }
        public Scope Scope { get; set; } = null!;
        public Stack<(LabelTarget Break, LabelTarget Continue)> Loops { get; } = new();
        public string? BlockName { get; init; }
        public ParameterExpression? Caller { get; set; }
        public bool IsRoot { get; init; }
        /// <summary>In a def body: the names its let/export statements write, private to each call.</summary>
        public HashSet<string>? DefLets { get; set; }
    }

    private sealed class Scope(Scope? parent, bool isRoot)
    {
        public Dictionary<string, ParameterExpression> Vars { get; } = new(StringComparer.Ordinal);
        public Scope? Parent { get; } = parent;
        public bool IsRoot { get; } = isRoot;
    }

    public static void Emit(KidaEnvironment env, CompiledTemplate ct, BoundTemplate bound)
    {
        var emitter = new Emitter(env, ct, bound);
        emitter.EmitTemplate(bound.Tree);
    }

    private Action<RenderState, Context, Output> CompileLambda(Expression<Action<RenderState, Context, Output>> lambda) =>
        Compile(lambda, static d => d, static (l, only) => new TieredFunction(l, only), static t => ((TieredFunction)t).Invoke);

    private MacroCode CompileMacroBody(Expression<Action<RenderState, Context, object?[], Output>> lambda) =>
        Compile(lambda, static d => new MacroCode(d), static (l, only) => new TieredMacroBody(l, only), static t => ((TieredMacroBody)t).Code);

    private MacroCode CompilePositionalMacroBody(Expression<Action<RenderState, Context, object?, object?, Output>> lambda) =>
        Compile(lambda, MacroCode.ForPositional, static (l, only) => new TieredPositionalMacroBody(l, only), static t => ((TieredPositionalMacroBody)t).Code);

    /// <summary>
    /// One function of the template: interpreted (<see cref="KidaOptions.PreferInterpretation"/>), compiled to IL now
    /// (no tiering), or interpreted until the template is promoted (tiered, the default). Interpreted, it is lowered for
    /// the interpreter at its first call (TieredFunction).
    /// </summary>
    private TResult Compile<TDelegate, TResult>(Expression<TDelegate> lambda, Func<TDelegate, TResult> direct,
        Func<Expression<TDelegate>, bool, TieredFunction<TDelegate>> tiered, Func<TieredFunction<TDelegate>, TResult> entry)
        where TDelegate : Delegate
    {
        var options = _env.Options;
        if (options.PreferInterpretation) return entry(tiered(lambda, true));
        if (!options.TieredCompilation) return direct(lambda.Compile());
        var tier = tiered(lambda, false);
        (_ct.Tiers ??= []).Add(tier);
        _ct.TierUpAfter = Math.Max(1, options.TierUpAfterRenders);
        return entry(tier);
    }

    /// <summary>A <see cref="TemplateSite"/> for a constant, non-relative template name; null (no site) for any other.</summary>
    private static E SiteFor(Expr template) =>
        template is ConstExpr { Value: string name } && !name.StartsWith("./", StringComparison.Ordinal) && !name.StartsWith("../", StringComparison.Ordinal)
            ? E.Constant(new TemplateSite())
            : E.Constant(null, typeof(TemplateSite));

    /// <summary>A call of the runtime helper <paramref name="m"/> (a handle from <see cref="RuntimeMethods"/>), arguments converted to its parameter types.</summary>
    private E Helper(MethodInfo m, params E[] args)
    {
        var ps = m.GetParameters();
        var converted = new E[args.Length];
        for (var i = 0; i < args.Length; i++)
            converted[i] = args[i].Type == ps[i].ParameterType ? args[i] : E.Convert(args[i], ps[i].ParameterType);
        // code that runs interpreted (now, or until tier-up) calls helpers of many parameters through an adapter
        return _env.Options.PreferInterpretation || _env.Options.TieredCompilation ? InterpreterCalls.Call(m, converted) : E.Call(m, converted);
    }

    /// <summary>
    /// The parser bounds nesting, so this holds on any ordinary stack; on a thread with little stack left the template
    /// fails to compile with a syntax error instead of ending the process.
    /// </summary>
    private void EnsureStack(int pos)
    {
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw Error("Template is nested too deeply to compile", pos, ErrorCodes.InvalidExpression);
    }

    private E SetPos(int pos) => E.Assign(E.Field(_fn.Rs, H.RenderStatePos), E.Constant(pos));

    private TemplateSyntaxException Error(string message, int pos, string code = ErrorCodes.UnexpectedToken) =>
        _ct.Source.WithPosition(new TemplateSyntaxException(message, code, _ct.Name), pos);

    // ------------------------------------------------------------------ template, blocks

    private void EmitTemplate(TemplateNode tree)
    {
        var blocks = _bound.Blocks;
        _ct.HasExtends = _bound.HasExtends;
        var topLevelExtends = _bound.TopLevelExtends;
        _conditionalExtends = topLevelExtends.Count > 1 || (topLevelExtends.Count == 1 && !_ct.HasExtends);
        foreach (var block in Enumerable.Reverse(blocks))
        {
            Action<RenderState, Context, Output> body;
            if (block.Required)
            {
                // a required block only renders when a child overrides it; reaching this body means none did
                var name = block.Name;
                body = (_, _, _) => throw new TemplateRuntimeException($"Required block '{name}' not found", ErrorCodes.RequiredBlock);
            }
            else
            {
                body = CompileFunction(block.Body, isRoot: false, blockName: block.Name, extends: false);
            }
            _ct.Blocks[block.Name] = new BlockFunction(block.Name, _ct, body);
        }
        foreach (var region in _bound.RegionBlocks)
            _ct.Blocks[region.Name] = new BlockFunction(region.Name, _ct, CompileRegionBlock(region));
        _ct.Root = CompileFunction(tree.Body, isRoot: true, blockName: null, extends: _ct.HasExtends && !_conditionalExtends);
        var setup = tree.Body.Where(StatementRoles.RunsInSetup).ToList();
        _setupMode = true;
        try
        {
            _ct.Setup = CompileFunction(setup, isRoot: true, blockName: null, extends: false);
        }
        finally
        {
            _setupMode = false;
        }
    }

    /// <summary>Whether the template has an <c>{% extends %}</c> inside an if, for or with at its top level (or several).</summary>
    private bool _conditionalExtends;

    // while emitting the root of such a template: the parent chosen so far (Composition.NoParent until an extends runs), the
    // output the template writes to, and the root's output parameter (an extends runs only where that is the output)
    private ParameterExpression? _dynParent, _dynRealOut, _dynRootOut;
    private IReadOnlyList<Stmt>? _dynRootBody;

    /// <summary>
    /// Jinja2's extends where it is not the first statement: when it runs it picks the parent, the template's further
    /// output is dropped (its blocks are registered, the parent renders them), and the parent renders at the end.
    /// </summary>
    private E EmitConditionalExtends(ExtendsStmt e)
    {
        if (_dynParent is null || _fn.Out != _dynRootOut || !_bound.TopLevelExtends.Contains(e))
            throw Error("{% extends %} may only appear at the top level of a template (or in an if there)", e.Pos);
        return E.Block(typeof(void),
            SetPos(e.Pos),
            E.IfThen(E.NotEqual(_dynParent, E.Constant(Runtime.Composition.NoParent)),
                E.Throw(E.New(H.NewRuntimeException,
                    E.Constant("The template extends more than one parent (extended multiple times)"), E.Constant(ErrorCodes.Runtime),
                    E.Constant(null, typeof(Exception)), E.Constant(null, typeof(string))))),
            E.Assign(_dynParent, EmitExpr(e.Template)),
            E.Assign(_dynRootOut!, E.New(H.NewOutput, E.Constant(16))));
    }

    private Action<RenderState, Context, Output> CompileFunction(IReadOnlyList<Stmt> body, bool isRoot, string? blockName, bool extends)
    {
        var rs = E.Parameter(typeof(RenderState), "rs");
        var ctx = E.Parameter(typeof(Context), "ctx");
        var @out = E.Parameter(typeof(Output), "out");
        var saved = _fn;
        _fn = new FunctionFrame(rs, ctx, @out, null, E.Constant(_ct.Autoescape)) { BlockName = blockName, IsRoot = isRoot };
        _fn.Scope = new Scope(null, isRoot);
        var dynamic = isRoot && blockName is null && !_setupMode && _conditionalExtends;
        if (dynamic)
        {
            _dynParent = E.Variable(typeof(object), "parentName");
            _dynRealOut = E.Variable(typeof(Output), "realOut");
            _dynRootOut = @out;
            _dynRootBody = body;
        }
        try
        {
            var exprs = new List<E>();
            if (isRoot && _ct.Blocks.Count > 0) exprs.Add(Helper(H.RegisterBlocks, rs, E.Constant(_ct)));
            E bodyExpr;
            if (extends) bodyExpr = EmitExtendingRoot(body);
            else bodyExpr = EmitScopeBody(body, _fn.Scope);
            if (dynamic)
                bodyExpr = E.Block(typeof(void), [_dynParent!, _dynRealOut!],
                    E.Assign(_dynParent!, E.Constant(Runtime.Composition.NoParent)),
                    E.Assign(_dynRealOut!, @out),
                    bodyExpr,
                    E.IfThen(E.NotEqual(_dynParent!, E.Constant(Runtime.Composition.NoParent)),
                        E.Block(E.Assign(@out, _dynRealOut!),
                            Helper(H.RenderParent, rs, ctx, @out, _dynParent!, E.Constant(_ct), E.Constant(null, typeof(TemplateSite))))));
            exprs.Add(bodyExpr);
            var lambdaBody = WrapFunction(E.Block(typeof(void), _fn.Scope.Vars.Values, exprs));
            return CompileLambda(E.Lambda<Action<RenderState, Context, Output>>(lambdaBody, rs, ctx, @out));
        }
        finally
        {
            _fn = saved;
            if (dynamic)
            {
                _dynParent = _dynRealOut = _dynRootOut = null;
                _dynRootBody = null;
            }
        }
    }

    /// <summary>Sets the current template for error positions, converts stray exceptions, restores state.</summary>
    private E WrapFunction(E body)
    {
        var rs = _fn.Rs;
        var savedCur = E.Variable(typeof(CompiledTemplate), "savedCur");
        var savedPos = E.Variable(typeof(int), "savedPos");
        // The position of an error is the innermost statement running. The caller's template and position are restored
        // only on normal completion, so when an error propagates the state still describes where it happened, and the
        // render's entry point attaches it (whoever catches an error to go on rendering restores the state: see
        // RestoreState). No try blocks here: deep recursion unwinds cheaply and both compile modes behave alike.
        // A call within the same template (a macro, a block) stores nothing: the template is current already, and a body
        // that completes leaves it current. A reference store costs a GC write barrier.
        var other = E.ReferenceNotEqual(savedCur, E.Constant(_ct));
        return E.Block(typeof(void), [savedCur, savedPos],
            E.Assign(savedCur, E.Field(rs, H.RenderStateCurrent)),
            E.Assign(savedPos, E.Field(rs, H.RenderStatePos)),
            E.IfThen(other, E.Assign(E.Field(rs, H.RenderStateCurrent), E.Constant(_ct))),
            E.Block(typeof(void), body),
            E.IfThen(other, E.Assign(E.Field(rs, H.RenderStateCurrent), savedCur)),
            E.Assign(E.Field(rs, H.RenderStatePos), savedPos));
    }

    /// <summary>
    /// After catching an error raised deeper (a macro, an include) to go on rendering, the code running is this
    /// template's again, at the position saved in <paramref name="savedPos"/>.
    /// </summary>
    private E RestoreState(ParameterExpression savedPos) =>
        E.Block(E.Assign(E.Field(_fn.Rs, H.RenderStateCurrent), E.Constant(_ct)), E.Assign(E.Field(_fn.Rs, H.RenderStatePos), savedPos));

    private E SavePos(ParameterExpression savedPos) => E.Assign(savedPos, E.Field(_fn.Rs, H.RenderStatePos));

    private E EmitExtendingRoot(IReadOnlyList<Stmt> body)
    {
        // Jinja semantics: content before extends renders; after it only set-up statements run; then the parent.
        var exprs = new List<E>();
        ExtendsStmt? ext = null;
        var parent = E.Variable(typeof(object), "parentName");
        foreach (var s in body)
        {
            if (ext is null)
            {
                if (s is ExtendsStmt e)
                {
                    ext = e;
                    exprs.Add(SetPos(e.Pos));
                    exprs.Add(E.Assign(parent, EmitExpr(e.Template)));
                    continue;
                }
                exprs.Add(EmitStmt(s));
            }
            else if (StatementRoles.RunsAfterExtends(s))
            {
                exprs.Add(EmitStmt(s));
            }
            else if (s is ExtendsStmt e2)
            {
                throw Error("Template may only extend one parent", e2.Pos);
            }
        }
        exprs.Add(SetPos(ext!.Pos));
        exprs.Add(Helper(H.RenderParent, _fn.Rs, _fn.Ctx, _fn.Out, parent, E.Constant(_ct), SiteFor(ext.Template)));
        return E.Block(typeof(void), [parent], exprs);
    }

    private E EmitScopeBody(IReadOnlyList<Stmt> body, Scope scope)
    {
        var exprs = new List<E>(body.Count + 1);
        foreach (var s in body)
        {
            if (s is ExtendsStmt e)
            {
                if (_dynParent is not null) { exprs.Add(EmitConditionalExtends(e)); continue; }
                if (!_setupMode || !_fn.IsRoot) throw Error("{% extends %} may only appear at the top level of a template", e.Pos);
                exprs.Add(SetPos(e.Pos));
                exprs.Add(Helper(H.SetupParent, _fn.Rs, _fn.Ctx, EmitExpr(e.Template)));
                continue;
            }
            var stmt = EmitStmt(s);
            // once a conditional extends has run, the template's own output and blocks are skipped (Jinja2); set-up
            // statements and ifs that may hold an extends still run
            if (_dynParent is not null && ReferenceEquals(body, _dynRootBody)
                && !StatementRoles.RunsAfterConditionalExtends(s))
                stmt = E.IfThen(E.Equal(_dynParent, E.Constant(Runtime.Composition.NoParent)), stmt);
            exprs.Add(stmt);
        }
        if (exprs.Count == 0) exprs.Add(E.Empty());
        return E.Block(typeof(void), exprs);
    }

    // ------------------------------------------------------------------ scopes

    /// <summary>Runs <paramref name="emit"/> inside a new scope whose assigned names become locals initialised from outside.</summary>
    private E WithScope(IReadOnlyList<Stmt> body, Func<Scope, E> emit, IEnumerable<string>? extraLocals = null, bool initFromOuter = true)
    {
        var (scope, inits) = OpenScope(body, extraLocals, initFromOuter);
        var saved = _fn.Scope;
        _fn.Scope = scope;
        try
        {
            inits.Add(emit(scope));
            return E.Block(typeof(void), scope.Vars.Values, inits);
        }
        finally
        {
            _fn.Scope = saved;
        }
    }

    /// <summary>
    /// A nested scope for <paramref name="body"/>: one local per name the body assigns (plus <paramref name="extraLocals"/>),
    /// and the expressions that initialise them from the enclosing scope. A local the body never reads (and that no
    /// include or scoped block could observe) needs no initialisation.
    /// </summary>
    private (Scope Scope, List<E> Inits) OpenScope(IReadOnlyList<Stmt> body, IEnumerable<string>? extraLocals, bool initFromOuter)
    {
        var scope = new Scope(_fn.Scope, isRoot: false);
        var names = new List<string>();
        _bound.CollectAssigned(body, names);
        var inits = new List<E>();
        var observed = initFromOuter && names.Count > 0 && _bound.ExposesLocals(body);
        foreach (var name in names.Distinct())
        {
            var v = E.Variable(typeof(object), name);
            if (initFromOuter && (observed || _bound.UsesName(body, name)) && !SetBeforeUse(body, name))
                inits.Add(E.Assign(v, LookupName(name, _fn.Scope)));
            scope.Vars[name] = v;
        }
        if (extraLocals is not null)
            foreach (var name in extraLocals)
                if (!scope.Vars.ContainsKey(name)) scope.Vars[name] = E.Variable(typeof(object), name);
        return (scope, inits);
    }

    /// <summary>
    /// Whether <paramref name="body"/> sets <paramref name="name"/> with a plain top-level <c>set</c> before anything in
    /// it can read the name or hand its locals on (an include, a scoped block): then the scope's local never shows the
    /// enclosing value and needs no initialisation from it (a lookup that, for a name defined nowhere outside, would
    /// build an undefined value on every loop iteration).
    /// </summary>
    private bool SetBeforeUse(IReadOnlyList<Stmt> body, string name)
    {
        foreach (var stmt in body)
        {
            Stmt[] one = [stmt];
            if (_bound.UsesName(one, name) || _bound.ExposesLocals(one)) return false;
            if (stmt is SetStmt { OnlyIfMissing: false, Kind: SetKind.Set, Target: NameTarget target } && target.Name == name) return true;
        }
        return false;
    }

    private static void CollectTargetNames(Target t, List<string> names)
    {
        switch (t)
        {
            case NameTarget n: names.Add(n.Name); break;
            case TupleTarget tt: foreach (var x in tt.Items) CollectTargetNames(x, names); break;
        }
    }

    private static ParameterExpression? FindLocal(string name, Scope? scope)
    {
        for (var s = scope; s is not null; s = s.Parent)
            if (s.Vars.TryGetValue(name, out var v)) return v;
        return null;
    }

    private E LookupName(string name, Scope? scope)
    {
        var local = FindLocal(name, scope);
        if (local is not null) return local;
        return E.Call(_fn.Ctx, H.ContextResolve, E.Constant(name));
    }

    /// <summary>Every local visible here, as a dictionary (for includes and scoped blocks).</summary>
    private E LocalsDictionary(bool includeLoop)
    {
        var seen = new Dictionary<string, ParameterExpression>(StringComparer.Ordinal);
        for (var s = _fn.Scope; s is not null; s = s.Parent)
            foreach (var (k, v) in s.Vars)
                if (!seen.ContainsKey(k) && (includeLoop || k != "loop") && !k.StartsWith('$')) seen[k] = v;
        if (seen.Count == 0) return E.Constant(null, typeof(Dictionary<string, object?>));
        var keys = EmittedArrays.Of(typeof(string), seen.Keys.Select(k => E.Constant(k)));
        var values = EmittedArrays.Of(typeof(object), seen.Values);
        return Helper(H.MakeLocals, keys, values);
    }

    private E Assign(Target target, E value, SetKind kind)
    {
        switch (target)
        {
            case NameTarget n:
                if (kind != SetKind.Set && _fn.DefLets?.Contains(n.Name) == true && FindLocalInFunction(n.Name) is { } defLocal)
                    return E.Assign(defLocal, value);
                if (kind == SetKind.Set)
                {
                    var local = FindLocalInFunction(n.Name);
                    if (local is not null) return E.Assign(local, value);
                    if (!_fn.Scope.IsRoot)
                    {
                        // a name not pre-declared (e.g. assigned in a nested helper): declare in the current scope
                        var v = E.Variable(typeof(object), n.Name);
                        _fn.Scope.Vars[n.Name] = v;
                        return E.Assign(v, value);
                    }
                }
                return E.Call(_fn.Ctx, H.ContextSet, E.Constant(n.Name), E.Convert(value, typeof(object)));
            case TupleTarget t:
            {
                var tmp = E.Variable(typeof(object[]), "unpacked");
                var exprs = new List<E> { E.Assign(tmp, Helper(H.Unpack, value, E.Constant(t.Items.Count))) };
                for (var i = 0; i < t.Items.Count; i++)
                    exprs.Add(Assign(t.Items[i], E.ArrayIndex(tmp, E.Constant(i)), kind));
                exprs.Add(E.Empty());
                return E.Block(typeof(void), [tmp], exprs);
            }
            case AttrTarget a:
                return Helper(H.SetAttribute, LookupName(a.Name, _fn.Scope), E.Constant(a.Attr), value);
            default:
                throw Error("Invalid assignment target", target.Pos);
        }
    }

    /// <summary>A local of the current function's scopes (not captured from an enclosing function).</summary>
    private ParameterExpression? FindLocalInFunction(string name) => FindLocal(name, _fn.Scope);
}
