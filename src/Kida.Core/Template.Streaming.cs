using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Kida.Runtime;

namespace Kida;

// Asynchronous and streaming renders. A render runs synchronously; to let the first bytes leave before a large page
// ends, a streaming render runs on a thread-pool thread and hands its output over in chunks (at
// KidaOptions.StreamingThreshold characters and at every {% flush %}), which the caller's async loop writes and flushes
// as they come. A template streams once a render of it has produced at least a threshold of output or run a
// {% flush %}; smaller pages render into one buffer and are written at once (no thread hop, as fast as before).
public sealed partial class Template
{
    // set once a render of this template ran {% flush %}: later renders stream
    private volatile bool _usesFlush;

    private void Remember(Output output)
    {
        RememberSize(output.TotalLength);
        if (output.FlushRequested) _usesFlush = true;
    }

    private bool ShouldStream
    {
        get
        {
            var threshold = Environment.Options.StreamingThreshold;
            return threshold > 0 && (_usesFlush || _sizeHint >= threshold);
        }
    }

    /// <summary>
    /// Renders into a <see cref="TextWriter"/>, written asynchronously. A large page (or one with <c>{% flush %}</c>) is
    /// written in chunks as it renders; the writer is flushed at each <c>{% flush %}</c>.
    /// </summary>
    public ValueTask RenderAsync(TextWriter writer, object? model = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return RenderToWriterAsync(writer, model, null, cancellationToken);
    }

    /// <summary>Renders one block into a <see cref="TextWriter"/>, written asynchronously.</summary>
    public ValueTask RenderBlockAsync(TextWriter writer, string block, object? model = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(block);
        return RenderToWriterAsync(writer, model, block, cancellationToken);
    }

    /// <summary>
    /// Renders as UTF-8 into a <see cref="PipeWriter"/> (such as ASP.NET Core's response body). A large page (or one with
    /// <c>{% flush %}</c>) is written and flushed chunk by chunk while it renders, so its first bytes leave early.
    /// </summary>
    public ValueTask RenderAsync(PipeWriter writer, object? model = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return RenderToPipeAsync(writer, model, null, cancellationToken);
    }

    /// <summary>Renders one block as UTF-8 into a <see cref="PipeWriter"/>.</summary>
    public ValueTask RenderBlockAsync(PipeWriter writer, string block, object? model = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(block);
        return RenderToPipeAsync(writer, model, block, cancellationToken);
    }

