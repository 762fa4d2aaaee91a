namespace Kida.Common;

/// <summary>"Did you mean …?" hints: the closest of a set of names by edit distance.</summary>
internal static class Suggest
{
    public static string? Closest(string name, IEnumerable<string>? candidates)
    {
        if (candidates is null) return null;
        string? best = null;
        var bestScore = 0.0;
        foreach (var c in candidates)
        {
            if (c == name) continue;
            var score = Ratio(name, c);
            if (score > bestScore) { bestScore = score; best = c; }
        }
        return bestScore >= 0.6 ? best : null;
    }

    private static double Ratio(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        var max = Math.Max(a.Length, b.Length);
        return max == 0 ? 1 : 1.0 - (double)d[a.Length, b.Length] / max;
    }
}
