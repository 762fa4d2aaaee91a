using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit;

namespace Kida.AspNetCore.Tests;

/// <summary>The sample as a small app: layout and navigation, components, paging, live search, error pages, PRG.</summary>
public partial class SampleAppTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private static readonly string[] Pages = ["/", "/products", "/products/3", "/search", "/hello", "/contact", "/home/about"];

    [GeneratedRegex("<li id=\"product-(\\d+)\">")]
    private static partial Regex RowPattern();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    private static HttpRequestMessage Htmx(string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("HX-Request", "true");
        return request;
    }

    [Fact]
    public async Task Every_page_has_the_layout_with_viewport_stylesheet_and_navigation_to_every_page()
    {
        var client = factory.CreateClient();
        foreach (var page in Pages)
        {
            var html = await client.GetStringAsync(page);
            Assert.Contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", html);
            Assert.Contains($"<link rel=\"stylesheet\" href=\"{RazorPagesTests.SiteCssHref(factory)}\">", html);
            Assert.Contains("<script src=\"/js/site.js\" defer></script>", html);
            Assert.Contains("<div id=\"htmx-error\" class=\"alert alert-error\" role=\"alert\" aria-live=\"assertive\"></div>", html);
            foreach (var (href, label) in new[] { ("/", "Home"), ("/products", "Products"), ("/search", "Search"), ("/hello", "Hello"), ("/contact", "Contact"), ("/home/about", "About") })
            {
                Assert.Matches($"<a href=\"{Regex.Escape(href)}\"( aria-current=\"page\")?>{label}</a>", html);
            }
            Assert.Single(Regex.Matches(html, "aria-current=\"page\">(Home|Products|Search|Hello|Contact|About)</a>"));
        }
    }

    [Theory]
    [InlineData("/css/site.css", "text/css", ".card--tea")]
    [InlineData("/js/site.js", "text/javascript", "htmx:responseError")]
    public async Task The_stylesheet_and_script_are_served_from_wwwroot(string path, string mediaType, string content)
    {
        var response = await factory.CreateClient().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(content, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Home_shows_featured_products_as_cards_with_named_slots_a_match_badge_and_the_provided_theme()
    {
        var html = await factory.CreateClient().GetStringAsync("/");
        Assert.Equal(3, Regex.Matches(html, "<article class=\"card card--tea\">").Count);
        Assert.Contains("<h2><a href=\"/products/3\">&lt;Kettle&gt;</a></h2>\n  <div><span class=\"badge badge-ok\">In stock</span></div>\n  <p>Its name is markup on purpose: every value is escaped.</p>\n  <footer><span class=\"price\">39.90</span> <a href=\"/products/3\">Details</a></footer>\n</article>", html);
    }

    [Fact]
    public async Task Products_are_paged_five_at_a_time_and_link_to_their_details()
    {
        var client = factory.CreateClient();
        var pages = new List<int[]>();
        for (var page = 1; page <= 3; page++)
        {
            var html = await client.GetStringAsync($"/products?page={page}");
            Assert.Contains($"<p class=\"muted\">12 products · page {page} of 3</p>", html);
            pages.Add(RowPattern().Matches(html).Select(m => int.Parse(m.Groups[1].Value)).ToArray());
        }
        Assert.Equal([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12]], pages);
        var second = await client.GetStringAsync("/products?page=2");
        Assert.Contains("<a href=\"/Products?page=1\" rel=\"prev\">← Previous</a>", second);
        Assert.Contains("<span aria-current=\"page\">2</span>", second);
        Assert.Contains("<a class=\"name\" href=\"/products/7\">Oolong</a> <span class=\"badge badge-warn\">Few left</span>", second);
        var last = await client.GetStringAsync("/products?page=3");
        Assert.Contains("<span class=\"disabled\">Next →</span>", last);
        Assert.Contains("<span class=\"badge badge-bad\">Sold out</span>", second);
    }

    [Fact]
    public async Task A_boosted_page_link_gets_the_whole_page_and_a_plain_htmx_request_the_list_block()
    {
        var client = factory.CreateClient();
        var boosted = Htmx("/products?page=2");
        boosted.Headers.Add("HX-Boosted", "true");
        var page = await (await client.SendAsync(boosted)).Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"en\">", page);
        var fragment = await (await client.SendAsync(Htmx("/products?page=2"))).Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", fragment);
        Assert.Equal([6, 7, 8, 9, 10], RowPattern().Matches(fragment).Select(m => int.Parse(m.Groups[1].Value)));
    }

    [Fact]
    public async Task Live_search_answers_htmx_with_the_results_block_equal_to_that_part_of_the_page()
    {
        var client = factory.CreateClient();
        var page = await client.GetStringAsync("/search?q=tea&tag=kitchen");
        var response = await client.SendAsync(Htmx("/search?q=tea&tag=kitchen"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var fragment = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", fragment);
        Assert.Contains("<p class=\"query\">3 result(s) for “tea” in kitchen</p>", fragment);
        Assert.Contains("<li><a href=\"/products/12\">Tea towel</a></li>", fragment);
        const string open = "<div id=\"results\" aria-live=\"polite\">";
        var start = page.IndexOf(open, StringComparison.Ordinal) + open.Length;
        Assert.Equal(page[start..page.IndexOf("</div>", start, StringComparison.Ordinal)], fragment);
        // the input asks for it as the user types, after a pause
        Assert.Contains("hx-get=\"/search\" hx-trigger=\"input changed delay:300ms, search\" hx-target=\"#results\" hx-include=\"closest form\"", page);
        // no match says so
        Assert.Contains("<li class=\"muted\">No product matches.</li>", await (await client.SendAsync(Htmx("/search?q=zzz"))).Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/no/such/page", 404, "Page not found")]
    [InlineData("/products/99", 404, "Page not found")]
    [InlineData("/products?page=9", 404, "Page not found")]
    [InlineData("/products?page=abc", 400, "Bad request")]
    public async Task Status_codes_are_rendered_by_the_kida_error_page_in_the_layout(string url, int status, string title)
    {
        var response = await factory.CreateClient().GetAsync(url);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains($"<title>{title}</title>", html);
        Assert.Contains($"<p class=\"code\">{status}</p>\n<h1>{title}</h1>", html);
        Assert.Contains("<a class=\"brand\" href=\"/\">Kida Tea Shop</a>", html);
    }

    [Fact]
    public async Task A_post_without_antiforgery_token_gets_the_400_page()
    {
        var response = await factory.CreateClient().PostAsync("/contact", new FormUrlEncodedContent(new Dictionary<string, string> { ["Name"] = "x" }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("<h1>Bad request</h1>", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_htmx_request_for_a_missing_page_gets_only_the_message_and_a_header_for_the_error_feedback()
    {
        var response = await factory.CreateClient().SendAsync(Htmx("/no/such/fragment"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Page not found", string.Join(",", response.Headers.GetValues("X-Error-Message")));
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal("<p class=\"code\">404</p>\n<h1>Page not found</h1>\n<p class=\"message\">There is no page at this address. It may have moved, or the link may be mistyped.</p>", html);
    }

    [Fact]
    public async Task In_production_an_exception_is_the_kida_500_page_without_details_also_for_htmx()
    {
        using var production = factory.WithWebHostBuilder(b => b.UseEnvironment("Production"));
        var client = production.CreateClient();
        var response = await client.GetAsync("/demo/fail");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Something went wrong</h1>", html);
        Assert.DoesNotContain("on purpose", html);
        Assert.DoesNotContain("InvalidOperationException", html);

        var fragment = await client.SendAsync(Htmx("/demo/fail"));
        Assert.Equal(HttpStatusCode.InternalServerError, fragment.StatusCode);
        Assert.Equal("Something went wrong", string.Join(",", fragment.Headers.GetValues("X-Error-Message")));
        Assert.StartsWith("<p class=\"code\">500</p>", await fragment.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_valid_contact_post_redirects_to_the_form_which_thanks_the_sender_once()
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false });
        var token = TokenPattern().Match(await client.GetStringAsync("/contact")).Groups[1].Value;
        var post = await client.PostAsync("/contact", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Name"] = "<Ada>", ["Email"] = "ada@example.org",
        }));
        Assert.Equal(HttpStatusCode.Found, post.StatusCode);
        Assert.Equal("/Contact", post.Headers.Location?.OriginalString);
        var thanked = await client.GetStringAsync("/Contact");
        Assert.Contains("<p class=\"sent alert alert-ok\" role=\"status\">Thanks, &lt;Ada&gt;! We will answer soon.</p>", thanked);
        Assert.DoesNotContain("class=\"sent", await client.GetStringAsync("/Contact"));
    }
}
