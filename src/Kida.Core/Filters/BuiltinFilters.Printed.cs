using System.Text;
using Kida.Runtime;

namespace Kida.Filters;

// Text filters and str methods printed as they are ({{ x.name|upper }}, {{ x.name.strip() }}, {{ x.text|e }},
// {{ x.name|replace('a', 'b') }}) on a plain string: the result is written into the output as it is made, from a
// stack buffer or from slices of the input, without a string for it. What is written is what the filter or method
// returns, printed as {{ }} prints it; a Markup, a non-string, a non-ASCII text (whose case mappings Python and .NET
// do not share), a long text or an argument of another kind takes the filter or method itself.
internal static partial class BuiltinFilters
{
    /// <summary>What <see cref="WriteCased"/> does to the text.</summary>
    internal enum TextCase : byte
    {
        /// <summary>upper / str.upper()</summary>
        Upper,
        /// <summary>lower / str.lower()</summary>
        Lower,
        /// <summary>capitalize / str.capitalize()</summary>
        Capitalize,
        /// <summary>trim (no argument) / str.strip()</summary>
        Trim,
        /// <summary>the title filter (not str.title(), whose rule differs)</summary>
        Title,
    }

    // the longest text cased on the stack; a longer one is cased by the filter (an allocation is noise beside it)
    private const int StackCased = 256;

    /// <summary>
    /// <c>{{ v|upper }}</c> (lower, capitalize, trim without arguments; with <paramref name="method"/> the str methods
    /// upper(), lower(), capitalize(), strip()) written into <paramref name="output"/> as <c>{{ }}</c> prints the result.
    /// </summary>
    internal static void WriteCased(RenderState rs, Output output, object? v, TextCase mode, string? method, bool escape)
    {
        if (v is string s)
        {
            if (mode == TextCase.Trim)
            {
                Write(output, s.AsSpan().Trim(), escape);
                return;
            }
            if (s.Length <= StackCased && Ascii.IsValid(s))
            {
                Span<char> cased = stackalloc char[s.Length];
                switch (mode)
                {
                    case TextCase.Upper:
                        Ascii.ToUpper(s, cased, out _);
                        break;
                    case TextCase.Lower:
                        Ascii.ToLower(s, cased, out _);
                        break;
                    case TextCase.Title:
                        AsciiTitleInto(s, cased);
                        break;
                    default:
                        // Python's capitalize: the first character title-cased (upper, for ASCII), the rest lower-cased
                        Ascii.ToLower(s, cased, out _);
                        if (cased.Length > 0) cased[0] = char.ToUpperInvariant(cased[0]);
                        break;
                }
                Write(output, cased, escape);
                return;
            }
        }
        if (method is not null)
        {
            Calls.WriteMethodCall(rs, output, v, method, CallArgs.None, escape);
            return;
        }
        object? result = mode switch
        {
            TextCase.Upper => KeepMarkup(v, TextUtil.PyUpper(Str(v))),
            TextCase.Lower => KeepMarkup(v, TextUtil.PyLower(Str(v))),
            TextCase.Capitalize => KeepMarkup(v, TextUtil.PyCapitalize(Str(v))),
            TextCase.Title => Str(v) is var text && Ascii.IsValid(text) ? AsciiTitle(text) : JinjaTitle(text),
            _ => Trim(rs, v, CallArgs.None),
        };
        output.WriteValue(result, escape);
    }

    /// <summary>
    /// <c>{{ v|truncate }}</c> / <c>|truncate(n)</c> (a literal length, the other arguments at their defaults) on a plain
    /// string: the kept text and "..." written as the filter's string would print; anything else prints what the
    /// filter returns (<paramref name="a"/> are its arguments).
    /// </summary>
    internal static void WriteTruncatedText(RenderState rs, Output output, object? v, int length, CallArgs a, bool escape)
    {
        if (v is string s)
        {
            // (lengths in code points: the UTF-16 ones when the text has no surrogate pair)
            var surrogates = PyString.HasSurrogates(s);
            if ((surrogates ? PyString.StrLen(s) : s.Length) <= (long)length + 5)
            {
                Write(output, s, escape);
                return;
            }
            var cut = Math.Max(0, length - 3);
            var head = s.AsSpan(0, surrogates ? TextUtil.CharIndex(s, cut) : Math.Min(cut, s.Length));
            var space = head.LastIndexOf(' ');
            if (space >= 0) head = head[..space];
            Write(output, head, escape);
            output.Write("...");
            return;
        }
        output.WriteValue(Truncate(rs, v, a), escape);
    }

