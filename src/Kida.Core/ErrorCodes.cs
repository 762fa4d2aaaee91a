using System.Diagnostics.CodeAnalysis;

namespace Kida;

/// <summary>
/// The one catalogue of error codes Kida attaches to <see cref="TemplateException.Code"/> (kida-spec §6.8) and to the
/// diagnostics of <c>kida check</c>. The string values are the contract; the names say what each code means;
/// <see cref="All"/> gives each a title and a one-line help, from which docs/errors.md is generated
/// (ErrorCatalogueTests). Every code the engine uses is a constant here: to add one, add the constant, add its row to
/// <see cref="All"/> and regenerate docs/errors.md (see docs/architecture.md).
/// </summary>
internal static class ErrorCodes
{
    /// <summary>K-LEX-001: Unclosed tag or unexpected character. A <c>{%</c> or <c>{{</c> never closed, or a character the lexer does not accept; close the tag or remove the character.</summary>
    public const string UnclosedTag = "K-LEX-001";

    /// <summary>K-LEX-002: Unclosed comment. A <c>{#</c> comment has no <c>#}</c>; add the closing <c>#}</c>.</summary>
    public const string UnclosedComment = "K-LEX-002";

    /// <summary>K-LEX-003: Unclosed output tag. A <c>{{</c> output tag has no <c>}}</c>; add the closing <c>}}</c>.</summary>
    public const string UnclosedVariable = "K-LEX-003";

    /// <summary>K-LEX-004: Token limit exceeded. The template has more than 100,000 tokens; split it into includes or imports.</summary>
    public const string TokenLimit = "K-LEX-004";

    /// <summary>K-PAR-001: Unexpected token. The parser found a token or block keyword it does not expect here; check the tag's spelling and its arguments.</summary>
    public const string UnexpectedToken = "K-PAR-001";

    /// <summary>K-PAR-002: Unclosed block. A block tag (<c>if</c>, <c>for</c>, <c>block</c>, <c>raw</c>, <c>trans</c>, …) is never closed; add its end tag or <c>{% end %}</c>.</summary>
    public const string UnclosedBlock = "K-PAR-002";

    /// <summary>K-PAR-003: Invalid expression. An expression, argument list or nesting the parser does not accept (also: nested too deeply); fix the expression.</summary>
    public const string InvalidExpression = "K-PAR-003";

    /// <summary>K-PAR-004: Invalid or unknown filter. An unknown filter name, a malformed filter call or an over-long filter chain; check the name (the message suggests the closest one).</summary>
    public const string InvalidFilter = "K-PAR-004";

    /// <summary>K-PAR-005: Invalid or unknown test. An unknown test after <c>is</c>, a missing test name or chained tests; check the name (the message suggests the closest one).</summary>
    public const string InvalidTest = "K-PAR-005";

    /// <summary>K-PAR-006: Invalid identifier. A block or definition name that is not an identifier (such as one with a hyphen); rename it.</summary>
    public const string InvalidIdentifier = "K-PAR-006";

    /// <summary>K-PAR-007: Unsupported syntax. Syntax Kida does not support (such as Jinja2's block <c>set</c>); the message names the Kida form to use.</summary>
    public const string UnsupportedSyntax = "K-PAR-007";

    /// <summary>K-RUN-001: Undefined variable. A name, attribute or key that does not exist was used; pass it in, or use <c>default</c>, <c>?.</c> or <c>??</c> for optional values.</summary>
    public const string UndefinedVariable = "K-RUN-001";

    /// <summary>K-RUN-002: Filter or function error. A filter or function was called with arguments it does not take, or failed; check the call against its documented parameters.</summary>
    public const string FilterError = "K-RUN-002";

    /// <summary>K-RUN-003: Test error. A test was called with arguments it does not take, an unknown test was named at run time, or its pattern is invalid.</summary>
    public const string TestError = "K-RUN-003";

    /// <summary>K-RUN-004: Required value missing. The <c>require</c> filter received None or an undefined value; pass the value.</summary>
    public const string RequiredValue = "K-RUN-004";

