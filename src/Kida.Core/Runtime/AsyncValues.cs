using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Kida.Runtime;

/// <summary>
/// Tasks in templates: every place a value of <see cref="Task"/>, <see cref="Task{TResult}"/>, <see cref="ValueTask"/>
/// or <see cref="ValueTask{TResult}"/> enters a render (a model member or method of such a type, a filter or global
/// function returning one, a context value that is one, <c>await expr</c>) is an <em>await point</em>. A completed task
/// gives its result at once (any render); a task still running stops a synchronous render with
/// <see cref="ErrorCodes.PendingTask"/>, and makes an asynchronous render (<see cref="AsyncRun"/>) unwind, wait for it
/// truly asynchronously and render again from the start, where the point returns the memoized result without
/// evaluating its operand again. A template never sees the task object itself.
/// </summary>
internal static class AsyncValues
{
    private static readonly ConcurrentDictionary<Type, Func<object, Task>?> ValueTaskAdapters = new();
    private static readonly ConcurrentDictionary<Type, PropertyInfo?> ResultProperties = new();

    /// <summary>Whether values of <paramref name="t"/> are tasks a render awaits (Task, Task&lt;T&gt;, ValueTask, ValueTask&lt;T&gt;).</summary>
    public static bool IsAwaitableType(Type t) =>
        typeof(Task).IsAssignableFrom(t) || t == typeof(ValueTask) || (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(ValueTask<>));

    /// <summary>
    /// Whether a member or method of declared type <paramref name="t"/> is visible as its awaited result: a task whose
    /// result type is itself something templates may see (a <c>Task&lt;Type&gt;</c> stays hidden).
    /// </summary>
    public static bool IsVisibleAwaitable(Type t)
    {
        if (!IsAwaitableType(t)) return false;
        if (t == typeof(Task) || t == typeof(ValueTask)) return true;
        for (var b = t; b is not null && b != typeof(Task); b = b.BaseType)
            if (b.IsGenericType && (b.GetGenericTypeDefinition() == typeof(Task<>) || b.GetGenericTypeDefinition() == typeof(ValueTask<>)))
            {
                var result = b.GetGenericArguments()[0];
                return !IsAwaitableType(result) && !MemberPolicy.IsBlockedType(result);
            }
        return false;
    }

    /// <summary>Whether the value is a task (a boxed <see cref="ValueTask"/> included).</summary>
    public static bool IsAwaitable(object? v) =>
        v is Task || (v is not null && v.GetType() is { IsValueType: true, IsPrimitive: false } t && (t == typeof(ValueTask) || (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(ValueTask<>))));

    /// <summary>The task of a boxed ValueTask (or the task itself).</summary>
    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2070:GetMethod", Justification = TrimReasons.ImplementedInstantiation)]
    [DynamicDependency(nameof(ValueTask<int>.AsTask), typeof(ValueTask<>))]
    public static Task AsTask(object awaitable)
    {
        if (awaitable is Task t) return t;
        if (awaitable is ValueTask vt) return vt.AsTask();
        var adapter = ValueTaskAdapters.GetOrAdd(awaitable.GetType(), static type =>
        {
            var method = type.GetMethod(nameof(ValueTask<int>.AsTask), Type.EmptyTypes);
            return method is null ? null : boxed => (Task)method.Invoke(boxed, null)!;
        });
        return adapter is null ? Task.CompletedTask : adapter(awaitable);
    }

    /// <summary>The result of a task that completed successfully (None for a task without one).</summary>
    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2070:GetProperty", Justification = TrimReasons.ImplementedInstantiation)]
    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2075:GetProperty", Justification = TrimReasons.ImplementedInstantiation)]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(Task<>))]
    private static object? ResultOf(Task task)
    {
        var type = task.GetType();
        var property = ResultProperties.GetOrAdd(type, static t =>
        {
            for (var b = t; b is not null && b != typeof(Task); b = b.BaseType)
                if (b.IsGenericType && b.GetGenericTypeDefinition() == typeof(Task<>))
                {
                    // the task of an 'async Task' method is a Task<VoidTaskResult>: it has no result
                    var arg = b.GetGenericArguments()[0];
                    return arg.FullName == "System.Threading.Tasks.VoidTaskResult" ? null : b.GetProperty(nameof(Task<int>.Result));
                }
            return null;
        });
        return property?.GetValue(task);
    }

    /// <summary>
    /// Starts an await point of the render running on this thread. Returns the point's number (-1 when the render does
    /// not memoize: a synchronous render, or none at all); <paramref name="memoized"/> is true when an earlier attempt of
    /// this asynchronous render already resolved the point, whose result is then <paramref name="value"/> and whose
    /// operand must not be evaluated again.
    /// </summary>
    public static int Enter(RenderState? rs, out bool memoized, out object? value)
    {
        memoized = false;
        value = null;
        if (rs is null) return -1;
        // every await counts as one loop iteration (and checks time and cancellation)
        rs.LoopTick();
        if (rs.Async is not { } run) return -1;
        var point = run.Enter(rs.Pos, out memoized, out value, out var awaited, out var what);
        if (awaited is not null)
        {
            // the task an earlier attempt waited for: its outcome (a failure raises here, at its await point)
            value = Resolve(rs, point, awaited, what!);
            run.LastMemo = value;
        }
        return point;
    }

