using System.Collections;
using System.Text.RegularExpressions;
using Kida.Syntax;

namespace Kida.Runtime;

/// <summary>How .NET exceptions become template errors, and the helpers of <c>{% try %}</c> (locate, recover, abort, the error object).</summary>
internal static class RuntimeErrors
{
    /// <summary>A filter or function called with arguments it does not take (Python's Arithmetic.TypeError).</summary>
    public static Exception ArgumentError(string message) => new TemplateRuntimeException("TypeError: " + message, ErrorCodes.FilterError);

    public static TemplateException Wrap(Exception ex) => ex switch
    {
        TemplateException te => te,
        RenderAbortedException aborted => aborted.Error,
        // List.Sort and OrderBy wrap what a comparer throws: the template's own error is the one to report
        InvalidOperationException { InnerException: TemplateException inner } => inner,
        DivideByZeroException => new TemplateRuntimeException("division by zero", ErrorCodes.DivisionByZero, ex),
        KeyNotFoundException => new TemplateRuntimeException($"KeyError: {ex.Message}", ErrorCodes.KeyError, ex),
        InvalidCastException or ArgumentException or FormatException or OverflowException or NotSupportedException
            => new TemplateRuntimeException($"TypeError: {ex.Message}", ErrorCodes.TypeError, ex),
        IndexOutOfRangeException => new TemplateRuntimeException($"IndexError: {ex.Message}", ErrorCodes.Runtime, ex),
        InsufficientExecutionStackException => new TemplateRuntimeException("Template recursion is too deep", ErrorCodes.RecursionDepth, ex),
        _ => new TemplateRuntimeException($"{ex.GetType().Name}: {ex.Message}", ErrorCodes.Runtime, ex),
    };

    public static void Locate(RenderState rs, TemplateException ex) => rs.Locate(ex);

    /// <summary>Whether <c>{% try %}</c> may catch the error: limits, cycles and sandbox violations end the render.</summary>
    public static bool Recoverable(TemplateException ex) => !ErrorCodes.IsFatal(ex.Code);

    /// <summary>What a <c>{% try %}</c> throws for an error it may not catch (see <see cref="RenderAbortedException"/>).</summary>
    public static Exception Abort(TemplateException ex) => new RenderAbortedException(ex);

    public static object ErrorInfo(RenderState rs, TemplateException ex)
    {
        var d = Mappings.NewDict();
        d["message"] = ex.RawMessage;
        d["type"] = ex switch
        {
            UndefinedException => "UndefinedError",
            TemplateSyntaxException => "TemplateSyntaxError",
            TemplateNotFoundException => "TemplateNotFoundError",
            _ => "TemplateRuntimeError",
        };
        d["template"] = ex.TemplateName;
        d["line"] = ex.Line > 0 ? (long)ex.Line : null;
        d["code"] = ex.Code;
        return d;
    }
}
