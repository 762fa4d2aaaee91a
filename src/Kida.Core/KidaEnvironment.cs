using System.Collections.Concurrent;
using Kida.Compilation;
using Kida.Runtime;

namespace Kida;

/// <summary>
/// The shared, thread-safe home of templates: frozen options, registries of filters, tests and globals
/// (copy-on-write), and a cache that compiles each template name once.
/// </summary>
public sealed class KidaEnvironment : ITemplateHost
{
    private readonly ConcurrentDictionary<string, CacheEntry> _cache = new(StringComparer.Ordinal);
    private Dictionary<string, FilterFn> _filters;
    private Dictionary<string, TestFn> _tests;
    private Dictionary<string, object?> _globals;
    private long _compilations;
    private int _entryCount;

    /// <summary>Creates an environment with default options.</summary>
    public KidaEnvironment() : this(new KidaOptions()) { }

    /// <summary>Creates an environment; <paramref name="options"/> are frozen from here on.</summary>
    public KidaEnvironment(KidaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options = HostSwitches.Apply(options);
        if (options.CacheSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "CacheSize must be at least 1");
        if (options.FragmentCacheSize < 0) throw new ArgumentOutOfRangeException(nameof(options), "FragmentCacheSize must not be negative");
        ArgumentNullException.ThrowIfNull(options.Limits, "options.Limits");
        if (options.Sandbox is not null)
        {
            ArgumentNullException.ThrowIfNull(options.Sandbox.Limits, "options.Sandbox.Limits");
            Sandbox = new SandboxRules(options.Sandbox);
        }
        Limits = Sandbox?.Policy.Limits ?? options.Limits;
        Limits.Validate();
        Fragments = new Runtime.FragmentCache(options.FragmentCacheSize, options.FragmentTtl);
        _filters = new Dictionary<string, FilterFn>(Filters.BuiltinFilters.All, StringComparer.Ordinal);
        _tests = new Dictionary<string, TestFn>(Predicates.BuiltinTests.All, StringComparer.Ordinal);
        _globals = new Dictionary<string, object?>(Globals.BuiltinGlobals.All, StringComparer.Ordinal);
        if (options.Filters is not null)
            foreach (var (k, v) in options.Filters) _filters[k] = Adapters.Filter(k, v);
        if (options.Tests is not null)
            foreach (var (k, v) in options.Tests) _tests[k] = Adapters.Test(k, v);
        if (options.Globals is not null)
            foreach (var (k, v) in options.Globals) _globals[k] = Adapters.Global(v, k);
    }

    /// <summary>The options this environment was built with.</summary>
    public KidaOptions Options { get; }

    /// <summary>The limits renders of this environment run under (the sandbox's when there is one).</summary>
    internal KidaLimits Limits { get; }

    /// <summary>The compiled sandbox policy (<see cref="KidaOptions.Sandbox"/>), or null when not sandboxed.</summary>
    internal SandboxRules? Sandbox { get; }

    /// <summary>How many templates this environment has compiled (cache misses plus <see cref="FromString"/>).</summary>
    public long CompilationCount => Interlocked.Read(ref _compilations);

    /// <summary>Raised after a template has been compiled (name, elapsed time).</summary>
    public event EventHandler<TemplateCompiledEventArgs>? TemplateCompiled;

    /// <summary>Raised when a cached template is evicted (LRU or a change token).</summary>
    public event EventHandler<TemplateEvictedEventArgs>? TemplateEvicted;

    internal IReadOnlyDictionary<string, FilterFn> FilterTable => Volatile.Read(ref _filters);
    internal IReadOnlyDictionary<string, TestFn> TestTable => Volatile.Read(ref _tests);
    internal IReadOnlyDictionary<string, object?> GlobalsSnapshot => Volatile.Read(ref _globals);

