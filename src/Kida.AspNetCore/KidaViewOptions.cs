using Kida;
using Microsoft.Extensions.FileProviders;

namespace Kida.AspNetCore;

/// <summary>Options for Kida in ASP.NET Core: where views live and how the <see cref="KidaEnvironment"/> is built.</summary>
public sealed class KidaViewOptions
{
    /// <summary>
    /// The folder every template lives in, relative to the file provider (the content root by default): <c>Views</c>.
    /// Template names are relative to it (<c>Home/Index.html</c>, <c>Shared/Layout.html</c>), in views, in
    /// <see cref="KidaResult"/>, and in <c>include</c>/<c>extends</c>/<c>import</c>; no name can leave it (<c>..</c>,
    /// rooted and <c>~/</c> names, backslashes, <c>%</c>, <c>:</c>, control characters, symbolic links whose target is
    /// outside it are not found). An empty string uses the whole file provider.
    /// </summary>
    public string TemplateRoot { get; set; } = "Views";

    /// <summary>
    /// The file extensions that are templates (default <c>.html</c>, <c>.kida</c>, <c>.jinja</c>, <c>.j2</c>, compared
    /// case-insensitively); any other file under <see cref="TemplateRoot"/> is never read as a template.
    /// </summary>
    public IList<string> TemplateExtensions { get; } = new List<string> { ".html", ".kida", ".jinja", ".j2" };

    /// <summary>
    /// View location formats, relative to <see cref="TemplateRoot"/>; <c>{0}</c> is the view name, <c>{1}</c> the
    /// controller, <c>{2}</c> the area.
    /// </summary>
    public IList<string> ViewLocationFormats { get; } = new List<string> { "{1}/{0}.html", "Shared/{0}.html" };

    /// <summary>
    /// Location formats used when the route has an area, relative to <see cref="TemplateRoot"/>; <c>{2}</c> is the
    /// area name (<c>Views/Areas/Admin/Orders/List.html</c>).
    /// </summary>
    public IList<string> AreaViewLocationFormats { get; } = new List<string>
    {
        "Areas/{2}/{1}/{0}.html", "Areas/{2}/Shared/{0}.html", "Shared/{0}.html",
    };

    /// <summary>
    /// The extension of views found by name (default <c>.html</c>): a view name ending in it, or in any of
    /// <see cref="TemplateExtensions"/>, is a path (<c>View("Home/Hello.html")</c>), not a name to search for.
    /// </summary>
    public string FileExtension { get; set; } = ".html";

    /// <summary>
    /// How many view lookups (view name, controller, area) the view engine remembers (1024 by default); the least
    /// recently used are forgotten beyond it, so names taken from requests cannot grow the cache without bound.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int ViewLookupCacheSize
    {
        get => _viewLookupCacheSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _viewLookupCacheSize = value;
        }
    }

    private int _viewLookupCacheSize = 1024;

    /// <summary>
    /// The file provider templates are loaded from, <see cref="TemplateRoot"/> being a folder of it; null means the
    /// content root.
    /// </summary>
    public IFileProvider? FileProvider { get; set; }

    /// <summary>Whether edited templates are recompiled; null means true in Development only.</summary>
    public bool? AutoReload { get; set; }

    /// <summary>Adjusts the <see cref="KidaOptions"/> before the environment is created.</summary>
    public Func<KidaOptions, KidaOptions>? ConfigureEnvironment { get; set; }

    /// <summary>Actions run on the environment once created (register filters and globals here).</summary>
    public IList<Action<KidaEnvironment>> EnvironmentSetup { get; } = new List<Action<KidaEnvironment>>();

    /// <summary>
    /// A view or <see cref="KidaResult"/> that takes longer than this to render (500 ms by default) is logged as a
    /// warning with the template's name and the elapsed milliseconds. <see cref="TimeSpan.Zero"/> logs every render;
    /// <see cref="Timeout.InfiniteTimeSpan"/> never logs.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative (other than <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    public TimeSpan SlowRenderThreshold
    {
        get => _slowRenderThreshold;
        set
        {
            if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
                throw new ArgumentOutOfRangeException(nameof(value), value, "The slow render threshold cannot be negative.");
            _slowRenderThreshold = value;
        }
    }

    private TimeSpan _slowRenderThreshold = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How <c>{% cache %}</c> uses a registered <c>HybridCache</c> (fragments shared between servers); see
    /// <see cref="KidaFragmentCacheOptions"/>.
    /// </summary>
    public KidaFragmentCacheOptions FragmentCache { get; } = new();

    /// <summary>
    /// Whether every template under <see cref="TemplateRoot"/> is compiled at start-up (<see cref="KidaEnvironment.WarmUpAsync"/>),
    /// and whether a broken one fails start-up. Default <see cref="KidaWarmUp.None"/>.
    /// </summary>
    public KidaWarmUp WarmUp { get; set; }
}
