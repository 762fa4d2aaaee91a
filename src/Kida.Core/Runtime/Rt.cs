using System.Collections;
using System.Text.RegularExpressions;
using Kida.Syntax;

namespace Kida.Runtime;

/// <summary>Runtime helpers called by compiled templates. Public members are looked up by name by the emitter.</summary>
internal static partial class Rt
{
    // ------------------------------------------------------------------ errors

    /// <summary>A filter or function called with arguments it does not take (Python's TypeError).</summary>
    public static Exception ArgumentError(string message) => new TemplateRuntimeException("TypeError: " + message, "K-RUN-002");

    public static TemplateException Wrap(Exception ex) => ex switch
    {
        TemplateException te => te,
        RenderAbortedException aborted => aborted.Error,
        // List.Sort and OrderBy wrap what a comparer throws: the template's own error is the one to report
        InvalidOperationException { InnerException: TemplateException inner } => inner,
        DivideByZeroException => new TemplateRuntimeException("division by zero", "K-RUN-011", ex),
        KeyNotFoundException => new TemplateRuntimeException($"KeyError: {ex.Message}", "K-RUN-009", ex),
        InvalidCastException or ArgumentException or FormatException or OverflowException or NotSupportedException
            => new TemplateRuntimeException($"TypeError: {ex.Message}", "K-RUN-012", ex),
        IndexOutOfRangeException => new TemplateRuntimeException($"IndexError: {ex.Message}", "K-RUN-007", ex),
        InsufficientExecutionStackException => new TemplateRuntimeException("Template recursion is too deep", "K-RUN-006", ex),
        _ => new TemplateRuntimeException($"{ex.GetType().Name}: {ex.Message}", "K-RUN-007", ex),
    };

    public static void Locate(RenderState rs, TemplateException ex) => rs.Locate(ex);

    /// <summary>Whether <c>{% try %}</c> may catch the error: limits, cycles and sandbox violations end the render.</summary>
    public static bool Recoverable(TemplateException ex) => !ErrorCodes.IsFatal(ex.Code);

    /// <summary>What a <c>{% try %}</c> throws for an error it may not catch (see <see cref="RenderAbortedException"/>).</summary>
    public static Exception Abort(TemplateException ex) => new RenderAbortedException(ex);

    public static object ErrorInfo(RenderState rs, TemplateException ex)
    {
        var d = Py.NewDict();
        d["message"] = ex.RawMessage;
        d["type"] = ex switch
        {
            UndefinedException => "UndefinedError",
            TemplateSyntaxException => "TemplateSyntaxError",
            TemplateNotFoundException => "TemplateNotFoundError",
            _ => "TemplateRuntimeError",
        };
        d["template"] = ex.TemplateName;
        d["line"] = ex.Line > 0 ? (long)ex.Line : null;
        d["code"] = ex.Code;
        return d;
    }

    /// <summary>The back-edge of a for loop: counts one iteration against the render's budget (time and cancellation included).</summary>
    public static void CheckCancel(RenderState rs) => rs.LoopTick();

    /// <summary>The back-edge of a while loop: one iteration, counted with every other loop of the render.</summary>
    public static void CountIteration(RenderState rs, int count) => rs.LoopTick();

    // ------------------------------------------------------------------ values

    public static object? UndefinedFrom(UndefinedException ex) => new Undefined(ex.Name, ex.RawMessage, true, ex.Hint);

    public static bool IsMissing(object? v) => v is null or Undefined;

    public static bool IsDefined(object? v) => v is not Undefined && v is not null;

    public static object? EmptyIfShort() => "";

    public static object? NoneToEmpty(object? v) => v is null ? "" : v;

    /// <summary>A parameter the call did not pass: undefined for a Jinja macro, a TypeError for a Kida def.</summary>
    public static object? MissingArgument(RenderState rs, string name, bool required) =>
        required
            ? throw new TemplateRuntimeException($"TypeError: missing required argument '{name}'", "K-RUN-012")
            : new Undefined(name, $"parameter '{name}' was not provided", rs.Strict);

    public static object? CallerOrUndefined(RenderState rs, object? caller) =>
        caller ?? new Undefined("caller", "'caller' is undefined (the macro was not called from a {% call %} block)", rs.Strict);

    public static object? MarkupIf(string text, bool escape) => escape ? new Markup(text) : text;

    public static string StrOf(object? v) => Py.Str(v);

    public static bool WithTruthy(object? subject, bool all)
    {
        if (all && subject is PyTuple t) return t.All(Py.Truthy);
        return Py.Truthy(subject);
    }

