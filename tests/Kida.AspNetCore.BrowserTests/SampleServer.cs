using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;
using Xunit;

namespace Kida.AspNetCore.BrowserTests;

/// <summary>
/// The sample served by Kestrel on a loopback port (not TestServer: the browser needs a real socket) and one headless
/// Chromium for every test of the class.
/// </summary>
public sealed class SampleServer : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _factory;
    private IPlaywright? _playwright;

    /// <summary>The sample's address, <c>http://127.0.0.1:port</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The browser, or null when no Chromium is installed (the tests then skip).</summary>
    public IBrowser? Browser { get; private set; }

    /// <summary>Why there is no browser, shown as the skip reason.</summary>
    public string? NoBrowserReason { get; private set; }

    /// <summary>Where screenshots go: artifacts/screenshots at the repository root (git-ignored).</summary>
    public static string ScreenshotDirectory { get; } = FindScreenshotDirectory();

    public async Task InitializeAsync()
    {
        _factory = new WebApplicationFactory<Program>();
        _factory.UseKestrel(0);
        _factory.StartServer();
        BaseAddress = _factory.CreateClient().BaseAddress!;

        var chromium = Browsers.FindChromium();
        if (chromium is null)
        {
            NoBrowserReason = "No Chromium to drive: install Debian's chromium (apt-get install -y chromium, as .ci/run does) "
                + "or set KIDA_CHROMIUM to a Chromium executable. Looked at: " + string.Join(", ", Browsers.Candidates());
            return;
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
    }

    private static string FindScreenshotDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Kida.AspNetCore.sln"))) dir = dir.Parent;
        var path = dir is null
            ? Path.Combine(AppContext.BaseDirectory, "screenshots")
            : Path.Combine(dir.FullName, "artifacts", "screenshots");
        Directory.CreateDirectory(path);
        return path;
    }
}

/// <summary>Finds the system's Chromium; Playwright's own browser download is never used.</summary>
internal static class Browsers
{
    public static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable("KIDA_CHROMIUM") is { Length: > 0 } configured) yield return configured;
        yield return "/usr/bin/chromium";
        yield return "/usr/bin/chromium-browser";
        yield return "/usr/bin/google-chrome";
    }

    public static string? FindChromium() => Candidates().FirstOrDefault(File.Exists);
}
