using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
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
                o.AutoReload = true;
                o.EnvironmentSetup.Add(env => env.AddGlobal("site_name", "Kida Shop"));
            }));
        });

    private void Write(string text) => File.WriteAllText(Path.Combine(_root, "Views", "Home", "Hello.html"), text);

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
    public async Task Syntax_error_shows_the_template_and_line_on_the_developer_page()
    {
        Write("line one\n{% if %}broken");
        using var factory = Factory(new WebApplicationFactory<Program>());
        var response = await factory.CreateClient().GetAsync("/hello");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("Views/Home/Hello.html", body);
        Assert.Contains("broken", body);
    }

    [Fact]
    public async Task Large_page_on_real_Kestrel_without_synchronous_io()
    {
        Write("{% for i in range(20000) %}<p>{{ name }} {{ i }}</p>{% endfor %}");
        using var factory = Factory(new WebApplicationFactory<Program>());
        factory.UseKestrel(0);
        factory.StartServer();
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/hello?name=%3Cx%3E");
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var html = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("<p>&lt;x&gt; 0</p>", html);
        Assert.EndsWith("<p>&lt;x&gt; 19999</p>", html);
        Assert.True(html.Length > 300_000);
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

    [Fact]
    public async Task Globals_registered_through_options_are_visible()
    {
        Write("{{ site_name }}: {{ name }}");
        using var factory = Factory(new WebApplicationFactory<Program>());
        Assert.Equal("Kida Shop: world", await factory.CreateClient().GetStringAsync("/hello"));
    }
}
