using System.Globalization;
using System.Reflection;

namespace Kida.Runtime;

/// <summary>Positional and keyword arguments of a call.</summary>
internal readonly struct CallArgs
{
    public static readonly CallArgs None = new([], null);

    public CallArgs(object?[] positional, KeyValuePair<string, object?>[]? named)
    {
        Positional = positional;
        Named = named;
    }

    public object?[] Positional { get; }
    public KeyValuePair<string, object?>[]? Named { get; }
    public int Count => Positional.Length;
    public bool HasNamed => Named is { Length: > 0 };

    /// <summary>Argument <paramref name="index"/> by position, or by <paramref name="name"/>, or the default.</summary>
    public object? Get(int index, string name, object? defaultValue = null)
    {
        if (index >= 0 && index < Positional.Length) return Positional[index];
        if (Named is not null)
            foreach (var kv in Named)
                if (kv.Key == name) return kv.Value;
        return defaultValue;
    }

    public bool Has(int index, string name)
    {
        if (index >= 0 && index < Positional.Length) return true;
        if (Named is not null)
            foreach (var kv in Named)
                if (kv.Key == name) return true;
        return false;
    }

    /// <summary>Throws when an argument name is not one of <paramref name="allowed"/> or too many positionals are given.</summary>
    public void Check(string function, int maxPositional, params string[] allowed)
    {
        if (Positional.Length > maxPositional)
            throw new TemplateRuntimeException($"{function}() takes at most {maxPositional} positional argument(s) ({Positional.Length} given)", ErrorCodes.TypeError);
        if (Named is null) return;
        foreach (var kv in Named)
            if (Array.IndexOf(allowed, kv.Key) < 0)
                throw new TemplateRuntimeException($"{function}() got an unexpected keyword argument '{kv.Key}'", ErrorCodes.TypeError);
    }

    public CallArgs Prepend(object? first)
    {
        var p = new object?[Positional.Length + 1];
        p[0] = first;
        Positional.CopyTo(p, 1);
        return new CallArgs(p, Named);
    }

    public CallArgs Skip(int n) => new(Positional.Length <= n ? [] : Positional[n..], Named);
}

/// <summary>Anything a template can call: macros, built-in functions, bound methods, registered delegates.</summary>
internal abstract class KidaCallable
{
    public virtual string TypeName => "function";

    public abstract object? Invoke(RenderState rs, in CallArgs args);
}

internal sealed class BuiltinFunction(string name, Func<RenderState, CallArgs, object?> body) : KidaCallable
{
    public string Name { get; } = name;
    public override string TypeName => "builtin_function_or_method";
    public override object? Invoke(RenderState rs, in CallArgs args) => body(rs, args);
    public override string ToString() => $"<built-in function {Name}>";
}

/// <summary>A user-supplied delegate (global function) adapted to template calls.</summary>
internal sealed class DelegateCallable : KidaCallable
{
    private readonly Delegate _delegate;
    private readonly ParameterInfo[] _parameters;
    private readonly string? _what;

    public DelegateCallable(Delegate d, string? name = null)
    {
        _delegate = d;
        _parameters = d.Method.GetParameters();
        _what = name is null ? null : $"'{name}()'";
    }

    public override object? Invoke(RenderState rs, in CallArgs args)
    {
        if (!ArgBinder.TryBind(_parameters, args, out var bound))
            throw new TemplateRuntimeException($"Arguments do not match {_delegate.Method.Name}({string.Join(", ", _parameters.Select(p => p.Name))})", ErrorCodes.TypeError);
        if (AsyncValues.IsAwaitableType(_delegate.Method.ReturnType)) return ArgBinder.Invoke(_delegate, bound, _what);
        // an asynchronous render's later attempts do not call it again (AsyncValues.Journaled)
        return AsyncValues.Journaled(null, _delegate, bound, (this, bound), static s => ArgBinder.Invoke(s.Item1._delegate, s.bound, s.Item1._what));
    }
}

