using Microsoft.AspNetCore.Mvc;
using MvcSample.Models;

namespace MvcSample.Controllers;

/// <summary>The products page, five to a page; answers only the list block to htmx requests.</summary>
public sealed class ProductsController : Controller
{
    /// <summary>How many products one page lists.</summary>
    public const int PageSize = 5;

    /// <summary>GET /products?page=N: 400 when N is not a number, 404 when there is no such page.</summary>
    public IActionResult Index(int page = 1)
    {
        if (!ModelState.IsValid) return BadRequest();
        if (Page<Product>.Of(Product.All, page, PageSize) is not { } current) return NotFound();
        if (Request.Headers["HX-Request"] == "true" && Request.Headers["HX-Boosted"] != "true")
            return new FromResult(Results.Extensions.KidaBlock("Products/Index.html", "list",
                new Dictionary<string, object?> { ["model"] = current, ["title"] = "Products" }));
        ViewData["Title"] = "Products";
        ViewData["Total"] = Product.All.Count;
        return View(current);
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
