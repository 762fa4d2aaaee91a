using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using BenchmarkDotNet.Attributes;

namespace Kida.Benchmarks;

// The filter/test/operator benchmark (issue 15): each case is a 1,000-item loop around one expression, rendered by Kida
// and by hand-written C# producing the identical text (checked before anything is measured; a difference throws).

public sealed class OpChild
{
    public string Name { get; set; } = "";
    public bool Active { get; set; }
    public string Kind { get; set; } = "";
}

/// <summary>A typical record: int, double, decimal, string and bool members, lists, a dictionary, a date.</summary>
public sealed class OpRec
{
    public int Id { get; set; }
    public double Score { get; set; }
    public decimal Price { get; set; }
    public string Name { get; set; } = "";
    public string Title { get; set; } = "";
    public string Text { get; set; } = "";
    public string Padded { get; set; } = "";
    public string Query { get; set; } = "";
    public string? Note { get; set; }
    public bool Active { get; set; }
    public int Delta { get; set; }
    public DateTime When { get; set; }
    public List<int> Nums { get; set; } = new();
    public List<string> Tags { get; set; } = new();
    public List<OpChild> Children { get; set; } = new();
    public OpChild Child { get; set; } = new();
    public Dictionary<string, object?> Meta { get; set; } = new();
}

public sealed class OpsModel
{
    public List<OpRec> Items { get; set; } = new();
    public List<Dictionary<string, object?>> Rows { get; set; } = new();

    // each record's member as a list of its own (OpCases.ValueForms loops over these: the variable is the value itself)
    public List<int> Ids { get; set; } = new();
    public List<double> Scores { get; set; } = new();
    public List<decimal> Prices { get; set; } = new();
    public List<string> Titles { get; set; } = new();
    public List<string> Names { get; set; } = new();
    public List<string> Texts { get; set; } = new();
    public List<List<int>> Numbers { get; set; } = new();
    public List<List<string>> Labels { get; set; } = new();
    public List<DateTime> Dates { get; set; } = new();
    public List<List<OpChild>> Families { get; set; } = new();
    public List<Dictionary<string, object?>> Metas { get; set; } = new();

    public const int Count = 1000;

    public static OpsModel Create()
    {
        var m = new OpsModel();
        string S(int i) => i.ToString(CultureInfo.InvariantCulture);
        string[] words = ["alpha", "beta", "gamma", "delta", "omega"];
        for (var i = 0; i < Count; i++)
        {
            var children = Enumerable.Range(0, 4).Select(j => new OpChild
            {
                Name = "c" + S(i % 13 + j),
                Active = (i + j) % 2 == 0 && j != 3,
                Kind = (i + j) % 3 == 0 ? "a" : "b",
            }).ToList();
            m.Items.Add(new OpRec
            {
                Id = i,
                Score = (i * 7919 % 100000) / 100.0 + 0.003,
                Price = (i * 100 + 11 + i % 8) / 100m,
                Name = "Item " + S(i),
                Title = "the " + words[i % 5] + " report-" + S(i) + " (draft)",
                Text = "A <b>bold</b> move & number " + S(i) + " for the " + words[i % 5] + " team",
                Padded = "  Item " + S(i) + "  ",
                Query = "q=item " + S(i) + "&page=2/3",
                Note = i % 4 == 0 ? null : "note " + S(i),
                Active = i % 3 != 0,
                Delta = i - 500,
                When = new DateTime(2026, 1, 1).AddDays(i),
                Nums = [i % 10, i * 3 % 7, i % 5, i * 7 % 11, 4],
                Tags = ["tag" + S(i % 4), "cat" + S(i % 3), "tag" + S(i % 4)],
                Children = children,
                Child = children[1],
                Meta = new Dictionary<string, object?> { ["b"] = i, ["a"] = "x" + S(i), ["c"] = i % 2 == 0 },
            });
            m.Rows.Add(new Dictionary<string, object?> { ["name"] = "Row " + S(i), ["qty"] = i % 17, ["price"] = (i * 100 + 11) / 100m });
        }
        m.Ids = [.. m.Items.Select(x => x.Id)];
        m.Scores = [.. m.Items.Select(x => x.Score)];
        m.Prices = [.. m.Items.Select(x => x.Price)];
        m.Titles = [.. m.Items.Select(x => x.Title)];
        m.Names = [.. m.Items.Select(x => x.Name)];
        m.Texts = [.. m.Items.Select(x => x.Text)];
        m.Numbers = [.. m.Items.Select(x => x.Nums)];
        m.Labels = [.. m.Items.Select(x => x.Tags)];
        m.Dates = [.. m.Items.Select(x => x.When)];
        m.Families = [.. m.Items.Select(x => x.Children)];
        m.Metas = [.. m.Items.Select(x => x.Meta)];
        return m;
    }
}

/// <summary>One case: the Kida loop body and the C# that writes the same text for one item.</summary>
public sealed class OpCase
{
    public delegate void Body(ref HandWrittenRenderer.Writer w, OpRec x, Dictionary<string, object?> d);

    public required string Name { get; init; }
    public required string Kida { get; init; }
    public required Body Hand { get; init; }
    /// <summary>Definitions before the loop (a macro).</summary>
    public string Prelude { get; init; } = "";
    /// <summary>Loop over the dictionaries (<c>d</c>) instead of the records (<c>x</c>).</summary>
    public bool OverRows { get; init; }
    /// <summary>Loop over this list of one member's values (<c>v</c>) instead of the records (OpCases.ValueForms).</summary>
    public string? Over { get; init; }

    public string Template => Prelude + (Over is not null ? "{% for v in " + Over + " %}" : OverRows ? "{% for d in rows %}" : "{% for x in items %}") + Kida + "\n{% endfor %}";

    public string RenderHand(OpsModel m)
    {
        var w = new HandWrittenRenderer.Writer(64 * 1024, -1);
        try
        {
            var items = m.Items;
            var rows = m.Rows;
            for (var i = 0; i < items.Count; i++)
            {
                Hand(ref w, items[i], rows[i]);
                w.Char('\n');
            }
            return w.ToString();
        }
        finally { w.Return(); }
    }
}

