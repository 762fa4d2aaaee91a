using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Kida.Security;

/// <summary>
/// Runs attacks in child processes of the runner (<c>dotnet Kida.Security.Runner.dll --child FILE START</c>): every
/// run happens on a thread with a 1 MB stack; the child prints one line per run; a run that crashes the child
/// (stack overflow, out of memory, Environment.Exit) or hangs is reported as <c>crash</c> or <c>timeout</c>, and a
/// new child goes on with the next run. The child's GC heap is capped, so memory attacks end in
/// OutOfMemoryException inside the child instead of exhausting the machine.
/// </summary>
public static class ChildRunner
{
    /// <summary>The GC heap cap of a child (768 MB).</summary>
    public const string HeapHardLimit = "0x30000000";

    /// <summary>How long the parent waits for any line from the child before killing it.</summary>
    public static readonly TimeSpan Silence = TimeSpan.FromSeconds(30);

    /// <summary>The (attack index, mode) runs of a list of attacks, in order.</summary>
    public static List<(int Attack, string Mode)> Jobs(IReadOnlyList<Attack> attacks) =>
        attacks.SelectMany((a, i) => a.ModeList().Select(m => (i, m))).ToList();

    /// <summary>Runs every attack in child processes (<paramref name="workers"/> at a time); one verdict per run.</summary>
    public static List<Verdict> Run(IReadOnlyList<Attack> attacks, string runnerDll, int workers = 1, Action<string>? log = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        if (workers <= 1 || attacks.Count < 2) return RunShard(attacks, runnerDll, log, environment);
        var shards = Enumerable.Range(0, workers).Select(w => attacks.Where((_, i) => i % workers == w).ToList()).ToList();
        var results = new List<Verdict>[workers];
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w => results[w] = RunShard(shards[w], runnerDll, log, environment));
        return results.SelectMany(r => r).ToList();
    }

    private static List<Verdict> RunShard(IReadOnlyList<Attack> attacks, string runnerDll, Action<string>? log,
        IReadOnlyDictionary<string, string>? environment)
    {
        var jobs = Jobs(attacks);
        var verdicts = new Verdict?[jobs.Count];
        var dir = Path.Combine(Path.GetTempPath(), "kida-sec-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "attacks.json");
        File.WriteAllText(file, JsonSerializer.Serialize(attacks));
        try
        {
            var next = 0;
            var starts = 0;
            while (next < jobs.Count)
            {
                starts++;
                next = RunChild(runnerDll, file, dir, next, jobs, attacks, verdicts, log, environment);
            }
            log?.Invoke($"{jobs.Count} runs in {starts} child process(es)");
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return verdicts.Select((v, i) => v ?? new Verdict
        {
            Id = attacks[jobs[i].Attack].Id, Mode = jobs[i].Mode, Outcome = "crash", Detail = "no result",
        }).ToList();
    }

    /// <summary>Runs one child from job <paramref name="start"/>; returns the job to resume at.</summary>
    private static int RunChild(string runnerDll, string file, string dir, int start, List<(int Attack, string Mode)> jobs,
        IReadOnlyList<Attack> attacks, Verdict?[] verdicts, Action<string>? log, IReadOnlyDictionary<string, string>? environment)
    {
        var psi = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(runnerDll);
        psi.ArgumentList.Add("--child");
        psi.ArgumentList.Add(file);
        psi.ArgumentList.Add(start.ToString(System.Globalization.CultureInfo.InvariantCulture));
        psi.Environment[Contexts.SecretVariable] = Contexts.Secret;
        psi.Environment["KIDA_SEC_DIR"] = Path.Combine(dir, "fixture");
        psi.Environment["DOTNET_GCHeapHardLimit"] = HeapHardLimit;
        psi.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        psi.Environment["DOTNET_gcServer"] = "0";
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the runner");
        process.StandardInput.Close();
        var stderr = new StringBuilder();
        var stderrHead = new List<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr)
            {
                if (stderrHead.Count < 3 && e.Data.Trim().Length > 0) stderrHead.Add(e.Data.Trim());
                if (stderr.Length > 8000) stderr.Remove(0, stderr.Length - 4000);
                stderr.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        var current = -1;
        var ended = false;
        string? hang = null;
        while (true)
        {
            var read = process.StandardOutput.ReadLineAsync();
            if (!read.Wait(Silence))
            {
                hang = $"the child printed nothing for {Silence.TotalSeconds} s";
                Kill(process);
                break;
            }
            var line = read.Result;
            if (line is null) break;
            if (line.StartsWith("@@BEGIN ", StringComparison.Ordinal)) current = int.Parse(line[8..], System.Globalization.CultureInfo.InvariantCulture);
            else if (line.StartsWith("@@V ", StringComparison.Ordinal))
            {
                var space = line.IndexOf(' ', 4);
                var job = int.Parse(line[4..space], System.Globalization.CultureInfo.InvariantCulture);
                verdicts[job] = JsonSerializer.Deserialize<Verdict>(line[(space + 1)..]);
            }
            else if (line.StartsWith("@@HANG ", StringComparison.Ordinal)) hang = "the run did not end within " + line[7..];
            else if (line == "@@END") ended = true;
        }
        if (!process.WaitForExit(10_000)) Kill(process);
        process.WaitForExit();
        if (ended) return jobs.Count;
        if (current < 0 || verdicts[current] is not null)
        {
            // died between runs (or before the first): blame the next run, or give up when it is the start again
            var blame = current < 0 ? start : current + 1;
            if (blame >= jobs.Count) return jobs.Count;
            current = blame;
        }
        string tail;
        lock (stderr) tail = stderr.ToString();
        string lastLines;
        lock (stderr) lastLines = string.Join(" | ", stderrHead.Concat(tail.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("at ", StringComparison.Ordinal)).TakeLast(2)).Distinct());
        if (lastLines.Length > 400) lastLines = lastLines[..400] + "…";
        var (attackIndex, mode) = jobs[current];
        verdicts[current] = new Verdict
        {
            Id = attacks[attackIndex].Id,
            Mode = mode,
            Outcome = hang is null ? "crash" : "timeout",
            Detail = hang ?? $"the child process died (exit code {process.ExitCode}): {lastLines}",
        };
        log?.Invoke($"{verdicts[current]!.Outcome}: {attacks[attackIndex].Id} [{mode}] {verdicts[current]!.Detail}");
        return current + 1;
    }

    private static void Kill(Process process)
    {
        try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    /// <summary>The dotnet host that runs the child.</summary>
    public static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h)) return h;
        if (Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet") return p;
        return "dotnet";
    }
}
