using System.Globalization;

namespace Kida.Checking;

/// <summary>How serious a finding is: errors fail <c>kida check</c> and the build, warnings only with strict checking.</summary>
internal enum DiagnosticSeverity
{
    Warning,
    Error,
}

/// <summary>One finding of the template checker, at a 1-based line and column of a template.</summary>
internal sealed record TemplateDiagnostic(string Code, DiagnosticSeverity Severity, string Message, string? TemplateName, string? Path,
    int Line, int Column)
{
    /// <summary>
    /// The canonical compiler format that MSBuild, IDEs and CI annotate:
    /// <c>path(line,col): error K-XXX-NNN: message</c>.
    /// </summary>
    public string Format(string? path = null) => string.Create(CultureInfo.InvariantCulture,
        $"{path ?? Path ?? TemplateName ?? "<string>"}({Math.Max(Line, 1)},{Math.Max(Column, 1)}): {(Severity == DiagnosticSeverity.Error ? "error" : "warning")} {Code}: {Message}");

    /// <summary>A finding made from the exception compiling (or loading) a template throws.</summary>
    public static TemplateDiagnostic FromException(TemplateException ex, string? templateName, string? path)
    {
        var message = ex.RawMessage;
        if (ex.Hint is not null) message += $" ({ex.Hint})";
        return new TemplateDiagnostic(ex.Code, DiagnosticSeverity.Error, OneLine(message), ex.TemplateName ?? templateName, path,
            ex.Line, ex.Column);
    }

    /// <summary>Messages are one line in the canonical format.</summary>
    internal static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
