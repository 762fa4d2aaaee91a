namespace Kida;

/// <summary>
/// The stable error codes Kida attaches to <see cref="TemplateException.Code"/> (kida-spec §6.8). The string values are
/// the contract; the names say what each code means.
/// </summary>
internal static class ErrorCodes
{
    /// <summary>K-PAR-003: an expression or a nesting of blocks the parser does not accept (also: too deeply nested).</summary>
    public const string InvalidExpression = "K-PAR-003";

    /// <summary>K-RUN-006: the render's recursion budget (depth, or stack) is used up.</summary>
    public const string RecursionDepth = "K-RUN-006";

    /// <summary>K-RUN-007: a runtime error with no more specific code.</summary>
    public const string Runtime = "K-RUN-007";

    /// <summary>K-TPL-003: templates that include, extend, embed or import each other in a cycle.</summary>
    public const string Cycle = "K-TPL-003";

    /// <summary>K-SEC-003: a <c>range()</c> longer than <see cref="KidaLimits.MaxRangeLength"/>.</summary>
    public const string RangeLimit = "K-SEC-003";

    /// <summary>K-SEC-005: a render's output passes <see cref="KidaLimits.MaxOutputLength"/>.</summary>
    public const string OutputLimit = "K-SEC-005";

    /// <summary>K-SEC-006: a string a template creates would pass <see cref="KidaLimits.MaxStringLength"/>.</summary>
    public const string StringLimit = "K-SEC-006";

    /// <summary>K-SEC-007: a collection a template creates (or reads from an endless enumerable) passes <see cref="KidaLimits.MaxCollectionLength"/>.</summary>
    public const string CollectionLimit = "K-SEC-007";

    /// <summary>K-SEC-008: a render's loops together pass <see cref="KidaLimits.MaxLoopIterations"/>.</summary>
    public const string LoopLimit = "K-SEC-008";

    /// <summary>K-SEC-009: an integer would have more digits than <see cref="KidaLimits.MaxIntegerDigits"/>.</summary>
    public const string IntegerLimit = "K-SEC-009";

    /// <summary>K-SEC-010: a render runs longer than <see cref="KidaLimits.RenderTimeout"/>.</summary>
    public const string TimeLimit = "K-SEC-010";

    /// <summary>K-TPL-006: <c>super()</c> or <c>self.name()</c> of a block that does not exist (found by <c>kida check</c>).</summary>
    public const string BlockNotFound = "K-TPL-006";

    /// <summary>K-CMP-001: a call does not fit the signature of the def or macro it calls (unknown keyword, missing required argument, too many positional arguments, an argument given twice).</summary>
    public const string CallSignature = "K-CMP-001";

    /// <summary>K-CMP-002: an argument's type does not fit the parameter's annotation (a literal at check time, any value with <see cref="KidaOptions.CheckTypes"/>).</summary>
    public const string LiteralType = "K-CMP-002";

    /// <summary>K-TYP-001: a template with a <c>{% template %}</c> declaration reads a variable it does not declare.</summary>
    public const string UndeclaredVariable = "K-TYP-001";

    /// <summary>K-TYP-002: a <c>{% template %}</c> declaration names a variable the template never reads.</summary>
    public const string UnusedDeclaration = "K-TYP-002";

    /// <summary>K-TYP-003: a declared variable is set to, or compared with, a literal its declared type does not allow.</summary>
    public const string DeclaredTypeMismatch = "K-TYP-003";

    /// <summary>Whether an error of this code ends the render: <c>{% try %}</c> does not catch limits, cycles or sandbox violations.</summary>
    public static bool IsFatal(string code) =>
        code == RecursionDepth || code == Cycle || code.StartsWith("K-SEC-", StringComparison.Ordinal);
}
