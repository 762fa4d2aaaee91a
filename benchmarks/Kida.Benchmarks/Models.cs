using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Kida.Benchmarks;

// Data only uses characters every engine escapes the same way (apart from the spelling of the '"' entity,
// which Workload.Normalise unifies): '<', '>', '&', '"'; no apostrophes, '+', '=', backticks or non-ASCII.

public sealed class GreetingModel { public string Name { get; set; } = ""; }

public sealed class UserCardModel
{
    public string Title { get; set; } = "";
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public string Email { get; set; } = "";
    public string City { get; set; } = "";
    public string Country { get; set; } = "";
    public string Company { get; set; } = "";
    public string Role { get; set; } = "";
    public string Joined { get; set; } = "";
    public int Posts { get; set; }
    public int Followers { get; set; }
    public bool Active { get; set; }
}

public sealed class MediumSection
{
    public string Heading { get; set; } = "";
    public string Lead { get; set; } = "";
    public string Author { get; set; } = "";
    public string Email { get; set; } = "";
    public string Link { get; set; } = "";
    public string Summary { get; set; } = "";
    public string Body { get; set; } = "";
    public string Note { get; set; } = "";
    public string Tag { get; set; } = "";
    public string Footer { get; set; } = "";
}

public sealed class MediumModel
{
    public MediumSection S0 { get; set; } = new();
    public MediumSection S1 { get; set; } = new();
    public MediumSection S2 { get; set; } = new();
    public MediumSection S3 { get; set; } = new();
    public MediumSection S4 { get; set; } = new();
    public MediumSection S5 { get; set; } = new();
    public MediumSection S6 { get; set; } = new();
    public MediumSection S7 { get; set; } = new();
    public MediumSection S8 { get; set; } = new();
    public MediumSection S9 { get; set; } = new();
    public MediumSection[] All => [S0, S1, S2, S3, S4, S5, S6, S7, S8, S9];
}

public sealed class LargeItem
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    public int Score { get; set; }
}

public sealed class LargeModel { public List<LargeItem> Items { get; set; } = new(); }

public sealed class Product
{
    public string Name { get; set; } = "";
    public decimal Price { get; set; }
    public string Description { get; set; } = "";
    public List<string> Tags { get; set; } = new();
    public bool InStock { get; set; }
}

public sealed class Catalog { public List<Product> Products { get; set; } = new(); }

public sealed class SiteInfo { public string Name { get; set; } = ""; public string Tagline { get; set; } = ""; }
public sealed class UserInfo { public string Name { get; set; } = ""; }
public sealed class PageInfo { public string Title { get; set; } = ""; public string Intro { get; set; } = ""; }
public sealed class Article { public string Title { get; set; } = ""; public string Summary { get; set; } = ""; public string Author { get; set; } = ""; }
public sealed class Link { public string Href { get; set; } = ""; public string Text { get; set; } = ""; }

public sealed class ComplexModel
{
    public SiteInfo Site { get; set; } = new();
    public UserInfo User { get; set; } = new();
    public PageInfo Page { get; set; } = new();
    public List<Article> Articles { get; set; } = new();
    public List<Link> Links { get; set; } = new();
    public int Year { get; set; }
}

public sealed class NavLink { public string Href { get; set; } = ""; public string Text { get; set; } = ""; public bool Active { get; set; } }

public sealed class PageRow
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    public string Email { get; set; } = "";
    public string Role { get; set; } = "";
    public decimal Balance { get; set; }
    public bool Active { get; set; }
}

public sealed class PageModel
{
    public string Title { get; set; } = "";
    public string Company { get; set; } = "";
    public string Notice { get; set; } = "";
    public UserInfo User { get; set; } = new();
    public List<NavLink> Nav { get; set; } = new();
    public List<PageRow> Rows { get; set; } = new();
    public int Year { get; set; }
}

public static class Data
{
    private static string S(int i) => i.ToString(CultureInfo.InvariantCulture);

    public static GreetingModel Minimal() => new() { Name = "World" };

    public static UserCardModel Small() => new()
    {
        Title = "Dr. <Ada>", FirstName = "Ada", LastName = "Lovelace & Byron", Email = "ada@example.com",
        City = "London", Country = "United Kingdom", Company = "Analytical \"Engines\" Ltd", Role = "Engineer",
        Joined = "1843-07-10", Posts = 1842, Followers = 99173, Active = true,
    };

