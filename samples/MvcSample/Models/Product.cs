namespace MvcSample.Models;

/// <summary>A product of the sample's catalogue.</summary>
/// <param name="Id">The product's id.</param>
/// <param name="Name">The product's name (the third one shows that every value is escaped).</param>
/// <param name="Price">The product's price.</param>
/// <param name="Status">Stock status: <c>in_stock</c>, <c>low_stock</c> or <c>sold_out</c> (a <c>match</c> picks the badge).</param>
/// <param name="Tags">Tags the search page filters by.</param>
/// <param name="Description">One sentence about the product.</param>
public sealed record Product(int Id, string Name, decimal Price, string Status, IReadOnlyList<string> Tags, string Description)
{
    /// <summary>The tags offered as filters on the search page.</summary>
    public static IReadOnlyList<string> AllTags { get; } = ["kitchen", "tea"];

    /// <summary>The sample's catalogue.</summary>
    public static IReadOnlyList<Product> All { get; } =
    [
        new(1, "Teapot", 24.50m, "in_stock", ["kitchen", "tea"], "A round stoneware teapot for four cups."),
        new(2, "Cup & saucer", 8.00m, "low_stock", ["kitchen"], "White porcelain, dishwasher safe."),
        new(3, "<Kettle>", 39.90m, "in_stock", ["kitchen"], "Its name is markup on purpose: every value is escaped."),
        new(4, "Sencha", 12.00m, "in_stock", ["tea"], "Green tea from Shizuoka, 100 g."),
        new(5, "Earl Grey", 9.50m, "sold_out", ["tea"], "Black tea with bergamot, 100 g."),
        new(6, "Matcha whisk", 14.00m, "in_stock", ["tea"], "A bamboo chasen with 100 prongs."),
        new(7, "Oolong", 15.50m, "low_stock", ["tea"], "Half-oxidised tea from Taiwan, 100 g."),
        new(8, "Tea strainer", 6.00m, "in_stock", ["kitchen", "tea"], "Fine stainless-steel mesh."),
        new(9, "Rooibos", 8.50m, "in_stock", ["tea"], "Caffeine-free red bush tea, 100 g."),
        new(10, "Milk jug", 11.00m, "sold_out", ["kitchen"], "Holds 250 ml."),
        new(11, "Jasmine pearls", 18.00m, "in_stock", ["tea"], "Hand-rolled green tea scented with jasmine, 50 g."),
        new(12, "Tea towel", 5.50m, "in_stock", ["kitchen"], "Linen, 50 × 70 cm."),
    ];

    /// <summary>
    /// Products whose name contains <paramref name="query"/> (ignoring case) and, when <paramref name="tags"/> is not
    /// empty, that carry one of them.
    /// </summary>
    public static IReadOnlyList<Product> Search(string? query, IReadOnlyCollection<string> tags) =>
        All.Where(p => (string.IsNullOrWhiteSpace(query) || p.Name.Contains(query.Trim(), StringComparison.OrdinalIgnoreCase))
                       && (tags.Count == 0 || p.Tags.Any(tags.Contains)))
           .ToArray();
}

/// <summary>One page of a list.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Items">The items of this page.</param>
/// <param name="Number">The page number, from 1.</param>
/// <param name="Count">How many pages there are.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, int Number, int Count)
{
    /// <summary>Whether there is a page before this one.</summary>
    public bool HasPrevious => Number > 1;

    /// <summary>Whether there is a page after this one.</summary>
    public bool HasNext => Number < Count;

    /// <summary>Cuts page <paramref name="number"/> of <paramref name="size"/> items out of <paramref name="all"/>; null when there is no such page.</summary>
    public static Page<T>? Of(IReadOnlyList<T> all, int number, int size)
    {
        var count = Math.Max(1, (all.Count + size - 1) / size);
        return number < 1 || number > count ? null : new(all.Skip((number - 1) * size).Take(size).ToArray(), number, count);
    }
}
