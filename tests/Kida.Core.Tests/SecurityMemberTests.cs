using System.Reflection;
using Xunit;

namespace Kida.Core.Tests;

/// <summary>Templates see data, never the runtime: every path that reads a .NET member, in every compile mode.</summary>
public class SecurityMemberTests
{
    public sealed class Shop
    {
        public string Name { get; set; } = "shop";
        public int Count => 3;
        public Type Kind => typeof(Environment);
        public Type[] Kinds => [typeof(Environment)];
        public Assembly Asm => typeof(Shop).Assembly;
        public MethodInfo Method => typeof(Environment).GetMethod(nameof(Environment.Exit))!;
        public Task<int> Pending => Task.FromResult(1);
        public Task<Type> PendingType => Task.FromResult(typeof(Environment));
        public IServiceProvider Services { get; } = new Provider();
        public Func<string, string> Shout { get; } = s => s.ToUpperInvariant();
        public static string Global => "static";
        public string PublicField = "field";
        public string Greet(string who) => "hi " + who;
        public bool TryRead(out string value) { value = "x"; return true; }
        public T Echo<T>(T value) => value;
        public Type WhatType() => typeof(Shop);
        public object Make(Type t) => Activator.CreateInstance(t)!;
        public override string ToString() => "shop!";
    }

    public sealed class Provider : IServiceProvider
    {
        public string Secret => "s3cret";
        public object? GetService(Type serviceType) => "service";
    }

    private static readonly string[] Attacks =
    [
        // the attacks from issue 11, verbatim
        "{{ fn.method.return_type.assembly }}",
        "{{ fn.method.return_type.assembly.get_type('System.Environment').get_method('Exit') }}",
        "{{ fn.method.create_delegate(fn.method.declaring_type).dynamic_invoke(0) }}",
        "{{ fn.target }}",
        "{{ fn.dynamic_invoke('x') }}",
        "{{ fn.get_invocation_list() }}",
        "{{ err.target_site }}",
        "{{ err.target_site.module.assembly }}",
        "{{ err.get_type().assembly }}",
        "{{ err.stack_trace }}",
        "{{ t.assembly }}",
        "{{ t.get_method('Exit') }}",
        "{{ t.name }}",
        "{{ t.type_handle }}",
        "{{ task.result }}",
        "{{ task.get_awaiter() }}",
        "{{ task.status }}",
        "{{ sp.secret }}",
        "{{ sp.get_service(t) }}",
        "{{ http.secret }}",
        "{{ http.request_services }}",
        "{{ http2.extra }}",
        // members returning runtime types on an ordinary class
        "{{ shop.kind }}",
        "{{ shop.kinds }}",
        "{{ shop.asm }}",
        "{{ shop.method }}",
        "{{ shop.pending_type }}",
        "{{ [shop.pending_type]|first }}",
        "{{ shop.services }}",
        "{{ shop.what_type() }}",
        "{{ shop.make }}",
        // methods of System.Object, statics, by-ref and generic methods
        "{{ shop.get_type() }}",
        "{{ shop.GetType() }}",
        "{{ shop.get_hash_code() }}",
        "{{ shop.equals(shop) }}",
        "{{ shop.to_string() }}",
        "{{ shop.global }}",
        "{{ shop.try_read }}",
        "{{ shop.echo }}",
        "{{ shop.shout.method }}",
        // every other path that reads a member
        "{{ fn|attr('method') }}",
        "{{ shop|attr('kind') }}",
        "{{ shop['kind'] }}",
        "{{ fn['method'] }}",
        "{{ [shop]|map(attribute='kind')|list }}",
        "{{ [shop]|map(attribute='kind.assembly')|first }}",
        "{{ [err]|map(attribute='target_site')|first }}",
        "{{ '{0.method}'.format(fn) }}",
        "{{ '{0.kind.assembly}'.format(shop) }}",
        "{{ shop?.kind }}",
        "{{ fn?.method }}",
    ];

    private static Dictionary<string, object?> Model()
    {
        Exception err;
        try { throw new InvalidOperationException("boom"); }
        catch (Exception e) { err = e; }
        return new()
        {
            ["fn"] = (Func<int, int>)(x => x + 1),
            ["err"] = err,
            ["t"] = typeof(Environment),
            ["task"] = Task.FromResult(42),
            ["sp"] = new Provider(),
            ["http"] = new Microsoft.AspNetCore.Http.DefaultHttpContext(),
            ["http2"] = new Microsoft.AspNetCore.Http.DefaultHttpContext(),
            ["shop"] = new Shop(),
        };
    }

