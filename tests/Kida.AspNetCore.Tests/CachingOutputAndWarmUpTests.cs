using System.Net;
using Kida.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Kida.AspNetCore.Tests;

/// <summary>Counts renders of the output-cache test views.</summary>
public sealed class OutputCacheProbe
{
    private int _renders;
    public int Renders => Volatile.Read(ref _renders);
    public int Tick() => Interlocked.Increment(ref _renders);
}

/// <summary>An MVC controller of the output-cache test: a Kida view behind <c>[OutputCache]</c>.</summary>
public sealed class CachedController : Controller
{
    [OutputCache(Duration = 600)]
    public IActionResult Index() => View(new { Name = "mvc" });
}

/// <summary>
/// ASP.NET Core's output cache in front of Kida views (a second request is served from the cache, without rendering),
/// and template warm-up at start-up (<see cref="KidaViewOptions.WarmUp"/>), issue 17 items 5 and 6.
/// </summary>
public sealed class CachingOutputAndWarmUpTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "kida-oc-" + Guid.NewGuid().ToString("N"));

    public CachingOutputAndWarmUpTests()
    {
        Write("Cached/Index.html", "<p>{{ model.name }} #{{ tick() }}</p>");
        Write("Shared/Layout.html", "<main>{% block body %}{% end %}</main>");
        Write("Pages/Home.html", "{% extends 'Shared/Layout.html' %}{% block body %}home{% end %}");
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

    private WebApplicationBuilder Builder(LogSink? logs = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = _root,
            EnvironmentName = "Production",
            ApplicationName = typeof(CachingOutputAndWarmUpTests).Assembly.GetName().Name,
        });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        if (logs is not null) builder.Logging.AddProvider(logs);
        return builder;
    }

    [Theory]
    [InlineData("/cached")]
    [InlineData("/minimal")]
    public async Task UseOutputCache_serves_the_second_request_of_a_Kida_view_from_the_cache(string path)
    {
        var builder = Builder();
        builder.Services.AddSingleton<OutputCacheProbe>();
        builder.Services.AddOutputCache();
        builder.Services.AddControllersWithViews()
            .ConfigureApplicationPartManager(m =>
            {
                m.ApplicationParts.Clear();
                m.ApplicationParts.Add(new AssemblyPart(typeof(CachedController).Assembly));
            })
            .AddKida();
        await using var app = builder.Build();
        var probe = app.Services.GetRequiredService<OutputCacheProbe>();
        app.Services.GetRequiredService<KidaEnvironment>().AddGlobal("tick", new Func<int>(probe.Tick));
        app.UseOutputCache();
        app.MapControllerRoute("default", "{controller}/{action=Index}");
        app.MapGet("/minimal", () => Results.Extensions.Kida("Cached/Index.html", new { model = new { Name = "minimal" } })).CacheOutput();
        await app.StartAsync();
        var client = app.GetTestClient();

        var first = await client.GetAsync(path);
        var second = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var text = await first.Content.ReadAsStringAsync();
        Assert.Matches(@"^<p>(mvc|minimal) #1</p>$", text);
        Assert.Equal(text, await second.Content.ReadAsStringAsync());
        Assert.Equal("text/html; charset=utf-8", second.Content.Headers.ContentType?.ToString());
        Assert.NotNull(second.Headers.Age);
        Assert.Equal(1, probe.Renders);
    }

    private async Task<(WebApplication App, KidaEnvironment Env)> StartWithWarmUpAsync(KidaWarmUp mode, LogSink? logs = null)
    {
        var builder = Builder(logs);
        builder.Services.AddKida(o => o.WarmUp = mode);
        var app = builder.Build();
        app.MapGet("/home", () => Results.Extensions.Kida("Pages/Home.html"));
        var env = app.Services.GetRequiredService<KidaEnvironment>();
        await app.StartAsync();
        return (app, env);
    }

    [Fact]
    public async Task WarmUp_BeforeStart_compiles_every_template_before_the_first_request()
    {
        var (app, env) = await StartWithWarmUpAsync(KidaWarmUp.BeforeStart);
        await using (app)
        {
            Assert.Equal(3, env.CompilationCount);
            Assert.Equal("<main>home</main>", await app.GetTestClient().GetStringAsync("/home"));
            Assert.Equal(3, env.CompilationCount);
        }
    }

    [Fact]
    public async Task WarmUp_None_compiles_on_first_use()
    {
        var (app, env) = await StartWithWarmUpAsync(KidaWarmUp.None);
        await using (app)
        {
            Assert.Equal(0, env.CompilationCount);
            Assert.Equal("<main>home</main>", await app.GetTestClient().GetStringAsync("/home"));
            Assert.Equal(2, env.CompilationCount);
        }
    }

    [Fact]
    public async Task WarmUp_Background_compiles_after_start_and_logs_the_broken_templates()
    {
        Write("Shared/Broken.html", "{% for x in y %}never closed");
        var logs = new LogSink();
        var (app, env) = await StartWithWarmUpAsync(KidaWarmUp.Background, logs);
        await using (app)
        {
            var service = app.Services.GetServices<IHostedService>().OfType<KidaWarmUpService>().Single();
            await service.Background!;
            Assert.Equal(3, env.CompilationCount);
            Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("Shared/Broken.html", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task WarmUp_BeforeStart_starts_despite_a_broken_template_and_logs_it()
    {
        Write("Shared/Broken.html", "{{ 1 + }}");
        var logs = new LogSink();
        var (app, env) = await StartWithWarmUpAsync(KidaWarmUp.BeforeStart, logs);
        await using (app)
        {
            Assert.Equal("<main>home</main>", await app.GetTestClient().GetStringAsync("/home"));
            Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("Shared/Broken.html", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task WarmUp_FailStartup_fails_start_up_naming_the_broken_template()
    {
        Write("Shared/Broken.html", "{% if x %}never closed");
        var builder = Builder();
        builder.Services.AddKida(o => o.WarmUp = KidaWarmUp.FailStartup);
        await using var app = builder.Build();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
        Assert.Contains("Shared/Broken.html", error.Message);
        var syntax = Assert.IsType<TemplateSyntaxException>(error.InnerException);
        Assert.StartsWith("K-PAR-", syntax.Code);
        Assert.Contains(syntax.Code, error.Message);
        Assert.Equal(("Shared/Broken.html", 1), (syntax.TemplateName, syntax.Line));
    }

    [Fact]
    public async Task WarmUp_FailStartup_starts_when_every_template_compiles()
    {
        var (app, env) = await StartWithWarmUpAsync(KidaWarmUp.FailStartup);
        await using (app)
        {
            Assert.Equal(3, env.CompilationCount);
        }
    }

    [Theory]
    [InlineData(KidaWarmUp.None)]
    [InlineData(KidaWarmUp.Background)]
    [InlineData(KidaWarmUp.BeforeStart)]
    public async Task The_warm_up_service_stops_in_any_order_with_disposal(KidaWarmUp mode)
    {
        var (app, _) = await StartWithWarmUpAsync(mode);
        var service = app.Services.GetServices<IHostedService>().OfType<KidaWarmUpService>().Single();
        // disposed first (a container torn down before the host stopped), then stopped, then stopped again
        service.Dispose();
        await service.StopAsync(CancellationToken.None);
        await app.StopAsync();
        await app.DisposeAsync();
        if (service.Background is { } background) await background;
    }
}
