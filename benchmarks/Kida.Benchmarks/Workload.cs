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

/// <summary>The baseline: what a careful developer would write by hand — one pooled char buffer,
/// span-based escaping, a single string allocation at the end.</summary>
public static class HandWritten
{
    public static string Render(Catalog catalog)
    {
        var w = new Writer(System.Buffers.ArrayPool<char>.Shared.Rent(64 * 1024));
        try
        {
            w.Raw("<ul class=\"products\">\n");
            foreach (var p in catalog.Products)
            {
                w.Raw("<li class=\"product\">\n<h2>");
                w.Escaped(p.Name);
                w.Raw("</h2>\n<p class=\"price\">$");
                w.Decimal(p.Price);
                w.Raw("</p>\n<p class=\"desc\">");
                w.Escaped(p.Description);
                w.Raw("</p>\n<ul class=\"tags\">");
                foreach (var t in p.Tags)
                {
                    w.Raw("<li>");
                    w.Escaped(t);
                    w.Raw("</li>");
                }
                w.Raw("</ul>\n");
                w.Raw(p.InStock ? "<span class=\"stock\">In stock</span>\n" : "<span class=\"stock out\">Sold out</span>\n");
                w.Raw("</li>\n");
            }
            w.Raw("</ul>\n");
            return w.ToString();
        }
        finally
        {
            w.Return();
        }
    }

    private struct Writer(char[] buffer)
    {
        private char[] _buf = buffer;
        private int _len;

        public void Raw(ReadOnlySpan<char> s)
        {
            if (_len + s.Length > _buf.Length) Grow(s.Length);
            s.CopyTo(_buf.AsSpan(_len));
            _len += s.Length;
        }

        public void Decimal(decimal d)
        {
            int written;
            while (!d.TryFormat(_buf.AsSpan(_len), out written, default, CultureInfo.InvariantCulture)) Grow(64);
            _len += written;
        }

        public void Escaped(ReadOnlySpan<char> s)
        {
            while (true)
            {
                var i = s.IndexOfAny("<>&\"'");
                if (i < 0) { Raw(s); return; }
                Raw(s[..i]);
                Raw(s[i] switch
                {
                    '<' => "&lt;",
                    '>' => "&gt;",
                    '&' => "&amp;",
                    '"' => "&quot;",
                    _ => "&#39;",
                });
                s = s[(i + 1)..];
            }
        }

        private void Grow(int need)
        {
            var bigger = System.Buffers.ArrayPool<char>.Shared.Rent(Math.Max(_buf.Length * 2, _len + need));
            _buf.AsSpan(0, _len).CopyTo(bigger);
            System.Buffers.ArrayPool<char>.Shared.Return(_buf);
            _buf = bigger;
        }

        public override readonly string ToString() => new string(_buf, 0, _len);

        public readonly void Return() => System.Buffers.ArrayPool<char>.Shared.Return(_buf);
    }
}
