using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;
using MvcSample.Models;
using Xunit;

namespace Kida.AspNetCore.Tests;

/// <summary>
/// Razor Pages rendering Kida templates: the sample's /teas page (Pages/Teas.cshtml declares the route, its handler
/// returns a <see cref="KidaPageResult"/>).
/// </summary>
public sealed class RazorPagesTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    /// <summary>The sample's stylesheet URL as <c>asset("~/css/site.css")</c> writes it: with the SHA-256 of the file.</summary>
    internal static string SiteCssHref(WebApplicationFactory<Program> factory)
    {
        var environment = factory.Services.GetRequiredService<IWebHostEnvironment>();
        using var stream = environment.WebRootFileProvider.GetFileInfo("css/site.css").CreateReadStream();
        return "/css/site.css?v=" + WebEncoders.Base64UrlEncode(SHA256.HashData(stream));
    }

    private static IEnumerable<Product> Teas => Product.All.Where(p => p.Tags.Contains("tea"));

    [Fact]
    public async Task Page_handler_renders_the_template_named_after_the_page_with_the_page_model_in_the_default_layout()
    {
        var response = await factory.CreateClient().GetAsync("/teas");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var html = await response.Content.ReadAsStringAsync();
        // the default layout (title from the page's ViewData, navigation), the page model's teas, the auto-imported price macro
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<title>Teas</title>", html);
        Assert.Contains($"<link rel=\"stylesheet\" href=\"{SiteCssHref(factory)}\">", html);
        Assert.Contains("<a href=\"/teas\" aria-current=\"page\">Teas</a>", html);
        Assert.Contains("<h1>Teas</h1>", html);
        foreach (var tea in Teas)
            Assert.Contains($"<li><a href=\"/products/{tea.Id}\">{tea.Name}</a> <span class=\"price\">{tea.Price}</span></li>", html);
    }

    [Fact]
    public async Task Page_handler_renders_an_explicitly_named_template_that_opts_out_of_the_layout()
    {
        var html = await factory.CreateClient().GetStringAsync("/teas?handler=list");
        Assert.StartsWith("\n<ul class=\"teas\">", html);
        Assert.DoesNotContain("<html", html);
        Assert.Equal(Teas.Count(), html.Split("<li>").Length - 1);
        Assert.Contains($"<li>{Teas.First().Name} <span class=\"price\">{Teas.First().Price}</span></li>", html);
    }
}
