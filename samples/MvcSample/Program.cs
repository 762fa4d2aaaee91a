using Kida;
using Kida.AspNetCore;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Localization;
using MvcSample.Models;

var builder = WebApplication.CreateBuilder(args);
// Kida views next to Razor; main views that extend nothing get the default layout (like Razor's _ViewStart); _(),
// _n() and {% trans %} read Resources/Views/{view}.fr.resx, then Resources/SharedResource.fr.resx
builder.Services.AddLocalization(o => o.ResourcesPath = "Resources");
builder.Services.AddControllersWithViews().AddKida(o =>
{
    o.DefaultLayout = "Shared/Layout.html";
    o.SharedResource = typeof(MvcSample.SharedResource);
});
// Razor Pages whose handlers render Kida templates (Pages/Teas.cshtml.cs returns a KidaPageResult)
builder.Services.AddRazorPages();

var app = builder.Build();

// Errors: in Development the developer exception page (with Kida's template details); elsewhere the Kida error page.
// Status codes without a body (404, 400 ...) are rendered by the same Kida page, for any method.
if (!app.Environment.IsDevelopment())
    app.UseExceptionHandler("/error/500");
app.UseStatusCodePagesWithReExecute("/error/{0}");

// English by default, French on request: the culture cookie (set by /culture/{code}), ?culture=fr or Accept-Language
string[] cultures = ["en", "fr"];
app.UseRequestLocalization(o => o.SetDefaultCulture("en").AddSupportedCultures(cultures).AddSupportedUICultures(cultures));
app.UseStaticFiles();
app.UseRouting();
app.UseAntiforgery();

app.MapControllerRoute("default", "{controller=Home}/{action=Index}/{id?}");
app.MapRazorPages();

// The culture switch of the layout: remembers the choice in the culture cookie, then goes back (to a local URL only).
app.MapGet("/culture/{code}", IResult (string code, string? return_url, HttpContext context) =>
{
    if (!cultures.Contains(code)) return Results.NotFound();
    context.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
        CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(code)),
        new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = true });
    var local = return_url is { Length: > 0 } && return_url[0] == '/' && (return_url.Length == 1 || return_url[1] is not '/' and not '\\');
    return Results.LocalRedirect(local ? return_url! : "/");
});

app.MapGet("/hello", (string? name) =>
    Results.Extensions.Kida("Home/Hello.html", new { name = name ?? "world" }));

// Live search: the page, or only its `results` block for htmx. The template reads the query itself through
// `request.query` (q, and every checked tag with getlist).
app.MapGet("/search", (HttpRequest request, string? q, string[]? tag) =>
{
    var model = new
    {
        tags = Product.AllTags,
        products = q is null ? [] : Product.Search(q, tag ?? []),
    };
    return IsHtmxFragmentRequest(request)
        ? Results.Extensions.KidaBlock("Home/Search.html", "results", model)
        : Results.Extensions.Kida("Home/Search.html", model);
});

app.MapGet("/products/{id:int}", Results<KidaResult, NotFound> (int id) =>
    Product.All.FirstOrDefault(p => p.Id == id) is { } product
        ? TypedResults.Kida("Products/Detail.html", new { product })
        : TypedResults.NotFound());

// A request that fails on purpose, to show the htmx error feedback (the About page has a button for it).
app.MapGet("/demo/fail", IResult () => throw new InvalidOperationException("This endpoint fails on purpose."));

// The error page for status codes and exceptions; an htmx request gets only the message block.
app.Map("/error/{code:int}", async (int code, HttpContext context, KidaEnvironment kida) =>
{
    var (title, message) = code switch
    {
        StatusCodes.Status400BadRequest => ("Bad request", "The request was not understood: check the address or the form and try again."),
        StatusCodes.Status404NotFound => ("Page not found", "There is no page at this address. It may have moved, or the link may be mistyped."),
        >= 500 => ("Something went wrong", "The server failed to answer this request. It has been logged; please try again later."),
        _ => ("Error", "The request could not be completed."),
    };
    context.Response.Headers["X-Error-Message"] = title;
    var model = new { code, title, message };
    var block = IsHtmxFragmentRequest(context.Request) ? "message" : null;
    try
    {
        await kida.GetTemplateAsync("Shared/Error.html", context.RequestAborted);
    }
    catch (TemplateException)
    {
        // the error page itself cannot be loaded (a broken or replaced template folder): plain text
        context.Response.StatusCode = code;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync($"{code} {title}", context.RequestAborted);
        return;
    }
    await new KidaResult("Shared/Error.html", model, code, block).ExecuteAsync(context);
});

app.Run();

// htmx asks for a fragment (HX-Request) unless it follows a boosted link or restores its history (then: the page)
static bool IsHtmxFragmentRequest(HttpRequest request) =>
    request.Headers["HX-Request"] == "true" && request.Headers["HX-Boosted"] != "true"
    && request.Headers["HX-History-Restore-Request"] != "true";

/// <summary>Entry point type, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
