using System.Text;
using System.Text.RegularExpressions;
using Kida.Runtime;

namespace Kida.Filters;

// Kida's own filters that have more than a line of logic: date, shuffle, debug, csp_nonce.
internal static partial class BuiltinFilters
{
    private static void AddKidaFilters(Dictionary<string, FilterFn> f)
    {
        f["date"] = DateFilter.Filter;
        f["shuffle"] = Shuffle;
        f["debug"] = Debug;
        f["csp_nonce"] = CspNonce;
    }

    /// <summary>A shuffled copy as a list (impure: a new order each call); a string shuffles its characters.</summary>
    private static object? Shuffle(RenderState rs, object? v, CallArgs a)
    {
        if (v is null or Undefined) return new List<object?>();
        var list = ToListChecked(v);
        Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list));
        return list;
    }

    /// <summary>The most characters one <c>debug</c> line writes (a template cannot flood the host's error stream).</summary>
    internal const int DebugLineLimit = 2000;

    /// <summary>The writer <c>debug</c> reports to (the process's standard error, as Python Kida's stderr); tests swap it.</summary>
    internal static TextWriter DebugWriter = Console.Error;

    /// <summary>
    /// Kida's <c>debug(label=None, max_items=5)</c>: writes the value's type, length and first items to standard error
    /// and returns the value unchanged. The line is one line (control characters escaped) of bounded length.
    /// </summary>
    private static object? Debug(RenderState rs, object? v, CallArgs a)
    {
        var label = a.Get(0, "label") is { } l and not Undefined ? PyString.Str(l) : null;
        var maxItems = Guard.ClampToInt(Numbers.ToSize(a.Get(1, "max_items", 5L)));
        var sb = new StringBuilder("[kida debug] ");
        if (rs.Current?.Name is { } name) sb.Append(name).Append(": ");
        if (label is not null) sb.Append(label).Append(": ");
        sb.Append(Values.TypeName(v));
        if (v is not (null or Undefined or string or Markup) && (Values.IsMapping(v) || v is System.Collections.IEnumerable))
        {
            var items = new List<string>();
            var count = 0L;
            var shown = 0;
            foreach (var item in Iteration.Iterate(Values.IsMapping(v) ? Mappings.MapItems(v).Select(kv => (object?)new PyTuple([kv.Key, kv.Value])) : v))
            {
                // only what fits on the (bounded) line is formatted, whatever max_items says
                if (count < maxItems && shown < DebugLineLimit)
                {
                    var repr = PyString.Repr(item);
                    shown += repr.Length + 2;
                    items.Add(repr);
                }
                count++;
                if (count > 100_000) break;
            }
            sb.Append(" len=").Append(count > 100_000 ? "100000+" : count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            sb.Append(" [").AppendJoin(", ", items);
            if (count > items.Count) sb.Append(", …");
            sb.Append(']');
        }
        else
        {
            if (v is string or Markup) sb.Append(" len=").Append(PyString.Str(v).Length);
            sb.Append(' ').Append(v is Undefined ? "Undefined" : PyString.Repr(v));
        }
        var line = Sanitize(sb.ToString());
        lock (DebugWriter) DebugWriter.WriteLine(line);
        return v;

        static string Sanitize(string s)
        {
            var o = new StringBuilder(Math.Min(s.Length, DebugLineLimit) + 8);
            foreach (var c in s)
            {
                if (o.Length >= DebugLineLimit) { o.Append('…'); break; }
                if (char.IsControl(c)) o.Append(c switch { '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ => $"\\u{(int)c:x4}" });
                else o.Append(c);
            }
            return o.ToString();
        }
    }

    [GeneratedRegex(@"<(script|style)\b([^>]*)>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex ScriptOrStyleTag();

    [GeneratedRegex(@"\snonce\s*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex NonceAttribute();

    /// <summary>
    /// Kida's <c>csp_nonce(nonce=None)</c>: adds <c>nonce="…"</c> to the opening <c>&lt;script&gt;</c> and
    /// <c>&lt;style&gt;</c> tags of the value that have none. The nonce is the argument, else the <c>csp_nonce()</c>
    /// global's (the current request's in ASP.NET Core); it is attribute-escaped. The value is trusted HTML: the
    /// result is always Markup.
    /// </summary>
    private static object? CspNonce(RenderState rs, object? v, CallArgs a)
    {
        var html = v is null or Undefined ? "" : PyString.Str(v);
        var nonce = a.Get(0, "nonce") is { } n and not Undefined ? PyString.Str(n) : CurrentNonce(rs);
        if (string.IsNullOrEmpty(nonce)) return new Markup(html);
        var attr = $" nonce=\"{Output.Escape(nonce)}\"";
        return new Markup(ScriptOrStyleTag().Replace(html, m =>
            NonceAttribute().IsMatch(m.Groups[2].ValueSpan) ? m.Value : $"<{m.Groups[1].Value}{attr}{m.Groups[2].Value}>"));
    }

    private static string? CurrentNonce(RenderState rs) =>
        rs.Host.GlobalsSnapshot.TryGetValue("csp_nonce", out var g) && g is KidaCallable fn
            ? fn.Invoke(rs, CallArgs.None) switch { null or Undefined => null, var x => PyString.Str(x) }
            : null;
}
