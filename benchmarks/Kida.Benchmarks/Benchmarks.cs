using BenchmarkDotNet.Attributes;

namespace Kida.Benchmarks;

/// <summary>Render only: every template compiled (and verified) in setup.</summary>
[MemoryDiagnoser]
public class Render
{
    [ParamsSource(nameof(Workloads))]
    public string Workload { get; set; } = "";

    public static IEnumerable<string> Workloads => Suite.SelectedWorkloads;

    private Prepared _p = null!;
    private Func<string> _hw = null!, _kida = null!, _kidaDict = null!, _fluid = null!, _scriban = null!, _hb = null!, _dl = null!, _razor = null!;

    [GlobalSetup]
    public void Setup()
    {
        _p = Suite.Get(Workload);
        _hw = _p[Suite.HandWritten];
        _kida = _p[Engine.Kida.Name];
        _kidaDict = _p[Suite.KidaDict];
        _fluid = _p[Engine.Fluid.Name];
        _scriban = _p[Engine.Scriban.Name];
        _hb = _p[Engine.Handlebars.Name];
        _dl = _p[Engine.DotLiquid.Name];
        _razor = _p[Engine.RazorLight.Name];
    }

    [Benchmark(Baseline = true)] public string HandWritten() => _hw();
    [Benchmark] public string Kida() => _kida();
    [Benchmark] public string KidaDict() => _kidaDict();
    [Benchmark] public string Fluid() => _fluid();
    [Benchmark] public string Scriban() => _scriban();
    [Benchmark] public string HandlebarsNet() => _hb();
    [Benchmark] public string DotLiquid() => _dl();
    [Benchmark] public string RazorLight() => _razor();
}

/// <summary>Parse + compile only: a fresh environment per engine, every template file of the workload
/// parsed and compiled, nothing rendered (engines that compile lazily do the rest on first render: see Cold).</summary>
[MemoryDiagnoser]
public class Compile
{
    [ParamsSource(nameof(Workloads))]
    public string Workload { get; set; } = "";

    public static IEnumerable<string> Workloads => Suite.SelectedWorkloads;

    private Workload _w = null!;

    [GlobalSetup]
    public void Setup() => _w = Suite.Get(Workload).W;

    [Benchmark] public object Kida() => Engine.Kida.Compile(_w);
    [Benchmark] public object Fluid() => Engine.Fluid.Compile(_w);
    [Benchmark] public object Scriban() => Engine.Scriban.Compile(_w);
    [Benchmark] public object HandlebarsNet() => Engine.Handlebars.Compile(_w);
    [Benchmark] public object DotLiquid() => Engine.DotLiquid.Compile(_w);
    [Benchmark] public object RazorLight() => Engine.RazorLight.Compile(_w);
}

/// <summary>First render cold: new environment + parse + compile + one render.</summary>
[MemoryDiagnoser]
public class Cold
{
    [ParamsSource(nameof(Workloads))]
    public string Workload { get; set; } = "";

    public static IEnumerable<string> Workloads => Suite.SelectedWorkloads;

    private Workload _w = null!;

    [GlobalSetup]
    public void Setup() => _w = Suite.Get(Workload).W;

    [Benchmark] public string Kida() => Engine.Kida.Compile(_w)();
    [Benchmark] public string Fluid() => Engine.Fluid.Compile(_w)();
    [Benchmark] public string Scriban() => Engine.Scriban.Compile(_w)();
    [Benchmark] public string HandlebarsNet() => Engine.Handlebars.Compile(_w)();
    [Benchmark] public string DotLiquid() => Engine.DotLiquid.Compile(_w)();
    [Benchmark] public string RazorLight() => Engine.RazorLight.Compile(_w)();
}

/// <summary>Thread scaling: a fixed number of renders split across <see cref="ThreadCount"/> threads, all
/// sharing one compiled template. Time is per render (wall clock); throughput = 1/time. Products is the
/// issue's workload; page (extends + include + macro) also exercises template lookups during rendering.
/// More iterations than the other benchmarks: on a 2-core machine one descheduled thread moves a 2-thread median.</summary>
[MemoryDiagnoser]
[WarmupCount(5)]
[IterationCount(15)]
public class Threads
{
    public const int ProductsPerInvoke = 96;
    public const int PagesPerInvoke = 4800;

    [ParamsSource(nameof(Engines))]
    public string Engine { get; set; } = "";

    [ParamsSource(nameof(ThreadCounts))]
    public int ThreadCount { get; set; }

    public static IEnumerable<string> Engines =>
        new[] { Suite.HandWritten }.Concat(Benchmarks.Engine.All.Select(e => e.Name));

    public static IEnumerable<int> ThreadCounts => new[] { 1, 2, Environment.ProcessorCount }.Distinct().Order();

    private Func<string> _products = null!, _page = null!;
    private string[] _outputs = null!;

    [GlobalSetup]
    public void Setup()
    {
        _outputs = new string[PagesPerInvoke];
        _products = Prepare("products", ProductsPerInvoke);
        _page = Prepare("page", PagesPerInvoke);
    }

    // Concurrent correctness: every render of a threaded round must equal the hand-written output.
    private Func<string> Prepare(string workload, int renders)
    {
        var p = Suite.Get(workload);
        var render = p[Engine];
        Run(render, renders, keepAll: true);
        var expected = Workload.Normalise(p[Suite.HandWritten]());
        foreach (var o in _outputs.Take(renders).Distinct())
            if (Workload.Normalise(o) != expected)
                throw new InvalidOperationException($"{Engine} renders {workload} differently with {ThreadCount} threads");
        return render;
    }

    [Benchmark(OperationsPerInvoke = ProductsPerInvoke)]
    public void Products() => Run(_products, ProductsPerInvoke);

    [Benchmark(OperationsPerInvoke = PagesPerInvoke)]
    public void Page() => Run(_page, PagesPerInvoke);

    /// <summary>
    /// <paramref name="renders"/> renders split across the threads. With <paramref name="keepAll"/> (the correctness check)
    /// every output is kept; while measuring, each thread keeps only its last one, so outputs die young as in a server
    /// (keeping 48 products pages alive would promote them and measure the GC's promotion work instead of the engine).
    /// </summary>
    private void Run(Func<string> render, int renders, bool keepAll = false)
    {
        var threads = ThreadCount;
        var outputs = _outputs;
        if (threads == 1)
        {
            for (var i = 0; i < renders; i++) outputs[keepAll ? i : 0] = render();
            return;
        }
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (var i = t; i < renders; i += threads) outputs[keepAll ? i : t * 16] = render(); // 16 slots apart: no false sharing
        });
    }
}
