using Microsoft.AspNetCore.Mvc;
using MvcSample.Models;

namespace MvcSample.Controllers;

/// <summary>The products page; answers only the list fragment to HTMX requests.</summary>
public sealed class ProductsController : Controller
{
    /// <summary>GET /products.</summary>
    public IActionResult Index()
    {
        var products = Product.All;
        if (Request.Headers["HX-Request"] == "true")
            return new FromResult(Results.Extensions.KidaBlock("Products/Index.html", "list",
                new Dictionary<string, object?> { ["model"] = products, ["title"] = "Products" }));
        ViewData["Title"] = "Products";
        return View(products);
    }

    /// <summary>GET /products/item/{id}: one product row as a partial view (Views/Products/Item.html, no layout).</summary>
    public IActionResult Item(int id) =>
        Product.All.FirstOrDefault(p => p.Id == id) is { } product ? PartialView(product) : NotFound();

    /// <summary>GET /products/count: the ProductCount view component (a Kida view) on its own.</summary>
    public IActionResult Count() => ViewComponent("ProductCount");

    private sealed class FromResult(IResult result) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
    }
}
