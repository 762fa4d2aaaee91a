using Kida.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddControllersWithViews().AddKida();

var app = builder.Build();

app.UseRouting();
app.UseAntiforgery();

app.MapControllerRoute("default", "{controller=Home}/{action=Index}/{id?}");

app.MapGet("/hello", (string? name) =>
    Results.Extensions.Kida("Views/Home/Hello.html", new { name = name ?? "world" }));

app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
