using Microsoft.AspNetCore.Mvc;
using MvcSample.Models;

namespace MvcSample.Controllers;

/// <summary>The home and about pages.</summary>
public sealed class HomeController : Controller
{
    /// <summary>GET /: the home page rendered through the layout, with three featured products as cards.</summary>
    public IActionResult Index()
    {
        ViewData["Title"] = "Kida for .NET";
        ViewData["Items"] = new[] { "Fast", "Thread-safe", "Jinja-compatible" };
        ViewData["Featured"] = Product.All.Where(p => p.Status == "in_stock").Take(3).ToArray();
        return View();
    }

    /// <summary>
    /// GET /home/about: a Razor view (About.cshtml) inside the Kida layout (through Shared/_KidaLayout.cshtml), using a
    /// Kida view component and partial.
    /// </summary>
    public IActionResult About()
    {
        ViewData["Title"] = "About";
        ViewData["Message"] = "Razor & Kida side by side";
        return View();
    }
}