    /// <summary>Renders as UTF-8 into a <see cref="Stream"/>, chunk by chunk as <see cref="RenderAsync(PipeWriter, object?, CancellationToken)"/> does; the stream is left open.</summary>
    public async ValueTask RenderAsync(Stream stream, object? model = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        await RenderToPipeAsync(writer, model, null, cancellationToken).ConfigureAwait(false);
        await writer.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Renders as a sequence of chunks (Kida's <c>render_stream</c>): the output in pieces of about
    /// <see cref="KidaOptions.StreamingThreshold"/> characters, and an empty chunk at each <c>{% flush %}</c>. The render
    /// runs on a thread-pool thread while the chunks are enumerated; an error is thrown by the enumeration, after the
    /// chunks that preceded it. Stop enumerating to cancel the render.
    /// </summary>
    public IEnumerable<string> RenderStream(object? model = null, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var chunks = StartStreaming(model, null, cts.Token);
        try
        {
            while (chunks.Reader.WaitToReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult())
                while (chunks.Reader.TryRead(out var chunk))
                    yield return chunk.TakeString();
        }
        finally
        {
            cts.Cancel();
            chunks.Drain();
        }
    }

    /// <summary>The chunks of <see cref="RenderStream"/>, asynchronously (Kida's <c>render_stream_async</c>).</summary>
    public async IAsyncEnumerable<string> RenderStreamAsync(object? model = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var chunks = StartStreaming(model, null, cts.Token);
        try
        {
            while (await chunks.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
                while (chunks.Reader.TryRead(out var chunk))
                    yield return chunk.TakeString();
        }
        finally
        {
            cts.Cancel();
            chunks.Drain();
        }
    }

    private async ValueTask RenderToWriterAsync(TextWriter writer, object? model, string? block, CancellationToken cancellationToken)
    {
        if (!ShouldStream)
        {
            var output = new Output(_sizeHint, Environment.Limits.MaxOutputLength);
            try
            {
                RenderInto(output, model, block, cancellationToken);
                Remember(output);
                await writer.WriteAsync(output.Memory, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                output.Dispose();
            }
            return;
        }
        await StreamAsync(model, block, async (chunk, ct) =>
        {
            if (chunk.Length > 0) await writer.WriteAsync(chunk.Buffer.AsMemory(0, chunk.Length), ct).ConfigureAwait(false);
            if (chunk.Flush) await writer.FlushAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask RenderToPipeAsync(PipeWriter writer, object? model, string? block, CancellationToken cancellationToken)
    {
        var encoder = Encoding.UTF8.GetEncoder();
        if (!ShouldStream)
        {
            var output = new Output(_sizeHint, Environment.Limits.MaxOutputLength);
            try
            {
                RenderInto(output, model, block, cancellationToken);
                Remember(output);
                var remaining = output.Memory;
                // written in slices, flushed after each, so a large buffered page does not sit in the pipe whole
                const int slice = 16 * 1024;
                while (remaining.Length > 0)
                {
                    var part = remaining.Length > slice ? remaining[..slice] : remaining;
                    Encode(writer, encoder, part.Span, last: part.Length == remaining.Length);
                    remaining = remaining[part.Length..];
                    var result = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                    if (result.IsCanceled || result.IsCompleted) break;
                }
            }
            finally
            {
                output.Dispose();
            }
            return;
        }
        await StreamAsync(model, block, async (chunk, ct) =>
        {
            if (chunk.Length > 0) Encode(writer, encoder, chunk.Buffer.AsSpan(0, chunk.Length), last: false);
            var result = await writer.FlushAsync(ct).ConfigureAwait(false);
            return !(result.IsCanceled || result.IsCompleted);
        }, cancellationToken).ConfigureAwait(false);
        // a surrogate pair split across the last chunks is completed here
        Encode(writer, encoder, [], last: true);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void Encode(PipeWriter writer, Encoder encoder, ReadOnlySpan<char> text, bool last)
    {
        var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length + 1));
        var written = encoder.GetBytes(text, span, flush: last);
        writer.Advance(written);
    }

    /// <summary>
    /// Renders on a thread-pool thread, passing each chunk to <paramref name="write"/> as it comes (false: stop). An
    /// error of the render is thrown after the chunks before it were written; when writing fails or stops, the render is
    /// cancelled.
    /// </summary>
    private async ValueTask StreamAsync(object? model, string? block,
        Func<ChunkChannel.Piece, CancellationToken, ValueTask<bool>> write, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var chunks = StartStreaming(model, block, cts.Token);
        try
        {
            while (await chunks.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
                while (chunks.Reader.TryRead(out var chunk))
                {
                    bool more;
                    try { more = await write(chunk, cancellationToken).ConfigureAwait(false); }
                    finally { chunk.Return(); }
                    if (!more) return;
                }
        }
        finally
        {
            cts.Cancel();
            chunks.Drain();
        }
    }

    private ChunkChannel StartStreaming(object? model, string? block, CancellationToken cancellationToken)
    {
        var chunks = new ChunkChannel();
        var threshold = Math.Max(1, Environment.Options.StreamingThreshold);
        _ = Task.Run(() =>
        {
            var output = new Output(Math.Min(_sizeHint, threshold * 2), Environment.Limits.MaxOutputLength);
            try
            {
                output.StreamTo(chunks, threshold);
                RenderInto(output, model, block, cancellationToken);
                output.Complete();
                Remember(output);
                chunks.Complete(null);
            }
            catch (Exception ex)
            {
                chunks.Complete(ex);
            }
            finally
            {
                output.Dispose();
            }
        }, CancellationToken.None);
        return chunks;
    }
}

/// <summary>The chunks of a streaming render, from the rendering thread to the writing loop (unbounded: a render never waits).</summary>
internal sealed class ChunkChannel : IOutputSink
{
    private readonly Channel<Piece> _channel =
        Channel.CreateUnbounded<Piece>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public ChannelReader<Piece> Reader => _channel.Reader;

    /// <summary>A chunk in a pooled buffer (<see cref="Return"/> gives it back).</summary>
    public readonly record struct Piece(char[]? Buffer, int Length, bool Flush)
    {
        public void Return()
        {
            if (Buffer is not null) ArrayPool<char>.Shared.Return(Buffer);
        }

        public string TakeString()
        {
            var s = Length == 0 ? "" : new string(Buffer!, 0, Length);
            Return();
            return s;
        }
    }

    public void Chunk(ReadOnlySpan<char> text, bool flush)
    {
        char[]? buffer = null;
        if (text.Length > 0)
        {
            buffer = ArrayPool<char>.Shared.Rent(text.Length);
            text.CopyTo(buffer);
        }
        if (!_channel.Writer.TryWrite(new Piece(buffer, text.Length, flush)) && buffer is not null)
            ArrayPool<char>.Shared.Return(buffer);
    }

    /// <summary>Ends the sequence; <paramref name="error"/> is thrown by the reader after the last chunk.</summary>
    public void Complete(Exception? error) => _channel.Writer.TryComplete(error);

    /// <summary>Gives back the buffers of chunks nobody will read.</summary>
    public void Drain()
    {
        while (_channel.Reader.TryRead(out var chunk)) chunk.Return();
    }
}
