using System.Text;
using System.Text.RegularExpressions;
using Kida.Runtime;

namespace Kida.Filters;

/// <summary>
/// The <c>pprint</c> filter: Python's <c>pprint.pformat</c> (width 80, mapping keys sorted). A value whose repr fits
/// stays on one line; a longer list, tuple or mapping puts one item per line, and a long string is split into
/// adjacent literals at whitespace.
/// </summary>
internal static partial class Pretty
{
    private const int Width = 80;

    // the containers being written, outermost first: one that contains itself is shown as Python's pprint shows it
    [ThreadStatic] private static HashSet<object>? t_path;

    public static string Format(object? value)
    {
        if (value is Runtime.Undefined) return "Undefined";
        var sb = new StringBuilder();
        var saved = t_path;
        t_path = new HashSet<object>(ReferenceEqualityComparer.Instance);
        try
        {
            Write(sb, value, 0, 0, 0);
        }
        finally
        {
            t_path = saved;
        }
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, object? value, int indent, int allowance, int level)
    {
        if (value is not null and not string && t_path!.Contains(value))
        {
            sb.Append("<Recursion on ").Append(Values.TypeName(value)).Append(" with id=")
              .Append(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(value)).Append('>');
            return;
        }
        Guard.StringLength(sb.Length);
        if (level > 50)
        {
            sb.Append(PyString.Repr(value, sortKeys: true));
            return;
        }
        var rep = PyString.Repr(value, sortKeys: true);
        if (value is not null and not string) t_path!.Add(value);
        try
        {
            WriteValue(sb, value, rep, indent, allowance, level);
        }
        finally
        {
            if (value is not null and not string) t_path!.Remove(value);
        }
    }

    private static void WriteValue(StringBuilder sb, object? value, string rep, int indent, int allowance, int level)
    {
        if (rep.Length > Width - indent - allowance)
        {
            switch (value)
            {
                case string s when s.Length > 0:
                    WriteString(sb, s, indent, allowance, level + 1);
                    return;
                case PyTuple t when t.Count > 0:
                    var end = t.Count == 1 ? ",)" : ")";
                    sb.Append('(');
                    WriteItems(sb, t, indent, allowance + end.Length, level + 1);
                    sb.Append(end);
                    return;
                case not null when Values.IsMapping(value):
                    var items = PyString.SortedItems(value);
                    if (items.Count == 0) break;
                    sb.Append('{');
                    WriteMappingItems(sb, items, indent + 1, allowance + 1, level + 1);
                    sb.Append('}');
                    return;
                case System.Collections.IList list when list.Count > 0 && value is not Markup:
                    sb.Append('[');
                    WriteItems(sb, list.Cast<object?>().Select(Values.Unwrap).ToList(), indent, allowance + 1, level + 1);
                    sb.Append(']');
                    return;
            }
        }
        sb.Append(rep);
    }

    private static void WriteMappingItems(StringBuilder sb, List<KeyValuePair<object?, object?>> items, int indent, int allowance, int level)
    {
        for (var i = 0; i < items.Count; i++)
        {
            var last = i == items.Count - 1;
            var key = PyString.Repr(items[i].Key, sortKeys: true);
            sb.Append(key).Append(": ");
            Write(sb, items[i].Value, indent + key.Length + 2, last ? allowance : 1, level);
            if (!last) sb.Append(",\n").Append(' ', indent);
        }
    }

    private static void WriteItems(StringBuilder sb, IReadOnlyList<object?> items, int indent, int allowance, int level)
    {
        indent += 1;
        for (var i = 0; i < items.Count; i++)
        {
            var last = i == items.Count - 1;
            if (i > 0) sb.Append(",\n").Append(' ', indent);
            Write(sb, items[i], indent, last ? allowance : 1, level);
        }
    }

    private static void WriteString(StringBuilder sb, string s, int indent, int allowance, int level)
    {
        var chunks = new List<string>();
        var lines = SplitKeepEnds(s);
        if (level == 1)
        {
            indent += 1;
            allowance += 1;
        }
        var maxWidth = Width - indent;
        var maxWidth1 = maxWidth;
        string rep = "";
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            rep = PyString.Repr(line);
            if (i == lines.Count - 1) maxWidth1 -= allowance;
            if (rep.Length <= maxWidth1)
            {
                chunks.Add(rep);
                continue;
            }
            var parts = Words().Matches(line).Select(m => m.Value).ToList();
            if (parts.Count > 0 && parts[^1].Length == 0) parts.RemoveAt(parts.Count - 1);
            var maxWidth2 = maxWidth;
            var current = "";
            for (var j = 0; j < parts.Count; j++)
            {
                var candidate = current + parts[j];
                if (j == parts.Count - 1 && i == lines.Count - 1) maxWidth2 -= allowance;
                if (PyString.Repr(candidate).Length > maxWidth2)
                {
                    if (current.Length > 0) chunks.Add(PyString.Repr(current));
                    current = parts[j];
                }
                else
                {
                    current = candidate;
                }
            }
            if (current.Length > 0) chunks.Add(PyString.Repr(current));
        }
        if (chunks.Count == 1)
        {
            sb.Append(rep);
            return;
        }
        if (level == 1) sb.Append('(');
        for (var i = 0; i < chunks.Count; i++)
        {
            if (i > 0) sb.Append('\n').Append(' ', indent);
            sb.Append(chunks[i]);
        }
        if (level == 1) sb.Append(')');
    }

    /// <summary>Python <c>str.splitlines(keepends=True)</c>.</summary>
    private static List<string> SplitKeepEnds(string s)
    {
        var result = new List<string>();
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (!TextUtil.IsLineBreak(s[i])) continue;
            if (s[i] == '\r' && i + 1 < s.Length && s[i + 1] == '\n') i++;
            result.Add(s[start..(i + 1)]);
            start = i + 1;
        }
        if (start < s.Length) result.Add(s[start..]);
        return result;
    }

    [GeneratedRegex(@"\S*\s*")]
    private static partial Regex Words();
}
