using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Kida.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Razor;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Kida.AspNetCore.Tests;

/// <summary>Renders Views/Conv/{view}.html as a main view (<c>/conv?view=Name</c>) or as a partial view (<c>/conv/part</c>).</summary>
public sealed class ConvController : Controller
{
    public IActionResult Index(string view)
    {
        ViewData["Title"] = "Conventions";
        return View(view, new Dictionary<string, object?> { ["name"] = "Ada" });
    }

    public IActionResult Part(string view) => PartialView(view, "part");
}

/// <summary>A theme from the query (<c>?theme=dark</c>): looks in <c>Themes/{theme}/…</c> first, as a Kida format.</summary>
public sealed class ThemeExpander : IViewLocationExpander
{
    public void PopulateValues(ViewLocationExpanderContext context) =>
        context.Values["theme"] = context.ActionContext.HttpContext.Request.Query["theme"].FirstOrDefault();

    public IEnumerable<string> ExpandViewLocations(ViewLocationExpanderContext context, IEnumerable<string> viewLocations) =>
        context.Values.TryGetValue("theme", out var theme) && theme is not null
            ? viewLocations.Select(l => $"Themes/{theme}/{l}").Concat(viewLocations)
            : viewLocations;
}

/// <summary>A Razor-style expander (app-relative, <c>.cshtml</c>), with locations outside the root that must be dropped.</summary>
public sealed class RazorStyleMobileExpander : IViewLocationExpander
{
    public void PopulateValues(ViewLocationExpanderContext context) =>
        context.Values["mobile"] = context.ActionContext.HttpContext.Request.Headers.UserAgent.ToString().Contains("Mobile") ? "1" : "0";

    public IEnumerable<string> ExpandViewLocations(ViewLocationExpanderContext context, IEnumerable<string> viewLocations) =>
        context.Values["mobile"] == "1"
            ? new[] { "/Other/{1}/{0}.cshtml", "../{0}.html", "/Views/Mobile/{1}/{0}.cshtml", "~/Views/Mobile/Shared/{0}.cshtml" }.Concat(viewLocations)
            : viewLocations;
}

/// <summary>A singleton service an environment setup reads.</summary>
public sealed class ShopInfo
{
    public string Name { get; } = "Kida Shop <DI>";
}

