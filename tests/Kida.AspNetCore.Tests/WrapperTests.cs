using System.Net;
using System.Security.Claims;
using Kida;
using Kida.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Kida.AspNetCore.Tests;

/// <summary>A service of the wrapper test app holding a secret that no template may print.</summary>
public sealed class SecretHolder
{
    public string Value { get; } = "SECRET-SERVICE";

    public override string ToString() => Value;
}

/// <summary>An MVC controller of the wrapper test app: a view with model state, temp data and view data.</summary>
public sealed class ProbeController : Controller
{
    public IActionResult Index()
    {
        TempData["flash"] = "flashed";
        ViewData["Title"] = "Probe";
        ModelState.AddModelError("Name", new InvalidOperationException("SECRET-EXCEPTION"), EmptyMetadata.Instance);
        ModelState.AddModelError("Name", "Name is required");
        ModelState.SetModelValue("Name", "posted<value>", "posted<value>");
        return View(new { Name = "Ada" });
    }
}

/// <summary>Model metadata for <see cref="ProbeController"/>'s exception error (MVC keeps the exception, templates must not see it).</summary>
internal static class EmptyMetadata
{
    public static readonly Microsoft.AspNetCore.Mvc.ModelBinding.ModelMetadata Instance =
        new Microsoft.AspNetCore.Mvc.ModelBinding.EmptyModelMetadataProvider().GetMetadataForType(typeof(string));
}

