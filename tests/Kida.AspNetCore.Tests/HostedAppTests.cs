using System.Net;
using Kida.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Razor;
using Microsoft.AspNetCore.Mvc.ViewEngines;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Kida.AspNetCore.Tests;

/// <summary>
/// Counts how far a template got through a long lazy sequence; the sequence aborts the request (cancels
/// <see cref="HttpContext.RequestAborted"/>) once <see cref="CancelAfter"/> items have been produced.
/// </summary>
public sealed class AbortProbe
{
    public const int CancelAfter = 100;
    public const int Length = 1_000_000;

    private int _produced;

    public int Produced => Volatile.Read(ref _produced);

    public IEnumerable<object?> Sequence(HttpContext context)
    {
        var abort = (CancellationTokenSource)context.Items[typeof(CancellationTokenSource)]!;
        for (var i = 0; i < Length; i++)
        {
            if (Interlocked.Increment(ref _produced) == CancelAfter) abort.Cancel();
            yield return i;
        }
    }
}

/// <summary>An MVC controller of the test app (not part of the sample).</summary>
public sealed class AbortController(AbortProbe probe) : Controller
{
    public IActionResult Index() => View(probe.Sequence(HttpContext));
}

/// <summary>An MVC controller of the test app showing what templates see.</summary>
public sealed class ContextController : Controller
{
    public IActionResult Index()
    {
        TempData["flash"] = "saved <ok>";
        ViewData["Title"] = "Context & more";
        ViewData["Raw"] = new Microsoft.AspNetCore.Html.HtmlString("<b>raw</b>");
        ViewData["Plain"] = "<b>plain</b>";
        ModelState.AddModelError("Name", "Name <required>");
        return View(new { Name = "Ada" });
    }
}

