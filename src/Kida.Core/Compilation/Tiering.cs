using Kida.Runtime;

namespace Kida.Compilation;

/// <summary>
/// A template function that starts interpreted and is replaced by its IL-compiled form once promoted. The interpreted
/// form is made at the function's first call, not when the template loads (lowering the tree for the interpreter is most
/// of a load's cost): a block a child template overrides, a macro no page calls, a template loaded to be checked cost
/// nothing more. Under <see cref="KidaOptions.PreferInterpretation"/> (<c>interpretOnly</c>) it is never promoted.
/// </summary>
internal class TieredFunction<TDelegate> : ITieredFunction where TDelegate : Delegate
{
    // null until the first call (or the promotion) sets it
    private TDelegate? _current;
    // the tree tier-up compiles (null once taken, or always when interpreting only)
    private System.Linq.Expressions.Expression<TDelegate>? _lambda;
    // the tree the first call interprets (null once _current is set)
    private System.Linq.Expressions.Expression<TDelegate>? _interpretable;
    private readonly bool _interpretOnly;

    public TieredFunction(System.Linq.Expressions.Expression<TDelegate> lambda, bool interpretOnly = false)
    {
        _interpretOnly = interpretOnly;
        _lambda = interpretOnly ? null : lambda;
        _interpretable = lambda;
    }

    public bool IsCompiled => _lambda is null && !_interpretOnly;

    /// <summary>Why compiling to IL failed (the function then stays interpreted); null when it did not.</summary>
    public Exception? PromotionError { get; private set; }

    /// <summary>The function as it runs now: IL once promoted, else interpreted (made here at the first call).</summary>
    protected TDelegate Current => Volatile.Read(ref _current) ?? Interpret();

    private TDelegate Interpret()
    {
        var source = Volatile.Read(ref _interpretable);
        // (cleared only after _current was set)
        if (source is null) return Volatile.Read(ref _current)!;
        var interpreted = (_interpretOnly ? source : InterpretedForm.Of(source)).Compile(preferInterpretation: true);
        // (two first calls at once: both lower the tree, the first one stored is kept; a promotion stored first wins)
        var current = Interlocked.CompareExchange(ref _current, interpreted, null) ?? interpreted;
        Volatile.Write(ref _interpretable, null);
        return current;
    }

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
            Volatile.Write(ref _interpretable, null);
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
internal sealed class TieredFunction(System.Linq.Expressions.Expression<Action<RenderState, Context, Output>> lambda, bool interpretOnly = false)
    : TieredFunction<Action<RenderState, Context, Output>>(lambda, interpretOnly)
{
    public void Invoke(RenderState rs, Context ctx, Output output) => Current(rs, ctx, output);
}

/// <summary>A top-level macro body taking its arguments directly, under tiered compilation.</summary>
internal sealed class TieredPositionalMacroBody : TieredFunction<Action<RenderState, Context, object?, object?, Output>>
{
    private readonly Action<RenderState, Context, object?, object?, Output> _first;

    public TieredPositionalMacroBody(System.Linq.Expressions.Expression<Action<RenderState, Context, object?, object?, Output>> lambda, bool interpretOnly = false)
        : base(lambda, interpretOnly)
    {
        // (the body a call runs until the first call has made the interpreted one: that call puts it in its place)
        _first = First;
        Code = MacroCode.ForPositional(_first);
    }

    public MacroCode Code { get; }

    private void First(RenderState rs, Context ctx, object? a0, object? a1, Output output)
    {
        var body = Current;
        Interlocked.CompareExchange(ref Code.Positional, body, _first);
        body(rs, ctx, a0, a1, output);
    }

    protected override void OnPromoted(Action<RenderState, Context, object?, object?, Output> compiled) => Volatile.Write(ref Code.Positional, compiled);
}

/// <summary>A top-level macro body under tiered compilation.</summary>
internal sealed class TieredMacroBody : TieredFunction<Action<RenderState, Context, object?[], Output>>
{
    private readonly Action<RenderState, Context, object?[], Output> _first;

    public TieredMacroBody(System.Linq.Expressions.Expression<Action<RenderState, Context, object?[], Output>> lambda, bool interpretOnly = false)
        : base(lambda, interpretOnly)
    {
        _first = First;
        Code = new MacroCode(_first);
    }

    public MacroCode Code { get; }

    private void First(RenderState rs, Context ctx, object?[] args, Output output)
    {
        var body = Current;
        Interlocked.CompareExchange(ref Code.Body, body, _first);
        body(rs, ctx, args, output);
    }

    protected override void OnPromoted(Action<RenderState, Context, object?[], Output> compiled) => Volatile.Write(ref Code.Body, compiled);
}
