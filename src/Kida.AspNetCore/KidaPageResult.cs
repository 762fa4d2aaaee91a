using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Kida.AspNetCore;

/// <summary>
/// The result of a Razor Pages handler that renders a Kida template as the page, instead of the page's Razor markup:
/// <c>public IActionResult OnGet() =&gt; new KidaPageResult(this);</c>. The page's <c>.cshtml</c> only declares the route
/// (<c>@page</c> and <c>@model</c>); the template sees the page model as <c>model</c> (<c>model.teas</c>), the page's
/// <c>ViewData</c> entries (<c>title</c>), <c>temp_data</c>, <c>model_state</c> and everything an MVC view sees, and gets
/// the default layout, auto-imports, <c>component()</c> and <c>partial()</c> as views do.
/// </summary>
public sealed class KidaPageResult : IActionResult
{
    /// <summary>
    /// Renders the template named after the page by convention (with <see cref="KidaViewOptions.FileExtension"/>): the page <c>/Teas/Index</c> renders
    /// <c>Pages/Teas/Index.html</c> under <see cref="KidaViewOptions.TemplateRoot"/> (<c>Views/Pages/Teas/Index.html</c>).
    /// </summary>
    public KidaPageResult(PageModel page) : this(null, page)
    {
    }

    /// <summary>
    /// Renders <paramref name="templateName"/>, a template path relative to <see cref="KidaViewOptions.TemplateRoot"/>
    /// (<c>Pages/Index.html</c>); null names it after the page, as <see cref="KidaPageResult(PageModel)"/> does.
    /// </summary>
    public KidaPageResult(string? templateName, PageModel page)
    {
        ArgumentNullException.ThrowIfNull(page);
        TemplateName = templateName;
        Page = page;
    }

    /// <summary>The template's name, or null for the page's conventional name.</summary>
    public string? TemplateName { get; }

    /// <summary>The page model: the template's <c>model</c>.</summary>
    public PageModel Page { get; }

    /// <summary>The response status code (200 when null).</summary>
    public int? StatusCode { get; init; }

    /// <inheritdoc />
    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = TemplateName ?? ConventionalName(context);
        var result = new ViewResult
        {
            ViewName = name,
            ViewData = new ViewDataDictionary<object>(Page.ViewData, Page),
            TempData = Page.TempData,
            StatusCode = StatusCode,
        };
        return result.ExecuteResultAsync(context);
    }

    /// <summary><c>Pages/Teas/Index.html</c> for the page <c>/Teas/Index</c>.</summary>
    private static string ConventionalName(ActionContext context)
    {
        var page = (context.ActionDescriptor as CompiledPageActionDescriptor)?.ViewEnginePath
            ?? (context.ActionDescriptor as PageActionDescriptor)?.ViewEnginePath
            ?? context.RouteData.Values["page"] as string
            ?? throw new InvalidOperationException("KidaPageResult(page) names its template after the Razor page; outside Razor Pages, name the template.");
        var extension = context.HttpContext.RequestServices.GetService<IOptions<KidaViewOptions>>()?.Value.FileExtension ?? ".html";
        return "Pages/" + page.TrimStart('/') + extension;
    }
}
