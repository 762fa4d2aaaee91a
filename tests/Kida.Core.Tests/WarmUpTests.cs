using Microsoft.Extensions.FileProviders;
using Xunit;

namespace Kida.Core.Tests;

/// <summary><see cref="KidaEnvironment.WarmUpAsync"/> and the loaders' <see cref="ITemplateLoader.ListTemplates"/> (issue 17 item 6).</summary>
public sealed class WarmUpTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "kida-warm-" + Guid.NewGuid().ToString("N"));

    public WarmUpTests()
    {
        Write("Home/Index.html", "{% extends 'Shared/Layout.html' %}{% block body %}hi{% end %}");
        Write("Shared/Layout.html", "<main>{% block body %}{% end %}</main>");
        Write("Shared/Broken.html", "{% if x %}never closed");
        Write("notes.txt", "not a template");
        Write("Deep/a/b/c.kida", "{{ 1 + 1 }}");
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private void Write(string name, string text)
    {
        var path = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static readonly string[] Extensions = [".html", ".kida"];

    [Fact]
    public async Task WarmUp_compiles_every_listed_template_and_reports_the_broken_ones()
    {
        var env = new KidaEnvironment(new KidaOptions { Loader = new FileSystemLoader(_root) { Extensions = Extensions, Watch = false } });
        var result = await env.WarmUpAsync();
        Assert.Equal(["Deep/a/b/c.kida", "Home/Index.html", "Shared/Layout.html"], result.Compiled);
        var failure = Assert.Single(result.Failures);
        Assert.Equal("Shared/Broken.html", failure.Key);
        var syntax = Assert.IsType<TemplateSyntaxException>(failure.Value);
        Assert.Equal(("Shared/Broken.html", 1), (syntax.TemplateName, syntax.Line));
        Assert.False(result.Succeeded);
        // compiled once, and served from the cache afterwards
        var compiled = env.CompilationCount;
        Assert.Equal(3, compiled);
        Assert.Equal("<main>hi</main>", env.GetTemplate("Home/Index.html").Render());
        Assert.Equal(compiled, env.CompilationCount);
    }

    [Fact]
    public async Task WarmUp_of_good_templates_succeeds()
    {
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(new Dictionary<string, string> { ["b.html"] = "b", ["a.html"] = "a" }) });
        var result = await env.WarmUpAsync();
        Assert.True(result.Succeeded);
        Assert.Equal(["a.html", "b.html"], result.Compiled);
        Assert.Empty(result.Failures);
    }

    [Fact]
    public async Task WarmUp_is_cancellable()
    {
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(new Dictionary<string, string> { ["a.html"] = "a" }) });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => env.WarmUpAsync(new CancellationToken(canceled: true)));
        Assert.Equal(0, env.CompilationCount);
    }

    private sealed class OpaqueLoader : ITemplateLoader
    {
        public TemplateSource GetSource(string name) => new(name, "x");
    }

    [Fact]
    public async Task A_loader_that_cannot_list_says_so()
    {
        var env = new KidaEnvironment(new KidaOptions { Loader = new OpaqueLoader() });
        var error = await Assert.ThrowsAsync<NotSupportedException>(() => env.WarmUpAsync());
        Assert.Contains("OpaqueLoader", error.Message);
        Assert.Null(((ITemplateLoader)new OpaqueLoader()).ListTemplates());
    }

    [Fact]
    public void File_provider_loader_lists_the_templates_under_its_root_only()
    {
        Write("../outside-" + Path.GetFileName(_root) + ".html", "outside");
        using var provider = new PhysicalFileProvider(Path.GetDirectoryName(_root)!);
        var loader = new FileProviderLoader(provider, Path.GetFileName(_root)) { Extensions = Extensions, Watch = false };
        Assert.Equal(["Deep/a/b/c.kida", "Home/Index.html", "Shared/Broken.html", "Shared/Layout.html"], loader.ListTemplates());
        File.Delete(Path.Combine(Path.GetDirectoryName(_root)!, "outside-" + Path.GetFileName(_root) + ".html"));
    }

    [Fact]
    public void Listing_skips_names_the_loader_would_refuse_and_links_out_of_the_root()
    {
        Write("bad name./x.html", "x");
        Write("Shared/a%2e%2e.html", "x");
        Write("Shared/colon:x.html", "x");
        var outside = Path.Combine(Path.GetTempPath(), "kida-warm-out-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret.html"), "secret");
        try
        {
            Directory.CreateSymbolicLink(Path.Combine(_root, "linked"), outside);
            File.CreateSymbolicLink(Path.Combine(_root, "Shared", "secret.html"), Path.Combine(outside, "secret.html"));
            var loader = new FileSystemLoader(_root) { Extensions = Extensions, Watch = false };
            var names = loader.ListTemplates()!.ToList();
            Assert.Equal(["Deep/a/b/c.kida", "Home/Index.html", "Shared/Broken.html", "Shared/Layout.html"], names);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public void Choice_and_prefix_loaders_list_what_their_loaders_list()
    {
        var a = new DictLoader(new Dictionary<string, string> { ["x.html"] = "", ["y.html"] = "" });
        var b = new DictLoader(new Dictionary<string, string> { ["y.html"] = "", ["z.html"] = "" });
        Assert.Equal(["x.html", "y.html", "z.html"], new ChoiceLoader(a, new OpaqueLoader(), b).ListTemplates());
        Assert.Null(new ChoiceLoader(new OpaqueLoader()).ListTemplates());
        Assert.Equal(["a/x.html", "a/y.html", "b/y.html", "b/z.html"],
            new PrefixLoader(new Dictionary<string, ITemplateLoader> { ["a"] = a, ["b"] = b, ["c"] = new OpaqueLoader() }).ListTemplates());
    }
}
