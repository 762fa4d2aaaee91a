using System.Text;
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
        var hint = Runtime.Suggest.Closest(name, _templates.Keys);
        throw new TemplateNotFoundException(name, [name], hint is null
            ? $"Template '{name}' not found"
            : $"Template '{name}' not found. Did you mean '{hint}'?");
    }
}

/// <summary>Templates in one or more folders on disk; names may not leave those folders.</summary>
public sealed class FileSystemLoader : ITemplateLoader
{
    private readonly string[] _roots;

    /// <summary>Creates a loader searching <paramref name="roots"/> in order.</summary>
    public FileSystemLoader(params string[] roots)
    {
        if (roots is null || roots.Length == 0) throw new ArgumentException("At least one root folder is required", nameof(roots));
        _roots = roots.Select(r => Path.GetFullPath(r)).ToArray();
    }

    /// <summary>Text encoding of template files (UTF-8 by default).</summary>
    public Encoding Encoding { get; init; } = new UTF8Encoding(false);

    /// <summary>Attach change tokens so an environment with auto-reload evicts edited templates.</summary>
    public bool Watch { get; init; } = true;

    /// <inheritdoc />
    public TemplateSource GetSource(string name)
    {
        var relative = TemplateNames.SafeRelativePath(name);
        foreach (var root in _roots)
        {
            var full = Path.GetFullPath(Path.Combine(root, relative));
            var rootWithSep = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
            if (!full.StartsWith(rootWithSep, StringComparison.Ordinal)) continue;
            if (!File.Exists(full)) continue;
            var info = new FileInfo(full);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(true) is { } target &&
                !Path.GetFullPath(target.FullName).StartsWith(rootWithSep, StringComparison.Ordinal))
                continue;
            var token = Watch ? new Microsoft.Extensions.FileProviders.Physical.PollingFileChangeToken(info) : null;
            return new TemplateSource(name, File.ReadAllText(full, Encoding), full, token);
        }
        throw new TemplateNotFoundException(name, DescribeSearch(name));
    }

    /// <inheritdoc />
    public async ValueTask<TemplateSource> GetSourceAsync(string name, CancellationToken cancellationToken = default)
    {
        var relative = TemplateNames.SafeRelativePath(name);
        foreach (var root in _roots)
        {
            var full = Path.GetFullPath(Path.Combine(root, relative));
            var rootWithSep = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
            if (!full.StartsWith(rootWithSep, StringComparison.Ordinal) || !File.Exists(full)) continue;
            var token = Watch ? new Microsoft.Extensions.FileProviders.Physical.PollingFileChangeToken(new FileInfo(full)) : null;
            return new TemplateSource(name, await File.ReadAllTextAsync(full, Encoding, cancellationToken).ConfigureAwait(false), full, token);
        }
        throw new TemplateNotFoundException(name, DescribeSearch(name));
    }

    /// <inheritdoc />
    public IReadOnlyList<string> DescribeSearch(string name) =>
        _roots.Select(r => Path.Combine(r, name.Replace('\\', '/'))).ToArray();
}

/// <summary>Templates read through an <see cref="IFileProvider"/> (for ASP.NET Core's content root, embedded files…).</summary>
public sealed class FileProviderLoader : ITemplateLoader
{
    private readonly IFileProvider _provider;
    private readonly string _root;

    /// <summary>Creates a loader over <paramref name="provider"/>, optionally under a sub-folder.</summary>
    public FileProviderLoader(IFileProvider provider, string root = "")
    {
        _provider = provider ?? throw new ArgumentNullException(nameof(provider));
        _root = root.Trim('/', '\\').Replace('\\', '/');
    }

    /// <summary>Attach <see cref="IFileProvider.Watch"/> change tokens (default true).</summary>
    public bool Watch { get; init; } = true;

    private string PathOf(string name)
    {
        var rel = TemplateNames.SafeRelativePath(name).Replace('\\', '/');
        return _root.Length == 0 ? rel : _root + "/" + rel;
    }

    /// <inheritdoc />
    public TemplateSource GetSource(string name)
    {
        var path = PathOf(name);
        var file = _provider.GetFileInfo(path);
        if (!file.Exists || file.IsDirectory) throw new TemplateNotFoundException(name, DescribeSearch(name));
        using var stream = file.CreateReadStream();
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return new TemplateSource(name, reader.ReadToEnd(), file.PhysicalPath ?? path, Watch ? _provider.Watch(path) : null);
    }

    /// <inheritdoc />
    public async ValueTask<TemplateSource> GetSourceAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = PathOf(name);
        var file = _provider.GetFileInfo(path);
        if (!file.Exists || file.IsDirectory) throw new TemplateNotFoundException(name, DescribeSearch(name));
        await using var stream = file.CreateReadStream();
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        return new TemplateSource(name, text, file.PhysicalPath ?? path, Watch ? _provider.Watch(path) : null);
    }

    /// <inheritdoc />
    public IReadOnlyList<string> DescribeSearch(string name) => ["/" + (_root.Length == 0 ? "" : _root + "/") + name.TrimStart('/')];
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
}

internal static class TemplateNames
{
    /// <summary>Rejects names that are rooted or climb out of the template root.</summary>
    public static string SafeRelativePath(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new TemplateNotFoundException(name ?? "", [], "Template name is empty");
        var n = name.Replace('\\', '/');
        if (n.StartsWith('/') || Path.IsPathRooted(name) || n.Contains(':'))
            throw new TemplateNotFoundException(name, [], $"Template '{name}' is an absolute path; template names are relative to the loader's root");
        var parts = n.Split('/');
        if (parts.Any(p => p == ".."))
            throw new TemplateNotFoundException(name, [], $"Template '{name}' attempts path traversal outside the search path");
        return string.Join(Path.DirectorySeparatorChar, parts.Where(p => p.Length > 0 && p != "."));
    }
}
