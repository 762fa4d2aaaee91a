using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Kida;
using Kida.Runtime;
using Microsoft.Extensions.Primitives;

namespace Kida.AspNetCore;

/// <summary>
/// Razor's <c>_ViewImports</c>/<c>_ViewStart</c> for Kida views: the macros and defs of
/// <see cref="KidaViewOptions.AutoImports"/> that every view sees, and <see cref="KidaViewOptions.DefaultLayout"/>.
/// A view with auto-imports renders through a small generated template,
/// <c>{% from "_imports.html" import a, b %}{% include "Home/Index.html" %}</c> (one per view, compiled once), so the
/// view is the same template as ever (its errors keep its own name and lines) and sees the imported names in its
/// context; without auto-imports a view renders directly, at no cost.
/// </summary>
internal sealed partial class KidaViewConventions(KidaEnvironment environment, KidaViewOptions options, Func<string, IChangeToken?>? watch = null)
{
    private const int MaxWrappers = 4096;

    // the import statement of each (version of an) imports template: "" for one that defines nothing
    private readonly ConditionalWeakTable<Template, string> _statements = new();
    private readonly ConditionalWeakTable<Template, StrongBox<bool>> _optsOut = new();
    private readonly ConcurrentDictionary<(string Imports, string View), Template> _wrappers = new();
    // auto-imports that do not exist (the common case: no _imports.html), so a view does not look for them on every
    // render: until the file appears (with auto-reload, through a change token) or for good (without)
    private readonly ConcurrentDictionary<string, IChangeToken?> _missing = new(StringComparer.Ordinal);

    /// <summary>The default layout's name, or null.</summary>
    public string? DefaultLayout => string.IsNullOrWhiteSpace(options.DefaultLayout) ? null : options.DefaultLayout;

    /// <summary>
    /// The statements that import every auto-import's top-level macros and defs (empty when there is none). Templates
    /// that do not exist are skipped; one that does not compile fails the view.
    /// </summary>
    public async ValueTask<string> ImportsAsync(CancellationToken cancellationToken)
    {
        if (options.AutoImports.Count == 0) return "";
        StringBuilder? statements = null;
        foreach (var name in options.AutoImports)
        {
            if (string.IsNullOrWhiteSpace(name)) continue;
            if (_missing.TryGetValue(name, out var token) && token?.HasChanged != true) continue;
            Template imports;
            try
            {
                imports = await environment.GetTemplateAsync(name, cancellationToken).ConfigureAwait(false);
            }
            catch (TemplateNotFoundException)
            {
                _missing[name] = watch?.Invoke(name);
                continue;
            }
            _missing.TryRemove(name, out _);
            var statement = _statements.GetValue(imports, Statement);
            if (statement.Length > 0) (statements ??= new StringBuilder()).Append(statement);
        }
        return statements?.ToString() ?? "";
    }

    private static string Statement(Template imports)
    {
        var names = imports.Summary.Defs.Select(d => d.Name).Where(n => !n.StartsWith('_')).Distinct(StringComparer.Ordinal).ToList();
        return names.Count == 0 ? "" : $"{{% from {Literal(imports.Name!)} import {string.Join(", ", names)} %}}";
    }

    /// <summary><paramref name="view"/> itself without auto-imports, else its generated wrapper.</summary>
    public Template Wrap(Template view, string imports)
    {
        if (imports.Length == 0 || view.Name is not { } name || options.AutoImports.Contains(name)) return view;
        if (_wrappers.TryGetValue((imports, name), out var wrapper)) return wrapper;
        if (_wrappers.Count >= MaxWrappers) _wrappers.Clear();
        // named after the view (the view itself keeps its own name in errors; this one only shows in their include chain)
        wrapper = environment.FromString(imports + "{% include " + Literal(name) + " %}", name + " (with auto-imports)");
        return _wrappers.GetOrAdd((imports, name), wrapper);
    }

    /// <summary>Whether the default layout applies to a main view: it extends nothing and does not say <c>{% extends none %}</c>.</summary>
    public bool UsesLayout(Template view, bool isMainPage) =>
        isMainPage && DefaultLayout is { } layout && view.Name != layout && !view.Compiled.HasExtends
        && !_optsOut.GetValue(view, static t => new StrongBox<bool>(ExtendsNone().IsMatch(t.Compiled.Source.Text))).Value;

    /// <summary>A Kida string literal of a template name.</summary>
    private static string Literal(string name) =>
        "\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    [GeneratedRegex(@"\{%[-+~]?\s*extends\s+(?:none|None)\s*[-+~]?%\}", RegexOptions.CultureInvariant)]
    private static partial Regex ExtendsNone();
}
