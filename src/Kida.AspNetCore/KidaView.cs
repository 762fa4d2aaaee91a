using Kida;
using Microsoft.AspNetCore.Antiforgery;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.AspNetCore.Mvc.Routing;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewEngines;
using Microsoft.Extensions.DependencyInjection;

namespace Kida.AspNetCore;

/// <summary>A Kida template rendered as an MVC view.</summary>
internal sealed class KidaView(KidaEnvironment environment, string path, bool isMainPage, Microsoft.Extensions.FileProviders.IFileProvider? files = null,
    string root = "", KidaViewConventions? conventions = null) : IView
{
    public string Path { get; } = path;

    public bool IsMainPage { get; } = isMainPage;

    public Task RenderAsync(ViewContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return KidaTelemetry.RenderAsync(context.HttpContext, Path, () => RenderCoreAsync(context));
    }

    private async Task RenderCoreAsync(ViewContext context)
    {
        var http = context.HttpContext;
        var template = await GetTemplateAsync(Path, http.RequestAborted).ConfigureAwait(false);
        await KidaRequest.PrepareAsync(http, http.RequestAborted).ConfigureAwait(false);
        // The view's scope (for component(), partial() and the localization globals) flows with this render, into the
        // thread of a streaming render too; a nested view sets its own and the outer one is back when it returns.
        var scope = new KidaViewScope(context, Path);
        KidaViewScope.Current = scope;
        var encoder = http.RequestServices.GetService<HtmlEncoder>() ?? HtmlEncoder.Default;
        // Rendered into Kida's pooled buffer, then written asynchronously through the splice writer, which writes the
        // awaited HTML of components and partials in place of their placeholders: a main view straight into the
        // response's PipeWriter as UTF-8 when the response is UTF-8 (what MVC's response writer would do, without its
        // char-to-byte buffering); partials and view components into their view buffer. Never a synchronous write.
        KidaSpliceWriter writer;
        if (context.Writer is HttpResponseStreamWriter { Encoding.CodePage: 65001 } responseWriter)
        {
            await responseWriter.FlushAsync().ConfigureAwait(false);
            writer = new KidaSpliceWriter(scope, http.Response.BodyWriter, encoder);
        }
        else
        {
            writer = new KidaSpliceWriter(scope, context.Writer, encoder);
        }
        var vars = BuildContext(context);
        var ct = http.RequestAborted;
        if (conventions is not null)
        {
            var imports = await conventions.ImportsAsync(ct).ConfigureAwait(false);
            if (conventions.UsesLayout(template, IsMainPage))
            {
                // the view's output becomes the default layout's body (its placeholders are spliced with the layout's)
                using var body = new StringWriter();
                await conventions.Wrap(template, imports).RenderAsync(body, vars, ct).ConfigureAwait(false);
                template = await GetTemplateAsync(conventions.DefaultLayout!, ct).ConfigureAwait(false);
                vars["body"] = new Markup(body.ToString());
            }
            template = conventions.Wrap(template, imports);
        }
        await template.RenderAsync(writer, vars, ct).ConfigureAwait(false);
        await writer.CompleteAsync(ct).ConfigureAwait(false);
    }

    private async ValueTask<Template> GetTemplateAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await environment.GetTemplateAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (TemplateSyntaxException ex)
        {
            throw new KidaCompilationException(ex, files, root);
        }
    }

    internal static Dictionary<string, object?> BuildContext(ViewContext context)
    {
        var http = context.HttpContext;
        var vars = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in context.ViewData)
        {
            vars[key] = value;
            vars.TryAdd(key.ToLowerInvariant(), value);
        }
        vars["model"] = context.ViewData.Model;
        vars["view_data"] = new KidaViewData(context.ViewData);
        // every helper below is a Kida wrapper exposing only its template-facing members (never a raw delegate, the
        // HttpContext, MVC's objects or the request services)
        vars["temp_data"] = new KidaTempData(context.TempData);
        vars["model_state"] = new KidaModelState(context.ViewData.ModelState);
        var errors = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, entry) in context.ViewData.ModelState)
        {
            if (entry.Errors.Count > 0) errors[key] = entry.Errors.Select(e => (object?)e.ErrorMessage).ToList();
        }
        vars["errors"] = errors;
        vars["request"] = new KidaRequest(http);
        vars["user"] = new KidaUser(http.User);
        var urlFactory = http.RequestServices.GetService<IUrlHelperFactory>();
        if (urlFactory is not null)
        {
            var url = new KidaUrlHelper(urlFactory.GetUrlHelper(context));
            vars["url"] = url;
            vars["url_for"] = url.UrlFor();
        }
        var antiforgery = http.RequestServices.GetService<IAntiforgery>();
        if (antiforgery is not null)
        {
            AntiforgeryTokenSet? tokens = null;
            AntiforgeryTokenSet Tokens() => tokens ??= antiforgery.GetAndStoreTokens(http);
            vars["csrf_token"] = new KidaFunction("csrf_token", _ => Tokens().RequestToken ?? "");
            vars["csrf_input"] = new KidaFunction("csrf_input", _ => KidaRequestGlobals.CsrfInput(Tokens()));
        }
        return vars;
    }
}
