namespace Kida.Runtime;

/// <summary>Security errors (K-SEC-xxx): blocked members, types and callables, and exceeded limits.</summary>
internal static class SecurityErrors
{
    /// <summary>
    /// Whether <paramref name="ex"/> is a security error. <c>{% try %}</c> does not catch these (kida-spec §3.13, §6.9):
    /// a template must not be able to probe the sandbox or disarm a limit by wrapping it in a fallback.
    /// </summary>
    public static bool IsSecurityError(TemplateException ex) => ex.Code.StartsWith("K-SEC-", StringComparison.Ordinal);

    public static TemplateRuntimeException BlockedMember(string typeName, string name) =>
        new($"Access to '{typeName}.{name}' is blocked by the sandbox policy", ErrorCodes.BlockedAttribute);

    public static TemplateRuntimeException BlockedType(string typeName) =>
        new($"Access to members of type '{typeName}' is not allowed in the sandbox (add it to SandboxPolicy.AllowedTypes or mark it [KidaVisible])", ErrorCodes.BlockedType);

    public static TemplateRuntimeException BlockedCall(string what) =>
        new($"{what} is not allowed in the sandbox", ErrorCodes.BlockedCallable);
}
