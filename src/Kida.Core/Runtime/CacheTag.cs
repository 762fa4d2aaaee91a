using Kida.Common;

namespace Kida.Runtime;

/// <summary>Helpers of <c>{% cache %}</c>: fragment keys, reads and stores in the environment's fragment cache.</summary>
internal static class CacheTag
{
    public static string FragmentKey(object? key)
    {
        if (key is Undefined u) u.Use();
        return PyString.Str(key);
    }

    public static string? FragmentGet(RenderState rs, string key) =>
        rs.Host.Fragments.TryGet(key, out var text) ? text : null;

    public static string FragmentStore(RenderState rs, string key, string text, object? ttl) =>
        rs.Host.Fragments.Store(key, text, ttl);
}
