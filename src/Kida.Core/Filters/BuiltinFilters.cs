using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Kida.Runtime;

namespace Kida.Filters;

/// <summary>The built-in filters (Jinja2's set plus Kida's), with Jinja2's argument names.</summary>
internal static partial class BuiltinFilters
{
    public static readonly Dictionary<string, FilterFn> All = Build();

    private static Dictionary<string, FilterFn> Build()
    {
        var f = new Dictionary<string, FilterFn>(StringComparer.Ordinal)
        {
            ["default"] = Default, ["d"] = Default,
            ["escape"] = (_, v, _) => Escape(v), ["e"] = (_, v, _) => Escape(v),
            ["forceescape"] = (_, v, _) => new Markup(Output.Escape(Str(v))),
            ["safe"] = (_, v, _) => v is Markup ? v : new Markup(Str(v)),
            ["upper"] = (_, v, _) => KeepMarkup(v, TextUtil.PyUpper(Str(v))),
            ["lower"] = (_, v, _) => KeepMarkup(v, TextUtil.PyLower(Str(v))),
            ["title"] = (_, v, _) => Str(v) is var text && Ascii.IsValid(text) ? AsciiTitle(text) : JinjaTitle(text),
            ["capitalize"] = (_, v, _) => KeepMarkup(v, TextUtil.PyCapitalize(Str(v))),
            ["trim"] = Trim, ["strip"] = Trim,
            ["length"] = (_, v, _) => BoxLong(Iteration.Length(v)), ["count"] = (_, v, _) => BoxLong(Iteration.Length(v)),
            ["join"] = Join,
            ["first"] = First, ["last"] = Last,
            ["list"] = (_, v, _) => ToListChecked(v),
            ["sort"] = Sort,
            ["reverse"] = (_, v, _) => Reverse(v),
            ["replace"] = Replace,
            ["truncate"] = Truncate,
            ["format"] = FormatFilter,
            ["int"] = Int, ["float"] = Float,
            ["round"] = Round,
            ["abs"] = (_, v, _) => v is long or int or double ? AbsFast(v) : Numbers.IsNumber(v) ? (v is double dv ? Math.Abs(dv) : Numbers.Compare(v, 0L) < 0 ? Numbers.Negate(v) : v is bool b ? (b ? 1L : 0L) : v) : throw new TemplateRuntimeException($"bad operand type for abs(): '{Values.TypeName(v)}'", ErrorCodes.FilterError),
            ["tojson"] = ToJson,
            ["urlencode"] = UrlEncode,
            ["striptags"] = StripTags,
            ["dictsort"] = DictSort,
            ["map"] = Map,
            ["select"] = (rs, v, a) => SelectOrReject(rs, v, a, true, false),
            ["reject"] = (rs, v, a) => SelectOrReject(rs, v, a, false, false),
            ["selectattr"] = (rs, v, a) => SelectOrReject(rs, v, a, true, true),
            ["rejectattr"] = (rs, v, a) => SelectOrReject(rs, v, a, false, true),
            ["groupby"] = GroupBy,
            ["batch"] = Batch,
            ["slice"] = SliceFilter,
            ["sum"] = Sum,
            ["min"] = (rs, v, a) => MinMax(rs, v, a, -1),
            ["max"] = (rs, v, a) => MinMax(rs, v, a, 1),
            ["unique"] = Unique,
            ["indent"] = Indent,
            ["wordcount"] = (_, v, _) => BoxLong(Str(v) is var words && Ascii.IsValid(words) ? AsciiWordCount(words) : Regex.Count(words, @"\w+")),
            ["center"] = (_, v, a) => KeepMarkup(v, TextUtil.Center(Str(v), Numbers.ToSize(a.Get(0, "width", 80L)))),
            ["attr"] = (rs, v, a) => Attr(rs, v, Str(a.Get(0, "name"))),
            ["items"] = (_, v, _) => v is Undefined ? new List<object?>() : Mappings.MapItems(RequireMapping("items", v)).Select(kv => (object?)new PyTuple([kv.Key, kv.Value])).ToList(),
            ["string"] = (_, v, _) => v is Markup ? v : Str(v),
            ["filesizeformat"] = FileSizeFormat,
            ["xmlattr"] = XmlAttr,
            ["wordwrap"] = WordWrap,
            ["urlize"] = Urlize,
            ["pprint"] = (_, v, _) => Pretty.Format(v),
            ["random"] = (_, v, _) => { var l = Iteration.AsList(v); return l.Count == 0 ? null : l[Random.Shared.Next(l.Count)]; },
            ["take"] = (_, v, a) => v is null ? new List<object?>() : Iteration.Iterate(v).Take(Guard.ClampToInt(Numbers.ToSize(a.Get(0, "count")))).ToList(),
            ["skip"] = (_, v, a) => v is null ? new List<object?>() : Iteration.Iterate(v).Skip(Guard.ClampToInt(Numbers.ToSize(a.Get(0, "count")))).ToList(),
            ["compact"] = (_, v, a) => v is null ? new List<object?>() : Iteration.Iterate(v).Where(x => Values.Truthy(a.Get(-1, "truthy", true)) ? Values.Truthy(x) : x is not null).ToList(),
            ["get"] = (rs, v, a) => v is null ? a.Get(1, "default") : Values.IsMapping(v) ? (Mappings.MapTryGet(v, a.Get(0, "key"), out var r) ? r : a.Get(1, "default")) : MemberAccess.TryGetAttr(rs, v, Str(a.Get(0, "key")), out var r2) ? r2 : a.Get(1, "default"),
            ["slug"] = (_, v, _) => v is null ? "" : Regex.Replace(Str(v).ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-'),
            ["classes"] = Classes,
            ["typeof"] = (_, v, _) => v switch { null => "none", bool => "bool", string or Markup => "str", _ when Numbers.IsInteger(v) => "int", _ when Numbers.IsNumber(v) => "float", _ when Values.IsMapping(v) => "dict", System.Collections.IEnumerable => "list", _ => v.GetType().Name },
            ["require"] = (_, v, a) => v is null or Undefined ? throw new TemplateRuntimeException(Values.AsString(a.Get(0, "message")) ?? $"Required value '{Values.AsString(a.Get(1, "field_name")) ?? "value"}' is None or missing", ErrorCodes.RequiredValue) : v,
            ["decimal"] = (_, v, a) => Numbers.IsNumber(v) || Numbers.TryParseFloat(Str(v), out double _) ? Numbers.ToDouble(Numbers.IsNumber(v) ? v : double.Parse(Str(v), CultureInfo.InvariantCulture)).ToString("F" + Places(a.Get(0, "places", 2L)), CultureInfo.InvariantCulture) : Str(v),
            ["format_number"] = FormatNumber,
            ["commas"] = (rs, v, _) => FormatNumber(rs, v, CallArgs.None),
            ["pluralize"] = Pluralize,
        };
        AddKidaFilters(f);
        return f;
    }

    /// <summary>Built-in filters whose result depends on autoescape where they are called.</summary>
    public static readonly HashSet<string> NeedEvalContext = new(StringComparer.Ordinal) { "join", "replace", "urlize", "xmlattr" };

    /// <summary>
    /// Jinja2's parameter lists of the built-in filters (after the value), with Kida's keyword-only extras; a trailing
    /// '?' marks an optional parameter, a leading '*' a keyword-only one.
    /// A call that does not fit raises a TypeError-like runtime error, as Python would.
    /// </summary>
    public static readonly Dictionary<string, string[]> Signatures = BuildSignatures();

    private static Dictionary<string, string[]> BuildSignatures()
    {
        var table = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["abs"] = "", ["attr"] = "name", ["batch"] = "linecount fill_with?", ["capitalize"] = "", ["center"] = "width?",
            ["default"] = "default_value? boolean?", ["d"] = "default_value? boolean?",
            ["dictsort"] = "case_sensitive? by? reverse?", ["escape"] = "", ["e"] = "", ["filesizeformat"] = "binary?",
            ["first"] = "", ["float"] = "default? *strict?", ["forceescape"] = "", ["groupby"] = "attribute default? case_sensitive?",
            ["indent"] = "width? first? blank?", ["int"] = "default? base? *strict?", ["items"] = "", ["join"] = "d? attribute?",
            ["last"] = "", ["length"] = "", ["count"] = "", ["list"] = "", ["lower"] = "", ["max"] = "case_sensitive? attribute?",
            ["min"] = "case_sensitive? attribute?", ["pprint"] = "", ["random"] = "", ["replace"] = "old new count?",
            ["reverse"] = "", ["round"] = "precision? method? *strict?", ["safe"] = "*reason?", ["slice"] = "slices fill_with?",
            ["sort"] = "reverse? case_sensitive? attribute?", ["string"] = "", ["striptags"] = "", ["sum"] = "attribute? start?",
            ["title"] = "", ["tojson"] = "indent? *attr?", ["trim"] = "chars?", ["truncate"] = "length? killwords? end? leeway?",
            ["unique"] = "case_sensitive? attribute?", ["upper"] = "", ["urlencode"] = "",
            ["urlize"] = "trim_url_limit? nofollow? target? rel? extra_schemes?", ["wordcount"] = "",
            ["wordwrap"] = "width? break_long_words? wrapstring? break_on_hyphens?", ["xmlattr"] = "autospace?",
            ["date"] = "format?", ["shuffle"] = "", ["debug"] = "label? max_items?", ["csp_nonce"] = "nonce?",
        };
        return table.ToDictionary(kv => kv.Key, kv => kv.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
    }

    /// <summary>Why a call of built-in filter <paramref name="name"/> with these arguments cannot bind, or null when it can.</summary>
    public static string? CheckArguments(string name, int positional, IReadOnlyList<string> named)
    {
        if (!Signatures.TryGetValue(name, out var parameters)) return null;
        var maxPositional = parameters.Count(p => !p.StartsWith('*'));
        if (positional > maxPositional)
            return $"{name}() takes at most {maxPositional} argument(s) after the value ({positional} given)";
        var bound = new bool[parameters.Length];
        for (var i = 0; i < positional; i++) bound[i] = true;
        foreach (var key in named)
        {
            var idx = Array.FindIndex(parameters, p => p.Trim('*', '?') == key);
            if (idx < 0) return $"{name}() got an unexpected keyword argument '{key}'";
            if (bound[idx]) return $"{name}() got multiple values for argument '{key}'";
            bound[idx] = true;
        }
        for (var i = 0; i < parameters.Length; i++)
            if (!bound[i] && !parameters[i].EndsWith('?'))
                return $"{name}() missing required argument '{parameters[i].TrimStart('*')}'";
        return null;
    }

    internal static string Str(object? v) => PyString.Str(v);

    /// <summary><c>list(v)</c>: a string's characters are counted against the collection limit before the list is built.</summary>
    internal static List<object?> ToListChecked(object? v)
    {
        if (Values.AsString(v) is { } s) Guard.CollectionLength(s.Length);
        // a list the template created: the sandbox lets the template mutate it
        return new KidaList(Iteration.Iterate(v));
    }

    private static object KeepMarkup(object? input, string result) => input is Markup ? new Markup(result) : result;

    private static object Escape(object? v) => v is Markup m ? m : SafeHtml.TryGetHtml(v, out var html) ? new Markup(html) : new Markup(Output.Escape(Str(v)));

    private static object? Default(RenderState rs, object? v, CallArgs a)
    {
        var fallback = a.Get(0, "default_value", "");
        var boolean = a.Count < 2 && !a.HasNamed ? false : Values.Truthy(a.Get(1, "boolean", BoxedFalse));
        if (v is Undefined || v is null) return fallback;
        if (boolean && !Values.Truthy(v)) return fallback;
        return v;
    }

    private static object? Trim(RenderState rs, object? v, CallArgs a)
    {
        var chars = a.Get(0, "chars");
        var s = Str(v);
        return KeepMarkup(v, chars is null ? s.Trim() : s.Trim(Str(chars).ToCharArray()));
    }

    private static string JinjaTitle(string s)
    {
        // Jinja: split at runs of '-', whitespace, '(', '{', '[', '<'; every piece: first character upper, rest lower
        var sb = new StringBuilder(s.Length);
        foreach (var item in TitleSplit().Split(s))
        {
            if (item.Length == 0) continue;
            var first = Rune.GetRuneAt(item, 0);
            sb.Append(TextUtil.PyUpper(first.ToString())).Append(TextUtil.PyLower(item[first.Utf16SequenceLength..]));
        }
        return sb.ToString();
    }

    /// <summary><see cref="JinjaTitle"/> of an ASCII string in one pass: upper case at the start and after '-', whitespace, '(', '{', '[' or '&lt;', lower case elsewhere.</summary>
    private static string AsciiTitle(string s) => string.Create(s.Length, s, static (dst, src) => AsciiTitleInto(src, dst));

    private static void AsciiTitleInto(ReadOnlySpan<char> src, Span<char> dst)
    {
        // (ASCII only: a letter's case is its 0x20 bit)
        var start = true;
        for (var i = 0; i < src.Length; i++)
        {
            var c = src[i];
            dst[i] = start ? (char.IsAsciiLetterLower(c) ? (char)(c & ~0x20) : c) : (char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c);
            start = c is '-' or ' ' or '(' or '{' or '[' or '<' or (>= '\t' and <= '\r');
        }
    }

    /// <summary>Matches of <c>\w+</c> in an ASCII string: runs of letters, digits and '_'.</summary>
    private static int AsciiWordCount(string s)
    {
        var n = 0;
        var inWord = false;
        foreach (var c in s)
        {
            var w = char.IsAsciiLetterOrDigit(c) || c == '_';
            if (w && !inWord) n++;
            inWord = w;
        }
        return n;
    }

    private static object AbsFast(object? v) => v switch
    {
        long l when l > long.MinValue => l < 0 ? BoxLong(-l) : v,
        int i => i < 0 ? BoxLong(-(long)i) : v,
        double d => Math.Abs(d),
        _ => Numbers.Compare(v, 0L) < 0 ? Numbers.Negate(v) : v!,
    };

    [GeneratedRegex(@"([-\s({\[<]+)")]
    private static partial Regex TitleSplit();

    /// <summary>
    /// <c>{{ xs|join(sep) }}</c> with the built-in filter and a constant separator: a list without Markup items joined in
    /// a pooled buffer and written from there (what the joined string prints); anything else prints what the filter returns.
    /// </summary>
    internal static void WriteJoin(RenderState rs, Output output, object? v, string sep, bool escape)
    {
        // (model lists of ints: their digits, no box per item)
        if (v is List<int> ints)
        {
            WriteIntsJoined(output, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ints), sep, escape);
            return;
        }
        if (v is int[] intArray)
        {
            WriteIntsJoined(output, intArray, sep, escape);
            return;
        }
        if (v is List<string> strings ? WriteStrings(output, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(strings), sep, escape)
            : v is string[] array ? WriteStrings(output, array, sep, escape)
            : v is List<object?> objects && WriteTextsAndInts(output, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(objects), sep, escape)) return;
        if (Indexable(v) is { } list && JoinPlain(list, sep, output, escape) is not null) return;
        rs.EvalAutoescape = escape;
        output.WriteValue(Join(rs, v, new CallArgs([sep], null)), escape);
    }

