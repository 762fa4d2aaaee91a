using System.Globalization;

namespace Kida.Security;

/// <summary>Attacks that need threads or a custom loader.</summary>
public static class Races
{
    private static int Opt(Attack a, string key, int fallback) =>
        a.Options.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    /// <summary>
    /// Renders the attack's templates from several threads in random order through an environment whose
    /// CacheSize is smaller than the number of templates, so the cache trims while other threads read it.
    /// The first exception (of any type) is rethrown.
    /// </summary>
    public static string Trim(Attack attack, KidaEnvironment unused)
    {
        _ = unused;
        var names = attack.Templates.Keys.Where(n => n != "main.html").ToArray();
        if (names.Length == 0) names = attack.Templates.Keys.ToArray();
        return Hammer(attack, Executor.Build(attack, "interpreted", new DictLoader(attack.Templates)), (env, rnd) =>
        {
            var name = names[rnd.Next(names.Length)];
            env.GetTemplate(name).Render(new Dictionary<string, object?> { ["n"] = rnd.Next(100) });
        });
    }

    /// <summary>Renders a <c>{% cache %}</c> template from several threads with many keys, past the fragment capacity.</summary>
    public static string FragmentCache(Attack attack, KidaEnvironment env)
    {
        var keys = Opt(attack, "keys", 5000);
        var template = env.GetTemplate(attack.Entry);
        return Hammer(attack, env, (_, rnd) => template.Render(new Dictionary<string, object?> { ["k"] = rnd.Next(keys) }));
    }

    private static string Hammer(Attack attack, KidaEnvironment env, Action<KidaEnvironment, Random> step)
    {
        var threads = Opt(attack, "threads", 4);
        var iterations = Opt(attack, "iters", 5000);
        Exception? first = null;
        var errors = 0;
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var rnd = new Random(1000 + t);
            for (var i = 0; i < iterations && Volatile.Read(ref first) is null; i++)
            {
                try { step(env, rnd); }
                catch (Exception ex)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref first, ex, null);
                }
            }
        }, 1 << 20)).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        if (first is not null) throw first;
        return "ok";
    }

    /// <summary>A loader that asks the environment for the template it is loading.</summary>
    public static string SelfLoader(Attack attack, string mode)
    {
        var loader = new SelfAskingLoader(attack.Templates);
        var env = Executor.Build(attack, mode, loader);
        loader.Environment = env;
        return env.GetTemplate(attack.Entry).Render(Contexts.Build(attack.Context));
    }

    private sealed class SelfAskingLoader(Dictionary<string, string> templates) : ITemplateLoader
    {
        private int _depth;

        public KidaEnvironment? Environment { get; set; }

        public TemplateSource GetSource(string name)
        {
            if (Interlocked.Increment(ref _depth) <= 3) Environment!.GetTemplate(name);
            return templates.TryGetValue(name, out var text) ? new TemplateSource(name, text) : throw new TemplateNotFoundException(name);
        }
    }
}
