using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Kida.Runtime;

namespace Kida.Filters;

/// <summary>
/// Kida's <c>date</c> filter: strftime-style formatting (Python's directives, C locale) of <see cref="DateTime"/>,
/// <see cref="DateTimeOffset"/>, <see cref="DateOnly"/>, <see cref="TimeOnly"/>, ISO 8601 strings and Unix epochs
/// (seconds, read as local time). None, values it cannot read and dates out of range give <c>""</c>.
/// </summary>
internal static partial class DateFilter
{
    /// <summary>Kida's default format.</summary>
    public const string DefaultFormat = "%Y-%m-%d";

    // a moment to format: the wall-clock time, and its UTC offset when known (null: a naive value, %z and %Z empty)
    private readonly record struct Moment(DateTime Local, TimeSpan? Offset, bool IsUtc);

    private static readonly string[] Days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    private static readonly string[] Months =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    public static object? Filter(RenderState rs, object? value, CallArgs args)
    {
        var format = args.Get(0, "format", DefaultFormat) switch
        {
            null => DefaultFormat,
            var f => Values.AsString(f) ?? throw new TemplateRuntimeException(
                $"date() format must be a string, not '{Values.TypeName(f)}'", ErrorCodes.Runtime),
        };
        if (format.Length > 1000)
            throw new TemplateRuntimeException("date() format is longer than 1000 characters", ErrorCodes.Runtime);
        return ToMoment(value) is { } moment ? Format(moment, format) : "";
    }

    /// <summary>
    /// <c>{{ v|date('%d %b %Y') }}</c> with a literal format (or none), printed: a <see cref="DateTime"/>,
    /// <see cref="DateTimeOffset"/> or <see cref="DateOnly"/> formatted on the stack when the format uses only the common
    /// directives (%d %m %Y %y %H %M %S %I %p %b %B %a %A %j %%), then written as the filter's string would print.
    /// Anything else prints what the filter returns.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    internal static void WriteDate(RenderState rs, Output output, object? value, string format, CallArgs args, bool escape)
    {
        // (the wall-clock time ToMoment gives; the common directives need no offset)
        DateTime? local = value switch
        {
            DateTime dt => dt,
            DateTimeOffset dto => dto.DateTime,
            DateOnly d => d.ToDateTime(TimeOnly.MinValue),
            _ => null,
        };
        if (local is { } time && format.Length <= 64)
        {
            // the longest expansion is %A / %B: nine characters for two of the (at most 64) format's
            Span<char> text = stackalloc char[64 * 9 / 2];
            if (TryFormatCommon(time, format, text, out var length))
            {
                if (escape) output.WriteEscaped(text[..length]);
                else output.Write(text[..length]);
                return;
            }
        }
        output.WriteValue(Filter(rs, value, args), escape);
    }

    /// <summary><see cref="Format"/> for formats of the common directives only, into <paramref name="dst"/>; false (nothing decided) for any other.</summary>
    private static bool TryFormatCommon(DateTime t, string format, Span<char> dst, out int n)
    {
        n = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%' || i + 1 == format.Length)
            {
                dst[n++] = c;
                continue;
            }
            switch (format[++i])
            {
                case '%': dst[n++] = '%'; break;
                case 'd': Two(dst, ref n, t.Day); break;
                case 'm': Two(dst, ref n, t.Month); break;
                case 'y': Two(dst, ref n, t.Year % 100); break;
                case 'H': Two(dst, ref n, t.Hour); break;
                case 'I': Two(dst, ref n, Hour12(t)); break;
                case 'M': Two(dst, ref n, t.Minute); break;
                case 'S': Two(dst, ref n, t.Second); break;
                case 'p': Copy(dst, ref n, t.Hour < 12 ? "AM" : "PM"); break;
                case 'Y':
                    t.Year.TryFormat(dst[n..], out var w, default, CultureInfo.InvariantCulture);
                    n += w;
                    break;
                case 'j':
                    var day = t.DayOfYear;
                    dst[n++] = (char)('0' + day / 100);
                    Two(dst, ref n, day % 100);
                    break;
                case 'b' or 'h': Copy(dst, ref n, Months[t.Month - 1].AsSpan(0, 3)); break;
                case 'B': Copy(dst, ref n, Months[t.Month - 1]); break;
                case 'a': Copy(dst, ref n, Days[Monday0(t)].AsSpan(0, 3)); break;
                case 'A': Copy(dst, ref n, Days[Monday0(t)]); break;
                default: return false;
            }
        }
        return true;

