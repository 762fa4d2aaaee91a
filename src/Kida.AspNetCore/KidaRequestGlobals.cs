using Kida;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Kida.AspNetCore;

/// <summary>
/// Request helpers registered as environment globals, bound to the current request through
/// <see cref="IHttpContextAccessor"/> (as Flask binds <c>url_for</c>): every template can use <c>request</c>,
/// <c>url</c>, <c>url_for</c>, <c>csrf_token()</c> and <c>csrf_input()</c>, including ones rendered by
/// <see cref="KidaResult"/>.
/// MVC views get per-view values of the same names, which take precedence.
/// </summary>
internal static class KidaRequestGlobals
{
    public static void Register(KidaEnvironment environment, IHttpContextAccessor accessor)
    {
        environment.AddGlobal("request", new KidaRequest(accessor));
        var url = new KidaUrlHelper(accessor);
        environment.AddGlobal("url", url);
        environment.AddGlobal("url_for", new Func<string, string, string?>((action, controller) => url.Action(action, controller)));
        environment.AddGlobal("csrf_token", new Func<string>(() => CsrfToken(Current(accessor))));
        environment.AddGlobal("csrf_input", new Func<IHtmlContent>(() => CsrfInput(Current(accessor))));
    }

    private static HttpContext Current(IHttpContextAccessor accessor) => accessor.HttpContext
        ?? throw new InvalidOperationException("Kida request helpers are only available while rendering for an HTTP request.");

    private static AntiforgeryTokenSet Tokens(HttpContext http) =>
        http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);

    public static string CsrfToken(HttpContext http) => Tokens(http).RequestToken ?? "";

    public static IHtmlContent CsrfInput(HttpContext http) => CsrfInput(Tokens(http));

    public static IHtmlContent CsrfInput(AntiforgeryTokenSet tokens)
    {
        var name = System.Net.WebUtility.HtmlEncode(tokens.FormFieldName);
        var value = System.Net.WebUtility.HtmlEncode(tokens.RequestToken ?? "");
        return new HtmlString($"<input type=\"hidden\" name=\"{name}\" value=\"{value}\">");
    }
}
