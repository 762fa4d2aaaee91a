using Kida.Benchmarks;
using Microsoft.AspNetCore.Mvc;

namespace Kida.WebBench.Controllers;

public sealed class PageController : Controller
{
    private static readonly PageModel Page = Data.Page();

    /// <summary>Kida MVC view: Views/Page/Kida.html through the Kida view engine.</summary>
    [HttpGet("/kida-mvc")]
    public IActionResult KidaMvc() => View("Kida", Page);

    /// <summary>Razor view compiled at build: Views/Page/Razor.cshtml.</summary>
    [HttpGet("/razor")]
    public IActionResult Razor() => View("Razor", Page);
}
