using System.Collections;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Kida.Security;

/// <summary>
/// Render contexts of attacks: preset names (each adds variables) followed by an optional JSON object.
/// Presets: <c>dotnet</c> (delegates, Type, exception, Task, service provider, reflection objects, a model with a
/// private secret), <c>cyclic</c> (lists and dictionaries that contain themselves), <c>endless</c> (enumerables that
/// never end), <c>big</c> (a 1 MB text), <c>surrogates</c> (strings with lone UTF-16 surrogates).
/// </summary>
public static class Contexts
{
    /// <summary>The secret every attack tries to read: the value of this environment variable.</summary>
    public const string SecretVariable = "KIDA_SECRET_MARKER";

    /// <summary>The planted secret marker (also written to the secret files).</summary>
    public static string Secret => Environment.GetEnvironmentVariable(SecretVariable) is { Length: > 0 } s ? s : "KIDA-SECRET-0c9d7e51";

    /// <summary>Builds the context of <paramref name="spec"/>.</summary>
    public static Dictionary<string, object?> Build(string spec)
    {
        var ctx = new Dictionary<string, object?>(StringComparer.Ordinal);
        spec = spec.Trim();
        var brace = spec.IndexOf('{');
        var presets = brace < 0 ? spec : spec[..brace];
        foreach (var name in presets.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (name)
            {
                case "dotnet": AddDotnet(ctx); break;
                case "cyclic": AddCyclic(ctx); break;
                case "endless": AddEndless(ctx); break;
                case "surrogates": ctx["x"] = "a\ud800b"; ctx["y"] = "\ud800\udfff\ud800"; ctx["z"] = "\udc00"; break;
                case "big": ctx["mb"] = BigText(1 << 20); ctx["mbw"] = new string('w', 1 << 20); break;
                default: throw new FormatException("unknown context preset " + name);
            }
        }
        if (brace >= 0)
        {
            using var doc = JsonDocument.Parse(spec[brace..]);
            foreach (var p in doc.RootElement.EnumerateObject()) ctx[p.Name] = FromJson(p.Value);
        }
        return ctx;
    }

