using System.Net;
using System.Net.Http.Headers;
using Kida;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Kida.AspNetCore.Tests;

/// <summary>An MVC controller of the test app rendering <c>Views/Request/Index.html</c> for any method.</summary>
public sealed class RequestController : Controller
{
    [AcceptVerbs("GET", "POST")]
    public IActionResult Index() => View();
}

/// <summary>
/// The <c>request</c> object templates see (<see cref="KidaRequest"/> and its dict-like collections), the same in MVC
/// views (<c>/request</c>) and in minimal API results (<c>/api/request</c>).
/// </summary>
public sealed class RequestTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "kida-request-" + Guid.NewGuid().ToString("N"));

    public RequestTests() => Directory.CreateDirectory(Path.Combine(_root, "Views", "Request"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private void Template(params string[] lines) =>
        File.WriteAllText(Path.Combine(_root, "Views", "Request", "Index.html"), string.Join("\n", lines));

    /// <summary>An app with the MVC route <c>/request</c> and the minimal API <c>/api/request</c> rendering the same template.</summary>
    private async Task<WebApplication> StartAsync(Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = _root,
            EnvironmentName = "Production",
            ApplicationName = typeof(RequestTests).Assembly.GetName().Name,
        });
        builder.WebHost.UseTestServer();
        builder.Services.AddControllersWithViews()
            .ConfigureApplicationPartManager(m =>
            {
                m.ApplicationParts.Clear();
                m.ApplicationParts.Add(new AssemblyPart(typeof(RequestController).Assembly));
            })
            .AddKida(o => o.EnvironmentSetup.Add(env =>
                // true when the form was already parsed as the template starts: read before rendering, not by it
                env.AddGlobal("form_was_read", new Func<bool>(() =>
                    new HttpContextAccessor().HttpContext?.Features.Get<IFormFeature>()?.Form is not null))));
        var app = builder.Build();
        app.MapControllerRoute("default", "{controller}/{action=Index}");
        app.MapMethods("/api/request", ["GET", "POST"], () => Results.Extensions.Kida("Views/Request/Index.html"));
        map?.Invoke(app);
        await app.StartAsync();
        return app;
    }

    public static TheoryData<string> Paths => ["/request", "/api/request"];

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Query_is_a_dict_with_one_string_per_key_and_getlist_for_every_value(string path)
    {
        Template(
            "path={{ request.path }} method={{ request.method }} qs={{ request.query_string }}",
            "attr={{ request.query.name }} item={{ request.query['name'] }} any_case={{ request.query['NAME'] }}",
            "get={{ request.query.get('name', 'd') }} default={{ request.query.get('nope', 'd') }} undefined={{ request.query.nope is defined }}",
            "in={{ 'name' in request.query }} not_in={{ 'nope' in request.query }}",
            "tag={{ request.query.tag }} getlist={{ request.query.getlist('tag')|join('+') }} first={{ request.query.getlist('tag')[0] }} missing={{ request.query.getlist('nope')|length }}",
            "keys={% for key in request.query %}{{ key }};{% endfor %}",
            "items={% for key, value in request.query.items() %}{{ key }}={{ value }};{% endfor %}",
            "length={{ request.query|length }} truthy={{ request.query and 'yes' }}",
            "hostile={{ request.query.x }}");
        await using var app = await StartAsync();

        var html = await app.GetTestClient().GetStringAsync(path + "?name=Ada&tag=a&tag=%3Cb%3E&x=%3Cscript%3E%22");
        Assert.Equal(string.Join("\n",
            $"path={path} method=GET qs=?name=Ada&amp;tag=a&amp;tag=%3Cb%3E&amp;x=%3Cscript%3E%22",
            "attr=Ada item=Ada any_case=Ada",
            "get=Ada default=d undefined=False",
            "in=True not_in=False",
            "tag=a, &lt;b&gt; getlist=a+&lt;b&gt; first=a missing=0",
            "keys=name;tag;x;",
            "items=name=Ada;tag=a, &lt;b&gt;;x=&lt;script&gt;&quot;;",
            "length=3 truthy=yes",
            "hostile=&lt;script&gt;&quot;"), html);
    }
}
