using Kida.Runtime;

namespace Kida.Globals;

/// <summary>The built-in globals: range, dict, cycler, joiner, namespace, lipsum and Kida's helpers.</summary>
internal static class BuiltinGlobals
{
    public static readonly Dictionary<string, object?> All = Build();

    public static object MakeRange(RenderState rs, long start, long stop, long step)
    {
        var r = new PyRange(start, stop, step);
        if (r.Count > rs.Limits.MaxRangeLength)
            throw new TemplateRuntimeException($"range() would produce {r.Count} items, more than Limits.MaxRangeLength ({rs.Limits.MaxRangeLength})", ErrorCodes.RangeLimit);
        return r;
    }

    private static Dictionary<string, object?> Build()
    {
        var g = new Dictionary<string, object?>(StringComparer.Ordinal);
        void Add(string name, Func<RenderState, CallArgs, object?> fn) => g[name] = new BuiltinFunction(name, fn);
        Add("range", (rs, a) =>
        {
            var p = a.Positional.Select(x => Collections.ToIndex(x, "range")).ToArray();
            return p.Length switch
            {
                1 => MakeRange(rs, 0, p[0], 1),
                2 => MakeRange(rs, p[0], p[1], 1),
                3 => MakeRange(rs, p[0], p[1], p[2]),
                _ => throw new TemplateRuntimeException("range expected 1 to 3 arguments", ErrorCodes.TypeError),
            };
        });
        Add("dict", (_, a) =>
        {
            var d = Mappings.NewDict();
            if (a.Count > 0)
                foreach (var (k, v) in Values.IsMapping(a.Positional[0]) ? Mappings.MapItems(a.Positional[0]!) : Iteration.Iterate(a.Positional[0]).Select(p => { var l = Iteration.AsList(p); return new KeyValuePair<object?, object?>(l[0], l[1]); }))
                    d[k ?? NullKey.Instance] = v;
            if (a.Named is not null) foreach (var (k, v) in a.Named) d[k] = v;
            return d;
        });
        Add("namespace", (_, a) =>
        {
            var ns = new Namespace();
            if (a.Count > 0) foreach (var (k, v) in Mappings.MapItems(a.Positional[0]!)) ns.Values[PyString.Str(k)] = v;
            if (a.Named is not null) foreach (var (k, v) in a.Named) ns.Values[k] = v;
            return ns;
        });
        Add("cycler", (_, a) => new Cycler(a.Positional));
        Add("joiner", (_, a) => new Joiner(PyString.Str(a.Get(0, "sep", ", "))));
        Add("lipsum", (_, a) => Lipsum(Guard.ClampToInt(Numbers.ToSize(a.Get(0, "n", 5L))), Values.Truthy(a.Get(1, "html", true)),
            Guard.ClampToInt(Numbers.ToSize(a.Get(2, "min", 20L))), Guard.ClampToInt(Numbers.ToSize(a.Get(3, "max", 100L)))));
        Add("consume", (rs, a) =>
        {
            var key = PyString.Str(a.Get(0, "key"));
            return rs.Provided is not null && rs.Provided.TryGetValue(key, out var st) && st.Count > 0 ? st.Peek() : a.Get(1, "default");
        });
        // Kida's HTMX globals: outside an HTTP request there are no HX-* headers (Kida.AspNetCore replaces these with
        // readers of the current request)
        Add("hx_request", (_, _) => false);
        Add("hx_boosted", (_, _) => false);
        Add("hx_target", (_, _) => null);
        Add("hx_trigger", (_, _) => null);
        // Kida's Content-Security-Policy nonce: none outside an HTTP request (Kida.AspNetCore reads the request's)
        Add("csp_nonce", (_, _) => "");
        Add("len", (_, a) => (long)Iteration.Length(a.Get(0, "obj")));
        Add("str", (_, a) => a.Count == 0 ? "" : PyString.Str(a.Positional[0]));
        Add("int", (_, a) => PyInt(a));
        Add("float", (_, a) => PyFloat(a));
        Add("bool", (_, a) => a.Count > 0 && Values.Truthy(a.Positional[0]));
        Add("list", (_, a) => a.Count == 0 ? new List<object?>() : Filters.BuiltinFilters.ToListChecked(a.Positional[0]));
        Add("tuple", (_, a) => a.Count == 0 ? PyTuple.Empty : new PyTuple(Iteration.Iterate(a.Positional[0]).ToArray()));
        Add("sorted", (rs, a) => Filters.BuiltinFilters.All["sort"](rs, a.Get(0, "iterable"), new CallArgs([], [new("reverse", a.Get(-1, "reverse", false)), new("case_sensitive", true)])));
        Add("reversed", (_, a) => Iteration.Iterate(a.Get(0, "seq")).Reverse().ToList());
        Add("enumerate", (_, a) => Iteration.Iterate(a.Get(0, "iterable")).Select((x, i) => (object?)new PyTuple([(long)i + Numbers.ToLong(a.Get(1, "start", 0L)), x])).ToList());
        Add("zip", (_, a) =>
        {
            var lists = a.Positional.Select(p => Iteration.Iterate(p).ToList()).ToList();
            var n = lists.Count == 0 ? 0 : lists.Min(l => l.Count);
            return Enumerable.Range(0, n).Select(i => (object?)new PyTuple(lists.Select(l => l[i]).ToArray())).ToList();
        });
        Add("abs", (rs, a) => Filters.BuiltinFilters.All["abs"](rs, a.Get(0, "x"), CallArgs.None));
        Add("min", (rs, a) => Filters.BuiltinFilters.All["min"](rs, a.Count == 1 ? a.Positional[0] : new List<object?>(a.Positional), new CallArgs([], [new("case_sensitive", true)])));
        Add("max", (rs, a) => Filters.BuiltinFilters.All["max"](rs, a.Count == 1 ? a.Positional[0] : new List<object?>(a.Positional), new CallArgs([], [new("case_sensitive", true)])));
        Add("sum", (rs, a) => Filters.BuiltinFilters.All["sum"](rs, a.Get(0, "iterable"), new CallArgs([], [new("start", a.Get(1, "start", 0L))])));
        Add("set", (_, a) =>
        {
            var set = new HashSet<object>(PyKeyComparer.Instance);
            if (a.Count > 0) foreach (var x in Iteration.Iterate(a.Positional[0])) set.Add(x ?? NullKey.Instance);
            return set;
        });
        Add("map", (rs, a) =>
        {
            if (a.Count < 2) throw new TemplateRuntimeException("map() must have at least two arguments", ErrorCodes.TypeError);
            var fn = a.Positional[0];
            var lists = a.Positional.Skip(1).Select(p => Iteration.Iterate(p).ToList()).ToList();
            var n = lists.Min(l => l.Count);
            return Enumerable.Range(0, n).Select(i => Calls.Call(rs, fn, new CallArgs(lists.Select(l => l[i]).ToArray(), null))).ToList();
        });
        Add("filter", (rs, a) =>
        {
            if (a.Count != 2) throw new TemplateRuntimeException($"filter expected 2 arguments, got {a.Count}", ErrorCodes.TypeError);
            var fn = a.Positional[0];
            return Iteration.Iterate(a.Positional[1]).Where(x => Values.Truthy(fn is null ? x : Calls.Call(rs, fn, new CallArgs([x], null)))).ToList();
        });
        // gettext/ngettext: identity by default; replace them with AddGlobal("_", ...) / AddGlobal("_n", ...)
        Add("_", (_, a) => a.Get(0, "message") is var m && m is Markup ? m : PyString.Str(a.Get(0, "message")));
        Add("_n", (_, a) => Numbers.ToLong(a.Get(2, "n")) == 1 ? a.Get(0, "singular") : a.Get(1, "plural"));
        return g;
    }

