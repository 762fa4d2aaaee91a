using Kida.Benchmarks;

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
app.MapControllers();
// Bytes allocated by the whole process so far: run-web.sh reads it around each wrk run (bytes per request).
app.MapGet("/_allocated", () => GC.GetTotalAllocatedBytes(precise: false).ToString(System.Globalization.CultureInfo.InvariantCulture));
app.Run();

public partial class Program
{
}
