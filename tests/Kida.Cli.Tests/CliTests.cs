using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace Kida.Cli.Tests;

/// <summary>The kida command in process: exit codes, the canonical output format, JSON, render, components, extract.</summary>
public sealed partial class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kida-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static (int Code, string Out, string Err) Run(params string[] args) => RunWithInput("", args);

    private static (int Code, string Out, string Err) RunWithInput(string stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = KidaCommand.Run(args, stdout, stderr, new StringReader(stdin));
        return (code, stdout.ToString(), stderr.ToString());
    }

    [GeneratedRegex(@"^(?<path>.+)\((?<line>\d+),(?<col>\d+)\): (?<sev>error|warning) (?<code>K-[A-Z]{3}-\d{3}): (?<msg>.+)$")]
    private static partial Regex Canonical();

    [Fact]
    public void Check_exits_0_on_clean_templates()
    {
        Write("views/a.html", "{% extends 'base.html' %}{% block b %}{{ super() }}{% endblock %}");
        Write("views/base.html", "{% block b %}base{% endblock %}");
        var (code, stdout, stderr) = Run("check", Path.Combine(_dir, "views"));
        Assert.Equal(0, code);
        Assert.Equal("", stdout);
        Assert.Contains("2 templates, 0 errors, 0 warnings", stderr);
    }

    [Fact]
    public void Check_prints_one_canonical_line_per_finding_and_exits_1_on_errors()
    {
        var broken = Write("views/Home/Broken.html", "<p>\n  {{ name + }}\n</p>\n");
        Write("views/Home/Ok.html", "{% def card(n: int) %}{{ n }}{% end %}{{ card('five') }}");
        var (code, stdout, _) = Run("check", Path.Combine(_dir, "views"));
        Assert.Equal(1, code);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var first = Canonical().Match(lines[0]);
        Assert.True(first.Success, lines[0]);
        Assert.Equal((broken, "2", "13", "error", "K-PAR-003"),
            (first.Groups["path"].Value, first.Groups["line"].Value, first.Groups["col"].Value, first.Groups["sev"].Value, first.Groups["code"].Value));
        var second = Canonical().Match(lines[1]);
        Assert.True(second.Success, lines[1]);
        // the literal 'five' starts at column 47
        Assert.Equal(("warning", "K-CMP-002", "1", "47"), (second.Groups["sev"].Value, second.Groups["code"].Value, second.Groups["line"].Value, second.Groups["col"].Value));
    }

    [Fact]
    public void Warnings_alone_exit_0_and_strict_makes_them_errors()
    {
        var dir = Path.GetDirectoryName(Write("w/a.html", "{% def card(n: int) %}{{ n }}{% end %}{{ card('five') }}"))!;
        Assert.Equal(0, Run("check", dir).Code);
        var (code, stdout, _) = Run("check", "--strict", dir);
        Assert.Equal(1, code);
        Assert.Contains(": error K-CMP-002: ", stdout);
    }

    [Fact]
    public void Check_json_lists_the_findings()
    {
        Write("j/x.html", "{% include 'missing.html' %}");
        var (code, stdout, _) = Run("check", "--json", Path.Combine(_dir, "j"));
        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(1, doc.RootElement.GetProperty("errors").GetInt32());
        var finding = Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray());
        Assert.Equal("K-TPL-001", finding.GetProperty("code").GetString());
        Assert.Equal("x.html", finding.GetProperty("template").GetString());
        Assert.Equal(1, finding.GetProperty("line").GetInt32());
        Assert.Equal(12, finding.GetProperty("column").GetInt32());
        Assert.Equal("error", finding.GetProperty("severity").GetString());
    }

    [Fact]
    public void Roots_name_templates_and_prefixes_separate_them()
    {
        Write("app/page.html", "{% from 'lib/parts.html' import part %}{{ part(x=1) }}");
        Write("shared/parts.html", "{% def part(y) %}{{ y }}{% end %}");
        var (code, stdout, _) = Run("check", "--root", Path.Combine(_dir, "app"), "--root", "lib=" + Path.Combine(_dir, "shared"), Path.Combine(_dir, "app"));
        Assert.Equal(1, code);
        Assert.Contains("error K-CMP-001: def 'part' (lib/parts.html:1:4) has no parameter 'x'", stdout);
    }

    [Fact]
    public void Host_filters_and_tests_are_not_unknown()
    {
        var dir = Path.GetDirectoryName(Write("f/a.html", "{{ x | money }}{{ y is odd_day }}"))!;
        Assert.Equal(1, Run("check", dir).Code);
        Assert.Equal(0, Run("check", "--filter", "money", "--test", "odd_day", dir).Code);
    }

    [Theory]
    [InlineData]
    [InlineData("check")]
    [InlineData("check", "--no-such-option", ".")]
    [InlineData("render")]
    [InlineData("frobnicate")]
    public void Usage_errors_exit_2(params string[] args)
    {
        var (code, _, stderr) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains("--help", stderr);
    }

    [Fact]
    public void A_path_that_does_not_exist_is_a_usage_error()
    {
        var (code, _, stderr) = Run("check", Path.Combine(_dir, "nothing-here"));
        Assert.Equal(2, code);
        Assert.Contains("neither a file nor a directory", stderr);
    }

    [Theory]
    [InlineData("check")]
    [InlineData("render")]
    [InlineData("components")]
    [InlineData("extract")]
    public void Every_command_has_help(string command)
    {
        var (code, stdout, _) = Run(command, "--help");
        Assert.Equal(0, code);
        Assert.Contains("Usage:", stdout);
        Assert.Contains(command, stdout);
    }

    [Fact]
    public void The_command_is_named_kida_and_prints_its_version()
    {
        var (code, stdout, _) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("kida [command] [options]", stdout);
        var version = Run("--version");
        Assert.Equal(0, version.Code);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Out);
    }

    [Fact]
    public void Render_uses_json_data_and_escapes_html_templates()
    {
        var template = Write("r/hello.html", "<p>{{ user.name }} has {{ items | length }} items{% if admin %}!{% endif %}</p>");
        var data = Write("r/data.json", """{"user": {"name": "<b>Ann & Bob</b>"}, "items": [1, 2, 3], "admin": true}""");
        var (code, stdout, _) = Run("render", template, "--data", data);
        Assert.Equal(0, code);
        Assert.Equal("<p>&lt;b&gt;Ann &amp; Bob&lt;/b&gt; has 3 items!</p>", stdout);
    }

    [Fact]
    public void Render_reads_data_from_standard_input_and_text_templates_are_not_escaped()
    {
        var template = Write("r/note.txt", "{{ a }} {{ b * 2 }}");
        var (code, stdout, _) = RunWithInput("""{"a": "<x>", "b": 21}""", "render", template, "--data", "-");
        Assert.Equal(0, code);
        Assert.Equal("<x> 42", stdout);
    }

    [Fact]
    public void Render_finds_includes_under_the_root_and_renders_one_block()
    {
        Write("site/parts/head.html", "[{{ title }}]");
        Write("site/pages/p.html", "{% include 'parts/head.html' %}{% block main %}main {{ title }}{% endblock %}");
        var (code, stdout, _) = RunWithInput("""{"title": "T"}""", "render", "pages/p.html", "--root", Path.Combine(_dir, "site"), "--data", "-");
        Assert.Equal(0, code);
        Assert.Equal("[T]main T", stdout);
        var block = RunWithInput("""{"title": "T"}""", "render", "pages/p.html", "--root", Path.Combine(_dir, "site"), "--data", "-", "--block", "main");
        Assert.Equal("main T", block.Out);
    }

    [Fact]
    public void Render_reports_template_errors_in_the_canonical_format()
    {
        var template = Write("e/bad.html", "ok\n{{ 1 // 0 }}");
        var (code, stdout, stderr) = Run("render", template);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        var m = Canonical().Match(stderr.Trim());
        Assert.True(m.Success, stderr);
        Assert.Equal((template, "2"), (m.Groups["path"].Value, m.Groups["line"].Value));
    }

    [Fact]
    public void Render_rejects_data_that_is_not_an_object()
    {
        var template = Write("d/t.html", "x");
        var (code, _, stderr) = RunWithInput("[1, 2]", "render", template, "--data", "-");
        Assert.Equal(1, code);
        Assert.Contains("JSON object", stderr);
    }

    [Fact]
    public void Components_lists_defs_with_parameters_slots_and_lines()
    {
        var path = Write("c/ui.html", "\n{% def card(title: str, count: int = 0, *rest, **attrs) %}{% slot header %}{% slot %}{% end %}\n{% macro m(a) %}{% endmacro %}");
        var (code, stdout, _) = Run("components", Path.Combine(_dir, "c"));
        Assert.Equal(0, code);
        Assert.Equal(
            $"{path}:2  def card(title: str, count: int = 0, *rest, **attrs)  slots: default, header\n{path}:3  macro m(a)\n",
            stdout.ReplaceLineEndings("\n"));
        var json = Run("components", "--json", Path.Combine(_dir, "c"));
        using var doc = JsonDocument.Parse(json.Out);
        var card = doc.RootElement[0];
        Assert.Equal("card", card.GetProperty("name").GetString());
        var count = card.GetProperty("parameters")[1];
        Assert.Equal(("count", "int", "0", false), (count.GetProperty("name").GetString(), count.GetProperty("annotation").GetString(),
            count.GetProperty("default").GetString(), count.GetProperty("required").GetBoolean()));
        Assert.True(card.GetProperty("parameters")[0].GetProperty("required").GetBoolean());
        Assert.True(card.GetProperty("has_default_slot").GetBoolean());
        Assert.Equal("header", card.GetProperty("slots")[0].GetString());
    }

    [Fact]
    public void Extract_writes_a_pot_file_with_references()
    {
        var a = Write("i/a.html", "{{ _('Hello') }}\n{% trans name=user %}Hi {{ name }}{% endtrans %}\n{{ _n('one item', '%(num)s items', n) }}");
        var b = Write("i/b.html", "x\n{{ gettext(\"Hello\") }}{{ _('Say \"hi\"') }}");
        var pot = Path.Combine(_dir, "messages.pot");
        var (code, _, _) = Run("extract", Path.Combine(_dir, "i"), "-o", pot);
        Assert.Equal(0, code);
        var text = File.ReadAllText(pot);
        Assert.Contains($"#: {a.Replace('\\', '/')}:1\n#: {b.Replace('\\', '/')}:2\nmsgid \"Hello\"\nmsgstr \"\"\n", text);
        Assert.Contains($"#: {a.Replace('\\', '/')}:2\n#, python-format\nmsgid \"Hi %(name)s\"\nmsgstr \"\"\n", text);
        Assert.Contains("msgid \"one item\"\nmsgid_plural \"%(num)s items\"\nmsgstr[0] \"\"\nmsgstr[1] \"\"\n", text);
        Assert.Contains("msgid \"Say \\\"hi\\\"\"", text);
        Assert.StartsWith("# ", text);
        Assert.Contains("msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"", text);
    }

    [Fact]
    public void The_sample_views_check_clean()
    {
        var views = Path.Combine(Repository.Root, "samples", "MvcSample", "Views");
        var (code, stdout, stderr) = Run("check", views);
        Assert.True(code == 0, stdout + stderr);
        Assert.Equal("", stdout);
    }
}