    private static object? Join(RenderState rs, object? v, CallArgs a)
    {
        var sep = a.Get(0, "d", "");
        var attribute = a.Get(1, "attribute");
        if (attribute is null && sep is string sepText && Indexable(v) is { } indexable && JoinPlain(indexable, sepText) is { } joined) return joined;
        var items = Iteration.Iterate(v);
        if (attribute is not null) items = items.Select(x => AttrPath(rs, x, attribute));
        var list = items.ToList();
        if (!rs.EvalAutoescape) return TextUtil.JoinChecked(Str(sep), list.Select(Str));
        if (sep is Markup || list.Any(x => x is Markup))
        {
            var sepHtml = sep is Markup ms ? ms.Value : Output.Escape(Str(sep));
            return new Markup(TextUtil.JoinChecked(sepHtml, list.Select(x => x is Markup m ? m.Value : Output.Escape(Str(x)))));
        }
        return TextUtil.JoinChecked(Str(sep), list.Select(Str));
    }

    /// <summary>
    /// The join of model strings written piece by piece (each escaped as the joined string would be): false, with
    /// nothing written, when an item is null or the joined text would pass the string limit (the general join decides those).
    /// </summary>
    internal static bool WriteStrings(Output output, ReadOnlySpan<string> items, string sep, bool escape)
    {
        long length = items.Length == 0 ? 0 : (long)(items.Length - 1) * sep.Length;
        foreach (var item in items)
        {
            if (item is null) return false;
            length += item.Length;
        }
        if (!FitsStringLimit(length)) return false;
        var separator = escape ? Output.EscapeSeparator(sep) : sep;
        for (var i = 0; i < items.Length; i++)
        {
            if (i > 0) output.Write(separator);
            output.WriteText(items[i], escape);
        }
        return true;
    }

