using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kida.Runtime;

namespace Kida.Filters;

internal static partial class BuiltinFilters
{
    /// <summary>Resolves an attribute path such as <c>meta.kind</c> or <c>items.0</c> (dict key first).</summary>
    internal static object? AttrPath(RenderState rs, object? item, object? attribute)
    {
        if (attribute is null) return item;
        if (Numbers.IsInteger(attribute)) return MemberAccess.TryGetItem(item, attribute, out var v0) ? v0 : new Undefined("item", "no such item", rs.Strict);
        if (Values.AsString(attribute) is { Length: > 0 } name && name.IndexOf('.') < 0 && !char.IsAsciiDigit(name[0]))
        {
            // one part that is not an index (what the loop below does for it, without splitting)
            if (item is null or Undefined) return new Undefined(name, $"no attribute '{name}'", rs.Strict);
            return MemberAccess.TryGetAttr(rs, item, name, out var found1) ? found1
                : new Undefined(name, $"'{Values.TypeName(item)} object' has no attribute '{name}'", rs.Strict);
        }
        var value = item;
        foreach (var part in Str(attribute).Split('.'))
        {
            if (value is null or Undefined) return new Undefined(part, $"no attribute '{part}'", rs.Strict);
            object? next;
            if (long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var idx) && MemberAccess.TryGetItem(value, idx, out var byIndex)) next = byIndex;
            else if (MemberAccess.TryGetAttr(rs, value, part, out var found)) next = found;
            else return new Undefined(part, $"'{Values.TypeName(value)} object' has no attribute '{part}'", rs.Strict);
            value = next;
        }
        return value;
    }

    private static IComparer<object?> SortComparer(bool caseSensitive) => Comparer<object?>.Create((x, y) => CompareSortKeys(x, y, caseSensitive));

    /// <summary>How sort, min and max order two keys: Python's order, text lowered unless <paramref name="caseSensitive"/>.</summary>
    private static int CompareSortKeys(object? x, object? y, bool caseSensitive)
    {
        if (!caseSensitive)
        {
            if (Values.AsString(x) is { } sx) x = Comparison.CaseFolded(sx);
            if (Values.AsString(y) is { } sy) y = Comparison.CaseFolded(sy);
        }
        return Comparison.Compare(x, y);
    }

    /// <summary>
    /// <c>{{ xs|sort|join(sep) }}</c> with the built-in filters: a list of ints sorted in a stack buffer and written with
    /// its separators straight into the output (what the joined string prints: digits need no escaping, the separator is
    /// escaped as the printed string would be); anything else prints what the two filters return.
    /// </summary>
    internal static void WriteSortedJoin(RenderState rs, Output output, object? v, string sep, bool escape)
    {
        if (WriteIntListJoined(output, v, reverse: false, sep, escape)) return;
        var sorted = Sort(rs, v, CallArgs.None);
        rs.EvalAutoescape = escape;
        output.WriteValue(Join(rs, sorted, new CallArgs([sep], null)), escape);
    }

    /// <summary>
    /// <c>{{ xs|sort|first }}</c> / <c>|sort|last</c>: a model list of ints gives its smallest or largest item with no
    /// sorted copy; anything else is sorted and its end taken by the filters (the end's errors reported at
    /// <paramref name="endPos"/>, where the general path reports them).
    /// </summary>
    internal static void WriteSortedEnd(RenderState rs, Output output, object? v, bool last, int endPos, bool escape)
    {
        if (v is List<int> { Count: > 0 } ints)
        {
            output.WriteInt(Iteration.ListExtreme(ints, max: last));
            return;
        }
        var sorted = Sort(rs, v, CallArgs.None);
        rs.Pos = endPos;
        output.WriteValue(All[last ? "last" : "first"](rs, sorted, CallArgs.None), escape);
    }

    private static object? Sort(RenderState rs, object? v, CallArgs a)
    {
        var reverse = Values.Truthy(a.Get(0, "reverse", BoxedFalse));
        var caseSensitive = Values.Truthy(a.Get(1, "case_sensitive", BoxedFalse));
        var attribute = a.Get(2, "attribute");
        if (attribute is null && Indexable(v) is { } indexable && SortTyped(indexable, reverse, caseSensitive) is { } sortedFast) return sortedFast;
        var items = Iteration.Iterate(v).ToList();
        var attrs = attribute is null ? [null] : Str(attribute).Split(',').Select(s => (object?)s.Trim()).ToArray();
        // keys lowercased once per item (not on every comparison: n log n lowercase copies made big sorts slow)
        var cmp = SortComparer(caseSensitive: true);
        object? Key(object? x, object? at)
        {
            var key = at is null ? x : AttrPath(rs, x, at);
            return !caseSensitive && Values.AsString(key) is { } text ? text.ToLowerInvariant() : key;
        }
        var keyed = items.Select((x, i) => (Item: x, Keys: attrs.Select(at => Key(x, at)).ToArray(), Index: i)).ToList();
        keyed.Sort((p, q) =>
        {
            for (var k = 0; k < p.Keys.Length; k++)
            {
                var c = cmp.Compare(p.Keys[k], q.Keys[k]);
                if (c != 0) return reverse ? -c : c;
            }
            return p.Index.CompareTo(q.Index);
        });
        return keyed.Select(k => k.Item).ToList();
    }

    /// <summary>
    /// <c>sort</c> of a list whose items are all ints, all longs, all floats or all strings, with keys computed once and
    /// compared without boxing (the general comparer's order and stability); null for any other list.
    /// </summary>
    private static List<object?>? SortTyped(IList list, bool reverse, bool caseSensitive)
    {
        var n = list.Count;
        if (n == 0) return null;
        if (list is List<int> intList)
        {
            // equal ints are indistinguishable: sort the values, box them from the small-int cache
            var values = n <= 256 ? stackalloc int[n] : new int[n];
            intList.CopyTo(values);
            values.Sort();
            var sortedInts = new List<object?>(n);
            if (reverse) for (var i = n - 1; i >= 0; i--) sortedInts.Add(BoxInt(values[i]));
            else foreach (var x in values) sortedInts.Add(BoxInt(x));
            return sortedInts;
        }
        var items = new object?[n];
        for (var i = 0; i < n; i++) items[i] = ItemAt(list, i);
        var first = items[0];
        if (first is int or long)
        {
            // equal integers of one type are indistinguishable: an unstable sort gives the same list
            var isInt = first is int;
            var keys = new long[n];
            for (var i = 0; i < n; i++)
            {
                if (isInt && items[i] is int iv) keys[i] = iv;
                else if (!isInt && items[i] is long lv) keys[i] = lv;
                else return null;
            }
            Array.Sort(keys, items);
            if (reverse) Array.Reverse(items);
            return new List<object?>(items);
        }
        int[] order;
        if (first is double)
        {
            var keys = new double[n];
            for (var i = 0; i < n; i++)
            {
                if (items[i] is double d && !double.IsNaN(d)) keys[i] = d;
                else return null;
            }
            order = StableOrder(n, (x, y) => keys[x].CompareTo(keys[y]), reverse);
        }
        else if (first is string)
        {
            var keys = new string[n];
            for (var i = 0; i < n; i++)
            {
                if (items[i] is string sv) keys[i] = caseSensitive ? sv : Comparison.CaseFolded(sv);
                else return null;
            }
            order = reverse ? StableOrder(n, (x, y) => Comparison.CompareStrings(keys[x], keys[y]), reverse) : StableStringOrder(keys);
        }
        else return null;
        var sorted = new List<object?>(n);
        foreach (var k in order) sorted.Add(items[k]);
        return sorted;
    }

    /// <summary>Indices 0..n-1 in the order of <paramref name="compare"/> (reversed when asked), equal keys in their original order.</summary>
    private static int[] StableOrder(int n, Func<int, int, int> compare, bool reverse)
    {
        var order = new int[n];
        for (var i = 0; i < n; i++) order[i] = i;
        Array.Sort(order, (x, y) =>
        {
            var c = compare(x, y);
            if (c != 0) return reverse ? -c : c;
            return x.CompareTo(y);
        });
        return order;
    }

    private static object? DictSort(RenderState rs, object? v, CallArgs a)
    {
        var caseSensitive = Values.Truthy(a.Get(0, "case_sensitive", BoxedFalse));
        var by = Str(a.Get(1, "by", "key"));
        var reverse = Values.Truthy(a.Get(2, "reverse", BoxedFalse));
        if (by is not ("key" or "value")) throw new TemplateRuntimeException("You can only sort by either \"key\" or \"value\"", ErrorCodes.FilterError);
        var pairs = Mappings.MapItems(RequireMapping("dictsort", v)).ToList();
        if (pairs.Count > 0 && pairs.TrueForAll(p => Values.IsString(by == "key" ? p.Key : p.Value)))
        {
            // string keys lowered once, a stable sort (OrderBy's order), then reversed whole as before
            var keys = pairs.ConvertAll(p => Values.AsString(by == "key" ? p.Key : p.Value)!);
            if (!caseSensitive) keys = keys.ConvertAll(k => k.ToLowerInvariant());
            var order = StableStringOrder(keys);
            var tuples = new List<object?>(pairs.Count);
            foreach (var k in order) tuples.Add(new PyTuple([pairs[k].Key, pairs[k].Value]));
            if (reverse) tuples.Reverse();
            return tuples;
        }
        var cmp = SortComparer(caseSensitive);
        var sorted = pairs.OrderBy(p => by == "key" ? p.Key : p.Value, cmp).ToList();
        if (reverse) sorted.Reverse();
        return sorted.Select(p => (object?)new PyTuple([p.Key, p.Value])).ToList();
    }

    private static object? Map(RenderState rs, object? v, CallArgs a)
    {
        if (v is null) return new List<object?>();
        // Jinja2's prepare_map: attribute mode only without positional arguments; with a filter name every keyword
        // argument (attribute= included) goes to that filter: map('sum', attribute='price')
        var attribute = a.Count == 0 ? a.Get(-1, "attribute") : null;
        // (a list read by index needs no iterator: the general one is made only when it is used)
        var indexable = attribute is not null ? Indexable(v) : null;
        var items = indexable is null ? Iteration.Iterate(v) : [];
        if (attribute is not null)
        {
            var hasDefault = a.Has(-1, "default");
            var def = a.Get(-1, "default");
            if (indexable is { } list)
            {
                var reader = new AttrReader(rs, attribute);
                var mapped = new List<object?>(list.Count);
                for (var i = 0; i < list.Count; i++)
                {
                    var r = reader.Read(ItemAt(list, i));
                    mapped.Add(r is Undefined && hasDefault ? def : r);
                }
                return mapped;
            }
            return items.Select(x =>
            {
                var r = AttrPath(rs, x, attribute);
                return r is Undefined && hasDefault ? def : r;
            }).ToList();
        }
        if (a.Count == 0) return items.ToList();
        var name = Str(a.Positional[0]);
        if (!rs.Host.FilterTable.TryGetValue(name, out var filter))
            throw new TemplateRuntimeException($"No filter named '{name}'", ErrorCodes.FilterError);
        var rest = a.Skip(1);
        return items.Select(x => filter(rs, x, rest)).ToList();
    }

    private static readonly TestFn EvenTest = Predicates.BuiltinTests.All["even"];
    private static readonly TestFn OddTest = Predicates.BuiltinTests.All["odd"];

    private static object? SelectOrReject(RenderState rs, object? v, CallArgs a, bool select, bool byAttr) =>
        SelectOrReject(rs, v, a, select, byAttr, counting: false, out _);

    /// <summary>
    /// <c>x|selectattr(...)|list|length</c> (and select, reject, rejectattr, with or without <c>list</c>): how many items the
    /// filter keeps, counted without building the list (the emitter fuses the chain when every filter is the built-in).
    /// </summary>
    internal static object CountSelected(RenderState rs, object? v, CallArgs a, bool select, bool byAttr, Iteration.ValueSite site)
    {
        site.Note(v);
        var selected = SelectOrReject(rs, v, a, select, byAttr, counting: true, out var count);
        return BoxLong(selected is null ? count : Iteration.Length(selected));
    }

    private static object? SelectOrReject(RenderState rs, object? v, CallArgs a, bool select, bool byAttr, bool counting, out long count)
    {
        count = 0;
        // Jinja: a falsy input (None, empty) selects nothing
        if (v is null) return counting ? null : new List<object?>();
        object? attr = null;
        var rest = a;
        if (byAttr)
        {
            attr = a.Get(0, "attribute");
            rest = a.Skip(1);
        }
        if (Indexable(v) is { } list)
        {
            // by index, the test looked up once, the attribute getter resolved once per item type
            TestFn? tf = null;
            var targs0 = CallArgs.None;
            if (rest.Count != 0)
            {
                var tname = Str(rest.Positional[0]);
                if (!rs.Host.TestTable.TryGetValue(tname, out tf))
                    throw new TemplateRuntimeException($"No test named '{tname}'", ErrorCodes.TestError);
                targs0 = rest.Skip(1);
            }
            // select('even') / select('odd') (and reject) of a list of ints with the built-in tests: the low bit, no boxing
            if (!byAttr && list is List<int> ints && targs0.Count == 0 && !targs0.HasNamed && tf is not null
                && (ReferenceEquals(tf, EvenTest) || ReferenceEquals(tf, OddTest)))
            {
                var wanted = ReferenceEquals(tf, EvenTest) == select ? 0 : 1;
                var kept = counting ? null : new List<object?>();
                foreach (var n in ints)
                {
                    if ((n & 1) != wanted) continue;
                    if (kept is null) count++;
                    else kept.Add(BoxInt(n));
                }
                return kept;
            }
            var reader = new AttrReader(rs, attr);
            var selected = counting ? null : new List<object?>();
            for (var i = 0; i < list.Count; i++)
            {
                var x = ItemAt(list, i);
                bool passed;
                if (tf is null) passed = byAttr ? reader.ReadTruthy(x) : Values.Truthy(x);
                else passed = tf(rs, byAttr ? reader.Read(x) : x, targs0);
                if (passed != select) continue;
                if (selected is null) count++;
                else selected.Add(x);
            }
            return selected;
        }
        var items = Iteration.Iterate(v);
        Func<object?, bool> test;
        if (rest.Count == 0) test = Values.Truthy;
        else
        {
            var name = Str(rest.Positional[0]);
            if (!rs.Host.TestTable.TryGetValue(name, out var t))
                throw new TemplateRuntimeException($"No test named '{name}'", ErrorCodes.TestError);
            var targs = rest.Skip(1);
            test = x => t(rs, x, targs);
        }
        return items.Where(x =>
        {
            var value = byAttr ? AttrPath(rs, x, attr) : x;
            return test(value) == select;
        }).ToList();
    }

    private static object? GroupBy(RenderState rs, object? v, CallArgs a)
    {
        var attribute = a.Get(0, "attribute");
        var hasDefault = a.Has(1, "default");
        var def = a.Get(1, "default");
        var caseSensitive = Values.Truthy(a.Get(2, "case_sensitive", BoxedFalse));
        var reader = new AttrReader(rs, attribute);
        var list = Indexable(v);
        if (list is { Count: > 0 and <= GroupScratch.Size } && GroupSmall(list, ref reader, hasDefault, def, caseSensitive) is { } small) return small;
        var keyed = new List<(object? Key, object? Item)>(list?.Count ?? 4);
        var allText = true;
        foreach (var x in list is not null ? ItemsOf(list) : Iteration.Iterate(v))
        {
            var k = reader.Read(x);
            if (k is Undefined u) { if (hasDefault) k = def; else u.Use(); }
            allText &= Values.IsString(k);
            keyed.Add((k, x));
        }
        return GroupKeyed(keyed, allText, caseSensitive);
    }

    /// <summary>
    /// groupby over a short list (the common case: the items of one record): keys and items read once into scratch
    /// arrays, string keys ordered by an insertion sort on the stack, and each group's list built at its exact size. The
    /// groups are the general path's; keys that are not all strings continue there with what was read (no item is read twice).
    /// </summary>
    private static List<object?>? GroupSmall(IList list, ref AttrReader reader, bool hasDefault, object? def, bool caseSensitive)
    {
        // taken off the thread while in use: a getter the keys run may render another template on this thread
        var scratch = t_groupScratch ?? new GroupScratch();
        t_groupScratch = null;
        var n = list.Count;
        var items = scratch.Items;
        var keys = scratch.Keys;
        var norms = scratch.Norms;
        try
        {
            if (!ReadGroupKeys(list, ref reader, hasDefault, def, caseSensitive, scratch)) return GroupKeyed(ReadKeyed(scratch, n), false, caseSensitive);
            // stable: an item moves left only past greater keys
            Span<int> order = stackalloc int[n];
            for (var i = 0; i < n; i++)
            {
                var j = i - 1;
                while (j >= 0 && Comparison.CompareStrings(norms[order[j]]!, norms[i]!) > 0)
                {
                    order[j + 1] = order[j];
                    j--;
                }
                order[j + 1] = i;
            }
            var count = 1;
            for (var j = 1; j < n; j++)
                if (!string.Equals(norms[order[j]], norms[order[j - 1]], StringComparison.Ordinal)) count++;
            var groups = new List<object?>(count);
            var start = 0;
            for (var j = 1; j <= n; j++)
            {
                if (j < n && string.Equals(norms[order[j]], norms[order[start]], StringComparison.Ordinal)) continue;
                var members = new List<object?>(j - start);
                for (var m = start; m < j; m++) members.Add(items[order[m]]);
                groups.Add(new GroupTuple(keys[order[start]], norms[order[start]], members));
                start = j;
            }
            return groups;
        }
        finally
        {
            items.AsSpan(0, n).Clear();
            keys.AsSpan(0, n).Clear();
            norms.AsSpan(0, n).Clear();
            t_groupScratch = scratch;
        }
    }

    /// <summary>
    /// The groups of a <c>{% for g in xs|groupby('key') %}</c> loop whose body cannot keep a group (see
    /// <see cref="GroupedLoopSource"/>): one list of groups and the group objects, each with its list, refilled by each
    /// such loop that reuses the view holding it.
    /// </summary>
    internal sealed class GroupPool
    {
        public readonly List<object?> Groups = [];
        public readonly GroupScratch Scratch = new();
        private readonly List<GroupTuple> _made = [];

        public GroupTuple Take(object? grouper, object? norm, int size)
        {
            var at = Groups.Count;
            GroupTuple group;
            if (at < _made.Count)
            {
                group = _made[at];
                group.Reset(grouper, norm);
            }
            else _made.Add(group = new GroupTuple(grouper, norm, new List<object?>(size)));
            Groups.Add(group);
            return group;
        }

        /// <summary>
        /// The groups of a short list (what <see cref="GroupSmall"/> makes, case-insensitive, no default) made in this
        /// pool: each key read once; string keys grouped by <see cref="Group(int)"/>; any other key leaves the grouping to the
        /// general path with the keys read.
        /// </summary>
        public List<object?> Fill(IList list, ref AttrReader reader)
        {
            var n = list.Count;
            try
            {
                return ReadGroupKeys(list, ref reader, false, null, false, Scratch) ? Group(n) : GroupKeyed(ReadKeyed(Scratch, n), false, false);
            }
            finally
            {
                Clear(n);
            }
        }

        /// <summary>
        /// <see cref="Fill"/> for a model <c>List&lt;T&gt;</c> whose key is a string member read by <paramref name="key"/>
        /// (tier-up, SiteInliner.TypedGroupedSource: an auto-implemented property or a field, so reading it again changes
        /// nothing): null, with nothing kept, when an item is null or of another type or a key is null (the general
        /// path decides those).
        /// </summary>
        public List<object?>? Fill<T>(List<T> list, Func<T, string?> key) where T : class
        {
            var source = CollectionsMarshal.AsSpan(list);
            var n = source.Length;
            if (n > ShortGroups.Length) return FillLong(source, key);
            // a short list's keys and case-folded keys held on the stack: no scratch arrays to store into and clear
            ShortGroups keyBuffer = default, normBuffer = default;
            Span<string?> keys = keyBuffer, norms = normBuffer;
            for (var i = 0; i < n; i++)
            {
                var x = source[i];
                if (x is null || x.GetType() != typeof(T) || key(x) is not { } k) return null;
                keys[i] = k;
                norms[i] = Comparison.CaseFolded(k);
            }
            return Group(AsObjects(source), AsObjects<string?>(keys[..n]), norms[..n]);
        }

        private List<object?>? FillLong<T>(ReadOnlySpan<T> source, Func<T, string?> key) where T : class
        {
            var n = source.Length;
            var keys = Scratch.Keys;
            var norms = Scratch.Norms;
            try
            {
                for (var i = 0; i < n; i++)
                {
                    var x = source[i];
                    if (x is null || x.GetType() != typeof(T) || key(x) is not { } k) return null;
                    keys[i] = k;
                    norms[i] = Comparison.CaseFolded(k);
                }
                return Group(AsObjects(source), keys.AsSpan(0, n), norms.AsSpan(0, n));
            }
            finally
            {
                // (the items are read from the list itself: only the keys were stored)
                keys.AsSpan(0, n).Clear();
                norms.AsSpan(0, n).Clear();
            }
        }

        /// <summary>A span of references read as a span of objects (reading only: every T is an object).</summary>
        private static ReadOnlySpan<object?> AsObjects<T>(ReadOnlySpan<T> items) where T : class? =>
            MemoryMarshal.CreateReadOnlySpan(ref System.Runtime.CompilerServices.Unsafe.As<T, object?>(ref MemoryMarshal.GetReference(items)), items.Length);

        private List<object?> Group(int n) => Group(Scratch.Items.AsSpan(0, n), Scratch.Keys.AsSpan(0, n), Scratch.Norms.AsSpan(0, n));

        // the distinct keys of the text keys read (the first of each, by index) in the stable string order, then each
        // one's items in order, as groups of this pool
        private List<object?> Group(ReadOnlySpan<object?> items, ReadOnlySpan<object?> keys, ReadOnlySpan<string?> norms)
        {
            var n = items.Length;
            ShortFirsts shortFirsts = default;
            Span<int> firsts = n <= ShortGroups.Length ? shortFirsts : Scratch.Firsts;
            var distinct = 0;
            for (var i = 0; i < n; i++)
            {
                var norm = norms[i]!;
                var seen = false;
                for (var d = 0; d < distinct && !seen; d++)
                    seen = SameText(norms[firsts[d]]!, norm);
                if (seen) continue;
                var at = distinct++;
                while (at > 0 && Comparison.CompareStrings(norms[firsts[at - 1]]!, norm) > 0)
                {
                    firsts[at] = firsts[at - 1];
                    at--;
                }
                firsts[at] = i;
            }
            for (var d = 0; d < distinct; d++)
            {
                var first = firsts[d];
                var norm = norms[first]!;
                var members = Take(keys[first], norm, 4).List;
                members.Add(items[first]);
                for (var i = first + 1; i < n; i++)
                    if (SameText(norms[i]!, norm)) members.Add(items[i]);
            }
            return Groups;
        }

        // equal keys (the same string read from the model, mostly): the reference, then the first character, before the text
        private static bool SameText(string a, string b) =>
            ReferenceEquals(a, b) || (a.Length == b.Length && (a.Length == 0 || (a[0] == b[0] && string.Equals(a, b))));

        private void Clear(int n)
        {
            Scratch.Items.AsSpan(0, n).Clear();
            Scratch.Keys.AsSpan(0, n).Clear();
            Scratch.Norms.AsSpan(0, n).Clear();
        }

        /// <summary>Forgets every key and item (a pool a finished loop gave back holds nothing of the model).</summary>
        public void Clear()
        {
            for (var i = 0; i < Groups.Count; i++) _made[i].Reset(null, null);
            Groups.Clear();
        }
    }

    /// <summary>
    /// <c>{% for g in xs|groupby('key') %}</c> (the built-in filter, a literal attribute, no other argument) for a loop
    /// whose body cannot keep <c>g</c> (Compilation/LightLoops.ChunkStaysInBody): a short list's groups made in the
    /// render's reused groups (<see cref="GroupPool"/>) instead of new lists and tuples; anything else gets the filter's
    /// own groups through the same view.
    /// </summary>
    internal static Iteration.ChunkView GroupedLoopSource(RenderState rs, object? v, object? attribute, Iteration.ValueSite? site)
    {
        // (the source's type, for tier-up to read a template variable's list as it reads a member's: SiteInliner.TypedGroupedSource)
        site?.Note(v);
        var list = Indexable(v);
        var view = rs.SpareChunkView ?? new Iteration.ChunkView();
        rs.SpareChunkView = null;
        if (list is { Count: > 0 and <= GroupScratch.Size })
        {
            var reader = new AttrReader(rs, attribute);
            view.Open((view.Groups ??= new GroupPool()).Fill(list, ref reader));
        }
        else view.Open((List<object?>)GroupBy(rs, v, new CallArgs([attribute], null))!);
        return view;
    }

    /// <summary>
    /// <see cref="GroupedLoopSource"/> over a model <c>List&lt;T&gt;</c> keyed by a string member (tier-up,
    /// SiteInliner.TypedGroupedSource): the keys read by <paramref name="key"/>, not through the attribute reader; a list
    /// the typed read cannot take (long, a null or other item, a null key, a sandbox) takes the general source.
    /// </summary>
    internal static Iteration.ChunkView GroupedLoopSourceOf<T>(RenderState rs, List<T> list, object? attribute, Func<T, string?> key) where T : class
    {
        if (list.Count is > 0 and <= GroupScratch.Size && SandboxRules.Of(rs) is null)
        {
            var view = rs.SpareChunkView ?? new Iteration.ChunkView();
            rs.SpareChunkView = null;
            if ((view.Groups ??= new GroupPool()).Fill(list, key) is { } groups)
            {
                view.Open(groups);
                return view;
            }
            rs.SpareChunkView = view;
        }
        return GroupedLoopSource(rs, list, attribute, null);
    }

    /// <summary>
    /// Each item of a short list and its key (read once, an undefined key replaced by the default or used) into
    /// <paramref name="scratch"/>, and each text key's form to compare by (case-folded unless case-sensitive): whether
    /// every key is text. Shared by the groupby filter (<see cref="GroupSmall"/>) and the groupby loop (<see cref="GroupPool.Fill(IList, ref AttrReader)"/>).
    /// </summary>
    private static bool ReadGroupKeys(IList list, ref AttrReader reader, bool hasDefault, object? def, bool caseSensitive, GroupScratch scratch)
    {
        var allText = true;
        for (var i = 0; i < list.Count; i++)
        {
            var x = scratch.Items[i] = ItemAt(list, i);
            var k = reader.Read(x);
            if (k is Undefined u) { if (hasDefault) k = def; else u.Use(); }
            scratch.Keys[i] = k;
            if (Values.AsString(k) is { } text) scratch.Norms[i] = caseSensitive ? text : Comparison.CaseFolded(text);
            else allText = false;
        }
        return allText;
    }

    /// <summary>The (key, item) pairs <see cref="ReadGroupKeys"/> read, for the general grouping.</summary>
    private static List<(object? Key, object? Item)> ReadKeyed(GroupScratch scratch, int n)
    {
        var keyed = new List<(object? Key, object? Item)>(n);
        for (var i = 0; i < n; i++) keyed.Add((scratch.Keys[i], scratch.Items[i]));
        return keyed;
    }

    /// <summary>Room on the stack for the keys of a short list grouped by <see cref="GroupPool.Fill{T}"/>.</summary>
    [System.Runtime.CompilerServices.InlineArray(Length)]
    internal struct ShortGroups
    {
        public const int Length = 16;
        private string? _first;
    }

    /// <summary>The first item of each distinct key of a short list (<see cref="GroupPool"/>): an array on the stack.</summary>
    [System.Runtime.CompilerServices.InlineArray(ShortGroups.Length)]
    internal struct ShortFirsts
    {
        private int _first;
    }

    /// <summary>Scratch arrays of <see cref="GroupSmall"/>, one set per thread.</summary>
    internal sealed class GroupScratch
    {
        public const int Size = 64;
        public readonly object?[] Items = new object?[Size];
        public readonly object?[] Keys = new object?[Size];
        public readonly string?[] Norms = new string?[Size];
        public readonly int[] Firsts = new int[Size];
    }

    [ThreadStatic] private static GroupScratch? t_groupScratch;

    /// <summary>The groups of (key, item) pairs read in order: string keys by a stable string order, others through the general comparer.</summary>
    private static List<object?> GroupKeyed(List<(object? Key, object? Item)> keyed, bool allText, bool caseSensitive)
    {
        if (keyed.Count > 0 && allText)
        {
            // string keys lowered once, then the stable order OrderBy gives
            var keys = new string[keyed.Count];
            for (var i = 0; i < keys.Length; i++)
            {
                var text = Values.AsString(keyed[i].Key)!;
                keys[i] = caseSensitive ? text : Comparison.CaseFolded(text);
            }
            var order = StableStringOrder(keys);
            var byKey = new List<object?>();
            GroupTuple? last = null;
            foreach (var k in order)
            {
                if (last is not null && (string)last.Norm! == keys[k]) last.List.Add(keyed[k].Item);
                else byKey.Add(last = new GroupTuple(keyed[k].Key, keys[k], [keyed[k].Item]));
            }
            return byKey;
        }
        var cmp = SortComparer(caseSensitive);
        keyed = keyed.OrderBy(p => p.Key, cmp).ToList();
        var groups = new List<object?>();
        foreach (var item in keyed)
        {
            var norm = !caseSensitive && Values.AsString(item.Key) is { } s ? s.ToLowerInvariant() : item.Key;
            if (groups.Count > 0 && groups[^1] is GroupTuple g && Comparison.Eq(g.Norm, norm)) g.List.Add(item.Item);
            else groups.Add(new GroupTuple(item.Key, norm, [item.Item]));
        }
        return groups;
    }

    /// <summary>The items of an indexable list as <see cref="Iteration.Iterate"/> yields them, into an array (no enumerator chain).</summary>
    private static object?[] ItemsOf(IList list)
    {
        var items = new object?[list.Count];
        for (var i = 0; i < items.Length; i++) items[i] = ItemAt(list, i);
        return items;
    }

    /// <summary>A <c>(grouper, list)</c> pair that unpacks like a tuple and reads as <c>.grouper</c>/<c>.list</c>.</summary>
    internal sealed class GroupTuple(object? grouper, object? norm, List<object?> list) : IKidaObject, IReadOnlyList<object?>, System.Collections.IList
    {
        public object? Grouper { get; private set; } = grouper;
        public object? Norm { get; private set; } = norm;
        public List<object?> List { get; } = list;

        /// <summary>A group of a <see cref="GroupPool"/> given its next key (its list emptied).</summary>
        public void Reset(object? grouper, object? norm)
        {
            Grouper = grouper;
            Norm = norm;
            List.Clear();
        }

        public bool TryGetMember(string name, out object? value)
        {
            value = name switch { "grouper" => Grouper, "list" => List, _ => null };
            return name is "grouper" or "list";
        }
        public object? this[int index] => index switch { 0 => Grouper, 1 => List, _ => throw new TemplateRuntimeException("IndexError: tuple index out of range", ErrorCodes.Runtime) };
        public int Count => 2;
        public IEnumerator<object?> GetEnumerator() { yield return Grouper; yield return List; }
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        object? System.Collections.IList.this[int index] { get => this[index]; set => throw new NotSupportedException(); }
        bool System.Collections.IList.IsFixedSize => true;
        bool System.Collections.IList.IsReadOnly => true;
        bool System.Collections.ICollection.IsSynchronized => false;
        object System.Collections.ICollection.SyncRoot => this;
        int System.Collections.IList.Add(object? value) => throw new NotSupportedException();
        void System.Collections.IList.Clear() => throw new NotSupportedException();
        bool System.Collections.IList.Contains(object? value) => Comparison.Eq(value, Grouper) || Comparison.Eq(value, List);
        int System.Collections.IList.IndexOf(object? value) => -1;
        void System.Collections.IList.Insert(int index, object? value) => throw new NotSupportedException();
        void System.Collections.IList.Remove(object? value) => throw new NotSupportedException();
        void System.Collections.IList.RemoveAt(int index) => throw new NotSupportedException();
        void System.Collections.ICollection.CopyTo(Array array, int index) { array.SetValue(Grouper, index); array.SetValue(List, index + 1); }
        public override string ToString() => PyString.Repr(new PyTuple([Grouper, List]));
    }

    /// <summary>
    /// <c>{% for b in xs|batch(n) %}</c> / <c>xs|slice(n)</c> (a literal count, no fill) over a list, for a loop whose body
    /// cannot keep <c>b</c> or change <c>xs</c> (Compilation/LightLoops.ChunkStaysInBody): the batches or columns as one
    /// list refilled for each index the loop reads, instead of a list per batch and one of them all. Any other value
    /// gets the filter's own result.
    /// </summary>
    internal static Iteration.ChunkView ChunkedLoopSource(RenderState rs, object? v, long n, bool slice)
    {
        // (the model lists a view reads typed first: Indexable asks more of a value)
        var items = v is List<int> or List<string> or List<object?> ? (IList)v : Indexable(v);
        // (a source read only in order: the filter's own lists, made first, as they would be)
        var made = items is null ? (List<object?>)(slice ? SliceFilter(rs, v, new CallArgs([n], null)) : Batch(rs, v, new CallArgs([n], null)))! : null;
        if (slice && items is not null) Guard.CollectionLength(n);
        // (the render keeps one view for the next such loop: the loop gives it back, Iteration.ChunkView.Release)
        var view = rs.SpareChunkView ?? new Iteration.ChunkView();
        rs.SpareChunkView = null;
        if (made is not null) view.Open(made);
        else view.Open(items!, Guard.ClampToInt(n), slice);
        return view;
    }

    /// <summary>
    /// <c>xs|batch(n)|length</c> / <c>xs|slice(n)|length</c> (a literal count, no fill; Emitter.FusedChunkCount): a list's
    /// batch count, or the column count (checked against the collection limit, as the filter checks it); anything else
    /// is made by the filter and counted.
    /// </summary>
    internal static long ChunkCount(RenderState rs, object? v, long n, bool slice)
    {
        // (the model lists counted without an interface call: a type check each; -1: not a list)
        var count = v switch
        {
            List<int> ints => ints.Count,
            List<string> texts => texts.Count,
            List<object?> objects => objects.Count,
            _ => Indexable(v) is { } items ? items.Count : -1,
        };
        if (n >= 1 && count >= 0)
        {
            if (!slice) return (count + n - 1) / n;
            Guard.CollectionLength(n);
            return n;
        }
        return Iteration.Length(slice ? SliceFilter(rs, v, new CallArgs([n], null)) : Batch(rs, v, new CallArgs([n], null)));
    }

    private static object? Batch(RenderState rs, object? v, CallArgs a)
    {
        var wanted = Numbers.ToSize(a.Get(0, "linecount"));
        if (wanted <= 0) throw new TemplateRuntimeException("batch size must be positive", ErrorCodes.FilterError);
        var hasFill = a.Has(1, "fill_with") && a.Get(1, "fill_with") is not null;
        // a filled last batch has `linecount` items whatever the input: refuse one past the limit before filling it
        if (hasFill) Guard.CollectionLength(wanted);
        var size = Guard.ClampToInt(wanted);
        var fill = a.Get(1, "fill_with");
        var result = new List<object?>();
        List<object?>? current = null;
        if (Indexable(v) is { } indexable)
        {
            result.Capacity = (indexable.Count + size - 1) / size;
            for (var i = 0; i < indexable.Count; i += size)
            {
                var n = Math.Min(size, indexable.Count - i);
                var batch = new List<object?>(hasFill ? size : n);
                for (var k = 0; k < n; k++) batch.Add(ItemAt(indexable, i + k));
                if (hasFill) while (batch.Count < size) batch.Add(fill);
                result.Add(batch);
            }
            return result;
        }
        foreach (var x in Iteration.Iterate(v))
        {
            current ??= new List<object?>();
            current.Add(x);
            if (current.Count == size) { result.Add(current); current = null; }
        }
        if (current is not null)
        {
            if (hasFill) while (current.Count < size) current.Add(fill);
            result.Add(current);
        }
        return result;
    }

    private static object? SliceFilter(RenderState rs, object? v, CallArgs a)
    {
        var wanted = Numbers.ToSize(a.Get(0, "slices"));
        if (wanted <= 0) throw new TemplateRuntimeException("slice count must be positive", ErrorCodes.FilterError);
        // the result holds `slices` lists whatever the input
        Guard.CollectionLength(wanted);
        var slices = (int)wanted;
        var hasFill = a.Get(1, "fill_with") is not null;
        var fill = a.Get(1, "fill_with");
        List<object?> seq;
        if (Indexable(v) is { } indexable)
        {
            // a list read by index (no enumerator over boxes)
            seq = new List<object?>(indexable.Count);
            for (var i = 0; i < indexable.Count; i++) seq.Add(ItemAt(indexable, i));
        }
        else seq = Iteration.Iterate(v).ToList();
        var length = seq.Count;
        var perSlice = length / slices;
        var withExtra = length % slices;
        var offset = 0;
        var result = new List<object?>(slices);
        for (var i = 0; i < slices; i++)
        {
            var start = offset + i * perSlice;
            if (i < withExtra) offset++;
            var end = offset + (i + 1) * perSlice;
            var tmp = seq.GetRange(start, end - start);
            if (hasFill && i >= withExtra) tmp.Add(fill);
            result.Add(tmp);
        }
        return result;
    }

    private static object? Sum(RenderState rs, object? v, CallArgs a)
    {
        var attribute = a.Get(0, "attribute");
        object? total = a.Get(1, "start", BoxedZero);
        if (attribute is null && total is long start && SumTyped(v, start) is { } typed) return typed;
        if (Indexable(v) is { } list)
        {
            var reader = new AttrReader(rs, attribute);
            // integers added unboxed while they stay integers that fit a long; anything else through Arithmetic.Add
            long acc = 0;
            var inLong = total is long;
            if (inLong) acc = (long)total!;
            for (var i = 0; i < list.Count; i++)
            {
                var x = ItemAt(list, i);
                var item = attribute is null ? x : reader.Read(x);
                if (inLong)
                {
                    long n;
                    if (item is int iv) n = iv;
                    else if (item is long lv) n = lv;
                    else { inLong = false; total = Arithmetic.Add(acc, item); continue; }
                    var r = acc + n;
                    if (((acc ^ r) & (n ^ r)) < 0) { inLong = false; total = Arithmetic.Add(acc, item); continue; }
                    acc = r;
                }
                else total = Arithmetic.Add(total, item);
            }
            return inLong ? BoxLong(acc) : total;
        }
        foreach (var x in Iteration.Iterate(v)) total = Arithmetic.Add(total, attribute is null ? x : AttrPath(rs, x, attribute));
        return total;
    }

    /// <summary>The sum of a list of ints, longs or doubles without boxing; null when the list is of another kind or a long would overflow.</summary>
    /// <summary>The sum of a model list of ints (tier-up types <c>x.nums|sum</c> as an operand with it): an int list cannot overflow a long.</summary>
    internal static long SumOfInts(List<int> list)
    {
        long acc = 0;
        foreach (var n in CollectionsMarshal.AsSpan(list)) acc += n;
        return acc;
    }

    private static object? SumTyped(object? v, long start)
    {
        long acc = start;
        switch (v)
        {
            case List<int> li:
                foreach (var n in li) acc += n; // an int list cannot overflow a long before 2^32 items
                return start == 0 || !Overflowed(start, acc - start) ? BoxLong(acc) : null;
            case int[] ia:
                foreach (var n in ia) acc += n;
                return start == 0 || !Overflowed(start, acc - start) ? BoxLong(acc) : null;
            case List<long> ll:
                foreach (var n in ll)
                {
                    var r = acc + n;
                    if (((acc ^ r) & (n ^ r)) < 0) return null;
                    acc = r;
                }
                return BoxLong(acc);
            case List<double> ld:
                // Python: start + x0 + x1 ...: an int start turns float at the first item
                if (ld.Count == 0) return BoxLong(start);
                double d = start;
                foreach (var x in ld) d += x;
                return d;
        }
        return null;

        static bool Overflowed(long s, long added) => (s > 0 && added > long.MaxValue - s) || (s < 0 && added < long.MinValue - s);
    }

    /// <summary>
    /// <c>{{ xs|reverse|join(sep) }}</c> with the built-in filters: a list of ints written backwards with its separators
    /// (no list in between); anything else joins what the reverse filter returns.
    /// </summary>
    internal static void WriteReversedJoin(RenderState rs, Output output, object? v, string sep, bool escape)
    {
        if (!WriteIntListJoined(output, v, reverse: true, sep, escape)) WriteJoin(rs, output, Reverse(v), sep, escape);
    }

    /// <summary>A short list of ints sorted (or reversed) in a stack buffer and joined into the output; false for anything else.</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private static bool WriteIntListJoined(Output output, object? v, bool reverse, string sep, bool escape)
    {
        if (v is not List<int> { Count: > 0 and <= 256 } ints) return false;
        Span<int> values = stackalloc int[ints.Count];
        ints.CopyTo(values);
        if (reverse) values.Reverse();
        else values.Sort();
        WriteIntsJoined(output, values, sep, escape);
        return true;
    }

    /// <summary>
    /// <c>{{ xs[a:b]|join(sep) }}</c> (literal bounds or none, no step): a model list of ints or strings joined from the
    /// slice's part of it, with no list made; anything else is sliced and joined as written.
    /// </summary>
    internal static void WriteSliceJoin(RenderState rs, Output output, object? v, object? start, object? stop, string sep, bool escape)
    {
        if (v is List<int> ints)
        {
            var (from, count) = StepOneSlice(ints.Count, start, stop);
            WriteIntsJoined(output, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ints).Slice(from, count), sep, escape);
            return;
        }
        if (v is List<string> strings)
        {
            var (from, count) = StepOneSlice(strings.Count, start, stop);
            if (WriteStrings(output, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(strings).Slice(from, count), sep, escape)) return;
        }
        WriteJoin(rs, output, MemberAccess.Slice(v, start, stop, null), sep, escape);
    }

    /// <summary>Where <c>[start:stop]</c> (boxed longs or None) falls in a sequence of <paramref name="length"/> items, as Python clamps it.</summary>
    private static (int From, int Count) StepOneSlice(int length, object? start, object? stop)
    {
        static long Bound(object? b, long length, long absent)
        {
            if (b is not long v) return absent;
            if (v < 0) v = Math.Max(0, v + length);
            return Math.Min(v, length);
        }
        var from = Bound(start, length, 0);
        var to = Bound(stop, length, length);
        return ((int)from, (int)Math.Max(0, to - from));
    }

    /// <summary>
    /// Ints joined by <paramref name="sep"/> straight into the output, as the joined string prints (digits need no
    /// escaping; the separator is escaped once), within join's limit on the joined length.
    /// </summary>
    internal static void WriteIntsJoined(Output output, ReadOnlySpan<int> values, string sep, bool escape)
    {
        var n = values.Length;
        // the longest text (11 characters an int) passes every configured limit, or the exact length is counted
        if (11L * n + (long)sep.Length * (n - 1) > KidaLimits.StringLengthFloor)
        {
            long total = (long)sep.Length * (n - 1);
            foreach (var x in values) total += x.ToString(CultureInfo.InvariantCulture).Length;
            Guard.StringLength(total);
        }
        var escapeSep = escape && !ReferenceEquals(Output.EscapeSeparator(sep), sep);
        for (var i = 0; i < n; i++)
        {
            if (i > 0)
            {
                if (escapeSep) output.WriteEscaped(sep);
                else output.Write(sep);
            }
            output.WriteInt(values[i]);
        }
    }

    /// <summary>The reverse filter: a string's code points backwards (markup stays markup), any other sequence's items as a new list.</summary>
    internal static object Reverse(object? v) =>
        Values.AsString(v) is { } s ? KeepMarkup(v, string.Concat(s.EnumerateRunes().Reverse())) : Reversed(v);

    /// <summary>The items of a sequence in reverse order, as a new list (a list read by index, without a buffer in between).</summary>
    private static List<object?> Reversed(object? v)
    {
        if (Indexable(v) is not { } list) return Iteration.Iterate(v).Reverse().ToList();
        var n = list.Count;
        var result = new List<object?>(n);
        for (var i = n - 1; i >= 0; i--) result.Add(ItemAt(list, i));
        return result;
    }

    private static object? MinMax(RenderState rs, object? v, CallArgs a, int sign)
    {
        var plain = a.Count == 0 && !a.HasNamed;
        var caseSensitive = !plain && Values.Truthy(a.Get(0, "case_sensitive", BoxedFalse));
        var attribute = plain ? null : a.Get(1, "attribute");
        if (attribute is null && TypedMinMax(v, sign, caseSensitive) is { } typed) return typed;
        object? best = null;
        object? bestKey = null;
        var any = false;
        var indexable = Indexable(v);
        var n = indexable?.Count ?? 0;
        using var rest = indexable is null ? Iteration.Iterate(v).GetEnumerator() : null;
        for (var i = 0; indexable is not null ? i < n : rest!.MoveNext(); i++)
        {
            var x = indexable is not null ? ItemAt(indexable, i) : rest!.Current;
            var key = attribute is null ? x : AttrPath(rs, x, attribute);
            if (!any || CompareSortKeys(key, bestKey, caseSensitive) * sign > 0) { best = x; bestKey = key; any = true; }
        }
        return any ? best : new Undefined(sign > 0 ? "max" : "min", "No aggregated item, sequence was empty.", rs.Strict);
    }

    /// <summary>
    /// min/max of a non-empty list of ints, longs or strings, compared as the general path compares them (strings by
    /// code point, lowered unless case-sensitive), the first of equal items kept; null for anything else.
    /// </summary>
    private static object? TypedMinMax(object? v, int sign, bool caseSensitive)
    {
        switch (v)
        {
            case List<int> { Count: > 0 } ints: return Boxes.Int(Best(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ints), sign));
            case int[] { Length: > 0 } ints: return Boxes.Int(Best<int>(ints, sign));
            case List<long> { Count: > 0 } longs: return Boxes.Long(Best(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(longs), sign));
            case long[] { Length: > 0 } longs: return Boxes.Long(Best<long>(longs, sign));
            case List<string> { Count: > 0 } strings when !strings.Contains(null!):
            {
                var best = strings[0];
                var bestKey = caseSensitive ? best : Comparison.CaseFolded(best);
                for (var i = 1; i < strings.Count; i++)
                {
                    var key = caseSensitive ? strings[i] : Comparison.CaseFolded(strings[i]);
                    if (Comparison.CompareStrings(key, bestKey) * sign > 0) { best = strings[i]; bestKey = key; }
                }
                return best;
            }
            default: return null;
        }

        static T Best<T>(ReadOnlySpan<T> items, int sign) where T : IComparable<T>
        {
            var best = items[0];
            foreach (var x in items[1..])
                if (x.CompareTo(best) * sign > 0) best = x;
            return best;
        }
    }

    private static object? Unique(RenderState rs, object? v, CallArgs a)
    {
        var caseSensitive = Values.Truthy(a.Get(0, "case_sensitive", BoxedFalse));
        var attribute = a.Get(1, "attribute");
        // hashable keys (strings, numbers, tuples, None) in a hash set, so the filter stays linear; anything else
        // (lists, mappings, objects) compared one by one as before
        // up to 8 hashable keys compared one by one (the set's equality), a hash set beyond that
        HashSet<object>? seenHashed = null;
        List<object>? seenFew = null;
        List<object?>? seenOther = null;
        var result = new List<object?>();
        var indexable = Indexable(v);
        var items = indexable is not null ? ItemsOf(indexable) : Iteration.Iterate(v);
        foreach (var x in items)
        {
            rs.CallTick();
            var key = attribute is null ? x : AttrPath(rs, x, attribute);
            if (!caseSensitive && Values.AsString(key) is { } s) key = s.ToLowerInvariant();
            key = Values.Unwrap(key);
            if (key is null or string or Markup or bool or PyTuple || Numbers.IsNumber(key))
            {
                if (key is PyTuple t && !t.All(IsHashable))
                {
                    seenOther ??= new List<object?>();
                    if (seenOther.Any(k => Comparison.Eq(k, key))) continue;
                    seenOther.Add(key);
                }
                else if (!AddSeen(key ?? NullKey.Instance)) continue;
            }
            else
            {
                seenOther ??= new List<object?>();
                if (seenOther.Any(k => Comparison.Eq(k, key))) continue;
                seenOther.Add(key);
            }
            result.Add(x);
        }
        return result;

        bool AddSeen(object key)
        {
            if (seenHashed is not null) return seenHashed.Add(key);
            seenFew ??= new List<object>();
            foreach (var k in seenFew) if (key is string ks && k is string s2 ? string.Equals(ks, s2, StringComparison.Ordinal) : PyKeyComparer.Instance.Equals(k, key)) return false;
            seenFew.Add(key);
            if (seenFew.Count > 8) seenHashed = new HashSet<object>(seenFew, PyKeyComparer.Instance);
            return true;
        }
    }

    private static bool IsHashable(object? v) => v is null or string or Markup or bool || Numbers.IsNumber(v) || v is PyTuple t && t.All(IsHashable);

    private static object? Indent(RenderState rs, object? v, CallArgs a)
    {
        var width = a.Get(0, "width", BoxedFour);
        var first = Values.Truthy(a.Get(1, "first", BoxedFalse));
        var blank = Values.Truthy(a.Get(2, "blank", BoxedFalse));
        var given = Values.AsString(width);
        var spaces = given is null ? Numbers.ToSize(width) : 0;
        if (given is null) Guard.StringLength(spaces);
        var markup = v is Markup;
        var s = RequireText("indent", v);
        // a single line is indented only with first=True: without it, the text comes back as it is
        if (!first && !s.AsSpan().ContainsAny(TextUtil.LineBreaks)) return markup ? v : s;
        var indention = given ?? new string(' ', (int)Math.Max(0, spaces));
        if (markup && Values.AsString(width) is not null && width is not Markup) indention = Output.Escape(indention);
        // Jinja: s + "\n" split with Python's splitlines (every line break kind), rejoined with "\n"; the indented
        // lines are all blank=True lines, or the non-empty ones after the first (and the first too with first=True).
        // Built once, after its length has been checked against the string limit.
        var lines = TextUtil.SplitLines(s + "\n");
        long total = first ? indention.Length : 0;
        for (var i = 0; i < lines.Count; i++)
        {
            total += lines[i].Length + (i > 0 ? 1 : 0);
            if (i > 0 && (blank || lines[i].Length > 0)) total += indention.Length;
        }
        Guard.StringLength(total);
        var sb = new StringBuilder((int)total);
        if (first) sb.Append(indention);
        for (var i = 0; i < lines.Count; i++)
        {
            if (i > 0)
            {
                sb.Append('\n');
                if (blank || lines[i].Length > 0) sb.Append(indention);
            }
            sb.Append(lines[i]);
        }
        var text = sb.ToString();
        return markup ? new Markup(text) : text;
    }

    /// <summary>
    /// <c>{{ v|tojson }}</c> with the built-in filter: a plain ASCII string without characters to escape is written quoted
    /// straight into the output (no JSON string, no Markup); anything else prints what the filter returns.
    /// </summary>
    internal static void WriteToJson(RenderState rs, Output output, object? v)
    {
        if (v is string s && JsonPlain(s))
        {
            Guard.StringLength(s.Length + 2L);
            output.Write('"');
            output.Write(s);
            output.Write('"');
            return;
        }
        if (v is not string && TryWriteJsonTyped(output, v)) return;
        if (v is not string && Indexable(v) is { } list)
        {
            var sb = t_jsonBuffer ??= new StringBuilder(256);
            sb.Clear();
            bool flat;
            try
            {
                flat = ToJsonFlatList(list, sb);
                if (flat)
                    foreach (var chunk in sb.GetChunks()) output.Write(chunk.Span);
            }
            finally
            {
                // a huge list's buffer is not kept, even when the string limit stopped it
                if (sb.Capacity > 64 * 1024) t_jsonBuffer = null;
            }
            if (flat) return;
        }
        output.WriteValue(ToJson(rs, v, CallArgs.None), escape: false);
    }

    private static object? ToJson(RenderState rs, object? v, CallArgs a)
    {
        var indent = a.Get(0, "indent");
        var attr = Values.Truthy(a.Get(-1, "attr", BoxedFalse));
        if (indent is null && !attr && ToJsonFlat(v) is { } flat) return new Markup(flat);
        var sb = new StringBuilder();
        // < > & ' are written as \u003c \u003e \u0026 \u0027 (still valid JSON): the output is safe inside a script
        // block ("</script>", "<!--") and inside a single- or double-quoted attribute. attr=true HTML-escapes the
        // whole text instead (for a double-quoted attribute; the browser unescapes it back to the same JSON).
        Json.Write(sb, v, indent is null ? -1 : Guard.ClampToInt(Numbers.ToSize(indent)), 0, htmlSafe: !attr);
        Guard.StringLength(sb.Length);
        var text = sb.ToString();
        if (attr) text = Output.Escape(text);
        return new Markup(text);
    }

    // the characters Json.WriteString writes as they are: printable ASCII but for " \ < > & ' (one vectorised scan
    // tells whether a string needs no escaping at all)
    private static readonly System.Buffers.SearchValues<char> JsonPlainChars = System.Buffers.SearchValues.Create(
        new string(Enumerable.Range(0x20, 0x7f - 0x20).Select(i => (char)i).Where(c => c is not ('"' or '\\' or '<' or '>' or '&' or '\'')).ToArray()));

    /// <summary>Whether <paramref name="s"/> is written into JSON as it is, between quotes.</summary>
    private static bool JsonPlain(string s) => !s.AsSpan().ContainsAnyExcept(JsonPlainChars);

    /// <summary><c>tojson</c> of a string, number, bool or None, or a list of them (no nesting, no cycle check needed); null otherwise.</summary>
    private static string? ToJsonFlat(object? v)
    {
        if (v is string s)
        {
            if (JsonPlain(s))
            {
                Guard.StringLength(s.Length + 2L);
                return string.Concat("\"", s, "\"");
            }
            var one = new StringBuilder(s.Length + 2);
            Json.WriteString(one, s);
            Guard.StringLength(one.Length);
            return one.ToString();
        }
        if (Indexable(v) is not { } list) return null;
        var sb = new StringBuilder(list.Count * 8 + 2);
        return ToJsonFlatList(list, sb) ? sb.ToString() : null;
    }

    // a thread's buffer for printed tojson of a list (ToJsonFlatList calls nothing that could print another)
    [ThreadStatic] private static StringBuilder? t_jsonBuffer;

    /// <summary>
    /// Printed <c>tojson</c> of a model <c>List&lt;int|long|string&gt;</c> or <c>int[]</c>/<c>long[]</c>/<c>string[]</c>,
    /// written straight into the output without boxing an item. Only when the text's length is known to pass the string
    /// limit (a bound for numbers, the exact length for strings), so nothing is written before an error; false otherwise
    /// (a string that needs escaping, or a list near the limit, takes the general path).
    /// </summary>
    private static bool TryWriteJsonTyped(Output output, object? v)
    {
        switch (v)
        {
            // (a number's JSON is its digits, or a finite float's repr; true, false and null as JSON spells them)
            case int n: output.WriteInt(n); return true;
            case long l: output.WriteInt(l); return true;
            case double d when double.IsFinite(d): output.WriteDouble(d); return true;
            case bool b: output.Write(b ? "true" : "false"); return true;
            case null: output.Write("null"); return true;
            case List<int> li: return WriteJsonIntegers<int>(output, CollectionsMarshal.AsSpan(li));
            case int[] ai: return WriteJsonIntegers<int>(output, ai);
            case List<long> ll: return WriteJsonIntegers<long>(output, CollectionsMarshal.AsSpan(ll));
            case long[] al: return WriteJsonIntegers<long>(output, al);
            case List<string> ls: return WriteJsonStrings(output, CollectionsMarshal.AsSpan(ls));
            case string[] sa: return WriteJsonStrings(output, sa);
            default: return false;
        }
    }

    private static bool WriteJsonIntegers<T>(Output output, ReadOnlySpan<T> items) where T : struct, IBinaryInteger<T>
    {
        // at most 20 digits and a sign per number, ", " between them, and the brackets
        if (!FitsStringLimit(2L + items.Length * 22L)) return false;
        output.Write('[');
        for (var i = 0; i < items.Length; i++)
        {
            if (i > 0) output.Write(", ");
            output.WriteInt(long.CreateTruncating(items[i]));
        }
        output.Write(']');
        return true;
    }

    private static bool WriteJsonStrings(Output output, ReadOnlySpan<string> items)
    {
        var length = 2L + Math.Max(0, items.Length - 1) * 2L;
        foreach (var item in items)
        {
            if (item is null || !JsonPlain(item)) return false;
            length += item.Length + 2L;
        }
        if (!FitsStringLimit(length)) return false;
        output.Write('[');
        for (var i = 0; i < items.Length; i++)
        {
            if (i > 0) output.Write(", ");
            output.Write('"');
            output.Write(items[i]);
            output.Write('"');
        }
        output.Write(']');
        return true;
    }

    /// <summary>Whether a text of <paramref name="length"/> characters passes the running render's string limit.</summary>
    internal static bool FitsStringLimit(long length) => length <= KidaLimits.StringLengthFloor || length <= RenderState.CurrentLimits.MaxStringLength;

    /// <summary><c>tojson</c> of a list of strings, numbers, bools and None written into <paramref name="sb"/>; false otherwise.</summary>
    private static bool ToJsonFlatList(IList list, StringBuilder sb)
    {
        sb.Append('[');
        for (var i = 0; i < list.Count; i++)
        {
            Guard.StringLength(sb.Length);
            if (i > 0) sb.Append(", ");
            switch (ItemAt(list, i))
            {
                case null: sb.Append("null"); break;
                case bool b: sb.Append(b ? "true" : "false"); break;
                case int n: sb.Append(CultureInfo.InvariantCulture, $"{n}"); break;
                case long l: sb.Append(CultureInfo.InvariantCulture, $"{l}"); break;
                case string str:
                    if (JsonPlain(str)) sb.Append('"').Append(str).Append('"');
                    else Json.WriteString(sb, str);
                    break;
                default: return false;
            }
        }
        sb.Append(']');
        Guard.StringLength(sb.Length);
        return true;
    }

    private static object? UrlEncode(RenderState rs, object? v, CallArgs a)
    {
        static string Quote(string s, string safe) =>
            string.Concat(Encoding.UTF8.GetBytes(s).Select(b =>
                (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || "_.-~".Contains((char)b) || safe.Contains((char)b)
                    ? ((char)b).ToString()
                    : "%" + b.ToString("X2", CultureInfo.InvariantCulture)));
        if (Values.AsString(v) is { } text && Ascii.IsValid(text)) return QuoteAscii(text);
        if (Values.IsString(v)) return Quote(Str(v), "/");
        IEnumerable<KeyValuePair<object?, object?>> pairs;
        if (Values.IsMapping(v)) pairs = Mappings.MapItems(v!);
        else if (v is System.Collections.IEnumerable) pairs = Iteration.Iterate(v).Select(p => { var l = Iteration.AsList(p); return new KeyValuePair<object?, object?>(l[0], l[1]); });
        else return Quote(Str(v), "/");
        // query-string quoting of pairs: nothing safe, a space becomes '+'
        static string QueryQuote(string s) => Quote(s, "").Replace("%20", "+", StringComparison.Ordinal);
        return string.Join("&", pairs.Select(p => QueryQuote(Str(p.Key)) + "=" + QueryQuote(Str(p.Value))));
    }

    /// <summary>Python's <c>quote(s, safe="/")</c> of an ASCII string in one pass.</summary>
    private static string QuoteAscii(string s)
    {
        if (!s.AsSpan().ContainsAnyExcept(UrlSafe)) return s;
        var escapes = 0;
        foreach (var c in s) if (!IsUrlSafe(c)) escapes++;
        return string.Create(s.Length + 2 * escapes, s, static (dst, src) =>
        {
            var j = 0;
            foreach (var c in src)
            {
                if (IsUrlSafe(c)) { dst[j++] = c; continue; }
                dst[j++] = '%';
                dst[j++] = "0123456789ABCDEF"[c >> 4];
                dst[j++] = "0123456789ABCDEF"[c & 15];
            }
        });
    }

    private static bool IsUrlSafe(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '~' or '/';

    private static object? XmlAttr(RenderState rs, object? v, CallArgs a)
    {
        var autospace = Values.Truthy(a.Get(0, "autospace", BoxedTrue));
        var map = RequireMapping("xmlattr", v);
        // every attribute written with a space before it into one builder (the first space dropped without autospace)
        var text = new StringBuilder();
        switch (map)
        {
            case Dictionary<object, object?> literal:
                foreach (var (key, value) in literal) AppendAttribute(text, key is NullKey ? null : key, Values.Unwrap(value));
                break;
            case Dictionary<string, object?> plain:
                foreach (var (key, value) in plain) AppendAttribute(text, key, Values.Unwrap(value));
                break;
            default:
                foreach (var (key, value) in Mappings.MapItems(map)) AppendAttribute(text, key, value);
                break;
        }
        Guard.StringLength(text.Length);
        var result = !autospace && text.Length > 0 ? text.ToString(1, text.Length - 1) : text.ToString();
        return rs.EvalAutoescape ? new Markup(result) : result;
    }

    // ` name="value"` for a value that is not None or undefined; a name that could end the attribute is refused
    private static void AppendAttribute(StringBuilder text, object? key, object? value)
    {
        if (value is null or Undefined) return;
        var name = Str(key);
        var valid = name.Length > 0;
        foreach (var c in name)
            if (char.IsWhiteSpace(c) || c is '/' or '>' or '=' or '"' or '\'' or '\0') valid = false;
        if (!valid) throw new TemplateRuntimeException($"Invalid character in attribute name: {PyString.Repr(name)}", ErrorCodes.FilterError);
        text.Append(' ').Append(Output.Escape(name)).Append("=\"").Append(AttributeValue(value)).Append('"');
    }

    /// <summary>
    /// An attribute value Kida writes between double quotes: text is HTML-escaped; Markup keeps its entities but a
    /// quote in it is escaped too, so no value can end the attribute.
    /// </summary>
    internal static string AttributeValue(object? value) =>
        value is Markup m ? m.Value.Replace("\"", "&quot;", StringComparison.Ordinal) : Output.Escape(Str(value));

    private static object? WordWrap(RenderState rs, object? v, CallArgs a)
    {
        var width = (int)Numbers.ToLong(a.Get(0, "width", 79L));
        var breakLong = Values.Truthy(a.Get(1, "break_long_words", BoxedTrue));
        var wrapstring = Str(a.Get(2, "wrapstring", "\n"));
        var breakOnHyphens = Values.Truthy(a.Get(3, "break_on_hyphens", BoxedTrue));
        if (width <= 0) throw new TemplateRuntimeException($"invalid width {width} (must be > 0)", ErrorCodes.FilterError);
        var source = RequireText("wordwrap", v);
        if (SimpleWrap(source, width, breakLong, breakOnHyphens) is { } ranges)
        {
            // one line of text, its wrapped lines ranges of it: the result built once
            var sb = new StringBuilder((int)CheckedWrapLength(ranges, wrapstring.Length));
            for (var i = 0; i < ranges.Count; i++)
            {
                if (i > 0) sb.Append(wrapstring);
                sb.Append(source, ranges[i].Start, ranges[i].Length);
            }
            ReturnWrapRanges(ranges);
            return sb.ToString();
        }
        // Jinja: every line (splitlines) wrapped by Python's textwrap (tabs and whitespace kept), joined with wrapstring
        var wrapped = new List<string>();
        foreach (var line in TextUtil.SplitLines(source))
        {
            var pieces = TextWrap(line, width, breakLong, breakOnHyphens);
            if (pieces.Count == 0) wrapped.Add("");
            else wrapped.AddRange(pieces);
        }
        return TextUtil.JoinChecked(wrapstring, wrapped);
    }

    // Python textwrap's chunking: whitespace runs, em-dashes between words, words split after hyphens between letters
    private const string Ws = @"[\t\n\x0b\x0c\r ]";
    private const string NoWs = @"[^\t\n\x0b\x0c\r ]";
    private const string WordPunct = @"[\w!""'&.,?]";
    private const string Letter = @"[^\d\W]";

    [GeneratedRegex("(" + Ws + "+" + "|(?<=" + WordPunct + ")-{2,}(?=\\w)" + "|" + NoWs + "+?(?:-(?:(?<=" + Letter + "{2}-)|(?<=" + Letter + "-" + Letter + "-))(?=" + Letter + "-?" + Letter + ")|(?=" + Ws + "|\\z)|(?<=" + WordPunct + ")(?=-{2,}\\w)))")]
    private static partial Regex WordSeparators();


    /// <summary>
    /// Python's <c>textwrap.wrap</c> with expand_tabs/replace_whitespace off and drop_whitespace on (lengths in code
    /// points). Linear: a chunk broken across lines is walked with an offset (never copied or re-counted per line).
    /// </summary>
    private static List<string> TextWrap(string text, int width, bool breakLong, bool breakOnHyphens)
    {
        var parts = breakOnHyphens && text.Contains('-') ? WordSeparators().Split(text) : WhitespaceAndWords(text);
        // the chunks still to place, last one first: (text, offset of its unplaced rest, code points in that rest)
        var chunks = new List<(string S, int Start, int Len)>(parts.Length);
        for (var i = parts.Length - 1; i >= 0; i--)
            if (parts[i].Length > 0) chunks.Add((parts[i], 0, PyString.StrLen(parts[i])));
        var lines = new List<string>();
        var line = new List<(string S, int Start)>();
        while (chunks.Count > 0)
        {
            Guard.Tick();
            line.Clear();
            var length = 0;
            if (lines.Count > 0 && IsBlank(chunks[^1])) chunks.RemoveAt(chunks.Count - 1);
            while (chunks.Count > 0)
            {
                var l = chunks[^1].Len;
                if (length + (long)l > width) break;
                line.Add((chunks[^1].S, chunks[^1].Start));
                chunks.RemoveAt(chunks.Count - 1);
                length += l;
            }
            if (chunks.Count > 0 && chunks[^1].Len > width)
            {
                var spaceLeft = width < 1 ? 1 : width - length;
                if (breakLong)
                {
                    var (chunk, start, chunkLen) = chunks[^1];
                    var end = spaceLeft;
                    if (breakOnHyphens && chunkLen > spaceLeft)
                    {
                        // the last hyphen within the first spaceLeft code points, when something other than hyphens precedes it
                        var limit = TextUtil.CharIndexFrom(chunk, start, spaceLeft);
                        var hyphen = limit - 1 < start ? -1 : chunk.LastIndexOf('-', limit - 1, limit - start);
                        if (spaceLeft > 0 && hyphen > start && chunk.AsSpan(start, hyphen - start).ContainsAnyExcept('-'))
                            end = TextUtil.CodePointCount(chunk, start, hyphen) + 1;
                    }
                    var cut = TextUtil.CharIndexFrom(chunk, start, end);
                    line.Add((chunk[start..cut], 0));
                    chunks[^1] = (chunk, cut, chunkLen - TextUtil.CodePointCount(chunk, start, cut));
                }
                else if (line.Count == 0)
                {
                    line.Add((chunks[^1].S, chunks[^1].Start));
                    chunks.RemoveAt(chunks.Count - 1);
                }
            }
            if (line.Count > 0 && line[^1].S.AsSpan(line[^1].Start).Trim(WsChars).Length == 0) line.RemoveAt(line.Count - 1);
            if (line.Count == 1) lines.Add(line[0].Start == 0 ? line[0].S : line[0].S[line[0].Start..]);
            else if (line.Count > 1)
            {
                var sb = new StringBuilder();
                foreach (var (piece, start) in line) sb.Append(piece, start, piece.Length - start);
                lines.Add(sb.ToString());
            }
        }
        return lines;
    }

    /// <summary>
    /// <see cref="TextWrap"/> for one line of plain text (no line break, no surrogate, and no hyphen when hyphens may
    /// break), as ranges of it: there every chunk is a run of spaces and tabs or of other characters, and every wrapped line
    /// is a contiguous part of the text. The same steps as TextWrap on offsets, with no chunk or line strings. Null for
    /// any other text; the ranges go back with <see cref="ReturnWrapRanges"/>.
    /// </summary>
    private static List<(int Start, int Length)>? SimpleWrap(string text, int width, bool breakLong, bool breakOnHyphens)
    {
        if (text.Length == 0) return null;
        foreach (var c in text)
            if (c < ' ' && c != '\t' || c is '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029' || char.IsSurrogate(c) || (c == '-' && breakOnHyphens))
                return null;
        var lines = t_wrapRanges ?? new List<(int Start, int Length)>();
        t_wrapRanges = null;
        lines.Clear();
        var n = text.Length;
        var pos = 0;
        var runEnd = 0; // the end of the run holding pos, once found (pos only moves forward: linear in the text)
        while (pos < n)
        {
            Guard.Tick();
            // a whitespace chunk that would begin a line after the first is dropped
            if (lines.Count > 0 && IsWrapSpace(text[pos]))
            {
                pos = End(pos);
                if (pos >= n) break;
            }
            var lineStart = pos;
            var length = 0;
            var last = -1; // where the line's last chunk starts
            while (pos < n)
            {
                var end = End(pos);
                if (length + (long)(end - pos) > width) break;
                length += end - pos;
                last = pos;
                pos = end;
            }
            if (pos < n && End(pos) - pos > width)
            {
                var spaceLeft = width < 1 ? 1 : width - length;
                if (breakLong)
                {
                    last = pos;
                    pos += spaceLeft;
                }
                else if (last < 0)
                {
                    last = pos;
                    pos = End(pos);
                }
            }
            var lineEnd = pos;
            // a whitespace chunk that would end the line is dropped
            if (last >= 0 && IsWrapSpace(text[last]))
            {
                lineEnd = last;
                last = last == lineStart ? -1 : 0;
            }
            if (last >= 0) lines.Add((lineStart, lineEnd - lineStart));
        }
        return lines;

        int End(int at) => at < runEnd ? runEnd : runEnd = ChunkEnd(text, at);

        static bool IsWrapSpace(char c) => c is ' ' or '\t';

        static int ChunkEnd(string text, int pos)
        {
            var space = IsWrapSpace(text[pos]);
            var end = pos + 1;
            while (end < text.Length && IsWrapSpace(text[end]) == space) end++;
            return end;
        }
    }

    /// <summary>The length of the wrapped lines joined by a separator of <paramref name="separator"/> characters, checked against the string limit.</summary>
    private static long CheckedWrapLength(List<(int Start, int Length)> ranges, int separator)
    {
        long total = ranges.Count > 0 ? (long)separator * (ranges.Count - 1) : 0;
        foreach (var (_, length) in ranges) total += length;
        Guard.StringLength(total);
        return total;
    }

    [ThreadStatic] private static List<(int Start, int Length)>? t_wrapRanges;

    private static void ReturnWrapRanges(List<(int Start, int Length)> ranges)
    {
        if (ranges.Capacity <= 256) t_wrapRanges = ranges;
    }

    /// <summary>
    /// <c>{{ v|wordwrap(width) }}</c> (the built-in, a literal width and defaults otherwise): a line of plain text written
    /// line by line as the filter's string would print; anything else prints what the filter returns.
    /// </summary>
    internal static void WriteWordWrapped(RenderState rs, Output output, object? v, int width, CallArgs a, bool escape)
    {
        if (v is string text && width > 0 && SimpleWrap(text, width, true, true) is { } ranges)
        {
            CheckedWrapLength(ranges, 1);
            for (var i = 0; i < ranges.Count; i++)
            {
                if (i > 0) output.Write('\n');
                var line = text.AsSpan(ranges[i].Start, ranges[i].Length);
                if (escape) output.WriteEscaped(line);
                else output.Write(line);
            }
            ReturnWrapRanges(ranges);
            return;
        }
        output.WriteValue(WordWrap(rs, v, a), escape);
    }

    // the runs of whitespace and of other characters, in order: what splitting at whitespace runs gives, and what the
    // word rule gives for text without a hyphen (its other cases all need one)
    private static string[] WhitespaceAndWords(string text)
    {
        var parts = new List<string>();
        var start = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            if (i < text.Length && Array.IndexOf(WsChars, text[i]) >= 0 == Array.IndexOf(WsChars, text[i - 1]) >= 0) continue;
            parts.Add(text[start..i]);
            start = i;
        }
        return parts.ToArray();
    }

    private static bool IsBlank((string S, int Start, int Len) chunk) => chunk.S.AsSpan(chunk.Start).Trim(WsChars).Length == 0;

    private static readonly char[] WsChars = ['\t', '\n', '\x0b', '\x0c', '\r', ' '];

    private static object? Urlize(RenderState rs, object? v, CallArgs a)
    {
        var trim = a.Get(0, "trim_url_limit") is { } t ? (int?)Guard.ClampToInt(Numbers.ToLong(t)) : null;
        var nofollow = Values.Truthy(a.Get(1, "nofollow", BoxedFalse));
        var target = a.Get(2, "target") is { } tg ? Str(tg) : null;
        var rel = a.Get(3, "rel") is { } r ? Str(r) : null;
        var schemes = a.Get(4, "extra_schemes") is { } extra ? Iteration.Iterate(extra).Select(Str).ToList() : [];
        var text = Filters.Urlize.Apply(v, trim, nofollow, target, rel, schemes);
        return rs.EvalAutoescape ? new Markup(text) : text;
    }
}

