using System.Linq.Expressions;
using System.Reflection;
using Kida.Runtime;

namespace Kida.Compilation;

// Loop variables walked in a lane. A for loop over a model List<int> (or, when its body cannot change the list,
// List<double>, List<decimal>, List<long>, List<DateTime>) binds its variable as
//     v = laneActive ? Box(lane_T = list[i]) : item
// (Emitter.EmitForCore). A variable bound only there (assigned once, never by reference, not seen by a nested function)
// holds exactly lane_T, boxed, whenever the lane is active: every typed path of this inliner reads lane_T itself behind
// that test, as it reads a member behind its type check, so {{ v * 2 }}, {{ v|round(1) }}, {{ v.year }},
// {{ '{:.2f}'|format(v) }} or {{ v is number }} take no box and no dispatch. The general path is unchanged.
// The same survey finds a batch or slice loop's variable read only by one printed join (joined straight from the
// loop's view) and tells a template variable that walks no lane (BareVariable, for the guesses of ObservedRead: the item
// type of the one kind of list its loop has walked, ItemGuess, else a string).
internal sealed partial class SiteInliner
{
    /// <summary>Each lane-bound loop variable's lanes: the test that its lane is active and the lane's unboxed item.</summary>
    private Dictionary<ParameterExpression, List<(Expression Test, ParameterExpression Value)>>? _lanes;

    /// <summary>Finds the lane-bound loop variables of <paramref name="lambda"/> (before it is visited).</summary>
    private void FindLanes(LambdaExpression lambda)
    {
        var survey = new LaneSurvey();
        survey.Visit(lambda);
        foreach (var (variable, lanes) in survey.Lanes)
            if (survey.Assignments.GetValueOrDefault(variable) == 1 && !survey.Excluded.Contains(variable))
                (_lanes ??= [])[variable] = lanes;
        // a light loop's loop variable that holds nothing but its marker: loop.index and kin need not check it
        foreach (var (variable, markers) in survey.MarkerAssignments)
            if (survey.Assignments.GetValueOrDefault(variable) == markers && !survey.Excluded.Contains(variable)) (_lightMarkers ??= []).Add(variable);
        foreach (var (variable, site) in survey.ItemSites)
            if (ItemTypeOf(site) is { } itemType) (_itemGuesses ??= [])[variable] = itemType;
        // a batch or slice loop's variable read only by one printed join: the join writes straight from the view, and the
        // view's list is not filled for it (Iteration.ChunkView.WriteJoined)
        foreach (var (variable, item) in survey.Copies)
            if (survey.ChunkItems.TryGetValue(item, out var chunk) && survey.Joined.Contains(variable)
                && survey.Assignments.GetValueOrDefault(variable) == 1 && survey.Assignments.GetValueOrDefault(item) == 1
                && survey.Assignments.GetValueOrDefault(chunk.View) == 1
                && !survey.Excluded.Contains(variable) && !survey.Excluded.Contains(item) && !survey.Excluded.Contains(chunk.View) && !survey.Excluded.Contains(chunk.Index)
                && survey.Reads(variable) == 1 && survey.Reads(item) == 1)
            {
                (_joinedChunks ??= [])[variable] = (chunk.View, chunk.Index, item);
                (_unreadItems ??= []).Add(item);
            }
        // a temporary a block declares and first sets to a lane-bound variable (a chained comparison's middle operand)
        // holds the same item for the whole block
        if (_lanes is not null)
            foreach (var (temporary, source) in survey.Aliases)
                if (_lanes.TryGetValue(source, out var lanes) && survey.Assignments.GetValueOrDefault(temporary) == 1 && !survey.Excluded.Contains(temporary))
                    _lanes[temporary] = lanes;
    }

    /// <summary>The <c>loop</c> variables of light loops assigned only the loop's marker (Emitter.LightLoopMarker).</summary>
    private HashSet<ParameterExpression>? _lightMarkers;

