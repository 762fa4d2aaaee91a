using System.Linq.Expressions;
using Kida.Common;
using Kida.Filters;
using Kida.Runtime;
using Kida.Syntax;
using E = System.Linq.Expressions.Expression;
using H = Kida.Compilation.RuntimeMethods;

namespace Kida.Compilation;

internal sealed partial class Emitter
{
    /// <summary>Emits an expression producing a boxed value (type object).</summary>
    private E EmitExpr(Expr e)
    {
        var r = EmitExprCore(e);
        return r.Type == typeof(object) ? r : E.Convert(r, typeof(object));
    }

    private E EmitExprCore(Expr e)
    {
        EnsureStack(e.Pos);
        return e.Accept(this);
    }

    public override E VisitConstExpr(ConstExpr c) => E.Constant(c.Value, typeof(object));

    public override E VisitNameExpr(NameExpr n) => EmitName(n);

    public override E VisitGetAttrExpr(GetAttrExpr ga) =>
        ga.Optional
        ? Helper(H.GetAttrOptional, _fn.Rs, EmitExpr(ga.Target), E.Constant(ga.Name))
        : LoopMember(ga, write: false) ?? Helper(H.GetAttrSite, _fn.Rs, EmitExpr(ga.Target), E.Constant(ga.Name), E.Constant(new MemberSite()));

    /// <summary>
    /// <c>loop.index</c>, <c>index0</c>, <c>revindex</c>, <c>revindex0</c>, <c>length</c>, <c>first</c>, <c>last</c> of the
    /// enclosing for loop: read from its <see cref="LoopContext"/> in place (printed as digits when
    /// <paramref name="write"/>), no member lookup by name. A <c>loop</c> that holds something else (a template may
    /// assign the name) or an async loop's restricted member takes the general read. Null for any other expression.
    /// </summary>
    private E? LoopMember(GetAttrExpr ga, bool write)
    {
        if (ga is not { Optional: false, Target: NameExpr { Name: "loop" } } || FindLocal("loop", _fn.Scope) is not { } loopVar
            || ga.Name is not ("index" or "index0" or "revindex" or "revindex0" or "length" or "first" or "last")) return null;
        var lc = E.Variable(typeof(LoopContext), "lc");
        var value = LoopMemberValue(ga.Name, E.Field(lc, H.LoopIndex0), E.Property(lc, H.LoopLength));
        E guard = E.NotEqual(lc, E.Constant(null, typeof(LoopContext)));
        // (an async loop has no length: those members keep the general read and its error)
        if (ga.Name is "revindex" or "revindex0" or "length" or "last") guard = E.AndAlso(guard, E.Not(E.Property(lc, H.LoopIsAsync)));
        // a light loop (LightLoops): the member from its counter and items while the variable holds the loop's marker
        var lightValue = _lightLoops.TryGetValue(loopVar, out var light)
            ? LoopMemberValue(ga.Name, light.Index, light.Length)
            : null;
        var isLight = E.ReferenceEqual(loopVar, E.Constant(LightLoopMarker, typeof(object)));
        if (write)
        {
            E Direct(E v) => v.Type == typeof(int)
                ? E.Call(_fn.Out, H.OutputWriteInt, E.Convert(v, typeof(long)))
                : E.Call(_fn.Out, H.OutputWriteValue, BoxBool(v), _fn.Escape);
            E general = E.Block(typeof(void), [lc], E.Assign(lc, E.TypeAs(loopVar, typeof(LoopContext))),
                E.IfThenElse(guard, Direct(value),
                    Helper(H.WriteAttrSite, _fn.Rs, _fn.Out, loopVar, E.Constant(ga.Name), E.Constant(new MemberSite()), _fn.Escape)));
            return lightValue is null ? general : E.IfThenElse(isLight, Direct(lightValue), general);
        }
        E Boxed(E v) => E.Convert(v.Type == typeof(int) ? Helper(H.BoxLong, E.Convert(v, typeof(long))) : BoxBool(v), typeof(object));
        E read = E.Block(typeof(object), [lc], E.Assign(lc, E.TypeAs(loopVar, typeof(LoopContext))),
            E.Condition(guard, Boxed(value),
                E.Convert(Helper(H.GetAttrSite, _fn.Rs, loopVar, E.Constant(ga.Name), E.Constant(new MemberSite())), typeof(object)), typeof(object)));
        return lightValue is null ? read : E.Condition(isLight, Boxed(lightValue), read, typeof(object));
    }

    /// <summary>A loop member from the loop's zero-based index and its length (an int, or a bool for first and last).</summary>
    private static E LoopMemberValue(string name, E index0, E length)
    {
        var one = E.Constant(1);
        return name switch
        {
            "index" => E.Add(index0, one),
            "index0" => index0,
            "revindex" => E.Subtract(length, index0),
            "revindex0" => E.Subtract(E.Subtract(length, index0), one),
            "length" => length,
            "first" => E.Equal(index0, E.Constant(0)),
            _ => E.Equal(index0, E.Subtract(length, one)),
        };
    }

    /// <summary>What the <c>loop</c> variable of a light loop holds (LightLoops): never read but through its members.</summary>
    internal static readonly object LightLoopMarker = new LightLoop();

    private sealed class LightLoop
    {
        public override string ToString() => "<loop>";
    }

    /// <summary>The light loops' variables, with each loop's counter and the count of its items.</summary>
    private readonly Dictionary<ParameterExpression, (ParameterExpression Index, E Length)> _lightLoops = [];

    public override E VisitGetItemExpr(GetItemExpr gi)
    {
        if (gi.Key is SliceExpr sl)
            return Helper(H.Slice, EmitExpr(gi.Target), Opt(sl.Start), Opt(sl.Stop), Opt(sl.Step));
        return Helper(gi.Optional ? H.GetItemOptional : H.GetItem, _fn.Rs, EmitExpr(gi.Target), EmitExpr(gi.Key));
    }

    public override E VisitSliceExpr(SliceExpr sl2) =>
        // bounds that are literal numbers (or absent) make one slice object for every evaluation
        new[] { sl2.Start, sl2.Stop, sl2.Step }.All(b => b is null or ConstExpr { Value: long })
            ? E.Constant(MemberAccess.MakeSlice((sl2.Start as ConstExpr)?.Value, (sl2.Stop as ConstExpr)?.Value, (sl2.Step as ConstExpr)?.Value), typeof(object))
            : Helper(H.MakeSlice, Opt(sl2.Start), Opt(sl2.Stop), Opt(sl2.Step));

    public override E VisitCallExpr(CallExpr call) => EmitCall(call, null);

    public override E VisitFilterExpr(FilterExpr f) => EmitFilter(f);

    public override E VisitTestExpr(TestExpr t) => EmitTest(t);

