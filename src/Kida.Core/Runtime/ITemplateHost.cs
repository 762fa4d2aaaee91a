namespace Kida.Runtime;

/// <summary>
/// What a render asks of the environment it runs in: its settings, the filter, test and global tables, other templates
/// (include, import, extends, embed) and the fragment cache. The public environment implements it; the runtime
/// reaches the environment only through this interface, so it depends on no compiler or environment type.
/// </summary>
internal interface ITemplateHost
{
    /// <summary>Whether undefined values raise (<see cref="KidaOptions.StrictUndefined"/>).</summary>
    bool StrictUndefined { get; }

    /// <summary>The limits of every render (the sandbox's when sandboxed).</summary>
    KidaLimits Limits { get; }

    /// <summary>The safe HTML of values that carry their own (<see cref="KidaOptions.SafeHtml"/>), or null.</summary>
    Func<object, string?>? SafeHtml { get; }

    /// <summary>The compiled sandbox policy, or null when not sandboxed.</summary>
    SandboxRules? Sandbox { get; }

    IReadOnlyDictionary<string, FilterFn> FilterTable { get; }

    IReadOnlyDictionary<string, TestFn> TestTable { get; }

    IReadOnlyDictionary<string, object?> GlobalsSnapshot { get; }

    /// <summary>The <c>{% cache %}</c> fragments of this environment.</summary>
    FragmentCache Fragments { get; }

    /// <summary>The store <c>{% cache %}</c> uses instead of <see cref="Fragments"/> (<see cref="KidaOptions.FragmentStore"/>), or null.</summary>
    IFragmentStore? FragmentStore { get; }

    /// <summary>The template of that name (loaded and compiled once, then cached).</summary>
    Template GetTemplate(string name);

    /// <summary><see cref="GetTemplate"/> for an include or extends with a constant name, remembering what it found in <paramref name="site"/>.</summary>
    Template GetTemplateForSite(string name, TemplateSite site);
}
