using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kida.Runtime;

/// <summary>
/// The character sink a render writes into: a pooled, growable buffer. Captures (block <c>set</c>,
/// <c>caller()</c>, filter blocks, macro calls) use their own short-lived instance.
/// </summary>
internal sealed class Output : IDisposable
{
    // MarkupSafe's five: anything else, NUL included, passes through unchanged
    private static readonly SearchValues<char> HtmlSpecial = SearchValues.Create("&<>\"'");
    private char[] _buffer;
    private int _length;
    // where writing must stop: the buffer's end, or the output limit when that comes first (so the fast paths below
    // enforce the limit with the compare they already make)
    private int _end;
    private long _limit;
    // streaming (a root output only): where full chunks go, the size at which one is handed over, and how much has gone
    private IOutputSink? _sink;
    private int _threshold;
    private long _emitted;

    /// <summary>An output bounded by the current render's <see cref="KidaLimits.MaxOutputLength"/> (a capture inside a render).</summary>
    public Output(int capacity = 256) : this(capacity, RenderState.CurrentLimits.MaxOutputLength) { }

    /// <summary>An output that may hold at most <paramref name="limit"/> characters.</summary>
    public Output(int capacity, long limit)
    {
        _buffer = ArrayPool<char>.Shared.Rent(capacity);
        _limit = limit;
        _end = (int)Math.Min(_buffer.Length, limit);
    }

    public int Length => _length;

    /// <summary>The characters the buffer holds now (what a kept output keeps between renders).</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Everything written so far, including what a streaming output has already handed over.</summary>
    public long TotalLength => _emitted + _length;

    /// <summary>Whether <c>{% flush %}</c> ran on this output (a buffered render notes it, so the next one streams).</summary>
    public bool FlushRequested { get; private set; }

    /// <summary>
    /// Makes this (root) output stream: once it holds <paramref name="threshold"/> characters, and at every
    /// <c>{% flush %}</c>, what it holds is handed to <paramref name="sink"/> and the buffer starts again.
    /// </summary>
    public void StreamTo(IOutputSink sink, int threshold)
    {
        _sink = sink;
        _threshold = Math.Max(1, threshold);
        SetEnd();
    }

    /// <summary>
    /// <c>{% flush %}</c>: a streaming output hands over what it holds, marked as a flush point (an empty chunk when it
    /// holds nothing); a buffered one only notes the request.
    /// </summary>
    public void Flush()
    {
        FlushRequested = true;
        if (_sink is null) return;
        Emit(flush: true);
    }

    /// <summary>Hands the rest to the sink at the end of a streaming render.</summary>
    public void Complete()
    {
        if (_sink is not null && _length > 0) Emit(flush: false);
    }

    private void Emit(bool flush)
    {
        _sink!.Chunk(_buffer.AsSpan(0, _length), flush);
        _emitted += _length;
        _length = 0;
        SetEnd();
    }

    private void SetEnd()
    {
        var end = Math.Min(_buffer.Length, _limit - _emitted);
        if (_sink is not null) end = Math.Min(end, _threshold);
        _end = (int)Math.Max(end, 0);
    }

    // a kept output's buffer stays with it up to this size (larger ones go back to the array pool)
    private const int KeptBuffer = 16 * 1024;

    /// <summary>
    /// The output of a whole render on <paramref name="thread"/>, holding at most <paramref name="limit"/> characters:
    /// the thread's kept output with its buffer (no pool call for a page that fits), or a new one when a render running
    /// on the thread holds it; give it back with <see cref="Return"/>.
    /// </summary>
    public static Output Rent(RenderThread thread, int capacity, long limit)
    {
        var o = thread.Output;
        if (thread.OutputTaken) return new Output(capacity, limit);
        if (o is null) thread.Output = o = new Output(capacity, limit);
        else
        {
            if (o._buffer.Length < capacity)
            {
                if (o._buffer.Length > 0) ArrayPool<char>.Shared.Return(o._buffer);
                o._buffer = ArrayPool<char>.Shared.Rent(capacity);
            }
            o._limit = limit;
            o._end = (int)Math.Min(o._buffer.Length, limit);
        }
        thread.OutputTaken = true;
        return o;
    }

    /// <summary>Ends a render's use of an output from <see cref="Rent"/>: the thread keeps its own output (and a buffer of a usual size).</summary>
    public static void Return(RenderThread thread, Output output)
    {
        if (!ReferenceEquals(thread.Output, output))
        {
            // a nested render's own output
            output.Dispose();
            return;
        }
        if (output._buffer.Length > KeptBuffer) output.Dispose();
        output._length = 0;
        output._sink = null;
        output._emitted = 0;
        output.FlushRequested = false;
        thread.OutputTaken = false;
    }