    /// <summary>JSON → engine values as the conformance runner does (object → Dictionary, array → List,
    /// integers → int or long, other numbers → double).</summary>
    public static object? FromJson(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var p in value.EnumerateObject()) dict[p.Name] = FromJson(p.Value);
                return dict;
            case JsonValueKind.Array:
                var list = new List<object?>(value.GetArrayLength());
                foreach (var item in value.EnumerateArray()) list.Add(FromJson(item));
                return list;
            case JsonValueKind.String: return value.GetString();
            case JsonValueKind.Number:
                var raw = value.GetRawText();
                if (raw.IndexOfAny(['.', 'e', 'E']) < 0)
                {
                    if (value.TryGetInt32(out var i)) return i;
                    if (value.TryGetInt64(out var l)) return l;
                }
                return value.GetDouble();
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            default: return null;
        }
    }

    private static string BigText(int length)
    {
        var sb = new StringBuilder(length);
        var words = new[] { "lorem ", "ipsum ", "dolor ", "sit ", "amet, ", "consectetur ", "adipiscing\n" };
        for (var i = 0; sb.Length < length; i++) sb.Append(words[i % words.Length]);
        return sb.ToString(0, length);
    }

    private static void AddDotnet(Dictionary<string, object?> ctx)
    {
        ctx["fn"] = new Func<int, int>(x => x + 1);
        ctx["getter"] = new Func<string>(() => "value");
        ctx["action"] = new Action(() => { });
        ctx["type"] = typeof(string);
        ctx["model_type"] = typeof(SecretHolder);
        Exception ex;
        try { throw new InvalidOperationException("boom"); } catch (InvalidOperationException e) { ex = e; }
        ctx["ex"] = ex;
        ctx["task"] = Task.FromResult("done");
        // a task read as a value is awaited (issue 17); one inside a list is reached as the task itself
        ctx["tasks"] = new List<object?> { Task.FromResult("done") };
        ctx["services"] = new Services();
        ctx["method"] = typeof(Environment).GetMethod(nameof(Environment.GetEnvironmentVariable), [typeof(string)]);
        ctx["asm"] = typeof(object).Assembly;
        ctx["holder"] = new SecretHolder();
        ctx["model"] = new AttackModel();
        ctx["lazy"] = new Lazy<string>(() => "lazy");
        ctx["weak"] = new WeakReference(new SecretHolder());
        ctx["secret_file"] = new FileInfo(Path.Combine(Path.GetTempPath(), "kida-security-none.txt"));
        ctx["obj"] = new object();
        ctx["culture"] = System.Globalization.CultureInfo.InvariantCulture;
        // typed model collections, which the compiled fast paths read directly (counting, joining, tojson, pair loops)
        ctx["ints"] = Enumerable.Range(0, 2_000_000).ToList();
        // (model lists a loop walks in a lane: unboxed items, typed operations at tier-up)
        ctx["floats"] = Enumerable.Range(0, 2_000_000).Select(i => i * 0.5).ToList();
        ctx["decimals"] = Enumerable.Range(0, 2_000_000).Select(i => i * 0.25m).ToList();
        ctx["dates"] = Enumerable.Range(0, 100_000).Select(i => new DateTime(2020, 1, 1).AddHours(i)).ToList();
        ctx["words"] = Enumerable.Range(0, 300_000).Select(i => "w" + (i % 50)).ToList();
        ctx["meta"] = Enumerable.Range(0, 100_000).ToDictionary(i => "k" + i, i => (object?)i);
        ctx["holders"] = Enumerable.Range(0, 3).Select(_ => new SecretHolder()).ToList();
        // (model lists of references, whose item type tier-up guesses for a loop's variable)
        ctx["holder_lists"] = Enumerable.Range(0, 3).Select(_ => new List<SecretHolder> { new(), new() }).ToList();
        ctx["int_lists"] = Enumerable.Range(0, 20_000).Select(i => new List<int> { i, i + 1, i + 2 }).ToList();
    }

    private static void AddCyclic(Dictionary<string, object?> ctx)
    {
        var list = new List<object?> { 1 };
        list.Add(list);
        var dict = new Dictionary<string, object?> { ["a"] = 1 };
        dict["self"] = dict;
        var a = new List<object?>();
        var b = new List<object?> { a };
        a.Add(b);
        var arr = new object?[2];
        arr[0] = "x";
        arr[1] = arr;
        ctx["l"] = list;
        ctx["d"] = dict;
        ctx["a"] = a;
        ctx["b"] = b;
        ctx["arr"] = arr;
        ctx["node"] = new Node();
        // A deep but finite structure: 100,000 nested lists.
        object? deep = new List<object?>();
        for (var i = 0; i < 100_000; i++) deep = new List<object?> { deep };
        ctx["deep"] = deep;
        object? deepDict = new Dictionary<string, object?>();
        for (var i = 0; i < 100_000; i++) deepDict = new Dictionary<string, object?> { ["k"] = deepDict };
        ctx["deepdict"] = deepDict;
    }

    private static void AddEndless(Dictionary<string, object?> ctx)
    {
        ctx["endless"] = Endless();
        ctx["endless_str"] = EndlessStrings();
        ctx["endless_model"] = new EndlessModel();
        ctx["endless_dict"] = new EndlessDictionary();
    }

    private static IEnumerable<int> Endless()
    {
        for (var i = 0; ; i++) yield return i;
    }

    private static IEnumerable<string> EndlessStrings()
    {
        for (var i = 0; ; i++) yield return "s" + i;
    }

    /// <summary>A model with a secret in non-public members and some public data.</summary>
    public sealed class SecretHolder
    {
#pragma warning disable CS0414, IDE0052 // read only through reflection by attacks
        private readonly string _secret = Secret;
        internal string InternalSecret => Secret;
        private string PrivateSecret => Secret;
        private static string StaticPrivate => Secret;
#pragma warning restore CS0414, IDE0052

        /// <summary>A public value.</summary>
        public string Name => "holder";

        /// <summary>A static public member: not reachable from an instance in templates.</summary>
        public static string StaticSecret => Secret;

        /// <summary>Keeps the compiler from removing the private members.</summary>
        public int Touch() => (_secret + PrivateSecret + StaticPrivate).Length > 0 ? 1 : 0;
    }

    /// <summary>A view model exposing .NET objects through properties.</summary>
    public sealed class AttackModel
    {
        /// <summary>A delegate property.</summary>
        public Func<string> Callback { get; } = () => "cb";
        /// <summary>A Type property.</summary>
        public Type Kind { get; } = typeof(AttackModel);
        /// <summary>An async result.</summary>
        public Task<string> Pending { get; } = Task.FromResult("pending");
        /// <summary>Services.</summary>
        public IServiceProvider Services { get; } = new Services();
        /// <summary>A method.</summary>
        public MethodInfo? Method { get; } = typeof(File).GetMethod(nameof(File.ReadAllText), [typeof(string)]);
        /// <summary>Plain data.</summary>
        public string Title { get; } = "<b>title</b>";
        /// <summary>Plain list.</summary>
        public List<string> Items { get; } = ["a", "b"];
        /// <summary>An event: not data.</summary>
        public event EventHandler? Changed;
        /// <summary>Raises <see cref="Changed"/>.</summary>
        public void Raise() => Changed?.Invoke(this, EventArgs.Empty);
    }

    /// <summary>A service provider that hands out the secret.</summary>
    public sealed class Services : IServiceProvider
    {
        /// <inheritdoc />
        public object? GetService(Type serviceType) => Secret;
        /// <summary>The secret as a property.</summary>
        public string Connection => Secret;
    }

    /// <summary>An object graph without end: every node's Next is a new node.</summary>
    public sealed class Node
    {
        /// <summary>Itself.</summary>
        public Node Self => this;
        /// <summary>A fresh node.</summary>
        public Node Next => new();
        /// <summary>Text.</summary>
        public override string ToString() => "node";
    }

    /// <summary>A model that is an endless sequence.</summary>
    public sealed class EndlessModel : IEnumerable<int>
    {
        /// <inheritdoc />
        public IEnumerator<int> GetEnumerator() { for (var i = 0; ; i++) yield return i; }
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A read-only dictionary whose enumeration never ends.</summary>
    public sealed class EndlessDictionary : IReadOnlyDictionary<string, object?>
    {
        /// <inheritdoc />
        public object? this[string key] => key;
        /// <inheritdoc />
        public IEnumerable<string> Keys { get { for (var i = 0; ; i++) yield return "k" + i; } }
        /// <inheritdoc />
        public IEnumerable<object?> Values { get { for (var i = 0; ; i++) yield return i; } }
        /// <inheritdoc />
        public int Count => int.MaxValue;
        /// <inheritdoc />
        public bool ContainsKey(string key) => true;
        /// <inheritdoc />
        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() { for (var i = 0; ; i++) yield return new("k" + i, i); }
        /// <inheritdoc />
        public bool TryGetValue(string key, out object? value) { value = key; return true; }
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
