using Kida.Binding;
using Kida.Lexing;
using Kida.Parsing;
using Kida.Syntax;
using Kida.Text;
using Xunit;

namespace Kida.Core.Tests;

/// <summary>
/// The binder's facts, per kind of node (issue 13, item 1): the block tables, what can keep a context, loop and caller
/// use, let/export names of defs, the names each body assigns and reads, top-level extends, statement roles, and
/// hostile inputs (deep nesting, huge templates, little stack).
/// </summary>
public class BinderTests
{
    /// <summary>The template parsed and bound (the semantic model the emitter reads); other tests use it too.</summary>
    internal static BoundTemplate Bind(string source)
    {
        var text = new SourceText(source, "t.html");
        return Binder.Bind(text, Parser.Parse(text, Lexer.Tokenize(text, false, false)));
    }

    private static T Find<T>(BoundTemplate bound) where T : Stmt => All<T>(bound).First();

    private static List<T> All<T>(BoundTemplate bound) where T : Stmt =>
        bound.Spans.Keys.OfType<T>().OrderBy(s => bound.Spans[s].Start).ToList();

    [Fact]
    public void Blocks_in_source_order_with_those_in_macros_and_slots_but_not_in_embeds()
    {
        var bound = Bind("""
            {% block a %}{% block b %}{% end %}{% end %}
            {% macro m() %}{% block c %}{% end %}{% endmacro %}
            {% call m() %}{% slot s %}{% block d %}{% end %}{% end %}{% end %}
            {% embed 'x' %}{% block e %}{% block f %}{% end %}{% end %}{% end %}
            """);
        Assert.Equal(["a", "b", "c", "d"], bound.Blocks.Select(b => b.Name));
        Assert.Equal(["e", "f"], bound.EmbedBlocks[Find<EmbedStmt>(bound)].Select(b => b.Name));
    }

    [Fact]
    public void A_block_in_a_call_slot_renders_where_the_slot_does()
    {
        // the block table used to miss blocks in slot bodies (a KeyNotFoundException while compiling)
        var t = new KidaEnvironment().FromString("{% def card() %}[{% slot s %}]{% end %}{% call card() %}{% slot s %}{% block d %}D{% end %}{% end %}{% end %}");
        Assert.Equal("[D]", t.Render());
        Assert.Equal("D", t.RenderBlock("d"));
    }

    [Theory]
    [InlineData("{{ x }}{% set y = x %}{% with a = 1 %}{{ a }}{% endwith %}", false)]
    [InlineData("{% for x in y %}{{ x }}{{ loop.index }}{% endfor %}", false)]
    [InlineData("{% block b %}{% if c %}{{ d }}{% endif %}{% end %}", false)]
    [InlineData("{% for x in y recursive %}{{ loop(x) }}{% endfor %}", true)]
    [InlineData("{% macro m() %}{% endmacro %}", true)]
    [InlineData("{% def m() %}{% end %}", true)]
    [InlineData("{% region r() %}{% end %}", true)]
    [InlineData("{% call m() %}{% end %}", true)]
    [InlineData("{% include 'a' %}", true)]
    [InlineData("{% if a %}{% import 'x' as y %}{% endif %}", true)]
    [InlineData("{% from 'x' import y %}", true)]
    [InlineData("{% extends 'a' %}", true)]
    [InlineData("{% embed 'a' %}{% end %}", true)]
    [InlineData("{{ self.b() }}", true)]
    [InlineData("{{ f(caller) }}", true)]
    [InlineData("{% block b %}{{ kwargs }}{% end %}", true)]
    [InlineData("{% set v = varargs %}", true)]
    [InlineData("{% slot %}", true)]
    public void What_can_keep_a_context(string source, bool keeps) => Assert.Equal(keeps, Bind(source).KeepsContext);

