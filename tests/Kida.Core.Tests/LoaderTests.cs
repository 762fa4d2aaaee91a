using Microsoft.Extensions.FileProviders;
using Xunit;

namespace Kida.Core.Tests;

/// <summary>
/// The file-backed loaders keep every name inside their root: traversal, rooted, encoded and control-character names,
/// other extensions, and symbolic links out of the root are <see cref="TemplateNotFoundException"/>, on the
/// synchronous and the asynchronous path of <see cref="FileSystemLoader"/> and <see cref="FileProviderLoader"/>.
/// </summary>
public sealed class LoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kida-loader-").FullName;
    private readonly string _root;

    public LoaderTests()
    {
        _root = Path.Combine(_dir, "root");
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        File.WriteAllText(Path.Combine(_root, "ok.html"), "ok");
        File.WriteAllText(Path.Combine(_root, "sub", "inner.html"), "inner");
        File.WriteAllText(Path.Combine(_root, "appsettings.json"), "SECRET-IN-ROOT");
        File.WriteAllText(Path.Combine(_dir, "secret.html"), "SECRET-OUTSIDE");
        File.WriteAllText(Path.Combine(_dir, "secret.txt"), "SECRET-OUTSIDE");
        Directory.CreateDirectory(Path.Combine(_dir, "outside"));
        File.WriteAllText(Path.Combine(_dir, "outside", "x.html"), "SECRET-OUTSIDE");
        // links out of the root: a file link (absolute and relative targets) and a folder link
        File.CreateSymbolicLink(Path.Combine(_root, "abs-link.html"), Path.Combine(_dir, "secret.html"));
        File.CreateSymbolicLink(Path.Combine(_root, "rel-link.html"), Path.Combine("..", "secret.html"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "linkdir"), Path.Combine(_dir, "outside"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "sub", "up"), "..");
        // links that stay inside the root are fine
        File.CreateSymbolicLink(Path.Combine(_root, "in-link.html"), Path.Combine(_root, "ok.html"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "subalias"), Path.Combine(_root, "sub"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    public static TheoryData<string> BadNames =>
    [
        "../secret.txt", "../secret.html", "sub/../../secret.html", "sub/../../../etc/passwd", "/etc/passwd",
        "/ok.html", "~/ok.html", "~", "..", "sub/..", ".", "", " ", "ok.html\0", "ok\0.html", "\0", "o\u0001k.html",
        "ok.html\n", "..\\secret.html", "sub\\inner.html", "%2e%2e/secret.html", "%2e%2e%2fsecret.html",
        "..%2fsecret.html", "%2fetc%2fpasswd", "ok%2ehtml", "C:/Windows/win.ini", "C:secret.html", "c:\\secret.html",
        "\\\\server\\share\\x.html", "//server/share/x.html", "ok.html.", "ok.html ", "...", "sub/.../x.html",
        "ok.html::$DATA", "file:///etc/passwd", "abs-link.html", "rel-link.html", "linkdir/x.html",
        "sub/up/../secret.html", "appsettings.json",
    ];

    private ITemplateLoader[] Loaders() =>
    [
        new FileSystemLoader(_root) { Extensions = [".html"], Watch = false },
        new FileProviderLoader(new PhysicalFileProvider(_root)) { Extensions = [".html"], Watch = false },
        new FileProviderLoader(new PhysicalFileProvider(_dir), "root") { Extensions = [".html"], Watch = false },
    ];

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task Names_that_leave_the_root_are_not_found_on_both_paths(string name)
    {
        foreach (var loader in Loaders())
        {
            var sync = Assert.Throws<TemplateNotFoundException>(() => loader.GetSource(name));
            Assert.DoesNotContain("SECRET", sync.Message);
            await Assert.ThrowsAsync<TemplateNotFoundException>(async () => await loader.GetSourceAsync(name));
            var env = new KidaEnvironment(new KidaOptions { Loader = loader });
            Assert.Throws<TemplateNotFoundException>(() => env.GetTemplate(name));
            await Assert.ThrowsAsync<TemplateNotFoundException>(() => env.GetTemplateAsync(name));
        }
    }

    [Theory]
    [InlineData("ok.html", "ok")]
    [InlineData("./ok.html", "ok")]
    [InlineData("sub/inner.html", "inner")]
    [InlineData("sub//inner.html", "inner")]
    [InlineData("in-link.html", "ok")]
    [InlineData("subalias/inner.html", "inner")]
    public async Task Names_inside_the_root_are_found_on_both_paths(string name, string text)
    {
        foreach (var loader in Loaders())
        {
            Assert.Equal(text, loader.GetSource(name).Text);
            Assert.Equal(text, (await loader.GetSourceAsync(name)).Text);
        }
    }

    [Fact]
    public void Without_extensions_any_file_inside_the_root_is_a_template_but_nothing_outside()
    {
        var loader = new FileSystemLoader(_root) { Watch = false };
        Assert.Equal("SECRET-IN-ROOT", loader.GetSource("appsettings.json").Text);
        Assert.Throws<TemplateNotFoundException>(() => loader.GetSource("rel-link.html"));
        Assert.Throws<TemplateNotFoundException>(() => loader.GetSource("linkdir/x.html"));
    }

    [Fact]
    public void Extensions_compare_case_insensitively()
    {
        File.WriteAllText(Path.Combine(_root, "upper.HTML"), "upper");
        Assert.Equal("upper", new FileSystemLoader(_root) { Extensions = [".html"], Watch = false }.GetSource("upper.HTML").Text);
    }

    [Fact]
    public void A_NUL_in_a_name_is_not_found_in_every_loader()
    {
        var dict = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(new Dictionary<string, string> { ["a"] = "a" }) });
        Assert.Throws<TemplateNotFoundException>(() => dict.GetTemplate("a\0"));
        foreach (var loader in Loaders())
        {
            var env = new KidaEnvironment(new KidaOptions { Loader = loader });
            var ex = Assert.Throws<TemplateNotFoundException>(() => env.GetTemplate("ok\0.html"));
            Assert.DoesNotContain("\0", ex.Message);
        }
    }

    [Fact]
    public void An_include_of_a_name_outside_the_root_is_not_found()
    {
        File.WriteAllText(Path.Combine(_root, "inc.html"), "{% include name %}");
        using var loader = new FileSystemLoader(_root) { Extensions = [".html"] };
        var env = new KidaEnvironment(new KidaOptions { Loader = loader });
        foreach (var name in new[] { "../secret.html", "linkdir/x.html", "rel-link.html", "/etc/passwd", "appsettings.json" })
            Assert.Throws<TemplateNotFoundException>(() => env.GetTemplate("inc.html").Render(new { name }));
    }

    [Fact]
    public async Task File_system_loader_with_auto_reload_sees_an_edited_file()
    {
        var path = Path.Combine(_root, "edit.html");
        File.WriteAllText(path, "v1");
        using var loader = new FileSystemLoader(_root);
        var env = new KidaEnvironment(new KidaOptions { Loader = loader, AutoReload = true });
        var evicted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        env.TemplateEvicted += (_, e) => { if (e.Name == "edit.html" && e.Reason == "changed") evicted.TrySetResult(); };
        Assert.Equal("v1", env.GetTemplate("edit.html").Render());
        File.WriteAllText(path, "version two");
        // the watcher reports the edit asynchronously; wait for the eviction (generously), then the next load sees it
        await evicted.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("version two", env.GetTemplate("edit.html").Render());
    }

    [Fact]
    public async Task File_system_loader_with_auto_reload_sees_an_edited_file_loaded_asynchronously()
    {
        var path = Path.Combine(_root, "sub", "edit-async.html");
        File.WriteAllText(path, "v1");
        using var loader = new FileSystemLoader(_root);
        var env = new KidaEnvironment(new KidaOptions { Loader = loader, AutoReload = true });
        var evicted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        env.TemplateEvicted += (_, e) => { if (e.Reason == "changed") evicted.TrySetResult(); };
        Assert.Equal("v1", (await env.GetTemplateAsync("sub/edit-async.html")).Render());
        File.WriteAllText(path, "version two");
        await evicted.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("version two", (await env.GetTemplateAsync("sub/edit-async.html")).Render());
    }

    [Fact]
    public async Task A_file_that_cannot_be_read_is_not_found_on_both_paths()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = Path.Combine(_root, "locked.html");
        File.WriteAllText(path, "locked");
        File.SetUnixFileMode(path, UnixFileMode.None);
        if (Environment.UserName == "root")
        {
            // root reads any file: a folder named like a template stands in for the unreadable file
            File.Delete(path);
            Directory.CreateDirectory(path);
        }
        foreach (var loader in new ITemplateLoader[] { new FileSystemLoader(_root) { Watch = false } })
        {
            Assert.Throws<TemplateNotFoundException>(() => loader.GetSource("locked.html"));
            await Assert.ThrowsAsync<TemplateNotFoundException>(async () => await loader.GetSourceAsync("locked.html"));
        }
    }

    [Fact]
    public void File_provider_loader_refuses_a_root_outside_the_provider()
    {
        Assert.Throws<ArgumentException>(() => new FileProviderLoader(new PhysicalFileProvider(_root), "../x"));
    }
}
