namespace Kida;

/// <summary>
/// The resource limits every render runs under: output size, the size of any string, collection or integer a template
/// creates, loop iterations, recursion and include depth, and time. On by default (<see cref="Default"/>); the
/// sandbox uses tighter ones (<see cref="Sandboxed"/>). Exceeding a limit raises a
/// <see cref="TemplateRuntimeException"/> with a <c>K-SEC-…</c> code, the template position and the limit's name and value.
/// </summary>
/// <remarks>
/// Set them with <c>new KidaOptions { Limits = KidaLimits.Default with { MaxOutputLength = 64 * 1024 * 1024 } }</c>.
/// A record: immutable, compared by value. Negative values (and a zero or negative <see cref="RenderTimeout"/>) are
/// rejected with <see cref="ArgumentOutOfRangeException"/> when the environment is built.
/// </remarks>
public sealed record KidaLimits
{
    // (first: the presets below set it as they are made, and static fields are initialised in the order they are written)
    private static int s_stringLengthFloor = 8 * 1024 * 1024;

    /// <summary>The limits of an environment without a sandbox (the default of <see cref="KidaOptions.Limits"/>).</summary>
    public static KidaLimits Default { get; } = new();

    /// <summary>
    /// Tighter limits for templates from untrusted authors (the default of a sandbox policy): output 4 Mi characters,
    /// strings 1 Mi characters, collections 100,000 items, 1,000,000 loop iterations, <c>range()</c> 10,000 items,
    /// integers 4,300 digits, recursion depth 100, include depth 20, 2 seconds per render, template sources of
    /// 256 Ki characters and 100 asynchronous waits per render.
    /// </summary>
    public static KidaLimits Sandboxed { get; } = new()
    {
        MaxOutputLength = 4L * 1024 * 1024,
        MaxStringLength = 1024 * 1024,
        MaxCollectionLength = 100_000,
        MaxLoopIterations = 1_000_000,
        MaxRangeLength = 10_000,
        MaxIntegerDigits = 4_300,
        MaxRecursionDepth = 100,
        MaxIncludeDepth = 20,
        RenderTimeout = TimeSpan.FromSeconds(2),
        MaxTemplateLength = 256 * 1024,
        MaxAsyncWaits = 100,
    };

    /// <summary>
    /// The most characters one render may output (default 33,554,432 = 32 Mi). Counts everything written to the
    /// render's output and to any capture inside it (block <c>set</c>, <c>caller()</c>, filter blocks, macro calls).
    /// Code <c>K-SEC-005</c>.
    /// </summary>
    public long MaxOutputLength { get; init; } = 32L * 1024 * 1024;

    /// <summary>
    /// The longest string a template may create, in characters (default 8,388,608 = 8 Mi): repetition (<c>'a' * n</c>),
    /// <c>+</c> and <c>~</c> concatenation, <c>join</c>, <c>format</c> and <c>%</c> (widths included), padding
    /// (<c>center</c>, <c>indent</c>, <c>ljust</c>, <c>rjust</c>, <c>zfill</c>), <c>replace</c>, <c>wordwrap</c>,
    /// <c>repr</c>/<c>tojson</c> output. Checked before the string is allocated. Code <c>K-SEC-006</c>.
    /// </summary>
    public int MaxStringLength
    {
        get => _maxStringLength;
        init
        {
            _maxStringLength = value;
            // the smallest string limit any limits of this process hold: a length under it passes every render's
            // limit, so Guard.StringLength answers it without looking up the running render
            int floor;
            while (value < (floor = Volatile.Read(ref s_stringLengthFloor)) && Interlocked.CompareExchange(ref s_stringLengthFloor, value, floor) != floor) { }
        }
    }

    private readonly int _maxStringLength = 8 * 1024 * 1024;

    /// <summary>A string length every configured limit allows (the smallest <see cref="MaxStringLength"/> ever set in this process).</summary>
    internal static int StringLengthFloor => Volatile.Read(ref s_stringLengthFloor);

    /// <summary>
    /// The most items a collection a template creates may hold (default 1,000,000): list and tuple repetition and
    /// concatenation, <c>list</c>, <c>batch</c>, <c>slice</c>, <c>append</c>/<c>extend</c>; also how many items a
    /// filter or <c>in</c> may read from an enumerable of unknown length (a model <c>IEnumerable</c> that never ends
    /// stops here). Code <c>K-SEC-007</c>.
    /// </summary>
    public int MaxCollectionLength { get; init; } = 1_000_000;

