using System.Linq.Expressions;
using Kida.Runtime;

namespace Kida.Compilation;

/// <summary>
/// After <see cref="SiteInliner"/>: a template variable assigned a typed result (<c>{% set y = x.id * 2 %}</c>, which
/// tier-up made <c>y = guard ? Box(long) : generic</c>; a typed member read; the left operand of a printed or/and) keeps
/// the number or bool unboxed beside it. The variable gets a shadow
/// value and a flag saying the shadow is current: the typed assignment sets the shadow (no box) and empties the
/// variable, any other assignment clears the flag, <c>{{ y }}</c> prints the shadow directly, a truth test reads it, and
/// any other read first boxes the shadow into the empty variable once (so every later read sees the same object, as
/// before; the shadow stays current for prints and tests). A variable a nested function reads or writes is
/// left alone. Output and values are what the boxed variable gives.
/// </summary>
internal static class TypedLocals
{
    public static Expression<TDelegate> Rewrite<TDelegate>(Expression<TDelegate> lambda) where TDelegate : Delegate
    {
        var survey = new Survey();
        survey.Visit(lambda.Body);
        var shadows = new Dictionary<ParameterExpression, Shadow>();
        foreach (var (variable, type) in survey.Typed)
            if (type is not null && !survey.Excluded.Contains(variable) && survey.Declared.Contains(variable))
                shadows[variable] = new Shadow(Expression.Variable(type, variable.Name + "_value"), Expression.Variable(typeof(bool), variable.Name + "_typed"));
        return shadows.Count == 0 ? lambda : (Expression<TDelegate>)new Rewriter(shadows).Visit(lambda)!;
    }

    private sealed record Shadow(ParameterExpression Value, ParameterExpression IsTyped);

    /// <summary>
    /// A value SiteInliner made typed: <c>guard ? Box(v) : generic</c> (an operation), or a member read
    /// <c>{ obj = src; obj is T ? Box(((T)obj).M) : generic }</c>, where the box is of a long, int, double or bool. Gives
    /// the unboxed value's type and a builder of the same choice as a statement: the typed branch stores v, the other
    /// stores the generic value.
    /// </summary>
    private sealed record Choice(Type Type, Func<Func<Expression, Expression>, Func<Expression, Expression>, Func<Expression, Expression>, Expression> Build);

    private static Choice? TypedChoice(Expression e)
    {
        while (e is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) e = c.Operand;
        if (e is BlockExpression { Variables: [var obj], Expressions: [BinaryExpression { NodeType: ExpressionType.Assign, Left: var target } load, ConditionalExpression inner] } block
            && target == obj && block.Type == typeof(object) && Unboxed(inner.IfTrue) is { } read)
            return new Choice(read.Type, (visit, typed, generic) => Expression.Block(typeof(void), [obj], visit(load),
                Expression.IfThenElse(visit(inner.Test), typed(visit(read)), generic(visit(inner.IfFalse)))));
        if (e is ConditionalExpression { Type: var t } choice && t == typeof(object) && Unboxed(choice.IfTrue) is { } value)
            return new Choice(value.Type, (visit, typed, generic) => Expression.IfThenElse(visit(choice.Test), typed(visit(value)), generic(visit(choice.IfFalse))));
        return null;
    }

    /// <summary>The unboxed value inside the boxes SiteInliner uses (Boxes.Long, Boxes.Int, a double converted, a bool's two boxes).</summary>
    private static Expression? Unboxed(Expression e) => e switch
    {
        MethodCallExpression call when call.Method == RuntimeMethods.BoxLong || call.Method == RuntimeMethods.BoxInt => call.Arguments[0],
        // (a double; a decimal or date a loop's lane unboxed, Emitter.ValueLane, kept so a read boxes it only when needed)
        UnaryExpression { NodeType: ExpressionType.Convert, Operand.Type: var ot } convert when ot == typeof(double) || ot == typeof(decimal) || ot == typeof(DateTime) => convert.Operand,
        ConditionalExpression { IfTrue: ConstantExpression { Value: var yes }, IfFalse: ConstantExpression { Value: var no }, Test: var test }
            when ReferenceEquals(yes, Boxes.True) && ReferenceEquals(no, Boxes.False) => test,
        _ => null,
    };

