using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace Kida.Core.Tests;

/// <summary>
/// src/Kida.Core/ErrorCodes.cs is the one catalogue of error codes: every code the source uses is a constant there with
/// a title and a help line, and docs/errors.md is generated from it.
/// </summary>
public class ErrorCatalogueTests
{
    private static readonly IReadOnlyList<ErrorCodeInfo> All = ErrorCodes.All;

    private static IEnumerable<(string Name, string Code)> Constants() =>
        typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (f.Name, (string)f.GetRawConstantValue()!));

    [Fact]
    public void Every_constant_has_one_catalogue_entry_and_every_entry_a_constant()
    {
        var constants = Constants().ToList();
        Assert.NotEmpty(constants);
        Assert.Equal(constants.Count, constants.Select(c => c.Code).Distinct().Count());
        Assert.Equal(All.Count, All.Select(i => i.Code).Distinct().Count());
        Assert.Equal(constants.Select(c => c.Code).Order(), All.Select(i => i.Code).Order());
        foreach (var info in All)
        {
            Assert.Matches(@"^K-[A-Z0-9]+-\d{3}$", info.Code);
            Assert.False(string.IsNullOrWhiteSpace(info.Title), info.Code);
            Assert.False(string.IsNullOrWhiteSpace(info.Help), info.Code);
            Assert.DoesNotContain('\n', info.Help);
            Assert.Same(info, ErrorCodes.Find(info.Code));
        }
        Assert.Null(ErrorCodes.Find("K-XYZ-999"));
    }

    [Fact]
    public void No_code_literal_outside_the_catalogue()
    {
        var src = Path.Combine(ArchitectureTests.RepoRoot(), "src");
        var offences = (
            from file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            where !file.EndsWith("ErrorCodes.cs", StringComparison.Ordinal) && !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
            from line in File.ReadLines(file).Select((text, i) => (text, number: i + 1))
            where Regex.IsMatch(line.text, @"""K-[A-Z0-9]+-\d+""")
            select $"{Path.GetRelativePath(src, file)}:{line.number}: {line.text.Trim()}").ToList();
        Assert.True(offences.Count == 0,
            "Error codes are constants in src/Kida.Core/ErrorCodes.cs (add a constant and a row of ErrorCodes.All):\n" + string.Join("\n", offences));
    }

    [Fact]
    public void Throw_helpers_throw_the_code_they_are_given()
    {
        var runtime = Assert.Throws<TemplateRuntimeException>(() => ErrorCodes.ThrowRuntime(ErrorCodes.KeyError, "KeyError: 'x'"));
        Assert.Equal("K-RUN-009", runtime.Code);
        var typed = Assert.Throws<TemplateRuntimeException>(() => ErrorCodes.ThrowRuntime<int>(ErrorCodes.TypeError, "no"));
        Assert.Equal("K-RUN-012", typed.Code);
        var syntax = Assert.Throws<TemplateSyntaxException>(() => ErrorCodes.ThrowSyntax(ErrorCodes.UnclosedBlock, "open", "t.html", 3, 4));
        Assert.Equal(("K-PAR-002", "t.html", 3, 4), (syntax.Code, syntax.TemplateName, syntax.Line, syntax.Column));
    }

    [Fact]
    public void Docs_errors_md_is_generated_from_the_catalogue() =>
        Snapshots.Match("docs/errors.md", Render(), "The error catalogue");

    /// <summary>docs/errors.md: a table of every code, then one section per code (anchors #k-run-001 and so on).</summary>
    internal static string Render()
    {
        var sb = new StringBuilder();
        sb.Append("# Error codes\n\n");
        sb.Append("Every `TemplateException` Kida raises carries one of these codes in `Code`, with the template name, line and\n");
        sb.Append("column. The codes are stable; the messages may improve. `K-LEX` codes come from the lexer, `K-PAR` and `K-TPL-004`\n");
        sb.Append("from the parser (both are `TemplateSyntaxException`), `K-RUN` and `K-TPL` from a render (`TemplateRuntimeException`,\n");
        sb.Append("`UndefinedException`, `TemplateNotFoundException`), `K-SEC` from the limits and the sandbox (never caught by\n");
        sb.Append("`{% try %}`).\n\n");
        sb.Append("This page is generated from `src/Kida.Core/ErrorCodes.cs` (`ErrorCodes.All`); do not edit it by hand. To add a code:\n");
        sb.Append("add a constant and its row to `ErrorCodes.All`, then run\n");
        sb.Append($"`{Snapshots.UpdateVariable}=1 dotnet test tests/Kida.Core.Tests --filter FullyQualifiedName~ErrorCatalogueTests` and commit\n");
        sb.Append("this file.\n\n");
        sb.Append("| Code | Title |\n|---|---|\n");
        foreach (var info in All) sb.Append($"| [{info.Code}](#{info.Code.ToLowerInvariant()}) | {info.Title} |\n");
        foreach (var info in All)
        {
            var name = Constants().First(c => c.Code == info.Code).Name;
            sb.Append($"\n## {info.Code}\n\n**{info.Title}** (`ErrorCodes.{name}`)\n\n{info.Help}\n");
        }
        return sb.ToString();
    }
}