    /// <summary><c>loop is the light loop's marker</c> (Emitter.LoopMember's test) on a variable that holds nothing else: true.</summary>
    private Expression? KnownLightLoop(BinaryExpression node) =>
        _lightMarkers is not null && node is { NodeType: ExpressionType.Equal, Method: null, Left: ParameterExpression variable, Right: ConstantExpression { Value: var marker } }
            && ReferenceEquals(marker, Emitter.LightLoopMarker) && _lightMarkers.Contains(variable)
            ? Expression.Constant(true)
            : null;

    /// <summary>The item type of the one kind of model list each loop variable's loop has walked (ItemGuess).</summary>
    private Dictionary<ParameterExpression, Type>? _itemGuesses;

    /// <summary>
    /// T when the loop noted at <paramref name="site"/> has only opened on a <c>List&lt;T&gt;</c> or a <c>T[]</c> of a
    /// reference type T that no lane walks and whose values are no JSON to convert (a list of records, of lists, of
    /// dictionaries); null otherwise.
    /// </summary>
    private static Type? ItemTypeOf(Iteration.IntLaneSite site)
    {
        if (Volatile.Read(ref site.Source.Mixed) || Volatile.Read(ref site.Source.Seen) is not { } source) return null;
        var item = source.IsArray && source.GetArrayRank() == 1 ? source.GetElementType()
            : source.IsGenericType && source.GetGenericTypeDefinition() == typeof(List<>) ? source.GetGenericArguments()[0]
            : null;
        return item is null || item.IsValueType || item == typeof(object) || item == typeof(string) || item.ContainsGenericParameters
            || typeof(System.Text.Json.Nodes.JsonNode).IsAssignableFrom(item) || item.IsInterface || item.IsAbstract
            ? null : item;
    }

    /// <summary>
    /// What a template variable (BareVariable) most likely holds: the item type of the one kind of model list its loop
    /// has walked (<c>{% for v in families %}</c> over a <c>List&lt;List&lt;Child&gt;&gt;</c>: <c>List&lt;Child&gt;</c>), or null.
    /// Only a guess: every use checks the value's exact type first, and anything else takes the generic path.
    /// </summary>
    private Type? ItemGuess(ParameterExpression variable) => _itemGuesses?.GetValueOrDefault(variable);

    /// <summary>Each batch or slice loop variable whose one read is a printed join: the loop's view and index, and the item variable the view's Get fills.</summary>
    private Dictionary<ParameterExpression, (ParameterExpression View, ParameterExpression Index, ParameterExpression Item)>? _joinedChunks;

    /// <summary>The item variables of <see cref="_joinedChunks"/>, which their loops no longer fill.</summary>
    private HashSet<ParameterExpression>? _unreadItems;

    /// <summary><c>{{ b|join(sep) }}</c> of a batch or slice loop's variable read nowhere else: joined straight from the view.</summary>
    private Expression? FusedChunkJoin(MethodCallExpression node)
    {
        if (_joinedChunks is null || node.Method != RuntimeMethods.WriteJoin) return null;
        var e = node.Arguments[2];
        while (e is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) e = c.Operand;
        if (e is MethodCallExpression use && use.Method == RuntimeMethods.UseValue) e = use.Arguments[0];
        if (e is not ParameterExpression variable || !_joinedChunks.TryGetValue(variable, out var chunk)) return null;
        return Expression.Call(chunk.View, RuntimeMethods.ChunkViewWriteJoined, chunk.Index, Visit(node.Arguments[1]), Visit(node.Arguments[3]), Visit(node.Arguments[4]), Visit(node.Arguments[0]));
    }

    /// <summary>The view's Get into the item variable of a fused join's loop (FusedChunkJoin): not made, as nothing reads it.</summary>
    private Expression? UnreadChunk(BinaryExpression node) =>
        _unreadItems is not null && node.NodeType == ExpressionType.Assign && node.Left is ParameterExpression item && _unreadItems.Contains(item)
            ? Expression.Assign(item, Expression.Constant(null, item.Type))
            : null;