    [Theory]
    [InlineData("{% for x in y %}{{ loop.index }}{% endfor %}", true)]
    [InlineData("{% for x in y if loop %}{% endfor %}", true)]
    [InlineData("{% for x in y recursive %}{% endfor %}", true)]
    [InlineData("{% for x in y %}{% include 'a' %}{% endfor %}", false)]
    [InlineData("{% for x in y %}{{ x }}{% else %}{{ loop }}{% endfor %}", false)]
    [InlineData("{% for x in loop %}{% endfor %}", false)]
    public void Loop_use(string source, bool uses)
    {
        var bound = Bind(source);
        Assert.Equal(uses, bound.UsesLoop(Find<ForStmt>(bound)));
    }

    [Fact]
    public void Loop_use_is_per_loop_and_counts_nested_loops_for_the_outer_one()
    {
        var bound = Bind("{% for a in b %}{% for c in d %}{{ loop.index }}{% endfor %}{% endfor %}{% for e in f %}{{ e }}{% endfor %}");
        var loops = All<ForStmt>(bound);
        Assert.Equal([true, true, false], loops.Select(bound.UsesLoop));
    }

    [Fact]
    public void Defs_collect_their_let_and_export_names_but_not_those_of_nested_defs_or_call_bodies()
    {
        var bound = Bind("""
            {% def f() %}{% let a = 1 %}{% if x %}{% export b = 2 %}{% let a = 3 %}{% endif %}{% block k %}{% let c, d = p %}{% end %}
            {% def g() %}{% let e = 3 %}{% end %}{% call g() %}{% let h = 4 %}{% end %}{% set s = 1 %}{% end %}
            """);
        var defs = All<MacroStmt>(bound);
        Assert.Equal(["a", "b", "c", "d"], bound.Macro(defs[0]).Lets);
        Assert.Equal(["e"], bound.Macro(defs[1]).Lets);
    }

    [Theory]
    [InlineData("{% macro m() %}{{ caller() }}{% endmacro %}", true)]
    [InlineData("{% macro m() %}{% call other() %}{{ caller() }}{% end %}{% endmacro %}", true)]
    [InlineData("{% def m() %}{% slot header %}{% end %}", true)]
    [InlineData("{% def m() %}{% yield header %}{% end %}", true)]
    [InlineData("{% macro m() %}{% macro n() %}{{ caller() }}{% endmacro %}{% endmacro %}", false)]
    [InlineData("{% macro m(x=caller) %}{% endmacro %}", false)]
    [InlineData("{% macro m() %}{{ x }}{% endmacro %}", false)]
    public void Caller_use_counts_the_body_only(string source, bool uses)
    {
        var bound = Bind(source);
        Assert.Equal(uses, bound.Macro(All<MacroStmt>(bound)[0]).UsesCaller);
    }

    [Fact]
    public void A_caller_parameter_without_a_default_is_an_error_where_the_body_calls_caller()
    {
        var ex = Assert.Throws<TemplateSyntaxException>(() => Bind("{% if a %}{% endif %}\n  {% macro m(caller) %}{% slot %}{% endmacro %}"));
        Assert.Equal(("K-PAR-001", 2, 6), (ex.Code, ex.Line, ex.Column));
        Bind("{% macro m(caller=none) %}{{ caller() }}{% endmacro %}{% macro n(caller) %}x{% endmacro %}");
    }

    [Fact]
    public void Top_level_extends_are_those_in_the_body_and_in_ifs_there()
    {
        var bound = Bind("{% if a %}{% extends 'x' %}{% else %}{% if b %}{% extends 'y' %}{% endif %}{% endif %}{% block z %}{% if c %}{% extends 'w' %}{% endif %}{% end %}");
        Assert.Equal(["'x'", "'y'"], bound.TopLevelExtends.Select(e => $"'{((ConstExpr)e.Template).Value}'").Order());
        Assert.False(bound.HasExtends);
        var direct = Bind("{% extends 'x' %}{% for a in b %}{% extends 'y' %}{% endfor %}");
        Assert.True(direct.HasExtends);
        Assert.Single(direct.TopLevelExtends);
    }