    // what a render asks of its environment (the runtime sees only ITemplateHost)
    bool ITemplateHost.StrictUndefined => Options.StrictUndefined;
    KidaLimits ITemplateHost.Limits => Limits;
    SandboxRules? ITemplateHost.Sandbox => Sandbox;
    Func<object, string?>? ITemplateHost.SafeHtml => Options.SafeHtml;
    IReadOnlyDictionary<string, FilterFn> ITemplateHost.FilterTable => FilterTable;
    IReadOnlyDictionary<string, TestFn> ITemplateHost.TestTable => TestTable;
    IReadOnlyDictionary<string, object?> ITemplateHost.GlobalsSnapshot => GlobalsSnapshot;
    FragmentCache ITemplateHost.Fragments => Fragments;
    IFragmentStore? ITemplateHost.FragmentStore => Options.FragmentStore;
    Template ITemplateHost.GetTemplateForSite(string name, TemplateSite site) => GetTemplateForSite(name, site);

    /// <summary>Names of the registered filters.</summary>
    public IReadOnlyCollection<string> FilterNames => FilterTable.Keys.ToArray();

    /// <summary>Names of the registered tests.</summary>
    public IReadOnlyCollection<string> TestNames => TestTable.Keys.ToArray();

    /// <summary>
    /// Registers a filter. The delegate's first parameter receives the filtered value, the others the filter's
    /// arguments (by position or name). Thread-safe; templates compiled before the call keep the filters they bound.
    /// </summary>
    public void AddFilter(string name, Delegate filter)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(filter);
        Swap(ref _filters, name, Adapters.Filter(name, filter));
        ClearCache();
    }

    /// <summary>Registers a test (<c>x is name</c>); the delegate returns bool. Thread-safe.</summary>
    public void AddTest(string name, Delegate test)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(test);
        Swap(ref _tests, name, Adapters.Test(name, test));
        ClearCache();
    }

    /// <summary>Registers a global variable or function (a delegate becomes callable). Thread-safe; seen by later renders.</summary>
    public void AddGlobal(string name, object? value)
    {
        ValidateName(name);
        Swap(ref _globals, name, Adapters.Global(value, name));
    }

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
    }

    private static void Swap<T>(ref Dictionary<string, T> field, string name, T value)
    {
        while (true)
        {
            var current = Volatile.Read(ref field);
            var next = new Dictionary<string, T>(current, StringComparer.Ordinal) { [name] = value };
            if (Interlocked.CompareExchange(ref field, next, current) == current) return;
        }
    }

    /// <summary>Compiles a template from a string (not cached).</summary>
    public Template FromString(string source, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Compile(new TemplateSource(name ?? "<string>", source), name);
    }

    /// <summary>
    /// What the template <paramref name="name"/> declares and needs (as <see cref="Template.Info"/> reports it), read
    /// from its source through the loader without compiling it: a template using filters or tests this environment does
    /// not know can still be inspected. Parents named by a constant <c>{% extends %}</c> are inspected the same way.
    /// Nothing is cached. Throws <see cref="TemplateNotFoundException"/> or <see cref="TemplateSyntaxException"/>.
    /// </summary>
    public TemplateInfo Inspect(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Introspection.Inspect(this, name);
    }

    /// <summary>Returns the compiled template <paramref name="name"/>, loading and compiling it once per name.</summary>
    public Template GetTemplate(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (TryGetCached(name) is { } cached) return cached;
        var task = GetTemplateCore(name, sync: true, default);
        return task.IsCompletedSuccessfully ? task.Result : task.GetAwaiter().GetResult();
    }

    /// <summary>Asynchronous <see cref="GetTemplate"/>: loader I/O does not block a thread.</summary>
    public Task<Template> GetTemplateAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (TryGetCached(name) is { } cached) return Task.FromResult(cached);
        return GetTemplateCore(name, sync: false, cancellationToken);
    }

    /// <summary>Returns the first of <paramref name="names"/> that exists.</summary>
    public Template SelectTemplate(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var tried = new List<string>();
        foreach (var name in names)
        {
            tried.Add(name);
            try { return GetTemplate(name); }
            catch (TemplateNotFoundException) { }
        }
        throw new TemplateNotFoundException(string.Join(", ", tried), tried, $"None of the templates exist: {string.Join(", ", tried)}");
    }

    /// <summary>Empties the environment's own <c>{% cache %}</c> fragment cache (not a <see cref="KidaOptions.FragmentStore"/>).</summary>
    public void ClearFragmentCache() => Fragments.Clear();

    /// <summary>How many <c>{% cache %}</c> fragments the environment's own cache holds now (0 beside a <see cref="KidaOptions.FragmentStore"/>).</summary>
    public int FragmentCount => Fragments.Count;

    internal Runtime.FragmentCache Fragments { get; }

    /// <summary>
    /// Forgets every <c>{% cache %}</c> fragment stored with one of <paramref name="tags"/> (its <c>depends=</c> values),
    /// in this environment's memory or, when <see cref="KidaOptions.FragmentStore"/> is set, in that store (with the
    /// HybridCache store of Kida.AspNetCore, on every server sharing its distributed cache).
    /// </summary>
    public ValueTask InvalidateFragmentsAsync(IEnumerable<string> tags, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var set = new HashSet<string>(tags.Where(t => !string.IsNullOrWhiteSpace(t)), StringComparer.Ordinal);
        if (set.Count == 0) return ValueTask.CompletedTask;
        Fragments.Invalidate(set);
        return Options.FragmentStore is { } store ? store.InvalidateTagsAsync(set, cancellationToken) : ValueTask.CompletedTask;
    }

    /// <summary>
    /// Compiles every template the loader lists (<see cref="ITemplateLoader.ListTemplates"/>) into the template cache, so
    /// first requests do not pay for compilation, and reports the templates that failed to load or compile. Templates
    /// beyond <see cref="KidaOptions.CacheSize"/> are compiled (and checked) but not all stay cached.
    /// </summary>
    /// <exception cref="NotSupportedException">The loader cannot list its templates.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<WarmUpResult> WarmUpAsync(CancellationToken cancellationToken = default)
    {
        var loader = Options.Loader ?? throw new TemplateRuntimeException("No loader configured for this environment", ErrorCodes.NoLoader);
        var names = loader.ListTemplates()
            ?? throw new NotSupportedException($"{loader.GetType().Name} cannot list its templates, so they cannot be warmed up");
        var compiled = new List<string>();
        var failures = new Dictionary<string, Exception>(StringComparer.Ordinal);
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await GetTemplateAsync(name, cancellationToken).ConfigureAwait(false);
                compiled.Add(name);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                failures[name] = ex;
            }
        }
        return new WarmUpResult(compiled, failures);
    }

    /// <summary>Drops every cached template; the next request compiles again.</summary>
    public void ClearCache()
    {
        foreach (var key in _cache.Keys) Evict(key, "cleared");
    }

    /// <summary>
    /// The lock-free path for a template already compiled: one dictionary read, no shared counter written (the
    /// last-use stamp is a coarse clock, written only when it moved), so includes and extends on many threads do not
    /// contend.
    /// </summary>
    private Template? TryGetCached(string name)
    {
        if (!_cache.TryGetValue(name, out var entry) || !entry.Task.IsValueCreated) return null;
        var task = entry.Task.Value;
        if (!task.IsCompletedSuccessfully) return null;
        entry.Touch();
        return task.Result;
    }

    // the templates being loaded in this flow of execution (a loader, sync or async, runs inside it)
    private static readonly AsyncLocal<LoadingFrame?> s_loading = new();

    private sealed record LoadingFrame(KidaEnvironment Environment, string Name, LoadingFrame? Outer);

    private async Task<Template> GetTemplateCore(string name, bool sync, CancellationToken cancellationToken)
    {
        var loader = Options.Loader ?? throw new TemplateRuntimeException("No loader configured for this environment", ErrorCodes.NoLoader);
        for (var frame = s_loading.Value; frame is not null; frame = frame.Outer)
            if (ReferenceEquals(frame.Environment, this) && frame.Name == name)
                throw new TemplateRuntimeException(
                    $"Template '{name}' was requested while it was being loaded: the loader asks the environment for the template it is loading",
                    ErrorCodes.Cycle);
        while (true)
        {
            var entry = _cache.GetOrAdd(name, static (n, state) => new CacheEntry(state.Item1, n, state.Item2, state.Item3), (this, loader, sync));
            entry.Touch();
            try
            {
                var template = await entry.Task.Value.ConfigureAwait(false);
                if (entry.Counted == 0 && Interlocked.Exchange(ref entry.Counted, 1) == 0
                    && Interlocked.Increment(ref _entryCount) > Options.CacheSize)
                    TrimCache();
                return template;
            }
            catch
            {
                if (_cache.TryRemove(new KeyValuePair<string, CacheEntry>(name, entry))) Volatile.Write(ref entry.Removed, 1);
                throw;
            }
        }
    }

    private void TrimCache()
    {
        // a snapshot: sorting the live dictionary raced with renders adding and evicting (LINQ sized its buffer from
        // Count, then copied fewer entries and read a default pair)
        var snapshot = _cache.ToArray();
        Volatile.Write(ref _entryCount, snapshot.Length);
        var excess = snapshot.Length - Options.CacheSize;
        if (excess <= 0) return;
        foreach (var name in Eviction.LeastRecentlyUsed(snapshot, static e => e.LastUse, excess))
            Evict(name, "capacity");
    }

    private void Evict(string name, string reason)
    {
        if (_cache.TryRemove(name, out var removed))
        {
            Volatile.Write(ref removed.Removed, 1);
            if (Interlocked.Exchange(ref removed.Counted, 0) == 1) Interlocked.Decrement(ref _entryCount);
            TemplateEvicted?.Invoke(this, new TemplateEvictedEventArgs(name, reason));
        }
    }

    private Template Compile(TemplateSource source, string? name)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var compiled = TemplateCompiler.Compile(this, source.Text, name ?? source.Name, out var summary);
        Interlocked.Increment(ref _compilations);
        var template = new Template(this, compiled, source.Path, summary);
        TemplateCompiled?.Invoke(this, new TemplateCompiledEventArgs(name ?? source.Name, System.Diagnostics.Stopwatch.GetElapsedTime(started)));
        return template;
    }

    /// <summary>
    /// <c>{% include "x.html" %}</c> and <c>{% extends "x.html" %}</c> with a constant name: the template found by the
    /// last render, reused while its cache entry stays in the cache (no dictionary lookup per render). A miss goes
    /// through <see cref="GetTemplate"/> and records what it found; a hit writes nothing shared but the coarse last-use stamp.
    /// </summary>
    internal Template GetTemplateForSite(string name, TemplateSite site)
    {
        var seen = Volatile.Read(ref site.Entry);
        if (seen is not null && ReferenceEquals(seen.Name, name) && ReferenceEquals(seen.Environment, this) && Volatile.Read(ref seen.Cache.Removed) == 0)
        {
            seen.Cache.Touch();
            return seen.Template;
        }
        var template = GetTemplate(name);
        if (_cache.TryGetValue(name, out var entry) && entry.Task.IsValueCreated && entry.Task.Value.IsCompletedSuccessfully
            && ReferenceEquals(entry.Task.Value.Result, template))
            Volatile.Write(ref site.Entry, new TemplateSite.Seen(name, this, entry, template));
        return template;
    }

    internal sealed class CacheEntry
    {
        public CacheEntry(KidaEnvironment env, string name, ITemplateLoader loader, bool sync)
        {
            Task = new Lazy<Task<Template>>(() => sync ? LoadSync(env, name, loader) : LoadAsync(env, name, loader), LazyThreadSafetyMode.ExecutionAndPublication);
            Name = name;
            Env = env;
        }

        public string Name { get; }
        public KidaEnvironment Env { get; }
        public Lazy<Task<Template>> Task { get; }
        public long LastUse;

        /// <summary>1 once the entry left the cache (evicted, cleared, changed on disk): a <see cref="TemplateSite"/> holding it misses.</summary>
        public int Removed;

        /// <summary>1 once the entry counts toward the cache size.</summary>
        public int Counted;

        public void Touch()
        {
            var now = System.Environment.TickCount64;
            if (LastUse != now) LastUse = now;
        }

        private Task<Template> LoadSync(KidaEnvironment env, string name, ITemplateLoader loader)
        {
            var outer = s_loading.Value;
            s_loading.Value = new LoadingFrame(env, name, outer);
            try
            {
                var source = loader.GetSource(name);
                return System.Threading.Tasks.Task.FromResult(Finish(env, source));
            }
            catch (Exception ex)
            {
                return System.Threading.Tasks.Task.FromException<Template>(ex);
            }
            finally
            {
                s_loading.Value = outer;
            }
        }

        private async Task<Template> LoadAsync(KidaEnvironment env, string name, ITemplateLoader loader)
        {
            // set inside this async method: the change flows into the loader and ends with the method
            s_loading.Value = new LoadingFrame(env, name, s_loading.Value);
            var source = await loader.GetSourceAsync(name).ConfigureAwait(false);
            return Finish(env, source);
        }

        private Template Finish(KidaEnvironment env, TemplateSource source)
        {
            var template = env.Compile(source, Name);
            if (env.Options.AutoReload && source.ChangeToken is { } token)
            {
                token.RegisterChangeCallback(static state =>
                {
                    var entry = (CacheEntry)state!;
                    if (entry.Env._cache.TryRemove(new KeyValuePair<string, CacheEntry>(entry.Name, entry)))
                    {
                        Volatile.Write(ref entry.Removed, 1);
                        if (Interlocked.Exchange(ref entry.Counted, 0) == 1) Interlocked.Decrement(ref entry.Env._entryCount);
                        entry.Env.TemplateEvicted?.Invoke(entry.Env, new TemplateEvictedEventArgs(entry.Name, "changed"));
                    }
                }, this);
            }
            return template;
        }
    }
}