    /// <summary>
    /// <paramref name="e"/> (under conversions to object and a strict-undefined check) as a lane-bound loop variable:
    /// the folded test that its first lane still in use is active, and that lane's item. Null for anything else.
    /// </summary>
    private (Expression Guard, ParameterExpression Value)? Lane(Expression e)
    {
        if (_lanes is null) return null;
        while (e is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) e = c.Operand;
        if (e is MethodCallExpression use && use.Method == RuntimeMethods.UseValue) e = use.Arguments[0];
        while (e is UnaryExpression { NodeType: ExpressionType.Convert } c2 && c2.Type == typeof(object)) e = c2.Operand;
        if (e is not ParameterExpression variable || !_lanes.TryGetValue(variable, out var lanes)) return null;
        foreach (var (test, value) in lanes)
        {
            // (a lane its loop never used folds to false: SiteInliner.VisitMember)
            var guard = Visit(test);
            if (guard is ConstantExpression { Value: false }) continue;
            return (guard, value);
        }
        return null;
    }

    /// <summary>A template variable (under conversions to object and a strict-undefined check) not walking a lane.</summary>
    private ParameterExpression? BareVariable(Expression e)
    {
        while (e is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) e = c.Operand;
        if (e is MethodCallExpression use && use.Method == RuntimeMethods.UseValue) e = use.Arguments[0];
        while (e is UnaryExpression { NodeType: ExpressionType.Convert } c2 && c2.Type == typeof(object)) e = c2.Operand;
        // (a lane-bound variable whose lanes the loop never used is a variable like any other)
        return e is ParameterExpression { Type: var t } variable && t == typeof(object) && Lane(variable) is null ? variable : null;
    }

    /// <summary>The lane's item as a typed operand: an int or long as a long (bounded by its type), a double as itself.</summary>
    private TypedValue? LaneOperand(Expression e)
    {
        if (Lane(e) is not var (guard, value)) return null;
        if (value.Type == typeof(int)) return new TypedValue(Expression.Convert(value, typeof(long)), int.MaxValue + 1.0, [guard]);
        if (value.Type == typeof(long) || value.Type == typeof(double)) return new TypedValue(value, double.PositiveInfinity, [guard]);
        return null;
    }

    /// <summary>The immutable framework structs whose members tier-up reads on an unboxed value (a date's year, ...).</summary>
    private static readonly HashSet<Type> ValueMembersOf = [typeof(DateTime), typeof(DateTimeOffset), typeof(DateOnly), typeof(TimeOnly), typeof(TimeSpan)];

    /// <summary>
    /// <c>v.year</c> on a lane-bound variable whose site has read that member of the lane's type (so the sandbox and the
    /// member lookup answered it): the member of the unboxed item, behind the lane's test. Also a write's member.
    /// </summary>
    private (Expression Guard, Expression Access, MemberInfo Member, Type Type)? LaneMember(Expression target, string name, MemberSite site)
    {
        if (Lane(target) is not var (guard, value) || !ValueMembersOf.Contains(value.Type)
            || Volatile.Read(ref site.Entry) is not { } entry || entry.Type != value.Type) return null;
        var member = Members.FindMember(value.Type, name);
        if (member is null) return null;
        return (guard, Expression.MakeMemberAccess(value, member), member, value.Type);
    }

    /// <summary><c>{{ v }}</c> on a lane-bound variable of a decimal lane: the item formatted unboxed (ints, longs and doubles are TypedLocals' shadows).</summary>
    private Expression? TypedLaneWrite(MethodCallExpression write)
    {
        if (Lane(write.Arguments[0]) is not var (guard, value) || value.Type != typeof(decimal)
            || Members.WriteExpression(value, write.Object!, write.Arguments[1]) is not { } typed) return null;
        return Expression.IfThenElse(guard, typed, write);
    }

