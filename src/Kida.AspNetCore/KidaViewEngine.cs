using System.Collections.Concurrent;
using Kida;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Razor;
using Microsoft.AspNetCore.Mvc.ViewEngines;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Kida.AspNetCore;

/// <summary>
/// An MVC view engine that finds Kida templates under <see cref="KidaViewOptions.TemplateRoot"/> and renders them as
/// views. <c>View()</c> finds <c>{Controller}/{Action}.html</c> then <c>Shared/{Action}.html</c>; a view name ending in
/// a template extension is a path relative to the root (or to the view that asks for it). Names that could leave the
/// root (<c>..</c>, <c>~/</c>, rooted, encoded, control characters, other extensions, symbolic links out) are not
/// found.
/// </summary>
public sealed class KidaViewEngine : IViewEngine
{
    private readonly KidaEnvironment _environment;
    private readonly KidaViewOptions _options;
    private readonly IFileProvider _files;
    private readonly string _root;
    private readonly FileProviderLoader _probe;
    private readonly string[] _extensions;
    private readonly IViewLocationExpander[] _expanders;
    private readonly KidaViewConventions _conventions;
    private readonly ConcurrentDictionary<LookupKey, LookupEntry> _cache = new();
    private readonly object _trimLock = new();
    private long _clock;

    /// <summary>
    /// Creates the engine over the application's singleton environment. The view location expanders of
    /// <see cref="KidaViewOptions.ViewLocationExpanders"/>, then those of <paramref name="razorOptions"/>
    /// (<see cref="RazorViewEngineOptions.ViewLocationExpanders"/>), expand the locations <c>View()</c> searches.
    /// </summary>
    public KidaViewEngine(KidaEnvironment environment, IOptions<KidaViewOptions> options, IWebHostEnvironment host,
        IOptions<RazorViewEngineOptions>? razorOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(host);
        _environment = environment ?? throw new ArgumentNullException(nameof(environment));
        _options = options.Value;
        _expanders = [.. _options.ViewLocationExpanders, .. razorOptions?.Value.ViewLocationExpanders ?? []];
        _files = _options.FileProvider ?? host.ContentRootFileProvider;
        _root = KidaTemplateRoot.Normalize(_options.TemplateRoot);
        _conventions = new KidaViewConventions(_environment, _options,
            name => _environment.Options.AutoReload ? _files.Watch(KidaTemplateRoot.Combine(_root, name)) : null);
        _extensions = KidaTemplateRoot.Extensions(_options);
        _probe = new FileProviderLoader(_files, _root) { Extensions = _extensions, Watch = false };
    }

    /// <summary>The number of view lookups remembered (bounded by <see cref="KidaViewOptions.ViewLookupCacheSize"/>).</summary>
    internal int LookupCacheCount => _cache.Count;

    /// <inheritdoc />
    public ViewEngineResult FindView(ActionContext context, string viewName, bool isMainPage)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(viewName);
        if (IsPath(viewName)) return ViewEngineResult.NotFound(viewName, []);

