using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Kida.Security.Tests;

/// <summary>
/// Deterministic mutation fuzzer: takes seed cases (the golden corpus beside the tests and, when present, the shared
/// conformance cases) and mutates their templates at byte and token level (delete, duplicate, swap, repeat spans;
/// insert tags, operators, brackets, filters and huge numbers) and their contexts (huge, long, deep, hostile
/// values). Every case becomes an <see cref="Attack"/> expecting success or a TemplateException with a position;
/// every fourth case runs sandboxed.
/// </summary>
internal static class Fuzzer
{
    internal sealed record Seed(string Name, Dictionary<string, string> Templates, string Entry, string Context, Dictionary<string, string> Options);

    private static readonly string[] Tokens =
    [
        "{{ ", " }}", "{% ", " %}", "{# ", " #}", "{%- ", " -%}", "{{- ", " -}}", "(", ")", "[", "]", "{", "}", ",", ":", ".", "|",
        " + ", " - ", " * ", " / ", " // ", " % ", " ** ", " ~ ", " == ", " != ", " < ", " >= ", " and ", " or ", " not ", " in ",
        " is ", " if ", " else ", " ?? ", "?.", " none ", " true ", "'", "\"", "\\", "\n", "$NL",
        "{% if x %}", "{% endif %}", "{% for x in y %}", "{% endfor %}", "{% else %}", "{% end %}", "{% block b %}", "{% endblock %}",
        "{% set x = 1 %}", "{% with a = 1 %}", "{% macro m(a) %}", "{% endmacro %}", "{% def d() %}", "{% call m(1) %}",
        "{% try %}", "{% fallback %}", "{% match x %}{% case 1 %}", "{% cache 'k' %}", "{% raw %}", "{% endraw %}",
        "{% include 'main.html' %}", "{% extends 'main.html' %}", "{% import 'main.html' as z %}", "{{ self.b() }}", "{{ super() }}",
        "{{ caller() }}", "{{ loop(x) }}", "{{ m(1) }}", "{{ d() }}", "{% while true %}", "{% break %}", "{% continue %}",
        "|e", "|safe", "|tojson", "|pprint", "|sort", "|unique", "|list", "|length", "|join", "|first", "|last", "|reverse",
        "|wordwrap(1)", "|int", "|string", "|urlize", "|xmlattr", "|truncate(10**12)", "|replace('', 'x')", "|format(1)",
        "|map('upper')", "99999999999999999999999999", "1e309", "-9223372036854775808", "range(100000)", "x.y.z", "x[0][0]",
        "ns.a", "namespace()",
    ];

    /// <summary>Tokens that ask for huge sizes (widths, repetitions, big integers): generated only with
    /// <see cref="Pending"/> "huge" enabled.</summary>
    private static readonly string[] HugeTokens =
    [
        "|center(10**9)", "|indent(10**9)", "|batch(10**9)", "|slice(10**9)", "|round(-10**9)", "10**10", "2 ** 10**10",
        "'x' * 10**9", "[0] * 10**8", "range(10**9)", "'{:>1000000000}'.format(1)", ".ljust(10**10)", "|wordwrap(1)|center(10**8)",
    ];

    /// <summary>
    /// Mutation families that still find engine defects on main ("long-repeat": spans repeated hundreds of times,
    /// giving chains of thousands of operators or filters; "huge": huge widths, repetitions and integers). A family
    /// listed here is generated only with KIDA_FUZZ_ALL=1, so CI stays green while long runs keep finding the defect;
    /// it leaves the list as soon as the engine handles it. Empty: every family runs in CI.
    /// </summary>
    public static readonly HashSet<string> Pending = [];

    private static bool Enabled(string family) =>
        !Pending.Contains(family) || Environment.GetEnvironmentVariable("KIDA_FUZZ_ALL") == "1";

    private static readonly JsonNode?[] HostileValues =
    [
        JsonValue.Create(1e308), JsonValue.Create(-1), JsonValue.Create(0), JsonValue.Create(long.MaxValue), JsonValue.Create(""),
        JsonValue.Create(new string('x', 10_000)), JsonValue.Create("<script>'\"&</script>"), JsonValue.Create("\u0000\ud800"),
        null, JsonValue.Create(true), new JsonArray(), new JsonObject(), JsonValue.Create(4.5),
    ];

