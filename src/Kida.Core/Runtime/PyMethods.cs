using System.Collections;
using System.Collections.Frozen;
using System.Runtime.InteropServices;

namespace Kida.Runtime;

/// <summary>Python methods of str, dict and list that templates call (<c>s.upper()</c>, <c>d.items()</c>, <c>xs.append(x)</c>).</summary>
internal static class PyMethods
{
    public static object? Bind(object obj, string name)
    {
        if (!Known(obj, name)) return null;
        return new BuiltinFunction(name, (rs, args) => TryCall(rs, obj, name, args, out var r) ? r
            : throw new TemplateRuntimeException($"'{Values.TypeName(obj)}' object has no attribute '{name}'", ErrorCodes.AttributeError));
    }

    private static readonly FrozenSet<string> StrMethods = new HashSet<string>(StringComparer.Ordinal)
        {
        "upper", "lower", "title", "capitalize", "strip", "lstrip", "rstrip", "split", "rsplit", "join", "replace",
        "startswith", "endswith", "find", "rfind", "index", "rindex", "count", "format", "isdigit", "isalpha", "isalnum", "isspace",
        "islower", "isupper", "isnumeric", "isdecimal", "removeprefix", "removesuffix", "splitlines", "center", "ljust", "rjust",
        "zfill", "swapcase", "casefold", "partition", "rpartition", "istitle", "expandtabs",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> DictMethods = new HashSet<string>(StringComparer.Ordinal)
        { "items", "keys", "values", "get", "copy", "update", "pop", "setdefault", "clear" }.ToFrozenSet(StringComparer.Ordinal);
    private static readonly FrozenSet<string> ListMethods = new HashSet<string>(StringComparer.Ordinal)
        { "append", "extend", "insert", "pop", "remove", "index", "count", "sort", "reverse", "clear", "copy" }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> Mutators = new HashSet<string>(StringComparer.Ordinal)
        { "append", "extend", "insert", "pop", "remove", "sort", "reverse", "clear", "update", "setdefault" }.ToFrozenSet(StringComparer.Ordinal);

    private static object?[] JournalArgs(in CallArgs a) =>
        a.Named is null ? a.Positional : [.. a.Positional, .. a.Named.Select(kv => (object?)(kv.Key + "=")), .. a.Named.Select(kv => kv.Value)];

    private static bool Known(object obj, string name) =>
        Values.IsString(obj) ? StrMethods.Contains(name) : Values.IsMapping(obj) ? DictMethods.Contains(name) : obj is IList && ListMethods.Contains(name);

    /// <summary>Whether <paramref name="name"/> is a Python str method (<see cref="CallStr"/> answers it).</summary>
    public static bool IsStrMethod(string name) => StrMethods.Contains(name);

    /// <summary>A str method called on a plain string: what <see cref="TryCall"/> answers for it, without asking first
    /// whether the string is a Markup, a mapping or a list.</summary>
    public static object? CallStr(RenderState rs, string s, string name, CallArgs a) => StrMethod(rs, s, s, name, a);

    /// <summary>
    /// <c>s.split(sep)|length</c> on a plain string: the number of parts, counted without building them (one more than the
    /// separators found, or the runs of non-whitespace for <c>split()</c>). Anything else (maxsplit, a non-string, a
    /// mapping with a <c>split</c> key) is the method call and its length, as written.
    /// </summary>
    public static object SplitLength(RenderState rs, object? obj, CallArgs a) => Boxes.Long(SplitCount(rs, obj, a));

    /// <summary><see cref="SplitLength"/> as the number it is, for printing without a box.</summary>
    public static long SplitCount(RenderState rs, object? obj, CallArgs a)
    {
        if (obj is string s && a.Named is null && a.Positional.Length <= 1)
        {
            var sep = a.Positional.Length == 0 ? null : a.Positional[0];
            if (sep is null)
            {
                long words = 0;
                var inWord = false;
                foreach (var c in s)
                {
                    var space = char.IsWhiteSpace(c);
                    if (!space && !inWord) words++;
                    inWord = !space;
                }
                Guard.CollectionLength(words);
                return words;
            }
            if (sep is string text && text.Length > 0)
            {
                // non-overlapping occurrences from the left, as str.split finds them
                long parts = 1 + (text.Length == 1 ? s.AsSpan().Count(text[0]) : s.AsSpan().Count(text.AsSpan()));
                Guard.CollectionLength(parts);
                return parts;
            }
        }
        return Iteration.Length(Calls.CallMethod(rs, obj, "split", a));
    }

    /// <summary>
    /// <c>s.startswith(x)</c> / <c>s.endswith(x)</c>, bound when the template was compiled: a plain string and one string
    /// argument answered on the spot; anything else is the method call as written.
    /// </summary>
    public static object? CallAffix(RenderState rs, object? obj, bool starts, CallArgs a) =>
        obj is string s && a.Named is null && a.Positional is [string affix]
            ? ((starts ? s.StartsWith(affix, StringComparison.Ordinal) : s.EndsWith(affix, StringComparison.Ordinal)) ? Boxes.True : Boxes.False)
            : Calls.CallMethod(rs, obj, starts ? "startswith" : "endswith", a);

    /// <summary>
    /// <c>d.get(key[, default])</c>, bound when the template was compiled: a <c>Dictionary&lt;string, object?&gt;</c> without
    /// a <c>get</c> key of its own (a key wins over the method) answered by its lookup; anything else is the method call as written.
    /// </summary>
    public static object? CallGet(RenderState rs, object? obj, CallArgs a) =>
        obj is Dictionary<string, object?> map && a.Named is null && a.Positional.Length is 1 or 2 && !map.ContainsKey("get")
        && SandboxRules.Of(rs) is null
            ? Mappings.MapTryGet(map, a.Positional[0], out var value) ? value : a.Positional.Length == 2 ? a.Positional[1] : null
            : Calls.CallMethod(rs, obj, "get", a);

    /// <summary>
    /// <c>xs.count(v)</c>, bound when the template was compiled: a model <c>List&lt;string&gt;</c> given a string, or a
    /// <c>List&lt;int&gt;</c>/<c>List&lt;long&gt;</c> given an integer, counted by the items' own equality (what Python's ==
    /// finds for them); anything else (a string's count, a sandboxed render, other arguments) is the method call as written.
    /// </summary>
    public static object? CallCount(RenderState rs, object? obj, CallArgs a)
    {
        if (a.Named is null && a.Positional.Length == 1 && SandboxRules.Of(rs) is null)
        {
            switch (obj, a.Positional[0])
            {
                case (List<string> strings, string text):
                {
                    long n = 0;
                    foreach (var item in CollectionsMarshal.AsSpan(strings)) if (string.Equals(item, text, StringComparison.Ordinal)) n++;
                    return Boxes.Long(n);
                }
                case (List<int> ints, long wanted):
                {
                    long n = 0;
                    foreach (var item in CollectionsMarshal.AsSpan(ints)) if (item == wanted) n++;
                    return Boxes.Long(n);
                }
                case (List<long> longs, long wanted):
                {
                    long n = 0;
                    foreach (var item in CollectionsMarshal.AsSpan(longs)) if (item == wanted) n++;
                    return Boxes.Long(n);
                }
            }
        }
        return Calls.CallMethod(rs, obj, "count", a);
    }

    public static bool TryCall(RenderState rs, object obj, string name, CallArgs a, out object? result)
    {
        result = null;
        if (obj is Markup markup)
        {
            if (!StrMethods.Contains(name)) return false;
            result = MarkupMethod(rs, markup, name, a);
            return true;
        }
        if (Values.AsString(obj) is { } s)
        {
            if (!StrMethods.Contains(name)) return false;
            result = StrMethod(rs, obj, s, name, a);
            return true;
        }
        if (Values.IsMapping(obj))
        {
            if (!DictMethods.Contains(name)) return false;
            SandboxRules.Of(rs)?.CheckMutation(obj, name);
            result = rs.Async is not null && Mutators.Contains(name)
                ? AsyncValues.Journaled(obj, name, JournalArgs(a), (obj, name, a), static s => DictMethod(s.obj, s.name, s.a))
                : DictMethod(obj, name, a);
            return true;
        }
        if (obj is IList list)
        {
            if (!ListMethods.Contains(name)) return false;
            SandboxRules.Of(rs)?.CheckMutation(list, name);
            // a mutation of a model collection happens once per asynchronous render, however many attempts it takes
            result = rs.Async is not null && Mutators.Contains(name)
                ? AsyncValues.Journaled(list, name, JournalArgs(a), (list, name, a), static s => ListMethod(s.list, s.name, s.a))
                : ListMethod(list, name, a);
            return true;
        }
        return false;
    }

    private static readonly FrozenSet<string> MarkupPreserving = new HashSet<string>(StringComparer.Ordinal)
        {
        "upper", "lower", "title", "capitalize", "strip", "lstrip", "rstrip", "replace", "center", "ljust", "rjust", "zfill",
        "swapcase", "casefold", "removeprefix", "removesuffix", "join", "format",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> MarkupSplitting = new HashSet<string>(StringComparer.Ordinal)
        { "split", "rsplit", "splitlines", "partition", "rpartition" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// MarkupSafe's <c>Markup</c> methods: string arguments are escaped, and text results stay Markup (pieces of a split
    /// too), so <c>(s|safe).replace('x', '&lt;i&gt;')</c> cannot inject markup.
    /// </summary>
    private static object? MarkupMethod(RenderState rs, Markup m, string name, CallArgs a)
    {
        if (!MarkupPreserving.Contains(name) && !MarkupSplitting.Contains(name)) return StrMethod(rs, m, m.Value, name, a);
        var positional = a.Positional.Select(EscapeArg).ToArray();
        if (name == "join" && positional.Length > 0)
            positional[0] = Iteration.Iterate(a.Positional[0]).Select(x => (object?)EscapeArg(x)).ToList();
        var named = a.Named?.Select(kv => new KeyValuePair<string, object?>(kv.Key, EscapeArg(kv.Value))).ToArray();
        var result = StrMethod(rs, m.Value, m.Value, name, new CallArgs(positional, named));
        return result switch
        {
            string text => new Markup(text),
            Markup already => already,
            IEnumerable parts when MarkupSplitting.Contains(name) => Iteration.Iterate(parts).Select(x => x is string p ? (object?)new Markup(p) : x).ToList(),
            _ => result,
        };
    }

    /// <summary>An argument as Markup sees it: text escaped (Markup kept), numbers and other values as they are.</summary>
    internal static object? EscapeArg(object? v) => v switch
    {
        Markup mk => mk.Value,
        string text => Output.Escape(text),
        _ when SafeHtml.TryGetHtml(v, out var html) => html,
        _ => v,
    };

    private static string Arg(CallArgs a, int i, string name) => Values.AsString(a.Get(i, name)) ?? throw new TemplateRuntimeException($"{name} must be a string", ErrorCodes.TypeError);

    private static object? StrMethod(RenderState rs, object original, string s, string name, CallArgs a)
    {
        // the strip methods' argument, converted only by them (str() of another method's argument, such as join's list,
        // would be wasted work and could pass the string limit)
        string? chars = name is "strip" or "lstrip" or "rstrip" && a.Count > 0 && a.Positional[0] is not null ? PyString.Str(a.Positional[0]) : null;
        switch (name)
        {
            case "upper": return TextUtil.PyUpper(s);
            case "lower": return TextUtil.PyLower(s);
            case "casefold": return TextUtil.PyLower(s).Replace("ß", "ss", StringComparison.Ordinal).Replace("\u03C2", "\u03C3", StringComparison.Ordinal);
            case "swapcase": return TextUtil.PySwapCase(s);
            case "title": return TextUtil.PyTitle(s);
            case "capitalize": return TextUtil.PyCapitalize(s);
            case "expandtabs": return TextUtil.ExpandTabs(s, Guard.ClampToInt(Numbers.ToSize(a.Get(0, "tabsize", 8L))));
            case "strip": return chars is null ? s.Trim() : s.Trim(chars.ToCharArray());
            case "lstrip": return chars is null ? s.TrimStart() : s.TrimStart(chars.ToCharArray());
            case "rstrip": return chars is null ? s.TrimEnd() : s.TrimEnd(chars.ToCharArray());
            case "split": return TextUtil.Split(s, a.Get(0, "sep") is { } sep ? PyString.Str(sep) : null, a.Get(1, "maxsplit") is { } m ? (int)Numbers.ToLong(m) : -1, false);
            case "rsplit": return TextUtil.Split(s, a.Get(0, "sep") is { } sep2 ? PyString.Str(sep2) : null, a.Get(1, "maxsplit") is { } m2 ? (int)Numbers.ToLong(m2) : -1, true);
            case "splitlines": return TextUtil.SplitLines(s).Select(x => (object?)x).ToList();
            case "join":
                var iterable = a.Get(0, "iterable");
                // a list of text and numbers joined in one buffer, as the join filter joins it
                var joined = (Filters.BuiltinFilters.Indexable(iterable) is { } list ? Filters.BuiltinFilters.JoinPlain(list, s) : null)
                    ?? TextUtil.JoinChecked(s, Iteration.Iterate(iterable).Select(PyString.Str));
                return original is Markup ? new Markup(joined) : joined;
            case "replace":
            {
                var old = Arg(a, 0, "old");
                var @new = Arg(a, 1, "new");
                var count = a.Get(2, "count") is { } c ? Numbers.ToLong(c) : -1;
                return TextUtil.Replace(s, old, @new, count);
            }
            case "startswith":
            case "endswith":
            {
                // the usual call, one string and no range: answered on the string itself
                if (a is { Count: 1, Named: null } && a.Positional[0] is string only)
                    return (name == "startswith" ? s.StartsWith(only, StringComparison.Ordinal) : s.EndsWith(only, StringComparison.Ordinal)) ? Boxes.True : Boxes.False;
                var p = a.Get(0, name == "startswith" ? "prefix" : "suffix");
                var options = p is PyTuple or IList && p is not string ? Iteration.Iterate(p).Select(PyString.Str) : [PyString.Str(p)];
                if (TextUtil.CodePointRange(s, a.Get(1, "start"), a.Get(2, "end")) is not var (st, en)) return false;
                var part = s[st..en];
                return name == "startswith" ? options.Any(o => part.StartsWith(o, StringComparison.Ordinal)) : options.Any(o => part.EndsWith(o, StringComparison.Ordinal));
            }
            case "find" or "rfind" or "index" or "rindex":
            {
                // positions in code points, with Python's start/end
                var sub = Arg(a, 0, "sub");
                var found = -1;
                if (TextUtil.CodePointRange(s, a.Get(1, "start"), a.Get(2, "end")) is var (st, en))
                {
                    var window = s[st..en];
                    var at = name is "find" or "index" ? window.IndexOf(sub, StringComparison.Ordinal) : window.LastIndexOf(sub, StringComparison.Ordinal);
                    if (sub.Length == 0 && name is "rfind" or "rindex") at = window.Length;
                    if (at >= 0) found = TextUtil.CodePointIndex(s, st + at);
                }
                if (found < 0 && name is "index" or "rindex") throw new TemplateRuntimeException("substring not found", ErrorCodes.Runtime);
                return (long)found;
            }
            case "count":
            {
                var sub = Arg(a, 0, "sub");
                if (sub.Length == 0) return (long)(s.Length + 1);
                long n = 0;
                for (var i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal)) n++;
                return n;
            }
            case "format":
                if (original is Markup) return new Markup(PyFormat.Format(s, a, escapeArgs: true));
                // positional fields only: parsed once per thread (by reference), numbers formatted in place, as the format filter does
                if (Filters.FormatPlan.Get(s) is { } plan && plan.TryFormat(a.Positional, out var formatted)) return formatted;
                return PyFormat.Format(s, a, false);
            case "isdigit" or "isnumeric" or "isdecimal": return s.Length > 0 && s.All(char.IsDigit);
            case "isalpha": return s.Length > 0 && s.All(char.IsLetter);
            case "isalnum": return s.Length > 0 && s.All(char.IsLetterOrDigit);
            case "isspace": return s.Length > 0 && s.All(char.IsWhiteSpace);
            case "islower": return s.Any(char.IsLetter) && !s.Any(char.IsUpper);
            case "isupper": return s.Any(char.IsLetter) && !s.Any(char.IsLower);
            case "istitle": return s.Length > 0 && TextUtil.PyTitle(s) == s;
            case "removeprefix": { var p = Arg(a, 0, "prefix"); return s.StartsWith(p, StringComparison.Ordinal) ? s[p.Length..] : s; }
            case "removesuffix": { var p = Arg(a, 0, "suffix"); return p.Length > 0 && s.EndsWith(p, StringComparison.Ordinal) ? s[..^p.Length] : s; }
            case "center": return TextUtil.Center(s, Numbers.ToSize(a.Get(0, "width", 0L)), Values.AsString(a.Get(1, "fillchar", " "))![0]);
            case "ljust": return TextUtil.Justify(s, Numbers.ToSize(a.Get(0, "width", 0L)), Values.AsString(a.Get(1, "fillchar", " "))![0], left: true);
            case "rjust": return TextUtil.Justify(s, Numbers.ToSize(a.Get(0, "width", 0L)), Values.AsString(a.Get(1, "fillchar", " "))![0], left: false);
            case "zfill":
            {
                var wide = Numbers.ToSize(a.Get(0, "width", 0L));
                if (s.Length >= wide) return s;
                Guard.StringLength(wide);
                var w = (int)wide;
                var sign = s.Length > 0 && s[0] is '+' or '-' ? s[0].ToString() : "";
                return sign + new string('0', w - s.Length) + s[sign.Length..];
            }
            case "partition":
            case "rpartition":
            {
                var psep = Arg(a, 0, "sep");
                var i = name == "partition" ? s.IndexOf(psep, StringComparison.Ordinal) : s.LastIndexOf(psep, StringComparison.Ordinal);
                if (i < 0) return name == "partition" ? new PyTuple([s, "", ""]) : new PyTuple(["", "", s]);
                return new PyTuple([s[..i], psep, s[(i + psep.Length)..]]);
            }
        }
        return null;
    }

    private static object? DictMethod(object map, string name, CallArgs a)
    {
        switch (name)
        {
            case "items":
            {
                if (map is Dictionary<string, object?> plain)
                {
                    var pairs = new List<object?>(plain.Count);
                    foreach (var (key, item) in plain) pairs.Add(new PyTuple([key, item]));
                    return pairs;
                }
                return Mappings.MapItems(map).Select(kv => (object?)new PyTuple([kv.Key, kv.Value])).ToList();
            }
            case "keys":
            {
                if (map is not Dictionary<string, object?> plain) return Mappings.MapKeys(map).ToList();
                var keys = new List<object?>(plain.Count);
                foreach (var key in plain.Keys) keys.Add(key);
                return keys;
            }
            case "values":
            {
                if (map is not Dictionary<string, object?> plain) return Mappings.MapItems(map).Select(kv => kv.Value).ToList();
                var values = new List<object?>(plain.Count);
                foreach (var value in plain.Values) values.Add(value);
                return values;
            }
            case "get": return Mappings.MapTryGet(map, a.Get(0, "key"), out var v) ? v : a.Get(1, "default");
            case "copy":
            {
                var d = Mappings.NewDict();
                foreach (var (k, val) in Mappings.MapItems(map)) d[k ?? NullKey.Instance] = val;
                return d;
            }
        }
        if (map is IDictionary nd)
        {
            switch (name)
            {
                case "update":
                    if (a.Count > 0)
                        foreach (var (k, val) in Values.IsMapping(a.Positional[0]) ? Mappings.MapItems(a.Positional[0]!) : Iteration.Iterate(a.Positional[0]).Select(p => { var t = Iteration.AsList(p); return new KeyValuePair<object?, object?>(t[0], t[1]); }))
                        {
                            nd[k!] = val;
                            Guard.CollectionLength(nd.Count);
                        }
                    if (a.Named is not null) foreach (var (k, val) in a.Named) nd[k] = val;
                    Guard.CollectionLength(nd.Count);
                    return null;
                case "pop":
                {
                    var key = a.Get(0, "key");
                    if (Mappings.MapTryGet(map, key, out var val)) { nd.Remove(key!); return val; }
                    if (a.Count > 1) return a.Positional[1];
                    throw new TemplateRuntimeException($"KeyError: {PyString.Repr(key)}", ErrorCodes.KeyError);
                }
                case "setdefault":
                {
                    var key = a.Get(0, "key");
                    if (Mappings.MapTryGet(map, key, out var val)) return val;
                    Guard.CollectionLength(nd.Count + 1L);
                    nd[key!] = a.Get(1, "default");
                    return a.Get(1, "default");
                }
                case "clear": nd.Clear(); return null;
            }
        }
        if (map is IDictionary<string, object?> sd)
        {
            switch (name)
            {
                case "update":
                    if (a.Count > 0)
                        foreach (var (k, val) in Mappings.MapItems(a.Positional[0]!))
                        {
                            sd[PyString.Str(k)] = val;
                            Guard.CollectionLength(sd.Count);
                        }
                    if (a.Named is not null) foreach (var (k, val) in a.Named) sd[k] = val;
                    Guard.CollectionLength(sd.Count);
                    return null;
                case "pop":
                {
                    var key = PyString.Str(a.Get(0, "key"));
                    if (sd.Remove(key, out var val)) return val;
                    if (a.Count > 1) return a.Positional[1];
                    throw new TemplateRuntimeException($"KeyError: '{key}'", ErrorCodes.KeyError);
                }
                case "clear": sd.Clear(); return null;
            }
        }
        throw new TemplateRuntimeException($"'{name}' is not supported on this mapping", ErrorCodes.TypeError);
    }

    private static object? ListMethod(IList list, string name, CallArgs a)
    {
        switch (name)
        {
            case "index":
            {
                var x = a.Get(0, "value");
                for (var i = 0; i < list.Count; i++) if (Comparison.Eq(list[i], x)) return (long)i;
                throw new TemplateRuntimeException($"{PyString.Repr(x)} is not in list", ErrorCodes.Runtime);
            }
            case "count":
            {
                var value = a.Get(0, "value");
                long n = 0;
                for (var i = 0; i < list.Count; i++)
                    if (FastOps.Eq(list[i], value)) n++;
                return Boxes.Long(n);
            }
            case "copy": return new KidaList(list.Cast<object?>());
        }
        if (list.IsReadOnly || list.IsFixedSize) throw new TemplateRuntimeException($"'{name}' is not supported on an immutable sequence", ErrorCodes.TypeError);
        switch (name)
        {
            case "append":
                Guard.CollectionLength(list.Count + 1L);
                list.Add(a.Get(0, "value"));
                return null;
            case "extend":
            {
                var more = Iteration.Iterate(a.Get(0, "iterable")).ToList();
                Guard.CollectionLength((long)list.Count + more.Count);
                foreach (var x in more) list.Add(x);
                return null;
            }
            case "insert":
            {
                Guard.CollectionLength(list.Count + 1L);
                var i = (int)Numbers.ToLong(a.Get(0, "index"));
                if (i < 0) i = Math.Max(0, i + list.Count);
                list.Insert(Math.Min(i, list.Count), a.Get(1, "value"));
                return null;
            }
            case "pop":
            {
                if (list.Count == 0) throw new TemplateRuntimeException("pop from empty list", ErrorCodes.Runtime);
                var i = a.Count > 0 ? (int)Numbers.ToLong(a.Positional[0]) : list.Count - 1;
                if (i < 0) i += list.Count;
                var v = list[i];
                list.RemoveAt(i);
                return v;
            }
            case "remove":
            {
                var x = a.Get(0, "value");
                for (var i = 0; i < list.Count; i++) if (Comparison.Eq(list[i], x)) { list.RemoveAt(i); return null; }
                throw new TemplateRuntimeException("list.remove(x): x not in list", ErrorCodes.Runtime);
            }
            case "reverse":
            {
                var items = list.Cast<object?>().Reverse().ToList();
                for (var i = 0; i < items.Count; i++) list[i] = items[i];
                return null;
            }
            case "sort":
            {
                var items = list.Cast<object?>().ToList();
                items.Sort((x, y) => Comparison.Compare(x, y));
                if (Values.Truthy(a.Get(-1, "reverse", false))) items.Reverse();
                for (var i = 0; i < items.Count; i++) list[i] = items[i];
                return null;
            }
            case "clear": list.Clear(); return null;
        }
        return null;
    }
}
