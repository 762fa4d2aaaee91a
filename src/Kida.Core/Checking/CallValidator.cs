using Kida.Syntax;

namespace Kida.Checking;

/// <summary>One problem with a call: its code, message and the offset it points at.</summary>
internal readonly record struct CallProblem(string Code, string Message, int Offset, DiagnosticSeverity Severity);

/// <summary>
/// Checks a call against the signature of the def or macro it calls (K-CMP-001: unknown keyword, missing required
/// argument, too many positional arguments, an argument given twice; K-CMP-002: a literal argument whose type does not
/// fit the parameter's annotation). Used by <c>kida check</c> and by <see cref="KidaOptions.ValidateCalls"/>.
/// </summary>
internal static class CallValidator
{
    /// <summary>The problems of the call <paramref name="args"/> at <paramref name="offset"/> (a <c>{% call %}</c> passes <paramref name="passesCaller"/>).</summary>
    public static List<CallProblem> Check(DefSignature signature, Arguments args, int offset, bool passesCaller)
    {
        var problems = new List<CallProblem>();
        var ordinary = signature.Ordinary.ToList();
        var open = args.DynArgs is not null || args.DynKwargs is not null;
        if (args.DynArgs is null && args.Positional.Count > ordinary.Count && !signature.CatchVarargs)
            problems.Add(new(ErrorCodes.CallSignature, TooMany(signature, ordinary.Count, args.Positional.Count), offset, DiagnosticSeverity.Error));
        var given = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Math.Min(args.Positional.Count, ordinary.Count); i++)
        {
            given.Add(ordinary[i].Name);
            CheckType(signature, ordinary[i], args.Positional[i], problems);
        }
        foreach (var (key, value) in args.Named)
        {
            var parameter = ordinary.FirstOrDefault(p => p.Name == key);
            if (parameter is null)
            {
                if ((key == "caller" && signature.AcceptsCaller) || signature.CatchKwargs) continue;
                problems.Add(new(ErrorCodes.CallSignature, UnknownKeyword(signature, key), value.Pos, DiagnosticSeverity.Error));
                continue;
            }
            if (!given.Add(key))
            {
                problems.Add(new(ErrorCodes.CallSignature, $"{signature.Describe()} got multiple values for argument '{key}'", value.Pos, DiagnosticSeverity.Error));
                continue;
            }
            CheckType(signature, parameter, value, problems);
        }
        if (!open)
        {
            foreach (var p in ordinary)
            {
                if (!p.Required || given.Contains(p.Name) || (p.Name == "caller" && passesCaller)) continue;
                problems.Add(new(ErrorCodes.CallSignature, Missing(signature, p.Name), offset,
                    signature.StrictArguments ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning));
            }
        }
        return problems;
    }

    private static void CheckType(DefSignature signature, ParameterSignature parameter, Expr value, List<CallProblem> problems)
    {
        if (parameter.Annotation is not { } annotation || !LiteralValue.TryGet(value, out var literal)) return;
        if (annotation.Accepts(literal, literal: true)) return;
        problems.Add(new(ErrorCodes.LiteralType, TypeMismatch(signature, parameter, literal), value.Pos, DiagnosticSeverity.Warning));
    }

    internal static string TooMany(DefSignature s, int max, int given) =>
        $"{s.Describe()} takes at most {max} positional argument{(max == 1 ? "" : "s")}, got {given}";

    internal static string UnknownKeyword(DefSignature s, string key)
    {
        var hint = Common.Suggest.Closest(key, s.Ordinary.Select(p => p.Name));
        return $"{s.Describe()} has no parameter '{key}'" + (hint is null ? "" : $"; did you mean '{hint}'?");
    }

    internal static string Missing(DefSignature s, string name) => $"{s.Describe()} is missing the required argument '{name}'";

    internal static string TypeMismatch(DefSignature s, ParameterSignature p, object? value) =>
        $"{s.Describe()}: argument '{p.Name}' is annotated {p.AnnotationText}, got {Describe(value)}";

    /// <summary><c>str "five"</c>, <c>int 3</c>, <c>None</c>, <c>list</c>.</summary>
    internal static string Describe(object? value) => value switch
    {
        null => "None",
        string s => $"str {Runtime.PyString.Repr(s)}",
        bool b => b ? "bool True" : "bool False",
        LiteralValue.ListValue => "a list",
        LiteralValue.TupleValue => "a tuple",
        LiteralValue.DictValue => "a dict",
        _ when TypeAnnotation.TypeNameOf(value) is "int" or "float" => $"{TypeAnnotation.TypeNameOf(value)} {Runtime.PyString.Repr(value)}",
        _ => TypeAnnotation.TypeNameOf(value),
    };
}
