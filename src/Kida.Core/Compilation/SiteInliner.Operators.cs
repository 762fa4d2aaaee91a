using System.Linq.Expressions;
using System.Reflection;
using Kida.Runtime;

namespace Kida.Compilation;

// Operators on observed member types. An arithmetic operator, a comparison or an integer test whose operands are
// member reads of template variables (a site that saw one .NET type with an int, long or double member) and numeric
// constants is computed on the unboxed values behind one type check per variable, and a printed result is formatted
// without a box:
//     x.GetType() == T ? (long)((T)x).Id * 2L : FastOps.Mul(<the generic read>, 2L)
// Only operations whose typed result is certain to equal FastOps' answer are rewritten: integer sums and products whose
// magnitude bound stays under 2^62 (no overflow, so no BigInteger), // and % by a non-zero constant, float + - * and
// comparisons, and int/float mixes only where the int converts to double exactly (|v| <= 2^53). Everything else, and
// every value of another type at run time, takes the generic path unchanged.
internal sealed partial class SiteInliner
{
    private enum Op { Add, Sub, Mul, Div, FloorDiv, Mod, Pow, Neg, Eq, Ne, Lt, Le, Gt, Ge, DivisibleBy, Even, Odd }

    private static readonly Dictionary<MethodInfo, Op> Operators = new()
    {
        [RuntimeMethods.FastAdd] = Op.Add, [RuntimeMethods.FastSub] = Op.Sub, [RuntimeMethods.FastMul] = Op.Mul, [RuntimeMethods.Div] = Op.Div,
        [RuntimeMethods.FastFloorDiv] = Op.FloorDiv, [RuntimeMethods.FastMod] = Op.Mod, [RuntimeMethods.FastPow] = Op.Pow, [RuntimeMethods.FastNeg] = Op.Neg,
        [RuntimeMethods.FastEq] = Op.Eq, [RuntimeMethods.FastNe] = Op.Ne, [RuntimeMethods.FastLt] = Op.Lt,
        [RuntimeMethods.FastLe] = Op.Le, [RuntimeMethods.FastGt] = Op.Gt, [RuntimeMethods.FastGe] = Op.Ge,
        [RuntimeMethods.DivisibleBy] = Op.DivisibleBy, [RuntimeMethods.Even] = Op.Even, [RuntimeMethods.Odd] = Op.Odd,
    };

    private const double Exact = 9007199254740992.0;   // 2^53: integers up to here convert to double exactly
    private const double NoOverflow = 4611686018427387904.0; // 2^62

    /// <summary>
    /// An operand as an unboxed value of type long or double, valid when every guard (a type check of a template
    /// variable) holds. <see cref="Bound"/> bounds a long's magnitude (infinity when unknown).
    /// </summary>
    private sealed record TypedValue(Expression Value, double Bound, List<Expression> Guards);

    // the type tests a value-type member answers the same way for every value of it
    private static readonly HashSet<MethodInfo> TypeTests =
        [RuntimeMethods.TestBoolean, RuntimeMethods.TestNumber, RuntimeMethods.TestInteger, RuntimeMethods.TestFloat, RuntimeMethods.TestString];

    private static readonly Dictionary<Type, object> Samples = new()
    {
        [typeof(int)] = 0, [typeof(long)] = 0L, [typeof(double)] = 0.0, [typeof(decimal)] = 0m, [typeof(bool)] = false, [typeof(float)] = 0f,
    };

    /// <summary><c>x.price is number</c> on a decimal member: the answer for its type, behind the type check.</summary>
    private Expression? TypedTypeTest(MethodCallExpression node)
    {
        if (RememberedTypeTest(node) is { } remembered) return remembered;
        if (!TypeTests.Contains(node.Method) || ValueTypeMember(node.Arguments[0]) is not var (guard, read, sample)) return null;
        var answer = (bool)node.Method.Invoke(null, [sample])!;
        return Expression.Condition(guard, Expression.Block(read, Expression.Constant(answer)), base.VisitMethodCall(node), typeof(bool));
    }

    /// <summary>
    /// <c>x.tags is sequence</c> (<c>mapping</c>, <c>iterable</c>) on a member of an observed type, at a site that answered
    /// for values of exactly the member's declared type: that answer behind a check of the value's exact type (a visible
    /// type, so the check is one compare), without the call. Any other value (a null member reads as "") asks the site
    /// as before.
    /// </summary>
    private Expression? RememberedTypeTest(MethodCallExpression node)
    {
        if (!(node.Method == RuntimeMethods.TestMappingAt || node.Method == RuntimeMethods.TestSequenceAt || node.Method == RuntimeMethods.TestIterableAt)
            || node.Arguments[1] is not ConstantExpression { Value: Predicates.TypeAnswer site }
            || Volatile.Read(ref site.Last) is not { } last) return null;
        // (a template variable: the answer behind a check of the type the site last answered for)
        if (BareVariable(node.Arguments[0]) is { } variable && last.Type.IsVisible && !last.Type.IsValueType && !typeof(System.Text.Json.Nodes.JsonNode).IsAssignableFrom(last.Type))
            return Expression.Condition(Expression.TypeEqual(variable, last.Type), Expression.Constant(last.Answer), base.VisitMethodCall(node), typeof(bool));
        if (ObservedRead(node.Arguments[0]) is not { } m || m.Type != last.Type || !m.Type.IsVisible || m.Type.IsValueType
            || typeof(System.Text.Json.Nodes.JsonNode).IsAssignableFrom(m.Type)) return null;
        var value = Expression.Variable(m.Type, "value");
        var generic = base.VisitMethodCall(node);
        return Expression.Condition(m.Guard,
            Expression.Block(typeof(bool), [value],
                Expression.Assign(value, m.Read),
                Expression.Condition(Expression.TypeEqual(value, m.Type), Expression.Constant(last.Answer),
                    // as the generic read gives it: a null member reads as ""
                    node.Update(null, [Expression.Coalesce(Expression.Convert(value, typeof(object)), Expression.Constant("", typeof(object))), node.Arguments[1]]), typeof(bool))),
            generic, typeof(bool));
    }

