namespace Kida;

/// <summary>
/// Settings of a <see cref="KidaEnvironment"/>. Init-only: the environment copies what it needs when it is built,
/// so its configuration cannot change under running renders.
/// </summary>
public sealed record KidaOptions
{
    /// <summary>Where templates come from. Without a loader only <see cref="KidaEnvironment.FromString"/> works.</summary>
    public ITemplateLoader? Loader { get; init; }

    /// <summary>HTML-escape every <c>{{ }}</c> output (default true).</summary>
    public bool Autoescape { get; init; } = true;

    /// <summary>Decides autoescaping per template name; overrides <see cref="Autoescape"/> when set.</summary>
    public Func<string?, bool>? AutoescapeSelector { get; init; }

    /// <summary>Remove the first newline after a block tag (Jinja's <c>trim_blocks</c>).</summary>
    public bool TrimBlocks { get; init; }

    /// <summary>Strip whitespace from the start of a line up to a block tag (Jinja's <c>lstrip_blocks</c>).</summary>
    public bool LstripBlocks { get; init; }

    /// <summary>
    /// Raise <see cref="UndefinedException"/> when an undefined value is used (default true). When false, undefined
    /// values render as empty text, are falsy and iterate as empty, as in Jinja2's default mode.
    /// </summary>
    public bool StrictUndefined { get; init; } = true;

    /// <summary>Evict cached templates when the loader reports that their source changed.</summary>
    public bool AutoReload { get; init; }

    /// <summary>How many compiled templates the cache keeps (least recently used are evicted). Default 400.</summary>
    public int CacheSize { get; init; } = 400;

    /// <summary>
    /// Run compiled templates through the expression interpreter instead of generating IL. Defaults to true where
    /// dynamic code cannot run (NativeAOT). The host decides otherwise; a test or CI process can also ask for it with
    /// the environment variable <c>KIDA_PREFER_INTERPRETATION=1</c>, which <see cref="KidaEnvironment"/> applies when it
    /// is built (the options object itself reads nothing from the process).
    /// </summary>
    public bool PreferInterpretation { get; init; } = !System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeCompiled;

    /// <summary>
    /// The safe HTML of values that carry their own, such as ASP.NET Core's <c>IHtmlContent</c> (<c>AddKida</c> sets this):
    /// returns the HTML for a value it recognises and null for any other. Such values are written without escaping and
    /// pass the <c>escaped</c> test, as <see cref="Markup"/> does. Null (the default) recognises only <see cref="Markup"/>.
    /// </summary>
    public Func<object, string?>? SafeHtml { get; init; }

    /// <summary>
    /// Tiered compilation (default on; ignored with <see cref="PreferInterpretation"/>): a new template runs through the
    /// expression interpreter at once, so loading it costs well under a millisecond, and after it has been rendered
    /// <see cref="TierUpAfterRenders"/> times it is compiled to IL on a thread-pool thread and swapped in. Output is the
    /// same in both tiers. Set false to compile to IL while loading (slower first request, no background work).
    /// </summary>
    public bool TieredCompilation { get; init; } = true;

    /// <summary>
    /// How many renders of a template trigger its background compilation to IL (default 8; at least 1). A template's
    /// second render that runs 1,000 loop iterations or more triggers it sooner; <see cref="int.MaxValue"/> turns both off.
    /// </summary>
    public int TierUpAfterRenders { get; init; } = 8;

    /// <summary>
    /// The resource limits of every render (output size, string, collection and integer sizes, loop iterations,
    /// recursion and include depth, time). Default <see cref="KidaLimits.Default"/>. See <see cref="KidaLimits"/>.
    /// </summary>
    public KidaLimits Limits { get; init; } = KidaLimits.Default;

    /// <summary>
    /// Sandbox templates from untrusted authors (null, the default, means not sandboxed): member access only to
    /// allowed types and members, calls only to registered functions and template macros, no mutation of the model's
    /// collections, and the policy's tighter <see cref="SandboxPolicy.Limits"/> instead of <see cref="Limits"/>.
    /// See <see cref="SandboxPolicy"/>.
    /// </summary>
    public SandboxPolicy? Sandbox { get; init; }