/// <summary>
/// Every helper Kida hands to templates (<c>request</c>, <c>url</c>, <c>url_for</c>, <c>csrf_token</c>,
/// <c>csrf_input</c>, <c>model_state</c>, <c>errors</c>, <c>temp_data</c>, <c>user</c>, <c>view_data</c>) is a
/// wrapper: its documented members work, and nothing beyond them (delegate targets and methods, the HttpContext, the
/// request services, features, items, MVC's objects, the claims principal's graph) is defined. No secret is printed.
/// </summary>
public sealed class WrapperTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kida-wrappers-").FullName;

    public WrapperTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "Views", "Probe"));
        Directory.CreateDirectory(Path.Combine(_root, "Views", "Pages"));
        File.WriteAllText(Path.Combine(_root, "appsettings.json"), "{\"ConnectionStrings\":{\"Db\":\"SECRET-CONNECTION-STRING\"}}");
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private async Task<WebApplication> StartAsync(string view, string? page = null, Action<IServiceCollection>? services = null)
    {
        File.WriteAllText(Path.Combine(_root, "Views", "Probe", "Index.html"), view);
        File.WriteAllText(Path.Combine(_root, "Views", "Pages", "Page.html"), page ?? view);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = _root,
            EnvironmentName = "Production",
            ApplicationName = typeof(WrapperTests).Assembly.GetName().Name,
        });
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<SecretHolder>();
        builder.Services.AddControllersWithViews()
            .ConfigureApplicationPartManager(m =>
            {
                m.ApplicationParts.Clear();
                m.ApplicationParts.Add(new AssemblyPart(typeof(ProbeController).Assembly));
            })
            .AddKida();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseExceptionHandler(error => error.Run(async context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsync("error");
        }));
        app.Use((context, next) =>
        {
            context.Items["secret"] = "SECRET-ITEM";
            var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, "ada"),
                new Claim(ClaimTypes.Role, "admin"),
                new Claim("dept", "R&D") { Properties = { ["p"] = "SECRET-CLAIM-PROPERTY" } },
            ], "test")
            {
                BootstrapContext = "SECRET-BOOTSTRAP",
                Actor = new ClaimsIdentity([new Claim(ClaimTypes.Name, "SECRET-ACTOR")], "actor"),
            };
            context.User = new ClaimsPrincipal(identity);
            return next(context);
        });
        app.MapControllerRoute("default", "{controller}/{action=Index}");
        app.MapGet("/page", () => Results.Extensions.Kida("Pages/Page.html", new { n = 1 }));
        await app.StartAsync();
        return app;
    }

    /// <summary>Members beyond the documented set, in MVC views (and, where the helper is global, in KidaResult).</summary>
    public static TheoryData<string> Probes =>
    [
        "csrf_token.target", "csrf_token.target.http", "csrf_token.target.http.items.secret", "csrf_token.method",
        "csrf_token.method.return_type", "csrf_token.method.module.assembly", "csrf_token['target']", "csrf_token|attr('target')",
        "csrf_token.invoke", "csrf_token.dynamic_invoke", "csrf_token.get_type", "csrf_token.type_name", "csrf_input.target", "csrf_input.method",
        "url_for.target", "url_for.method", "url_for.target.url", "url_for.target.http",
        "url.action.target", "url.action.method", "url._inner", "url.inner", "url._accessor", "url.action_context",
        "url.action_context.http_context", "url.resolve", "url.links", "url.route_values", "url.content.target",
        "model_state.errors.target", "model_state.errors.method", "model_state._state", "model_state.state",
        "model_state['Name'].errors[0].exception", "model_state['Name'].errors[0].exception.target_site",
        "model_state.get('Name').children", "model_state['Name'].errors.__class__", "model_state.values()|first|attr('errors')|first|attr('exception')",
        "request.http_context", "request.httpcontext", "request._context", "request.context", "request._accessor",
        "request.request", "request.http_context.items.secret", "request.query.getlist.target", "request.query.getlist.method",
        "request.query._lookup", "request.query._entries", "request.features", "request.items", "request.request_services",
        "request.services", "request.body", "request.form_error_key", "request.prepare_async", "request.to_string.target",
        "user.identity.bootstrap_context", "user.identity.actor", "user.identity.claims", "user.identities",
        "user.claims[0].subject", "user.claims[0].properties", "user.claims[0].issuer", "user.claims[0].subject.bootstrap_context",
        "user.is_in_role.target", "user.is_in_role.method", "user.find_first.target", "user.principal", "user._principal",
        "user.identity.actor.name", "user.find_first('dept').__class__",
        "temp_data.keep", "temp_data.save", "temp_data.load", "temp_data.peek", "temp_data._temp_data",
        "view_data.model_state", "view_data.temp_data", "errors.target",
        "component.target", "component.method", "component|attr('target')", "partial.target", "partial.method", "partial.target.http",
        "asset.target", "asset.method", "asset.target.accessor", "_.target", "gettext.method", "_n.target", "current_culture.target",
    ];

    [Theory]
    [MemberData(nameof(Probes))]
    public async Task Members_beyond_the_documented_set_are_undefined_in_views_and_results(string probe)
    {
        // strict undefined: a missing member fails the render; the error never carries a secret
        await using var app = await StartAsync("[{{ " + probe + " }}]");
        var client = app.GetTestClient();
        foreach (var path in new[] { "/probe", "/page" })
        {
            var response = await client.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("SECRET", body);
            if (path == "/probe" || !probe.StartsWith("model_state", StringComparison.Ordinal) && !probe.StartsWith("user", StringComparison.Ordinal)
                && !probe.StartsWith("temp_data", StringComparison.Ordinal) && !probe.StartsWith("view_data", StringComparison.Ordinal)
                && !probe.StartsWith("errors", StringComparison.Ordinal))
                Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        }
        // sandboxed: still undefined or blocked, never a secret
        await using var sandboxed = await StartAsync("[{{ " + probe + " }}]", services: Sandboxed(true));
        var sandboxedResponse = await sandboxed.GetTestClient().GetAsync("/probe");
        Assert.Equal(HttpStatusCode.InternalServerError, sandboxedResponse.StatusCode);
        Assert.DoesNotContain("SECRET", await sandboxedResponse.Content.ReadAsStringAsync());
        // lenient undefined: the same members print nothing
        await using var lenient = await StartAsync("[{{ " + probe + " }}]", services: s =>
            s.Configure<KidaViewOptions>(o => o.ConfigureEnvironment = options => options with { StrictUndefined = false }));
        var lenientResponse = await lenient.GetTestClient().GetAsync("/probe");
        var lenientBody = await lenientResponse.Content.ReadAsStringAsync();
        Assert.DoesNotContain("SECRET", lenientBody);
        if (lenientResponse.StatusCode == HttpStatusCode.OK) Assert.Equal("[]", lenientBody);
    }

    /// <summary>Filters and tests that walk an object's data (tojson, pprint, list, string, map, attr, dictsort, …).</summary>
    public static TheoryData<string> Walks =>
    [
        "request|tojson", "request|pprint", "request|string", "request|list", "request|attr('http_context')",
        "url|tojson", "url|pprint", "user|tojson", "user|pprint", "user.claims|tojson", "user.identity|tojson",
        "user.claims|map(attribute='subject')|list", "model_state|tojson", "model_state|pprint", "model_state|dictsort",
        "model_state.values()|list|tojson", "model_state['Name']|tojson", "model_state['Name'].errors|tojson",
        "csrf_token|tojson", "csrf_token|pprint", "csrf_token|string", "url_for|tojson", "temp_data|tojson", "view_data|tojson",
        "errors|tojson", "request.query|tojson", "request.route_values|tojson", "request.headers|tojson",
        "{'r': request, 'u': user, 'c': csrf_token}|tojson", "[request, url, user]|pprint", "request|xmlattr",
        "component|tojson", "partial|pprint", "[component, partial]|tojson",
    ];

    [Theory]
    [MemberData(nameof(Walks))]
    public async Task Filters_walking_a_helper_never_reach_the_runtime(string walk)
    {
        await using var app = await StartAsync("[{{ " + walk + " }}]");
        var response = await app.GetTestClient().GetAsync("/probe");
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("SECRET", body);
        Assert.DoesNotContain("Microsoft.", body);
        Assert.DoesNotContain("System.", body);
        Assert.DoesNotContain("HttpContext", body);
        Assert.DoesNotContain("RequestServices", body);
    }

    [Fact]
    public async Task Helpers_are_not_delegates_and_print_no_runtime_object()
    {
        await using var app = await StartAsync(string.Join("|",
            "{{ csrf_token }}", "{{ url_for }}", "{{ model_state.errors }}", "{{ request.query.getlist }}", "{{ user.is_in_role }}",
            "{{ csrf_token is callable }}", "{{ user.identity }}"));
        var body = await app.GetTestClient().GetStringAsync("/probe");
        Assert.Equal("&lt;function csrf_token&gt;|&lt;function url_for&gt;|&lt;function errors&gt;|&lt;function getlist&gt;|&lt;function is_in_role&gt;|True|ada", body);
    }

    private static Action<IServiceCollection>? Sandboxed(bool sandbox) => sandbox
        ? s => s.Configure<KidaViewOptions>(o => o.ConfigureEnvironment = options => options with { Sandbox = SandboxPolicy.Default })
        : null;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Documented_members_work_in_views(bool sandbox)
    {
        await using var app = await StartAsync(services: Sandboxed(sandbox), view: string.Join("\n",
            "user={{ user.name }} {{ user.is_authenticated }} {{ user.authentication_type }} {{ user.identity.name }} {{ user.identity.is_authenticated }}",
            "roles={{ user.is_in_role('admin') }} {{ user.is_in_role('root') }} {{ user.has_claim('dept') }} {{ user.has_claim('dept', 'R&D') }} {{ user.has_claim('dept', 'x') }} {{ user.find_first('dept') }} {{ user.find_first('nope') is none }}",
            "claims={% for type, value in user.claims %}{{ value }};{% endfor %} {{ user.claims[2].type }}={{ user.claims[2].value }}",
            "state={{ model_state.is_valid }} {{ model_state.error_count }} {{ model_state.errors('Name')|join(',') }} {{ model_state['Name'].errors|length }} {{ model_state['Name'].errors[1].error_message }}",
            "entry={{ model_state['Name'].attempted_value }} {{ model_state['Name'].raw_value }} {{ model_state['Name'].validation_state }} {{ model_state['Name'].is_valid }}",
            "errors={{ errors['Name']|join(',') }}",
            "temp={{ temp_data['flash'] }} {{ temp_data.flash }} {{ 'flash' in temp_data }}",
            "view_data={{ view_data['Title'] }} {{ view_data|length }}",
            "url={{ url.action('Index', 'Probe') }} {{ url.action('Index') }} {{ url.action(action='Index', controller='Probe', values={'id': 7}) }} {{ url.content('~/x.css') }} {{ url_for('Index', 'Probe') }}",
            "request={{ request.path }} {{ request.method }} {{ request.query.getlist('tag')|join(',') }} {{ request.query.q }}",
            "csrf={{ csrf_token()|length > 10 }} {{ csrf_input()|string|truncate(26, true, '') }}"));
        var lines = (await app.GetTestClient().GetStringAsync("/probe?tag=a&tag=b&q=%3Cq%3E")).Split('\n');
        Assert.Equal(
        [
            "user=ada True test ada True",
            "roles=True False True True False R&amp;D True",
            "claims=ada;admin;R&amp;D; dept=R&amp;D",
            "state=False 2 ,Name is required 2 Name is required",
            "entry=posted&lt;value&gt; posted&lt;value&gt; Invalid False",
            "errors=,Name is required",
            "temp=flashed flashed True",
            "view_data=Probe 1",
            "url=/Probe /Probe /Probe?id=7 /x.css /Probe",
            "request=/probe GET a,b &lt;q&gt;",
            "csrf=True <input type=\"hidden\" name=",
        ], lines);
    }

    [Fact]
    public async Task Csrf_input_escapes_its_attribute_values()
    {
        await using var app = await StartAsync("{{ csrf_input() }}", "{{ csrf_input() }}",
            s => s.AddAntiforgery(o => o.FormFieldName = "f\"'<>&x"));
        foreach (var path in new[] { "/probe", "/page" })
        {
            var body = await app.GetTestClient().GetStringAsync(path);
            Assert.StartsWith("<input type=\"hidden\" name=\"f&quot;&#39;&lt;&gt;&amp;x\" value=\"", body);
            Assert.DoesNotContain("'", body);
            Assert.EndsWith("\">", body);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Documented_members_work_in_results(bool sandbox)
    {
        await using var app = await StartAsync(services: Sandboxed(sandbox), view: "", page: string.Join("|",
            "{{ request.path }}", "{{ request.query.getlist('t')|join(',') }}", "{{ url.content('~/a') }}", "{{ csrf_token()|length > 10 }}",
            "{{ csrf_input()|string|truncate(13, true, '') }}"));
        Assert.Equal("/page|1,2|/a|True|<input type=\"", await app.GetTestClient().GetStringAsync("/page?t=1&t=2"));
    }

    [Fact]
    public void Template_objects_expose_no_member_beyond_their_own()
    {
        var env = new KidaEnvironment(new KidaOptions { StrictUndefined = false });
        var user = new KidaUser(new ClaimsPrincipal(new ClaimsIdentity([new Claim("a", "b")], "t") { BootstrapContext = "SECRET" }));
        var template = env.FromString("[{{ user.has_claim('a', 'b') }}|{{ user.has_claim.target }}{{ user.has_claim.method }}"
            + "{{ user.identity.bootstrap_context }}{{ user.claims[0].subject }}{{ user.claims[0].properties }}|{{ user.claims[0] }}]");
        Assert.Equal("[True||[&#39;a&#39;, &#39;b&#39;]]", template.Render(new { user }));
    }
}
