using System.Reflection;

namespace Kida.Runtime;

/// <summary>A filter: the value and the call's arguments in, the result out.</summary>
internal delegate object? FilterFn(RenderState rs, object? value, CallArgs args);

/// <summary>A test (<c>value is name(args)</c>).</summary>
internal delegate bool TestFn(RenderState rs, object? value, CallArgs args);

/// <summary>Adapts user delegates to filters, tests and callable globals.</summary>
internal static class Adapters
{
    public static FilterFn Filter(string name, Delegate d)
    {
        if (d is FilterFn f) return f;
        var parameters = d.Method.GetParameters();
        if (parameters.Length == 0) throw new ArgumentException($"Filter '{name}' must take at least one parameter (the value)");
        return (rs, value, args) =>
        {
            if (value is Undefined u) u.Use();
            var all = args.Prepend(value);
            if (!ArgBinder.TryBind(parameters, all, out var bound))
                throw new TemplateRuntimeException($"Filter '{name}' does not accept these arguments", ErrorCodes.FilterError);
            return ArgBinder.Invoke(d, bound, $"filter '{name}'");
        };
    }

    public static TestFn Test(string name, Delegate d)
    {
        if (d is TestFn t) return t;
        var parameters = d.Method.GetParameters();
        if (parameters.Length == 0) throw new ArgumentException($"Test '{name}' must take at least one parameter (the value)");
        return (rs, value, args) =>
        {
            var all = args.Prepend(value);
            if (!ArgBinder.TryBind(parameters, all, out var bound))
                throw new TemplateRuntimeException($"Test '{name}' does not accept these arguments", ErrorCodes.TestError);
            return Values.Truthy(ArgBinder.Invoke(d, bound));
        };
    }

    public static object? Global(object? value, string? name = null) =>
        value is Delegate d and not FilterFn and not TestFn ? new DelegateCallable(d, name) : value;
}