    /// <summary><c>x.price is none</c> (emitted as a reference comparison with null) on a value-type member: false.</summary>
    protected override Expression VisitBinary(BinaryExpression node)
    {
        if (UnreadChunk(node) is { } unread) return unread;
        if (KnownLightLoop(node) is { } light) return light;
        if (node.NodeType is ExpressionType.Equal or ExpressionType.NotEqual && node.Right is ConstantExpression { Value: null }
            && node.Left.Type == typeof(object) && ValueTypeMember(node.Left) is var (guard, read, _))
            return Expression.Condition(guard, Expression.Block(read, Expression.Constant(node.NodeType == ExpressionType.NotEqual)), base.VisitBinary(node), typeof(bool));
        // (the lane flag set where a loop opens a List<int> stays an assignment, unless it is set already: no store to a
        // shared site at every opening of the loop)
        if (node.NodeType == ExpressionType.Assign && node.Left is MemberExpression flag && flag.Member == RuntimeMethods.IntLaneSeen)
            return flag.Expression is ConstantExpression { Value: Iteration.IntLaneSite site } && node.Right is ConstantExpression { Value: true } && Volatile.Read(ref site.Seen)
                ? Expression.Constant(true)
                : node.Update(node.Left, null, Visit(node.Right));
        // (and/or whose side folded to a constant: a lane flag, SiteInliner.VisitMember)
        return ConstantFolding.Logic(base.VisitBinary(node));
    }

    /// <summary>A member read of a template variable whose observed member is a value type with a known sample value.</summary>
    private (Expression Guard, Expression Read, object Sample)? ValueTypeMember(Expression e) =>
        // the getter still runs (a failing one reports as the generic read does); only its value is not looked at
        ObservedRead(e) is { } m && Samples.TryGetValue(m.Type, out var sample) ? (m.Guard, m.Read, sample) : null;

    /// <summary>A read of a template variable's member at a site that saw one .NET type: the check that the variable
    /// holds that type, the member read (a failing getter reports K-RUN-010 as the generic read does) and its type.</summary>
    private sealed record ObservedMember(Expression Guard, Expression Read, Type Type);

    /// <summary>
    /// <paramref name="e"/> (under conversions to object and a strict-undefined check) as an <see cref="ObservedMember"/>, or
    /// null. Only a variable's member: reading the variable twice (the check, then the value) has no side effect.
    /// </summary>
    private ObservedMember? ObservedRead(Expression e)
    {
        // (a lane-bound loop variable: its lane's item, behind the lane's test)
        if (Lane(e) is var (laneGuard, laneValue)) return new ObservedMember(laneGuard, laneValue, laneValue.Type);
        // (any other template variable: a string, which is what the string operations that ask are mostly given; the exact
        // type check costs one compare, and anything else takes the generic path)
        // (a loop's variable: the item type of the one kind of model list its loop has walked, when it is not a string)
        if (BareVariable(e) is { } bare)
        {
            var guess = ItemGuess(bare) ?? typeof(string);
            return new ObservedMember(Expression.TypeEqual(bare, guess), Expression.Convert(bare, guess), guess);
        }
        while (e is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) e = c.Operand;
        if (e is MethodCallExpression use && use.Method == RuntimeMethods.UseValue) e = use.Arguments[0];
        if (e is not MethodCallExpression read || read.Method != GetAttrSite
            || read.Arguments[ReadSite] is not ConstantExpression { Value: MemberSite site }
            || read.Arguments[ReadSite - 2] is not ParameterExpression variable) return null;
        var name = (string)((ConstantExpression)read.Arguments[ReadSite - 1]).Value!;
        if (Observed(site, name) is not var (type, member)) return null;
        var access = Expression.MakeMemberAccess(Expression.Convert(variable, type), member);
        return new ObservedMember(Expression.TypeEqual(variable, type), Guarded(access, type, name, member), access.Type);
    }

    /// <summary>
    /// <c>x.items|length</c> (and <c>x.items|list|length</c>) on a member typed <c>List&lt;T&gt;</c> or <c>T[]</c>, or <c>x.name|length</c> on a string member (its
    /// length in code points, as Python counts): read directly behind the type check (a null member takes the generic
    /// path, which decides it).
    /// </summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("ReflectionAnalysis", "IL2060:MakeGenericMethod", Justification = TrimReasons.DynamicCodeOnly)]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AotAnalysis", "IL3050:RequiresDynamicCode", Justification = TrimReasons.DynamicCodeOnly)]
    private Expression? TypedLength(MethodCallExpression node)
    {
        // (not a bare variable without an item guess: its string guess would put a failing check in front of the lists |length is as often given)
        // (x.items|list|length too: the count of the list it would copy, checked against the collection limit as the copy is)
        var listed = node.Method == RuntimeMethods.ListedLength;
        if (node.Method != RuntimeMethods.Length && !listed) return null;
        var operand = node.Arguments[listed ? 1 : 0];
        if (BareVariable(operand) is { } bare && ItemGuess(bare) is null || ObservedRead(operand) is not { } m) return null;
        var memberType = m.Type;
        var isList = memberType.IsGenericType && memberType.GetGenericTypeDefinition() == typeof(List<>);
        var isString = memberType == typeof(string);
        if (!isList && !isString && !(memberType.IsArray && memberType.GetArrayRank() == 1)) return null;
        var value = Expression.Variable(memberType, "items");
        var generic = base.VisitMethodCall(node);
        Expression count = isList
            ? Expression.Call(RuntimeMethods.ListCountOf.MakeGenericMethod(memberType.GetGenericArguments()[0]), value)
            : isString ? Expression.Call(RuntimeMethods.StrLen, value)
            : Expression.ArrayLength(value);
        if (listed)
        {
            var n = Expression.Variable(typeof(int), "n");
            count = Expression.Block(typeof(int), [n], Expression.Assign(n, count), Expression.Call(RuntimeMethods.GuardCollectionLength, Expression.Convert(n, typeof(long))), n);
        }
        return Expression.Condition(m.Guard,
            Expression.Block(typeof(int), [value],
                Expression.Assign(value, m.Read),
                Expression.Condition(Expression.NotEqual(value, Expression.Constant(null, memberType)), count, generic, typeof(int))),
            generic, typeof(int));
    }

