using Kida;
using Kida.Benchmarks;
using Kida.WebBench.Controllers;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();          // no per-request logging in a throughput test
builder.Services.AddControllersWithViews().AddKida();

var app = builder.Build();

// The page model is built once (as in the benchmarks): the measurement is the view layer, not data access.
var page = Data.Page();
// KidaResult exposes a model's members (or a dictionary's entries) as variables; the MVC view exposes `model`.
// Passing { model = page } lets both Kida endpoints render the very same template file.
var minimalModel = new Dictionary<string, object?> { ["model"] = page };

app.MapGet("/kida-minimal", () => Results.Extensions.Kida("Page/Kida.html", minimalModel));

// The same page with 6,000 rows (about 1 MB) for the time-to-first-byte runs (run-ttfb.sh): streamed by the Kida
// minimal-API result, and rendered to a string first and then sent (what every response did before streaming).
var largeModel = new Dictionary<string, object?> { ["model"] = PageController.Large };
app.MapGet("/large/kida-minimal", () => Results.Extensions.Kida("Page/Kida.html", largeModel));
app.MapGet("/large/kida-string", (KidaEnvironment env) =>
    Results.Content(env.GetTemplate("Page/Kida.html").Render(largeModel), "text/html; charset=utf-8"));
app.MapControllers();
// Bytes allocated by the whole process so far: run-web.sh reads it around each wrk run (bytes per request).
app.MapGet("/_allocated", () => GC.GetTotalAllocatedBytes(precise: false).ToString(System.Globalization.CultureInfo.InvariantCulture));
app.Run();

public partial class Program
{
}
