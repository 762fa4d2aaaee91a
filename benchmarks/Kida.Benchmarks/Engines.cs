using System.Collections.Concurrent;
using System.Globalization;
using DotLiquid;
using Fluid;
using HandlebarsDotNet;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;
using RazorLight;
using RazorLight.Razor;
using Scriban.Runtime;

namespace Kida.Benchmarks;

/// <summary>
/// One template engine. <see cref="Compile"/> builds a fresh environment for the engine, parses and compiles
/// every template file of the workload and returns a render function bound to the workload's model:
/// the compile benchmark calls <c>Compile</c>, the cold benchmark calls <c>Compile(w)()</c>, the render
/// benchmark calls the returned function of a <c>Compile</c> done in setup.
/// </summary>
public abstract class Engine
{
    public abstract string Name { get; }

    /// <summary>Directory under templates/&lt;workload&gt;/ holding this engine's files.</summary>
    public abstract string Dir { get; }

    public virtual string Dir2 => Dir;

    public abstract Func<string> Compile(Workload w);

    public static readonly KidaEngine Kida = new();
    public static readonly FluidEngine Fluid = new();
    public static readonly ScribanEngine Scriban = new();
    public static readonly HandlebarsEngine Handlebars = new();
    public static readonly DotLiquidEngine DotLiquid = new();
    public static readonly RazorLightEngineAdapter RazorLight = new();

    public static readonly Engine[] All = [Kida, Fluid, Scriban, Handlebars, DotLiquid, RazorLight];
    public static readonly Engine[] Peers = [Fluid, Scriban, Handlebars, DotLiquid, RazorLight];

    protected static string Stem(string file) => Path.GetFileNameWithoutExtension(file);
}

public sealed class KidaEngine : Engine
{
    public override string Name => "Kida";
    public override string Dir => "kida";

    private static Template CompileAll(Workload w)
    {
        var files = w.Files("kida");
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(files) });
        foreach (var name in files.Keys) if (name != "index.html") env.GetTemplate(name);
        return env.GetTemplate("index.html");
    }


    public override Func<string> Compile(Workload w)
    {
        var t = CompileAll(w);
        var model = w.Model;
        return () => t.Render(model);
    }

    /// <summary>
    /// The same template rendered with a top-level dictionary whose values are the model's own objects (the usual
    /// <c>Render(IReadOnlyDictionary)</c> call: a few named values, each a POCO or a list of them).
    /// </summary>
    public Func<string> CompileTopDict(Workload w)
    {
        var t = CompileAll(w);
        IReadOnlyDictionary<string, object?> top = w.Model.GetType().GetProperties()
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "All")
            .ToDictionary(p => Data.Snake(p.Name), p => p.GetValue(w.Model), StringComparer.Ordinal);
        return () => t.Render(top);
    }

    /// <summary>The same template rendered with the model as nested <c>Dictionary&lt;string, object?&gt;</c>.</summary>
    public Func<string> CompileDict(Workload w)
    {
        var t = CompileAll(w);
        IReadOnlyDictionary<string, object?> dict = w.Dict;
        return () => t.Render(dict);
    }
}

public sealed class FluidEngine : Engine
{
    public override string Name => "Fluid";
    public override string Dir => "fluid";
    public override string Dir2 => "liquid";

    // The parser is a stateless, thread-safe grammar that Fluid applications create once.
    private static readonly FluidParser Parser = new(new FluidParserOptions { AllowFunctions = true });

    public override Func<string> Compile(Workload w)
    {
        var files = w.Files(Dir, Dir2);
        var cache = new FluidTemplateCache();
        foreach (var (name, src) in files)
        {
            if (!Parser.TryParse(src, out var parsed, out var error))
                throw new InvalidOperationException($"Fluid parse error in {w.Name}/{name}: {error}");
            cache.Templates[name] = parsed;
        }
        var options = new TemplateOptions
        {
            FileProvider = new MemoryFileProvider(files),
            TemplateCache = cache,
            CultureInfo = CultureInfo.InvariantCulture,
        };
        options.MemberAccessStrategy.MemberNameStrategy = MemberNameStrategies.SnakeCase;
        PeerFilters.AddTo(options);
        foreach (var t in w.Types) options.MemberAccessStrategy.Register(t);
        var main = cache.Templates["index.liquid"];
        var model = w.Model;
        return () => main.Render(new TemplateContext(model, options));
    }