    public static MediumModel Medium()
    {
        MediumSection Sec(int i) => new()
        {
            Heading = "Section " + S(i) + ": <Getting> started",
            Lead = "Read this & that before section " + S(i),
            Author = "Author " + S(i) + " & Co",
            Email = "author" + S(i) + "@example.com",
            Link = "/docs/section-" + S(i) + "#top",
            Summary = "Summary of \"part " + S(i) + "\"",
            Body = "Body text " + S(i) + " with <em>markup</em> that must be escaped, a < b & c > d.",
            Note = "Note: x < " + S(i * 10) + " always",
            Tag = "tag-" + S(i),
            Footer = "End of section " + S(i) + " & more",
        };
        return new MediumModel
        {
            S0 = Sec(0), S1 = Sec(1), S2 = Sec(2), S3 = Sec(3), S4 = Sec(4),
            S5 = Sec(5), S6 = Sec(6), S7 = Sec(7), S8 = Sec(8), S9 = Sec(9),
        };
    }

    public static LargeModel Large(int count = 1000)
    {
        var items = new List<LargeItem>(count);
        for (var i = 0; i < count; i++)
            items.Add(new LargeItem { Id = i, Name = "Item " + S(i) + (i % 5 == 0 ? " & <special>" : ""), Score = i * 7 % 1000 });
        return new LargeModel { Items = items };
    }

    public const int ProductCount = 500;

    public static Catalog Products(int count = ProductCount)
    {
        var products = new List<Product>(count);
        for (var i = 0; i < count; i++)
        {
            products.Add(new Product
            {
                Name = "Product " + S(i),
                // cents always 11..18, so no engine drops a trailing zero
                Price = (i * 100 + 11 + i % 8) / 100m,
                Description = "Fast & \"light\" <b>widget</b> number " + S(i) + " with a < b & c > d",
                Tags = new List<string> { "tag" + S(i % 7), "cat" + S(i % 3), "sale" },
                InStock = i % 3 != 0,
            });
        }
        return new Catalog { Products = products };
    }

    public static ComplexModel Complex() => new()
    {
        Site = new SiteInfo { Name = "Kida & Friends", Tagline = "Templates <fast> and \"safe\"" },
        User = new UserInfo { Name = "Grace <Hopper>" },
        Page = new PageInfo { Title = "Release notes", Intro = "What changed in 2.0 & why it is <faster>." },
        Articles = Enumerable.Range(0, 5).Select(i => new Article
        {
            Title = "Article " + S(i) + " & friends",
            Summary = "A <short> summary of \"article " + S(i) + "\"",
            Author = "Writer " + S(i),
        }).ToList(),
        Links = Enumerable.Range(0, 5).Select(i => new Link { Href = "/docs/" + S(i) + "#intro", Text = "Doc " + S(i) + " <new>" }).ToList(),
        Year = 2026,
    };

    /// <summary>The page of the web benchmarks; <paramref name="rows"/> table rows (20 in the throughput runs, 6,000 for a 1 MB page).</summary>
    public static PageModel Page(int rows = 20) => new()
    {
        Title = "Customers & accounts",
        Company = "Acme <Widgets> Inc",
        Notice = "Balances are \"provisional\" until the 5th & may change.",
        User = new UserInfo { Name = "Linus <admin>" },
        Nav = new[] { "Home", "Customers", "Orders", "Invoices", "Reports", "Settings" }
            .Select((t, i) => new NavLink { Href = "/" + t.ToLowerInvariant(), Text = t, Active = i == 1 }).ToList(),
        Rows = Enumerable.Range(1, rows).Select(i => new PageRow
        {
            Id = i,
            Name = "Customer " + S(i) + (i % 4 == 0 ? " & Sons" : ""),
            Email = "customer" + S(i) + "@example.com",
            Role = i % 3 == 0 ? "<admin>" : "user",
            Balance = (i * 1234 + 11 + i % 8) / 100m,
            Active = i % 2 == 0,
        }).ToList(),
        Year = 2026,
    };

    /// <summary>The same model as nested <c>Dictionary&lt;string, object?&gt;</c> with snake_case keys and lists.</summary>
    public static Dictionary<string, object?> ToDictionary(object model) => (Dictionary<string, object?>)Convert(model)!;

