using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Claims;
using Kida.Runtime;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace Kida.AspNetCore;

/// <summary>
/// A function handed to templates (<c>csrf_token</c>, <c>url_for</c>, <c>model_state.errors</c>, …): callable, with
/// no members at all, so a template cannot reach the delegate, its target or its method through it.
/// </summary>
internal sealed class KidaFunction(string name, Func<CallArgs, object?> body) : KidaCallable, IKidaObject
{
    public override object? Invoke(RenderState rs, in CallArgs args)
    {
        try
        {
            return body(args);
        }
        catch (Exception ex) when (ex is not TemplateException and not OperationCanceledException)
        {
            throw new TemplateRuntimeException($"{name}() failed: {ex.Message}", ErrorCodes.Runtime, ex);
        }
    }

    bool IKidaObject.TryGetMember(string member, out object? value)
    {
        value = null;
        return false;
    }

    public override string ToString() => $"<function {name}>";

    /// <summary>Argument <paramref name="index"/> (or keyword <paramref name="keyword"/>) as a string; null when absent or None.</summary>
    public static string? String(in CallArgs args, int index, string keyword, string function, bool required = false)
    {
        var value = Values.Unwrap(args.Get(index, keyword));
        if (value is Undefined undefined)
        {
            undefined.Use();
            value = null;
        }
        if (value is null)
        {
            if (required) throw new TemplateRuntimeException($"{function}() missing required argument '{keyword}'", ErrorCodes.TypeError);
            return null;
        }
        return Values.AsString(value) ?? PyString.Str(value);
    }

    /// <summary>Argument <paramref name="index"/> (or keyword <paramref name="keyword"/>) as it is; null when absent.</summary>
    public static object? Value(in CallArgs args, int index, string keyword)
    {
        var value = Values.Unwrap(args.Get(index, keyword));
        if (value is Undefined undefined)
        {
            undefined.Use();
            return null;
        }
        return value;
    }
}

/// <summary>Member names as templates write them: <c>path_base</c>, <c>PathBase</c> and <c>pathbase</c> are one name.</summary>
internal static class TemplateMemberName
{
    public static string Normalize(string name)
    {
        // the common case, a lower-case name without underscores (path, query, name), allocates nothing
        foreach (var c in name)
            if (c == '_' || char.IsUpper(c)) return name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        return name;
    }

    /// <summary>Turns a failure reading a member into a template error that names it.</summary>
    public static TemplateRuntimeException Failed(string owner, string name, Exception ex) =>
        new($"Reading '{owner}.{name}' failed: {ex.Message}", ErrorCodes.AttributeError, ex);
}

/// <summary>
/// The <c>user</c> object of MVC views: <c>user.name</c>, <c>user.is_authenticated</c>,
/// <c>user.authentication_type</c>, <c>user.identity.name</c> (and <c>.is_authenticated</c>,
/// <c>.authentication_type</c>), <c>user.claims</c> (a list of (type, value) pairs), <c>user.is_in_role('admin')</c>,
/// <c>user.has_claim(type, value=None)</c>, <c>user.find_first(type)</c> (the value or None). Nothing else of the
/// <see cref="ClaimsPrincipal"/> (identities' bootstrap contexts, actors, claim subjects, issuers' properties).
/// </summary>
internal sealed class KidaUser(ClaimsPrincipal? principal) : IKidaObject
{
    private readonly ClaimsPrincipal _principal = principal ?? new ClaimsPrincipal(new ClaimsIdentity());

    private KidaIdentity Identity => new(_principal.Identity);

    public bool TryGetMember(string name, out object? value)
    {
        value = TemplateMemberName.Normalize(name) switch
        {
            "name" => _principal.Identity?.Name,
            "isauthenticated" => _principal.Identity?.IsAuthenticated ?? false,
            "authenticationtype" => _principal.Identity?.AuthenticationType,
            "identity" => Identity,
            "claims" => _principal.Claims.Select(c => new KidaClaim(c.Type, c.Value)).ToList(),
            "isinrole" => new KidaFunction("is_in_role", args =>
                KidaFunction.String(args, 0, "role", "is_in_role", required: true) is { } role && _principal.IsInRole(role)),
            "hasclaim" => new KidaFunction("has_claim", args =>
            {
                var type = KidaFunction.String(args, 0, "type", "has_claim", required: true)!;
                var claimValue = KidaFunction.String(args, 1, "value", "has_claim");
                return claimValue is null ? _principal.HasClaim(c => c.Type == type) : _principal.HasClaim(type, claimValue);
            }),
            "findfirst" => new KidaFunction("find_first", args =>
                _principal.FindFirst(KidaFunction.String(args, 0, "type", "find_first", required: true)!)?.Value),
            _ => Missing,
        };
        if (ReferenceEquals(value, Missing))
        {
            value = null;
            return false;
        }
        return true;
    }

