namespace Kida.Runtime;

/// <summary>
/// The template-level variables of one render: names assigned at top level (set, let, import, macro), layered
/// over an optional parent context (includes, scoped blocks), the render data and the environment's globals.
/// </summary>
internal sealed class Context
{
    private static readonly VarMap NoVars = new();

    // allocated on the first top-level assignment: most renders of a page never write one
    private VarMap _vars = NoVars;
    private Context? _parent;
    private object? _data;
    private IReadOnlyDictionary<string, object?> _globals;

    internal IReadOnlyDictionary<string, object?> Globals => _globals;

    internal static readonly IReadOnlyDictionary<string, object?> NoGlobals = new Dictionary<string, object?>();

    /// <summary>Makes a root context reused by the next render of its thread look new (no variables, new data).</summary>
    internal void ResetRoot(object? data, IReadOnlyDictionary<string, object?> globals)
    {
        // the variables' dictionary stays for the next render of this thread (emptied: no reference outlives the render)
        if (_vars.Count != 0) _vars.Clear();
        _data = data;
        // (the same globals as this thread's last render, the usual case: no store)
        if (!ReferenceEquals(_globals, globals)) _globals = globals;
    }

    /// <summary>Empties a pooled root context after its render (its globals stay until the next render sets its own).</summary>
    internal void ClearRoot()
    {
        if (_vars.Count != 0) _vars.Clear();
        _data = null;
    }

    /// <summary>Makes a pooled include context look new: child of <paramref name="parent"/> (or of none).</summary>
    internal void ResetChild(Context? parent, IReadOnlyDictionary<string, object?> globals)
    {
        if (_vars.Count != 0) _vars.Clear();
        _parent = parent;
        _data = null;
        _globals = globals;
    }

    // top-level macros bound to this context, newest first; a pooled root context keeps them for the next render
    private Macro? _bound;
    private int _boundCount;
    private const int MaxBound = 16;

    /// <summary>
    /// The top-level macro <paramref name="prototype"/> bound to this context. A root context is reused by its thread's
    /// renders, so defining the same macro again returns the macro bound before instead of allocating one per render.
    /// At most <see cref="MaxBound"/> are kept (a thread rendering many different templates starts the list again).
    /// </summary>
    public Macro BindMacro(Macro prototype)
    {
        for (var m = _bound; m is not null; m = m.NextBound)
            if (ReferenceEquals(m.Prototype, prototype)) return m;
        if (_boundCount == MaxBound) { _bound = null; _boundCount = 0; }
        var bound = prototype.BindTo(this);
        bound.NextBound = _bound;
        _bound = bound;
        _boundCount++;
        return bound;
    }

    public Context(RenderState state, object? data, IReadOnlyDictionary<string, object?> globals, Context? parent = null)
    {
        State = state;
        _data = data;
        _globals = globals;
        _parent = parent;
    }

    public RenderState State { get; }

    /// <summary>Names exported for <c>import</c> (top-level set/let/macro), in assignment order.</summary>
    public IEnumerable<KeyValuePair<string, object?>> Exported => _vars.ToArray();

    /// <summary>The names exported for <c>import</c> as a new dictionary (the import's namespace).</summary>
    public Dictionary<string, object?> ExportedDictionary()
    {
        var map = new Dictionary<string, object?>(_vars.Count, StringComparer.Ordinal);
        _vars.CopyTo(map);
        return map;
    }

    public object? Resolve(string name)
    {
        if (_vars.TryGetValue(name, out var v)) return v;
        if (TryResolveOuter(name, out v)) return v;
        return Undefined.Variable(name, State.Strict, AllNames);
    }

