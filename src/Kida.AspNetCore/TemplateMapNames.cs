namespace Kida.AspNetCore;

/// <summary>
/// Names that the dict-like objects given to templates (<see cref="KidaRequestValues"/>, <see cref="KidaModelState"/>)
/// keep for their methods. Kida reads <c>obj.name</c> on a mapping as a key first, so without this a request
/// parameter named <c>items</c> would turn <c>request.query.items()</c> into a call of a string: request data could
/// break a template. Looking one of these names up as a key finds nothing (or the object's own method), so Kida
/// falls back to the Python dict method of that name.
/// </summary>
internal static class TemplateMapNames
{
    /// <summary>The read-only Python dict methods Kida provides for every mapping.</summary>
    public static bool IsDictMethod(string name) => name is "get" or "items" or "keys" or "values" or "copy";
}
