using Kida.AspNetCore;

namespace Microsoft.AspNetCore.Http;

/// <summary>Kida results for minimal APIs: <c>Results.Extensions.Kida(...)</c>.</summary>
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
        ArgumentException.ThrowIfNullOrEmpty(block);
        return new KidaResult(template, model, null, block);
    }
}
