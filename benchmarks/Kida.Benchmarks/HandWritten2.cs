using System.Globalization;

namespace Kida.Benchmarks;

/// <summary>Hand-written renderers of the issue-15 workloads (shop: formatted prices, truncate, title, default; dashboard:
/// filtering, sums, grouping, sorted dictionary, arithmetic, dates).</summary>
public static class HandWrittenRenderer2
{
    public static string Shop(Shop shop)
    {
        var w = new HandWrittenRenderer.Writer(64 * 1024, 8);
        try
        {
            w.Raw("<ul class=\"products\">\n");
            foreach (var p in shop.Products)
            {
                w.Raw("<li class=\"product\">\n<h2>"); Text.Title(ref w, p.Name);
                w.Raw("</h2>\n<p class=\"price\">$"); w.Format(p.Price, "F2");
                w.Raw("</p>\n<p class=\"desc\">"); Text.Truncate(ref w, p.Description, 40);
                w.Raw("</p>\n<p class=\"brand\">"); w.Escaped(p.Brand ?? "Generic");
                w.Raw("</p>\n");
                w.Raw(p.InStock ? "<span class=\"stock\">In stock</span>\n" : "<span class=\"stock out\">Sold out</span>\n");
                w.Raw("</li>\n");
            }
            w.Raw("</ul>\n");
            return w.ToString();
        }
        finally { w.Return(); }
    }

    private static readonly string[] RegionOrder = ["central", "east", "north", "south", "west"];

    public static string Dashboard(Dashboard d)
    {
        var w = new HandWrittenRenderer.Writer(32 * 1024, 9);
        try
        {
            w.Raw("<h1>"); Text.Title(ref w, d.Title); w.Raw("</h1>\n\n<p class=\"summary\">");
            var paid = 0;
            var revenue = 0m;
            foreach (var o in d.Orders) if (o.Paid) { paid++; revenue += o.Total; }
            w.Int(paid); w.Raw(" of "); w.Int(d.Orders.Count); w.Raw(" orders paid, revenue $"); w.Format(revenue, "F2");
            w.Raw("</p>\n<table class=\"regions\">\n");
            // groupby: regions in sorted order, orders of each in their original order
            var counts = new int[RegionOrder.Length];
            var sums = new decimal[RegionOrder.Length];
            foreach (var o in d.Orders)
            {
                var r = Array.IndexOf(RegionOrder, o.Region);
                counts[r]++; sums[r] += o.Total;
            }
            for (var r = 0; r < RegionOrder.Length; r++)
            {
                if (counts[r] == 0) continue;
                w.Raw("<tr><th>"); w.Escaped(RegionOrder[r]); w.Raw("</th><td>"); w.Int(counts[r]); w.Raw("</td><td>"); w.Format(sums[r], "F2"); w.Raw("</td></tr>\n");
            }
            w.Raw("</table>\n<ul class=\"stats\">\n");
            var keys = d.Stats.Keys.ToArray();
            Array.Sort(keys, StringComparer.OrdinalIgnoreCase);
            foreach (var k in keys)
            {
                w.Raw("<li>"); w.Escaped(k); w.Raw(": "); w.Int((int)d.Stats[k]!); w.Raw("</li>\n");
            }
            w.Raw("</ul>\n<table class=\"orders\">\n");
            foreach (var o in d.Orders)
            {
                w.Raw(o.Paid ? "<tr class=\"paid\"><td>" : "<tr class=\"open\"><td>"); w.Int(o.Id);
                w.Raw("</td><td>"); w.Format(o.Placed, "yyyy-MM-dd");
                w.Raw("</td><td>"); w.Int(o.Qty); w.Raw(" x "); w.Decimal(o.Unit);
                w.Raw("</td><td>"); w.Decimal(o.Qty * o.Unit);
                w.Raw("</td><td>"); w.Int(o.Qty * 100 / 9); w.Raw("%</td></tr>\n");
            }
            w.Raw("</table>\n");
            return w.ToString();
        }
        finally { w.Return(); }
    }
}

/// <summary>Jinja's text filters written by hand for these inputs (ASCII text).</summary>
public static class Text
{
    /// <summary>Jinja's <c>truncate(length)</c> (end "...", leeway 5, cut at the last space).</summary>
    public static void Truncate(ref HandWrittenRenderer.Writer w, string s, int length)
    {
        if (s.Length <= length + 5) { w.Escaped(s); return; }
        var head = s.AsSpan(0, length - 3);
        var sp = head.LastIndexOf(' ');
        w.Escaped(sp >= 0 ? head[..sp] : head);
        w.Raw("...");
    }

    /// <summary>Jinja's <c>title</c>: upper case after '-', whitespace, '(', '{', '[', '&lt;' and at the start, lower case elsewhere.</summary>
    public static void Title(ref HandWrittenRenderer.Writer w, string s)
    {
        Span<char> b = s.Length <= 256 ? stackalloc char[s.Length] : new char[s.Length];
        var start = true;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            b[i] = start ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c);
            start = c is '-' or '(' or '{' or '[' or '<' || char.IsWhiteSpace(c);
        }
        w.Escaped(b);
    }

    public static string Title(string s)
    {
        var b = new char[s.Length];
        var start = true;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            b[i] = start ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c);
            start = c is '-' or '(' or '{' or '[' or '<' || char.IsWhiteSpace(c);
        }
        return new string(b);
    }

    public static string Truncate(string s, int length)
    {
        if (s.Length <= length + 5) return s;
        var head = s[..(length - 3)];
        var sp = head.LastIndexOf(' ');
        return (sp >= 0 ? head[..sp] : head) + "...";
    }
}
