using Kida.Compilation;

namespace Kida.Runtime;

internal static partial class Rt
{
    public static void RegisterBlocks(RenderState rs, CompiledTemplate ct)
    {
        rs.Blocks ??= new(StringComparer.Ordinal);
        foreach (var (name, fn) in ct.Blocks)
        {
            if (!rs.Blocks.TryGetValue(name, out var list)) rs.Blocks[name] = list = new List<BlockFunction>(2);
            if (!list.Contains(fn)) list.Add(fn);
        }
    }

    public static void RenderBlock(RenderState rs, Context ctx, Output output, BlockFunction own)
    {
        var fn = rs.Blocks is not null && rs.Blocks.TryGetValue(own.Name, out var list) && list.Count > 0 ? list[0] : own;
        rs.Enter();
        try
        {
            fn.Body(rs, ctx, output);
        }
        finally
        {
            rs.Exit();
        }
    }

    public static object? Super(RenderState rs, Context ctx, CompiledTemplate ct, string name)
    {
        if (rs.Blocks is null || !rs.Blocks.TryGetValue(name, out var list))
            throw new TemplateRuntimeException($"Block '{name}' has no parent block to call with super()", "K-RUN-007");
        var index = list.FindIndex(b => ReferenceEquals(b.Template, ct));
        if (index < 0 || index + 1 >= list.Count)
            throw new TemplateRuntimeException($"Block '{name}' has no parent block to call with super()", "K-RUN-007");
        using var output = new Output();
        rs.Enter();
        try
        {
            list[index + 1].Body(rs, ctx, output);
        }
        finally
        {
            rs.Exit();
        }
        return MarkupIf(output.ToString(), ct.Autoescape);
    }

    public static object? SelfObject(RenderState rs, Context ctx) => new TemplateSelf(rs, ctx);

    private sealed class TemplateSelf(RenderState rs, Context ctx) : IKidaObject
    {
        public bool TryGetMember(string name, out object? value)
        {
            if (rs.Blocks is not null && rs.Blocks.TryGetValue(name, out var list) && list.Count > 0)
            {
                var fn = list[0];
                value = new BuiltinFunction(name, (state, _) =>
                {
                    using var output = new Output();
                    fn.Body(state, ctx, output);
                    return MarkupIf(output.ToString(), fn.Template.Autoescape);
                });
                return true;
            }
            value = null;
            return false;
        }
    }

    internal static Template LoadTemplate(RenderState rs, object? name, string tag)
    {
        if (name is Undefined u) u.Use();
        var template = name as Template ?? rs.Environment.GetTemplate(
            Py.AsString(name) ?? throw new TemplateRuntimeException($"{tag}: template name must be a string, got '{Py.TypeName(name)}'", "K-RUN-012"));
        template.Compiled.NoteRender();
        return template;
    }

    public static void RenderParent(RenderState rs, Context ctx, Output output, object? parentName, CompiledTemplate child)
    {
        EnterInclude(rs);
        try
        {
            var parent = LoadTemplate(rs, parentName, "extends");
            parent.Compiled.Root(rs, ctx, output);
        }
        finally
        {
            rs.IncludeDepth--;
        }
    }

    public static void SetupParent(RenderState rs, Context ctx, object? parentName)
    {
        EnterInclude(rs);
        try
        {
            using var discard = new Output();
            LoadTemplate(rs, parentName, "extends").Compiled.Setup(rs, ctx, discard);
        }
        finally
        {
            rs.IncludeDepth--;
        }
    }

    private static void EnterInclude(RenderState rs)
    {
        if (++rs.IncludeDepth > rs.Environment.Options.MaxIncludeDepth)
        {
            rs.IncludeDepth = 0;
            throw new TemplateRuntimeException($"Maximum include/extends depth exceeded ({rs.Environment.Options.MaxIncludeDepth})", "K-RUN-006");
        }
    }