    public static bool Equal(object? a, object? b) => Py.Eq(a, b);

    public static object? MakeList(object?[] items) => new KidaList(items);

    public static object? MakeTuple(object?[] items) => items.Length == 0 ? PyTuple.Empty : new PyTuple(items);

    public static object? MakeDict(object?[] kv)
    {
        var d = Py.NewDict();
        for (var i = 0; i < kv.Length; i += 2)
        {
            var key = kv[i];
            if (key is Undefined u) u.Use();
            if (key is not (string or Markup or PyTuple) && (Py.IsMapping(key) || key is System.Collections.IList))
                throw new TemplateRuntimeException($"TypeError: unhashable type: '{Py.TypeName(key)}'", "K-RUN-012");
            d[key ?? NullKey.Instance] = kv[i + 1];
        }
        return d;
    }

    public static Dictionary<string, object?>? MakeLocals(string[] keys, object?[] values)
    {
        var d = new Dictionary<string, object?>(keys.Length, StringComparer.Ordinal);
        for (var i = 0; i < keys.Length; i++) d[keys[i]] = values[i];
        return d;
    }

    public static object?[] Unpack(object? value, int count)
    {
        if (value is Undefined u) u.Use();
        var items = Py.Iterate(value).ToArray();
        if (items.Length != count)
            throw new TemplateRuntimeException(items.Length > count
                ? $"too many values to unpack (expected {count})"
                : $"not enough values to unpack (expected {count}, got {items.Length})", "K-RUN-007");
        return items;
    }

    public static object?[]? MatchSequence(object? subject, int count)
    {
        if (subject is null or string or Markup or Undefined || Py.IsMapping(subject) || !Py.IsSequence(subject)) return null;
        var items = Py.Iterate(subject).ToArray();
        return items.Length == count ? items : null;
    }

    public static void SetAttribute(object? target, string attr, object? value)
    {
        switch (target)
        {
            case Namespace ns: ns.Values[attr] = value; return;
            case Undefined u: u.Use(); break;
        }
        throw new TemplateRuntimeException($"Cannot assign attribute '{attr}' on a '{Py.TypeName(target)}' object; only namespace() objects support it", "K-RUN-012");
    }

    /// <summary>The items a loop with <c>loop</c> walks: a sequence as it is, anything else materialised.</summary>
    public static IReadOnlyList<object?> ToItemList(object? iterable) => AsSequence(iterable) is { } list ? list : Py.Iterate(iterable).ToList();

    /// <summary>
    /// The value as an indexable sequence of references when it is one (a list, array or tuple of any reference type;
    /// not a string or mapping), so loops walk it by index without an enumerator; null otherwise.
    /// </summary>
    public static IReadOnlyList<object?>? AsSequence(object? iterable) => iterable switch
    {
        List<object?> l => l,
        PyTuple t => t,
        string or null => null,
        IReadOnlyList<object?> l when !Py.IsMapping(iterable) => l,
        _ => null,
    };

    /// <summary>An item read from a sequence as templates see it (JSON values converted).</summary>
    public static object? UnwrapItem(object? item) => item is System.Text.Json.JsonElement or System.Text.Json.Nodes.JsonValue ? Py.Unwrap(item) : item;

    /// <summary>The enumerator a for loop walks: not bounded by the collection limit (the loop's iterations are counted instead).</summary>
    public static IEnumerator<object?> GetIterator(object? iterable) => iterable switch
    {
        List<object?> l => l.GetEnumerator(),
        _ => Py.Iterate(iterable, bounded: false).GetEnumerator(),
    };

    /// <summary>The enumerator a list comprehension walks: an enumerable of unknown length stops at the collection limit.</summary>
    public static IEnumerator<object?> GetBoundedIterator(object? iterable) => iterable switch
    {
        List<object?> l => l.GetEnumerator(),
        _ => Py.Iterate(iterable).GetEnumerator(),
    };

    public static object? RangeLiteral(RenderState rs, object? start, object? end, object? step, bool inclusive)
    {
        var s = ToIndex(start, "range");
        var e = ToIndex(end, "range");
        var st = step is null ? 1 : ToIndex(step, "range");
        if (inclusive) e += st > 0 ? 1 : -1;
        return Globals.BuiltinGlobals.MakeRange(rs, s, e, st);
    }

    internal static long ToIndex(object? v, string what)
    {
        if (v is Undefined u) u.Use();
        if (Numbers.IsInteger(v) || v is bool) return Numbers.ToLong(v);
        throw new TemplateRuntimeException($"{what}: expected an integer, got '{Py.TypeName(v)}'", "K-RUN-012");
    }

