using System.Collections;
using System.Text.Json;

namespace Kida.Runtime;

/// <summary>Calling functions, methods, macros and callers from templates; slots of <c>{% call %}</c>.</summary>
internal static class Calls
{
    public static CallArgs SpreadArgs(CallArgs args, object? dynArgs, object? dynKwargs)
    {
        var pos = args.Positional.ToList();
        if (dynArgs is not null) pos.AddRange(Iteration.Iterate(dynArgs));
        var named = args.Named?.ToList() ?? new();
        if (dynKwargs is not null)
            foreach (var (k, v) in Mappings.MapItems(dynKwargs)) named.Add(new(PyString.Str(k), v));
        return new CallArgs(pos.ToArray(), named.Count == 0 ? null : named.ToArray());
    }

    /// <summary>
    /// <see cref="Call(RenderState, object?, CallArgs)"/> inside an <c>{% autoescape %}</c> block: a macro's result is
    /// Markup where the call site autoescapes and plain text where it does not (Jinja2's call-site rule).
    /// </summary>
    public static object? CallAtEscape(RenderState rs, object? callee, CallArgs args, bool escape)
    {
        var result = Call(rs, callee, args);
        if (callee is not Macro) return result;
        return escape ? result as Markup ?? new Markup(PyString.Str(result)) : result is Markup m ? m.ToString() : result;
    }

    public static object? Call(RenderState rs, object? callee, CallArgs args)
    {
        switch (callee)
        {
            case KidaCallable kc:
                return kc.Invoke(rs, args);
            case Undefined u:
                u.Use();
                return u;
            case LoopContext loop:
                if (args.Count != 1) throw new TemplateRuntimeException("loop() takes exactly one argument", ErrorCodes.TypeError);
                return loop.Call(rs, args.Positional[0]);
            case Delegate d:
                // registered functions are DelegateCallables; a raw delegate came from the model
                if (rs.Host.Sandbox is not null) throw SecurityErrors.BlockedCall($"Calling a delegate from the model ({Values.TypeName(d)})");
                return new DelegateCallable(d).Invoke(rs, args);
            case null:
                throw new TemplateRuntimeException("'NoneType' object is not callable", ErrorCodes.TypeError);
        }
        throw new TemplateRuntimeException($"'{Values.TypeName(callee)}' object is not callable", ErrorCodes.TypeError);
    }

    /// <summary>
    /// <c>obj?.name(args)</c>: when the receiver is None, or the member resolves to None or Undefined, the call is skipped
    /// and the result is an empty (lenient) Undefined, which prints nothing.
    /// </summary>
    public static object? CallMethodOptional(RenderState rs, object? obj, string name, CallArgs args)
    {
        if (obj is null) return SkippedCall;
        if (obj is Undefined u) { u.Use(); return SkippedCall; }
        if (Values.IsMapping(obj) && Mappings.MapTryGet(obj, name, out var member))
            return member is null or Undefined ? SkippedCall : Call(rs, member, args);
        if (obj is IKidaObject ko)
            return ko.TryGetMember(name, out var m) && m is not (null or Undefined) ? Call(rs, m, args) : SkippedCall;
        if (PyMethods.TryCall(rs, obj, name, args, out var result)) return result;
        if (MemberAccess.TryGetAttr(rs, obj, name, out var attr) && attr is not (null or Undefined)) return Call(rs, attr, args);
        return SkippedCall;
    }

    private static readonly Undefined SkippedCall = new("?.", "optional call skipped", strict: false);

    /// <summary><c>obj.name(args)</c> without allocating a bound method for Python-style methods.</summary>
    public static object? CallMethod(RenderState rs, object? obj, string name, CallArgs args)
    {
        if (obj is Undefined u) { u.Use(); return u; }
        if (obj is null) throw new UndefinedException($"'None' has no attribute '{name}'", $"None.{name}");
        // the common case first: a str method on a plain string (what the general order below reaches for it)
        if (obj is string text && PyMethods.IsStrMethod(name)) return PyMethods.CallStr(rs, text, name, args);
        if (Values.IsMapping(obj) && Mappings.MapTryGet(obj, name, out var member)) return Call(rs, member, args);
        if (obj is IKidaObject ko)
        {
            if (ko.TryGetMember(name, out var m)) return Call(rs, m, args);
            throw Undefined.Attribute(obj, name, true).ToException();
        }
        if (PyMethods.TryCall(rs, obj, name, args, out var result)) return result;
        if (MemberAccess.TryGetAttr(rs, obj, name, out var attr)) return Call(rs, attr, args);
        throw Undefined.Attribute(obj, name, true).ToException();
    }

    /// <summary>
    /// <c>{{ f(args) }}</c>: a macro renders straight into the output; anything else prints its result. As in Jinja2, a
    /// macro's result is safe where the call site autoescapes (its body was escaped by the rules where it was defined), so
    /// a macro defined outside an <c>{% autoescape true %}</c> block is not escaped again inside it.
    /// </summary>
    public static void WriteCall(RenderState rs, Output output, object? callee, CallArgs args, bool escape)
    {
        if (callee is Macro m) m.WriteTo(rs, args, output);
        else output.WriteValue(Call(rs, callee, args), escape);
    }