        static void Two(Span<char> dst, ref int n, int v)
        {
            dst[n++] = (char)('0' + v / 10);
            dst[n++] = (char)('0' + v % 10);
        }

        static void Copy(Span<char> dst, ref int n, ReadOnlySpan<char> s)
        {
            s.CopyTo(dst[n..]);
            n += s.Length;
        }
    }

    private static Moment? ToMoment(object? value)
    {
        switch (value)
        {
            case null or Undefined: return null;
            case DateTimeOffset dto: return new Moment(dto.DateTime, dto.Offset, false);
            case DateTime dt:
                return dt.Kind switch
                {
                    DateTimeKind.Utc => new Moment(dt, TimeSpan.Zero, true),
                    DateTimeKind.Local => new Moment(dt, TimeZoneInfo.Local.GetUtcOffset(dt), false),
                    _ => new Moment(dt, null, false),
                };
            case DateOnly d: return new Moment(d.ToDateTime(TimeOnly.MinValue), null, false);
            // Python formats a time on 1900-01-01
            case TimeOnly t: return new Moment(new DateTime(1900, 1, 1).Add(t.ToTimeSpan()), null, false);
            case bool: return null;
        }
        if (Values.AsString(value) is { } s) return Parse(s);
        if (Numbers.IsNumber(value)) return FromEpoch(value);
        return null;
    }

    // an int or float is seconds since the Unix epoch, shown as the server's local time (naive, as Python's
    // datetime.fromtimestamp)
    private static Moment? FromEpoch(object value)
    {
        double seconds;
        try { seconds = Numbers.ToDouble(value); }
        catch (TemplateException) { return null; }
        // DateTimeOffset's range, with a margin for the local offset
        if (double.IsNaN(seconds) || seconds < -62_135_510_400d || seconds > 253_402_214_400d) return null;
        var utc = DateTime.UnixEpoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
        return new Moment(TimeZoneInfo.ConvertTimeFromUtc(utc, TimeZoneInfo.Local), null, false);
    }

    [GeneratedRegex(@"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,7}))?)?)?(Z|[+-]\d{2}:?\d{2})?$",
        RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex IsoPattern();

    // ISO 8601 as Python's datetime.fromisoformat reads it: a date, optionally a time, optionally an offset
    private static Moment? Parse(string s)
    {
        s = s.Trim();
        if (s.Length > 40) return null;
        var m = IsoPattern().Match(s);
        if (!m.Success) return null;
        int Part(int group) => m.Groups[group].Success ? int.Parse(m.Groups[group].ValueSpan, CultureInfo.InvariantCulture) : 0;
        int year = Part(1), month = Part(2), day = Part(3), hour = Part(4), minute = Part(5), second = Part(6);
        if (month is < 1 or > 12 || day < 1 || year < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
            return null;
        var ticks = 0L;
        if (m.Groups[7].Success)
        {
            var frac = m.Groups[7].Value.PadRight(7, '0');
            ticks = long.Parse(frac, CultureInfo.InvariantCulture);
        }
        var local = new DateTime(year, month, day, hour, minute, second).AddTicks(ticks);
        if (!m.Groups[8].Success) return new Moment(local, null, false);
        var z = m.Groups[8].Value;
        if (z == "Z") return new Moment(local, TimeSpan.Zero, true);
        var digits = z.Replace(":", "", StringComparison.Ordinal);
        var oh = int.Parse(digits.AsSpan(1, 2), CultureInfo.InvariantCulture);
        var om = int.Parse(digits.AsSpan(3, 2), CultureInfo.InvariantCulture);
        if (oh > 23 || om > 59) return null;
        var offset = new TimeSpan(oh, om, 0);
        return new Moment(local, z[0] == '-' ? -offset : offset, false);
    }

    /// <summary>A date with a four-digit year as <c>%Y-%m-%d</c>.</summary>
    private static string IsoDate(DateTime t) => string.Create(10, t, static (dst, d) =>
    {
        d.Year.TryFormat(dst, out _, default, CultureInfo.InvariantCulture);
        dst[4] = '-';
        dst[5] = (char)('0' + d.Month / 10);
        dst[6] = (char)('0' + d.Month % 10);
        dst[7] = '-';
        dst[8] = (char)('0' + d.Day / 10);
        dst[9] = (char)('0' + d.Day % 10);
    });

    /// <summary>Formats <paramref name="m"/> with Python's strftime directives (C locale); unknown directives stay as written.</summary>
    private static string Format(Moment m, string format)
    {
        var t = m.Local;
        // the default (and most used) format of a four-digit year without a StringBuilder: what the loop below writes
        if (format == DefaultFormat && t.Year >= 1000) return IsoDate(t);
        var sb = new StringBuilder(format.Length + 16);
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%' || i + 1 == format.Length)
            {
                sb.Append(c);
                continue;
            }
            var start = i;
            // glibc's flag: %-d, %-m, %-H … print numbers without padding
            var noPad = format[i + 1] == '-' && i + 2 < format.Length;
            var d = format[noPad ? i + 2 : i + 1];
            i += noPad ? 2 : 1;
            switch (d)
            {
                case '%': sb.Append('%'); break;
                case 'a': sb.Append(Days[Monday0(t)].AsSpan(0, 3)); break;
                case 'A': sb.Append(Days[Monday0(t)]); break;
                case 'w': sb.Append((int)t.DayOfWeek); break;
                case 'u': sb.Append(Monday0(t) + 1); break;
                case 'd': Num(sb, t.Day, 2, noPad); break;
                case 'e': if (noPad) sb.Append(t.Day); else sb.Append(t.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2)); break;
                case 'b' or 'h': sb.Append(Months[t.Month - 1].AsSpan(0, 3)); break;
                case 'B': sb.Append(Months[t.Month - 1]); break;
                case 'm': Num(sb, t.Month, 2, noPad); break;
                case 'y': Num(sb, t.Year % 100, 2, noPad); break;
                case 'Y': sb.Append(t.Year); break;
                case 'C': Num(sb, t.Year / 100, 2, noPad); break;
                case 'H': Num(sb, t.Hour, 2, noPad); break;
                case 'I': Num(sb, Hour12(t), 2, noPad); break;
                case 'l': if (noPad) sb.Append(Hour12(t)); else sb.Append(Hour12(t).ToString(CultureInfo.InvariantCulture).PadLeft(2)); break;
                case 'p': sb.Append(t.Hour < 12 ? "AM" : "PM"); break;
                case 'M': Num(sb, t.Minute, 2, noPad); break;
                case 'S': Num(sb, t.Second, 2, noPad); break;
                case 'f': Num(sb, (int)(t.Ticks % TimeSpan.TicksPerSecond / 10), 6, false); break;
                case 'j': Num(sb, t.DayOfYear, 3, noPad); break;
                case 'U': Num(sb, (t.DayOfYear + 6 - (int)t.DayOfWeek) / 7, 2, noPad); break;
                case 'W': Num(sb, (t.DayOfYear + 6 - Monday0(t)) / 7, 2, noPad); break;
                case 'G': sb.Append(ISOWeek.GetYear(t)); break;
                case 'V': Num(sb, ISOWeek.GetWeekOfYear(t), 2, noPad); break;
                case 'z':
                    if (m.Offset is { } o)
                    {
                        sb.Append(o < TimeSpan.Zero ? '-' : '+');
                        var a = o.Duration();
                        Num(sb, a.Hours, 2, false);
                        Num(sb, a.Minutes, 2, false);
                    }
                    break;
                case 'Z':
                    if (m.IsUtc) sb.Append("UTC");
                    else if (m.Offset is { } zo)
                    {
                        sb.Append("UTC");
                        if (zo != TimeSpan.Zero)
                        {
                            sb.Append(zo < TimeSpan.Zero ? '-' : '+');
                            var a = zo.Duration();
                            Num(sb, a.Hours, 2, false);
                            sb.Append(':');
                            Num(sb, a.Minutes, 2, false);
                        }
                    }
                    break;
                case 'c': sb.Append(Format(m, "%a %b %e %H:%M:%S %Y")); break;
                case 'x': sb.Append(Format(m, "%m/%d/%y")); break;
                case 'X' or 'T': sb.Append(Format(m, "%H:%M:%S")); break;
                case 'D': sb.Append(Format(m, "%m/%d/%y")); break;
                case 'F': sb.Append(Format(m, "%Y-%m-%d")); break;
                case 'R': sb.Append(Format(m, "%H:%M")); break;
                case 'r': sb.Append(Format(m, "%I:%M:%S %p")); break;
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                default: sb.Append(format, start, i - start + 1); break;
            }
        }
        return sb.ToString();
    }

    private static int Monday0(DateTime t) => ((int)t.DayOfWeek + 6) % 7;

    private static int Hour12(DateTime t) => t.Hour % 12 == 0 ? 12 : t.Hour % 12;

    private static void Num(StringBuilder sb, int value, int width, bool noPad)
    {
        var s = value.ToString(CultureInfo.InvariantCulture);
        if (!noPad && s.Length < width) sb.Append('0', width - s.Length);
        sb.Append(s);
    }
}
