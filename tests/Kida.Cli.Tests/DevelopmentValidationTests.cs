using Kida.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Kida.Cli.Tests;

/// <summary>AddKida turns KidaOptions.ValidateCalls on in Development only.</summary>
public class DevelopmentValidationTests
{
    private static KidaEnvironment EnvironmentFor(string hostEnvironment)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = hostEnvironment, ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddKida();
        using var app = builder.Build();
        return app.Services.GetRequiredService<KidaEnvironment>();
    }

    [Fact]
    public void Development_validates_calls_and_a_bad_call_names_the_definition()
    {
        var env = EnvironmentFor(Environments.Development);
        Assert.True(env.Options.ValidateCalls);
        var ex = Assert.Throws<TemplateRuntimeException>(() => env.FromString("{% def card(title) %}{{ title }}{% end %}\n{{ card(titel=1) }}", "page.html").Render());
        Assert.Equal("K-CMP-001", ex.Code);
        Assert.Contains("def 'card' (page.html:1:4) has no parameter 'titel'", ex.RawMessage);
        Assert.Equal(2, ex.Line);
    }

    [Fact]
    public void Production_does_not()
    {
        Assert.False(EnvironmentFor(Environments.Production).Options.ValidateCalls);
    }
}
