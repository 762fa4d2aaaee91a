using Kida.Common;

namespace Kida.Runtime;

/// <summary>Templates built from others: blocks and inheritance (<c>extends</c>, <c>super()</c>, <c>self</c>), <c>include</c>, <c>import</c> and <c>embed</c>.</summary>
internal static class Composition
{
    public static void RegisterBlocks(RenderState rs, CompiledTemplate ct)
    {
        for (var l = rs.Blocks; l is not null; l = l.Next)
            if (ReferenceEquals(l.Owner, ct)) return;
        var layer = rs.NewLayer(ct, ct.Blocks);
        if (rs.BlocksTail is null) rs.Blocks = rs.BlocksTail = layer;
        else rs.BlocksTail = rs.BlocksTail.Next = layer;
    }

    public static void RenderBlock(RenderState rs, Context ctx, Output output, BlockFunction own)
    {
        var fn = rs.FindBlock(own.Name) ?? own;
        var (noteCaller, notePos) = (rs.Current, rs.Pos);
        rs.Enter();
        try
        {
            fn.Body(rs, ctx, output);
        }
        catch (Exception noteEx) when (rs.NoteFrame(noteEx, "block", own.Name, noteCaller, notePos))
        {
            throw; // never: the filter only notes the frame
        }
        finally
        {
            rs.Exit();
        }
    }

    public static object? Super(RenderState rs, Context ctx, CompiledTemplate ct, string name)
    {
        // the layer whose implementation is running (it belongs to ct), then the next one defining the block
        BlockFunction? parent = null;
        var found = false;
        for (var l = rs.Blocks; l is not null && parent is null; l = l.Next)
        {
            if (!l.Functions.TryGetValue(name, out var fn)) continue;
            if (found) parent = fn;
            else if (ReferenceEquals(fn.Template, ct)) found = true;
        }
        if (parent is null)
            throw new TemplateRuntimeException($"Block '{name}' has no parent block to call with super()", ErrorCodes.Runtime);
        using var output = new Output();
        var (noteCaller, notePos) = (rs.Current, rs.Pos);
        rs.Enter();
        try
        {
            parent.Body(rs, ctx, output);
        }
        catch (Exception noteEx) when (rs.NoteFrame(noteEx, "super", name, noteCaller, notePos))
        {
            throw; // never: the filter only notes the frame
        }
        finally
        {
            rs.Exit();
        }
        return Values.MarkupIf(output.ToString(), ct.Autoescape);
    }

    public static object? SelfObject(RenderState rs, Context ctx) => new TemplateSelf(rs, ctx);

    private sealed class TemplateSelf(RenderState rs, Context ctx) : IKidaObject
    {
        public bool TryGetMember(string name, out object? value)
        {
            if (rs.FindBlock(name) is { } fn)
            {
                value = new BuiltinFunction(name, (state, _) =>
                {
                    using var output = new Output();
                    var (noteCaller, notePos) = (state.Current, state.Pos);
                    state.Enter();
                    try
                    {
                        fn.Body(state, ctx, output);
                    }
                    catch (Exception noteEx) when (state.NoteFrame(noteEx, "block", name, noteCaller, notePos))
                    {
                        throw; // never: the filter only notes the frame
                    }
                    finally
                    {
                        state.Exit();
                    }
                    return Values.MarkupIf(output.ToString(), fn.Template.Autoescape);
                });
                return true;
            }
            value = null;
            return false;
        }
    }

    internal static Template LoadTemplate(RenderState rs, object? name, string tag, TemplateSite? site)
    {
        // a constant name that is not relative: the site remembers the template while it stays cached
        if (site is not null && name is string constant)
        {
            var cached = rs.Host.GetTemplateForSite(constant, site);
            cached.Compiled.NoteRender();
            return cached;
        }
        return LoadTemplate(rs, name, tag);
    }

    internal static Template LoadTemplate(RenderState rs, object? name, string tag)
    {
        if (name is Undefined u) u.Use();
        var template = name as Template ?? rs.Host.GetTemplate(ResolveName(rs,
            Values.AsString(name) ?? throw new TemplateRuntimeException($"{tag}: template name must be a string, got '{Values.TypeName(name)}'", ErrorCodes.TypeError)));
        template.Compiled.NoteRender();
        return template;
    }

