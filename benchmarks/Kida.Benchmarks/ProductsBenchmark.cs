using BenchmarkDotNet.Attributes;

namespace Kida.Benchmarks;

/// <summary>Workload "products": 500 products rendered to one HTML page. Render only — every
/// template is parsed/compiled in <see cref="Setup"/>.</summary>
[MemoryDiagnoser]
public class ProductsBenchmark
{
    private Renderers _r = null!;

    // Shared across benchmarks when run in-process so RazorLight's Roslyn compile happens once.
    private static readonly Lazy<Renderers> Shared = new(() =>
    {
        var r = new Renderers(Workload.Create());
        r.VerifyAllEqual();
        return r;
    });

    [GlobalSetup]
    public void Setup() => _r = Shared.Value;

    [Benchmark(Baseline = true, Description = "HandWritten")]
    public string HandWritten() => _r.RenderHandWritten();

    [Benchmark(Description = "Kida")]
    public string Kida() => _r.RenderKida();

    [Benchmark(Description = "Fluid")]
    public string Fluid() => _r.RenderFluid();

    [Benchmark(Description = "Scriban")]
    public string Scriban() => _r.RenderScriban();

    [Benchmark(Description = "Handlebars.Net")]
    public string Handlebars() => _r.RenderHandlebars();

    [Benchmark(Description = "DotLiquid")]
    public string DotLiquid() => _r.RenderDotLiquid();

    [Benchmark(Description = "RazorLight")]
    public string RazorLight() => _r.RenderRazor();
}
