using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text;
using Kida.Common;
using Kida.Syntax;

namespace Kida.Runtime;

/// <summary>The Python value model: type names, truthiness, strings and JSON unwrapped, undefined and missing values, markup wrapping.</summary>
internal static class Values
{
    public static object? UndefinedFrom(UndefinedException ex) => new Undefined(ex.Name, ex.RawMessage, true, ex.Hint);

    public static bool IsMissing(object? v) => v is null or Undefined;

    public static bool IsDefined(object? v) => v is not Undefined && v is not null;

    public static object? EmptyIfShort() => "";

    public static object? NoneToEmpty(object? v) => v is null ? "" : v;

    /// <summary>A parameter the call did not pass: undefined for a Jinja macro, a Arithmetic.TypeError for a Kida def.</summary>
    public static object? MissingArgument(RenderState rs, string name, bool required) =>
        required
            ? throw new TemplateRuntimeException($"TypeError: missing required argument '{name}'", ErrorCodes.TypeError)
            : new Undefined(name, $"parameter '{name}' was not provided", rs.Strict);

    public static object? CallerOrUndefined(RenderState rs, object? caller) =>
        caller ?? new Undefined("caller", "'caller' is undefined (the macro was not called from a {% call %} block)", rs.Strict);

    public static object? MarkupIf(string text, bool escape) => escape ? new Markup(text) : text;

    public static string StrOf(object? v) => PyString.Str(v);

    public static bool WithTruthy(object? subject, bool all)
    {
        if (all && subject is PyTuple t) return t.All(Values.Truthy);
        return Values.Truthy(subject);
    }

    /// <summary>A value about to be filtered or tested: a strict undefined fails here, as any other use of it does.</summary>
    public static object? UseValue(object? value)
    {
        if (value is Undefined { Strict: true } u) throw u.ToException();
        return value;
    }

    public static string TypeName(object? v) => v switch
    {
        null => "NoneType",
        bool => "bool",
        string => "str",
        Markup => "Markup",
        Undefined => "Undefined",
        PyTuple => "tuple",
        PyRange => "range",
        KidaCallable k => k.TypeName,
        _ when Numbers.IsInteger(v) => "int",
        double or float or Half => "float",
        decimal => "decimal",
        _ when IsMapping(v) => "dict",
        _ when v is IEnumerable => "list",
        _ => v.GetType().Name,
    };

    public static bool IsString(object? v) => v is string or Markup;

    public static string? AsString(object? v) => v switch
    {
        string s => s,
        Markup m => m.Value,
        _ => null,
    };

    /// <summary>Normalises values that come out of JSON containers to plain .NET values.</summary>
    public static object? Unwrap(object? v)
    {
        if (v is null || v.GetType() == typeof(string)) return v;
        // boxed numbers and bools (the common case after strings): a short class-hierarchy walk (the boxed type, then
        // ValueType), no walk for JsonValue
        if (v is ValueType)
            return v is JsonElement je0 ? FromJson(je0) : v.GetType().IsPrimitive || !AsyncValues.IsAwaitable(v) ? v : AsyncValues.ResolveFound(v);
        switch (v)
        {
            case Task task: return AsyncValues.ResolveFound(task);
            case JsonValue jv:
                if (jv.TryGetValue<JsonElement>(out var je)) return FromJson(je);
                if (jv.TryGetValue<object>(out var o)) return o is JsonElement je2 ? FromJson(je2) : o;
                return jv.ToJsonString();
            default: return v;
        }
    }

    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? (object)l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => e,
    };

    public static bool IsMapping(object? v)
    {
        switch (v)
        {
            case null or string or List<object?>: return false;
            case Dictionary<string, object?>: return true;
            case JsonElement element: return element.ValueKind == JsonValueKind.Object;
        }
        // whether any other value is a mapping depends on its type alone: a type recently found not to be one is answered
        // without the interface checks and the generic-map table (a page reads a few model types over and over)
        var type = v.GetType();
        var slot = System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(type) & (NonMappings.Length - 1);
        if (ReferenceEquals(type, Volatile.Read(ref NonMappings[slot]))) return false;
        if (v is IDictionary or IDictionary<string, object?> or IReadOnlyDictionary<string, object?> || GenericMaps.IsReadOnlyMap(v)) return true;
        Volatile.Write(ref NonMappings[slot], type);
        return false;
    }

    // types recently found not to be mappings, one per slot by identity hash (a race only costs a recheck)
    private static readonly Type?[] NonMappings = new Type?[16];

    public static bool IsSequence(object? v) => v switch
    {
        null => false,
        string or Markup => true,
        _ when IsMapping(v) => false,
        IList or PyTuple or PyRange => true,
        JsonElement { ValueKind: JsonValueKind.Array } => true,
        _ => v is IEnumerable && GenericMaps.IsReadOnlyList(v),
    };

    public static bool Truthy(object? v)
    {
        switch (v)
        {
            case null: return false;
            case bool b: return b;
            case string s: return s.Length != 0;
            case long l: return l != 0;
            case int i: return i != 0;
            case double d: return d != 0;
            case Markup m: return m.Value.Length != 0;
            case Undefined u: u.Use(); return false;
            case decimal m: return m != 0;
            case BigInteger bi: return !bi.IsZero;
            case ICollection c: return c.Count != 0;
            case JsonElement e:
                return e.ValueKind switch
                {
                    JsonValueKind.Array => e.GetArrayLength() != 0,
                    JsonValueKind.Object => e.EnumerateObject().Any(),
                    _ => Truthy(Unwrap(e)),
                };
        }
        if (Numbers.IsNumber(v)) return Numbers.ToDouble(v) != 0;
        if (v is IReadOnlyCollection<object?> roc) return roc.Count != 0;
        if (GenericMaps.TryCount(v, out var n)) return n != 0;
        return true;
    }

    /// <summary>Values returned by .NET code, made template-friendly.</summary>
    public static object? Normalize(object? v) => v switch
    {
        char c => c.ToString(),
        _ => Unwrap(v),
    };
}
