using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Kida.Security;

/// <summary>What an attack must end in.</summary>
public enum Expectation
{
    /// <summary>The render succeeds (output checks apply).</summary>
    Ok,
    /// <summary>The render throws a <see cref="TemplateException"/> (optionally with a code prefix).</summary>
    Error,
    /// <summary>Either of the two; output checks apply when it succeeds.</summary>
    Any,
}

/// <summary>
/// One attack: templates, an entry, a context and options, and the outcome it must end in. Attacks are data
/// (<c>*.attacks</c> files, parsed by <see cref="AttackFile"/>), serialised to the child runner as JSON.
/// </summary>
public sealed class Attack
{
    /// <summary>Unique id, <c>class.name</c>; the class is the part before the first dot.</summary>
    public string Id { get; set; } = "";

    /// <summary>Where the attack was defined (file:line).</summary>
    public string Source { get; set; } = "";

    /// <summary>The engine area that has to make it pass: lead, limits, sandbox, aspnet.</summary>
    public string Owner { get; set; } = "";

    /// <summary>How it is run: render (DictLoader), fs (FileSystemLoader), fp (FileProviderLoader over a
    /// PhysicalFileProvider), env-fs (KidaEnvironment.GetTemplate through a FileSystemLoader at the secret's parent),
    /// aspnet-result, aspnet-view, race-trim, race-cache, self-loader.</summary>
    public string Kind { get; set; } = "render";

