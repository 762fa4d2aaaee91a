using System.CommandLine;
using System.Text;
using System.Text.Json;
using Kida.Checking;

namespace Kida.Cli;

/// <summary><c>kida components PATH… [--json]</c>: every def, region and macro with its parameters and slots.</summary>
internal static class ComponentsCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var paths = KidaCommand.PathsArgument();
        var roots = KidaCommand.RootOption();
        var extensions = KidaCommand.ExtensionOption();
        var json = KidaCommand.JsonOption("the components");
        var command = new Command("components", """
            List every def, region and macro of the templates: parameters (annotation, default, required), slots and the
            file and line it is defined at.
            """)
        {
            paths, roots, extensions, json,
        };
        command.SetAction(parse =>
        {
            var set = TemplateSet.Create(parse.GetValue(paths)!, parse.GetValue(roots), parse.GetValue(extensions));
            var env = new KidaEnvironment(new KidaOptions { Loader = set.CreateLoader() });
            var checker = new TemplateChecker(env);
            var components = new List<(TemplateFile File, DefSignature Def)>();
            var failed = false;
            foreach (var file in set.Files)
            {
                var analysis = checker.Analyze(file.Name);
                if (analysis?.ParseError is { } error)
                {
                    stderr.WriteLine(TemplateDiagnostic.FromException(error, file.Name, file.DisplayPath).Format(file.DisplayPath));
                    failed = true;
                    continue;
                }
                foreach (var (_, def) in analysis?.Defs ?? []) components.Add((file, def));
            }
            if (parse.GetValue(json)) WriteJson(stdout, components);
            else foreach (var (file, def) in components) stdout.WriteLine($"{file.DisplayPath}:{def.Line}  {Describe(def)}");
            return failed ? KidaCommand.Failed : KidaCommand.Ok;
        });
        return command;
    }

    /// <summary><c>def card(title: str, count: int = 0) slots: footer, default</c>.</summary>
    public static string Describe(DefSignature def)
    {
        var sb = new StringBuilder().Append(def.Kind).Append(' ').Append(def.Name).Append('(');
        var first = true;
        foreach (var p in def.Parameters)
        {
            if (!first) sb.Append(", ");
            first = false;
            sb.Append(p.Star == 1 ? "*" : p.Star == 2 ? "**" : "").Append(p.Name);
            if (p.AnnotationText is not null) sb.Append(": ").Append(p.AnnotationText);
            if (p.DefaultText is not null) sb.Append(" = ").Append(p.DefaultText);
        }
        sb.Append(')');
        var slots = (def.HasDefaultSlot ? DefaultSlot : []).Concat(def.Slots).ToList();
        if (slots.Count > 0) sb.Append("  slots: ").Append(string.Join(", ", slots));
        return sb.ToString();
    }

    private static readonly string[] DefaultSlot = ["default"];

    private static void WriteJson(TextWriter stdout, List<(TemplateFile File, DefSignature Def)> components)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var (file, def) in components)
            {
                w.WriteStartObject();
                w.WriteString("name", def.Name);
                w.WriteString("kind", def.Kind);
                w.WriteString("template", file.Name);
                w.WriteString("path", file.DisplayPath);
                w.WriteNumber("line", def.Line);
                w.WriteNumber("column", def.Column);
                w.WriteStartArray("parameters");
                foreach (var p in def.Parameters)
                {
                    w.WriteStartObject();
                    w.WriteString("name", p.Name);
                    w.WriteString("kind", p.Star switch { 1 => "varargs", 2 => "kwargs", _ => "positional_or_keyword" });
                    if (p.AnnotationText is null) w.WriteNull("annotation"); else w.WriteString("annotation", p.AnnotationText);
                    if (p.DefaultText is null) w.WriteNull("default"); else w.WriteString("default", p.DefaultText);
                    w.WriteBoolean("required", p.Required);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("slots");
                foreach (var s in def.Slots) w.WriteStringValue(s);
                w.WriteEndArray();
                w.WriteBoolean("has_default_slot", def.HasDefaultSlot);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        stdout.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }
}
