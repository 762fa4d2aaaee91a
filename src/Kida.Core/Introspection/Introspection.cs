using Kida.Binding;

namespace Kida;

/// <summary>Builds <see cref="TemplateInfo"/> from the binder's summary, resolving inherited blocks through the environment.</summary>
internal static class Introspection
{
    /// <summary>How many parents the inherited-block walk follows at most (a longer chain is cut there).</summary>
    private const int MaxParents = 64;

    public static IReadOnlyList<string> BlockNames(Template template)
    {
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (t, _) in Chain(template))
            foreach (var b in t.Summary.Blocks)
                if (seen.Add(b.Name)) names.Add(b.Name);
        return names;
    }

    public static TemplateInfo Build(Template template)
    {
        var summary = template.Summary;
        var globals = template.Environment.GlobalsSnapshot;
        var blocks = new List<BlockInfo>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (t, inherited) in Chain(template))
        {
            var source = t.Compiled.Source;
            foreach (var b in t.Summary.Blocks)
            {
                if (!seen.Add(b.Name)) continue;
                var (line, column) = source.GetPosition(b.Pos);
                var modifiers = b.Modifiers.Select(m =>
                {
                    var (ml, mc) = source.GetPosition(m.Pos);
                    return new BlockModifierInfo(m.Name, m.Value, ml, mc);
                }).ToArray();
                blocks.Add(new BlockInfo(b.Name, t.Name, inherited, line, column, modifiers, b.Scoped, b.Required, b.Fragment, b.Region, b.HasCondition));
            }
        }
        var own = template.Compiled.Source;
        var defs = summary.Defs.Select(d =>
        {
            var (line, column) = own.GetPosition(d.Pos);
            return new DefInfo(d.Name, d.Kind, d.Parameters, d.VarArgs, d.KwArgs, d.Slots.ToArray(), d.HasDefaultSlot,
                d.FreeNames.Where(n => !globals.ContainsKey(n)).ToArray(), line, column);
        }).ToArray();
        var dependencies = summary.Dependencies.Select(d =>
        {
            var (line, column) = own.GetPosition(d.Pos);
            return new DependencyInfo(d.Kind, d.Target, d.Optional, line, column);
        }).ToArray();
        var declarations = summary.Declarations.Select(d =>
        {
            var (line, column) = own.GetPosition(d.Pos);
            return new DeclarationInfo(d.Name, d.Type, line, column);
        }).ToArray();
        var contextNames = summary.FreeNames.Where(n => !globals.ContainsKey(n)).ToArray();
        return new TemplateInfo(template.Name, summary.ParentName, blocks, defs, dependencies, contextNames, declarations);
    }

    /// <summary>The template, then each parent named by a constant extends that the environment can load (cycles cut).</summary>
    private static IEnumerable<(Template Template, bool Inherited)> Chain(Template template)
    {
        var visited = new HashSet<Template>(ReferenceEqualityComparer.Instance) { template };
        yield return (template, false);
        var current = template;
        for (var i = 0; i < MaxParents; i++)
        {
            var parent = LoadParent(current);
            if (parent is null || !visited.Add(parent)) yield break;
            yield return (parent, true);
            current = parent;
        }
    }

    private static Template? LoadParent(Template template)
    {
        if (template.Summary.ParentName is not { } name || Resolve(template.Name, name) is not { } resolved) return null;
        try
        {
            return template.Environment.GetTemplate(resolved);
        }
        catch (TemplateException)
        {
            // a missing or broken parent contributes no blocks; Dependencies still names it
            return null;
        }
    }

    /// <summary>kida-spec 6.4: <c>./x</c> and <c>../x</c> are relative to the template's directory and may not leave the root.</summary>
    internal static string? Resolve(string? from, string name)
    {
        if (!name.StartsWith("./", StringComparison.Ordinal) && !name.StartsWith("../", StringComparison.Ordinal)) return name;
        if (from is null) return null;
        var parts = new List<string>(from.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries));
        if (parts.Count > 0) parts.RemoveAt(parts.Count - 1);
        foreach (var segment in name.Split('/'))
        {
            if (segment is "" or ".") continue;
            if (segment == "..")
            {
                if (parts.Count == 0) return null;
                parts.RemoveAt(parts.Count - 1);
            }
            else parts.Add(segment);
        }
        return string.Join('/', parts);
    }
}
