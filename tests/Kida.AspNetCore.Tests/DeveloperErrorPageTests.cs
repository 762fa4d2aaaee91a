using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Kida.AspNetCore.Tests;

/// <summary>The developer exception page for template errors (Diagnostics/KidaDeveloperPageExceptionFilter), through the sample.</summary>
public sealed class DeveloperErrorPageTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "kida-devpage-" + Guid.NewGuid().ToString("N"));

    // the column of the error on "<p>{{ who.first_name }}</p>": the output tag, where Kida records runtime positions
    private const int ErrorColumn = 4;

    public DeveloperErrorPageTests()
    {
        Write("Shared/Layout.html", "<!DOCTYPE html>\n<title>x</title>\n<body>\n{% block content %}{% endblock %}\n</body>");
        Write("Shared/_macros.html", "{% macro greet(who) %}\n<p>Hello {{ who }}</p>\n<p>{{ who.first_name }}</p>\n{% endmacro %}");
        // the page the sample's /hello renders: an undefined member inside a macro imported by a page that extends a layout
        Write("Home/Hello.html", string.Join("\n",
            "{% extends \"Shared/Layout.html\" %}",
            "{% import \"Shared/_macros.html\" as m %}",
            "{# <script>alert('source is escaped')</script> #}",
            "{% block content %}",
            "  line 5",
            "  line 6",
            "\t{{ m.greet(name) }}",
            "  line 8",
            "{% endblock %}"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private void Write(string name, string text)
    {
        var path = Path.Combine(_root, "Views", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private WebApplicationFactory<Program> Factory(string environment, LogSink? logs = null) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment(environment);
            if (logs is not null) b.ConfigureLogging(l => l.AddProvider(logs));
            b.ConfigureTestServices(s => s.Configure<KidaViewOptions>(o => o.FileProvider = new PhysicalFileProvider(_root)));
        });

    private static async Task<(HttpStatusCode Status, string Type, string Body)> GetAsync(WebApplicationFactory<Program> factory, string url, string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        var response = await factory.CreateClient().SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? "", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_runtime_error_shows_code_message_location_escaped_source_with_caret_template_stack_and_collapsed_engine_frames()
    {
        using var factory = Factory("Development");
        var (status, type, html) = await GetAsync(factory, "/hello?name=Ada", "text/html");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal("text/html; charset=utf-8", type);
        Assert.Contains("<span class=\"code\">K-RUN-", html);
        Assert.Contains("first_name", html);
        Assert.Contains("<p class=\"location\">Shared/_macros.html:3:", html);
        // the failing line, marked, with the caret under the column of the error
        Assert.Contains("<span class=\"line current\">3 | &lt;p&gt;{{ who.first_name }}&lt;/p&gt;</span>", html);
        var caret = html[(html.IndexOf("<span class=\"caret\">", StringComparison.Ordinal) + "<span class=\"caret\">".Length)..];
        caret = caret[..caret.IndexOf("</span>", StringComparison.Ordinal)];
        Assert.Equal("  | " + new string(' ', ErrorColumn - 1) + "^", caret);
        // the template stack, innermost first: macro call in the page's block, the block in the layout, the extends
        var stack = html[html.IndexOf("<ol class=\"template-stack\">", StringComparison.Ordinal)..];
        stack = stack[..stack.IndexOf("</ol>", StringComparison.Ordinal)];
        Assert.Contains("<li><span class=\"what\">error</span> in <code>Shared/_macros.html:3:", stack);
        var macro = stack.IndexOf("<span class=\"what\">macro</span> <code>greet</code> at <code>Home/Hello.html:7:", StringComparison.Ordinal);
        var block = stack.IndexOf("<span class=\"what\">block</span> <code>content</code> at <code>Shared/Layout.html:4:", StringComparison.Ordinal);
        var extends = stack.IndexOf("<span class=\"what\">extends</span> <code>Shared/Layout.html</code> at <code>Home/Hello.html:1:", StringComparison.Ordinal);
        Assert.True(macro > 0 && block > macro && extends > block, stack);
        // engine frames collapsed, the rest of the stack listed
        Assert.Contains("Kida engine frame(s)</summary>", html);
        Assert.DoesNotContain("<li><code>at Kida.Runtime", html);
        Assert.DoesNotContain("<li><code>at lambda_method", html);
    }

    [Fact]
    public async Task Source_lines_around_the_error_are_shown_escaped_and_limited_to_five_either_side()
    {
        Write("Home/Hello.html", string.Join("\n", Enumerable.Range(1, 20).Select(i => i == 12 ? "{{ nope }}" : i == 8 ? "<script>alert(1)</script>" : $"line {i}")));
        using var factory = Factory("Development");
        var (_, _, html) = await GetAsync(factory, "/hello", "text/html");
        Assert.Contains("<span class=\"line\"> 7 | line 7</span>", html);
        Assert.Contains("<span class=\"line\"> 8 | &lt;script&gt;alert(1)&lt;/script&gt;</span>", html);
        Assert.Contains("<span class=\"line current\">12 | {{ nope }}</span>", html);
        Assert.Contains("<span class=\"line\">17 | line 17</span>", html);
        Assert.DoesNotContain("| line 6<", html);
        Assert.DoesNotContain("| line 18<", html);
        Assert.DoesNotContain("<script>alert(1)", html);
    }

    [Fact]
    public async Task A_syntax_error_shows_the_page_with_the_template_line_and_source()
    {
        Write("Home/Hello.html", "line one\n{% if %}broken");
        using var factory = Factory("Development");
        var (status, _, html) = await GetAsync(factory, "/hello", "text/html");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Contains("<span class=\"code\">K-PAR-", html);
        Assert.Contains("<p class=\"location\">Home/Hello.html:2:7</p>", html);
        Assert.Contains("<span class=\"line current\">2 | {% if %}broken</span>", html);
        Assert.Contains("<span class=\"caret\">  |       ^</span>", html);
    }

    [Fact]
    public async Task A_client_without_html_gets_the_same_report_as_text()
    {
        using var factory = Factory("Development");
        var (status, type, text) = await GetAsync(factory, "/hello?name=Ada", "text/plain");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal("text/plain; charset=utf-8", type);
        Assert.Contains("--> Shared/_macros.html:3:", text);
        Assert.Contains("> 3 | <p>{{ who.first_name }}</p>", text);
        Assert.Contains("Template stack (innermost first):", text);
        Assert.Contains("  macro 'greet' at Home/Hello.html:7:", text);
    }

    [Fact]
    public async Task Production_is_unchanged_and_shows_no_details()
    {
        using var factory = Factory("Production");
        var (status, _, html) = await GetAsync(factory, "/hello?name=Ada", "text/html");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.DoesNotContain("first_name", html);
        Assert.DoesNotContain("_macros.html", html);
        Assert.DoesNotContain("Kida engine frame", html);
    }

    [Fact]
    public async Task Other_exceptions_keep_the_aspnet_developer_page()
    {
        using var factory = Factory("Development");
        var (status, _, html) = await GetAsync(factory, "/demo/fail", "text/html");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Contains("This endpoint fails on purpose.", html);
        Assert.DoesNotContain("Kida template error", html);
    }

    [Fact]
    public async Task A_failed_render_is_logged_once_at_error_level()
    {
        var logs = new LogSink();
        using var factory = Factory("Development", logs);
        await GetAsync(factory, "/hello?name=Ada", "text/html");
        // the host's exception middleware logs the error with its stack; Kida names the template at Information, once
        Assert.Single(logs.Entries, e => e.Level >= LogLevel.Warning);
        var kida = Assert.Single(logs.Entries, e => e.Category == "Kida.AspNetCore" && e.EventId == 1);
        Assert.Equal((LogLevel.Information, "Rendering Kida template Home/Hello.html failed"), (kida.Level, kida.Message));
    }
}
