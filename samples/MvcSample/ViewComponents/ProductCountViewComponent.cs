using Microsoft.AspNetCore.Mvc;
using MvcSample.Models;

namespace MvcSample.ViewComponents;

/// <summary>A view component whose view is a Kida template: Views/Shared/Components/ProductCount/Default.html.</summary>
public sealed class ProductCountViewComponent : ViewComponent
{
    /// <summary>Renders the number of products.</summary>
    public IViewComponentResult Invoke() => View(Product.All.Count);
}
