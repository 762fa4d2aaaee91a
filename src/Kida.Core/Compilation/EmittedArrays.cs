using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;

namespace Kida.Compilation;

/// <summary>
/// The arrays emitted code builds (list, tuple and dict literals, call arguments, slot tables, locals): the one place
/// that creates a <see cref="NewArrayExpression"/>, so that its NativeAOT reasoning is stated once.
/// </summary>
internal static class EmittedArrays
{
    /// <summary>An array of <paramref name="elementType"/> holding <paramref name="items"/>.</summary>
    [UnconditionalSuppressMessage("AotAnalysis", "IL3050:RequiresDynamicCode",
        Justification = "The element types are fixed runtime types (object, string, KeyValuePair<string, object?> and the "
            + "slot delegate type), never a type from a template or a model, and each array type is the parameter type of "
            + "the runtime helper that receives the array, so it is compiled into the app; under NativeAOT the expression "
            + "interpreter creates these arrays without generating code (the AOT smoke test, tests/Kida.AotSmoke, renders "
            + "every construct that emits one).")]
    public static NewArrayExpression Of(Type elementType, IEnumerable<Expression> items) => Expression.NewArrayInit(elementType, items);
}