    /// <summary>K-RUN-006: Recursion too deep. The render's recursion budget (macro, include, extends depth or stack) is used up; look for a template or macro that calls itself.</summary>
    public const string RecursionDepth = "K-RUN-006";

    /// <summary>K-RUN-007: Runtime error. A runtime error with no more specific code (a value or index error, a failed .NET call); the message gives the cause.</summary>
    public const string Runtime = "K-RUN-007";

    /// <summary>K-RUN-008: Macro not found. A name imported with <c>from … import</c> is not a macro or def of that template; check the name.</summary>
    public const string MacroNotFound = "K-RUN-008";

    /// <summary>K-RUN-009: Missing key. A mapping has no such key; use <c>.get(k)</c> or <c>?[k]</c> for optional keys.</summary>
    public const string KeyError = "K-RUN-009";

    /// <summary>K-RUN-010: Member access failed. Reading a member of a .NET object threw; the message names the type and member.</summary>
    public const string AttributeError = "K-RUN-010";

    /// <summary>K-RUN-011: Division by zero. <c>/</c>, <c>//</c> or <c>%</c> by zero (also for floats); guard the divisor.</summary>
    public const string DivisionByZero = "K-RUN-011";

    /// <summary>K-RUN-012: Type error. An operation on values of the wrong type (such as <c>1 &lt; 'a'</c> or calling a non-callable); convert the values first.</summary>
    public const string TypeError = "K-RUN-012";

    /// <summary>K-RUN-013: Cannot iterate over a macro. A macro or def was iterated, usually because it shadows a context variable of the same name; rename one of them.</summary>
    public const string MacroIteration = "K-RUN-013";

    /// <summary>K-RUN-014: Required block not found. A block declared <c>required</c> was not overridden by any child template; define it in the child.</summary>
    public const string RequiredBlock = "K-RUN-014";

    /// <summary>K-RUN-016: No loader configured. A template was requested by name but the environment has no <c>KidaOptions.Loader</c>; configure one.</summary>
    public const string NoLoader = "K-RUN-016";

    /// <summary>K-RUN-017: Task not completed in a synchronous render. A value is a task (or an <c>async for</c> item) that is still running, and <c>Render</c> cannot wait for it; render with <c>RenderAsync</c>.</summary>
    public const string PendingTask = "K-RUN-017";

    /// <summary>K-SEC-001: Member blocked by the sandbox. The sandbox policy does not allow this member; add it to <c>SandboxPolicy</c> or stop reading it.</summary>
    public const string BlockedAttribute = "K-SEC-001";

    /// <summary>K-SEC-002: Type blocked by the sandbox. The sandbox policy does not allow members of this type; add it to <c>SandboxPolicy.AllowedTypes</c> or mark it <c>[KidaVisible]</c>.</summary>
    public const string BlockedType = "K-SEC-002";

    /// <summary>K-SEC-003: Range too long. A <c>range()</c> longer than <c>Limits.MaxRangeLength</c>; use a smaller range or raise the limit.</summary>
    public const string RangeLimit = "K-SEC-003";

    /// <summary>K-SEC-004: Call blocked by the sandbox. The sandbox allows calls only to registered functions and template macros.</summary>
    public const string BlockedCallable = "K-SEC-004";

    /// <summary>K-SEC-005: Output too large. The render's output passed <c>Limits.MaxOutputLength</c>.</summary>
    public const string OutputLimit = "K-SEC-005";

    /// <summary>K-SEC-006: String too long. A string the template builds would pass <c>Limits.MaxStringLength</c>.</summary>
    public const string StringLimit = "K-SEC-006";

    /// <summary>K-SEC-007: Collection too large. A collection the template builds (or reads from an endless enumerable) passed <c>Limits.MaxCollectionLength</c>.</summary>
    public const string CollectionLimit = "K-SEC-007";

    /// <summary>K-SEC-008: Too many loop iterations. The render's loops together passed <c>Limits.MaxLoopIterations</c>.</summary>
    public const string LoopLimit = "K-SEC-008";

