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
        // a temporary a block declares and first sets to a lane-bound variable (a chained comparison's middle operand)
        // holds the same item for the whole block
        if (_lanes is not null)
            foreach (var (temporary, source) in survey.Aliases)
                if (_lanes.TryGetValue(source, out var lanes) && survey.Assignments.GetValueOrDefault(temporary) == 1 && !survey.Excluded.Contains(temporary))
                    _lanes[temporary] = lanes;
    }

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
        // the function each variable was first seen in: a variable another function also reads or writes is left alone
        private readonly Dictionary<ParameterExpression, LambdaExpression> _owner = new();
        private readonly Stack<LambdaExpression> _functions = new();

        protected override Expression VisitBlock(BlockExpression node)
        {
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
                if (node.NodeType == ExpressionType.Assign && v.Type == typeof(object) && LaneChoices(node.Right) is { Count: > 0 } lanes) Lanes[v] = lanes;
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
