using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Kida.AspNetCore;

/// <summary>Adds the <see cref="KidaViewEngine"/> to <see cref="MvcViewOptions.ViewEngines"/>.</summary>
internal sealed class KidaMvcViewOptionsSetup(KidaViewEngine engine) : IConfigureOptions<MvcViewOptions>
{
    public void Configure(MvcViewOptions options)
    {
        if (!options.ViewEngines.Contains(engine)) options.ViewEngines.Add(engine);
    }
}