    /// <summary>The seeds: golden cases beside the tests, then the shared conformance cases when found.</summary>
    public static List<Seed> Seeds()
    {
        var seeds = new List<Seed>();
        var golden = Path.Combine(AppContext.BaseDirectory, "Seeds", "Golden");
        if (Directory.Exists(golden))
        {
            foreach (var data in Directory.GetFiles(golden, "data.json", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
            {
                var dir = Path.GetDirectoryName(data)!;
                using var doc = JsonDocument.Parse(File.ReadAllText(data));
                var root = doc.RootElement;
                var templates = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var t in root.GetProperty("templates").EnumerateArray())
                    if (File.Exists(Path.Combine(dir, t.GetString()!))) templates[t.GetString()!] = File.ReadAllText(Path.Combine(dir, t.GetString()!));
                Add(seeds, Path.GetRelativePath(golden, dir), templates, root.GetProperty("entry").GetString()!, root.GetProperty("context"), root);
            }
        }
        if (FindConformance() is { } cases)
        {
            foreach (var file in Directory.GetFiles(cases, "*.json").OrderBy(f => f, StringComparer.Ordinal))
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(file));
                foreach (var c in doc.RootElement.EnumerateArray())
                {
                    var templates = c.GetProperty("templates").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);
                    Add(seeds, c.GetProperty("id").GetString()!, templates, c.GetProperty("entry").GetString()!, c.GetProperty("context"), c);
                }
            }
        }
        return seeds;
    }

    private static void Add(List<Seed> seeds, string name, Dictionary<string, string> templates, string entry, JsonElement context, JsonElement root)
    {
        if (!templates.ContainsKey(entry)) return;
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("options", out var o))
        {
            if (o.TryGetProperty("autoescape", out var a) && a.ValueKind == JsonValueKind.False) options["autoescape"] = "0";
            if (o.TryGetProperty("trim_blocks", out var t) && t.ValueKind == JsonValueKind.True) options["trim"] = "1";
            if (o.TryGetProperty("lstrip_blocks", out var l) && l.ValueKind == JsonValueKind.True) options["lstrip"] = "1";
        }
        seeds.Add(new Seed(name, templates, entry, context.ValueKind == JsonValueKind.Object ? context.GetRawText() : "{}", options));
    }

    private static string? FindConformance()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Kida.AspNetCore.sln"))) continue;
            var cases = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "conformance", "cases"));
            return Directory.Exists(cases) ? cases : null;
        }
        return null;
    }

    /// <summary><paramref name="count"/> mutated cases from <paramref name="seed"/> (same inputs, same cases).</summary>
    public static List<Attack> Generate(IReadOnlyList<Seed> seeds, int count, int seed)
    {
        var rnd = new Random(seed);
        var attacks = new List<Attack>(count);
        for (var n = 0; n < count; n++)
        {
            var s = seeds[rnd.Next(seeds.Count)];
            var templates = new Dictionary<string, string>(s.Templates, StringComparer.Ordinal);
            var target = rnd.Next(4) == 0 ? templates.Keys.ElementAt(rnd.Next(templates.Count)) : s.Entry;
            var text = templates[target];
            var steps = 1 + rnd.Next(3);
            for (var i = 0; i < steps; i++) text = Mutate(text, rnd);
            templates[target] = text;
            var context = rnd.Next(3) == 0 ? MutateContext(s.Context, rnd) : s.Context;
            attacks.Add(new Attack
            {
                Id = $"fuzz.{seed}-{n}",
                Source = "seed " + s.Name,
                Owner = "fuzz",
                Templates = templates,
                Entry = s.Entry,
                Context = (rnd.Next(20) == 0 ? "cyclic " : "") + context,
                Options = n % 4 == 3
                    ? new Dictionary<string, string>(s.Options, StringComparer.Ordinal) { ["sandbox"] = "1" }
                    : new Dictionary<string, string>(s.Options, StringComparer.Ordinal),
                Expect = Expectation.Any,
                Modes = n % 2 == 0 ? "compiled" : "interpreted",
            });
        }
        return attacks;
    }

    private static readonly Regex Tag = new(@"\{[%{#].*?[%}#]\}", RegexOptions.Singleline | RegexOptions.CultureInvariant);
    private static readonly Regex Number = new(@"\d+", RegexOptions.CultureInvariant);

    /// <summary>One mutation of a template text.</summary>
    public static string Mutate(string text, Random rnd)
    {
        int Pos() => rnd.Next(text.Length + 1);
        (int Start, int Length) Span(int max)
        {
            if (text.Length == 0) return (0, 0);
            var start = rnd.Next(text.Length);
            return (start, Math.Min(1 + rnd.Next(max), text.Length - start));
        }
        switch (rnd.Next(10))
        {
            case 0:
            {
                var (s, l) = Span(8);
                return text.Remove(s, l);
            }
            case 1:
            {
                var (s, l) = Span(24);
                return text.Insert(Pos(), text.Substring(s, l));
            }
            case 2:
            {
                var (s1, l1) = Span(12);
                var (s2, l2) = Span(12);
                if (s1 > s2) (s1, l1, s2, l2) = (s2, l2, s1, l1);
                if (s1 + l1 > s2) return text;
                return text[..s1] + text.Substring(s2, l2) + text[(s1 + l1)..s2] + text.Substring(s1, l1) + text[(s2 + l2)..];
            }
            case 3:
                if (Enabled("huge") && rnd.Next(4) == 0) return text.Insert(Pos(), HugeTokens[rnd.Next(HugeTokens.Length)]);
                goto case 4;
            case 4:
                return text.Insert(Pos(), Tokens[rnd.Next(Tokens.Length)].Replace("$NL", "\n", StringComparison.Ordinal));
            case 5:
                return text.Insert(Pos(), ((char)rnd.Next(32, 127)).ToString());
            case 6:
            {
                var numbers = Number.Matches(text);
                if (numbers.Count == 0) goto case 3;
                var m = numbers[rnd.Next(numbers.Count)];
                string[] numbers2 = Enabled("huge")
                    ? ["10**10", "99999999999999999999999999999", "1e309", "-1", "0", "100000", "2147483648", "10**4300"]
                    : ["99999999999999999999999999999", "1e309", "-1", "0", "-2147483649", "3.5"];
                return text[..m.Index] + numbers2[rnd.Next(numbers2.Length)] + text[(m.Index + m.Length)..];
            }
            case 7:
            {
                var tags = Tag.Matches(text);
                if (tags.Count == 0) goto case 3;
                var m = tags[rnd.Next(tags.Count)];
                return text.Insert(m.Index, string.Concat(Enumerable.Repeat(m.Value, 1 + rnd.Next(40))));
            }
            case 8:
            {
                var (s, l) = Span(6);
                var times = rnd.Next(2) == 0 || !Enabled("long-repeat") ? 2 + rnd.Next(20) : 100 + rnd.Next(2000);
                return text.Insert(s, string.Concat(Enumerable.Repeat(text.Substring(s, l), times)));
            }
            default:
            {
                var (s, l) = Span(4);
                return text.Remove(s, l).Insert(s, Tokens[rnd.Next(Tokens.Length)].Replace("$NL", "\n", StringComparison.Ordinal));
            }
        }
    }

    /// <summary>Replaces one value of the context (or adds one) with a hostile value.</summary>
    public static string MutateContext(string json, Random rnd)
    {
        var root = JsonNode.Parse(json) as JsonObject ?? new JsonObject();
        var leaves = new List<(JsonNode Parent, object Key)>();
        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (k, v) in o.ToList()) { leaves.Add((o, k)); Walk(v); }
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++) { leaves.Add((a, i)); Walk(a[i]); }
                    break;
            }
        }
        Walk(root);
        JsonNode? value = rnd.Next(4) == 0 ? Deep(rnd.Next(10, 60)) : HostileValues[rnd.Next(HostileValues.Length)]?.DeepClone();
        if (leaves.Count == 0 || rnd.Next(5) == 0) root["x" + rnd.Next(3).ToString(CultureInfo.InvariantCulture)] = value;
        else
        {
            var (parent, key) = leaves[rnd.Next(leaves.Count)];
            if (parent is JsonObject po) po[(string)key] = value;
            else ((JsonArray)parent)[(int)key] = value;
        }
        return root.ToJsonString();
    }

    private static JsonNode Deep(int depth)
    {
        JsonNode node = JsonValue.Create(1);
        for (var i = 0; i < depth; i++) node = new JsonArray(node);
        return node;
    }
}
