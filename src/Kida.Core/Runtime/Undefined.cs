using Kida.Common;

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
        new($"{Values.TypeName(obj)}.{name}", $"'{Values.TypeName(obj)} object' has no attribute '{name}'", strict);

    public static Undefined Item(object? obj, object? key, bool strict) =>
        new($"{Values.TypeName(obj)}[{PyString.Repr(key)}]", $"'{Values.TypeName(obj)} object' has no element {PyString.Repr(key)}", strict);
}
