using Kida.Runtime;

namespace Kida.Predicates;

/// <summary>The built-in tests (<c>x is name</c>).</summary>
internal static class BuiltinTests
{
    // the type tests, called directly by compiled templates (Emitter.DirectTest) and folded to a constant at tier-up
    // when the operand is a member of a value type (SiteInliner.Operators)
    public static bool IsBoolean(object? v) => v is bool;
    public static bool IsNumber(object? v) => Numbers.IsNumberNotBool(v);
    public static bool IsInteger(object? v) => Numbers.IsInteger(v);
    public static bool IsFloat(object? v) => v is double or float or decimal;
    public static bool IsString(object? v) => Values.IsString(v);

    /// <summary>
    /// <c>is mapping</c>, <c>is sequence</c> and <c>is iterable</c> where a template wrote them: their answer depends on
    /// the value's type alone (except for a JSON element, whose kind decides, and undefined), so a site remembers the
    /// answer for the last type it saw and answers a value of that type with one type check.
    /// </summary>
    public static bool IsMappingAt(object? v, TypeAnswer site) => Answer(v, site, TypeTest.Mapping);

    /// <inheritdoc cref="IsMappingAt"/>
    public static bool IsSequenceAt(object? v, TypeAnswer site) => Answer(v, site, TypeTest.Sequence);

    /// <inheritdoc cref="IsMappingAt"/>
    public static bool IsIterableAt(object? v, TypeAnswer site) => Answer(v, site, TypeTest.Iterable);

    private enum TypeTest { Mapping, Sequence, Iterable }

    private static bool Answer(object? v, TypeAnswer site, TypeTest test)
    {
        if (v is null) return false;
        var last = site.Last;
        if (last is not null && ReferenceEquals(last.Type, v.GetType())) return last.Answer;
        var answer = test switch
        {
            TypeTest.Mapping => IsMappingTest(v),
            TypeTest.Sequence => IsSequenceTest(v),
            _ => IsIterableTest(v),
        };
        // a site that keeps meeting new types stops remembering (no allocation per value)
        if (v is not System.Text.Json.JsonElement and not Undefined && site.Misses++ < 16) site.Last = new(v.GetType(), answer);
        return answer;
    }

    /// <summary><c>is mapping</c>.</summary>
    public static bool IsMappingTest(object? v) => Values.IsMapping(v);

    /// <summary><c>is sequence</c>: a sequence or a mapping (Jinja's test asks for a length and items).</summary>
    public static bool IsSequenceTest(object? v) => Values.IsSequence(v) || Values.IsMapping(v);

    /// <summary><c>is iterable</c>.</summary>
    public static bool IsIterableTest(object? v) => v is string or Markup or System.Collections.IEnumerable || Values.IsMapping(v);

    /// <summary><c>is true</c> / <c>is false</c>: the boolean itself, not a truthy value.</summary>
    public static bool IsTrueTest(object? v) => v is true;

    /// <inheritdoc cref="IsTrueTest"/>
    public static bool IsFalseTest(object? v) => v is false;

    public static readonly Dictionary<string, TestFn> All = Build();

    private static object? Arg(CallArgs a) => a.Count > 0 ? a.Positional[0] : a.Named is { Length: > 0 } n ? n[0].Value : null;

    private static Dictionary<string, TestFn> Build()
    {
        TestFn eq = (_, v, a) => FastOps.Eq(v, Arg(a));
        TestFn ne = (_, v, a) => FastOps.Ne(v, Arg(a));
        TestFn lt = (_, v, a) => FastOps.Lt(v, Arg(a));
        TestFn le = (_, v, a) => FastOps.Le(v, Arg(a));
        TestFn gt = (_, v, a) => FastOps.Gt(v, Arg(a));
        TestFn ge = (_, v, a) => FastOps.Ge(v, Arg(a));
        return new Dictionary<string, TestFn>(StringComparer.Ordinal)
        {
            ["defined"] = (_, v, _) => v is not Undefined && v is not null,
            ["undefined"] = (_, v, _) => v is Undefined || v is null,
            ["none"] = (_, v, _) => v is null,
            ["true"] = (_, v, _) => IsTrueTest(v),
            ["false"] = (_, v, _) => IsFalseTest(v),
            ["boolean"] = (_, v, _) => IsBoolean(v),
            ["number"] = (_, v, _) => IsNumber(v),
            ["integer"] = (_, v, _) => IsInteger(v),
            ["float"] = (_, v, _) => IsFloat(v),
            ["string"] = (_, v, _) => IsString(v),
            ["mapping"] = (_, v, _) => IsMappingTest(v),
            ["sequence"] = (_, v, _) => IsSequenceTest(v),
            ["iterable"] = (_, v, _) => IsIterableTest(v),
            ["callable"] = (_, v, _) => v is KidaCallable or Delegate or Undefined,
            ["odd"] = (_, v, _) => FastOps.Odd(v),
            ["even"] = (_, v, _) => FastOps.Even(v),
            ["divisibleby"] = (_, v, a) => FastOps.DivisibleBy(v, Arg(a)),
            ["eq"] = eq, ["equalto"] = eq, ["=="] = eq,
            ["ne"] = ne, ["!="] = ne,
            ["lt"] = lt, ["lessthan"] = lt, ["<"] = lt,
            ["le"] = le, ["<="] = le,
            ["gt"] = gt, ["greaterthan"] = gt, [">"] = gt,
            ["ge"] = ge, [">="] = ge,
            ["in"] = (_, v, a) => FastOps.In(v, Arg(a)),
            ["sameas"] = (_, v, a) => SameAs(v, Arg(a)),
            ["lower"] = (_, v, _) => PyString.Str(v) is var s && s.Any(char.IsLetter) && !s.Any(char.IsUpper),
            ["upper"] = (_, v, _) => PyString.Str(v) is var s && s.Any(char.IsLetter) && !s.Any(char.IsLower),
            ["escaped"] = (_, v, _) => v is Markup || SafeHtml.TryGetHtml(v, out _),
            ["filter"] = (rs, v, _) => Values.AsString(v) is { } s && rs.Host.FilterTable.ContainsKey(s),
            ["test"] = (rs, v, _) => Values.AsString(v) is { } s && rs.Host.TestTable.ContainsKey(s),
            // Kida's HTMX tests: an object with headers (request.headers) is read through them, anything else by value
            ["hx_request"] = (rs, v, _) => Header(rs, v, "HX-Request") is { } h ? IsTrue(h) : Values.Truthy(v),
            ["hx_boosted"] = (rs, v, _) => Header(rs, v, "HX-Boosted") is { } h ? IsTrue(h) : Values.Truthy(v),
            ["hx_target"] = (rs, v, a) => Header(rs, v, "HX-Target") is { } h
                ? h.Length > 0 && h == PyString.Str(Arg(a))
                : v is not null && v is not Undefined && PyString.Str(v) == PyString.Str(Arg(a)),
            ["match"] = (_, v, a) => v is not null && RegexMatch(PyString.Str(v), PyString.Str(Arg(a))),
        };
    }

