using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Kida;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Kida.AspNetCore.Tests;

public sealed class FileProviderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "kida-aspnet-" + Guid.NewGuid().ToString("N"));

    public FileProviderTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "Views", "Home"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private WebApplicationFactory<Program> Factory(WebApplicationFactory<Program> baseFactory, string environment = "Development") =>
        baseFactory.WithWebHostBuilder(b =>
        {
            b.UseEnvironment(environment);
            b.ConfigureTestServices(s => s.Configure<KidaViewOptions>(o =>
            {
                o.FileProvider = new PhysicalFileProvider(_root);
                // these views replace the sample's whole template folder, its layout included
                o.DefaultLayout = null;
                o.AutoReload = true;
                o.EnvironmentSetup.Add(env => env.AddGlobal("site_name", "Kida Shop"));
            }));
        });

    private void Write(string text) => WriteView("Home", "Hello", text);

    private void WriteView(string folder, string name, string text)
    {
        Directory.CreateDirectory(Path.Combine(_root, "Views", folder));
        File.WriteAllText(Path.Combine(_root, "Views", folder, name + ".html"), text);
    }

    [Fact]
    public async Task Edited_template_is_served_on_a_later_request()
    {
        Write("first {{ name }}");
        using var factory = Factory(new WebApplicationFactory<Program>());
        var client = factory.CreateClient();
        Assert.Equal("first world", await client.GetStringAsync("/hello"));
        Write("second {{ name }}");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        string html;
        do
        {
            await Task.Delay(200);
            html = await client.GetStringAsync("/hello");
        } while (html != "second world" && DateTime.UtcNow < deadline);
        Assert.Equal("second world", html);
    }

    [Fact]
    public async Task Compilations_are_counted_on_the_Kida_meter_and_logged_with_cache_evictions()
    {
        Write("v1 {{ name }}");
        var compiled = new ConcurrentQueue<string?>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Kida" && instrument.Name == "kida.compilations") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags) if (tag.Key == "kida.template") compiled.Enqueue(tag.Value as string);
        });
        listener.Start();
        var logs = new LogSink();
        using var factory = Factory(new WebApplicationFactory<Program>()).WithWebHostBuilder(b =>
            b.ConfigureLogging(l => l.AddProvider(logs).AddFilter("Kida.AspNetCore", LogLevel.Debug)));
        var client = factory.CreateClient();
        Assert.Equal("v1 world", await client.GetStringAsync("/hello"));
        Assert.Contains("Home/Hello.html", compiled);
        Assert.Contains(logs.Entries, e => e.Category == "Kida.AspNetCore" && e.EventId == 3 && e.Message.StartsWith("Compiled Kida template Home/Hello.html in "));

        Write("v2 {{ name }}");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        string html;
        do
        {
            await Task.Delay(200);
            html = await client.GetStringAsync("/hello");
        } while (html != "v2 world" && DateTime.UtcNow < deadline);
        Assert.Equal("v2 world", html);
        Assert.Contains(logs.Entries, e => e.EventId == 4 && e.Message == "Evicted Kida template Home/Hello.html from the cache (changed)");
    }

    [Fact]
    public async Task Cached_view_lookup_miss_expires_when_the_view_is_created()
    {
        using var factory = Factory(new WebApplicationFactory<Program>());
        var engine = factory.Services.GetRequiredService<KidaViewEngine>();
        var context = new Microsoft.AspNetCore.Mvc.ActionContext(
            new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = factory.Services },
            new Microsoft.AspNetCore.Routing.RouteData(new Microsoft.AspNetCore.Routing.RouteValueDictionary { ["controller"] = "Home" }),
            new Microsoft.AspNetCore.Mvc.Abstractions.ActionDescriptor());
        Assert.False(engine.FindView(context, "Later", isMainPage: true).Success);
        Assert.False(engine.FindView(context, "Later", isMainPage: true).Success);
        WriteView("Home", "Later", "later");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        bool found;
        do
        {
            await Task.Delay(200);
            found = engine.FindView(context, "Later", isMainPage: true).Success;
        } while (!found && DateTime.UtcNow < deadline);
        Assert.True(found);
        Assert.Equal("Home/Later.html", engine.FindView(context, "Later", isMainPage: true).View?.Path);
    }

    [Fact]
    public async Task Syntax_error_shows_the_template_and_line_on_the_developer_page()
    {
        Write("line one\n{% if %}broken");
        var logs = new LogSink();
        using var factory = Factory(new WebApplicationFactory<Program>()).WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(logs)));
        var response = await factory.CreateClient().GetAsync("/hello");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("Home/Hello.html", body);
        Assert.Contains("broken", body);
        Assert.Contains(logs.Entries, e => e.Category == "Kida.AspNetCore" && e.EventId == 1 && e.Message == "Rendering Kida template Home/Hello.html failed");
    }

    [Fact]
    public async Task Large_pages_on_real_Kestrel_without_synchronous_io_through_mvc_view_and_minimal_api()
    {
        const int rows = 60_000;
        Write("{% for i in range(" + rows + ") %}<p>{{ name }} {{ i }}</p>\n{% endfor %}");
        WriteView("Home", "Index", "{% for i in range(" + rows + ") %}<li>{{ title }} {{ i }}</li>\n{% endfor %}");
        using var factory = Factory(new WebApplicationFactory<Program>()).WithWebHostBuilder(b => b.ConfigureTestServices(s =>
        {
            s.Configure<KestrelServerOptions>(o => o.AllowSynchronousIO = false);
            s.AddTransient<IStartupFilter, SyncWriteProbe>();
        }));
        factory.UseKestrel(0);
        factory.StartServer();
        using var client = factory.CreateClient();
        Assert.False(client.BaseAddress!.IsDefaultPort, "the client talks to Kestrel on an ephemeral loopback port, not TestServer");

        // the server really refuses synchronous writes
        var probe = await client.GetAsync("/sync-write-probe");
        Assert.Equal(HttpStatusCode.InternalServerError, probe.StatusCode);

        var hello = await client.GetAsync("/hello?name=%3Cx%3E");
        Assert.Equal(HttpStatusCode.OK, hello.StatusCode);
        Assert.Equal("text/html; charset=utf-8", hello.Content.Headers.ContentType?.ToString());
        var expectedHello = string.Concat(Enumerable.Range(0, rows).Select(i => $"<p>&lt;x&gt; {i}</p>\n"));
        Assert.True(expectedHello.Length > 1_000_000);
        var helloHtml = await hello.Content.ReadAsStringAsync();
        Assert.Equal(expectedHello.Length, helloHtml.Length);
        Assert.Equal(expectedHello, helloHtml);

        var home = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Equal("text/html; charset=utf-8", home.Content.Headers.ContentType?.ToString());
        var expectedHome = string.Concat(Enumerable.Range(0, rows).Select(i => $"<li>Kida for .NET {i}</li>\n"));
        Assert.True(expectedHome.Length > 1_000_000);
        var homeHtml = await home.Content.ReadAsStringAsync();
        Assert.Equal(expectedHome.Length, homeHtml.Length);
        Assert.Equal(expectedHome, homeHtml);
    }

    private sealed class SyncWriteProbe : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Map("/sync-write-probe", probe => probe.Run(context =>
            {
                context.Response.Body.Write("synchronous"u8);
                return Task.CompletedTask;
            }));
            next(app);
        };
    }

    [Fact]
    public void AddKida_writes_IHtmlContent_raw_in_its_own_environment_only()
    {
        using var factory = Factory(new WebApplicationFactory<Program>());
        var environment = factory.Services.GetRequiredService<KidaEnvironment>();
        var model = new { h = new Microsoft.AspNetCore.Html.HtmlString("<b>bold</b>") };
        Assert.Equal("<b>bold</b>|True", environment.FromString("{{ h }}|{{ h is escaped }}").Render(model));
        // nothing process-wide: an environment the application builds itself escapes the same value
        Assert.Equal("&lt;b&gt;bold&lt;/b&gt;|False", new KidaEnvironment().FromString("{{ h }}|{{ h is escaped }}").Render(model));
    }

    [Fact]
    public async Task Concurrent_first_requests_to_a_minimal_api_template_compile_it_once()
    {
        Write("{% for i in range(50) %}{{ name }}{{ i }}{% endfor %}");
        using var factory = Factory(new WebApplicationFactory<Program>());
        var client = factory.CreateClient();
        var environment = factory.Services.GetRequiredService<KidaEnvironment>();
        var before = environment.CompilationCount;
        var pages = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => client.GetStringAsync("/hello?name=a"))));
        Assert.Equal(before + 1, environment.CompilationCount);
        Assert.Single(pages.Distinct());
        Assert.StartsWith("a0a1", pages[0]);
    }

    [Fact]
    public async Task Concurrent_first_requests_to_an_mvc_view_compile_it_once()
    {
        WriteView("Home", "Index", "<h1>{{ title }}</h1>{% for item in items %}<li>{{ item }}</li>{% endfor %}");
        using var factory = Factory(new WebApplicationFactory<Program>());
        var client = factory.CreateClient();
        var environment = factory.Services.GetRequiredService<KidaEnvironment>();
        var before = environment.CompilationCount;
        var pages = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => client.GetStringAsync("/"))));
        Assert.Equal(before + 1, environment.CompilationCount);
        Assert.Single(pages.Distinct());
        Assert.Equal("<h1>Kida for .NET</h1><li>Fast</li><li>Thread-safe</li><li>Jinja-compatible</li>", pages[0]);
    }

    [Fact]
    public async Task Syntax_error_in_production_is_a_plain_500()
    {
        Write("line one\n{% if %}broken");
        using var factory = Factory(new WebApplicationFactory<Program>(), "Production");
        var response = await factory.CreateClient().GetAsync("/hello");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("broken", body);
        Assert.DoesNotContain("Hello.html", body);
    }

    [Fact]
    public async Task Concurrent_first_requests_all_render_the_same_page()
    {
        Write("{% for i in range(50) %}{{ name }}{{ i }}{% endfor %}");
        using var factory = Factory(new WebApplicationFactory<Program>());
        var client = factory.CreateClient();
        var pages = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => client.GetStringAsync("/hello?name=a")));
        Assert.Single(pages.Distinct());
        Assert.StartsWith("a0a1", pages[0]);
    }

    [Theory]
    [InlineData("Development", true)]
    [InlineData("Production", false)]
    public void Auto_reload_defaults_to_on_in_development_only(string environment, bool expected)
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseEnvironment(environment));
        Assert.Equal(expected, factory.Services.GetRequiredService<KidaEnvironment>().Options.AutoReload);
    }

    [Fact]
    public async Task Globals_registered_through_options_are_visible()
    {
        Write("{{ site_name }}: {{ name }}");
        using var factory = Factory(new WebApplicationFactory<Program>());
        Assert.Equal("Kida Shop: world", await factory.CreateClient().GetStringAsync("/hello"));
    }
}
