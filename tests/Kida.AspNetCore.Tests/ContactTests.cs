using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit;

namespace Kida.AspNetCore.Tests;

public partial class ContactTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("<span class=\"error\">([^<]*)</span>")]
    private static partial Regex SpanPattern();

    private static async Task<(HttpClient Client, string Token)> GetFormAsync(WebApplicationFactory<Program> factory)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true });
        var html = await client.GetStringAsync("/contact");
        var match = TokenPattern().Match(html);
        Assert.True(match.Success, "the form carries csrf_input()");
        return (client, match.Groups[1].Value);
    }

    [Fact]
    public async Task Form_renders_raw_antiforgery_input()
    {
        var html = await factory.CreateClient().GetStringAsync("/contact");
        Assert.Contains("<input type=\"hidden\" name=\"__RequestVerificationToken\"", html);
        Assert.Contains("<title>Contact</title>", html);
        // model_state.is_valid: no summary before anything was posted
        Assert.DoesNotContain("class=\"summary\"", html);
        Assert.DoesNotContain("class=\"error\"", html);
    }

    [Fact]
    public async Task Invalid_post_shows_model_state_errors()
    {
        var (client, token) = await GetFormAsync(factory);
        var response = await client.PostAsync("/contact", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Name"] = "", ["Email"] = "bad",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<span class=\"error\">Name is required.</span>", html);
        Assert.Contains("<span class=\"error\">Email is not valid.</span>", html);
        Assert.Contains("value=\"bad\"", html);
        // model_state.is_valid, model_state.error_count and model_state.errors() (every message, in field order)
        Assert.Contains("<p class=\"summary\">2 errors: Name is required. Email is not valid.</p>", html);
        // model_state.errors("Name") lists the messages of one field
        Assert.Single(SpanPattern().Matches(html), m => m.Groups[1].Value == "Name is required.");
    }

    [Fact]
    public async Task One_invalid_field_shows_a_singular_summary_and_only_its_own_error()
    {
        var (client, token) = await GetFormAsync(factory);
        var response = await client.PostAsync("/contact", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Name"] = "<Ada>", ["Email"] = "bad",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<p class=\"summary\">1 error: Email is not valid.</p>", html);
        Assert.Equal(["Email is not valid."], SpanPattern().Matches(html).Select(m => m.Groups[1].Value));
        Assert.Contains("value=\"&lt;Ada&gt;\"", html);
    }

    [Fact]
    public async Task Valid_post_round_trips_antiforgery_and_escapes_the_name()
    {
        var (client, token) = await GetFormAsync(factory);
        var response = await client.PostAsync("/contact", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Name"] = "<script>x</script>", ["Email"] = "a@b.c",
        }));
        response.EnsureSuccessStatusCode();
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Thanks, &lt;script&gt;x&lt;/script&gt;!", html);
        Assert.DoesNotContain("class=\"summary\"", html);
        Assert.DoesNotContain("<script>", html);
    }

    [Fact]
    public async Task Post_without_token_is_rejected()
    {
        var response = await factory.CreateClient().PostAsync("/contact", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Name"] = "x", ["Email"] = "a@b.c",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