    /// <summary>
    /// <see cref="Resolve(string)"/> with a call-site cache: when the render data is a plain .NET object of the type this site
    /// saw before, its compiled getter runs directly.
    /// </summary>
    public object? Resolve(string name, MemberSite site)
    {
        var c = this;
        while (true)
        {
            if (c._vars.Count != 0 && c._vars.TryGetValue(name, out var v)) return v;
            if (c._parent is null) break;
            c = c._parent;
        }
        var data = c._data;
        if (data is not null)
        {
            var entry = Volatile.Read(ref site.Entry);
            if (entry is not null && ReferenceEquals(entry.Type, data.GetType()))
            {
                try
                {
                    return entry.Getter(data);
                }
                catch (Exception ex) when (ex is not TemplateException and not AsyncPendingSignal)
                {
                    throw MemberAccess.MemberReadFailed(ex, entry.Type, name);
                }
            }
            if (data is Dictionary<string, object?> map)
            {
                if (map.TryGetValue(name, out var found)) return Values.Unwrap(found);
            }
            else if (entry is null && MemberAccess.IsPlainObject(data) && Members.GetGetter(data.GetType(), name) is { } getter
                && (State.Host.Sandbox is not { } sandbox || sandbox.CheckDataName(data.GetType(), name)))
            {
                Volatile.Write(ref site.Entry, new MemberSiteEntry(data.GetType(), getter, null));
                if (Members.TryGet(data, name, out var first)) return first;
            }
            else if (DataLookup(State.Host.Sandbox, data, name, out var dv)) return dv;
        }
        // a global that is a task (AddGlobal("x", task)) is an await point, as a task in the render data is
        if (c._globals.TryGetValue(name, out var g)) return g is Task task ? AsyncValues.ResolveFound(task) : g;
        return Undefined.Variable(name, State.Strict, AllNames);
    }

    /// <summary>
    /// The render data when no template variable named <paramref name="name"/> shadows it (the tier-up typed path of
    /// <see cref="Resolve(string, MemberSite)"/> reads the member from it directly); otherwise null.
    /// </summary>
    public object? DataFor(string name)
    {
        var c = this;
        while (true)
        {
            if (c._vars.Count != 0 && c._vars.ContainsKey(name)) return null;
            if (c._parent is null) return c._data;
            c = c._parent;
        }
    }

    /// <summary>A variable assigned in the template (this context or a parent's), not the render data or globals.</summary>
    public bool TryGetAssigned(string name, out object? value)
    {
        for (var c = this; c is not null; c = c._parent)
            if (c._vars.TryGetValue(name, out value)) return true;
        value = null;
        return false;
    }

    public bool TryResolve(string name, out object? value)
    {
        if (_vars.TryGetValue(name, out value)) return true;
        return TryResolveOuter(name, out value);
    }

    private bool TryResolveOuter(string name, out object? value)
    {
        if (_parent is not null) return _parent.TryResolve(name, out value);
        if (_data is not null && DataLookup(State.Host.Sandbox, _data, name, out value)) return true;
        if (!_globals.TryGetValue(name, out value)) return false;
        if (value is Task task) value = AsyncValues.ResolveFound(task);
        return true;
    }

    private static bool DataLookup(SandboxRules? sandbox, object data, string name, out object? value)
    {
        if (data is IReadOnlyDictionary<string, object?> d)
        {
            var ok = d.TryGetValue(name, out value);
            if (ok) value = Values.Unwrap(value);
            return ok;
        }
        if (Values.IsMapping(data)) return Mappings.MapTryGet(data, name, out value);
        if (data is IKidaObject ko) return ko.TryGetMember(name, out value);
        // the render data object's own properties are names, also in the sandbox (only its blocked names are refused)
        sandbox?.CheckDataName(data.GetType(), name);
        return Members.TryGet(data, name, out value);
    }

    public void Set(string name, object? value)
    {
        if (ReferenceEquals(_vars, NoVars)) _vars = new VarMap();
        _vars.Set(name, value);
    }

    public void Remove(string name)
    {
        if (!ReferenceEquals(_vars, NoVars)) _vars.Remove(name);
    }

    public bool HasOwn(string name) => _vars.ContainsKey(name);

    private IEnumerable<string> AllNames()
    {
        foreach (var k in _vars.Keys) yield return k;
        if (_data is IReadOnlyDictionary<string, object?> d)
            foreach (var k in d.Keys) yield return k;
        else if (_data is not null && Values.IsMapping(_data))
            foreach (var k in Mappings.MapKeys(_data)) yield return PyString.Str(k);
        else if (_data is not null)
        {
            var members = MemberPolicy.For(_data.GetType());
            foreach (var p in members.Properties) yield return p.Name;
            foreach (var f in members.Fields) yield return f.Name;
        }
        if (_parent is not null)
            foreach (var k in _parent.AllNames()) yield return k;
        foreach (var k in _globals.Keys) yield return k;
    }

    /// <summary>A snapshot of everything visible, for <c>include</c> and scoped blocks.</summary>
    public Context Derive(Dictionary<string, object?>? locals)
    {
        var child = new Context(State, null, _globals, this);
        if (locals is not null)
            foreach (var (k, v) in locals)
                child.Set(k, v);
        return child;
    }
}
