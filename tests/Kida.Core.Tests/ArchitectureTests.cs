using System.Text.RegularExpressions;
using Xunit;

namespace Kida.Core.Tests;

/// <summary>
/// The layering of src/Kida.Core (docs/architecture.md): dependencies point one way, Text → Lexing → Parsing → Syntax →
/// Binding → Compilation → Runtime, with Filters, Predicates, Globals and Loaders beside Runtime. Checked on the source
/// text, so a new file in the wrong direction fails here before review.
/// </summary>
public class ArchitectureTests
{
    private static readonly string CoreSource = Path.Combine(RepoRoot(), "src", "Kida.Core");

    // Expression.Property(x, "Count"), E.Call(output, nameof(Output.WriteText), …): outside comments
    private const string NamedMemberExpression = @"^(?!\s*//).*\b(?:E|Expression)\.(?:Property|Field|PropertyOrField|Call)\([^,;]*,\s*(?:nameof\(|"")";

    public static TheoryData<string, string, string> Rules() => new()
    {
        // folder, forbidden pattern, why
        { "Text", @"\bRuntime\.|using Kida\.Runtime|using Kida\.Compilation|\bCompilation\.", "Text is the bottom layer" },
        { "Common", @"\bRuntime\.|using Kida\.Runtime|using Kida\.Compilation|\bCompilation\.", "Common is below every stage" },
        { "Lexing", @"\bRuntime\.|using Kida\.Runtime|using Kida\.Compilation|\bCompilation\.", "the lexer runs before the runtime exists" },
        { "Parsing", @"\bRuntime\.|using Kida\.Runtime|using Kida\.Compilation|\bCompilation\.", "the parser runs before the runtime exists" },
        { "Syntax", @"\bRuntime\.|using Kida\.Runtime|using Kida\.Compilation|\bCompilation\.", "the tree knows no later stage" },
        { "Loaders", @"\bRuntime\.|using Kida\.Runtime|using Kida\.Compilation|\bCompilation\.", "loaders only find source text" },
        { "Runtime", @"\bCompilation\.|using Kida\.Compilation|KidaEnvironment", "the runtime reaches the environment through ITemplateHost" },
        { "Filters", @"\bCompilation\.|using Kida\.Compilation|KidaEnvironment", "filters run inside a render" },
        { "Predicates", @"\bCompilation\.|using Kida\.Compilation|KidaEnvironment", "tests run inside a render" },
        { "Globals", @"\bCompilation\.|using Kida\.Compilation|KidaEnvironment", "globals run inside a render" },
        { "Compilation", @"\bRt\(""|GetMethod\(""|GetProperty\(""|GetField\(""", "runtime helpers are reached through RuntimeMethods handles, never by a name" },
        // a member looked up by its name when the expression is built is one the trimmer cannot see: under NativeAOT its
        // metadata may be gone ("Instance property 'Count' is not defined"); handles are compile-time references (docs/aot.md)
        { "Compilation", NamedMemberExpression, "expressions reach members through RuntimeMethods handles, never by a name (NativeAOT)" },
        { "Runtime", NamedMemberExpression, "expressions reach members through MemberInfo handles, never by a name (NativeAOT)" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Folder_does_not_depend_on_a_later_stage(string folder, string forbidden, string why)
    {
        var dir = Path.Combine(CoreSource, folder);
        if (!Directory.Exists(dir)) return;
        var offences = (
            from file in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
            from line in File.ReadLines(file).Select((text, i) => (text, number: i + 1))
            where Regex.IsMatch(line.text, forbidden)
            select $"{Path.GetRelativePath(CoreSource, file)}:{line.number}: {line.text.Trim()}").ToList();
        Assert.True(offences.Count == 0, $"{folder}/ must not match /{forbidden}/ ({why}):\n{string.Join("\n", offences)}");
    }

    [Fact]
    public void Every_rule_names_a_folder_that_exists()
    {
        foreach (var rule in Rules())
            Assert.True(Directory.Exists(Path.Combine(CoreSource, (string)rule[0])), $"no folder {rule[0]}");
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Kida.AspNetCore.sln"))) return dir.FullName;
        throw new InvalidOperationException("the test runs outside the repository (no Kida.AspNetCore.sln above " + AppContext.BaseDirectory + ")");
    }
}
