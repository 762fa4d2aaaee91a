using Microsoft.AspNetCore.Mvc;
using MvcSample.Models;

namespace MvcSample.Controllers;

/// <summary>A form posted with antiforgery, showing validation errors from ModelState.</summary>
public sealed class ContactController : Controller
{
    /// <summary>GET /contact.</summary>
    [HttpGet]
    public IActionResult Index()
    {
        ViewData["Title"] = "Contact";
        return View(new ContactForm());
    }

    /// <summary>POST /contact.</summary>
    [HttpPost, ValidateAntiForgeryToken]
    public IActionResult Index(ContactForm form)
    {
        ViewData["Title"] = "Contact";
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return View(form);
        }
        ViewData["Sent"] = true;
        return View(form);
    }
}