/// <summary>JSON output with Python <c>json.dumps</c> conventions (", " and ": " separators, ASCII escapes).</summary>
internal static class Json
{
    /// <summary>How deeply nested a value <c>tojson</c> writes may be.</summary>
    private const int MaxDepth = 200;

    public static void Write(StringBuilder sb, object? v, int indent, int level, bool htmlSafe = true) => Write(sb, v, indent, level, htmlSafe, null);

    private static void Write(StringBuilder sb, object? v, int indent, int level, bool htmlSafe, HashSet<object>? path)
    {
        // a JSON number keeps its text (no precision lost through double)
        if (v is JsonElement { ValueKind: JsonValueKind.Number } number) { sb.Append(number.GetRawText()); return; }
        v = Values.Unwrap(v);
        if (level > MaxDepth)
            throw new TemplateRuntimeException($"tojson: the value is nested more than {MaxDepth} levels deep", ErrorCodes.RecursionDepth);
        Guard.StringLength(sb.Length);
        // Python's json.dumps: a container that contains itself is an error, not endless output
        if (v is not null and not string and not Markup and not JsonElement && (Values.IsMapping(v) || v is System.Collections.IEnumerable))
        {
            path ??= new HashSet<object>(ReferenceEqualityComparer.Instance);
            if (!path.Add(v)) throw new TemplateRuntimeException("tojson: ValueError: Circular reference detected", ErrorCodes.TypeError);
            try
            {
                WriteContainer(sb, v, indent, level, htmlSafe, path);
            }
            finally
            {
                path.Remove(v);
            }
            return;
        }
        WriteContainer(sb, v, indent, level, htmlSafe, path);
    }

