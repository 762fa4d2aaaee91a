using Xunit.Abstractions;

namespace Kida.Security.Tests;

/// <summary>
/// The attack suite of issue 11: every attack in Attacks/*.attacks runs in a child process (so a stack overflow or
/// an out-of-memory ends the child, not the test host), on a thread with a 1 MB stack, and must end in an acceptable
/// outcome: success with the expected, secret-free output, or a <see cref="TemplateException"/> with a position.
/// Never another exception, a crash, a run longer than 10 s, or output containing the planted secret.
/// </summary>
public class AttackSuiteTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Files() =>
        Directory.GetFiles(Suite.AttacksDir, "*.attacks").Select(f => new object[] { Path.GetFileName(f) }).OrderBy(r => (string)r[0], StringComparer.Ordinal);

    [Fact]
    public void Attack_table_holds_at_least_300_attacks_over_every_class()
    {
        var attacks = Suite.All();
        Assert.True(attacks.Count >= 300, $"only {attacks.Count} attacks");
        var dup = attacks.GroupBy(a => a.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(dup.Count == 0, "duplicate ids: " + string.Join(", ", dup));
        var classes = attacks.GroupBy(a => a.Class).ToDictionary(g => g.Key, g => g.Count());
        foreach (var c in new[] { "stack", "chain", "cycle", "escape", "hang", "xss", "traversal", "aspnet", "sandbox", "race", "misc" })
            Assert.True(classes.GetValueOrDefault(c) > 0, $"no attack of class {c}");
        foreach (var (c, n) in classes.OrderBy(kv => kv.Key, StringComparer.Ordinal)) output.WriteLine($"{c}: {n}");
        Assert.All(attacks, a => Assert.False(string.IsNullOrEmpty(a.Owner), a.Id + " has no owner"));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_attack_ends_in_an_acceptable_outcome(string file)
    {
        var attacks = AttackFile.Parse(Path.Combine(Suite.AttacksDir, file));
        var failures = Suite.Run(attacks, output);
        Assert.True(failures.Count == 0, $"{failures.Count} bad outcome(s) in {file}:" + Suite.Describe(failures, attacks));
    }
}
