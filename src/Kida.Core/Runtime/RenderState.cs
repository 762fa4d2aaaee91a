using Kida.Text;

namespace Kida.Runtime;

/// <summary>The state one render owns: nothing in it is shared with another render.</summary>
internal sealed partial class RenderState
{
    public RenderState(ITemplateHost host, CancellationToken cancellationToken = default)
    {
        Host = host;
        Strict = host.StrictUndefined;
        CancellationToken = cancellationToken;
        StartLimits(host.Limits);
    }

    /// <summary>The environment this render runs in.</summary>
    public ITemplateHost Host { get; private set; }
    public bool Strict { get; private set; }
    public CancellationToken CancellationToken { get; private set; }

    private RenderThread? _thread;
    // the render this one interrupted on the same thread (a render that renders another), made current again at Return
    private RenderState? _previous;
    private Context? _root;

    /// <summary>The render running on this thread, or null outside a render.</summary>
    public static RenderState? Running => RenderThread.Peek is { Depth: > 0 } thread ? thread.Current : null;

    /// <summary>
    /// The state for a new render on <paramref name="thread"/> (this thread's <see cref="RenderThread"/>), which
    /// becomes the thread's running render; give it back with <see cref="Return"/> (on the same thread) when the render
    /// ends.
    /// </summary>
    public static unsafe RenderState Rent(RenderThread thread, ITemplateHost host, CancellationToken cancellationToken)
    {
        RenderState rs;
        if (thread.Depth == 0 && thread.Current is { } kept)
        {
            // the thread's kept state: it stays the thread's current one, so taking it stores no reference
            rs = kept;
            rs.CancellationToken = cancellationToken;
            // the same environment as this thread's last render (the usual case): its settings are already in place
            if (ReferenceEquals(rs.Host, host)) rs.RestartLimits();
            else
            {
                rs.Host = host;
                rs.Strict = host.StrictUndefined;
                rs.StartLimits(host.Limits);
            }
        }
        else
        {
            rs = new RenderState(host, cancellationToken) { _thread = thread };
            if (thread.Depth > 0) rs._previous = thread.Current;
            thread.Current = rs;
        }
        thread.Depth++;
        byte marker = 0;
        rs.StackBase = (nint)(&marker);
        return rs;
    }

    /// <summary>The root context of this render (the template-level variables over the render data and globals).</summary>
    public Context RootContext(object? data, IReadOnlyDictionary<string, object?> globals)
    {
        if (_root is null) return _root = new Context(this, data, globals);
        _root.ResetRoot(data, globals);
        return _root;
    }

    /// <summary>
    /// Clears everything a render left behind (also after a failed render), makes the render that ran before it this
    /// thread's running one again, and keeps the state for this thread.
    /// </summary>
    public static void Return(RenderState rs)
    {
        rs.Pos = 0;
        rs.Current = null;
        // the layers of the finished render serve the next one on this thread (emptied: they keep no template alive)
        for (var l = rs.Blocks; l is not null; l = l.Next) { l.Owner = null; l.Functions = NoBlocks; }
        if (rs.BlocksTail is not null) { rs.BlocksTail.Next = rs._spareLayers; rs._spareLayers = rs.Blocks; }
        rs.Blocks = rs.BlocksTail = null;
        rs.EvalAutoescape = true;
        rs.Depth = 0;
        rs._noted?.Clear();
        rs._notedFor = null;
        rs.Provided = null;
        rs.Stacks = null;
        // (the import stack is empty after every import; its set stays for the next render on this thread)
        rs.ImportStack?.Clear();
        rs.Root = null;
        if (rs.ChainCount > 0) { Array.Clear(rs.ChainTemplates, 0, rs.ChainCount); rs.ChainCount = 0; }
        rs.CancellationToken = default;
        rs.Async = null;
        // Host (and the root context's globals, which are the environment's) stay: the next render on this thread is
        // most often of the same environment (a kept state per thread keeps at most one environment reachable)
        rs._root?.ClearRoot();
        // (the kept batch/slice/groupby view lets go of the last items its loops read)
        rs.SpareChunkView?.Close();
        var thread = rs._thread!;
        thread.Depth--;
        // a nested render gives the thread back to the render it interrupted (and is dropped); the outermost one stays
        // the thread's current state, kept for the next render
        if (rs._previous is { } previous)
        {
            thread.Current = previous;
            rs._previous = null;
        }
    }

    /// <summary>The asynchronous render this attempt belongs to (<c>RenderAsync</c>); null in a synchronous render.</summary>
    public AsyncRun? Async;

    /// <summary>Source offset of the statement or expression running now (one field write per statement).</summary>
    public int Pos;

    /// <summary>The template whose code is running now.</summary>
    public CompiledTemplate? Current;

    /// <summary>
    /// The block layers of the inheritance chain, most derived first (one per template that registered its blocks, or
    /// the overrides of an <c>embed</c>): a block name resolves to the first layer defining it.
    /// </summary>
    public BlockLayer? Blocks;