    /// <summary>K-SEC-009: Integer too large. An integer would have more digits than <c>Limits.MaxIntegerDigits</c>.</summary>
    public const string IntegerLimit = "K-SEC-009";

    /// <summary>K-SEC-010: Render timed out. The render ran longer than <c>Limits.RenderTimeout</c>, or a regular expression passed its time limit.</summary>
    public const string TimeLimit = "K-SEC-010";

    /// <summary>K-SEC-011: Template too long. The template source is longer than <c>Limits.MaxTemplateLength</c>.</summary>
    public const string TemplateTooLong = "K-SEC-011";

    /// <summary>K-SEC-012: Too many or too long cache tags. A <c>{% cache %}</c> fragment has more than 32 <c>depends=</c> tags, or one longer than 256 characters.</summary>
    public const string CacheTagLimit = "K-SEC-012";

    /// <summary>K-SEC-013: Too many asynchronous waits. An asynchronous render waited for running tasks more than <c>Limits.MaxAsyncWaits</c> times.</summary>
    public const string AsyncWaitLimit = "K-SEC-013";

    /// <summary>K-TPL-001: Template not found. No loader found a template of that name; check the name and the template root (the message lists where it looked).</summary>
    public const string TemplateNotFound = "K-TPL-001";

    /// <summary>K-TPL-003: Circular template reference. Templates include, extend, embed or import each other in a cycle; break the cycle.</summary>
    public const string Cycle = "K-TPL-003";

    /// <summary>K-TPL-004: Definition not at the top level. A <c>def</c> or <c>region</c> is declared inside a control block; move it to the top level of the template.</summary>
    public const string NotTopLevel = "K-TPL-004";

    /// <summary>K-TPL-006: Block not found. <c>super()</c> or <c>self.name()</c> names a block that does not exist (found by <c>kida check</c>); check the block name.</summary>
    public const string BlockNotFound = "K-TPL-006";

    /// <summary>K-TPL-010: View or component not found. <c>component()</c> or <c>partial()</c> names a view component or an MVC view that does not exist (or a name that would leave the template root), or is used outside an MVC view; check the name.</summary>
    public const string ViewNotFound = "K-TPL-010";

    /// <summary>K-CMP-001: Call does not fit the signature. A call of a def or macro passes an unknown keyword, misses a required argument, passes too many positional arguments or one twice.</summary>
    public const string CallSignature = "K-CMP-001";

    /// <summary>K-CMP-002: Argument type mismatch. An argument's type does not fit the parameter's annotation (a literal at check time, any value with <c>KidaOptions.CheckTypes</c>).</summary>
    public const string LiteralType = "K-CMP-002";

    /// <summary>K-TYP-001: Undeclared variable. A template with a <c>{% template %}</c> declaration reads a variable it does not declare; declare it.</summary>
    public const string UndeclaredVariable = "K-TYP-001";

    /// <summary>K-TYP-002: Unused declaration. A <c>{% template %}</c> declaration names a variable the template never reads; remove it.</summary>
    public const string UnusedDeclaration = "K-TYP-002";

    /// <summary>K-TYP-003: Declared type mismatch. A declared variable is set to, or compared with, a literal its declared type does not allow.</summary>
    public const string DeclaredTypeMismatch = "K-TYP-003";