    /// <summary>
    /// Resolves <paramref name="value"/> at await point <paramref name="point"/> (from <see cref="Enter"/>; -1 allocates
    /// one now): a value that is not a task is returned as it is; a completed task gives its result; a faulted or
    /// cancelled one raises; a running one raises <see cref="ErrorCodes.PendingTask"/> in a synchronous render and
    /// unwinds an asynchronous one (<see cref="AsyncPendingSignal"/>). <paramref name="what"/> names the expression for
    /// the messages.
    /// </summary>
    public static object? Resolve(RenderState? rs, int point, object? value, string what)
    {
        if (!IsAwaitable(value)) return Remember(rs, point, value);
        var task = AsTask(value!);
        if (!task.IsCompleted)
        {
            if (rs?.Async is { } run)
            {
                if (point < 0) point = run.Enter(rs.Pos, out _, out _, out _, out _);
                run.Suspend(rs, point, task, what);
                throw new AsyncPendingSignal();
            }
            throw new TemplateRuntimeException(
                $"{what} is a task that has not completed: a synchronous render cannot wait for it",
                ErrorCodes.PendingTask, null,
                "Render with RenderAsync (which awaits it), or await the value before rendering.");
        }
        if (task.IsFaulted)
        {
            var inner = task.Exception!.InnerExceptions.Count == 1 ? task.Exception.InnerExceptions[0] : task.Exception;
            if (inner is TemplateException te) throw te;
            throw new TemplateRuntimeException($"{what} failed: {inner.Message}", ErrorCodes.Runtime, inner);
        }
        if (task.IsCanceled)
        {
            rs?.CancellationToken.ThrowIfCancellationRequested();
            throw new TemplateRuntimeException($"{what} was cancelled", ErrorCodes.Runtime, new TaskCanceledException(task));
        }
        return Remember(rs, point, Values.Normalize(ResultOf(task)));
    }

    private static object? Remember(RenderState? rs, int point, object? value)
    {
        if (point >= 0 && rs?.Async is { } run) run.Memoize(point, value);
        return value;
    }

    /// <summary>
    /// A value from .NET code whose declared type is not a task but which turned out to be one (a dictionary entry, an
    /// <c>object</c> member): resolved at a point allocated now (no operand to skip).
    /// </summary>
    public static object? ResolveFound(object value)
    {
        var rs = RenderState.Running;
        var point = Enter(rs, out var memoized, out var memo);
        return memoized ? memo : Resolve(rs, point, value, "a value");
    }

    /// <summary>
    /// A call or member read whose declared type is a task: when this asynchronous render already resolved the point,
    /// the memoized result is returned and <paramref name="produce"/> (the call) does not run again.
    /// </summary>
    public static object? Await<TState>(TState state, Func<TState, object?> produce, string what)
    {
        var rs = RenderState.Running;
        var point = Enter(rs, out var memoized, out var memo);
        return memoized ? memo : Resolve(rs, point, produce(state), what);
    }

    /// <summary>
    /// A call into .NET code that may have side effects (a model method, a global function, a list or dict mutator): in an
    /// asynchronous render, an attempt that repeats the call an earlier attempt made (same object, same method, equal
    /// arguments, same place in the sequence of calls) takes its recorded result instead of calling again.
    /// </summary>
    public static object? Journaled<TState>(object? target, object method, object?[] args, TState state, Func<TState, object?> call)
    {
        if (RenderState.Running?.Async is not { } run) return call(state);
        if (run.TryReplayCall(target, method, args, out var index, out var recorded)) return recorded;
        var result = call(state);
        run.Journaled(index, result);
        return result;
    }

    /// <summary><c>await expr</c> in a template: the operand is evaluated only when the point is not memoized (see the emitter).</summary>
    public static int EnterAwait(RenderState rs)
    {
        var point = Enter(rs, out var memoized, out _);
        return memoized ? -2 : point;
    }

    /// <summary>The memoized result of the point <see cref="EnterAwait"/> just entered (when it returned -2).</summary>
    public static object? MemoizedAwait(RenderState rs) => rs.Async!.LastMemo;

    public static object? CompleteAwait(RenderState rs, int point, object? value, string what) => Resolve(rs, point, value, what);
}

/// <summary>
/// The internal signal that unwinds an attempt of an asynchronous render at a task that is still running. Derived from
/// <see cref="OperationCanceledException"/> so that the handlers that let cancellation pass let it pass too; never a
/// <see cref="TemplateException"/>, so <c>{% try %}</c>, <c>default</c> and error wrapping never catch it; never seen
/// outside <see cref="Template"/>.
/// </summary>
internal sealed class AsyncPendingSignal() : OperationCanceledException("An asynchronous render is waiting for a task (internal).");
