using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Kida.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Xunit;

namespace Kida.AspNetCore.Tests;

/// <summary>Renders Views/Loc/{view}.html (<c>/loc?view=Name</c>).</summary>
public sealed class LocController : Controller
{
    public IActionResult Index(string view) => View(view, new Dictionary<string, object?> { ["name"] = "<Ada>", ["n"] = 3 });
}

/// <summary>The shared resource of the test app.</summary>
public sealed class TestSharedResource;

/// <summary>
/// Localizers over in-memory tables: resource base name → culture name → key → text. Records every resource created.
/// </summary>
public sealed class TableLocalizerFactory : IStringLocalizerFactory
{
    public Dictionary<string, Dictionary<string, Dictionary<string, string>>> Tables { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Created { get; } = new();

    public IStringLocalizer Create(Type resourceSource) => Create(resourceSource.FullName!, "");

    public IStringLocalizer Create(string baseName, string location)
    {
        Created.Enqueue(location.Length == 0 ? baseName : $"{baseName} in {location}");
        return new Localizer(Tables.GetValueOrDefault(baseName));
    }

    private sealed class Localizer(Dictionary<string, Dictionary<string, string>>? table) : IStringLocalizer
    {
        public LocalizedString this[string name] =>
            table?.GetValueOrDefault(CultureInfo.CurrentUICulture.Name)?.GetValueOrDefault(name) is { } text
                ? new LocalizedString(name, text)
                : new LocalizedString(name, name, resourceNotFound: true);

        public LocalizedString this[string name, params object[] arguments] => this[name];

        public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) => [];
    }
}

/// <summary>
/// <c>_()</c>, <c>_n()</c>, <c>{% trans %}</c> and <c>{% plural %}</c> through <see cref="IStringLocalizer"/>: the view's
/// own resource, then the shared one, in the request culture set by <c>RequestLocalizationMiddleware</c>.
/// </summary>
public sealed class LocalizationTests : IDisposable
{
    private const string App = "Kida.AspNetCore.Tests";
    private readonly string _root = Directory.CreateTempSubdirectory("kida-localization-").FullName;
    private readonly TableLocalizerFactory _factory = new();

    public LocalizationTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "Views", "Loc"));
        _factory.Tables[$"{App}.Views.Loc.Page"] = new()
        {
            ["fr"] = new()
            {
                ["Hello"] = "Bonjour",
                ["Hello %(name)s!"] = "Bonjour %(name)s !",
                ["One tea"] = "Un thé",
                ["%(count)s teas"] = "%(count)s thés",
                ["Markup"] = "<b>gras</b>",
                ["Both"] = "from the view",
            },
        };
        _factory.Tables[typeof(TestSharedResource).FullName!] = new()
        {
            ["fr"] = new() { ["Shop"] = "Boutique", ["Both"] = "from the shared resource", ["Layout"] = "Mise en page" },
        };
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private void View(string name, string text) => File.WriteAllText(Path.Combine(_root, "Views", "Loc", name + ".html"), text);

    private async Task<WebApplication> StartAsync(bool localization = true, Action<KidaViewOptions>? kida = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = _root,
            EnvironmentName = "Production",
            ApplicationName = App,
        });
        builder.WebHost.UseTestServer();
        builder.Services.AddControllersWithViews()
            .ConfigureApplicationPartManager(m =>
            {
                m.ApplicationParts.Clear();
                m.ApplicationParts.Add(new AssemblyPart(typeof(LocController).Assembly));
            })
            .AddKida(o =>
            {
                o.SharedResource = typeof(TestSharedResource);
                kida?.Invoke(o);
            });
        if (localization)
        {
            builder.Services.AddLocalization();
            builder.Services.AddSingleton<IStringLocalizerFactory>(_factory);
        }
        var app = builder.Build();
        if (localization)
            app.UseRequestLocalization(o => o.SetDefaultCulture("en").AddSupportedCultures("en", "fr").AddSupportedUICultures("en", "fr"));
        app.MapControllerRoute("default", "{controller}/{action=Index}");
        app.MapGet("/result", () => Results.Extensions.Kida("Loc/Page.html", new { name = "<Ada>", n = 1 }));
        await app.StartAsync();
        return app;
    }

    private static async Task<string> GetAsync(WebApplication app, string url)
    {
        var response = await app.GetTestClient().GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {response.StatusCode} {body}");
        return body;
    }

    private const string Messages =
        "{{ _('Hello') }}|{{ gettext('Shop') }}|{{ _('Missing <x>') }}|{{ _('Markup') }}|{{ _('Both') }}|" +
        "{% trans name=model.name %}Hello {{ name }}!{% endtrans %}|" +
        "{% trans count=model.n %}One tea{% plural %}{{ count }} teas{% endtrans %}|{{ _n('One tea', '%(count)s teas', 1) }}|" +
        "{{ ngettext('One tea', '%(count)s teas', 2) }}|{{ current_culture() }}";

    [Fact]
    public async Task Messages_are_translated_from_the_view_resource_then_the_shared_one_in_the_request_culture()
    {
        View("Page", Messages);
        await using var app = await StartAsync();
        Assert.Equal(
            "Bonjour|Boutique|Missing &lt;x&gt;|&lt;b&gt;gras&lt;/b&gt;|from the view|Bonjour &lt;Ada&gt; !|3 thés|Un thé|%(count)s thés|fr",
            await GetAsync(app, "/loc?view=Page&culture=fr"));
        // the default culture has no table: every message is itself
        Assert.Equal(
            "Hello|Shop|Missing &lt;x&gt;|Markup|Both|Hello &lt;Ada&gt;!|3 teas|One tea|%(count)s teas|en",
            await GetAsync(app, "/loc?view=Page"));
        // the culture cookie RequestLocalizationMiddleware reads
        var request = new HttpRequestMessage(HttpMethod.Get, "/loc?view=Page");
        request.Headers.Add("Cookie", $"{CookieRequestCultureProvider.DefaultCookieName}={Uri.EscapeDataString(CookieRequestCultureProvider.MakeCookieValue(new RequestCulture("fr")))}");
        Assert.StartsWith("Bonjour|Boutique|", await (await app.GetTestClient().SendAsync(request)).Content.ReadAsStringAsync());
        Assert.Contains($"{App}.Views.Loc.Page in {App}", _factory.Created);
    }

    [Fact]
    public async Task Each_view_has_its_own_resource_and_a_result_outside_views_uses_the_shared_one()
    {
        View("Other", "{{ _('Hello') }}|{{ _('Shop') }}|{{ _('Both') }}");
        View("Page", "{{ _('Hello') }}|{{ _('Shop') }}|{{ _('Both') }}");
        await using var app = await StartAsync();
        Assert.Equal("Hello|Boutique|from the shared resource", await GetAsync(app, "/loc?view=Other&culture=fr"));
        Assert.Equal("Hello|Boutique|from the shared resource", await GetAsync(app, "/result?culture=fr"));
        Assert.Equal("Bonjour|Boutique|from the view", await GetAsync(app, "/loc?view=Page&culture=fr"));
    }

    [Fact]
    public async Task The_default_layout_renders_with_the_view_culture_and_shared_messages()
    {
        Directory.CreateDirectory(Path.Combine(_root, "Views", "Shared"));
        File.WriteAllText(Path.Combine(_root, "Views", "Shared", "Layout.html"), "<h1>{{ _('Layout') }}</h1>{{ body }}");
        View("Page", "{{ _('Hello') }}");
        await using var app = await StartAsync(kida: o => o.DefaultLayout = "Shared/Layout.html");
        Assert.Equal("<h1>Mise en page</h1>Bonjour", await GetAsync(app, "/loc?view=Page&culture=fr"));
    }

    [Fact]
    public async Task Without_AddLocalization_the_gettext_globals_are_the_identity()
    {
        View("Page", Messages);
        await using var app = await StartAsync(localization: false);
        Assert.Equal(
            $"Hello|Shop|Missing &lt;x&gt;|Markup|Both|Hello &lt;Ada&gt;!|3 teas|One tea|%(count)s teas|{CultureInfo.CurrentUICulture.Name}",
            await GetAsync(app, "/loc?view=Page&culture=fr"));
    }
}

