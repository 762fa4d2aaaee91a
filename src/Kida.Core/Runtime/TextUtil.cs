using System.Globalization;
using System.Text;

namespace Kida.Runtime;

internal static class TextUtil
{
    private static readonly System.Buffers.SearchValues<char> SpecialUpper = System.Buffers.SearchValues.Create("ßﬀﬁﬂﬃﬄﬅﬆŉ");

    /// <summary>Python's <c>str.upper()</c>: invariant upper case plus the full case mappings (ß becomes SS).</summary>
    /// <summary>The characters Python's <c>str.splitlines</c> breaks at.</summary>
    public static bool IsLineBreak(char c) => c is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029';

    /// <summary>The characters <see cref="IsLineBreak"/> accepts, for a vectorised search.</summary>
    public static readonly System.Buffers.SearchValues<char> LineBreaks = System.Buffers.SearchValues.Create("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029");

    /// <summary>Python <c>str.splitlines()</c> (no line ends kept; <c>\r\n</c> counts once; no trailing empty line).</summary>
    public static List<string> SplitLines(string s)
    {
        var result = new List<string>();
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (!IsLineBreak(s[i])) continue;
            result.Add(s[start..i]);
            if (s[i] == '\r' && i + 1 < s.Length && s[i + 1] == '\n') i++;
            start = i + 1;
        }
        if (start < s.Length) result.Add(s[start..]);
        return result;
    }

    public static string PyUpper(string s)
    {
        var upper = s.ToUpperInvariant();
        if (upper.AsSpan().IndexOfAny(SpecialUpper) < 0) return upper;
        return upper.Replace("ß", "SS").Replace("ﬀ", "FF").Replace("ﬁ", "FI").Replace("ﬂ", "FL").Replace("ﬃ", "FFI")
            .Replace("ﬄ", "FFL").Replace("ﬅ", "ST").Replace("ﬆ", "ST").Replace("ŉ", "ʼN");
    }

    /// <summary>Python <c>str.title()</c>: title-case after any uncased character, lower-case after a cased one.</summary>
    public static string PyTitle(string s)
    {
        var sb = new StringBuilder(s.Length);
        var prevCased = false;
        foreach (var r in s.EnumerateRunes())
        {
            sb.Append(prevCased ? LowerRune(r, s, sb.Length) : TitleRune(r));
            prevCased = IsCased(r);
        }
        return sb.ToString();
    }

    /// <summary>Python <c>str.lower()</c>: full case mapping (İ → i̇, a final Σ → ς).</summary>
    public static string PyLower(string s)
    {
        if (s.AsSpan().IndexOfAny('\u0130', '\u03A3') < 0) return s.ToLowerInvariant();
        var sb = new StringBuilder(s.Length + 2);
        var i = 0;
        foreach (var r in s.EnumerateRunes())
        {
            sb.Append(LowerRune(r, s, i));
            i += r.Utf16SequenceLength;
        }
        return sb.ToString();
    }

    /// <summary>Python <c>str.capitalize()</c>: the first character title-cased, the rest lower-cased.</summary>
    public static string PyCapitalize(string s)
    {
        if (s.Length == 0) return s;
        var first = System.Text.Rune.GetRuneAt(s, 0);
        return TitleRune(first) + PyLower(s[first.Utf16SequenceLength..]);
    }

    /// <summary>Python <c>str.swapcase()</c> with full mappings (ß → SS).</summary>
    public static string PySwapCase(string s)
    {
        var sb = new StringBuilder(s.Length);
        var i = 0;
        foreach (var r in s.EnumerateRunes())
        {
            if (System.Text.Rune.IsUpper(r)) sb.Append(LowerRune(r, s, i));
            else if (System.Text.Rune.IsLower(r)) sb.Append(PyUpper(r.ToString()));
            else sb.Append(r.ToString());
            i += r.Utf16SequenceLength;
        }
        return sb.ToString();
    }

    private static bool IsCased(System.Text.Rune r) =>
        System.Text.Rune.IsUpper(r) || System.Text.Rune.IsLower(r) || System.Text.Rune.GetUnicodeCategory(r) == System.Globalization.UnicodeCategory.TitlecaseLetter;

    private static string TitleRune(System.Text.Rune r) => r.Value switch
    {
        0x01C4 or 0x01C5 or 0x01C6 => "\u01C5",
        0x01C7 or 0x01C8 or 0x01C9 => "\u01C8",
        0x01CA or 0x01CB or 0x01CC => "\u01CB",
        0x01F1 or 0x01F2 or 0x01F3 => "\u01F2",
        0x00DF => "Ss",
        0xFB00 => "Ff", 0xFB01 => "Fi", 0xFB02 => "Fl", 0xFB03 => "Ffi", 0xFB04 => "Ffl", 0xFB05 or 0xFB06 => "St",
        0x0149 => "\u02BCN",
        _ => System.Text.Rune.ToUpperInvariant(r).ToString(),
    };

    /// <summary>Lower-cases one character at <paramref name="index"/> of <paramref name="s"/> (context for final sigma).</summary>
    private static string LowerRune(System.Text.Rune r, string s, int index)
    {
        if (r.Value == 0x0130) return "i\u0307";
        if (r.Value == 0x03A3)
        {
            // final sigma: preceded by a cased letter and not followed by one (case-ignorable characters skipped)
            var before = false;
            for (var j = index - 1; j >= 0; j--)
            {
                if (char.IsLetter(s[j])) { before = IsCased(new System.Text.Rune(char.IsSurrogate(s[j]) ? ' ' : s[j])); break; }
                if (!IsCaseIgnorable(s[j])) break;
            }
            var after = false;
            for (var j = index + 1; j < s.Length; j++)
            {
                if (char.IsLetter(s[j])) { after = true; break; }
                if (!IsCaseIgnorable(s[j])) break;
            }
            return before && !after ? "\u03C2" : "\u03C3";
        }
        return System.Text.Rune.ToLowerInvariant(r).ToString();
    }

    private static bool IsCaseIgnorable(char c) => c is '\'' or '.' or ':' or '^' or '`' or '\u00AD' or '\u2019'
        || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.ModifierLetter
            or System.Globalization.UnicodeCategory.EnclosingMark or System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.ModifierSymbol;

    /// <summary>Python <c>str.expandtabs(tabsize)</c>.</summary>
    public static string ExpandTabs(string s, int tabSize)
    {
        var sb = new StringBuilder(s.Length);
        var column = 0;
        foreach (var c in s)
        {
            if (c == '\t')
            {
                if (tabSize > 0)
                {
                    var n = tabSize - column % tabSize;
                    Guard.StringLength(sb.Length, n);
                    sb.Append(' ', n);
                    column += n;
                }
            }
            else
            {
                sb.Append(c);
                column = c is '\n' or '\r' ? 0 : column + 1;
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// Python's <c>start</c>/<c>end</c> arguments (code points, negative from the end, clamped) as a UTF-16 range of
    /// <paramref name="s"/>; null when the range is empty in Python's sense (start beyond the length).
    /// </summary>
    public static (int Start, int End)? CodePointRange(string s, object? start, object? end)
    {
        var surrogates = PyString.HasSurrogates(s);
        var length = surrogates ? s.EnumerateRunes().Count() : s.Length;
        long Norm(object? v, long dflt)
        {
            if (v is null) return dflt;
            var x = Numbers.ToLong(v);
            if (x < 0) x = Math.Max(0, x + length);
            return Math.Min(x, length);
        }
        var st = Norm(start, 0);
        var en = Norm(end, length);
        if (start is not null && Numbers.ToLong(start) > length) return null;
        if (en < st) en = st;
        return surrogates ? (CharIndex(s, (int)st), CharIndex(s, (int)en)) : ((int)st, (int)en);
    }

    /// <summary>The UTF-16 index of code point <paramref name="cp"/>.</summary>
    public static int CharIndex(string s, int cp)
    {
        var i = 0;
        for (var n = 0; n < cp && i < s.Length; n++) i += char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
        return i;
    }

    /// <summary>The code point index of UTF-16 index <paramref name="index"/>.</summary>
    public static int CodePointIndex(string s, int index)
    {
        var n = 0;
        for (var i = 0; i < index; i++) if (!char.IsLowSurrogate(s[i]) || i == 0 || !char.IsHighSurrogate(s[i - 1])) n++;
        return n;
    }

    public static object Split(string s, string? sep, int maxsplit, bool fromRight)
    {
        var result = new List<object?>();
        if (sep is null)
        {
            var parts = s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            Guard.CollectionLength(parts.Length);
            if (maxsplit < 0 || parts.Length <= maxsplit + 1) return new List<object?>(parts);
            // maxsplit separators from one end, the rest kept whole; walked by index (no copy of the rest per part)
            char[] ws = [' ', '\t', '\n', '\r', '\f', '\v'];
            if (!fromRight)
            {
                var p = 0;
                while (p < s.Length && char.IsWhiteSpace(s[p])) p++;
                for (var i = 0; i < maxsplit; i++)
                {
                    var idx = s.IndexOfAny(ws, p);
                    result.Add(s[p..idx]);
                    p = idx;
                    while (p < s.Length && char.IsWhiteSpace(s[p])) p++;
                }
                result.Add(s[p..]);
                return result;
            }
            var e = s.Length;
            while (e > 0 && char.IsWhiteSpace(s[e - 1])) e--;
            var tail = new List<object?>();
            for (var i = 0; i < maxsplit; i++)
            {
                var idx = s.LastIndexOfAny(ws, e - 1);
                tail.Add(s[(idx + 1)..e]);
                e = idx;
                while (e > 0 && char.IsWhiteSpace(s[e - 1])) e--;
            }
            result.Add(s[..e]);
            tail.Reverse();
            result.AddRange(tail);
            return result;
        }
        if (sep.Length == 0) throw new TemplateRuntimeException("empty separator", ErrorCodes.Runtime);
        var all = s.Split(sep);
        Guard.CollectionLength(all.Length);
        if (maxsplit < 0 || all.Length <= maxsplit + 1) return new List<object?>(all);
        if (!fromRight)
        {
            result.AddRange(all.Take(maxsplit));
            result.Add(string.Join(sep, all.Skip(maxsplit)));
        }
        else
        {
            result.Add(string.Join(sep, all.Take(all.Length - maxsplit)));
            result.AddRange(all.Skip(all.Length - maxsplit));
        }
        return result;
    }

    /// <summary>Python <c>str.replace</c>, linear; a result longer than the string limit fails before it is built (K-SEC-006).</summary>
    /// <summary>The UTF-16 index <paramref name="cp"/> code points after <paramref name="start"/> (clamped to the end).</summary>
    public static int CharIndexFrom(string s, int start, int cp)
    {
        var i = start;
        for (var k = 0; k < cp && i < s.Length; k++) i += char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
        return i;
    }

    /// <summary>How many code points lie between UTF-16 indexes <paramref name="start"/> and <paramref name="end"/>.</summary>
    public static int CodePointCount(string s, int start, int end)
    {
        var n = 0;
        for (var i = start; i < end; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < end && char.IsLowSurrogate(s[i + 1])) i++;
            n++;
        }
        return n;
    }

    public static string Replace(string s, string old, string @new, long count)
    {
        if (count < 0) count = long.MaxValue;
        if (count == 0) return s;
        // how many replacements happen, so the result's length is known before anything is built
        long n;
        if (old.Length == 0) n = Math.Min(count, (long)s.Length + 1);
        else
        {
            n = 0;
            for (var i = s.IndexOf(old, StringComparison.Ordinal); i >= 0 && n < count; i = s.IndexOf(old, i + old.Length, StringComparison.Ordinal)) n++;
        }
        if (n == 0) return s;
        Guard.StringLength(s.Length + n * ((long)@new.Length - old.Length));
        if (old.Length > 0 && count == long.MaxValue) return s.Replace(old, @new, StringComparison.Ordinal);
        var sb = new StringBuilder((int)(s.Length + n * ((long)@new.Length - old.Length)));
        var pos = 0;
        for (long k = 0; k < n; k++)
        {
            if (old.Length == 0)
            {
                sb.Append(@new);
                if (pos < s.Length) sb.Append(s[pos]);
                pos++;
                continue;
            }
            var i = s.IndexOf(old, pos, StringComparison.Ordinal);
            sb.Append(s, pos, i - pos).Append(@new);
            pos = i + old.Length;
        }
        if (pos < s.Length) sb.Append(s, pos, s.Length - pos);
        return sb.ToString();
    }

    /// <summary>Python <c>str.center</c> (extra padding goes to the right when the split is uneven, as CPython does).</summary>
    public static string Center(string s, long width, char fill = ' ')
    {
        var len = PyString.StrLen(s);
        if (width <= len) return s;
        Guard.StringLength(s.Length + (width - len));
        var marg = (int)(width - len);
        var left = marg / 2 + (marg & (int)width & 1);
        return string.Create(s.Length + marg, (s, fill, left), static (span, st) =>
        {
            span[..st.left].Fill(st.fill);
            st.s.CopyTo(span[st.left..]);
            span[(st.left + st.s.Length)..].Fill(st.fill);
        });
    }

    /// <summary>Python <c>str.ljust</c>/<c>rjust</c>: padded to <paramref name="width"/> code points, checked against the string limit first.</summary>
    public static string Justify(string s, long width, char fill, bool left)
    {
        var len = PyString.StrLen(s);
        if (width <= len) return s;
        Guard.StringLength(s.Length + (width - len));
        var pad = new string(fill, (int)(width - len));
        return left ? s + pad : pad + s;
    }

    /// <summary><c>string.Join</c> whose total length is checked against the string limit before it is built.</summary>
    public static string JoinChecked(string separator, IEnumerable<string> parts)
    {
        var list = parts as IList<string> ?? parts.ToList();
        long total = list.Count > 0 ? (long)separator.Length * (list.Count - 1) : 0;
        foreach (var p in list) total += p.Length;
        Guard.StringLength(total);
        return string.Join(separator, list);
    }
}

/// <summary>Python <c>str.format</c> and <c>%</c> formatting.</summary>
internal static class PyFormat
{
    public static string Format(string format, CallArgs args, bool escapeArgs)
    {
        var auto = 0;
        return Format(format, args, escapeArgs, ref auto, 0);
    }

    private static string Format(string format, CallArgs args, bool escapeArgs, ref int auto, int depth)
    {
        if (depth > 2) throw new TemplateRuntimeException("Max string recursion exceeded", ErrorCodes.Runtime);
        var sb = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c == '{')
            {
                if (i + 1 < format.Length && format[i + 1] == '{') { sb.Append('{'); i++; continue; }
                // the closing brace of this field, skipping nested {…} fields of the format spec
                var end = -1;
                var nesting = 0;
                for (var j = i + 1; j < format.Length; j++)
                {
                    if (format[j] == '{') nesting++;
                    else if (format[j] == '}')
                    {
                        if (nesting == 0) { end = j; break; }
                        nesting--;
                    }
                }
                if (end < 0) throw new TemplateRuntimeException("Single '{' encountered in format string", ErrorCodes.Runtime);
                var field = format[(i + 1)..end];
                string? spec = null;
                var colon = field.IndexOf(':');
                if (colon >= 0) { spec = field[(colon + 1)..]; field = field[..colon]; }
                string? conv = null;
                var bang = field.IndexOf('!');
                if (bang >= 0) { conv = field[(bang + 1)..]; field = field[..bang]; }
                // field name: head, then any number of .attr and [key] parts (a key of digits is an index)
                var headEnd = field.IndexOfAny(['.', '[']);
                var head = headEnd < 0 ? field : field[..headEnd];
                object? value;
                if (head.Length == 0) value = GetPositional(args, auto++);
                else if (int.TryParse(head, NumberStyles.None, CultureInfo.InvariantCulture, out var idx)) value = GetPositional(args, idx);
                else value = args.Named?.FirstOrDefault(kv => kv.Key == head) is { Key: not null } kv ? kv.Value
                    : throw new TemplateRuntimeException($"KeyError: '{head}'", ErrorCodes.KeyError);
                var k = headEnd < 0 ? field.Length : headEnd;
                while (k < field.Length)
                {
                    if (field[k] == '.')
                    {
                        var next = field.IndexOfAny(['.', '['], k + 1);
                        var part = next < 0 ? field[(k + 1)..] : field[(k + 1)..next];
                        value = MemberAccess.TryGetAttr(null!, value!, part, out var v) ? v : throw new TemplateRuntimeException($"AttributeError: no attribute '{part}'", ErrorCodes.AttributeError);
                        k = next < 0 ? field.Length : next;
                    }
                    else if (field[k] == '[')
                    {
                        var close = field.IndexOf(']', k);
                        if (close < 0) throw new TemplateRuntimeException("Missing ']' in format string", ErrorCodes.Runtime);
                        var keyText = field[(k + 1)..close];
                        object? key = long.TryParse(keyText, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : keyText;
                        value = MemberAccess.TryGetItem(value, key, out var item) ? item : throw new TemplateRuntimeException($"KeyError: {PyString.Repr(key)}", ErrorCodes.KeyError);
                        k = close + 1;
                    }
                    else throw new TemplateRuntimeException("Only '.' or '[' may follow ']' in format field specifier", ErrorCodes.Runtime);
                }
                if (spec is not null && spec.Contains('{')) spec = Format(spec, args, false, ref auto, depth + 1);
                if (conv == "r") value = PyString.Repr(value);
                var text = FormatValue(value, spec ?? "");
                if (escapeArgs && value is not Markup) text = Output.Escape(text);
                Guard.StringLength(sb.Length, text.Length);
                sb.Append(text);
                i = end;
                continue;
            }
            if (c == '}')
            {
                if (i + 1 < format.Length && format[i + 1] == '}') { sb.Append('}'); i++; continue; }
                throw new TemplateRuntimeException("Single '}' encountered in format string", ErrorCodes.Runtime);
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static object? GetPositional(CallArgs args, int i) =>
        i < args.Count ? args.Positional[i] : throw new TemplateRuntimeException($"Replacement index {i} out of range for positional args tuple", ErrorCodes.Runtime);

    /// <summary>Applies a Python format spec: [[fill]align][sign][#][0][width][,][.precision][type].</summary>
    public static string FormatValue(object? value, string spec)
    {
        if (value is Undefined u) u.Use();
        if (spec.Length == 0) return PyString.Str(value);
        var i = 0;
        char fill = ' ', align = '\0', sign = '-';
        if (spec.Length >= 2 && spec[1] is '<' or '>' or '^' or '=') { fill = spec[0]; align = spec[1]; i = 2; }
        else if (spec.Length >= 1 && spec[0] is '<' or '>' or '^' or '=') { align = spec[0]; i = 1; }
        if (i < spec.Length && spec[i] is '+' or '-' or ' ') sign = spec[i++];
        var alt = false;
        if (i < spec.Length && spec[i] == '#') { alt = true; i++; }
        if (i < spec.Length && spec[i] == '0') { if (align == '\0') { fill = '0'; align = '='; } i++; }
        var ws = i;
        while (i < spec.Length && char.IsAsciiDigit(spec[i])) i++;
        var width = i > ws ? SpecNumber(spec[ws..i]) : 0;
        var grouping = '\0';
        if (i < spec.Length && spec[i] is ',' or '_') grouping = spec[i++];
        int? precision = null;
        if (i < spec.Length && spec[i] == '.')
        {
            i++;
            var ps = i;
            while (i < spec.Length && char.IsAsciiDigit(spec[i])) i++;
            precision = SpecNumber(spec[ps..i]);
        }
        var type = i < spec.Length ? spec[i] : '\0';
        string body;
        var negative = false;
        if (Numbers.IsNumber(value) && type != 's')
        {
            if (type == '\0' && value is bool) { body = PyString.Str(value); }
            else
            {
                var isInt = Numbers.IsInteger(value) || value is bool;
                var d = Numbers.ToDouble(value);
                negative = d < 0 || (d == 0 && double.IsNegative(d) && !isInt);
                switch (type)
                {
                    case 'd' or 'n':
                        if (!isInt) throw new TemplateRuntimeException($"Unknown format code '{type}' for object of type 'float'", ErrorCodes.TypeError);
                        body = System.Numerics.BigInteger.Abs(Numbers.ToBig(value)).ToString(CultureInfo.InvariantCulture);
                        break;
                    case 'f' or 'F':
                        body = Math.Abs(d).ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture);
                        break;
                    case 'e' or 'E':
                    {
                        var t = Math.Abs(d).ToString((type == 'e' ? "e" : "E") + (precision ?? 6), CultureInfo.InvariantCulture);
                        var ePos = t.IndexOfAny(['e', 'E']);
                        var exp = int.Parse(t[(ePos + 1)..], CultureInfo.InvariantCulture);
                        body = t[..(ePos + 1)] + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
                        break;
                    }
                    case '%':
                        body = (Math.Abs(d) * 100).ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture) + "%";
                        break;
                    case 'x' or 'X' or 'o' or 'b':
                    {
                        var n = System.Numerics.BigInteger.Abs(Numbers.ToBig(value));
                        body = type switch
                        {
                            'x' => n.ToString("x", CultureInfo.InvariantCulture).TrimStart('0'),
                            'X' => n.ToString("X", CultureInfo.InvariantCulture).TrimStart('0'),
                            'o' => ToBase(n, 8),
                            _ => ToBase(n, 2),
                        };
                        if (body.Length == 0) body = "0";
                        if (alt) body = (type switch { 'x' => "0x", 'X' => "0X", 'o' => "0o", _ => "0b" }) + body;
                        break;
                    }
                    case 'g':
                    case 'G':
                    {
                        var p = precision ?? 6;
                        if (p == 0) p = 1;
                        var exp = d == 0 ? 0 : (int)Math.Floor(Math.Log10(Math.Abs(d)));
                        if (exp < -4 || exp >= p)
                        {
                            body = FormatValue(Math.Abs(d), "." + (p - 1) + (type == 'g' ? "e" : "E"));
                            var mant = body[..body.IndexOfAny(['e', 'E'])];
                            if (mant.Contains('.') && !alt) mant = mant.TrimEnd('0').TrimEnd('.');
                            body = mant + body[body.IndexOfAny(['e', 'E'])..];
                        }
                        else
                        {
                            body = Math.Abs(d).ToString("F" + Math.Max(0, p - 1 - exp), CultureInfo.InvariantCulture);
                            if (body.Contains('.') && !alt) body = body.TrimEnd('0').TrimEnd('.');
                        }
                        break;
                    }
                    default:
                        if (precision is not null && !isInt) { body = FormatValue(Math.Abs(d), "." + precision + "g"); break; }
                        body = isInt ? System.Numerics.BigInteger.Abs(Numbers.ToBig(value)).ToString(CultureInfo.InvariantCulture) : Numbers.FormatDouble(Math.Abs(d));
                        break;
                }
                if (grouping != '\0')
                {
                    var dot = body.IndexOfAny(['.', 'e', 'E', '%']);
                    var intPart = dot < 0 ? body : body[..dot];
                    var rest = dot < 0 ? "" : body[dot..];
                    var sbg = new StringBuilder();
                    for (var k = 0; k < intPart.Length; k++)
                    {
                        if (k > 0 && (intPart.Length - k) % 3 == 0) sbg.Append(grouping);
                        sbg.Append(intPart[k]);
                    }
                    body = sbg + rest;
                }
            }
            var signText = negative ? "-" : sign == '+' ? "+" : sign == ' ' ? " " : "";
            if (align == '\0') align = '>';
            if (align == '=')
                return signText + Pad(body, width - signText.Length, fill, '>');
            return Pad(signText + body, width, fill, align);
        }
        body = PyString.Str(value);
        if (type is not ('\0' or 's')) throw new TemplateRuntimeException($"Unknown format code '{type}' for object of type '{Values.TypeName(value)}'", ErrorCodes.TypeError);
        if (precision is not null && body.Length > precision) body = body[..precision.Value];
        return Pad(body, width, fill, align == '\0' ? '<' : align);
    }

    // a width or precision of a format spec: a result that long would pass the string limit, so larger values fail
    // here with K-SEC-006 instead of overflowing int or allocating
    private static int SpecNumber(string digits)
    {
        if (digits.Length == 0) return 0;
        var value = digits.Length > 12 ? long.MaxValue : long.Parse(digits, CultureInfo.InvariantCulture);
        Guard.StringLength(value);
        return (int)value;
    }

    // base 2 or 8 digits of a non-negative integer, linear in the number of bits
    private static string ToBase(System.Numerics.BigInteger n, int b)
    {
        if (n.IsZero) return "0";
        var shift = b == 2 ? 1 : 3;
        var bits = n.GetBitLength();
        var count = (int)((bits + shift - 1) / shift);
        var bytes = n.ToByteArray(isUnsigned: true, isBigEndian: false);
        var chars = new char[count];
        for (var k = 0; k < count; k++)
        {
            // the shift-bit digit k (least significant first) from the little-endian bytes
            long bit = (long)k * shift;
            var value = 0;
            for (var j = 0; j < shift; j++)
            {
                var at = bit + j;
                var byteIndex = (int)(at >> 3);
                if (byteIndex < bytes.Length && ((bytes[byteIndex] >> (int)(at & 7)) & 1) != 0) value |= 1 << j;
            }
            chars[count - 1 - k] = (char)('0' + value);
        }
        return new string(chars);
    }

    private static string Pad(string s, int width, char fill, char align)
    {
        if (s.Length >= width) return s;
        Guard.StringLength(width);
        var total = width - s.Length;
        return align switch
        {
            '<' => s + new string(fill, total),
            '^' => new string(fill, total / 2) + s + new string(fill, total - total / 2),
            _ => new string(fill, total) + s,
        };
    }

    /// <summary>Python <c>%</c> formatting: %s %r %d %i %f %e %g %x %o %% with flags, width and precision.</summary>
    public static string PercentFormat(string format, object? args)
    {
        IReadOnlyList<object?> list = args is PyTuple t ? t : [args];
        var map = Values.IsMapping(args) ? args : null;
        var sb = new StringBuilder();
        var ai = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%') { sb.Append(c); continue; }
            i++;
            if (i >= format.Length) throw new TemplateRuntimeException("incomplete format", ErrorCodes.Runtime);
            if (format[i] == '%') { sb.Append('%'); continue; }
            object? value;
            if (format[i] == '(')
            {
                var close = format.IndexOf(')', i);
                var key = format[(i + 1)..close];
                value = map is not null && Mappings.MapTryGet(map, key, out var v) ? v : throw new TemplateRuntimeException($"KeyError: '{key}'", ErrorCodes.KeyError);
                i = close + 1;
            }
            else value = null;
            var specStart = i;
            while (i < format.Length && "-+ #0123456789.".Contains(format[i])) i++;
            if (i >= format.Length) throw new TemplateRuntimeException("incomplete format", ErrorCodes.Runtime);
            var flags = format[specStart..i];
            var conv = format[i];
            if (map is null)
            {
                if (ai >= list.Count) throw new TemplateRuntimeException("not enough arguments for format string", ErrorCodes.TypeError);
                value = list[ai++];
            }
            var left = flags.Contains('-');
            var spec = flags.Replace("-", "").Replace("#", "");
            var pySpec = (left ? "<" : "") + spec;
            var piece = conv switch
            {
                's' => FormatValue(PyString.Str(value), pySpec),
                'r' => FormatValue(PyString.Repr(value), pySpec),
                'd' or 'i' or 'u' => FormatValue(Numbers.IsNumber(value) ? (object)Numbers.ToBig(value) : throw new TemplateRuntimeException("%d format: a number is required", ErrorCodes.TypeError), pySpec + "d"),
                'f' or 'F' or 'e' or 'E' or 'g' or 'G' or 'x' or 'X' or 'o' => FormatValue(value, pySpec + conv),
                _ => throw new TemplateRuntimeException($"unsupported format character '{conv}'", ErrorCodes.Runtime),
            };
            Guard.StringLength(sb.Length, piece.Length);
            sb.Append(piece);
        }
        if (map is null && ai < list.Count) throw new TemplateRuntimeException("not all arguments converted during string formatting", ErrorCodes.TypeError);
        return sb.ToString();
    }
}