    /// <summary>Includes resolve to the templates parsed up front (keys as Fluid asks for them).</summary>
    private sealed class FluidTemplateCache : ITemplateCache
    {
        public readonly ConcurrentDictionary<string, IFluidTemplate> Templates = new(StringComparer.Ordinal);

        public bool TryGetTemplate(string key, DateTimeOffset lastModified, out IFluidTemplate template) =>
            Templates.TryGetValue(key.TrimStart('/'), out template!);

        public void SetTemplate(string key, DateTimeOffset lastModified, IFluidTemplate template) =>
            Templates[key.TrimStart('/')] = template;
    }

    private sealed class MemoryFileProvider(IReadOnlyDictionary<string, string> files) : IFileProvider
    {
        public IFileInfo GetFileInfo(string subpath) =>
            files.TryGetValue(subpath.TrimStart('/'), out var s) ? new MemoryFile(subpath, s) : new NotFoundFileInfo(subpath);

        public IDirectoryContents GetDirectoryContents(string subpath) => NotFoundDirectoryContents.Singleton;

        public IChangeToken Watch(string filter) => NullChangeToken.Singleton;
    }

    private sealed class MemoryFile(string name, string content) : IFileInfo
    {
        private readonly byte[] _bytes = System.Text.Encoding.UTF8.GetBytes(content);
        public bool Exists => true;
        public long Length => _bytes.Length;
        public string? PhysicalPath => null;
        public string Name => name;
        public DateTimeOffset LastModified => DateTimeOffset.UnixEpoch;
        public bool IsDirectory => false;
        public Stream CreateReadStream() => new MemoryStream(_bytes, writable: false);
    }
}

public sealed class ScribanEngine : Engine
{
    public override string Name => "Scriban";
    public override string Dir => "scriban";

    public override Func<string> Compile(Workload w)
    {
        var files = w.Files(Dir);
        var parsed = new Dictionary<string, global::Scriban.Template>(StringComparer.Ordinal);
        foreach (var (name, src) in files)
        {
            var t = global::Scriban.Template.Parse(src, name);
            if (t.HasErrors) throw new InvalidOperationException($"Scriban parse error in {w.Name}/{name}: " + string.Join("; ", t.Messages));
            parsed[name] = t;
        }
        var loader = new Loader(files);
        var main = parsed["index.scriban"];
        var includes = parsed.Where(kv => kv.Key != "index.scriban").ToArray();
        var model = new ScriptObject();
        model.Import(w.Model);
        PeerFilters.AddTo(model);
        return () =>
        {
            // Scriban's default LoopLimit (1000 iterations) is below the large workload's 1000 + wrapper.
            var ctx = new global::Scriban.TemplateContext { LoopLimit = 0, TemplateLoader = loader };
            foreach (var (path, t) in includes) ctx.CachedTemplates[path] = t; // parsed once, not per render
            ctx.PushGlobal(model);
            ctx.PushGlobal(new ScriptObject()); // captures and assignments of this render
            return main.Render(ctx);
        };
    }

    private sealed class Loader(IReadOnlyDictionary<string, string> files) : global::Scriban.Runtime.ITemplateLoader
    {
        public string GetPath(global::Scriban.TemplateContext context, global::Scriban.Parsing.SourceSpan callerSpan, string templateName) => templateName + ".scriban";
        public string Load(global::Scriban.TemplateContext context, global::Scriban.Parsing.SourceSpan callerSpan, string templatePath) => files[templatePath];
        public ValueTask<string> LoadAsync(global::Scriban.TemplateContext context, global::Scriban.Parsing.SourceSpan callerSpan, string templatePath) => new(files[templatePath]);
    }
}

