using Kida.AspNetCore;
using Microsoft.AspNetCore.Http.HttpResults;
using MvcSample.Models;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddControllersWithViews().AddKida();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler(error => error.Run(async context =>
    {
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("An error occurred.", context.RequestAborted);
    }));
}

app.UseStaticFiles();
app.UseRouting();
app.UseAntiforgery();

app.MapControllerRoute("default", "{controller=Home}/{action=Index}/{id?}");

app.MapGet("/hello", (string? name) =>
    Results.Extensions.Kida("Home/Hello.html", new { name = name ?? "world" }));

// the template reads the query itself through `request.query` (q, and every checked tag with getlist)
app.MapGet("/search", (string? q) =>
    Results.Extensions.Kida("Home/Search.html", new
    {
        tags = new[] { "kitchen", "tea" },
        products = string.IsNullOrWhiteSpace(q) ? [] : Product.All.Where(p => p.Name.Contains(q.Trim(), StringComparison.OrdinalIgnoreCase)).ToArray(),
    }));

app.MapGet("/products/{id:int}", Results<KidaResult, NotFound> (int id) =>
    Product.All.FirstOrDefault(p => p.Id == id) is { } product
        ? TypedResults.Kida("Products/Detail.html", new { product })
        : TypedResults.NotFound());

app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
