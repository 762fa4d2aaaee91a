using System.CommandLine;
using System.Text;
using Kida.Checking;

namespace Kida.Cli;

/// <summary><c>kida extract PATH… -o messages.pot</c>: translatable messages in gettext POT format.</summary>
internal static class ExtractCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var paths = KidaCommand.PathsArgument();
        var roots = KidaCommand.RootOption();
        var extensions = KidaCommand.ExtensionOption();
        var output = new Option<string?>("--output", "-o") { Description = "The POT file to write (default: standard output)." };
        var command = new Command("extract", """
            Extract the messages of {% trans %} blocks and of _(), gettext(), _n() and ngettext() calls with literal text
            into a gettext POT file, each with its file:line references.
            """)
        {
            paths, roots, extensions, output,
        };
        command.SetAction(parse =>
        {
            var set = TemplateSet.Create(parse.GetValue(paths)!, parse.GetValue(roots), parse.GetValue(extensions));
            var env = new KidaEnvironment(new KidaOptions { Loader = set.CreateLoader() });
            var checker = new TemplateChecker(env);
            var messages = new List<(string Id, string? Plural, List<string> References)>();
            var failed = false;
            foreach (var file in set.Files)
            {
                var analysis = checker.Analyze(file.Name);
                if (analysis is null) continue;
                if (analysis.ParseError is { } error)
                {
                    stderr.WriteLine(TemplateDiagnostic.FromException(error, file.Name, file.DisplayPath).Format(file.DisplayPath));
                    failed = true;
                    continue;
                }
                foreach (var m in MessageExtractor.Extract(analysis))
                {
                    var reference = $"{file.DisplayPath.Replace('\\', '/')}:{m.Line}";
                    var existing = messages.FindIndex(x => x.Id == m.Id && x.Plural == m.Plural);
                    if (existing >= 0)
                    {
                        if (!messages[existing].References.Contains(reference)) messages[existing].References.Add(reference);
                    }
                    else messages.Add((m.Id, m.Plural, [reference]));
                }
            }
            var pot = Pot(messages);
            var path = parse.GetValue(output);
            if (path is null) stdout.Write(pot);
            else
            {
                File.WriteAllText(path, pot, new UTF8Encoding(false));
                stderr.WriteLine($"kida extract: {messages.Count} message{(messages.Count == 1 ? "" : "s")} written to {path}");
            }
            return failed ? KidaCommand.Failed : KidaCommand.Ok;
        });
        return command;
    }

    /// <summary>The POT text: a header entry, then one entry per message with its <c>#:</c> references.</summary>
    public static string Pot(IEnumerable<(string Id, string? Plural, List<string> References)> messages)
    {
        var sb = new StringBuilder();
        sb.Append("# Translation template extracted by kida extract.\n");
        sb.Append("msgid \"\"\nmsgstr \"\"\n");
        sb.Append("\"Content-Type: text/plain; charset=UTF-8\\n\"\n");
        sb.Append("\"Content-Transfer-Encoding: 8bit\\n\"\n");
        foreach (var (id, plural, references) in messages)
        {
            sb.Append('\n');
            foreach (var r in references) sb.Append("#: ").Append(r).Append('\n');
            if (id.Contains("%(", StringComparison.Ordinal) || plural?.Contains("%(", StringComparison.Ordinal) == true)
                sb.Append("#, python-format\n");
            sb.Append("msgid ").Append(Quote(id)).Append('\n');
            if (plural is null) sb.Append("msgstr \"\"\n");
            else
            {
                sb.Append("msgid_plural ").Append(Quote(plural)).Append('\n');
                sb.Append("msgstr[0] \"\"\nmsgstr[1] \"\"\n");
            }
        }
        return sb.ToString();
    }

    private static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }
}