    public override E VisitUnaryExpr(UnaryExpr u) =>
        u.Op switch
    {
        UnaryOp.Not => BoxBool(E.Not(Truth(u.Operand))),
        // (a negative literal is a constant: -1 as an index or operand is what 1 is to tier-up)
        UnaryOp.Neg when u.Operand is ConstExpr { Value: long l and not long.MinValue } => E.Constant(-l, typeof(object)),
        UnaryOp.Neg when u.Operand is ConstExpr { Value: double d } => E.Constant(-d, typeof(object)),
        UnaryOp.Neg => Helper(H.FastNeg, EmitExpr(u.Operand)),
        UnaryOp.Await => EmitAwait(u.Operand),
        _ => Helper(H.Pos, EmitExpr(u.Operand)),
    };

    public override E VisitBinaryExpr(BinaryExpr b) => EmitBinary(b);

    /// <summary>
    /// <c>await expr</c>: an await point (Runtime/AsyncValues). When an earlier attempt of an asynchronous render resolved
    /// it, its result is taken and the operand is not evaluated again; otherwise the operand's value is awaited (a value
    /// that is not a task is the result itself).
    /// </summary>
    private E EmitAwait(Expr operand)
    {
        var point = E.Variable(typeof(int), "point");
        return E.Block(typeof(object), [point],
            E.Assign(point, Helper(H.EnterAwait, _fn.Rs)),
            E.Condition(E.Equal(point, E.Constant(-2)),
                Helper(H.MemoizedAwait, _fn.Rs),
                Helper(H.CompleteAwait, _fn.Rs, point, EmitExpr(operand), E.Constant(Describe(operand))),
                typeof(object)));
    }

    /// <summary>How messages name an awaited expression: its dotted path (<c>'user.orders'</c>, <c>'load()'</c>) when it has one.</summary>
    internal static string Describe(Expr e)
    {
        return Path(e) is { } path ? $"'{path}'" : "the awaited value";

        static string? Path(Expr e) => e switch
        {
            NameExpr n => n.Name,
            GetAttrExpr a => Path(a.Target) is { } t ? $"{t}.{a.Name}" : null,
            CallExpr c => Path(c.Callee) is { } t ? $"{t}()" : null,
            FilterExpr { Value: { } v } f => Path(v) is { } t ? $"{t}|{f.Name}" : null,
            _ => null,
        };
    }

    public override E VisitCompareExpr(CompareExpr c) => EmitCompare(c);

    public override E VisitCondExpr(CondExpr c) =>
        E.Condition(Truth(c.Test), EmitExpr(c.Then), c.Else is null ? Helper(H.EmptyIfShort) : EmitExpr(c.Else), typeof(object));

    public override E VisitCoalesceExpr(CoalesceExpr c) =>
        E.Condition(Helper(H.IsMissing, Guarded(c.Left, out var leftVar)), EmitExpr(c.Right), leftVar, typeof(object)) is var cond
        ? E.Block(typeof(object), [leftVar], cond)
        : throw new InvalidOperationException();

    public override E VisitListExpr(ListExpr l) => Helper(H.MakeList, EmittedArrays.Of(typeof(object), l.Items.Select(EmitExpr)));

    public override E VisitTupleExpr(TupleExpr t) =>
        Helper(H.MakeTuple, EmittedArrays.Of(typeof(object), t.Items.Select(EmitExpr)));

    public override E VisitDictExpr(DictExpr d) =>
        Helper(H.MakeDict, EmittedArrays.Of(typeof(object), d.Items.SelectMany(kv => new[] { EmitExpr(kv.Key), EmitExpr(kv.Value) })));

    public override E VisitListCompExpr(ListCompExpr lc) => EmitListComp(lc);

    public override E VisitRangeExpr(RangeExpr r) =>
        Helper(H.RangeLiteral, _fn.Rs, EmitExpr(r.Start), EmitExpr(r.End), Opt(r.Step), E.Constant(r.Inclusive));

    /// <summary>A bool as an object without allocating: one of two shared boxes.</summary>
    private static E BoxBool(E value) =>
        E.Condition(value, E.Constant(Boxes.True, typeof(object)), E.Constant(Boxes.False, typeof(object)), typeof(object));

    private E Opt(Expr? e) => e is null ? NullObject : EmitExpr(e);

    private E EmitName(NameExpr n)
    {
        var local = FindLocal(n.Name, _fn.Scope);
        if (local is not null) return local;
        switch (n.Name)
        {
            case "self":
                return Helper(H.SelfObject, _fn.Rs, _fn.Ctx);
        }
        return E.Call(_fn.Ctx, H.ContextResolveSite, E.Constant(n.Name), E.Constant(new MemberSite()));
    }


    /// <summary>Evaluates an operand of a special form (default, defined, ??), turning UndefinedException into Undefined.</summary>
    private E Guarded(Expr operand, out ParameterExpression result)
    {
        result = E.Variable(typeof(object), "guarded");
        return Guard(operand, result);
    }

    private E Guard(Expr operand, ParameterExpression result)
    {
        var value = EmitExpr(operand);
        if (operand is ConstExpr or NameExpr) return E.Assign(result, value);
        var ex = E.Parameter(typeof(UndefinedException), "undefined");
        var pos = E.Variable(typeof(int), "pos");
        return E.Block(typeof(object), [pos],
            SavePos(pos),
            E.TryCatch(E.Assign(result, value),
                E.Catch(ex, E.Block(RestoreState(pos), E.Assign(result, Helper(H.UndefinedFrom, ex))))),
            result);
    }

    private E EmitBinary(BinaryExpr b)
    {
        switch (b.Op)
        {
            case BinaryOp.And:
            case BinaryOp.Or:
            {
                var left = E.Variable(typeof(object), "left");
                var test = E.Call(H.Truthy, left);
                return E.Block(typeof(object), [left],
                    E.Assign(left, EmitExpr(b.Left)),
                    b.Op == BinaryOp.And
                        ? E.Condition(test, EmitExpr(b.Right), left, typeof(object))
                        : E.Condition(test, left, EmitExpr(b.Right), typeof(object)));
            }
            case BinaryOp.Concat:
                return Helper(H.Tilde, EmitExpr(b.Left), EmitExpr(b.Right), _fn.Escape);
            default:
                // + - * // % ** on int, long and double operands take FastOps' typed paths, the rest Python's general rules
                var helper = b.Op switch
                {
                    BinaryOp.Add => H.FastAdd,
                    BinaryOp.Sub => H.FastSub,
                    BinaryOp.Mul => H.FastMul,
                    BinaryOp.Div => H.Div,
                    BinaryOp.FloorDiv => H.FastFloorDiv,
                    BinaryOp.Mod => H.FastMod,
                    _ => H.FastPow,
                };
                return Helper(helper, EmitExpr(b.Left), EmitExpr(b.Right));
        }
    }

    private E EmitCompare(CompareExpr c) => BoxBool(CompareTest(c));

