using System.Diagnostics;

namespace Kida.Benchmarks;

/// <summary>`--diag [workload]`: a quick stopwatch loop per engine (sanity check outside BenchmarkDotNet).</summary>
public static class Diag
{
    public static void Run(string workload)
    {
        var p = Suite.Get(workload);
        for (var pass = 0; pass < 2; pass++)
        foreach (var (name, render) in p.Renderers)
        {
            for (var i = 0; i < 200; i++) render();
            var best = double.MaxValue;
            for (var round = 0; round < 5; round++)
            {
                var n = 0;
                var alloc0 = GC.GetAllocatedBytesForCurrentThread();
                var sw = Stopwatch.StartNew();
                while (sw.ElapsedMilliseconds < 200) { render(); n++; }
                var per = sw.Elapsed.TotalMicroseconds / n;
                if (per < best) best = per;
                if (round == 4 && pass == 1) Console.WriteLine($"{name,-16} best {best,10:F2} µs   {(GC.GetAllocatedBytesForCurrentThread() - alloc0) / n,10} B/render");
            }
        }
    }
}

/// <summary>
/// `--cpu`: every engine of each selected workload measured in interleaved rounds (one round of each engine in turn, ~20 ms
/// each) by this thread's CPU time (OpCases.Time), after a 2 s warm-up; prints the fastest round per engine and its ratio to the
/// hand-written renderer. On the shared machine this is steadier than --diag's stopwatch.
/// </summary>
public static class CpuDiag
{
    public static void Run(string workload, int rounds = 9)
    {
        var p = Suite.Get(workload);
        var engines = p.Renderers.ToList();
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 2000) foreach (var (_, r) in engines) r();
        var per = engines.ToDictionary(e => e.Key, e => Math.Max(1, (int)(20000 / Math.Max(1, OpCases.Time(e.Value, 2)))));
        var best = engines.ToDictionary(e => e.Key, _ => double.MaxValue);
        for (var round = 0; round < rounds; round++)
            foreach (var (name, r) in round % 2 == 0 ? engines : Enumerable.Reverse(engines))
                best[name] = Math.Min(best[name], OpCases.Time(r, per[name]));
        var hw = best[Suite.HandWritten];
        foreach (var (name, t) in best.OrderBy(kv => kv.Value))
            Console.WriteLine($"  {name,-22} {t,10:F1} µs   {t / hw,6:F2}× hand-written");
    }
}

/// <summary>`--compile [workload]`: stopwatch medians of Kida's parse+compile and first render cold, per workload.</summary>
public static class CompileDiag
{
    public static void Run(string workload)
    {
        var w = Workload.Create(workload);
        var kida = new KidaEngine();
        for (var i = 0; i < 20; i++) kida.Compile(w)();
        foreach (var (label, cold) in new[] { ("parse+compile", false), ("first render", true) })
        {
            var times = new List<double>();
            for (var i = 0; i < 200; i++)
            {
                var sw = Stopwatch.StartNew();
                var f = kida.Compile(w);
                if (cold) f();
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine($"{label,-14} median {times[times.Count / 2],8:F3} ms   p90 {times[times.Count * 9 / 10],8:F3} ms");
        }
    }
}

/// <summary>
/// `--scaling [workload]`: 2-thread ÷ 1-thread throughput measured interleaved. On a shared 2-core machine the speed
/// of the machine itself drifts by ±50% over seconds, so separate 1- and 2-thread runs (BenchmarkDotNet's) compare
/// different machines. Here each group runs one round per engine and thread count back to back (~20–50 ms each, the
/// Threads benchmark's Parallel.For shape), and the ratio is taken within the group; the median over groups is printed.
/// KIDA_SCALING_ENGINES=Kida,HandWritten (default) selects engines; KIDA_SCALING_SECONDS (default 20) the duration.
/// </summary>
public static class Scaling
{
    public static void Run(string workload)
    {
        var p = Suite.Get(workload);
        var names = (Environment.GetEnvironmentVariable("KIDA_SCALING_ENGINES") ?? $"Kida,{Suite.HandWritten}").Split(',');
        var renders = workload == "products" ? Threads.ProductsPerInvoke : Threads.PagesPerInvoke;
        var seconds = double.Parse(Environment.GetEnvironmentVariable("KIDA_SCALING_SECONDS") ?? "20", System.Globalization.CultureInfo.InvariantCulture);
        var outs = new string[2 * 16];
        var ratios = names.ToDictionary(n => n, _ => new List<double>());
        var bytes = names.ToDictionary(n => n, _ => 0L);
        var count = names.ToDictionary(n => n, _ => 0L);
        var one = names.ToDictionary(n => n, _ => new List<double>());
        var two = names.ToDictionary(n => n, _ => new List<double>());
        double Round(Func<string> render, int threads)
        {
            var sw = Stopwatch.StartNew();
            if (threads == 1) for (var i = 0; i < renders; i++) outs[0] = render();
            else Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                for (var i = t; i < renders; i += threads) outs[t * 16] = render();
            });
            return sw.Elapsed.TotalMilliseconds;
        }
        foreach (var n in names) for (var i = 0; i < 20; i++) { Round(p[n], 1); Round(p[n], 2); }
        var total = Stopwatch.StartNew();
        var group = 0;
        var gc0 = GC.CollectionCount(0);
        var pause0 = GC.GetTotalPauseDuration();
        while (total.Elapsed.TotalSeconds < seconds)
        {
            foreach (var n in names)
            {
                // alternate the order so neither thread count always runs first
                double t1, t2;
                var b0 = GC.GetTotalAllocatedBytes(true);
                if (group % 2 == 0) { t1 = Round(p[n], 1); t2 = Round(p[n], 2); }
                else { t2 = Round(p[n], 2); t1 = Round(p[n], 1); }
                bytes[n] += GC.GetTotalAllocatedBytes(true) - b0; count[n] += 2 * renders;
                ratios[n].Add(t1 / t2); one[n].Add(t1); two[n].Add(t2);
            }
            group++;
        }
        static double Median(List<double> v) { v.Sort(); return v[v.Count / 2]; }
        Console.WriteLine($"{workload}: {group} interleaved groups of {renders} renders, Parallel.For, {(System.Runtime.GCSettings.IsServerGC ? "Server" : "workstation")} GC: "
            + $"{GC.CollectionCount(0) - gc0} collections, {(GC.GetTotalPauseDuration() - pause0).TotalMilliseconds / total.Elapsed.TotalMilliseconds:P1} of the time paused");
        var gi = GC.GetGCMemoryInfo(GCKind.Ephemeral);
        Console.WriteLine($"  last ephemeral GC: promoted {gi.PromotedBytes} B, pause {gi.PauseDurations[0].TotalMicroseconds:F0} µs, gen0 before {gi.GenerationInfo[0].SizeBeforeBytes} B after {gi.GenerationInfo[0].SizeAfterBytes} B, gen1 after {gi.GenerationInfo[1].SizeAfterBytes} B, heap {gi.HeapSizeBytes} B");
        foreach (var n in names)
            Console.WriteLine($"  {n,-12} 1 thread {Median(one[n]) * 1000 / renders,8:F2} µs/render   2 threads {Median(two[n]) * 1000 / renders,8:F2} µs/render   speedup (median of per-group ratios) {Median(ratios[n]):F2}×   {bytes[n] / count[n]} B/render");
    }
}
