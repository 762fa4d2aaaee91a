namespace Kida.Runtime;

/// <summary>
/// The value of a name, attribute, key or index that does not exist. In strict mode (the default) any use of it
/// (printing, iterating, truth testing, arithmetic, calling) raises <see cref="UndefinedException"/>; only
/// <c>is defined</c>, <c>default</c> and <c>??</c> accept it. In lenient mode it behaves like an empty value.
/// </summary>
internal sealed class Undefined
{
    private readonly Func<string?>? _hintFactory;
    private string? _hint;

    public Undefined(string name, string message, bool strict, string? hint = null, Func<string?>? hintFactory = null)
    {
        Name = name;
        Message = message;
        Strict = strict;
        _hint = hint;
        _hintFactory = hintFactory;
    }

    public string Name { get; }
    public string Message { get; }
    public bool Strict { get; }
    /// <summary>A "did you mean" hint, computed only when an error is actually raised.</summary>
    public string? Hint => _hint ??= _hintFactory?.Invoke();

    public UndefinedException ToException() => new(Message, Name, Hint);

    /// <summary>Throws in strict mode; returns normally in lenient mode.</summary>
    public void Use()
    {
        if (Strict) throw ToException();
    }

    public override string ToString() => "";

    public static Undefined Variable(string name, bool strict, Func<IEnumerable<string>>? candidates = null) =>
        new(name, $"'{name}' is undefined", strict, hintFactory: candidates is null ? null : () =>
            Suggest.Closest(name, candidates()) is { } hint ? $"did you mean '{hint}'?" : null);

    public static Undefined Attribute(object? obj, string name, bool strict) =>
        new($"{Py.TypeName(obj)}.{name}", $"'{Py.TypeName(obj)} object' has no attribute '{name}'", strict);

    public static Undefined Item(object? obj, object? key, bool strict) =>
        new($"{Py.TypeName(obj)}[{Py.Repr(key)}]", $"'{Py.TypeName(obj)} object' has no element {Py.Repr(key)}", strict);
}

internal static class Suggest
{
    public static string? Closest(string name, IEnumerable<string>? candidates)
    {
        if (candidates is null) return null;
        string? best = null;
        var bestScore = 0.0;
        foreach (var c in candidates)
        {
            if (c == name) continue;
            var score = Ratio(name, c);
            if (score > bestScore) { bestScore = score; best = c; }
        }
        return bestScore >= 0.6 ? best : null;
    }

    private static double Ratio(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        var max = Math.Max(a.Length, b.Length);
        return max == 0 ? 1 : 1.0 - (double)d[a.Length, b.Length] / max;
    }
}