    /// <summary>
    /// <c>{{ xs|map('upper')|join(sep) }}</c> (<c>lower</c>, <c>capitalize</c>, <c>title</c>, <c>trim</c>; the built-in filters):
    /// a model list of ASCII strings cased item by item straight into the output, as the joined string prints (ASCII
    /// casing keeps every length, so the joined length is known first). Anything else is mapped, then joined.
    /// </summary>
    internal static void WriteJoinCased(RenderState rs, Output output, object? v, TextCase mode, string filter, string sep, bool escape)
    {
        if (v is List<string> strings)
        {
            var items = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(strings);
            long length = items.Length == 0 ? 0 : (long)(items.Length - 1) * sep.Length;
            var plain = true;
            foreach (var item in items)
            {
                if (item is null || item.Length > StackCased || !System.Text.Ascii.IsValid(item)) { plain = false; break; }
                length += item.Length;
            }
            if (plain && FitsStringLimit(length))
            {
                var separator = escape ? Output.EscapeSeparator(sep) : sep;
                for (var i = 0; i < items.Length; i++)
                {
                    if (i > 0) output.Write(separator);
                    WriteCased(rs, output, items[i], mode, null, escape);
                }
                return;
            }
        }
        WriteJoin(rs, output, Map(rs, v, new CallArgs([filter], null)), sep, escape);
    }

    /// <summary>
    /// The join of a list of strings and integers (a batch, a template's own list) written piece by piece, as
    /// <see cref="WriteStrings"/>: false, with nothing written, for any other item or when the joined text could pass
    /// the string limit (each number counted at its longest; <see cref="JoinPlain"/> then counts exactly).
    /// </summary>
    private static bool WriteTextsAndInts(Output output, ReadOnlySpan<object?> items, string sep, bool escape)
    {
        long length = items.Length == 0 ? 0 : (long)(items.Length - 1) * sep.Length;
        foreach (var item in items)
        {
            switch (item)
            {
                case string s: length += s.Length; break;
                case int or long: length += 20; break;
                default: return false;
            }
        }
        if (!FitsStringLimit(length)) return false;
        var separator = escape ? Output.EscapeSeparator(sep) : sep;
        for (var i = 0; i < items.Length; i++)
        {
            if (i > 0) output.Write(separator);
            switch (items[i])
            {
                case string s: output.WriteText(s, escape); break;
                case int n: output.WriteInt(n); break;
                default: output.WriteInt((long)items[i]!); break;
            }
        }
        return true;
    }