    /// <summary>A comparison as a bool: <c>a &lt; b &lt; c</c> is <c>(a &lt; b) and (b &lt; c)</c>, each operand evaluated once.</summary>
    private E CompareTest(CompareExpr c)
    {
        if (c.Rest.Count == 1) return Helper(CompareHelper(c.Rest[0].Key), EmitExpr(c.First), EmitContainer(c.Rest[0].Key, c.Rest[0].Value));
        // (a literal operand is used as it is, without a temporary: tier-up can then compare a typed operand with it)
        var temps = new List<ParameterExpression>();
        var exprs = new List<E>();
        E current;
        if (IsLiteral(c.First)) current = EmitExpr(c.First);
        else
        {
            var left = E.Variable(typeof(object), "cmp0");
            temps.Add(left);
            exprs.Add(E.Assign(left, EmitExpr(c.First)));
            current = left;
        }
        E? result = null;
        for (var i = 0; i < c.Rest.Count; i++)
        {
            var (op, operand) = c.Rest[i];
            E test;
            if (IsLiteral(operand))
            {
                var constant = EmitExpr(operand);
                test = Helper(CompareHelper(op), current, constant);
                current = constant;
            }
            else
            {
                var right = E.Variable(typeof(object), "cmp" + (i + 1));
                temps.Add(right);
                test = E.Block(typeof(bool), E.Assign(right, EmitExpr(operand)), Helper(CompareHelper(op), current, right));
                current = right;
            }
            result = result is null ? test : E.AndAlso(result, test);
        }
        exprs.Add(result!);
        return E.Block(typeof(bool), temps, exprs);
    }

    /// <summary>
    /// The right operand of a comparison; for <c>in</c> / <c>not in</c>, a list or tuple of literals is one constant
    /// array made at compile time (FastOps.In compares with its items as with a list's, and only reads it), not a list
    /// built for every test.
    /// </summary>
    private E EmitContainer(CompareOp op, Expr operand)
    {
        if (op is CompareOp.In or CompareOp.NotIn && (operand is ListExpr { Items: var items } || operand is TupleExpr { Items: var tupleItems } && (items = tupleItems) is not null)
            && items.Count is > 0 and <= 64 && items.All(IsLiteral))
            return E.Constant(items.Select(i => ((ConstantExpression)EmitExpr(i)).Value).ToArray(), typeof(object));
        return EmitExpr(operand);
    }

    /// <summary>A literal, or a negated numeric literal (both emitted as constants).</summary>
    private static bool IsLiteral(Expr e) => e is ConstExpr or UnaryExpr { Op: UnaryOp.Neg, Operand: ConstExpr { Value: long and not long.MinValue or double } };

    private static System.Reflection.MethodInfo CompareHelper(CompareOp op) => op switch
    {
        CompareOp.Eq => H.FastEq,
        CompareOp.Ne => H.FastNe,
        CompareOp.Lt => H.FastLt,
        CompareOp.Le => H.FastLe,
        CompareOp.Gt => H.FastGt,
        CompareOp.Ge => H.FastGe,
        CompareOp.In => H.FastIn,
        _ => H.FastNotIn,
    };

    private E EmitListComp(ListCompExpr lc)
    {
        var result = E.Variable(typeof(List<object?>), "result");
        var en = E.Variable(typeof(IEnumerator<object?>), "en");
        var item = E.Variable(typeof(object), "item");
        var brk = E.Label("done");
        var names = new List<string>();
        CollectTargetNames(lc.Target, names);
        E inner = null!;
        var scoped = WithScope([], scope =>
        {
            var bind = Assign(lc.Target, item, SetKind.Set);
            var add = E.Call(result, H.ListAdd, EmitExpr(lc.Element));
            inner = E.Block(typeof(void), bind, lc.Condition is null ? add : E.IfThen(Truth(lc.Condition), add));
            return E.Empty();
        }, names, initFromOuter: false);
        var vars = ((BlockExpression)scoped).Variables;
        var moveNext = E.Call(E.Convert(en, typeof(System.Collections.IEnumerator)), H.EnumeratorMoveNext);
        return E.Block(typeof(object), [result, en],
            E.Assign(result, E.New(typeof(KidaList))),
            E.Assign(en, Helper(H.GetBoundedIterator, EmitExpr(lc.Iterable))),
            E.Loop(E.Block(
                E.IfThen(E.Not(moveNext), E.Break(brk)),
                E.Block(typeof(void), vars.Append(item), E.Assign(item, E.Property(en, H.EnumeratorCurrent)), inner)), brk),
            E.Convert(result, typeof(object)));
    }

    // ------------------------------------------------------------------ calls, filters, tests

    private E BuildArgs(Arguments args, E? extraNamedName = null, E? extraNamedValue = null)
    {
        if (args.IsEmpty && extraNamedName is null) return E.Constant(CallArgs.None);
        // literal arguments are built once: no callee changes or keeps the argument array (macros, .NET methods and
        // filters copy what they bind)
        if (extraNamedName is null && ConstantArgs(args) is { } literal) return literal;
        var positional = EmittedArrays.Of(typeof(object), args.Positional.Select(EmitExpr));
        var named = args.Named.Select(kv => (E)E.New(H.NewNamedArg, E.Constant(kv.Key), EmitExpr(kv.Value))).ToList();
        if (extraNamedName is not null) named.Add(E.New(H.NewNamedArg, extraNamedName, extraNamedValue!));
        E namedArr = named.Count == 0 ? E.Constant(null, typeof(KeyValuePair<string, object?>[])) : EmittedArrays.Of(typeof(KeyValuePair<string, object?>), named);
        E built = E.New(H.NewCallArgs, positional, namedArr);
        if (args.DynArgs is not null || args.DynKwargs is not null)
            built = Helper(H.SpreadArgs, built, Opt(args.DynArgs), Opt(args.DynKwargs));
        return built;
    }

    /// <summary>
    /// <c>x|selectattr('active')|list|length</c> (select, reject, rejectattr; with or without <c>|list</c>; <c>count</c>
    /// for <c>length</c>) when all of them are the built-in filters: one count, no list built at each stage.
    /// </summary>
    private E? FusedCount(FilterExpr f)
    {
        if (CountedSelection(f) is not { } inner) return null;
        var select = inner.Name is "select" or "selectattr";
        var byAttr = inner.Name.EndsWith("attr", StringComparison.Ordinal);
        if (FusedDivisibleCount(f) is { } divisible) return E.Block(typeof(object), Helper(H.BoxLong, divisible));
        return E.Block(typeof(object), SetPos(inner.Pos),
            Helper(H.CountSelected, _fn.Rs, Helper(H.UseValue, EmitExpr(inner.Value!)), BuildArgs(inner.Args), E.Constant(select), E.Constant(byAttr),
                E.Constant(new Iteration.ValueSite())));
    }

    /// <summary>
    /// <c>xs|batch(n)|length</c> / <c>xs|slice(n)|length</c> (with or without <c>|list</c>, <c>count</c> for <c>length</c>; the
    /// built-in filters, a literal count, no fill): how many batches or columns, without making them
    /// (BuiltinFilters.ChunkCount).
    /// </summary>
    private E? FusedChunkCount(FilterExpr f) => ChunkCount(f) is { } count ? E.Block(typeof(object), Helper(H.BoxLong, count)) : null;

