using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Kida.AspNetCore.Tests;

/// <summary>
/// Which way a page reaches the response: a main MVC view and a minimal-API result write UTF-8 straight into the
/// response's <see cref="PipeWriter"/> (<c>Response.BodyWriter</c>), not through MVC's stream writer over
/// <c>Response.Body</c>. The response body feature is replaced by one that counts the bytes arriving each way.
/// </summary>
public class ResponseBodyTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/products")]
    [InlineData("/hello?name=pipe")]
    public async Task A_page_is_written_into_the_response_pipe_and_not_through_the_body_stream(string url)
    {
        var counts = new BodyCounts();
        using var app = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IStartupFilter>(new RecordingFilter(counts))));
        var response = await app.CreateClient().GetAsync(url);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.True(body.Length > 100, $"{url}: {Encoding.UTF8.GetString(body)}");
        Assert.Equal(body.Length, counts.Pipe);
        Assert.Equal(0, counts.Stream);
    }

    private sealed class BodyCounts
    {
        public long Pipe;
        public long Stream;
    }

    private sealed class RecordingFilter(BodyCounts counts) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                var original = context.Features.Get<IHttpResponseBodyFeature>()!;
                context.Features.Set<IHttpResponseBodyFeature>(new RecordingBody(original, counts));
                try
                {
                    await nextMiddleware(context);
                }
                finally
                {
                    context.Features.Set(original);
                }
            });
            next(app);
        };
    }

    private sealed class RecordingBody(IHttpResponseBodyFeature inner, BodyCounts counts) : IHttpResponseBodyFeature
    {
        public Stream Stream { get; } = new CountingStream(inner.Stream, counts);
        public PipeWriter Writer { get; } = new CountingPipeWriter(inner.Writer, counts);
        public void DisableBuffering() => inner.DisableBuffering();
        public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);
        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
            inner.SendFileAsync(path, offset, count, cancellationToken);
        public Task CompleteAsync() => inner.CompleteAsync();
    }

    private sealed class CountingPipeWriter(PipeWriter inner, BodyCounts counts) : PipeWriter
    {
        public override void Advance(int bytes)
        {
            Interlocked.Add(ref counts.Pipe, bytes);
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);
        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);
        public override void CancelPendingFlush() => inner.CancelPendingFlush();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
    }

    private sealed class CountingStream(Stream inner, BodyCounts counts) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Interlocked.Add(ref counts.Stream, count);
            inner.Write(buffer, offset, count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref counts.Stream, buffer.Length);
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