    /// <summary>
    /// <c>x|list|length</c>: the count of the list the filter would build, without building it when the value already
    /// knows its count (text, an in-memory list or dictionary), checked against <c>Limits.MaxCollectionLength</c> as
    /// building it would be; anything else is listed, as the two filters do.
    /// </summary>
    internal static int ListedLength(RenderState rs, object? v)
    {
        var known = v switch
        {
            string text => PyString.StrLen(text),
            Markup markup => PyString.StrLen(markup.Value),
            ICollection collection and (IList or IDictionary) => collection.Count,
            _ => -1,
        };
        if (known >= 0)
        {
            Guard.CollectionLength(known);
            return known;
        }
        return Iteration.Length(ToListChecked(v));
    }

    /// <summary>
    /// <c>join</c> of a list without Markup items and a plain separator (what the general path gives in both autoescape
    /// modes: str() of every item joined), numbers formatted straight into the buffer; null when an item is Markup.
    /// </summary>
    /// <remarks>With <paramref name="output"/>, the text is written there instead (escaped when <paramref name="escape"/>,
    /// as the printed string would be) and "" is returned.</remarks>
    internal static string? JoinPlain(IList list, string sep, Output? output = null, bool escape = false)
    {
        var n = list.Count;
        if (n == 0) return "";
        if (n == 1 && ItemAt(list, 0) is string only)
        {
            if (output is null) return only;
            output.WriteText(only, escape);
            return "";
        }
        var buf = System.Buffers.ArrayPool<char>.Shared.Rent(Math.Max(64, n * (sep.Length + 8)));
        var len = 0;
        try
        {
            for (var i = 0; i < n; i++)
            {
                if (i > 0) Put(sep);
                switch (ItemAt(list, i))
                {
                    case string s: Put(s); break;
                    case Markup: return null;
                    case long l:
                    {
                        int w;
                        while (!l.TryFormat(buf.AsSpan(len), out w, default, CultureInfo.InvariantCulture)) Grow(24);
                        len += w;
                        break;
                    }
                    case int iv:
                    {
                        int w;
                        while (!iv.TryFormat(buf.AsSpan(len), out w, default, CultureInfo.InvariantCulture)) Grow(12);
                        len += w;
                        break;
                    }
                    case var other: Put(Str(other)); break;
                }
            }
            Guard.StringLength(len);
            if (output is null) return new string(buf, 0, len);
            if (escape) output.WriteEscaped(buf.AsSpan(0, len));
            else output.Write(buf.AsSpan(0, len));
            return "";
        }
        finally
        {
            System.Buffers.ArrayPool<char>.Shared.Return(buf);
        }

        void Put(string s)
        {
            if (len + s.Length > buf.Length) Grow(s.Length);
            s.CopyTo(0, buf, len, s.Length);
            len += s.Length;
        }

        void Grow(int need)
        {
            // the result would pass the string limit: fail before allocating for it
            Guard.StringLength((long)len + need);
            var bigger = System.Buffers.ArrayPool<char>.Shared.Rent(Math.Max(buf.Length * 2, len + need));
            buf.AsSpan(0, len).CopyTo(bigger);
            System.Buffers.ArrayPool<char>.Shared.Return(buf);
            buf = bigger;
        }
    }

    // a number of decimal places for a .NET "F"/"N" format: more than the string limit could hold fails first (K-SEC-006)
    private static long Places(object? value)
    {
        var places = Numbers.ToSize(value);
        Guard.StringLength(places);
        return Math.Min(places, 999_999_999);
    }

    private static object? First(RenderState rs, object? v, CallArgs a)
    {
        if (Indexable(v) is { } list) return list.Count > 0 ? ItemAt(list, 0) : new Undefined("first", "No first item, sequence was empty.", rs.Strict);
        foreach (var x in Iteration.Iterate(v)) return x;
        return new Undefined("first", "No first item, sequence was empty.", rs.Strict);
    }

    private static TemplateRuntimeException TypeError(string message) => new(message, ErrorCodes.TypeError);

    /// <summary>The text filters take strings (Markup included); numbers, None and containers fail as in Python.</summary>
    private static string RequireText(string filter, object? v)
    {
        if (v is Undefined u) { u.Use(); return ""; }
        return Values.AsString(v) ?? throw TypeError($"{filter}: expected a string, got '{Values.TypeName(v)}'");
    }

    /// <summary>The mapping filters take mappings only.</summary>
    internal static object RequireMapping(string filter, object? v)
    {
        if (v is Undefined u) { u.Use(); return Mappings.NewDict(); }
        return Values.IsMapping(v) ? v! : throw TypeError($"{filter}: expected a mapping, got '{Values.TypeName(v)}'");
    }

    private static object? Last(RenderState rs, object? v, CallArgs a)
    {
        // reversed() indexes a Markup, so its last character stays Markup
        if (v is Markup mk)
        {
            var runes = mk.Value.EnumerateRunes().ToList();
            return runes.Count > 0 ? new Markup(runes[^1].ToString()) : new Undefined("last", "No last item, sequence was empty.", rs.Strict);
        }
        if (Indexable(v) is { } indexable) return indexable.Count > 0 ? ItemAt(indexable, indexable.Count - 1) : new Undefined("last", "No last item, sequence was empty.", rs.Strict);
        var list = Iteration.AsList(v);
        return list.Count > 0 ? list[^1] : new Undefined("last", "No last item, sequence was empty.", rs.Strict);
    }

    private static object? Replace(RenderState rs, object? v, CallArgs a)
    {
        var oldArg = a.Get(0, "old");
        var old = Str(oldArg);
        var @new = a.Get(1, "new");
        var count = a.Get(2, "count") is { } c ? Numbers.ToLong(c) : -1;
        if (!rs.EvalAutoescape) return TextUtil.Replace(Str(v), old, Str(@new), count);
        // Jinja: a Markup old (or a Markup new on a plain string) escapes the string first; Markup.replace then
        // escapes only the replacement (MarkupSafe 3)
        if (v is not Markup && (oldArg is Markup || @new is Markup)) v = new Markup(Output.Escape(Str(v)));
        if (v is Markup m)
            return new Markup(TextUtil.Replace(m.Value, old, @new is Markup mn ? mn.Value : Output.Escape(Str(@new)), count));
        return TextUtil.Replace(Str(v), old, Str(@new), count);
    }