    private static void WriteContainer(StringBuilder sb, object? v, int indent, int level, bool htmlSafe, HashSet<object>? path)
    {
        switch (v)
        {
            case null or Undefined: sb.Append("null"); return;
            case bool b: sb.Append(b ? "true" : "false"); return;
            case string or Markup: WriteString(sb, PyString.Str(v), htmlSafe); return;
            case double d:
                sb.Append(double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : Numbers.FormatDouble(d));
                return;
            case JsonElement { ValueKind: JsonValueKind.Array } ja:
                // re-written, not copied as raw text: a string in it gets the same escaping as any other
                Write(sb, ja.EnumerateArray().Select(x => (object?)x).ToList(), indent, level, htmlSafe);
                return;
            case JsonElement { ValueKind: JsonValueKind.Object } jo:
            {
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var p in jo.EnumerateObject()) map[p.Name] = p.Value;
                Write(sb, map, indent, level, htmlSafe);
                return;
            }
            case JsonElement other: WriteString(sb, other.ToString(), htmlSafe); return;
        }
        if (Numbers.IsNumber(v)) { sb.Append(Numbers.Format(v!)); return; }
        if (Values.IsMapping(v))
        {
            var items = Mappings.MapItems(v!).ToList();
            if (items.Count == 0) { sb.Append("{}"); return; }
            sb.Append('{');
            for (var i = 0; i < items.Count; i++)
            {
                Guard.StringLength(sb.Length);
                if (i > 0) sb.Append(indent >= 0 ? "," : ", ");
                NewLine(sb, indent, level + 1);
                WriteString(sb, PyString.Str(items[i].Key), htmlSafe);
                sb.Append(": ");
                Write(sb, items[i].Value, indent, level + 1, htmlSafe, path);
            }
            NewLine(sb, indent, level);
            sb.Append('}');
            return;
        }
        if (v is System.Collections.IEnumerable && v is not KidaCallable)
        {
            var items = Iteration.Iterate(v).ToList();
            if (items.Count == 0) { sb.Append("[]"); return; }
            sb.Append('[');
            for (var i = 0; i < items.Count; i++)
            {
                Guard.StringLength(sb.Length);
                if (i > 0) sb.Append(indent >= 0 ? "," : ", ");
                NewLine(sb, indent, level + 1);
                Write(sb, items[i], indent, level + 1, htmlSafe, path);
            }
            NewLine(sb, indent, level);
            sb.Append(']');
            return;
        }
        if (v is DateTime or DateTimeOffset or Guid) { WriteString(sb, PyString.Str(v), htmlSafe); return; }
        // the properties a template could read (MemberPolicy): never reflection, tasks or services
        var props = SandboxRules.Of(null) is { } sandbox ? sandbox.VisibleProperties(v!.GetType()).ToArray() : MemberPolicy.For(v!.GetType()).Properties;
        if (props.Length == 0) { WriteString(sb, PyString.Str(v), htmlSafe); return; }
        var dict = new Dictionary<string, object?>();
        foreach (var p in props) dict[p.Name] = Members.TryGet(v, p.Name, out var pv) ? pv : null;
        Write(sb, dict, indent, level, htmlSafe, path);
    }

    private static void NewLine(StringBuilder sb, int indent, int level)
    {
        if (indent < 0) return;
        Guard.StringLength(sb.Length + 1L + (long)indent * level);
        sb.Append('\n').Append(' ', indent * level);
    }

    public static void WriteString(StringBuilder sb, string s, bool htmlSafe = true)
    {
        Guard.StringLength(sb.Length, s.Length);
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                // HTML-significant characters as \u escapes (still valid JSON): tojson output is safe inside <script>
                // ("</script>", "<!--") and inside a single- or double-quoted attribute
                case '<' when htmlSafe: sb.Append("\\u003c"); break;
                case '>' when htmlSafe: sb.Append("\\u003e"); break;
                case '&' when htmlSafe: sb.Append("\\u0026"); break;
                case '\'' when htmlSafe: sb.Append("\\u0027"); break;
                default:
                    if (c < 0x20 || c > 0x7e) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
