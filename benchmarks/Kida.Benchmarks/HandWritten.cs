using System.Buffers;
using System.Globalization;

namespace Kida.Benchmarks;

/// <summary>The baseline: what a careful developer writes by hand — one pooled char buffer, span-based
/// escaping (clean runs copied whole), numbers formatted straight into the buffer, one string at the end.</summary>
public static class HandWrittenRenderer
{
    public static string Minimal(GreetingModel m)
    {
        var w = new Writer(256, 1);
        try
        {
            w.Raw("<p>Hello, "); w.Escaped(m.Name); w.Raw("!</p>\n");
            return w.ToString();
        }
        finally { w.Return(); }
    }

    public static string Small(UserCardModel m)
    {
        var w = new Writer(1024, 2);
        try
        {
            w.Raw("<div class=\"card\">\n<h1>"); w.Escaped(m.Title); w.Raw(" "); w.Escaped(m.FirstName); w.Raw(" "); w.Escaped(m.LastName);
            w.Raw("</h1>\n<p class=\"email\">"); w.Escaped(m.Email);
            w.Raw("</p>\n<p class=\"place\">"); w.Escaped(m.City); w.Raw(", "); w.Escaped(m.Country);
            w.Raw("</p>\n<p class=\"job\">"); w.Escaped(m.Role); w.Raw(" at "); w.Escaped(m.Company);
            w.Raw("</p>\n<p class=\"stats\">Joined "); w.Escaped(m.Joined); w.Raw("; "); w.Int(m.Posts); w.Raw(" posts, "); w.Int(m.Followers);
            w.Raw(" followers</p>\n");
            w.Raw(m.Active ? "<span class=\"on\">active</span>\n" : "<span class=\"off\">inactive</span>\n");
            w.Raw("</div>\n");
            return w.ToString();
        }
        finally { w.Return(); }
    }

    public static string Medium(MediumModel m)
    {
        var w = new Writer(16 * 1024, 3);
        try
        {
            w.Raw("<div class=\"medium\">\n");
            var all = m.All;
            for (var i = 0; i < all.Length; i++)
            {
                var s = all[i];
                w.Raw("<section id=\"s"); w.Int(i); w.Raw("\">\n<h2>"); w.Escaped(s.Heading);
                w.Raw("</h2>\n<p class=\"lead\">"); w.Escaped(s.Lead);
                w.Raw("</p>\n<p class=\"by\">"); w.Escaped(s.Author); w.Raw(" ("); w.Escaped(s.Email);
                w.Raw(")</p>\n<a href=\""); w.Escaped(s.Link); w.Raw("\">"); w.Escaped(s.Summary);
                w.Raw("</a>\n<div class=\"body\">"); w.Escaped(s.Body);
                w.Raw("</div>\n<p class=\"note\">"); w.Escaped(s.Note);
                w.Raw("</p>\n<span class=\"tag\">"); w.Escaped(s.Tag);
                w.Raw("</span>\n<footer>"); w.Escaped(s.Footer);
                w.Raw("</footer>\n</section>\n");
            }
            w.Raw("</div>\n");
            return w.ToString();
        }
        finally { w.Return(); }
    }

    public static string Large(LargeModel m)
    {
        var w = new Writer(64 * 1024, 4);
        try
        {
            w.Raw("<table class=\"large\">\n");
            foreach (var item in m.Items)
            {
                w.Raw("<tr><td>"); w.Int(item.Id); w.Raw("</td><td>"); w.Escaped(item.Name); w.Raw("</td><td>"); w.Int(item.Score); w.Raw("</td></tr>\n");
            }
            w.Raw("</table>\n");
            return w.ToString();
        }
        finally { w.Return(); }
    }

