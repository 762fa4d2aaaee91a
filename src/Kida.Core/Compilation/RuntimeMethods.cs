using System.Collections;
using System.Linq.Expressions;
using System.Reflection;
using Kida.Runtime;

namespace Kida.Compilation;

/// <summary>
/// Every runtime member the emitted code calls, as a typed handle: static helpers from their method groups, instance
/// members, fields and constructors from small expression lambdas. Renaming or re-typing a helper is a compile error
/// here, never a failure when a template runs; the emitter and <see cref="SiteInliner"/> compare these handles, not names.
/// </summary>
internal static class RuntimeMethods
{
    // ------------------------------------------------------------------ arithmetic and comparison

    public static readonly MethodInfo Add = Of(Rt.Add);
    public static readonly MethodInfo Sub = Of(Rt.Sub);
    public static readonly MethodInfo Mul = Of(Rt.Mul);
    public static readonly MethodInfo Div = Of(Rt.Div);
    public static readonly MethodInfo FloorDiv = Of(Rt.FloorDiv);
    public static readonly MethodInfo Mod = Of(Rt.Mod);
    public static readonly MethodInfo Pow = Of(Rt.Pow);
    public static readonly MethodInfo Neg = Of(Rt.Neg);
    public static readonly MethodInfo Pos = Of(Rt.Pos);
    public static readonly MethodInfo Tilde = Of(Rt.Tilde);
    public static readonly MethodInfo CompareOp = Of(Rt.CompareOp);
    public static readonly MethodInfo Equal = Of(Rt.Equal);
    public static readonly MethodInfo Truthy = Of(Py.Truthy);
    public static readonly MethodInfo Unwrap = Of(Py.Unwrap);
    public static readonly MethodInfo BoxInt = Of(Boxes.Int);

    // ------------------------------------------------------------------ values and collections

    public static readonly MethodInfo EmptyIfShort = Of(Rt.EmptyIfShort);
    public static readonly MethodInfo IsMissing = Of(Rt.IsMissing);
    public static readonly MethodInfo IsDefined = Of(Rt.IsDefined);
    public static readonly MethodInfo UseValue = Of(Rt.UseValue);
    public static readonly MethodInfo UndefinedFrom = Of(Rt.UndefinedFrom);
    public static readonly MethodInfo NoneToEmpty = Of(Rt.NoneToEmpty);
    public static readonly MethodInfo StrOf = Of(Rt.StrOf);
    public static readonly MethodInfo MarkupIf = Of(Rt.MarkupIf);
    public static readonly MethodInfo MakeList = Of(Rt.MakeList);
    public static readonly MethodInfo MakeTuple = Of(Rt.MakeTuple);
    public static readonly MethodInfo MakeDict = Of(Rt.MakeDict);
    public static readonly MethodInfo MakeSlice = Of(Rt.MakeSlice);
    public static readonly MethodInfo MakeLocals = Of(Rt.MakeLocals);
    public static readonly MethodInfo Slice = Of(Rt.Slice);
    public static readonly MethodInfo RangeLiteral = Of(Rt.RangeLiteral);
    public static readonly MethodInfo Unpack = Of(Rt.Unpack);
    public static readonly MethodInfo MatchSequence = Of(Rt.MatchSequence);
    public static readonly MethodInfo WithTruthy = Of(Rt.WithTruthy);
    public static readonly MethodInfo Spaceless = Of(Rt.Spaceless);

    // ------------------------------------------------------------------ iteration

    public static readonly MethodInfo GetIterator = Of(Rt.GetIterator);
    public static readonly MethodInfo GetBoundedIterator = Of(Rt.GetBoundedIterator);
    public static readonly MethodInfo AsSequence = Of(Rt.AsSequence);
    public static readonly MethodInfo ToItemList = Of(Rt.ToItemList);
    public static readonly MethodInfo UnwrapItem = Of(Rt.UnwrapItem);
    public static readonly MethodInfo CountIteration = Of(Rt.CountIteration);
    public static readonly MethodInfo CheckCancel = Of(Rt.CheckCancel);

    // ------------------------------------------------------------------ member access and calls

