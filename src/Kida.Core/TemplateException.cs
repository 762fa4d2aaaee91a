using System.Text;

namespace Kida;

/// <summary>The base of every error Kida raises for a template: where it happened and why.</summary>
public class TemplateException : Exception
{
    /// <summary>Creates an exception with a message, a stable error code and an optional position.</summary>
    public TemplateException(string message, string code, string? templateName = null, int line = 0, int column = 0,
        string? sourceLine = null, string? hint = null, Exception? innerException = null)
        : base(message, innerException)
    {
        RawMessage = message;
        Code = code;
        TemplateName = templateName;
        Line = line;
        Column = column;
        SourceLine = sourceLine;
        Hint = hint;
    }

    /// <summary>The message without position, source line or hint.</summary>
    public string RawMessage { get; }

    /// <summary>The stable error code, such as <c>K-PAR-001</c>.</summary>
    public string Code { get; }

    /// <summary>The name of the template the error belongs to, when known.</summary>
    public string? TemplateName { get; private set; }

    /// <summary>The 1-based line of the error, or 0 when unknown.</summary>
    public int Line { get; private set; }

    /// <summary>The 1-based column of the error, or 0 when unknown.</summary>
    public int Column { get; private set; }

    /// <summary>The text of the offending source line, when known.</summary>
    public string? SourceLine { get; private set; }

    /// <summary>A suggestion for fixing the error ("did you mean …"), when one applies.</summary>
    public string? Hint { get; }

    /// <summary>
    /// The template stack that led to the error during a render, innermost first: each frame names what was entered
    /// (an <c>include</c>, <c>extends</c>, <c>import</c> or <c>embed</c> of a template, a <c>macro</c> or <c>def</c>
    /// call, a <c>block</c>, <c>super()</c>, a <c>slot</c>, a recursive <c>loop</c>) and the template, line and column
    /// it was entered from. Empty for errors outside a render (syntax errors of the template itself).
    /// </summary>
    public IReadOnlyList<TemplateStackFrame> TemplateStack { get; private set; } = [];

    /// <summary>Whether a position has been attached.</summary>
    internal bool HasPosition => Line > 0;

    /// <summary>Attaches the template stack of the render that failed, unless one is attached already (the innermost render's).</summary>
    internal void SetTemplateStack(IReadOnlyList<TemplateStackFrame> stack)
    {
        if (TemplateStack.Count == 0) TemplateStack = stack;
    }

    internal void SetPosition(string? templateName, int line, int column, string? sourceLine)
    {
        TemplateName ??= templateName;
        if (Line > 0) return;
        Line = line;
        Column = column;
        SourceLine = sourceLine;
    }

    /// <inheritdoc />
    public override string Message
    {
        get
        {
            var sb = new StringBuilder();
            sb.Append('[').Append(Code).Append("] ").Append(RawMessage);
            if (TemplateName is not null || Line > 0)
            {
                sb.Append("\n  --> ").Append(TemplateName ?? "<string>");
                if (Line > 0) sb.Append(':').Append(Line).Append(':').Append(Column);
            }
            if (SourceLine is not null && Line > 0)
            {
                var gutter = Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
                sb.Append("\n ").Append(gutter).Append(" | ").Append(SourceLine);
                sb.Append("\n ").Append(' ', gutter.Length).Append(" | ").Append(' ', Math.Max(0, Column - 1)).Append('^');
            }
            if (Hint is not null) sb.Append("\n  hint: ").Append(Hint);
            return sb.ToString();
        }
    }
}

/// <summary>The template cannot be lexed or parsed, or refers to an unknown filter or test.</summary>
public sealed class TemplateSyntaxException : TemplateException
{
    /// <summary>Creates a syntax error.</summary>
    public TemplateSyntaxException(string message, string code = ErrorCodes.UnexpectedToken, string? templateName = null, int line = 0,
        int column = 0, string? sourceLine = null, string? hint = null)
        : base(message, code, templateName, line, column, sourceLine, hint) { }
}

/// <summary>A template could not be found by the loader.</summary>
public sealed class TemplateNotFoundException : TemplateException
{
    /// <summary>Creates a not-found error for <paramref name="name"/>, listing where it was looked for.</summary>
    public TemplateNotFoundException(string name, IReadOnlyList<string>? searched = null, string? message = null)
        : base(message ?? BuildMessage(name, searched), ErrorCodes.TemplateNotFound)
    {
        Name = name;
        Searched = searched ?? [];
    }

    /// <summary>The template name that was asked for.</summary>
    public string Name { get; }

    /// <summary>The places that were searched.</summary>
    public IReadOnlyList<string> Searched { get; }

    private static string BuildMessage(string name, IReadOnlyList<string>? searched) =>
        searched is { Count: > 0 }
            ? $"Template '{name}' not found. Searched: {string.Join(", ", searched)}"
            : $"Template '{name}' not found";
}

/// <summary>A variable, attribute or key that does not exist was used.</summary>
public sealed class UndefinedException : TemplateException
{
    /// <summary>Creates an undefined error for <paramref name="name"/>.</summary>
    public UndefinedException(string message, string name, string? hint = null)
        : base(message, ErrorCodes.UndefinedVariable, hint: hint)
    {
        Name = name;
    }

    /// <summary>The undefined name (for attributes, <c>Type.attr</c>).</summary>
    public string Name { get; }
}

/// <summary>An error raised while rendering: a failing filter, a bad operand, a model member that threw.</summary>
public sealed class TemplateRuntimeException : TemplateException
{
    /// <summary>Creates a runtime error.</summary>
    public TemplateRuntimeException(string message, string code = ErrorCodes.Runtime, Exception? innerException = null, string? hint = null)
        : base(message, code, hint: hint, innerException: innerException) { }
}

/// <summary>One level of <see cref="TemplateException.TemplateStack"/>: what a render entered, and from where.</summary>
/// <param name="Kind">What was entered: <c>include</c>, <c>extends</c>, <c>import</c>, <c>embed</c>, <c>macro</c>, <c>block</c>, <c>super</c>, <c>slot</c> or <c>loop</c>.</param>
/// <param name="Name">The template, macro, block or slot entered.</param>
/// <param name="TemplateName">The template it was entered from (null for a template made from a string).</param>
/// <param name="Line">The 1-based line it was entered from, or 0 when unknown.</param>
/// <param name="Column">The 1-based column it was entered from, or 0 when unknown.</param>
public sealed record TemplateStackFrame(string Kind, string? Name, string? TemplateName, int Line, int Column)
{
    /// <summary>"macro 'row' at Products/Index.html:7:20".</summary>
    public override string ToString() =>
        $"{Kind} '{Name}' at {TemplateName ?? "<string>"}{(Line > 0 ? $":{Line}:{Column}" : "")}";
}