    private static readonly object Missing = new();

    public override string ToString() => _principal.Identity?.Name ?? "";
}

/// <summary><c>user.identity</c>: <c>name</c>, <c>is_authenticated</c>, <c>authentication_type</c>.</summary>
internal sealed class KidaIdentity(System.Security.Principal.IIdentity? identity) : IKidaObject
{
    public bool TryGetMember(string name, out object? value)
    {
        switch (TemplateMemberName.Normalize(name))
        {
            case "name": value = identity?.Name; return true;
            case "isauthenticated": value = identity?.IsAuthenticated ?? false; return true;
            case "authenticationtype": value = identity?.AuthenticationType; return true;
            default: value = null; return false;
        }
    }

    public override string ToString() => identity?.Name ?? "";
}

/// <summary>One claim as data: <c>claim.type</c>, <c>claim.value</c>, and a (type, value) pair to unpack.</summary>
internal sealed class KidaClaim(string type, string value) : IKidaObject, IReadOnlyList<object?>
{
    public object? this[int index] => index switch
    {
        0 => type,
        1 => value,
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public int Count => 2;

    public bool TryGetMember(string name, out object? result)
    {
        switch (TemplateMemberName.Normalize(name))
        {
            case "type": result = type; return true;
            case "value": result = value; return true;
            default: result = null; return false;
        }
    }

    public IEnumerator<object?> GetEnumerator()
    {
        yield return type;
        yield return value;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"('{type}', '{value}')";
}

/// <summary>
/// One field of <c>model_state</c>: <c>errors</c> (each with <c>error_message</c>), <c>attempted_value</c>,
/// <c>raw_value</c> (the posted value: a string, a list of strings, or None), <c>validation_state</c>
/// (<c>Unvalidated</c>, <c>Invalid</c>, <c>Valid</c>, <c>Skipped</c>) and <c>is_valid</c>.
/// </summary>
internal sealed class KidaModelStateEntry(ModelStateEntry entry) : IKidaObject
{
    public bool TryGetMember(string name, out object? value)
    {
        switch (TemplateMemberName.Normalize(name))
        {
            case "errors": value = entry.Errors.Select(e => (object?)new KidaModelError(e.ErrorMessage)).ToList(); return true;
            case "attemptedvalue": value = entry.AttemptedValue; return true;
            case "rawvalue": value = RawValue(entry.RawValue); return true;
            case "validationstate": value = entry.ValidationState.ToString(); return true;
            case "isvalid": value = entry.ValidationState == ModelValidationState.Valid; return true;
            default: value = null; return false;
        }
    }

    /// <summary>Posted values are strings; anything else a binder put there is shown as text, never as an object.</summary>
    private static object? RawValue(object? raw) => raw switch
    {
        null => null,
        string s => s,
        IEnumerable<string?> many => many.Select(v => (object?)v).ToList(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => raw.ToString(),
    };

    public override string ToString() => entry.AttemptedValue ?? "";
}

/// <summary>One validation error: <c>error_message</c> (the exception MVC may keep is not exposed).</summary>
internal sealed class KidaModelError(string message) : IKidaObject
{
    public bool TryGetMember(string name, out object? value)
    {
        if (TemplateMemberName.Normalize(name) == "errormessage")
        {
            value = message;
            return true;
        }
        value = null;
        return false;
    }

    public override string ToString() => message;
}

/// <summary>
/// <c>temp_data</c>: a read-only mapping over MVC's <see cref="ITempDataDictionary"/> (reading a key marks it read,
/// as <c>TempData["key"]</c> does); its values are what the application stored.
/// </summary>
internal sealed class KidaTempData(ITempDataDictionary tempData) : IReadOnlyDictionary<string, object?>
{
    public object? this[string key] => tempData.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys => tempData.Keys;

    public IEnumerable<object?> Values => tempData.Keys.ToList().Select(k => tempData[k]);

    public int Count => tempData.Count;

    public bool ContainsKey(string key) => tempData.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        if (key is null || TemplateMapNames.IsDictMethod(key) || !tempData.TryGetValue(key, out value))
        {
            value = null;
            return false;
        }
        return true;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() =>
        tempData.Keys.ToList().Select(k => new KeyValuePair<string, object?>(k, tempData[k])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary><c>view_data</c>: a read-only mapping over the view's <see cref="ViewDataDictionary"/> (no copy).</summary>
internal sealed class KidaViewData(ViewDataDictionary viewData) : IReadOnlyDictionary<string, object?>
{
    public object? this[string key] => viewData.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys => viewData.Keys;

    public IEnumerable<object?> Values => viewData.Values;

    public int Count => viewData.Count;

    public bool ContainsKey(string key) => viewData.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        if (key is null || TemplateMapNames.IsDictMethod(key)) { value = null; return false; }
        return viewData.TryGetValue(key, out value);
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)viewData).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
