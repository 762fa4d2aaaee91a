using Microsoft.AspNetCore.Mvc.Testing;
using Xunit;

namespace Kida.AspNetCore.Tests;

public class SampleTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task Home_renders_through_the_layout()
    {
        var response = await factory.CreateClient().GetAsync("/");
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<title>Kida for .NET</title>", html);
        Assert.Contains("<li>2. Thread-safe</li>", html);
    }

    [Fact]
    public async Task Hello_escapes_the_query_value()
    {
        var html = await factory.CreateClient().GetStringAsync("/hello?name=%3Cscript%3E");
        Assert.Contains("Hello, &lt;script&gt;!", html);
        Assert.DoesNotContain("<script>", html);
    }
}