    /// <summary>The <c>long</c> count of <see cref="FusedChunkCount"/>, or null.</summary>
    private E? ChunkCount(FilterExpr f)
    {
        if (f is not { Name: "length" or "count", Style: FilterStyle.Pipe, Args.IsEmpty: true } || !IsBuiltinFilter(f.Name)) return null;
        var inner = f.Value as FilterExpr;
        if (inner is { Name: "list", Style: FilterStyle.Pipe } && inner.Args.IsEmpty && IsBuiltinFilter("list")) inner = inner.Value as FilterExpr;
        if (inner is not { Name: "batch" or "slice", Style: FilterStyle.Pipe, Value: { } source }
            || inner.Args is not { Named.Count: 0, DynArgs: null, DynKwargs: null, Positional: [ConstExpr { Value: long n }] }
            || !IsBuiltinFilter(inner.Name)) return null;
        return E.Block(typeof(long), SetPos(inner.Pos),
            Helper(H.ChunkCount, _fn.Rs, Helper(H.UseValue, EmitExpr(source)), E.Constant(n), E.Constant(inner.Name == "slice")));
    }

    /// <summary>The select/reject/selectattr/rejectattr filter whose kept items <paramref name="f"/> counts, when every filter of the chain is the built-in.</summary>
    private FilterExpr? CountedSelection(FilterExpr f)
    {
        if (f.Name is not ("length" or "count") || f.Style != FilterStyle.Pipe || !f.Args.IsEmpty || !IsBuiltinFilter(f.Name)) return null;
        var inner = f.Value as FilterExpr;
        if (inner is { Name: "list", Style: FilterStyle.Pipe } && inner.Args.IsEmpty && IsBuiltinFilter("list")) inner = inner.Value as FilterExpr;
        if (inner is not { Name: "select" or "reject" or "selectattr" or "rejectattr", Style: FilterStyle.Pipe, Value: not null }
            || inner.Args.DynArgs is not null || inner.Args.DynKwargs is not null || !IsBuiltinFilter(inner.Name)
            || BuiltinFilters.CheckArguments(inner.Name, inner.Args.Positional.Count, inner.Args.Named.Select(kv => kv.Key).ToList()) is not null) return null;
        return inner;
    }

    /// <summary><c>xs|select('even')|list|length</c> (odd, divisibleby(k); reject) as a <c>long</c> counted over the list's remainders.</summary>
    private E? FusedDivisibleCount(FilterExpr f)
    {
        if (CountedSelection(f) is not { } inner || DivisibilityTest(inner) is not { } test) return null;
        return E.Block(typeof(long), SetPos(inner.Pos),
            Helper(H.CountDivisible, _fn.Rs, Helper(H.UseValue, EmitExpr(inner.Value!)), BuildArgs(inner.Args),
                E.Constant(test.Divisor), E.Constant(test.Divisible), E.Constant(inner.Name == "select")));
    }

    /// <summary>
    /// <c>select</c>/<c>reject</c> (the built-in filters) whose test is the built-in <c>even</c>, <c>odd</c> or
    /// <c>divisibleby(k)</c> with a literal k ≥ 1: the divisor and whether a kept item divides by it (for the selection
    /// helpers, which test a list of ints by its remainders); null for any other test or form.
    /// </summary>
    private (long Divisor, bool Divisible)? DivisibilityTest(FilterExpr f)
    {
        if (f is not { Name: "select" or "reject", Style: FilterStyle.Pipe } || !IsBuiltinFilter(f.Name)
            || f.Args is not { Named.Count: 0, DynArgs: null, DynKwargs: null }
            || f.Args.Positional.Count is not (1 or 2) || f.Args.Positional[0] is not ConstExpr { Value: string test }
            || !_tests.TryGetValue(test, out var fn) || !Predicates.BuiltinTests.All.TryGetValue(test, out var builtin) || !ReferenceEquals(fn, builtin))
            return null;
        var divisor = f.Args.Positional.Count == 2 ? (f.Args.Positional[1] as ConstExpr)?.Value : null;
        return (test, f.Args.Positional.Count, divisor) switch
        {
            ("even", 1, _) => (2L, true),
            ("odd", 1, _) => (2L, false),
            ("divisibleby", 2, long k) when k >= 1 => (k, true),
            _ => null,
        };
    }

    /// <summary><c>s.split(sep)|length</c> with the built-in filter: the parts counted, not built (PyMethods.SplitLength).</summary>
    private E? FusedSplitLength(FilterExpr f) => FusedSplit(f, H.SplitLength, typeof(object));

    /// <summary><see cref="FusedSplitLength"/> as a <c>long</c> (PyMethods.SplitCount), for printing without a box.</summary>
    private E? FusedSplitCount(FilterExpr f) => FusedSplit(f, H.SplitCount, typeof(long));

    private E? FusedSplit(FilterExpr f, System.Reflection.MethodInfo counter, Type type)
    {
        if (CountedSplit(f) is not { Callee: GetAttrExpr split } call) return null;
        var target = EmitExpr(split.Target);
        var args = BuildArgs(call.Args);
        return E.Block(type, SetPos(call.Pos), Helper(counter, _fn.Rs, target, args));
    }

    /// <summary>The <c>s.split(sep)</c> call that <paramref name="f"/> (the built-in length or count) counts, or null.</summary>
    private CallExpr? CountedSplit(FilterExpr f) =>
        f is { Name: "length" or "count", Style: FilterStyle.Pipe, Args.IsEmpty: true, Value: CallExpr { Callee: GetAttrExpr { Optional: false, Name: "split" } } call }
        && IsBuiltinFilter(f.Name) && call.Args is { Named.Count: 0, DynArgs: null, DynKwargs: null, Positional.Count: <= 1 }
            ? call
            : null;

    private bool IsBuiltinFilter(string name) =>
        _filters.TryGetValue(name, out var fn) && BuiltinFilters.All.TryGetValue(name, out var builtin) && ReferenceEquals(fn, builtin);

    /// <summary>Whether the environment's filter (or, with <paramref name="filter"/> false, test) of that name is the built-in one.</summary>
    private bool IsBuiltin(string name, bool filter) =>
        filter ? IsBuiltinFilter(name)
            : _tests.TryGetValue(name, out var fn) && Predicates.BuiltinTests.All.TryGetValue(name, out var builtin) && ReferenceEquals(fn, builtin);

    /// <summary>
    /// The count <c>|length</c> gives of <paramref name="counted"/> (emitted as <paramref name="emitted"/>, when given):
    /// of <c>x|list</c> (the built-in filter, no arguments) the count of x's items without the list
    /// (<see cref="Filters.BuiltinFilters.ListedLength"/>), of anything else <see cref="Iteration.Length"/>.
    /// </summary>
    private E Count(Expr counted, E? emitted = null) =>
        counted is FilterExpr { Name: "list", Style: FilterStyle.Pipe, Args.IsEmpty: true, Value: { } listed } && IsBuiltinFilter("list")
            ? E.Block(typeof(int), SetPos(counted.Pos), Helper(H.ListedLength, _fn.Rs, Helper(H.UseValue, EmitExpr(listed))))
            : Helper(H.Length, Helper(H.UseValue, emitted ?? EmitExpr(counted)));

