using System.Text;
using Kida.Common;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace Kida;

/// <summary>Templates held in memory, by name.</summary>
public sealed class DictLoader : ITemplateLoader
{
    private readonly IReadOnlyDictionary<string, string> _templates;

    /// <summary>Creates a loader over a name-to-source map (the map is copied).</summary>
    public DictLoader(IReadOnlyDictionary<string, string> templates)
    {
        ArgumentNullException.ThrowIfNull(templates);
        _templates = new Dictionary<string, string>(templates, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public TemplateSource GetSource(string name)
    {
        if (_templates.TryGetValue(name, out var text)) return new TemplateSource(name, text);
        var hint = Suggest.Closest(name, _templates.Keys);
        throw new TemplateNotFoundException(name, [name], hint is null
            ? $"Template '{name}' not found"
            : $"Template '{name}' not found. Did you mean '{hint}'?");
    }

    /// <inheritdoc />
    public IEnumerable<string>? ListTemplates() => _templates.Keys.Order(StringComparer.Ordinal).ToArray();
}

/// <summary>
/// Templates in one or more folders on disk. Names are relative to those folders and may never leave them: names
/// with <c>..</c> segments, rooted or drive-letter names, <c>~</c>, backslashes, <c>%</c>, <c>:</c>, NUL or other
/// control characters are not found, and neither is a file reached through a symbolic link (of the file or of any
/// folder on its way) whose real target lies outside the folder.
/// </summary>
public sealed class FileSystemLoader : ITemplateLoader, IDisposable
{
    private readonly string[] _roots;
    private readonly Microsoft.Extensions.FileProviders.PhysicalFileProvider?[] _watchers;
    private readonly object _watchLock = new();
    private bool _disposed;

    /// <summary>Creates a loader searching <paramref name="roots"/> in order.</summary>
    public FileSystemLoader(params string[] roots)
    {
        if (roots is null || roots.Length == 0) throw new ArgumentException("At least one root folder is required", nameof(roots));
        _roots = roots.Select(r => Path.GetFullPath(r)).ToArray();
        _watchers = new Microsoft.Extensions.FileProviders.PhysicalFileProvider?[_roots.Length];
    }

    /// <summary>Text encoding of template files (UTF-8 by default).</summary>
    public Encoding Encoding { get; init; } = new UTF8Encoding(false);

    /// <summary>
    /// Attach change tokens so an environment with auto-reload evicts edited templates (default true). The tokens come
    /// from a file watcher over each root (polling when <c>DOTNET_USE_POLLING_FILE_WATCHER</c> is set), created on
    /// first use and released by <see cref="Dispose"/>.
    /// </summary>
    public bool Watch { get; init; } = true;

    /// <summary>
    /// The file extensions that are templates (with their dot, compared case-insensitively, e.g. <c>.html</c>); a
    /// name with another extension is not found. Null (the default) accepts any extension.
    /// </summary>
    public IReadOnlyCollection<string>? Extensions { get; init; }

    /// <inheritdoc />
    public TemplateSource GetSource(string name)
    {
        var (full, index) = Locate(name);
        string text;
        try
        {
            text = File.ReadAllText(full, Encoding);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw TemplateNames.Unreadable(name, DescribeSearch(name), ex);
        }
        return new TemplateSource(name, text, full, TokenFor(index, name));
    }

    /// <inheritdoc />
    public async ValueTask<TemplateSource> GetSourceAsync(string name, CancellationToken cancellationToken = default)
    {
        var (full, index) = Locate(name);
        string text;
        try
        {
            text = await File.ReadAllTextAsync(full, Encoding, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw TemplateNames.Unreadable(name, DescribeSearch(name), ex);
        }
        return new TemplateSource(name, text, full, TokenFor(index, name));
    }

    /// <summary>The file of <paramref name="name"/> and the index of its root; the same checks for both read paths.</summary>
    private (string Full, int Root) Locate(string name)
    {
        var relative = TemplateNames.SafeRelativePath(name, Extensions);
        for (var i = 0; i < _roots.Length; i++)
        {
            var root = _roots[i];
            var full = Path.GetFullPath(Path.Combine(root, relative));
            if (!TemplateNames.IsUnder(full, root) || !File.Exists(full)) continue;
            // the file and every folder on its way, symbolic links resolved, must still be inside the root
            var real = TemplateNames.RealPath(full);
            var realRoot = TemplateNames.RealPath(root);
            if (real is null || realRoot is null || !TemplateNames.IsUnder(real, realRoot)) continue;
            return (full, i);
        }
        throw new TemplateNotFoundException(name, DescribeSearch(name));
    }

    private IChangeToken? TokenFor(int index, string name)
    {
        if (!Watch) return null;
        try
        {
            Microsoft.Extensions.FileProviders.PhysicalFileProvider? provider;
            lock (_watchLock)
            {
                if (_disposed) return null;
                provider = _watchers[index] ??= new Microsoft.Extensions.FileProviders.PhysicalFileProvider(_roots[index]);
            }
            return provider.Watch(TemplateNames.SafeRelativePath(name, Extensions).Replace(Path.DirectorySeparatorChar, '/'));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> DescribeSearch(string name) =>
        _roots.Select(r => Path.Combine(r, TemplateNames.Printable(name))).ToArray();

    /// <summary>
    /// Every file under the roots whose name this loader accepts (the first root's file wins a name), in ordinal order.
    /// Files and folders that are symbolic links are not listed (they still load by name when they stay inside the root).
    /// </summary>
    public IEnumerable<string>? ListTemplates()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true, MaxRecursionDepth = 64 };
        foreach (var root in _roots)
        {
            if (!Directory.Exists(root)) continue;
            foreach (var file in Directory.EnumerateFiles(root, "*", options))
            {
                var name = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
                if (TemplateNames.IsAcceptable(name, Extensions)) names.Add(name);
            }
        }
        return names;
    }

    /// <summary>Stops the file watchers of <see cref="Watch"/>.</summary>
    public void Dispose()
    {
        lock (_watchLock)
        {
            _disposed = true;
            for (var i = 0; i < _watchers.Length; i++)
            {
                _watchers[i]?.Dispose();
                _watchers[i] = null;
            }
        }
    }
}

/// <summary>
/// Templates read through an <see cref="IFileProvider"/> (for ASP.NET Core's content root, embedded files…). Names
/// are checked as <see cref="FileSystemLoader"/> checks them; when the provider serves physical files
/// (<see cref="IFileInfo.PhysicalPath"/>, e.g. <see cref="Microsoft.Extensions.FileProviders.PhysicalFileProvider"/>,
/// which follows symbolic links), the file's real path, links resolved, must lie inside the provider's root folder
/// (and <c>root</c> under it).
/// </summary>
public sealed class FileProviderLoader : ITemplateLoader
{
    private readonly IFileProvider _provider;
    private readonly string _root;

    /// <summary>Creates a loader over <paramref name="provider"/>, optionally under a sub-folder.</summary>
    /// <exception cref="ArgumentException"><paramref name="root"/> leaves the provider (<c>..</c>, rooted, …).</exception>
    public FileProviderLoader(IFileProvider provider, string root = "")
    {
        _provider = provider ?? throw new ArgumentNullException(nameof(provider));
        var trimmed = (root ?? "").Replace('\\', '/').Trim('/');
        if (trimmed.Length > 0 && trimmed.Split('/').Any(s => s is ".." or "~" || s.Contains(':')))
            throw new ArgumentException($"The template root '{root}' must be a folder inside the file provider", nameof(root));
        _root = string.Join('/', trimmed.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != "."));
    }

    /// <summary>Attach <see cref="IFileProvider.Watch"/> change tokens (default true).</summary>
    public bool Watch { get; init; } = true;

    /// <summary>
    /// The file extensions that are templates (with their dot, compared case-insensitively); a name with another
    /// extension is not found. Null (the default) accepts any extension.
    /// </summary>
    public IReadOnlyCollection<string>? Extensions { get; init; }

    private string PathOf(string name)
    {
        var rel = TemplateNames.SafeRelativePath(name, Extensions).Replace(Path.DirectorySeparatorChar, '/');
        return _root.Length == 0 ? rel : _root + "/" + rel;
    }

    /// <summary>The file of <paramref name="name"/>, after every check, or a <see cref="TemplateNotFoundException"/>.</summary>
    private (IFileInfo File, string Path) Locate(string name)
    {
        var path = PathOf(name);
        IFileInfo file;
        try
        {
            file = _provider.GetFileInfo(path);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new TemplateNotFoundException(name, DescribeSearch(name));
        }
        if (!file.Exists || file.IsDirectory || !IsInsideRoot(file, path)) throw new TemplateNotFoundException(name, DescribeSearch(name));
        return (file, path);
    }

    /// <summary>
    /// For a physical file: the folder the provider serves is the file's path minus <paramref name="path"/>; the
    /// file's real path (symbolic links of the file and of every folder resolved) must be inside that folder's
    /// real path, plus the loader's root. Files without a physical path (embedded, in memory) pass.
    /// </summary>
    private bool IsInsideRoot(IFileInfo file, string path)
    {
        if (file.PhysicalPath is not { Length: > 0 } physical) return true;
        var full = Path.GetFullPath(physical);
        var suffix = path.Replace('/', Path.DirectorySeparatorChar);
        if (!full.EndsWith(Path.DirectorySeparatorChar + suffix, TemplateNames.PathComparison)) return false;
        var providerRoot = full[..^suffix.Length];
        var root = _root.Length == 0 ? providerRoot : Path.Combine(providerRoot, _root.Replace('/', Path.DirectorySeparatorChar));
        var real = TemplateNames.RealPath(full);
        var realRoot = TemplateNames.RealPath(root);
        return real is not null && realRoot is not null && TemplateNames.IsUnder(real, realRoot);
    }

    /// <summary>Throws <see cref="TemplateNotFoundException"/> when <paramref name="name"/> is not an acceptable name.</summary>
    internal void Check(string name) => PathOf(name);

    /// <summary>Whether <paramref name="name"/> is an acceptable name of an existing template file inside the root.</summary>
    internal bool Exists(string name)
    {
        try
        {
            Locate(name);
            return true;
        }
        catch (TemplateNotFoundException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public TemplateSource GetSource(string name)
    {
        var (file, path) = Locate(name);
        string text;
        try
        {
            using var stream = file.CreateReadStream();
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            text = reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw TemplateNames.Unreadable(name, DescribeSearch(name), ex);
        }
        return new TemplateSource(name, text, file.PhysicalPath ?? path, Watch ? _provider.Watch(path) : null);
    }

    /// <inheritdoc />
    public async ValueTask<TemplateSource> GetSourceAsync(string name, CancellationToken cancellationToken = default)
    {
        var (file, path) = Locate(name);
        string text;
        try
        {
            await using var stream = file.CreateReadStream();
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw TemplateNames.Unreadable(name, DescribeSearch(name), ex);
        }
        return new TemplateSource(name, text, file.PhysicalPath ?? path, Watch ? _provider.Watch(path) : null);
    }

    /// <inheritdoc />
    public IReadOnlyList<string> DescribeSearch(string name) =>
        ["/" + (_root.Length == 0 ? "" : _root + "/") + TemplateNames.Printable(name).TrimStart('/')];

    /// <summary>Every file under the root whose name this loader accepts, in ordinal order (at most 64 folders deep).</summary>
    public IEnumerable<string>? ListTemplates()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        Walk(_root, "", 0);
        return names;

        void Walk(string path, string prefix, int depth)
        {
            if (depth > 64) return;
            IDirectoryContents contents;
            try
            {
                contents = _provider.GetDirectoryContents(path);
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
            {
                return;
            }
            if (!contents.Exists) return;
            foreach (var item in contents)
            {
                var name = prefix + item.Name;
                if (item.IsDirectory) Walk(path.Length == 0 ? item.Name : path + "/" + item.Name, name + "/", depth + 1);
                else if (TemplateNames.IsAcceptable(name, Extensions) && Exists(name)) names.Add(name);
            }
        }
    }
}

/// <summary>Tries several loaders in order; the first that has the template wins.</summary>
public sealed class ChoiceLoader : ITemplateLoader
{
    private readonly ITemplateLoader[] _loaders;

    /// <summary>Creates a loader over <paramref name="loaders"/>.</summary>
    public ChoiceLoader(params ITemplateLoader[] loaders) => _loaders = loaders.ToArray();

    /// <inheritdoc />
    public TemplateSource GetSource(string name)
    {
        foreach (var loader in _loaders)
        {
            try { return loader.GetSource(name); }
            catch (TemplateNotFoundException) { }
        }
        throw new TemplateNotFoundException(name, DescribeSearch(name));
    }

    /// <inheritdoc />
    public async ValueTask<TemplateSource> GetSourceAsync(string name, CancellationToken cancellationToken = default)
    {
        foreach (var loader in _loaders)
        {
            try { return await loader.GetSourceAsync(name, cancellationToken).ConfigureAwait(false); }
            catch (TemplateNotFoundException) { }
        }
        throw new TemplateNotFoundException(name, DescribeSearch(name));
    }

    /// <inheritdoc />
    public IReadOnlyList<string> DescribeSearch(string name) => _loaders.SelectMany(l => l.DescribeSearch(name)).ToArray();

    /// <summary>The names of every loader that can list them, once each, in ordinal order; null when none can.</summary>
    public IEnumerable<string>? ListTemplates()
    {
        SortedSet<string>? names = null;
        foreach (var loader in _loaders)
            if (loader.ListTemplates() is { } listed) (names ??= new SortedSet<string>(StringComparer.Ordinal)).UnionWith(listed);
        return names;
    }
}

/// <summary>Chooses a loader by the name's prefix: <c>admin/page.html</c> asks the "admin" loader for <c>page.html</c>.</summary>
public sealed class PrefixLoader : ITemplateLoader
{
    private readonly IReadOnlyDictionary<string, ITemplateLoader> _loaders;
    private readonly char _delimiter;

    /// <summary>Creates a loader over prefix-to-loader <paramref name="loaders"/>.</summary>
    public PrefixLoader(IReadOnlyDictionary<string, ITemplateLoader> loaders, char delimiter = '/')
    {
        _loaders = new Dictionary<string, ITemplateLoader>(loaders, StringComparer.Ordinal);
        _delimiter = delimiter;
    }

    private (ITemplateLoader, string) Split(string name)
    {
        var i = name.IndexOf(_delimiter);
        if (i > 0 && _loaders.TryGetValue(name[..i], out var loader)) return (loader, name[(i + 1)..]);
        throw new TemplateNotFoundException(name, DescribeSearch(name),
            $"Template '{name}': no loader for its prefix. Available prefixes: {string.Join(", ", _loaders.Keys)}");
    }

    /// <inheritdoc />
    public TemplateSource GetSource(string name)
    {
        var (loader, rest) = Split(name);
        return loader.GetSource(rest) with { Name = name };
    }

    /// <inheritdoc />
    public async ValueTask<TemplateSource> GetSourceAsync(string name, CancellationToken cancellationToken = default)
    {
        var (loader, rest) = Split(name);
        return (await loader.GetSourceAsync(rest, cancellationToken).ConfigureAwait(false)) with { Name = name };
    }

    /// <inheritdoc />
    public IReadOnlyList<string> DescribeSearch(string name)
    {
        var i = name.IndexOf(_delimiter);
        if (i > 0 && _loaders.TryGetValue(name[..i], out var loader)) return loader.DescribeSearch(name[(i + 1)..]);
        return [name];
    }

    /// <summary>The names of every prefixed loader that can list them, with its prefix; null when none can.</summary>
    public IEnumerable<string>? ListTemplates()
    {
        SortedSet<string>? names = null;
        foreach (var (prefix, loader) in _loaders)
            if (loader.ListTemplates() is { } listed)
                (names ??= new SortedSet<string>(StringComparer.Ordinal)).UnionWith(listed.Select(n => prefix + _delimiter + n));
        return names;
    }
}

/// <summary>The rules every file-backed loader applies to template names.</summary>
internal static class TemplateNames
{
    /// <summary>How paths compare on this platform (case-insensitively on Windows and macOS).</summary>
    public static StringComparison PathComparison { get; } =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>
    /// The platform-relative path of a template name, or a <see cref="TemplateNotFoundException"/> for any name that
    /// could leave the root or is not a plain relative name: empty, rooted (<c>/x</c>, <c>C:x</c>, <c>\\server</c>),
    /// <c>~</c> names, <c>..</c> segments, segments ending in a dot or a space (Windows drops them), backslashes,
    /// <c>:</c> (drive letters, alternate streams, URLs), <c>%</c> (percent-encoded forms), NUL and other control
    /// characters; and, when <paramref name="extensions"/> is given, a name whose extension is not one of them.
    /// </summary>
    public static string SafeRelativePath(string name, IReadOnlyCollection<string>? extensions = null)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new TemplateNotFoundException(name ?? "", [], "Template name is empty");
        foreach (var c in name)
        {
            if (char.IsControl(c) || c is '\\' or ':' or '%')
                throw NotFound(name, "contains a character template names cannot have (\\, :, %, or a control character)");
        }
        if (name[0] is '/' or '~' || Path.IsPathRooted(name))
            throw NotFound(name, "is not relative; template names are relative to the template root");
        var parts = name.Split('/');
        var kept = new List<string>(parts.Length);
        foreach (var part in parts)
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == ".." || part[^1] is '.' or ' ' || part.Trim().Length == 0)
                throw NotFound(name, "attempts path traversal outside the template root");
            kept.Add(part);
        }
        if (kept.Count == 0) throw NotFound(name, "does not name a file");
        if (extensions is not null)
        {
            var extension = Path.GetExtension(kept[^1]);
            if (extension.Length == 0 || !extensions.Any(e => string.Equals(e, extension, StringComparison.OrdinalIgnoreCase)))
                throw NotFound(name, $"is not a template: only {string.Join(", ", extensions)} files are templates");
        }
        return string.Join(Path.DirectorySeparatorChar, kept);
    }

    /// <summary>Whether <paramref name="name"/> passes <see cref="SafeRelativePath"/> (a listed file a loader would load).</summary>
    public static bool IsAcceptable(string name, IReadOnlyCollection<string>? extensions)
    {
        try
        {
            SafeRelativePath(name, extensions);
            return true;
        }
        catch (TemplateNotFoundException)
        {
            return false;
        }
    }

    /// <summary>A file that was found but could not be read (deleted meanwhile, no permission, a folder): not found.</summary>
    public static TemplateNotFoundException Unreadable(string name, IReadOnlyList<string> searched, Exception ex) =>
        new(name, searched, $"Template '{Printable(name)}' could not be read: {ex.GetType().Name}");

    private static TemplateNotFoundException NotFound(string name, string why) =>
        new(name, [], $"Template '{Printable(name)}' not found: the name {why}");

    /// <summary>The name with control characters shown as <c>\uXXXX</c>, for messages.</summary>
    public static string Printable(string? name)
    {
        if (name is null) return "";
        if (!name.Any(char.IsControl)) return name;
        var sb = new StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            if (char.IsControl(c)) sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Whether the full path <paramref name="path"/> is strictly inside the folder <paramref name="root"/>.</summary>
    public static bool IsUnder(string path, string root)
    {
        var withSep = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        return path.StartsWith(withSep, PathComparison);
    }

    /// <summary>
    /// The real path of <paramref name="path"/>: every symbolic link on the way (the file's own and its folders')
    /// resolved, relative targets against the link's folder; null when links loop or nest more than 40 deep. Parts
    /// that do not exist are kept as they are.
    /// </summary>
    public static string? RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? "";
        var pending = new List<string>(Split(full[root.Length..]));
        pending.Reverse();
        var current = root;
        var hops = 0;
        while (pending.Count > 0)
        {
            var segment = pending[^1];
            pending.RemoveAt(pending.Count - 1);
            if (segment == ".") continue;
            if (segment == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }
            var next = Path.Combine(current, segment);
            string? target;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++hops > 40) return null;
            var resolved = Path.IsPathRooted(target) ? target : Path.Combine(current, target);
            var resolvedRoot = Path.GetPathRoot(resolved) ?? "";
            var parts = Split(resolved[resolvedRoot.Length..]);
            for (var i = parts.Length - 1; i >= 0; i--) pending.Add(parts[i]);
            current = resolvedRoot.Length > 0 ? resolvedRoot : current;
        }
        return current;
    }

    private static string[] Split(string path) =>
        path.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
}
