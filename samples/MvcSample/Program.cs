using Kida;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddKida();

var app = builder.Build();

app.MapGet("/", async (KidaEnvironment kida, HttpContext http) =>
{
    var template = await kida.GetTemplateAsync("Views/Home/Index.html", http.RequestAborted);
    http.Response.ContentType = "text/html; charset=utf-8";
    await template.RenderAsync(http.Response.BodyWriter, new { title = "Kida for .NET", items = new[] { "Fast", "Thread-safe", "Jinja-compatible" } }, http.RequestAborted);
});

app.MapGet("/hello", async (string? name, KidaEnvironment kida, HttpContext http) =>
{
    var template = await kida.GetTemplateAsync("Views/Home/Hello.html", http.RequestAborted);
    http.Response.ContentType = "text/html; charset=utf-8";
    await template.RenderAsync(http.Response.BodyWriter, new { name = name ?? "world" }, http.RequestAborted);
});

app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