/// <summary>What <see cref="KidaEnvironment.WarmUpAsync"/> did: the templates it compiled and those that failed.</summary>
public sealed class WarmUpResult
{
    internal WarmUpResult(IReadOnlyList<string> compiled, IReadOnlyDictionary<string, Exception> failures)
    {
        Compiled = compiled;
        Failures = failures;
    }

    /// <summary>The names of the templates compiled, in the loader's order.</summary>
    public IReadOnlyList<string> Compiled { get; }

    /// <summary>
    /// The templates that could not be loaded or compiled, by name: usually a <see cref="TemplateSyntaxException"/>
    /// with the line and column.
    /// </summary>
    public IReadOnlyDictionary<string, Exception> Failures { get; }

    /// <summary>Whether every template compiled.</summary>
    public bool Succeeded => Failures.Count == 0;
}

/// <summary>Data of <see cref="KidaEnvironment.TemplateCompiled"/>.</summary>
public sealed class TemplateCompiledEventArgs(string name, TimeSpan elapsed) : EventArgs
{
    /// <summary>The template name.</summary>
    public string Name { get; } = name;

    /// <summary>How long lexing, parsing and compiling took.</summary>
    public TimeSpan Elapsed { get; } = elapsed;
}

/// <summary>Data of <see cref="KidaEnvironment.TemplateEvicted"/>.</summary>
public sealed class TemplateEvictedEventArgs(string name, string reason) : EventArgs
{
    /// <summary>The template name.</summary>
    public string Name { get; } = name;

    /// <summary>Why: "capacity", "changed" or "cleared".</summary>
    public string Reason { get; } = reason;
}

/// <summary>The template an include or extends with a constant name found last (<see cref="KidaEnvironment.GetTemplateForSite"/>).</summary>
internal sealed class TemplateSite
{
    internal Seen? Entry;

    internal sealed record Seen(string Name, KidaEnvironment Environment, KidaEnvironment.CacheEntry Cache, Template Template);
}
