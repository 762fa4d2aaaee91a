using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Kida.Compilation;
using Kida.Runtime;

namespace Kida;

/// <summary>
/// A compiled template. Immutable and safe to render from any number of threads at once: every render owns its
/// own state.
/// </summary>
public sealed partial class Template
{
    internal Template(KidaEnvironment environment, CompiledTemplate compiled, string? path, Binding.TemplateSummary summary)
    {
        Environment = environment;
        Compiled = compiled;
        Path = path;
        Summary = summary;
    }

    /// <summary>The binder's facts about this template (what <see cref="Info"/> reads).</summary>
    internal Binding.TemplateSummary Summary { get; }

    internal KidaEnvironment Environment { get; }
    internal CompiledTemplate Compiled { get; }

    /// <summary>The name the template was loaded by, or the name given to <see cref="KidaEnvironment.FromString"/>.</summary>
    public string? Name => Compiled.Name;

    /// <summary>The file path or location reported by the loader, when there is one.</summary>
    public string? Path { get; }

    /// <summary>
    /// The names <see cref="RenderBlock(string, object?)"/> accepts: the blocks, fragments and regions this template
    /// defines, in source order, then those it inherits from its parent templates (see <see cref="TemplateInfo.Blocks"/>).
    /// </summary>
    public IReadOnlyList<string> BlockNames => Introspection.BlockNames(this);

    /// <summary>
    /// What the template declares and needs: blocks (own and inherited), top-level defs, macros and regions with their
    /// parameters, dependencies, the names it reads from the context and its <c>{% template %}</c> declarations. Parents
    /// named by a constant <c>{% extends %}</c> are loaded through the environment to list inherited blocks; a parent
    /// that cannot be loaded contributes nothing (it is still listed in <see cref="TemplateInfo.Dependencies"/>).
    /// </summary>
    public TemplateInfo Info => Introspection.Build(this);

    /// <summary>Renders with the given variables (null: none, as <c>Render()</c>).</summary>
    public string Render(IReadOnlyDictionary<string, object?>? context) => RenderToString(context, null, default);

    /// <summary>
    /// Renders with the given variables; <paramref name="cancellationToken"/> is checked at loop back-edges and calls
    /// (a cancelled render throws <see cref="OperationCanceledException"/>). A null <paramref name="context"/> means no
    /// variables, so <c>Render(null, token)</c> works whichever overload it binds to.
    /// </summary>
    public string Render(IReadOnlyDictionary<string, object?>? context, CancellationToken cancellationToken) =>
        RenderToString(context, null, cancellationToken);

    /// <summary>
    /// Renders with the public properties and fields of <paramref name="model"/> (or a dictionary's entries) as variables.
    /// A <see cref="CancellationToken"/> passed here is taken as the render's token, not as a model.
    /// </summary>
    public string Render(object? model = null) =>
        model is CancellationToken token ? RenderToString(null, null, token) : RenderToString(model, null, default);

    /// <summary>
    /// Renders with the public properties and fields of <paramref name="model"/> as variables; <paramref name="cancellationToken"/>
    /// is checked at loop back-edges and calls (a cancelled render throws <see cref="OperationCanceledException"/>).
    /// </summary>
    public string Render(object? model, CancellationToken cancellationToken) => RenderToString(model, null, cancellationToken);

    /// <summary>Renders one block (with the template's top-level setup), for fragments such as HTMX responses.</summary>
    public string RenderBlock(string block, object? model = null)
    {
        ArgumentNullException.ThrowIfNull(block);
        return model is CancellationToken token ? RenderToString(null, block, token) : RenderToString(model, block, default);
    }

    /// <summary>Renders one block, checking <paramref name="cancellationToken"/> at loop back-edges and calls.</summary>
    public string RenderBlock(string block, object? model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(block);
        return RenderToString(model, block, cancellationToken);
    }

    private string RenderToString(object? model, string? block, CancellationToken cancellationToken)
    {
        // start from the size the last render of this template needed, so big pages do not grow their buffer step by step
        var thread = RenderThread.Get();
        var output = Output.Rent(thread, _sizeHint, Environment.Limits.MaxOutputLength);
        try
        {
            RenderInto(output, model, block, cancellationToken, null, thread);
            Remember(output);
            return output.ToString();
        }
        finally
        {
            Output.Return(thread, output);
        }
    }

    private int _sizeHint = 1024;

    private void RememberSize(long total)
    {
        var length = (int)Math.Min(total, int.MaxValue);
        if (length > _sizeHint) _sizeHint = Math.Min(length + (length >> 3), 1 << 20);
    }

    private static bool Capture(RenderState rs, Exception ex, out IReadOnlyList<TemplateStackFrame> stack)
    {
        stack = rs.CaptureStack(ex);
        return true;
    }

    /// <summary>
    /// One synchronous render into <paramref name="output"/>; with <paramref name="run"/>, one attempt of an asynchronous
    /// render, which leaves with <see cref="AsyncPendingSignal"/> at a task still running (see <see cref="AsyncRun"/>).
    /// </summary>
    internal void RenderInto(Output output, object? model, string? block, CancellationToken cancellationToken, AsyncRun? run = null,
        RenderThread? thread = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Compiled.NoteRender();
        var rs = RenderState.Rent(thread ?? RenderThread.Get(), Environment, cancellationToken);
        if (run is not null) rs.Async = run;
        var ctx = rs.RootContext(model, Environment.GlobalsSnapshot);
        rs.Root = Compiled;
        // the template stack is read in the exception filters, before the failed calls unwind
        IReadOnlyList<TemplateStackFrame> stack = [];
        try
        {
            if (block is null) Compiled.Root(rs, ctx, output);
            else Composition.RenderBlockOnly(rs, ctx, output, Compiled, block);
        }
        catch (TemplateException ex) when (Capture(rs, ex, out stack))
        {
            rs.Locate(ex).SetTemplateStack(stack);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException && Capture(rs, ex, out stack))
        {
            var wrapped = rs.Locate(RuntimeErrors.Wrap(ex));
            wrapped.SetTemplateStack(stack);
            throw wrapped;
        }
        finally
        {
            Compiled.NoteWork(rs.LoopIterations);
            RenderState.Return(rs);
        }
    }
}
