using System.CommandLine;
using System.Text.Json;
using Kida.Checking;

namespace Kida.Cli;

/// <summary><c>kida check PATH… [--root name=dir]… [--strict] [--json]</c>.</summary>
internal static class CheckCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var paths = KidaCommand.PathsArgument();
        var roots = KidaCommand.RootOption();
        var extensions = KidaCommand.ExtensionOption();
        var strict = new Option<bool>("--strict") { Description = "Treat warnings (K-CMP-002 type mismatches, K-TYP findings, missing macro arguments) as errors." };
        var json = KidaCommand.JsonOption("the findings");
        var globals = new Option<string[]>("--global") { Description = "A global variable the host provides (repeatable), for {% template %} declaration checks.", Arity = ArgumentArity.OneOrMore };
        var filters = new Option<string[]>("--filter") { Description = "A filter the host registers (repeatable), so that it is not reported as unknown.", Arity = ArgumentArity.OneOrMore };
        var tests = new Option<string[]>("--test") { Description = "A test the host registers (repeatable), so that it is not reported as unknown.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("check", """
            Check templates without rendering them: syntax errors, unknown filters and tests, extends/include/import/from
            targets that do not exist, super() and self.x() of missing blocks, imported names a library does not define,
            calls that do not fit a def's signature (K-CMP-001), literal arguments that do not fit an annotation (K-CMP-002)
            and {% template %} declarations (K-TYP). Each finding is one line: path(line,col): error K-XXX-NNN: message.
            Exit code 0 when there is no error, 1 when there is one, 2 on a usage error.
            """)
        {
            paths, roots, extensions, strict, json, globals, filters, tests,
        };
        command.SetAction(parse =>
        {
            var set = TemplateSet.Create(parse.GetValue(paths)!, parse.GetValue(roots), parse.GetValue(extensions));
            var findings = Check(set, parse.GetValue(globals), parse.GetValue(filters), parse.GetValue(tests), parse.GetValue(strict));
            var errors = findings.Count(f => f.Diagnostic.Severity == DiagnosticSeverity.Error);
            var warnings = findings.Count - errors;
            if (parse.GetValue(json)) WriteJson(stdout, set, findings, errors, warnings);
            else
            {
                foreach (var (file, diagnostic) in findings) stdout.WriteLine(diagnostic.Format(file.DisplayPath));
                stderr.WriteLine($"kida check: {set.Files.Count} template{(set.Files.Count == 1 ? "" : "s")}, {errors} error{(errors == 1 ? "" : "s")}, {warnings} warning{(warnings == 1 ? "" : "s")}");
            }
            return errors > 0 ? KidaCommand.Failed : KidaCommand.Ok;
        });
        return command;
    }

    /// <summary>Every finding of every template of <paramref name="set"/>, in file order.</summary>
    public static List<(TemplateFile File, TemplateDiagnostic Diagnostic)> Check(TemplateSet set, IEnumerable<string>? globals,
        IEnumerable<string>? filters, IEnumerable<string>? tests, bool strict)
    {
        var env = new KidaEnvironment(new KidaOptions
        {
            Loader = set.CreateLoader(),
            AutoescapeSelector = TemplateSet.AutoescapeFor,
            Filters = (filters ?? []).Distinct().ToDictionary(f => f, _ => (Delegate)(Func<object?, object?>)(v => v)),
            Tests = (tests ?? []).Distinct().ToDictionary(t => t, _ => (Delegate)(Func<object?, bool>)(_ => true)),
        });
        var checker = new TemplateChecker(env, globals);
        var result = new List<(TemplateFile, TemplateDiagnostic)>();
        foreach (var file in set.Files)
        {
            foreach (var diagnostic in checker.Check(file.Name))
            {
                var d = diagnostic with { Path = file.DisplayPath };
                if (strict && d.Severity == DiagnosticSeverity.Warning) d = d with { Severity = DiagnosticSeverity.Error };
                result.Add((file, d));
            }
        }
        return result;
    }

    private static void WriteJson(TextWriter stdout, TemplateSet set, List<(TemplateFile File, TemplateDiagnostic Diagnostic)> findings, int errors, int warnings)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("templates", set.Files.Count);
            w.WriteNumber("errors", errors);
            w.WriteNumber("warnings", warnings);
            w.WriteStartArray("findings");
            foreach (var (file, d) in findings)
            {
                w.WriteStartObject();
                w.WriteString("path", file.DisplayPath);
                w.WriteString("template", file.Name);
                w.WriteNumber("line", Math.Max(d.Line, 1));
                w.WriteNumber("column", Math.Max(d.Column, 1));
                w.WriteString("severity", d.Severity == DiagnosticSeverity.Error ? "error" : "warning");
                w.WriteString("code", d.Code);
                w.WriteString("message", d.Message);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