    private Expression? TypedOperation(MethodCallExpression node)
    {
        if (TypedLength(node) is { } length) return length;
        if (TypedBareFormatWrite(node) is { } bareFormat) return bareFormat;
        if (TypedFormatWrite(node) is { } format) return format;
        if (TypedDecimalFormatWrite(node) is { } decimalFormat) return decimalFormat;
        if (TypedCountSelected(node) is { } selected) return selected;
        if (TypedJoinMapped(node) is { } joined) return joined;
        if (TypedIn(node) is { } contains) return contains;
        if (TypedTildePart(node) is { } part) return part;
        if (TypedStringTest(node) is { } stringTest) return stringTest;
        if (TypedTypeTest(node) is { } typeTest) return typeTest;
        if (!Operators.TryGetValue(node.Method, out var op)) return null;
        if (Typed(node) is not { } typed || typed.Guards.Count == 0) return null;
        var generic = base.VisitMethodCall(node);
        var value = node.Type == typeof(bool) ? typed.Value : Box(typed.Value);
        return Expression.Condition(AllOf(typed.Guards), value, generic, node.Type);
    }

    /// <summary>
    /// One operand of a printed <c>~</c> chain (<c>{{ x.name ~ '#' ~ x.id }}</c>, Arithmetic.WriteTildePart) that is an int,
    /// long or string member of an observed type: written without a box or a type switch, counted against the string
    /// limit the same way. A null string or another type takes the general part.
    /// </summary>
    private Expression? TypedTildePart(MethodCallExpression node)
    {
        if (node.Method != RuntimeMethods.WriteTildePart || ObservedRead(node.Arguments[1]) is not { } m) return null;
        var (output, escape, total) = (node.Arguments[0], node.Arguments[2], node.Arguments[3]);
        if (m.Type == typeof(int) || m.Type == typeof(long))
            return Expression.Condition(m.Guard,
                Expression.Call(RuntimeMethods.WriteTildeInt, output, Expression.Convert(m.Read, typeof(long)), total),
                base.VisitMethodCall(node), typeof(long));
        if (m.Type != typeof(string)) return null;
        var text = Expression.Variable(typeof(string), "text");
        var generic = base.VisitMethodCall(node);
        return Expression.Condition(m.Guard,
            Expression.Block(typeof(long), [text],
                Expression.Assign(text, m.Read),
                Expression.Condition(Expression.NotEqual(text, Expression.Constant(null, typeof(string))),
                    Expression.Call(RuntimeMethods.WriteTildeText, output, text, escape, total), generic, typeof(long))),
            generic, typeof(long));
    }

    private static readonly MethodInfo StringEquals = typeof(string).GetMethod(nameof(string.Equals), [typeof(string), typeof(string)])!;
    private static readonly MethodInfo StringContains = typeof(string).GetMethod(nameof(string.Contains), [typeof(string), typeof(StringComparison)])!;
    private static readonly MethodInfo StringContainsChar = typeof(string).GetMethod(nameof(string.Contains), [typeof(char)])!;

    /// <summary>
    /// <c>x.name == 'Item 7'</c> (<c>!=</c>) and <c>'7' in x.name</c> (<c>not in</c>) on a string member of an observed type and
    /// a literal string: the ordinal comparison or substring test on the member itself, as FastOps answers for two
    /// strings. A null member (which an attribute read turns into "") or another type takes the generic path.
    /// </summary>
    private Expression? TypedStringTest(MethodCallExpression node)
    {
        var m = node.Method;
        var equality = m == RuntimeMethods.FastEq || m == RuntimeMethods.FastNe;
        if (!equality && m != RuntimeMethods.FastIn && m != RuntimeMethods.FastNotIn) return null;
        var negate = m == RuntimeMethods.FastNe || m == RuntimeMethods.FastNotIn;
        ObservedMember? member = null;
        string? literal = null;
        if (LiteralString(node.Arguments[0]) is { } left && ObservedRead(node.Arguments[1]) is { } right)
            (member, literal) = (right, left);
        else if (equality && LiteralString(node.Arguments[1]) is { } second && ObservedRead(node.Arguments[0]) is { } first)
            (member, literal) = (first, second);
        if (member is not { Type: var t } || t != typeof(string)) return null;
        var text = Expression.Variable(typeof(string), "text");
        Expression test = equality
            ? Expression.Call(StringEquals, text, Expression.Constant(literal))
            : literal!.Length == 1 ? Expression.Call(text, StringContainsChar, Expression.Constant(literal[0]))
            : Expression.Call(text, StringContains, Expression.Constant(literal), Expression.Constant(StringComparison.Ordinal));
        if (negate) test = Expression.Not(test);
        var generic = base.VisitMethodCall(node);
        return Expression.Condition(member.Guard,
            Expression.Block(typeof(bool), [text],
                Expression.Assign(text, member.Read),
                Expression.Condition(Expression.NotEqual(text, Expression.Constant(null, typeof(string))), test, generic, typeof(bool))),
            generic, typeof(bool));

        static string? LiteralString(Expression e)
        {
            while (e is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) e = c.Operand;
            return e is ConstantExpression { Value: string s } ? s : null;
        }
    }

