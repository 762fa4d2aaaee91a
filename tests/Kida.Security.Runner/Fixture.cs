using System.Text;

namespace Kida.Security;

/// <summary>
/// The files attacks run against, under one temporary folder (<c>KIDA_SEC_DIR</c>, created by the parent):
/// <c>templates/</c> (the template root of fs/fp attacks, with a directory symlink <c>dirlink</c> and a file symlink
/// <c>filelink.html</c> pointing outside), <c>secret/</c> (files holding the secret marker, outside every root) and
/// <c>app/</c> (the content root of the ASP.NET Core attacks: appsettings.json with a connection string holding the
/// marker, Program.cs, Views/, wwwroot/uploads/x.html). Placeholders in entries and templates: $ROOT, $SECRET_DIR,
/// $SECRET_FILE, $APP.
/// </summary>
public static class Fixture
{
    private static readonly object Gate = new();
    private static string? _base;

    /// <summary>The fixture's base folder.</summary>
    public static string Base
    {
        get
        {
            lock (Gate)
            {
                if (_base is null)
                {
                    var dir = Environment.GetEnvironmentVariable("KIDA_SEC_DIR") is { Length: > 0 } d
                        ? d : Path.Combine(Path.GetTempPath(), "kida-sec-" + Environment.ProcessId);
                    Create(dir);
                    _base = dir;
                }
                return _base;
            }
        }
    }

    /// <summary>The template root of fs/fp attacks.</summary>
    public static string Root => Path.Combine(Base, "templates");

    /// <summary>The content root of the ASP.NET Core attacks.</summary>
    public static string App => Path.Combine(Base, "app");

    /// <summary>Replaces the placeholders.</summary>
    public static string Resolve(string s) => !s.Contains('$') ? s : s
        .Replace("$ROOT", Root, StringComparison.Ordinal)
        .Replace("$SECRET_DIR", Path.Combine(Base, "secret"), StringComparison.Ordinal)
        .Replace("$SECRET_FILE", Path.Combine(Base, "secret", "secret.html"), StringComparison.Ordinal)
        .Replace("$APP", App, StringComparison.Ordinal);

    /// <summary>Writes the attack's templates under the template root; returns the root.</summary>
    public static string Write(Attack attack)
    {
        foreach (var (name, text) in attack.Templates)
        {
            var path = Path.GetFullPath(Path.Combine(Root, name));
            if (!path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new InvalidDataException("fixture template outside the root: " + name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, Resolve(text), new UTF8Encoding(false));
        }
        return Root;
    }

    private static void Create(string dir)
    {
        var secret = Contexts.Secret;
        Directory.CreateDirectory(dir);
        var secretDir = Path.Combine(dir, "secret");
        Directory.CreateDirectory(secretDir);
        File.WriteAllText(Path.Combine(secretDir, "secret.html"), "secret file " + secret);
        File.WriteAllText(Path.Combine(secretDir, "secret.txt"), "secret file " + secret);
        File.WriteAllText(Path.Combine(dir, "secret.html"), "secret beside the root " + secret);
        File.WriteAllText(Path.Combine(dir, "templates.html"), "prefix sibling " + secret);
        Directory.CreateDirectory(Path.Combine(dir, "templates-evil"));
        File.WriteAllText(Path.Combine(dir, "templates-evil", "x.html"), "sibling folder " + secret);

        var root = Path.Combine(dir, "templates");
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        File.WriteAllText(Path.Combine(root, "ok.html"), "fine");
        File.WriteAllText(Path.Combine(root, "sub", "inner.html"), "inner");
        TryLink(() => Directory.CreateSymbolicLink(Path.Combine(root, "dirlink"), secretDir));
        TryLink(() => File.CreateSymbolicLink(Path.Combine(root, "filelink.html"), Path.Combine(secretDir, "secret.html")));
        TryLink(() => File.CreateSymbolicLink(Path.Combine(root, "sub", "rel.html"), "../../secret/secret.html"));

        var app = Path.Combine(dir, "app");
        Directory.CreateDirectory(Path.Combine(app, "Views", "Sec"));
        Directory.CreateDirectory(Path.Combine(app, "Views", "Shared"));
        Directory.CreateDirectory(Path.Combine(app, "wwwroot", "uploads"));
        File.WriteAllText(Path.Combine(app, "appsettings.json"),
            "{\"ConnectionStrings\": {\"Default\": \"Server=db;Password=" + secret + "\"}, \"Secret\": \"" + secret + "\"}");
        File.WriteAllText(Path.Combine(app, "Program.cs"), "// " + secret);
        File.WriteAllText(Path.Combine(app, "secrets.html"), "content root file " + secret);
        File.WriteAllText(Path.Combine(app, "wwwroot", "uploads", "x.html"), "uploaded " + secret);
        File.WriteAllText(Path.Combine(app, "Views", "Sec", "Plain.html"), "plain view");
        File.WriteAllText(Path.Combine(app, "Views", "Shared", "Layout.html"), "<main>{% block body %}{% endblock %}</main>");
        File.WriteAllText(Path.Combine(app, "Views", "Sec", "Hello.html"), "hello {{ model.name if model else '' }}");
        TryLink(() => Directory.CreateSymbolicLink(Path.Combine(app, "Views", "dirlink"), secretDir));
        TryLink(() => File.CreateSymbolicLink(Path.Combine(app, "Views", "Sec", "Link.html"), Path.Combine(secretDir, "secret.html")));
    }

    private static void TryLink(Action create)
    {
        try { create(); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
