namespace Kida;

/// <summary>
/// A string that is already safe HTML: written as it is, never escaped again. Filters such as <c>safe</c> and
/// <c>escape</c>, macro and <c>caller()</c> results produce it.
/// </summary>
public sealed class Markup : IEquatable<Markup>
{
    /// <summary>An empty safe string.</summary>
    public static readonly Markup Empty = new("");

    /// <summary>Wraps trusted HTML.</summary>
    public Markup(string html) => Value = html ?? "";

    /// <summary>The HTML text.</summary>
    public string Value { get; }

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <inheritdoc />
    public bool Equals(Markup? other) => other is not null && other.Value == Value;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Markup m && Equals(m);

    /// <inheritdoc />
    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);
}
