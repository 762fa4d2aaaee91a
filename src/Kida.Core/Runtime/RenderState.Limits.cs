using System.Runtime.CompilerServices;

namespace Kida.Runtime;

// The budgets of one render: loop iterations, time and cancellation. The hot paths (a loop back-edge, a call) are
// one decrement and one branch; the slow path runs once per chunk of iterations or calls and is where the clock and
// the cancellation token are read.
internal sealed partial class RenderState
{
    // how many iterations or calls pass between two slow checks: adapted to the time they take (doubling while a
    // chunk takes under a clock tick, shrinking when one takes more than ~8 ms), so a loop of heavy iterations is
    // stopped close to its deadline and a loop of cheap ones reads the clock rarely
    private const int MaxChunk = 1024;
    private const int FirstChunk = 16;
    private int _chunk = FirstChunk;
    private long _lastCheck;

    /// <summary>The limits this render runs under (the environment's effective limits).</summary>
    public KidaLimits Limits = KidaLimits.Default;

    /// <summary>Loop iterations left before the next slow check (<see cref="LoopSlow"/>).</summary>
    public int LoopCountdown;

    /// <summary>The boxed snapshots this render's for loops reuse (Iteration.LoopSequence), linked; at most a few (one per loop nesting level in use).</summary>
    internal Iteration.BoxedItems? Snapshots;
    internal int SnapshotsKept;

    /// <summary>The copies of model lists of ints this render's for loops reuse (Iteration.IntSnapshot), linked, as <see cref="Snapshots"/>.</summary>
    internal Iteration.IntItems? IntSnapshots;
    internal int IntSnapshotsKept;

    /// <summary>A batch/slice view a finished loop gave back (Iteration.ChunkView), for the next such loop.</summary>
    internal Iteration.ChunkView? SpareChunkView;

    /// <summary>The output <see cref="DiscardOutput"/> hands out (its buffer comes from the array pool and is only ever dropped with the state).</summary>
    public Output? Discarded;

    /// <summary>An empty output whose text nobody reads (an import's top level), kept for the render's next one.</summary>
    internal Output DiscardOutput()
    {
        if (Discarded is null) return Discarded = Output.ForDiscard(Limits.MaxOutputLength);
        Discarded.Discard(Limits.MaxOutputLength);
        return Discarded;
    }

    // iterations handed out so far in chunks; the render has run at most this many
    private long _loopGranted;

    /// <summary>The loop iterations this render has run so far (every for and while loop together).</summary>
    internal long LoopIterations => _loopGranted - Math.Max(LoopCountdown, 0);
    private int _callCountdown;
    // Environment.TickCount64 when the render times out: 0 = not started yet (set at the first slow check, so a render
    // without loops or calls never reads the clock)
    private long _deadline;
    private long _timeoutMs;

    /// <summary>The limits of the render running on this thread (the defaults outside a render).</summary>
    public static KidaLimits CurrentLimits => Running?.Limits ?? KidaLimits.Default;

    // Limits.MaxRecursionDepth, read by every Enter
    private int _maxDepth;

    /// <summary>Limits.MaxIncludeDepth, read by every include, extends, embed and import.</summary>
    public int MaxIncludeDepth;

    private void StartLimits(KidaLimits limits)
    {
        Limits = limits;
        _maxDepth = limits.MaxRecursionDepth;
        MaxIncludeDepth = limits.MaxIncludeDepth;
        _timeoutMs = limits.RenderTimeout is { } t ? (t.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond : -1;
        RestartLimits();
    }

    // a new render under the same limits: only the budgets start again
    private void RestartLimits()
    {
        _deadline = 0;
        if (_timeoutMs < 0)
        {
            // no clock to start: the first chunk is granted now, as the first slow check would grant it (the token is
            // checked on every iteration anyway), so a render of a few short loops never takes the slow path
            _chunk = MaxChunk;
            var grant = (int)Math.Clamp(Limits.MaxLoopIterations, 0, MaxChunk);
            _loopGranted = grant;
            // (no tick has happened yet: all of the grant is left; LoopSlow counts the tick that called it)
            LoopCountdown = grant;
            _callCountdown = MaxChunk;
            return;
        }
        // the clock starts at the first loop iteration or call (a render with neither never reads it); that first slow
        // check grants the first chunk to both loops and calls
        LoopCountdown = 0;
        _loopGranted = 0;
        _callCountdown = 0;
        _chunk = FirstChunk;
    }

    /// <summary>
    /// One loop iteration (a back-edge of a for or while loop). The token is checked on every iteration (a field test
    /// when nothing can cancel), so an aborted request stops a loop over a slow model right away.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void LoopTick()
    {
        if (--LoopCountdown < 0) LoopSlow();
        CancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>One call (macro, def, caller, include…): checks time and cancellation every so many calls.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CallTick()
    {
        if (--_callCountdown < 0) CallSlow();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal void LoopSlow()
    {
        // an exception leaves the countdown negative, so every later iteration comes back here and fails again
        // (a {% try %} cannot buy more iterations or time)
        CheckTime();
        var remaining = Limits.MaxLoopIterations - _loopGranted;
        if (remaining <= 0)
            throw LimitExceeded(ErrorCodes.LoopLimit, $"Loop iterations exceed Limits.MaxLoopIterations ({Limits.MaxLoopIterations} per render, every for and while loop together)");
        var chunk = (int)Math.Min(_chunk, remaining);
        var first = _loopGranted == 0;
        _loopGranted += chunk;
        LoopCountdown = chunk - 1;
        // the render's first slow check: calls get their first chunk too (what their own first check would give now)
        if (first && _callCountdown == 0) _callCountdown = _chunk;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CallSlow()
    {
        CheckTime();
        _callCountdown = _chunk;
        if (_loopGranted == 0 && LoopCountdown == 0)
        {
            // the render's first slow check: loops get their first chunk too (no iteration has counted yet)
            var grant = (int)Math.Clamp(Limits.MaxLoopIterations, 0, _chunk);
            _loopGranted = grant;
            LoopCountdown = grant;
        }
    }

    /// <summary>Throws when the render was cancelled or has run out of time (reads the clock; not for every step).</summary>
    public void CheckTime()
    {
        CancellationToken.ThrowIfCancellationRequested();
        if (_timeoutMs < 0)
        {
            _chunk = MaxChunk;
            return;
        }
        var now = System.Environment.TickCount64;
        if (_deadline == 0)
        {
            _deadline = now + _timeoutMs;
            _lastCheck = now;
            return;
        }
        if (now >= _deadline)
            throw LimitExceeded(ErrorCodes.TimeLimit, $"Render time exceeds Limits.RenderTimeout ({Limits.RenderTimeout!.Value.TotalSeconds:0.###} s)");
        var elapsed = now - _lastCheck;
        _lastCheck = now;
        if (elapsed == 0) _chunk = Math.Min(_chunk * 2, MaxChunk);
        else if (elapsed > 8) _chunk = Math.Max(1, _chunk / 8);
    }

    internal static TemplateRuntimeException LimitExceeded(string code, string message) => new(message, code);
}
