using System.Globalization;
using System.Text;

namespace Kida.Benchmarks;

public sealed class Product
{
    public string Name { get; set; } = "";
    public decimal Price { get; set; }
    public string Description { get; set; } = "";
    public List<string> Tags { get; set; } = new();
    public bool InStock { get; set; }
}

/// <summary>Razor needs a named model type; the other engines get the same list.</summary>
public sealed class Catalog
{
    public List<Product> Products { get; set; } = new();
}

public static class Workload
{
    public const int ProductCount = 500;

    /// <summary>Deterministic data. Text uses only characters every engine escapes the same way
    /// (apart from the spelling of the double-quote entity, which <see cref="Normalise"/> unifies):
    /// no apostrophes, plus signs, backticks, '=' or non-ASCII.</summary>
    public static Catalog Create(int count = ProductCount)
    {
        var products = new List<Product>(count);
        for (var i = 0; i < count; i++)
        {
            products.Add(new Product
            {
                Name = "Product " + i.ToString(CultureInfo.InvariantCulture),
                // cents always 11..18, so no engine drops a trailing zero
                Price = (i * 100 + 11 + i % 8) / 100m,
                Description = "Fast & \"light\" <b>widget</b> number " + i.ToString(CultureInfo.InvariantCulture) + " with a < b & c > d",
                Tags = new List<string> { "tag" + (i % 7).ToString(CultureInfo.InvariantCulture), "cat" + (i % 3).ToString(CultureInfo.InvariantCulture), "sale" },
                InStock = i % 3 != 0,
            });
        }
        return new Catalog { Products = products };
    }

    /// <summary>Whitespace normalisation (every run collapses to one space, whitespace next to tags dropped)
    /// plus unification of equivalent entity spellings for '"'.</summary>
    public static string Normalise(string html)
    {
        var s = html.Replace("&#34;", "&quot;").Replace("&#x22;", "&quot;").Replace("&#X22;", "&quot;");
        var sb = new StringBuilder(s.Length);
        var pendingSpace = false;
        foreach (var c in s)
        {
            if (char.IsWhiteSpace(c)) { pendingSpace = true; continue; }
            if (pendingSpace)
            {
                if (sb.Length > 0 && sb[^1] != '>' && c != '<') sb.Append(' ');
                pendingSpace = false;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }
}

/// <summary>The baseline: what a careful developer would write by hand.</summary>
public static class HandWritten
{
    public static string Render(Catalog catalog)
    {
        // Default capacity: pre-sizing to the ~140 KB output puts the buffer on the LOH every call.
        var sb = new StringBuilder();
        sb.Append("<ul class=\"products\">\n");
        foreach (var p in catalog.Products)
        {
            sb.Append("<li class=\"product\">\n<h2>");
            AppendEscaped(sb, p.Name);
            sb.Append("</h2>\n<p class=\"price\">$");
            sb.Append(CultureInfo.InvariantCulture, $"{p.Price}");
            sb.Append("</p>\n<p class=\"desc\">");
            AppendEscaped(sb, p.Description);
            sb.Append("</p>\n<ul class=\"tags\">");
            foreach (var t in p.Tags)
            {
                sb.Append("<li>");
                AppendEscaped(sb, t);
                sb.Append("</li>");
            }
            sb.Append("</ul>\n");
            sb.Append(p.InStock ? "<span class=\"stock\">In stock</span>\n" : "<span class=\"stock out\">Sold out</span>\n");
            sb.Append("</li>\n");
        }
        sb.Append("</ul>\n");
        return sb.ToString();
    }

    private static void AppendEscaped(StringBuilder sb, string s)
    {
        var span = s.AsSpan();
        while (true)
        {
            var i = span.IndexOfAny("<>&\"'");
            if (i < 0) { sb.Append(span); return; }
            sb.Append(span[..i]);
            sb.Append(span[i] switch
            {
                '<' => "&lt;",
                '>' => "&gt;",
                '&' => "&amp;",
                '"' => "&quot;",
                _ => "&#39;",
            });
            span = span[(i + 1)..];
        }
    }
}