    private sealed class LaneSurvey : ExpressionVisitor
    {
        public readonly Dictionary<ParameterExpression, List<(Expression, ParameterExpression)>> Lanes = new();
        public readonly Dictionary<ParameterExpression, int> Assignments = new();
        public readonly HashSet<ParameterExpression> Excluded = new();
        public readonly List<(ParameterExpression Temporary, ParameterExpression Source)> Aliases = new();
        // item = view.Get(i); b = item; WriteJoin(…, b, …): the parts of a fused chunk join
        public readonly Dictionary<ParameterExpression, (ParameterExpression View, ParameterExpression Index)> ChunkItems = new();
        public readonly List<(ParameterExpression Variable, ParameterExpression Item)> Copies = new();
        public readonly HashSet<ParameterExpression> Joined = new();
        // loop = <marker>: how often each variable is assigned a light loop's marker
        public readonly Dictionary<ParameterExpression, int> MarkerAssignments = new();
        // v = intLaneActive ? … : item: the int lane's site, which notes the loop's source type
        public readonly Dictionary<ParameterExpression, Iteration.IntLaneSite> ItemSites = new();
        private readonly Dictionary<ParameterExpression, int> _occurrences = new();

        /// <summary>How often a variable is read (its occurrences that are not the target of an assignment).</summary>
        public int Reads(ParameterExpression v) => _occurrences.GetValueOrDefault(v) - Assignments.GetValueOrDefault(v) - _declarations.GetValueOrDefault(v);

        // (a block visits the variables it declares as it visits every other occurrence)
        private readonly Dictionary<ParameterExpression, int> _declarations = new();
        // the function each variable was first seen in: a variable another function also reads or writes is left alone
        private readonly Dictionary<ParameterExpression, LambdaExpression> _owner = new();
        private readonly Stack<LambdaExpression> _functions = new();

        protected override Expression VisitBlock(BlockExpression node)
        {
            foreach (var declared in node.Variables) _declarations[declared] = _declarations.GetValueOrDefault(declared) + 1;
            if (FirstEvaluated(node.Expressions[0]) is BinaryExpression { NodeType: ExpressionType.Assign, Left: ParameterExpression { Type: var t } temporary, Right: var value }
                && t == typeof(object) && node.Variables.Contains(temporary))
            {
                while (value is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) value = c.Operand;
                if (value is ParameterExpression source) Aliases.Add((temporary, source));
            }
            return base.VisitBlock(node);
        }

        /// <summary>What runs first in <paramref name="e"/>: a block's first expression, the left side of and/or.</summary>
        private static Expression FirstEvaluated(Expression e)
        {
            while (true)
            {
                if (e is BlockExpression { Expressions: [var first, ..] }) e = first;
                else if (e is BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.OrElse } logic) e = logic.Left;
                else return e;
            }
        }

        protected override Expression VisitLambda<T>(Expression<T> node)
        {
            _functions.Push(node);
            try { return base.VisitLambda(node); }
            finally { _functions.Pop(); }
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            _occurrences[node] = _occurrences.GetValueOrDefault(node) + 1;
            if (_functions.Count > 0)
            {
                var function = _functions.Peek();
                if (_owner.TryGetValue(node, out var owner)) { if (owner != function) Excluded.Add(node); }
                else _owner[node] = function;
            }
            return node;
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if ((InterpreterCalls.Unpack(node) ?? node) is { } direct && direct.Method == RuntimeMethods.WriteJoin)
            {
                var joined = direct.Arguments[2];
                while (joined is UnaryExpression { NodeType: ExpressionType.Convert } c && c.Type == typeof(object)) joined = c.Operand;
                if (joined is MethodCallExpression use && use.Method == RuntimeMethods.UseValue) joined = use.Arguments[0];
                if (joined is ParameterExpression variable) Joined.Add(variable);
            }
            var ps = node.Method.GetParameters();
            for (var i = 0; i < ps.Length; i++)
                if (ps[i].ParameterType.IsByRef && node.Arguments[i] is ParameterExpression p) Excluded.Add(p);
            return base.VisitMethodCall(node);
        }