    /// <summary>The largest number of elements <c>range()</c> may produce; reads and sets <see cref="KidaLimits.MaxRangeLength"/> of <see cref="Limits"/> (default 100,000).</summary>
    public int MaxRangeLength
    {
        get => Limits.MaxRangeLength;
        init => Limits = Limits with { MaxRangeLength = value };
    }

    /// <summary>The deepest include/import/extends nesting allowed; reads and sets <see cref="KidaLimits.MaxIncludeDepth"/> of <see cref="Limits"/> (default 50).</summary>
    public int MaxIncludeDepth
    {
        get => Limits.MaxIncludeDepth;
        init => Limits = Limits with { MaxIncludeDepth = value };
    }

    /// <summary>
    /// The most loop iterations (every <c>for</c> and <c>while</c> loop together) one render may run; reads and sets
    /// <see cref="KidaLimits.MaxLoopIterations"/> of <see cref="Limits"/> (default 5,000,000).
    /// </summary>
    public int MaxLoopIterations
    {
        get => (int)Math.Min(Limits.MaxLoopIterations, int.MaxValue);
        init => Limits = Limits with { MaxLoopIterations = value };
    }

    /// <summary>
    /// How many characters of output a streaming render hands over at a time (default 16 KB): <c>RenderAsync</c> into a
    /// <see cref="System.IO.Pipelines.PipeWriter"/>, <see cref="System.IO.Stream"/> or <see cref="TextWriter"/> streams a template
    /// once a render of it produced at least this much (or ran <c>{% flush %}</c>), writing each chunk while the rest
    /// renders; <c>RenderStream</c> always streams. 0 turns streaming off for <c>RenderAsync</c>.
    /// </summary>
    public int StreamingThreshold { get; init; } = 16 * 1024;

    /// <summary>How many <c>{% cache %}</c> fragments the environment keeps (least recently used are evicted). Default 1,000.</summary>
    public int FragmentCacheSize { get; init; } = 1000;

    /// <summary>How long a <c>{% cache %}</c> fragment lives when its tag gives no valid <c>ttl</c>. Default 5 minutes.</summary>
    public TimeSpan FragmentTtl { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Where <c>{% cache %}</c> keeps fragments instead of the environment's memory (for example one shared by several
    /// servers; Kida.AspNetCore sets one over <c>HybridCache</c> when the application registers it). Null (the default)
    /// keeps them in this environment, at most <see cref="FragmentCacheSize"/> of them.
    /// </summary>
    public IFragmentStore? FragmentStore { get; init; }

    /// <summary>
    /// Check every call to a <c>def</c> or <c>macro</c> against its signature while rendering: an unknown keyword, a
    /// missing required argument or too many positional arguments fail with <c>K-CMP-001</c>, naming the definition's
    /// template, line and column. Off by default; <c>AddKida</c> turns it on in Development.
    /// </summary>
    public bool ValidateCalls { get; init; }

    /// <summary>
    /// Check the values passed to annotated def parameters (<c>count: int</c>, <c>str | None</c>, <c>list[...]</c>,
    /// <c>dict[...]</c>) while rendering; a value that does not fit fails with <c>K-CMP-002</c>. Names Kida does not
    /// know (model classes, <c>Any</c>) accept every value. Off by default.
    /// </summary>
    public bool CheckTypes { get; init; }

    /// <summary>Initial global variables and functions.</summary>
    public IReadOnlyDictionary<string, object?>? Globals { get; init; }

    /// <summary>Initial custom filters (delegates whose first parameter receives the value).</summary>
    public IReadOnlyDictionary<string, Delegate>? Filters { get; init; }

    /// <summary>Initial custom tests (delegates whose first parameter receives the value, returning bool).</summary>
    public IReadOnlyDictionary<string, Delegate>? Tests { get; init; }
}
