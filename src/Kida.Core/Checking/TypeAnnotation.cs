using System.Collections;
using System.Numerics;
using Kida.Lexing;
using Kida.Syntax;

namespace Kida.Checking;

/// <summary>
/// A parameter or declaration annotation such as <c>int</c>, <c>str | None</c>, <c>list[Item]</c> or
/// <c>dict[str, int]</c>. Names Kida does not know (a model class, <c>Any</c>) accept every value.
/// </summary>
internal abstract record TypeAnnotation
{
    /// <summary>The annotation as written (tokens joined, whitespace normalised).</summary>
    public abstract override string ToString();

    /// <summary>Parses the annotation in <paramref name="tokens"/>[<paramref name="start"/>..<paramref name="end"/>); null when it is not one.</summary>
    public static TypeAnnotation? Parse(IReadOnlyList<Token> tokens, int start, int end)
    {
        var i = start;
        var result = ParseUnion(tokens, ref i, end, 0);
        return result is not null && i == end ? result : null;
    }

    private static TypeAnnotation? ParseUnion(IReadOnlyList<Token> tokens, ref int i, int end, int depth)
    {
        if (depth > 16) return null;
        var options = new List<TypeAnnotation>();
        while (true)
        {
            var term = ParseTerm(tokens, ref i, end, depth);
            if (term is null) return null;
            options.Add(term);
            if (i < end && tokens[i].Kind == TokenKind.Pipe) { i++; continue; }
            break;
        }
        return options.Count == 1 ? options[0] : new UnionAnnotation(options);
    }

    private static TypeAnnotation? ParseTerm(IReadOnlyList<Token> tokens, ref int i, int end, int depth)
    {
        if (i >= end) return null;
        var tok = tokens[i];
        if (tok.Kind is TokenKind.String or TokenKind.Integer or TokenKind.Float)
        {
            // Literal['a', 1]: a value, not a type; accepted as written
            i++;
            return new NamedAnnotation(tok.Kind == TokenKind.String ? $"'{tok.Value}'" : Convert.ToString(tok.Value, System.Globalization.CultureInfo.InvariantCulture)!, []);
        }
        if (tok.Kind != TokenKind.Name) return null;
        var name = (string)tok.Value!;
        i++;
        while (i + 1 < end && tokens[i].Kind == TokenKind.Dot && tokens[i + 1].Kind == TokenKind.Name)
        {
            name += "." + (string)tokens[i + 1].Value!;
            i += 2;
        }
        var args = new List<TypeAnnotation>();
        if (i < end && tokens[i].Kind == TokenKind.LBracket)
        {
            i++;
            while (true)
            {
                var arg = ParseUnion(tokens, ref i, end, depth + 1);
                if (arg is null) return null;
                args.Add(arg);
                if (i < end && tokens[i].Kind == TokenKind.Comma) { i++; continue; }
                break;
            }
            if (i >= end || tokens[i].Kind != TokenKind.RBracket) return null;
            i++;
        }
        return new NamedAnnotation(name, args);
    }

    /// <summary>Whether a literal expression fits; null when the expression is not a literal (nothing can be said).</summary>
    public bool? AcceptsLiteral(Expr expr) => LiteralValue.TryGet(expr, out var value) ? Accepts(value, literal: true) : null;

    /// <summary>
    /// Whether a value fits: a literal's value (<paramref name="literal"/> true, lists, tuples and dicts as
    /// <see cref="LiteralValue"/> records) or a value at run time (used by <see cref="KidaOptions.CheckTypes"/>).
    /// </summary>
    public bool Accepts(object? value, bool literal = false) =>
        ReferenceEquals(value, LiteralValue.Unknown) || AcceptsCore(value is System.Text.Json.JsonElement json ? FromJson(json) : value, literal);

    private static object? FromJson(System.Text.Json.JsonElement json) => json.ValueKind switch
    {
        System.Text.Json.JsonValueKind.String => "",
        System.Text.Json.JsonValueKind.Number => json.TryGetInt64(out _) ? 0L : 0.0,
        System.Text.Json.JsonValueKind.True => true,
        System.Text.Json.JsonValueKind.False => false,
        System.Text.Json.JsonValueKind.Array => new List<object?>(),
        System.Text.Json.JsonValueKind.Object => new Dictionary<string, object?>(),
        _ => null,
    };

    protected abstract bool AcceptsCore(object? value, bool literal);

    /// <summary>The annotation's kind name for a value, as Python would print its type.</summary>
    public static string TypeNameOf(object? value) => value switch
    {
        null or Runtime.Undefined => "None",
        bool => "bool",
        string or Markup => "str",
        int or long or short or sbyte or byte or ushort or uint or ulong or BigInteger => "int",
        double or float or decimal => "float",
        LiteralValue.TupleValue or Runtime.PyTuple => "tuple",
        IDictionary or IReadOnlyDictionary<string, object?> => "dict",
        IList or LiteralValue.ListValue => "list",
        _ => Runtime.Values.TypeName(value),
    };
}