    /// <summary>
    /// <c>{{ '{:.2f}'|format(x.price) }}</c>, <c>{{ '{:05d}'|format(x.id) }}</c> (or <c>.format</c>; <c>'%.2f' % x.price</c> for a decimal) on a decimal, int or
    /// long member of an observed type: the value passed unboxed (BuiltinFilters.WriteFormatDecimal/Int/Long box it only
    /// for the general formatter).
    /// </summary>
    private Expression? TypedDecimalFormatWrite(MethodCallExpression node)
    {
        var percent = node.Method == RuntimeMethods.WritePercent;
        if ((node.Method != RuntimeMethods.WriteFormat1 && !percent) || ObservedRead(node.Arguments[4]) is not { Type: var t } m) return null;
        var writer = percent ? (t == typeof(decimal) ? RuntimeMethods.WritePercentDecimal : null)
            : t == typeof(decimal) ? RuntimeMethods.WriteFormatDecimal
            : t == typeof(int) ? RuntimeMethods.WriteFormatInt
            : t == typeof(long) ? RuntimeMethods.WriteFormatLong
            : null;
        if (writer is null) return null;
        var generic = base.VisitMethodCall(node);
        var a = node.Arguments;
        return Expression.IfThenElse(m.Guard,
            Expression.Call(writer, Visit(a[0]), Visit(a[1]), a[2], a[3], m.Read, Visit(a[5])),
            generic);
    }

    /// <summary>
    /// <c>{{ '{} #{}'.format(x.name, x.id) }}</c>, <c>{{ '<b>{}</b>'|format(x.name) }}</c>: a plan of bare fields given one or two
    /// observed string, int or long members is written part by part in the code itself (literals as constants, escaped
    /// as the printed string would be; a string member escaped, an integer's digits), behind the members' type checks, a
    /// non-null check of each string and the string limit the plan's own direct write checks (a text that could pass
    /// it, a null string or another type takes the generic path).
    /// </summary>
    private Expression? TypedBareFormatWrite(MethodCallExpression node)
    {
        var arity = node.Method == RuntimeMethods.WriteFormat1 ? 1 : node.Method == RuntimeMethods.WriteFormat2 ? 2 : 0;
        if (arity == 0 || node.Arguments[2] is not ConstantExpression { Value: Filters.FormatPlan plan } || plan.BareParts is not { } parts
            || node.Arguments[4 + arity] is not ConstantExpression { Value: bool escape }
            || parts.Any(p => p.Literal is null && (uint)p.Index >= (uint)arity)) return null;
        var reads = new ObservedMember[arity];
        for (var k = 0; k < arity; k++)
            if (ObservedRead(node.Arguments[4 + k]) is not { } m || (m.Type != typeof(string) && m.Type != typeof(int) && m.Type != typeof(long))) return null;
            else reads[k] = m;
        var values = reads.Select((m, k) => Expression.Variable(m.Type, "arg" + k)).ToArray();
        // the checks, then each member read once into its local; the length the plan's direct write counts (20 an integer)
        Expression? test = null;
        Expression length = Expression.Constant((long)plan.LiteralLength);
        for (var k = 0; k < arity; k++)
        {
            test = test is null ? reads[k].Guard : Expression.AndAlso(test, reads[k].Guard);
            test = Expression.AndAlso(test, Expression.Block(typeof(bool), Expression.Assign(values[k], reads[k].Read), Expression.Constant(true)));
            if (values[k].Type == typeof(string))
            {
                test = Expression.AndAlso(test, Expression.NotEqual(values[k], Expression.Constant(null, typeof(string))));
                length = Expression.Add(length, Expression.Convert(Expression.Property(values[k], RuntimeMethods.StringLengthProperty), typeof(long)));
            }
            else length = Expression.Add(length, Expression.Constant(20L));
        }
        test = Expression.AndAlso(test!, Expression.Call(RuntimeMethods.FitsStringLimit, length));
        var output = node.Arguments[1];
        var writes = new List<Expression>();
        foreach (var (literal, escaped, index) in parts)
        {
            if (literal is not null)
            {
                if (literal.Length > 0) writes.Add(Expression.Call(output, RuntimeMethods.OutputWriteString, Expression.Constant(escape ? escaped : literal)));
                continue;
            }
            var value = values[index];
            writes.Add(value.Type == typeof(string)
                ? Expression.Call(output, RuntimeMethods.OutputWriteText, value, Expression.Constant(escape))
                : Expression.Call(output, RuntimeMethods.OutputWriteInt, Expression.Convert(value, typeof(long))));
        }
        return Expression.Block(typeof(void), values, Expression.IfThenElse(test, Expression.Block(typeof(void), writes), base.VisitMethodCall(node)));
    }

    /// <summary><c>{{ x.id * 2 }}</c>: the typed result formatted straight into the output.</summary>
    private Expression? TypedValueWrite(MethodCallExpression write)
    {
        var arg = write.Arguments[0];
        while (arg is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) arg = c.Operand;
        if (arg is not MethodCallExpression call || !Operators.TryGetValue(call.Method, out _)) return null;
        if (Typed(call) is not { } typed || typed.Guards.Count == 0) return null;
        var writer = typed.Value.Type == typeof(long) ? RuntimeMethods.OutputWriteInt
            : typed.Value.Type == typeof(double) ? RuntimeMethods.OutputWriteDouble : RuntimeMethods.OutputWriteBool;
        var generic = base.VisitMethodCall(write);
        return Expression.IfThenElse(AllOf(typed.Guards), Expression.Call(write.Object!, writer, typed.Value), generic);
    }