    public static readonly MethodInfo GetAttrSite = Of(Rt.GetAttrSite);
    public static readonly MethodInfo GetAttrOptional = Of(Rt.GetAttrOptional);
    public static readonly MethodInfo GetItem = Of(Rt.GetItem);
    public static readonly MethodInfo GetItemOptional = Of(Rt.GetItemOptional);
    public static readonly MethodInfo WriteAttrSite = Of(Rt.WriteAttrSite);
    public static readonly MethodInfo MemberReadFailed = Of(Rt.MemberReadFailed);
    public static readonly MethodInfo SetAttribute = Of(Rt.SetAttribute);
    public static readonly MethodInfo SelfObject = Of(Rt.SelfObject);
    public static readonly MethodInfo Call = Of(Rt.Call);
    public static readonly MethodInfo CallAtEscape = Of(Rt.CallAtEscape);
    public static readonly MethodInfo CallMethod = Of(Rt.CallMethod);
    public static readonly MethodInfo CallMethodOptional = Of(Rt.CallMethodOptional);
    public static readonly MethodInfo WriteCall = Of(Rt.WriteCall);
    public static readonly MethodInfo WriteCall1 = Of(Rt.WriteCall1);
    public static readonly MethodInfo WriteCall2 = Of(Rt.WriteCall2);
    public static readonly MethodInfo WriteMethodCall = Of(Rt.WriteMethodCall);
    public static readonly MethodInfo SpreadArgs = Of(Rt.SpreadArgs);
    public static readonly MethodInfo ArgumentError = Of(Rt.ArgumentError);
    public static readonly MethodInfo MissingArgument = Of(Rt.MissingArgument);

    // ------------------------------------------------------------------ macros, callers and slots

    public static readonly MethodInfo CallerOrUndefined = Of(Rt.CallerOrUndefined);
    public static readonly MethodInfo MakeCaller = Of(Rt.MakeCaller);
    public static readonly MethodInfo HasSlot = Of(Rt.HasSlot);
    public static readonly MethodInfo SlotContext = Of(Rt.SlotContext);
    public static readonly MethodInfo RenderSlot = Of(Rt.RenderSlot);

    // ------------------------------------------------------------------ templates, blocks and render state

    public static readonly MethodInfo Include = Of(Rt.Include);
    public static readonly MethodInfo Import = Of(Rt.Import);
    public static readonly MethodInfo ImportName = Of(Rt.ImportName);
    public static readonly MethodInfo Embed = Of(Rt.Embed);
    public static readonly MethodInfo RegisterBlocks = Of(Rt.RegisterBlocks);
    public static readonly MethodInfo RenderBlock = Of(Rt.RenderBlock);
    public static readonly MethodInfo RenderParent = Of(Rt.RenderParent);
    public static readonly MethodInfo SetupParent = Of(Rt.SetupParent);
    public static readonly MethodInfo Super = Of(Rt.Super);
    public static readonly MethodInfo PushStack = Of(Rt.PushStack);
    public static readonly MethodInfo ReadStack = Of(Rt.ReadStack);
    public static readonly MethodInfo Provide = Of(Rt.Provide);
    public static readonly MethodInfo Unprovide = Of(Rt.Unprovide);
    public static readonly MethodInfo Trans = Of(Rt.Trans);
    public static readonly MethodInfo FragmentKey = Of(Rt.FragmentKey);
    public static readonly MethodInfo FragmentGet = Of(Rt.FragmentGet);
    public static readonly MethodInfo FragmentStore = Of(Rt.FragmentStore);
    public static readonly MethodInfo ErrorInfo = Of(Rt.ErrorInfo);
    public static readonly MethodInfo Locate = Of(Rt.Locate);
    public static readonly MethodInfo Recoverable = Of(Rt.Recoverable);
    public static readonly MethodInfo Abort = Of(Rt.Abort);

    // ------------------------------------------------------------------ instance members of runtime types

