using Microsoft.AspNetCore.Mvc;
using MvcSample.Models;

namespace MvcSample.ViewComponents;

/// <summary>
/// A view component whose view is a Razor view (Views/Shared/Components/TeaOfTheDay/Default.cshtml), invoked from Kida
/// templates with <c>{{ component("TeaOfTheDay", {"count": 2}) }}</c>. Asynchronous, as one reading a database would be.
/// </summary>
public sealed class TeaOfTheDayViewComponent : ViewComponent
{
    /// <summary>Renders the first <paramref name="count"/> teas in stock (1 to 5).</summary>
    public async Task<IViewComponentResult> InvokeAsync(int count = 1)
    {
        await Task.Yield();
        var teas = Product.All.Where(p => p.Tags.Contains("tea") && p.Status == "in_stock").Take(Math.Clamp(count, 1, 5)).ToArray();
        return View(teas);
    }
}
