using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Kida.AspNetCore;

/// <summary>
/// The <c>model_state</c> object of MVC views: a read-only mapping from field name to a wrapper of MVC's
/// <see cref="ModelStateEntry"/> exposing only <c>errors</c> (each with <c>error_message</c>), <c>attempted_value</c>,
/// <c>raw_value</c>, <c>validation_state</c> and <c>is_valid</c> (<c>model_state['Name'].errors[0].error_message</c>), plus
/// <c>model_state.is_valid</c>, <c>model_state.error_count</c> and <c>model_state.errors('Name')</c> (the messages
/// of one field; every message without an argument).
/// </summary>
/// <remarks>
/// The names <c>is_valid</c>, <c>error_count</c> and <c>errors</c> mean these members, and <c>get</c>, <c>items</c>,
/// <c>keys</c>, <c>values</c> and <c>copy</c> the dict methods, whatever fields the model has: a field with one of
/// those names is read as <c>model_state['Errors']</c> (field names are looked up as MVC does) or by iterating.
/// </remarks>
public sealed class KidaModelState : IReadOnlyDictionary<string, object?>
{
    private readonly ModelStateDictionary _state;
    private KidaFunction? _errors;

    internal KidaModelState(ModelStateDictionary state) => _state = state;

    /// <summary>Whether every field is valid (MVC's <see cref="ModelStateDictionary.IsValid"/>).</summary>
    public bool IsValid => _state.IsValid;

    /// <summary>The number of errors of all fields.</summary>
    public int ErrorCount => _state.ErrorCount;

    /// <summary>
    /// The error messages of <paramref name="key"/> (empty for a valid or unknown field), or of every field, in order,
    /// when <paramref name="key"/> is null.
    /// </summary>
    public IReadOnlyList<string> Errors(string? key = null)
    {
        if (key is not null)
            return _state.TryGetValue(key, out var entry) && entry is not null ? Messages(entry) : [];
        var all = new List<string>();
        foreach (var (_, entry) in _state) all.AddRange(Messages(entry));
        return all;
    }

    private static string[] Messages(ModelStateEntry entry) => entry.Errors.Select(e => e.ErrorMessage).ToArray();

    /// <summary>The number of fields.</summary>
    public int Count => _state.Count;

    /// <summary>The field names.</summary>
    public IEnumerable<string> Keys => _state.Keys;

    /// <summary>The entries, one per field (each with <c>errors</c>, <c>attempted_value</c>, <c>raw_value</c>, <c>validation_state</c>, <c>is_valid</c>).</summary>
    public IEnumerable<object?> Values => _state.Values.Select(e => (object?)new KidaModelStateEntry(e));

    /// <summary>The entry of <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">The model state has no such field.</exception>
    public object? this[string key] => _state[key] is { } entry
        ? new KidaModelStateEntry(entry)
        : throw new KeyNotFoundException($"The model state has no field '{key}'.");

    /// <summary>Whether the model state has an entry for <paramref name="key"/>.</summary>
    public bool ContainsKey(string key) => _state.ContainsKey(key);

    /// <summary>
    /// Looks <paramref name="key"/> up the way templates do: <c>is_valid</c>, <c>error_count</c> and <c>errors</c> are
    /// this object's members, the dict method names are not keys, anything else is a field.
    /// </summary>
    bool IReadOnlyDictionary<string, object?>.TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        value = null;
        switch (key)
        {
            case null: return false;
            case "is_valid": value = IsValid; return true;
            case "error_count": value = ErrorCount; return true;
            case "errors": value = _errors ??= new KidaFunction("errors", args => Errors(KidaFunction.String(args, 0, "key", "errors"))); return true;
        }
        if (TemplateMapNames.IsDictMethod(key) || !_state.TryGetValue(key, out var entry) || entry is null) return false;
        value = new KidaModelStateEntry(entry);
        return true;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() =>
        _state.Select(e => new KeyValuePair<string, object?>(e.Key, e.Value is null ? null : new KidaModelStateEntry(e.Value))).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
