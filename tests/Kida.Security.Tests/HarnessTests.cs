using Xunit.Abstractions;

namespace Kida.Security.Tests;

/// <summary>
/// The harness itself: a child that overflows its stack, hangs, runs out of memory, throws a non-template exception
/// or leaks the secret is reported as a bad outcome of that attack, and the runs after it still happen.
/// </summary>
public class HarnessTests(ITestOutputHelper output)
{
    private static Attack Make(string id, string kind, Expectation expect = Expectation.Any) =>
        new() { Id = "self." + id, Kind = kind, Owner = "harness", Expect = expect, Modes = "default",
                Templates = { ["main.html"] = "{{ 1 + 1 }}" } };

    [Fact]
    public void Crashes_hangs_out_of_memory_foreign_exceptions_and_leaks_are_bad_outcomes_and_the_run_goes_on()
    {
        var attacks = new List<Attack>
        {
            Make("ok-before", "render", Expectation.Ok),
            Make("crash", "selftest-crash"),
            Make("ok-after-crash", "render", Expectation.Ok),
            Make("other", "selftest-other"),
            Make("leak", "selftest-leak"),
            Make("wrong-expectation", "render", Expectation.Error),
            Make("oom", "selftest-oom"),
            Make("ok-last", "render", Expectation.Ok),
            Make("hang", "selftest-hang"),
        };
        // A short hang window keeps the test fast; it is generous enough for a loaded machine (the render after the
        // out-of-memory run waits for a full collection of the capped heap).
        var all = ChildRunner.Run(attacks, Suite.RunnerDll, workers: 1, output.WriteLine,
            new Dictionary<string, string> { ["KIDA_SEC_HANG_SECONDS"] = "6" });
        string Outcome(string id) { var v = all.Single(x => x.Id == "self." + id); return (v.Pass ? "pass " : "fail ") + v.Outcome; }
        Assert.Equal("pass ok", Outcome("ok-before"));
        Assert.Equal("fail crash", Outcome("crash"));
        Assert.Equal("pass ok", Outcome("ok-after-crash"));
        Assert.Equal("fail timeout", Outcome("hang"));
        Assert.Equal("fail other", Outcome("oom"));
        Assert.Contains("OutOfMemory", all.Single(v => v.Id == "self.oom").Detail);
        Assert.Equal("fail other", Outcome("other"));
        Assert.Equal("fail ok", Outcome("leak"));
        Assert.Equal("fail ok", Outcome("wrong-expectation"));
        Assert.Equal("pass ok", Outcome("ok-last"));
        Assert.Contains("Stack overflow", all.Single(v => v.Id == "self.crash").Detail);
    }

    [Fact]
    public void Attack_files_expand_repetitions_generators_and_heredocs()
    {
        var attacks = AttackFile.Parse(new[]
        {
            "@owner lead", "[x.rep]", "t: {{ 1«3* + 1» }}", "expect: ok", "out: 4",
            "[x.gen]", "gen t{i}.html i=0..2: {% extends 't{i+1}.html' %}", "t t3.html <<<", "a", "b", ">>>", "entry: t0.html",
            "opt: cache=2 async=1", "ctx: {\"a\": 1}",
        }, "inline");
        Assert.Equal("{{ 1 + 1 + 1 + 1 }}", attacks[0].Templates["main.html"]);
        Assert.Equal(Expectation.Ok, attacks[0].Expect);
        Assert.Equal("lead", attacks[1].Owner);
        Assert.Equal("{% extends 't3.html' %}", attacks[1].Templates["t2.html"]);
        Assert.Equal("a\nb", attacks[1].Templates["t3.html"]);
        Assert.Equal("2", attacks[1].Options["cache"]);
        Assert.Equal(["compiled", "interpreted"], attacks[0].ModeList());
    }
}
