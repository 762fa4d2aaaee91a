using System.Globalization;
using Kida;
using Kida.Runtime;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Kida.AspNetCore;

/// <summary>
/// Kida's gettext globals over ASP.NET Core localization: <c>_(message)</c>/<c>gettext</c>, <c>_n(singular, plural,
/// n)</c>/<c>ngettext</c>, and through them <c>{% trans %}</c> and <c>{% plural %}</c>, look the message up with
/// <see cref="IStringLocalizer"/> in the request's UI culture (<see cref="CultureInfo.CurrentUICulture"/>, which
/// <c>RequestLocalizationMiddleware</c> sets): first in the view's own resource (as Razor's <c>IViewLocalizer</c>:
/// <c>Views/Home/Index.html</c> reads <c>{App}.{ResourcesPath}.Views.Home.Index</c>, e.g.
/// <c>Resources/Views/Home/Index.fr.resx</c>), then in <see cref="KidaViewOptions.SharedResource"/>; a message found
/// in neither is itself. <c>_n</c> looks up <c>singular</c> when n is 1 and <c>plural</c> otherwise. Without
/// <c>AddLocalization()</c> they are Kida's identity functions. Translations are text (escaped when written), the
/// message ids are the template's own strings. <c>current_culture()</c> is the request's UI culture name.
/// </summary>
internal static class KidaLocalization
{
    public static void Register(KidaEnvironment environment, IHttpContextAccessor accessor, KidaViewOptions options, IWebHostEnvironment host)
    {
        var gettext = new KidaFunction("gettext", args =>
        {
            var message = args.Get(0, "message");
            if (Values.Unwrap(message) is Undefined u) { u.Use(); message = null; }
            return Translate(accessor, options, host, message is Markup m ? m.Value : PyString.Str(message)) ?? message as Markup ?? (object)PyString.Str(message);
        });
        var ngettext = new KidaFunction("ngettext", args =>
        {
            var message = Numbers.ToLong(Values.Unwrap(args.Get(2, "n"))) == 1 ? args.Get(0, "singular") : args.Get(1, "plural");
            if (Values.Unwrap(message) is Undefined u) { u.Use(); message = null; }
            return Translate(accessor, options, host, message is Markup m ? m.Value : PyString.Str(message)) ?? message;
        });
        environment.AddGlobal("_", gettext);
        environment.AddGlobal("gettext", gettext);
        environment.AddGlobal("_n", ngettext);
        environment.AddGlobal("ngettext", ngettext);
        environment.AddGlobal("current_culture", new KidaFunction("current_culture", _ => CultureInfo.CurrentUICulture.Name));
    }

    /// <summary>The translation of <paramref name="key"/>, or null when no localizer has one.</summary>
    private static string? Translate(IHttpContextAccessor accessor, KidaViewOptions options, IWebHostEnvironment host, string key)
    {
        if (key.Length == 0) return null;
        var scope = KidaViewScope.Current;
        var services = scope?.ViewContext.HttpContext.RequestServices ?? accessor.HttpContext?.RequestServices;
        if (services?.GetService<IStringLocalizerFactory>() is not { } factory) return null;
        if (scope?.ViewPath is { } path && Find(scope.ViewLocalizer ??= ViewLocalizer(factory, options, host, path), key) is { } own) return own;
        return options.SharedResource is { } shared ? Find(factory.Create(shared), key) : null;
    }

    private static string? Find(IStringLocalizer localizer, string key)
    {
        var found = localizer[key];
        return found.ResourceNotFound ? null : found.Value;
    }

    /// <summary>Razor's <c>IViewLocalizer</c> naming: <c>Views/Home/Index.html</c> → <c>{App}.Views.Home.Index</c> in <c>{App}</c>.</summary>
    private static IStringLocalizer ViewLocalizer(IStringLocalizerFactory factory, KidaViewOptions options, IWebHostEnvironment host, string path)
    {
        var name = KidaTemplateRoot.Combine(KidaTemplateRoot.Normalize(options.TemplateRoot), path);
        var extension = Path.GetExtension(name);
        if (extension.Length > 0) name = name[..^extension.Length];
        var application = host.ApplicationName;
        return factory.Create(application + "." + name.Replace('/', '.'), application);
    }
}