/// <summary><c>A | B</c>, <c>Optional[A]</c>, <c>Union[A, B]</c>.</summary>
internal sealed record UnionAnnotation(IReadOnlyList<TypeAnnotation> Options) : TypeAnnotation
{
    protected override bool AcceptsCore(object? value, bool literal) => Options.Any(o => o.Accepts(value, literal));

    public override string ToString() => string.Join(" | ", Options);
}

/// <summary>A named type with optional arguments: <c>int</c>, <c>list[str]</c>, <c>dict[str, int]</c>, <c>Page</c>.</summary>
internal sealed record NamedAnnotation(string Name, IReadOnlyList<TypeAnnotation> Arguments) : TypeAnnotation
{
    public override string ToString() => Arguments.Count == 0 ? Name : $"{Name}[{string.Join(", ", Arguments)}]";

    protected override bool AcceptsCore(object? value, bool literal)
    {
        var simple = Name[(Name.LastIndexOf('.') + 1)..];
        switch (simple.ToLowerInvariant())
        {
            case "none": case "nonetype": return value is null or Runtime.Undefined;
            case "optional": return value is null or Runtime.Undefined || Arguments.Count == 0 || Arguments[0].Accepts(value, literal);
            case "union": return Arguments.Count == 0 || Arguments.Any(a => a.Accepts(value, literal));
            case "str": return value is string or Markup;
            case "bool": return value is bool;
            case "int": return value is bool || IsInteger(value);
            case "float": return value is bool or double or float or decimal || IsInteger(value);
            case "list":
                return value switch
                {
                    LiteralValue.ListValue l => ItemsFit(l.Items, literal),
                    null or bool or string or Markup or IDictionary or LiteralValue.TupleValue or LiteralValue.DictValue or Runtime.PyTuple => false,
                    _ when literal || IsScalar(value) => false,
                    IList l => ItemsFit(l.Cast<object?>().Take(100), literal),
                    _ => value is IEnumerable,
                };
            case "tuple":
                return value is LiteralValue.TupleValue or Runtime.PyTuple || (!literal && value is Array);
            case "sequence": case "iterable": case "collection":
                return value switch
                {
                    LiteralValue.ListValue l => ItemsFit(l.Items, literal),
                    LiteralValue.TupleValue t => ItemsFit(t.Items, literal),
                    string or Markup => true,
                    null or bool or IDictionary or LiteralValue.DictValue => false,
                    _ when literal || IsScalar(value) => false,
                    _ => value is IEnumerable,
                };
            case "dict": case "mapping":
                return value switch
                {
                    LiteralValue.DictValue d => Arguments.Count < 2 || d.Items.All(kv => Arguments[0].Accepts(kv.Key, literal) && Arguments[1].Accepts(kv.Value, literal)),
                    IDictionary or IReadOnlyDictionary<string, object?> => true,
                    null or IList or LiteralValue.ListValue or LiteralValue.TupleValue => false,
                    // a model object reads like a mapping in a template
                    _ => !literal && !IsScalar(value),
                };
            default:
                // Any, object, Literal[...], a model class: a literal scalar cannot be a model object, anything else may be
                return true;
        }
    }

    private static bool IsScalar(object? value) => value is bool or string or Markup or double or float or decimal || IsInteger(value);

    private bool ItemsFit(IEnumerable<object?> items, bool literal) =>
        Arguments.Count == 0 || items.All(item => Arguments[0].Accepts(item, literal));

    private static bool IsInteger(object? value) =>
        value is int or long or short or sbyte or byte or ushort or uint or ulong or BigInteger;
}

/// <summary>The value of a literal expression (constants, and lists, tuples and dicts of them).</summary>
internal static class LiteralValue
{
    internal sealed record ListValue(IReadOnlyList<object?> Items);

    internal sealed record TupleValue(IReadOnlyList<object?> Items);

    internal sealed record DictValue(IReadOnlyList<KeyValuePair<object?, object?>> Items);

    /// <summary>
    /// The value of <paramref name="expr"/> when it is a literal; lists, tuples and dicts become the records above,
    /// whose items that are not literals are <see cref="Unknown"/> (they fit every annotation).
    /// </summary>
    public static bool TryGet(Expr expr, out object? value)
    {
        switch (expr)
        {
            case ConstExpr c: value = c.Value; return true;
            case UnaryExpr { Op: UnaryOp.Neg or UnaryOp.Pos, Operand: ConstExpr { Value: not (null or string or bool) } n }:
                value = n.Value; return true;
            case ListExpr l: value = new ListValue(l.Items.Select(Item).ToArray()); return true;
            case TupleExpr t: value = new TupleValue(t.Items.Select(Item).ToArray()); return true;
            case DictExpr d: value = new DictValue(d.Items.Select(kv => new KeyValuePair<object?, object?>(Item(kv.Key), Item(kv.Value))).ToArray()); return true;
            default: value = null; return false;
        }
    }

    private static object? Item(Expr e) => TryGet(e, out var v) ? v : Unknown;

    /// <summary>An element whose value is not known at check time.</summary>
    public static readonly object Unknown = new UnknownValue();

    internal sealed class UnknownValue;
}
