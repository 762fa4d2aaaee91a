namespace Kida.Runtime;

/// <summary>A <c>{% region %}</c> rendered as a block (<c>Template.RenderBlock</c>): kida-spec 3.11.</summary>
internal static class RegionBlock
{
    /// <summary>
    /// Calls the region with the parameters the render's context defines (the model's members, template variables),
    /// by name; a parameter it does not define takes its default, or fails as a call without it would.
    /// </summary>
    public static void Render(RenderState rs, Context ctx, Output output, Macro region, string[] parameters)
    {
        var named = new List<KeyValuePair<string, object?>>(parameters.Length);
        foreach (var name in parameters)
            if (ctx.TryResolve(name, out var value)) named.Add(new(name, value));
        region.WriteTo(rs, new CallArgs([], named.Count == 0 ? null : named.ToArray()), output);
    }
}
