using System.Text.Json;
using Xunit;

namespace Kida.Core.Tests;

/// <summary>KidaOptions.Sandbox: allow-listed member access, trusted calls only, no mutation of the model, tight limits.</summary>
public class SandboxTests
{
    public class User
    {
        public string Name { get; set; } = "ann";
        public string PasswordHash { get; set; } = "hash!";
        public int Age { get; set; } = 30;
        public string Shout() => "HI";
        [KidaVisible] public string Greet(string who) => "hello " + who;
        public Type Kind => typeof(User);
    }

    public sealed class Admin : User
    {
        public string Level => "root";
    }

    public sealed class Secret
    {
        public string Value => "top-secret";
        public string Reveal() => "revealed";
    }

    [KidaVisible]
    public sealed class Helper
    {
        public string Title => "helper";
        public string Upper(string s) => s.ToUpperInvariant();
        public Type What() => typeof(Helper);
    }

    public sealed record Account(string Owner, string PasswordHash);

    public sealed class Money(decimal amount)
    {
        public decimal Amount => amount;
        [KidaVisible] public override string ToString() => $"${amount}";
    }

    /// <summary>A runtime object from another assembly (like the ASP.NET Core wrappers).</summary>
    internal sealed class Wrapper : Kida.Runtime.IKidaObject
    {
        public string Hidden => "hidden";

        public bool TryGetMember(string name, out object? value)
        {
            value = name == "shown" ? "shown" : null;
            return name == "shown";
        }

        public override string ToString() => "wrapper";
    }

    public sealed class PartlyVisible
    {
        [KidaVisible] public string Shown => "shown";
        public string Hidden => "hidden";
        [KidaVisible] public int Twice(int x) => x * 2;
        public int Thrice(int x) => x * 3;
    }

    private static KidaEnvironment Env(bool interpret, SandboxPolicy? policy = null, bool strict = true, Dictionary<string, object?>? globals = null) =>
        new(new KidaOptions
        {
            PreferInterpretation = interpret,
            TieredCompilation = false,
            StrictUndefined = strict,
            Sandbox = policy ?? SandboxPolicy.Default,
            Globals = globals,
        });

    private static readonly SandboxPolicy WithUser = new() { AllowedTypes = [typeof(User)], BlockedMembers = ["PasswordHash"] };

    private static Dictionary<string, object?> Model()
    {
        Exception err;
        try { throw new InvalidOperationException("boom"); }
        catch (Exception e) { err = e; }
        return new()
        {
            ["user"] = new User(),
            ["admin"] = new Admin(),
            ["secret"] = new Secret(),
            ["helper"] = new Helper(),
            ["partly"] = new PartlyVisible(),
            ["items"] = new List<object?> { 3, 1, 2 },
            ["names"] = new List<string> { "a", "b" },
            ["map"] = new Dictionary<string, object?> { ["k"] = "v" },
            ["json"] = JsonDocument.Parse("""{"a": [1, 2], "b": {"c": "d"}}""").RootElement,
            ["anon"] = new { Title = "anon", Count = 2 },
            ["when"] = new DateTime(2024, 5, 6),
            ["fn"] = (Func<int, int>)(x => x + 1),
            ["err"] = err,
            ["t"] = typeof(Environment),
            ["task"] = Task.FromResult(42),
            ["tasks"] = new List<object?> { Task.FromResult(42) },
            ["sp"] = new SecurityMemberTests.Provider(),
        };
    }

    private static TemplateRuntimeException Violation(KidaEnvironment env, string source, string code, object? model = null)
    {
        var ex = Assert.ThrowsAny<TemplateException>(() => env.FromString(source).Render(model ?? Model()));
        var runtime = Assert.IsType<TemplateRuntimeException>(ex);
        Assert.Equal(code, runtime.Code);
        Assert.True(runtime.Line > 0, "a sandbox violation carries the template position");
        return runtime;
    }

    public static IEnumerable<object[]> Cases(string[] sources) =>
        from s in sources from interpret in new[] { false, true } select new object[] { s, interpret };

    private static readonly string[] BlockedTypeAttacks =
    [
        "{{ secret.value }}",
        "{{ secret.reveal() }}",
        "{{ secret|attr('value') }}",
        "{{ [secret]|map(attribute='value')|first }}",
        "{{ '{0.value}'.format(secret) }}",
        "{{ secret|tojson }}",
        "{{ secret['value'] }}",
        "{{ secret?.value }}",
        // the attacks: delegate, exception, Type, Task and IServiceProvider in the model
        "{{ fn.method.return_type.assembly }}",
        "{{ fn.method.create_delegate(fn.method.declaring_type).dynamic_invoke(0) }}",
        "{{ err.target_site }}",
        "{{ err.message }}",
        "{{ t.assembly }}",
        // a task is awaited where it is read as a value (issue 17); one reached otherwise still exposes nothing
        "{% for x in tasks %}{{ x.result }}{% endfor %}",
        "{{ sp.get_service(t) }}",
        "{% try %}{{ secret.value }}{% fallback %}caught{% end %}",
        "{% try %}{{ fn.method }}{% fallback e %}{{ e.message }}{% end %}",
    ];

