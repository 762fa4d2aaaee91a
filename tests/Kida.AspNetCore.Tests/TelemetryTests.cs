using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Kida.AspNetCore.Tests;

public class TelemetryTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task Render_duration_is_recorded_on_the_Kida_meter()
    {
        var templates = new ConcurrentBag<string?>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Kida" && instrument.Name == "kida.render.duration") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags) if (tag.Key == "kida.template") templates.Add(tag.Value as string);
        });
        listener.Start();
        var client = factory.CreateClient();
        (await client.GetAsync("/hello")).EnsureSuccessStatusCode();
        (await client.GetAsync("/")).EnsureSuccessStatusCode();
        Assert.Contains("Home/Hello.html", templates);
        Assert.Contains("Home/Index.html", templates);
    }

    [Fact]
    public async Task Renders_are_traced_by_the_Kida_activity_source()
    {
        var templates = new ConcurrentBag<string?>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Kida",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == "kida.render") templates.Add(activity.GetTagItem("kida.template") as string);
            },
        };
        ActivitySource.AddActivityListener(listener);
        (await factory.CreateClient().GetAsync("/products")).EnsureSuccessStatusCode();
        Assert.Contains("Products/Index.html", templates);
    }

    private WebApplicationFactory<Program> WithThreshold(LogSink logs, TimeSpan threshold) =>
        factory.WithWebHostBuilder(b => b
            .ConfigureLogging(l => l.AddProvider(logs).AddFilter("Kida.AspNetCore", LogLevel.Debug))
            .ConfigureTestServices(s => s.Configure<KidaViewOptions>(o => o.SlowRenderThreshold = threshold)));

    [Fact]
    public async Task Renders_slower_than_the_threshold_are_logged_as_warnings_with_template_and_milliseconds()
    {
        var logs = new LogSink();
        using var app = WithThreshold(logs, TimeSpan.Zero);
        var client = app.CreateClient();
        (await client.GetAsync("/hello")).EnsureSuccessStatusCode();
        (await client.GetAsync("/")).EnsureSuccessStatusCode();
        var slow = logs.Entries.Where(e => e.Category == "Kida.AspNetCore" && e.EventId == 2).ToList();
        // a minimal API result and an MVC view
        foreach (var template in new[] { "Home/Hello.html", "Home/Index.html" })
        {
            var entry = Assert.Single(slow, e => e.Message.StartsWith($"Kida template {template} took ", StringComparison.Ordinal));
            Assert.Equal(LogLevel.Warning, entry.Level);
            Assert.EndsWith(" ms to render", entry.Message);
            var milliseconds = entry.Message[$"Kida template {template} took ".Length..^" ms to render".Length];
            Assert.True(double.TryParse(milliseconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var elapsed), milliseconds);
            Assert.True(elapsed > 0);
        }
    }

    [Fact]
    public async Task An_infinite_threshold_never_logs_slow_renders()
    {
        var logs = new LogSink();
        using var app = WithThreshold(logs, Timeout.InfiniteTimeSpan);
        var client = app.CreateClient();
        (await client.GetAsync("/hello")).EnsureSuccessStatusCode();
        (await client.GetAsync("/")).EnsureSuccessStatusCode();
        Assert.DoesNotContain(logs.Entries, e => e.Category == "Kida.AspNetCore" && e.EventId == 2);
        // the logger is wired: the same requests logged their compilations on the same category
        Assert.Contains(logs.Entries, e => e.Category == "Kida.AspNetCore" && e.EventId == 3);
    }
}