public static class OpCases
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static readonly OpsModel Model = OpsModel.Create();

    private static OpCase C(string name, string kida, OpCase.Body hand, bool rows = false, string prelude = "") =>
        new() { Name = name, Kida = kida, Hand = hand, OverRows = rows, Prelude = prelude };

    public static readonly OpCase[] All =
    [
        // ---- filters
        C("format '{:.2f}' decimal", "{{ '{:.2f}'|format(x.price) }}", (ref w, x, d) => w.Format(x.Price, "F2")),
        C("format '{:.2f}' double", "{{ '{:.2f}'|format(x.score) }}", (ref w, x, d) => w.Format(x.Score, "F2")),
        C("format '{} items'", "{{ '{} items'|format(x.id) }}", (ref w, x, d) => { w.Int(x.Id); w.Raw(" items"); }),
        C("truncate(20)", "{{ x.text|truncate(20) }}", (ref w, x, d) => Truncate(ref w, x.Text, 20)),
        C("int (double)", "{{ x.score|int }}", (ref w, x, d) => w.Long((long)Math.Truncate(x.Score))),
        C("float (int)", "{{ x.id|float }}", (ref w, x, d) => w.PyFloat(x.Id)),
        C("round(1)", "{{ x.score|round(1) }}", (ref w, x, d) => w.PyFloat(Math.Round(x.Score, 1))),
        C("round", "{{ x.score|round }}", (ref w, x, d) => w.PyFloat(Math.Round(x.Score))),
        C("sum", "{{ x.nums|sum }}", (ref w, x, d) => { var s = 0L; foreach (var n in x.Nums) s += n; w.Long(s); }),
        C("sort|join(',')", "{{ x.nums|sort|join(',') }}", (ref w, x, d) =>
        {
            Span<int> a = stackalloc int[x.Nums.Count];
            for (var i = 0; i < a.Length; i++) a[i] = x.Nums[i];
            a.Sort();
            for (var i = 0; i < a.Length; i++) { if (i > 0) w.Char(','); w.Int(a[i]); }
        }),
        C("selectattr|list|length", "{{ x.children|selectattr('active')|list|length }}", (ref w, x, d) =>
        {
            var n = 0;
            foreach (var c in x.Children) if (c.Active) n++;
            w.Int(n);
        }),
        C("rejectattr|list|length", "{{ x.children|rejectattr('active')|list|length }}", (ref w, x, d) =>
        {
            var n = 0;
            foreach (var c in x.Children) if (!c.Active) n++;
            w.Int(n);
        }),
        C("map(attribute)|join", "{{ x.children|map(attribute='name')|join(', ') }}", (ref w, x, d) =>
        {
            for (var i = 0; i < x.Children.Count; i++) { if (i > 0) w.Raw(", "); w.Escaped(x.Children[i].Name); }
        }),
        C("reject('odd')|join", "{{ x.nums|reject('odd')|join(',') }}", (ref w, x, d) =>
        {
            var first = true;
            foreach (var n in x.Nums) if (n % 2 == 0) { if (!first) w.Char(','); first = false; w.Int(n); }
        }),
        C("select('even')|list|length", "{{ x.nums|select('even')|list|length }}", (ref w, x, d) =>
        {
            var c = 0;
            foreach (var n in x.Nums) if (n % 2 == 0) c++;
            w.Int(c);
        }),
        C("wordcount", "{{ x.text|wordcount }}", (ref w, x, d) => w.Int(WordCount(x.Text))),
        C("title", "{{ x.title|title }}", (ref w, x, d) => Title(ref w, x.Title)),
        C("upper", "{{ x.name|upper }}", (ref w, x, d) =>
        {
            Span<char> b = stackalloc char[x.Name.Length];
            x.Name.AsSpan().ToUpperInvariant(b);
            w.Escaped(b);
        }),
        C("lower", "{{ x.name|lower }}", (ref w, x, d) =>
        {
            Span<char> b = stackalloc char[x.Name.Length];
            x.Name.AsSpan().ToLowerInvariant(b);
            w.Escaped(b);
        }),
        C("capitalize", "{{ x.title|capitalize }}", (ref w, x, d) =>
        {
            Span<char> b = stackalloc char[x.Title.Length];
            x.Title.AsSpan().ToLowerInvariant(b);
            b[0] = char.ToUpperInvariant(b[0]);
            w.Escaped(b);
        }),
        C("length (str)", "{{ x.name|length }}", (ref w, x, d) => w.Int(x.Name.Length)),
        C("length (list)", "{{ x.nums|length }}", (ref w, x, d) => w.Int(x.Nums.Count)),
        C("default('n/a')", "{{ x.note|default('n/a') }}", (ref w, x, d) => w.Escaped(x.Note ?? "")),
        C("striptags", "{{ x.text|striptags }}", (ref w, x, d) => StripTags(ref w, x.Text)),
        C("tojson (list)", "{{ x.nums|tojson }}", (ref w, x, d) =>
        {
            w.Char('[');
            for (var i = 0; i < x.Nums.Count; i++) { if (i > 0) w.Raw(", "); w.Int(x.Nums[i]); }
            w.Char(']');
        }),
        C("tojson (str)", "{{ x.name|tojson }}", (ref w, x, d) => { w.Char('"'); w.Raw(x.Name); w.Char('"'); }),
        C("replace", "{{ x.name|replace('Item', 'Thing') }}", (ref w, x, d) =>
        {
            var s = x.Name.AsSpan();
            int k;
            while ((k = s.IndexOf("Item", StringComparison.Ordinal)) >= 0) { w.Escaped(s[..k]); w.Raw("Thing"); s = s[(k + 4)..]; }
            w.Escaped(s);
        }),
        C("trim", "{{ x.padded|trim }}", (ref w, x, d) => w.Escaped(x.Padded.AsSpan().Trim())),
        C("join(', ')", "{{ x.tags|join(', ') }}", (ref w, x, d) =>
        {
            for (var i = 0; i < x.Tags.Count; i++) { if (i > 0) w.Raw(", "); w.Escaped(x.Tags[i]); }
        }),
        C("first", "{{ x.nums|first }}", (ref w, x, d) => w.Int(x.Nums[0])),
        C("last", "{{ x.nums|last }}", (ref w, x, d) => w.Int(x.Nums[^1])),
        C("unique|join", "{{ x.tags|unique|join(',') }}", (ref w, x, d) =>
        {
            var first = true;
            for (var i = 0; i < x.Tags.Count; i++)
            {
                var seen = false;
                for (var j = 0; j < i; j++) if (string.Equals(x.Tags[j], x.Tags[i], StringComparison.OrdinalIgnoreCase)) { seen = true; break; }
                if (seen) continue;
                if (!first) w.Char(',');
                first = false;
                w.Escaped(x.Tags[i]);
            }
        }),
        C("dictsort", "{% for k, v in x.meta|dictsort %}{{ k }}={{ v }};{% endfor %}", (ref w, x, d) =>
        {
            w.Raw("a="); w.Escaped((string)x.Meta["a"]!); w.Raw(";b="); w.Int((int)x.Meta["b"]!); w.Raw(";c="); w.Bool((bool)x.Meta["c"]!); w.Char(';');
        }),
        C("groupby", "{% for g in x.children|groupby('kind') %}{{ g.grouper }}:{{ g.list|length }};{% endfor %}", (ref w, x, d) =>
        {
            // a general groupby by hand (any kinds, not just the two this data has): distinct keys compared as the filter
            // compares them (case-insensitively), each with its first spelling and its count, printed in key order
            var kids = x.Children;
            Span<int> counts = stackalloc int[kids.Count];
            var groups = new (string Key, string Norm)[kids.Count];
            var n = 0;
            foreach (var c in kids)
            {
                var norm = c.Kind.ToLowerInvariant();
                var i = 0;
                while (i < n && groups[i].Norm != norm) i++;
                if (i == n) { groups[n] = (c.Kind, norm); counts[n++] = 0; }
                counts[i]++;
            }
            for (var i = 1; i < n; i++)
                for (var j = i; j > 0 && string.CompareOrdinal(groups[j - 1].Norm, groups[j].Norm) > 0; j--)
                {
                    (groups[j - 1], groups[j]) = (groups[j], groups[j - 1]);
                    (counts[j - 1], counts[j]) = (counts[j], counts[j - 1]);
                }
            for (var i = 0; i < n; i++) { w.Escaped(groups[i].Key); w.Char(':'); w.Int(counts[i]); w.Char(';'); }
        }),
        C("batch(2)", "{% for b in x.nums|batch(2) %}{{ b|join('+') }};{% endfor %}", (ref w, x, d) =>
        {
            for (var i = 0; i < x.Nums.Count; i += 2)
            {
                w.Int(x.Nums[i]);
                if (i + 1 < x.Nums.Count) { w.Char('+'); w.Int(x.Nums[i + 1]); }
                w.Char(';');
            }
        }),
        C("batch(2)|list|length", "{{ x.nums|batch(2)|list|length }}", (ref w, x, d) => w.Int((x.Nums.Count + 1) / 2)),
        C("batch(2) nested for", "{% for row in x.tags|batch(2) %}{% for t in row %}{{ t }} {% endfor %}|{% endfor %}", (ref w, x, d) =>
        {
            for (var i = 0; i < x.Tags.Count; i += 2)
            {
                for (var j = i; j < Math.Min(i + 2, x.Tags.Count); j++) { w.Escaped(x.Tags[j]); w.Char(' '); }
                w.Char('|');
            }
        }),
        C("abs", "{{ x.delta|abs }}", (ref w, x, d) => w.Int(Math.Abs(x.Delta))),
        C("escape", "{{ x.text|escape }}", (ref w, x, d) => w.Escaped(x.Text)),
        C("urlencode", "{{ x.query|urlencode }}", (ref w, x, d) => UrlEncode(ref w, x.Query)),
        C("date('%Y-%m-%d')", "{{ x.when|date('%Y-%m-%d') }}", (ref w, x, d) => w.Format(x.When, "yyyy-MM-dd")),
        C("date('%d %b %Y')", "{{ x.when|date('%d %b %Y') }}", (ref w, x, d) => w.Format(x.When, "dd MMM yyyy")),
        C("reverse|join", "{{ x.nums|reverse|join(',') }}", (ref w, x, d) =>
        {
            for (var i = x.Nums.Count - 1; i >= 0; i--) { w.Int(x.Nums[i]); if (i > 0) w.Char(','); }
        }),
        C("min", "{{ x.nums|min }}", (ref w, x, d) => { var m = x.Nums[0]; foreach (var n in x.Nums) if (n < m) m = n; w.Int(m); }),
        C("max", "{{ x.nums|max }}", (ref w, x, d) => { var m = x.Nums[0]; foreach (var n in x.Nums) if (n > m) m = n; w.Int(m); }),
        C("center(16)", "{{ x.name|center(16) }}", (ref w, x, d) =>
        {
            // Python's str.center: the odd space goes left when the width is odd
            var margin = Math.Max(0, 16 - x.Name.Length);
            var left = margin / 2 + (margin & 16 & 1);
            w.Raw(new string(' ', left)); w.Escaped(x.Name); w.Raw(new string(' ', margin - left));
        }),
        C("str.replace()", "{{ x.name.replace('Item', 'I') }}", (ref w, x, d) => w.Escaped(x.Name.Replace("Item", "I", StringComparison.Ordinal))),
        C("lower|replace (slug)", "{{ x.title|lower|replace(' ', '-') }}", (ref w, x, d) => w.Escaped(x.Title.ToLowerInvariant().Replace(' ', '-'))),
        C("dict.keys() loop", "{% for k in x.meta.keys() %}{{ k }};{% endfor %}", (ref w, x, d) =>
        {
            foreach (var k in x.Meta.Keys) { w.Escaped(k); w.Char(';'); }
        }),
        C("string", "{{ x.id|string }}", (ref w, x, d) => w.Int(x.Id)),
        C("list|length", "{{ x.tags|list|length }}", (ref w, x, d) => w.Int(x.Tags.Count)),
        C("10 < x < 500", "{{ 10 < x.id < 500 }}", (ref w, x, d) => w.Bool(10 < x.Id && x.Id < 500)),
        C("'tag1' not in list", "{{ 'tag1' not in x.tags }}", (ref w, x, d) => w.Bool(!x.Tags.Contains("tag1"))),
        C("filesizeformat", "{{ (x.id * 1000)|filesizeformat }}", (ref w, x, d) =>
        {
            if (x.Id == 0) w.Raw("0 Bytes");
            else { w.Format((double)x.Id, "F1"); w.Raw(" kB"); }
        }),
        C("'%s items' % n", "{{ '%s items' % x.id }}", (ref w, x, d) => { w.Int(x.Id); w.Raw(" items"); }),
        C("'%.2f' % decimal", "{{ '%.2f' % x.price }}", (ref w, x, d) => w.Format(x.Price, "F2")),
        C("attr('name')", "{{ x.child|attr('name') }}", (ref w, x, d) => w.Escaped(x.Child.Name)),
        C("safe", "{{ x.text|safe }}", (ref w, x, d) => w.Raw(x.Text)),
        C("list index", "{{ x.nums[1] }}", (ref w, x, d) => w.Int(x.Nums[1])),
        C("str index", "{{ x.name[0] }}", (ref w, x, d) => w.Escaped(x.Name.AsSpan(0, 1))),
        C("list slice|join", "{{ x.nums[1:3]|join(',') }}", (ref w, x, d) => { w.Int(x.Nums[1]); w.Char(','); w.Int(x.Nums[2]); }),
        C("str.endswith()", "{{ x.name.endswith('7') }}", (ref w, x, d) => w.Bool(x.Name.EndsWith('7'))),
        C("str.split()[0]", "{{ x.title.split(' ')[1] }}", (ref w, x, d) => w.Escaped(x.Title.Split(' ')[1])),
        C("', '.join()", "{{ ', '.join(x.tags) }}", (ref w, x, d) =>
        {
            for (var i = 0; i < x.Tags.Count; i++) { if (i > 0) w.Raw(", "); w.Escaped(x.Tags[i]); }
        }),
        C("'{} {}'.format()", "{{ '{} #{}'.format(x.name, x.id) }}", (ref w, x, d) => { w.Escaped(x.Name); w.Raw(" #"); w.Int(x.Id); }),
        C("is gt 500", "{{ x.id is gt 500 }}", (ref w, x, d) => w.Bool(x.Id > 500)),
        C("is sequence", "{{ x.tags is sequence }}", (ref w, x, d) => w.Bool(true)),
        C("is mapping", "{{ x.meta is mapping }}", (ref w, x, d) => w.Bool(true)),
        C("is integer", "{{ x.id is integer }}", (ref w, x, d) => w.Bool(true)),
        C("is true", "{{ x.active is true }}", (ref w, x, d) => w.Bool(x.Active)),
        C("count", "{{ x.tags|count }}", (ref w, x, d) => w.Int(x.Tags.Count)),
        C("dict length", "{{ x.meta|length }}", (ref w, x, d) => w.Int(x.Meta.Count)),
        C("date member .year", "{{ x.when.year }}", (ref w, x, d) => w.Int(x.When.Year)),
        C("length > 5", "{{ x.name|length > 7 }}", (ref w, x, d) => w.Bool(x.Name.Length > 7)),
        C("indent(2)", "{{ x.name|indent(2) }}", (ref w, x, d) => w.Escaped(x.Name)),
        C("xmlattr", "<a{{ {'id': x.name, 'class': 'c'}|xmlattr }}>", (ref w, x, d) => { w.Raw("<a id=\""); w.Escaped(x.Name); w.Raw("\" class=\"c\">"); }),
        C("items() filter loop", "{% for k, v in x.meta|items %}{{ k }}{% endfor %}", (ref w, x, d) => { foreach (var k in x.Meta.Keys) w.Escaped(k); }),
        C("round(2) decimal", "{{ x.price|round(2) }}", (ref w, x, d) => w.PyFloat(Math.Round((double)x.Price, 2))),
        C("{% if %} elif", "{% if x.id % 3 == 0 %}a{% elif x.id % 3 == 1 %}b{% else %}c{% endif %}", (ref w, x, d) => w.Char(x.Id % 3 == 0 ? 'a' : x.Id % 3 == 1 ? 'b' : 'c')),
        C("nested for", "{% for n in x.nums %}{{ n }}{% endfor %}", (ref w, x, d) => { foreach (var n in x.Nums) w.Int(n); }),
        C("loop.index", "{% for n in x.nums %}{{ loop.index }}{% endfor %}", (ref w, x, d) => { for (var i = 1; i <= x.Nums.Count; i++) w.Int(i); }),
        C("wordwrap(20)", "{{ x.text|wordwrap(20) }}", (ref w, x, d) =>
        {
            // Python's textwrap for single-spaced words shorter than the width: greedy lines joined by newlines
            var line = 0;
            var first = true;
            foreach (var word in x.Text.Split(' '))
            {
                if (!first && line + 1 + word.Length <= 20) { w.Char(' '); line += 1 + word.Length; }
                else { if (!first) w.Char('\n'); line = word.Length; }
                w.Escaped(word);
                first = false;
            }
        }),
        C("forceescape", "{{ x.text|forceescape }}", (ref w, x, d) => w.Escaped(x.Text)),
        C("slice(2) columns", "{% for col in x.nums|slice(2) %}{{ col|join(',') }};{% endfor %}", (ref w, x, d) =>
        {
            // Jinja's slice: the first len % 2 columns get one item more
            var n = x.Nums.Count;
            var first = n / 2 + n % 2;
            for (var i = 0; i < n; i++)
            {
                if (i > 0 && i != first) w.Char(',');
                if (i == first) w.Char(';');
                w.Int(x.Nums[i]);
            }
            w.Char(';');
        }),
        C("map('upper')|join", "{{ x.tags|map('upper')|join(',') }}", (ref w, x, d) =>
        {
            for (var i = 0; i < x.Tags.Count; i++) { if (i > 0) w.Char(','); w.Escaped(x.Tags[i].ToUpperInvariant()); }
        }),
        C("unique|length", "{{ x.tags|unique|list|length }}", (ref w, x, d) => w.Int(x.Tags.Distinct(StringComparer.OrdinalIgnoreCase).Count())),
        C("sum(attribute)", "{{ x.children|sum(attribute='name')|length if false else x.children|length }}", (ref w, x, d) => w.Int(x.Children.Count)),
        C("inner loop objects", "{% for c in x.children %}{{ c.name }};{% endfor %}", (ref w, x, d) => { foreach (var c in x.Children) { w.Escaped(c.Name); w.Char(';'); } }),
        C("loop.last separator", "{% for c in x.children %}{{ c.name }}{% if not loop.last %}, {% endif %}{% endfor %}", (ref w, x, d) =>
        {
            for (var i = 0; i < x.Children.Count; i++) { w.Escaped(x.Children[i].Name); if (i < x.Children.Count - 1) w.Raw(", "); }
        }),

        // ---- tests
        C("is divisibleby 3", "{% if x.id is divisibleby 3 %}a{% else %}b{% endif %}", (ref w, x, d) => w.Char(x.Id % 3 == 0 ? 'a' : 'b')),
        C("is defined", "{{ 'y' if x.note is defined else 'n' }}", (ref w, x, d) => w.Char('y')),
        C("is none", "{{ 'y' if x.note is none else 'n' }}", (ref w, x, d) => w.Char('n')),
        C("is in", "{{ 'y' if x.id is in x.nums else 'n' }}", (ref w, x, d) => w.Char(x.Nums.Contains(x.Id) ? 'y' : 'n')),
        C("is even", "{{ 'e' if x.id is even else 'o' }}", (ref w, x, d) => w.Char(x.Id % 2 == 0 ? 'e' : 'o')),
        C("is odd", "{% if x.id is odd %}o{% endif %}", (ref w, x, d) => { if (x.Id % 2 != 0) w.Char('o'); }),
        C("is string", "{{ 'y' if x.name is string else 'n' }}", (ref w, x, d) => w.Char('y')),
        C("is number", "{{ 'y' if x.score is number else 'n' }}", (ref w, x, d) => w.Char('y')),

        // ---- operators
        C("int + 1", "{{ x.id + 1 }}", (ref w, x, d) => w.Long(x.Id + 1L)),
        C("int - 3", "{{ x.id - 3 }}", (ref w, x, d) => w.Long(x.Id - 3L)),
        C("int * 2", "{{ x.id * 2 }}", (ref w, x, d) => w.Long(x.Id * 2L)),
        C("int / 4", "{{ x.id / 4 }}", (ref w, x, d) => w.PyFloat(x.Id / 4.0)),
        C("int // 3", "{{ x.id // 3 }}", (ref w, x, d) => w.Long(x.Id / 3)),
        C("int % 7", "{{ x.id % 7 }}", (ref w, x, d) => w.Long(x.Id % 7)),
        C("int ** 2", "{{ x.id ** 2 }}", (ref w, x, d) => w.Long((long)x.Id * x.Id)),
        C("double * 2", "{{ x.score * 2 }}", (ref w, x, d) => w.PyFloat(x.Score * 2)),
        C("double + 0.5", "{{ x.score + 0.5 }}", (ref w, x, d) => w.PyFloat(x.Score + 0.5)),
        C("decimal * 2", "{{ x.price * 2 }}", (ref w, x, d) => w.Decimal(x.Price * 2)),
        C("unary minus", "{{ -x.delta }}", (ref w, x, d) => w.Long(-(long)x.Delta)),
        C("int > 500", "{{ x.id > 500 }}", (ref w, x, d) => w.Bool(x.Id > 500)),
        C("str == 'Item 7'", "{{ x.name == 'Item 7' }}", (ref w, x, d) => w.Bool(x.Name == "Item 7")),
        C("double <= 500.0", "{% if x.score <= 500.0 %}lo{% else %}hi{% endif %}", (ref w, x, d) => w.Raw(x.Score <= 500.0 ? "lo" : "hi")),
        C("'tag1' in list", "{{ 'tag1' in x.tags }}", (ref w, x, d) => w.Bool(x.Tags.Contains("tag1"))),
        C("'7' in str", "{{ '7' in x.name }}", (ref w, x, d) => w.Bool(x.Name.Contains('7'))),
        C("~ '!'", "{{ x.name ~ '!' }}", (ref w, x, d) => { w.Escaped(x.Name); w.Char('!'); }),
        C("~ int", "{{ x.name ~ '#' ~ x.id }}", (ref w, x, d) => { w.Escaped(x.Name); w.Char('#'); w.Int(x.Id); }),
        C("ternary", "{{ 'big' if x.id > 500 else 'small' }}", (ref w, x, d) => w.Raw(x.Id > 500 ? "big" : "small")),
        C("?? 'none'", "{{ x.note ?? 'none' }}", (ref w, x, d) => w.Escaped(x.Note ?? "")),
        C("and", "{{ x.active and x.id > 10 }}", (ref w, x, d) => w.Bool(x.Active && x.Id > 10)),
        C("or", "{{ x.active or x.id > 900 }}", (ref w, x, d) => w.Bool(x.Active || x.Id > 900)),
        C("not", "{{ not x.active }}", (ref w, x, d) => w.Bool(!x.Active)),
        C("set y = x * 2", "{% set y = x.id * 2 %}{{ y }}", (ref w, x, d) => w.Long(x.Id * 2L)),
        C("let z = x + 1", "{% let z = x.id + 1 %}{{ z }}", (ref w, x, d) => w.Long(x.Id + 1L)),

        // ---- methods, access, macro
        C("str.split()|length", "{{ x.name.split(' ')|length }}", (ref w, x, d) => w.Int(x.Name.AsSpan().Count(' ') + 1)),
        C("str.upper()", "{{ x.name.upper() }}", (ref w, x, d) =>
        {
            Span<char> b = stackalloc char[x.Name.Length];
            x.Name.AsSpan().ToUpperInvariant(b);
            w.Escaped(b);
        }),
        C("str.startswith()", "{{ x.name.startswith('Item 1') }}", (ref w, x, d) => w.Bool(x.Name.StartsWith("Item 1", StringComparison.Ordinal))),
        C("dict.get()", "{{ x.meta.get('a') }}", (ref w, x, d) => w.Escaped((string)x.Meta["a"]!)),
        C("dict.items() loop", "{% for k, v in x.meta.items() %}{{ k }}={{ v }};{% endfor %}", (ref w, x, d) =>
        {
            foreach (var (k, v) in x.Meta)
            {
                w.Escaped(k); w.Char('=');
                switch (v) { case int i: w.Int(i); break; case bool b: w.Bool(b); break; default: w.Escaped((string)v!); break; }
                w.Char(';');
            }
        }),
        C("list.count() method", "{{ x.tags.count('cat1') }}", (ref w, x, d) =>
        {
            var n = 0;
            foreach (var t in x.Tags) if (t == "cat1") n++;
            w.Int(n);
        }),
        C("dict['key'] (POCO member)", "{{ x.meta['a'] }}", (ref w, x, d) => w.Escaped((string)x.Meta["a"]!)),
        C("d['name'] (dict item)", "{{ d['name'] }}", (ref w, x, d) => w.Escaped((string)d["name"]!), rows: true),
        C("d.qty * d.price (dict)", "{{ d.qty * d.price }}", (ref w, x, d) => w.Decimal((int)d["qty"]! * (decimal)d["price"]!), rows: true),
        C("name ~ (id)", "{{ x.name ~ ' (' ~ x.id ~ ')' }}", (ref w, x, d) => { w.Escaped(x.Name); w.Raw(" ("); w.Int(x.Id); w.Char(')'); }),
        C("note or none", "{{ x.note or 'none' }}", (ref w, x, d) => w.Escaped(x.Note ?? "none")),
        C("meta.a", "{{ x.meta.a }}", (ref w, x, d) => w.Escaped((string)x.Meta["a"]!)),
        C("meta['b'] + 1", "{{ x.meta['b'] + 1 }}", (ref w, x, d) => w.Int((int)x.Meta["b"]! + 1)),
        C("id in [1,2,3]", "{{ x.id in [1, 2, 3] }}", (ref w, x, d) => w.Bool(x.Id is 1 or 2 or 3)),
        C("'{:05d}'|format", "{{ '{:05d}'|format(x.id) }}", (ref w, x, d) => w.Raw(x.Id.ToString("D5", CultureInfo.InvariantCulture))),
        C("selectattr|map|join", "{{ x.children|selectattr('active')|map(attribute='name')|join(', ') }}", (ref w, x, d) =>
        {
            var first = true;
            foreach (var c in x.Children) { if (!c.Active) continue; if (!first) w.Raw(", "); first = false; w.Escaped(c.Name); }
        }),
        C("nums|sort|first", "{{ x.nums|sort|first }}", (ref w, x, d) => { var m = x.Nums[0]; foreach (var n in x.Nums) if (n < m) m = n; w.Int(m); }),
        C("(score*100)|round|int", "{{ (x.score * 100)|round|int }}", (ref w, x, d) => w.Long((long)Math.Round(x.Score * 100, MidpointRounding.ToEven))),
        C("tags|first|upper", "{{ x.tags|first|upper }}", (ref w, x, d) => w.Escaped(x.Tags[0].ToUpperInvariant())),
        C("active|string", "{{ x.active|string }}", (ref w, x, d) => w.Bool(x.Active)),
        C("tags|length > 2", "{{ x.tags|length > 2 }}", (ref w, x, d) => w.Bool(x.Tags.Count > 2)),
        C("score > 50 and active", "{{ x.score > 50 and x.active }}", (ref w, x, d) => w.Bool(x.Score > 50 && x.Active)),
        C("map('string')|join", "{{ x.nums|map('string')|join(',') }}", (ref w, x, d) =>
        {
            for (var i = 0; i < x.Nums.Count; i++) { if (i > 0) w.Char(','); w.Int(x.Nums[i]); }
        }),
        C("sum / length", "{{ x.nums|sum / x.nums|length }}", (ref w, x, d) => { var t = 0; foreach (var n in x.Nums) t += n; w.PyFloat((double)t / x.Nums.Count); }),
        C("note|default(name)", "{{ x.note|default(x.name) }}", (ref w, x, d) => w.Escaped(x.Note ?? "")),
        C("children[0].name", "{{ x.children[0].name }}", (ref w, x, d) => w.Escaped(x.Children[0].Name)),
        C("replace|trim", "{{ x.name|replace('Item', '')|trim }}", (ref w, x, d) => w.Escaped(x.Name.Replace("Item", "").Trim())),
        C("id|float|round(2)", "{{ x.id|float|round(2) }}", (ref w, x, d) => w.PyFloat(Math.Round((double)x.Id, 2))),
        C("round(1,'floor')", "{{ x.score|round(1, 'floor') }}", (ref w, x, d) => w.PyFloat(Math.Floor(x.Score * 10) / 10)),
        C("attribute", "{{ x.name }}", (ref w, x, d) => w.Escaped(x.Name)),
        C("nested attribute", "{{ x.child.name }}", (ref w, x, d) => w.Escaped(x.Child.Name)),
        C("macro call", "{{ tag(x.name) }}", (ref w, x, d) => { w.Raw("<i>"); w.Escaped(x.Name); w.Raw("</i>"); },
            prelude: "{% macro tag(a) %}<i>{{ a }}</i>{% endmacro %}"),
    ];

    // ---- hand-written equivalents of the text filters (what a developer writes for these exact inputs)

    private static void Truncate(ref HandWrittenRenderer.Writer w, string s, int length)
    {
        if (s.Length <= length + 5) { w.Escaped(s); return; }
        var head = s.AsSpan(0, length - 3);
        var sp = head.LastIndexOf(' ');
        w.Escaped(sp >= 0 ? head[..sp] : head);
        w.Raw("...");
    }

    private static int WordCount(string s)
    {
        var n = 0;
        var inWord = false;
        foreach (var c in s)
        {
            var wc = char.IsLetterOrDigit(c) || c == '_';
            if (wc && !inWord) n++;
            inWord = wc;
        }
        return n;
    }

    private static void Title(ref HandWrittenRenderer.Writer w, string s)
    {
        Span<char> b = stackalloc char[s.Length];
        var start = true;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            b[i] = start ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c);
            start = c is '-' or '(' or '{' or '[' or '<' || char.IsWhiteSpace(c);
        }
        w.Escaped(b);
    }

    private static void StripTags(ref HandWrittenRenderer.Writer w, string s)
    {
        Span<char> b = stackalloc char[s.Length];
        var n = 0;
        var pendingSpace = false;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '<')
            {
                var close = s.IndexOf('>', i);
                if (close > 0) { i = close; continue; }
            }
            if (char.IsWhiteSpace(c)) { pendingSpace = n > 0; continue; }
            if (pendingSpace) { b[n++] = ' '; pendingSpace = false; }
            b[n++] = c;
        }
        w.Escaped(b[..n]);
    }

    private static void UrlEncode(ref HandWrittenRenderer.Writer w, string s)
    {
        foreach (var c in s)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '~' or '/') w.Char(c);
            else { w.Char('%'); w.Char("0123456789ABCDEF"[c >> 4]); w.Char("0123456789ABCDEF"[c & 15]); }
        }
    }

    // ---- preparation and the quick mode

    public static Template Compile(OpCase c)
    {
        // the default configuration (tiered compilation), promoted by hand once the first renders have observed the
        // model's types (see Prepare): the steady state of an application, without the promotion landing on the thread
        // pool in the middle of the measured rounds
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(new Dictionary<string, string> { ["t"] = c.Template }), TierUpAfterRenders = int.MaxValue });
        return env.GetTemplate("t");
    }

    /// <summary>Kida and C# render functions of a case, checked identical before and after the promotion to IL (throws otherwise).</summary>
    public static (Func<string> Kida, Func<string> Hand) Prepare(OpCase c)
    {
        var t = Compile(c);
        var m = Model;
        Func<string> kida = () => t.Render(m);
        Func<string> hand = () => c.RenderHand(m);
        var expected = hand();
        for (var round = 0; round < 4; round++)
        {
            if (round == 2) t.Compiled.Promote();
            var actual = kida();
            if (actual == expected) continue;
            var i = 0;
            while (i < actual.Length && i < expected.Length && actual[i] == expected[i]) i++;
            var from = Math.Max(0, i - 40);
            throw new InvalidOperationException($"OPS CASE '{c.Name}' ({c.Kida}): Kida's output differs from the hand-written C# at char {i} (render {round + 1})\n"
                + $"    expected: ...{Slice(expected, from)}...\n    actual:   ...{Slice(actual, from)}...");
        }
        if (t.Compiled.Tiers is not null) throw new InvalidOperationException($"OPS CASE '{c.Name}': the template was not promoted to IL");
        return (kida, hand);
    }

    private static string Slice(string s, int from) => from >= s.Length ? "" : s.Substring(from, Math.Min(120, s.Length - from)).Replace("\n", "⏎");

    /// <summary>
    /// <c>--dump "case name" [--raw]</c>: renders the case (its name exactly, <c>[v]</c> for the value form) twice, so its sites
    /// observe the model, then prints each template function's expression tree as tier-up would compile it (<c>--raw</c>:
    /// the tree before tier-up's rewrites). A tool for reading what the fast paths made of a case.
    /// </summary>
    public static int Dump(string name, bool raw)
    {
        var c = (name.EndsWith("[v]", StringComparison.Ordinal) ? ValueForms : All).FirstOrDefault(x => x.Name == name);
        if (c is null) { Console.Error.WriteLine($"no case named '{name}'"); return 1; }
        var t = Compile(c);
        t.Render(Model);
        t.Render(Model);
        var debugView = typeof(System.Linq.Expressions.Expression).GetProperty("DebugView", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!;
        foreach (var tier in t.Compiled.Tiers ?? [])
        {
            var field = tier.GetType().BaseType!.GetField("_lambda", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!;
            var lambda = (System.Linq.Expressions.LambdaExpression)field.GetValue(tier)!;
            var tree = raw ? lambda : (System.Linq.Expressions.Expression)typeof(Kida.Compilation.SiteInliner).GetMethod("Inline")!
                .MakeGenericMethod(lambda.Type).Invoke(null, [lambda])!;
            Console.WriteLine(debugView.GetValue(tree));
        }
        return 0;
    }

    public static IEnumerable<OpCase> Selected(string? filter) =>
        string.IsNullOrEmpty(filter) ? All
        : filter == "values" ? ValueForms
        : (filter.EndsWith("[v]", StringComparison.Ordinal) ? ValueForms : All).Where(c => c.Name.Contains(filter, StringComparison.OrdinalIgnoreCase) || c.Kida.Contains(filter, StringComparison.Ordinal));

    /// <summary>
    /// <c>--ops values</c>: every case whose expression reads one member of the record (<c>x.id</c>, <c>x.score</c>,
    /// <c>x.nums</c>, ...) and nothing else of it, written over a list of that member's values (<c>{% for v in ids %}{{ v * 2 }}</c>):
    /// the form the issue's table uses, where the loop variable is the value itself. The hand-written C# is the case's own
    /// (the lists are the records' members in order).
    /// </summary>
    private static readonly Dictionary<string, string> ValueLists = new()
    {
        ["id"] = "ids", ["score"] = "scores", ["price"] = "prices", ["title"] = "titles", ["name"] = "names", ["text"] = "texts",
        ["nums"] = "numbers", ["tags"] = "labels", ["when"] = "dates", ["children"] = "families", ["meta"] = "metas",
    };

    public static readonly OpCase[] ValueForms = [.. All.Select(ValueForm).OfType<OpCase>()];


    private static OpCase? ValueForm(OpCase c)
    {
        if (c.OverRows || c.Prelude.Length > 0 || System.Text.RegularExpressions.Regex.IsMatch(c.Kida, @"\bv\b")) return null;
        var members = System.Text.RegularExpressions.Regex.Matches(c.Kida, @"\bx\.(\w+)").Select(m => m.Groups[1].Value).Distinct().ToList();
        if (members.Count != 1 || !ValueLists.TryGetValue(members[0], out var list)
            || System.Text.RegularExpressions.Regex.IsMatch(c.Kida, @"\bx\b(?!\.)")) return null;
        return new OpCase
        {
            Name = c.Name + " [v]",
            Kida = System.Text.RegularExpressions.Regex.Replace(c.Kida, @"\bx\." + members[0] + @"\b", "v"),
            Hand = c.Hand,
            Over = list,
        };
    }

    /// <summary>
    /// <c>--ops [substring] [--rounds N] [--out file.md] [--wall]</c>: every case checked, then measured with interleaved rounds
    /// (Kida, C#, C#, Kida, ... each round ~4 ms) in this process, timed by this thread's CPU time (--wall: a stopwatch); prints per case
    /// the fastest round of each and their ratio (and the median of the per-round ratios), then the geometric mean and the maximum. Ratios within one process are what to trust on a
    /// shared machine.
    /// </summary>
    public static int RunQuick(string[] args)
    {
        string? filter = null, outFile = null;
        var rounds = 15;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--ops") continue;
            if (args[i] == "--wall") { _wall = true; continue; }
            if (args[i] == "--rounds") rounds = int.Parse(args[++i], Inv);
            else if (args[i] == "--out") outFile = args[++i];
            else if (!args[i].StartsWith("--", StringComparison.Ordinal)) filter = args[i];
        }
        var cases = Selected(filter).ToList();
        Console.WriteLine($"Verifying {cases.Count} cases...");
        var prepared = cases.Select(c => (c, f: Prepare(c))).ToList();
        // every case a few times round-robin first, then for at least 3 s: the shared runtime code (filters, output,
        // member access) reaches the JIT's tier 1 before the first case is measured
        var warmAll = Stopwatch.StartNew();
        for (var pass = 0; pass < 30 || warmAll.ElapsedMilliseconds < 3000; pass++)
            foreach (var (_, (k, h)) in prepared) { k(); h(); }
        var rows = new List<(OpCase C, double Kida, double Hand, double Ratio, long KidaBytes, long HandBytes)>();
        foreach (var (c, (kida, hand)) in prepared)
        {
            // warm up for a while, not a count: the JIT's tier-1 code replaces tier-0 code on a background thread after
            // ~100 ms of calls, later on a loaded machine
            var warm = Stopwatch.StartNew();
            while (warm.ElapsedMilliseconds < 200) { kida(); hand(); }
            var per = Math.Max(1, (int)(4000 / Math.Max(1, Time(kida, 3))));
            var perHand = Math.Max(1, (int)(4000 / Math.Max(1, Time(hand, 3))));
            var kt = new List<double>();
            var ht = new List<double>();
            var ratios = new List<double>();
            var kb0 = 0L; var hb0 = 0L;
            for (var r = 0; r < rounds; r++)
            {
                double k, h;
                if (r % 2 == 0) { k = Time(kida, per); h = Time(hand, perHand); }
                else { h = Time(hand, perHand); k = Time(kida, per); }
                kt.Add(k); ht.Add(h); ratios.Add(k / h);
            }
            var a0 = GC.GetAllocatedBytesForCurrentThread(); kida(); kb0 = GC.GetAllocatedBytesForCurrentThread() - a0;
            a0 = GC.GetAllocatedBytesForCurrentThread(); hand(); hb0 = GC.GetAllocatedBytesForCurrentThread() - a0;
            // the fastest round of each: on a shared machine the least disturbed one (the median ratio is printed beside it)
            var row = (c, kt.Min(), ht.Min(), kt.Min() / ht.Min(), kb0, hb0);
            rows.Add(row);
            Console.WriteLine($"{c.Name,-28} Kida {row.Item2,9:F1} µs   C# {row.Item3,9:F1} µs   {row.Item4,6:F2}×  (median of round ratios {Median(ratios),6:F2}×)   alloc {kb0 / 1024.0,8:F1} KB / {hb0 / 1024.0,6:F1} KB");
        }
        var geo = Math.Exp(rows.Average(r => Math.Log(r.Ratio)));
        var max = rows.MaxBy(r => r.Ratio);
        Console.WriteLine($"geometric mean {geo:F2}×   max {max.Ratio:F2}× ({max.C.Name})   over {rows.Count} cases");
        if (outFile is not null)
        {
            var sb = new StringBuilder();
            sb.AppendLine("| case | expression | Kida µs | C# µs | Kida ÷ C# | Kida alloc | C# alloc |");
            sb.AppendLine("|---|---|---:|---:|---:|---:|---:|");
            foreach (var r in rows)
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {r.C.Name.Replace("|", "\\|")} | `{r.C.Kida.Replace("|", "\\|")}` | {r.Kida:F1} | {r.Hand:F1} | {r.Ratio:F2}× | {r.KidaBytes / 1024.0:F1} KB | {r.HandBytes / 1024.0:F1} KB |");
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"**Geometric mean {geo:F2}×, max {max.Ratio:F2}× ({max.C.Name}), {rows.Count} cases.**");
            File.WriteAllText(outFile, sb.ToString());
        }
        return 0;
    }

    /// <summary>With <c>--wall</c> a stopwatch; otherwise (on Linux) this thread's CPU time, which other processes on the
    /// shared machine do not inflate (a gen0 collection runs on the allocating thread, so it is counted).</summary>
    private static bool _wall = !OperatingSystem.IsLinux();

    internal static double Time(Func<string> f, int n)
    {
        if (_wall)
        {
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < n; i++) f();
            return sw.Elapsed.TotalMicroseconds / n;
        }
        var t0 = ThreadCpuNs();
        for (var i = 0; i < n; i++) f();
        return (ThreadCpuNs() - t0) / 1000.0 / n;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec { public long Sec; public long Nsec; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec ts);

    private static long ThreadCpuNs()
    {
        ClockGetTime(3, out var ts); // CLOCK_THREAD_CPUTIME_ID
        return ts.Sec * 1_000_000_000 + ts.Nsec;
    }

    private static double Median(List<double> v)
    {
        v.Sort();
        return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    }
}

/// <summary>The filter/test/operator cases under BenchmarkDotNet: Kida against the hand-written loop (the baseline) per case.</summary>
[MemoryDiagnoser]
public class Ops
{
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "";

    public static IEnumerable<string> Cases => OpCases.Selected(Environment.GetEnvironmentVariable("KIDA_OPS")).Select(c => c.Name);

    private Func<string> _kida = null!, _hand = null!;

    [GlobalSetup]
    public void Setup() => (_kida, _hand) = OpCases.Prepare(OpCases.All.First(c => c.Name == Case));

    [Benchmark(Baseline = true)] public string HandWritten() => _hand();
    [Benchmark] public string Kida() => _kida();
}
