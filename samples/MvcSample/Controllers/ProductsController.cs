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
            return new FromResult(Results.Extensions.KidaBlock("Views/Products/Index.html", "list",
                new Dictionary<string, object?> { ["model"] = products, ["title"] = "Products" }));
        ViewData["Title"] = "Products";
        return View(products);
    }

    private sealed class FromResult(IResult result) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
    }
}
