using System.Collections.ObjectModel;
using Kida.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.Features;

namespace Kida.AspNetCore;

/// <summary>
/// The <c>request</c> object templates see, in MVC views and in templates rendered by <see cref="KidaResult"/>:
/// <c>request.path</c>, <c>request.method</c>, and the dict-like <c>request.query</c>, <c>request.form</c>,
/// <c>request.headers</c> and <c>request.cookies</c> (see <see cref="KidaRequestValues"/>).
/// </summary>
/// <remarks>
/// Templates see exactly these members (a wrapper: nothing leads to the <see cref="HttpContext"/>, its services,
/// features or items). Reading a member never does I/O. The form is read asynchronously before a view or result renders (when the
/// request has a form content type); a template rendered some other way sees <c>request.form</c> only if the form
/// was read with <see cref="HttpRequest.ReadFormAsync(CancellationToken)"/> first, and fails instead of reading it
/// synchronously.
/// </remarks>
public sealed class KidaRequest : IKidaObject
{
    private static readonly object FormErrorKey = new();

    private readonly HttpContext? _context;
    private readonly IHttpContextAccessor? _accessor;

    /// <summary>The request of one view.</summary>
    internal KidaRequest(HttpContext context) => _context = context;

    /// <summary>Whatever request is current (the <c>request</c> global of the environment).</summary>
    internal KidaRequest(IHttpContextAccessor accessor) => _accessor = accessor;

    private HttpContext Context => _context ?? _accessor!.HttpContext
        ?? throw new InvalidOperationException("The Kida 'request' global is only available while rendering for an HTTP request.");

    private HttpRequest Request => Context.Request;

    /// <summary>The request path after the path base, unescaped (<c>/products/7</c>).</summary>
    public string Path => Request.Path.Value ?? "";

    /// <summary>The path base the application is mounted on (<c>/shop</c>), or empty.</summary>
    public string PathBase => Request.PathBase.Value ?? "";

    /// <summary>The HTTP method (<c>GET</c>, <c>POST</c>, …).</summary>
    public string Method => Request.Method;

    /// <summary>The scheme (<c>http</c> or <c>https</c>).</summary>
    public string Scheme => Request.Scheme;

    /// <summary>The host, with the port when the request names one.</summary>
    public string Host => Request.Host.Value ?? "";

    /// <summary>Whether the request came over HTTPS.</summary>
    public bool IsHttps => Request.IsHttps;

    /// <summary>The raw query string with its <c>?</c>, as sent (escaped), or empty.</summary>
    public string QueryString => Request.QueryString.Value ?? "";

    /// <summary>The request's content type, or null.</summary>
    public string? ContentType => Request.ContentType;

    /// <summary>The full URL (scheme, host, path base, path and query), escaped for use in links and headers.</summary>
    public string Url => Request.GetEncodedUrl();

    /// <summary>
    /// The route values of the matched endpoint (<c>request.route_values.id</c>), read-only: strings, numbers and
    /// booleans as they are, any other value as its text.
    /// </summary>
    public IReadOnlyDictionary<string, object?> RouteValues
    {
        get
        {
            var values = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            foreach (var (key, value) in Request.RouteValues)
            {
                values[key] = value switch
                {
                    null or string or bool or int or long or double or decimal => value,
                    IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                    _ => value.ToString(),
                };
            }
            return new ReadOnlyDictionary<string, object?>(values);
        }
    }

    /// <summary>The query string parameters.</summary>
    public KidaRequestValues Query => KidaRequestValues.From(Request.Query);

    /// <summary>The request headers.</summary>
    public KidaRequestValues Headers => KidaRequestValues.From(Request.Headers);

    /// <summary>The request cookies.</summary>
    public KidaRequestValues Cookies => KidaRequestValues.From(Request.Cookies);

    /// <summary>
    /// The posted form fields; empty when the request has no form content type. Files are not included (use the
    /// model for uploads).
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The request has a form that could not be read, or that was not read before rendering.
    /// </exception>
    public KidaRequestValues Form
    {
        get
        {
            var context = Context;
            if (!context.Request.HasFormContentType) return KidaRequestValues.Empty;
            if (context.Features.Get<IFormFeature>()?.Form is { } form) return KidaRequestValues.From(form);
            if (context.Items.TryGetValue(FormErrorKey, out var error) && error is Exception ex)
                throw new InvalidOperationException($"The request form could not be read: {ex.Message}", ex);
            throw new InvalidOperationException(
                "The request form has not been read. Kida views and KidaResult read it before rendering; when rendering a "
                + "template yourself, await HttpRequest.ReadFormAsync() first (templates never read the body synchronously).");
        }
    }

    /// <inheritdoc />
    public override string ToString() => Method + " " + PathBase + Path + QueryString;

    /// <summary>The members templates see, and nothing else.</summary>
    bool IKidaObject.TryGetMember(string name, out object? value)
    {
        try
        {
            switch (TemplateMemberName.Normalize(name))
            {
                case "path": value = Path; return true;
                case "pathbase": value = PathBase; return true;
                case "method": value = Method; return true;
                case "scheme": value = Scheme; return true;
                case "host": value = Host; return true;
                case "ishttps": value = IsHttps; return true;
                case "querystring": value = QueryString; return true;
                case "contenttype": value = ContentType; return true;
                case "url": value = Url; return true;
                case "routevalues": value = RouteValues; return true;
                case "query": value = Query; return true;
                case "headers": value = Headers; return true;
                case "cookies": value = Cookies; return true;
                case "form": value = Form; return true;
                default: value = null; return false;
            }
        }
        catch (Exception ex) when (ex is not TemplateException)
        {
            throw TemplateMemberName.Failed("request", name, ex);
        }
    }

    /// <summary>
    /// Reads the form asynchronously (when the request has a form content type and it was not read yet), so that
    /// <see cref="Form"/> never does I/O during a render. A malformed or oversized form is remembered rather than
    /// thrown: only a template that reads <c>request.form</c> fails.
    /// </summary>
    internal static async ValueTask PrepareAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (!request.HasFormContentType || context.Features.Get<IFormFeature>()?.Form is not null) return;
        try
        {
            await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException)
        {
            context.Items[FormErrorKey] = ex;
        }
    }
}
