using Microsoft.AspNetCore.Mvc;

namespace MvcSample.Controllers;

/// <summary>The home page.</summary>
public sealed class HomeController : Controller
{
    /// <summary>GET /: the home page rendered through the layout.</summary>
    public IActionResult Index()
    {
        ViewData["Title"] = "Kida for .NET";
        ViewData["Items"] = new[] { "Fast", "Thread-safe", "Jinja-compatible" };
        return View();
    }

    /// <summary>GET /home/about: a Razor view (About.cshtml) in the same app, using a Kida view component and partial.</summary>
    public IActionResult About()
    {
        ViewData["Title"] = "About";
        ViewData["Message"] = "Razor & Kida side by side";
        return View();
    }
}
