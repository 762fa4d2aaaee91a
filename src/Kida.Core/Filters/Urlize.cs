using System.Text;
using System.Text.RegularExpressions;
using Kida.Runtime;

namespace Kida.Filters;

/// <summary>
/// The <c>urlize</c> filter, word for word as Jinja2 3.1.6 (<c>jinja2.utils.urlize</c>): the text is escaped, split
/// at whitespace, and each word loses leading <c>( &lt;</c> and trailing <c>) &gt; . ,</c> punctuation (moved back when
/// it balances the word's brackets); a word that is then an http(s) URL, a <c>www.</c> or bare
/// <c>name.com|net|int|edu|gov|org|info|mil</c> domain, a <c>mailto:</c> address, an e-mail address or starts with one
/// of <c>extra_schemes</c> becomes a link. Linear in the text: the regular expressions run without backtracking and
/// the punctuation is moved by index. Every attribute value is HTML-escaped; a double quote of a Markup input cannot
/// end the <c>href</c> attribute.
/// </summary>
internal static class Urlize
{
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    private static readonly Regex HttpRe = new(
        @"^(" +
        @"(https?://|www\.)(([\w%-]+\.)+)?([a-z]{2,63}|xn--[\w%]{2,59})" +
        @"|([\w%-]{2,63}\.)+(com|net|int|edu|gov|org|info|mil)" +
        @"|(https?://)((([\d]{1,3})(\.[\d]{1,3}){3})|(\[([\da-f]{0,4}:){2}([\da-f]{0,4}:?){1,6}\]))" +
        @")(?::[\d]{1,5})?(?:[/?#]\S*)?$", Options);

    private static readonly Regex EmailRe = new(@"^\S+@\w[\w.-]*\.\w+$", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);

    private static readonly Regex SchemeRe = new(@"^([\w.+-]{2,}:(/){0,2})$", RegexOptions.CultureInvariant);

    /// <summary>Jinja2's <c>do_urlize</c>: rel from <paramref name="rel"/>, nofollow and the <c>noopener</c> policy.</summary>
    public static string Apply(object? value, int? trimUrlLimit, bool nofollow, string? target, string? rel, IReadOnlyList<string> extraSchemes)
    {
        var relParts = new SortedSet<string>(StringComparer.Ordinal) { "noopener" };
        if (rel is not null) foreach (var part in rel.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)) relParts.Add(part);
        if (nofollow) relParts.Add("nofollow");
        foreach (var scheme in extraSchemes)
            if (!SchemeRe.IsMatch(scheme))
                throw new TemplateRuntimeException($"{PyString.Repr(scheme.Length > 100 ? scheme[..100] + "..." : scheme)} is not a valid URI scheme prefix.", ErrorCodes.FilterError);
        var relAttr = $" rel=\"{Output.Escape(string.Join(" ", relParts))}\"";
        var targetAttr = string.IsNullOrEmpty(target) ? "" : $" target=\"{Output.Escape(target)}\"";

        var text = value is Markup m ? m.ToString() : Output.Escape(PyString.Str(value));
        var sb = new StringBuilder(text.Length + 64);
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            var space = IsSpace(text[i]);
            while (i < text.Length && IsSpace(text[i]) == space) i++;
            if (space) sb.Append(text, start, i - start);
            else Word(sb, text.Substring(start, i - start), trimUrlLimit, relAttr, targetAttr, extraSchemes);
        }
        return sb.ToString();
    }

    /// <summary>Python's <c>\s</c> in a str pattern (str.isspace), which also counts U+001C..U+001F.</summary>
    private static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    private static void Word(StringBuilder sb, string word, int? limit, string relAttr, string targetAttr, IReadOnlyList<string> extraSchemes)
    {
        // head: ^([(<]|&lt;)+
        var h = 0;
        while (true)
        {
            if (h < word.Length && word[h] is '(' or '<') h++;
            else if (string.CompareOrdinal(word, h, "&lt;", 0, 4) == 0) h += 4;
            else break;
        }
        // tail: ([)>.,\n]|&gt;)+$ (the tokens cannot overlap, so the longest suffix of them is the match)
        var t = word.Length;
        while (t > h)
        {
            if (word[t - 1] is ')' or '>' or '.' or ',' or '\n') t--;
            else if (t - 4 >= h && string.CompareOrdinal(word, t - 4, "&gt;", 0, 4) == 0) t -= 4;
            else break;
        }
        var head = word[..h];
        var middle = new StringBuilder(word, h, t - h, word.Length);
        var tail = word[t..];
        var tailPos = 0;

        // prefer balancing brackets in the URL to dropping a trailing one
        foreach (var (open, close) in new[] { ("(", ")"), ("<", ">"), ("&lt;", "&gt;") })
        {
            var mid = middle.ToString();
            var startCount = Count(mid, open, 0);
            if (startCount <= Count(mid, close, 0)) continue;
            var moves = Math.Min(startCount, Count(tail, close, tailPos));
            for (var k = 0; k < moves; k++)
            {
                var endIndex = tail.IndexOf(close, tailPos, StringComparison.Ordinal) + close.Length;
                middle.Append(tail, tailPos, endIndex - tailPos);
                tailPos = endIndex;
            }
        }
        var url = middle.ToString();
        sb.Append(head);
        if (HttpRe.IsMatch(url))
        {
            var href = url.StartsWith("https://", StringComparison.Ordinal) || url.StartsWith("http://", StringComparison.Ordinal) ? url : "https://" + url;
            Link(sb, href, Trim(url, limit), relAttr + targetAttr);
        }
        else if (url.StartsWith("mailto:", StringComparison.Ordinal) && EmailRe.IsMatch(url.AsSpan(7)))
        {
            Link(sb, url, url[7..], "");
        }
        else if (url.Contains('@') && !url.StartsWith("www.", StringComparison.Ordinal) && !url.StartsWith('@') && !url.Contains(':') && EmailRe.IsMatch(url))
        {
            Link(sb, "mailto:" + url, url, "");
        }
        else
        {
            var done = false;
            foreach (var scheme in extraSchemes)
            {
                if (!done && url != scheme && url.StartsWith(scheme, StringComparison.Ordinal))
                {
                    Link(sb, url, url, relAttr + targetAttr);
                    done = true;
                }
            }
            if (!done) sb.Append(url);
        }
        sb.Append(tail, tailPos, tail.Length - tailPos);
    }

    /// <summary>The text is already escaped (or Markup); a quote of a Markup input still cannot end the attribute.</summary>
    private static void Link(StringBuilder sb, string href, string shown, string attrs) =>
        sb.Append("<a href=\"").Append(href.Replace("\"", "&quot;", StringComparison.Ordinal)).Append('"').Append(attrs)
          .Append('>').Append(shown).Append("</a>");

    /// <summary>Jinja2's trim_url: <c>x[:limit] + "..."</c> when longer than the limit (Python slicing for a negative limit).</summary>
    private static string Trim(string url, int? limit)
    {
        if (limit is not { } n || url.Length <= n) return url;
        var cut = n >= 0 ? n : Math.Max(0, url.Length + n);
        return url[..cut] + "...";
    }

    /// <summary>Python's <c>str.count</c>: non-overlapping occurrences from <paramref name="from"/>.</summary>
    private static int Count(string s, string sub, int from)
    {
        var count = 0;
        for (var i = s.IndexOf(sub, from, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
