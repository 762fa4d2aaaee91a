using System.Net;
using Kida;
using Kida.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Kida.AspNetCore.Tests;

/// <summary>An MVC controller of the traversal test app: renders the view named by the query string.</summary>
public sealed class TraversalController : Controller
{
    public IActionResult Show(string name) => View(name);

    public IActionResult Partial(string name) => PartialView(name);
}

/// <summary>
/// Names from requests never leave the template root (<c>Views/</c>): traversal, rooted, <c>~/</c>, backslash,
/// percent-encoded, NUL and control-character names, drive letters, files that are not templates, and symbolic links
/// out of the root are not found through <see cref="KidaResult"/> (404), <c>View(name)</c> (MVC's "view not found"),
/// and <c>include</c>/<c>extends</c>/<c>import</c> from a template; the secret files' content is never served.
/// </summary>
public sealed class TraversalTests : IDisposable
{
    private const string Secret = "SECRET";

    private readonly string _dir = Directory.CreateTempSubdirectory("kida-traversal-").FullName;
    private readonly string _root;

    public TraversalTests()
    {
        _root = Path.Combine(_dir, "app");
        var views = Path.Combine(_root, "Views");
        Directory.CreateDirectory(Path.Combine(views, "Pages"));
        Directory.CreateDirectory(Path.Combine(views, "Traversal"));
        Directory.CreateDirectory(Path.Combine(views, "Shared"));
        Directory.CreateDirectory(Path.Combine(_root, "wwwroot", "uploads"));
        Directory.CreateDirectory(Path.Combine(_dir, "outside"));
        File.WriteAllText(Path.Combine(_root, "appsettings.json"), $"{{\"ConnectionStrings\":{{\"Db\":\"{Secret}-APPSETTINGS\"}}}}");
        File.WriteAllText(Path.Combine(_root, "Program.cs"), $"// {Secret}-PROGRAM");
        File.WriteAllText(Path.Combine(_root, "App.dll"), $"{Secret}-DLL");
        File.WriteAllText(Path.Combine(_root, "secret.html"), $"{Secret}-CONTENT-ROOT-HTML");
        File.WriteAllText(Path.Combine(_root, "wwwroot", "uploads", "x.html"), $"{Secret}-UPLOAD");
        File.WriteAllText(Path.Combine(views, "appsettings.json"), $"{Secret}-JSON-IN-ROOT");
        File.WriteAllText(Path.Combine(views, "Pages", "notes.txt"), $"{Secret}-TXT-IN-ROOT");
        File.WriteAllText(Path.Combine(_dir, "outside", "y.html"), $"{Secret}-LINKED-DIR");
        File.WriteAllText(Path.Combine(_dir, "outside.html"), $"{Secret}-LINKED-FILE");
        // symbolic links out of the root: a folder and files (absolute and relative targets)
        Directory.CreateSymbolicLink(Path.Combine(views, "linkdir"), Path.Combine(_dir, "outside"));
        Directory.CreateSymbolicLink(Path.Combine(views, "Traversal", "linkdir"), Path.Combine(_dir, "outside"));
        File.CreateSymbolicLink(Path.Combine(views, "link.html"), Path.Combine(_dir, "outside.html"));
        File.CreateSymbolicLink(Path.Combine(views, "Traversal", "link.html"), Path.Combine("..", "..", "..", "outside.html"));
        File.CreateSymbolicLink(Path.Combine(views, "Shared", "uplink.html"), Path.Combine("..", "..", "secret.html"));
        // what is allowed
        File.WriteAllText(Path.Combine(views, "Pages", "Ok.html"), "ok {{ 1 + 1 }}");
        File.WriteAllText(Path.Combine(views, "Pages", "Ok.kida"), "kida ok");
        File.WriteAllText(Path.Combine(views, "Traversal", "Fine.html"), "fine view");
        File.WriteAllText(Path.Combine(views, "Shared", "Layout.html"), "<main>{% block body %}{% endblock %}</main>");
        File.WriteAllText(Path.Combine(views, "Pages", "Child.html"), "{% extends \"Shared/Layout.html\" %}{% block body %}child{% endblock %}");
        File.WriteAllText(Path.Combine(views, "Pages", "Include.html"), "[{% include name %}]");
        File.WriteAllText(Path.Combine(views, "Pages", "Extends.html"), "{% extends name %}");
        File.WriteAllText(Path.Combine(views, "Pages", "Import.html"), "{% import name as m %}imported");
        File.WriteAllText(Path.Combine(views, "Pages", "FromImport.html"), "{% from name import x %}imported");
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>Every form of a name that must not be found, as a template name (with its extension).</summary>
    public static TheoryData<string> BadTemplateNames =>
    [
        "../appsettings.json", "../Program.cs", "../App.dll", "../secret.html", "Pages/../../secret.html",
        "Pages/../../../outside.html", "../wwwroot/uploads/x.html", "~/wwwroot/uploads/x.html", "~/secret.html",
        "~/Views/Pages/Ok.html", "/etc/passwd", "/Views/Pages/Ok.html", "..\\secret.html", "Pages\\Ok.html",
        "%2e%2e/secret.html", "%2e%2e%2fsecret.html", "..%2fsecret.html", "%2E%2E%2Fsecret.html", "%252e%252e%252fsecret.html",
        "Pages/Ok.html\0", "Pages\0/Ok.html", "\0", "Pages/Ok.html\u0001", "Pages/Ok.html\n", "\u007f",
        "C:/secret.html", "C:secret.html", "c:\\secret.html", "\\\\server\\share\\x.html", "//server/share/x.html",
        "file:///etc/passwd", "Pages/Ok.html::$DATA", "Pages/Ok.html.", "Pages/Ok.html ", "...", "Pages/.../Ok.html",
        "appsettings.json", "Pages/notes.txt", "Pages", "Pages/", "linkdir/y.html", "link.html", "Traversal/link.html",
        "Traversal/linkdir/y.html", "Shared/uplink.html", "", " ",
    ];

    private WebApplicationBuilder Builder(bool kestrel = false)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = _root,
            EnvironmentName = "Production",
            ApplicationName = typeof(TraversalTests).Assembly.GetName().Name,
        });
        if (kestrel) builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        else builder.WebHost.UseTestServer();
        builder.Services.AddControllersWithViews()
            .ConfigureApplicationPartManager(m =>
            {
                m.ApplicationParts.Clear();
                m.ApplicationParts.Add(new AssemblyPart(typeof(TraversalController).Assembly));
            })
            .AddKida();
        return builder;
    }

    private static void Map(WebApplication app)
    {
        app.UseExceptionHandler(error => error.Run(async context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsync("error");
        }));
        app.MapControllerRoute("default", "{controller}/{action}");
        app.MapGet("/result", (string? name) => Results.Extensions.Kida(name ?? ""));
        app.MapGet("/typed", (string? name) => TypedResults.Kida(name ?? ""));
        app.MapGet("/block", (string? name) => Results.Extensions.KidaBlock(name ?? "", "body"));
        app.MapGet("/page/{page}", (string page) => Results.Extensions.Kida("Pages/" + page, new { name = "Pages/Ok.html" }));
        app.MapGet("/include", (string? name) => Results.Extensions.Kida("Pages/Include.html", new { name }));
        app.MapGet("/extends", (string? name) => Results.Extensions.Kida("Pages/Extends.html", new { name }));
        app.MapGet("/import", (string? name) => Results.Extensions.Kida("Pages/Import.html", new { name }));
        app.MapGet("/from-import", (string? name) => Results.Extensions.Kida("Pages/FromImport.html", new { name }));
    }

    private async Task<WebApplication> StartAsync(bool kestrel = false)
    {
        var app = Builder(kestrel).Build();
        Map(app);
        await app.StartAsync();
        return app;
    }

    private static string Query(string path, string name) => path + "?name=" + Uri.EscapeDataString(name);

    [Fact]
    public async Task Names_inside_the_root_are_served()
    {
        await using var app = await StartAsync();
        var client = app.GetTestClient();
        Assert.Equal("ok 2", await client.GetStringAsync(Query("/result", "Pages/Ok.html")));
        Assert.Equal("ok 2", await client.GetStringAsync(Query("/result", "./Pages/Ok.html")));
        Assert.Equal("kida ok", await client.GetStringAsync(Query("/result", "Pages/Ok.kida")));
        Assert.Equal("<main>child</main>", await client.GetStringAsync(Query("/result", "Pages/Child.html")));
        Assert.Equal("[ok 2]", await client.GetStringAsync(Query("/include", "Pages/Ok.html")));
        Assert.Equal("<main></main>", await client.GetStringAsync(Query("/extends", "Shared/Layout.html")));
        Assert.Equal("fine view", await client.GetStringAsync(Query("/traversal/show", "Fine")));
        Assert.Equal("fine view", await client.GetStringAsync(Query("/traversal/show", "Traversal/Fine.html")));
    }

    [Theory]
    [MemberData(nameof(BadTemplateNames))]
    public async Task KidaResult_with_a_name_from_the_query_answers_404(string name)
    {
        await using var app = await StartAsync();
        var client = app.GetTestClient();
        foreach (var path in new[] { "/result", "/typed", "/block" })
        {
            var response = await client.GetAsync(Query(path, name));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.DoesNotContain(Secret, await response.Content.ReadAsStringAsync());
        }
    }

    [Theory]
    [MemberData(nameof(BadTemplateNames))]
    public async Task Include_extends_and_import_of_a_name_from_the_query_never_read_it(string name)
    {
        await using var app = await StartAsync();
        var client = app.GetTestClient();
        foreach (var path in new[] { "/include", "/extends", "/import", "/from-import" })
        {
            var response = await client.GetAsync(Query(path, name));
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain(Secret, await response.Content.ReadAsStringAsync());
        }
        // what the template sees: not found (K-TPL-001), whatever the name
        var env = app.Services.GetRequiredService<KidaEnvironment>();
        foreach (var template in new[] { "Pages/Include.html", "Pages/Extends.html", "Pages/Import.html", "Pages/FromImport.html" })
        {
            var ex = await Assert.ThrowsAsync<TemplateNotFoundException>(async () => { await Task.Yield(); env.GetTemplate(template).Render(new { name }); });
            Assert.DoesNotContain(Secret, ex.Message);
        }
    }

    /// <summary>View names as <c>View(name)</c> gets them (without the extension, searched by controller).</summary>
    public static TheoryData<string> BadViewNames =>
    [
        "../../appsettings", "../../Program", "../secret", "../../secret", "../../wwwroot/uploads/x", "~/wwwroot/uploads/x",
        "~/wwwroot/uploads/x.html", "~/Views/Traversal/Fine.html", "/Views/Traversal/Fine.html", "/etc/passwd",
        "..\\..\\secret", "%2e%2e/%2e%2e/secret", "..%2f..%2fsecret", "Fine\0", "Fi\0ne", "Fine\u0001", "C:/secret",
        "C:secret", "\\\\server\\share\\x", "link", "linkdir/y", "Shared/uplink", "../Shared/uplink",
        "../../secret.html", "../appsettings.json", "Pages/notes.txt", "linkdir/y.html", "Traversal/link.html",
        "Traversal/linkdir/y.html", "Shared/uplink.html", "../secret.html", "Fine.", "Fine ", "...",
    ];

    [Theory]
    [MemberData(nameof(BadViewNames))]
    public async Task View_with_a_name_from_the_query_is_not_found(string name)
    {
        await using var app = await StartAsync();
        var client = app.GetTestClient();
        foreach (var action in new[] { "/traversal/show", "/traversal/partial" })
        {
            var response = await client.GetAsync(Query(action, name));
            // MVC's own "view not found" (an InvalidOperationException, here turned into the app's error page)
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain(Secret, await response.Content.ReadAsStringAsync());
        }
        var engine = app.Services.GetRequiredService<KidaViewEngine>();
        var context = new ActionContext(new DefaultHttpContext { RequestServices = app.Services },
            new RouteData(new RouteValueDictionary { ["controller"] = "Traversal" }), new ActionDescriptor());
        Assert.False(engine.FindView(context, name, isMainPage: true).Success);
        Assert.False(engine.GetView(null, name, isMainPage: true).Success);
        Assert.False(engine.GetView("Traversal/Fine.html", name, isMainPage: false).Success);
        Assert.False(engine.GetView("/Views/Traversal/Fine.cshtml", name, isMainPage: false).Success);
    }

    [Theory]
    [MemberData(nameof(BadTemplateNames))]
    public async Task A_controller_or_area_route_value_cannot_leave_the_root(string value)
    {
        await using var app = await StartAsync();
        var engine = app.Services.GetRequiredService<KidaViewEngine>();
        foreach (var key in new[] { "controller", "area" })
        {
            var context = new ActionContext(new DefaultHttpContext { RequestServices = app.Services },
                new RouteData(new RouteValueDictionary { ["controller"] = "Traversal", [key] = value }), new ActionDescriptor());
            var found = engine.FindView(context, "y", isMainPage: true);
            Assert.True(!found.Success || found.View is not null && !found.View.Path.Contains("linkdir", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Attacks_over_real_Kestrel_with_raw_encoded_query_strings_are_404()
    {
        await using var app = await StartAsync(kestrel: true);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        foreach (var raw in new[]
        {
            "..%2Fappsettings.json", "..%2F..%2Fappsettings.json", "%2E%2E%2FProgram.cs", "%252e%252e%252fsecret.html",
            "Pages%2FOk.html%00", "%00", "..%5Csecret.html", "%7E%2Fsecret.html", "%2Fetc%2Fpasswd", "C%3A%2Fsecret.html",
            "linkdir%2Fy.html", "link.html", "Shared%2Fuplink.html", "appsettings.json", "..%2FApp.dll",
        })
        {
            var response = await client.GetAsync("/result?name=" + raw);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.DoesNotContain(Secret, await response.Content.ReadAsStringAsync());
        }
        // and the path segment form: /page/..%2F..%2Fsecret.html
        var viaPath = await client.GetAsync("/page/..%2F..%2Fsecret.html");
        Assert.Equal(HttpStatusCode.NotFound, viaPath.StatusCode);
        Assert.DoesNotContain(Secret, await viaPath.Content.ReadAsStringAsync());
        Assert.Equal("ok 2", await client.GetStringAsync("/result?name=Pages%2FOk.html"));
    }

    [Fact]
    public async Task A_template_root_can_be_configured_and_nothing_outside_it_is_a_template()
    {
        Directory.CreateDirectory(Path.Combine(_root, "Templates"));
        File.WriteAllText(Path.Combine(_root, "Templates", "T.j2"), "j2 {{ 3 }}");
        var builder = Builder();
        builder.Services.Configure<KidaViewOptions>(o => o.TemplateRoot = "Templates");
        await using var app = builder.Build();
        Map(app);
        await app.StartAsync();
        var client = app.GetTestClient();
        Assert.Equal("j2 3", await client.GetStringAsync(Query("/result", "T.j2")));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(Query("/result", "../Views/Pages/Ok.html"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(Query("/result", "Pages/Ok.html"))).StatusCode);
    }

    [Fact]
    public async Task Only_the_configured_extensions_are_templates()
    {
        var builder = Builder();
        builder.Services.Configure<KidaViewOptions>(o =>
        {
            o.TemplateExtensions.Clear();
            o.TemplateExtensions.Add(".kida");
        });
        await using var app = builder.Build();
        Map(app);
        await app.StartAsync();
        var client = app.GetTestClient();
        Assert.Equal("kida ok", await client.GetStringAsync(Query("/result", "Pages/Ok.kida")));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(Query("/result", "Pages/Ok.html"))).StatusCode);
    }
}
