using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// <c>x|attr('name')</c> with a literal name reads a plain object's member through a getter cached at the site. It must
/// answer as the filter does for every receiver: members, None members, missing members, mappings, strings, hidden
/// members, a failing getter, and a site that meets several types.
/// </summary>
public class AttrFilterTests
{
    public class Person
    {
        public string Name { get; set; } = "";
        public string? Nick { get; set; }
        public int Age { get; set; }
        public List<int> Scores { get; set; } = [];
        public string Broken => throw new InvalidOperationException("no");
    }

    public sealed class Robot
    {
        public string Name { get; set; } = "R2";
        public int Age => 40;
    }

    private static Dictionary<string, object?> Ctx() => new()
    {
        ["people"] = new object?[]
        {
            new Person { Name = "Ann", Nick = "A<", Age = 31, Scores = [1, 2] },
            new Robot(),
            new Dictionary<string, object?> { ["name"] = "dict", ["age"] = 7 },
            new Person { Name = "Bob", Nick = null, Age = 5 },
        },
    };

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Literal_names_read_what_the_filter_reads(Mode mode)
    {
        Assert.Equal("Ann:31;R2:40;dict:7;Bob:5;", Render(mode, "{% for p in people %}{{ p|attr('name') }}:{{ p|attr('age') }};{% endfor %}", Ctx()));
        // a None member is None (unlike p.nick, which prints nothing), escaped text, a list member used further
        Assert.Equal("A&lt;|None", Render(mode, "{{ people[0]|attr('nick') }}|{{ people[3]|attr('nick') }}", Ctx()));
        Assert.Equal("A&lt;,None,", Render(mode, "{% for p in [people[0], people[3]] %}{{ p|attr('nick') }},{% endfor %}", Ctx()));
        Assert.Equal("|", Render(mode, "{{ people[0].nick if false }}|{{ people[3].nick }}", Ctx()));
        Assert.Equal("3|2", Render(mode, "{{ people[0]|attr('scores')|sum }}|{{ people[0]|attr('scores')|length }}", Ctx()));
        // strings and lists answer with their methods, as the filter does
        Assert.Equal("ABC|2", Render(mode, "{{ ('abc'|attr('upper'))() }}|{{ ([1, 2, 2]|attr('count'))(2) }}", Ctx()));
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Missing_and_hidden_members_are_undefined(Mode mode)
    {
        var ctx = Ctx();
        // a missing member is undefined (default applies), also on a site that cached a getter for another type
        Assert.Equal("Ann-;none-;dict-;Bob-;", Render(mode, "{% for p in people %}{{ p|attr('name') if p|attr('age') > 30 and p is not mapping and p|attr('name') != 'R2' else ('none' if p|attr('name') == 'R2' else p|attr('name')) }}-{{ p|attr('email')|default('') }};{% endfor %}", ctx));
        Assert.Equal("x|x|x", Render(mode, "{{ people[0]|attr('GetType')|default('x') }}|{{ people[0]|attr('Equals')|default('x') }}|{{ none|attr('name')|default('x') }}", ctx));
        var ex = Assert.ThrowsAny<TemplateException>(() => Render(mode, "{{ people[0]|attr('email') }}", ctx));
        Assert.Equal("K-RUN-001", ex.Code);
    }

    [Fact]
    public void A_failing_getter_reports_on_the_cached_path_as_on_the_first()
    {
        var env = new KidaEnvironment();
        var t = env.FromString("{% for p in people %}{{ p|attr('broken') if p.age > 10 else p|attr('name') }};{% endfor %}");
        var fine = new Dictionary<string, object?> { ["people"] = new[] { new Person { Name = "a", Age = 1 }, new Person { Name = "b", Age = 2 } } };
        Assert.Equal("a;b;", t.Render(fine));
        var first = Assert.ThrowsAny<TemplateException>(() => t.Render(new Dictionary<string, object?> { ["people"] = new[] { new Person { Age = 11 } } }));
        var t2 = env.FromString("{% for p in people %}{{ p|attr('broken') if p.age > 10 else '' }};{% endfor %}");
        // the second item's read goes through the getter cached for the first
        var cached = Assert.ThrowsAny<TemplateException>(() => t2.Render(new Dictionary<string, object?> { ["people"] = new[] { new Person { Age = 11 }, new Person { Age = 12 } } }));
        Assert.Equal(first.Code, cached.Code);
        Assert.Contains("Reading 'Person.broken' failed: no", cached.Message);
        Assert.Contains("Reading 'Person.broken' failed: no", first.Message);
    }

    [Fact]
    public void The_sandbox_decides_every_read()
    {
        var env = new KidaEnvironment(new KidaOptions { Sandbox = SandboxPolicy.Default with { AllowedTypes = [typeof(Person)], BlockedMembers = ["Person.Nick"] } });
        var t = env.FromString("{% for p in people %}{{ p|attr('name') }}{% endfor %}");
        Assert.Equal("AnnBob", t.Render(new Dictionary<string, object?> { ["people"] = new[] { new Person { Name = "Ann" }, new Person { Name = "Bob" } } }));
        var blocked = env.FromString("{% for p in people %}{{ p|attr('nick') }}{% endfor %}");
        var ex = Assert.ThrowsAny<TemplateException>(() => blocked.Render(new Dictionary<string, object?> { ["people"] = new[] { new Person { Nick = "x" }, new Person { Nick = "y" } } }));
        Assert.Equal("K-SEC-001", ex.Code);
        // a type the policy does not allow, after an allowed one at the same site
        var ex2 = Assert.ThrowsAny<TemplateException>(() => t.Render(new Dictionary<string, object?> { ["people"] = new object[] { new Person { Name = "Ann" }, new Robot() } }));
        Assert.Equal("K-SEC-002", ex2.Code);
    }
}
