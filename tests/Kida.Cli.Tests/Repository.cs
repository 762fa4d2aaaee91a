namespace Kida.Cli.Tests;

/// <summary>Where the repository and the built tool are, found from the test's output directory.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration the tests were built in (Debug or Release): the tool was built in the same one.</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name is { } c && c != "bin" ? c : "Debug";

    public static string CliDll => Path.Combine(Root, "src", "Kida.Cli", "bin", Configuration, "net10.0", "Kida.Cli.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Kida.AspNetCore.sln"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (Kida.AspNetCore.sln) was not found above " + AppContext.BaseDirectory);
    }
}