    public ReadOnlySpan<char> Span => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<char> Memory => _buffer.AsMemory(0, _length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(string? s)
    {
        if (s is null) return;
        if (s.Length <= _end - _length)
        {
            if (s.Length <= ShortCopy) CopyShort(s.AsSpan());
            else s.CopyTo(0, _buffer, _length, s.Length);
            _length += s.Length;
            return;
        }
        WriteSlow(s.AsSpan());
    }

    public void Write(ReadOnlySpan<char> s)
    {
        if (s.Length <= _end - _length)
        {
            if (s.Length <= ShortCopy) CopyShort(s);
            else s.CopyTo(_buffer.AsSpan(_length));
            _length += s.Length;
            return;
        }
        WriteSlow(s);
    }

    // the most characters copied one by one (the separators, punctuation and short words most writes are): cheaper
    // than the call into a general memory move
    private const int ShortCopy = 8;

    /// <summary>Copies <paramref name="s"/> (at most <see cref="ShortCopy"/> characters, room checked) to the end of the text.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CopyShort(ReadOnlySpan<char> s)
    {
        // (the caller checked that the buffer has room from _length on: no bounds check per character)
        ref var to = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_buffer), _length);
        ref var from = ref MemoryMarshal.GetReference(s);
        for (var k = 0; k < s.Length; k++) Unsafe.Add(ref to, k) = Unsafe.Add(ref from, k);
    }

    public void Write(char c)
    {
        if (_length >= _end) Grow(1);
        _buffer[_length++] = c;
    }

    private void WriteSlow(ReadOnlySpan<char> s)
    {
        Grow(s.Length);
        s.CopyTo(_buffer.AsSpan(_length));
        _length += s.Length;
    }

    // makes room for needed more characters, or fails with K-SEC-005 when that would pass the output limit
    private void Grow(int needed)
    {
        if (_sink is not null && _length > 0 && _length + needed > _threshold) Emit(flush: false);
        var want = (long)_length + needed;
        if (_emitted + want > _limit)
            throw RenderState.LimitExceeded(ErrorCodes.OutputLimit, $"Output exceeds Limits.MaxOutputLength ({_limit} characters)");
        if (want > Array.MaxLength)
            throw RenderState.LimitExceeded(ErrorCodes.OutputLimit, $"Output exceeds the largest buffer .NET can allocate ({Array.MaxLength} characters)");
        if (want > _buffer.Length)
        {
            var size = Math.Max(Math.Min((long)_buffer.Length * 2, Math.Min(_limit, Array.MaxLength)), want);
            var next = ArrayPool<char>.Shared.Rent((int)size);
            _buffer.AsSpan(0, _length).CopyTo(next);
            if (_buffer.Length > 0) ArrayPool<char>.Shared.Return(_buffer);
            _buffer = next;
        }
        SetEnd();
    }

    // the characters HTML escaping replaces, as bits of a mask over '\0'..'>'
    private const ulong SpecialMask = (1UL << '&') | (1UL << '<') | (1UL << '>') | (1UL << '"') | (1UL << '\'');

    /// <summary>Writes text HTML-escaped with Kida's table, copying clean runs in bulk.</summary>
    public void WriteEscaped(ReadOnlySpan<char> s)
    {
        // most text has nothing to escape: found by one vectorised search (a scan for a few characters), and copied as it is
        var first = s.Length <= 8 ? FirstSpecial(s) : s.IndexOfAny(HtmlSpecial);
        if (first < 0)
        {
            Write(s);
            return;
        }
        if (s.Length <= 64 && s.Length * 6 <= _end - _length)
        {
            // a short text: the clean start copied, then one pass writing each character or its entity in place, with
            // room for the longest escaping checked once
            var buffer = _buffer;
            s[..first].CopyTo(buffer.AsSpan(_length));
            var n = _length + first;
            foreach (var c in s[first..])
            {
                if (!IsSpecial(c))
                {
                    buffer[n++] = c;
                    continue;
                }
                var entity = c switch { '&' => "&amp;", '<' => "&lt;", '>' => "&gt;", '"' => "&quot;", _ => "&#39;" };
                foreach (var e in entity) buffer[n++] = e;
            }
            _length = n;
            return;
        }
        WriteEscapedRuns(s);
    }

    // whether escaping replaces c
    private static bool IsSpecial(char c) => c <= '>' && ((1UL << c) & SpecialMask) != 0;

    // the first character of a short text that escaping replaces, or -1
    private static int FirstSpecial(ReadOnlySpan<char> s)
    {
        for (var i = 0; i < s.Length; i++)
            if (IsSpecial(s[i])) return i;
        return -1;
    }

    private void WriteEscapedRuns(ReadOnlySpan<char> s)
    {
        while (true)
        {
            var i = s.IndexOfAny(HtmlSpecial);
            if (i < 0) { Write(s); return; }
            if (i > 0) Write(s[..i]);
            switch (s[i])
            {
                case '&': Write("&amp;"); break;
                case '<': Write("&lt;"); break;
                case '>': Write("&gt;"); break;
                case '"': Write("&quot;"); break;
                case '\'': Write("&#39;"); break;
            }
            s = s[(i + 1)..];
        }
    }

    public void WriteEscaped(string? s)
    {
        if (s is null) return;
        WriteEscaped(s.AsSpan());
    }

    /// <summary>Writes a value as <c>{{ }}</c> does: converted with Python <c>str()</c>, escaped unless safe.</summary>
    public void WriteValue(object? value, bool escape)
    {
        switch (value)
        {
            case string s:
                if (escape) WriteEscaped(s.AsSpan()); else Write(s);
                return;
            case Markup m:
                Write(m.Value);
                return;
            case long l:
                WriteInt(l);
                return;
            case int i:
                WriteInt(i);
                return;
            case bool b:
                Write(b ? "True" : "False");
                return;
            case decimal m:
                WriteDecimal(m);
                return;
            case double d:
                WriteDouble(d);
                return;
            case null:
                Write("None");
                return;
            case Undefined u:
                u.Use();
                return;
        }
        if (escape && SafeHtml.TryGetHtml(value, out var html)) { Write(html); return; }
        var text = PyString.Str(value);
        if (escape) WriteEscaped(text.AsSpan()); else Write(text);
    }

    /// <summary>A string member value as <c>{{ }}</c> writes it (None read through an attribute prints nothing).</summary>
    public void WriteText(string? s, bool escape)
    {
        if (s is null) return;
        if (escape) WriteEscaped(s.AsSpan()); else Write(s);
    }

    public void WriteBool(bool b) => Write(b ? "True" : "False");

    /// <summary>A decimal formatted straight into the buffer (Python <c>str(Decimal)</c> keeps the scale, as .NET does).</summary>
    public void WriteDecimal(decimal value)
    {
        if (_end - _length < 48)
        {
            // near the end of the buffer or the output limit: through a string, so the limit check is exact
            Write(Numbers.FormatDecimal(value));
            return;
        }
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var negative = bits[3] < 0;
        var mantissa = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        var scale = (bits[3] >> 16) & 0xFF;
        Span<char> digits = stackalloc char[20];
        var n = 0;
        if (bits[2] == 0 && !(negative && mantissa == 0)
            && mantissa.TryFormat(digits, out n, default, System.Globalization.CultureInfo.InvariantCulture) && scale - n <= 5)
        {
            // a mantissa under 2^64 in plain notation: its digits with the point inserted (what decimal.ToString()
            // prints, faster); exponent forms and 96-bit mantissas go through Numbers.FormatDecimal
            var dst = _buffer.AsSpan(_length);
            var pos = 0;
            if (negative) dst[pos++] = '-';
            if (scale == 0)
            {
                digits[..n].CopyTo(dst[pos..]);
                pos += n;
            }
            else if (n > scale)
            {
                var whole = n - scale;
                digits[..whole].CopyTo(dst[pos..]);
                pos += whole;
                dst[pos++] = '.';
                digits[whole..n].CopyTo(dst[pos..]);
                pos += scale;
            }
            else
            {
                dst[pos++] = '0';
                dst[pos++] = '.';
                dst.Slice(pos, scale - n).Fill('0');
                pos += scale - n;
                digits[..n].CopyTo(dst[pos..]);
                pos += n;
            }
            _length += pos;
            return;
        }
        Write(Numbers.FormatDecimal(value));
    }

    /// <summary>A double as Python's <c>repr</c>; integral values below 1e16 are formatted without a temporary string.</summary>
    public void WriteDouble(double d)
    {
        if (d == Math.Floor(d) && Math.Abs(d) < 1e15 && !(d == 0 && double.IsNegative(d)))
        {
            WriteInt((long)d);
            Write(".0");
            return;
        }
        if (_end - _length < Numbers.MaxDoubleChars)
        {
            Span<char> text = stackalloc char[Numbers.MaxDoubleChars];
            Write(text[..Numbers.FormatDouble(d, text)]);
            return;
        }
        _length += Numbers.FormatDouble(d, _buffer.AsSpan(_length));
    }

    public void WriteInt(long value)
    {
        // one or two digits (indexes, counts, small numbers: the most printed integers) written directly
        if ((ulong)value < 100 && _end - _length >= 2)
        {
            var buffer = _buffer;
            var n = (int)value;
            if (n < 10) buffer[_length++] = (char)('0' + n);
            else
            {
                var tens = n / 10;
                buffer[_length] = (char)('0' + tens);
                buffer[_length + 1] = (char)('0' + n - tens * 10);
                _length += 2;
            }
            return;
        }
        if (_end - _length < 20)
        {
            Span<char> digits = stackalloc char[20];
            value.TryFormat(digits, out var n, default, System.Globalization.CultureInfo.InvariantCulture);
            Write(digits[..n]);
            return;
        }
        // (an int formats by 32-bit arithmetic: most printed integers are small)
        int written;
        if ((ulong)value <= int.MaxValue) ((int)value).TryFormat(_buffer.AsSpan(_length), out written, default, System.Globalization.CultureInfo.InvariantCulture);
        else value.TryFormat(_buffer.AsSpan(_length), out written, default, System.Globalization.CultureInfo.InvariantCulture);
        _length += written;
    }

    public void Clear() => _length = 0;

    public override string ToString() => _length == 0 ? "" : new string(_buffer, 0, _length);

    /// <summary>A new output for text that is dropped (<see cref="Discard"/> empties it for each use).</summary>
    internal static Output ForDiscard(long limit) => new(256, limit);

    /// <summary>Empties an output whose text is dropped, for its next use with <paramref name="limit"/> (a buffer grown past the kept size goes back to the pool).</summary>
    internal void Discard(long limit)
    {
        if (_buffer.Length > KeptBuffer)
        {
            ArrayPool<char>.Shared.Return(_buffer);
            _buffer = ArrayPool<char>.Shared.Rent(256);
        }
        _length = 0;
        _emitted = 0;
        _sink = null;
        FlushRequested = false;
        _limit = limit;
        _end = (int)Math.Min(_buffer.Length, limit);
    }

    public void Dispose()
    {
        var b = _buffer;
        _buffer = [];
        _length = 0;
        _end = 0;
        if (b.Length > 0) ArrayPool<char>.Shared.Return(b);
    }

    /// <summary>
    /// <see cref="Escape(string)"/> for a join's separator, which is nearly always the same literal at each call: the last
    /// separator found to need no escaping is remembered (by reference), so the next join with it does not search it again.
    /// </summary>
    public static string EscapeSeparator(string sep)
    {
        if (ReferenceEquals(sep, _lastPlainSeparator)) return sep;
        var escaped = Escape(sep);
        // (written only when it changes: a page's joins share a few separators)
        if (ReferenceEquals(escaped, sep)) _lastPlainSeparator = sep;
        return escaped;
    }

    private static string? _lastPlainSeparator;

    /// <summary>True when <paramref name="s"/> holds a character HTML escaping changes (a scan, nothing made).</summary>
    public static bool NeedsEscaping(string s) => s.AsSpan().IndexOfAny(HtmlSpecial) >= 0;

    public static string Escape(string s)
    {
        if (s.AsSpan().IndexOfAny(HtmlSpecial) < 0) return s;
        using var o = new Output(s.Length + 16);
        o.WriteEscaped(s.AsSpan());
        return o.ToString();
    }
}

/// <summary>Receives the chunks of a streaming render (<see cref="Output.StreamTo"/>), on the rendering thread.</summary>
internal interface IOutputSink
{
    /// <summary>
    /// A chunk of output, to be copied before returning; <paramref name="flush"/> marks a <c>{% flush %}</c> point
    /// (its text may be empty).
    /// </summary>
    void Chunk(ReadOnlySpan<char> text, bool flush);
}

/// <summary>
/// Recognises values that carry their own safe HTML (an <c>__html__</c>-like contract): Kida's <see cref="Markup"/>,
/// and whatever the running render's environment recognises through <see cref="KidaOptions.SafeHtml"/> (ASP.NET Core's
/// <c>AddKida</c> sets it for <c>IHtmlContent</c>). Nothing process-wide: two environments may differ.
/// </summary>
internal static class SafeHtml
{
    public static bool TryGetHtml(object? value, out string html)
    {
        if (value is Markup m) { html = m.Value; return true; }
        if (value is not null && RenderState.Running?.Host.SafeHtml is { } converter && converter(value) is { } s)
        {
            html = s;
            return true;
        }
        html = "";
        return false;
    }
}