    private static readonly Delegate? RoundFilter = Filters.BuiltinFilters.All.GetValueOrDefault("round");
    private static readonly Delegate? IntFilter = Filters.BuiltinFilters.All.GetValueOrDefault("int");
    private static readonly Delegate? FloatFilter = Filters.BuiltinFilters.All.GetValueOrDefault("float");
    private static readonly Delegate? AbsFilter = Filters.BuiltinFilters.All.GetValueOrDefault("abs");
    private static readonly Delegate? SumFilter = Filters.BuiltinFilters.All.GetValueOrDefault("sum");

    /// <summary>
    /// <c>{{ x.score|round }}</c>, <c>|round(n)</c>, <c>|int</c>, <c>|float</c> and <c>|abs</c> (the built-in filters, no other
    /// arguments) on a typed member or operation: the result written without boxing the operand or the result.
    /// </summary>
    private Expression? TypedFilterWrite(MethodCallExpression write)
    {
        var (prefix, arg) = PrintedValue(write);
        if (arg is not InvocationExpression { Expression: ConstantExpression { Value: Delegate d }, Arguments.Count: 3 } call
            || call.Arguments[2] is not ConstantExpression { Value: CallArgs a } || a.Named is not null) return null;
        if (TypedFirstLastWrite(write, call, prefix) is { } firstLast) return firstLast;
        if (TypedRoundedIntWrite(write, d, call, a, prefix) is { } roundedInt) return roundedInt;
        if (!(ReferenceEquals(d, RoundFilter) || ReferenceEquals(d, IntFilter) || ReferenceEquals(d, FloatFilter) || ReferenceEquals(d, AbsFilter))) return null;
        if (Typed(call.Arguments[1]) is not { Guards.Count: > 0 } v) return UntypedRoundOrInt(write, d, call, a, prefix);
        var output = write.Object!;
        var rs = call.Arguments[0];
        var isDouble = v.Value.Type == typeof(double);
        Expression? typed = null;
        if (ReferenceEquals(d, RoundFilter))
        {
            var (precision, method) = a.Positional switch { [] => (0L, "common"), [long p] => (p, "common"), [long p, string m] => (p, m), _ => (-1L, "") };
            if (precision is >= 0 and <= 15 && method == "common")
                typed = isDouble
                    ? Expression.Call(RuntimeMethods.WriteRounded, output, rs, v.Value, Expression.Constant((int)precision), Expression.Constant(a))
                    : Expression.Call(output, RuntimeMethods.OutputWriteInt, v.Value); // an int rounds to itself
            // (floor and ceil: the filter's own arithmetic on the float, which gives a float for an int too)
            else if (precision is >= 0 and <= 15 && method is "floor" or "ceil")
                typed = Expression.Call(output, RuntimeMethods.OutputWriteDouble, Expression.Call(RuntimeMethods.RoundDirected,
                    isDouble ? v.Value : Expression.Convert(v.Value, typeof(double)), Expression.Constant((int)precision), Expression.Constant(method == "ceil")));
        }
        else if (a.Positional.Length == 0 && ReferenceEquals(d, IntFilter))
            typed = isDouble
                ? Expression.Call(RuntimeMethods.WriteTruncated, output, rs, v.Value, Expression.Constant(a))
                : Expression.Call(output, RuntimeMethods.OutputWriteInt, v.Value);
        else if (a.Positional.Length == 0 && ReferenceEquals(d, FloatFilter))
            typed = Expression.Call(output, RuntimeMethods.OutputWriteDouble, isDouble ? v.Value : Expression.Convert(v.Value, typeof(double)));
        else if (a.Positional.Length == 0 && ReferenceEquals(d, AbsFilter))
            typed = isDouble ? Expression.Call(output, RuntimeMethods.OutputWriteDouble, Expression.Call(RuntimeMethods.AbsDouble, v.Value))
                : v.Bound < NoOverflow ? Expression.Call(output, RuntimeMethods.OutputWriteInt, Expression.Call(RuntimeMethods.AbsLong, v.Value)) : null;
        if (typed is null) return null;
        return Expression.IfThenElse(AllOf(v.Guards), Expression.Block(typeof(void), [.. prefix, typed]), base.VisitMethodCall(write));
    }

    /// <summary>
    /// <c>{{ x|round(p) }}</c> (0 ≤ p ≤ 15) / <c>{{ x|int }}</c> on a value of no known type: the boxed value switched on at
    /// run time (BuiltinFilters.WriteRoundedOrTruncated), no result boxed or dispatched.
    /// </summary>
    private Expression? UntypedRoundOrInt(MethodCallExpression write, Delegate d, InvocationExpression call, CallArgs a, Expression[] prefix)
    {
        var truncate = ReferenceEquals(d, IntFilter);
        if (!truncate && !ReferenceEquals(d, RoundFilter)) return null;
        var precision = truncate ? (a.Positional.Length == 0 ? 0L : -1L) : a.Positional switch { [] => 0L, [long p] => p, _ => -1L };
        if (precision is < 0 or > 15) return null;
        return Expression.Block(typeof(void), [.. prefix, Expression.Call(RuntimeMethods.WriteRoundedOrTruncated, write.Object!, Visit(call.Arguments[0]),
            Expression.Convert(Visit(call.Arguments[1]), typeof(object)), Expression.Constant((int)precision), Expression.Constant(truncate), Expression.Constant(a), Visit(write.Arguments[1]))]);
    }

