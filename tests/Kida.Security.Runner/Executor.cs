using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.FileProviders;

namespace Kida.Security;

/// <summary>How one run of an attack ended.</summary>
public sealed class Verdict
{
    /// <summary>Attack id.</summary>
    public string Id { get; set; } = "";
    /// <summary>Compile mode.</summary>
    public string Mode { get; set; } = "";
    /// <summary>ok, tex (a TemplateException), other (any other exception), timeout, crash.</summary>
    public string Outcome { get; set; } = "";
    /// <summary>Whether the outcome is acceptable for the attack.</summary>
    public bool Pass { get; set; }
    /// <summary>Why it failed (or what happened).</summary>
    public string Detail { get; set; } = "";
    /// <summary>Milliseconds the run took.</summary>
    public long Ms { get; set; }
}

/// <summary>
/// Runs attacks inside the runner process, judging each outcome. Options: autoescape=0, strict=0, trim=1,
/// lstrip=1, sandbox=1 (KidaOptions.Sandbox = new SandboxPolicy()), timeout=MS (Limits.RenderTimeout),
/// limit.NAME=VALUE (any KidaLimits property), asyncload=1 (GetTemplateAsync), cache=N (CacheSize), fragcache=N, async=1 (RenderAsync to a
/// TextWriter), block=NAME (RenderBlock), threads=N and iters=N (races).
/// </summary>
public static class Executor
{
    /// <summary>The longest a run may take, whatever it does.</summary>
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(10);

    /// <summary>How long the child waits for a run before it reports a hang: <see cref="HangLimit"/> plus 2 s, or
    /// <c>KIDA_SEC_HANG_SECONDS</c> (shorter, for quick local runs of attacks known to hang).</summary>
    public static TimeSpan HangWait => Environment.GetEnvironmentVariable("KIDA_SEC_HANG_SECONDS") is { Length: > 0 } s
        ? TimeSpan.FromSeconds(double.Parse(s, CultureInfo.InvariantCulture)) : HangLimit + TimeSpan.FromSeconds(2);

    /// <summary>Runs one attack in one mode on the calling thread and judges the outcome.</summary>
    public static Verdict Run(Attack attack, string mode)
    {
        var sw = Stopwatch.StartNew();
        string? output = null;
        Exception? error = null;
        try
        {
            output = Execute(attack, mode);
        }
        catch (TargetInvocationException tie) when (tie.InnerException is not null)
        {
            error = tie.InnerException;
        }
        catch (AggregateException ae) when (ae.InnerExceptions.Count == 1)
        {
            error = ae.InnerExceptions[0];
        }
        catch (Exception ex)
        {
            error = ex;
        }
        sw.Stop();
        return Judge.Decide(attack, mode, output, error, sw.Elapsed);
    }

    private static string Execute(Attack attack, string mode) => attack.Kind switch
    {
        "render" => RenderWith(attack, mode, new DictLoader(attack.Templates)),
        "fs" => RenderWith(attack, mode, new FileSystemLoader(Fixture.Write(attack))),
        "fp" => RenderWith(attack, mode, new FileProviderLoader(new PhysicalFileProvider(Fixture.Write(attack)))),
        "aspnet-result" => AspNetHost.Instance.Result(attack),
        "aspnet-view" => AspNetHost.Instance.View(attack),
        "race-trim" => Races.Trim(attack, Build(attack, mode, null)),
        "race-cache" => Races.FragmentCache(attack, Build(attack, mode, new DictLoader(attack.Templates))),
        "self-loader" => Races.SelfLoader(attack, mode),
        // The harness's own checks: each must be judged a failure of its class.
        "selftest-crash" => Overflow(0).ToString(CultureInfo.InvariantCulture),
        "selftest-hang" => Spin(),
        "selftest-leak" => "leaked " + Contexts.Secret,
        "selftest-oom" => Hog(),
        "selftest-other" => throw new InvalidOperationException("not a template error"),
        _ => throw new InvalidDataException("unknown kind " + attack.Kind),
    };

    private static int Overflow(int n) => n < 0 ? n : Overflow(n + 1) + 1;

    private static string Spin()
    {
        while (Environment.TickCount64 != 0) Thread.SpinWait(1000);
        return "";
    }

