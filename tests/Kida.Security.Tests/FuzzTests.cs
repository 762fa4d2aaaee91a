using System.Globalization;
using Xunit.Abstractions;

namespace Kida.Security.Tests;

/// <summary>
/// Mutation fuzzing (see <see cref="Fuzzer"/>): KIDA_FUZZ_CASES cases (default 3,000) from KIDA_FUZZ_SEED (default
/// 11; KIDA_FUZZ_ALL=1 adds the mutation families in <see cref="Fuzzer.Pending"/>), each run in the child runner on a
/// 1 MB stack; every case must succeed or throw a TemplateException with a
/// position, within 10 s, without leaking the secret.
/// </summary>
public class FuzzTests(ITestOutputHelper output)
{
    private static int Env(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;

    [Fact]
    public void Mutated_templates_and_contexts_end_in_success_or_a_positioned_template_error()
    {
        var seeds = Fuzzer.Seeds();
        Assert.True(seeds.Count >= 100, $"only {seeds.Count} fuzz seeds found");
        var cases = Env("KIDA_FUZZ_CASES", 3000);
        var seed = Env("KIDA_FUZZ_SEED", 11);
        output.WriteLine($"{seeds.Count} seeds, {cases} cases, seed {seed}, pending mutation families: {string.Join(", ", Fuzzer.Pending)}");
        var attacks = Fuzzer.Generate(seeds, cases, seed);
        var failures = Suite.Run(attacks, output);
        Assert.True(failures.Count == 0, $"{failures.Count} bad outcome(s) of {cases} fuzz cases (seed {seed}):" + Suite.Describe(failures, attacks));
    }

    [Fact]
    public void Fuzzer_is_deterministic()
    {
        var seeds = Fuzzer.Seeds();
        var a = Fuzzer.Generate(seeds, 50, 5);
        var b = Fuzzer.Generate(seeds, 50, 5);
        Assert.Equal(a.Select(x => x.Templates[x.Entry] + x.Context), b.Select(x => x.Templates[x.Entry] + x.Context));
    }
}
