using System.Net;
using System.Text.RegularExpressions;
using Kida.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Kida.AspNetCore.Tests;

/// <summary>The sample's static files, minimal API detail page, partial view, view component and Razor view.</summary>
public class SampleRouteTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task Htmx_is_served_from_wwwroot_as_javascript()
    {
        var response = await factory.CreateClient().GetAsync("/lib/htmx/htmx.min.js");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        var script = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("var htmx=", script);
        Assert.Contains("version:\"2.0.11\"", script);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/hello")]
    [InlineData("/products")]
    [InlineData("/products/1")]
    [InlineData("/search")]
    public async Task Layout_loads_htmx_through_url_content(string path)
    {
        var html = await factory.CreateClient().GetStringAsync(path);
        Assert.Contains("<script src=\"/lib/htmx/htmx.min.js\" defer></script>", html);
    }

    [Fact]
    public async Task Products_page_pages_through_htmx_boosted_links()
    {
        // the Refresh button (which reloaded the same list, so it visibly did nothing) gave way to a pager boosted by htmx
        var html = await factory.CreateClient().GetStringAsync("/products");
        Assert.Contains("<nav class=\"pager\" aria-label=\"Pages\" hx-boost=\"true\"><span class=\"disabled\">← Previous</span><span aria-current=\"page\">1</span><a href=\"/Products?page=2\">2</a><a href=\"/Products?page=3\">3</a><a href=\"/Products?page=2\" rel=\"next\">Next →</a>", html);
    }

    [Fact]
    public async Task Product_detail_is_a_minimal_api_page_with_layout_escaping_and_url_helpers()
    {
        var response = await factory.CreateClient().GetAsync("/products/3");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<title>&lt;Kettle&gt;</title>", html);
        Assert.Contains("<h1 id=\"product-3\">&lt;Kettle&gt;</h1>", html);
        Assert.Contains("<p class=\"price\">39.90</p>", html);
        Assert.Contains("<a href=\"/Products\">All products</a>", html);
        // the price once (the row loaded beside it repeated it), the status badge from match, the description
        Assert.Single(Regex.Matches(html, "39\\.90"));
        Assert.Contains("<p class=\"status-line\"><span class=\"badge badge-ok\">In stock</span></p>", html);
        Assert.Contains("<p class=\"description\">Its name is markup on purpose: every value is escaped.</p>", html);
        Assert.DoesNotContain("<Kettle>", html);
    }

    [Fact]
    public async Task Unknown_product_is_404()
    {
        var response = await factory.CreateClient().GetAsync("/products/99");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public void Product_detail_endpoint_advertises_200_text_html_and_404_in_its_metadata()
    {
        var endpoint = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>().Single(e => e.RoutePattern.RawText == "/products/{id:int}");
        var produces = endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>();
        Assert.Contains(produces, p => p.StatusCode == StatusCodes.Status200OK && p.ContentTypes.Contains("text/html"));
        Assert.Contains(produces, p => p.StatusCode == StatusCodes.Status404NotFound);
    }

    [Fact]
    public async Task Partial_view_renders_one_row_without_layout_equal_to_the_row_of_the_full_page()
    {
        var client = factory.CreateClient();
        var response = await client.GetAsync("/products/item/2");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var partial = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", partial);
        Assert.StartsWith("  <li id=\"product-2\"><a class=\"name\" href=\"/products/2\">Cup &amp; saucer</a> <span class=\"badge badge-warn\">Few left</span> <span class=\"price\">8.00</span></li>", partial);
        var full = await client.GetStringAsync("/products");
        Assert.Contains(partial.TrimEnd('\n'), full);
    }

    [Fact]
    public async Task Partial_view_of_an_unknown_product_is_404()
    {
        var response = await factory.CreateClient().GetAsync("/products/item/42");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task View_component_renders_its_kida_default_view()
    {
        var response = await factory.CreateClient().GetAsync("/products/count");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("<span class=\"product-count\">12 products</span>\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Razor_view_works_beside_kida_and_embeds_a_kida_view_component_and_partial()
    {
        var response = await factory.CreateClient().GetAsync("/home/about");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<title>About</title>", html);
        Assert.Contains("<h1>Rendered by Razor</h1>", html);
        Assert.Contains("<p class=\"message\">Razor &amp; Kida side by side</p>", html);
        Assert.Contains("<span class=\"product-count\">12 products</span>", html);
        // inside the Kida layout (through Shared/_KidaLayout.cshtml): its navigation, with this page marked
        Assert.Contains("<a href=\"/home/about\" aria-current=\"page\">About</a>", html);
        Assert.Contains($"<link rel=\"stylesheet\" href=\"{RazorPagesTests.SiteCssHref(factory)}\">", html);
        Assert.Contains("<span class=\"badge\">&lt;Kida&gt; partial</span>", html);
    }

    [Fact]
    public async Task Search_page_reads_the_query_through_request_query()
    {
        var client = factory.CreateClient();
        var empty = await client.GetStringAsync("/search");
        Assert.Contains("<input type=\"search\" name=\"q\" value=\"\" autocomplete=\"off\"", empty);
        Assert.DoesNotContain("class=\"query\"", empty);
        Assert.DoesNotContain(" checked", empty);

        // q read with request.query.get / request.query.q, repeated tags with getlist (checked boxes) and joined
        var response = await client.GetAsync("/search?q=%3Ck&tag=kitchen&tag=tea");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<input type=\"search\" name=\"q\" value=\"&lt;k\" autocomplete=\"off\"", html);
        Assert.Contains("<input type=\"checkbox\" name=\"tag\" value=\"kitchen\" checked> kitchen", html);
        Assert.Contains("<input type=\"checkbox\" name=\"tag\" value=\"tea\" checked> tea", html);
        Assert.Contains("<p class=\"query\">1 result(s) for “&lt;k” in kitchen, tea</p>", html);
        Assert.Contains("<ul class=\"results\"><li><a href=\"/products/3\">&lt;Kettle&gt;</a></li></ul>", html);

        var one = await client.GetStringAsync("/search?q=t&tag=tea");
        Assert.Contains("value=\"kitchen\"> kitchen", one);
        Assert.Contains("value=\"tea\" checked> tea", one);
        // the checked tags filter the results: of the names with a t, those tagged tea
        Assert.Contains("<p class=\"query\">3 result(s) for “t” in tea</p>", one);
        Assert.Contains("<ul class=\"results\"><li><a href=\"/products/1\">Teapot</a></li><li><a href=\"/products/6\">Matcha whisk</a></li><li><a href=\"/products/8\">Tea strainer</a></li></ul>", one);
    }
}