    [Fact]
    public void Assigned_names_of_a_body_include_statements_that_open_no_scope()
    {
        var bound = Bind("""
            {% set a = 1 %}{% macro m() %}{% set inner = 1 %}{% endmacro %}{% import 'x' as b %}{% from 'y' import c as d, e %}
            {% filter upper %}{% set f, g = p %}{% endfilter %}{% if z %}{% set notme = 1 %}{% endif %}{% let notlet = 1 %}
            {% try %}{% set h = 1 %}{% fallback %}{% set i = 1 %}{% end %}{% match q %}{% case 1 %}{% set j = 1 %}{% end %}
            {% set k %}{% set notblock = 1 %}{% endset %}{% set ns.attr = 1 %}{% globals %}{% set l = 1 %}{% end %}
            {% for x in y %}{% set notloop = 1 %}{% endfor %}{% with w = 1 %}{% set notwith = 1 %}{% endwith %}
            """);
        var names = new List<string>();
        bound.CollectAssigned(bound.Tree.Body, names);
        Assert.Equal(["a", "m", "b", "d", "e", "f", "g", "h", "i", "j", "k", "l"], names);
    }

    [Fact]
    public void Used_names_and_exposed_locals_per_body()
    {
        var bound = Bind("{% if a %}{{ x.y }}{% macro m(p=z) %}{{ w }}{% endmacro %}{% endif %}{% if b %}{% include 'i' %}{% endif %}{% if c %}{% include 'i' without context %}{% block s scoped %}{% end %}{% endif %}");
        var ifs = All<IfStmt>(bound);
        var first = ifs[0].Branches[0].Body;
        Assert.True(bound.UsesName(first, "x"));
        Assert.True(bound.UsesName(first, "z"));
        Assert.True(bound.UsesName(first, "w"));
        Assert.False(bound.UsesName(first, "y"));
        Assert.False(bound.UsesName(first, "a")); // the condition is not in the body
        Assert.True(bound.UsesName([ifs[0]], "a"));
        Assert.False(bound.ExposesLocals(first));
        Assert.True(bound.ExposesLocals(ifs[1].Branches[0].Body));
        Assert.True(bound.ExposesLocals(ifs[2].Branches[0].Body));
        Assert.False(bound.ExposesLocals(ifs[2].Branches[0].Body.Take(1)));
    }

    [Fact]
    public void Statement_roles_decide_what_runs_in_setup_and_after_extends()
    {
        var bound = Bind("""
            {% set a = 1 %}{% set b %}x{% endset %}{% import 'i' as c %}{% from 'i' import d %}{% macro e() %}{% endmacro %}
            {% globals %}{% end %}{% extends 'p' %}{% do f() %}{% if g %}{% endif %}{{ h }}{% block k %}{% end %}{% include 'i' %}
            {% for x in y %}{% endfor %}{% template t: int %}{% let l = 1 %}
            """);
        var setup = bound.Tree.Body.Where(StatementRoles.RunsInSetup).Select(s => s.GetType().Name);
        Assert.Equal(["SetStmt", "SetBlockStmt", "ImportStmt", "FromImportStmt", "MacroStmt", "ScopeStmt", "ExtendsStmt", "SetStmt"], setup);
        var afterExtends = bound.Tree.Body.Where(StatementRoles.RunsAfterExtends).Select(s => s.GetType().Name);
        Assert.Equal(["SetStmt", "SetBlockStmt", "ImportStmt", "FromImportStmt", "MacroStmt", "ScopeStmt", "DoStmt", "SetStmt"], afterExtends);
        Assert.Contains(bound.Tree.Body, s => s is IfStmt && StatementRoles.RunsAfterConditionalExtends(s));
        Assert.DoesNotContain(bound.Tree.Body, s => s is OutputStmt or BlockStmt or IncludeStmt or ForStmt or TemplateDeclStmt && StatementRoles.RunsAfterConditionalExtends(s));
    }

    [Fact]
    public void Every_statement_and_expression_kind_has_a_visitor_method()
    {
        var nodeTypes = typeof(Stmt).Assembly.GetTypes()
            .Where(t => t.IsSealed && (t.IsSubclassOf(typeof(Stmt)) || t.IsSubclassOf(typeof(Expr))))
            .ToList();
        var methods = typeof(SyntaxVisitor<int>).GetMethods().Where(m => m.IsAbstract).Select(m => m.GetParameters()[0].ParameterType).ToHashSet();
        Assert.NotEmpty(nodeTypes);
        Assert.All(nodeTypes, t => Assert.Contains(t, methods));
        Assert.Equal(nodeTypes.Count, methods.Count);
    }