    public static void Include(RenderState rs, Context ctx, Output output, object? name, bool ignoreMissing,
        Dictionary<string, object?>? locals, bool withContext)
    {
        Template? template = null;
        if (name is Undefined u) u.Use();
        if (!Py.IsString(name) && name is not Template && name is System.Collections.IEnumerable list)
        {
            var tried = new List<string>();
            foreach (var candidate in Py.Iterate(list))
            {
                tried.Add(Py.Str(candidate));
                try { template = LoadTemplate(rs, candidate, "include"); break; }
                catch (TemplateNotFoundException) { }
            }
            if (template is null)
            {
                if (ignoreMissing) return;
                throw new TemplateNotFoundException(string.Join(", ", tried), tried, $"None of the templates exist: {string.Join(", ", tried)}");
            }
        }
        else
        {
            try { template = LoadTemplate(rs, name, "include"); }
            catch (TemplateNotFoundException) when (ignoreMissing) { return; }
        }
        var child = withContext ? ctx.Derive(locals) : new Context(rs, null, rs.Environment.GlobalsSnapshot);
        var savedBlocks = rs.Blocks;
        rs.Blocks = null;
        EnterInclude(rs);
        try
        {
            template.Compiled.Root(rs, child, output);
        }
        finally
        {
            rs.IncludeDepth--;
            rs.Blocks = savedBlocks;
        }
    }

    public static object? Import(RenderState rs, Context ctx, object? name, bool withContext)
    {
        var template = LoadTemplate(rs, name, "import");
        var key = template.Name ?? "";
        rs.ImportStack ??= new(StringComparer.Ordinal);
        if (!rs.ImportStack.Add(key))
            throw new TemplateRuntimeException($"Circular import detected: '{key}' imports itself", "K-TPL-003");
        var moduleCtx = withContext ? ctx.Derive(null) : new Context(rs, null, rs.Environment.GlobalsSnapshot);
        var savedBlocks = rs.Blocks;
        rs.Blocks = null;
        EnterInclude(rs);
        try
        {
            using var discard = new Output();
            template.Compiled.Root(rs, moduleCtx, discard);
        }
        finally
        {
            rs.IncludeDepth--;
            rs.Blocks = savedBlocks;
            rs.ImportStack.Remove(key);
        }
        return new TemplateModule(key, moduleCtx.Exported.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));
    }

    public static object? ImportName(RenderState rs, object? module, string name)
    {
        if (module is TemplateModule m && m.Values.TryGetValue(name, out var value)) return value;
        return new Undefined(name, $"the template {(module as TemplateModule)?.Name} does not export the requested name '{name}'", rs.Strict);
    }

    /// <summary><see cref="Template.RenderBlock"/>: run the template's set-up (and its parents'), then one block.</summary>
    public static void RenderBlockOnly(RenderState rs, Context ctx, Output output, CompiledTemplate ct, string block)
    {
        using (var discard = new Output())
        {
            ct.Setup(rs, ctx, discard);
        }
        if (rs.Blocks is null || !rs.Blocks.TryGetValue(block, out var list) || list.Count == 0)
        {
            var available = rs.Blocks?.Keys ?? (IEnumerable<string>)ct.Blocks.Keys;
            var hint = Suggest.Closest(block, available);
            throw new TemplateRuntimeException($"Block '{block}' not found in template '{ct.Name}'. Available blocks: {string.Join(", ", available)}",
                "K-RUN-007", hint: hint is null ? null : $"did you mean '{hint}'?");
        }
        rs.Pos = 0;
        list[0].Body(rs, ctx, output);
    }
}

/// <summary>The namespace a template exports to <c>import</c>: its top-level macros and variables.</summary>
internal sealed class TemplateModule(string name, Dictionary<string, object?> values) : IKidaObject
{
    public string Name { get; } = name;
    public Dictionary<string, object?> Values { get; } = values;
    public bool TryGetMember(string member, out object? value) => Values.TryGetValue(member, out value);
    public override string ToString() => $"<template module '{Name}'>";
}
