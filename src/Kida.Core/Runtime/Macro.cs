namespace Kida.Runtime;

/// <summary>A macro or def: binds arguments Jinja-style and renders its body to (safe) text.</summary>
internal sealed class Macro : KidaCallable, IKidaObject
{
    /// <summary>Marks a parameter the caller did not pass (the body then evaluates its default).</summary>
    public static readonly object Missing = new();

    public Macro(string name, string[] parameters, bool catchVarargs, bool catchKwargs, bool acceptsCaller, bool returnsMarkup,
        Action<RenderState, object?[], Output> body)
    {
        Name = name;
        Parameters = parameters;
        CatchVarargs = catchVarargs;
        CatchKwargs = catchKwargs;
        AcceptsCaller = acceptsCaller;
        ReturnsMarkup = returnsMarkup;
        Body = body;
    }

    /// <summary>
    /// A top-level macro: its body was compiled once for the template and takes the defining context as an argument,
    /// so defining it in a render allocates only this object.
    /// </summary>
    public Macro(string name, string[] parameters, bool catchVarargs, bool catchKwargs, bool acceptsCaller, bool returnsMarkup,
        MacroCode body, Context context)
        : this(name, parameters, catchVarargs, catchKwargs, acceptsCaller, returnsMarkup, null!)
    {
        _sharedBody = body;
        _context = context;
    }

    private readonly MacroCode? _sharedBody;
    private readonly Context? _context;

    /// <summary>A top-level macro's body, shared by every render; null for any other.</summary>
    internal MacroCode? SharedCode => _sharedBody;

    /// <summary>The context a bound top-level macro was defined in.</summary>
    internal Context? DefiningContext => _context;

    /// <summary>The shared body <paramref name="callee"/> runs when it is a top-level macro; null for anything else (one type check, no cast in compiled code).</summary>
    internal static MacroCode? CodeOf(object? callee) => callee is Macro m ? m._sharedBody : null;

    /// <summary>The defining context of a callee known to be a bound top-level macro (<see cref="CodeOf"/> returned its body).</summary>
    internal static Context ContextOf(object callee) => System.Runtime.CompilerServices.Unsafe.As<Macro>(callee)._context!;

    /// <summary>The argument checks of <see cref="KidaOptions.ValidateCalls"/> and <see cref="KidaOptions.CheckTypes"/>; null when off.</summary>
    internal Checking.CallCheck? Check { get; init; }

    /// <summary>For a bound top-level macro: the compile-time macro it was bound from.</summary>
    internal Macro? Prototype { get; private init; }

    /// <summary>The next macro bound to the same context (<see cref="Context.BindMacro"/>'s list).</summary>
    internal Macro? NextBound;

    /// <summary>
    /// This top-level macro (built once at compile time, with no context) bound to the context of a render. Nothing
    /// else in the object depends on the render, so a context may hand out the same bound macro again.
    /// </summary>
    internal Macro BindTo(Context context) =>
        new(Name, Parameters, CatchVarargs, CatchKwargs, AcceptsCaller, ReturnsMarkup, _sharedBody!, context) { Prototype = this, Check = Check };

    public string Name { get; }
    public string[] Parameters { get; }
    public bool CatchVarargs { get; }
    public bool CatchKwargs { get; }
    public bool AcceptsCaller { get; }
    public bool ReturnsMarkup { get; }
    public Action<RenderState, object?[], Output> Body { get; }

    /// <summary>Named slot bodies of a caller built from <c>{% call %}</c>, taking optional scoped bindings.</summary>
    public Dictionary<string, Func<RenderState, Dictionary<string, object?>?, string>>? Slots { get; init; }

    /// <summary>The default slot of a caller, taking optional scoped bindings.</summary>
    public Func<RenderState, Dictionary<string, object?>?, string>? DefaultSlot { get; init; }

    public bool IsCaller { get; init; }

    public override string TypeName => "macro";

    public override object? Invoke(RenderState rs, in CallArgs args)
    {
        if (IsCaller && Parameters.Length == 0 && args.Count == 1 && !args.HasNamed && Values.AsString(args.Positional[0]) is { } slotName)
            return Wrap(RenderSlot(rs, slotName, null));
        var bound = Bind(rs, args);
        using var output = new Output(256);
        Run(rs, bound, output);
        return Wrap(output.ToString());
    }

    /// <summary>
    /// <c>{{ m(...) }}</c>: renders the body straight into the caller's output. The result is what printing the
    /// returned (safe, or autoescape-off plain) text would write, without building that text.
    /// </summary>
    public void WriteTo(RenderState rs, in CallArgs args, Output output)
    {
        if (IsCaller && Parameters.Length == 0 && args.Count == 1 && !args.HasNamed && Values.AsString(args.Positional[0]) is { } slotName)
        {
            output.Write(RenderSlot(rs, slotName, null));
            return;
        }
        Run(rs, Bind(rs, args), output);
    }

