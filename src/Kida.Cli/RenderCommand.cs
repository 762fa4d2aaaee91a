using System.CommandLine;
using System.Numerics;
using System.Text.Json;

namespace Kida.Cli;

/// <summary><c>kida render TEMPLATE [--data ctx.json | -] [--root dir] [--block name]</c>.</summary>
internal static class RenderCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, TextReader stdin)
    {
        var template = new Argument<string>("template") { Description = "The template file (or its name under --root)." };
        var data = new Option<string?>("--data", "-d") { Description = "A JSON object whose members become the template's variables: a file, or '-' for standard input." };
        var root = new Option<string?>("--root", "-r") { Description = "The template root (default: the template's directory); includes and imports are relative to it." };
        var block = new Option<string?>("--block", "-b") { Description = "Render only this block (with the template's top-level setup)." };
        var command = new Command("render", """
            Render a template to standard output, with JSON data as its variables. HTML and XML templates (.html, .htm,
            .xml, .xhtml) are autoescaped. A template error prints path(line,col): error K-XXX-NNN: message and exits with 1.
            """)
        {
            template, data, root, block,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(template)!;
            var rootDir = parse.GetValue(root);
            string name, displayPath;
            if (rootDir is null)
            {
                if (!File.Exists(path)) throw new ArgumentException($"template '{path}' does not exist");
                rootDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
                name = Path.GetFileName(path);
                displayPath = path;
            }
            else
            {
                if (!Directory.Exists(rootDir)) throw new ArgumentException($"--root: directory '{rootDir}' does not exist");
                var full = Path.GetFullPath(path);
                var fullRoot = Path.GetFullPath(rootDir);
                if (File.Exists(path) && full.StartsWith(fullRoot.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    name = Path.GetRelativePath(fullRoot, full).Replace('\\', '/');
                    displayPath = path;
                }
                else
                {
                    name = path.Replace('\\', '/');
                    displayPath = Path.Combine(rootDir, name);
                }
            }
            IReadOnlyDictionary<string, object?> variables;
            var dataPath = parse.GetValue(data);
            try
            {
                variables = dataPath is null ? new Dictionary<string, object?>()
                    : ReadData(dataPath == "-" ? stdin.ReadToEnd() : File.ReadAllText(dataPath));
            }
            catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"kida render: cannot read the data ({dataPath}): {ex.Message}");
                return KidaCommand.Failed;
            }
            using var loader = new FileSystemLoader(rootDir) { Watch = false };
            var env = new KidaEnvironment(new KidaOptions { Loader = loader, AutoescapeSelector = TemplateSet.AutoescapeFor });
            try
            {
                var t = env.GetTemplate(name);
                var blockName = parse.GetValue(block);
                stdout.Write(blockName is null ? t.Render(variables) : t.RenderBlock(blockName, variables));
                stdout.Flush();
                return KidaCommand.Ok;
            }
            catch (TemplateException ex)
            {
                var where = ex.TemplateName is null || ex.TemplateName == name ? displayPath : Path.Combine(rootDir, ex.TemplateName);
                stderr.WriteLine(Checking.TemplateDiagnostic.FromException(ex, name, where).Format(where));
                return KidaCommand.Failed;
            }
        });
        return command;
    }

    /// <summary>A JSON object as variables: objects become dictionaries, arrays lists, numbers long, BigInteger or double.</summary>
    public static Dictionary<string, object?> ReadData(string json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("the data must be a JSON object");
        return (Dictionary<string, object?>)Convert(doc.RootElement)!;
    }

    private static object? Convert(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().Aggregate(new Dictionary<string, object?>(StringComparer.Ordinal), (d, p) => { d[p.Name] = Convert(p.Value); return d; }),
        JsonValueKind.Array => e.EnumerateArray().Select(Convert).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l
            : !e.GetRawText().Contains('.') && !e.GetRawText().Contains('e', StringComparison.OrdinalIgnoreCase) && BigInteger.TryParse(e.GetRawText(), out var big) ? big
            : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