    public static IEnumerable<object[]> BlockedTypeCases() => Cases(BlockedTypeAttacks);

    [Theory]
    [MemberData(nameof(BlockedTypeCases))]
    public void Members_of_a_type_that_is_not_allowed_raise_K_SEC_002(string source, bool interpret)
    {
        var ex = Violation(Env(interpret, WithUser), source, "K-SEC-002");
        Assert.DoesNotContain("top-secret", ex.Message);
    }

    private static readonly string[] BlockedMemberAttacks =
    [
        "{{ user.password_hash }}",
        "{{ user.PasswordHash }}",
        "{{ user.passwordhash }}",
        "{{ admin.password_hash }}",
        "{{ user|attr('password_hash') }}",
        "{{ [user]|map(attribute='password_hash')|first }}",
        "{{ [user]|sort(attribute='password_hash')|first }}",
        "{{ '{0.password_hash}'.format(user) }}",
        "{{ user['password_hash'] }}",
        "{{ anon.password_hash }}",
        "{% try %}{{ user.password_hash }}{% fallback %}caught{% end %}",
    ];

    public static IEnumerable<object[]> BlockedMemberCases() => Cases(BlockedMemberAttacks);

    [Theory]
    [MemberData(nameof(BlockedMemberCases))]
    public void Blocked_members_raise_K_SEC_001_even_on_allowed_types(string source, bool interpret)
    {
        var ex = Violation(Env(interpret, WithUser), source, "K-SEC-001");
        Assert.DoesNotContain("hash!", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void A_type_qualified_blocked_member_is_blocked_on_that_type_and_its_subclasses(bool interpret)
    {
        var env = Env(interpret, new SandboxPolicy { AllowedTypes = [typeof(User), typeof(Secret)], BlockedMembers = ["User.Age", "Secret.Value"] });
        Violation(env, "{{ user.age }}", "K-SEC-001");
        Violation(env, "{{ admin.age }}", "K-SEC-001");
        Violation(env, "{{ secret.value }}", "K-SEC-001");
        Assert.Equal("revealed", env.FromString("{{ secret.reveal is defined and 'x' or 'revealed' }}").Render(Model()));
        Assert.Equal("ann", env.FromString("{{ user.name }}").Render(Model()));
        Assert.Equal("{\"Name\": \"ann\", \"PasswordHash\": \"hash!\"}", env.FromString("{{ user|tojson }}").Render(Model()));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Allowed_data_renders(bool interpret)
    {
        var env = Env(interpret, WithUser);
        const string src = "{{ user.name }}|{{ user.age }}|{{ admin.level }}|{{ admin.name }}|{{ items|sort|join(',') }}|"
            + "{{ names|length }}|{{ map.k }}|{{ map['k'] }}|{{ json.a[1] }}|{{ json.b.c }}|{{ anon.title }}{{ anon.count }}|{{ when.year }}|"
            + "{{ 'x'.upper() }}|{% for i in items %}{{ loop.index }}{% endfor %}|{{ user.greet('bo') }}|{{ user|tojson }}";
        Assert.Equal("ann|30|root|ann|1,2,3|2|v|v|2|d|anon2|2024|X|123|hello bo|{\"Name\": \"ann\", \"Age\": 30}",
            env.FromString(src).Render(Model()));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Hidden_members_of_allowed_types_behave_like_missing_ones(bool interpret)
    {
        var env = Env(interpret, WithUser);
        // methods of an allowed type need [KidaVisible]; members returning runtime types stay hidden
        Assert.Throws<UndefinedException>(() => env.FromString("{{ user.shout() }}").Render(Model()));
        Assert.Throws<UndefinedException>(() => env.FromString("{{ user.kind }}").Render(Model()));
        Assert.Throws<UndefinedException>(() => env.FromString("{{ user.get_type() }}").Render(Model()));
        Assert.Throws<UndefinedException>(() => env.FromString("{{ user.no_such_member }}").Render(Model()));
        // collections expose properties, never their .NET methods (Add, Clear…)
        Assert.Throws<UndefinedException>(() => env.FromString("{{ names.add('x') }}").Render(Model()));
        Assert.Throws<UndefinedException>(() => env.FromString("{{ items.remove_at(0) }}").Render(Model()));
        Assert.Equal("False|False", env.FromString("{{ user.shout is defined }}|{{ user.kind is defined }}").Render(Model()));
        Assert.Equal("", Env(interpret, WithUser, strict: false).FromString("{{ user.shout }}").Render(Model()));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void KidaVisible_opts_types_and_members_in(bool interpret)
    {
        var env = Env(interpret);
        Assert.Equal("helper|ABC|6", env.FromString("{{ helper.title }}|{{ helper.upper('abc') }}|{{ partly.twice(3) }}").Render(Model()));
        Assert.Equal("shown", env.FromString("{{ partly.shown }}").Render(Model()));
        Assert.Throws<UndefinedException>(() => env.FromString("{{ partly.hidden }}").Render(Model()));
        Assert.Throws<UndefinedException>(() => env.FromString("{{ partly.thrice(3) }}").Render(Model()));
        Assert.Throws<UndefinedException>(() => env.FromString("{{ helper.what() }}").Render(Model()));
        Assert.Equal("{\"Shown\": \"shown\"}", env.FromString("{{ partly|tojson }}").Render(Model()));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void The_render_data_object_exposes_its_properties_as_names(bool interpret)
    {
        var env = Env(interpret);
        Assert.Equal("ann|30", env.FromString("{{ name }}|{{ age }}").Render(new User()));
        Assert.Throws<UndefinedException>(() => env.FromString("{{ kind }}").Render(new User()));
        Violation(Env(interpret, WithUser), "{{ password_hash }}", "K-SEC-001", new User());
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Only_registered_functions_and_template_macros_are_callable(bool interpret)
    {
        var env = Env(interpret, globals: new() { ["twice"] = (Func<int, int>)(x => x * 2) });
        Assert.Equal("4|<b>m</b>|A", env.FromString("{% macro m(x) %}<b>{{ x }}</b>{% endmacro %}{{ twice(2) }}|{{ m('m') }}|{{ 'a'|upper }}").Render(Model()));
        Violation(env, "{{ fn(1) }}", "K-SEC-004");
        Violation(env, "{{ map2.f(1) }}", "K-SEC-004", new Dictionary<string, object?> { ["map2"] = new Dictionary<string, object?> { ["f"] = (Func<int, int>)(x => x) } });
        Violation(env, "{{ [1]|map('string')|list }}{{ fn(2) }}", "K-SEC-004");
        Violation(env, "{% try %}{{ fn(1) }}{% fallback %}caught{% end %}", "K-SEC-004");
        // outside the sandbox the model's delegate is callable
        Assert.Equal("2", Modes.Env(interpret).FromString("{{ fn(1) }}").Render(Model()));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void The_models_collections_cannot_be_mutated(bool interpret)
    {
        var env = Env(interpret);
        foreach (var src in new[]
        {
            "{% set _ = items.append(4) %}", "{% set _ = items.extend([4]) %}", "{% set _ = items.insert(0, 4) %}", "{% set _ = items.pop() %}",
            "{% set _ = items.remove(3) %}", "{% set _ = items.sort() %}", "{% set _ = items.reverse() %}", "{% set _ = items.clear() %}",
            "{% set _ = map.update({'x': 1}) %}", "{% set _ = map.pop('k') %}", "{% set _ = map.setdefault('x', 1) %}", "{% set _ = map.clear() %}",
            "{% set f = items.append %}{{ f(5) }}", "{% try %}{% set _ = items.append(4) %}{% fallback %}caught{% end %}",
        })
        {
            var model = Model();
            Violation(env, src, "K-SEC-004", model);
            Assert.Equal(new List<object?> { 3, 1, 2 }, (List<object?>)model["items"]!);
            Assert.Single((Dictionary<string, object?>)model["map"]!);
        }
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Collections_the_template_created_can_be_mutated(bool interpret)
    {
        var env = Env(interpret);
        const string src = "{% set xs = [3, 1] %}{% set _ = xs.append(2) %}{% set _ = xs.sort() %}{{ xs }}|"
            + "{% set d = {'a': 1} %}{% set _ = d.update({'b': 2}) %}{{ d|length }}|"
            + "{% set ys = items|list %}{% set _ = ys.append(9) %}{{ ys|length }}|"
            + "{% set zs = items.copy() %}{% set _ = zs.clear() %}{{ zs|length }}|"
            + "{% set cs = [x * 2 for x in items] %}{% set _ = cs.pop() %}{{ cs }}|"
            + "{% set e = dict(a=1) %}{% set _ = e.pop('a') %}{{ e|length }}|"
            + "{% set m2 = map.copy() %}{% set _ = m2.clear() %}{{ m2|length }}";
        var model = Model();
        Assert.Equal("[1, 2, 3]|2|4|0|[6, 2]|0|0", env.FromString(src).Render(model));
        Assert.Equal(3, ((List<object?>)model["items"]!).Count);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void AllowMutatingMethods_lets_templates_change_the_model(bool interpret)
    {
        var env = Env(interpret, new SandboxPolicy { AllowMutatingMethods = true });
        var model = Model();
        env.FromString("{% set _ = items.append(4) %}").Render(model);
        Assert.Equal(4, ((List<object?>)model["items"]!).Count);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Printing_an_object_respects_the_sandbox(bool interpret)
    {
        var env = Env(interpret, new SandboxPolicy { AllowedTypes = [typeof(Account), typeof(Money), typeof(User)], BlockedMembers = ["PasswordHash"] });
        var model = Model();
        model["account"] = new Account("ann", "hash!");
        model["money"] = new Money(5m);
        // a record's generated ToString would print the blocked member: an allowed type prints its name unless its ToString is [KidaVisible]
        var when = Modes.Env(interpret).FromString("{{ when }}").Render(model);
        Assert.Equal("Account|$5|ann|" + when, env.FromString("{{ account }}|{{ money }}|{{ account.owner }}|{{ when }}").Render(model));
        Violation(env, "{{ secret }}", "K-SEC-002", model);
        Violation(env, "{{ fn }}", "K-SEC-002", model);
        Violation(env, "{{ err }}", "K-SEC-002", model);
        Violation(env, "{{ 'x' ~ t }}", "K-SEC-002", model);
        Violation(env, "{{ [secret] }}", "K-SEC-002", model);
        // Kida's own objects print as they do outside the sandbox
        const string own = "{{ range }}|{% set j = joiner(',') %}{{ j }}|{% set c = cycler(1, 2) %}{{ c.next() }}{{ c.current }}|{% macro m() %}{% endmacro %}{{ m.name }}";
        Assert.Equal(Modes.Env(interpret).FromString(own).Render(model), env.FromString(own).Render(model));
        model["wrapper"] = new Wrapper();
        Assert.Equal("wrapper|shown", env.FromString("{{ wrapper }}|{{ wrapper.shown }}").Render(model));
        Assert.Throws<UndefinedException>(() => env.FromString("{{ wrapper.hidden }}").Render(model));
    }

    [Fact]
    public void A_sandbox_runs_under_its_own_limits()
    {
        var env = Env(false);
        Assert.Same(KidaLimits.Sandboxed, env.Limits);
        Violation(env, "{% for i in range(20000) %}{% endfor %}", "K-SEC-003");
        Assert.Equal("20000", Modes.Env(false).FromString("{{ range(20000)|length }}").Render(new { }));
        var custom = KidaLimits.Sandboxed with { MaxRangeLength = 5 };
        Assert.Same(custom, Env(false, new SandboxPolicy { Limits = custom }).Limits);
        Assert.Same(KidaLimits.Default, new KidaEnvironment().Limits);
    }

    [Fact]
    public void Sandbox_decisions_hold_after_tier_up()
    {
        var env = new KidaEnvironment(new KidaOptions { TierUpAfterRenders = 1000, Sandbox = WithUser });
        var template = env.FromString("{% for u in users %}{{ u.name }}{% if u.age %}+{% endif %}{% endfor %}");
        var allowed = new Dictionary<string, object?> { ["users"] = new List<object?> { new User(), new User() } };
        Assert.Equal("ann+ann+", template.Render(allowed));
        template.Compiled.Promote();
        Assert.All(template.Compiled.Tiers ?? [], t => Assert.Null(t.PromotionError));
        Assert.Equal("ann+ann+", template.Render(allowed));
        // the typed site saw User; another type at the same site still goes through the sandbox
        var mixed = new Dictionary<string, object?> { ["users"] = new List<object?> { new User(), new Secret() } };
        var ex = Assert.Throws<TemplateRuntimeException>(() => template.Render(mixed));
        Assert.Equal("K-SEC-002", ex.Code);

        var blocked = env.FromString("{% for u in users %}{{ u.password_hash }}{% endfor %}");
        Assert.Equal("K-SEC-001", Assert.Throws<TemplateRuntimeException>(() => blocked.Render(allowed)).Code);
        blocked.Compiled.Promote();
        Assert.Equal("K-SEC-001", Assert.Throws<TemplateRuntimeException>(() => blocked.Render(allowed)).Code);
    }

    [Fact]
    public void An_included_template_is_sandboxed_too_and_its_violation_passes_through_try()
    {
        var env = new KidaEnvironment(new KidaOptions
        {
            Sandbox = WithUser,
            Loader = new DictLoader(new Dictionary<string, string> { ["inc.html"] = "{{ secret.value }}" }),
        });
        var ex = Assert.Throws<TemplateRuntimeException>(() => env.FromString("{% try %}{% include 'inc.html' %}{% fallback %}caught{% end %}").Render(Model()));
        Assert.Equal("K-SEC-002", ex.Code);
    }
}
