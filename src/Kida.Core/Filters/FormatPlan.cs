using System.Globalization;
using System.Runtime.CompilerServices;
using Kida.Runtime;

namespace Kida.Filters;

/// <summary>
/// A <c>str.format</c> string parsed once: literal runs and positional fields (<c>{}</c>, <c>{0}</c>) with a format spec,
/// so <c>'{:.2f}'|format(price)</c> does not parse its spec on every call. Fields with names, attributes, items,
/// conversions or nested specs have no plan (<see cref="PyFormat"/> handles them). Numbers in the common specs
/// (none, <c>.Nf</c>) are formatted straight into a stack buffer; the result is what <c>PyFormat.Format</c> gives.
/// </summary>
internal sealed class FormatPlan
{
    // Conversion: the %-format conversion a part came from ('s', 'd', 'f'), which limits the values it formats as
    // str.format would (anything else takes the general %-formatter); '\0' for a str.format field
    private readonly record struct Part(string? Literal, int Index, string Spec, string? FixedFormat, char Conversion = '\0')
    {
        // no character HTML escaping changes in the literal or the spec (its fill character): a number formatted by
        // this part, or the literal, is written as it is
        public bool Plain { get; } = (Literal ?? Spec).AsSpan().IndexOfAny("&<>\"'") < 0;

        // an integer field's spec of only a width, zero-padded or not ({:5d}, {:05d}, {:05}): its width, or 0
        public int IntWidth { get; } = IntSpecWidth(Spec, out _);
        public bool IntZeroPad { get; } = IntSpecWidth(Spec, out var zero) > 0 && zero;
    }

