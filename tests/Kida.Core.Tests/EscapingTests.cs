using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Kida.Core.Tests;

/// <summary>Escaping at least as strict as Jinja2 + MarkupSafe: tojson, urlize and every attribute value Kida writes.</summary>
public class EscapingTests
{
    [Fact]
    public void Escaping_writes_every_special_character_at_every_length_and_buffer_position()
    {
        // strings of every length up to 300 with specials at random places, printed after text of varying length so that
        // the escaped text sometimes fits the buffer's free space (written in place) and sometimes does not (in pieces)
        static string Reference(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;").Replace("'", "&#39;");
        var rng = new Random(7);
        const string alphabet = "ab <>&\"'é😀";
        var env = new KidaEnvironment();
        var t = env.FromString("{{ pad }}{% for v in vs %}{{ v }}|{% endfor %}");
        for (var length = 0; length <= 300; length += 7)
        {
            var vs = Enumerable.Range(0, 40).Select(_ => new string(Enumerable.Range(0, length).Select(_ => alphabet[rng.Next(alphabet.Length)]).ToArray())).ToList();
            var pad = new string('p', rng.Next(0, 600));
            var expected = pad + string.Concat(vs.Select(v => Reference(v) + "|"));
            Assert.Equal(expected, t.Render(new Dictionary<string, object?> { ["pad"] = pad, ["vs"] = vs }));
        }
    }

    private static string Render(bool interpret, string source, object? model = null) => Modes.Render(interpret, source, model ?? new { });

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Tojson_escapes_html_characters_as_unicode_escapes(bool interpret)
    {
        var output = Render(interpret, "{{ x|tojson }}", new { x = "<b> & 'q' \"d\" </script>" });
        Assert.Equal("\"\\u003cb\\u003e \\u0026 \\u0027q\\u0027 \\\"d\\\" \\u003c/script\\u003e\"", output);
        Assert.Equal("<b> & 'q' \"d\" </script>", JsonSerializer.Deserialize<string>(output));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Tojson_in_a_single_quoted_attribute_cannot_end_it(bool interpret)
    {
        var data = new Dictionary<string, object?> { ["k"] = "x' onmouseover='alert(1)", ["z"] = "<a>" };
        var output = Render(interpret, "<div data-x='{{ d|tojson }}'></div>", new { d = data });
        var value = output["<div data-x='".Length..^"'></div>".Length];
        Assert.DoesNotContain("'", value);
        Assert.DoesNotContain("<", value);
        var parsed = JsonNode.Parse(value)!.AsObject();
        Assert.Equal(["k", "z"], parsed.Select(p => p.Key));
        Assert.Equal("x' onmouseover='alert(1)", (string?)parsed["k"]);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Tojson_in_a_script_block_cannot_end_or_confuse_it(bool interpret)
    {
        var output = Render(interpret, "<script>var d = {{ d|tojson }};</script>",
            new { d = new[] { "<!--<script>", "</script><script>alert(1)</script>", "]]>" } });
        var inner = output["<script>var d = ".Length..^";</script>".Length];
        Assert.DoesNotContain("<", inner);
        Assert.DoesNotContain(">", inner);
        Assert.Equal(["<!--<script>", "</script><script>alert(1)</script>", "]]>"], JsonSerializer.Deserialize<string[]>(inner)!);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Tojson_rewrites_json_elements_instead_of_copying_their_raw_text(bool interpret)
    {
        using var doc = JsonDocument.Parse("""{"b": "</script>", "a": ["<!--", 1.50, true, null, {"c": "'"}]}""");
        var output = Render(interpret, "{{ d|tojson }}", new { d = doc.RootElement });
        Assert.Equal("{\"b\": \"\\u003c/script\\u003e\", \"a\": [\"\\u003c!--\", 1.50, true, null, {\"c\": \"\\u0027\"}]}", output);
        var node = JsonNode.Parse("""{"h": "<x>"}""");
        Assert.Equal("{\"h\": \"\\u003cx\\u003e\"}", Render(interpret, "{{ d|tojson }}", new { d = node }));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Tojson_escapes_keys_and_autoescape_off_output_too(bool interpret)
    {
        var env = Modes.Env(interpret, autoescape: false);
        var output = env.FromString("{{ d|tojson }}").Render(new { d = new Dictionary<string, object?> { ["</script>"] = "&" } });
        Assert.Equal("{\"\\u003c/script\\u003e\": \"\\u0026\"}", output);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Urlize_escapes_rel_and_target(bool interpret)
    {
        var output = Render(interpret, "{{ 'see https://example.com now'|urlize(rel=r, target=t) }}",
            new { r = "x\" onclick=\"alert(1)", t = "_blank\"><script>" });
        Assert.DoesNotContain("\" onclick", output);
        Assert.DoesNotContain("<script>", output);
        Assert.Contains("rel=\"noopener onclick=&quot;alert(1) x&quot;\"", output);
        Assert.Contains("target=\"_blank&quot;&gt;&lt;script&gt;\"", output);
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Xmlattr_escapes_text_and_a_quote_in_markup(bool interpret)
    {
        Assert.Equal("<p title=\"a&#39;b&quot;c&lt;\"></p>",
            Render(interpret, "<p{{ {'title': t}|xmlattr }}></p>", new { t = "a'b\"c<" }));
        // Markup keeps its entities, but its quote cannot end the attribute
        Assert.Equal("<p title=\"&amp; &quot; onclick=&quot;x\"></p>",
            Render(interpret, "<p{{ {'title': t|safe}|xmlattr }}></p>", new { t = "&amp; \" onclick=\"x" }));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Urlize_href_from_markup_cannot_end_the_attribute(bool interpret)
    {
        var output = Render(interpret, "{{ t|safe|urlize }}", new { t = "https://example.com/a&amp;b" });
        Assert.Contains("href=\"https://example.com/a&amp;b\"", output);
    }
}