    /// <summary>Which object variables are assigned a typed choice (and of which type), which are declared by a block, and which must be left alone.</summary>
    private sealed class Survey : ExpressionVisitor
    {
        public readonly Dictionary<ParameterExpression, Type?> Typed = new();
        public readonly HashSet<ParameterExpression> Excluded = new();
        public readonly HashSet<ParameterExpression> Declared = new();
        private int _nested;

        protected override Expression VisitBlock(BlockExpression node)
        {
            if (_nested == 0) foreach (var v in node.Variables) Declared.Add(v);
            return base.VisitBlock(node);
        }

        protected override Expression VisitLambda<T>(Expression<T> node)
        {
            _nested++;
            try { return base.VisitLambda(node); }
            finally { _nested--; }
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            if (_nested > 0) Excluded.Add(node);
            return node;
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            // a variable passed by reference could be written unseen
            var ps = node.Method.GetParameters();
            for (var i = 0; i < ps.Length; i++)
                if (ps[i].ParameterType.IsByRef && node.Arguments[i] is ParameterExpression p) Excluded.Add(p);
            return base.VisitMethodCall(node);
        }

        protected override Expression VisitBinary(BinaryExpression node)
        {
            if (node.NodeType == ExpressionType.Assign && node.Left is ParameterExpression { Type: var t } v && t == typeof(object))
            {
                var typed = TypedChoice(node.Right)?.Type;
                // every typed assignment of one variable must agree on the type; untyped ones are fine (they clear the flag)
                if (typed is not null)
                    Typed[v] = Typed.TryGetValue(v, out var known) && known != typed ? null : typed;
            }
            else if (node.NodeType != ExpressionType.Assign && node.Left is ParameterExpression left && node.Left.Type == typeof(object)
                     && node.NodeType is ExpressionType.AddAssign or ExpressionType.SubtractAssign or ExpressionType.MultiplyAssign or ExpressionType.DivideAssign)
                Excluded.Add(left);
            return base.VisitBinary(node);
        }
    }

    private sealed class Rewriter(Dictionary<ParameterExpression, Shadow> shadows) : ExpressionVisitor
    {
        // whether the block being entered is a statement (its value unused): set by the enclosing block for each of its
        // expressions, cleared on the way into anything that is not a block
        private bool _statement;

        public override Expression? Visit(Expression? node)
        {
            if (node is BlockExpression) return base.Visit(node);
            var saved = _statement;
            _statement = false;
            try { return base.Visit(node); }
            finally { _statement = saved; }
        }

        private Expression V(Expression e) => Visit(e)!;

        protected override Expression VisitBlock(BlockExpression node)
        {
            var own = _statement || node.Type == typeof(void);
            var extra = node.Variables.Where(shadows.ContainsKey).SelectMany(v => new[] { shadows[v].Value, shadows[v].IsTyped }).ToList();
            var last = node.Expressions.Count - 1;
            var expressions = new List<Expression>(node.Expressions.Count);
            for (var i = 0; i <= last; i++)
            {
                var e = node.Expressions[i];
                var statement = i < last || own;
                // an assignment whose value nobody reads becomes a typed store
                if (statement && e is BinaryExpression { NodeType: ExpressionType.Assign, Left: ParameterExpression v } assign
                    && shadows.TryGetValue(v, out var shadow) && TypedChoice(assign.Right) is { } choice)
                    // (the parts visited as they are put in place: the stores themselves are final)
                    expressions.Add(choice.Build(V,
                        value => Expression.Block(typeof(void), Expression.Assign(shadow.Value, value), Expression.Assign(shadow.IsTyped, Expression.Constant(true)),
                            Expression.Assign(v, Expression.Constant(null))),
                        generic => Expression.Block(typeof(void), Expression.Assign(v, generic), Expression.Assign(shadow.IsTyped, Expression.Constant(false)))));
                else
                {
                    _statement = statement;
                    try { expressions.Add(Visit(e)!); }
                    finally { _statement = false; }
                }
            }
            // a statement block whose last expression became a statement has no value any more
            var type = own && expressions[last].Type != node.Type ? typeof(void) : node.Type;
            return Expression.Block(type, node.Variables.Concat(extra), expressions);
        }