    private static readonly string[] Words =
        "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat".Split(' ');

    /// <summary>Jinja2's <c>generate_lorem_ipsum</c>: n paragraphs of min..max-1 words, commas and full stops sprinkled in.</summary>
    private static object Lipsum(int n, bool html, int min, int max)
    {
        if (max <= min) throw new TemplateRuntimeException($"empty range for lipsum word count ({min}, {max})", ErrorCodes.TypeError);
        // at most max-1 words of at most 14 characters per paragraph: refuse before generating what could not be kept
        Guard.StringLength((long)n * (max - 1L) * 15);
        Guard.CollectionLength(n);
        var rnd = Random.Shared;
        var paragraphs = new List<string>();
        for (var p = 0; p < n; p++)
        {
            var nextCapitalized = true;
            int lastComma = 0, lastFullstop = 0;
            string? last = null;
            var words = new List<string>();
            var count = rnd.Next(min, max);
            for (var idx = 0; idx < count; idx++)
            {
                string word;
                do word = Words[rnd.Next(Words.Length)]; while (word == last);
                last = word;
                if (nextCapitalized) { word = char.ToUpperInvariant(word[0]) + word[1..]; nextCapitalized = false; }
                if (idx - rnd.Next(3, 8) > lastComma) { lastComma = idx; lastFullstop += 2; word += ","; }
                if (idx - rnd.Next(10, 20) > lastFullstop) { lastComma = lastFullstop = idx; word += "."; nextCapitalized = true; }
                words.Add(word);
            }
            var text = string.Join(' ', words);
            if (text.EndsWith(',')) text = text[..^1] + ".";
            else if (!text.EndsWith('.')) text += ".";
            paragraphs.Add(text);
        }
        return html ? new Markup(string.Join("\n", paragraphs.Select(x => "<p>" + Output.Escape(x) + "</p>"))) : string.Join("\n\n", paragraphs);
    }

