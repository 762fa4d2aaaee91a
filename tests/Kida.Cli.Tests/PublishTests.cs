using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Kida.Cli.Tests;

/// <summary>
/// <c>dotnet publish</c> of the sample: the build targets put the templates under Views/ into the published app (the
/// sample's project file has no line of its own for them), and the published app serves its pages.
/// </summary>
public sealed class PublishTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kida-publish-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_published_sample_serves_its_templates()
    {
        var project = Path.Combine(Repository.Root, "samples", "MvcSample", "MvcSample.csproj");
        var (code, output) = ProcessRunner.Run(Repository.Root, TimeSpan.FromMinutes(5), "publish", project, "-c", Repository.Configuration,
            "-o", _dir, "--disable-build-servers", "-nologo", "-p:UseSharedCompilation=false");
        Assert.True(code == 0, output);
        Assert.True(File.Exists(Path.Combine(_dir, "Views", "Home", "Index.html")), output);
        Assert.True(File.Exists(Path.Combine(_dir, "Views", "Shared", "Layout.html")), output);

        var port = FreePort();
        var info = ProcessRunner.StartInfo(_dir, Path.Combine(_dir, "MvcSample.dll"), "--urls", $"http://127.0.0.1:{port}");
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var app = Process.Start(info)!;
        app.OutputDataReceived += (_, _) => { };
        app.ErrorDataReceived += (_, _) => { };
        app.BeginOutputReadLine();
        app.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            var home = await GetWhenUp(http, "/", app);
            Assert.Equal(HttpStatusCode.OK, home.StatusCode);
            var html = await home.Content.ReadAsStringAsync();
            Assert.Contains("<h1>Kida for .NET</h1>", html);
            Assert.Contains("<!DOCTYPE html>", html);
            var hello = await http.GetAsync("/hello?name=%3Cb%3E");
            Assert.Equal(HttpStatusCode.OK, hello.StatusCode);
            Assert.Contains("&lt;b&gt;", await hello.Content.ReadAsStringAsync());
        }
        finally
        {
            app.Kill(entireProcessTree: true);
            await app.WaitForExitAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<HttpResponseMessage> GetWhenUp(HttpClient http, string path, Process app)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            Assert.False(app.HasExited, "the published app exited with code " + (app.HasExited ? app.ExitCode : 0));
            try
            {
                return await http.GetAsync(path);
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }
    }
}
