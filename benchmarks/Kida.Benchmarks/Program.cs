using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Kida.Benchmarks;

// `--verify` only renders every engine once and checks the outputs agree.
// `--short` uses a ShortRun job in-process (fast; what benchmarks/run.sh uses).
// Anything else is passed to BenchmarkSwitcher (e.g. --filter '*Products*' --job short).
Console.WriteLine("Verifying that every engine renders the same HTML...");
new Renderers(Workload.Create()).VerifyAllEqual(Console.Out);

if (args.Contains("--verify")) return 0;

IConfig config = DefaultConfig.Instance
    .AddColumn(StatisticColumn.Median)
    .AddExporter(MarkdownExporter.GitHub);
var rest = args;
if (args.Contains("--short"))
{
    config = config.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("ShortRun-InProcess"));
    rest = args.Where(a => a != "--short").ToArray();
}
BenchmarkSwitcher.FromAssembly(typeof(ProductsBenchmark).Assembly).Run(rest, config);
return 0;
