using System.Text;
using System.Text.Json;
using Xunit;

namespace Kida.Core.Tests;

/// <summary>
/// Every example of docs/language.md is a test: its template (a <c>jinja</c> block), its data (a <c>json</c> block) and
/// the output shown under it (an <c>html</c> block); templates marked <c>&lt;!-- name: x.html --&gt;</c> are the
/// files the examples include, import or extend.
/// </summary>
public class DocsExamplesTests
{
    private sealed record Example(int Number, string Heading, string Template, string? Data, string Expected);

    private static readonly Lazy<(List<Example> Examples, Dictionary<string, string> Files)> Parsed = new(Parse);

    private static string DocsFile(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Kida.AspNetCore.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, "docs", name);
    }

    private static (List<Example>, Dictionary<string, string>) Parse()
    {
        var lines = File.ReadAllText(DocsFile("language.md")).Replace("\r\n", "\n").Split('\n');
        var examples = new List<Example>();
        var files = new Dictionary<string, string>();
        string heading = "", pendingName = "";
        string? template = null, data = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith('#')) heading = line.TrimStart('#', ' ');
            if (line.StartsWith("<!-- name: ", StringComparison.Ordinal)) pendingName = line["<!-- name: ".Length..^" -->".Length].Trim();
            if (!line.StartsWith("```", StringComparison.Ordinal) || line.Length == 3) continue;
            var kind = line[3..].Trim();
            var body = new StringBuilder();
            for (i++; i < lines.Length && lines[i] != "```"; i++) body.Append(lines[i]).Append('\n');
            var text = body.Length > 0 ? body.ToString(0, body.Length - 1) : "";
            switch (kind)
            {
                case "jinja" when pendingName.Length > 0:
                    files[pendingName] = text;
                    pendingName = "";
                    break;
                case "jinja":
                    Assert.True(template is null, $"docs/language.md: the example before line {i} has no html output block");
                    template = text;
                    break;
                case "json":
                    data = text;
                    break;
                case "html" when template is not null:
                    examples.Add(new Example(examples.Count + 1, heading, template, data, text));
                    template = data = null;
                    break;
            }
        }
        Assert.True(template is null, "docs/language.md: the last example has no html output block");
        return (examples, files);
    }

    public static IEnumerable<object[]> Cases()
    {
        foreach (var example in Parsed.Value.Examples)
        {
            yield return [example.Number, false];
            yield return [example.Number, true];
        }
    }

    [Fact]
    public void The_language_guide_has_examples_for_both_parts()
    {
        var headings = Parsed.Value.Examples.Select(e => e.Heading).Distinct().ToList();
        Assert.True(Parsed.Value.Examples.Count >= 20, $"{Parsed.Value.Examples.Count} examples");
        Assert.Contains("Components: `def` with slots", headings);
        Assert.Contains("Template inheritance", headings);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Example_renders_the_output_the_guide_shows(int number, bool interpret)
    {
        var (examples, files) = Parsed.Value;
        var example = examples[number - 1];
        var templates = new Dictionary<string, string>(files) { ["example.html"] = example.Template };
        var env = new KidaEnvironment(new KidaOptions
        {
            Loader = new DictLoader(templates),
            PreferInterpretation = interpret,
            TieredCompilation = false,
        });
        var model = example.Data is null ? null : ToModel(JsonDocument.Parse(example.Data).RootElement);
        var output = env.GetTemplate("example.html").Render(model);
        Assert.True(example.Expected == output,
            $"docs/language.md example {number} ({example.Heading}):\n--- shown ---\n{example.Expected}\n--- rendered ---\n{output}\n---");
    }

    // JSON as the conformance cases hand it over: objects as dictionaries in key order, integers as long
    private static object? ToModel(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().Aggregate(new Dictionary<string, object?>(), (d, p) => { d[p.Name] = ToModel(p.Value); return d; }),
        JsonValueKind.Array => e.EnumerateArray().Select(ToModel).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? (object)l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