    /// <summary>
    /// One attribute of <c>{{ {'name': value, …}|xmlattr }}</c> written straight into the output: <c> name="value"</c> as
    /// the filter writes it (the value escaped; Markup keeps its entities, its quotes escaped), nothing for None or
    /// undefined. <paramref name="opening"/> is <c> name="</c>, checked when the template was compiled.
    /// </summary>
    internal static void WriteAttribute(Output output, string opening, object? value)
    {
        value = Values.Unwrap(value);
        if (value is null or Undefined) return;
        output.Write(opening);
        if (value is Markup m) output.Write(m.Value.Replace("\"", "&quot;", StringComparison.Ordinal));
        else output.WriteEscaped(Str(value).AsSpan());
        output.Write("\"");
    }

    /// <summary>
    /// <c>{{ v|string }}</c>: text, markup, integers and booleans print as their string prints (no string made); anything
    /// else prints the string the filter makes (a host's HTML type becomes text, as the filter says).
    /// </summary>
    internal static void WriteStringFilter(Output output, object? v, bool escape)
    {
        if (v is string or Markup or long or int or bool) output.WriteValue(v, escape);
        else output.WriteValue(Str(v), escape);
    }

    /// <summary>
    /// <c>{{ s|indent }}</c> / <c>|indent(n)</c>: a plain string of one line comes back as it is (only the lines after the
    /// first are indented, and first is false), so it is written directly once the width has passed the string limit as
    /// the filter checks it; anything else is indented by the filter and written.
    /// </summary>
    internal static void WriteIndent(RenderState rs, Output output, object? v, CallArgs a, bool escape)
    {
        if (v is string s && a.Named is null && (a.Positional.Length == 0 || a.Positional is [long width] && width >= 0))
        {
            Guard.StringLength(a.Positional.Length == 0 ? 4 : (long)a.Positional[0]!);
            if (!s.AsSpan().ContainsAny(TextUtil.LineBreaks))
            {
                output.WriteValue(s, escape);
                return;
            }
        }
        output.WriteValue(Indent(rs, v, a), escape);
    }

    /// <summary>
    /// <c>{{ 'sep'.join(xs) }}</c>: Python's str.join of a model list of strings, written piece by piece as the joined
    /// string prints (each piece escaped); anything else (other items, a null, past the string limit) through the method.
    /// </summary>
    internal static void WriteStrJoin(RenderState rs, Output output, string sep, object? xs, bool escape)
    {
        if (xs is List<string> strings ? WriteStrings(output, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(strings), sep, escape)
            : xs is string[] array && WriteStrings(output, array, sep, escape)) return;
        Calls.WriteMethodCall(rs, output, sep, "join", new CallArgs([xs], null), escape);
    }

    /// <summary>
    /// <c>{{ s.split(sep)[k] }}</c> with a literal separator and index: piece <paramref name="index"/> of a plain string
    /// split as Python splits it (empty pieces kept; a negative index counts from the end), written from the string
    /// itself with no list or pieces made. An empty separator, an index out of range or a value that is not a string
    /// goes through the method and the item read, which decide it.
    /// </summary>
    internal static void WriteSplitItem(RenderState rs, Output output, object? v, string sep, long index, bool escape)
    {
        if (v is string s && sep.Length > 0)
        {
            var wanted = index;
            if (wanted < 0)
            {
                var pieces = 1L;
                for (var at = s.IndexOf(sep, StringComparison.Ordinal); at >= 0; at = s.IndexOf(sep, at + sep.Length, StringComparison.Ordinal)) pieces++;
                wanted += pieces;
            }
            if (wanted >= 0)
            {
                // the start of piece `wanted`: after its wanted-th separator
                var start = 0;
                for (var k = 0L; k < wanted && start >= 0; k++)
                {
                    var next = s.IndexOf(sep, start, StringComparison.Ordinal);
                    start = next < 0 ? -1 : next + sep.Length;
                }
                if (start >= 0)
                {
                    var end = s.IndexOf(sep, start, StringComparison.Ordinal);
                    var piece = s.AsSpan(start, (end < 0 ? s.Length : end) - start);
                    if (escape) output.WriteEscaped(piece);
                    else output.Write(piece);
                    return;
                }
            }
        }
        output.WriteValue(MemberAccess.GetItem(rs, Calls.CallMethod(rs, v, "split", new CallArgs([sep], null)), index), escape);
    }

    /// <summary>
    /// <c>{{ xs|map('string')|join(sep) }}</c>: join already writes each item as str() gives it (markup kept, as the
    /// string filter keeps it), so the items are joined as they are, with no list of strings; None maps to no items.
    /// </summary>
    internal static void WriteJoinStringMapped(RenderState rs, Output output, object? v, string sep, bool escape)
    {
        if (v is not null) WriteJoin(rs, output, v, sep, escape);
    }

    /// <summary><c>{{ v|escape }}</c> / <c>|e</c>: a plain string escaped straight into the output; anything else as the filter returns it.</summary>
    internal static void WriteEscapedFilter(Output output, object? v)
    {
        if (v is string s) output.WriteEscaped(s.AsSpan());
        else output.WriteValue(Escape(v), escape: false);
    }

