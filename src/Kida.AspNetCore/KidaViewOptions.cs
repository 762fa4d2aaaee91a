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
    /// View location expanders (as Razor's <c>RazorViewEngineOptions.ViewLocationExpanders</c>, which the Kida view
    /// engine honours too, after these): each adds values to the lookup (a theme, a culture) and expands the location
    /// formats above. Razor-style app-relative formats (<c>/Views/{1}/{0}.cshtml</c>) are read relative to
    /// <see cref="TemplateRoot"/> with <see cref="FileExtension"/>; locations outside the root are dropped.
    /// </summary>
    public IList<Microsoft.AspNetCore.Mvc.Razor.IViewLocationExpander> ViewLocationExpanders { get; } =
        new List<Microsoft.AspNetCore.Mvc.Razor.IViewLocationExpander>();

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
    /// Actions run on the environment once created, after <see cref="EnvironmentSetup"/>, with the application's
    /// root <see cref="IServiceProvider"/> (to register globals and filters backed by singleton services). Templates
    /// never see the provider: hand them values or wrappers, never a service itself.
    /// </summary>
    public IList<Action<KidaEnvironment, IServiceProvider>> EnvironmentSetupWithServices { get; } =
        new List<Action<KidaEnvironment, IServiceProvider>>();

    /// <summary>
    /// Templates whose top-level macros and defs every MVC view (main views, partials, view components' views, layouts)
    /// sees without importing them, as Razor's <c>_ViewImports</c> gives views their usings: by default
    /// <c>_imports.html</c> under <see cref="TemplateRoot"/> (<c>Views/_imports.html</c>), skipped when it does not exist.
    /// A view's own definitions and imports of the same name win.
    /// </summary>
    public IList<string> AutoImports { get; } = new List<string> { "_imports.html" };

    /// <summary>
    /// The resource of messages shared by every template (the type named after it, as for
    /// <c>IStringLocalizer&lt;SharedResource&gt;</c>): <c>_()</c>, <c>_n()</c> and <c>{% trans %}</c> look a message up in
    /// the view's own resource first (<c>Resources/Views/Home/Index.fr.resx</c> for <c>Views/Home/Index.html</c>, as
    /// Razor's <c>IViewLocalizer</c>), then in this one. Null (the default): the view's own resource only. Needs
    /// <c>AddLocalization()</c>; the culture is the request's, as <c>UseRequestLocalization()</c> sets it.
    /// </summary>
    public Type? SharedResource { get; set; }

    /// <summary>
    /// The layout of main views that extend nothing (as Razor's <c>_ViewStart</c> sets <c>Layout</c>), a template name
    /// relative to <see cref="TemplateRoot"/> (<c>Shared/Layout.html</c>); null (the default) for none. The layout is
    /// rendered with the view's variables and the view's output as <c>body</c> (<c>{{ body }}</c>, safe HTML). A view
    /// that extends a template, or that opts out with <c>{% extends none %}</c>, is rendered as it is; partial views and
    /// view components' views never get the layout.
    /// </summary>
    public string? DefaultLayout { get; set; }

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