    private static object? Truncate(RenderState rs, object? v, CallArgs a)
    {
        var length = a.Count == 0 && !a.HasNamed ? 255 : Guard.ClampToInt(Numbers.ToSize(a.Get(0, "length", Boxed255)));
        if (!Values.IsString(v))
        {
            // Python: len(value) <= length + leeway returns the value untouched; anything else fails on the type
            var lee = a.Get(3, "leeway") is { } lw ? Guard.ClampToInt(Numbers.ToSize(lw)) : 5;
            if (v is not null and not Undefined && (v is System.Collections.ICollection || Values.IsMapping(v) || v is System.Collections.IEnumerable && v is not IKidaObject)
                && Iteration.Length(v) <= (long)length + lee)
                return v;
            throw TypeError($"truncate: expected a string, got '{Values.TypeName(v)}'");
        }
        var s = Str(v);
        var killwords = (a.Count > 1 || a.HasNamed) && Values.Truthy(a.Get(1, "killwords", BoxedFalse));
        var endArg = a.Get(2, "end", "...");
        // Markup in, Markup out (as MarkupSafe slicing and + do): the ending is escaped unless it is Markup itself
        var end = v is Markup && endArg is not Markup ? Output.Escape(Str(endArg)) : Str(endArg);
        var leeway = a.Get(3, "leeway") is { } l ? Guard.ClampToInt(Numbers.ToSize(l)) : 5;
        // lengths in code points, without a string per character
        if (PyString.StrLen(s) <= (long)length + leeway) return v is Markup ? v : s;
        var cut = Math.Max(0, length - PyString.StrLen(Str(endArg)));
        var head = s.AsSpan(0, TextUtil.CharIndex(s, cut));
        if (!killwords)
        {
            var space = head.LastIndexOf(' ');
            if (space >= 0) head = head[..space];
        }
        // the kept text and the ending in one string
        var result = string.Concat(head, end);
        return v is Markup ? new Markup(result) : result;
    }

    private static readonly object Boxed255 = 255L;

    /// <summary>
    /// <c>{{ 'constant'|format(a, b) }}</c> with the built-in filter: the plan made when the template was compiled writes
    /// the text straight into the output; anything it cannot format goes through the filter, as written.
    /// </summary>
    internal static void WriteFormat(RenderState rs, Output output, FormatPlan plan, string format, object?[] args, bool escape)
    {
        if (plan.TryWriteDirect(args, output, escape) || plan.TryWrite(args, output, escape)) return;
        output.WriteValue(FormatFilter(rs, format, new CallArgs(args, null)), escape);
    }

    /// <summary><see cref="WriteFormat"/> with one argument: no argument array unless the general formatter runs.</summary>
    internal static void WriteFormat1(RenderState rs, Output output, FormatPlan plan, string format, object? arg, bool escape)
    {
        var args = new ReadOnlySpan<object?>(ref arg);
        if (plan.TryWriteDirect(args, output, escape) || plan.TryWrite(args, output, escape)) return;
        output.WriteValue(FormatFilter(rs, format, new CallArgs([arg], null)), escape);
    }

    /// <summary><see cref="WriteFormat1"/> with a decimal member's value (typed at tier-up): not boxed when the plan formats it directly.</summary>
    internal static void WriteFormatDecimal(RenderState rs, Output output, FormatPlan plan, string format, decimal arg, bool escape)
    {
        if (!plan.TryWriteDecimal(arg, output, escape)) WriteFormat1(rs, output, plan, format, arg, escape);
    }

    /// <summary><see cref="WriteFormat1"/> with an int member's value (typed at tier-up): not boxed when the plan writes integers itself.</summary>
    internal static void WriteFormatInt(RenderState rs, Output output, FormatPlan plan, string format, int arg, bool escape)
    {
        if (!plan.TryWriteLong(arg, output, escape)) WriteFormat1(rs, output, plan, format, Boxes.Int(arg), escape);
    }

    /// <summary><see cref="WriteFormat1"/> with a long member's value (typed at tier-up): not boxed when the plan writes integers itself.</summary>
    internal static void WriteFormatLong(RenderState rs, Output output, FormatPlan plan, string format, long arg, bool escape)
    {
        if (!plan.TryWriteLong(arg, output, escape)) WriteFormat1(rs, output, plan, format, arg, escape);
    }

    /// <summary><see cref="WriteFormat"/> with two arguments: no argument array unless the general formatter runs.</summary>
    internal static void WriteFormat2(RenderState rs, Output output, FormatPlan plan, string format, object? arg0, object? arg1, bool escape)
    {
        var pair = new FormatPair { First = arg0, Second = arg1 };
        ReadOnlySpan<object?> args = pair;
        if (plan.TryWriteDirect(args, output, escape) || plan.TryWrite(args, output, escape)) return;
        output.WriteValue(FormatFilter(rs, format, new CallArgs([arg0, arg1], null)), escape);
    }

    [System.Runtime.CompilerServices.InlineArray(2)]
    private struct FormatPair
    {
        private object? _element;

        public object? First { readonly get => this[0]; set => this[0] = value; }
        public object? Second { readonly get => this[1]; set => this[1] = value; }
    }

    /// <summary>
    /// <c>{{ 'fmt' % value }}</c> with a plan (<see cref="FormatPlan.CreatePercent"/>): the text written into the output
    /// (escaped as the printed string would be) without the string; other values print what <c>%</c> gives.
    /// </summary>
    internal static void WritePercent(RenderState rs, Output output, FormatPlan plan, string format, object? arg, bool escape)
    {
        if (plan.TryWrite(arg is PyTuple t ? t.Items : new ReadOnlySpan<object?>(ref arg), output, escape)) return;
        output.WriteValue(Arithmetic.Mod(format, arg), escape);
    }

    /// <summary><see cref="WritePercent"/> with a decimal member's value (typed at tier-up): not boxed when the plan formats it directly.</summary>
    internal static void WritePercentDecimal(RenderState rs, Output output, FormatPlan plan, string format, decimal arg, bool escape)
    {
        if (!plan.TryWriteDecimal(arg, output, escape)) WritePercent(rs, output, plan, format, arg, escape);
    }

    private static object? FormatFilter(RenderState rs, object? v, CallArgs a)
    {
        // a plain format string with positional fields: parsed once (per thread, by reference), numbers formatted in place
        if (v is string fs && FormatPlan.Get(fs) is { } plan && plan.TryFormat(a.Positional, out var formatted)) return formatted;
        var s = Str(v);
        if ((a.Count > 0 || a.HasNamed) && !s.Contains('{') && Regex.IsMatch(s, @"%[-+ #0-9.]*[sdifeEgGxXor%]"))
            throw new TemplateRuntimeException("format filter uses str.format() with {} placeholders; %-style formatting is not supported", ErrorCodes.FilterError);
        return KeepMarkup(v, PyFormat.Format(s, a, v is Markup));
    }

