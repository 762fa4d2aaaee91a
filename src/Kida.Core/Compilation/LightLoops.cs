using Kida.Binding;
using Kida.Syntax;

namespace Kida.Compilation;

/// <summary>
/// Which for loops can do without a <see cref="Runtime.LoopContext"/>: a loop whose body reads <c>loop</c> only as
/// <c>loop.index</c>, <c>index0</c>, <c>revindex</c>, <c>revindex0</c>, <c>length</c>, <c>first</c> or <c>last</c>, and
/// does nothing through which the variable could be seen otherwise. The emitter then reads those members from the
/// loop's own counter and item list (no context object, no boxed copy of a model's numbers), keeping a marker in the
/// variable so an assignment to <c>loop</c> still takes the general read.
/// </summary>
/// <remarks>
/// The body may hold only text, output, if, set (of names other than <c>loop</c>), do, break, continue, while and
/// nested for statements. Anything else (macros, call blocks, includes, imports, with, try, match, blocks, …) could
/// close over the variable or hand the locals on, so such a loop keeps its context. A nested loop that reads
/// <c>loop</c> itself owns every <c>loop</c> in its body and inline filter; its source and else clause belong to the
/// outer loop.
/// </remarks>
internal static class LightLoops
{
    /// <summary>Null when the loop needs its context; else whether its body reads a member that needs the item count.</summary>
    public static bool? Analyse(ForStmt loop, BoundTemplate bound)
    {
        if (loop.Recursive || loop.IsAsync || loop.Filter is not null) return null;
        var check = new Check(bound);
        check.Body(loop.Body);
        return check.Ok ? check.NeedsLength : null;
    }

    /// <summary>
    /// Whether the body of <paramref name="loop"/> cannot change the list it walks: it holds only text, output, if,
    /// set of names, break, continue and nested for statements, calls nothing (no function, method or macro call) and
    /// applies only built-in filters and tests (<paramref name="isBuiltin"/>: the environment's own could do anything),
    /// none of which changes its operand. Such a loop may read a model list in place instead of a copy taken at its start.
    /// </summary>
    public static bool CannotChangeItsSource(ForStmt loop, Func<string, bool, bool> isBuiltin)
    {
        if (loop.Filter is not null) return false;
        var check = new Purity(isBuiltin);
        check.Body(loop.Body);
        return check.Ok;
    }

    /// <summary>
    /// <see cref="CannotChangeItsSource"/>, and the loop variable <paramref name="name"/> is not read in any set
    /// statement's value: nothing in the body can keep the value bound to it past the iteration (it is only printed,
    /// tested, filtered by built-ins or walked), so the loop may hand it one list refilled for each iteration.
    /// </summary>
    public static bool ChunkStaysInBody(ForStmt loop, string name, Func<string, bool, bool> isBuiltin)
    {
        if (loop.Filter is not null) return false;
        var check = new Purity(isBuiltin) { Kept = name };
        check.Body(loop.Body);
        return check.Ok;
    }

    /// <summary>
    /// Whether the body of <paramref name="loop"/> (of the kinds <see cref="CannotChangeItsSource"/> allows: nothing in it
    /// is called, so nothing can see the body's scope) never reads the name <paramref name="name"/> nor assigns it: the
    /// loop need not bind its item to the name at all (<c>{% for n in xs %}{{ loop.index }}{% endfor %}</c>).
    /// </summary>
    public static bool NeverReads(ForStmt loop, string name, Func<string, bool, bool> isBuiltin)
    {
        if (loop.Filter is not null) return false;
        var check = new Purity(isBuiltin) { Unread = name };
        check.Body(loop.Body);
        return check.Ok;
    }

    private sealed class Purity(Func<string, bool, bool> isBuiltin) : RestrictedBody
    {
        /// <summary>A name no set statement's value may read (null: any).</summary>
        public string? Kept;

        /// <summary>A name nothing may read or assign (null: any).</summary>
        public string? Unread;
        private bool _inSetValue;

        protected override bool Statement(Stmt s)
        {
            switch (s)
            {
                case TextStmt or OutputStmt or BreakStmt or ContinueStmt or IfStmt:
                    Walk(s);
                    return true;
                case SetStmt { Target: NameTarget target } set:
                    if (target.Name == Unread) return false;
                    _inSetValue = true;
                    Walk(set.Value);
                    _inSetValue = false;
                    return true;
                case ForStmt { Recursive: false, IsAsync: false } inner:
                    // (a nested loop binding the name too: not looked into, the name is taken as read)
                    if (Unread is not null && Binds(inner.Target, Unread)) return false;
                    Walk(inner.Iterable);
                    Walk(inner.Filter);
                    Body(inner.Body);
                    if (inner.Else is not null) Body(inner.Else);
                    return true;
                default:
                    return false;
            }
        }