    /// <summary>
    /// <c>{{ (x.score * 100)|round|int }}</c> / <c>|round(p)|int</c> on a typed float: rounded as the filter rounds, then
    /// truncated, written as digits with no box or float between (BuiltinFilters.WriteRoundedTruncated).
    /// </summary>
    private Expression? TypedRoundedIntWrite(MethodCallExpression write, Delegate d, InvocationExpression call, CallArgs intArgs, Expression[] prefix)
    {
        if (!ReferenceEquals(d, IntFilter) || intArgs.Positional.Length != 0) return null;
        var operand = call.Arguments[1];
        while (operand is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) operand = c.Operand;
        if (operand is MethodCallExpression use && use.Method == RuntimeMethods.UseValue) operand = use.Arguments[0];
        if (operand is BlockExpression { Variables.Count: 0, Expressions: [_, var inner] }) operand = inner;
        if (operand is not InvocationExpression { Expression: ConstantExpression { Value: Delegate round }, Arguments: [_, var rounded, ConstantExpression { Value: CallArgs { Named: null } roundArgs }] }
            || !ReferenceEquals(round, RoundFilter)) return null;
        var precision = roundArgs.Positional switch { [] => 0L, [long p] => p, _ => -1L };
        if (precision is < 0 or > 15 || Typed(rounded) is not { Guards.Count: > 0 } v || v.Value.Type != typeof(double)) return null;
        return Expression.IfThenElse(AllOf(v.Guards),
            Expression.Block(typeof(void), [.. prefix, Expression.Call(RuntimeMethods.WriteRoundedTruncated, write.Object!, call.Arguments[0], v.Value,
                Expression.Constant((int)precision), Expression.Constant(roundArgs), Expression.Constant(intArgs))]),
            base.VisitMethodCall(write));
    }

    /// <summary>
    /// <c>{{ x.id|string }}</c> on a typed number (a member or an operation): str() of a number is what printing it gives
    /// (digits, a float's repr: nothing to escape), written without a box or a string.
    /// </summary>
    private Expression? TypedStringWrite(MethodCallExpression node)
    {
        if (node.Method != RuntimeMethods.WriteStringFilter) return null;
        // (a bool member: True or False, as printing it gives)
        if (ObservedRead(node.Arguments[1]) is { Type: var memberType } flag && memberType == typeof(bool))
            return Expression.IfThenElse(flag.Guard, Expression.Call(node.Arguments[0], RuntimeMethods.OutputWriteBool, flag.Read), base.VisitMethodCall(node));
        if (Typed(node.Arguments[1]) is not { Guards.Count: > 0 } v || v.Value.Type == typeof(bool)) return null;
        return Expression.IfThenElse(AllOf(v.Guards),
            Expression.Call(node.Arguments[0], v.Value.Type == typeof(double) ? RuntimeMethods.OutputWriteDouble : RuntimeMethods.OutputWriteInt, v.Value),
            base.VisitMethodCall(node));
    }

    /// <summary><c>{{ '{} items'|format(x.count) }}</c>, <c>{{ '%d items' % x.count }}</c> on an integer member: the plan writes the digits, no box, no argument.</summary>
    private Expression? TypedFormatWrite(MethodCallExpression node)
    {
        if ((node.Method != RuntimeMethods.WriteFormat1 && node.Method != RuntimeMethods.WritePercent)
            || node.Arguments[2] is not ConstantExpression { Value: Filters.FormatPlan { IntegerFields: true } plan }
            || Typed(node.Arguments[4]) is not { Guards.Count: > 0 } v || v.Value.Type != typeof(long)) return null;
        return Expression.IfThenElse(AllOf(v.Guards),
            Expression.Call(Expression.Constant(plan), RuntimeMethods.FormatWriteInteger, node.Arguments[1], v.Value, node.Arguments[5]),
            base.VisitMethodCall(node));
    }

    private static Expression AllOf(List<Expression> guards)
    {
        var all = guards[0];
        for (var i = 1; i < guards.Count; i++) all = Expression.AndAlso(all, guards[i]);
        return all;
    }

    private static Expression Box(Expression value) =>
        value.Type == typeof(long) ? Expression.Call(RuntimeMethods.BoxLong, value)
        : value.Type == typeof(bool) ? Expression.Condition(value, Expression.Constant(Boxes.True), Expression.Constant(Boxes.False))
        : Expression.Convert(value, typeof(object));