    // ------------------------------------------------------------------ arithmetic

    public static object? Add(object? a, object? b)
    {
        if (a is long x && b is long y)
        {
            var r = x + y;
            if (((x ^ r) & (y ^ r)) >= 0) return r;
        }
        Use(a, b);
        if (Numbers.TryArith('+', a, b, out var num)) return num;
        if (Py.IsString(a) || Py.IsString(b)) return Concat(a, b);
        if (a is PyTuple ta && b is PyTuple tb)
        {
            Guard.CollectionLength((long)ta.Count + tb.Count);
            return new PyTuple(ta.Concat(tb).ToArray());
        }
        // list + tuple and tuple + list are TypeErrors in Python
        if (a is IList la && b is IList lb && !Py.IsMapping(a) && a is not PyTuple && b is not PyTuple)
        {
            Guard.CollectionLength((long)la.Count + lb.Count);
            var joined = new KidaList { Capacity = la.Count + lb.Count };
            joined.AddRange(Py.Iterate(a));
            joined.AddRange(Py.Iterate(b));
            return joined;
        }
        throw TypeError("+", a, b);
    }

    public static object? Sub(object? a, object? b) => Arith('-', "-", a, b);
    public static object? Div(object? a, object? b) => Arith('/', "/", a, b);
    public static object? FloorDiv(object? a, object? b) => Arith('f', "//", a, b);
    public static object? Pow(object? a, object? b) => Arith('p', "**", a, b);

    public static object? Mod(object? a, object? b)
    {
        Use(a, b);
        if (Numbers.TryArith('%', a, b, out var r)) return r;
        if (a is Markup markup)
        {
            // Markup % args: every argument escaped, the result still Markup
            object? escaped = b switch
            {
                PyTuple t => new PyTuple(t.Select(MarkupArg).ToArray()),
                _ when Py.IsMapping(b) => Py.MapItems(b!).ToDictionary(kv => kv.Key ?? "", kv => MarkupArg(kv.Value)),
                _ => MarkupArg(b),
            };
            return new Markup(PyFormat.PercentFormat(markup.Value, escaped));
        }
        if (Py.AsString(a) is { } fmt) return PyFormat.PercentFormat(fmt, b);
        throw TypeError("%", a, b);
    }

    private static object? MarkupArg(object? v) => Numbers.IsNumber(v) || v is null ? v : PyMethods.EscapeArg(v is string or Markup ? v : Py.Str(v));

    public static object? Mul(object? a, object? b)
    {
        Use(a, b);
        if (Numbers.TryArith('*', a, b, out var r)) return r;
        // bool is an int in Python: 'ab' * True == 'ab'
        if (a is bool ab && (Py.IsString(b) || b is IList)) a = ab ? 1L : 0L;
        if (b is bool bb && (Py.IsString(a) || a is IList)) b = bb ? 1L : 0L;
        if (Py.IsString(a) && Numbers.IsInteger(b)) return Repeat(a!, b);
        if (Py.IsString(b) && Numbers.IsInteger(a)) return Repeat(b!, a);
        if (a is IList && Numbers.IsInteger(b)) return RepeatList(a, Numbers.ToSize(b));
        if (b is IList && Numbers.IsInteger(a)) return RepeatList(b, Numbers.ToSize(a));
        throw TypeError("*", a, b);
    }

    private static object Repeat(object s, object? count)
    {
        var n = Numbers.ToSize(count);
        var text = Py.AsString(s)!;
        if (n <= 0 || text.Length == 0) return s is Markup ? Markup.Empty : "";
        // checked before anything is allocated (n * length cannot overflow: both factors are below 2^63 / 2^31 here)
        Guard.StringLength(n > int.MaxValue ? long.MaxValue : n * text.Length);
        var result = string.Create((int)(n * text.Length), text, static (span, t) =>
        {
            for (var i = 0; i < span.Length; i += t.Length) t.CopyTo(span[i..]);
        });
        return s is Markup ? new Markup(result) : result;
    }

    private static object RepeatList(object list, long n)
    {
        var items = Py.AsList(list);
        if (n <= 0 || items.Count == 0) return list is PyTuple ? PyTuple.Empty : new List<object?>();
        Guard.CollectionLength(n > int.MaxValue ? long.MaxValue : n * items.Count);
        // a list the template created (the sandbox lets the template mutate it)
        var result = new KidaList { Capacity = (int)(n * items.Count) };
        for (var i = 0; i < n; i++) result.AddRange(items);
        return list is PyTuple ? new PyTuple(result.ToArray()) : result;
    }

