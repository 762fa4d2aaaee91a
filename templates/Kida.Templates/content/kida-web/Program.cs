var builder = WebApplication.CreateBuilder(args);
builder.Services.AddKida();

var app = builder.Build();
app.UseStaticFiles();

string[] teas = ["Sencha", "Earl Grey", "Oolong", "Rooibos", "Jasmine"];

// the page, or only its "results" block when htmx asks (the search box below)
app.MapGet("/", (HttpRequest request, string? q) =>
{
    var model = new { q, teas = teas.Where(t => q is null || t.Contains(q, StringComparison.OrdinalIgnoreCase)).ToArray() };
    return request.Headers["HX-Request"] == "true"
        ? Results.Extensions.KidaBlock("index.html", "results", model)
        : Results.Extensions.Kida("index.html", model);
});

app.Run();
