namespace Kida.Cli;

/// <summary>One template file found under the paths given on the command line: its name under a root and how to print its path.</summary>
internal sealed record TemplateFile(string Name, string FullPath, string DisplayPath);

/// <summary>
/// The templates the command works on and the roots their names are relative to. <c>--root dir</c> adds a root,
/// <c>--root ns=dir</c> a root whose templates are named <c>ns/…</c>; without any, each directory argument is a root
/// (and a file's directory, for a file argument).
/// </summary>
internal sealed class TemplateSet
{
    /// <summary>The extensions of template files (the ASP.NET Core template root's defaults).</summary>
    public static readonly string[] DefaultExtensions = [".html", ".kida", ".jinja", ".j2"];

    private readonly List<(string? Prefix, string Directory)> _roots = [];

    public IReadOnlyList<TemplateFile> Files { get; }

    private TemplateSet(List<TemplateFile> files) => Files = files;

    /// <summary>Reads the arguments; a usage problem (a missing path, a file outside every root) is an <see cref="ArgumentException"/>.</summary>
    public static TemplateSet Create(IEnumerable<string> paths, IEnumerable<string>? roots, IEnumerable<string>? extensions = null)
    {
        var exts = (extensions?.ToArray() is { Length: > 0 } e ? e : DefaultExtensions)
            .Select(x => x.StartsWith('.') ? x : "." + x).ToArray();
        var set = new List<TemplateFile>();
        var result = new TemplateSet(set);
        foreach (var root in roots ?? [])
        {
            var eq = root.IndexOf('=');
            string? prefix = eq > 0 ? root[..eq] : null;
            var dir = eq > 0 ? root[(eq + 1)..] : root;
            if (!Directory.Exists(dir)) throw new ArgumentException($"--root: directory '{dir}' does not exist");
            result._roots.Add((prefix, Path.GetFullPath(dir)));
        }
        var explicitRoots = result._roots.Count > 0;
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                if (!explicitRoots && !result._roots.Any(r => r.Prefix is null && SamePath(r.Directory, Path.GetFullPath(path))))
                    result._roots.Add((null, Path.GetFullPath(path)));
                foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                             .Where(f => exts.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                             .Order(StringComparer.Ordinal))
                    set.Add(result.Describe(file));
            }
            else if (File.Exists(path))
            {
                var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
                if (!explicitRoots && !result._roots.Any(r => r.Prefix is null && IsUnder(Path.GetFullPath(path), r.Directory)))
                    result._roots.Add((null, dir));
                set.Add(result.Describe(path));
            }
            else
            {
                throw new ArgumentException($"'{path}' is neither a file nor a directory");
            }
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        set.RemoveAll(f => !seen.Add(f.FullPath));
        return result;
    }

    private TemplateFile Describe(string path)
    {
        var full = Path.GetFullPath(path);
        foreach (var (prefix, dir) in _roots.OrderByDescending(r => r.Directory.Length))
        {
            if (!IsUnder(full, dir)) continue;
            var rel = Path.GetRelativePath(dir, full).Replace('\\', '/');
            return new TemplateFile(prefix is null ? rel : $"{prefix}/{rel}", full, path);
        }
        throw new ArgumentException($"'{path}' is not under any --root");
    }

    private static bool IsUnder(string path, string dir) =>
        path.StartsWith(dir.EndsWith(Path.DirectorySeparatorChar) ? dir : dir + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static bool SamePath(string a, string b) => string.Equals(a.TrimEnd(Path.DirectorySeparatorChar), b.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);

    /// <summary>A loader over the roots: plain roots searched in order, prefixed roots by their prefix.</summary>
    public ITemplateLoader CreateLoader()
    {
        var plain = _roots.Where(r => r.Prefix is null).Select(r => r.Directory).ToArray();
        var prefixed = _roots.Where(r => r.Prefix is not null)
            .GroupBy(r => r.Prefix!)
            .ToDictionary(g => g.Key, g => (ITemplateLoader)new FileSystemLoader(g.Select(r => r.Directory).ToArray()) { Watch = false }, StringComparer.Ordinal);
        ITemplateLoader? plainLoader = plain.Length > 0 ? new FileSystemLoader(plain) { Watch = false } : null;
        if (prefixed.Count == 0) return plainLoader ?? new DictLoader(new Dictionary<string, string>());
        var prefixLoader = new PrefixLoader(prefixed);
        return plainLoader is null ? prefixLoader : new ChoiceLoader(prefixLoader, plainLoader);
    }

    /// <summary>Autoescape for HTML and XML templates (.html, .htm, .xml, .xhtml); other extensions render as text.</summary>
    public static bool AutoescapeFor(string? name) =>
        name is null || Path.GetExtension(name).ToLowerInvariant() is ".html" or ".htm" or ".xml" or ".xhtml";
}