/// <summary>The sample in French: resource files per view and shared, the culture switch and its cookie.</summary>
public sealed class SampleLocalizationTests(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> factory)
    : IClassFixture<Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>>
{
    private static string CultureCookie(string culture) =>
        $"{CookieRequestCultureProvider.DefaultCookieName}={Uri.EscapeDataString(CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)))}";

    private async Task<string> GetAsync(string url, string? culture)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (culture is not null) request.Headers.Add("Cookie", CultureCookie(culture));
        var response = await factory.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task Home_page_in_French_from_its_own_resources_the_shared_ones_and_its_component_resources()
    {
        var html = await GetAsync("/", "fr");
        Assert.Contains("<html lang=\"fr\">", html);
        Assert.Contains("<a href=\"/\" aria-current=\"page\">Accueil</a>", html);
        Assert.Contains("<strong lang=\"fr\">Français</strong>", html);
        Assert.Contains("<a href=\"/culture/en?return_url=/\" hreflang=\"en\" lang=\"en\">English</a>", html);
        // Views/Home/Index.html's own messages, with a component's HTML as a trans value (its own resource: ProductCount)
        Assert.Contains("Aujourd’hui : <span class=\"product-count\">12 produits</span>", html);
        Assert.Contains("<h2>À la une</h2>", html);
        Assert.Contains("Une application d’exemple rendue par Kida pour .NET", html);
        var english = await GetAsync("/", null);
        Assert.Contains("<html lang=\"en\">", english);
        Assert.Contains("Today: <span class=\"product-count\">12 products</span>", english);
        Assert.Contains("<h2>Featured</h2>", english);
    }

    [Fact]
    public async Task Plural_messages_and_pages_outside_mvc_views_are_translated()
    {
        Assert.Contains("<p class=\"muted\">12 produits · page 2 sur 3</p>", await GetAsync("/products?page=2", "fr"));
        Assert.Contains("<p class=\"muted\">12 products · page 2 of 3</p>", await GetAsync("/products?page=2", null));
        // a KidaResult page reads the shared resource
        Assert.Contains("<a href=\"/products\">Produits</a>", await GetAsync("/hello", "fr"));
        Assert.Contains("<a href=\"/products\">Produits</a>", await GetAsync("/hello?culture=fr", null));
    }

    [Theory]
    [InlineData("/products", "/products")]
    [InlineData("", "/")]
    [InlineData("//evil.example/x", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    public async Task Culture_switch_stores_the_cookie_and_returns_to_a_local_address_only(string returnUrl, string location)
    {
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await client.GetAsync("/culture/fr?return_url=" + Uri.EscapeDataString(returnUrl));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(location, response.Headers.Location?.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(CultureCookie("fr") + ";", cookie);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/culture/de")).StatusCode);
    }
}