    /// <summary>
    /// <c>{{ v|replace('old', 'new') }}</c> with two literal strings (<paramref name="a"/> are the same arguments, for the
    /// filter): on a plain string the pieces between matches and the replacements are written in turn. A result
    /// longer than the string limit fails as the filter's result would.
    /// </summary>
    /// <summary>
    /// <c>{{ s.replace('old', 'new') }}</c> (two literal strings, the first not empty): a plain string's pieces written as
    /// <see cref="WriteReplaced"/> writes them, the replaced text never made; anything else (markup, a mapping with a
    /// <c>replace</c> key, an object's own method) is the method call, printed.
    /// </summary>
    internal static void WriteReplacedText(RenderState rs, Output output, object? v, string old, string replacement, CallArgs a, bool escape)
    {
        if (v is string) WriteReplaced(rs, output, v, old, replacement, a, escape);
        else Calls.WriteMethodCall(rs, output, v, "replace", a, escape);
    }

    internal static void WriteReplaced(RenderState rs, Output output, object? v, string old, string replacement, CallArgs a, bool escape)
    {
        if (v is not string s || old.Length == 0)
        {
            rs.EvalAutoescape = escape;
            output.WriteValue(Replace(rs, v, a), escape);
            return;
        }
        var text = s.AsSpan();
        var at = text.IndexOf(old, StringComparison.Ordinal);
        if (at < 0)
        {
            Write(output, text, escape);
            return;
        }
        if (replacement.Length > old.Length && s.Length + (long)(s.Length / old.Length) * (replacement.Length - old.Length) > KidaLimits.StringLengthFloor)
        {
            // the filter builds the whole result first: it is checked against the string limit the same way (a result
            // that cannot pass the floor, every limit's least, needs no count)
            long n = 0;
            for (var i = at; i >= 0; i = s.IndexOf(old, i + old.Length, StringComparison.Ordinal)) n++;
            Guard.StringLength(s.Length + n * ((long)replacement.Length - old.Length));
        }
        while (at >= 0)
        {
            Write(output, text[..at], escape);
            Write(output, replacement, escape);
            text = text[(at + old.Length)..];
            at = text.IndexOf(old, StringComparison.Ordinal);
        }
        Write(output, text, escape);
    }

    /// <summary>
    /// <c>{{ xs|sum }}</c> (no arguments) over a <c>List&lt;int|long&gt;</c> or an <c>int[]/long[]</c>: the total written as the
    /// number it is, no box; a long total that would overflow, or any other input, prints what the filter returns.
    /// </summary>
    internal static void WriteSum(RenderState rs, Output output, object? v, bool escape)
    {
        switch (v)
        {
            case List<int> li:
                output.WriteInt(SumOf(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(li)));
                return;
            case int[] ia:
                output.WriteInt(SumOf(ia));
                return;
            case List<long> ll when TrySumOf(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ll), out var total):
                output.WriteInt(total);
                return;
            case long[] la when TrySumOf(la, out var total):
                output.WriteInt(total);
                return;
        }
        output.WriteValue(Sum(rs, v, CallArgs.None), escape);
    }

    // ints cannot overflow a long before 2^32 of them
    private static long SumOf(ReadOnlySpan<int> items)
    {
        long total = 0;
        foreach (var n in items) total += n;
        return total;
    }

    private static bool TrySumOf(ReadOnlySpan<long> items, out long total)
    {
        total = 0;
        foreach (var n in items)
        {
            var r = total + n;
            if (((total ^ r) & (n ^ r)) < 0) return false;
            total = r;
        }
        return true;
    }

    // what quote(s, safe="/") leaves as it is: ASCII letters and digits, _ . - ~ and /
    private static readonly System.Buffers.SearchValues<char> UrlSafe =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/");

    /// <summary>
    /// <c>{{ v|urlencode }}</c> (no arguments) on a plain ASCII string: safe runs written as they are, every other
    /// character as %XX. The result has no character HTML escapes, so it is the same escaped or not. Anything else prints
    /// what the filter returns.
    /// </summary>
    internal static void WriteUrlEncoded(RenderState rs, Output output, object? v, bool escape)
    {
        if (v is string s && Ascii.IsValid(s))
        {
            var text = s.AsSpan();
            Span<char> quoted = ['%', '0', '0'];
            while (true)
            {
                var i = text.IndexOfAnyExcept(UrlSafe);
                if (i < 0)
                {
                    output.Write(text);
                    return;
                }
                output.Write(text[..i]);
                var c = text[i];
                quoted[1] = "0123456789ABCDEF"[c >> 4];
                quoted[2] = "0123456789ABCDEF"[c & 15];
                output.Write(quoted);
                text = text[(i + 1)..];
            }
        }
        output.WriteValue(UrlEncode(rs, v, CallArgs.None), escape);
    }

    private static void Write(Output output, ReadOnlySpan<char> text, bool escape)
    {
        if (escape) output.WriteEscaped(text);
        else output.Write(text);
    }
}
