using System.Runtime.CompilerServices;
using Kida.Lexing;
using Kida.Syntax;
using Kida.Text;

namespace Kida.Checking;

/// <summary>
/// The run-time form of the call checks (<see cref="KidaOptions.ValidateCalls"/>, <see cref="KidaOptions.CheckTypes"/>):
/// a def or macro built with one checks every call's arguments before its body runs, failing with K-CMP-001 or
/// K-CMP-002 and the definition's template, line and column.
/// </summary>
internal sealed class CallCheck
{
    private static readonly ConditionalWeakTable<SourceText, SignatureReader> Readers = new();

    private readonly string[] _ordinary;

    public CallCheck(DefSignature signature, bool validateCalls, bool checkTypes)
    {
        Signature = signature;
        ValidateCalls = validateCalls;
        CheckTypes = checkTypes && signature.Parameters.Any(p => p.Annotation is not null);
        _ordinary = signature.Ordinary.Select(p => p.Name).ToArray();
    }

    public DefSignature Signature { get; }
    public bool ValidateCalls { get; }
    public bool CheckTypes { get; }

    /// <summary>The check for the def <paramref name="m"/> of <paramref name="source"/>, or null when the options check nothing.</summary>
    public static CallCheck? For(KidaOptions options, SourceText source, MacroStmt m)
    {
        if (!options.ValidateCalls && !options.CheckTypes) return null;
        var reader = Readers.GetValue(source, s => new SignatureReader(s));
        return new CallCheck(reader.Read(m), options.ValidateCalls, options.CheckTypes);
    }

    /// <summary>Checks a call with <paramref name="positional"/> and <paramref name="named"/> arguments.</summary>
    public void Check(object?[] positional, KeyValuePair<string, object?>[]? named)
    {
        if (ValidateCalls)
        {
            if (positional.Length > _ordinary.Length && !Signature.CatchVarargs)
                throw Fail(ErrorCodes.CallSignature, CallValidator.TooMany(Signature, _ordinary.Length, positional.Length));
            if (named is not null)
            {
                foreach (var (key, _) in named)
                {
                    var index = Array.IndexOf(_ordinary, key);
                    if (index < 0)
                    {
                        if ((key == "caller" && Signature.AcceptsCaller) || Signature.CatchKwargs) continue;
                        throw Fail(ErrorCodes.CallSignature, CallValidator.UnknownKeyword(Signature, key));
                    }
                    if (index < positional.Length)
                        throw Fail(ErrorCodes.CallSignature, $"{Signature.Describe()} got multiple values for argument '{key}'");
                }
            }
            if (Signature.StrictArguments)
            {
                foreach (var p in Signature.Ordinary)
                {
                    if (!p.Required || Array.IndexOf(_ordinary, p.Name) < positional.Length || p.Name == "caller") continue;
                    if (named is not null && named.Any(kv => kv.Key == p.Name)) continue;
                    throw Fail(ErrorCodes.CallSignature, CallValidator.Missing(Signature, p.Name));
                }
            }
        }
        if (!CheckTypes) return;
        var i = 0;
        foreach (var p in Signature.Ordinary)
        {
            if (i < positional.Length) CheckType(p, positional[i]);
            else if (named is not null)
                foreach (var (key, value) in named)
                    if (key == p.Name) CheckType(p, value);
            i++;
        }
    }

    /// <summary>Checks a call with <paramref name="count"/> (at most two) positional arguments and no keywords.</summary>
    public void CheckPositional(int count, object? a0, object? a1)
    {
        if (!ValidateCalls && !CheckTypes) return;
        Check(count == 0 ? [] : count == 1 ? [a0] : [a0, a1], null);
    }

    private void CheckType(ParameterSignature p, object? value)
    {
        if (p.Annotation is { } annotation && !annotation.Accepts(value))
            throw Fail(ErrorCodes.LiteralType, CallValidator.TypeMismatch(Signature, p, value).Replace(", got ", ", got the value ", StringComparison.Ordinal));
    }

    private static TemplateRuntimeException Fail(string code, string message) => new(message, code);
}
