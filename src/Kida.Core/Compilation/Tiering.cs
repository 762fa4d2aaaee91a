using Kida.Runtime;

namespace Kida.Compilation;

/// <summary>A template function that starts interpreted and is replaced by its IL-compiled form once promoted.</summary>
internal class TieredFunction<TDelegate> : ITieredFunction where TDelegate : Delegate
{
    private TDelegate _current;
    private System.Linq.Expressions.Expression<TDelegate>? _lambda;

    public TieredFunction(System.Linq.Expressions.Expression<TDelegate> lambda)
    {
        _lambda = lambda;
        _current = InterpretedForm.Of(lambda).Compile(preferInterpretation: true);
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
