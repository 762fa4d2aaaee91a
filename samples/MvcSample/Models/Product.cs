namespace MvcSample.Models;

/// <summary>A product shown on the products page.</summary>
/// <param name="Id">The product's id.</param>
/// <param name="Name">The product's name.</param>
/// <param name="Price">The product's price.</param>
public sealed record Product(int Id, string Name, decimal Price)
{
    /// <summary>The sample's catalogue.</summary>
    public static IReadOnlyList<Product> All { get; } =
    [
        new(1, "Teapot", 24.50m),
        new(2, "Cup & saucer", 8.00m),
        new(3, "<Kettle>", 39.90m),
    ];
}