    /// <summary>Arguments that are all literals (strings, numbers, booleans, none), as one constant; otherwise null.</summary>
    private static E? ConstantArgs(Arguments args)
    {
        if (args.IsEmpty || args.DynArgs is not null || args.DynKwargs is not null) return null;
        static bool Literal(Expr e) => e is ConstExpr { Value: null or string or long or double or bool or decimal or System.Numerics.BigInteger };
        if (!args.Positional.All(Literal) || !args.Named.All(kv => Literal(kv.Value))) return null;
        var positional = args.Positional.Select(e => ((ConstExpr)e).Value).ToArray();
        var named = args.Named.Count == 0 ? null : args.Named.Select(kv => new KeyValuePair<string, object?>(kv.Key, ((ConstExpr)kv.Value).Value)).ToArray();
        return E.Constant(new CallArgs(positional, named));
    }

    /// <summary>
    /// Method calls bound now: <c>x.startswith(p)</c> / <c>x.endswith(p)</c> (PyMethods.CallAffix) and <c>d.get(k[, default])</c>
    /// (PyMethods.CallGet) and <c>xs.count(v)</c> (PyMethods.CallCount) with positional arguments; null for any other call.
    /// </summary>
    /// <summary>Method names with calls of their own (BoundMethodCall, the printed join of strings): not taken as an imported macro's.</summary>
    private static bool IsBoundMethodName(string name) => name is "startswith" or "endswith" or "get" or "count" or "join";

    private E? BoundMethodCall(CallExpr call)
    {
        if (call.Callee is not GetAttrExpr { Optional: false } ga || call.Args is not { Named.Count: 0, DynArgs: null, DynKwargs: null } args) return null;
        return ga.Name switch
        {
            "startswith" or "endswith" when args.Positional.Count == 1 =>
                Helper(H.CallAffix, _fn.Rs, EmitExpr(ga.Target), E.Constant(ga.Name == "startswith"), BuildArgs(args)),
            "get" when args.Positional.Count is 1 or 2 => Helper(H.CallGet, _fn.Rs, EmitExpr(ga.Target), BuildArgs(args)),
            "count" when args.Positional.Count == 1 => Helper(H.CallCount, _fn.Rs, EmitExpr(ga.Target), BuildArgs(args)),
            _ => null,
        };
    }

    /// <summary>A call; with <paramref name="write"/>, a statement printing the result (a macro renders straight into the output).</summary>
    private E EmitCall(CallExpr call, E? caller, bool write = false)
    {
        if (write)
        {
            var isSpecial = call.Callee is NameExpr { Name: "super" or "has_slot" } special && FindLocal(special.Name, _fn.Scope) is null
                || call.Callee is GetAttrExpr { Optional: true };
            if (!isSpecial && caller is null && call.Callee is not GetAttrExpr && call.Args is { Named.Count: 0, DynArgs: null, DynKwargs: null, Positional.Count: 1 or 2 } pa)
            {
                var p = pa.Positional;
                return p.Count == 1
                    ? E.Block(SetPos(call.Pos), Helper(H.WriteCall1, _fn.Rs, _fn.Out, EmitExpr(call.Callee), EmitExpr(p[0]), _fn.Escape, E.Constant(new MacroCallSite())))
                    : E.Block(SetPos(call.Pos), Helper(H.WriteCall2, _fn.Rs, _fn.Out, EmitExpr(call.Callee), EmitExpr(p[0]), EmitExpr(p[1]), _fn.Escape, E.Constant(new MacroCallSite())));
            }
            // m.name(a) / m.name(a, b): an imported macro without an argument list (Calls.WriteMethodCall1), inlined at tier-up
            if (!isSpecial && caller is null && call.Callee is GetAttrExpr { Optional: false } mga && !IsBoundMethodName(mga.Name)
                && call.Args is { Named.Count: 0, DynArgs: null, DynKwargs: null, Positional.Count: 1 or 2 } ma)
            {
                var p = ma.Positional;
                return p.Count == 1
                    ? E.Block(SetPos(call.Pos), Helper(H.WriteMethodCall1, _fn.Rs, _fn.Out, EmitExpr(mga.Target), E.Constant(mga.Name), EmitExpr(p[0]), _fn.Escape, E.Constant(new MacroCallSite())))
                    : E.Block(SetPos(call.Pos), Helper(H.WriteMethodCall2, _fn.Rs, _fn.Out, EmitExpr(mga.Target), E.Constant(mga.Name), EmitExpr(p[0]), EmitExpr(p[1]), _fn.Escape, E.Constant(new MacroCallSite())));
            }
            if (!isSpecial && caller is null && BoundMethodCall(call) is { } bound)
                return E.Block(SetPos(call.Pos), E.Call(_fn.Out, H.OutputWriteValue, bound, _fn.Escape));
            // 'sep'.join(xs): a model list of strings written piece by piece (BuiltinFilters.WriteStrJoin)
            if (!isSpecial && caller is null && call is { Callee: GetAttrExpr { Optional: false, Name: "join", Target: ConstExpr { Value: string sep } },
                    Args: { Named.Count: 0, DynArgs: null, DynKwargs: null, Positional: [var joined] } })
                return E.Block(SetPos(call.Pos), Helper(H.WriteStrJoin, _fn.Rs, _fn.Out, E.Constant(sep), EmitExpr(joined), _fn.Escape));
            if (!isSpecial)
            {
                var wargs = BuildArgs(call.Args, caller is null ? null : E.Constant("caller"), caller);
                if (call.Callee is GetAttrExpr { Optional: false } wga)
                    return E.Block(SetPos(call.Pos), Helper(H.WriteMethodCall, _fn.Rs, _fn.Out, EmitExpr(wga.Target), E.Constant(wga.Name), wargs, _fn.Escape));
                return E.Block(SetPos(call.Pos), Helper(H.WriteCall, _fn.Rs, _fn.Out, EmitExpr(call.Callee), wargs, _fn.Escape));
            }
            return E.Call(_fn.Out, H.OutputWriteValue, E.Convert(EmitCall(call, caller), typeof(object)), _fn.Escape);
        }
        if (caller is null && BoundMethodCall(call) is { } boundCall)
            return E.Block(SetPos(call.Pos), boundCall);
        var args = BuildArgs(call.Args, caller is null ? null : E.Constant("caller"), caller);
        var pos = SetPos(call.Pos);
        if (call.Callee is NameExpr { Name: "super" } && FindLocal("super", _fn.Scope) is null)
        {
            if (_fn.BlockName is null) throw Error("super() is only available inside a block", call.Pos);
            return E.Block(pos, Helper(H.Super, _fn.Rs, _fn.Ctx, E.Constant(_ct), E.Constant(_fn.BlockName)));
        }
        if (call.Callee is NameExpr { Name: "has_slot" } && FindLocal("has_slot", _fn.Scope) is null && _fn.Caller is not null)
            return Helper(H.HasSlot, _fn.Caller, args);
        if (call.Callee is GetAttrExpr { Optional: true } oga)
            return E.Block(pos, Helper(H.CallMethodOptional, _fn.Rs, EmitExpr(oga.Target), E.Constant(oga.Name), args));
        if (call.Callee is GetAttrExpr { Optional: false } ga)
            return E.Block(pos, Helper(H.CallMethod, _fn.Rs, EmitExpr(ga.Target), E.Constant(ga.Name), args));
        // inside an {% autoescape %} block a macro's result is safe exactly where the block autoescapes (Jinja2 decides
        // by the call site's eval context, not by where the macro was defined)
        if (_fn.Escape is not ConstantExpression { Value: bool fixedEscape } || fixedEscape != _ct.Autoescape)
            return E.Block(pos, Helper(H.CallAtEscape, _fn.Rs, EmitExpr(call.Callee), args, _fn.Escape));
        return E.Block(pos, Helper(H.Call, _fn.Rs, EmitExpr(call.Callee), args));
    }