        public override bool VisitNameExpr(NameExpr node)
        {
            if (_inSetValue && node.Name == Kept) Ok = false;
            if (node.Name == Unread) Ok = false;
            return true;
        }

        private static bool Binds(Target target, string name) => target switch
        {
            NameTarget n => n.Name == name,
            TupleTarget t => t.Items.Any(i => Binds(i, name)),
            _ => false,
        };

        public override bool VisitCallExpr(CallExpr node)
        {
            Ok = false;
            return true;
        }

        public override bool VisitFilterExpr(FilterExpr node)
        {
            if (!isBuiltin(node.Name, true)) Ok = false;
            return base.VisitFilterExpr(node);
        }

        public override bool VisitTestExpr(TestExpr node)
        {
            if (!isBuiltin(node.Name, false)) Ok = false;
            return base.VisitTestExpr(node);
        }
    }

    /// <summary>
    /// A walk of a loop body whose statements must each be of the kinds <see cref="Statement"/> allows (it walks those);
    /// any other ends the walk with <see cref="Ok"/> false. The bodies of if and while statements are held to the same rule.
    /// </summary>
    private abstract class RestrictedBody : SyntaxWalker
    {
        public bool Ok = true;

        public void Body(IEnumerable<Stmt> body)
        {
            foreach (var s in body)
            {
                if (!Ok) return;
                if (!Statement(s)) Ok = false;
            }
        }

        /// <summary>Walks an allowed statement and says true; false for a statement the body may not hold.</summary>
        protected abstract bool Statement(Stmt s);

        public override bool VisitIfStmt(IfStmt node)
        {
            foreach (var branch in node.Branches)
            {
                Walk(branch.Condition);
                Body(branch.Body);
            }
            if (node.Else is not null) Body(node.Else);
            return true;
        }

        public override bool VisitWhileStmt(WhileStmt node)
        {
            Walk(node.Condition);
            Body(node.Body);
            return true;
        }
    }

    private static bool Mentions(Target target) => target switch
    {
        NameTarget n => n.Name == "loop",
        AttrTarget a => a.Name == "loop",
        TupleTarget t => t.Items.Any(Mentions),
        _ => true,
    };

    private sealed class Check(BoundTemplate bound) : RestrictedBody
    {
        public bool NeedsLength;

        protected override bool Statement(Stmt s)
        {
            switch (s)
            {
                case TextStmt or OutputStmt or IfStmt or DoStmt or BreakStmt or ContinueStmt or WhileStmt:
                    Walk(s);
                    return true;
                case SetStmt set when !Mentions(set.Target):
                    Walk(s);
                    return true;
                case ForStmt inner when !Mentions(inner.Target):
                    Walk(inner.Iterable);
                    // (a nested loop that reads loop owns the name in its body and filter)
                    if (!bound.UsesLoop(inner))
                    {
                        Walk(inner.Filter);
                        Body(inner.Body);
                    }
                    if (inner.Else is not null) Body(inner.Else);
                    return true;
                default:
                    return false;
            }
        }

        public override bool VisitGetAttrExpr(GetAttrExpr node)
        {
            if (node.Target is NameExpr { Name: "loop" } && !node.Optional)
            {
                switch (node.Name)
                {
                    case "index" or "index0" or "first":
                        return true;
                    case "revindex" or "revindex0" or "length" or "last":
                        NeedsLength = true;
                        return true;
                }
            }
            return base.VisitGetAttrExpr(node);
        }

        public override bool VisitCallExpr(CallExpr node)
        {
            // a method called on loop (loop.cycle(), loop.index()) reads the variable itself
            if (node.Callee is GetAttrExpr { Target: NameExpr { Name: "loop" } }) Ok = false;
            return base.VisitCallExpr(node);
        }

        public override bool VisitNameExpr(NameExpr node)
        {
            if (node.Name == "loop") Ok = false;
            return true;
        }

        public override bool VisitListCompExpr(ListCompExpr node)
        {
            if (Mentions(node.Target)) Ok = false;
            return base.VisitListCompExpr(node);
        }
    }
}
