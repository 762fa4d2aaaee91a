using Microsoft.AspNetCore.Mvc;
using MvcSample.Models;

namespace MvcSample.Controllers;

/// <summary>A form posted with antiforgery: errors from ModelState, then post/redirect/get with a TempData message.</summary>
public sealed class ContactController : Controller
{
    /// <summary>GET /contact.</summary>
    [HttpGet]
    public IActionResult Index()
    {
        ViewData["Title"] = "Contact";
        return View(new ContactForm());
    }

    /// <summary>POST /contact: 400 with the form and its errors, or a redirect to GET /contact that thanks the sender.</summary>
    [HttpPost, ValidateAntiForgeryToken]
    public IActionResult Index(ContactForm form)
    {
        if (!ModelState.IsValid)
        {
            ViewData["Title"] = "Contact";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return View(form);
        }
        TempData["sent_name"] = form.Name;
        return RedirectToAction(nameof(Index));
    }
}