    /// <summary>
    /// <see cref="WriteTo(RenderState, in CallArgs, Output)"/> for a call with one or two positional arguments and no
    /// keywords: no argument array is built for the call.
    /// </summary>
    public void WritePositional(RenderState rs, Output output, int count, object? a0, object? a1)
    {
        Check?.CheckPositional(count, a0, a1);
        var n = Parameters.Length;
        if (count > n && !CatchVarargs)
            throw new TemplateRuntimeException($"macro '{Name}' takes not more than {n} argument(s)", ErrorCodes.TypeError);
        if (_sharedBody?.Positional is { } positional)
        {
            // the body takes its (at most two) arguments directly: no array
            var (noteCaller, notePos) = (rs.Current, rs.Pos);
            rs.Enter();
            try
            {
                positional(rs, _context!, n > 0 ? a0 : null, n < 2 ? null : count > 1 ? a1 : Missing, output);
            }
            catch (Exception noteEx) when (rs.NoteFrame(noteEx, "macro", Name, noteCaller, notePos))
            {
                throw; // never: the filter only notes the frame
            }
            finally
            {
                rs.Exit();
            }
            return;
        }
        var bound = rs.RentArgArray(n + 3);
        if (n > 0) bound[0] = a0;
        if (count > 1 && n > 1) bound[1] = a1;
        for (var i = Math.Min(count, n); i < n; i++) bound[i] = Missing;
        // the body reads the varargs and kwargs slots only when the macro collects them (a rented array is cleared)
        if (CatchVarargs) bound[n] = count <= n ? PyTuple.Empty : new PyTuple(count == 1 ? [a0] : n == 0 ? [a0, a1] : [a1]);
        if (CatchKwargs) bound[n + 1] = Mappings.NewDict();
        Run(rs, bound, output);
    }

    private void Run(RenderState rs, object?[] bound, Output output)
    {
        var (noteCaller, notePos) = (rs.Current, rs.Pos);
        rs.Enter();
        try
        {
            if (_sharedBody is not null) _sharedBody.Body(rs, _context!, bound, output);
            else Body(rs, bound, output);
        }
        catch (Exception noteEx) when (rs.NoteFrame(noteEx, "macro", Name, noteCaller, notePos))
        {
            throw; // never: the filter only notes the frame
        }
        finally
        {
            rs.Exit();
            // the body copies its arguments into locals first thing, so the array can serve the next call
            rs.ReturnArgArray(bound);
        }
    }

    private object?[] Bind(RenderState rs, in CallArgs args)
    {
        Check?.Check(args.Positional, args.Named);
        var n = Parameters.Length;
        var bound = rs.RentArgArray(n + 3);
        for (var i = 0; i < n; i++) bound[i] = Missing;
        var pos = args.Positional;
        if (pos.Length > n && !CatchVarargs)
            throw new TemplateRuntimeException($"macro '{Name}' takes not more than {n} argument(s)", ErrorCodes.TypeError);
        for (var i = 0; i < Math.Min(n, pos.Length); i++) bound[i] = pos[i];
        bound[n] = pos.Length > n ? new PyTuple(pos[n..]) : PyTuple.Empty;
        Dictionary<object, object?>? kwargs = CatchKwargs ? Mappings.NewDict() : null;
        if (args.Named is not null)
        {
            foreach (var (key, value) in args.Named)
            {
                var idx = Array.IndexOf(Parameters, key);
                if (idx >= 0)
                {
                    if (idx < pos.Length) throw new TemplateRuntimeException($"macro '{Name}' got multiple values for argument '{key}'", ErrorCodes.TypeError);
                    bound[idx] = value;
                }
                else if (key == "caller" && AcceptsCaller) bound[n + 2] = value;
                else if (kwargs is not null) kwargs[key] = value;
                else throw new TemplateRuntimeException($"macro '{Name}' takes no keyword argument '{key}'", ErrorCodes.TypeError);
            }
        }
        bound[n + 1] = kwargs;
        return bound;
    }

    private object Wrap(string s) => ReturnsMarkup ? new Markup(s) : s;

    public string RenderSlot(RenderState rs, string? name, Dictionary<string, object?>? bindings)
    {
        var slot = name is null or "default" ? DefaultSlot : Slots?.GetValueOrDefault(name);
        if (slot is null) return "";
        var (noteCaller, notePos) = (rs.Current, rs.Pos);
        rs.Enter();
        try
        {
            return slot(rs, bindings);
        }
        catch (Exception noteEx) when (rs.NoteFrame(noteEx, "slot", name ?? "default", noteCaller, notePos))
        {
            throw; // never: the filter only notes the frame
        }
        finally
        {
            rs.Exit();
        }
    }

    public bool HasSlot(string? name)
    {
        if (name is null or "default") return DefaultSlot is not null;
        return Slots is not null && Slots.ContainsKey(name);
    }

    public override string ToString() => Name;

    /// <summary>Jinja2's macro attributes: name, arguments, catch_varargs, catch_kwargs, caller.</summary>
    public bool TryGetMember(string member, out object? value)
    {
        switch (member)
        {
            case "name": value = Name; return true;
            case "arguments": value = new PyTuple(Parameters.Cast<object?>().ToArray()); return true;
            case "catch_varargs": value = CatchVarargs; return true;
            case "catch_kwargs": value = CatchKwargs; return true;
            case "caller": value = AcceptsCaller; return true;
        }
        value = null;
        return false;
    }
}

