using System.Diagnostics.CodeAnalysis;
using Kida.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Routing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kida.AspNetCore;

/// <summary>
/// The <c>url</c> object templates see: <c>url.action(action, controller=None, values=None)</c>,
/// <c>url.content(path)</c>, <c>url.route_url(route_name, values=None)</c>, and nothing else (a wrapper: the MVC
/// <see cref="IUrlHelper"/>, its action context and the request are not reachable from templates).
/// </summary>
public sealed class KidaUrlHelper : IKidaObject
{
    private readonly IUrlHelper? _inner;
    private readonly IHttpContextAccessor? _accessor;

    /// <summary>Wraps an MVC <see cref="IUrlHelper"/>.</summary>
    public KidaUrlHelper(IUrlHelper inner) => _inner = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>
    /// A helper bound to whatever request is current (registered as the <c>url</c> global, so templates rendered by
    /// <see cref="KidaResult"/> can use it too). Inside an MVC action it behaves as the action's <see cref="IUrlHelper"/>;
    /// elsewhere (minimal APIs) it asks <see cref="LinkGenerator"/> without ambient route values, so a minimal API's
    /// own route values (<c>{id}</c>) do not leak into links to other endpoints.
    /// </summary>
    internal KidaUrlHelper(IHttpContextAccessor accessor) => _accessor = accessor;

    /// <summary>The URL of an action of the current controller (null outside an MVC action).</summary>
    public string? Action(string action) => Resolve(out _) is { } mvc
        ? mvc.Action(action)
        : null;

    /// <summary>The URL of an action of a controller.</summary>
    public string? Action(string action, string controller) => Action(action, controller, null);

    /// <summary>The URL of an action of a controller with route values.</summary>
    public string? Action(string action, string controller, object? values) => Resolve(out var http) is { } mvc
        ? mvc.Action(action, controller, RouteValues(values))
        : PathByAction(Links(http), action, controller, values, http.Request.PathBase);

    /// <summary>An app-relative path (<c>~/x.css</c>) made absolute for the request's path base.</summary>
    public string Content(string path)
    {
        if (Resolve(out var http) is { } mvc) return mvc.Content(path);
        ArgumentNullException.ThrowIfNull(path);
        return path.StartsWith('~') ? http.Request.PathBase.Add(new PathString(path[1..].Length == 0 ? "/" : path[1..])).Value! : path;
    }

    /// <summary>The URL of a named route (or a minimal API endpoint given a name with <c>WithName</c>).</summary>
    public string? RouteUrl(string routeName) => RouteUrl(routeName, null);

    /// <summary>The URL of a named route with route values.</summary>
    public string? RouteUrl(string routeName, object? values) => Resolve(out var http) is { } mvc
        ? mvc.RouteUrl(routeName, RouteValues(values))
        : Links(http).GetPathByName(routeName, RouteValues(values), http.Request.PathBase);

    /// <inheritdoc />
    public override string ToString() => Content("~/");

    private KidaFunction? _action, _content, _routeUrl;

    /// <summary>The template-facing members: <c>action</c>, <c>content</c>, <c>route_url</c>.</summary>
    bool IKidaObject.TryGetMember(string name, out object? value)
    {
        value = TemplateMemberName.Normalize(name) switch
        {
            "action" => _action ??= new KidaFunction("action", args =>
            {
                var action = KidaFunction.String(args, 0, "action", "action", required: true)!;
                var controller = KidaFunction.String(args, 1, "controller", "action");
                var values = KidaFunction.Value(args, 2, "values");
                return controller is null && values is null ? Action(action)
                    : controller is null ? ActionOfCurrentController(action, values)
                    : Action(action, controller, values);
            }),
            "content" => _content ??= new KidaFunction("content", args => Content(KidaFunction.String(args, 0, "path", "content", required: true)!)),
            "routeurl" => _routeUrl ??= new KidaFunction("route_url", args =>
                RouteUrl(KidaFunction.String(args, 0, "route_name", "route_url", required: true)!, KidaFunction.Value(args, 1, "values"))),
            _ => null,
        };
        return value is not null;
    }

    /// <summary>The URL of an action of the current controller with route values.</summary>
    private string? ActionOfCurrentController(string action, object? values) => Resolve(out _) is { } mvc
        ? mvc.Action(action, null, RouteValues(values))
        : null;

    /// <summary>The <c>url_for(action, controller, values=None)</c> function of templates.</summary>
    internal KidaFunction UrlFor() => new("url_for", args =>
        Action(KidaFunction.String(args, 0, "action", "url_for", required: true)!,
            KidaFunction.String(args, 1, "controller", "url_for", required: true)!,
            KidaFunction.Value(args, 2, "values")));

    private IUrlHelper? Resolve(out HttpContext http)
    {
        if (_inner is not null)
        {
            http = _inner.ActionContext.HttpContext;
            return _inner;
        }
        http = _accessor!.HttpContext
            ?? throw new InvalidOperationException("The Kida 'url' global is only available while rendering for an HTTP request.");
        var action = http.GetEndpoint()?.Metadata.GetMetadata<ActionDescriptor>();
        var factory = http.RequestServices.GetService<IUrlHelperFactory>();
        return action is not null && factory is not null
            ? factory.GetUrlHelper(new ActionContext(http, http.GetRouteData(), action))
            : null;
    }

    /// <summary>A template's dict literal (<c>{"id": 7}</c>) becomes route values; other objects pass as they are.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026:RequiresUnreferencedCode",
        Justification = "Route values from templates are Kida dicts, copied entry by entry without reflection; any other "
            + "object is a model value (an anonymous object of route values), whose properties a trimmed app keeps as "
            + "docs/aot.md says.")]
    private static RouteValueDictionary RouteValues(object? values)
    {
        if (values is RouteValueDictionary routeValues) return routeValues;
        if (values is not System.Collections.IDictionary dictionary) return new RouteValueDictionary(values);
        var result = new RouteValueDictionary();
        foreach (System.Collections.DictionaryEntry entry in dictionary)
            result[Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? ""] = entry.Value;
        return result;
    }

    /// <summary>
    /// What <c>LinkGenerator.GetPathByAction(action, controller, values, pathBase)</c> does (explicit values with the
    /// action and the controller, no ambient values), without its reflection over an object of route values, which
    /// NativeAOT reports as a trimming warning in every app that references this helper.
    /// </summary>
    private static string? PathByAction(LinkGenerator links, string action, string controller, object? values, PathString pathBase)
    {
        var explicitValues = new RouteValueDictionary(RouteValues(values)) { ["action"] = action, ["controller"] = controller };
        return links.GetPathByAddress(new RouteValuesAddress { ExplicitValues = explicitValues }, explicitValues, pathBase);
    }

    private static LinkGenerator Links(HttpContext http) => http.RequestServices.GetRequiredService<LinkGenerator>();
}
