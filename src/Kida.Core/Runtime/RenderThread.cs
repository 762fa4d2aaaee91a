namespace Kida.Runtime;

/// <summary>
/// What one thread keeps between its renders: the render running now and a state and a root output for the next one.
/// One thread-static read per render finds all of it; a render on a thread with no render running takes the kept
/// state and output (a nested render on the same thread allocates its own), and gives them back cleared.
/// </summary>
internal sealed class RenderThread
{
    [ThreadStatic] private static RenderThread? t_current;

    /// <summary>This thread's slot (made on the thread's first render).</summary>
    public static RenderThread Get() => t_current ??= new RenderThread();

    /// <summary>This thread's slot, or null on a thread that never rendered.</summary>
    public static RenderThread? Peek => t_current;

    /// <summary>
    /// The render running on this thread while <see cref="Depth"/> is above zero; otherwise the state kept for the next
    /// render (kept set: giving it back stores nothing).
    /// </summary>
    public RenderState? Current;

    /// <summary>How many renders are running on this thread (more than one when a render renders another).</summary>
    public int Depth;

    /// <summary>The root output kept for this thread's next render to string, and whether a render holds it now.</summary>
    public Output? Output;

    /// <summary>Whether a render holds <see cref="Output"/> now.</summary>
    public bool OutputTaken;
}