    /// <summary>A template with every kind of statement and expression.</summary>
    private const string Everything = """
        {% template page: Page %}{% extends base %}{% set a = b[1:c:2] %}{% set d %}{{ e }}{% endset %}
        {% block f scoped if g %}{{ h.i }}{{ j?.k }}{{ l[m] }}{{ n(o, p=q, *r, **s) | t(u) }}{{ v is w(x) }}{{ -y }}{{ z + aa }}{% end %}
        {% for ab in ac if ad recursive %}{{ ae < af }}{{ ag if ah else ai }}{{ aj ?? ak }}{{ [al] }}{{ (am,) }}{{ {an: ao} }}{% else %}{% endfor %}
        {% if ap %}{% elif aq %}{% else %}{{ [ar for as_ in at if au] }}{{ av..aw }}{% endif %}{% while ax %}{% break %}{% continue %}{% end %}{% flush %}
        {% include ay %}{% import az as ba %}{% from bb import bc %}{% macro bd(be=bf) %}{% endmacro %}
        {% call(bg=bh) bi(bj) %}{% slot bk %}{{ bl }}{% end %}{% end %}{% def bm() %}{% slot let:bn=bo %}{{ bp }}{% end %}{% end %}
        {% filter bq(br) %}{% endfilter %}{% with bs = bt %}{% endwith %}{% with bu as bv %}{% else %}{% end %}{% do bw %}
        {% autoescape bx %}{% endautoescape %}{% match by %}{% case (bz, ca) if cb %}{% case cc %}{% end %}
        {% try %}{% fallback err %}{% end %}{% spaceless %}{% end %}{% provide cd = ce %}{% end %}{% push "cf" %}{% end %}{% stack "cf" %}
        {% cache cg, ttl=ch %}{% end %}{% embed ci %}{% block cj %}{{ ck }}{% end %}{% end %}{% trans cl=cm %}x{% endtrans %}{% globals %}{{ cn }}{% end %}
        """;

    private sealed class NameCounter : SyntaxWalker
    {
        public Dictionary<string, int> Names { get; } = [];
        public HashSet<Type> Kinds { get; } = [];

        public override void Walk(Stmt s)
        {
            Kinds.Add(s.GetType());
            base.Walk(s);
        }

        public override void Walk(Expr? e)
        {
            if (e is not null) Kinds.Add(e.GetType());
            base.Walk(e);
        }

        public override bool VisitNameExpr(NameExpr node)
        {
            Names[node.Name] = Names.GetValueOrDefault(node.Name) + 1;
            return true;
        }
    }

    [Fact]
    public void The_walker_and_the_binder_see_every_node()
    {
        var bound = Bind(Everything);
        var counter = new NameCounter();
        counter.Walk(bound.Tree.Body);
        var allKinds = typeof(Stmt).Assembly.GetTypes()
            .Where(t => t.IsSealed && (t.IsSubclassOf(typeof(Stmt)) || t.IsSubclassOf(typeof(Expr)))).ToHashSet();
        Assert.Empty(allKinds.Except(counter.Kinds).Select(t => t.Name));
        Assert.Equal(counter.Names.OrderBy(kv => kv.Key), bound.NameUses.Select(kv => new KeyValuePair<string, int>(kv.Key, kv.Value.Count)).OrderBy(kv => kv.Key));
        // the easily forgotten places: defaults of parameters and caller parameters, slot bindings, patterns and guards,
        // cache ttl, trans variables, embed overrides, comprehension conditions, the extends target
        foreach (var name in new[] { "bf", "bh", "bo", "bz", "ca", "cb", "ch", "cm", "ck", "au", "base", "cn", "r", "s" })
            Assert.True(counter.Names.ContainsKey(name), name);
        Assert.False(counter.Names.ContainsKey("as_")); // a comprehension target is no read
    }

