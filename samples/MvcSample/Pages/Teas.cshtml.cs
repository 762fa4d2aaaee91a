using Kida.AspNetCore;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using MvcSample.Models;

namespace MvcSample.Pages;

/// <summary>GET /teas: a Razor Page whose handler renders a Kida template (Views/Pages/Teas.html) instead of Razor markup.</summary>
public sealed class TeasModel : PageModel
{
    /// <summary>The teas of the shop.</summary>
    public IReadOnlyList<Product> Teas { get; private set; } = [];

    /// <summary>Renders Views/Pages/Teas.html, named after the page, in the default layout.</summary>
    public IActionResult OnGet()
    {
        Teas = Product.All.Where(p => p.Tags.Contains("tea")).ToArray();
        ViewData["Title"] = "Teas";
        return new KidaPageResult(this);
    }

    /// <summary>GET /teas?handler=list: only the list (Views/Pages/TeaList.html, named explicitly; it opts out of the layout).</summary>
    public IActionResult OnGetList()
    {
        Teas = Product.All.Where(p => p.Tags.Contains("tea")).ToArray();
        return new KidaPageResult("Pages/TeaList.html", this);
    }
}
