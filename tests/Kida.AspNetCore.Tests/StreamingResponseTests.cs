using System.Net;
using System.Text;
using Kida;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Kida.AspNetCore.Tests;

/// <summary>
/// Streamed responses on a real Kestrel (issue 15, item 4): the first bytes of a large page arrive while the page is
/// still rendering, and an error after the first flush aborts the connection (logged once) instead of ending a
/// complete-looking 200.
/// </summary>
public sealed class StreamingResponseTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "kida-stream-" + Guid.NewGuid().ToString("N"));

    public StreamingResponseTests() => Directory.CreateDirectory(Path.Combine(_root, "Views"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    /// <summary>A model sequence that stops after <paramref name="before"/> items until the test opens the gate.</summary>
    public sealed class GatedItems(int before, int total, ManualResetEventSlim gate) : IEnumerable<long>
    {
        public IEnumerator<long> GetEnumerator()
        {
            for (var i = 0; i < total; i++)
            {
                if (i == before && !gate.Wait(TimeSpan.FromSeconds(20))) throw new TimeoutException("the gate was never opened");
                yield return i;
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class ListLogger(List<string> lines) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;
        public void Dispose() { }
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) lock (lines) lines.Add(formatter(state, exception));
        }
    }

    private async Task<(WebApplication App, HttpClient Client)> StartAsync(Action<WebApplication> map, List<string>? log = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = _root,
            EnvironmentName = "Production",
            ApplicationName = typeof(StreamingResponseTests).Assembly.GetName().Name,
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (log is not null) builder.Logging.AddProvider(new ListLogger(log));
        builder.Services.AddKida();
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) });
    }

    [Fact]
    public async Task The_first_bytes_of_a_large_page_arrive_before_it_has_rendered()
    {
        File.WriteAllText(Path.Combine(_root, "Views", "big.html"), "{% for i in items %}<li>row {{ i }} of a large page</li>\n{% endfor %}");
        var gate = new ManualResetEventSlim(true);
        var (app, client) = await StartAsync(a => a.MapGet("/big", () => Results.Extensions.Kida("big.html", new { items = new GatedItems(2000, 40_000, gate) })));
        await using var _ = app;
        using var __ = client;
        // the first request renders buffered and teaches the template its size (over 1 MB)
        var whole = await client.GetStringAsync("/big");
        Assert.True(whole.Length > 1_000_000, $"{whole.Length} characters");

        gate.Reset();
        using var response = await client.GetAsync("/big", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        // the render is held at row 2000 of 40,000: whatever arrives now was sent mid-render
        var buffer = new byte[4096];
        var read = await body.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(read > 0);
        Assert.StartsWith("<li>row 0 of a large page</li>", Encoding.UTF8.GetString(buffer, 0, read));
        gate.Set();
        var rest = new MemoryStream();
        rest.Write(buffer, 0, read);
        await body.CopyToAsync(rest);
        Assert.Equal(whole, Encoding.UTF8.GetString(rest.ToArray()));
    }

    [Fact]
    public async Task An_error_after_the_first_flush_aborts_the_response_and_is_logged_once()
    {
        File.WriteAllText(Path.Combine(_root, "Views", "late.html"),
            "<html><head><title>t</title></head>{% flush %}<body>{% for i in range(3) %}{{ i }}{% endfor %}{{ items[fail] }}</body></html>");
        var log = new List<string>();
        var (app, client) = await StartAsync(a => a.MapGet("/late", (bool fail) =>
            Results.Extensions.Kida("late.html", new { items = new Dictionary<string, int> { ["ok"] = 1 }, fail = fail ? "missing" : "ok" })), log);
        await using var _ = app;
        using var __ = client;
        // first render: buffered (it notes the flush), and fine
        Assert.Equal("<html><head><title>t</title></head><body>0121</body></html>", await client.GetStringAsync("/late?fail=false"));
        // a failing buffered render could still answer 500; once the template streams, the head has left first
        var failure = await Record.ExceptionAsync(async () =>
        {
            using var response = await client.GetAsync("/late?fail=true", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsStringAsync();
        });
        Assert.NotNull(failure); // the body cannot be read to a clean end
        Assert.IsAssignableFrom<IOException>(failure is HttpRequestException h ? h.InnerException ?? h : failure);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (log.Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        lock (log)
        {
            Assert.Single(log, l => l.Contains("late.html", StringComparison.Ordinal));
            Assert.Contains("connection was aborted", log.Single(l => l.Contains("late.html", StringComparison.Ordinal)));
        }
    }
}
