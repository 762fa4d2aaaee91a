using Kida.Runtime;
using Kida.Text;

namespace Kida.Compilation;

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
    public IReadOnlyList<string> BlockOrder { get; set; } = [];
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

/// <summary>A template function that starts interpreted and is replaced by its IL-compiled form once promoted.</summary>
internal class TieredFunction<TDelegate> : ITieredFunction where TDelegate : Delegate
{
    private TDelegate _current;
    private System.Linq.Expressions.Expression<TDelegate>? _lambda;

    public TieredFunction(System.Linq.Expressions.Expression<TDelegate> lambda)
    {
        _lambda = lambda;
        _current = lambda.Compile(preferInterpretation: true);
    }

    public bool IsCompiled => _lambda is null;

    /// <summary>Why compiling to IL failed (the function then stays interpreted); null when it did not.</summary>
    public Exception? PromotionError { get; private set; }

    protected TDelegate Current => _current;

    /// <summary>Called with the IL-compiled delegate once it replaced the interpreted one.</summary>
    protected virtual void OnPromoted(TDelegate compiled) { }

    public void Promote()
    {
        var lambda = Interlocked.Exchange(ref _lambda, null);
        if (lambda is null) return;
        try
        {
            var compiled = SiteInliner.Inline(lambda).Compile();
            Volatile.Write(ref _current, compiled);
            OnPromoted(compiled);
        }
        catch (Exception ex)
        {
            // the interpreted form keeps working; compiling to IL is only an optimisation
            PromotionError = ex;
        }
    }
}

/// <summary>A root or block function under tiered compilation.</summary>
internal sealed class TieredFunction(System.Linq.Expressions.Expression<Action<RenderState, Context, Output>> lambda)
    : TieredFunction<Action<RenderState, Context, Output>>(lambda)
{
    public void Invoke(RenderState rs, Context ctx, Output output) => Current(rs, ctx, output);
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

    public static MacroCode ForPositional(Action<RenderState, Context, object?, object?, Output> positional)
    {
        var code = new MacroCode(null!) { Positional = positional };
        // an argument array always has room for two (parameters, then the varargs and kwargs slots)
        code.Body = (rs, ctx, args, output) => code.Positional!(rs, ctx, args[0], args[1], output);
        return code;
    }
}

/// <summary>A top-level macro body taking its arguments directly, under tiered compilation.</summary>
internal sealed class TieredPositionalMacroBody : TieredFunction<Action<RenderState, Context, object?, object?, Output>>
{
    public TieredPositionalMacroBody(System.Linq.Expressions.Expression<Action<RenderState, Context, object?, object?, Output>> lambda) : base(lambda) =>
        Code = MacroCode.ForPositional(Current);

    public MacroCode Code { get; }

    protected override void OnPromoted(Action<RenderState, Context, object?, object?, Output> compiled) => Volatile.Write(ref Code.Positional, compiled);
}

/// <summary>A top-level macro body under tiered compilation.</summary>
internal sealed class TieredMacroBody : TieredFunction<Action<RenderState, Context, object?[], Output>>
{
    public TieredMacroBody(System.Linq.Expressions.Expression<Action<RenderState, Context, object?[], Output>> lambda) : base(lambda) =>
        Code = new MacroCode(Current);

    public MacroCode Code { get; }

    protected override void OnPromoted(Action<RenderState, Context, object?[], Output> compiled) => Volatile.Write(ref Code.Body, compiled);
}
