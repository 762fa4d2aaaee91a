using System.IO.Pipelines;
using System.Text;
using Xunit;

namespace Kida.Core.Tests;

/// <summary>
/// Streaming renders (issue 15, item 4; <c>{% flush %}</c> of issue 12): chunks at the threshold and at flush, the
/// first bytes readable while the render is still running, errors after the first chunk, limits, UTF-8 across chunks.
/// </summary>
public class StreamingTests
{
    private static KidaEnvironment Env(int threshold = 64, Dictionary<string, string>? templates = null, KidaLimits? limits = null) =>
        new(new KidaOptions
        {
            StreamingThreshold = threshold,
            Loader = templates is null ? null : new DictLoader(templates),
            Limits = limits ?? KidaLimits.Default,
        });

    [Fact]
    public void RenderStream_yields_chunks_of_the_threshold_and_an_empty_chunk_at_each_flush()
    {
        var t = Env(threshold: 100).FromString("{% for i in range(50) %}<p>{{ i }}</p>{% endfor %}{% flush %}tail");
        var chunks = t.RenderStream().ToList();
        Assert.Equal(t.Render(), string.Concat(chunks));
        Assert.True(chunks.Count >= 5, $"{chunks.Count} chunks");
        Assert.All(chunks.SkipLast(1), c => Assert.True(c.Length <= 100, $"chunk of {c.Length}"));
        // the flush hands over what was pending, then the tail comes last
        Assert.Equal("tail", chunks[^1]);
        var flushAt = chunks.Count - 2;
        Assert.EndsWith("</p>", chunks[flushAt]);
    }

    [Fact]
    public void Flush_with_nothing_pending_yields_an_empty_chunk_and_does_nothing_in_a_capture_or_a_buffered_render()
    {
        var t = Env(threshold: 1000).FromString("a{% flush %}{% flush %}{% set x %}b{% flush %}c{% endset %}{{ x }}");
        Assert.Equal(["a", "", "bc"], t.RenderStream().ToList());
        Assert.Equal("abc", t.Render());
    }

    [Fact]
    public async Task RenderStreamAsync_gives_the_same_chunks()
    {
        var t = Env(threshold: 10).FromString("{{ 'x' * 35 }}{% flush %}y");
        var chunks = new List<string>();
        await foreach (var c in t.RenderStreamAsync()) chunks.Add(c);
        // a single write longer than the threshold goes whole
        Assert.Equal([new string('x', 35), "y"], chunks);
    }