        protected override Expression VisitBinary(BinaryExpression node)
        {
            if (node.NodeType == ExpressionType.Assign && node.Left is ParameterExpression v && shadows.TryGetValue(v, out var shadow))
                // an assignment used as a value: the variable holds it, the shadow is stale
                return Expression.Block(typeof(object),
                    Expression.Assign(v, V(node.Right)), Expression.Assign(shadow.IsTyped, Expression.Constant(false)), v);
            return base.VisitBinary(node);
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            if (!shadows.TryGetValue(node, out var shadow)) return node;
            // a read: the shadow boxed into the variable once (every later read gets that same object), then the variable
            // as always; the shadow stays current, so a later print or truth test still reads it unboxed
            return Expression.Condition(shadow.IsTyped,
                Expression.Coalesce(node, Expression.Assign(node, Box(shadow.Value))),
                node, typeof(object));
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            // {{ y }}: the shadow printed as the number or bool it is
            if (node.Method == RuntimeMethods.OutputWriteValue && Unconverted(node.Arguments[0]) is ParameterExpression v && shadows.TryGetValue(v, out var shadow)
                && Printable(shadow.Value.Type))
            {
                var value = shadow.Value;
                Expression typed = value.Type == typeof(bool) ? Expression.Call(node.Object, RuntimeMethods.OutputWriteBool, value)
                    : value.Type == typeof(double) ? Expression.Call(node.Object, RuntimeMethods.OutputWriteDouble, value)
                    : Expression.Call(node.Object, RuntimeMethods.OutputWriteInt, Expression.Convert(value, typeof(long)));
                return Expression.IfThenElse(shadow.IsTyped, typed, node.Update(node.Object, [v, V(node.Arguments[1])]));
            }
            // {% if y %}, y and/or …: the shadow's truth (Python's: non-zero, NaN true)
            if (node.Method == RuntimeMethods.Truthy && Unconverted(node.Arguments[0]) is ParameterExpression t && shadows.TryGetValue(t, out var tested)
                && Printable(tested.Value.Type))
            {
                var value = tested.Value;
                Expression truth = value.Type == typeof(bool) ? value : Expression.NotEqual(value, Expression.Default(value.Type));
                return Expression.Condition(tested.IsTyped, truth, node.Update(null, [t]), typeof(bool));
            }
            if (TypedCompare(node) is { } compare) return compare;
            // {{ '{} items'|format(x) }}, {{ '%d' % x }}: a shadowed integer through the plan's integer writer (no box)
            if ((node.Method == RuntimeMethods.WriteFormat1 || node.Method == RuntimeMethods.WritePercent)
                && node.Arguments[2] is ConstantExpression { Value: Filters.FormatPlan { IntegerFields: true } plan }
                && IntOperand(node.Arguments[4]) is var (number, _, numberFlag) && numberFlag is not null)
                return Expression.IfThenElse(numberFlag,
                    Expression.Call(Expression.Constant(plan), RuntimeMethods.FormatWriteInteger, V(node.Arguments[1]), number, V(node.Arguments[5])),
                    base.VisitMethodCall(node));
            // {{ x|tojson }}: a shadowed integer's JSON is its digits
            if (node.Method == RuntimeMethods.WriteToJson && IntOperand(node.Arguments[2]) is var (json, _, jsonFlag) && jsonFlag is not null)
                return Expression.IfThenElse(jsonFlag, Expression.Call(node.Arguments[1], RuntimeMethods.OutputWriteInt, json), base.VisitMethodCall(node));
            // {{ x * 2 }}, {{ x % 3 }}: the shadow's integer result written as digits while the shadow is current
            if (node.Method == RuntimeMethods.OutputWriteValue && Unconverted(node.Arguments[0]) is MethodCallExpression printed
                && TypedArithmetic(printed) is var (digits, current) && digits.Type == typeof(long))
                return Expression.IfThenElse(current, Expression.Call(node.Object, RuntimeMethods.OutputWriteInt, digits), base.VisitMethodCall(node));
            // x * 2, x // 7, x is divisibleby 3, x is even: computed unboxed while the shadow is current (a set statement
            // storing it gets a shadow of its own in the next pass)
            if (TypedArithmetic(node) is var (result, flag))
                return Expression.Condition(flag, result.Type == typeof(bool) ? result : Expression.Call(RuntimeMethods.BoxLong, result), base.VisitMethodCall(node), node.Type);
            return base.VisitMethodCall(node);
        }