    /// <summary><see cref="WriteCall"/> for one or two positional arguments: a macro binds them without an argument array.</summary>
    /// <remarks>The site notes which macro body it called, for the inlining at tier-up (<see cref="MacroCallSite"/>).</remarks>
    public static void WriteCall1(RenderState rs, Output output, object? callee, object? a0, bool escape, MacroCallSite site)
    {
        if (callee is Macro { IsCaller: false } m)
        {
            site.Note(m);
            m.WritePositional(rs, output, 1, a0, null);
        }
        else output.WriteValue(Call(rs, callee, new CallArgs([a0], null)), escape);
    }

    public static void WriteCall2(RenderState rs, Output output, object? callee, object? a0, object? a1, bool escape, MacroCallSite site)
    {
        if (callee is Macro { IsCaller: false } m)
        {
            site.Note(m);
            m.WritePositional(rs, output, 2, a0, a1);
        }
        else output.WriteValue(Call(rs, callee, new CallArgs([a0, a1], null)), escape);
    }

    /// <summary>
    /// <c>{{ m.name(a) }}</c> with one positional argument: a macro found as a member (an imported template's macro)
    /// renders straight into the output without an argument list, noted in <paramref name="site"/> for tier-up to inline
    /// (SiteInliner.InlinedMacroCall); anything else is called as a method.
    /// </summary>
    public static void WriteMethodCall1(RenderState rs, Output output, object? obj, string name, object? a0, bool escape, MacroCallSite site)
    {
        if (MemberMacro(obj, name) is Macro m)
        {
            site.Note(m);
            m.WritePositional(rs, output, 1, a0, null);
        }
        else output.WriteValue(CallMethod(rs, obj, name, new CallArgs([a0], null)), escape);
    }

    /// <summary><c>{{ m.name(a, b) }}</c>: as <see cref="WriteMethodCall1"/> with two positional arguments.</summary>
    public static void WriteMethodCall2(RenderState rs, Output output, object? obj, string name, object? a0, object? a1, bool escape, MacroCallSite site)
    {
        if (MemberMacro(obj, name) is Macro m)
        {
            site.Note(m);
            m.WritePositional(rs, output, 2, a0, a1);
        }
        else output.WriteValue(CallMethod(rs, obj, name, new CallArgs([a0, a1], null)), escape);
    }

    /// <summary>
    /// The macro member <paramref name="name"/> of a template namespace (an import: it remembers the last one read), other
    /// than a caller; null for anything else.
    /// </summary>
    public static Macro? MemberMacro(object? obj, string name) =>
        obj is TemplateModule module ? module.MacroNamed(name)
        : obj is IKidaObject ko && ko.TryGetMember(name, out var member) && member is Macro { IsCaller: false } m ? m : null;

    /// <summary><c>{{ obj.name(args) }}</c>: a macro found as a member (an imported template's macro) renders straight into the output.</summary>
    public static void WriteMethodCall(RenderState rs, Output output, object? obj, string name, CallArgs args, bool escape)
    {
        if (obj is IKidaObject ko && ko.TryGetMember(name, out var member) && member is Macro m)
        {
            m.WriteTo(rs, args, output);
            return;
        }
        output.WriteValue(CallMethod(rs, obj, name, args), escape);
    }

    public static bool HasSlot(object? caller, CallArgs args)
    {
        if (caller is not Macro m) return false;
        var name = args.Count > 0 ? Values.AsString(args.Positional[0]) : null;
        if (name is null) return true;
        return m.HasSlot(name);
    }

    public static object? MakeCaller(string[] parameters, bool escape, Action<RenderState, object?[], Output> body,
        Func<RenderState, Dictionary<string, object?>?, string> defaultSlot, string[] slotNames,
        Func<RenderState, Dictionary<string, object?>?, string>[] slots)
    {
        Dictionary<string, Func<RenderState, Dictionary<string, object?>?, string>>? map = null;
        if (slotNames.Length > 0)
        {
            map = new(StringComparer.Ordinal);
            for (var i = 0; i < slotNames.Length; i++) map[slotNames[i]] = slots[i];
        }
        return new Macro("caller", parameters, false, false, false, escape, body)
        {
            IsCaller = true,
            DefaultSlot = defaultSlot,
            Slots = map,
        };
    }

    public static Context SlotContext(Context ctx, Dictionary<string, object?>? bindings) =>
        bindings is null ? ctx : ctx.Derive(bindings);

    public static string RenderSlot(RenderState rs, object? caller, string? name, Dictionary<string, object?>? bindings)
    {
        if (caller is Macro m) return m.RenderSlot(rs, name, bindings);
        if (caller is Undefined) return "";
        return PyString.Str(Call(rs, caller, CallArgs.None));
    }
}

/// <summary>
/// A printed call with one or two positional arguments (<c>{{ row(p) }}</c>): the top-level macro body it has called.
/// When one body without argument checks is all it has seen when its function is compiled to IL, the call is inlined
/// there behind a check that the callee still runs that body (SiteInliner.InlinedMacroCall). Shared by every thread
/// that renders the template: a lost race only changes what is inlined, never what is printed.
/// </summary>
internal sealed class MacroCallSite
{
    /// <summary>Marks a site that called more than one body, or a macro whose calls are checked: never inlined.</summary>
    public static readonly MacroCode Several = new(null!);

    public MacroCode? Seen;

    public void Note(Macro m)
    {
        var seen = Seen;
        var code = m.SharedCode;
        if (ReferenceEquals(seen, code)) return;
        Seen = seen is null && code is not null && m.Check is null ? code : Several;
    }
}
