using Kida;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Kida in an ASP.NET Core application.</summary>
public static class KidaServiceCollectionExtensions
{
    /// <summary>
    /// Adds one singleton <see cref="KidaEnvironment"/> that loads templates from the content root (through its
    /// <c>IFileProvider</c>). Calling it more than once registers it once.
    /// </summary>
    public static IServiceCollection AddKida(this IServiceCollection services, Func<KidaOptions, KidaOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp =>
        {
            var env = sp.GetRequiredService<IWebHostEnvironment>();
            var options = new KidaOptions
            {
                Loader = new FileProviderLoader(env.ContentRootFileProvider),
                AutoReload = env.EnvironmentName == "Development",
            };
            return new KidaEnvironment(configure is null ? options : configure(options));
        });
        return services;
    }
}
