using Kida;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.Extensions.DependencyInjection;

namespace Kida.AspNetCore;

/// <summary>
/// Request helpers registered as environment globals, bound to the current request through
/// <see cref="IHttpContextAccessor"/> (as Flask binds <c>url_for</c>): every template can use <c>request</c>,
/// <c>url</c>, <c>url_for</c>, <c>csrf_token()</c>, <c>csrf_input()</c> and Kida's <c>hx_request()</c>,
/// <c>hx_boosted()</c>, <c>hx_target()</c> and <c>hx_trigger()</c> (the HX-* headers) and <c>csp_nonce()</c> (the nonce a
/// middleware stored in <c>HttpContext.Items["csp_nonce"]</c>), including ones rendered by
/// <see cref="KidaResult"/>. Each is a Kida wrapper (<see cref="KidaRequest"/>, <see cref="KidaUrlHelper"/>,
/// <see cref="KidaFunction"/>): callable or readable as documented, with no way to the delegate, the
/// <see cref="HttpContext"/> or the request services behind it.
/// MVC views get per-view values of the same names, which take precedence.
/// </summary>
internal static class KidaRequestGlobals
{
    public static void Register(KidaEnvironment environment, IHttpContextAccessor accessor)
    {
        environment.AddGlobal("request", new KidaRequest(accessor));
        var url = new KidaUrlHelper(accessor);
        environment.AddGlobal("url", url);
        environment.AddGlobal("url_for", url.UrlFor());
        environment.AddGlobal("csrf_token", new KidaFunction("csrf_token", _ => CsrfToken(Current(accessor))));
        environment.AddGlobal("csrf_input", new KidaFunction("csrf_input", _ => CsrfInput(Current(accessor))));
        // Kida's HTMX globals read the current request's HX-* headers; outside a request they are false / None
        environment.AddGlobal("hx_request", new KidaFunction("hx_request", _ => IsTrue(HxHeader(accessor, "HX-Request"))));
        environment.AddGlobal("hx_boosted", new KidaFunction("hx_boosted", _ => IsTrue(HxHeader(accessor, "HX-Boosted"))));
        environment.AddGlobal("hx_target", new KidaFunction("hx_target", _ => HxHeader(accessor, "HX-Target")));
        environment.AddGlobal("hx_trigger", new KidaFunction("hx_trigger", _ => HxHeader(accessor, "HX-Trigger")));
        // the request's Content-Security-Policy nonce, as the app's CSP middleware stored it; "" when there is none
        environment.AddGlobal("csp_nonce", new KidaFunction("csp_nonce", _ => CspNonce(accessor.HttpContext)));
        // asset("~/css/site.css"): the URL with the file's version hash, as Razor's asp-append-version writes it
        environment.AddGlobal("asset", new KidaFunction("asset", args =>
            Asset(accessor.HttpContext, KidaFunction.String(args, 0, "path", "asset", required: true)!)));
    }

    /// <summary>
    /// The URL of a static file: <c>~/</c> is the application's path base, and a local file of the web root gets its
    /// version hash (<c>/css/site.css?v=…</c>) through MVC's <see cref="IFileVersionProvider"/>, as
    /// <c>asp-append-version</c> does. Absolute URLs, paths with <c>..</c>, backslashes or control characters, and files
    /// that do not exist are returned without a version; without MVC's views (no <see cref="IFileVersionProvider"/>)
    /// every path is.
    /// </summary>
    internal static string Asset(HttpContext? http, string path)
    {
        var pathBase = http?.Request.PathBase ?? PathString.Empty;
        var url = path.StartsWith("~/", StringComparison.Ordinal) ? pathBase.Add(new PathString(path[1..])).Value ?? path[1..] : path;
        if (http is null || !IsLocalFile(path)) return url;
        var versions = http.RequestServices.GetService<IFileVersionProvider>();
        return versions is null ? url : versions.AddFileVersionToPath(pathBase, url);
    }

    private static bool IsLocalFile(string path)
    {
        if (path.Length is 0 or > 2048 || path.Contains("//", StringComparison.Ordinal) || path.Contains(':', StringComparison.Ordinal)) return false;
        foreach (var c in path)
            if (char.IsControl(c) || c is '\\' or '%') return false;
        var local = path.Split('?', '#')[0];
        return !local.Split('/').Any(segment => segment is ".." or ".");
    }

    /// <summary>
    /// The <see cref="HttpContext.Items"/> key under which Kida looks for the request's CSP nonce (a string), for
    /// <c>csp_nonce()</c> and the <c>csp_nonce</c> filter: a middleware that sets the Content-Security-Policy header stores
    /// its nonce there.
    /// </summary>
    public const string CspNonceItemKey = "csp_nonce";

    internal static string CspNonce(HttpContext? http) =>
        http?.Items.TryGetValue(CspNonceItemKey, out var nonce) == true && nonce is string s ? s : "";

    /// <summary>The header of the current request (several values joined with ", "), or null without a request or header.</summary>
    internal static string? HxHeader(IHttpContextAccessor accessor, string name) =>
        accessor.HttpContext?.Request.Headers.TryGetValue(name, out var values) == true && values.Count > 0 ? values.ToString() : null;

    private static bool IsTrue(string? header) => header is not null && header.Trim().Equals("true", StringComparison.OrdinalIgnoreCase);

    private static HttpContext Current(IHttpContextAccessor accessor) => accessor.HttpContext
        ?? throw new InvalidOperationException("Kida request helpers are only available while rendering for an HTTP request.");

    private static AntiforgeryTokenSet Tokens(HttpContext http) =>
        http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);

    public static string CsrfToken(HttpContext http) => Tokens(http).RequestToken ?? "";

    public static Markup CsrfInput(HttpContext http) => CsrfInput(Tokens(http));

    /// <summary>The hidden input carrying the token; both attribute values escaped (<c>&amp; &lt; &gt; " '</c>).</summary>
    public static Markup CsrfInput(AntiforgeryTokenSet tokens) =>
        new($"<input type=\"hidden\" name=\"{Attribute(tokens.FormFieldName)}\" value=\"{Attribute(tokens.RequestToken ?? "")}\">");

    private static string Attribute(string value) => System.Net.WebUtility.HtmlEncode(value).Replace("'", "&#39;", StringComparison.Ordinal);
}
