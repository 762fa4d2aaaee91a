using Kida;
using Microsoft.Extensions.FileProviders;

namespace Kida.AspNetCore;

/// <summary>Options for Kida in ASP.NET Core: where views live and how the <see cref="KidaEnvironment"/> is built.</summary>
public sealed class KidaViewOptions
{
    /// <summary>View location formats; <c>{0}</c> is the view name, <c>{1}</c> the controller, <c>{2}</c> the area.</summary>
    public IList<string> ViewLocationFormats { get; } = new List<string> { "Views/{1}/{0}.html", "Views/Shared/{0}.html" };

    /// <summary>Location formats used when the route has an area; <c>{2}</c> is the area name.</summary>
    public IList<string> AreaViewLocationFormats { get; } = new List<string>
    {
        "Areas/{2}/Views/{1}/{0}.html", "Areas/{2}/Views/Shared/{0}.html", "Views/Shared/{0}.html",
    };

    /// <summary>The file extension of Kida views (default <c>.html</c>).</summary>
    public string FileExtension { get; set; } = ".html";

    /// <summary>The file provider templates are loaded from; null means the content root.</summary>
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
}
