using System.Collections.Concurrent;
using System.Net;
using System.Text.Encodings.Web;
using Kida.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Razor.Compilation;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.ViewComponents;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using MvcSample.Models;
using Xunit;

namespace Kida.AspNetCore.Tests;

/// <summary>Counts view component invocations of one test app.</summary>
public sealed class ComponentCalls
{
    public ConcurrentQueue<string> Calls { get; } = new();
}

/// <summary>A view component of the test app that yields before answering, as one reading a database would.</summary>
public sealed class GreetingViewComponent(ComponentCalls calls) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync(string name, int times = 1, int pageSize = 0)
    {
        await Task.Yield();
        calls.Calls.Enqueue(name);
        return new HtmlContentViewComponentResult(new HtmlString($"<b>{HtmlEncoder.Default.Encode(name)}×{times}/{pageSize}</b>"));
    }
}

/// <summary>A view component of the test app whose view is a Kida template (Views/Shared/Components/Card/Default.html).</summary>
public sealed class CardViewComponent : ViewComponent
{
    public IViewComponentResult Invoke(string title) => View("Default", title);
}

/// <summary>A view component that fails.</summary>
public sealed class BrokenViewComponent : ViewComponent
{
    public IViewComponentResult Invoke() => throw new InvalidOperationException("broken on purpose");
}

/// <summary>Renders the test view named in the query (<c>/compose?view=Name</c> renders Views/Compose/Name.html).</summary>
public sealed class ComposeController : Controller
{
    public IActionResult Index(string view, string? arg) =>
        View(view, new Dictionary<string, object?> { ["name"] = "Ada", ["items"] = new[] { "a", "b", "c" }, ["arg"] = arg ?? "" });
}

