using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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

    private static readonly TimeSpan SlowRender = TimeSpan.FromMilliseconds(500);

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
            if (logger is not null) LogRenderFailed(logger, ex, template);
            throw;
        }
        var elapsed = Stopwatch.GetElapsedTime(start);
        RenderDuration.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("kida.template", template));
        if (elapsed > SlowRender && logger is not null) LogSlowRender(logger, template, elapsed.TotalMilliseconds);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Rendering Kida template {Template} failed")]
    private static partial void LogRenderFailed(ILogger logger, Exception exception, string template);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Kida template {Template} took {Milliseconds} ms to render")]
    private static partial void LogSlowRender(ILogger logger, string template, double milliseconds);
}
