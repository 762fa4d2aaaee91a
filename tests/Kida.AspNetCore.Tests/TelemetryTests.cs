using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Mvc.Testing;
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
        Assert.Contains("Views/Home/Hello.html", templates);
        Assert.Contains("Views/Home/Index.html", templates);
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
        Assert.Contains("Views/Products/Index.html", templates);
    }
}
