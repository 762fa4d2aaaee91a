using System.Globalization;
using System.Security.Cryptography;
using Kida;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.Rendering;

namespace Kida.AspNetCore;

/// <summary>
/// What one MVC view render (a <see cref="KidaView"/>) lends the view globals (<c>component</c>, <c>partial</c>,
/// <c>_</c>, <c>_n</c>): its <see cref="ViewContext"/>, the localizers of the view, and the outputs deferred to after the
/// synchronous template render. Reached through <see cref="Current"/>, an <see cref="AsyncLocal{T}"/> set for the
/// duration of the view's render (it flows into the thread-pool thread of a streaming render, and a nested view, such as
/// a component's Kida view, sets its own and restores the outer one when it returns).
/// </summary>
/// <remarks>
/// A template renders synchronously, but a view component or a partial view renders asynchronously. Rather than block
/// the rendering thread on them, <c>component()</c>/<c>partial()</c> find the component or view at once (so a bad name
/// fails at the call, with the template's line), then write a placeholder: a private-use character, this render's
/// random nonce and a slot number. <see cref="KidaSpliceWriter"/> writes the page and, at each of this render's
/// placeholders, awaits the deferred render and writes its HTML in its place, in page order, one at a time.
/// </remarks>
internal sealed class KidaViewScope
{
    private static readonly AsyncLocal<KidaViewScope?> s_current = new();

    /// <summary>The first character of a placeholder (a private-use character HTML does not use).</summary>
    public const char Open = '\uE000';

    /// <summary>The last character of a placeholder.</summary>
    public const char Close = '\uE001';

    /// <summary>What follows <see cref="Open"/> in every placeholder, whatever the render.</summary>
    public const string Tag = "kida:";

    /// <summary>The length of a nonce (hexadecimal digits).</summary>
    public const int NonceLength = 16;

    private readonly List<Slot> _slots = [];
    private readonly Lock _lock = new();

    public KidaViewScope(ViewContext viewContext, string? viewPath = null)
    {
        ViewContext = viewContext;
        ViewPath = viewPath;
        Nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(NonceLength / 2));
    }

    /// <summary>The scope of the view rendering on this flow, or null outside an MVC view.</summary>
    public static KidaViewScope? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    public ViewContext ViewContext { get; }

    /// <summary>The view's template name (relative to the template root), for its own localizer.</summary>
    public string? ViewPath { get; }

    /// <summary>The view's own localizer, created when a message is first translated.</summary>
    public Microsoft.Extensions.Localization.IStringLocalizer? ViewLocalizer { get; set; }

    /// <summary>This render's nonce: a placeholder with another nonce (written by another render) is not this render's.</summary>
    public string Nonce { get; }

    /// <summary>How many outputs were deferred.</summary>
    public int Count
    {
        get { lock (_lock) return _slots.Count; }
    }

    /// <summary>Defers <paramref name="render"/> to the page's writing and returns the placeholder the template writes.</summary>
    public Markup Defer(Func<CancellationToken, Task<IHtmlContent>> render)
    {
        int slot;
        lock (_lock)
        {
            slot = _slots.Count;
            _slots.Add(new Slot(render));
        }
        return new Markup(string.Concat(Open.ToString(), Tag, Nonce, ":", slot.ToString(CultureInfo.InvariantCulture), Close.ToString()));
    }

    /// <summary>
    /// The HTML of <paramref name="slot"/>, rendered when first asked for (a placeholder written twice, such as a
    /// component kept in a variable, renders once and writes the same HTML twice); null for a slot this render never made.
    /// </summary>
    public Task<IHtmlContent>? Render(int slot, CancellationToken cancellationToken)
    {
        Slot entry;
        lock (_lock)
        {
            if ((uint)slot >= (uint)_slots.Count) return null;
            entry = _slots[slot];
        }
        return entry.Result ??= entry.Start(cancellationToken);
    }

    private sealed class Slot(Func<CancellationToken, Task<IHtmlContent>> start)
    {
        public Func<CancellationToken, Task<IHtmlContent>> Start { get; } = start;
        public Task<IHtmlContent>? Result;
    }
}