    public static string Products(Catalog catalog)
    {
        var w = new Writer(64 * 1024, 5);
        try
        {
            w.Raw("<ul class=\"products\">\n");
            foreach (var p in catalog.Products)
            {
                w.Raw("<li class=\"product\">\n<h2>"); w.Escaped(p.Name);
                w.Raw("</h2>\n<p class=\"price\">$"); w.Decimal(p.Price);
                w.Raw("</p>\n<p class=\"desc\">"); w.Escaped(p.Description);
                w.Raw("</p>\n<ul class=\"tags\">");
                foreach (var t in p.Tags) { w.Raw("<li>"); w.Escaped(t); w.Raw("</li>"); }
                w.Raw("</ul>\n");
                w.Raw(p.InStock ? "<span class=\"stock\">In stock</span>\n" : "<span class=\"stock out\">Sold out</span>\n");
                w.Raw("</li>\n");
            }
            w.Raw("</ul>\n");
            return w.ToString();
        }
        finally { w.Return(); }
    }

    // complex: base -> section -> index, written as nested calls (what inheritance compiles to by hand).
    public static string Complex(ComplexModel m)
    {
        var w = new Writer(4 * 1024, 6);
        try
        {
            w.Raw("<!DOCTYPE html>\n<html>\n<head><title>"); w.Escaped(m.Page.Title); w.Raw(" - "); w.Escaped(m.Site.Name); w.Raw("</title></head>\n<body>\n");
            w.Raw("<header><h1>"); w.Escaped(m.Site.Name); w.Raw("</h1><p>"); w.Escaped(m.Site.Tagline); w.Raw("</p><span class=\"user\">"); w.Escaped(m.User.Name); w.Raw("</span></header>\n");
            w.Raw("<main>\n<aside><ul class=\"side\">");
            foreach (var l in m.Links) { w.Raw("<li><a href=\""); w.Escaped(l.Href); w.Raw("\">"); w.Escaped(l.Text); w.Raw("</a></li>"); }
            w.Raw("</ul>\n</aside>\n<article>\n<h1>"); w.Escaped(m.Page.Title); w.Raw("</h1>\n<p class=\"intro\">"); w.Escaped(m.Page.Intro); w.Raw("</p>\n");
            foreach (var a in m.Articles)
            {
                w.Raw("<div class=\"post\"><h2>"); w.Escaped(a.Title); w.Raw("</h2><p>"); w.Escaped(a.Summary); w.Raw("</p><small>"); w.Escaped(a.Author); w.Raw("</small></div>\n");
            }
            w.Raw("</article>\n</main>\n<footer>&copy; "); w.Int(m.Year); w.Raw(" "); w.Escaped(m.Site.Name); w.Raw("</footer>\n</body>\n</html>\n");
            return w.ToString();
        }
        finally { w.Return(); }
    }

    public static string Page(PageModel m)
    {
        var w = new Writer(8 * 1024, 7);
        try
        {
            w.Raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>"); w.Escaped(m.Title); w.Raw(" | "); w.Escaped(m.Company);
            w.Raw("</title>\n<link rel=\"stylesheet\" href=\"/site.css\"></head>\n<body>\n<nav><ul>\n");
            foreach (var link in m.Nav)
            {
                w.Raw(link.Active ? "<li class=\"active\"><a href=\"" : "<li><a href=\""); w.Escaped(link.Href); w.Raw("\">"); w.Escaped(link.Text); w.Raw("</a></li>\n");
            }
            w.Raw("</ul><span class=\"user\">"); w.Escaped(m.User.Name); w.Raw("</span></nav>\n<main>\n<h1>"); w.Escaped(m.Title);
            w.Raw("</h1>\n<p class=\"notice\">"); w.Escaped(m.Notice);
            w.Raw("</p>\n<table>\n<thead><tr><th>#</th><th>Name</th><th>Email</th><th>Role</th><th>Balance</th></tr></thead>\n<tbody>\n");
            foreach (var r in m.Rows) { Row(ref w, r); w.Raw("\n"); }
            w.Raw("</tbody>\n</table>\n</main>\n<footer><p>&copy; "); w.Int(m.Year); w.Raw(" "); w.Escaped(m.Company); w.Raw("</p></footer>\n</body>\n</html>\n");
            return w.ToString();
        }
        finally { w.Return(); }
    }

