using System.Collections;
using System.Globalization;
using System.Reflection;
using Kida;
using Kida.Runtime;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewComponents;
using Microsoft.AspNetCore.Mvc.ViewEngines;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.Extensions.DependencyInjection;

namespace Kida.AspNetCore;

/// <summary>
/// The globals of MVC views: <c>component(name, args)</c> and <c>partial(name, model)</c>. Environment globals (so
/// macros imported without context can use them too) that act on the view rendering on the current flow
/// (<see cref="KidaViewScope.Current"/>); outside an MVC view they raise a clear error. Each is a
/// <see cref="KidaFunction"/>: callable, with no member leading to the delegate, the view context, the
/// <see cref="Microsoft.AspNetCore.Http.HttpContext"/> or the request services.
/// </summary>
internal static class KidaViewGlobals
{
    public static void Register(KidaEnvironment environment)
    {
        environment.AddGlobal("component", new KidaFunction("component", Component));
        environment.AddGlobal("partial", new KidaFunction("partial", Partial));
    }

    private static KidaViewScope Scope(string function) => KidaViewScope.Current
        ?? throw new TemplateRuntimeException(
            $"{function}() is only available in MVC views (a controller's View(), a view component or a partial), not in a KidaResult or a plain render.",
            ErrorCodes.ViewNotFound);

