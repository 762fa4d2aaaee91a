using Kida.Common;

namespace Kida.Runtime;

/// <summary>Helpers of <c>{% trans %}</c>: gettext/ngettext lookup and placeholder substitution.</summary>
internal static class TransTag
{
    /// <summary>
    /// Translates a message through the <c>_</c> (or, with a plural, <c>_n</c>) global and fills its <c>%(name)s</c>
    /// placeholders: the translation is trusted, the values are escaped (kida-spec 3.22).
    /// </summary>
    /// <summary>The gettext function: a template-level <c>_</c>/<c>_n</c> (set or imported) wins over the global.</summary>
    private static object? Translator(RenderState rs, Context ctx, string name) =>
        ctx.TryGetAssigned(name, out var local) ? local
        : rs.Host.GlobalsSnapshot.TryGetValue(name, out var global) ? global
        : throw new UndefinedException($"'{name}' is undefined: {{% trans %}} needs the gettext global '{name}'", name);

    public static void Trans(RenderState rs, Context ctx, Output output, string singular, string? plural, string[] names,
        object?[] values, int countIndex, bool escape)
    {
        object? translated;
        if (plural is null)
            translated = Calls.Call(rs, Translator(rs, ctx, "_"), new CallArgs([singular], null));
        else
        {
            var count = values[countIndex];
            if (count is Undefined u) u.Use();
            translated = Calls.Call(rs, Translator(rs, ctx, "_n"), new CallArgs([singular, plural, count], null));
        }
        if (names.Length == 0)
        {
            output.WriteValue(translated, escape);
            return;
        }
        var map = Mappings.NewDict();
        for (var i = 0; i < names.Length; i++)
        {
            if (values[i] is Undefined uv) uv.Use();
            map[names[i]] = values[i];
        }
        var text = PyString.Str(translated);
        var result = Arithmetic.Mod(escape ? new Markup(text) : text, map);
        output.WriteValue(result, escape);
    }
}
