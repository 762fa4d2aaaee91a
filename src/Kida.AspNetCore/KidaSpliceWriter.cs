using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace Kida.AspNetCore;

/// <summary>
/// The writer a <see cref="KidaView"/> renders into: it passes the template's output on (to the view's writer, or as
/// UTF-8 straight into the response's <see cref="PipeWriter"/>) and replaces each placeholder of its
/// <see cref="KidaViewScope"/> by the awaited HTML of the component or partial it stands for. Asynchronous only
/// (<see cref="Template.RenderAsync(TextWriter, object?, CancellationToken)"/> writes with <c>WriteAsync</c>); a
/// synchronous write throws. A placeholder split across two chunks of a streaming render is held back until the next.
/// </summary>
internal sealed class KidaSpliceWriter : TextWriter
{
    // Open + "kida:" + nonce + ":" + up to 10 digits + Close
    private static readonly int MaxPlaceholder = 1 + KidaViewScope.Tag.Length + KidaViewScope.NonceLength + 1 + 10 + 1;

    private readonly KidaViewScope _scope;
    private readonly TextWriter? _writer;
    private readonly PipeWriter? _pipe;
    private readonly Encoder? _encoder;
    private readonly HtmlEncoder _htmlEncoder;
    private string _carry = "";

    /// <summary>Writes to <paramref name="writer"/>.</summary>
    public KidaSpliceWriter(KidaViewScope scope, TextWriter writer, HtmlEncoder htmlEncoder)
    {
        _scope = scope;
        _writer = writer;
        _htmlEncoder = htmlEncoder;
    }

    /// <summary>Writes UTF-8 into <paramref name="pipe"/>, flushed after every slice.</summary>
    public KidaSpliceWriter(KidaViewScope scope, PipeWriter pipe, HtmlEncoder htmlEncoder)
    {
        _scope = scope;
        _pipe = pipe;
        _encoder = Encoding.UTF8.GetEncoder();
        _htmlEncoder = htmlEncoder;
    }

    public override Encoding Encoding => _writer?.Encoding ?? Encoding.UTF8;

    public override void Write(char value) =>
        throw new InvalidOperationException("A Kida view writes asynchronously only.");

    public override Task WriteAsync(char value) => WriteAsync(new ReadOnlyMemory<char>([value]), CancellationToken.None);

    public override Task WriteAsync(string? value) => WriteAsync(value.AsMemory(), CancellationToken.None);

    public override Task WriteAsync(char[] buffer, int index, int count) =>
        WriteAsync(buffer.AsMemory(index, count), CancellationToken.None);

