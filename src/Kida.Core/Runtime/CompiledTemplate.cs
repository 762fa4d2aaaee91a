using Kida.Text;

namespace Kida.Runtime;

/// <summary>The immutable result of compiling one template: its root and block delegates.</summary>
internal sealed class CompiledTemplate
{
    public CompiledTemplate(string? name, SourceText source, bool autoescape)
    {
        Name = name;
        Source = source;
        Autoescape = autoescape;
    }

    public string? Name { get; }

    /// <summary>Nothing the template runs can keep a reference to its context (an include may pool it).</summary>
    public bool KeepsNoContext { get; init; }
    public SourceText Source { get; }
    public bool Autoescape { get; }
    public Action<RenderState, Context, Output> Root { get; set; } = null!;

    /// <summary>Top-level set-up only (assignments, imports, macros, the parent's set-up): what a block render needs.</summary>
    public Action<RenderState, Context, Output> Setup { get; set; } = null!;
    public Dictionary<string, BlockFunction> Blocks { get; } = new(StringComparer.Ordinal);

    private BlockFunction[]? _blockList;
    private int _blockListState; // 0: not built, 1: built, 2: too many blocks for a scan

    /// <summary>
    /// The blocks as an array when there are at most 8 (null otherwise), for <see cref="RenderState.FindBlock"/>: a short
    /// scan comparing names finds a block faster than hashing its name. Built on first use, after compilation filled
    /// <see cref="Blocks"/> for good.
    /// </summary>
    public BlockFunction[]? BlockList
    {
        get
        {
            if (Volatile.Read(ref _blockListState) == 0)
            {
                if (Blocks.Count <= 8) _blockList = [.. Blocks.Values];
                Volatile.Write(ref _blockListState, Blocks.Count <= 8 ? 1 : 2);
            }
            return _blockList;
        }
    }
    public bool HasExtends { get; set; }

    /// <summary>Functions still running interpreted, waiting to be compiled to IL (tiered compilation); null when none.</summary>
    public List<ITieredFunction>? Tiers { get; set; }

    public int TierUpAfter { get; set; } = int.MaxValue;

    private int _renders;
    private int _promoted;

    /// <summary>Counts a render; the <see cref="TierUpAfter"/>-th one queues the IL compilation of every tiered function.</summary>
    public void NoteRender()
    {
        if (Tiers is null || Volatile.Read(ref _promoted) != 0) return;
        if (Interlocked.Increment(ref _renders) < TierUpAfter) return;
        if (Interlocked.Exchange(ref _promoted, 1) != 0) return;
        ThreadPool.UnsafeQueueUserWorkItem(static ct => ct.Promote(), this, preferLocal: false);
    }

    /// <summary>Whether the promotion has been queued (or has run).</summary>
    internal bool PromotionQueued => Volatile.Read(ref _promoted) != 0;

    /// <summary>Loop iterations in one render from which its template is promoted after that render (<see cref="NoteWork"/>).</summary>
    internal const long HeavyRender = 1_000;

    /// <summary>
    /// Notes the loop iterations a render of this template ran: from the second render on, one that ran
    /// <see cref="HeavyRender"/> or more queues the promotion now instead of after <see cref="TierUpAfter"/> renders (an
    /// interpreted render of a long list costs milliseconds, and one such render has met the types of every site its
    /// loops read; a template rendered once, such as a one-off email, is not compiled for nothing). Not when promotion
    /// is off (<see cref="TierUpAfter"/> at int.MaxValue: tests promote by hand).
    /// </summary>
    public void NoteWork(long iterations)
    {
        if (iterations < HeavyRender || Tiers is null || TierUpAfter == int.MaxValue || Volatile.Read(ref _renders) < 2
            || Volatile.Read(ref _promoted) != 0) return;
        if (Interlocked.Exchange(ref _promoted, 1) != 0) return;
        ThreadPool.UnsafeQueueUserWorkItem(static ct => ct.Promote(), this, preferLocal: false);
    }

    /// <summary>Compiles every tiered function to IL now (the background work item; tests call it directly).</summary>
    internal void Promote()
    {
        Volatile.Write(ref _promoted, 1);
        var tiers = Tiers;
        if (tiers is null) return;
        foreach (var t in tiers) t.Promote();
        Tiers = null;
    }
}

/// <summary>A function of a template that can still be compiled to IL (tiered compilation).</summary>
internal interface ITieredFunction
{
    bool IsCompiled { get; }
    Exception? PromotionError { get; }
    void Promote();
}

/// <summary>
/// The body of a top-level macro, read by each call (one delegate call: no forwarding method in between). Under tiered
/// compilation the interpreted body is replaced by the IL-compiled one when the template is promoted.
/// </summary>
internal sealed class MacroCode(Action<RenderState, Context, object?[], Output> body)
{
    public Action<RenderState, Context, object?[], Output> Body = body;

    /// <summary>
    /// For a macro of at most two parameters that collects nothing: the body taking its arguments directly (a missing
    /// one is <see cref="Macro.Missing"/>). <see cref="Body"/> then unpacks an argument array into it.
    /// </summary>
    public Action<RenderState, Context, object?, object?, Output>? Positional;

    /// <summary>
    /// Under tiered compilation, the positional body as an expression (parameters: render state, defining context, the
    /// two arguments, output), which a caller's promotion may inline; with its name and parameter count.
    /// </summary>
    public System.Linq.Expressions.Expression<Action<RenderState, Context, object?, object?, Output>>? InlineBody;
    public string Name = "";
    public int Arity;

    /// <summary>The size of <see cref="InlineBody"/> in expression nodes, counted once (0 until then).</summary>
    public int InlineSize;

    public static MacroCode ForPositional(Action<RenderState, Context, object?, object?, Output> positional)
    {
        var code = new MacroCode(null!) { Positional = positional };
        // an argument array always has room for two (parameters, then the varargs and kwargs slots)
        code.Body = (rs, ctx, args, output) => code.Positional!(rs, ctx, args[0], args[1], output);
        return code;
    }
}