public sealed class HandlebarsEngine : Engine
{
    public override string Name => "Handlebars.Net";
    public override string Dir => "handlebars";

    public override Func<string> Compile(Workload w)
    {
        var files = w.Files(Dir);
        var hb = HandlebarsDotNet.Handlebars.Create();
        PeerFilters.AddTo(hb);
        foreach (var (name, src) in files) if (name != "index.hbs") hb.RegisterTemplate(Stem(name), src);
        var main = hb.Compile(files["index.hbs"]);
        var model = w.Model;
        return () => main(model);
    }
}

public sealed class DotLiquidEngine : Engine
{
    public override string Name => "DotLiquid";
    public override string Dir => "liquid";

    private static readonly ConcurrentDictionary<Type, bool> Registered = new();

    static DotLiquidEngine()
    {
        global::DotLiquid.Template.RegisterFilter(typeof(DotLiquidPeerFilters));
        global::DotLiquid.Liquid.UseRubyDateFormat = true; // strftime formats in `date` (the dashboard workload)
    }

    public override Func<string> Compile(Workload w)
    {
        foreach (var t in w.Types)
            Registered.GetOrAdd(t, type =>
            {
                global::DotLiquid.Template.RegisterSafeType(type, type.GetProperties().Select(p => p.Name).ToArray());
                return true;
            });
        var files = w.Files(Dir);
        var parsed = new Dictionary<string, global::DotLiquid.Template>(StringComparer.Ordinal);
        foreach (var (name, src) in files) parsed[Stem(name)] = global::DotLiquid.Template.Parse(src);
        var registers = Hash.FromDictionary(new Dictionary<string, object> { ["file_system"] = new FileSystem(parsed) });
        var vars = new Hash();
        foreach (var p in w.Model.GetType().GetProperties())
            if (p.Name != "All") vars[Data.Snake(p.Name)] = p.GetValue(w.Model);
        var main = parsed["index"];
        return () => main.Render(new RenderParameters(CultureInfo.InvariantCulture)
        {
            LocalVariables = vars,
            Registers = registers,
            RethrowErrors = true,
        });
    }

    private sealed class FileSystem(Dictionary<string, global::DotLiquid.Template> templates) : global::DotLiquid.FileSystems.ITemplateFileSystem
    {
        public string ReadTemplateFile(global::DotLiquid.Context context, string templateName) => throw new NotSupportedException();

        public global::DotLiquid.Template GetTemplate(global::DotLiquid.Context context, string templateName) => templates[(string)context[templateName]];
    }
}

public sealed class RazorLightEngineAdapter : Engine
{
    public override string Name => "RazorLight";
    public override string Dir => "razor";

    public override Func<string> Compile(Workload w)
    {
        var files = w.Files(Dir);
        var engine = new RazorLightEngineBuilder()
            .UseProject(new Project(files))
            .SetOperatingAssembly(typeof(RazorLightEngineAdapter).Assembly)
            .UseMemoryCachingProvider()
            .Build();
        foreach (var name in files.Keys) engine.CompileTemplateAsync(Stem(name)).GetAwaiter().GetResult();
        var lookup = engine.Handler.Cache.RetrieveTemplate("index");
        if (!lookup.Success) throw new InvalidOperationException("RazorLight template was not cached");
        var factory = lookup.Template.TemplatePageFactory;
        var model = w.Model;
        return () => engine.RenderTemplateAsync(factory(), model).GetAwaiter().GetResult();
    }

    private sealed class Project(IReadOnlyDictionary<string, string> files) : RazorLightProject
    {
        public override Task<RazorLightProjectItem> GetItemAsync(string templateKey)
        {
            var key = templateKey.TrimStart('/');
            if (!files.TryGetValue(key + ".cshtml", out var src)) throw new KeyNotFoundException("RazorLight template " + key);
            return Task.FromResult<RazorLightProjectItem>(new TextSourceRazorProjectItem(key, src));
        }

        public override Task<IEnumerable<RazorLightProjectItem>> GetImportsAsync(string templateKey) =>
            Task.FromResult(Enumerable.Empty<RazorLightProjectItem>());
    }
}
