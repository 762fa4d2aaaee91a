using System.Net;
using System.Text;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Kida.AspNetCore.Diagnostics;

/// <summary>
/// The developer exception page for template errors (registered by <c>AddKida</c>, active in Development only): for
/// any <see cref="TemplateException"/> it shows the code, message and hint, the template with line and column, the
/// source around it with a caret under the column, the template stack (include, extends, import, macro and block
/// chain, innermost first), then the .NET stack with the engine's frames collapsed. Other errors, and every error
/// outside Development, go on to ASP.NET Core's own page (or to the app's exception handler).
/// </summary>
internal sealed class KidaDeveloperPageExceptionFilter(IWebHostEnvironment host, KidaEnvironment kida) : IDeveloperPageExceptionFilter
{
    public async Task HandleExceptionAsync(ErrorContext errorContext, Func<ErrorContext, Task> next)
    {
        var error = KidaErrorReport.Find(errorContext.Exception);
        var response = errorContext.HttpContext.Response;
        if (error is null || !host.IsDevelopment() || response.HasStarted)
        {
            await next(errorContext).ConfigureAwait(false);
            return;
        }
        var report = new KidaErrorReport(error, errorContext.Exception, KidaErrorReport.LoadSource(kida, error));
        var html = AcceptsHtml(errorContext.HttpContext.Request);
        response.StatusCode = StatusCodes.Status500InternalServerError;
        response.ContentType = html ? "text/html; charset=utf-8" : "text/plain; charset=utf-8";
        response.Headers.CacheControl = "no-cache, no-store";
        await response.WriteAsync(html ? report.ToHtml() : report.ToText(), errorContext.HttpContext.RequestAborted).ConfigureAwait(false);
    }