    /// <summary>An operand (or an operation) as a typed value, or null when it is not one.</summary>
    private TypedValue? Typed(Expression e)
    {
        while (e is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) e = c.Operand;
        switch (e)
        {
            case ConstantExpression { Value: long l }:
                return new TypedValue(Expression.Constant(l), Math.Abs((double)l), []);
            case ConstantExpression { Value: int i }:
                return new TypedValue(Expression.Constant((long)i), Math.Abs((double)i), []);
            case ConstantExpression { Value: double d }:
                return new TypedValue(Expression.Constant(d), double.PositiveInfinity, []);
            case MethodCallExpression call when call.Method == RuntimeMethods.UseValue:
                // (a strict undefined check: a member or a constant is never undefined)
                return Typed(call.Arguments[0]);
            case ParameterExpression:
                return LaneOperand(e);
            case MethodCallExpression call when call.Method == GetAttrSite:
                return TypedMember(call) ?? DictItem(call.Arguments[ReadSite - 2], (string)((ConstantExpression)call.Arguments[ReadSite - 1]).Value!);
            case MethodCallExpression packed when (InterpreterCalls.Unpack(packed) ?? packed) is { } get && get.Method == RuntimeMethods.GetItem
                && StringKey(get.Arguments[2]) is { } key:
                return DictItem(get.Arguments[1], key);
            case BlockExpression { Variables.Count: 0, Expressions: [BinaryExpression { NodeType: ExpressionType.Assign, Left: MemberExpression { Member: var field } } position, var last] }
                when field == RuntimeMethods.RenderStatePos && Typed(last) is { } inner:
                // { rs.Pos = n; value }: the position still stored first, for an error of the general path inside
                return inner with { Value = Expression.Block(inner.Value.Type, position, inner.Value) };
            case MethodCallExpression { Arguments: [UnaryExpression { NodeType: ExpressionType.Convert, Operand: MethodCallExpression length }] } box
                when box.Method == RuntimeMethods.BoxLong && length.Method == RuntimeMethods.Length:
                // x|length: the count (typed on a string or list member, the general count otherwise) is an int
                return new TypedValue(Expression.Convert(Visit(length), typeof(long)), int.MaxValue, [Expression.Constant(true)]);
            case MethodCallExpression call when Operators.TryGetValue(call.Method, out var op):
                return TypedCall(call, op);
            case InvocationExpression { Expression: ConstantExpression { Value: Delegate d }, Arguments: [_, var summed, ConstantExpression { Value: CallArgs { Positional.Length: 0, Named: null } }] }
                when ReferenceEquals(d, SumFilter) && ObservedRead(summed) is { } list && list.Type == typeof(List<int>):
                // x.nums|sum on a List<int> member: a long, summed unboxed (a null list takes the general path, which decides it)
                return new TypedValue(Expression.Call(RuntimeMethods.SumOfInts, list.Read), (double)Array.MaxLength * 2147483648.0,
                    [list.Guard, Expression.NotEqual(list.Read, Expression.Constant(null, typeof(List<int>)))]);
            case InvocationExpression { Expression: ConstantExpression { Value: Delegate d }, Arguments: [_, var operand, ConstantExpression { Value: CallArgs { Positional.Length: 0, Named: null } }] }
                when (ReferenceEquals(d, FloatFilter) || ReferenceEquals(d, AbsFilter)) && Typed(operand) is { Guards.Count: > 0 } v && v.Value.Type != typeof(bool):
                // x.id|float (Python's int -> float rounds to nearest, as the conversion does) and x|abs, which cannot fail on a number
                if (ReferenceEquals(d, FloatFilter))
                    return new TypedValue(v.Value.Type == typeof(double) ? v.Value : Expression.Convert(v.Value, typeof(double)), double.PositiveInfinity, v.Guards);
                if (v.Value.Type == typeof(double)) return v with { Value = Expression.Call(RuntimeMethods.AbsDouble, v.Value) };
                return v.Bound < NoOverflow ? v with { Value = Expression.Call(RuntimeMethods.AbsLong, v.Value) } : null;
            default:
                return null;
        }
    }

    /// <summary>
    /// <c>d['qty']</c> / <c>d.qty</c> in an operation, where <c>d</c> is a variable or a variable's member (read again, with
    /// no side effect, when the general path takes over): an int stored under the key of a
    /// <c>Dictionary&lt;string, object?&gt;</c> is the operand, read once in the guard (MemberAccess.DictItemInt); any
    /// other mapping, a missing key or another value takes the general path.
    /// </summary>
    private TypedValue? DictItem(Expression target, string key)
    {
        var bare = target;
        while (bare is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) bare = c.Operand;
        if (bare is MethodCallExpression use && use.Method == RuntimeMethods.UseValue) bare = use.Arguments[0];
        if (bare is not ParameterExpression && ObservedRead(bare) is null) return null;
        var item = Hoisted(typeof(long), "item");
        var map = Visit(target);
        return new TypedValue(item, int.MaxValue + 1.0,
            [Expression.Call(RuntimeMethods.DictItemInt, map.Type == typeof(object) ? map : Expression.Convert(map, typeof(object)), Expression.Constant(key), item)]);
    }

    private static string? StringKey(Expression e)
    {
        while (e is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) e = c.Operand;
        return e is ConstantExpression { Value: string s } ? s : null;
    }

    private TypedValue? TypedMember(MethodCallExpression read)
    {
        if (ObservedRead(read) is not { } m) return null;
        if (m.Type == typeof(int)) return new TypedValue(Expression.Convert(m.Read, typeof(long)), int.MaxValue + 1.0, [m.Guard]);
        if (m.Type == typeof(long) || m.Type == typeof(double)) return new TypedValue(m.Read, double.PositiveInfinity, [m.Guard]);
        return null;
    }

