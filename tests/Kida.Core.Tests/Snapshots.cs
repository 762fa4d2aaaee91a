namespace Kida.Core.Tests;

/// <summary>
/// Checked-in files a test regenerates from the code (docs/errors.md, the public API lists). A difference fails the
/// test with the way to accept it: run the tests once with KIDA_UPDATE_SNAPSHOTS=1, which rewrites the files, and
/// commit them with the change that caused the difference.
/// </summary>
internal static class Snapshots
{
    public const string UpdateVariable = "KIDA_UPDATE_SNAPSHOTS";

    /// <summary>Compares <paramref name="actual"/> with the file at <paramref name="relativePath"/> (from the repository root).</summary>
    public static void Match(string relativePath, string actual, string what)
    {
        var path = Path.Combine(ArchitectureTests.RepoRoot(), relativePath);
        actual = actual.ReplaceLineEndings("\n");
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        var expected = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : null;
        if (expected == actual) return;
        var expectedLines = (expected ?? "").Split('\n');
        var actualLines = actual.Split('\n');
        var added = actualLines.Except(expectedLines).Take(20).Select(l => "  + " + l);
        var removed = expectedLines.Except(actualLines).Take(20).Select(l => "  - " + l);
        Xunit.Assert.Fail(
            $"{what} changed: {relativePath} {(expected is null ? "does not exist" : "differs")}.\n" +
            string.Join("\n", removed.Concat(added)) + "\n" +
            $"If the change is intended, regenerate the file and commit it: {UpdateVariable}=1 dotnet test tests/Kida.Core.Tests " +
            "--filter \"FullyQualifiedName~PublicApiTests|FullyQualifiedName~ErrorCatalogueTests\"");
    }
}
