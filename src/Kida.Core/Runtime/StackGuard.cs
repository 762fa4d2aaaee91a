using System.Runtime.CompilerServices;

namespace Kida.Runtime;

/// <summary>
/// Keeps every recursion of the engine (rendering, and the walkers over templates and data) away from the end of the
/// thread's stack: a <see cref="StackOverflowException"/> cannot be caught in .NET and would end the process.
/// </summary>
internal static class StackGuard
{
    /// <summary>
    /// The most stack one render may use below the point where it started. What stays free is left to unwind an
    /// exception through the render's frames: each frame of the expression interpreter that an exception crosses
    /// costs stack again while it is rethrown, so a render must not run until the runtime's own last-moment check.
    /// 256 KB leaves room on a 1 MB thread and holds 200 levels of compiled macro recursion.
    /// </summary>
    public const int RenderBudget = 256 * 1024;

    /// <summary>Throws K-RUN-006 when the render that started at <paramref name="stackBase"/> used up its stack budget.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Check(nint stackBase)
    {
        byte marker = 0;
        var used = stackBase - (nint)(&marker);
        // shallow calls, nearly all of them, pay one subtraction and one compare
        if (used > RenderBudget / 4) CheckDeep(used);
    }

    // the runtime's own check only once the render is deep (a render that began with little stack left, such as one
    // nested in another's filter)
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CheckDeep(nint used)
    {
        if (used > RenderBudget || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new TemplateRuntimeException(
                $"Maximum recursion depth exceeded: the template recursion used the {RenderBudget / 1024} KB of stack a render may use",
                ErrorCodes.RecursionDepth);
    }
}

/// <summary>
/// Carries an error that ends the render (a limit, a cycle, a sandbox violation: <see cref="ErrorCodes.IsFatal"/>) out of
/// a <c>{% try %}</c> that caught it. It is not a <see cref="TemplateException"/>, so the <c>{% try %}</c> blocks further
/// out let it pass without catching it: rethrowing at every level instead would start a new exception dispatch on top
/// of the stack each time, which a recursion of <c>{% try %}</c> blocks cannot afford. The render unwraps it
/// (<see cref="RuntimeErrors.Wrap"/>) and reports <see cref="Error"/>.
/// </summary>
internal sealed class RenderAbortedException(TemplateException error) : Exception(error.Message, error)
{
    public TemplateException Error { get; } = error;
}