/// <summary>
/// View conventions: view location expanders (Kida's and Razor's), auto-imports (<c>Views/_imports.html</c>), the default
/// layout and <c>{% extends none %}</c>, <c>asset()</c> with the file version, and the environment setup with services.
/// </summary>
public sealed class ConventionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kida-conventions-").FullName;

    public ConventionTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "Views", "Conv"));
        Directory.CreateDirectory(Path.Combine(_root, "Views", "Shared"));
        Directory.CreateDirectory(Path.Combine(_root, "wwwroot", "css"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private void Write(string path, string text)
    {
        var full = Path.Combine(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    private async Task<WebApplication> StartAsync(Action<KidaViewOptions>? kida = null, Action<IServiceCollection>? services = null,
        Action<WebApplication>? pipeline = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = _root,
            WebRootPath = Path.Combine(_root, "wwwroot"),
            EnvironmentName = "Production",
            ApplicationName = typeof(ConventionTests).Assembly.GetName().Name,
        });
        builder.WebHost.UseTestServer();
        builder.Services.AddControllersWithViews()
            .ConfigureApplicationPartManager(m =>
            {
                m.ApplicationParts.Clear();
                m.ApplicationParts.Add(new AssemblyPart(typeof(ConvController).Assembly));
            })
            .AddKida(kida);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        pipeline?.Invoke(app);
        app.MapControllerRoute("default", "{controller}/{action=Index}");
        app.MapGet("/result", () => Results.Extensions.Kida("Conv/Result.html"));
        await app.StartAsync();
        return app;
    }

    private static async Task<string> GetAsync(WebApplication app, string url, string? userAgent = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (userAgent is not null) request.Headers.UserAgent.ParseAdd(userAgent);
        var response = await app.GetTestClient().SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {response.StatusCode} {body}");
        return body;
    }

    [Fact]
    public async Task Kida_view_location_expanders_choose_the_view_and_are_part_of_the_lookup_cache()
    {
        Write("Views/Conv/Page.html", "plain");
        Write("Views/Themes/dark/Conv/Page.html", "dark");
        await using var app = await StartAsync(o => o.ViewLocationExpanders.Add(new ThemeExpander()));
        Assert.Equal("plain", await GetAsync(app, "/conv?view=Page"));
        Assert.Equal("dark", await GetAsync(app, "/conv?view=Page&theme=dark"));
        Assert.Equal("plain", await GetAsync(app, "/conv?view=Page&theme=light"));
        Assert.Equal("dark", await GetAsync(app, "/conv?view=Page&theme=dark"));
        // a theme that would leave the root only drops its own locations
        Assert.Equal("plain", await GetAsync(app, "/conv?view=Page&theme=..%2F..%2F.."));
    }

    [Fact]
    public async Task Razor_view_location_expanders_are_honoured_with_app_relative_formats_read_under_the_root()
    {
        Write("Views/Conv/Page.html", "desktop");
        Write("Views/Mobile/Conv/Page.html", "mobile");
        Write("Views/Mobile/Shared/Only.html", "mobile shared");
        Write("Other/Conv/Page.html", "SECRET outside the root");
        Write("Page.html", "SECRET above the root");
        await using var app = await StartAsync(services: s =>
            s.Configure<RazorViewEngineOptions>(o => o.ViewLocationExpanders.Add(new RazorStyleMobileExpander())));
        Assert.Equal("desktop", await GetAsync(app, "/conv?view=Page"));
        Assert.Equal("mobile", await GetAsync(app, "/conv?view=Page", "Mobile Safari"));
        Assert.Equal("mobile shared", await GetAsync(app, "/conv?view=Only", "Mobile Safari"));
    }

    [Fact]
    public async Task Macros_of_imports_html_are_seen_by_every_view_and_a_view_own_definitions_win()
    {
        Write("Views/_imports.html", "{% macro shout(x) %}{{ x|upper }}!{% endmacro %}{% def whisper(x) %}{{ x|lower }}{% end %}{% macro _private() %}p{% endmacro %}");
        Write("Views/Conv/Page.html", "{{ shout(model.name) }} {{ whisper('LOW') }} {{ _private is defined }}");
        Write("Views/Conv/Own.html", "{% macro shout(x) %}own {{ x }}{% endmacro %}{{ shout('a') }}");
        Write("Views/Conv/Child.html", "{% extends \"Shared/Base.html\" %}{% block main %}{{ shout('child') }}{% endblock %}");
        Write("Views/Shared/Base.html", "[{% block main %}{% endblock %}|{{ whisper('BASE') }}]");
        Write("Views/Conv/Part.html", "{{ shout(model) }}");
        await using var app = await StartAsync();
        Assert.Equal("ADA! low False", await GetAsync(app, "/conv?view=Page"));
        Assert.Equal("own a", await GetAsync(app, "/conv?view=Own"));
        Assert.Equal("[CHILD!|base]", await GetAsync(app, "/conv?view=Child"));
        Assert.Equal("PART!", await GetAsync(app, "/conv/part?view=Part"));
    }

    /// <summary>Counts the lookups of one file.</summary>
    private sealed class CountingProvider(Microsoft.Extensions.FileProviders.IFileProvider inner, string path) : Microsoft.Extensions.FileProviders.IFileProvider
    {
        public int Lookups;

        public Microsoft.Extensions.FileProviders.IFileInfo GetFileInfo(string subpath)
        {
            if (subpath.TrimStart('/') == path) Interlocked.Increment(ref Lookups);
            return inner.GetFileInfo(subpath);
        }

        public Microsoft.Extensions.FileProviders.IDirectoryContents GetDirectoryContents(string subpath) => inner.GetDirectoryContents(subpath);

        public Microsoft.Extensions.Primitives.IChangeToken Watch(string filter) => inner.Watch(filter);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_missing_imports_html_is_not_looked_for_on_every_render_and_is_seen_once_created_with_auto_reload(bool autoReload)
    {
        Write("Views/Conv/Page.html", "{{ shout is defined }}");
        var files = new CountingProvider(new Microsoft.Extensions.FileProviders.PhysicalFileProvider(_root), "Views/_imports.html");
        await using var app = await StartAsync(o =>
        {
            o.FileProvider = files;
            o.AutoReload = autoReload;
        });
        for (var i = 0; i < 5; i++) Assert.Equal("False", await GetAsync(app, "/conv?view=Page"));
        Assert.InRange(files.Lookups, 1, 2);
        if (!autoReload) return;
        Write("Views/_imports.html", "{% macro shout(x) %}{{ x }}!{% endmacro %}");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        string page;
        do
        {
            await Task.Delay(200);
            page = await GetAsync(app, "/conv?view=Page");
        } while (page != "True" && DateTime.UtcNow < deadline);
        Assert.Equal("True", page);
    }

    [Fact]
    public async Task AutoImports_lists_other_templates_missing_ones_are_skipped_and_errors_keep_the_view_name_and_line()
    {
        Write("Views/Shared/_helpers.html", "{% macro star(x) %}*{{ x }}*{% endmacro %}");
        Write("Views/Conv/Page.html", "{{ star(model.name) }}");
        Write("Views/Conv/Broken.html", "{{ star('ok') }}\n{{ model.nope.deeper }}");
        await using var app = await StartAsync(o =>
        {
            o.AutoImports.Clear();
            o.AutoImports.Add("Shared/_helpers.html");
            o.AutoImports.Add("Shared/_missing.html");
        });
        Assert.Equal("*Ada*", await GetAsync(app, "/conv?view=Page"));
        var errors = new ConcurrentQueue<Exception>();
        await using var failing = await StartAsync(o =>
        {
            o.AutoImports.Clear();
            o.AutoImports.Add("Shared/_helpers.html");
        }, pipeline: a => a.Use(async (context, next) =>
        {
            try { await next(context); }
            catch (Exception ex) { errors.Enqueue(ex); context.Response.StatusCode = 500; }
        }));
        await failing.GetTestClient().GetAsync("/conv?view=Broken");
        var error = Assert.IsAssignableFrom<TemplateException>(Assert.Single(errors));
        Assert.Equal(("Conv/Broken.html", 2), (error.TemplateName, error.Line));
    }

    [Fact]
    public async Task Default_layout_wraps_main_views_that_extend_nothing_unless_they_say_extends_none()
    {
        Write("Views/Shared/Layout.html", "<title>{{ title }}</title><main>{{ body }}</main>");
        Write("Views/Shared/Other.html", "<other>{% block main %}{% endblock %}</other>");
        Write("Views/Conv/Page.html", "<p>{{ model.name }} & co</p>");
        Write("Views/Conv/Standalone.html", "{% extends none %}<p>alone</p>");
        Write("Views/Conv/Extends.html", "{% extends \"Shared/Other.html\" %}{% block main %}x{% endblock %}");
        Write("Views/Conv/Part.html", "<i>{{ model }}</i>");
        Write("Views/Conv/WithComponent.html", "<p>{{ partial(\"Conv/Part.html\", \"inner\") }}</p>");
        await using var app = await StartAsync(o => o.DefaultLayout = "Shared/Layout.html");
        Assert.Equal("<title>Conventions</title><main><p>Ada & co</p></main>", await GetAsync(app, "/conv?view=Page"));
        Assert.Equal("<p>alone</p>", await GetAsync(app, "/conv?view=Standalone"));
        Assert.Equal("<other>x</other>", await GetAsync(app, "/conv?view=Extends"));
        Assert.Equal("<i>part</i>", await GetAsync(app, "/conv/part?view=Part"));
        // placeholders of the view's partials are spliced inside the layout
        Assert.Equal("<title>Conventions</title><main><p><i>inner</i></p></main>", await GetAsync(app, "/conv?view=WithComponent"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Extends_none_renders_the_template_on_its_own(bool interpreted)
    {
        var env = new KidaEnvironment(new KidaOptions { PreferInterpretation = interpreted });
        Assert.Equal("x{{y}}", env.FromString("{% extends none %}x{{ '{{y}}' }}").Render());
        Assert.Equal("a-b", env.FromString("a{%- extends None -%}-b").Render());
    }

    [Fact]
    public async Task Asset_appends_the_file_version_of_web_root_files_only()
    {
        Write("wwwroot/css/site.css", "body { color: teal; }");
        Write("secret.txt", "SECRET");
        var hash = WebEncoders(SHA256.HashData(File.ReadAllBytes(Path.Combine(_root, "wwwroot", "css", "site.css"))));
        Write("Views/Conv/Page.html", string.Join("|",
            "{{ asset('~/css/site.css') }}", "{{ asset('/css/site.css') }}", "{{ asset('~/css/missing.css') }}",
            "{{ asset('~/../secret.txt') }}", "{{ asset('https://cdn.example/x.css') }}", "{{ asset('~/css/site.css?x=1&y=2') }}",
            "<a href=\"{{ asset('~/css/site.css') }}\">"));
        await using var app = await StartAsync(pipeline: a => a.UsePathBase("/shop"));
        var parts = (await GetAsync(app, "/shop/conv?view=Page")).Split('|');
        Assert.Equal(
        [
            $"/shop/css/site.css?v={hash}", $"/css/site.css?v={hash}", "/shop/css/missing.css", "/shop/../secret.txt",
            "https://cdn.example/x.css", $"/shop/css/site.css?x=1&amp;y=2&amp;v={hash}", $"<a href=\"/shop/css/site.css?v={hash}\">",
        ], parts);
    }

    private static string WebEncoders(byte[] bytes) => Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(bytes);

    [Fact]
    public async Task Environment_setup_with_services_gets_the_application_services()
    {
        Write("Views/Conv/Page.html", "{{ shop_name }}");
        IServiceProvider? seen = null;
        await using var app = await StartAsync(
            o => o.EnvironmentSetupWithServices.Add((env, services) =>
            {
                seen = services;
                env.AddGlobal("shop_name", services.GetRequiredService<ShopInfo>().Name);
            }),
            services: s => s.AddSingleton<ShopInfo>());
        Assert.Equal("Kida Shop &lt;DI&gt;", await GetAsync(app, "/conv?view=Page"));
        Assert.NotNull(seen);
    }
}
