using Kida.Binding;
using Kida.Compilation;
using Kida.Text;

namespace Kida;

/// <summary>Builds <see cref="TemplateInfo"/> from the binder's summary, resolving inherited blocks through the environment.</summary>
internal static class Introspection
{
    /// <summary>How many parents the inherited-block walk follows at most (a longer chain is cut there).</summary>
    private const int MaxParents = 64;

    /// <summary>One template of an inheritance chain as introspection sees it.</summary>
    private sealed record Unit(string? Name, TemplateSummary Summary, SourceText Source, object Identity);

    private static Unit Of(Template t) => new(t.Name, t.Summary, t.Compiled.Source, t);

    public static IReadOnlyList<string> BlockNames(Template template)
    {
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (t, _) in Chain(Of(template), CompiledParent(template.Environment)))
            foreach (var b in t.Summary.Blocks)
                if (seen.Add(b.Name)) names.Add(b.Name);
        return names;
    }

    public static TemplateInfo Build(Template template) =>
        Build(Of(template), CompiledParent(template.Environment), template.Environment.GlobalsSnapshot);

    /// <summary><see cref="KidaEnvironment.Inspect"/>: the template and its parents read from the loader, bound, never compiled.</summary>
    public static TemplateInfo Inspect(KidaEnvironment env, string name)
    {
        var root = Analyze(env, name) ?? throw new TemplateNotFoundException(name, null, $"Template '{name}' not found");
        return Build(root, parent => Analyze(env, parent), env.GlobalsSnapshot);
    }

    private static Unit? Analyze(KidaEnvironment env, string name)
    {
        var loader = env.Options.Loader ?? throw new TemplateRuntimeException("No loader configured for this environment", ErrorCodes.NoLoader);
        var source = loader.GetSource(name);
        var bound = TemplateCompiler.Analyze(env, source.Text, name, out var text);
        return new Unit(name, bound.Summary, text, name);
    }

    private static Func<string, Unit?> CompiledParent(KidaEnvironment env) => name => Of(env.GetTemplate(name));

    private static TemplateInfo Build(Unit template, Func<string, Unit?> load, IReadOnlyDictionary<string, object?> globals)
    {
        var summary = template.Summary;
        var blocks = new List<BlockInfo>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (t, inherited) in Chain(template, load))
        {
            var source = t.Source;
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
        var own = template.Source;
        var defs = summary.Defs.Select(d =>
        {
            var (line, column) = own.GetPosition(d.Pos);
            // fresh arrays per call: a caller casting a list back to an array changes only its own copy
            return new DefInfo(d.Name, d.Kind, d.Parameters.ToArray(), d.VarArgs, d.KwArgs, d.Slots.ToArray(), d.HasDefaultSlot,
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

    /// <summary>The template, then each parent named by a constant extends that can be loaded (cycles cut).</summary>
    private static IEnumerable<(Unit Template, bool Inherited)> Chain(Unit template, Func<string, Unit?> load)
    {
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance) { template.Identity };
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (template.Name is not null) names.Add(template.Name);
        yield return (template, false);
        var current = template;
        for (var i = 0; i < MaxParents; i++)
        {
            var parent = LoadParent(current, load);
            if (parent is null || !visited.Add(parent.Identity) || (parent.Name is not null && !names.Add(parent.Name))) yield break;
            yield return (parent, true);
            current = parent;
        }
    }

    private static Unit? LoadParent(Unit template, Func<string, Unit?> load)
    {
        if (template.Summary.ParentName is not { } name || Resolve(template.Name, name) is not { } resolved) return null;
        try
        {
            return load(resolved);
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
