using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Kida.Benchmarks;

/// <summary>A workload: a model (POCO and dictionary form), the hand-written baseline and the template files
/// of every engine under templates/&lt;name&gt;/&lt;engine&gt;/ (entry point: index.*).</summary>
public sealed class Workload
{
    public static readonly string[] AllNames = ["minimal", "small", "medium", "large", "complex", "products", "page", "shop", "dashboard"];

    public required string Name { get; init; }
    public required object Model { get; init; }
    public required Func<string> HandWritten { get; init; }
    public Dictionary<string, object?> Dict => _dict ??= Data.ToDictionary(Model);
    public IReadOnlyList<Type> Types => _types ??= Data.ModelTypes(Model.GetType()).ToList();

    private Dictionary<string, object?>? _dict;
    private IReadOnlyList<Type>? _types;
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> _files = new();

    public static Workload Create(string name) => name switch
    {
        "minimal" => Make(name, Data.Minimal(), HandWrittenRenderer.Minimal),
        "small" => Make(name, Data.Small(), HandWrittenRenderer.Small),
        "medium" => Make(name, Data.Medium(), HandWrittenRenderer.Medium),
        "large" => Make(name, Data.Large(), HandWrittenRenderer.Large),
        "complex" => Make(name, Data.Complex(), HandWrittenRenderer.Complex),
        "products" => Make(name, Data.Products(), HandWrittenRenderer.Products),
        "page" => Make(name, Data.Page(), HandWrittenRenderer.Page),
        "shop" => Make(name, Data2.Shop(), HandWrittenRenderer2.Shop),
        "dashboard" => Make(name, Data2.Dashboard(), HandWrittenRenderer2.Dashboard),
        _ => throw new ArgumentException("unknown workload " + name),
    };

    private static Workload Make<T>(string name, T model, Func<T, string> hw) where T : class =>
        new() { Name = name, Model = model, HandWritten = () => hw(model) };

    /// <summary>File name to source of templates/&lt;name&gt;/&lt;dir&gt; (the first of the directories that exists).</summary>
    public IReadOnlyDictionary<string, string> Files(params string[] dirs) => _files.GetOrAdd(string.Join("|", dirs), _ =>
    {
        foreach (var dir in dirs)
        {
            var path = Path.Combine(AppContext.BaseDirectory, "templates", Name, dir);
            if (!Directory.Exists(path)) continue;
            return Directory.GetFiles(path).ToDictionary(Path.GetFileName, File.ReadAllText, StringComparer.Ordinal)!;
        }
        throw new DirectoryNotFoundException($"no templates for {Name} in {string.Join(", ", dirs)}");
    });

    /// <summary>Whitespace normalisation (every run collapses to one space, whitespace next to tags dropped)
    /// plus unification of equivalent entity spellings for '"'.</summary>
    public static string Normalise(string html)
    {
        var s = html.Replace("&#34;", "&quot;").Replace("&#x22;", "&quot;").Replace("&#X22;", "&quot;");
        var sb = new StringBuilder(s.Length);
        var pendingSpace = false;
        foreach (var c in s)
        {
            if (char.IsWhiteSpace(c)) { pendingSpace = true; continue; }
            if (pendingSpace)
            {
                if (sb.Length > 0 && sb[^1] != '>' && c != '<') sb.Append(' ');
                pendingSpace = false;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }
}

/// <summary>A workload with every engine compiled once and every output verified equal.</summary>
public sealed class Prepared
{
    public required Workload W { get; init; }
    public required IReadOnlyDictionary<string, Func<string>> Renderers { get; init; }
    public Func<string> this[string engine] => Renderers[engine];
}

public static class Suite
{
    public const string HandWritten = "HandWritten";
    public const string KidaDict = "Kida (dict)";
    /// <summary>Kida given a top-level dictionary of the model's objects (<c>--diag</c> only; not in the BenchmarkDotNet tables).</summary>
    public const string KidaTopDict = "Kida (dict of POCOs)";

    /// <summary>Workloads to run: KIDA_BENCH_WORKLOADS=products,page or all.</summary>
    public static IEnumerable<string> SelectedWorkloads
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("KIDA_BENCH_WORKLOADS");
            if (string.IsNullOrWhiteSpace(env)) return Workload.AllNames;
            var wanted = env.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var w in wanted) if (!Workload.AllNames.Contains(w)) throw new ArgumentException("unknown workload " + w);
            return Workload.AllNames.Where(wanted.Contains).ToArray();
        }
    }

    private static readonly ConcurrentDictionary<string, Lazy<Prepared>> Cache = new();

    public static Prepared Get(string workload) =>
        Cache.GetOrAdd(workload, n => new Lazy<Prepared>(() => Prepare(n, null))).Value;

    public static Prepared Prepare(string name, TextWriter? log)
    {
        var w = Workload.Create(name);
        var renderers = new Dictionary<string, Func<string>>(StringComparer.Ordinal) { [HandWritten] = w.HandWritten };
        var failures = new List<string>();
        // KIDA_BENCH_ENGINES=Kida,Fluid verifies only those (a debugging aid; the benchmarks need every engine)
        var only = Environment.GetEnvironmentVariable("KIDA_BENCH_ENGINES")?.Split(',');
        foreach (var e in Engine.All.Where(e => only is null || only.Contains(e.Name)))
        {
            try { renderers[e.Name] = e.Compile(w); }
            catch (Exception ex) { failures.Add($"{e.Name}: compile threw {ex.GetType().Name}: {ex.Message}"); }
        }
        if (only is null || only.Contains("Kida"))
        try { renderers[KidaDict] = Engine.Kida.CompileDict(w); }
        catch (Exception ex) { failures.Add($"{KidaDict}: compile threw {ex.GetType().Name}: {ex.Message}"); }
        if (only is null || only.Contains("Kida"))
        try { renderers[KidaTopDict] = Engine.Kida.CompileTopDict(w); }
        catch (Exception ex) { failures.Add($"{KidaTopDict}: compile threw {ex.GetType().Name}: {ex.Message}"); }

        var expected = Workload.Normalise(w.HandWritten());
        foreach (var (engine, render) in renderers)
        {
            var problem = Check(engine, render, expected);
            if (problem is not null) failures.Add(problem);
            else log?.WriteLine($"  ok  {name,-9} {engine,-15} ({expected.Length.ToString(CultureInfo.InvariantCulture)} chars normalised)");
        }
        if (failures.Count > 0)
            throw new InvalidOperationException($"ENGINE OUTPUTS DIFFER in workload '{name}' — the benchmark would compare different work:\n" + string.Join("\n", failures));
        return new Prepared { W = w, Renderers = renderers };
    }

    /// <summary>Null if <paramref name="render"/> (run twice: first and cached paths) matches, else a description.</summary>
    public static string? Check(string engine, Func<string> render, string expectedNormalised)
    {
        for (var round = 0; round < 2; round++)
        {
            string actual;
            try { actual = Workload.Normalise(render()); }
            catch (Exception ex) { return $"{engine}: render threw {ex.GetType().Name}: {ex.Message}"; }
            if (actual == expectedNormalised) continue;
            var i = 0;
            while (i < actual.Length && i < expectedNormalised.Length && actual[i] == expectedNormalised[i]) i++;
            var from = Math.Max(0, i - 60);
            return $"{engine} (render {round + 1}): output differs at char {i}\n    expected: ...{Slice(expectedNormalised, from)}...\n    actual:   ...{Slice(actual, from)}...";
        }
        return null;
    }

    private static string Slice(string s, int from) => from >= s.Length ? "" : s.Substring(from, Math.Min(200, s.Length - from));
}