        protected override Expression VisitBinary(BinaryExpression node)
        {
            if (node.Left is ParameterExpression v && node.NodeType is ExpressionType.Assign or ExpressionType.AddAssign or ExpressionType.SubtractAssign
                    or ExpressionType.MultiplyAssign or ExpressionType.DivideAssign or ExpressionType.ModuloAssign or ExpressionType.PowerAssign
                    or ExpressionType.AndAssign or ExpressionType.OrAssign or ExpressionType.ExclusiveOrAssign or ExpressionType.LeftShiftAssign
                    or ExpressionType.RightShiftAssign or ExpressionType.AddAssignChecked or ExpressionType.SubtractAssignChecked or ExpressionType.MultiplyAssignChecked)
            {
                Assignments[v] = Assignments.GetValueOrDefault(v) + 1;
                if (node.NodeType == ExpressionType.Assign && node.Right is ConstantExpression { Value: var marker } && ReferenceEquals(marker, Emitter.LightLoopMarker))
                    MarkerAssignments[v] = MarkerAssignments.GetValueOrDefault(v) + 1;
                if (node.NodeType == ExpressionType.Assign && v.Type == typeof(object) && LaneChoices(node.Right) is { Count: > 0 } lanes)
                {
                    Lanes[v] = lanes;
                    if (new IntLaneSiteFinder().Find(lanes[0].Item1) is { } site) ItemSites[v] = site;
                }
                if (node.NodeType == ExpressionType.Assign && node.Right is MethodCallExpression { Object: ParameterExpression view, Arguments: [ParameterExpression index] } get
                    && get.Method == RuntimeMethods.ChunkViewGet)
                    ChunkItems[v] = (view, index);
                if (node.NodeType == ExpressionType.Assign && node.Right is ParameterExpression copied && v.Type == typeof(object)) Copies.Add((v, copied));
            }
            return base.VisitBinary(node);
        }

        protected override Expression VisitUnary(UnaryExpression node)
        {
            if (node.Operand is ParameterExpression v && node.NodeType is ExpressionType.PreIncrementAssign or ExpressionType.PostIncrementAssign
                    or ExpressionType.PreDecrementAssign or ExpressionType.PostDecrementAssign)
                Assignments[v] = Assignments.GetValueOrDefault(v) + 2;
            return base.VisitUnary(node);
        }

        /// <summary>The int lane's site in a lane's test (its flag's field), if it has one.</summary>
        private sealed class IntLaneSiteFinder : ExpressionVisitor
        {
            private Iteration.IntLaneSite? _found;

            public Iteration.IntLaneSite? Find(Expression test)
            {
                Visit(test);
                return _found;
            }

            protected override Expression VisitMember(MemberExpression node)
            {
                if (node.Member == RuntimeMethods.IntLaneSeen && node.Expression is ConstantExpression { Value: Iteration.IntLaneSite site }) _found ??= site;
                return base.VisitMember(node);
            }
        }

        /// <summary>The chain <c>test1 ? Box(lane1 = …) : test2 ? Box(lane2 = …) : item</c> a lane binding is.</summary>
        private static List<(Expression, ParameterExpression)>? LaneChoices(Expression e)
        {
            List<(Expression, ParameterExpression)>? found = null;
            while (e is ConditionalExpression { Type: var t } choice && t == typeof(object) && LaneItem(choice.IfTrue) is { } value)
            {
                (found ??= []).Add((choice.Test, value));
                e = choice.IfFalse;
            }
            return found;
        }

        private static ParameterExpression? LaneItem(Expression e)
        {
            var inner = e switch
            {
                MethodCallExpression call when call.Method == RuntimeMethods.BoxInt || call.Method == RuntimeMethods.BoxLong => call.Arguments[0],
                UnaryExpression { NodeType: ExpressionType.Convert, Type: var t } convert when t == typeof(object) => convert.Operand,
                _ => null,
            };
            return inner is BinaryExpression { NodeType: ExpressionType.Assign, Left: ParameterExpression { Type.IsValueType: true } lane } ? lane : null;
        }
    }
}