    /// <summary>A model list that stops after <paramref name="before"/> items until the test lets it go on.</summary>
    private sealed class GatedItems(int before, int total, ManualResetEventSlim gate) : IEnumerable<object?>
    {
        public IEnumerator<object?> GetEnumerator()
        {
            for (var i = 0; i < total; i++)
            {
                if (i == before && !gate.Wait(TimeSpan.FromSeconds(20))) throw new TimeoutException("the gate was never opened");
                yield return (long)i;
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Items that wait for the test's gate before the first, noting the thread that enumerates them.</summary>
    private sealed class ThreadNotingItems(int total, ManualResetEventSlim gate) : IEnumerable<object?>
    {
        public int Thread { get; private set; }

        public IEnumerator<object?> GetEnumerator()
        {
            if (!gate.Wait(TimeSpan.FromSeconds(20))) throw new TimeoutException("the gate was never opened");
            Thread = Environment.CurrentManagedThreadId;
            for (var i = 0; i < total; i++) yield return (long)i;
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A writer noting the thread of each asynchronous write.</summary>
    private sealed class ThreadNotingWriter : StringWriter
    {
        public List<int> Threads { get; } = [];

        public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
        {
            lock (Threads) Threads.Add(Environment.CurrentManagedThreadId);
            return base.WriteAsync(buffer, cancellationToken);
        }
    }

    [Fact]
    public async Task A_chunk_is_written_on_the_rendering_thread_when_the_writer_is_waiting_for_it()
    {
        var t = Env(threshold: 256).FromString("{% for i in items %}<li>{{ i }}</li>{% endfor %}");
        var expected = t.Render(new { items = Enumerable.Range(0, 3000).Select(i => (object?)(long)i).ToList() });
        using var gate = new ManualResetEventSlim(false);
        var items = new ThreadNotingItems(3000, gate);
        var writer = new ThreadNotingWriter();
        // RenderAsync returns once its writing loop waits for the first chunk (the render waits at the gate)
        var render = t.RenderAsync(writer, new { items }).AsTask();
        Assert.False(render.IsCompleted);
        gate.Set();
        await render.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(expected, writer.ToString());
        Assert.True(writer.Threads.Count > 10, $"{writer.Threads.Count} writes");
        // no hand-over to another thread before a chunk leaves: the waiting loop went on where the chunk was made
        Assert.Contains(items.Thread, writer.Threads);
        Assert.NotEqual(0, items.Thread);
    }

    [Fact]
    public void The_replay_hash_of_a_text_does_not_depend_on_how_it_is_cut_and_tells_one_changed_character()
    {
        var random = new Random(7);
        var text = new string([.. Enumerable.Range(0, 1001).Select(_ => (char)random.Next(32, 0x3000))]);
        var whole = ReplaySink.TextHash.Empty;
        whole.Add(0, text);
        for (var trial = 0; trial < 200; trial++)
        {
            var cut = ReplaySink.TextHash.Empty;
            var at = 0;
            while (at < text.Length)
            {
                var n = Math.Min(text.Length - at, random.Next(0, 9));
                cut.Add(at, text.AsSpan(at, n));
                at += n;
            }
            Assert.True(cut.Equals(whole), $"trial {trial}");
        }
        // a character changed at any position (each of the four lanes) or two characters swapped changes the hash
        foreach (var position in new[] { 0, 1, 2, 3, 4, 500, 998, 999, 1000 })
        {
            var changed = text.ToCharArray();
            changed[position] = (char)(changed[position] ^ 1);
            var other = ReplaySink.TextHash.Empty;
            other.Add(0, changed);
            Assert.False(other.Equals(whole), $"position {position}");
        }
        var swapped = text.ToCharArray();
        (swapped[10], swapped[11]) = (swapped[11], swapped[10]);
        var s2 = ReplaySink.TextHash.Empty;
        s2.Add(0, swapped);
        Assert.False(s2.Equals(whole));
    }

    [Fact]
    public async Task A_large_page_sends_its_first_bytes_before_the_render_ends()
    {
        var t = Env(threshold: 1024).FromString("{% for i in items %}<li>{{ i }} of a long list</li>{% endfor %}");
        // a first render teaches the template its size (a large page streams from its second render on)
        Assert.True(t.Render(new { items = Enumerable.Range(0, 5000).Select(i => (object?)(long)i).ToList() }).Length > 100_000);

        using var gate = new ManualResetEventSlim(false);
        var pipe = new Pipe();
        var render = t.RenderAsync(pipe.Writer, new { items = new GatedItems(1000, 5000, gate) }).AsTask();
        // the render cannot pass item 1000 until the gate opens: bytes that arrive now were streamed mid-render
        var first = await pipe.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(render.IsCompleted);
        var head = Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(first.Buffer));
        Assert.StartsWith("<li>0 of a long list</li>", head);
        pipe.Reader.AdvanceTo(first.Buffer.End);
        gate.Set();
        var all = new StringBuilder(head);
        var readAll = Task.Run(async () =>
        {
            var rest = new MemoryStream();
            while (true)
            {
                var r = await pipe.Reader.ReadAsync();
                foreach (var seg in r.Buffer) rest.Write(seg.Span);
                pipe.Reader.AdvanceTo(r.Buffer.End);
                if (r.IsCompleted) break;
            }
            return rest.ToArray();
        });
        await render;
        await pipe.Writer.CompleteAsync();
        all.Append(Encoding.UTF8.GetString(await readAll));
        Assert.Equal(t.Render(new { items = Enumerable.Range(0, 5000).Select(i => (object?)(long)i).ToList() }), all.ToString());
    }

    [Fact]
    public async Task An_error_after_the_first_chunk_is_thrown_after_those_chunks_were_written()
    {
        var t = Env(threshold: 64).FromString("{% flush %}{% for i in range(40) %}<i>{{ i }}</i>{% endfor %}{{ 1 // 0 }}");
        Assert.ThrowsAny<TemplateException>(() => t.Render()); // buffered: nothing to see, only the error; notes the flush
        var sink = new MemoryStream();
        var ex = await Assert.ThrowsAnyAsync<TemplateException>(async () => await t.RenderAsync(sink));
        Assert.Contains("division", ex.Message);
        Assert.Equal(1, ex.Line);
        var sent = Encoding.UTF8.GetString(sink.ToArray());
        Assert.StartsWith("<i>0</i><i>1</i>", sent);
        Assert.DoesNotContain("39", sent[^8..]); // the last, pending chunk is not sent
    }

    [Fact]
    public async Task Streaming_keeps_the_output_limit()
    {
        var t = Env(threshold: 100, limits: KidaLimits.Default with { MaxOutputLength = 1000 })
            .FromString("{% flush %}{% for i in range(500) %}<b>{{ i }}</b>{% endfor %}");
        Assert.Throws<TemplateRuntimeException>(() => t.Render());
        var sink = new MemoryStream();
        var ex = await Assert.ThrowsAsync<TemplateRuntimeException>(async () => await t.RenderAsync(sink));
        Assert.Equal("K-SEC-005", ex.Code);
        Assert.True(sink.Length <= 1000, $"{sink.Length} bytes sent");
        Assert.Throws<TemplateRuntimeException>(() => t.RenderStream().ToList());
    }

    [Fact]
    public async Task Characters_split_across_chunks_are_encoded_whole()
    {
        // 😀 is a surrogate pair; with a 7-character threshold many pairs straddle a chunk boundary
        var t = Env(threshold: 7).FromString("{% flush %}{{ 'a😀é' * 40 }}");
        t.Render();
        var pipe = new MemoryStream();
        await t.RenderAsync(pipe);
        Assert.Equal(string.Concat(Enumerable.Repeat("a😀é", 40)), Encoding.UTF8.GetString(pipe.ToArray()));
        var writer = new StringWriter();
        await t.RenderAsync(writer);
        Assert.Equal(string.Concat(Enumerable.Repeat("a😀é", 40)), writer.ToString());
    }

    /// <summary>A writer that records what it received before each flush.</summary>
    private sealed class RecordingWriter : StringWriter
    {
        public List<string> AtFlush { get; } = [];

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            AtFlush.Add(ToString());
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_text_writer_is_flushed_at_each_flush_once_the_template_streams()
    {
        var templates = new Dictionary<string, string>
        {
            ["layout.html"] = "<head>{% block head %}{% endblock %}</head>{% flush %}<body>{% block body %}{% endblock %}</body>",
            ["page.html"] = "{% extends 'layout.html' %}{% block head %}<title>t</title>{% endblock %}{% block body %}b{% endblock %}",
        };
        var t = Env(threshold: 10_000, templates: templates).GetTemplate("page.html");
        var first = new RecordingWriter();
        await t.RenderAsync(first);
        Assert.Empty(first.AtFlush); // buffered: the flush (in the layout) is noted
        var second = new RecordingWriter();
        await t.RenderAsync(second);
        Assert.Equal(["<head><title>t</title></head>"], second.AtFlush);
        Assert.Equal("<head><title>t</title></head><body>b</body>", second.ToString());
    }

    [Fact]
    public async Task Streaming_can_be_turned_off_and_small_pages_do_not_stream()
    {
        var off = Env(threshold: 0).FromString("a{% flush %}b");
        off.Render();
        var w = new RecordingWriter();
        await off.RenderAsync(w);
        Assert.Empty(w.AtFlush);
        Assert.Equal("ab", w.ToString());

        var small = Env(threshold: 1000).FromString("{{ 'x' * 10 }}");
        small.Render();
        var w2 = new RecordingWriter();
        await small.RenderAsync(w2);
        Assert.Empty(w2.AtFlush);
        Assert.Equal(new string('x', 10), w2.ToString());
    }

    [Fact]
    public void Stopping_the_enumeration_cancels_the_render()
    {
        var t = Env(threshold: 16).FromString("{% for i in range(100000) %}{% for j in range(1000) %}{{ j }}{% endfor %}{% endfor %}");
        var firstTwo = t.RenderStream().Take(2).ToList();
        Assert.Equal(2, firstTwo.Count);
        Assert.All(firstTwo, c => Assert.Equal(16, c.Length));
    }
}

public class RenderOverloadTests
{
    [Fact]
    public void Render_with_a_null_model_renders_without_variables_whichever_overload_binds()
    {
        var t = new KidaEnvironment(new KidaOptions { StrictUndefined = false }).FromString("[{{ x }}]{{ 1 + 1 }}");
        using var cts = new CancellationTokenSource();
        Assert.Equal("[]2", t.Render(null));
        Assert.Equal("[]2", t.Render(null, cts.Token));
        Assert.Equal("[]2", t.Render((object?)null, cts.Token));
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => t.Render(null, cts.Token));
    }
}

public class IntegerLiteralTests
{
    [Theory]
    [InlineData("5", typeof(long))]
    [InlineData("1_000", typeof(long))]
    [InlineData("9223372036854775807", typeof(long))]
    [InlineData("9223372036854775808", typeof(System.Numerics.BigInteger))]
    [InlineData("0x10", typeof(long))]
    public void Integer_literals_are_longs_unless_they_do_not_fit(string literal, Type expected)
    {
        var tokens = Kida.Lexing.Lexer.Tokenize(new Kida.Text.SourceText("{{ " + literal + " }}", "t"), false, false);
        var token = tokens.Single(t => t.Kind == Kida.Lexing.TokenKind.Integer);
        Assert.IsType(expected, token.Value);
    }
}