    /// <summary>Python's <c>int(x=0, base=10)</c>: unlike the <c>int</c> filter it has no default to fall back on, so a
    /// string that is not an integer literal raises ValueError (K-RUN-007) and a wrong type raises TypeError (K-RUN-012).</summary>
    private static object? PyInt(CallArgs a)
    {
        if (a.Count > 2) throw new TemplateRuntimeException($"int() takes at most 2 arguments ({a.Count} given)", ErrorCodes.TypeError);
        var hasBase = a.Has(1, "base");
        if (!a.Has(0, "x"))
        {
            if (hasBase) throw new TemplateRuntimeException("int() missing string argument", ErrorCodes.TypeError);
            return 0L;
        }
        var v = a.Get(0, "x");
        if (v is Undefined u) u.Use();
        var radix = 10L;
        if (hasBase)
        {
            var b = a.Get(1, "base");
            if (!Numbers.IsInteger(b) && b is not bool)
                throw new TemplateRuntimeException($"'{Values.TypeName(b)}' object cannot be interpreted as an integer", ErrorCodes.TypeError);
            radix = Numbers.ToLong(b);
            if (radix != 0 && (radix < 2 || radix > 36))
                throw new TemplateRuntimeException("int() base must be >= 2 and <= 36, or 0", ErrorCodes.Runtime);
            if (Values.AsString(v) is null)
                throw new TemplateRuntimeException("int() can't convert non-string with explicit base", ErrorCodes.TypeError);
        }
        if (v is bool flag) return flag ? 1L : 0L;
        if (Numbers.IsInteger(v)) return v;
        if (Numbers.IsNumber(v))
        {
            var d = Numbers.ToDouble(v);
            if (double.IsNaN(d)) throw new TemplateRuntimeException("cannot convert float NaN to integer", ErrorCodes.Runtime);
            if (double.IsInfinity(d)) throw new TemplateRuntimeException("cannot convert float infinity to integer", ErrorCodes.Runtime);
            return Numbers.Normalize(new System.Numerics.BigInteger(Math.Truncate(d)));
        }
        if (Values.AsString(v) is { } s)
        {
            if (Numbers.TryParseInt(s, (int)radix, out var r)) return r;
            throw new TemplateRuntimeException($"invalid literal for int() with base {radix}: {PyString.Repr(Clip(s))}", ErrorCodes.Runtime);
        }
        throw new TemplateRuntimeException(
            $"int() argument must be a string, a bytes-like object or a real number, not '{Values.TypeName(v)}'", ErrorCodes.TypeError);
    }

    /// <summary>Python's <c>float(x=0.0)</c>: an unparsable string raises ValueError (K-RUN-007), a wrong type TypeError
    /// (K-RUN-012).</summary>
    private static object? PyFloat(CallArgs a)
    {
        if (a.Count > 1) throw new TemplateRuntimeException($"float expected at most 1 argument, got {a.Count}", ErrorCodes.TypeError);
        if (!a.Has(0, "x")) return 0.0;
        var v = a.Get(0, "x");
        if (v is Undefined u) u.Use();
        if (v is bool flag) return flag ? 1.0 : 0.0;
        if (Numbers.IsNumber(v)) return Numbers.ToDouble(v);
        if (Values.AsString(v) is { } s)
        {
            if (Numbers.TryParseFloat(s, out var d)) return d;
            throw new TemplateRuntimeException($"could not convert string to float: {PyString.Repr(Clip(s))}", ErrorCodes.Runtime);
        }
        throw new TemplateRuntimeException($"float() argument must be a string or a real number, not '{Values.TypeName(v)}'", ErrorCodes.TypeError);
    }

    /// <summary>Error messages quote at most 200 characters of a hostile string.</summary>
    private static string Clip(string s) => s.Length <= 200 ? s : s[..200] + "...";
}
