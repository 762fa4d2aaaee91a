using System.Globalization;
using Fluid;
using HandlebarsDotNet;
using RazorLight;
using Scriban.Runtime;

namespace Kida.Benchmarks;

/// <summary>Every engine's template compiled once; each Render* call is render-only.</summary>
public sealed class Renderers
{
    public Catalog Model { get; }

    private readonly Template _kida;
    private readonly IFluidTemplate _fluid;
    private readonly TemplateOptions _fluidOptions;
    private readonly global::Scriban.Template _scriban;
    private readonly global::Scriban.Runtime.ScriptObject _scribanModel;
    private readonly HandlebarsTemplate<object, object> _handlebars;
    private readonly global::DotLiquid.Template _dotLiquid;
    private readonly global::DotLiquid.Hash _dotLiquidModel;
    private readonly RazorLightEngine _razorEngine;
    private readonly Func<ITemplatePage> _razorPageFactory;

    public Renderers(Catalog model)
    {
        Model = model;

        // Kida
        var env = new KidaEnvironment(new KidaOptions
        {
            Loader = new DictLoader(new Dictionary<string, string> { ["products.html"] = Templates.Kida }),
        });
        _kida = env.GetTemplate("products.html");

        // Fluid
        var parser = new FluidParser();
        if (!parser.TryParse(Templates.Fluid, out var fluidTemplate, out var fluidError))
            throw new InvalidOperationException("Fluid parse error: " + fluidError);
        _fluid = fluidTemplate;
        _fluidOptions = new TemplateOptions();
        _fluidOptions.MemberAccessStrategy.Register<Catalog>();
        _fluidOptions.MemberAccessStrategy.Register<Product>();

        // Scriban
        _scriban = global::Scriban.Template.Parse(Templates.Scriban);
        if (_scriban.HasErrors)
            throw new InvalidOperationException("Scriban parse error: " + string.Join("; ", _scriban.Messages));
        _scribanModel = new global::Scriban.Runtime.ScriptObject();
        _scribanModel.Import(model);

        // Handlebars.Net
        _handlebars = Handlebars.Create().Compile(Templates.Handlebars);

        // DotLiquid
        global::DotLiquid.Template.RegisterSafeType(typeof(Product), new[] { "Name", "Price", "Description", "Tags", "InStock" });
        _dotLiquid = global::DotLiquid.Template.Parse(Templates.DotLiquid);
        _dotLiquidModel = global::DotLiquid.Hash.FromAnonymousObject(new { products = model.Products });

        // RazorLight: compile once, then render fresh pages from the cached factory.
        _razorEngine = new RazorLightEngineBuilder()
            .UseNoProject()
            .SetOperatingAssembly(typeof(Renderers).Assembly)
            .UseMemoryCachingProvider()
            .Build();
        _razorEngine.CompileRenderStringAsync("products", Templates.Razor, model).GetAwaiter().GetResult();
        var lookup = _razorEngine.Handler.Cache.RetrieveTemplate("products");
        if (!lookup.Success) throw new InvalidOperationException("RazorLight template was not cached");
        _razorPageFactory = lookup.Template.TemplatePageFactory;
    }

    public string RenderHandWritten() => HandWritten.Render(Model);

    public string RenderKida() => _kida.Render(Model);

    public string RenderFluid() => _fluid.Render(new TemplateContext(Model, _fluidOptions));

    // Scriban's default LoopLimit (1000 iterations in total) is below this workload's 2000.
    public string RenderScriban()
    {
        var ctx = new global::Scriban.TemplateContext { LoopLimit = 0 };
        ctx.PushGlobal(_scribanModel);
        return _scriban.Render(ctx);
    }

    public string RenderHandlebars() => _handlebars(Model);

    public string RenderDotLiquid() => _dotLiquid.Render(_dotLiquidModel);

    public string RenderRazor() =>
        _razorEngine.RenderTemplateAsync(_razorPageFactory(), Model).GetAwaiter().GetResult();

    public IReadOnlyList<(string Name, Func<string> Render)> All() => new (string, Func<string>)[]
    {
        ("HandWritten", RenderHandWritten),
        ("Kida", RenderKida),
        ("Fluid", RenderFluid),
        ("Scriban", RenderScriban),
        ("Handlebars.Net", RenderHandlebars),
        ("DotLiquid", RenderDotLiquid),
        ("RazorLight", RenderRazor),
    };

    /// <summary>Renders with every engine and throws if any output differs from the hand-written one
    /// after <see cref="Workload.Normalise"/>.</summary>
    public void VerifyAllEqual(TextWriter? log = null)
    {
        var expected = Workload.Normalise(RenderHandWritten());
        var failures = new List<string>();
        foreach (var (name, render) in All())
        {
            string actual;
            try { actual = Workload.Normalise(render()); }
            catch (Exception ex) { failures.Add($"{name}: threw {ex.GetType().Name}: {ex.Message}"); continue; }
            if (actual == expected) { log?.WriteLine($"  ok  {name} ({actual.Length.ToString(CultureInfo.InvariantCulture)} chars normalised)"); continue; }
            var i = 0;
            while (i < actual.Length && i < expected.Length && actual[i] == expected[i]) i++;
            var from = Math.Max(0, i - 60);
            failures.Add($"{name}: output differs at char {i}\n    expected: ...{Slice(expected, from)}...\n    actual:   ...{Slice(actual, from)}...");
        }
        if (failures.Count > 0)
            throw new InvalidOperationException("ENGINE OUTPUTS DIFFER — the benchmark would compare different work:\n" + string.Join("\n", failures));
    }

    private static string Slice(string s, int from) => from >= s.Length ? "" : s.Substring(from, Math.Min(160, s.Length - from));
}
