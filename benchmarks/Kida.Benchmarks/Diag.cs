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