    private E EmitFilter(FilterExpr f)
    {
        if (f.Value is null) throw Error("Filter without a value", f.Pos);
        if (f.Name is "default" or "d" && f.Style == FilterStyle.Pipe)
        {
            var guarded = Guarded(f.Value, out var v);
            return E.Block(typeof(object), [v], guarded, DirectDefault(f, v) ?? ApplyFilter(f, v));
        }
        if (f.Style is FilterStyle.OptionalPipe or FilterStyle.OptionalPipeline)
        {
            var v = E.Variable(typeof(object), "value");
            return E.Block(typeof(object), [v],
                E.Assign(v, EmitExpr(f.Value)),
                E.Condition(E.Equal(v, NullObject), NullObject, ApplyFilter(f, v), typeof(object)));
        }
        return ApplyFilter(f, EmitExpr(f.Value));
    }

    /// <summary>
    /// <c>x|default</c> or <c>x|default(expr)</c> with the built-in filter: the fallback when the value is undefined or
    /// None, else the value, with no call and no argument list (an argument that is not a literal is evaluated first, as
    /// the call would evaluate it); other forms take the filter.
    /// </summary>
    private E? DirectDefault(FilterExpr f, ParameterExpression value)
    {
        if (!IsBuiltinFilter(f.Name) || f.Args is not { DynArgs: null, DynKwargs: null, Named.Count: 0, Positional.Count: <= 1 }) return null;
        var test = E.OrElse(E.Equal(value, NullObject), E.TypeIs(value, typeof(Undefined)));
        // (no argument: the filter's own default_value, '')
        if (f.Args.Positional is not [var argument])
            return E.Block(typeof(object), SetPos(f.Pos), E.Condition(test, E.Constant("", typeof(object)), value, typeof(object)));
        if (argument is ConstExpr)
            return E.Block(typeof(object), SetPos(f.Pos), E.Condition(test, E.Convert(EmitExpr(argument), typeof(object)), value, typeof(object)));
        var fallback = E.Variable(typeof(object), "fallback");
        return E.Block(typeof(object), [fallback],
            E.Assign(fallback, E.Convert(EmitExpr(argument), typeof(object))),
            E.Block(typeof(object), SetPos(f.Pos), E.Condition(test, fallback, value, typeof(object))));
    }

    private E ApplyFilter(FilterExpr f, E value)
    {
        if (!_filters.TryGetValue(f.Name, out var fn))
        {
            var hint = Suggest.Closest(f.Name, _filters.Keys);
            throw _ct.Source.WithPosition(new TemplateSyntaxException($"No filter named '{f.Name}'", ErrorCodes.InvalidFilter, _ct.Name,
                hint: hint is null ? null : $"did you mean '{hint}'?"), f.Pos);
        }
        if (f.Args.DynArgs is null && f.Args.DynKwargs is null
            && BuiltinFilters.All.TryGetValue(f.Name, out var builtin) && ReferenceEquals(builtin, fn)
            && BuiltinFilters.CheckArguments(f.Name, f.Args.Positional.Count, f.Args.Named.Select(kv => kv.Key).ToList()) is { } problem)
        {
            // Python raises TypeError when the call runs: evaluate the operands, then fail
            return E.Block(typeof(object), SetPos(f.Pos), E.Convert(value, typeof(object)), BuildArgs(f.Args),
                E.Throw(Helper(H.ArgumentError, E.Constant(problem)), typeof(object)));
        }
        if (FusedCount(f) is { } fused) return fused;
        if (FusedChunkCount(f) is { } chunks) return chunks;
        if (FusedSplitLength(f) is { } splitLength) return splitLength;
        // x|length / x|count (the built-in, no arguments): the count as a number, no filter call (tier-up types it on a
        // string or list member, so x.name|length > 7 compares integers)
        if (f is { Name: "length" or "count", Style: FilterStyle.Pipe, Args.IsEmpty: true, Value: { } counted } && IsBuiltinFilter(f.Name) && CountedSelection(f) is null)
            return E.Block(typeof(object), SetPos(f.Pos), Helper(H.BoxLong, E.Convert(Count(counted, value), typeof(long))));
        // a strict undefined value reaching a filter fails here (only default/d accept it)
        if (f.Name is not ("default" or "d" or "items" or "pprint")) value = Helper(H.UseValue, value);
        // x|attr('name'): a member read through a getter cached at the site, no filter call
        if (f is { Name: "attr", Args: { Named.Count: 0, DynArgs: null, DynKwargs: null, Positional: [ConstExpr { Value: string attrName }] } } && IsBuiltinFilter("attr"))
            return E.Block(typeof(object), SetPos(f.Pos), Helper(H.AttrAt, _fn.Rs, value, E.Constant(attrName), E.Constant(new MemberSite())));
        var call = E.Invoke(E.Constant(fn), _fn.Rs, E.Convert(value, typeof(object)), BuildArgs(f.Args));
        if (BuiltinFilters.NeedEvalContext.Contains(f.Name))
        {
            // operands first (they may call macros that change it), then the flag, then the filter
            var operand = E.Variable(typeof(object), "operand");
            var args = E.Variable(typeof(CallArgs), "args");
            return E.Block(typeof(object), [operand, args], SetPos(f.Pos),
                E.Assign(operand, E.Convert(value, typeof(object))),
                E.Assign(args, BuildArgs(f.Args)),
                E.Assign(E.Field(_fn.Rs, H.RenderStateEvalAutoescape), _fn.Escape),
                E.Invoke(E.Constant(fn), _fn.Rs, operand, args));
        }
        return E.Block(typeof(object), SetPos(f.Pos), call);
    }

    private static readonly HashSet<string> TypeOnlyTests = new(StringComparer.Ordinal)
        { "none", "string", "number", "integer", "float", "mapping", "boolean", "true", "false", "sameas", "escaped", "callable", "sequence" };

    private E EmitTest(TestExpr t) => BoxBool(TestCondition(t));

    /// <summary>A test as a bool.</summary>
    private E TestCondition(TestExpr t)
    {
        E result;
        if (t.Name is "defined" or "undefined")
        {
            var guarded = Guarded(t.Value, out var v);
            E test = Helper(H.IsDefined, v);
            if (t.Name == "undefined") test = E.Not(test);
            result = E.Block(typeof(bool), [v], guarded, test);
        }
        else
        {
            if (!_tests.TryGetValue(t.Name, out var fn))
            {
                var hint = Suggest.Closest(t.Name, _tests.Keys);
                throw _ct.Source.WithPosition(new TemplateSyntaxException($"No test named '{t.Name}'", ErrorCodes.InvalidTest, _ct.Name,
                    hint: hint is null ? null : $"did you mean '{hint}'?"), t.Pos);
            }
            // a strict undefined fails any test that looks at its value; type checks answer as Jinja2 does
            var operand = EmitExpr(t.Value);
            if (!TypeOnlyTests.Contains(t.Name)) operand = Helper(H.UseValue, operand);
            result = DirectTest(t, fn, operand) ?? E.Invoke(E.Constant(fn), _fn.Rs, operand, BuildArgs(t.Args));
        }
        if (t.Negated) result = E.Not(result);
        return result;
    }