    /// <summary>Every code with its title and one-line help, by family (LEX, PAR, RUN, SEC, TPL, CMP, TYP) and number.</summary>
    public static readonly IReadOnlyList<ErrorCodeInfo> All =
    [
        new(UnclosedTag, "Unclosed tag or unexpected character", "A `{%` or `{{` never closed, or a character the lexer does not accept; close the tag or remove the character."),
        new(UnclosedComment, "Unclosed comment", "A `{#` comment has no `#}`; add the closing `#}`."),
        new(UnclosedVariable, "Unclosed output tag", "A `{{` output tag has no `}}`; add the closing `}}`."),
        new(TokenLimit, "Token limit exceeded", "The template has more than 100,000 tokens; split it into includes or imports."),
        new(UnexpectedToken, "Unexpected token", "The parser found a token or block keyword it does not expect here; check the tag's spelling and its arguments."),
        new(UnclosedBlock, "Unclosed block", "A block tag (`if`, `for`, `block`, `raw`, `trans`, …) is never closed; add its end tag or `{% end %}`."),
        new(InvalidExpression, "Invalid expression", "An expression, argument list or nesting the parser does not accept (also: nested too deeply); fix the expression."),
        new(InvalidFilter, "Invalid or unknown filter", "An unknown filter name, a malformed filter call or an over-long filter chain; check the name (the message suggests the closest one)."),
        new(InvalidTest, "Invalid or unknown test", "An unknown test after `is`, a missing test name or chained tests; check the name (the message suggests the closest one)."),
        new(InvalidIdentifier, "Invalid identifier", "A block or definition name that is not an identifier (such as one with a hyphen); rename it."),
        new(UnsupportedSyntax, "Unsupported syntax", "Syntax Kida does not support (such as Jinja2's block `set`); the message names the Kida form to use."),
        new(UndefinedVariable, "Undefined variable", "A name, attribute or key that does not exist was used; pass it in, or use `default`, `?.` or `??` for optional values."),
        new(FilterError, "Filter or function error", "A filter or function was called with arguments it does not take, or failed; check the call against its documented parameters."),
        new(TestError, "Test error", "A test was called with arguments it does not take, an unknown test was named at run time, or its pattern is invalid."),
        new(RequiredValue, "Required value missing", "The `require` filter received None or an undefined value; pass the value."),
        new(RecursionDepth, "Recursion too deep", "The render's recursion budget (macro, include, extends depth or stack) is used up; look for a template or macro that calls itself."),
        new(Runtime, "Runtime error", "A runtime error with no more specific code (a value or index error, a failed .NET call); the message gives the cause."),
        new(MacroNotFound, "Macro not found", "A name imported with `from … import` is not a macro or def of that template; check the name."),
        new(KeyError, "Missing key", "A mapping has no such key; use `.get(k)` or `?[k]` for optional keys."),
        new(AttributeError, "Member access failed", "Reading a member of a .NET object threw; the message names the type and member."),
        new(DivisionByZero, "Division by zero", "`/`, `//` or `%` by zero (also for floats); guard the divisor."),
        new(TypeError, "Type error", "An operation on values of the wrong type (such as `1 < 'a'` or calling a non-callable); convert the values first."),
        new(MacroIteration, "Cannot iterate over a macro", "A macro or def was iterated, usually because it shadows a context variable of the same name; rename one of them."),
        new(RequiredBlock, "Required block not found", "A block declared `required` was not overridden by any child template; define it in the child."),
        new(NoLoader, "No loader configured", "A template was requested by name but the environment has no `KidaOptions.Loader`; configure one."),
        new(PendingTask, "Task not completed in a synchronous render", "A value is a task (or an `async for` item) that is still running, and `Render` cannot wait for it; render with `RenderAsync`."),
        new(BlockedAttribute, "Member blocked by the sandbox", "The sandbox policy does not allow this member; add it to `SandboxPolicy` or stop reading it."),
        new(BlockedType, "Type blocked by the sandbox", "The sandbox policy does not allow members of this type; add it to `SandboxPolicy.AllowedTypes` or mark it `[KidaVisible]`."),
        new(RangeLimit, "Range too long", "A `range()` longer than `Limits.MaxRangeLength`; use a smaller range or raise the limit."),
        new(BlockedCallable, "Call blocked by the sandbox", "The sandbox allows calls only to registered functions and template macros."),
        new(OutputLimit, "Output too large", "The render's output passed `Limits.MaxOutputLength`."),
        new(StringLimit, "String too long", "A string the template builds would pass `Limits.MaxStringLength`."),
        new(CollectionLimit, "Collection too large", "A collection the template builds (or reads from an endless enumerable) passed `Limits.MaxCollectionLength`."),
        new(LoopLimit, "Too many loop iterations", "The render's loops together passed `Limits.MaxLoopIterations`."),
        new(IntegerLimit, "Integer too large", "An integer would have more digits than `Limits.MaxIntegerDigits`."),
        new(TimeLimit, "Render timed out", "The render ran longer than `Limits.RenderTimeout`, or a regular expression passed its time limit."),
        new(TemplateTooLong, "Template too long", "The template source is longer than `Limits.MaxTemplateLength`."),
        new(CacheTagLimit, "Too many or too long cache tags", "A `{% cache %}` fragment has more than 32 `depends=` tags, or one longer than 256 characters."),
        new(AsyncWaitLimit, "Too many asynchronous waits", "An asynchronous render waited for running tasks more than `Limits.MaxAsyncWaits` times."),
        new(TemplateNotFound, "Template not found", "No loader found a template of that name; check the name and the template root (the message lists where it looked)."),
        new(Cycle, "Circular template reference", "Templates include, extend, embed or import each other in a cycle; break the cycle."),
        new(NotTopLevel, "Definition not at the top level", "A `def` or `region` is declared inside a control block; move it to the top level of the template."),
        new(BlockNotFound, "Block not found", "`super()` or `self.name()` names a block that does not exist (found by `kida check`); check the block name."),
        new(ViewNotFound, "View or component not found", "`component()` or `partial()` names a view component or an MVC view that does not exist (or a name that would leave the template root), or is used outside an MVC view; check the name."),
        new(CallSignature, "Call does not fit the signature", "A call of a def or macro passes an unknown keyword, misses a required argument, passes too many positional arguments or one twice."),
        new(LiteralType, "Argument type mismatch", "An argument's type does not fit the parameter's annotation (a literal at check time, any value with `KidaOptions.CheckTypes`)."),
        new(UndeclaredVariable, "Undeclared variable", "A template with a `{% template %}` declaration reads a variable it does not declare; declare it."),
        new(UnusedDeclaration, "Unused declaration", "A `{% template %}` declaration names a variable the template never reads; remove it."),
        new(DeclaredTypeMismatch, "Declared type mismatch", "A declared variable is set to, or compared with, a literal its declared type does not allow."),
    ];

