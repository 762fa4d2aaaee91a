using System.Text;
using Xunit.Abstractions;

namespace Kida.Security.Tests;

/// <summary>Where the attack files and the child runner are, and how verdicts are run and reported.</summary>
internal static class Suite
{
    public static string AttacksDir => Path.Combine(AppContext.BaseDirectory, "Attacks");

    public static string RunnerDll
    {
        get
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "Kida.Security.Runner.dll");
            Assert.True(File.Exists(dll), "the child runner is not beside the tests: " + dll);
            Assert.True(File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")), "the child runner has no runtimeconfig.json");
            return dll;
        }
    }

    /// <summary>Every enabled attack (the *.attacks files copied beside the tests).</summary>
    public static List<Attack> All() =>
        Directory.GetFiles(AttacksDir, "*.attacks").OrderBy(f => f, StringComparer.Ordinal).SelectMany(AttackFile.Parse).ToList();

    /// <summary>Runs attacks in child processes; returns the failed verdicts.</summary>
    public static List<Verdict> Run(IReadOnlyList<Attack> attacks, ITestOutputHelper output, int workers = 2,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var verdicts = ChildRunner.Run(attacks, RunnerDll, workers, line => Log(output, line), environment);
        sw.Stop();
        Log(output, $"{attacks.Count} attacks, {verdicts.Count} runs, {verdicts.Count(v => v.Pass)} acceptable, {sw.Elapsed.TotalSeconds:F1} s");
        foreach (var slow in verdicts.OrderByDescending(v => v.Ms).Take(5)) Log(output, $"slowest: {slow.Id} [{slow.Mode}] {slow.Ms} ms");
        return verdicts.Where(v => !v.Pass).ToList();
    }

    /// <summary>A readable list of failures with repros.</summary>
    public static string Describe(IEnumerable<Verdict> failures, IReadOnlyList<Attack> attacks)
    {
        var byId = attacks.GroupBy(a => a.Id).ToDictionary(g => g.Key, g => g.First());
        var sb = new StringBuilder();
        foreach (var v in failures.Take(40))
        {
            sb.Append("\n- ").Append(v.Id).Append(" [").Append(v.Mode).Append("] ").Append(v.Outcome).Append(": ").Append(v.Detail);
            if (byId.TryGetValue(v.Id, out var a)) sb.Append("\n    ").Append(a.Source).Append(" repro: ").Append(a.Repro());
        }
        return sb.ToString();
    }

    private static void Log(ITestOutputHelper output, string line)
    {
        try { output.WriteLine(line); } catch (InvalidOperationException) { }
    }
}