    [Fact]
    public void Children_are_the_direct_statements_and_expressions_in_source_order()
    {
        var bound = Bind("{% if a %}{{ b }}{% elif c %}{% else %}{% set d = e + f %}{% endif %}");
        var children = SyntaxWalker.Children(bound.Tree.Body[0]);
        Assert.Equal(["NameExpr", "OutputStmt", "NameExpr", "SetStmt"], children.Select(c => c.GetType().Name));
        Assert.Equal(["BinaryExpr"], SyntaxWalker.Children(children[3]).Select(c => c.GetType().Name));
        Assert.Equal(["e", "f"], SyntaxWalker.Children(SyntaxWalker.Children(children[3])[0]).Cast<NameExpr>().Select(n => n.Name));
    }

    // ------------------------------------------------------------------ hostile inputs

    [Fact]
    public void The_deepest_nesting_the_parser_accepts_binds()
    {
        var statements = string.Concat(Enumerable.Repeat("{% if a %}", 250)) + "{{ x }}" + string.Concat(Enumerable.Repeat("{% endif %}", 250));
        Assert.Single(All<OutputStmt>(Bind(statements)));
        var parens = "{{ " + new string('(', 120) + "x" + new string(')', 120) + " }}";
        Assert.Equal(["x"], Bind(parens).Summary.FreeNames);
        var chain = "{{ x" + string.Concat(Enumerable.Range(0, 240).Select(i => $" + y{i}")) + " }}";
        Assert.Equal(241, Bind(chain).Summary.FreeNames.Count);
    }

    [Fact]
    public void A_huge_template_binds()
    {
        var source = string.Concat(Enumerable.Range(0, 9_000).Select(i => $"{{% set v{i} = w{i} %}}{{{{ v{i} }}}}"));
        var bound = Bind(source);
        Assert.Equal(9_000, bound.Summary.FreeNames.Count);
        var names = new List<string>();
        bound.CollectAssigned(bound.Tree.Body, names);
        Assert.Equal(9_000, names.Count);
    }

    [Fact]
    public void A_huge_def_binds()
    {
        var body = string.Concat(Enumerable.Range(0, 8_000).Select(i => $"{{{{ r{i} }}}}{{% let l{i} = 1 %}}"));
        var bound = Bind("{% def big() %}" + body + "{% end %}");
        var facts = bound.Macro(All<MacroStmt>(bound)[0]);
        Assert.Equal(8_000, facts.FreeNames.Count);
        Assert.Equal(8_000, facts.Lets.Count);
    }

    [Fact]
    public void A_long_inheritance_chain_is_walked_without_recursion_and_cut()
    {
        var templates = Enumerable.Range(0, 100).ToDictionary(i => $"t{i}.html", i => $"{{% extends 't{i + 1}.html' %}}{{% block b{i} %}}{{% end %}}");
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(templates) });
        var names = env.GetTemplate("t0.html").BlockNames;
        Assert.Equal(65, names.Count); // the template and at most 64 parents
        Assert.Equal("b0", names[0]);
        Assert.Equal(65, env.Inspect("t0.html").Blocks.Count);
    }

    [Fact]
    public void Little_stack_gives_a_syntax_error_not_a_crash()
    {
        var source = string.Concat(Enumerable.Repeat("{% if a %}{% for b in c %}", 120)) + "{{ [x for x in (((y)))] }}"
            + string.Concat(Enumerable.Repeat("{% endfor %}{% endif %}", 120));
        var text = new SourceText(source, "t.html");
        var tree = Parser.Parse(text, Lexer.Tokenize(text, false, false));
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                // use up most of the stack first, so the binder runs out of it on the way down
                Recurse(0);
            }
            catch (Exception ex)
            {
                error = ex;
            }
        }, 256 * 1024);
        thread.Start();
        thread.Join();
        var syntax = Assert.IsType<TemplateSyntaxException>(error);
        Assert.Equal("K-PAR-003", syntax.Code);

        void Recurse(int depth)
        {
            if (System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack()) Recurse(depth + 1);
            else Binder.Bind(text, tree);
        }
    }
}