    private TypedValue? TypedCall(MethodCallExpression call, Op op)
    {
        if (op is Op.Neg)
        {
            // -x: a long within the bound negates exactly (the bound is under 2^62); a float's sign flips
            if (Typed(call.Arguments[0]) is not { } n || (n.Value.Type == typeof(long) && !(n.Bound < NoOverflow))) return null;
            return new TypedValue(Expression.Negate(n.Value), n.Bound, n.Guards);
        }
        if (op is Op.Even or Op.Odd)
        {
            if (Typed(call.Arguments[0]) is not { Value.Type: var t } v || t != typeof(long)) return null;
            var low = Expression.Equal(Expression.And(v.Value, Expression.Constant(1L)), Expression.Constant(op == Op.Even ? 0L : 1L));
            return new TypedValue(low, 1, v.Guards);
        }
        if (Typed(call.Arguments[0]) is not { } a || Typed(call.Arguments[1]) is not { } b) return null;
        var guards = a.Guards.Concat(b.Guards).ToList();
        var ints = a.Value.Type == typeof(long) && b.Value.Type == typeof(long);
        if (!ints)
        {
            // a float operation: an int operand must convert exactly
            if ((a.Value.Type == typeof(long) && a.Bound > Exact) || (b.Value.Type == typeof(long) && b.Bound > Exact)) return null;
        }
        Expression L() => ints || a.Value.Type == typeof(double) ? a.Value : Expression.Convert(a.Value, typeof(double));
        Expression R() => ints || b.Value.Type == typeof(double) ? b.Value : Expression.Convert(b.Value, typeof(double));
        switch (op)
        {
            case Op.Eq: return new TypedValue(Expression.Equal(L(), R()), 1, guards);
            case Op.Ne: return new TypedValue(Expression.NotEqual(L(), R()), 1, guards);
            case Op.Lt: return new TypedValue(Expression.LessThan(L(), R()), 1, guards);
            case Op.Le: return new TypedValue(Expression.LessThanOrEqual(L(), R()), 1, guards);
            case Op.Gt: return new TypedValue(Expression.GreaterThan(L(), R()), 1, guards);
            case Op.Ge: return new TypedValue(Expression.GreaterThanOrEqual(L(), R()), 1, guards);
        }
        if (op is Op.Div)
        {
            // true division by a non-zero constant: both operands exact doubles, so one IEEE division is Python's
            // correctly rounded quotient (an int divided by an int included)
            if (b.Value is not ConstantExpression { Value: var quotientDivisor } || quotientDivisor is 0L or 0.0
                || (a.Value.Type == typeof(long) && a.Bound > Exact) || (b.Value.Type == typeof(long) && b.Bound > Exact)) return null;
            static Expression AsDouble(Expression v) => v.Type == typeof(double) ? v : Expression.Convert(v, typeof(double));
            return new TypedValue(Expression.Divide(AsDouble(a.Value), AsDouble(b.Value)), double.PositiveInfinity, guards);
        }
        if (!ints)
        {
            return op switch
            {
                Op.Add => new TypedValue(Expression.Add(L(), R()), double.PositiveInfinity, guards),
                Op.Sub => new TypedValue(Expression.Subtract(L(), R()), double.PositiveInfinity, guards),
                Op.Mul => new TypedValue(Expression.Multiply(L(), R()), double.PositiveInfinity, guards),
                _ => null, // float // and % (and their zero divisors) keep Python's general rules
            };
        }
        // integers: a divisor must be a non-zero constant; sums and products must stay far from overflow
        var constant = b.Value is ConstantExpression { Value: long divisor } && divisor != 0 ? divisor : (long?)null;
        switch (op)
        {
            case Op.Add when a.Bound + b.Bound < NoOverflow:
                return new TypedValue(Expression.Add(a.Value, b.Value), a.Bound + b.Bound, guards);
            case Op.Sub when a.Bound + b.Bound < NoOverflow:
                return new TypedValue(Expression.Subtract(a.Value, b.Value), a.Bound + b.Bound, guards);
            case Op.Mul when a.Bound * b.Bound < NoOverflow:
                return new TypedValue(Expression.Multiply(a.Value, b.Value), a.Bound * b.Bound, guards);
            case Op.FloorDiv when constant is not null && a.Bound < NoOverflow:
                return new TypedValue(Expression.Call(RuntimeMethods.FloorDivLong, a.Value, b.Value), a.Bound, guards);
            case Op.Mod when constant is not null:
                return new TypedValue(Expression.Call(RuntimeMethods.ModLong, a.Value, b.Value), Math.Abs((double)constant.Value), guards);
            case Op.Pow when constant is >= 0 and <= 8 && Math.Pow(Math.Max(a.Bound, 1), constant.Value) <= NoOverflow:
            {
                // x ** k for a small constant k >= 0: k - 1 products of x, read once (a negative k is a float in Python)
                var x = Expression.Variable(typeof(long), "powBase");
                Expression product = Expression.Constant(1L);
                for (var i = 0; i < constant.Value; i++) product = i == 0 ? x : Expression.Multiply(product, x);
                return new TypedValue(Expression.Block(typeof(long), [x], Expression.Assign(x, a.Value), product),
                    Math.Pow(a.Bound, constant.Value), guards);
            }
            case Op.DivisibleBy when constant is not null:
                return new TypedValue(Expression.Equal(Expression.Call(RuntimeMethods.ModLong, a.Value, b.Value), Expression.Constant(0L)), 1, guards);
            default:
                return null;
        }
    }

    /// <summary>
    /// A filter or test called through a constant delegate (<c>E.Invoke(fn, rs, value, args)</c>): a direct call of the
    /// delegate's method on its target, which the JIT can inline, instead of a delegate invocation. Only a single-cast
    /// delegate whose method has exactly the delegate's signature; anything else is invoked as before.
    /// </summary>
    protected override Expression VisitInvocation(InvocationExpression node)
    {
        if (node.Expression is ConstantExpression { Value: Delegate d } && DirectCall(d, node.Type, node.Arguments.Select(Visit).ToArray()!) is { } call) return call;
        return base.VisitInvocation(node);
    }

    private static MethodCallExpression? DirectCall(Delegate d, Type returns, Expression[] args)
    {
        if (d.HasSingleTarget is false) return null;
        var method = d.Method;
        if (method is System.Reflection.Emit.DynamicMethod || method.IsGenericMethodDefinition || method.ContainsGenericParameters) return null;
        if (method.IsStatic ? d.Target is not null : d.Target is null || !method.DeclaringType!.IsInstanceOfType(d.Target)) return null;
        // (the invocation was checked against the delegate's signature when it was built: the method must take exactly
        // the argument types and return exactly the invocation's type)
        var ps = method.GetParameters();
        if (ps.Length != args.Length || method.ReturnType != returns) return null;
        for (var i = 0; i < ps.Length; i++)
            if (args[i].Type != ps[i].ParameterType) return null;
        return method.IsStatic ? Expression.Call(method, args) : Expression.Call(Expression.Constant(d.Target, method.DeclaringType!), method, args);
    }
}
