using System.Collections.Concurrent;
using Kida;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ViewEngines;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Kida.AspNetCore;

/// <summary>An MVC view engine that finds Kida templates and renders them as views.</summary>
public sealed class KidaViewEngine : IViewEngine
{
    private readonly KidaEnvironment _environment;
    private readonly KidaViewOptions _options;
    private readonly IFileProvider _files;
    private readonly ConcurrentDictionary<LookupKey, LookupResult> _cache = new();

    /// <summary>Creates the engine over the application's singleton environment.</summary>
    public KidaViewEngine(KidaEnvironment environment, IOptions<KidaViewOptions> options, IWebHostEnvironment host)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(host);
        _environment = environment ?? throw new ArgumentNullException(nameof(environment));
        _options = options.Value;
        _files = _options.FileProvider ?? host.ContentRootFileProvider;
    }

    /// <inheritdoc />
    public ViewEngineResult FindView(ActionContext context, string viewName, bool isMainPage)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(viewName);
        if (IsApplicationRelativePath(viewName) || viewName.EndsWith(_options.FileExtension, StringComparison.OrdinalIgnoreCase))
            return ViewEngineResult.NotFound(viewName, []);

        var controller = RouteValue(context, "controller");
        var area = RouteValue(context, "area");
        var key = new LookupKey(viewName, controller, area, isMainPage);
        var result = Lookup(key, () =>
        {
            var formats = string.IsNullOrEmpty(area) ? _options.ViewLocationFormats : _options.AreaViewLocationFormats;
            return formats.Select(f => string.Format(System.Globalization.CultureInfo.InvariantCulture, f, viewName, controller, area))
                .Distinct(StringComparer.Ordinal).ToArray();
        });
        return result.Found is { } path
            ? ViewEngineResult.Found(viewName, new KidaView(_environment, path, isMainPage, _files))
            : ViewEngineResult.NotFound(viewName, result.Searched);
    }

    /// <inheritdoc />
    public ViewEngineResult GetView(string? executingFilePath, string viewPath, bool isMainPage)
    {
        ArgumentException.ThrowIfNullOrEmpty(viewPath);
        if (!viewPath.EndsWith(_options.FileExtension, StringComparison.OrdinalIgnoreCase))
            return ViewEngineResult.NotFound(viewPath, []);
        string path;
        if (IsApplicationRelativePath(viewPath)) path = viewPath.TrimStart('~').TrimStart('/');
        else if (!string.IsNullOrEmpty(executingFilePath))
        {
            var dir = executingFilePath.TrimStart('~').TrimStart('/');
            var slash = dir.LastIndexOf('/');
            path = (slash < 0 ? "" : dir[..(slash + 1)]) + viewPath;
        }
        else path = viewPath;
        var result = Lookup(new LookupKey(path, null, null, isMainPage), () => [path]);
        return result.Found is { } found
            ? ViewEngineResult.Found(viewPath, new KidaView(_environment, found, isMainPage, _files))
            : ViewEngineResult.NotFound(viewPath, result.Searched);
    }

    private LookupResult Lookup(LookupKey key, Func<string[]> locations)
    {
        if (_cache.TryGetValue(key, out var cached) && !cached.Expired) return cached;
        var searched = locations();
        var tokens = new List<IChangeToken>(searched.Length);
        string? found = null;
        foreach (var location in searched)
        {
            tokens.Add(_files.Watch(location));
            if (_files.GetFileInfo(location).Exists) { found = location; break; }
        }
        var result = new LookupResult(found, searched, tokens.ToArray());
        _cache[key] = result;
        return result;
    }

    private static bool IsApplicationRelativePath(string name) => name.StartsWith('~') || name.StartsWith('/');

    /// <summary>
    /// The route value as the action declares it (<c>Products</c> for a request to <c>/products</c>), so views are
    /// found on case-sensitive file systems; MVC's own rule, shared with Razor.
    /// </summary>
    private static string? RouteValue(ActionContext context, string key) =>
        Microsoft.AspNetCore.Mvc.Razor.RazorViewEngine.GetNormalizedRouteValue(context, key);

    private readonly record struct LookupKey(string Name, string? Controller, string? Area, bool IsMainPage);

    private sealed record LookupResult(string? Found, string[] Searched, IChangeToken[] Tokens)
    {
        public bool Expired => Tokens.Any(t => t.HasChanged);
    }
}
