using System.CommandLine;
using System.CommandLine.Help;

namespace Kida.Cli;

/// <summary>
/// The <c>kida</c> command line: <c>check</c>, <c>render</c>, <c>components</c> and <c>extract</c>. Exit codes: 0 done
/// (for check: no errors), 1 errors found or the command failed, 2 a usage error.
/// </summary>
internal static class KidaCommand
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TextReader stdin)
    {
        // a plain command named "kida" (a RootCommand takes the process's name, which is Kida.Cli or dotnet)
        var version = new VersionOption();
        var root = new Command("kida", "Kida templates from the command line: check them, render them, list their components, extract their messages.")
        {
            new HelpOption(),
            version,
        };
        root.Subcommands.Add(CheckCommand.Create(stdout, stderr));
        root.Subcommands.Add(RenderCommand.Create(stdout, stderr, stdin));
        root.Subcommands.Add(ComponentsCommand.Create(stdout, stderr));
        root.Subcommands.Add(ExtractCommand.Create(stdout, stderr));
        var parse = root.Parse(args);
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        if (parse.Action is HelpAction || (parse.Errors.Count == 0 && parse.GetResult(version) is not null)) return parse.Invoke(config);
        if (parse.Errors.Count > 0 || parse.CommandResult.Command == root)
        {
            foreach (var error in parse.Errors) stderr.WriteLine($"kida: {error.Message}");
            if (parse.Errors.Count == 0) stderr.WriteLine("kida: a command is required (check, render, components, extract)");
            stderr.WriteLine($"Run 'kida {(parse.CommandResult.Command == root ? "" : parse.CommandResult.Command.Name + " ")}--help' for usage.");
            return Usage;
        }
        try
        {
            return parse.Invoke(config);
        }
        catch (ArgumentException ex)
        {
            stderr.WriteLine($"kida: {ex.Message}");
            stderr.WriteLine($"Run 'kida {parse.CommandResult.Command.Name} --help' for usage.");
            return Usage;
        }
    }

    /// <summary><c>--root dir</c> or <c>--root ns=dir</c>, repeatable.</summary>
    public static Option<string[]> RootOption() => new("--root", "-r")
    {
        Description = "A template root: template names are relative to it (repeatable; 'ns=dir' names its templates 'ns/...'). Default: each directory argument.",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<string[]> ExtensionOption() => new("--ext")
    {
        Description = "Template file extensions to look for under directories (repeatable). Default: .html .kida .jinja .j2.",
        Arity = ArgumentArity.OneOrMore,
    };

    public static Argument<string[]> PathsArgument() => new("paths")
    {
        Description = "Template files or directories (searched recursively).",
        Arity = ArgumentArity.OneOrMore,
    };

    public static Option<bool> JsonOption(string what) => new("--json") { Description = $"Print {what} as JSON." };
}