    /// <summary>
    /// The most loop iterations one render may run (default 5,000,000), counted over every <c>for</c> and
    /// <c>while</c> loop together, nested loops and included templates included. Code <c>K-SEC-008</c>.
    /// </summary>
    public long MaxLoopIterations { get; init; } = 5_000_000;

    /// <summary>The most items one <c>range()</c> (or <c>a..b</c> literal) may produce (default 100,000). Code <c>K-SEC-003</c>.</summary>
    public int MaxRangeLength { get; init; } = 100_000;

    /// <summary>
    /// The most decimal digits an integer may have (default 4,300, Python's own limit): <c>int()</c> of a longer string,
    /// <c>str()</c> or printing of a larger integer, and integer arithmetic whose result would be larger all raise;
    /// <c>x ** y</c> refuses before computing (<c>2 ** (10**10)</c> raises instead of answering wrongly). Code <c>K-SEC-009</c>.
    /// </summary>
    public int MaxIntegerDigits { get; init; } = 4_300;

    /// <summary>
    /// The deepest runtime recursion one render may reach (default 200), over macro, <c>def</c>, <c>caller()</c>,
    /// recursive <c>loop()</c>, <c>self.block()</c>, include, extends, embed and import together. Code <c>K-RUN-006</c>.
    /// </summary>
    public int MaxRecursionDepth { get; init; } = 200;

    /// <summary>The deepest include/import/extends/embed nesting allowed (default 50). Code <c>K-RUN-006</c>.</summary>
    public int MaxIncludeDepth { get; init; } = 50;

    /// <summary>
    /// How long one render may run (default 5 seconds; null for no limit). Checked at loop back-edges and calls,
    /// together with the render's <see cref="CancellationToken"/>. Code <c>K-SEC-010</c>; a caller's own cancellation
    /// surfaces as <see cref="OperationCanceledException"/> instead.
    /// </summary>
    public TimeSpan? RenderTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many times one asynchronous render (<c>RenderAsync</c>) may wait for a task that is still running (default
    /// 1,000; 100 in the sandbox). Each wait renders the template again from the start with the results gathered so far
    /// (see docs/architecture.md), so this bounds the work a template of many slow awaits can demand. Code <c>K-SEC-013</c>.
    /// </summary>
    public int MaxAsyncWaits { get; init; } = 1_000;

    /// <summary>
    /// The longest template source, in characters, the environment compiles (default 1,048,576 = 1 Mi; 256 Ki in the
    /// sandbox). Compiling takes time in proportion to the source, so this bounds the work one template can demand
    /// before it renders. Code <c>K-SEC-011</c>, raised as a <see cref="TemplateSyntaxException"/> when the template is
    /// loaded.
    /// </summary>
    public int MaxTemplateLength { get; init; } = 1024 * 1024;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first value that is out of range.</summary>
    internal void Validate()
    {
        static void NotNegative(long value, string name)
        {
            if (value < 0) throw new ArgumentOutOfRangeException(name, value, $"KidaLimits.{name} must not be negative");
        }

        NotNegative(MaxOutputLength, nameof(MaxOutputLength));
        NotNegative(MaxStringLength, nameof(MaxStringLength));
        NotNegative(MaxCollectionLength, nameof(MaxCollectionLength));
        NotNegative(MaxLoopIterations, nameof(MaxLoopIterations));
        NotNegative(MaxRangeLength, nameof(MaxRangeLength));
        NotNegative(MaxIntegerDigits, nameof(MaxIntegerDigits));
        NotNegative(MaxRecursionDepth, nameof(MaxRecursionDepth));
        NotNegative(MaxIncludeDepth, nameof(MaxIncludeDepth));
        NotNegative(MaxTemplateLength, nameof(MaxTemplateLength));
        NotNegative(MaxAsyncWaits, nameof(MaxAsyncWaits));
        if (RenderTimeout is { } t && t <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(RenderTimeout), t, "KidaLimits.RenderTimeout must be positive (or null for no limit)");
    }
}
