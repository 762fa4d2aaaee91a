using System.Text.Json;
using Kida;

// Renders every conformance case (shared/conformance/cases/*.json) in interpretation mode and judges it as the
// conformance runner does: the exact output, or an error of the expected kind. Prints the failures and a summary.
// Usage: Kida.AotSmoke [<cases-folder> [--filter TEXT]]   (without a folder: the .NET model cases only)
if (args.Length >= 1 && !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: Kida.AotSmoke [<cases-folder> [--filter TEXT]]");
    return 2;
}
var filter = args.Length >= 3 && args[1] == "--filter" ? args[2] : null;
int passed = 0, failed = 0;
var failures = new Dictionary<string, int>();
foreach (var file in args.Length == 0 ? Enumerable.Empty<string>() : Directory.GetFiles(args[0], "*.json").Order(StringComparer.Ordinal))
{
    using var doc = JsonDocument.Parse(File.ReadAllText(file));
    foreach (var c in doc.RootElement.EnumerateArray())
    {
        var id = c.GetProperty("id").GetString()!;
        if (filter is not null && !id.Contains(filter, StringComparison.Ordinal)) continue;
        var (ok, detail) = Run(c);
        if (ok) { passed++; continue; }
        failed++;
        Console.WriteLine($"FAIL {id}: {detail}");
        var key = detail.Length > 80 ? detail[..80] : detail;
        failures[key] = failures.GetValueOrDefault(key) + 1;
    }
}
// .NET models, which the JSON cases do not cover: members found by reflection on types the trimmer must keep
foreach (var (template, model, expected) in new (string, object, string)[]
{
    ("{{ user.first_name }} {{ user.FirstName }}", new { user = new User("Ada", ["x"]) }, "Ada Ada"),
    ("{{ user.first_name }}|{{ user.tags|join(',') }}", new Dictionary<string, object?> { ["user"] = new User("Ada", ["x", "y"]) }, "Ada|x,y"),
    ("{{ user.first_name }}", new Holder(new User("Ada", [])), "Ada"),
    ("{% for u in users %}{{ loop.index }}:{{ u.first_name }}{% if not loop.last %},{% endif %}{% endfor %}",
        new { users = new List<User> { new("Ada", []), new("Bob", []) } }, "1:Ada,2:Bob"),
    ("{{ user.tags|join(', ') }}|{{ names|join('-') }}|{{ names|length }}", new { user = new User("Ada", ["a", "b"]), names = new[] { "x", "y" } }, "a, b|x-y|2"),
    ("{{ order.total }} {{ order.lines[0].sku }} {{ order.lines|map(attribute='qty')|sum }}",
        new { order = new Order(12.5m, [new Line("T-1", 2), new Line("T-2", 3)]) }, "12.5 T-1 5"),
    // reached by reflection on runtime generic types (kept by the DynamicDependency attributes of the engine)
    ("{{ stats['b'] }}|{{ stats|length }}|{{ row|length }}|{{ row[1] }}",
        new { stats = new Counts(new() { ["a"] = 1, ["b"] = 2 }), row = new Row([4, 5, 6]) }, "2|2|3|5"),
    ("{{ job.done }}|{{ job.later }}", new { job = new Job() }, "7|8"),
    ("{{ calc.sum(1, 2, 3) }}|{{ calc.sum() }}", new { calc = new Calc() }, "6|0"),
})
{
    string output;
    try { output = new KidaEnvironment(new KidaOptions { PreferInterpretation = true }).FromString(template).Render(model); }
    catch (Exception ex) { output = $"{ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}"; }
    if (output == expected) { passed++; continue; }
    failed++;
    Console.WriteLine($"FAIL model case {template}: expected {expected}, got {output}");
    var key = output.Length > 80 ? output[..80] : output;
    failures[key] = failures.GetValueOrDefault(key) + 1;
}

// {% async for %} over an IAsyncEnumerable<int> (a value-type element: the engine reaches it through its interfaces)
{
    string output;
    try
    {
        var writer = new StringWriter();
        await new KidaEnvironment(new KidaOptions { PreferInterpretation = true })
            .FromString("{% async for n in numbers %}{{ n }}{% endfor %}").RenderAsync(writer, new { numbers = Numbers(3) });
        output = writer.ToString();
    }
    catch (Exception ex) { output = $"{ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}"; }
    if (output == "123") passed++;
    else
    {
        failed++;
        Console.WriteLine($"FAIL model case async for: expected 123, got {output}");
        failures[output.Length > 80 ? output[..80] : output] = failures.GetValueOrDefault(output) + 1;
    }
}