/// <summary>Apps built in the test (TestServer), for behaviour the sample has no route for.</summary>
public sealed class HostedAppTests : IDisposable
{
    private const string LoopTemplate = "{% for x in model %}<i>{{ x }}</i>{% endfor %}";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "kida-hosted-" + Guid.NewGuid().ToString("N"));

    public HostedAppTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "Views", "Abort"));
        File.WriteAllText(Path.Combine(_root, "Views", "Abort", "Index.html"), LoopTemplate);
        Directory.CreateDirectory(Path.Combine(_root, "Views", "Pages"));
        File.WriteAllText(Path.Combine(_root, "Views", "Pages", "Hi.html"), "<p>Hi {{ model }}</p>");
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private WebApplicationBuilder Builder()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = _root,
            EnvironmentName = "Production",
            ApplicationName = typeof(HostedAppTests).Assembly.GetName().Name,
        });
        builder.WebHost.UseTestServer();
        return builder;
    }

    private async Task<WebApplication> StartAbortAppAsync()
    {
        var builder = Builder();
        builder.Services.AddSingleton<AbortProbe>();
        builder.Services.AddControllersWithViews()
            .ConfigureApplicationPartManager(m =>
            {
                m.ApplicationParts.Clear();
                m.ApplicationParts.Add(new AssemblyPart(typeof(AbortController).Assembly));
            })
            .AddKida();
        var app = builder.Build();
        // the request is "aborted" by the template's own model: RequestAborted is a token the sequence cancels
        app.Use(async (context, next) =>
        {
            using var abort = new CancellationTokenSource();
            context.RequestAborted = abort.Token;
            context.Items[typeof(CancellationTokenSource)] = abort;
            await next(context);
        });
        app.MapControllerRoute("default", "{controller}/{action=Index}");
        app.MapGet("/result", (HttpContext context, AbortProbe probe) =>
            Results.Extensions.Kida("Abort/Index.html", new { model = probe.Sequence(context) }));
        await app.StartAsync();
        return app;
    }

    [Fact]
    public async Task Mvc_views_see_model_view_data_temp_data_model_state_request_and_user()
    {
        Directory.CreateDirectory(Path.Combine(_root, "Views", "Context"));
        File.WriteAllText(Path.Combine(_root, "Views", "Context", "Index.html"), string.Join("\n",
            "model={{ model.name }}", "title={{ title }}|{{ Title }}", "raw={{ raw }}", "plain={{ plain }}",
            "flash={{ temp_data['flash'] }}", "state={{ model_state['Name'].errors[0].error_message }}", "error={{ errors['Name'][0] }}",
            "valid={{ model_state.is_valid }} count={{ model_state.error_count }} name={{ model_state.errors('Name')|join }} nope={{ model_state.errors('Nope')|length }} all={{ model_state.errors()|length }}",
            "fields={{ model_state|length }} {{ 'Name' in model_state }} {{ 'Nope' in model_state }} {{ model_state.keys()|join }} {{ model_state.get('Name').errors|length }}",
            "path={{ request.path }}", "request={{ request.method }} {{ request.query_string }} {{ request.headers['X-Test'] }}", "user={{ user.identity.name }}"));
        var builder = Builder();
        builder.Services.AddControllersWithViews()
            .ConfigureApplicationPartManager(m =>
            {
                m.ApplicationParts.Clear();
                m.ApplicationParts.Add(new AssemblyPart(typeof(ContextController).Assembly));
            })
            .AddKida();
        await using var app = builder.Build();
        app.Use((context, next) =>
        {
            context.User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
                [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Name, "ada<admin>")], "test"));
            return next(context);
        });
        app.MapControllerRoute("default", "{controller}/{action=Index}");
        await app.StartAsync();

        var request = new HttpRequestMessage(HttpMethod.Get, "/context?q=%3Cq%3E");
        request.Headers.Add("X-Test", "<h>");
        var response = await app.GetTestClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');
        Assert.Equal(
        [
            "model=Ada", "title=Context &amp; more|Context &amp; more", "raw=<b>raw</b>", "plain=&lt;b&gt;plain&lt;/b&gt;",
            "flash=saved &lt;ok&gt;", "state=Name &lt;required&gt;", "error=Name &lt;required&gt;",
            "valid=False count=1 name=Name &lt;required&gt; nope=0 all=1", "fields=1 True False Name 1",
            "path=/context", "request=GET ?q=%3Cq%3E &lt;h&gt;", "user=ada&lt;admin&gt;",
        ], lines);
    }

    [Theory]
    [InlineData("/abort")]
    [InlineData("/result")]
    public async Task Aborted_request_stops_rendering(string path)
    {
        await using var app = await StartAbortAppAsync();
        var probe = app.Services.GetRequiredService<AbortProbe>();
        var error = await Record.ExceptionAsync(async () =>
        {
            var response = await app.GetTestClient().GetAsync(path);
            await response.Content.ReadAsStringAsync();
        });
        Assert.IsAssignableFrom<OperationCanceledException>(error);
        // the loop stopped right after the abort instead of running through the million items
        Assert.InRange(probe.Produced, AbortProbe.CancelAfter, AbortProbe.CancelAfter + 1);
    }

    [Fact]
    public async Task Unaborted_request_renders_the_whole_sequence()
    {
        File.WriteAllText(Path.Combine(_root, "Views", "Pages", "Few.html"), LoopTemplate);
        var builder = Builder();
        builder.Services.AddKida();
        await using var app = builder.Build();
        app.MapGet("/few", () => Results.Extensions.Kida("Pages/Few.html", new { model = Enumerable.Range(0, 3).Select(i => (object?)i) }));
        await app.StartAsync();
        Assert.Equal("<i>0</i><i>1</i><i>2</i>", await app.GetTestClient().GetStringAsync("/few"));
    }

    [Fact]
    public async Task Handlers_declared_as_returning_KidaResult_advertise_200_text_html()
    {
        var builder = Builder();
        builder.Services.AddKida();
        await using var app = builder.Build();
        app.MapGet("/typed", () => new KidaResult("Pages/Hi.html", new { model = "typed" }));
        app.MapGet("/union/{id:int}", Results<KidaResult, NotFound> (int id) =>
            id == 1 ? TypedResults.Kida("Pages/Hi.html", new { model = "union" }) : TypedResults.NotFound());
        app.MapGet("/untyped", () => Results.Text("x"));
        app.MapGet("/teapot", () => TypedResults.Kida("Pages/Hi.html", new { model = "tea" }, StatusCodes.Status418ImATeapot));
        await app.StartAsync();

        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        IReadOnlyList<IProducesResponseTypeMetadata> Produces(string pattern) =>
            endpoints.Single(e => e.RoutePattern.RawText == pattern).Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>();
        foreach (var pattern in new[] { "/typed", "/union/{id:int}" })
        {
            var html = Assert.Single(Produces(pattern), p => p.StatusCode == StatusCodes.Status200OK);
            Assert.Equal(["text/html"], html.ContentTypes);
            Assert.Equal(typeof(string), html.Type);
        }
        Assert.Contains(Produces("/union/{id:int}"), p => p.StatusCode == StatusCodes.Status404NotFound);
        Assert.Empty(Produces("/untyped"));

        var client = app.GetTestClient();
        var typed = await client.GetAsync("/typed");
        Assert.Equal("text/html; charset=utf-8", typed.Content.Headers.ContentType?.ToString());
        Assert.Equal("<p>Hi typed</p>", await typed.Content.ReadAsStringAsync());
        Assert.Equal("<p>Hi union</p>", await client.GetStringAsync("/union/1"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/union/2")).StatusCode);
        var teapot = await client.GetAsync("/teapot");
        Assert.Equal(418, (int)teapot.StatusCode);
        Assert.Equal("text/html; charset=utf-8", teapot.Content.Headers.ContentType?.ToString());
        Assert.Equal("<p>Hi tea</p>", await teapot.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Minimal_api_templates_get_url_and_csrf_helpers_bound_to_the_request()
    {
        File.WriteAllText(Path.Combine(_root, "Views", "Pages", "Links.html"),
            "{{ url.content(\"~/lib/app.js\") }}|{{ url.route_url(\"product\", {\"id\": 7}) }}|{{ url }}|{{ csrf_input() }}|{{ csrf_token() }}");
        var builder = Builder();
        builder.Services.AddAntiforgery();
        builder.Services.AddKida();
        await using var app = builder.Build();
        app.UsePathBase("/shop");
        app.UseRouting();
        app.UseAntiforgery();
        app.MapGet("/products/{id:int}", (int id) => id).WithName("product");
        app.MapGet("/links/{id:int}", (int id) => Results.Extensions.Kida("Pages/Links.html"));
        await app.StartAsync();

        var parts = (await app.GetTestClient().GetStringAsync("/shop/links/3")).Split('|');
        Assert.Equal("/shop/lib/app.js", parts[0]);
        Assert.Equal("/shop/products/7", parts[1]);
        Assert.Equal("/shop/", parts[2]);
        var token = parts[4];
        Assert.False(string.IsNullOrEmpty(token));
        Assert.Equal($"<input type=\"hidden\" name=\"__RequestVerificationToken\" value=\"{token}\">", parts[3]);
    }

    [Fact]
    public async Task Minimal_api_templates_link_to_controller_actions_as_the_link_generator_does()
    {
        // url.action outside MVC builds the address itself (GetPathByAction reflects over its values: NativeAOT warns)
        File.WriteAllText(Path.Combine(_root, "Views", "Pages", "Actions.html"),
            "{{ url.action('Index', 'Probe') }}|{{ url.action('Index', 'Probe', {'id': 7, 'q': 'a b'}) }}");
        var builder = Builder();
        builder.Services.AddControllersWithViews().AddApplicationPart(typeof(ProbeController).Assembly);
        builder.Services.AddKida();
        await using var app = builder.Build();
        app.UsePathBase("/shop");
        app.UseRouting();
        app.MapControllerRoute("default", "{controller}/{action=Index}/{id?}");
        app.MapGet("/actions", () => Results.Extensions.Kida("Pages/Actions.html"));
        await app.StartAsync();
        var links = app.Services.GetRequiredService<LinkGenerator>();
        var plain = links.GetPathByAction("Index", "Probe", null, "/shop");
        var withValues = links.GetPathByAction("Index", "Probe", new RouteValueDictionary { ["id"] = 7, ["q"] = "a b" }, "/shop");
        Assert.NotNull(plain);
        Assert.Contains("7", withValues);
        Assert.Equal($"{plain}|{withValues}", await app.GetTestClient().GetStringAsync("/shop/actions"));
    }

    [Fact]
    public async Task Htmx_globals_and_tests_read_the_current_requests_hx_headers()
    {
        File.WriteAllText(Path.Combine(_root, "Views", "Pages", "Hx.html"),
            "{{ hx_request() }}|{{ hx_boosted() }}|{{ hx_target() }}|{{ hx_trigger() }}|{{ request is hx_request }}|{{ request is hx_boosted }}|{{ request is hx_target('list') }}");
        var builder = Builder();
        builder.Services.AddKida();
        await using var app = builder.Build();
        app.MapGet("/hx", () => Results.Extensions.Kida("Pages/Hx.html"));
        await app.StartAsync();
        var client = app.GetTestClient();

        Assert.Equal("False|False|None|None|False|False|False", await client.GetStringAsync("/hx"));
        using var htmx = new HttpRequestMessage(HttpMethod.Get, "/hx");
        htmx.Headers.Add("HX-Request", "true");
        htmx.Headers.Add("HX-Boosted", "TRUE");
        htmx.Headers.Add("HX-Target", "list");
        htmx.Headers.Add("HX-Trigger", "<b>");
        var response = await client.SendAsync(htmx);
        // header values are request data: escaped like any other text
        Assert.Equal("True|True|list|&lt;b&gt;|True|True|True", await response.Content.ReadAsStringAsync());

        // outside a request the environment's globals answer false / None instead of failing
        var env = app.Services.GetRequiredService<KidaEnvironment>();
        Assert.Equal("False|None", env.FromString("{{ hx_request() }}|{{ hx_target() }}").Render());
    }

    [Fact]
    public async Task Csp_nonce_reads_the_nonce_a_middleware_stored_for_the_request()
    {
        File.WriteAllText(Path.Combine(_root, "Views", "Pages", "Csp.html"),
            "[{{ csp_nonce() }}]{{ '<script>go()</script>'|csp_nonce }}");
        var builder = Builder();
        builder.Services.AddKida();
        await using var app = builder.Build();
        app.Use(async (http, next) =>
        {
            if (http.Request.Query.ContainsKey("nonce")) http.Items["csp_nonce"] = http.Request.Query["nonce"].ToString();
            await next(http);
        });
        app.MapGet("/csp", () => Results.Extensions.Kida("Pages/Csp.html"));
        await app.StartAsync();
        var client = app.GetTestClient();

        Assert.Equal("[]<script>go()</script>", await client.GetStringAsync("/csp"));
        // the nonce is attribute-escaped wherever it is written
        Assert.Equal("[a&quot;b]<script nonce=\"a&quot;b\">go()</script>", await client.GetStringAsync("/csp?nonce=a%22b"));
    }

    public static TheoryData<string> MvcBuilders => ["AddMvc", "AddRazorPages", "AddControllersWithViews"];

    [Theory]
    [MemberData(nameof(MvcBuilders))]
    public async Task Mvc_builder_overloads_add_kida_beside_razor(string method)
    {
        var builder = Builder();
        var mvc = method switch
        {
            "AddMvc" => builder.Services.AddMvc(),
            "AddRazorPages" => builder.Services.AddRazorPages(),
            _ => builder.Services.AddControllersWithViews(),
        };
        mvc.AddKida().AddKida();
        await using var app = builder.Build();
        var engines = app.Services.GetRequiredService<IOptions<MvcViewOptions>>().Value.ViewEngines;
        Assert.Single(engines, e => e is KidaViewEngine);
        Assert.Contains(engines, e => e is IRazorViewEngine);
        // MVC's composite engine (what partials, view components and Razor's Html.PartialAsync use) finds Kida views
        var composite = app.Services.GetRequiredService<ICompositeViewEngine>();
        var found = composite.GetView(null, "Pages/Hi.html", isMainPage: false);
        Assert.True(found.Success);
        Assert.Equal("Pages/Hi.html", found.View!.Path);
    }
}
