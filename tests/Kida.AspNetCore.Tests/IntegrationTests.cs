using System.Net;
using Kida.AspNetCore;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Kida.AspNetCore.Tests;

public class IntegrationTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task Products_page_lists_every_product_escaped()
    {
        var response = await factory.CreateClient().GetAsync("/products");
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<title>Products</title>", html);
        Assert.Contains("<li id=\"product-1\"><a class=\"name\" href=\"/products/1\">Teapot</a> <span class=\"badge badge-ok\">In stock</span> <span class=\"price\">24.50</span></li>", html);
        Assert.Contains("Cup &amp; saucer", html);
        Assert.Contains("&lt;Kettle&gt;", html);
        Assert.DoesNotContain("<Kettle>", html);
    }

    [Fact]
    public async Task Htmx_fragment_equals_the_list_part_of_the_full_page()
    {
        var client = factory.CreateClient();
        var full = await client.GetStringAsync("/products");
        var request = new HttpRequestMessage(HttpMethod.Get, "/products");
        request.Headers.Add("HX-Request", "true");
        var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var fragment = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", fragment);
        Assert.Contains("product-3", fragment);
        var start = full.IndexOf("<ul id=\"products\">", StringComparison.Ordinal) + "<ul id=\"products\">".Length;
        var end = full.IndexOf("</ul>", start, StringComparison.Ordinal);
        Assert.Equal(full[start..end], fragment);
    }

    [Fact]
    public async Task Home_links_through_url_helpers()
    {
        var html = await factory.CreateClient().GetStringAsync("/");
        Assert.Contains("<a href=\"/Products\">Products</a>", html);
        Assert.Contains("<a href=\"/Contact\">Contact</a>", html);
    }

    [Fact]
    public async Task Unknown_route_is_404()
    {
        var response = await factory.CreateClient().GetAsync("/no/such/page");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Hello_defaults_to_world()
    {
        var response = await factory.CreateClient().GetAsync("/hello");
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("Hello, world!", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Hostile_query_value_is_escaped_including_quotes()
    {
        var html = await factory.CreateClient().GetStringAsync("/hello?name=" + Uri.EscapeDataString("\"><img src=x onerror=alert(1)>&"));
        Assert.DoesNotContain("<img", html);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;&amp;", html);
    }

    [Fact]
    public void View_engine_is_registered_in_mvc()
    {
        var options = factory.Services.GetRequiredService<IOptions<MvcViewOptions>>().Value;
        Assert.Contains(options.ViewEngines, e => e is KidaViewEngine);
    }

    [Fact]
    public void View_not_found_lists_every_searched_location()
    {
        var engine = factory.Services.GetRequiredService<KidaViewEngine>();
        var result = engine.FindView(ActionContextFor("Home"), "Missing", isMainPage: true);
        Assert.False(result.Success);
        Assert.Equal(["Views/Home/Missing.html", "Views/Shared/Missing.html"], result.SearchedLocations);
    }

    [Fact]
    public void View_is_found_by_controller_and_by_root_relative_path()
    {
        var engine = factory.Services.GetRequiredService<KidaViewEngine>();
        Assert.True(engine.FindView(ActionContextFor("Home"), "Index", isMainPage: true).Success);
        Assert.True(engine.FindView(ActionContextFor("Products"), "Layout", isMainPage: false).Success);
        Assert.True(engine.GetView(null, "Home/Index.html", isMainPage: true).Success);
        Assert.Equal("Home/Hello.html", engine.GetView(null, "Home/Hello.html", isMainPage: true).View?.Path);
        Assert.False(engine.GetView(null, "Home/Nope.html", isMainPage: true).Success);
        // app-relative and rooted names are not template names: templates are named relative to the template root
        Assert.False(engine.GetView(null, "~/Views/Home/Index.html", isMainPage: true).Success);
        Assert.False(engine.GetView(null, "/Views/Home/Hello.html", isMainPage: true).Success);
        Assert.False(engine.FindView(ActionContextFor("Home"), "~/Views/Home/Index.html", isMainPage: true).Success);
    }

    [Fact]
    public void Partial_view_path_is_relative_to_the_executing_view()
    {
        var engine = factory.Services.GetRequiredService<KidaViewEngine>();
        var result = engine.GetView("Home/Index.html", "Hello.html", isMainPage: false);
        Assert.True(result.Success);
        Assert.Equal("Home/Hello.html", result.View?.Path);
        // a Razor view's app-relative path under the template root
        Assert.Equal("Home/Hello.html", engine.GetView("/Views/Home/About.cshtml", "Hello.html", isMainPage: false).View?.Path);
    }

    [Fact]
    public void View_lookup_uses_the_route_values_as_the_action_declares_them()
    {
        var engine = factory.Services.GetRequiredService<KidaViewEngine>();
        var context = ActionContextFor("products");
        context.ActionDescriptor.RouteValues["controller"] = "Products";
        var result = engine.FindView(context, "Index", isMainPage: true);
        Assert.True(result.Success);
        Assert.Equal("Products/Index.html", result.View?.Path);
        var other = ActionContextFor("products");
        other.ActionDescriptor.RouteValues["controller"] = "Orders";
        Assert.Equal(["Views/products/Missing.html", "Views/Shared/Missing.html"], engine.FindView(other, "Missing", isMainPage: true).SearchedLocations);
    }

    [Fact]
    public void View_lookup_cache_is_bounded_and_keeps_recent_lookups()
    {
        var options = new KidaViewOptions { ViewLookupCacheSize = 16 };
        var engine = new KidaViewEngine(factory.Services.GetRequiredService<Kida.KidaEnvironment>(), Options.Create(options),
            factory.Services.GetRequiredService<IWebHostEnvironment>());
        var context = ActionContextFor("Home");
        for (var i = 0; i < 2000; i++)
        {
            Assert.False(engine.FindView(context, "Missing" + i, isMainPage: true).Success);
            Assert.False(engine.GetView(null, "Home/Missing" + i + ".html", isMainPage: true).Success);
            Assert.True(engine.FindView(context, "Index", isMainPage: true).Success);
            Assert.InRange(engine.LookupCacheCount, 1, 16);
        }
        Assert.Equal("Home/Index.html", engine.FindView(context, "Index", isMainPage: true).View?.Path);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.ViewLookupCacheSize = 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void View_lookups_watch_files_only_with_auto_reload(bool autoReload)
    {
        var host = factory.Services.GetRequiredService<IWebHostEnvironment>();
        var files = new CountingFileProvider(host.ContentRootFileProvider);
        var options = new KidaViewOptions { FileProvider = files };
        var env = new Kida.KidaEnvironment(new Kida.KidaOptions { Loader = new Kida.FileProviderLoader(files, "Views"), AutoReload = autoReload });
        var engine = new KidaViewEngine(env, Options.Create(options), host);
        for (var i = 0; i < 100; i++) Assert.False(engine.FindView(ActionContextFor("Home"), "Missing" + i, isMainPage: true).Success);
        Assert.True(engine.FindView(ActionContextFor("Home"), "Index", isMainPage: true).Success);
        if (autoReload) Assert.True(files.Watches >= 200);
        else Assert.Equal(0, files.Watches);
    }

    private sealed class CountingFileProvider(Microsoft.Extensions.FileProviders.IFileProvider inner) : Microsoft.Extensions.FileProviders.IFileProvider
    {
        private int _watches;

        public int Watches => Volatile.Read(ref _watches);

        public Microsoft.Extensions.FileProviders.IFileInfo GetFileInfo(string subpath) => inner.GetFileInfo(subpath);

        public Microsoft.Extensions.FileProviders.IDirectoryContents GetDirectoryContents(string subpath) => inner.GetDirectoryContents(subpath);

        public Microsoft.Extensions.Primitives.IChangeToken Watch(string filter)
        {
            Interlocked.Increment(ref _watches);
            return inner.Watch(filter);
        }
    }

    [Fact]
    public void View_in_area_searches_area_locations()
    {
        var engine = factory.Services.GetRequiredService<KidaViewEngine>();
        var context = ActionContextFor("Orders");
        context.RouteData.Values["area"] = "Admin";
        var result = engine.FindView(context, "List", isMainPage: true);
        Assert.Equal(["Views/Areas/Admin/Orders/List.html", "Views/Areas/Admin/Shared/List.html", "Views/Shared/List.html"], result.SearchedLocations);
    }

    [Fact]
    public void AddKida_twice_registers_once()
    {
        var services = new ServiceCollection();
        services.AddKida();
        services.AddKida(o => o.FileExtension = ".html");
        services.AddMvc().AddKida();
        Assert.Single(services, d => d.ServiceType == typeof(KidaEnvironment));
        Assert.Single(services, d => d.ServiceType == typeof(KidaViewEngine));
        Assert.Single(services, d => d.ServiceType == typeof(IConfigureOptions<MvcViewOptions>) && d.ImplementationType?.Assembly == typeof(KidaViewEngine).Assembly);
    }

    [Fact]
    public void Default_options()
    {
        var o = new KidaViewOptions();
        Assert.Equal(["{1}/{0}.html", "Shared/{0}.html"], o.ViewLocationFormats);
        Assert.Equal(["Areas/{2}/{1}/{0}.html", "Areas/{2}/Shared/{0}.html", "Shared/{0}.html"], o.AreaViewLocationFormats);
        Assert.Equal("Views", o.TemplateRoot);
        Assert.Equal([".html", ".kida", ".jinja", ".j2"], o.TemplateExtensions);
        Assert.Equal(1024, o.ViewLookupCacheSize);
        Assert.Equal(".html", o.FileExtension);
        Assert.Null(o.FileProvider);
        Assert.Null(o.AutoReload);
        Assert.Equal(TimeSpan.FromMilliseconds(500), o.SlowRenderThreshold);
        o.SlowRenderThreshold = TimeSpan.Zero;
        o.SlowRenderThreshold = Timeout.InfiniteTimeSpan;
        Assert.Equal(Timeout.InfiniteTimeSpan, o.SlowRenderThreshold);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.SlowRenderThreshold = TimeSpan.FromMilliseconds(-2));
    }

    [Fact]
    public void KidaResult_reports_status_and_content_type()
    {
        var result = Results.Extensions.Kida("Home/Hello.html", new { name = "x" }, statusCode: 201);
        Assert.Equal(201, ((IStatusCodeHttpResult)result).StatusCode);
        Assert.Equal("text/html; charset=utf-8", ((IContentTypeHttpResult)result).ContentType);
        var block = Results.Extensions.KidaBlock("Products/Index.html", "list");
        Assert.Equal("list", block.Block);
        KidaResult typed = TypedResults.Kida("Home/Hello.html", statusCode: 202);
        Assert.Equal(202, typed.StatusCode);
        Assert.Equal("Home/Hello.html", typed.TemplateName);
        Assert.Equal("list", TypedResults.KidaBlock("Products/Index.html", "list").Block);
    }

    private ActionContext ActionContextFor(string controller)
    {
        var http = new DefaultHttpContext { RequestServices = factory.Services };
        var route = new RouteData();
        route.Values["controller"] = controller;
        return new ActionContext(http, route, new ActionDescriptor());
    }
}
