using System.Collections;
using System.Text.RegularExpressions;
using Kida.Syntax;

namespace Kida.Runtime;

/// <summary>Helpers of <c>{% spaceless %}</c>, <c>{% push %}</c>/<c>{% stack %}</c> and <c>{% provide %}</c>.</summary>
internal static class ContentTags
{
    private static readonly Regex SpacelessRegex = new(@">\s+<", RegexOptions.Compiled);

    public static string Spaceless(string text) => SpacelessRegex.Replace(text, "><").Trim();

    public static void PushStack(RenderState rs, string name, string text)
    {
        rs.Stacks ??= new(StringComparer.Ordinal);
        if (!rs.Stacks.TryGetValue(name, out var list)) rs.Stacks[name] = list = new();
        list.Add(text);
    }

    public static string ReadStack(RenderState rs, string name) =>
        rs.Stacks is not null && rs.Stacks.TryGetValue(name, out var list) ? string.Concat(list) : "";

    public static void Provide(RenderState rs, string key, object? value)
    {
        rs.Provided ??= new(StringComparer.Ordinal);
        if (!rs.Provided.TryGetValue(key, out var stack)) rs.Provided[key] = stack = new();
        stack.Push(value);
    }

    public static void Unprovide(RenderState rs, string key)
    {
        if (rs.Provided is not null && rs.Provided.TryGetValue(key, out var stack) && stack.Count > 0) stack.Pop();
    }
}
