using Kida.Benchmarks;
using Microsoft.AspNetCore.Mvc;

namespace Kida.WebBench.Controllers;

public sealed class PageController : Controller
{
    private static readonly PageModel Page = Data.Page();

    /// <summary>The page with 6,000 rows (about 1 MB of HTML): the time-to-first-byte probe's page.</summary>
    internal static readonly PageModel Large = Data.Page(6000);

    /// <summary>Kida MVC view: Views/Page/Kida.html through the Kida view engine.</summary>
    [HttpGet("/kida-mvc")]
    public IActionResult KidaMvc() => View("Kida", Page);

    /// <summary>Razor view compiled at build: Views/Page/Razor.cshtml.</summary>
    [HttpGet("/razor")]
    public IActionResult Razor() => View("Razor", Page);

    /// <summary>The 1 MB page as a Kida MVC view (streamed while it renders).</summary>
    [HttpGet("/large/kida-mvc")]
    public IActionResult LargeKidaMvc() => View("Kida", Large);

    /// <summary>The 1 MB page as a Razor view.</summary>
    [HttpGet("/large/razor")]
    public IActionResult LargeRazor() => View("Razor", Large);
}
