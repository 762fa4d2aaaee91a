using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;

namespace Kida.AspNetCore.BrowserTests;

/// <summary>The sample in a real browser: live search, paging, the contact form, htmx swaps and errors, the 404 page.</summary>
public sealed class SampleBrowserTests(SampleServer server) : IClassFixture<SampleServer>, IAsyncLifetime
{
    private IBrowserContext? _context;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        if (server.Browser is null) return;
        _context = await server.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1100, Height = 800 },
        });
        _context.SetDefaultTimeout(20_000);
        _page = await _context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (_context is not null) await _context.CloseAsync();
    }

    private void RequireBrowser() => Skip.If(server.Browser is null, server.NoBrowserReason);

    private Task ScreenshotAsync(string name) =>
        _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SampleServer.ScreenshotDirectory, name + ".png"), FullPage = true });

    /// <summary>Marks the loaded document, so a test can tell an htmx swap (marker kept) from a page load (marker gone).</summary>
    private Task MarkDocumentAsync() => _page.EvaluateAsync("() => { window.kidaMarker = 'kept'; }");

    private async Task<bool> SameDocumentAsync() => await _page.EvaluateAsync<bool>("() => window.kidaMarker === 'kept'");

    private async Task<string[]> TextsAsync(string selector) => (await _page.Locator(selector).AllTextContentsAsync()).ToArray();

    [SkippableFact]
    public async Task Live_search_updates_the_results_as_you_type_and_filters_by_tag()
    {
        RequireBrowser();
        await _page.GotoAsync("/search");
        await MarkDocumentAsync();
        Assert.Equal(0, await _page.Locator("#results li").CountAsync());

        await _page.Locator("input[name=q]").PressSequentiallyAsync("tea", new LocatorPressSequentiallyOptions { Delay = 60 });
        await Assertions.Expect(_page.Locator("#results .query")).ToHaveTextAsync("3 result(s) for “tea”");
        Assert.Equal(["Teapot", "Tea strainer", "Tea towel"], await TextsAsync("#results li"));

        await _page.Locator("input[name=tag][value=tea]").CheckAsync();
        await Assertions.Expect(_page.Locator("#results .query")).ToHaveTextAsync("2 result(s) for “tea” in tea");
        Assert.Equal(["Teapot", "Tea strainer"], await TextsAsync("#results li"));

        await _page.Locator("input[name=q]").FillAsync("<k");
        await Assertions.Expect(_page.Locator("#results .query")).ToHaveTextAsync("0 result(s) for “<k” in tea");
        Assert.Equal(["No product matches."], await TextsAsync("#results li"));
        Assert.True(await SameDocumentAsync(), "the results were swapped in by htmx, the page was not reloaded");
        await ScreenshotAsync("live-search");
    }

    [SkippableFact]
    public async Task Paging_moves_through_the_products_with_boosted_links()
    {
        RequireBrowser();
        await _page.GotoAsync("/products");
        Assert.Equal(["Teapot", "Cup & saucer", "<Kettle>", "Sencha", "Earl Grey"], await TextsAsync("#products li a.name"));
        await MarkDocumentAsync();

        await _page.GetByRole(AriaRole.Link, new() { Name = "Next →" }).ClickAsync();
        await Assertions.Expect(_page.Locator(".pager [aria-current=page]")).ToHaveTextAsync("2");
        Assert.Equal(["Matcha whisk", "Oolong", "Tea strainer", "Rooibos", "Milk jug"], await TextsAsync("#products li a.name"));
        await Assertions.Expect(_page).ToHaveURLAsync(new Regex("page=2$"));
        Assert.True(await SameDocumentAsync(), "hx-boost swapped the page in without a full load");

        await _page.GetByRole(AriaRole.Link, new() { Name = "3", Exact = true }).ClickAsync();
        await Assertions.Expect(_page.Locator(".pager [aria-current=page]")).ToHaveTextAsync("3");
        Assert.Equal(["Jasmine pearls", "Tea towel"], await TextsAsync("#products li a.name"));

        await _page.GetByRole(AriaRole.Link, new() { Name = "Tea towel" }).ClickAsync();
        await Assertions.Expect(_page.Locator("h1")).ToHaveTextAsync("Tea towel");
        await ScreenshotAsync("paging");
    }

    [SkippableFact]
    public async Task Contact_form_shows_errors_then_accepts_valid_input_with_antiforgery_and_redirects()
    {
        RequireBrowser();
        await _page.GotoAsync("/contact");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Assertions.Expect(_page.Locator(".summary")).ToHaveTextAsync("2 errors: Name is required. Email is required.");
        Assert.Equal(["Name is required.", "Email is required."], await TextsAsync(".error"));
        await ScreenshotAsync("contact-invalid");

        await _page.Locator("input[name=Name]").FillAsync("<Ada>");
        await _page.Locator("input[name=Email]").FillAsync("not an address");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Assertions.Expect(_page.Locator(".summary")).ToHaveTextAsync("1 error: Email is not valid.");
        await Assertions.Expect(_page.Locator("input[name=Name]")).ToHaveValueAsync("<Ada>");

        await _page.Locator("input[name=Email]").FillAsync("ada@example.org");
        // the post answers 302, the browser follows it with a GET
        var response = await _page.RunAndWaitForResponseAsync(() => _page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync(),
            r => r.Request.Method == "GET" && r.Url.EndsWith("/Contact", StringComparison.Ordinal));
        Assert.Equal(200, response.Status);
        Assert.Equal(302, (await response.Request.RedirectedFrom!.ResponseAsync())!.Status);
        await Assertions.Expect(_page).ToHaveURLAsync(new Regex("/Contact$"));
        await Assertions.Expect(_page.Locator(".sent")).ToHaveTextAsync("Thanks, <Ada>! We will answer soon.");
        Assert.Equal(0, await _page.Locator(".error").CountAsync());
        await ScreenshotAsync("contact-sent");

        // post/redirect/get: reloading does not post again, and the message was shown once
        await _page.ReloadAsync();
        Assert.Equal(0, await _page.Locator(".sent").CountAsync());
    }

    [SkippableFact]
    public async Task Htmx_swaps_a_fragment_into_the_page_and_reports_a_failed_request()
    {
        RequireBrowser();
        await _page.GotoAsync("/search");
        await MarkDocumentAsync();
        var fragment = _page.WaitForResponseAsync(r => r.Url.Contains("/search?") && r.Request.Headers.ContainsKey("hx-request"));
        await _page.Locator("input[name=tag][value=kitchen]").CheckAsync();
        var response = await fragment;
        Assert.DoesNotContain("<html", await response.TextAsync());
        await Assertions.Expect(_page.Locator("#results .query")).ToHaveTextAsync("6 result(s) in kitchen");
        Assert.True(await SameDocumentAsync());

        await _page.GotoAsync("/home/about");
        await Assertions.Expect(_page.Locator("#htmx-error")).ToBeEmptyAsync();
        await _page.GetByRole(AriaRole.Button, new() { Name = "Request a failing fragment" }).ClickAsync();
        await Assertions.Expect(_page.Locator("#htmx-error")).ToContainTextAsync("The request failed (500");
        await Assertions.Expect(_page.Locator("#htmx-error")).ToBeVisibleAsync();
        await ScreenshotAsync("htmx-error");
    }

    [SkippableFact]
    public async Task An_unknown_address_shows_the_404_page_in_the_layout()
    {
        RequireBrowser();
        var response = await _page.GotoAsync("/no/such/page");
        Assert.Equal(404, response?.Status);
        await Assertions.Expect(_page).ToHaveTitleAsync("Page not found");
        await Assertions.Expect(_page.Locator("h1")).ToHaveTextAsync("Page not found");
        await ScreenshotAsync("not-found");
        await _page.GetByRole(AriaRole.Link, new() { Name = "Back to the shop" }).ClickAsync();
        await Assertions.Expect(_page.Locator("h1")).ToHaveTextAsync("Kida for .NET");
    }
}