    private static object? Int(RenderState rs, object? v, CallArgs a)
    {
        if (v is double fd && Math.Abs(fd) < 9e18) return BoxLong((long)fd); // truncation toward zero, as int(x)
        var def = a.Get(0, "default", BoxedZero);
        var @base = a.Count < 2 && !a.HasNamed ? 10 : (int)Numbers.ToLong(a.Get(1, "base", BoxedTen));
        if (v is bool b) return b ? 1L : 0L;
        if (Numbers.IsInteger(v)) return v;
        if (Numbers.IsNumber(v))
        {
            var d = Numbers.ToDouble(v);
            if (double.IsFinite(d)) return Numbers.Normalize(new System.Numerics.BigInteger(Math.Truncate(d)));
            return Fail(v, "int", def);
        }
        var s = Values.AsString(v);
        if (s is null) return Fail(v, "int", def);
        if (Numbers.TryParseInt(s, @base == 10 ? 10 : @base, out var r)) return r;
        if (@base == 10 && Numbers.TryParseFloat(s, out var f) && double.IsFinite(f)) return Numbers.Normalize(new System.Numerics.BigInteger(Math.Truncate(f)));
        return Fail(v, "int", def);

        // Kida's strict=True: a value that cannot be converted raises instead of giving the default
        object? Fail(object? value, string to, object? fallback) =>
            Values.Truthy(a.Get(-1, "strict", BoxedFalse)) ? throw NotConvertible(value, to) : fallback;
    }

    private static readonly object BoxedTen = 10L;

    private static object? Float(RenderState rs, object? v, CallArgs a)
    {
        var def = a.Get(0, "default", BoxedZeroFloat);
        if (v is bool b) return b ? 1.0 : 0.0;
        if (Numbers.IsNumber(v)) return Numbers.ToDouble(v);
        if (Values.AsString(v) is { } s && Numbers.TryParseFloat(s, out var d)) return d;
        return Values.Truthy(a.Get(-1, "strict", false)) ? throw NotConvertible(v, "float") : def;
    }

    private static TemplateRuntimeException NotConvertible(object? v, string to)
    {
        var shown = PyString.Repr(v);
        if (shown.Length > 200) shown = shown[..200] + "...";
        return new TemplateRuntimeException($"Cannot convert {shown} to {to} (strict=True)", ErrorCodes.FilterError);
    }

    private static object? Round(RenderState rs, object? v, CallArgs a)
    {
        var precision = Guard.ClampToInt(Numbers.ToSize(a.Get(0, "precision", BoxedZero)));
        var method = Str(a.Get(1, "method", "common"));
        // a float (or a decimal, which rounds as the float it converts to) without decimal parsing when the answer is certain
        if ((v is double or decimal) && method == "common" && precision is >= 0 and <= 15 && RoundFast(Numbers.ToDouble(v), precision) is { } rounded) return rounded;
        if (method is not ("common" or "ceil" or "floor")) throw new TemplateRuntimeException("method must be common, ceil or floor", ErrorCodes.FilterError);
        if (!Numbers.IsNumber(v)) throw new TemplateRuntimeException($"round: expected a number, got '{Values.TypeName(v)}'", ErrorCodes.FilterError);
        if (v is bool bv && method == "common") v = bv ? 1L : 0L;
        if (method == "common" && Numbers.IsInteger(v))
        {
            if (precision >= 0) return v;
            // Python rounds an int to a multiple of 10**-precision, half to even, and keeps it an int
            var value = Numbers.ToBigInteger(v);
            // a unit with more digits than the value (plus one) rounds it to 0: no need for a 10**huge
            if (-(long)precision > value.GetBitLength() / 3 + 2) return 0L;
            var unit = System.Numerics.BigInteger.Pow(10, -precision);
            var quotient = System.Numerics.BigInteger.DivRem(value, unit, out var remainder);
            if (remainder.Sign < 0) { quotient -= 1; remainder += unit; }
            var twice = remainder * 2;
            if (twice > unit || (twice == unit && !quotient.IsEven)) quotient += 1;
            return Numbers.Normalize(quotient * unit);
        }
        var d = Numbers.ToDouble(v);
        // beyond double's range of decimal exponents Python's round gives the value itself or a signed zero
        if (method == "common" && precision > 400) return d;
        if (method == "common" && precision < -400) return double.IsFinite(d) ? (d < 0 ? -0.0 : 0.0) : d;
        return method switch
        {
            "ceil" => RoundDirected(d, precision, ceil: true),
            "floor" => RoundDirected(d, precision, ceil: false),
            _ => PyRound(d, precision),
        };
    }

    /// <summary>round(x, p, 'ceil' / 'floor'): math.ceil/floor of x·10^p (an int), then true division, so the result is a float and never -0.0.</summary>
    internal static double RoundDirected(double d, int precision, bool ceil)
    {
        var factor = Math.Pow(10, precision);
        return (ceil ? Math.Ceiling(d * factor) : Math.Floor(d * factor)) / factor + 0.0;
    }

    private static readonly double[] PowersOfTen = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    /// <summary>
    /// <see cref="PyRound"/> without decimal parsing: the exact value of x·10^n is y + e, where y is the rounded product and
    /// e its rounding error, which a fused multiply-add gives exactly; y's fraction (exact below 2^52) decides the direction
    /// unless it is one half, where e does (a true tie, e = 0, goes to the even neighbour, as Python rounds). The nearest
    /// double to k/10^n is then k / 10^n (both exact doubles, one correctly rounded division); a zero keeps x's sign.
    /// False for magnitudes of y from 1e15 and for x so small that e could underflow (the decimal path answers those).
    /// </summary>
    private static object? RoundFast(double d, int precision) => TryRoundFast(d, precision, out var rounded) ? rounded : null;

    private static bool TryRoundFast(double d, int precision, out double rounded)
    {
        rounded = 0;
        var p = PowersOfTen[precision];
        var y = d * p;
        // (NaN and the infinities fail the first test)
        if (!(Math.Abs(y) < 1e15) || (d != 0 && Math.Abs(d) < 1e-250)) return false;
        var error = Math.FusedMultiplyAdd(d, p, -y);
        var floor = Math.Floor(y);
        var frac = y - floor;
        var k = frac > 0.5 || (frac == 0.5 && (error > 0 || (error == 0 && Math.IEEERemainder(floor, 2) != 0))) ? floor + 1 : floor;
        rounded = k == 0 ? Math.CopySign(0.0, d) : precision == 0 ? k : k / p;
        return true;
    }

    /// <summary><c>{{ x.price|round(n) }}</c> on a double member, for code tier-up emits: the rounded value written
    /// without a box; anything the fast rounding does not answer goes through the filter.</summary>
    internal static void WriteRounded(Output output, RenderState rs, double d, int precision, CallArgs args)
    {
        if (TryRoundFast(d, precision, out var rounded))
        {
            // round() to an integer: a whole number below 1e15, printed as Python prints such a float (a zero as its
            // signed repr, -0.0 included)
            if (precision == 0 && rounded != 0) { output.WriteInt((long)rounded); output.Write(".0"); }
            else output.WriteDouble(rounded);
        }
        else output.WriteValue(Round(rs, d, args), escape: false);
    }