/// <summary>The <c>loop</c> variable of a for loop.</summary>
internal sealed class LoopContext : IKidaObject
{
    private readonly IReadOnlyList<object?> _items;
    private object? _lastChanged = Macro.Missing;

    public LoopContext(IReadOnlyList<object?> items, int depth0, Func<RenderState, object?, int, string>? recurse, RenderState rs)
    {
        _items = items;
        Depth0 = depth0;
        Recurse = recurse;
        State = rs;
    }

    public int Index0;
    public int Depth0 { get; }
    public Func<RenderState, object?, int, string>? Recurse { get; }
    public RenderState State { get; }
    public int Length => _items.Count;

    /// <summary>The loop of an <c>async for</c>: its length is unknown, so the members that need it raise.</summary>
    public bool IsAsync { get; init; }

    public bool TryGetMember(string name, out object? value)
    {
        if (IsAsync && name is "last" or "length" or "revindex" or "revindex0" or "nextitem")
            throw new TemplateRuntimeException($"'loop.{name}' is not available in async for-loops", ErrorCodes.Runtime);
        switch (name)
        {
            case "index": value = Boxes.Long(Index0 + 1L); return true;
            case "index0": value = Boxes.Long(Index0); return true;
            case "revindex": value = Boxes.Long(Length - Index0); return true;
            case "revindex0": value = Boxes.Long(Length - Index0 - 1); return true;
            case "first": value = Index0 == 0 ? Boxes.True : Boxes.False; return true;
            case "last": value = Index0 == Length - 1 ? Boxes.True : Boxes.False; return true;
            case "length": value = Boxes.Long(Length); return true;
            case "depth": value = Boxes.Long(Depth0 + 1L); return true;
            case "depth0": value = Boxes.Long(Depth0); return true;
            case "previtem":
                value = Index0 > 0 ? _items[Index0 - 1] : new Undefined("loop.previtem", "there is no previous item", State.Strict);
                return true;
            case "nextitem":
                value = Index0 + 1 < Length ? _items[Index0 + 1] : new Undefined("loop.nextitem", "there is no next item", State.Strict);
                return true;
            case "cycle":
                value = new BuiltinFunction("cycle", (_, a) =>
                {
                    if (a.Count == 0) throw new TemplateRuntimeException("no items for cycling given", ErrorCodes.TypeError);
                    return a.Positional[Index0 % a.Count];
                });
                return true;
            case "changed":
                value = new BuiltinFunction("changed", (_, a) =>
                {
                    object? current = a.Count == 1 ? a.Positional[0] : new PyTuple(a.Positional);
                    if (_lastChanged != Macro.Missing && Comparison.Eq(_lastChanged, current)) return false;
                    _lastChanged = current;
                    return true;
                });
                return true;
        }
        value = null;
        return false;
    }

    public object? Call(RenderState rs, object? iterable)
    {
        if (Recurse is null) throw new TemplateRuntimeException("'loop' is only callable in recursive loops", ErrorCodes.TypeError);
        var (noteCaller, notePos) = (rs.Current, rs.Pos);
        rs.Enter();
        try
        {
            return new Markup(Recurse(rs, iterable, Depth0 + 1));
        }
        catch (Exception noteEx) when (rs.NoteFrame(noteEx, "loop", "loop", noteCaller, notePos))
        {
            throw; // never: the filter only notes the frame
        }
        finally
        {
            rs.Exit();
        }
    }
}

/// <summary>Jinja's <c>namespace()</c>: a mutable attribute bag that survives scopes.</summary>
internal sealed class Namespace : IKidaObject
{
    public Dictionary<string, object?> Values { get; } = new(StringComparer.Ordinal);

    public bool TryGetMember(string name, out object? value) => Values.TryGetValue(name, out value);

    public override string ToString() => PyString.Repr(this);
}

/// <summary>Jinja's <c>cycler(…)</c>.</summary>
internal sealed class Cycler(object?[] items) : IKidaObject
{
    private int _pos;

    public bool TryGetMember(string name, out object? value)
    {
        switch (name)
        {
            case "current": value = items.Length == 0 ? null : items[_pos]; return true;
            case "next":
                value = new BuiltinFunction("next", (_, _) =>
                {
                    if (items.Length == 0) return null;
                    var v = items[_pos];
                    _pos = (_pos + 1) % items.Length;
                    return v;
                });
                return true;
            case "reset": value = new BuiltinFunction("reset", (_, _) => { _pos = 0; return null; }); return true;
            case "items": value = new List<object?>(items); return true;
        }
        value = null;
        return false;
    }
}

/// <summary>Jinja's <c>joiner(sep)</c>: returns "" the first time and the separator afterwards.</summary>
internal sealed class Joiner(string separator) : KidaCallable
{
    private bool _used;

    public override object? Invoke(RenderState rs, in CallArgs args)
    {
        if (_used) return separator;
        _used = true;
        return "";
    }
}
