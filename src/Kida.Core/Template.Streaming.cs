using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Kida.Runtime;

namespace Kida;

// Asynchronous and streaming renders. A render runs synchronously; to let the first bytes leave before a large page
// ends, a streaming render hands its output over in chunks (at KidaOptions.StreamingThreshold characters and at every
// {% flush %}) from a thread-pool thread to an async loop that writes and flushes each as it comes (on the rendering
// thread while the writer keeps up: RenderAsync), or to the caller's enumeration of the chunks (RenderStream). A template streams once a render of it has produced at least a threshold of output or run a
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
        var chunks = StartStreaming(model, null, writesOnRenderThread: false, cts.Token);
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
        var chunks = StartStreaming(model, null, writesOnRenderThread: false, cts.Token);
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
            var output = await RenderBufferedAsync(model, block, cancellationToken).ConfigureAwait(false);
            try
            {
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
            var output = await RenderBufferedAsync(model, block, cancellationToken).ConfigureAwait(false);
            try
            {
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

    /// <summary>
    /// Renders into one buffer, awaiting the tasks the template meets without blocking a thread: an attempt that reaches
    /// a task still running is abandoned (its output discarded), the task awaited, and the template rendered again with
    /// the results so far (<see cref="AsyncRun"/>). The caller disposes the output.
    /// </summary>
    private async ValueTask<Output> RenderBufferedAsync(object? model, string? block, CancellationToken cancellationToken)
    {
        var run = new AsyncRun(Environment.Limits, cancellationToken);
        try
        {
            while (true)
            {
                run.BeginAttempt();
                var output = new Output(_sizeHint, Environment.Limits.MaxOutputLength);
                var done = false;
                try
                {
                    RenderInto(output, model, block, cancellationToken, run);
                    Remember(output);
                    done = true;
                    return output;
                }
                catch (AsyncPendingSignal)
                {
                    // the attempt stopped at a running task: wait for it below, then render again
                }
                finally
                {
                    if (!done) output.Dispose();
                }
                await run.WaitAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await run.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static void Encode(PipeWriter writer, Encoder encoder, ReadOnlySpan<char> text, bool last)
    {
        var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length + 1));
        var written = encoder.GetBytes(text, span, flush: last);
        writer.Advance(written);
    }

    /// <summary>
    /// Renders on a thread-pool thread, passing each chunk to <paramref name="write"/> as it comes (false: stop). The
    /// loop that writes the chunks goes on at once on the rendering thread when a chunk is handed over: the chunk leaves
    /// without waiting for another thread to be scheduled, and a write or flush the writer cannot finish at once returns
    /// the render to its work (the loop then goes on where the write completes). An error of the render is thrown after
    /// the chunks before it were written; when writing fails or stops, the render is cancelled.
    /// </summary>
    private async ValueTask StreamAsync(object? model, string? block,
        Func<ChunkChannel.Piece, CancellationToken, ValueTask<bool>> write, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var chunks = StartStreaming(model, block, writesOnRenderThread: true, cts.Token);
        await WriteChunksAsync(chunks, write, cts, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteChunksAsync(ChunkChannel chunks, Func<ChunkChannel.Piece, CancellationToken, ValueTask<bool>> write,
        CancellationTokenSource render, CancellationToken cancellationToken)
    {
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
            // (stops a render still running: the writer failed or the response is complete)
            render.Cancel();
            chunks.Drain();
        }
    }

    /// <summary>
    /// Starts the render on a thread-pool thread (the caller goes on while it runs). With
    /// <paramref name="writesOnRenderThread"/> (Kida's own writing loop, never a caller's code) the reader of the chunks
    /// is resumed on the rendering thread when one is handed over; a caller enumerating the chunks, on a thread of its own.
    /// </summary>
    private ChunkChannel StartStreaming(object? model, string? block, bool writesOnRenderThread, CancellationToken cancellationToken)
    {
        var chunks = new ChunkChannel(synchronousContinuations: writesOnRenderThread);
        _ = Task.Run(() => RenderChunksAsync(chunks, model, block, cancellationToken), CancellationToken.None);
        return chunks;
    }

    /// <summary>
    /// Renders into <paramref name="chunks"/> (synchronously up to the first task still running); ends the channel,
    /// with the render's error if it failed. Never throws.
    /// </summary>
    private async Task RenderChunksAsync(ChunkChannel chunks, object? model, string? block, CancellationToken cancellationToken)
    {
        var threshold = Math.Max(1, Environment.Options.StreamingThreshold);
        // an attempt abandoned at a running task may already have handed chunks over: the next attempt renders the
        // same text up to there (checked) and only what comes after it goes out (ReplaySink)
        var run = new AsyncRun(Environment.Limits, cancellationToken);
        var sink = new ReplaySink(chunks);
        try
        {
            while (true)
            {
                run.BeginAttempt();
                sink.BeginAttempt();
                var output = new Output(Math.Min(_sizeHint, threshold * 2), Environment.Limits.MaxOutputLength);
                try
                {
                    output.StreamTo(sink, threshold);
                    RenderInto(output, model, block, cancellationToken, run);
                    output.Complete();
                    sink.End();
                    Remember(output);
                    chunks.Complete(null);
                    return;
                }
                catch (AsyncPendingSignal)
                {
                    // wait for the task below, then render again
                }
                finally
                {
                    output.Dispose();
                }
                await run.WaitAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            chunks.Complete(ex);
        }
        finally
        {
            await run.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>The chunks of a streaming render, from the rendering thread to the writing loop (unbounded: a render never waits).</summary>
internal sealed class ChunkChannel(bool synchronousContinuations) : IOutputSink
{
    private readonly Channel<Piece> _channel = Channel.CreateUnbounded<Piece>(new UnboundedChannelOptions
    {
        SingleReader = true,
        SingleWriter = true,
        AllowSynchronousContinuations = synchronousContinuations,
    });

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
        // The work this chunk set going on other threads (the reader resumed, the server's send of the bytes flushed)
        // waits for a thread-pool thread, which the OS may wake on this core, behind the render, until the next
        // scheduler tick (milliseconds). Offering the core here lets it run now: the bytes leave while the render
        // goes on. (A call into the OS per chunk; it returns at once when nothing else is waiting to run.)
        Thread.Yield();
    }

    /// <summary>Ends the sequence; <paramref name="error"/> is thrown by the reader after the last chunk.</summary>
    public void Complete(Exception? error) => _channel.Writer.TryComplete(error);

    /// <summary>Gives back the buffers of chunks nobody will read.</summary>
    public void Drain()
    {
        while (_channel.Reader.TryRead(out var chunk)) chunk.Return();
    }
}

/// <summary>
/// The sink of a streaming asynchronous render across its attempts: the characters an abandoned attempt already handed
/// over are not handed over again by the next one, which must have rendered the same text up to there (compared by a
/// hash: a template that printed something else before its await fails rather than sending a page that does not fit
/// together). The <c>{% flush %}</c> points already handed over are skipped likewise.
/// </summary>
internal sealed class ReplaySink(IOutputSink inner) : IOutputSink
{
    private long _sent;
    private TextHash _sentHash = TextHash.Empty;
    private int _flushesSent;
    private long _position;
    private TextHash _hash;
    private int _flushes;

    public void BeginAttempt()
    {
        _position = 0;
        _hash = TextHash.Empty;
        _flushes = 0;
    }

    public void Chunk(ReadOnlySpan<char> text, bool flush)
    {
        var start = _position;
        _position += text.Length;
        if (start < _sent)
        {
            var replayed = (int)Math.Min(text.Length, _sent - start);
            _hash.Add(start, text[..replayed]);
            if (start + replayed == _sent && !_hash.Equals(_sentHash)) throw Diverged();
            text = text[replayed..];
        }
        var newFlush = flush && ++_flushes > _flushesSent;
        if (text.IsEmpty && !newFlush) return;
        inner.Chunk(text, newFlush);
        _sentHash.Add(_sent, text);
        _sent += text.Length;
        _hash = _sentHash;
        if (newFlush) _flushesSent = _flushes;
    }

    /// <summary>The render completed: it must have reached what earlier attempts handed over.</summary>
    public void End()
    {
        if (_position < _sent) throw Diverged();
    }

    /// <summary>
    /// FNV-1a over the text in four interleaved lanes (a character goes to the lane of its position modulo 4): the
    /// same value however the text is cut into chunks, and four independent multiplications per four characters
    /// instead of one chain (a streamed megabyte is hashed in a fraction of the time).
    /// </summary>
    internal struct TextHash : IEquatable<TextHash>
    {
        private const ulong Seed = 14695981039346656037UL;
        private const ulong Prime = 1099511628211UL;
        private ulong _a, _b, _c, _d;

        public static TextHash Empty => new() { _a = Seed, _b = Seed, _c = Seed, _d = Seed };

        /// <summary>Adds <paramref name="text"/>, which starts at <paramref name="position"/> of the whole text.</summary>
        public void Add(long position, ReadOnlySpan<char> text)
        {
            var i = 0;
            for (; i < text.Length && ((position + i) & 3) != 0; i++) Step(position + i, text[i]);
            ulong a = _a, b = _b, c = _c, d = _d;
            for (; i + 4 <= text.Length; i += 4)
            {
                a = (a ^ text[i]) * Prime;
                b = (b ^ text[i + 1]) * Prime;
                c = (c ^ text[i + 2]) * Prime;
                d = (d ^ text[i + 3]) * Prime;
            }
            (_a, _b, _c, _d) = (a, b, c, d);
            for (; i < text.Length; i++) Step(position + i, text[i]);
        }

        private void Step(long position, char ch)
        {
            switch (position & 3)
            {
                case 0: _a = (_a ^ ch) * Prime; break;
                case 1: _b = (_b ^ ch) * Prime; break;
                case 2: _c = (_c ^ ch) * Prime; break;
                default: _d = (_d ^ ch) * Prime; break;
            }
        }

        public readonly bool Equals(TextHash other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

        public override readonly bool Equals(object? obj) => obj is TextHash other && Equals(other);

        public override readonly int GetHashCode() => HashCode.Combine(_a, _b, _c, _d);
    }

    private static TemplateRuntimeException Diverged() => new(
        "A streaming asynchronous render produced other output before an await than its earlier attempt had already sent",
        ErrorCodes.Runtime, null,
        "Render the same text before the first await (no clock or random values there), or await the data before rendering.");
}