    /// <summary>The last layer of <see cref="Blocks"/>, where the next template's layer is appended.</summary>
    public BlockLayer? BlocksTail;

    /// <summary>Starts a new chain (an include, import or embed renders with its own blocks); returns the old one.</summary>
    public (BlockLayer? Head, BlockLayer? Tail) SwapBlocks(BlockLayer? layer)
    {
        var saved = (Blocks, BlocksTail);
        Blocks = BlocksTail = layer;
        return saved;
    }

    private Context? _spareInclude;

    /// <summary>
    /// The context of an include whose template keeps no reference to it (<see cref="CompiledTemplate.KeepsNoContext"/>):
    /// this thread's spare one when free, so such an include allocates nothing. Give it back with <see cref="ReturnIncludeContext"/>.
    /// </summary>
    public Context RentIncludeContext(Context? parent, IReadOnlyDictionary<string, object?> globals)
    {
        var c = _spareInclude;
        if (c is null) return new Context(this, null, globals, parent);
        _spareInclude = null;
        c.ResetChild(parent, globals);
        return c;
    }

    public void ReturnIncludeContext(Context context)
    {
        context.ResetChild(null, Context.NoGlobals);
        _spareInclude = context;
    }

    private static readonly Dictionary<string, BlockFunction> NoBlocks = new(StringComparer.Ordinal);
    private BlockLayer? _spareLayers;

    /// <summary>A block layer for <paramref name="owner"/>, reusing one of this thread's previous render when there is one.</summary>
    public BlockLayer NewLayer(CompiledTemplate? owner, IReadOnlyDictionary<string, BlockFunction> functions)
    {
        var layer = _spareLayers;
        if (layer is null) layer = new BlockLayer(owner, functions);
        else
        {
            _spareLayers = layer.Next;
            layer.Next = null;
            layer.Owner = owner;
            layer.Functions = functions;
        }
        layer.List = owner is not null && ReferenceEquals(functions, owner.Blocks) ? owner.BlockList : null;
        return layer;
    }

    public void RestoreBlocks((BlockLayer? Head, BlockLayer? Tail) saved) => (Blocks, BlocksTail) = saved;

    /// <summary>The implementation of block <paramref name="name"/> in force: the most derived one.</summary>
    public BlockFunction? FindBlock(string name)
    {
        for (var l = Blocks; l is not null; l = l.Next)
        {
            if (l.List is { } list)
            {
                // a template's few blocks: compared by name (the same string object, most of the time)
                foreach (var candidate in list)
                    if (string.Equals(candidate.Name, name)) return candidate;
                continue;
            }
            if (l.Functions.TryGetValue(name, out var fn)) return fn;
        }
        return null;
    }

    /// <summary>
    /// Whether autoescape is on where the current filter call is written; set just before the built-in filters whose
    /// result depends on it (Jinja2's eval context: <c>join</c>, <c>replace</c>, <c>urlize</c>, <c>xmlattr</c>).
    /// </summary>
    public bool EvalAutoescape = true;

    // two spare argument arrays, reused by consecutive macro calls of this render (most calls share an arity)
    private object?[]? _spareArgs0, _spareArgs1;

    public object?[] RentArgArray(int length)
    {
        var a = _spareArgs0;
        if (a is not null && a.Length == length) { _spareArgs0 = null; return a; }
        a = _spareArgs1;
        if (a is not null && a.Length == length) { _spareArgs1 = null; return a; }
        return new object?[length];
    }

    public void ReturnArgArray(object?[] array)
    {
        Array.Clear(array);
        if (_spareArgs0 is null) _spareArgs0 = array;
        else _spareArgs1 = array;
    }

    public int Depth;

    public Dictionary<string, Stack<object?>>? Provided;
    public Dictionary<string, List<string>>? Stacks;
    public HashSet<string>? ImportStack;

    /// <summary>The template the render started with (the root of the include/extends chain).</summary>
    public CompiledTemplate? Root;

    /// <summary>
    /// The templates entered through include, extends, embed and import, outermost first (for cycle reports): the tag
    /// and the template of entry i, <see cref="ChainCount"/> entries (two arrays, not a list of tuples: an entry costs two
    /// stores on every include).
    /// </summary>
    public string[] ChainTags = new string[8];

    /// <inheritdoc cref="ChainTags"/>
    public CompiledTemplate?[] ChainTemplates = new CompiledTemplate?[8];

    /// <summary>How many templates are entered (<see cref="ChainTags"/>): the include depth.</summary>
    public int ChainCount;

    /// <summary>Adds an entry to the chain of entered templates.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void PushChain(string tag, CompiledTemplate template)
    {
        var count = ChainCount;
        var tags = ChainTags;
        var templates = ChainTemplates;
        if ((uint)count >= (uint)tags.Length || (uint)count >= (uint)templates.Length)
        {
            GrowChain();
            tags = ChainTags;
            templates = ChainTemplates;
        }
        tags[count] = tag;
        templates[count] = template;
        ChainCount = count + 1;
    }