    public static readonly FieldInfo RenderStatePos = FieldOf<RenderState>(rs => rs.Pos);
    public static readonly FieldInfo RenderStateCurrent = FieldOf<RenderState>(rs => rs.Current);
    public static readonly FieldInfo RenderStateEvalAutoescape = FieldOf<RenderState>(rs => rs.EvalAutoescape);
    public static readonly FieldInfo LoopIndex0 = FieldOf<LoopContext>(l => l.Index0);
    public static readonly MethodInfo OutputWriteString = InstanceOf<Output>(o => o.Write(default(string)));
    public static readonly MethodInfo OutputWriteValue = InstanceOf<Output>(o => o.WriteValue(null, false));
    public static readonly MethodInfo OutputToString = InstanceOf<Output>(o => o.ToString());
    public static readonly MethodInfo OutputDispose = InstanceOf<Output>(o => o.Dispose());
    public static readonly MethodInfo ContextResolve = InstanceOf<Context>(c => c.Resolve(""));
    public static readonly MethodInfo ContextResolveSite = InstanceOf<Context>(c => c.Resolve("", null!));
    public static readonly MethodInfo ContextDataFor = InstanceOf<Context>(c => c.DataFor(""));
    public static readonly MethodInfo ContextSet = InstanceOf<Context>(c => c.Set("", null));
    public static readonly MethodInfo ContextBindMacro = InstanceOf<Context>(c => c.BindMacro(null!));
    public static readonly MethodInfo ContextDerive = InstanceOf<Context>(c => c.Derive(null));
    public static readonly MethodInfo ListAdd = InstanceOf<List<object?>>(l => l.Add(null));
    public static readonly MethodInfo EnumeratorMoveNext = InstanceOf<IEnumerator>(e => e.MoveNext());
    public static readonly PropertyInfo EnumeratorCurrent = PropertyOf<IEnumerator<object?>>(e => e.Current);
    public static readonly MethodInfo DisposableDispose = InstanceOf<IDisposable>(d => d.Dispose());
    public static readonly PropertyInfo SequenceCount = PropertyOf<IReadOnlyCollection<object?>>(s => s.Count);
    public static readonly PropertyInfo SequenceItem = typeof(IReadOnlyList<object?>).GetProperties().Single(p => p.GetIndexParameters().Length == 1);

    public static readonly ConstructorInfo NewOutput = ConstructorOf(() => new Output(0));
    public static readonly ConstructorInfo NewCallArgs = ConstructorOf(() => new CallArgs(null!, null));
    public static readonly ConstructorInfo NewNamedArg = ConstructorOf(() => new KeyValuePair<string, object?>("", null));
    public static readonly ConstructorInfo NewLoopContext = ConstructorOf(() => new LoopContext(null!, 0, null, null!));
    public static readonly ConstructorInfo NewMacro = ConstructorOf(() => new Macro("", null!, false, false, false, false, (Action<RenderState, object?[], Output>)null!));
    public static readonly ConstructorInfo NewRuntimeException = ConstructorOf(() => new TemplateRuntimeException("", "", null, null));

    /// <summary>The method a static method group stands for.</summary>
    private static MethodInfo Of(Delegate method) => method.Method;

    private static MethodInfo InstanceOf<T>(Expression<Action<T>> call) => ((MethodCallExpression)call.Body).Method;

    private static MethodInfo InstanceOf<T>(Expression<Func<T, object?>> call) =>
        ((MethodCallExpression)(call.Body is UnaryExpression { NodeType: ExpressionType.Convert } box ? box.Operand : call.Body)).Method;

    private static FieldInfo FieldOf<T>(Expression<Func<T, object?>> access) => (FieldInfo)Member(access.Body);

    private static PropertyInfo PropertyOf<T>(Expression<Func<T, object?>> access) => (PropertyInfo)Member(access.Body);

    private static MemberInfo Member(Expression body) =>
        ((MemberExpression)(body is UnaryExpression { NodeType: ExpressionType.Convert } box ? box.Operand : body)).Member;

    private static ConstructorInfo ConstructorOf(Expression<Func<object?>> creation) =>
        ((NewExpression)(creation.Body is UnaryExpression { NodeType: ExpressionType.Convert } box ? box.Operand : creation.Body)).Constructor!;
}
