using Xunit;

namespace Kida.AspNetCore.BrowserTests;

/// <summary>Playwright needs nothing from the network: its driver ships in the package.</summary>
public sealed class DriverTests
{
    [Fact]
    public void The_playwright_driver_and_its_node_ship_in_the_package_output()
    {
        var root = Path.Combine(AppContext.BaseDirectory, ".playwright");
        Assert.True(File.Exists(Path.Combine(root, "package", "cli.js")), $"no Playwright driver package under {root}");
        var node = Path.Combine(root, "node", OperatingSystem.IsWindows() ? "win32_x64" : OperatingSystem.IsMacOS() ? "darwin-x64" : "linux-x64",
            OperatingSystem.IsWindows() ? "node.exe" : "node");
        if (OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64)
            Assert.True(File.Exists(node), $"no node at {node}");
    }
}