    /// <summary>The width of a spec [0]width[d] (width 1 to 999), with whether it pads with zeros; 0 for any other spec.</summary>
    private static int IntSpecWidth(string spec, out bool zero)
    {
        zero = false;
        var s = spec.AsSpan();
        if (s.EndsWith("d")) s = s[..^1];
        if (s.StartsWith("0"))
        {
            zero = true;
            s = s[1..];
        }
        if (s.Length is 0 or > 3 || s[0] == '0' || !int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var width))
        {
            zero = false;
            return 0;
        }
        return width;
    }

    /// <summary>
    /// An integer under a width spec as Python's format writes it: right-aligned with spaces, or with zeros after the
    /// sign (<c>{:05d}</c> of -42 is <c>-0042</c>); a number longer than the width is written whole.
    /// </summary>
    private static bool TryFormatPadded(long value, int width, bool zero, Span<char> dst, out int written)
    {
        written = 0;
        Span<char> digits = stackalloc char[20];
        if (!value.TryFormat(digits, out var n, default, CultureInfo.InvariantCulture)) return false;
        var pad = Math.Max(0, width - n);
        if (dst.Length < n + pad) return false;
        var at = 0;
        var from = 0;
        if (zero && value < 0)
        {
            dst[at++] = '-';
            from = 1;
        }
        dst.Slice(at, pad).Fill(zero ? '0' : ' ');
        at += pad;
        digits[from..n].CopyTo(dst[at..]);
        written = at + n - from;
        return true;
    }

    private readonly Part[] _parts;

    private FormatPlan(Part[] parts)
    {
        _parts = parts;
        IntegerFields = parts.All(p => p.Literal is not null || (p.Index == 0 && p.Spec.Length == 0));
        _percent = parts.Any(p => p.Conversion != '\0');
        var literal = 0;
        foreach (var p in parts)
        {
            if (p.Literal is null)
            {
                _fieldCount++;
                _literalBeforeLastField = literal;
            }
            else literal += p.Literal.Length;
        }
        _literalLength = literal;
        _bare = !_percent && parts.All(p => p.Literal is not null || p.Spec.Length == 0);
        _integerPlan = !_percent && _fieldCount > 0 && parts.All(p => p.Literal is not null || (p.Index == 0 && (p.Spec.Length == 0 || p.IntWidth > 0)));
        _widest = parts.Select(p => p.Literal is null ? p.IntWidth : 0).DefaultIfEmpty(0).Max();
        _escapedLiterals = parts.Select(p => p.Literal is null ? null : Output.Escape(p.Literal)).ToArray();
    }

    // every field is {} / {n} (no spec, no conversion): a string or integer argument is written as it is
    private readonly bool _bare;

    /// <summary>
    /// The parts of a plan whose fields are all <c>{}</c> / <c>{n}</c>: each a literal (as written and escaped) or an
    /// argument's index (Literal null); null for any other plan. For code tier-up emits (SiteInliner.TypedBareFormatWrite).
    /// </summary>
    public (string? Literal, string? Escaped, int Index)[]? BareParts =>
        _bare ? _parts.Select((p, i) => (p.Literal, _escapedLiterals[i], p.Index)).ToArray() : null;

    /// <summary>The characters of the plan's literals (what a written text is counted from).</summary>
    public int LiteralLength => _literalLength;

    // every field is {}, {0} or an integer width ({:5d}, {:05}) of the first argument: an integer is written by TryWriteLong
    private readonly bool _integerPlan;
    private readonly int _widest;

    private const string Zeros = "0000000000000000", Spaces = "                ";

    /// <summary>
    /// One integer argument (an int or long member, typed at tier-up) written straight into the output by a plan of
    /// <c>{}</c> and width fields (<c>'{:05d}'</c>, <c>'{} items'</c>): the digits formatted once, padded as Python pads
    /// them (zeros after the sign, spaces before it), no box and no intermediate text. False, with nothing written, for
    /// any other plan or when the text could pass the string limit.
    /// </summary>
    [SkipLocalsInit]
    public bool TryWriteLong(long value, Output output, bool escape)
    {
        if (!_integerPlan) return false;
        Span<char> digits = stackalloc char[20];
        value.TryFormat(digits, out var n, default, CultureInfo.InvariantCulture);
        if (!BuiltinFilters.FitsStringLimit(_literalLength + (long)_fieldCount * Math.Max(n, _widest))) return false;
        var parts = _parts;
        for (var i = 0; i < parts.Length; i++)
        {
            ref readonly var part = ref parts[i];
            if (part.Literal is { } literal)
            {
                output.Write(escape ? _escapedLiterals[i]! : literal);
                continue;
            }
            var pad = part.IntWidth - n;
            if (pad <= 0) output.Write(digits[..n]);
            else if (!part.IntZeroPad)
            {
                Repeat(output, Spaces, pad);
                output.Write(digits[..n]);
            }
            else
            {
                var sign = value < 0 ? 1 : 0;
                if (sign == 1) output.Write("-");
                Repeat(output, Zeros, pad);
                output.Write(digits[sign..n]);
            }
        }
        return true;

        static void Repeat(Output output, string run, int count)
        {
            for (; count > 0; count -= run.Length) output.Write(run.AsSpan(0, Math.Min(count, run.Length)));
        }
    }
    private readonly int _literalLength;
    private readonly string?[] _escapedLiterals;

    /// <summary>
    /// The text straight into the output, piece by piece, for a plan whose fields have no spec and arguments that are
    /// all strings or integers, when the text is certainly within every string limit (else false, nothing written; the
    /// caller formats as before). What is written is what printing the formatted string writes.
    /// </summary>
    public bool TryWriteDirect(ReadOnlySpan<object?> args, Output output, bool escape)
    {
        if (!_bare) return false;
        long length = _literalLength;
        // (each part read in place: a Part is a struct of eight fields)
        foreach (ref readonly var part in _parts.AsSpan())
        {
            if (part.Literal is not null) continue;
            if (part.Index >= args.Length) return false;
            switch (args[part.Index])
            {
                case string s: length += s.Length; break;
                case int or long: length += 20; break;
                default: return false;
            }
        }
        if (!BuiltinFilters.FitsStringLimit(length)) return false;
        var parts = _parts;
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].Literal is { } literal)
            {
                output.Write(escape ? _escapedLiterals[i]! : literal);
                continue;
            }
            switch (args[parts[i].Index])
            {
                case string s:
                    if (escape) output.WriteEscaped(s.AsSpan());
                    else output.Write(s);
                    break;
                case int n: output.WriteInt(n); break;
                case long n: output.WriteInt(n); break;
            }
        }
        return true;
    }

    // a %-format's plan: Python requires exactly one argument per field
    private readonly bool _percent;

    // the literal characters before the last field: the general formatter checks the text so far at each field's end
    private readonly int _literalBeforeLastField;
    private readonly int _fieldCount;

    /// <summary>Whether every field is <c>{}</c> or <c>{0}</c> (no spec): an integer argument fills them as its digits.</summary>
    public bool IntegerFields { get; }

    /// <summary>
    /// The text for one integer argument when <see cref="IntegerFields"/>, written straight into the output (literals
    /// escaped as the printed string would be; digits need none), the string limit checked on its length as the
    /// general formatter does (at the end of the last field). Called by the code tier-up emits for <c>{{ 'fmt'|format(x.count) }}</c> on an int member.
    /// </summary>
    public void WriteInteger(Output output, long value, bool escape)
    {
        // (the longest text, 20 characters a field, passes every configured limit: nothing to count)
        if (_literalBeforeLastField + 20L * _fieldCount > KidaLimits.StringLengthFloor)
        {
            var digits = value < 0 ? 2 : 1;
            for (var v = Math.Abs(value / 10); v > 0; v /= 10) digits++;
            Guard.StringLength(_literalBeforeLastField + (long)digits * _fieldCount);
        }
        foreach (ref readonly var part in _parts.AsSpan())
        {
            if (part.Literal is not { } lit) output.WriteInt(value);
            else if (escape && !part.Plain) output.WriteEscaped(lit);
            else output.Write(lit);
        }
    }

    // a few recent format strings per thread, by reference: a template's constant is the same string object every call
    [ThreadStatic] private static (string? Key, FormatPlan? Plan)[]? _recent;
    private static readonly FormatPlan None = new([]);

    /// <summary>The plan of <paramref name="format"/>, or null when it has fields only the general formatter handles.</summary>
    public static FormatPlan? Get(string format)
    {
        var recent = _recent ??= new (string?, FormatPlan?)[16];
        var slot = RuntimeHelpers.GetHashCode(format) & 15;
        ref var entry = ref recent[slot];
        if (!ReferenceEquals(entry.Key, format))
        {
            entry = (format, Parse(format) ?? None);
        }
        return ReferenceEquals(entry.Plan, None) ? null : entry.Plan;
    }

    /// <summary>The plan of a template's constant format string, made once when the template is compiled; null when it has none.</summary>
    public static FormatPlan? Create(string format) => Parse(format);

    /// <summary>How many fields the plan fills (one argument each).</summary>
    public int FieldCount => _fieldCount;

    [ThreadStatic] private static (string? Key, FormatPlan? Plan)[]? _recentPercent;

    /// <summary>The plan of a <c>%</c>-format string (<see cref="CreatePercent"/>), cached per thread by reference as <see cref="Get"/>.</summary>
    public static FormatPlan? GetPercent(string format)
    {
        var recent = _recentPercent ??= new (string?, FormatPlan?)[16];
        ref var entry = ref recent[RuntimeHelpers.GetHashCode(format) & 15];
        if (!ReferenceEquals(entry.Key, format)) entry = (format, CreatePercent(format) ?? None);
        return ReferenceEquals(entry.Plan, None) ? null : entry.Plan;
    }

    /// <summary>
    /// The plan of a Python <c>%</c>-format string whose conversions are all <c>%s</c>, <c>%d</c>/<c>%i</c> or
    /// <c>%.Nf</c> (no flags, widths or keys; <c>%%</c> is a literal): each fills the next argument as the
    /// corresponding str.format field does, for the values where the two agree (text, numbers, booleans and None for
    /// %s; integers for %d; numbers for %f), so any other value takes <c>PyFormat.PercentFormat</c>. Null when the
    /// string has another conversion.
    /// </summary>
    public static FormatPlan? CreatePercent(string format)
    {
        if (format.Length > 200) return null;
        var parts = new List<Part>();
        var literal = new System.Text.StringBuilder();
        var fields = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%') { literal.Append(c); continue; }
            if (++i >= format.Length) return null;
            Part field;
            switch (format[i])
            {
                case '%':
                    literal.Append('%');
                    continue;
                case 's':
                    field = new Part(null, fields, "", null, 's');
                    break;
                case 'd' or 'i':
                    field = new Part(null, fields, "", null, 'd');
                    break;
                case '.':
                    var end = i + 1;
                    while (end < format.Length && char.IsAsciiDigit(format[end])) end++;
                    if (end >= format.Length || format[end] != 'f' || FixedSpec(format[i..(end + 1)]) is not { } fixedFormat) return null;
                    field = new Part(null, fields, format[i..(end + 1)], fixedFormat, 'f');
                    i = end;
                    break;
                default:
                    return null;
            }
            if (literal.Length > 0) { parts.Add(new Part(literal.ToString(), -1, "", null)); literal.Clear(); }
            parts.Add(field);
            fields++;
        }
        if (literal.Length > 0) parts.Add(new Part(literal.ToString(), -1, "", null));
        return fields == 0 ? null : new FormatPlan(parts.ToArray());
    }

    // whether a %-conversion formats the value as the str.format field it became does
    private static bool PercentAccepts(char conversion, object? value) => conversion switch
    {
        's' => value is null or string or long or int or double or decimal or bool,
        'd' => value is long or int,
        _ => value is long or int or double or decimal,
    };

    private static FormatPlan? Parse(string format)
    {
        if (format.Length > 200) return null;
        var parts = new List<Part>();
        var literal = new System.Text.StringBuilder();
        var auto = 0;
        var fields = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c == '}')
            {
                if (i + 1 < format.Length && format[i + 1] == '}') { literal.Append('}'); i++; continue; }
                return null;
            }
            if (c != '{') { literal.Append(c); continue; }
            if (i + 1 < format.Length && format[i + 1] == '{') { literal.Append('{'); i++; continue; }
            var end = format.IndexOf('}', i + 1);
            if (end < 0) return null;
            var field = format.AsSpan(i + 1, end - i - 1);
            if (field.Contains('{')) return null;
            var spec = "";
            var colon = field.IndexOf(':');
            if (colon >= 0) { spec = field[(colon + 1)..].ToString(); field = field[..colon]; }
            int index;
            if (field.Length == 0) index = auto++;
            else if (field.Length <= 3 && int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var explicitIndex)) index = explicitIndex;
            else return null;
            if (literal.Length > 0) { parts.Add(new Part(literal.ToString(), -1, "", null)); literal.Clear(); }
            parts.Add(new Part(null, index, spec, FixedSpec(spec)));
            fields++;
            i = end;
        }
        if (literal.Length > 0) parts.Add(new Part(literal.ToString(), -1, "", null));
        return fields == 0 ? null : new FormatPlan(parts.ToArray());
    }

    // ".Nf" / ".NF" (N up to 20): the .NET fixed-point format "FN"
    private static string? FixedSpec(string spec)
    {
        if (spec.Length < 3 || spec[0] != '.' || spec[^1] is not ('f' or 'F')) return null;
        var digits = spec.AsSpan(1, spec.Length - 2);
        if (digits.Length > 2 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var places) || places > 20) return null;
        return "F" + places.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The formatted text, or false when the general formatter must run (a missing argument, an undefined value, a spec
    /// that does not apply to the value, or a result longer than the stack buffer), so errors are its errors.
    /// </summary>
    [SkipLocalsInit] // (the buffer is read only where it was written)
    public bool TryFormat(object?[] args, out string? result)
    {
        result = null;
        Span<char> buf = stackalloc char[512];
        if (!TryFormatInto(args, buf, out var len, out _)) return false;
        result = new string(buf[..len]);
        return true;
    }

    /// <summary>
    /// <c>{{ 'fmt'|format(args) }}</c>: the formatted text written to <paramref name="output"/> (escaped when
    /// <paramref name="escape"/>, as the printed string would be) without the string; false, having written nothing, when
    /// the general formatter must run.
    /// </summary>
    [SkipLocalsInit]
    public bool TryWrite(ReadOnlySpan<object?> args, Output output, bool escape)
    {
        Span<char> buf = stackalloc char[512];
        if (!TryFormatInto(args, buf, out var len, out var plain)) return false;
        if (escape && !plain) output.WriteEscaped(buf[..len]);
        else output.Write(buf[..len]);
        return true;
    }

    private bool TryFormatInto(ReadOnlySpan<object?> args, Span<char> buf, out int len, out bool plain)
    {
        len = 0;
        // whether the text has nothing to escape: plain literals, and numbers formatted by plain specs
        plain = true;
        if (_percent && args.Length != _fieldCount) return false;
        foreach (ref readonly var part in _parts.AsSpan())
        {
            if (part.Literal is { } lit)
            {
                if (!lit.AsSpan().TryCopyTo(buf[len..])) return false;
                len += lit.Length;
                plain &= part.Plain;
                continue;
            }
            if (part.Index >= args.Length) return false;
            var value = args[part.Index];
            if (value is Undefined || (part.Conversion != '\0' && !PercentAccepts(part.Conversion, value))) return false;
            var start = len;
            if (!TryFormatValue(value, part, buf[len..], out var written)) return false;
            len += written;
            plain &= part.Plain && value is long or int or double or decimal;
            // as PyFormat: the text so far plus this field against the string limit
            Guard.StringLength(start, written);
        }
        return true;
    }

    /// <summary>
    /// A plan of one fixed-point field (<c>{:.2f}</c>, literals around it) and a decimal argument, written without boxing
    /// it: the decimal formats itself as <see cref="TryFormatValue"/> has it do (a non-zero value with no more places than
    /// asked for, under 10^12); false, with nothing written, for anything else.
    /// </summary>
    [SkipLocalsInit]
    public bool TryWriteDecimal(decimal value, Output output, bool escape)
    {
        if (_fieldCount != 1) return false;
        var field = -1;
        for (var i = 0; i < _parts.Length; i++)
            if (_parts[i].Literal is null) field = i;
        ref readonly var part = ref _parts[field];
        // (a %-format's one field: '%.2f' % price, whose conversion takes a decimal as PercentAccepts says: any but 'd')
        if ((_percent && part.Conversion == 'd') || part.Index != 0 || !part.Plain || part.FixedFormat is not { } format || value == 0 || value.Scale > FixedPlaces(format)
            || Math.Abs(value) >= 1_000_000_000_000m) return false;
        Span<char> digits = stackalloc char[64];
        if (!value.TryFormat(digits, out var written, format, CultureInfo.InvariantCulture)
            || !BuiltinFilters.FitsStringLimit((long)_literalLength + written)) return false;
        for (var i = 0; i < _parts.Length; i++)
        {
            if (i == field) output.Write(digits[..written]);
            else output.Write(escape ? _escapedLiterals[i]! : _parts[i].Literal!);
        }
        return true;
    }

    private static bool TryFormatValue(object? value, in Part part, Span<char> dst, out int written)
    {
        written = 0;
        if (part.Spec.Length == 0)
        {
            switch (value)
            {
                case string s:
                    written = s.Length;
                    return s.AsSpan().TryCopyTo(dst);
                case long l: return l.TryFormat(dst, out written, default, CultureInfo.InvariantCulture);
                case int i: return i.TryFormat(dst, out written, default, CultureInfo.InvariantCulture);
            }
            return Copy(PyFormat.FormatValue(value, ""), dst, out written);
        }
        if (part.FixedFormat is { } decimalFormat && value is decimal m && m != 0 && m.Scale <= FixedPlaces(decimalFormat)
            && Math.Abs(m) < 1_000_000_000_000m)
        {
            // a decimal with no more places than asked for: the double it converts to formats to the same digits (its
            // error is far below half a unit of the last place), so the decimal formats itself
            return m.TryFormat(dst, out written, decimalFormat, CultureInfo.InvariantCulture);
        }
        if (part.FixedFormat is { } fixedFormat && value is double or decimal or long or int)
        {
            // PyFormat's 'f': the value as a double, its magnitude in fixed point, a '-' for negatives (and -0.0)
            var d = Numbers.ToDouble(value);
            var negative = d < 0 || (d == 0 && double.IsNegative(d) && value is not (long or int));
            var pos = 0;
            if (negative)
            {
                if (dst.Length == 0) return false;
                dst[pos++] = '-';
            }
            if (!Math.Abs(d).TryFormat(dst[pos..], out var n, fixedFormat, CultureInfo.InvariantCulture)) return false;
            written = pos + n;
            return true;
        }
        if (part.IntWidth > 0 && value is long or int) return TryFormatPadded(Convert.ToInt64(value, CultureInfo.InvariantCulture), part.IntWidth, part.IntZeroPad, dst, out written);
        if (value is Markup or Undefined) return false;
        return Copy(PyFormat.FormatValue(value, part.Spec), dst, out written);
    }

    private static int FixedPlaces(string fixedFormat) => fixedFormat.Length == 2 ? fixedFormat[1] - '0' : (fixedFormat[1] - '0') * 10 + fixedFormat[2] - '0';

    private static bool Copy(string text, Span<char> dst, out int written)
    {
        written = text.Length;
        return text.AsSpan().TryCopyTo(dst);
    }
}
