namespace MvcSample;

/// <summary>
/// The messages every template shares (Resources/SharedResource.fr.resx): the layout's navigation and footer, and the
/// pages rendered outside MVC views. Named in <c>KidaViewOptions.SharedResource</c>.
/// </summary>
public sealed class SharedResource;