        var controller = RouteValue(context, "controller");
        var area = RouteValue(context, "area");
        IEnumerable<string> formats = string.IsNullOrEmpty(area) ? _options.ViewLocationFormats : _options.AreaViewLocationFormats;
        string? expanded = null;
        if (_expanders.Length > 0)
        {
            // as Razor does: every expander adds its values (part of the lookup key), then each expands the locations
            var expanderContext = new ViewLocationExpanderContext(context, viewName, controller, area, pageName: null, isMainPage)
            {
                Values = new Dictionary<string, string?>(StringComparer.Ordinal),
            };
            foreach (var expander in _expanders) expander.PopulateValues(expanderContext);
            foreach (var expander in _expanders) formats = expander.ExpandViewLocations(expanderContext, formats);
            formats = formats.Select(KidaFormat).OfType<string>().ToList();
            expanded = string.Join("\u0001", expanderContext.Values.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));
        }
        var locations = new List<string>();
        foreach (var format in formats)
        {
            var location = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, viewName, controller, area);
            // a view name, controller or area that would leave the root makes every location unusable
            if (!IsSafe(location))
            {
                if (expanded is null) return ViewEngineResult.NotFound(viewName, []);
                continue;
            }
            if (!locations.Contains(location, StringComparer.Ordinal)) locations.Add(location);
        }
        var result = Lookup(new LookupKey(viewName, controller, area, isMainPage, expanded), locations.ToArray());
        return result.Found is { } path
            ? ViewEngineResult.Found(viewName, new KidaView(_environment, path, isMainPage, _files, _root, _conventions))
            : ViewEngineResult.NotFound(viewName, result.Searched.Select(Display));
    }

    /// <inheritdoc />
    public ViewEngineResult GetView(string? executingFilePath, string viewPath, bool isMainPage)
    {
        ArgumentException.ThrowIfNullOrEmpty(viewPath);
        if (!IsPath(viewPath) || viewPath[0] is '~' or '/' or '\\') return ViewEngineResult.NotFound(viewPath, []);
        var path = viewPath;
        if (!string.IsNullOrEmpty(executingFilePath))
        {
            // relative to the folder of the view asking: a Kida view's path is root-relative already; an app-relative
            // path of another engine (/Views/Home/About.cshtml) loses its leading root folder
            var dir = executingFilePath.Replace('\\', '/').TrimStart('~').TrimStart('/');
            if (_root.Length > 0 && dir.StartsWith(_root + "/", StringComparison.OrdinalIgnoreCase)) dir = dir[(_root.Length + 1)..];
            var slash = dir.LastIndexOf('/');
            path = (slash < 0 ? "" : dir[..(slash + 1)]) + viewPath;
        }
        if (!IsSafe(path)) return ViewEngineResult.NotFound(viewPath, []);
        var result = Lookup(new LookupKey(path, null, null, isMainPage, null), [path]);
        return result.Found is { } found
            ? ViewEngineResult.Found(viewPath, new KidaView(_environment, found, isMainPage, _files, _root, _conventions))
            : ViewEngineResult.NotFound(viewPath, result.Searched.Select(Display));
    }

    /// <summary>Whether a view name is a path (it ends in a template extension) rather than a name to search for.</summary>
    private bool IsPath(string name) =>
        name.EndsWith(_options.FileExtension, StringComparison.OrdinalIgnoreCase)
        || _extensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    private bool IsSafe(string name)
    {
        try
        {
            _probe.Check(name);
            return true;
        }
        catch (TemplateNotFoundException)
        {
            return false;
        }
    }

    /// <summary>A searched location as the developer sees it in "view not found" messages: <c>Views/Home/Missing.html</c>.</summary>
    private string Display(string location) => KidaTemplateRoot.Combine(_root, location);

    private LookupResult Lookup(LookupKey key, string[] searched)
    {
        if (_cache.TryGetValue(key, out var cached) && !cached.Result.Expired)
        {
            cached.LastUse = Interlocked.Increment(ref _clock);
            return cached.Result;
        }
        // watched only with auto-reload: a file provider keeps every watched path until it changes, so watching the
        // misses of names taken from requests would grow it without bound; without auto-reload views do not change
        var watch = _environment.Options.AutoReload;
        var tokens = new List<IChangeToken>(watch ? searched.Length : 0);
        string? found = null;
        foreach (var location in searched)
        {
            if (watch) tokens.Add(_files.Watch(KidaTemplateRoot.Combine(_root, location)));
            if (_probe.Exists(location)) { found = location; break; }
        }
        var result = new LookupResult(found, searched, tokens.ToArray());
        _cache[key] = new LookupEntry(result) { LastUse = Interlocked.Increment(ref _clock) };
        if (_cache.Count > _options.ViewLookupCacheSize) Trim();
        return result;
    }

    /// <summary>
    /// Forgets the least recently used lookups down to three quarters of the cache size. Sorts a snapshot
    /// (<see cref="ConcurrentDictionary{TKey,TValue}.ToArray"/>), never the live dictionary, and removes an entry only
    /// if it was not replaced meanwhile.
    /// </summary>
    private void Trim()
    {
        lock (_trimLock)
        {
            var size = _options.ViewLookupCacheSize;
            if (_cache.Count <= size) return;
            var snapshot = _cache.ToArray();
            var keep = Math.Max(1, size * 3 / 4);
            if (snapshot.Length <= keep) return;
            Array.Sort(snapshot, static (a, b) => a.Value.LastUse.CompareTo(b.Value.LastUse));
            for (var i = 0; i < snapshot.Length - keep; i++) _cache.TryRemove(snapshot[i]);
        }
    }

    /// <summary>
    /// The route value as the action declares it (<c>Products</c> for a request to <c>/products</c>), so views are
    /// found on case-sensitive file systems; MVC's own rule, shared with Razor.
    /// </summary>
    private static string? RouteValue(ActionContext context, string key) =>
        Microsoft.AspNetCore.Mvc.Razor.RazorViewEngine.GetNormalizedRouteValue(context, key);

    private readonly record struct LookupKey(string Name, string? Controller, string? Area, bool IsMainPage, string? Expanded);

    /// <summary>
    /// A location an expander returned, as a format relative to the template root: Razor's app-relative formats
    /// (<c>/Views/{1}/Mobile/{0}.cshtml</c>, <c>~/Views/…</c>) lose the root folder and take the view extension; a location
    /// outside the root (or any other app-relative one) is dropped.
    /// </summary>
    private string? KidaFormat(string location)
    {
        if (location.StartsWith('~')) location = location[1..];
        if (location.StartsWith('/'))
        {
            var relative = location.TrimStart('/');
            if (_root.Length == 0) location = relative;
            else if (relative.StartsWith(_root + "/", StringComparison.OrdinalIgnoreCase)) location = relative[(_root.Length + 1)..];
            else return null;
        }
        if (location.EndsWith(".cshtml", StringComparison.OrdinalIgnoreCase)) location = location[..^".cshtml".Length] + _options.FileExtension;
        return location;
    }

    private sealed class LookupEntry(LookupResult result)
    {
        public LookupResult Result { get; } = result;
        public long LastUse;
    }

    private sealed record LookupResult(string? Found, string[] Searched, IChangeToken[] Tokens)
    {
        public bool Expired => Tokens.Any(t => t.HasChanged);
    }
}

/// <summary>Where templates live: <see cref="KidaViewOptions.TemplateRoot"/> and its template extensions.</summary>
internal static class KidaTemplateRoot
{
    /// <summary>The root as a provider sub-path without leading or trailing slashes (<c>Views</c>), or empty.</summary>
    public static string Normalize(string? root) =>
        string.Join('/', (root ?? "").Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != "."));

    /// <summary>The configured template extensions, each with its leading dot.</summary>
    public static string[] Extensions(KidaViewOptions options) =>
        options.TemplateExtensions.Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e.StartsWith('.') ? e : "." + e).ToArray();

    /// <summary>The provider path of a root-relative template name.</summary>
    public static string Combine(string root, string name) => root.Length == 0 ? name : root + "/" + name;
}