    private void GrowChain()
    {
        Array.Resize(ref ChainTags, ChainCount * 2);
        Array.Resize(ref ChainTemplates, ChainCount * 2);
    }

    /// <summary>Removes the innermost entry of the chain of entered templates.</summary>
    public void PopChain() => ChainTemplates[--ChainCount] = null;

    /// <summary>Where this render's stack began (see <see cref="StackGuard"/>).</summary>
    public nint StackBase;

    /// <summary>
    /// Every recursive entry of a render (macro, def, caller, <c>loop()</c>, blocks, <c>super()</c>, include, extends,
    /// embed, import) passes here: one depth budget for the whole render, and a bound on the stack it may use. The
    /// failure leaves the depth as it was (the caller's <c>finally</c> runs <see cref="Exit"/> only after a successful
    /// enter), so a <c>{% try %}</c> around the call cannot hand the next attempt a fresh budget.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Enter()
    {
        if (Depth >= _maxDepth) ThrowDepth();
        StackGuard.Check(StackBase);
        CallTick();
        Depth++;
    }

    // The template stack of a failing render, noted by the exception filters of the calls the error leaves (macro,
    // block, include…: RenderState.NoteFrame), innermost first. Filters run in the first pass of exception dispatch,
    // before any frame unwinds, so each call still has its caller and position in locals: a call that succeeds records
    // nothing at all.
    private List<TemplateStackFrame>? _noted;
    private Exception? _notedFor;

    /// <summary>
    /// Notes, for the error <paramref name="ex"/> leaving a call, what was entered (<paramref name="kind"/>: include,
    /// extends, import, embed, macro, block, super, slot, loop; <paramref name="name"/>) and where from
    /// (<paramref name="caller"/> at <paramref name="pos"/>), for <see cref="TemplateException.TemplateStack"/>. Called
    /// from an exception filter; always false.
    /// </summary>
    public bool NoteFrame(Exception ex, string kind, string? name, CompiledTemplate? caller, int pos)
    {
        var root = RootError(ex);
        if (!ReferenceEquals(root, _notedFor))
        {
            // a new error, unless it wraps the one whose frames are noted (a call that rethrew it wrapped)
            if (_notedFor is null || !Wraps(root, _notedFor)) _noted?.Clear();
            _notedFor = root;
        }
        var (line, column) = caller is not null ? caller.Source.GetPosition(pos) : (0, 0);
        (_noted ??= []).Add(new TemplateStackFrame(kind, name, caller?.Name, line, column));
        return false;
    }

    private static Exception RootError(Exception ex) => ex is RenderAbortedException aborted ? aborted.Error : ex;

    private static bool Wraps(Exception ex, Exception inner)
    {
        for (var e = ex.InnerException; e is not null; e = e.InnerException)
            if (ReferenceEquals(e, inner)) return true;
        return false;
    }

    /// <summary>
    /// The template stack <paramref name="ex"/> left, innermost first (what <see cref="NoteFrame"/> noted for it): called
    /// from the render's outermost exception filter.
    /// </summary>
    public IReadOnlyList<TemplateStackFrame> CaptureStack(Exception ex)
    {
        if (_noted is not { Count: > 0 } || _notedFor is null) return [];
        var root = RootError(ex);
        return ReferenceEquals(root, _notedFor) || Wraps(root, _notedFor) ? _noted.ToArray() : [];
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowDepth() =>
        throw new TemplateRuntimeException($"Maximum recursion depth exceeded (Limits.MaxRecursionDepth = {Limits.MaxRecursionDepth})",
            ErrorCodes.RecursionDepth);

    public void Exit() => Depth--;

    /// <summary>Attaches the current position to an exception that lacks one.</summary>
    public TemplateException Locate(TemplateException ex)
    {
        if (!ex.HasPosition && Current is not null)
            Current.Source.WithPosition(ex, Pos);
        return ex;
    }
}

/// <summary>One level of an inheritance chain: the blocks a template (or an embed's overrides) defines.</summary>
internal sealed class BlockLayer(CompiledTemplate? owner, IReadOnlyDictionary<string, BlockFunction> functions)
{
    // settable so that a pooled RenderState can reuse the layers of its previous render (RenderState.NewLayer)
    public CompiledTemplate? Owner = owner;
    public IReadOnlyDictionary<string, BlockFunction> Functions = functions;
    public BlockLayer? Next;

    /// <summary>The same blocks as an array when the owner keeps one (<see cref="CompiledTemplate.BlockList"/>); null: look in <see cref="Functions"/>.</summary>
    public BlockFunction[]? List;
}

/// <summary>A compiled block body with the template it belongs to.</summary>
internal sealed record BlockFunction(string Name, CompiledTemplate Template, Action<RenderState, Context, Output> Body);