    /// <summary>
    /// A built-in test the template did not replace, with its usual positional arguments, as a direct call (no argument
    /// array, no delegate): divisibleby, even, odd, none, in, the comparison tests and the type tests.
    /// </summary>
    private E? DirectTest(TestExpr t, TestFn fn, E operand)
    {
        if (!Predicates.BuiltinTests.All.TryGetValue(t.Name, out var builtin) || !ReferenceEquals(builtin, fn)) return null;
        var args = t.Args;
        if (args.Named.Count != 0 || args.DynArgs is not null || args.DynKwargs is not null) return null;
        if (args.Positional.Count == 0)
            return t.Name switch
            {
                "even" => Helper(H.Even, operand),
                "odd" => Helper(H.Odd, operand),
                "none" => E.Equal(E.Convert(operand, typeof(object)), NullObject),
                "boolean" => Helper(H.TestBoolean, operand),
                "number" => Helper(H.TestNumber, operand),
                "integer" => Helper(H.TestInteger, operand),
                "float" => Helper(H.TestFloat, operand),
                "string" => Helper(H.TestString, operand),
                "mapping" => Helper(H.TestMappingAt, operand, E.Constant(new Predicates.TypeAnswer())),
                "sequence" => Helper(H.TestSequenceAt, operand, E.Constant(new Predicates.TypeAnswer())),
                "iterable" => Helper(H.TestIterableAt, operand, E.Constant(new Predicates.TypeAnswer())),
                "true" => Helper(H.TestTrue, operand),
                "false" => Helper(H.TestFalse, operand),
                _ => null,
            };
        if (args.Positional.Count != 1) return null;
        var helper = t.Name switch
        {
            "divisibleby" => H.DivisibleBy,
            "in" => H.FastIn,
            "eq" or "equalto" or "==" => H.FastEq,
            "ne" or "!=" => H.FastNe,
            "lt" or "lessthan" or "<" => H.FastLt,
            "le" or "<=" => H.FastLe,
            "gt" or "greaterthan" or ">" => H.FastGt,
            "ge" or ">=" => H.FastGe,
            _ => null,
        };
        return helper is null ? null : Helper(helper, operand, EmitExpr(args.Positional[0]));
    }

    // ------------------------------------------------------------------ macros, call blocks, slots

