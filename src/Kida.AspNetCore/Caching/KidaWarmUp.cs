using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kida.AspNetCore;

/// <summary>Whether and how the application compiles every template at start-up (<see cref="KidaViewOptions.WarmUp"/>).</summary>
public enum KidaWarmUp
{
    /// <summary>No warm-up: each template compiles on its first use (the default).</summary>
    None,

    /// <summary>Compiles every template in the background once the application has started; failures are logged as errors.</summary>
    Background,

    /// <summary>Compiles every template before the application starts serving; failures are logged as errors.</summary>
    BeforeStart,

    /// <summary>
    /// Compiles every template before the application starts serving; a template that fails makes start-up fail with an
    /// exception naming each broken template (its code, line and column).
    /// </summary>
    FailStartup,
}

/// <summary>Runs <see cref="KidaEnvironment.WarmUpAsync"/> at start-up as <see cref="KidaViewOptions.WarmUp"/> says.</summary>
internal sealed class KidaWarmUpService(IServiceProvider services, IOptions<KidaViewOptions> options, ILoggerFactory? loggerFactory = null)
    : IHostedService, IDisposable
{
    private readonly ILogger _logger = (ILogger?)loggerFactory?.CreateLogger("Kida.AspNetCore") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private CancellationTokenSource? _stopping;
    private Task? _background;

    /// <summary>The background warm-up, when <see cref="KidaWarmUp.Background"/> started one (for tests).</summary>
    internal Task? Background => _background;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var mode = options.Value.WarmUp;
        if (mode == KidaWarmUp.None) return;
        var env = (KidaEnvironment)services.GetService(typeof(KidaEnvironment))!;
        if (mode == KidaWarmUp.Background)
        {
            var stopping = _stopping = new CancellationTokenSource();
            _background = Task.Run(() => RunAsync(env, mode, stopping.Token), CancellationToken.None);
            return;
        }
        await RunAsync(env, mode, cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // a host may stop after its services were disposed: nothing of ours is touched then
        if (_background is not { } task || Interlocked.Exchange(ref _stopping, null) is not { } stopping) return;
        try
        {
            await stopping.CancelAsync().ConfigureAwait(false);
            await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) { }
        stopping.Dispose();
    }

    /// <summary>Stops a background warm-up still running (its token stays usable: the source is not disposed under it).</summary>
    public void Dispose() => Volatile.Read(ref _stopping)?.Cancel();

    private async Task RunAsync(KidaEnvironment env, KidaWarmUp mode, CancellationToken cancellationToken)
    {
        WarmUpResult result;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            result = await env.WarmUpAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NotSupportedException ex)
        {
            WarmUpLog.CannotList(_logger, ex.Message);
            return;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        foreach (var (name, error) in result.Failures) WarmUpLog.Failed(_logger, name, error.Message, error);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        WarmUpLog.Done(_logger, result.Compiled.Count, result.Failures.Count, elapsed.TotalMilliseconds);
        if (mode == KidaWarmUp.FailStartup && !result.Succeeded)
            throw new InvalidOperationException(
                $"Kida warm-up: {result.Failures.Count} template(s) failed to compile:\n"
                + string.Join("\n", result.Failures.Select(f => $"{f.Key}: {f.Value.Message}")),
                result.Failures.Count == 1 ? result.Failures.Values.First() : new AggregateException(result.Failures.Values));
    }
}

internal static partial class WarmUpLog
{
    [LoggerMessage(EventId = 50, Level = LogLevel.Error, Message = "Kida warm-up: template {Template} failed to compile: {Reason}")]
    public static partial void Failed(ILogger logger, string template, string reason, Exception exception);

    [LoggerMessage(EventId = 51, Level = LogLevel.Information, Message = "Kida warm-up: {Compiled} template(s) compiled, {Failed} failed, in {Milliseconds:0} ms")]
    public static partial void Done(ILogger logger, int compiled, int failed, double milliseconds);

    [LoggerMessage(EventId = 52, Level = LogLevel.Warning, Message = "Kida warm-up skipped: {Reason}")]
    public static partial void CannotList(ILogger logger, string reason);
}
