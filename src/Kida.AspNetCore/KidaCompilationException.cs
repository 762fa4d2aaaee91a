using Kida;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.FileProviders;

namespace Kida.AspNetCore;

/// <summary>
/// Wraps a <see cref="TemplateSyntaxException"/> so the developer exception page shows the template's path, line and
/// source (through <see cref="ICompilationException"/>).
/// </summary>
public sealed class KidaCompilationException : Exception, ICompilationException
{
    /// <summary>Wraps <paramref name="inner"/>, reading the template's source from <paramref name="files"/> if it can.</summary>
    public KidaCompilationException(TemplateException inner, IFileProvider? files)
        : this(inner, files, "")
    {
    }

    /// <summary>Wraps <paramref name="inner"/>, reading the template's source from <paramref name="root"/> of <paramref name="files"/>.</summary>
    internal KidaCompilationException(TemplateException inner, IFileProvider? files, string root)
        : base(inner?.Message, inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        string? source = null;
        if (files is not null && inner.TemplateName is { } name)
        {
            try
            {
                var file = files.GetFileInfo(KidaTemplateRoot.Combine(root, name));
                if (file.Exists)
                {
                    using var reader = new StreamReader(file.CreateReadStream());
                    source = reader.ReadToEnd();
                }
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
            {
                source = null;
            }
        }
        var message = new DiagnosticMessage(inner.RawMessage, inner.Message, inner.TemplateName,
            inner.Line, inner.Column, inner.Line, inner.Column + 1);
        CompilationFailures = [new CompilationFailure(inner.TemplateName, source ?? inner.SourceLine ?? "", null, [message])];
    }

    /// <inheritdoc />
    public IEnumerable<CompilationFailure?>? CompilationFailures { get; }
}