    private E EmitMacro(MacroStmt m)
    {
        // defs declare *rest/**opts by name; Jinja macros collect extras into the special names varargs/kwargs when read
        var ordinary = m.Parameters.Where(p => p.Star == 0).ToList();
        var varargsName = m.Parameters.FirstOrDefault(p => p.Star == 1)?.Name
            ?? (!m.IsDef && _bound.UsesName(m.Body, "varargs") && ordinary.All(p => p.Name != "varargs") ? "varargs" : null);
        var kwargsName = m.Parameters.FirstOrDefault(p => p.Star == 2)?.Name
            ?? (!m.IsDef && _bound.UsesName(m.Body, "kwargs") && ordinary.All(p => p.Name != "kwargs") ? "kwargs" : null);
        var usesVarargs = varargsName is not null;
        var usesKwargs = kwargsName is not null;
        var facts = _bound.Macro(m);
        var usesCaller = m.IsDef || facts.UsesCaller;
        var lets = m.IsDef ? facts.Lets : [];
        var names = ordinary.Select(p => p.Name).ToArray();
        if (_fn.Parent is null && _fn.Scope is { IsRoot: true, Parent: null, Vars.Count: 0 } && _fn.Escape is ConstantExpression { Value: bool escapeValue })
        {
            // a top-level macro sees no enclosing locals: compile its body once, bind the defining context per render
            var ctxParam = E.Parameter(typeof(Context), "definingCtx");
            MacroCode shared;
            if (ordinary.Count <= 2 && !usesVarargs && !usesKwargs && !usesCaller)
            {
                // at most two parameters and nothing collected: the arguments arrive as parameters, no array
                ParameterExpression[] positional = [E.Parameter(typeof(object), "a0"), E.Parameter(typeof(object), "a1")];
                var positionalBody = EmitFunctionBody(m.Body, ordinary, null, null, false, m.IsDef, lets, out var prs, out _, out var poutput, ctxParam, positional);
                var positionalLambda = E.Lambda<Action<RenderState, Context, object?, object?, Output>>(positionalBody, prs, ctxParam, positional[0], positional[1], poutput);
                shared = CompilePositionalMacroBody(positionalLambda);
                // a caller compiled to IL later may inline this body (only tiering compiles callers that way)
                if (_env.Options is { TieredCompilation: true, PreferInterpretation: false })
                    (shared.InlineBody, shared.Name, shared.Arity) = (positionalLambda, m.Name, ordinary.Count);
            }
            else
            {
                var sharedBody = EmitFunctionBody(m.Body, ordinary, varargsName, kwargsName, usesCaller, m.IsDef, lets, out var srs, out var sargs, out var soutput, ctxParam);
                shared = CompileMacroBody(E.Lambda<Action<RenderState, Context, object?[], Output>>(sharedBody, srs, ctxParam, sargs, soutput));
            }
            var prototype = new Macro(m.Name, names, usesVarargs, usesKwargs, usesCaller, escapeValue, shared, null!)
            {
                Check = Checking.CallCheck.For(_env.Options, _ct.Source, m),
            };
            return E.Call(_fn.Ctx, H.ContextBindMacro, E.Constant(prototype));
        }
        var body = EmitFunctionBody(m.Body, ordinary, varargsName, kwargsName, usesCaller, m.IsDef, lets, out var rs, out var args, out var output);
        var lambda = E.Lambda<Action<RenderState, object?[], Output>>(body, rs, args, output);
        var ctor = H.NewMacro;
        var macro = E.New(ctor, E.Constant(m.Name), E.Constant(names), E.Constant(usesVarargs), E.Constant(usesKwargs),
            E.Constant(usesCaller), _fn.Escape, lambda);
        // KidaOptions.ValidateCalls/CheckTypes: the macro checks its calls' arguments (Checking.CallCheck)
        return Checking.CallCheck.For(_env.Options, _ct.Source, m) is { } check
            ? E.MemberInit(macro, E.Bind(typeof(Macro).GetProperty(nameof(Macro.Check), System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!, E.Constant(check)))
            : macro;
    }

    /// <summary>A macro-like function body: binds parameters (evaluating defaults) and renders into the given output.</summary>
    private E EmitFunctionBody(IReadOnlyList<Stmt> stmts, IReadOnlyList<Parameter> parameters, string? varargs, string? kwargs, bool caller,
        bool strictArgs, IReadOnlyList<string> lets, out ParameterExpression rs, out ParameterExpression args, out ParameterExpression output, ParameterExpression? ownCtx = null,
        ParameterExpression[]? positional = null)
    {
        rs = E.Parameter(typeof(RenderState), "rs");
        args = E.Parameter(typeof(object[]), "args");
        output = E.Parameter(typeof(Output), "out");
        var saved = _fn;
        // with ownCtx the body is a function of its own (no enclosing locals): the defining context is a parameter
        var inner = new FunctionFrame(rs, ownCtx ?? _fn.Ctx, output, ownCtx is null ? _fn : null, _fn.Escape);
        _fn = inner;
        try
        {
            var extra = parameters.Select(p => p.Name).ToList();
            if (varargs is not null) extra.Add(varargs);
            if (kwargs is not null) extra.Add(kwargs);
            // a declared caller parameter (caller=none) receives {% call %}'s caller itself: no implicit caller local
            if (caller && extra.Contains("caller")) caller = false;
            if (caller) extra.Add("caller");
            // kida-spec 3.8: let/export inside a def write the call's private variables
            var defLets = new List<string>(lets);
            defLets.RemoveAll(extra.Contains);
            defLets = defLets.Distinct().ToList();
            extra.AddRange(defLets);
            if (defLets.Count > 0) inner.DefLets = [.. defLets];
            var argsLocal = args;
            var rsLocal = rs;
            var n = parameters.Count;
            var scopeOuter = ownCtx is null ? saved.Scope : null;
            inner.Scope = scopeOuter!;
            var body = WithScope(stmts, scope =>
            {
                var exprs = new List<E>();
                for (var i = 0; i < n; i++)
                {
                    var p = parameters[i];
                    var v = scope.Vars[p.Name];
                    E raw = positional is not null ? positional[i] : E.ArrayIndex(argsLocal, E.Constant(i));
                    var missing = E.ReferenceEqual(raw, E.Constant(Macro.Missing));
                    E fallback = p.Default is null
                        ? Helper(H.MissingArgument, rsLocal, E.Constant(p.Name), E.Constant(strictArgs))
                        : EmitExpr(p.Default);
                    exprs.Add(E.Assign(v, E.Condition(missing, fallback, raw, typeof(object))));
                }
                foreach (var let in defLets)
                    exprs.Add(E.Assign(scope.Vars[let], E.Call(inner.Ctx, H.ContextResolve, E.Constant(let))));
                if (varargs is not null) exprs.Add(E.Assign(scope.Vars[varargs], E.ArrayIndex(argsLocal, E.Constant(n))));
                if (kwargs is not null) exprs.Add(E.Assign(scope.Vars[kwargs], E.ArrayIndex(argsLocal, E.Constant(n + 1))));
                if (caller)
                {
                    exprs.Add(E.Assign(scope.Vars["caller"], Helper(H.CallerOrUndefined, rsLocal, E.ArrayIndex(argsLocal, E.Constant(n + 2)))));
                    inner.Caller = scope.Vars["caller"];
                }
                exprs.Add(EmitScopeBody(stmts, scope));
                return E.Block(typeof(void), exprs);
            }, extra, initFromOuter: false);
            return WrapFunction(body);
        }
        finally
        {
            _fn = saved;
        }
    }

    private E EmitCallBlock(CallBlockStmt cb) => EmitCall(cb.Call, EmitCallerMacro(cb), write: true);

    private E EmitCallerMacro(CallBlockStmt cb)
    {
        // default slot / Jinja caller(args): a macro whose body is the call block's content
        var body = EmitFunctionBody(cb.Body, cb.CallerParameters, null, null, false, false, [], out var rs, out var args, out var output);
        var lambda = E.Lambda<Action<RenderState, object?[], Output>>(body, rs, args, output);
        var defaultSlot = EmitSlotFunction(cb.Body);
        var slots = cb.Slots.Select(kv => (kv.Key, Fn: EmitSlotFunction(kv.Value))).ToList();
        var names = cb.CallerParameters.Select(p => p.Name).ToArray();
        return Helper(H.MakeCaller, E.Constant(names), _fn.Escape, lambda, defaultSlot,
            EmittedArrays.Of(typeof(string), slots.Select(s => E.Constant(s.Key))),
            EmittedArrays.Of(typeof(Func<RenderState, Dictionary<string, object?>?, string>), slots.Select(s => s.Fn)));
    }

    /// <summary>A slot body: rendered in the caller's scope, with scoped bindings visible as variables.</summary>
    private E EmitSlotFunction(IReadOnlyList<Stmt> stmts)
    {
        var rs = E.Parameter(typeof(RenderState), "rs");
        var bindings = E.Parameter(typeof(Dictionary<string, object?>), "bindings");
        var saved = _fn;
        var slotCtx = E.Variable(typeof(Context), "slotCtx");
        var inner = new FunctionFrame(rs, slotCtx, E.Variable(typeof(Output), "out"), _fn, _fn.Escape) { Caller = null };
        inner.Scope = saved.Scope;
        _fn = inner;
        try
        {
            var body = WithScope(stmts, scope => EmitScopeBody(stmts, scope));
            var withCtx = E.Block(typeof(void), [slotCtx],
                E.Assign(slotCtx, Helper(H.SlotContext, saved.Ctx, bindings)),
                body);
            return E.Lambda<Func<RenderState, Dictionary<string, object?>?, string>>(CaptureBody(inner.Out, WrapFunction(withCtx)), rs, bindings);
        }
        finally
        {
            _fn = saved;
        }
    }

    private E EmitSlot(SlotStmt slot)
    {
        var caller = _fn.Caller ?? FindLocal("caller", _fn.Scope);
        E bindings = slot.Bindings.Count == 0
            ? E.Constant(null, typeof(Dictionary<string, object?>))
            : Helper(H.MakeLocals, EmittedArrays.Of(typeof(string), slot.Bindings.Select(b => E.Constant(b.Key))),
                EmittedArrays.Of(typeof(object), slot.Bindings.Select(b => EmitExpr(b.Value))));
        E fallback = E.Empty();
        if (slot.DefaultBody is not null)
        {
            // without a caller the default body renders, seeing the scoped bindings as variables
            var values = slot.Bindings.Select(b => (b.Key, Value: EmitExpr(b.Value))).ToList();
            fallback = WithScope(slot.DefaultBody, sc =>
            {
                var exprs = values.Select(v => (E)E.Assign(sc.Vars[v.Key], v.Value)).ToList();
                exprs.Add(EmitScopeBody(slot.DefaultBody, sc));
                return E.Block(typeof(void), exprs);
            }, slot.Bindings.Select(b => b.Key));
        }
        if (caller is null) return fallback;
        return E.Block(SetPos(slot.Pos),
            E.IfThenElse(Helper(H.IsMissing, caller),
                fallback,
                E.Call(_fn.Out, H.OutputWriteString, Helper(H.RenderSlot, _fn.Rs, caller, E.Constant(slot.Name, typeof(string)), bindings))));
    }
}
