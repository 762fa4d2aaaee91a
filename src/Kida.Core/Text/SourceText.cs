namespace Kida.Text;

/// <summary>Template source text with a lazily built table of line starts for positions.</summary>
internal sealed class SourceText
{
    private int[]? _lineStarts;

    public SourceText(string text, string? name)
    {
        Text = text;
        Name = name;
    }

    public string Text { get; }
    public string? Name { get; }

    private int[] LineStarts
    {
        get
        {
            if (_lineStarts is not null) return _lineStarts;
            var starts = new List<int> { 0 };
            for (var i = 0; i < Text.Length; i++)
                if (Text[i] == '\n') starts.Add(i + 1);
            return _lineStarts = starts.ToArray();
        }
    }

    /// <summary>1-based line and column of an offset.</summary>
    public (int Line, int Column) GetPosition(int offset)
    {
        offset = Math.Clamp(offset, 0, Text.Length);
        var starts = LineStarts;
        var idx = Array.BinarySearch(starts, offset);
        if (idx < 0) idx = ~idx - 1;
        return (idx + 1, offset - starts[idx] + 1);
    }

    /// <summary>The text of a 1-based line, without its line break.</summary>
    public string GetLine(int line)
    {
        var starts = LineStarts;
        if (line < 1 || line > starts.Length) return "";
        var start = starts[line - 1];
        var end = line < starts.Length ? starts[line] : Text.Length;
        return Text[start..end].TrimEnd('\n', '\r');
    }

    /// <summary>Attaches this source's position for <paramref name="offset"/> to an exception.</summary>
    public T WithPosition<T>(T ex, int offset) where T : TemplateException
    {
        var (line, col) = GetPosition(offset);
        ex.SetPosition(Name, line, col, GetLine(line));
        return ex;
    }
}
