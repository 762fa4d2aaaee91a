using Microsoft.AspNetCore.Mvc;

namespace Kida.AspNetCore;

/// <summary>The <c>url</c> object templates see: <c>url.action(...)</c>, <c>url.content(...)</c>, <c>url.route_url(...)</c>.</summary>
public sealed class KidaUrlHelper
{
    private readonly IUrlHelper _inner;

    /// <summary>Wraps an MVC <see cref="IUrlHelper"/>.</summary>
    public KidaUrlHelper(IUrlHelper inner) => _inner = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>The URL of an action of the current controller.</summary>
    public string? Action(string action) => _inner.Action(action);

    /// <summary>The URL of an action of a controller.</summary>
    public string? Action(string action, string controller) => _inner.Action(action, controller);

    /// <summary>The URL of an action of a controller with route values.</summary>
    public string? Action(string action, string controller, object? values) => _inner.Action(action, controller, values);

    /// <summary>An app-relative path (<c>~/x.css</c>) made absolute for the request's path base.</summary>
    public string Content(string path) => _inner.Content(path);

    /// <summary>The URL of a named route.</summary>
    public string? RouteUrl(string routeName) => _inner.RouteUrl(routeName, values: null);

    /// <summary>The URL of a named route with route values.</summary>
    public string? RouteUrl(string routeName, object? values) => _inner.RouteUrl(routeName, values);

    /// <inheritdoc />
    public override string ToString() => _inner.Content("~/");
}