    // The "macro": one method per row.
    private static void Row(ref Writer w, PageRow r)
    {
        w.Raw(r.Active ? "<tr class=\"on\"><td>" : "<tr class=\"off\"><td>"); w.Int(r.Id); w.Raw("</td><td>"); w.Escaped(r.Name);
        w.Raw("</td><td><a href=\"mailto:"); w.Escaped(r.Email); w.Raw("\">"); w.Escaped(r.Email); w.Raw("</a></td><td>"); w.Escaped(r.Role);
        w.Raw("</td><td class=\"num\">"); w.Decimal(r.Balance); w.Raw("</td></tr>");
    }

    public struct Writer(int capacity, int slot = -1)
    {
        // Each renderer remembers the size of its last output (slot) and rents a buffer that size up front.
        private static readonly int[] Hints = new int[16];
        private char[] _buf = ArrayPool<char>.Shared.Rent(slot >= 0 ? Math.Max(capacity, Volatile.Read(ref Hints[slot])) : capacity);
        private int _len;
        private readonly int _slot = slot;

        public void Raw(ReadOnlySpan<char> s)
        {
            if (_len + s.Length > _buf.Length) Grow(s.Length);
            s.CopyTo(_buf.AsSpan(_len));
            _len += s.Length;
        }

        public void Int(int value)
        {
            int written;
            while (!value.TryFormat(_buf.AsSpan(_len), out written, default, CultureInfo.InvariantCulture)) Grow(16);
            _len += written;
        }

        public void Decimal(decimal d)
        {
            int written;
            while (!d.TryFormat(_buf.AsSpan(_len), out written, default, CultureInfo.InvariantCulture)) Grow(64);
            _len += written;
        }

        public void Long(long value)
        {
            int written;
            while (!value.TryFormat(_buf.AsSpan(_len), out written, default, CultureInfo.InvariantCulture)) Grow(24);
            _len += written;
        }

        /// <summary>A number through <see cref="ISpanFormattable.TryFormat"/> with a .NET format ("F2", "yyyy-MM-dd", ...).</summary>
        public void Format<T>(T value, ReadOnlySpan<char> format) where T : ISpanFormattable
        {
            int written;
            while (!value.TryFormat(_buf.AsSpan(_len), out written, format, CultureInfo.InvariantCulture)) Grow(64);
            _len += written;
        }

        /// <summary>A double as Python's repr prints it in the fixed-notation range (shortest round-trip digits, ".0" when integral).</summary>
        public void PyFloat(double d)
        {
            if (d == Math.Floor(d) && Math.Abs(d) < 1e15 && !(d == 0 && double.IsNegative(d))) { Long((long)d); Raw(".0"); return; }
            var start = _len;
            Format(d, default);
            if (_buf.AsSpan(start, _len - start).IndexOfAny('.', 'E') < 0) Raw(".0");
        }

        public void Bool(bool b) => Raw(b ? "True" : "False");

        public void Char(char c)
        {
            if (_len + 1 > _buf.Length) Grow(1);
            _buf[_len++] = c;
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
            var bigger = ArrayPool<char>.Shared.Rent(Math.Max(_buf.Length * 2, _len + need));
            _buf.AsSpan(0, _len).CopyTo(bigger);
            ArrayPool<char>.Shared.Return(_buf);
            _buf = bigger;
        }

        public override readonly string ToString()
        {
            if (_slot >= 0 && Volatile.Read(ref Hints[_slot]) < _len) Volatile.Write(ref Hints[_slot], _len);
            return new string(_buf, 0, _len);
        }

        public readonly void Return() => ArrayPool<char>.Shared.Return(_buf);
    }
}
