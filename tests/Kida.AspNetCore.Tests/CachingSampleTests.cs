using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Kida.AspNetCore.Tests;

/// <summary>The sample's product page keeps its details in a <c>{% cache %}</c> fragment, invalidated by its tags.</summary>
public class CachingSampleTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task The_product_page_caches_its_details_and_InvalidateFragmentsAsync_drops_them()
    {
        var client = factory.CreateClient();
        var env = factory.Services.GetRequiredService<KidaEnvironment>();
        env.ClearFragmentCache();
        var first = await client.GetStringAsync("/products/1");
        Assert.Contains("class=\"description\"", first);
        Assert.Equal(1, env.FragmentCount);
        Assert.Equal(first, await client.GetStringAsync("/products/1"));
        Assert.Equal(1, env.FragmentCount);
        await env.InvalidateFragmentsAsync(["product-1"]);
        Assert.Equal(0, env.FragmentCount);
        Assert.Equal(first, await client.GetStringAsync("/products/1"));
    }
}
