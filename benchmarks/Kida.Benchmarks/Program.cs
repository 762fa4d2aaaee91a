using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Kida.Benchmarks;

// Every workload is first rendered by every engine and checked equal (whitespace-normalised); any difference
// throws before anything is measured.
//   --diag     stopwatch loop per engine;  --cpu  interleaved rounds per engine timed by thread CPU time (steadier);  --ablate  Kida cost per template feature (page model)
//   --verify   only verify (KIDA_BENCH_WORKLOADS=products,page limits the workloads everywhere)
//   --short    in-process short job (3 warm-ups, 5 iterations of ~200 ms): what benchmarks/run.sh uses
//   --ops [substring] [--rounds N] [--out file.md]   the filter/test/operator cases (Ops.cs) checked and measured with
//              interleaved stopwatch rounds against hand-written C# (ratios, geometric mean); BenchmarkDotNet: --filter '*Ops*'
//   --dump "case name" [--raw]   the case's template functions as expression trees after tier-up's rewrites (--raw: before)
//   anything else goes to BenchmarkSwitcher, e.g. --filter '*Render*' --job dry
if (args.Contains("--ops")) return OpCases.RunQuick(args);
if (args.Contains("--dump")) return OpCases.Dump(args[Array.IndexOf(args, "--dump") + 1], args.Contains("--raw"));
Console.WriteLine("Verifying that every engine renders the same HTML...");
foreach (var w in Suite.SelectedWorkloads) Suite.Prepare(w, Console.Out);

if (args.Contains("--verify")) return 0;
if (args.Contains("--ablate")) { Ablation.Run(); return 0; }
if (args.Contains("--compile")) { foreach (var w in Suite.SelectedWorkloads) { Console.WriteLine("== " + w); CompileDiag.Run(w); } return 0; }
if (args.Contains("--loop"))
{
    // a profiling aid: renders one workload with Kida for 8 s on KIDA_LOOP_THREADS threads (KIDA_LOOP_DICT=1: dictionary model, KIDA_LOOP_HAND=1: the hand-written renderer)
    var lw = Workload.Create(Suite.SelectedWorkloads.First());
    Func<string> r = Environment.GetEnvironmentVariable("KIDA_LOOP_HAND") is not null ? lw.HandWritten
        : Environment.GetEnvironmentVariable("KIDA_LOOP_DICT") is null ? new KidaEngine().Compile(lw) : new KidaEngine().CompileDict(lw);
    for (var i = 0; i < 2000; i++) r();
    Thread.Sleep(500);
    var threads = int.Parse(Environment.GetEnvironmentVariable("KIDA_LOOP_THREADS") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
    var counts = new long[threads * 16];
    var sw0 = System.Diagnostics.Stopwatch.StartNew();
    var workers = Enumerable.Range(0, threads).Select(t => new Thread(() => { while (sw0.Elapsed.TotalSeconds < 8) { r(); counts[t * 16]++; } })).ToList();
    workers.ForEach(w => w.Start());
    workers.ForEach(w => w.Join());
    Console.WriteLine($"{threads} thread(s): {counts.Sum() / 8.0:F0} renders/s");
    return 0;
}
if (args.Contains("--scaling")) { foreach (var w in Suite.SelectedWorkloads) Scaling.Run(w); return 0; }
if (args.Contains("--cpu")) { foreach (var w in Suite.SelectedWorkloads) { Console.WriteLine("== " + w); CpuDiag.Run(w); } return 0; }
if (args.Contains("--diag")) { foreach (var w in Suite.SelectedWorkloads) { Console.WriteLine("== " + w); Diag.Run(w); } return 0; }

IConfig config = DefaultConfig.Instance
    .AddColumn(StatisticColumn.Median)
    .AddExporter(JsonExporter.Brief)
    .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile);
var rest = args;
if (args.Contains("--short"))
{
    config = config.AddJob(Job.ShortRun
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithWarmupCount(3)
        .WithIterationCount(5)
        .WithIterationTime(TimeInterval.FromMilliseconds(200))
        .WithEvaluateOverhead(false) // µs-scale benchmarks: the ~1 ns call overhead is noise here
        .WithId("Short-InProcess"));
    rest = args.Where(a => a != "--short").ToArray();
}
BenchmarkSwitcher.FromAssembly(typeof(Render).Assembly).Run(rest, config);
return 0;