if (failures.Count > 0)
{
    Console.WriteLine("\nmost frequent failures:");
    foreach (var (message, count) in failures.OrderByDescending(f => f.Value).Take(10)) Console.WriteLine($"  {count,4} × {message}");
}
Console.WriteLine($"NativeAOT (interpreted): {passed} passed, {failed} failed");
return failed == 0 ? 0 : 1;

static (bool Ok, string Detail) Run(JsonElement c)
{
    var templates = new Dictionary<string, string>(StringComparer.Ordinal);
    foreach (var t in c.GetProperty("templates").EnumerateObject()) templates[t.Name] = t.Value.GetString()!;
    var options = c.TryGetProperty("options", out var o) ? o : default;
    bool Option(string name, bool fallback) =>
        options.ValueKind == JsonValueKind.Object && options.TryGetProperty(name, out var v) ? v.GetBoolean() : fallback;
    var expected = c.TryGetProperty("expected", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
    var error = c.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.String ? err.GetString() : null;
    try
    {
        var env = new KidaEnvironment(new KidaOptions
        {
            Loader = new DictLoader(templates),
            Autoescape = Option("autoescape", true),
            TrimBlocks = Option("trim_blocks", false),
            LstripBlocks = Option("lstrip_blocks", false),
            PreferInterpretation = true,
        });
        var output = env.GetTemplate(c.GetProperty("entry").GetString()!)
            .Render(c.TryGetProperty("context", out var ctx) ? ToModel(ctx) : null);
        if (error is not null) return (false, $"expected a {error} error, got output");
        return output == expected ? (true, "") : (false, "different output");
    }
    catch (Exception ex)
    {
        if (error is not null && Matches(error, ex)) return (true, "");
        return (false, $"{ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
    }
}

static async IAsyncEnumerable<int> Numbers(int count)
{
    for (var i = 1; i <= count; i++)
    {
        await Task.Yield();
        yield return i;
    }
}

static bool Matches(string kind, Exception ex) => kind switch
{
    "syntax" => ex is TemplateSyntaxException,
    "not_found" => ex is TemplateNotFoundException,
    "undefined" => ex is UndefinedException,
    "runtime" => ex is TemplateException,
    _ => false,
};

// JSON values as the conformance runner hands them over: objects as dictionaries in key order, integers as long
static object? ToModel(JsonElement e) => e.ValueKind switch
{
    JsonValueKind.Object => e.EnumerateObject().Aggregate(new Dictionary<string, object?>(), (d, p) => { d[p.Name] = ToModel(p.Value); return d; }),
    JsonValueKind.Array => e.EnumerateArray().Select(ToModel).ToList(),
    JsonValueKind.String => e.GetString(),
    JsonValueKind.Number => e.TryGetInt64(out var l) ? (object)l : e.GetDouble(),
    JsonValueKind.True => true,
    JsonValueKind.False => false,
    _ => null,
};

/// <summary>A model type read through members (snake_case and exact names).</summary>
internal sealed record User(string FirstName, string[] Tags);

/// <summary>A nested model.</summary>
internal sealed record Order(decimal Total, List<Line> Lines);

/// <summary>An order line.</summary>
internal sealed record Line(string Sku, int Qty);

/// <summary>A named model type at the top level.</summary>
internal sealed record Holder(User User);

/// <summary>A read-only map that is not a Dictionary (read through its generic interfaces).</summary>
internal sealed class Counts(Dictionary<string, int> inner) : IReadOnlyDictionary<string, int>
{
    public int this[string key] => inner[key];
    public IEnumerable<string> Keys => inner.Keys;
    public IEnumerable<int> Values => inner.Values;
    public int Count => inner.Count;
    public bool ContainsKey(string key) => inner.ContainsKey(key);
    public bool TryGetValue(string key, out int value) => inner.TryGetValue(key, out value);
    public IEnumerator<KeyValuePair<string, int>> GetEnumerator() => inner.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A read-only list of a value type that is not a List.</summary>
internal sealed class Row(int[] items) : IReadOnlyList<int>
{
    public int this[int index] => items[index];
    public int Count => items.Length;
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)items).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => items.GetEnumerator();
}

/// <summary>Members of task types: templates see their results.</summary>
internal sealed class Job
{
    public Task<int> Done => Task.FromResult(7);
    public ValueTask<int> Later => new(8);
}

/// <summary>A method with a params array of a value type.</summary>
internal sealed class Calc
{
    public int Sum(params int[] values) => values.Sum();
}
