using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;

namespace Kida.Syntax;

/// <summary>Generic traversal of the syntax tree for compile-time questions ("does this body read name x?").</summary>
internal static class NameWalker
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Props = new();

    public static IEnumerable<object> Children(object node)
    {
        var props = Props.GetOrAdd(node.GetType(), t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .ToArray());
        foreach (var p in props)
        {
            var v = p.GetValue(node);
            switch (v)
            {
                case null or string: continue;
                case Node or IfBranch or MatchCase or Parameter or Arguments: yield return v; break;
                case IEnumerable e:
                    foreach (var item in e)
                    {
                        if (item is null) continue;
                        var t = item.GetType();
                        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(KeyValuePair<,>))
                        {
                            var k = t.GetProperty("Key")!.GetValue(item);
                            var val = t.GetProperty("Value")!.GetValue(item);
                            if (k is not null and not string && IsTreeObject(k)) yield return k;
                            if (val is not null && IsTreeObject(val)) yield return val;
                            if (val is IEnumerable inner and not string)
                                foreach (var x in inner) if (x is not null && IsTreeObject(x)) yield return x;
                        }
                        else if (IsTreeObject(item)) yield return item;
                    }
                    break;
            }
        }
    }

    private static bool IsTreeObject(object o) => o is Node or IfBranch or MatchCase or Parameter or Arguments;

    public static bool Uses(object node, string name, Func<object, bool>? skip = null)
    {
        if (node is NameExpr n && n.Name == name) return true;
        if (skip is not null && skip(node)) return false;
        foreach (var child in Children(node))
            if (Uses(child, name, skip)) return true;
        return false;
    }

    /// <summary>Does the loop body read <c>loop</c>? (Conservative: a nested loop's own use counts too.)</summary>
    public static bool UsesLoop(IEnumerable<Stmt> body) => body.Any(s => Uses(s, "loop"));

    public static bool UsesCaller(IEnumerable<Stmt> body) =>
        body.Any(s => Uses(s, "caller", n => n is MacroStmt) || ContainsSlot(s));

    private static bool ContainsSlot(object node)
    {
        if (node is SlotStmt) return true;
        if (node is MacroStmt) return false;
        foreach (var c in Children(node))
            if (ContainsSlot(c)) return true;
        return false;
    }
}