    /// <summary><c>{{ x.price|int }}</c> on a double member, for code tier-up emits: the truncated value written without a box.</summary>
    internal static void WriteTruncated(Output output, RenderState rs, double d, CallArgs args)
    {
        if (Math.Abs(d) < 9e18) output.WriteInt((long)d);
        else output.WriteValue(Int(rs, d, args), escape: false);
    }

    /// <summary>
    /// <c>{{ x|round(p) }}</c> / <c>{{ x|int }}</c> (no other argument) on a value tier-up could not type (a loop variable, an
    /// item): a float written as <see cref="WriteRounded"/> / <see cref="WriteTruncated"/> write it, an int as itself (both
    /// filters give an int its own value), anything else as the filter returns it.
    /// </summary>
    internal static void WriteRoundedOrTruncated(Output output, RenderState rs, object? v, int precision, bool truncate, CallArgs args, bool escape)
    {
        switch (v)
        {
            case double d:
                if (truncate) WriteTruncated(output, rs, d, args);
                else WriteRounded(output, rs, d, precision, args);
                return;
            case int n:
                output.WriteInt(n);
                return;
            case long l:
                output.WriteInt(l);
                return;
        }
        output.WriteValue(truncate ? Int(rs, v, args) : Round(rs, v, args), escape);
    }

    /// <summary><c>{{ x|round(p)|int }}</c> on a double, for code tier-up emits: the rounded value truncated, written without a box.</summary>
    internal static void WriteRoundedTruncated(Output output, RenderState rs, double d, int precision, CallArgs roundArgs, CallArgs intArgs)
    {
        if (TryRoundFast(d, precision, out var rounded)) output.WriteInt((long)rounded);
        else output.WriteValue(Int(rs, Round(rs, d, roundArgs), intArgs), escape: false);
    }