    private static string Hog()
    {
        var keep = new List<byte[]>();
        while (true) keep.Add(new byte[64 << 20]);
    }

    private static string RenderWith(Attack attack, string mode, ITemplateLoader loader)
    {
        var env = Build(attack, mode, loader);
        var name = Fixture.Resolve(attack.Entry);
        var template = attack.Options.GetValueOrDefault("asyncload") == "1"
            ? env.GetTemplateAsync(name).GetAwaiter().GetResult()
            : env.GetTemplate(name);
        return Render(attack, template, Contexts.Build(attack.Context));
    }

    /// <summary>Renders a loaded template as the attack's options say.</summary>
    public static string Render(Attack attack, Template template, Dictionary<string, object?> context)
    {
        if (attack.Options.TryGetValue("block", out var block)) return template.RenderBlock(block, context);
        if (attack.Options.GetValueOrDefault("async") == "1")
        {
            using var writer = new StringWriter(CultureInfo.InvariantCulture);
            template.RenderAsync(writer, context).AsTask().GetAwaiter().GetResult();
            return writer.ToString();
        }
        return template.Render(context);
    }

    /// <summary>The environment of an attack in a compile mode.</summary>
    public static KidaEnvironment Build(Attack attack, string mode, ITemplateLoader? loader)
    {
        var o = attack.Options;
        var options = new KidaOptions
        {
            Loader = loader,
            Autoescape = o.GetValueOrDefault("autoescape") != "0",
            StrictUndefined = o.GetValueOrDefault("strict") != "0",
            TrimBlocks = o.GetValueOrDefault("trim") == "1",
            LstripBlocks = o.GetValueOrDefault("lstrip") == "1",
            CacheSize = o.TryGetValue("cache", out var c) ? int.Parse(c, CultureInfo.InvariantCulture) : 400,
            FragmentCacheSize = o.TryGetValue("fragcache", out var f) ? int.Parse(f, CultureInfo.InvariantCulture) : 1000,
        };
        options = mode switch
        {
            "compiled" => options with { PreferInterpretation = false, TieredCompilation = false },
            "interpreted" => options with { PreferInterpretation = true },
            "tiered" => options with { PreferInterpretation = false, TieredCompilation = true, TierUpAfterRenders = 1 },
            _ => options,
        };
        options = ApplyLimits(options, o);
        if (o.GetValueOrDefault("sandbox") == "1") options = SetSandbox(options);
        return new KidaEnvironment(options);
    }

    // Limits and the sandbox are set through reflection, so attacks on them can be written (and fail as pending)
    // before the API has landed.
    private static KidaOptions ApplyLimits(KidaOptions options, Dictionary<string, string> o)
    {
        var wanted = o.Where(kv => kv.Key.StartsWith("limit.", StringComparison.Ordinal) || kv.Key == "timeout").ToList();
        if (wanted.Count == 0) return options;
        var limitsProp = typeof(KidaOptions).GetProperty("Limits")
            ?? throw new NotSupportedException("KidaOptions.Limits does not exist yet");
        var limits = limitsProp.GetValue(options)!;
        limits = limits.GetType().GetMethod("<Clone>$")!.Invoke(limits, null)!;
        foreach (var (key, value) in wanted)
        {
            var name = key == "timeout" ? "RenderTimeout" : key["limit.".Length..];
            var prop = limits.GetType().GetProperty(name) ?? throw new NotSupportedException("KidaLimits." + name + " does not exist");
            var t = Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType;
            object? v = value == "null" ? null
                : t == typeof(TimeSpan) ? TimeSpan.FromMilliseconds(double.Parse(value, CultureInfo.InvariantCulture))
                : Convert.ChangeType(value, t, CultureInfo.InvariantCulture);
            prop.SetValue(limits, v);
        }
        var clone = (KidaOptions)typeof(KidaOptions).GetMethod("<Clone>$")!.Invoke(options, null)!;
        limitsProp.SetValue(clone, limits);
        return clone;
    }