    public override async Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        var text = buffer;
        if (_carry.Length > 0)
        {
            text = string.Concat(_carry.AsSpan(), buffer.Span).AsMemory();
            _carry = "";
        }
        // First every component and partial of this chunk renders, in page order, then the chunk is written: a page that
        // is not streamed (most pages) starts its response only once they all succeeded, so a failing component gives a
        // clean error response rather than a cut-off page.
        if (_scope.Count > 0) await RenderSlotsAsync(text, cancellationToken).ConfigureAwait(false);
        while (text.Length > 0)
        {
            var open = text.Span.IndexOf(KidaViewScope.Open);
            if (open < 0)
            {
                await PassAsync(text, cancellationToken).ConfigureAwait(false);
                return;
            }
            if (open > 0) await PassAsync(text[..open], cancellationToken).ConfigureAwait(false);
            text = text[open..];
            switch (Match(text.Span, out var length, out var slot, out var ours))
            {
                case Placeholder.Partial:
                    // the rest of a placeholder comes with the next chunk
                    _carry = text.ToString();
                    return;
                case Placeholder.Complete:
                    if (ours && _scope.Render(slot, cancellationToken) is { } render)
                    {
                        var html = await render.ConfigureAwait(false);
                        await WriteHtmlAsync(html, cancellationToken).ConfigureAwait(false);
                    }
                    // a placeholder of another render (kept by a {% cache %} fragment) stands for nothing here: dropped
                    text = text[length..];
                    break;
                default:
                    await PassAsync(text[..1], cancellationToken).ConfigureAwait(false);
                    text = text[1..];
                    break;
            }
        }
    }

    private async ValueTask RenderSlotsAsync(ReadOnlyMemory<char> text, CancellationToken cancellationToken)
    {
        while (true)
        {
            var open = text.Span.IndexOf(KidaViewScope.Open);
            if (open < 0) return;
            text = text[open..];
            if (Match(text.Span, out var length, out var slot, out var ours) == Placeholder.Complete)
            {
                if (ours && _scope.Render(slot, cancellationToken) is { } render) await render.ConfigureAwait(false);
                text = text[length..];
            }
            else
            {
                text = text[1..];
            }
        }
    }

    public override Task FlushAsync() => FlushAsync(CancellationToken.None);

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_writer is not null) await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        else await _pipe!.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes what was held back (text that only looked like the start of a placeholder) at the end of the render.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        var carry = _carry;
        _carry = "";
        if (carry.Length > 0) await PassAsync(carry.AsMemory(), cancellationToken).ConfigureAwait(false);
        if (_pipe is not null)
        {
            Encode([], last: true);
            await _pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private enum Placeholder { None, Partial, Complete }

    /// <summary>Whether <paramref name="text"/> (starting with <see cref="KidaViewScope.Open"/>) starts with a placeholder.</summary>
    private Placeholder Match(ReadOnlySpan<char> text, out int length, out int slot, out bool ours)
    {
        length = 0;
        slot = -1;
        ours = false;
        var i = 1;
        foreach (var c in KidaViewScope.Tag)
        {
            if (i == text.Length) return Placeholder.Partial;
            if (text[i++] != c) return Placeholder.None;
        }
        var nonceStart = i;
        for (var n = 0; n < KidaViewScope.NonceLength; n++)
        {
            if (i == text.Length) return Placeholder.Partial;
            if (!char.IsAsciiHexDigitLower(text[i++])) return Placeholder.None;
        }
        var nonce = text[nonceStart..i];
        if (i == text.Length) return Placeholder.Partial;
        if (text[i++] != ':') return Placeholder.None;
        long value = 0;
        var digits = 0;
        while (true)
        {
            if (i == text.Length) return i < MaxPlaceholder ? Placeholder.Partial : Placeholder.None;
            var c = text[i++];
            if (c == KidaViewScope.Close && digits > 0) break;
            if (!char.IsAsciiDigit(c) || ++digits > 10) return Placeholder.None;
            value = value * 10 + (c - '0');
        }
        length = i;
        ours = nonce.SequenceEqual(_scope.Nonce) && value <= int.MaxValue;
        slot = ours ? (int)value : -1;
        return Placeholder.Complete;
    }

    private async ValueTask WriteHtmlAsync(IHtmlContent html, CancellationToken cancellationToken)
    {
        // written to a string first: an IHtmlContent writes synchronously, and the view's writer may be the response's
        using var buffer = new StringWriter();
        html.WriteTo(buffer, _htmlEncoder);
        var sb = buffer.GetStringBuilder();
        foreach (var chunk in sb.GetChunks()) await PassAsync(chunk, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask PassAsync(ReadOnlyMemory<char> text, CancellationToken cancellationToken)
    {
        if (_writer is not null)
        {
            await _writer.WriteAsync(text, cancellationToken).ConfigureAwait(false);
            return;
        }
        // written in slices, flushed after each, so a large page does not sit in the pipe whole
        const int slice = 16 * 1024;
        while (text.Length > 0)
        {
            var part = text.Length > slice ? text[..slice] : text;
            Encode(part.Span, last: false);
            text = text[part.Length..];
            var result = await _pipe!.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled || result.IsCompleted) return;
        }
    }

    private void Encode(ReadOnlySpan<char> text, bool last)
    {
        var span = _pipe!.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length + 1));
        var written = _encoder!.GetBytes(text, span, flush: last);
        _pipe.Advance(written);
    }
}