    private static object? Arith(char op, string symbol, object? a, object? b)
    {
        if (op == '-' && a is long x && b is long y)
        {
            var r = x - y;
            if (((x ^ y) & (x ^ r)) >= 0) return r;
        }
        Use(a, b);
        if (Numbers.TryArith(op, a, b, out var num)) return num;
        throw TypeError(symbol, a, b);
    }

    private static void Use(object? a, object? b)
    {
        if (a is Undefined ua) ua.Use();
        if (b is Undefined ub) ub.Use();
    }

    private static TemplateRuntimeException TypeError(string op, object? a, object? b) =>
        new($"unsupported operand type(s) for {op}: '{Py.TypeName(a)}' and '{Py.TypeName(b)}'", "K-RUN-012");

    public static object? Neg(object? v)
    {
        if (v is Undefined u) u.Use();
        if (Numbers.IsNumber(v)) return Numbers.Negate(v);
        throw new TemplateRuntimeException($"bad operand type for unary -: '{Py.TypeName(v)}'", "K-RUN-012");
    }

    public static object? Pos(object? v)
    {
        if (v is Undefined u) u.Use();
        if (Numbers.IsNumber(v)) return v is bool b ? (b ? 1L : 0L) : v;
        throw new TemplateRuntimeException($"bad operand type for unary +: '{Py.TypeName(v)}'", "K-RUN-012");
    }

    /// <summary>
    /// <c>~</c>: with autoescape on, Jinja's markup join (a Markup side makes the result Markup, the other side escaped);
    /// with autoescape off, plain string join.
    /// </summary>
    public static object? Tilde(object? a, object? b, bool autoescape)
    {
        if (autoescape) return Concat(a, b);
        Use(a, b);
        var x = Py.Str(a);
        var y = Py.Str(b);
        Guard.StringLength(x.Length, y.Length);
        return string.Concat(x, y);
    }

    /// <summary>str of both sides; if either side is Markup the result is Markup and the other side is escaped.</summary>
    public static object? Concat(object? a, object? b)
    {
        Use(a, b);
        if (a is Markup || b is Markup)
        {
            var left = a is Markup ma ? ma.Value : Output.Escape(Py.Str(a));
            var right = b is Markup mb ? mb.Value : Output.Escape(Py.Str(b));
            Guard.StringLength(left.Length, right.Length);
            return new Markup(left + right);
        }
        var x = Py.Str(a);
        var y = Py.Str(b);
        Guard.StringLength(x.Length, y.Length);
        return string.Concat(x, y);
    }

    public static bool CompareOp(CompareOp op, object? a, object? b) => op switch
    {
        Syntax.CompareOp.Eq => Py.Eq(a, b),
        Syntax.CompareOp.Ne => !Py.Eq(a, b),
        Syntax.CompareOp.Lt => Py.Compare(a, b, "<") < 0,
        Syntax.CompareOp.Le => Py.Compare(a, b, "<=") <= 0,
        Syntax.CompareOp.Gt => Py.Compare(a, b, ">") > 0,
        Syntax.CompareOp.Ge => Py.Compare(a, b, ">=") >= 0,
        Syntax.CompareOp.In => Py.Contains(b, a),
        _ => !Py.Contains(b, a),
    };

    // ------------------------------------------------------------------ whitespace, stacks, provide

    private static readonly Regex SpacelessRegex = new(@">\s+<", RegexOptions.Compiled);

    public static string Spaceless(string text) => SpacelessRegex.Replace(text, "><").Trim();

    public static void PushStack(RenderState rs, string name, string text)
    {
        rs.Stacks ??= new(StringComparer.Ordinal);
        if (!rs.Stacks.TryGetValue(name, out var list)) rs.Stacks[name] = list = new();
        list.Add(text);
    }

    public static string ReadStack(RenderState rs, string name) =>
        rs.Stacks is not null && rs.Stacks.TryGetValue(name, out var list) ? string.Concat(list) : "";

    public static void Provide(RenderState rs, string key, object? value)
    {
        rs.Provided ??= new(StringComparer.Ordinal);
        if (!rs.Provided.TryGetValue(key, out var stack)) rs.Provided[key] = stack = new();
        stack.Push(value);
    }

    public static void Unprovide(RenderState rs, string key)
    {
        if (rs.Provided is not null && rs.Provided.TryGetValue(key, out var stack) && stack.Count > 0) stack.Pop();
    }
}

/// <summary>Stands in for a None dictionary key.</summary>
internal sealed class NullKey
{
    public static readonly NullKey Instance = new();
    public override string ToString() => "None";
}
