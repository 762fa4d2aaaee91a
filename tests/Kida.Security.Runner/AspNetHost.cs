using System.Net;
using Kida.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kida.Security;

/// <summary>
/// One ASP.NET Core app (TestServer, Production environment) over <see cref="Fixture.App"/>, whose appsettings.json
/// holds the secret in a connection string. <c>/r?name=</c> returns <c>Results.Extensions.Kida(name)</c> (a name
/// from the request); <c>/sec/page?name=</c> returns an MVC <c>View(name)</c>.
/// </summary>
public sealed class AspNetHost
{
    private static readonly Lazy<AspNetHost> Lazy = new(() => new AspNetHost());
    private readonly HttpClient _client;
    private int _counter;

    /// <summary>The app, started on first use.</summary>
    public static AspNetHost Instance => Lazy.Value;

    private AspNetHost()
    {
        _ = Fixture.Base;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = Fixture.App,
            EnvironmentName = "Production",
            ApplicationName = typeof(AspNetHost).Assembly.GetName().Name,
        });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddControllersWithViews()
            .ConfigureApplicationPartManager(m =>
            {
                m.ApplicationParts.Clear();
                m.ApplicationParts.Add(new AssemblyPart(typeof(SecController).Assembly));
            })
            .AddKida();
        var app = builder.Build();
        app.MapGet("/r", (string name) => Results.Extensions.Kida(name, new { title = "<t>" }));
        app.MapControllerRoute("default", "{controller}/{action}");
        app.StartAsync().GetAwaiter().GetResult();
        _client = app.GetTestClient();
    }

    /// <summary>Requests <c>Results.Extensions.Kida(entry)</c>.</summary>
    public string Result(Attack attack) => Get("/r?name=" + Uri.EscapeDataString(Fixture.Resolve(attack.Entry)));

    /// <summary>Writes the attack's main template as a view (unless the entry names another view) and requests it.</summary>
    public string View(Attack attack)
    {
        var name = Fixture.Resolve(attack.Entry);
        if (attack.Templates.TryGetValue("main.html", out var text))
        {
            name = "A" + Interlocked.Increment(ref _counter) + "_" + Environment.ProcessId;
            File.WriteAllText(Path.Combine(Fixture.App, "Views", "Sec", name + ".html"), Fixture.Resolve(text));
        }
        foreach (var (n, t) in attack.Templates.Where(kv => kv.Key != "main.html"))
            File.WriteAllText(Path.Combine(Fixture.App, "Views", "Shared", n), Fixture.Resolve(t));
        return Get("/sec/page?name=" + Uri.EscapeDataString(name) + "&ctx=" + Uri.EscapeDataString(attack.Context));
    }

    private string Get(string url)
    {
        HttpResponseMessage response;
        try
        {
            response = _client.GetAsync(url).GetAwaiter().GetResult();
        }
        catch (KidaCompilationException ce) when (ce.InnerException is TemplateException te)
        {
            throw te;
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("was not found", StringComparison.Ordinal))
        {
            // MVC's own answer to a view name that finds no view (a 500 page in production): not a Kida escape.
            throw new TemplateNotFoundException("(mvc view)", null, "MVC: " + ex.Message);
        }
        var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            if (Judge.Leaks(body)) return body; // a 404 page showing the secret is still a leak
            throw new TemplateNotFoundException("(http 404)", null, "HTTP 404");
        }
        return body;
    }
}

/// <summary>The MVC controller of the attack app.</summary>
public sealed class SecController : Controller
{
    /// <summary>Returns <c>View(name)</c> with the attack's context as the model.</summary>
    public IActionResult Page(string name, string? ctx) => View(name, Contexts.Build(ctx ?? ""));
}