    private static object? Convert(object? value)
    {
        switch (value)
        {
            case null or string or bool or int or long or decimal or double or DateTime: return value;
            case IDictionary map:
                var m = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (DictionaryEntry e in map) m[(string)e.Key] = Convert(e.Value);
                return m;
            case IEnumerable list:
                var l = new List<object?>();
                foreach (var item in list) l.Add(Convert(item));
                return l;
        }
        var d = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0 || p.Name == "All") continue;
            d[Snake(p.Name)] = Convert(p.GetValue(value));
        }
        return d;
    }

    public static string Snake(string name)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }

    /// <summary>Every type reachable from a model (for engines that need types registered).</summary>
    public static IEnumerable<Type> ModelTypes(Type root)
    {
        var seen = new HashSet<Type>();
        var todo = new Stack<Type>();
        todo.Push(root);
        while (todo.Count > 0)
        {
            var t = todo.Pop();
            if (t.IsPrimitive || t == typeof(string) || t == typeof(decimal) || !seen.Add(t)) continue;
            if (t.IsArray) { todo.Push(t.GetElementType()!); continue; }
            if (t.IsGenericType) { foreach (var a in t.GetGenericArguments()) todo.Push(a); if (typeof(IEnumerable).IsAssignableFrom(t)) continue; }
            foreach (var p in t.GetProperties()) todo.Push(p.PropertyType);
        }
        return seen.Where(t => t.Namespace == typeof(Data).Namespace);
    }
}

// ---- issue 15 workloads: filters in real templates

public sealed class ShopItem
{
    public string Name { get; set; } = "";
    public decimal Price { get; set; }
    public string Description { get; set; } = "";
    public string? Brand { get; set; }
    public bool InStock { get; set; }
}

public sealed class Shop { public List<ShopItem> Products { get; set; } = new(); }

public sealed class Order
{
    public int Id { get; set; }
    public string Region { get; set; } = "";
    public bool Paid { get; set; }
    public int Qty { get; set; }
    public decimal Unit { get; set; }
    public decimal Total { get; set; }
    public DateTime Placed { get; set; }
}

public sealed class Dashboard
{
    public string Title { get; set; } = "";
    public List<Order> Orders { get; set; } = new();
    public Dictionary<string, object?> Stats { get; set; } = new();
    public int TotalQty { get; set; }
}

public static class Data2
{
    private static string S(int i) => i.ToString(CultureInfo.InvariantCulture);
    private static readonly string[] Colours = ["blue", "red", "green", "black", "white", "silver"];
    private static readonly string[] Kinds = ["widget", "gadget", "gizmo", "sprocket"];

    public static Shop Shop(int count = Data.ProductCount) => new()
    {
        Products = Enumerable.Range(0, count).Select(i => new ShopItem
        {
            Name = Colours[i % 6] + " " + Kinds[i % 4] + " " + S(i),
            // whole dollars, dimes and cents: '{:.2f}' pads them to two places
            Price = i % 3 == 0 ? i + 5 : i % 3 == 1 ? (i * 10 + 3) / 10m : (i * 100 + 11 + i % 8) / 100m,
            Description = "Fast & light <b>" + Kinds[i % 4] + "</b> number " + i.ToString("D4", CultureInfo.InvariantCulture) + " with a < b & c > d, built to last",
            Brand = i % 5 == 0 ? null : "Acme " + S(i % 9),
            InStock = i % 3 != 0,
        }).ToList(),
    };

    public static Dashboard Dashboard(int count = 200)
    {
        string[] regions = ["north", "south", "east", "west", "central"];
        var orders = Enumerable.Range(1, count).Select(i =>
        {
            // odd quantities times prices whose last cent digit is odd and not 5: no product ends in 0, so engines
            // that drop trailing zeros of decimals print the same text
            var qty = i % 5 * 2 + 1;
            var unit = ((i * 37 % 500) * 10 + 101 + i % 4 * 2 + (i % 4 >= 2 ? 2 : 0)) / 100m;
            return new Order
            {
                Id = i, Region = regions[i * 7 % 5], Paid = i % 4 != 0, Qty = qty, Unit = unit, Total = qty * unit,
                Placed = new DateTime(2026, 1, 1).AddDays(i * 3 % 300).AddHours(i % 24),
            };
        }).ToList();
        return new Dashboard
        {
            Title = "quarterly sales & returns",
            Orders = orders,
            Stats = new Dictionary<string, object?> { ["orders"] = count, ["customers"] = 57, ["refunds"] = 3, ["avg_qty"] = 5, ["Backlog"] = 12 },
            TotalQty = orders.Sum(o => o.Qty),
        };
    }
}
