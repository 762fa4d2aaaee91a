using System.Text.Encodings.Web;
using Kida;
using Kida.AspNetCore;
using Kida.AspNetCore.Caching;
using Kida.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Kida in an ASP.NET Core application.</summary>
public static class KidaServiceCollectionExtensions
{
    /// <summary>
    /// Adds one singleton <see cref="KidaEnvironment"/> that loads templates from <see cref="KidaViewOptions.TemplateRoot"/>
    /// (<c>Views</c>) of the content root (or of <see cref="KidaViewOptions.FileProvider"/>), only files with one of
    /// <see cref="KidaViewOptions.TemplateExtensions"/>, the <see cref="KidaViewEngine"/> and its registration in
    /// <see cref="MvcViewOptions"/>. Calling it more than once registers every service once.
    /// </summary>
    public static IServiceCollection AddKida(this IServiceCollection services, Action<KidaViewOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        services.AddHttpContextAccessor();
        if (configure is not null) services.Configure(configure);
        services.TryAddSingleton(CreateEnvironment);
        services.TryAddSingleton<KidaViewEngine>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, KidaWarmUpService>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IConfigureOptions<MvcViewOptions>, KidaMvcViewOptionsSetup>());
        // template errors on the developer exception page (the filter does nothing outside Development)
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeveloperPageExceptionFilter, KidaDeveloperPageExceptionFilter>());
        return services;
    }

    private static KidaEnvironment CreateEnvironment(IServiceProvider sp)
    {
        var host = sp.GetRequiredService<IWebHostEnvironment>();
        var o = sp.GetRequiredService<IOptions<KidaViewOptions>>().Value;
        var options = new KidaOptions
        {
            Loader = new FileProviderLoader(o.FileProvider ?? host.ContentRootFileProvider, KidaTemplateRoot.Normalize(o.TemplateRoot))
            {
                Extensions = KidaTemplateRoot.Extensions(o),
            },
            AutoReload = o.AutoReload ?? host.IsDevelopment(),
            // a call that does not fit a def's signature fails with K-CMP-001 and the definition's location
            ValidateCalls = host.IsDevelopment(),
            SafeHtml = HtmlContentToString,
            // {% cache %} in the application's HybridCache when it registered one (shared between servers through its L2)
            FragmentStore = o.FragmentCache.UseHybridCache && sp.GetService<HybridCache>() is { } hybrid
                ? new HybridFragmentStore(hybrid, o.FragmentCache, sp.GetService<ILoggerFactory>()?.CreateLogger("Kida.AspNetCore.FragmentCache")
                    ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
                : null,
        };
        if (o.ConfigureEnvironment is not null) options = o.ConfigureEnvironment(options);
        var env = new KidaEnvironment(options);
        KidaTelemetry.Observe(env, sp.GetService<ILoggerFactory>()?.CreateLogger("Kida.AspNetCore"));
        KidaRequestGlobals.Register(env, sp.GetRequiredService<IHttpContextAccessor>());
        KidaViewGlobals.Register(env);
        KidaLocalization.Register(env, sp.GetRequiredService<IHttpContextAccessor>(), o, host);
        foreach (var setup in o.EnvironmentSetup) setup(env);
        foreach (var setup in o.EnvironmentSetupWithServices) setup(env, sp);
        return env;
    }

    private static string? HtmlContentToString(object value)
    {
        if (value is not IHtmlContent content) return null;
        using var writer = new StringWriter();
        content.WriteTo(writer, HtmlEncoder.Default);
        return writer.ToString();
    }
}

/// <summary>Registers Kida on an MVC builder.</summary>
public static class KidaMvcBuilderExtensions
{
    /// <summary>Adds Kida views next to the other view engines (Razor keeps working).</summary>
    public static IMvcBuilder AddKida(this IMvcBuilder builder, Action<KidaViewOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddKida(configure);
        return builder;
    }
}
