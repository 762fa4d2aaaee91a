using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Kida.AspNetCore.Tests;

/// <summary>What the async test pages wait for: completed by the test once the page has asked for it.</summary>
public sealed class OrderGate
{
    public TaskCompletionSource<IReadOnlyList<string>> Orders { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Requested { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public int Loads;
}

/// <summary>A view model whose members are async values, as one reading a database would have.</summary>
public sealed class OrdersPage(OrderGate gate)
{
    public string Title => "Orders";

    public Task<IReadOnlyList<string>> Orders
    {
        get
        {
            Interlocked.Increment(ref gate.Loads);
            gate.Requested.TrySetResult();
            return gate.Orders.Task;
        }
    }

    public async Task<int> CountAsync()
    {
        await Task.Yield();
        return 2;
    }

    public async IAsyncEnumerable<string> Notes([EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var note in new[] { "n1", "n2" })
        {
            await Task.Delay(1, ct);
            yield return note;
        }
    }
}

public sealed class AsyncOrdersController(OrderGate gate) : Controller
{
    public IActionResult Index() => View("Index", new OrdersPage(gate));
}

/// <summary>
/// Async values in Kida views (issue 17, item 2): a view whose model members are tasks and async sequences renders
/// their results, waiting for them without blocking a thread (the page is answered only once the task completes).
/// </summary>
public sealed class AsyncViewTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kida-async-views-").FullName;

    public AsyncViewTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "Views", "AsyncOrders"));
        File.WriteAllText(Path.Combine(_root, "Views", "AsyncOrders", "Index.html"),
            "<h1>{{ model.title }}</h1><ul>{% for o in model.orders %}<li>{{ o }}</li>{% endfor %}</ul>" +
            "{{ await model.count_async() }}|{% async for n in model.notes() %}{{ loop.index }}{{ n }}{% endfor %}");
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private async Task<(WebApplication App, OrderGate Gate)> StartAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = _root,
            EnvironmentName = "Production",
            ApplicationName = typeof(AsyncViewTests).Assembly.GetName().Name,
        });
        builder.WebHost.UseTestServer();
        var gate = new OrderGate();
        builder.Services.AddSingleton(gate);
        builder.Services.AddControllersWithViews()
            .ConfigureApplicationPartManager(m =>
            {
                m.ApplicationParts.Clear();
                m.ApplicationParts.Add(new AssemblyPart(typeof(AsyncOrdersController).Assembly));
            })
            .AddKida();
        var app = builder.Build();
        app.MapControllerRoute("default", "{controller}/{action=Index}");
        app.MapGet("/minimal", (OrderGate g) => Results.Extensions.Kida("AsyncOrders/Index.html", new { model = new OrdersPage(g) }));
        await app.StartAsync();
        return (app, gate);
    }

    [Theory]
    [InlineData("/asyncorders")]
    [InlineData("/minimal")]
    public async Task A_view_model_member_that_is_a_running_task_is_awaited_and_the_page_waits_for_it(string url)
    {
        var (app, gate) = await StartAsync();
        await using var _ = app;
        var response = app.GetTestClient().GetAsync(url);
        // the page asked for the orders: it cannot be answered before they arrive
        await Task.WhenAny(gate.Requested.Task, response);
        Assert.True(gate.Requested.Task.IsCompleted, response.IsCompleted ? await (await response).Content.ReadAsStringAsync() : "");
        Assert.False(response.IsCompleted);
        gate.Orders.SetResult(["tea", "<cake>"]);
        var answer = await response;
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("<h1>Orders</h1><ul><li>tea</li><li>&lt;cake&gt;</li></ul>2|1n12n2", await answer.Content.ReadAsStringAsync());
        // the member was read once per attempt that reached it, and never again once its task was awaited
        Assert.Equal(1, gate.Loads);
    }

    [Fact]
    public async Task A_failed_task_in_a_view_model_fails_the_page_with_the_original_exception_inside()
    {
        var (app, gate) = await StartAsync();
        await using var _ = app;
        gate.Orders.SetException(new InvalidOperationException("database down"));
        // the test server hands the application's exception to the client
        var ex = await Assert.ThrowsAsync<TemplateRuntimeException>(() => app.GetTestClient().GetAsync("/asyncorders"));
        Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.Equal(("AsyncOrders/Index.html", 1), (ex.TemplateName, ex.Line));
    }
}
