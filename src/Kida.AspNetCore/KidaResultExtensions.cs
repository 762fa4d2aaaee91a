using Kida.AspNetCore;

namespace Microsoft.AspNetCore.Http;

/// <summary>
/// Kida results for minimal APIs: <c>Results.Extensions.Kida(...)</c>, and <c>TypedResults.Kida(...)</c> /
/// <c>Results.Kida(...)</c> returning the concrete <see cref="KidaResult"/> for <c>Results&lt;KidaResult, NotFound&gt;</c>.
/// </summary>
public static class KidaResultExtensions
{
    /// <summary>Renders <paramref name="template"/> with <paramref name="model"/> as <c>text/html; charset=utf-8</c>.</summary>
    public static KidaResult Kida(this IResultExtensions extensions, string template, object? model = null, int? statusCode = null)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        return new KidaResult(template, model, statusCode);
    }

    /// <summary>Renders only <paramref name="block"/> of <paramref name="template"/> (an HTMX fragment).</summary>
    public static KidaResult KidaBlock(this IResultExtensions extensions, string template, string block, object? model = null)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        return Block(template, block, model);
    }

    private static KidaResult Block(string template, string block, object? model)
    {
        ArgumentException.ThrowIfNullOrEmpty(block);
        return new KidaResult(template, model, null, block);
    }

    extension(TypedResults)
    {
        /// <summary>Renders <paramref name="template"/> with <paramref name="model"/> as <c>text/html; charset=utf-8</c>.</summary>
        /// <param name="template">The template's name as the loader knows it.</param>
        /// <param name="model">The model; its members become template variables.</param>
        /// <param name="statusCode">The response status code (200 when null).</param>
        public static KidaResult Kida(string template, object? model = null, int? statusCode = null) => new(template, model, statusCode);

        /// <summary>Renders only <paramref name="block"/> of <paramref name="template"/> (an HTMX fragment).</summary>
        /// <param name="template">The template's name as the loader knows it.</param>
        /// <param name="block">The block to render.</param>
        /// <param name="model">The model; its members become template variables.</param>
        public static KidaResult KidaBlock(string template, string block, object? model = null) => Block(template, block, model);
    }
}