    /// <summary>
    /// <c>component("Name", {"arg": 1})</c> or <c>component("Name", arg=1)</c>: invokes the view component
    /// (<c>NameViewComponent</c> or <c>[ViewComponent(Name = "Name")]</c>) with its arguments converted to its
    /// parameters' types. The component is found at the call; it runs, asynchronously, when the page is written.
    /// </summary>
    private static object? Component(CallArgs args)
    {
        var scope = Scope("component");
        // the name is positional only: every keyword is an argument of the component (which may well take a 'name')
        var name = args.Count > 0 && Values.Unwrap(args.Positional[0]) is var first && first is not null and not Undefined
            ? Values.AsString(first) ?? PyString.Str(first)
            : throw new TemplateRuntimeException("component() missing required argument: the view component's name", ErrorCodes.TypeError);
        var context = scope.ViewContext;
        var services = context.HttpContext.RequestServices;
        ViewComponentDescriptor? descriptor;
        try
        {
            descriptor = services.GetRequiredService<IViewComponentSelector>().SelectComponent(name);
        }
        catch (InvalidOperationException ex)
        {
            // two components of that name
            throw new TemplateRuntimeException($"component(): {ex.Message}", ErrorCodes.ViewNotFound);
        }
        if (descriptor is null)
            throw new TemplateRuntimeException($"component(): there is no view component named '{Shorten(name)}'.", ErrorCodes.ViewNotFound);
        var arguments = ComponentArguments(descriptor, args);
        return scope.Defer(async _ =>
        {
            var helper = services.GetRequiredService<IViewComponentHelper>();
            (helper as IViewContextAware)?.Contextualize(context);
            return await helper.InvokeAsync(descriptor.TypeInfo.AsType(), arguments).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// <c>partial("Shared/_Row.html", model)</c>: renders an MVC partial view (Kida or Razor) with its own model (the
    /// view's model when none is given) and a copy of the view's <c>ViewData</c>. The view is found at the call, by path
    /// (relative to the calling view, or to the template root) or by name (<c>_Row</c>, through the view locations); a
    /// name that could leave the template root (<c>..</c>, rooted, <c>~</c>, backslashes, <c>:</c>, <c>%</c>, control
    /// characters) is not found.
    /// </summary>
    private static object? Partial(CallArgs args)
    {
        var scope = Scope("partial");
        var name = KidaFunction.String(args, 0, "name", "partial", required: true)!;
        var context = scope.ViewContext;
        var model = args.Has(1, "model") ? KidaFunction.Value(args, 1, "model") : context.ViewData.Model;
        var view = FindPartial(context, name);
        var viewData = new ViewDataDictionary<object>(context.ViewData, model);
        return scope.Defer(async _ =>
        {
            using var writer = new StringWriter();
            var partialContext = new ViewContext(context, view, viewData, writer);
            await view.RenderAsync(partialContext).ConfigureAwait(false);
            return new HtmlString(writer.ToString());
        });
    }

    private static IView FindPartial(ViewContext context, string name)
    {
        if (!IsSafePartialName(name))
            throw new TemplateRuntimeException($"partial(): the view '{Shorten(name)}' was not found.", ErrorCodes.ViewNotFound);
        var engine = context.HttpContext.RequestServices.GetRequiredService<ICompositeViewEngine>();
        var result = engine.GetView(context.ExecutingFilePath, name, isMainPage: false);
        if (!result.Success) result = engine.FindView(context, name, isMainPage: false);
        if (result.Success) return result.View;
        var searched = result.SearchedLocations.Take(10).ToList();
        throw new TemplateRuntimeException(
            $"partial(): the view '{name}' was not found." + (searched.Count > 0 ? " Searched: " + string.Join(", ", searched) + "." : ""),
            ErrorCodes.ViewNotFound);
    }

    /// <summary>A name that stays under the template root: relative, no <c>..</c>/<c>.</c> segments, nothing encoded.</summary>
    internal static bool IsSafePartialName(string name)
    {
        if (name.Length is 0 or > 256 || name[0] is '/' or '~') return false;
        foreach (var c in name)
            if (char.IsControl(c) || c is '\\' or ':' or '%' or '*' or '?' or '"' or '<' or '>' or '|') return false;
        foreach (var segment in name.Split('/'))
            if (segment.Length == 0 || segment.Trim('.').Length == 0 || segment != segment.Trim()) return false;
        return true;
    }

    private static string Shorten(string name) => name.Length <= 80 ? name : name[..80] + "…";

    /// <summary>
    /// The component's arguments by parameter name: the entries of a mapping passed second and the keyword arguments,
    /// matched to the parameters of its <c>Invoke</c>/<c>InvokeAsync</c> as templates write names (<c>page_size</c> for
    /// <c>pageSize</c>) and converted to their types (Kida's integers are 64-bit). Any other single value is passed as
    /// it is, as <c>Component.InvokeAsync("Name", model)</c> does.
    /// </summary>
    private static object? ComponentArguments(ViewComponentDescriptor descriptor, CallArgs args)
    {
        var given = new List<KeyValuePair<string, object?>>();
        if (args.Count > 1)
        {
            var value = Values.Unwrap(args.Positional[1]);
            if (value is Undefined u) { u.Use(); value = null; }
            if (value is IDictionary map)
            {
                foreach (DictionaryEntry entry in map)
                    given.Add(new(entry.Key as string ?? PyString.Str(entry.Key), entry.Value));
            }
            else if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                given.AddRange(pairs);
            }
            else if (value is not null)
            {
                if (args.HasNamed) throw new TemplateRuntimeException("component(): pass the arguments as one mapping or as keywords, not both.", ErrorCodes.TypeError);
                return value;
            }
        }
        if (args.Named is { } named) given.AddRange(named);
        var parameters = descriptor.Parameters;
        var result = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, raw) in given)
        {
            var parameter = parameters.FirstOrDefault(p => string.Equals(p.Name, key, StringComparison.OrdinalIgnoreCase))
                ?? parameters.FirstOrDefault(p => string.Equals(p.Name, key.Replace("_", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase))
                ?? throw new TemplateRuntimeException(
                    $"component(): the view component '{descriptor.ShortName}' has no parameter '{Shorten(key)}'" +
                    (parameters.Count == 0 ? "." : $" (it takes {string.Join(", ", parameters.Select(p => p.Name))})."),
                    ErrorCodes.TypeError);
            result[parameter.Name!] = Convert(raw, parameter, descriptor.ShortName);
        }
        return result;
    }

    private static object? Convert(object? raw, ParameterInfo parameter, string component)
    {
        var value = Values.Unwrap(raw);
        if (value is Undefined u) { u.Use(); value = null; }
        var type = parameter.ParameterType;
        if (value is null || type.IsInstanceOfType(value)) return value;
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (value is Markup m && target == typeof(string)) return m.Value;
        try
        {
            if (target.IsEnum && value is string s) return Enum.Parse(target, s, ignoreCase: true);
            if (value is IConvertible && (target.IsPrimitive || target == typeof(decimal)))
                return System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException or ArgumentException)
        {
            throw new TemplateRuntimeException(
                $"component(): argument '{parameter.Name}' of '{component}' cannot be {Values.TypeName(value)} ({ex.Message})", ErrorCodes.TypeError);
        }
        throw new TemplateRuntimeException(
            $"component(): argument '{parameter.Name}' of '{component}' expects {type.Name}, not {Values.TypeName(value)}", ErrorCodes.TypeError);
    }
}
