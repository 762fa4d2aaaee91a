using System.Net;
using System.Net.Http.Headers;
using Kida;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Kida.AspNetCore.Tests;

/// <summary>An MVC controller of the test app rendering <c>Views/Request/Index.html</c> (template <c>Request/Index.html</c>) for any method.</summary>
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
        // a failed render answers 500 with the exception's message (to assert on it)
        app.UseExceptionHandler(error => error.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            var failure = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            return context.Response.WriteAsync(failure?.GetType().Name + ": " + failure?.Message, context.RequestAborted);
        }));
        app.UsePathBase("/base");
        app.UseRouting();
        app.MapControllerRoute("default", "{controller}/{action=Index}");
        app.MapMethods("/api/request", ["GET", "POST"], () => Results.Extensions.Kida("Request/Index.html"));
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

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Method_names_stay_methods_whatever_the_request_sends(string path)
    {
        Template(
            "items={% for key, value in request.query.items() %}{{ key }}={{ value }};{% endfor %}",
            "keys={{ request.query.keys()|join(',') }} values={{ request.query.values()|join(',') }} get={{ request.query.get('name') }}",
            "getlist={{ request.query.getlist('items')|join }}{{ request.query.getlist('getlist')|join }}{{ request.query.getlist('get')|join }}",
            "copy={{ request.query.copy()['name'] }} dict_get={{ request.query.get('items', 'hidden') }}");
        await using var app = await StartAsync();

        var html = await app.GetTestClient().GetStringAsync(path + "?items=1&getlist=2&get=3&name=Ada");
        Assert.Equal(string.Join("\n",
            "items=items=1;getlist=2;get=3;name=Ada;",
            "keys=items,getlist,get,name values=1,2,3,Ada get=Ada",
            "getlist=123",
            "copy=Ada dict_get=hidden"), html);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Headers_and_cookies_are_dicts_too(string path)
    {
        Template(
            "header={{ request.headers['X-Test'] }} any_case={{ request.headers['x-test'] }} host={{ request.headers.host }}",
            "multi={{ request.headers['X-Multi'] }} list={{ request.headers.getlist('X-Multi')|join('|') }} count={{ request.headers.getlist('X-Multi')|length }}",
            "in={{ 'X-Test' in request.headers }} not_in={{ 'X-Nope' in request.headers }} default={{ request.headers.get('X-Nope', '-') }}",
            "cookie={{ request.cookies.session }} item={{ request.cookies['theme'] }} cookies={{ request.cookies|length }} no_cookie={{ 'nope' in request.cookies }}",
            "cookie_names={% for name in request.cookies|sort %}{{ name }};{% endfor %}");
        await using var app = await StartAsync();

        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Test", "<h>");
        request.Headers.Add("X-Multi", ["one", "two"]);
        request.Headers.Add("Cookie", "session=abc; theme=<dark>");
        var response = await app.GetTestClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Join("\n",
            "header=&lt;h&gt; any_case=&lt;h&gt; host=localhost",
            "multi=one, two list=one|two count=2",
            "in=True not_in=False default=-",
            "cookie=abc item=&lt;dark&gt; cookies=2 no_cookie=False",
            "cookie_names=session;theme;"), await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Request_members_describe_the_url(string path)
    {
        Template(
            "{{ request.scheme }}|{{ request.host }}|{{ request.path_base }}|{{ request.path }}|{{ request.is_https }}",
            "{{ request.url }}|{{ request.content_type }}|{{ request.route_values.get('controller', '-') }}|{{ request }}");
        await using var app = await StartAsync();

        var html = await app.GetTestClient().GetStringAsync("/base" + path + "?q=a%20b");
        var controller = path == "/request" ? "Request" : "-";
        Assert.Equal(string.Join("\n",
            $"http|localhost|/base|{path}|False",
            $"http://localhost/base{path}?q=a%20b||{controller}|GET /base{path}?q=a%20b"), html);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Posted_form_is_read_before_rendering_and_is_a_dict(string path)
    {
        Template(
            "read_before={{ form_was_read() }} method={{ request.method }}",
            "name={{ request.form.name }} item={{ request.form['name'] }} in={{ 'name' in request.form }} not_in={{ 'nope' in request.form }}",
            "opt={{ request.form.opt }} list={{ request.form.getlist('opt')|join('+') }} length={{ request.form|length }}",
            "fields={% for key, value in request.form.items() %}{{ key }}={{ value }};{% endfor %}");
        await using var app = await StartAsync();

        var response = await app.GetTestClient().PostAsync(path, new FormUrlEncodedContent(
        [
            new("name", "<Ada>"), new("opt", "1"), new("opt", "2"),
        ]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Join("\n",
            "read_before=True method=POST",
            "name=&lt;Ada&gt; item=&lt;Ada&gt; in=True not_in=False",
            "opt=1, 2 list=1+2 length=2",
            "fields=name=&lt;Ada&gt;;opt=1, 2;"), await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Form_is_empty_without_a_form_content_type(string path)
    {
        Template("{{ request.form|length }}|{{ request.form.get('name', 'none') }}|{{ 'name' in request.form }}|{{ form_was_read() }}");
        await using var app = await StartAsync();

        Assert.Equal("0|none|False|False", await app.GetTestClient().GetStringAsync(path + "?name=query"));
        var json = await app.GetTestClient().PostAsync(path, new StringContent("{\"name\":\"x\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal("0|none|False|False", await json.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task A_form_that_cannot_be_read_fails_only_templates_reading_it(string path)
    {
        // multipart without a boundary: ReadFormAsync throws
        static HttpContent Broken()
        {
            var content = new StringContent("garbage");
            content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data");
            return content;
        }
        Template("method={{ request.method }}");
        await using var app = await StartAsync();
        var client = app.GetTestClient();
        var ignoring = await client.PostAsync(path, Broken());
        Assert.Equal(HttpStatusCode.OK, ignoring.StatusCode);
        Assert.Equal("method=POST", await ignoring.Content.ReadAsStringAsync());

        Template("name={{ request.form.name }}");
        await using var reading = await StartAsync();
        var failed = await reading.GetTestClient().PostAsync(path, Broken());
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        var message = await failed.Content.ReadAsStringAsync();
        Assert.StartsWith("TemplateRuntimeException: ", message);
        Assert.Contains("The request form could not be read", message);
    }

    [Fact]
    public async Task Templates_rendered_by_hand_see_the_request_global_but_never_read_the_form_themselves()
    {
        Template("path={{ request.path }} query={{ request.query.q }} name={{ request.form.name }}");
        await using var app = await StartAsync(a => a.MapPost("/by-hand", async (HttpContext context, KidaEnvironment environment) =>
        {
            var template = await environment.GetTemplateAsync("Request/Index.html");
            string rendered;
            try
            {
                using var writer = new StringWriter();
                await template.RenderAsync(writer);
                rendered = writer.ToString();
            }
            catch (TemplateRuntimeException ex)
            {
                rendered = ex.Message;
            }
            // the body is still unread: the template did not consume it
            var form = await context.Request.ReadFormAsync();
            using var after = new StringWriter();
            await template.RenderAsync(after);
            return Results.Text(string.Join("\u0001", rendered, form["name"], after));
        }));

        var response = await app.GetTestClient().PostAsync("/by-hand?q=x", new FormUrlEncodedContent([new("name", "Ada")]));
        var lines = (await response.Content.ReadAsStringAsync()).Split('\u0001');
        Assert.Contains("The request form has not been read", lines[0]);
        Assert.Equal("Ada", lines[1]);
        Assert.Equal("path=/by-hand query=x name=Ada", lines[2]);
    }

    [Fact]
    public async Task Request_global_outside_a_request_fails_with_a_clear_message()
    {
        Template("unused");
        await using var app = await StartAsync();
        var environment = app.Services.GetRequiredService<KidaEnvironment>();
        // the global exists (it is the environment's), but has no request to read from
        Assert.Equal("True", environment.FromString("{{ request is defined }}").Render());
        var error = Assert.Throws<TemplateRuntimeException>(() => environment.FromString("{{ request.path }}").Render());
        Assert.Contains("only available while rendering for an HTTP request", error.Message);
    }
}
