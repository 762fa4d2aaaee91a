using Microsoft.Extensions.Primitives;

namespace Kida;

/// <summary>The text of a template, where it came from and how to learn that it changed.</summary>
/// <param name="Name">The name it was loaded by.</param>
/// <param name="Text">The template source.</param>
/// <param name="Path">A file path or other location for messages, when there is one.</param>
/// <param name="ChangeToken">Fires when the source changes (used for cache eviction with auto-reload).</param>
public sealed record TemplateSource(string Name, string Text, string? Path = null, IChangeToken? ChangeToken = null);

/// <summary>Finds template sources by name.</summary>
public interface ITemplateLoader
{
    /// <summary>Returns the source of <paramref name="name"/> or throws <see cref="TemplateNotFoundException"/>.</summary>
    TemplateSource GetSource(string name);

    /// <summary>Asynchronous form of <see cref="GetSource"/>; loaders doing I/O override it.</summary>
    ValueTask<TemplateSource> GetSourceAsync(string name, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(GetSource(name));

    /// <summary>The places searched for <paramref name="name"/>, for error messages.</summary>
    IReadOnlyList<string> DescribeSearch(string name) => [name];

    /// <summary>
    /// The names of every template this loader can load, for <see cref="KidaEnvironment.WarmUpAsync"/> and tools; null
    /// (the default) when the loader cannot list them.
    /// </summary>
    IEnumerable<string>? ListTemplates() => null;
}