/// <summary>Binds template arguments to .NET parameters, converting numbers and strings where needed.</summary>
internal static class ArgBinder
{
    public static bool TryBind(ParameterInfo[] parameters, in CallArgs args, out object?[] bound)
    {
        bound = new object?[parameters.Length];
        var filled = new bool[parameters.Length];
        var pos = args.Positional;
        var paramsIndex = parameters.Length > 0 && parameters[^1].IsDefined(typeof(ParamArrayAttribute), false) ? parameters.Length - 1 : -1;
        for (var i = 0; i < pos.Length; i++)
        {
            if (paramsIndex >= 0 && i >= paramsIndex)
            {
                var elemType = parameters[paramsIndex].ParameterType.GetElementType()!;
                var rest = Array.CreateInstanceFromArrayType(parameters[paramsIndex].ParameterType, pos.Length - paramsIndex);
                for (var j = paramsIndex; j < pos.Length; j++)
                {
                    if (!TryConvert(pos[j], elemType, out var c)) return false;
                    rest.SetValue(c, j - paramsIndex);
                }
                bound[paramsIndex] = rest;
                filled[paramsIndex] = true;
                break;
            }
            if (i >= parameters.Length) return false;
            if (!TryConvert(pos[i], parameters[i].ParameterType, out bound[i])) return false;
            filled[i] = true;
        }
        if (args.Named is not null)
        {
            foreach (var (key, value) in args.Named)
            {
                var idx = Array.FindIndex(parameters, p => p.Name == key);
                if (idx < 0) idx = Array.FindIndex(parameters, p => string.Equals(p.Name, key.Replace("_", ""), StringComparison.OrdinalIgnoreCase));
                if (idx < 0 || filled[idx]) return false;
                if (!TryConvert(value, parameters[idx].ParameterType, out bound[idx])) return false;
                filled[idx] = true;
            }
        }
        for (var i = 0; i < parameters.Length; i++)
        {
            if (filled[i]) continue;
            if (i == paramsIndex) { bound[i] = Array.CreateInstanceFromArrayType(parameters[i].ParameterType, 0); continue; }
            // a CancellationToken parameter a template does not pass gets the render's token (async methods, issue 17)
            if (parameters[i].ParameterType == typeof(CancellationToken)) { bound[i] = RenderState.Running?.CancellationToken ?? default; continue; }
            if (!parameters[i].HasDefaultValue) return false;
            bound[i] = parameters[i].DefaultValue;
        }
        return true;
    }

    public static bool TryConvert(object? value, Type type, out object? result)
    {
        result = value;
        if (type == typeof(object)) return true;
        if (value is null) return !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;
        if (type.IsInstanceOfType(value)) return true;
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(string)) { result = PyString.Str(value); return true; }
        if (Numbers.IsNumber(value) && (target.IsPrimitive || target == typeof(decimal)) && target != typeof(bool) && target != typeof(char))
        {
            try { result = Convert.ChangeType(Numbers.Classify(value) == Numbers.Kind.Big ? (double)Numbers.ToBig(value) : value, target, CultureInfo.InvariantCulture); return true; }
            catch (OverflowException) { return false; }
        }
        if (target == typeof(bool)) { result = Values.Truthy(value); return true; }
        return false;
    }

    /// <summary>
    /// Calls a user delegate. A delegate declared to return a task is an await point (<see cref="AsyncValues"/>): its
    /// result is awaited, and an asynchronous render that already has it does not call the delegate again.
    /// </summary>
    public static object? Invoke(Delegate d, object?[] args, string? what = null)
    {
        if (AsyncValues.IsAwaitableType(d.Method.ReturnType))
            return AsyncValues.Await((d, args), static s => InvokeRaw(s.d, s.args), what ?? $"'{d.Method.Name}()'");
        return Values.Normalize(InvokeRaw(d, args));
    }

    private static object? InvokeRaw(Delegate d, object?[] args)
    {
        try
        {
            return d.DynamicInvoke(args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            if (ex.InnerException is TemplateException te) throw te;
            throw new TemplateRuntimeException($"{d.Method.Name} failed: {ex.InnerException.Message}", ErrorCodes.Runtime, ex.InnerException);
        }
    }
}
