namespace Kida;

/// <summary>
/// The one place the engine reads the process environment: <c>KIDA_PREFER_INTERPRETATION=1</c> makes every environment
/// built in the process run its templates through the expression interpreter (how CI runs the test corpus and the
/// conformance cases in the interpreted mode). Applied by <see cref="KidaEnvironment"/> when it is built, so
/// <see cref="KidaOptions"/> stays a plain record whose defaults read nothing.
/// </summary>
internal static class HostSwitches
{
    public const string PreferInterpretationVariable = "KIDA_PREFER_INTERPRETATION";

    /// <summary><paramref name="options"/> with the process-level switches applied (the same object when none applies).</summary>
    public static KidaOptions Apply(KidaOptions options) => Apply(options, Environment.GetEnvironmentVariable);

    /// <summary><see cref="Apply(KidaOptions)"/> reading variables through <paramref name="variable"/> (tests pass their own).</summary>
    public static KidaOptions Apply(KidaOptions options, Func<string, string?> variable) =>
        !options.PreferInterpretation && variable(PreferInterpretationVariable) == "1"
            ? options with { PreferInterpretation = true }
            : options;
}
