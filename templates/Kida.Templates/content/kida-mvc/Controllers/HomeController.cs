using KidaMvc.Models;
using Microsoft.AspNetCore.Mvc;

namespace KidaMvc.Controllers;

/// <summary>The home page: Views/Home/Index.html through Views/Shared/Layout.html.</summary>
public sealed class HomeController : Controller
{
    /// <summary>GET /.</summary>
    [HttpGet]
    public IActionResult Index()
    {
        ViewData["Title"] = "KidaMvc";
        return View(new Message());
    }

    /// <summary>POST /: validation errors, or post/redirect/get with a message.</summary>
    [HttpPost, ValidateAntiForgeryToken]
    public IActionResult Index(Message message)
    {
        if (!ModelState.IsValid)
        {
            ViewData["Title"] = "KidaMvc";
            return View(message);
        }
        TempData["posted"] = message.Text;
        return RedirectToAction(nameof(Index));
    }
}