    /// <summary><c>x is even</c> for what is not an int or long (bool, float, BigInteger…; a non-number is a TypeError).</summary>
    internal static bool EvenSlow(object? v) =>
        Numbers.IsNumber(v) || v is bool ? Comparison.Eq(Arithmetic.Mod(v, 2L), 0L) : throw NotInt("even", v);

    /// <summary><c>x is odd</c> for what is not an int or long.</summary>
    internal static bool OddSlow(object? v) =>
        Numbers.IsNumber(v) || v is bool ? Comparison.Eq(Arithmetic.Mod(v, 2L), 1L) : throw NotInt("odd", v);

    /// <summary>The longest pattern the <c>match</c> test compiles.</summary>
    private const int MaxPatternLength = 4096;

    /// <summary>
    /// The <c>match</c> test (Python's <c>re.match</c>: anchored at the start). The pattern comes from the template, so
    /// it runs on the non-backtracking engine (linear in the input: <c>(a+)+$</c> cannot hang a render); a pattern that
    /// engine cannot run (backreferences, lookarounds) runs with a time limit instead.
    /// </summary>
    private static bool RegexMatch(string input, string pattern)
    {
        if (pattern.Length > MaxPatternLength)
            throw new TemplateRuntimeException($"match: the pattern is {pattern.Length} characters long (at most {MaxPatternLength})", ErrorCodes.TestError);
        var anchored = "^(?:" + pattern + ")";
        try
        {
            try
            {
                return System.Text.RegularExpressions.Regex.IsMatch(input, anchored, System.Text.RegularExpressions.RegexOptions.NonBacktracking);
            }
            catch (NotSupportedException)
            {
                return System.Text.RegularExpressions.Regex.IsMatch(input, anchored, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromMilliseconds(250));
            }
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            throw new TemplateRuntimeException("match: the pattern took too long to run on this input (more than 250 ms)", ErrorCodes.TimeLimit);
        }
        catch (ArgumentException ex)
        {
            throw new TemplateRuntimeException($"match: invalid regular expression: {ex.Message}", ErrorCodes.TestError);
        }
    }

    private static bool IsTrue(string header) => header.Trim().Equals("true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The header <paramref name="name"/> of <paramref name="v"/>'s <c>headers</c> (a mapping, looked up exactly, then
    /// case-insensitively): "" when the object has headers but not that one, null when it has no headers.
    /// </summary>
    private static string? Header(RenderState rs, object? v, string name)
    {
        if (v is null or Undefined or string or Markup || Numbers.IsNumber(v) || v is bool) return null;
        object? headers;
        try
        {
            if (!MemberAccess.TryGetAttr(rs, v, "headers", out headers)) return null;
        }
        catch (UndefinedException)
        {
            return null;
        }
        if (headers is null or Undefined || !Values.IsMapping(headers)) return null;
        if (headers is IReadOnlyDictionary<string, object?> exact && exact.TryGetValue(name, out var found)) return found is null ? "" : PyString.Str(found);
        foreach (var (key, value) in Mappings.MapItems(headers))
            if (key is string k && k.Equals(name, StringComparison.OrdinalIgnoreCase))
                return value is null ? "" : PyString.Str(value);
        return "";
    }

    private static TemplateRuntimeException NotInt(string test, object? v) => new($"'{test}' test needs a number, got '{Values.TypeName(v)}'", ErrorCodes.TestError);

    private static bool SameAs(object? a, object? b)
    {
        if (a is null || b is null) return a is null && b is null;
        if (a is bool x && b is bool y) return x == y;
        if (a is bool || b is bool) return false;
        if (Numbers.IsNumber(a) && Numbers.IsNumber(b)) return a.GetType() == b.GetType() && Comparison.Eq(a, b);
        if (a is string sa && b is string sb) return ReferenceEquals(sa, sb) || sa == sb;
        return ReferenceEquals(a, b);
    }
}

/// <summary>The answer of a type test for the last type a site saw (<see cref="BuiltinTests.IsMappingAt"/>); shared by the threads rendering the template.</summary>
internal sealed class TypeAnswer
{
    public Entry? Last;
    public int Misses;

    public sealed record Entry(Type Type, bool Answer);
}