    /// <summary>
    /// kida-spec 6.4: a name starting with ./ or ../ is joined to the directory of the calling template and normalised;
    /// it may not climb above the template root.
    /// </summary>
    internal static string ResolveName(RenderState rs, string name)
    {
        if (!name.StartsWith("./", StringComparison.Ordinal) && !name.StartsWith("../", StringComparison.Ordinal)) return name;
        var caller = rs.Current?.Name;
        if (caller is null)
            throw new TemplateNotFoundException(name, null, $"Relative path '{name}' requires a caller template (use it from a template loaded by name)");
        var parts = new List<string>(caller.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries));
        if (parts.Count > 0) parts.RemoveAt(parts.Count - 1);
        foreach (var segment in name.Split('/'))
        {
            if (segment is "" or ".") continue;
            if (segment == "..")
            {
                if (parts.Count == 0) throw new TemplateNotFoundException(name, null, $"Relative path '{name}' from '{caller}' escapes the template root");
                parts.RemoveAt(parts.Count - 1);
            }
            else parts.Add(segment);
        }
        if (parts.Count == 0) throw new TemplateNotFoundException(name, null, $"Relative path '{name}' from '{caller}' does not name a template");
        return string.Join('/', parts);
    }

    /// <summary>The parent of a template with a conditional extends before any extends ran.</summary>
    public static readonly object NoParent = new();

    public static void RenderParent(RenderState rs, Context ctx, Output output, object? parentName, CompiledTemplate child, TemplateSite? site)
    {
        var parent = LoadTemplate(rs, parentName, "extends", site);
        RunEntered(rs, "extends", parent.Compiled, ctx, output);
    }

    public static void SetupParent(RenderState rs, Context ctx, object? parentName)
    {
        var parent = LoadTemplate(rs, parentName, "extends");
        using var discard = new Output();
        RunEntered(rs, "extends", parent.Compiled, ctx, discard, setup: true);
    }

    /// <summary>
    /// Runs <paramref name="target"/>'s root (or, with <paramref name="setup"/>, its set-up) entered through
    /// <paramref name="tag"/> (include, extends, import, embed): counted against the render's budgets, kept in the chain
    /// of templates for cycle reports, and noted in the template stack when an error leaves it.
    /// </summary>
    private static void RunEntered(RenderState rs, string tag, CompiledTemplate target, Context ctx, Output output, bool setup = false)
    {
        var (noteCaller, notePos) = (rs.Current, rs.Pos);
        EnterTemplate(rs, tag, target);
        try
        {
            if (setup) target.Setup(rs, ctx, output);
            else target.Root(rs, ctx, output);
        }
        catch (Exception noteEx) when (rs.NoteFrame(noteEx, tag, target.Name, noteCaller, notePos))
        {
            throw; // never: the filter only notes the frame
        }
        finally
        {
            ExitTemplate(rs);
        }
    }

    /// <summary>
    /// Enters a template through include, extends, embed or import: counts against the include depth and the render's
    /// one recursion budget, and keeps the chain of templates entered so that an error can name it. A template that
    /// extends a template of its own extends chain can never finish: that is reported at once (K-TPL-003). Includes may
    /// recurse on purpose (a tree rendered by including itself), so a repeated include is reported only when it
    /// exhausts the include depth, with the cycle named.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void EnterTemplate(RenderState rs, string tag, CompiledTemplate target)
    {
        if (ReferenceEquals(tag, "extends")) CheckExtends(rs, target);
        if (rs.ChainCount >= rs.MaxIncludeDepth) ThrowIncludeDepth(rs, tag, target);
        rs.Enter();
        rs.PushChain(tag, target);
    }

    /// <summary>A template that extends a template of its own extends chain can never finish: K-TPL-003 at once.</summary>
    private static void CheckExtends(RenderState rs, CompiledTemplate target)
    {
        var count = rs.ChainCount;
        var tags = rs.ChainTags;
        var templates = rs.ChainTemplates;
        // the current extends run: the entries after the last non-extends entry, plus the template that started it
        var start = count;
        while (start > 0 && ReferenceEquals(tags[start - 1], "extends")) start--;
        var seen = ReferenceEquals(start > 0 ? templates[start - 1] : rs.Root, target);
        for (var i = start; i < count && !seen; i++) seen = ReferenceEquals(templates[i], target);
        if (seen)
            throw new TemplateRuntimeException(
                $"Circular extends: {DescribeChain(rs, start, "extends", target)}", ErrorCodes.Cycle);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowIncludeDepth(RenderState rs, string tag, CompiledTemplate target)
    {
        var limit = rs.Limits.MaxIncludeDepth;
        var repeated = ReferenceEquals(rs.Root, target);
        for (var i = 0; i < rs.ChainCount && !repeated; i++) repeated = ReferenceEquals(rs.ChainTemplates[i], target);
        if (repeated)
            throw new TemplateRuntimeException(
                $"Circular {tag}: {DescribeCycle(rs, target)} (repeated until the maximum include depth, {limit}, was exceeded)",
                ErrorCodes.Cycle);
        throw new TemplateRuntimeException($"Maximum include/extends depth exceeded (Limits.MaxIncludeDepth = {limit}): {DescribeChain(rs, 0, tag, target)}",
            ErrorCodes.RecursionDepth);
    }

    /// <summary>One turn of the cycle through <paramref name="target"/>: "'a.html' → (include) 'b.html' → (include) 'a.html'".</summary>
    private static string DescribeCycle(RenderState rs, CompiledTemplate target)
    {
        var first = -1; // -1: the root template
        if (!ReferenceEquals(rs.Root, target))
            for (var i = 0; i < rs.ChainCount && first < 0; i++)
                if (ReferenceEquals(rs.ChainTemplates[i], target)) first = i;
        var parts = new List<string> { $"'{target.Name ?? "<string>"}'" };
        for (var i = first + 1; i < rs.ChainCount; i++)
        {
            parts.Add($"({rs.ChainTags[i]}) '{rs.ChainTemplates[i]!.Name ?? "<string>"}'");
            if (ReferenceEquals(rs.ChainTemplates[i], target)) break;
        }
        return string.Join(" → ", parts);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void ExitTemplate(RenderState rs)
    {
        rs.Exit();
        rs.PopChain();
    }

    /// <summary>"a.html → (include) b.html → (include) a.html", shortened in the middle when long.</summary>
    private static string DescribeChain(RenderState rs, int start, string tag, CompiledTemplate target)
    {
        var parts = new List<string>();
        parts.Add(Quote(start > 0 ? rs.ChainTemplates[start - 1] : rs.Root));
        for (var i = start; i < rs.ChainCount; i++) parts.Add($"({rs.ChainTags[i]}) {Quote(rs.ChainTemplates[i])}");
        parts.Add($"({tag}) {Quote(target)}");
        if (parts.Count > 12) parts = [.. parts.Take(5), "…", .. parts.Skip(parts.Count - 5)];
        return string.Join(" → ", parts);

        static string Quote(CompiledTemplate? t) => $"'{t?.Name ?? "<string>"}'";
    }

    public static void Include(RenderState rs, Context ctx, Output output, object? name, bool ignoreMissing,
        Dictionary<string, object?>? locals, bool withContext, TemplateSite? site)
    {
        Template? template = null;
        if (name is Undefined u) u.Use();
        if (!Values.IsString(name) && name is not Template && name is System.Collections.IEnumerable list)
        {
            var tried = new List<string>();
            foreach (var candidate in Iteration.Iterate(list))
            {
                tried.Add(PyString.Str(candidate));
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
            try { template = LoadTemplate(rs, name, "include", site); }
            catch (TemplateNotFoundException) when (ignoreMissing) { return; }
        }
        var pooled = template.Compiled.KeepsNoContext;
        Context child;
        if (pooled)
        {
            child = withContext ? rs.RentIncludeContext(ctx, ctx.Globals) : rs.RentIncludeContext(null, rs.Host.GlobalsSnapshot);
            if (withContext && locals is not null)
                foreach (var (k, v) in locals)
                    child.Set(k, v);
        }
        else child = withContext ? ctx.Derive(locals) : new Context(rs, null, rs.Host.GlobalsSnapshot);
        var savedBlocks = rs.SwapBlocks(null);
        try
        {
            RunEntered(rs, "include", template.Compiled, child, output);
        }
        finally
        {
            rs.RestoreBlocks(savedBlocks);
            if (pooled) rs.ReturnIncludeContext(child);
        }
    }

    public static object? Import(RenderState rs, Context ctx, object? name, bool withContext, TemplateSite? site)
    {
        var template = LoadTemplate(rs, name, "import", site);
        var key = template.Name ?? "";
        rs.ImportStack ??= new(StringComparer.Ordinal);
        if (!rs.ImportStack.Add(key))
            throw new TemplateRuntimeException(
                $"Circular import detected: '{key}' imports itself ({DescribeChain(rs, 0, "import", template.Compiled)})", ErrorCodes.Cycle);
        var moduleCtx = withContext ? ctx.Derive(null) : new Context(rs, null, rs.Host.GlobalsSnapshot);
        var savedBlocks = rs.SwapBlocks(null);
        try
        {
            // (what the module's top level prints is dropped: into one buffer the render keeps for its imports, emptied
            // first; an import inside this one empties it again, which loses nothing)
            RunEntered(rs, "import", template.Compiled, moduleCtx, rs.DiscardOutput());
        }
        finally
        {
            rs.RestoreBlocks(savedBlocks);
            rs.ImportStack.Remove(key);
        }
        return new TemplateModule(key, moduleCtx.ExportedDictionary());
    }

    public static object? ImportName(RenderState rs, object? module, string name)
    {
        if (module is TemplateModule m && m.Values.TryGetValue(name, out var value)) return value;
        return new Undefined(name, $"the template {(module as TemplateModule)?.Name} does not export the requested name '{name}'", rs.Strict);
    }

    /// <summary><see cref="Template.RenderBlock(string, object?)"/>: run the template's set-up (and its parents'), then one block.</summary>
    public static void RenderBlockOnly(RenderState rs, Context ctx, Output output, CompiledTemplate ct, string block)
    {
        using (var discard = new Output())
        {
            ct.Setup(rs, ctx, discard);
        }
        if (rs.FindBlock(block) is not { } found)
        {
            var available = new List<string>(ct.Blocks.Keys);
            for (var l = rs.Blocks; l is not null; l = l.Next)
                foreach (var k in l.Functions.Keys) if (!available.Contains(k)) available.Add(k);
            var hint = Suggest.Closest(block, available);
            throw new TemplateRuntimeException($"Block '{block}' not found in template '{ct.Name}'. Available blocks: {string.Join(", ", available)}",
                ErrorCodes.Runtime, hint: hint is null ? null : $"did you mean '{hint}'?");
        }
        rs.Pos = 0;
        found.Body(rs, ctx, output);
    }

    /// <summary>Renders <paramref name="name"/> like an include, with <paramref name="overrides"/> in place of its blocks.</summary>
    public static void Embed(RenderState rs, Context ctx, Output output, object? name, Dictionary<string, object?>? locals,
        bool withContext, IReadOnlyDictionary<string, BlockFunction> overrides)
    {
        var template = LoadTemplate(rs, name, "embed");
        var child = withContext ? ctx.Derive(locals) : new Context(rs, null, rs.Host.GlobalsSnapshot);
        var savedBlocks = rs.SwapBlocks(new BlockLayer(null, overrides));
        try
        {
            RunEntered(rs, "embed", template.Compiled, child, output);
        }
        finally
        {
            rs.RestoreBlocks(savedBlocks);
        }
    }
}

/// <summary>The namespace a template exports to <c>import</c>: its top-level macros and variables.</summary>
internal sealed class TemplateModule(string name, Dictionary<string, object?> values) : IKidaObject
{
    public string Name { get; } = name;
    public Dictionary<string, object?> Values { get; } = values;
    public bool TryGetMember(string member, out object? value) => Values.TryGetValue(member, out value);

    // the last macro read by name (m.row(r) in a loop reads the same one for every row): one object, so a reader on
    // another thread sees a name with its own macro
    private sealed record Hit(string Name, Macro? Macro);

    private Hit? _last;

    /// <summary>The macro (not a caller) named <paramref name="member"/>, or null.</summary>
    public Macro? MacroNamed(string member)
    {
        var last = _last;
        if (last is not null && ReferenceEquals(last.Name, member)) return last.Macro;
        var macro = Values.TryGetValue(member, out var value) && value is Macro { IsCaller: false } m ? m : null;
        _last = new Hit(member, macro);
        return macro;
    }
    public override string ToString() => $"<template module '{Name}'>";
}