        private static readonly Dictionary<System.Reflection.MethodInfo, ExpressionType> IntegerOperations = new()
        {
            [RuntimeMethods.FastAdd] = ExpressionType.Add, [RuntimeMethods.FastSub] = ExpressionType.Subtract,
            [RuntimeMethods.FastMul] = ExpressionType.Multiply, [RuntimeMethods.FastFloorDiv] = ExpressionType.Divide,
            [RuntimeMethods.FastMod] = ExpressionType.Modulo, [RuntimeMethods.DivisibleBy] = ExpressionType.Equal,
        };

        // |a| + |b| and |a| * |b| stay below this: no long overflows, as Python's integers never do
        private const double NoOverflow = 4611686018427387904.0; // 2^62

        /// <summary>
        /// An integer operation (+, -, *, //, %, divisibleby, even, odd) of a shadowed int or long with an integer literal or
        /// another shadowed int: its long or bool value and the flag that says the shadows are current. Sums and
        /// products only of operands bounded by an int or a literal (no overflow); // and % only by a non-zero literal
        /// other than -1. Null for anything else (floats keep the call).
        /// </summary>
        private (Expression Value, Expression Flag)? TypedArithmetic(MethodCallExpression node)
        {
            if (node.Method == RuntimeMethods.Even || node.Method == RuntimeMethods.Odd)
            {
                if (IntOperand(node.Arguments[0]) is not var (v, _, f) || f is null) return null;
                var low = Expression.And(v, Expression.Constant(1L));
                return (node.Method == RuntimeMethods.Even ? Expression.Equal(low, Expression.Constant(0L)) : Expression.NotEqual(low, Expression.Constant(0L)), f);
            }
            if (!IntegerOperations.TryGetValue(node.Method, out var kind)
                || IntOperand(node.Arguments[0]) is not var (left, leftBound, leftFlag) || IntOperand(node.Arguments[1]) is not var (right, rightBound, rightFlag)
                || (leftFlag is null && rightFlag is null)) return null;
            var flag = leftFlag is null ? rightFlag! : rightFlag is null ? leftFlag : Expression.AndAlso(leftFlag, rightFlag);
            var divisor = right is ConstantExpression { Value: long d } && d is not 0 and not -1 ? d : (long?)null;
            Expression? value = kind switch
            {
                ExpressionType.Add when leftBound + rightBound < NoOverflow => Expression.Add(left, right),
                ExpressionType.Subtract when leftBound + rightBound < NoOverflow => Expression.Subtract(left, right),
                ExpressionType.Multiply when leftBound * rightBound < NoOverflow => Expression.Multiply(left, right),
                ExpressionType.Divide when divisor is not null => Expression.Call(RuntimeMethods.FloorDivLong, left, right),
                ExpressionType.Modulo when divisor is not null => Expression.Call(RuntimeMethods.ModLong, left, right),
                ExpressionType.Equal when divisor is not null => Expression.Equal(Expression.Call(RuntimeMethods.ModLong, left, right), Expression.Constant(0L)),
                _ => null,
            };
            return value is null ? null : (value, flag);
        }

        /// <summary>A shadowed int or long (as a long, its bound: an int's range or unbounded, and its flag) or an integer literal (no flag).</summary>
        private (Expression Value, double Bound, Expression? Flag)? IntOperand(Expression e)
        {
            e = Bare(e);
            if (e is ParameterExpression v && shadows.TryGetValue(v, out var shadow))
            {
                if (shadow.Value.Type == typeof(int)) return (Expression.Convert(shadow.Value, typeof(long)), 2147483648.0, shadow.IsTyped);
                if (shadow.Value.Type == typeof(long)) return (shadow.Value, double.PositiveInfinity, shadow.IsTyped);
                return null;
            }
            return e switch
            {
                ConstantExpression { Value: long l } => (Expression.Constant(l), Math.Abs((double)l), null),
                ConstantExpression { Value: int i } => (Expression.Constant((long)i), Math.Abs((double)i), null),
                _ => null,
            };
        }