    private static bool AcceptsHtml(HttpRequest request)
    {
        foreach (var value in request.Headers.Accept)
            if (value is not null && value.Contains("text/html", StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}

/// <summary>What the developer page shows for one template error.</summary>
internal sealed class KidaErrorReport(TemplateException error, Exception thrown, string? source)
{
    /// <summary>Lines of source shown before and after the failing line.</summary>
    public const int ContextLines = 5;

    /// <summary>The template error in <paramref name="exception"/>'s chain (itself, an inner or an aggregated exception), or null.</summary>
    public static TemplateException? Find(Exception? exception)
    {
        for (var depth = 0; exception is not null && depth < 32; depth++)
        {
            if (exception is TemplateException template) return template;
            if (exception is AggregateException { InnerExceptions.Count: > 0 } aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                    if (Find(inner) is { } found) return found;
                return null;
            }
            exception = exception.InnerException;
        }
        return null;
    }

    /// <summary>The whole source of the failing template, through the environment's loader; null when unavailable.</summary>
    public static string? LoadSource(KidaEnvironment kida, TemplateException error)
    {
        if (error.TemplateName is not { } name || kida.Options.Loader is not { } loader) return null;
        try
        {
            return loader.GetSource(name).Text;
        }
        catch (Exception ex) when (ex is TemplateException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The source lines around the error: (1-based number, text), at most <see cref="ContextLines"/> either side.</summary>
    public IReadOnlyList<(int Number, string Text)> Excerpt()
    {
        if (error.Line <= 0) return [];
        if (source is null)
            return error.SourceLine is { } only ? [(error.Line, only)] : [];
        var lines = source.Split('\n');
        var first = Math.Max(1, error.Line - ContextLines);
        var last = Math.Min(lines.Length, error.Line + ContextLines);
        var excerpt = new List<(int, string)>();
        for (var n = first; n <= last; n++) excerpt.Add((n, lines[n - 1].TrimEnd('\r')));
        return excerpt;
    }

    /// <summary>The caret line: the failing line's characters before the column as blanks (tabs kept), then '^'.</summary>
    public string Caret()
    {
        var line = Excerpt().FirstOrDefault(l => l.Number == error.Line).Text ?? error.SourceLine ?? "";
        var sb = new StringBuilder();
        for (var i = 0; i < error.Column - 1; i++) sb.Append(i < line.Length && line[i] == '\t' ? '\t' : ' ');
        return sb.Append('^').ToString();
    }

    /// <summary>The .NET stack of the thrown exception, runs of engine frames collapsed into one entry.</summary>
    public static IReadOnlyList<StackGroup> Stack(Exception exception)
    {
        var groups = new List<StackGroup>();
        foreach (var raw in (exception.StackTrace ?? "").Split('\n'))
        {
            var frame = raw.Trim();
            if (frame.Length == 0) continue;
            var engine = IsEngineFrame(frame);
            if (groups.Count > 0 && groups[^1].Engine && engine) groups[^1].Frames.Add(frame);
            else groups.Add(new StackGroup(engine, [frame]));
        }
        return groups;
    }

    /// <summary>A frame of the template engine or of the expression trees it runs (interpreted or compiled).</summary>
    public static bool IsEngineFrame(string frame)
    {
        var method = frame.StartsWith("at ", StringComparison.Ordinal) ? frame[3..] : frame;
        return method.StartsWith("Kida.", StringComparison.Ordinal)
            || method.StartsWith("System.Linq.Expressions.", StringComparison.Ordinal)
            || method.StartsWith("lambda_method", StringComparison.Ordinal)
            || method.StartsWith("System.Runtime.CompilerServices.Closure", StringComparison.Ordinal)
            || method.StartsWith("System.Dynamic.Utils.", StringComparison.Ordinal)
            || method.StartsWith("Thunk", StringComparison.Ordinal);
    }

    /// <summary>Consecutive frames of the .NET stack; <see cref="Engine"/> groups are shown collapsed.</summary>
    public sealed record StackGroup(bool Engine, List<string> Frames);

    private string Location => (error.TemplateName ?? "<string>") + (error.Line > 0 ? $":{error.Line}:{error.Column}" : "");

    /// <summary>The plain-text form, for clients that do not accept HTML.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        sb.Append('[').Append(error.Code).Append("] ").Append(error.GetType().Name).Append(": ").Append(error.RawMessage).Append('\n');
        sb.Append("  --> ").Append(Location).Append('\n');
        var excerpt = Excerpt();
        var width = excerpt.Count == 0 ? 1 : excerpt[^1].Number.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        foreach (var (number, text) in excerpt)
        {
            sb.Append(number == error.Line ? "> " : "  ").Append(number.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width)).Append(" | ").Append(text).Append('\n');
            if (number == error.Line) sb.Append("  ").Append(' ', width).Append(" | ").Append(Caret()).Append('\n');
        }
        if (error.Hint is not null) sb.Append("hint: ").Append(error.Hint).Append('\n');
        if (error.TemplateStack.Count > 0)
        {
            sb.Append("\nTemplate stack (innermost first):\n");
            sb.Append("  error in ").Append(Location).Append('\n');
            foreach (var frame in error.TemplateStack) sb.Append("  ").Append(frame).Append('\n');
        }
        AppendCauseText(sb);
        sb.Append("\n.NET stack (engine frames collapsed):\n");
        foreach (var group in Stack(thrown))
        {
            if (group.Engine) sb.Append("  … ").Append(group.Frames.Count).Append(" Kida engine frame(s)\n");
            else foreach (var frame in group.Frames) sb.Append("  ").Append(frame).Append('\n');
        }
        return sb.ToString();
    }

    private void AppendCauseText(StringBuilder sb)
    {
        if (error.InnerException is not { } cause) return;
        sb.Append("\nCaused by ").Append(cause.GetType().FullName).Append(": ").Append(cause.Message).Append('\n');
        foreach (var group in Stack(cause))
            foreach (var frame in group.Frames) if (!group.Engine) sb.Append("  ").Append(frame).Append('\n');
    }

    /// <summary>The HTML page; every value from the template, the error or the stack is HTML-escaped.</summary>
    public string ToHtml()
    {
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
          .Append("<title>").Append(E(error.Code)).Append(' ').Append(E(error.GetType().Name)).Append("</title>\n<style>").Append(Css).Append("</style></head>\n<body>\n");
        sb.Append("<header><p class=\"kind\">Kida template error · ").Append(E(error.GetType().Name)).Append("</p>\n");
        sb.Append("<h1><span class=\"code\">").Append(E(error.Code)).Append("</span> ").Append(E(error.RawMessage)).Append("</h1>\n");
        sb.Append("<p class=\"location\">").Append(E(Location)).Append("</p>\n");
        if (error.Hint is not null) sb.Append("<p class=\"hint\">Hint: ").Append(E(error.Hint)).Append("</p>\n");
        sb.Append("</header>\n");

        var excerpt = Excerpt();
        if (excerpt.Count > 0)
        {
            sb.Append("<h2>Source</h2>\n<pre class=\"source\">");
            var width = excerpt[^1].Number.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
            foreach (var (number, text) in excerpt)
            {
                var current = number == error.Line;
                sb.Append(current ? "<span class=\"line current\">" : "<span class=\"line\">")
                  .Append(E(number.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width))).Append(" | ").Append(E(text)).Append("</span>");
                if (current)
                    sb.Append("<span class=\"caret\">").Append(' ', width).Append(" | ").Append(E(Caret())).Append("</span>");
            }
            // each line is a block of its own: no line breaks between them inside the <pre>
            sb.Append("</pre>\n");
        }

        sb.Append("<h2>Template stack</h2>\n<ol class=\"template-stack\">\n<li><span class=\"what\">error</span> in <code>").Append(E(Location)).Append("</code></li>\n");
        foreach (var frame in error.TemplateStack)
        {
            sb.Append("<li><span class=\"what\">").Append(E(frame.Kind)).Append("</span> <code>").Append(E(frame.Name)).Append("</code> at <code>")
              .Append(E((frame.TemplateName ?? "<string>") + (frame.Line > 0 ? $":{frame.Line}:{frame.Column}" : ""))).Append("</code></li>\n");
        }
        sb.Append("</ol>\n");

        if (error.InnerException is { } cause)
        {
            sb.Append("<h2>Caused by</h2>\n<p class=\"cause\"><code>").Append(E(cause.GetType().FullName)).Append("</code>: ").Append(E(cause.Message)).Append("</p>\n");
            AppendStackHtml(sb, cause);
        }
        sb.Append("<h2>.NET stack</h2>\n");
        AppendStackHtml(sb, thrown);
        sb.Append("<p class=\"note\">Shown in Development only; in Production the app's exception handler answers without details.</p>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static void AppendStackHtml(StringBuilder sb, Exception exception)
    {
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        sb.Append("<ol class=\"dotnet-stack\">\n");
        foreach (var group in Stack(exception))
        {
            if (group.Engine)
            {
                sb.Append("<li class=\"engine\"><details><summary>").Append(group.Frames.Count).Append(" Kida engine frame(s)</summary><pre>");
                foreach (var frame in group.Frames) sb.Append(E(frame)).Append('\n');
                sb.Append("</pre></details></li>\n");
            }
            else
            {
                foreach (var frame in group.Frames) sb.Append("<li><code>").Append(E(frame)).Append("</code></li>\n");
            }
        }
        sb.Append("</ol>\n");
    }

    private const string Css =
        "body{font-family:system-ui,sans-serif;margin:0;padding:1.5rem 2rem;color:#1f2328;background:#fff;line-height:1.45}" +
        "header{border-left:6px solid #b42318;padding-left:1rem;margin-bottom:1.5rem}.kind{color:#b42318;font-weight:600;margin:0}" +
        "h1{font-size:1.35rem;margin:.3rem 0}.code{background:#b42318;color:#fff;border-radius:4px;padding:0 .4rem;font-size:1rem}" +
        ".location{font-family:ui-monospace,monospace;margin:.2rem 0}.hint{background:#fff8c5;padding:.4rem .6rem;border-radius:4px}" +
        "h2{font-size:1.05rem;margin:1.4rem 0 .5rem}pre,code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.88rem}" +
        ".source{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.6rem 0;overflow:auto}" +
        ".line{display:block;padding:0 .8rem}.current{background:#ffebe9}.caret{display:block;padding:0 .8rem;color:#b42318;font-weight:700}" +
        "ol{padding-left:1.6rem}.what{display:inline-block;min-width:4.5rem;font-weight:600}.engine summary{color:#57606a;cursor:pointer}" +
        ".note{color:#57606a;font-size:.85rem;margin-top:2rem}";
}