    private static KidaOptions SetSandbox(KidaOptions options)
    {
        var prop = typeof(KidaOptions).GetProperty("Sandbox")
            ?? throw new NotSupportedException("KidaOptions.Sandbox does not exist yet");
        var policy = Activator.CreateInstance(prop.PropertyType)!;
        var clone = (KidaOptions)typeof(KidaOptions).GetMethod("<Clone>$")!.Invoke(options, null)!;
        prop.SetValue(clone, policy);
        return clone;
    }
}

/// <summary>
/// The judge: an attack passes when the run succeeded with the expected, secret-free output, or threw a
/// <see cref="TemplateException"/> (with a position, unless none applies) where an error is allowed; never any other
/// exception, never longer than <see cref="Executor.HangLimit"/>.
/// </summary>
public static class Judge
{
    /// <summary>Decides the verdict of one run.</summary>
    public static Verdict Decide(Attack attack, string mode, string? output, Exception? error, TimeSpan elapsed)
    {
        var v = new Verdict { Id = attack.Id, Mode = mode, Ms = (long)elapsed.TotalMilliseconds };
        string? Fail(string why) { v.Pass = false; v.Detail = why; return null; }
        v.Pass = true;
        if (error is null)
        {
            v.Outcome = "ok";
            v.Detail = "output " + Show(output ?? "");
            if (Leaks(output)) Fail("output contains the secret marker: " + Show(output!));
            else if (attack.Expect == Expectation.Error) Fail($"expected a TemplateException{(attack.ErrorCode is null ? "" : " " + attack.ErrorCode)}, got output {Show(output!)}");
            else if (attack.Output is { } exact && output != exact) Fail($"expected output {Show(exact)}, got {Show(output!)}");
            else if (attack.Has.FirstOrDefault(h => !output!.Contains(h, StringComparison.Ordinal)) is { } missing) Fail($"output lacks {Show(missing)}: {Show(output!)}");
            else if (attack.Lacks.FirstOrDefault(l => output!.Contains(l, StringComparison.Ordinal)) is { } bad) Fail($"output contains {Show(bad)}: {Show(output!)}");
        }
        else if (error is TemplateException te)
        {
            v.Outcome = "tex";
            v.Detail = $"{te.GetType().Name} [{te.Code}] line {te.Line}: {First(te.RawMessage)}";
            var entryNotFound = te is TemplateNotFoundException nf && nf.Name == Fixture.Resolve(attack.Entry);
            if (Leaks(te.Message)) Fail("the error message contains the secret marker: " + First(te.Message));
            else if (attack.Expect == Expectation.Ok) Fail("expected success, got " + v.Detail);
            else if (attack.ErrorCode is { } code && !te.Code.StartsWith(code, StringComparison.Ordinal)) Fail($"expected code {code}, got {v.Detail}");
            else if (te.Line <= 0 && !attack.NoPosition && !entryNotFound && !attack.Kind.StartsWith("aspnet", StringComparison.Ordinal) && attack.Kind != "self-loader")
                Fail("error without a position: " + v.Detail);
            else if (attack.MessageLacks.FirstOrDefault(m => te.Message.Contains(m, StringComparison.Ordinal)) is { } m) Fail($"message contains {Show(m)}: {First(te.Message)}");
        }
        else
        {
            v.Outcome = "other";
            Fail($"{error.GetType().FullName}: {First(error.Message)}" + (error is NotSupportedException ? "" : " at " + First(error.StackTrace ?? "", 300)));
        }
        if (elapsed > Executor.HangLimit) Fail($"took {elapsed.TotalSeconds:F1} s (limit {Executor.HangLimit.TotalSeconds} s); " + v.Detail);
        return v;
    }

    /// <summary>Whether a text contains any planted secret.</summary>
    public static bool Leaks(string? text) => text is not null && text.Contains(Contexts.Secret, StringComparison.Ordinal);

    private static string First(string s, int max = 200)
    {
        s = s.Replace('\n', ' ');
        return s.Length <= max ? s : s[..max] + "…";
    }

    /// <summary>A short quoted form of an output.</summary>
    public static string Show(string s)
    {
        var quoted = System.Text.Json.JsonSerializer.Serialize(s.Length <= 160 ? s : s[..120] + "…" + s[^30..],
            new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        return s.Length <= 160 ? quoted : quoted + $" ({s.Length} chars)";
    }
}