    /// <summary>Python's round(x, n): correctly rounded half-to-even on the decimal value.</summary>
    private static double PyRound(double d, int precision)
    {
        if (!double.IsFinite(d) || Math.Abs(d) >= 1e15) return d;
        // the exact binary value, as Python rounds it (2.675 is really 2.67499999…)
        var exact = decimal.Parse(d.ToString("E20", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
        if (precision < 0)
        {
            var factor = (decimal)Math.Pow(10, -precision);
            return (double)(Math.Round(exact / factor, MidpointRounding.ToEven) * factor);
        }
        return (double)Math.Round(exact, Math.Min(precision, 28), MidpointRounding.ToEven);
    }

    private static object? StripTags(RenderState rs, object? v, CallArgs a)
    {
        var s = RemoveTags(Str(v));
        s = System.Net.WebUtility.HtmlDecode(s);
        return CollapseWhitespace(s);
    }

    /// <summary>
    /// <c>re.sub(r"\s+", " ", s).strip()</c> in one pass (.NET's <c>\s</c> is <see cref="char.IsWhiteSpace(char)"/>, which
    /// Trim uses too); the string itself when nothing changes.
    /// </summary>
    internal static string CollapseWhitespace(string s)
    {
        var changes = false;
        for (var i = 0; i < s.Length && !changes; i++)
        {
            if (!char.IsWhiteSpace(s[i])) continue;
            // a whitespace run of more than one, not a plain space, or at either end
            changes = i == 0 || i == s.Length - 1 || s[i] != ' ' || char.IsWhiteSpace(s[i + 1]);
        }
        if (!changes) return s;
        var buf = s.Length <= 512 ? stackalloc char[s.Length] : new char[s.Length];
        return new string(buf[..CollapseInto(s, buf)]);
    }

    /// <summary><see cref="CollapseWhitespace"/> of <paramref name="src"/> into <paramref name="dst"/> (which may be <paramref name="src"/> itself): the length written.</summary>
    private static int CollapseInto(ReadOnlySpan<char> src, Span<char> dst)
    {
        var n = 0;
        var pending = false;
        foreach (var c in src)
        {
            if (char.IsWhiteSpace(c)) { pending = n > 0; continue; }
            if (pending) { dst[n++] = ' '; pending = false; }
            dst[n++] = c;
        }
        return n;
    }

    /// <summary>
    /// Removes <c>&lt;!--…--&gt;</c> comments and <c>&lt;…&gt;</c> tags (what the regex <c>&lt;!--.*?--&gt;|&lt;[^&gt;]*&gt;</c>
    /// removes), in one linear pass: the next "--&gt;" and "&gt;" are found once and reused while they lie ahead (the
    /// regex searched to the end again from every "&lt;", quadratic on an unterminated comment repeated).
    /// </summary>
    internal static string RemoveTags(string s)
    {
        if (s.IndexOf('<') < 0) return s;
        var buf = s.Length <= 512 ? stackalloc char[s.Length] : new char[s.Length];
        return new string(buf[..RemoveTagsInto(s, buf)]);
    }

    /// <summary><see cref="RemoveTags"/> into <paramref name="dst"/> (at least as long as <paramref name="s"/>): the length written.</summary>
    private static int RemoveTagsInto(string s, Span<char> dst)
    {
        var lt = s.IndexOf('<');
        var n = 0;
        var copied = 0;
        int commentEnd = -2, gt = -2;
        while (lt >= 0)
        {
            var end = -1;
            if (string.CompareOrdinal(s, lt, "<!--", 0, 4) == 0)
            {
                if (commentEnd == -2 || (commentEnd >= 0 && commentEnd < lt + 4)) commentEnd = s.IndexOf("-->", lt + 4, StringComparison.Ordinal);
                if (commentEnd >= 0) end = commentEnd + 3;
            }
            if (end < 0)
            {
                if (gt == -2 || (gt >= 0 && gt < lt + 1)) gt = s.IndexOf('>', lt + 1);
                if (gt < 0) break; // no '>' ahead: nothing further can be a tag or a comment
                end = gt + 1;
            }
            s.AsSpan(copied, lt - copied).CopyTo(dst[n..]);
            n += lt - copied;
            copied = end;
            lt = end < s.Length ? s.IndexOf('<', end) : -1;
        }
        s.AsSpan(copied).CopyTo(dst[n..]);
        return n + s.Length - copied;
    }

    /// <summary>
    /// <c>{{ v|striptags }}</c> printed: a plain string of up to 512 characters stripped and its whitespace collapsed on
    /// the stack, when what is left has no character reference to decode (no ';' after an '&amp;'), then written as the
    /// filter's string would print. Anything else prints what the filter returns.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    internal static void WriteStripTags(RenderState rs, Output output, object? v, bool escape)
    {
        if (v is string { Length: <= 512 } s)
        {
            Span<char> buf = stackalloc char[s.Length];
            var text = buf[..RemoveTagsInto(s, buf)];
            var amp = text.IndexOf('&');
            if (amp < 0 || text[amp..].IndexOf(';') < 0)
            {
                // HtmlDecode would change nothing: collapse in place (the write never passes the read)
                var n = CollapseInto(text, buf);
                if (escape) output.WriteEscaped(buf[..n]);
                else output.Write(buf[..n]);
                return;
            }
        }
        output.WriteValue(StripTags(rs, v, CallArgs.None), escape);
    }

    private static object? FileSizeFormat(RenderState rs, object? v, CallArgs a)
    {
        var binary = Values.Truthy(a.Get(0, "binary", BoxedFalse));
        var bytes = Numbers.IsNumber(v) ? Numbers.ToDouble(v) : double.Parse(Str(v), CultureInfo.InvariantCulture);
        var @base = binary ? 1024.0 : 1000.0;
        var prefixes = binary ? BinaryPrefixes : DecimalPrefixes;
        if (bytes == 1) return "1 Byte";
        if (bytes < @base) return string.Create(CultureInfo.InvariantCulture, $"{(long)bytes} Bytes");
        // (one string made: the number formatted into it with its unit; F1 rounds the exact value, as Python's .1f does)
        for (var i = 0; i < prefixes.Length; i++)
        {
            var unit = Math.Pow(@base, i + 2);
            if (bytes < unit) return string.Create(CultureInfo.InvariantCulture, $"{@base * bytes / unit:F1} {prefixes[i]}");
        }
        return string.Create(CultureInfo.InvariantCulture, $"{@base * bytes / Math.Pow(@base, prefixes.Length + 1):F1} {prefixes[^1]}");
    }

    /// <summary>
    /// <c>{{ n|filesizeformat }}</c> (or <c>(true)</c>) of an integer or a finite double: the size and its unit written
    /// straight into the output, as <see cref="FileSizeFormat"/> words them (the same arithmetic, no string made); any
    /// other value goes through the filter.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    internal static void WriteFileSize(RenderState rs, Output output, object? v, bool binary, bool escape)
    {
        double bytes;
        switch (v)
        {
            case int i: bytes = i; break;
            case long l: bytes = l; break;
            case double d when double.IsFinite(d): bytes = d; break;
            default:
                output.WriteValue(FileSizeFormat(rs, v, binary ? new CallArgs([Boxes.True], null) : CallArgs.None), escape);
                return;
        }
        var @base = binary ? 1024.0 : 1000.0;
        if (bytes == 1)
        {
            output.Write("1 Byte");
            return;
        }
        if (bytes < @base)
        {
            output.WriteInt((long)bytes);
            output.Write(" Bytes");
            return;
        }
        var prefixes = binary ? BinaryPrefixes : DecimalPrefixes;
        var units = binary ? BinaryUnits : DecimalUnits;
        var at = 0;
        while (at < prefixes.Length - 1 && bytes >= units[at]) at++;
        var unit = bytes < units[at] ? units[at] : Math.Pow(@base, prefixes.Length + 1);
        Span<char> digits = stackalloc char[64];
        if (!(@base * bytes / unit).TryFormat(digits, out var n, "F1", CultureInfo.InvariantCulture))
        {
            output.WriteValue(FileSizeFormat(rs, v, binary ? new CallArgs([Boxes.True], null) : CallArgs.None), escape);
            return;
        }
        output.Write(digits[..n]);
        output.Write(" ");
        output.Write(prefixes[at]);
    }

    // the unit each prefix is used below (Math.Pow(base, i + 2), as the filter computes it)
    private static readonly double[] DecimalUnits = [.. Enumerable.Range(0, 8).Select(i => Math.Pow(1000.0, i + 2))];
    private static readonly double[] BinaryUnits = [.. Enumerable.Range(0, 8).Select(i => Math.Pow(1024.0, i + 2))];

    private static readonly string[] BinaryPrefixes = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];
    private static readonly string[] DecimalPrefixes = ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

    private static object? FormatNumber(RenderState rs, object? v, CallArgs a)
    {
        var places = Places(a.Get(0, "decimal_places", 0L));
        if (!Numbers.IsNumber(v)) return Str(v);
        if (places > 0) return Numbers.ToDouble(v).ToString("N" + places, CultureInfo.InvariantCulture);
        return Numbers.ToBig(v).ToString("N0", CultureInfo.InvariantCulture);
    }

    private static object? Pluralize(RenderState rs, object? v, CallArgs a)
    {
        var suffix = Str(a.Get(0, "suffix", "s"));
        var parts = suffix.Split(',');
        var (one, many) = parts.Length > 1 ? (parts[0].Trim(), parts[1].Trim()) : ("", suffix.Trim());
        if (v is null) return many;
        var n = Numbers.IsNumber(v) ? Numbers.ToLong(v) : long.Parse(Str(v).Trim(), CultureInfo.InvariantCulture);
        return n == 1 ? one : many;
    }

    private static object? Classes(RenderState rs, object? v, CallArgs a)
    {
        if (v is null) return "";
        if (Values.IsString(v) || v is not System.Collections.IEnumerable) return Str(v);
        var parts = new List<string>();
        foreach (var x in Iteration.Iterate(v))
        {
            if (!Values.Truthy(x)) continue;
            if (x is System.Collections.IEnumerable && !Values.IsString(x) && !Values.IsMapping(x))
                parts.AddRange(Iteration.Iterate(x).Where(Values.Truthy).Select(Str));
            else parts.Add(Str(x));
        }
        return string.Join(" ", parts);
    }

    /// <summary><c>x|attr(name)</c>: the attribute (for a mapping, its key), or undefined naming what is missing.</summary>
    private static object? Attr(RenderState rs, object? v, string name) =>
        v is null ? new Undefined("attr", "None has no attributes", rs.Strict)
        : MemberAccess.TryGetAttr(rs, v, name, out var r) ? r
        : new Undefined(name, $"'{Values.TypeName(v)} object' has no attribute '{name}'", rs.Strict);

    /// <summary>
    /// <c>x|attr('name')</c> (the built-in, a literal name) as compiled: a member of a plain .NET object is read through the
    /// getter this site cached for its type (<see cref="MemberAccess.TryReadAtSite"/>, as <c>x.name</c> reads it, but a
    /// None member stays None), with no argument list and no filter call. Anything else is the filter.
    /// </summary>
    public static object? AttrAt(RenderState rs, object? v, string name, MemberSite site) =>
        v is not null && MemberAccess.TryReadAtSite(rs, v, name, site, out var value) ? Values.Unwrap(value) : Attr(rs, v, name);
}