    public static IEnumerable<object[]> AttackCases() =>
        from attack in Attacks from interpret in new[] { false, true } select new object[] { attack, interpret };

    private static KidaEnvironment Env(bool interpret, bool strict) => new(new KidaOptions
    {
        PreferInterpretation = interpret,
        TieredCompilation = false,
        StrictUndefined = strict,
    });

    [Theory]
    [MemberData(nameof(AttackCases))]
    public void A_blocked_member_is_undefined_in_strict_mode(string attack, bool interpret)
    {
        var ex = Assert.ThrowsAny<TemplateException>(() => Env(interpret, strict: true).FromString(attack).Render(Model()));
        Assert.True(ex.Line > 0);
        // exactly what a missing member gives: UndefinedError, or str.format's AttributeError
        var missing = Assert.ThrowsAny<TemplateException>(() =>
            Env(interpret, strict: true).FromString(attack.Contains(".format(") ? "{{ '{0.zz_missing}'.format(1) }}" : "{{ shop.zz_missing }}").Render(Model()));
        Assert.Equal(missing.GetType(), ex.GetType());
        Assert.Equal(missing.Code, ex.Code);
    }

    [Theory]
    [MemberData(nameof(AttackCases))]
    public void A_blocked_member_renders_nothing_in_lenient_mode(string attack, bool interpret)
    {
        // lenient Undefined: empty, or a list/first of undefined values; never a runtime object
        string output;
        try
        {
            output = Env(interpret, strict: false).FromString(attack).Render(Model());
        }
        catch (TemplateException)
        {
            return; // a call on an undefined value may still fail, with a template error
        }
        Assert.DoesNotContain("System.", output);
        Assert.DoesNotContain("Assembly", output);
        Assert.DoesNotContain("secret", output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("connection", output);
        Assert.DoesNotContain("service", output);
        Assert.DoesNotContain("42", output);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Blocked_members_are_not_defined_and_data_members_still_work(bool interpret)
    {
        var env = Env(interpret, strict: true);
        const string src = "{{ shop.name }}|{{ shop.count }}|{{ shop.public_field }}|{{ shop.greet('a') }}|{{ shop.shout('x') }}|{{ fn(1) }}|"
            + "{{ shop.kind is defined }}|{{ fn.method is defined }}|{{ err.message }}|{{ err.target_site is defined }}|{{ shop }}|{{ task.result is defined }}";
        Assert.Equal("shop|3|field|hi a|X|2|False|False|boom|False|shop!|False", env.FromString(src).Render(Model()));
    }

    [Fact]
    public void Filters_that_read_attributes_do_not_see_blocked_members()
    {
        var env = Env(false, strict: false);
        var model = Model();
        model["shops"] = new List<object?> { new Shop { Name = "b" }, new Shop { Name = "a" } };
        Assert.Equal("", env.FromString("{{ shops|selectattr('kind')|map(attribute='name')|join(',') }}").Render(model));
        Assert.Equal("b,a", env.FromString("{{ shops|rejectattr('kind')|map(attribute='name')|join(',') }}").Render(model));
        Assert.Equal("a,b", env.FromString("{{ shops|sort(attribute='name')|map(attribute='name')|join(',') }}").Render(model));
        Assert.Equal("6", env.FromString("{{ shops|sum(attribute='count') }}").Render(model));
        Assert.Throws<UndefinedException>(() => Env(false, strict: true).FromString("{% for g in shops|groupby('kind') %}{{ g.grouper }}{% endfor %}").Render(model));
        Assert.Equal("", env.FromString("{{ shops|map(attribute='asm')|join }}").Render(model));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void An_exception_prints_its_message_never_its_stack_trace(bool interpret)
    {
        var output = Env(interpret, strict: true).FromString("{{ err }}|{{ [err]|join }}|{{ 'e: ' ~ err }}").Render(Model());
        Assert.Equal("boom|boom|e: boom", output);
    }

    [Fact]
    public void Tojson_of_an_object_writes_only_its_visible_properties()
    {
        var json = Env(false, strict: true).FromString("{{ shop|tojson }}").Render(Model());
        Assert.Contains("\"Name\": \"shop\"", json);
        Assert.Contains("\"Count\": 3", json);
        Assert.DoesNotContain("Kind", json);
        Assert.DoesNotContain("Asm", json);
        Assert.DoesNotContain("Method", json);
        // a task member is seen awaited (issue 17): its result, never the task's own members
        Assert.Contains("\"Pending\": 1", json);
        Assert.DoesNotContain("PendingType", json);
        Assert.DoesNotContain("Status", json);
        Assert.DoesNotContain("IsCompleted", json);
        Assert.DoesNotContain("Services", json);
        Assert.DoesNotContain("Global", json);
        var err = Env(false, strict: true).FromString("{{ err|tojson }}").Render(Model());
        Assert.DoesNotContain("TargetSite", err);
        Assert.DoesNotContain("StackTrace", err);
        Assert.Contains("boom", err);
    }

    [Fact]
    public void Blocked_members_stay_blocked_after_tier_up()
    {
        var env = new KidaEnvironment(new KidaOptions { TierUpAfterRenders = 1000, StrictUndefined = false });
        const string src = "{{ shop.name }}|{{ shop.kind }}|{{ shop.asm }}|{% if shop.kind %}leak{% endif %}|{{ fn.method }}|{{ err.target_site }}|{{ t.assembly }}|"
            + "{% for s in [shop, shop] %}{{ s.kind }}{{ s.name }}{{ s.count }}{% endfor %}";
        var template = env.FromString(src);
        var before = template.Render(Model());
        Assert.Equal("shop|||||||shop3shop3", before);
        var tiers = template.Compiled.Tiers!.ToList();
        template.Compiled.Promote();
        Assert.All(tiers, t => Assert.True(t.IsCompiled));
        Assert.All(tiers, t => Assert.Null(t.PromotionError));
        Assert.Equal(before, template.Render(Model()));
    }

    [Fact]
    public void Top_level_names_of_a_model_object_hide_blocked_members_after_tier_up()
    {
        var env = new KidaEnvironment(new KidaOptions { TierUpAfterRenders = 1000, StrictUndefined = false });
        var template = env.FromString("{{ name }}|{{ kind }}|{{ asm }}|{{ services }}|{{ count }}");
        var before = template.Render(new Shop());
        Assert.Equal("shop||||3", before);
        template.Compiled.Promote();
        Assert.Equal(before, template.Render(new Shop()));
        Assert.Throws<UndefinedException>(() => new KidaEnvironment().FromString("{{ kind }}").Render(new Shop()));
    }

    [Fact]
    public void A_delegate_in_the_model_stays_callable_but_exposes_no_members()
    {
        var env = Env(false, strict: true);
        Assert.Equal("2", env.FromString("{{ fn(1) }}").Render(Model()));
        Assert.Equal("True", env.FromString("{{ fn is callable }}").Render(Model()));
        Assert.Throws<UndefinedException>(() => env.FromString("{{ fn.invoke(1) }}").Render(Model()));
        Assert.Throws<UndefinedException>(() => env.FromString("{{ fn.method }}").Render(Model()));
    }

    [Fact]
    public void Kida_callables_expose_no_dotnet_members()
    {
        var env = Env(false, strict: true);
        Assert.Throws<UndefinedException>(() => env.FromString("{{ range.invoke }}").Render(new { }));
        Assert.Throws<UndefinedException>(() => env.FromString("{% set c = cycler(1) %}{{ c.next.invoke }}").Render(new { }));
    }

    [Fact]
    public void Member_caches_stop_growing_at_their_bound_and_stay_correct()
    {
        var cache = new Kida.Runtime.BoundedCache<string, int>(2);
        var calls = 0;
        int Get(string k) => cache.GetOrAdd(k, (key, _) => { calls++; return key.Length; }, 0);
        Assert.Equal(1, Get("a"));
        Assert.Equal(2, Get("bb"));
        Assert.Equal(3, Get("ccc"));
        Assert.Equal(3, Get("ccc"));
        Assert.Equal(1, Get("a"));
        Assert.Equal(4, calls); // "a" and "bb" cached; "ccc" past the bound is computed each time (twice)
    }

    [Fact]
    public void Names_computed_from_data_resolve_like_static_ones()
    {
        var env = Env(false, strict: false);
        var names = Enumerable.Range(0, 50).Select(i => i % 2 == 0 ? "Name" : "n_a_m_e" + new string('_', i)).ToList();
        var output = env.FromString("{% for n in names %}{{ shop|attr(n) }},{% endfor %}").Render(new { names, shop = new Shop() });
        Assert.Equal(string.Concat(Enumerable.Repeat("shop,shop,", 25)), output);
    }
}
