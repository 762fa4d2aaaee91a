using System.Diagnostics;
using System.Diagnostics.Metrics;
using Kida;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kida.AspNetCore;

/// <summary>The <see cref="ActivitySource"/>, <see cref="Meter"/> and log messages of Kida in ASP.NET Core.</summary>
internal static partial class KidaTelemetry
{
    public const string Name = "Kida";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter Meter = new(Name);

    private static readonly Histogram<double> RenderDuration =
        Meter.CreateHistogram<double>("kida.render.duration", "ms", "Time to render a Kida view or result.");

    private static readonly Counter<long> RenderErrors =
        Meter.CreateCounter<long>("kida.render.errors", description: "Kida renders that failed.");

    private static readonly Counter<long> Compilations =
        Meter.CreateCounter<long>("kida.compilations", description: "Kida templates compiled (cache misses).");

    private static readonly Histogram<double> CompileDuration =
        Meter.CreateHistogram<double>("kida.compile.duration", "ms", "Time to lex, parse and compile a Kida template.");

    private static readonly TimeSpan DefaultSlowRender = new KidaViewOptions().SlowRenderThreshold;

    public static async Task RenderAsync(HttpContext http, string template, Func<Task> render)
    {
        using var activity = ActivitySource.StartActivity("kida.render");
        activity?.SetTag("kida.template", template);
        var logger = http.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("Kida.AspNetCore");
        var start = Stopwatch.GetTimestamp();
        try
        {
            await render().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            RenderErrors.Add(1, new KeyValuePair<string, object?>("kida.template", template));
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            if (http.Response.HasStarted)
            {
                // part of a streamed page has left: end the connection, so the client sees a broken response rather
                // than a complete-looking 200 (the host cannot report the error now, so it is logged here, once)
                if (logger is not null) LogRenderAbortedAfterStart(logger, ex, template);
                http.Abort();
                return;
            }
            if (logger is not null) LogRenderFailed(logger, template);
            throw;
        }
        var elapsed = Stopwatch.GetElapsedTime(start);
        RenderDuration.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("kida.template", template));
        if (logger is null) return;
        var threshold = http.RequestServices.GetService<IOptions<KidaViewOptions>>()?.Value.SlowRenderThreshold ?? DefaultSlowRender;
        if (threshold != Timeout.InfiniteTimeSpan && elapsed > threshold) LogSlowRender(logger, template, elapsed.TotalMilliseconds);
    }

    /// <summary>Counts, times and logs the compilations and cache evictions of <paramref name="environment"/>.</summary>
    public static void Observe(KidaEnvironment environment, ILogger? logger)
    {
        environment.TemplateCompiled += (_, e) =>
        {
            var tag = new KeyValuePair<string, object?>("kida.template", e.Name);
            Compilations.Add(1, tag);
            CompileDuration.Record(e.Elapsed.TotalMilliseconds, tag);
            if (logger is not null) LogCompiled(logger, e.Name, e.Elapsed.TotalMilliseconds);
        };
        if (logger is not null) environment.TemplateEvicted += (_, e) => LogEvicted(logger, e.Name, e.Reason);
    }

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Compiled Kida template {Template} in {Milliseconds} ms")]
    private static partial void LogCompiled(ILogger logger, string template, double milliseconds);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Evicted Kida template {Template} from the cache ({Reason})")]
    private static partial void LogEvicted(ILogger logger, string template, string reason);

    // Information without the exception: the exception goes on to the host, whose exception middleware (the developer
    // page, or the app's exception handler) logs it at Error with its stack; logged here too, every template error was
    // logged twice. This entry only names the template that failed.
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Rendering Kida template {Template} failed")]
    private static partial void LogRenderFailed(ILogger logger, string template);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error,
        Message = "Rendering Kida template {Template} failed after part of the response was sent; the connection was aborted")]
    private static partial void LogRenderAbortedAfterStart(ILogger logger, Exception exception, string template);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Kida template {Template} took {Milliseconds} ms to render")]
    private static partial void LogSlowRender(ILogger logger, string template, double milliseconds);
}
