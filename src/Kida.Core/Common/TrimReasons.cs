namespace Kida;

/// <summary>
/// The justifications of Kida's trimming and NativeAOT suppressions, stated once (docs/aot.md explains the boundary):
/// every <c>UnconditionalSuppressMessage</c> in the engine names one of these.
/// </summary>
internal static class TrimReasons
{
    /// <summary>Reflection over the members of model objects: the documented rule for trimmed apps.</summary>
    public const string ModelMembers =
        "Kida reads the public properties, fields and methods of model objects by reflection: that is what a template does "
        + "with a model. A trimmed or NativeAOT app keeps its model types' members as docs/aot.md says (TrimmerRootAssembly, "
        + "DynamicDependency or a TrimmerRootDescriptor); a member the trimmer removed reads as undefined, like any missing "
        + "member, and never crashes the render.";

    /// <summary>Interfaces of an object's own runtime type.</summary>
    public const string LiveInterfaces =
        "GetInterfaces() of an object's own runtime type: the interfaces it implements are kept with the type (the runtime "
        + "casts through them); an interface the trimmer removed is one nothing in the app uses, which templates cannot "
        + "reach either, and the blocked-type checks that read interfaces also check every base type's namespace.";

    /// <summary>Generic instantiations built from the type arguments of an interface the object implements.</summary>
    public const string ImplementedInstantiation =
        "The interface is one the object's own runtime type implements (kept with the type, see LiveInterfaces), and any "
        + "instantiation is made of its type arguments and is itself implemented by (or the element type of) that type, "
        + "so its native code exists in the app; the members read on it "
        + "are kept by the DynamicDependency attributes of this method.";

    /// <summary>Code that runs only when dynamic code is supported.</summary>
    public const string DynamicCodeOnly =
        "Runs only when RuntimeFeature.IsDynamicCodeSupported is true (checked first): under NativeAOT the method returns "
        + "the direct call before reaching the generic instantiation; the adapters' type parameters carry no "
        + "DynamicallyAccessedMembers requirements.";
}
