using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// What an imported template's top level prints is dropped (into one buffer a render keeps for its imports, emptied for
/// each): nested imports, several imports in one render and renders one after another print only what the importer
/// prints, and a module that prints past the output limit still fails with it.
/// </summary>
public class ImportDiscardTests
{
    private static readonly Dictionary<string, string> Templates = new()
    {
        ["inner.html"] = "INNER{{ 'z' * 300 }}{% macro g() %}g{% endmacro %}",
        ["lib.html"] = "TOP{% import 'inner.html' as i %}MORE{{ 'y' * 500 }}{% macro f(x) %}<{{ x }}{{ i.g() }}>{% endmacro %}",
        ["main.html"] = "{% import 'lib.html' as m %}{{ m.f(1) }}{% import 'lib.html' as m2 %}{% from 'inner.html' import g %}{{ m2.f(2) }}{{ g() }}",
    };

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Imports_print_nothing_of_their_top_level(Mode mode)
    {
        Assert.Equal("<1g><2g>g", Render(mode, Templates));
        // (again on the same thread: the kept buffer starts empty)
        Assert.Equal("<1g><2g>g", Render(mode, Templates));
    }

    [Fact]
    public void A_module_printing_past_the_output_limit_fails_with_it_every_time()
    {
        var env = new KidaEnvironment(new KidaOptions
        {
            Loader = new DictLoader(new Dictionary<string, string>
            {
                ["big.html"] = "{{ 'x' * n }}{% macro f() %}f{% endmacro %}",
                ["main.html"] = "{% import 'big.html' as b with context %}{{ b.f() }}",
            }),
            Limits = KidaLimits.Default with { MaxOutputLength = 1000 },
        });
        var t = env.GetTemplate("main.html");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("f", t.Render(new Dictionary<string, object?> { ["n"] = 900 }));
            var ex = Assert.ThrowsAny<TemplateException>(() => t.Render(new Dictionary<string, object?> { ["n"] = 1001 }));
            Assert.StartsWith("K-SEC", ex.Code);
        }
    }
}
