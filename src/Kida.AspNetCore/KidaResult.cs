using System.Reflection;
using Kida;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Kida.AspNetCore;

/// <summary>
/// An <see cref="IResult"/> that renders a Kida template (or one of its blocks) into the response body. Declare it as
/// a route handler's return type (alone or in <c>Results&lt;KidaResult, NotFound&gt;</c>) and the endpoint advertises
/// <c>200 text/html</c> to OpenAPI.
/// </summary>
public sealed class KidaResult : IResult, IStatusCodeHttpResult, IContentTypeHttpResult, IEndpointMetadataProvider
{
    /// <summary>
    /// Creates a result rendering <paramref name="templateName"/>, or only <paramref name="block"/> if given. The
    /// name may come from the request: an empty name, or one that is not a template under the root, answers 404.
    /// </summary>
    public KidaResult(string templateName, object? model = null, int? statusCode = null, string? block = null)
    {
        ArgumentNullException.ThrowIfNull(templateName);
        TemplateName = templateName;
        Model = model;
        StatusCode = statusCode;
        Block = block;
    }

    /// <summary>
    /// The template's name, relative to <see cref="KidaViewOptions.TemplateRoot"/> (<c>Home/Hello.html</c>). A name
    /// that is not a template under the root answers 404.
    /// </summary>
    public string TemplateName { get; }

    /// <summary>The model; its members (or a dictionary's keys) become template variables.</summary>
    public object? Model { get; }

    /// <summary>The block to render alone (HTMX fragments), or null for the whole template.</summary>
    public string? Block { get; }

    /// <summary>The response status code (200 when null).</summary>
    public int? StatusCode { get; }

    /// <summary>Always <c>text/html; charset=utf-8</c>.</summary>
    public string ContentType => "text/html; charset=utf-8";

    /// <summary>Adds <c>200 text/html</c> response metadata to endpoints whose handlers return <see cref="KidaResult"/>.</summary>
    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/html"]));
    }

    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        return KidaTelemetry.RenderAsync(httpContext, TemplateName, () => ExecuteCoreAsync(httpContext));
    }

    private async Task ExecuteCoreAsync(HttpContext httpContext)
    {
        var environment = httpContext.RequestServices.GetRequiredService<KidaEnvironment>();
        var ct = httpContext.RequestAborted;
        Template template;
        try
        {
            template = await environment.GetTemplateAsync(TemplateName, ct).ConfigureAwait(false);
        }
        catch (TemplateNotFoundException) when (!httpContext.Response.HasStarted)
        {
            // a name that is not a template under the root (missing, outside it, another extension): 404, nothing read
            httpContext.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        catch (TemplateSyntaxException ex)
        {
            var options = httpContext.RequestServices.GetService<Microsoft.Extensions.Options.IOptions<KidaViewOptions>>()?.Value;
            var files = options?.FileProvider
                ?? httpContext.RequestServices.GetService<Microsoft.AspNetCore.Hosting.IWebHostEnvironment>()?.ContentRootFileProvider;
            throw new KidaCompilationException(ex, files, KidaTemplateRoot.Normalize(options?.TemplateRoot ?? "Views"));
        }
        await KidaRequest.PrepareAsync(httpContext, ct).ConfigureAwait(false);
        httpContext.Response.StatusCode = StatusCode ?? StatusCodes.Status200OK;
        httpContext.Response.ContentType = ContentType;
        if (Block is null) await template.RenderAsync(httpContext.Response.BodyWriter, Model, ct).ConfigureAwait(false);
        else await template.RenderBlockAsync(httpContext.Response.BodyWriter, Block, Model, ct).ConfigureAwait(false);
    }
}