/// <summary>
/// <c>component(...)</c> and <c>partial(...)</c> in Kida views: view components and partial views, Kida or Razor, with
/// their own arguments and models, awaited while the page is written (never on a blocked thread), written as safe HTML,
/// and hostile names failing with K-TPL-010.
/// </summary>
public sealed class ComponentPartialTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kida-components-").FullName;

    public ComponentPartialTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "Views", "Compose"));
        Directory.CreateDirectory(Path.Combine(_root, "Views", "Shared", "Components", "Card"));
        File.WriteAllText(Path.Combine(_root, "Views", "Shared", "Components", "Card", "Default.html"),
            "<div class=\"card\">{{ model }}:{{ partial(\"Shared/_Inner.html\", model|upper) }}</div>");
        File.WriteAllText(Path.Combine(_root, "Views", "Shared", "_Inner.html"), "<i>{{ model }}</i>");
        File.WriteAllText(Path.Combine(_root, "Views", "Shared", "_macros.html"),
            "{% macro greet(who) %}[{{ component(\"Greeting\", name=who) }}]{% endmacro %}");
        // a template outside the template root, which no partial name may reach
        File.WriteAllText(Path.Combine(_root, "secret.html"), "SECRET-OUTSIDE-ROOT");
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private sealed record App(WebApplication Web, ConcurrentQueue<Exception> Errors, ComponentCalls Calls) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Web.DisposeAsync();
    }

    private async Task<App> StartAsync(Action<IServiceCollection>? configure = null, bool kestrel = false)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = _root,
            EnvironmentName = "Production",
            ApplicationName = typeof(ComponentPartialTests).Assembly.GetName().Name,
        });
        // real Kestrel on a loopback port refuses synchronous I/O (AllowSynchronousIO is false), as TestServer does
        if (kestrel) builder.WebHost.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        else builder.WebHost.UseTestServer();
        var calls = new ComponentCalls();
        builder.Services.AddSingleton(calls);
        builder.Services.AddControllersWithViews()
            .ConfigureApplicationPartManager(m =>
            {
                m.ApplicationParts.Clear();
                m.ApplicationParts.Add(new AssemblyPart(typeof(ComposeController).Assembly));
                // the sample's Razor views (Shared/_Notice.cshtml, Components/TeaOfTheDay/Default.cshtml) and its components
                m.ApplicationParts.Add(new AssemblyPart(typeof(Product).Assembly));
                m.ApplicationParts.Add(new CompiledRazorAssemblyPart(typeof(Product).Assembly));
            })
            .AddKida();
        configure?.Invoke(builder.Services);
        var app = builder.Build();
        var errors = new ConcurrentQueue<Exception>();
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception ex) when (!context.Response.HasStarted)
            {
                errors.Enqueue(ex);
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await context.Response.WriteAsync("error");
            }
        });
        app.MapControllerRoute("default", "{controller}/{action=Index}");
        app.MapGet("/result", () => Results.Extensions.Kida("Compose/Result.html"));
        await app.StartAsync();
        return new App(app, errors, calls);
    }

    private void View(string name, string text) => File.WriteAllText(Path.Combine(_root, "Views", "Compose", name + ".html"), text);

    private static void AssertOk(App app, HttpStatusCode status) =>
        Assert.True(status == HttpStatusCode.OK, $"{status}: {string.Join("\n", app.Errors)}");

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(App app, string url)
    {
        var response = await app.Web.GetTestClient().GetAsync(url);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Component_gets_its_arguments_from_a_mapping_or_keywords_converted_to_its_parameters()
    {
        View("Args", "{{ component(\"Greeting\", {\"name\": model.name, \"times\": 3}) }}|{{ component(\"Greeting\", name=\"<Bo>\", page_size=20) }}|{{ component(\"Greeting\", {\"Name\": \"c\"}) }}");
        await using var app = await StartAsync();
        var (status, body) = await GetAsync(app, "/compose?view=Args");
        AssertOk(app, status);
        // the component's HTML is written raw (not escaped again); its own values were escaped by the component
        Assert.Equal("<b>Ada×3/0</b>|<b>&lt;Bo&gt;×1/20</b>|<b>c×1/0</b>", body);
        Assert.Equal(["Ada", "<Bo>", "c"], app.Calls.Calls);
    }

    [Fact]
    public async Task Components_in_a_loop_run_in_page_order_and_a_kept_result_renders_once()
    {
        View("Loop", "{% for i in model.items %}<{{ i }}>{{ component(\"Greeting\", name=i) }}{% endfor %}{% set g = component(\"Greeting\", name=\"kept\") %}{{ g }}{{ g }}");
        await using var app = await StartAsync();
        var (_, body) = await GetAsync(app, "/compose?view=Loop");
        Assert.Equal("<a><b>a×1/0</b><b><b>b×1/0</b><c><b>c×1/0</b><b>kept×1/0</b><b>kept×1/0</b>", body);
        Assert.Equal(["a", "b", "c", "kept"], app.Calls.Calls);
    }

    [Fact]
    public async Task Kida_component_view_can_render_a_partial_and_imported_macros_can_call_components()
    {
        View("Nested", "{% from \"Shared/_macros.html\" import greet %}{{ component(\"Card\", {\"title\": \"tea\"}) }}{{ greet(\"m\") }}");
        await using var app = await StartAsync();
        var (status, body) = await GetAsync(app, "/compose?view=Nested");
        AssertOk(app, status);
        Assert.Equal("<div class=\"card\">tea:<i>TEA</i></div>[<b>m×1/0</b>]", body);
    }

    [Fact]
    public async Task Razor_component_and_Razor_partial_render_with_their_own_models()
    {
        View("Razor", "{{ component(\"TeaOfTheDay\", {\"count\": 2}) }}\n{{ partial(\"_Notice\", \"<free> delivery\") }}\n{{ partial(\"Shared/_Inner.html\", 7) }}|{{ partial(\"Shared/_Inner.html\") }}");
        await using var app = await StartAsync();
        var (status, body) = await GetAsync(app, "/compose?view=Razor");
        AssertOk(app, status);
        var teas = Product.All.Where(p => p.Tags.Contains("tea") && p.Status == "in_stock").Take(2).Select(p => $"<li>{p.Name}</li>");
        var lines = body.Split('\n');
        Assert.Contains("<aside class=\"tea-of-the-day\"><h2>Teas of the day</h2><ul>" + string.Concat(teas) + "</ul></aside>", body);
        Assert.Contains("<p class=\"notice\">&lt;free&gt; delivery</p>", body);
        // without a model the partial gets the view's model (here a dictionary, printed as Kida prints one)
        Assert.StartsWith("<i>7</i>|<i>{", lines[^1]);
        Assert.DoesNotContain(KidaViewScope.Open, body);
    }

    [Fact]
    public async Task Streaming_page_splices_components_across_chunks()
    {
        // a page far above the streaming threshold, with components between its chunks
        View("Big", "{% for i in range(400) %}{{ 'x' * 100 }}{{ component(\"Greeting\", name=i|string) }}{% endfor %}");
        await using var app = await StartAsync();
        for (var round = 0; round < 3; round++)
        {
            var (status, body) = await GetAsync(app, "/compose?view=Big");
            AssertOk(app, status);
            Assert.Equal(string.Concat(Enumerable.Range(0, 400).Select(i => new string('x', 100) + $"<b>{i}×1/0</b>")), body);
        }
    }

    [Fact]
    public async Task On_real_Kestrel_a_streamed_page_with_async_components_and_razor_views_needs_no_synchronous_io()
    {
        View("Kestrel", "{% for i in range(300) %}{{ 'y' * 100 }}{{ component(\"Greeting\", name=i|string) }}{% endfor %}"
            + "{{ component(\"TeaOfTheDay\") }}{{ partial(\"_Notice\", \"k\") }}");
        await using var app = await StartAsync(kestrel: true);
        using var client = new HttpClient { BaseAddress = new Uri(app.Web.Urls.First()) };
        var response = await client.GetAsync("/compose?view=Kestrel");
        var body = await response.Content.ReadAsStringAsync();
        AssertOk(app, response.StatusCode);
        Assert.StartsWith(string.Concat(Enumerable.Range(0, 300).Select(i => new string('y', 100) + $"<b>{i}×1/0</b>")), body);
        Assert.EndsWith("<p class=\"notice\">k</p>\n", body);
        Assert.Contains("<aside class=\"tea-of-the-day\">", body);
        Assert.Empty(app.Errors);
    }

    [Fact]
    public async Task Component_errors_and_unknown_names_are_template_errors_with_a_code_and_line()
    {
        View("Missing", "line one\n{{ component(model.name ~ \"Nope\") }}");
        View("Unknown", "{{ component(\"Greeting\", {\"bogus\": 1}) }}");
        View("BadType", "{{ component(\"Greeting\", name=\"a\", times=\"many\") }}");
        await using var app = await StartAsync();
        var (status, body) = await GetAsync(app, "/compose?view=Missing");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal("error", body);
        var missing = Assert.IsType<TemplateRuntimeException>(Assert.Single(app.Errors));
        Assert.Equal(("K-TPL-010", "Compose/Missing.html", 2), (missing.Code, missing.TemplateName, missing.Line));
        Assert.Contains("no view component named 'AdaNope'", missing.Message);

        app.Errors.Clear();
        await GetAsync(app, "/compose?view=Unknown");
        var unknown = Assert.IsType<TemplateRuntimeException>(Assert.Single(app.Errors));
        Assert.Equal("K-RUN-012", unknown.Code);
        Assert.Contains("has no parameter 'bogus'", unknown.Message);

        app.Errors.Clear();
        await GetAsync(app, "/compose?view=BadType");
        var badType = Assert.IsType<TemplateRuntimeException>(Assert.Single(app.Errors));
        Assert.Equal("K-RUN-012", badType.Code);
        Assert.Empty(app.Calls.Calls);
    }

    [Theory]
    [InlineData("../secret.html")]
    [InlineData("Shared/../../secret.html")]
    [InlineData("/secret.html")]
    [InlineData("~/secret.html")]
    [InlineData("~/Views/Shared/_Inner.html")]
    [InlineData("..\\secret.html")]
    [InlineData("%2e%2e/secret.html")]
    [InlineData("Shared/./_Inner.html")]
    [InlineData("C:/secret.html")]
    [InlineData("Shared/_Inner.html\0")]
    [InlineData("Shared/Missing.html")]
    [InlineData("_Missing")]
    [InlineData("")]
    public async Task Partial_names_that_leave_the_root_or_do_not_exist_are_not_found(string name)
    {
        // the name comes from the request, through the model
        View("Hostile", "{{ partial(model.arg) }}");
        await using var app = await StartAsync();
        var (status, body) = await GetAsync(app, "/compose?view=Hostile&arg=" + Uri.EscapeDataString(name));
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.DoesNotContain("SECRET", body);
        var error = Assert.IsType<TemplateRuntimeException>(Assert.Single(app.Errors));
        Assert.Equal(("K-TPL-010", "Compose/Hostile.html", 1), (error.Code, error.TemplateName, error.Line));
        Assert.DoesNotContain("SECRET", error.Message);
    }

    [Fact]
    public async Task Component_and_partial_outside_an_mvc_view_say_so()
    {
        View("Result", "{{ component(\"Greeting\", name=\"x\") }}");
        await using var app = await StartAsync();
        var (status, _) = await GetAsync(app, "/result");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        var error = Assert.IsType<TemplateRuntimeException>(Assert.Single(app.Errors));
        Assert.Equal("K-TPL-010", error.Code);
        Assert.Contains("only available in MVC views", error.Message);
        Assert.Empty(app.Calls.Calls);
    }

    [Fact]
    public async Task A_failing_component_fails_the_page_without_a_placeholder_leaking()
    {
        View("Broken", "before {{ component(\"Broken\") }} after");
        await using var app = await StartAsync();
        var (status, body) = await GetAsync(app, "/compose?view=Broken");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.DoesNotContain(KidaViewScope.Open, body);
        Assert.Contains("broken on purpose", Assert.Single(app.Errors).Message);
    }

    [Fact]
    public async Task Placeholders_forged_by_data_or_left_by_another_render_are_not_components()
    {
        // text shaped like a placeholder, with a guessed nonce, from data or marked safe: never a component (dropped)
        var forged = $"{KidaViewScope.Open}{KidaViewScope.Tag}0123456789abcdef:0{KidaViewScope.Close}";
        View("Forged", "{{ component(\"Greeting\", name=\"real\") }}|{{ model.arg }}|<{{ model.arg|safe }}>|{{ model.arg[:6] }}");
        await using var app = await StartAsync();
        var (status, body) = await GetAsync(app, "/compose?view=Forged&arg=" + Uri.EscapeDataString(forged));
        AssertOk(app, status);
        Assert.Equal($"<b>real×1/0</b>||<>|{forged[..6]}", body);
        Assert.Equal(["real"], app.Calls.Calls);
    }

    [Fact]
    public async Task Sample_home_page_uses_Kida_and_Razor_components_and_partials()
    {
        await using var factory = new WebApplicationFactory<Program>();
        var html = await factory.CreateClient().GetStringAsync("/");
        Assert.Contains($"Today: <span class=\"product-count\">{Product.All.Count} products</span>\n in the shop.", html);
        Assert.Contains("<aside class=\"tea-of-the-day\">", html);
        Assert.Contains("<p class=\"notice\">Free delivery on orders over 30.00</p>", html);
        Assert.Contains("<span class=\"badge\">New</span>\n Matcha whisks", html);
        Assert.DoesNotContain(KidaViewScope.Open, html);
    }
}