    /// <summary>Templates by name.</summary>
    public Dictionary<string, string> Templates { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The template to load and render.</summary>
    public string Entry { get; set; } = "main.html";

    /// <summary>Context: preset names and/or one JSON object (see <see cref="Contexts"/>).</summary>
    public string Context { get; set; } = "";

    /// <summary>Options (see <see cref="Executor"/>).</summary>
    public Dictionary<string, string> Options { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The outcome class it must end in.</summary>
    public Expectation Expect { get; set; } = Expectation.Any;

    /// <summary>With <see cref="Expectation.Error"/>: the error code must start with this.</summary>
    public string? ErrorCode { get; set; }

    /// <summary>On success: the exact output.</summary>
    public string? Output { get; set; }

    /// <summary>On success: substrings the output must contain.</summary>
    public List<string> Has { get; set; } = [];

    /// <summary>On success: substrings the output must not contain.</summary>
    public List<string> Lacks { get; set; } = [];

    /// <summary>On error: substrings the message must not contain.</summary>
    public List<string> MessageLacks { get; set; } = [];

    /// <summary>An error without a position is acceptable (there is no template position to report).</summary>
    public bool NoPosition { get; set; }

    /// <summary>Compile modes: both (default for render), compiled, interpreted, default.</summary>
    public string Modes { get; set; } = "";

    /// <summary>Free text.</summary>
    public string Note { get; set; } = "";

    /// <summary>The attack class (the id up to the first dot).</summary>
    public string Class => Id.Contains('.') ? Id[..Id.IndexOf('.')] : Id;

    /// <summary>The compile modes this attack runs in.</summary>
    public string[] ModeList()
    {
        var m = Modes.Length > 0 ? Modes : Kind == "render" ? "both" : "default";
        return m == "both" ? ["compiled", "interpreted"] : [m];
    }

    /// <summary>A one-line repro for status reports.</summary>
    public string Repro()
    {
        var sb = new StringBuilder();
        if (Kind != "render") sb.Append('[').Append(Kind).Append("] ");
        foreach (var (name, text) in Templates)
        {
            if (Templates.Count > 1 || name != Entry) sb.Append(name).Append(": ");
            sb.Append(Abbreviate(text)).Append("  ");
        }
        if (Entry != "main.html" || Templates.Count == 0) sb.Append("entry=").Append(Abbreviate(Entry)).Append("  ");
        if (Context.Length > 0) sb.Append("ctx=").Append(Abbreviate(Context)).Append("  ");
        if (Options.Count > 0) sb.Append("opt=").Append(string.Join(' ', Options.Select(kv => kv.Key + "=" + kv.Value)));
        return sb.ToString().TrimEnd();
    }

    private static string Abbreviate(string s)
    {
        s = s.Replace("\n", "⏎", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal);
        return s.Length <= 160 ? s : s[..110] + $"…(+{s.Length - 150} chars)…" + s[^40..];
    }
}

/// <summary>
/// Parses <c>*.attacks</c> files. A block starts with <c>[class.name]</c>; then <c>key: value</c> lines:
/// <c>t</c> (the entry template main.html) or <c>t NAME</c>; <c>gen PATTERN i=A..B: TEXT</c> (one template per i,
/// with <c>{i}</c> and <c>{i+1}</c> substituted); <c>entry</c>, <c>ctx</c>, <c>opt</c> (k=v pairs), <c>kind</c>,
/// <c>owner</c>, <c>modes</c>, <c>expect</c> (<c>ok</c>, <c>err [CODE-PREFIX]</c>, <c>any</c>), <c>out</c>,
/// <c>has</c>, <c>lacks</c>, <c>msglacks</c>, <c>nopos</c>, <c>note</c>. A value <c>&lt;&lt;&lt;</c> starts a
/// multi-line value ended by a line <c>&gt;&gt;&gt;</c>. In every value <c>«N*text»</c> repeats text N times
/// (innermost first), <c>$NUL</c> is a NUL character and <c>$NL</c> a newline. Lines starting with # are comments;
/// <c>@owner NAME</c> sets the default owner of the blocks that follow.
/// </summary>
public static class AttackFile
{
    private static readonly Regex Repeat = new("«(\\d+)\\*([^«»]*)»", RegexOptions.CultureInvariant);

    /// <summary>Expands repetitions and escapes in a value.</summary>
    public static string Expand(string value)
    {
        while (value.Contains('«'))
        {
            var next = Repeat.Replace(value, m =>
            {
                var n = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                var sb = new StringBuilder(m.Groups[2].Length * n);
                for (var i = 0; i < n; i++) sb.Append(m.Groups[2].Value);
                return sb.ToString();
            });
            if (next == value) throw new FormatException("unbalanced « » in: " + value);
            value = next;
        }
        return value.Replace("$NUL", "\0", StringComparison.Ordinal).Replace("$NL", "\n", StringComparison.Ordinal);
    }

    /// <summary>Parses every attack of one file.</summary>
    public static List<Attack> Parse(string path) => Parse(File.ReadAllLines(path), Path.GetFileName(path));

    /// <summary>Parses attack lines; <paramref name="file"/> names the source in errors and repro lines.</summary>
    public static List<Attack> Parse(IReadOnlyList<string> lines, string file)
    {
        var result = new List<Attack>();
        Attack? current = null;
        var owner = "";
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.StartsWith("@owner ", StringComparison.Ordinal)) { owner = line[7..].Trim(); continue; }
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                current = new Attack { Id = line[1..^1].Trim(), Source = $"{file}:{i + 1}", Owner = owner };
                result.Add(current);
                continue;
            }
            if (current is null) throw new FormatException($"{file}:{i + 1}: value before the first [id]");
            var colon = line.IndexOf(':');
            string key, value;
            if (line.Trim() == "nopos") { current.NoPosition = true; continue; }
            var heredoc = colon < 0 ? line.EndsWith(" <<<", StringComparison.Ordinal) : line[(colon + 1)..].Trim() == "<<<";
            if (heredoc)
            {
                key = (colon < 0 ? line[..^3] : line[..colon]).Trim();
                var sb = new List<string>();
                for (i++; i < lines.Count && lines[i] != ">>>"; i++) sb.Add(lines[i]);
                if (i >= lines.Count) throw new FormatException($"{file}: unterminated <<< in {current.Id}");
                value = string.Join("\n", sb);
            }
            else
            {
                if (colon < 0) throw new FormatException($"{file}:{i + 1}: expected key: value");
                key = line[..colon].Trim();
                value = line[(colon + 1)..];
                if (value.StartsWith(' ')) value = value[1..];
            }
            Apply(current, key, value, $"{file}:{i + 1}");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in result)
        {
            if (!seen.Add(a.Id)) throw new FormatException($"{file}: duplicate attack id {a.Id}");
            if (a.Kind == "render" && a.Templates.Count == 0) throw new FormatException($"{a.Source}: no template");
        }
        return result;
    }

    private static void Apply(Attack a, string key, string value, string where)
    {
        if (key == "t") { a.Templates["main.html"] = Expand(value); return; }
        if (key.StartsWith("t ", StringComparison.Ordinal)) { a.Templates[Expand(key[2..].Trim())] = Expand(value); return; }
        if (key.StartsWith("gen ", StringComparison.Ordinal))
        {
            // gen t{i}.html i=0..499: {% extends 't{i+1}.html' %}
            var parts = key[4..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var range = parts[1]["i=".Length..].Split("..");
            var from = int.Parse(range[0], CultureInfo.InvariantCulture);
            var to = int.Parse(range[1], CultureInfo.InvariantCulture);
            var text = Expand(value);
            for (var n = from; n <= to; n++)
            {
                string Sub(string s) => s.Replace("{i+1}", (n + 1).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                    .Replace("{i-1}", (n - 1).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                    .Replace("{i}", n.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
                a.Templates[Sub(parts[0])] = Sub(text);
            }
            return;
        }
        switch (key)
        {
            case "entry": a.Entry = Expand(value); break;
            case "ctx": a.Context = Expand(value); break;
            case "opt":
                foreach (var kv in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var eq = kv.IndexOf('=');
                    if (eq < 0) throw new FormatException($"{where}: option without '=': {kv}");
                    a.Options[kv[..eq]] = kv[(eq + 1)..];
                }
                break;
            case "kind": a.Kind = value.Trim(); break;
            case "owner": a.Owner = value.Trim(); break;
            case "modes": a.Modes = value.Trim(); break;
            case "note": a.Note = value; break;
            case "out": a.Output = Expand(value); break;
            case "has": a.Has.Add(Expand(value)); break;
            case "lacks": a.Lacks.Add(Expand(value)); break;
            case "msglacks": a.MessageLacks.Add(Expand(value)); break;
            case "expect":
                var words = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                a.Expect = words[0] switch
                {
                    "ok" => Expectation.Ok,
                    "err" => Expectation.Error,
                    "any" => Expectation.Any,
                    _ => throw new FormatException($"{where}: expect ok|err|any, got {value}"),
                };
                if (words.Length > 1) a.ErrorCode = words[1];
                break;
            default: throw new FormatException($"{where}: unknown key '{key}'");
        }
    }
}
