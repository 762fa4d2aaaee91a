using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Fluid;
using Fluid.Values;
using HandlebarsDotNet;
using Scriban.Runtime;

namespace Kida.Benchmarks;

/// <summary>
/// What the shop and dashboard workloads need from peers that have no built-in for it (Jinja's title case and word
/// truncation, two-decimal money, summing/grouping by a member, a key-sorted dictionary): small custom filters,
/// helpers or functions, registered the way each engine's users add them. Members are read by reflection (cached).
/// </summary>
public static class PeerFilters
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly ConcurrentDictionary<(Type, string), PropertyInfo> Props = new();

    public static object? Get(object? obj, string name)
    {
        if (obj is null) return null;
        var p = Props.GetOrAdd((obj.GetType(), name), k =>
            k.Item1.GetProperty(k.Item2, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)
            ?? k.Item1.GetProperty(k.Item2.Replace("_", ""), BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)
            ?? throw new MissingMemberException(k.Item1.Name, k.Item2));
        return p.GetValue(obj);
    }

    public static string Money(object? value) => Convert.ToDecimal(value, Inv).ToString("F2", Inv);

    public static decimal SumBy(IEnumerable items, string name)
    {
        var s = 0m;
        foreach (var x in items) s += Convert.ToDecimal(Get(x, name), Inv);
        return s;
    }

    public static List<object> WhereTrue(IEnumerable items, string name)
    {
        var r = new List<object>();
        foreach (var x in items) if (Get(x, name) is true) r.Add(x);
        return r;
    }

    /// <summary>Groups in key order (case-insensitive), items in their original order.</summary>
    public static List<Group> GroupBy(IEnumerable items, string name)
    {
        var groups = new SortedDictionary<string, Group>(StringComparer.OrdinalIgnoreCase);
        foreach (var x in items)
        {
            var key = Convert.ToString(Get(x, name), Inv) ?? "";
            if (!groups.TryGetValue(key, out var g)) groups[key] = g = new Group { Name = key };
            g.Items.Add(x);
        }
        return groups.Values.ToList();
    }

    public static List<KeyValuePair<string, object?>> DictSort(IEnumerable dict)
    {
        var pairs = new List<KeyValuePair<string, object?>>();
        foreach (var e in dict)
            pairs.Add(e switch
            {
                DictionaryEntry de => new((string)de.Key, de.Value),
                KeyValuePair<string, object?> kv => kv,
                _ => throw new ArgumentException("not a dictionary entry: " + e),
            });
        return pairs.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).ToList();
    }

    public sealed class Group
    {
        public string Name { get; set; } = "";
        public List<object> Items { get; } = new();
    }

    // ---- Fluid

    public static void AddTo(TemplateOptions options)
    {
        static ValueTask<FluidValue> V(FluidValue v) => new(v);
        static IEnumerable<object> Objects(FluidValue input, TemplateContext ctx)
        {
            foreach (var item in input.Enumerate(ctx)) yield return item.ToObjectValue();
        }
        options.Filters.AddFilter("title", (input, args, ctx) => V(new StringValue(Text.Title(input.ToStringValue()))));
        options.Filters.AddFilter("money", (input, args, ctx) => V(new StringValue(input.ToNumberValue().ToString("F2", Inv))));
        options.Filters.AddFilter("sum_by", (input, args, ctx) => V(NumberValue.Create(SumBy(Objects(input, ctx), args.At(0).ToStringValue()))));
        options.Filters.AddFilter("group_by", (input, args, ctx) => V(FluidValue.Create(
            GroupBy(Objects(input, ctx), args.At(0).ToStringValue())
                .Select(g => (object)new Dictionary<string, object> { ["name"] = g.Name, ["items"] = g.Items }).ToList(), ctx.Options)));
        options.Filters.AddFilter("dictsort", (input, args, ctx) => V(FluidValue.Create(
            DictSort(input.ToObjectValue() as IEnumerable ?? input.Enumerate(ctx).Select(kv => (object)new KeyValuePair<string, object?>(kv.Enumerate(ctx).First().ToStringValue(), kv.Enumerate(ctx).Last().ToObjectValue())).ToList()).Select(p => (object)new Dictionary<string, object?> { ["key"] = p.Key, ["value"] = p.Value }).ToList(), ctx.Options)));
    }

    // ---- Scriban

    public static void AddTo(Scriban.Runtime.ScriptObject model)
    {
        model.Import("money", new Func<object, string>(Money));
        model.Import("where_true", new Func<IEnumerable, string, Scriban.Runtime.ScriptArray>((items, name) => new Scriban.Runtime.ScriptArray(WhereTrue(items, name))));
        model.Import("sum_by", new Func<IEnumerable, string, decimal>(SumBy));
        model.Import("group_by", new Func<IEnumerable, string, Scriban.Runtime.ScriptArray>((items, name) =>
        {
            var r = new Scriban.Runtime.ScriptArray();
            foreach (var g in GroupBy(items, name)) r.Add(new Scriban.Runtime.ScriptObject { ["name"] = g.Name, ["items"] = new Scriban.Runtime.ScriptArray(g.Items) });
            return r;
        }));
        model.Import("dictsort", new Func<IEnumerable, Scriban.Runtime.ScriptArray>(dict =>
        {
            var r = new Scriban.Runtime.ScriptArray();
            foreach (var p in DictSort(dict)) r.Add(new Scriban.Runtime.ScriptObject { ["key"] = p.Key, ["value"] = p.Value });
            return r;
        }));
    }

    // ---- Handlebars.Net

    public static void AddTo(HandlebarsDotNet.IHandlebars hb)
    {
        hb.RegisterHelper("titleCase", (context, args) => Text.Title((string)args[0]));
        hb.RegisterHelper("money2", (context, args) => Money(args[0]));
        hb.RegisterHelper("truncateWords", (context, args) => Text.Truncate((string)args[0], Convert.ToInt32(args[1], Inv)));
        hb.RegisterHelper("countOf", (context, args) => ((ICollection)args[0]).Count);
        hb.RegisterHelper("whereTrue", (context, args) => WhereTrue((IEnumerable)args[0], (string)args[1]));
        hb.RegisterHelper("sumBy", (context, args) => SumBy((IEnumerable)args[0], (string)args[1]));
        hb.RegisterHelper("groupBy", (context, args) => GroupBy((IEnumerable)args[0], (string)args[1]));
        hb.RegisterHelper("dictsort", (context, args) => DictSort((IEnumerable)args[0]));
        hb.RegisterHelper("ymd", (context, args) => ((DateTime)args[0]).ToString("yyyy-MM-dd", Inv));
        hb.RegisterHelper("mul", (context, args) => (Convert.ToInt32(args[0], Inv) * (decimal)args[1]).ToString(Inv));
        hb.RegisterHelper("pct", (context, args) => Convert.ToInt32(args[0], Inv) * 100 / 9);
    }
}

/// <summary>DotLiquid's custom filters for the shop and dashboard workloads (method names become snake_case filter names).</summary>
public static class DotLiquidPeerFilters
{
    public static string Title(string input) => Text.Title(input);
    public static string Money(object input) => PeerFilters.Money(input);
    public static decimal SumBy(IEnumerable input, string name) => PeerFilters.SumBy(input, name);
    public static List<DotLiquid.Hash> GroupBy(IEnumerable input, string name) =>
        PeerFilters.GroupBy(input, name).Select(g => DotLiquid.Hash.FromDictionary(new Dictionary<string, object> { ["name"] = g.Name, ["items"] = g.Items })).ToList();
    public static List<DotLiquid.Hash> Dictsort(IEnumerable input) =>
        PeerFilters.DictSort(input).Select(p => DotLiquid.Hash.FromDictionary(new Dictionary<string, object> { ["key"] = p.Key, ["value"] = p.Value! })).ToList();
}