        private static readonly Dictionary<System.Reflection.MethodInfo, ExpressionType> Comparisons = new()
        {
            [RuntimeMethods.FastEq] = ExpressionType.Equal, [RuntimeMethods.FastNe] = ExpressionType.NotEqual,
            [RuntimeMethods.FastLt] = ExpressionType.LessThan, [RuntimeMethods.FastLe] = ExpressionType.LessThanOrEqual,
            [RuntimeMethods.FastGt] = ExpressionType.GreaterThan, [RuntimeMethods.FastGe] = ExpressionType.GreaterThanOrEqual,
        };

        /// <summary>
        /// A comparison of a shadowed number with a numeric literal or another shadowed number (<c>10 &lt; x.id &lt; 500</c>,
        /// whose middle operand is a typed temporary): compared unboxed while the shadows are current, the call otherwise.
        /// Integers compare as longs; a double compares with an int shadow or an integer literal up to 2^53 (exact in a
        /// double, so the answer is Python's, NaN included).
        /// </summary>
        private Expression? TypedCompare(MethodCallExpression node)
        {
            if (!Comparisons.TryGetValue(node.Method, out var kind)) return null;
            if (Operand(node.Arguments[0]) is not var (left, leftFlag) || Operand(node.Arguments[1]) is not var (right, rightFlag)
                || (leftFlag is null && rightFlag is null)) return null;
            var asDouble = left.Type == typeof(double) || right.Type == typeof(double);
            if (asDouble && !(ExactInDouble(left) && ExactInDouble(right))) return null;
            var target = asDouble ? typeof(double) : typeof(long);
            Expression typed = Expression.MakeBinary(kind, Widen(left, target), Widen(right, target));
            var flag = leftFlag is null ? rightFlag! : rightFlag is null ? leftFlag : Expression.AndAlso(leftFlag, rightFlag);
            return Expression.Condition(flag, typed, base.VisitMethodCall(node), typeof(bool));
        }

        /// <summary>A shadowed int, long or double variable (its value and its flag) or a numeric literal (no flag).</summary>
        private (Expression Value, Expression? Flag)? Operand(Expression e)
        {
            e = Bare(e);
            // (x % 3 == 0: an integer operation on shadows compares as the long it is)
            if (e is MethodCallExpression operation && TypedArithmetic(operation) is var (result, current) && result.Type == typeof(long)) return (result, current);
            if (e is ParameterExpression v && shadows.TryGetValue(v, out var shadow) && shadow.Value.Type != typeof(bool) && Printable(shadow.Value.Type))
                return (shadow.Value, shadow.IsTyped);
            return e is ConstantExpression { Value: int or long or double } c ? (Expression.Constant(c.Value), null) : null;
        }

        /// <summary>The shadow types printed, tested and compared directly (a decimal's or a date's shadow is only boxed lazily).</summary>
        private static bool Printable(Type t) => t == typeof(bool) || t == typeof(int) || t == typeof(long) || t == typeof(double);

        private static bool ExactInDouble(Expression e) =>
            e.Type == typeof(double) || e.Type == typeof(int)
            || (e is ConstantExpression { Value: long l } && Math.Abs((double)l) <= 9007199254740992.0);

        private static Expression Widen(Expression e, Type type) => e.Type == type ? e : Expression.Convert(e, type);

        /// <summary>An operand without its conversions to object and its strict-undefined check (a shadowed number is never undefined).</summary>
        private static Expression Bare(Expression e)
        {
            e = Unconverted(e);
            return e is MethodCallExpression use && use.Method == RuntimeMethods.UseValue ? Unconverted(use.Arguments[0]) : e;
        }

        private static Expression Unconverted(Expression e)
        {
            while (e is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) e = c.Operand;
            return e;
        }

        // the box the typed branch would have made (the shared boxes for bools and small numbers)
        private static Expression Box(ParameterExpression value) =>
            value.Type == typeof(long) ? Expression.Call(RuntimeMethods.BoxLong, value)
            : value.Type == typeof(int) ? Expression.Call(RuntimeMethods.BoxInt, value)
            : value.Type == typeof(bool) ? Expression.Condition(value, Expression.Constant(Boxes.True, typeof(object)), Expression.Constant(Boxes.False, typeof(object)))
            : Expression.Convert(value, typeof(object));
    }
}