    /// <summary>The catalogue entry of <paramref name="code"/>, or null for a code not in the catalogue.</summary>
    public static ErrorCodeInfo? Find(string code)
    {
        foreach (var info in All)
            if (info.Code == code) return info;
        return null;
    }

    /// <summary>Throws a <see cref="TemplateRuntimeException"/> of <paramref name="code"/>.</summary>
    [DoesNotReturn]
    public static void ThrowRuntime(string code, string message, Exception? innerException = null, string? hint = null) =>
        throw new TemplateRuntimeException(message, code, innerException, hint);

    /// <summary>Throws a <see cref="TemplateRuntimeException"/> of <paramref name="code"/> where a value is expected.</summary>
    [DoesNotReturn]
    public static T ThrowRuntime<T>(string code, string message, Exception? innerException = null, string? hint = null) =>
        throw new TemplateRuntimeException(message, code, innerException, hint);

    /// <summary>Throws a <see cref="TemplateSyntaxException"/> of <paramref name="code"/> for template <paramref name="name"/>.</summary>
    [DoesNotReturn]
    public static void ThrowSyntax(string code, string message, string? name, int line = 0, int column = 0) =>
        throw new TemplateSyntaxException(message, code, name, line, column);

    /// <summary>Whether an error of this code ends the render: <c>{% try %}</c> does not catch limits, cycles or sandbox violations.</summary>
    public static bool IsFatal(string code) =>
        code == RecursionDepth || code == Cycle || code.StartsWith("K-SEC-", StringComparison.Ordinal);
}

/// <summary>One error code of the catalogue: the code, a short title and a one-line help.</summary>
internal sealed record ErrorCodeInfo(string Code, string Title, string Help);
