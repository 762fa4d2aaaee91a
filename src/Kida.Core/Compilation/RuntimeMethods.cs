using System.Collections;
using System.Linq.Expressions;
using System.Reflection;
using Kida.Runtime;

namespace Kida.Compilation;

/// <summary>
/// Every runtime member the emitted code calls, as a typed handle: static helpers from their method groups, instance
/// members, fields and constructors from small expression lambdas. Renaming or re-typing a helper is a compile error
/// here, never a failure when a template runs; the emitter and <see cref="SiteInliner"/> compare these handles, not names.
/// Trimming and NativeAOT: every handle is a compile-time reference (a method group or an expression tree's member
/// token), which the trimmer and the NativeAOT compiler keep together with the reflection metadata the expression
/// interpreter needs to call it; emitted code must therefore never look a runtime member up by its name (no
/// <c>Expression.Property(x, "Count")</c>): add a handle here instead.
/// </summary>
internal static class RuntimeMethods
{
    // ------------------------------------------------------------------ arithmetic and comparison

    public static readonly MethodInfo Add = Of(Arithmetic.Add);
    public static readonly MethodInfo Sub = Of(Arithmetic.Sub);
    public static readonly MethodInfo Mul = Of(Arithmetic.Mul);
    public static readonly MethodInfo Div = Of(Arithmetic.Div);
    public static readonly MethodInfo FloorDiv = Of(Arithmetic.FloorDiv);
    public static readonly MethodInfo Mod = Of(Arithmetic.Mod);
    public static readonly MethodInfo Pow = Of(Arithmetic.Pow);
    public static readonly MethodInfo Neg = Of(Arithmetic.Neg);
    public static readonly MethodInfo Pos = Of(Arithmetic.Pos);
    public static readonly MethodInfo Tilde = Of(Arithmetic.Tilde);
    public static readonly MethodInfo CountSelected = Of(Kida.Filters.BuiltinFilters.CountSelected);
    public static readonly MethodInfo WriteTildePart = Of(Arithmetic.WriteTildePart);
    public static readonly MethodInfo WriteTildeInt = Of(Arithmetic.WriteTildeInt);
    public static readonly MethodInfo WriteTildeText = Of(Arithmetic.WriteTildeText);
    public static readonly MethodInfo WriteTildeLiteral = Of(Arithmetic.WriteTildeLiteral);
    public static readonly MethodInfo CompareOp = Of(Comparison.CompareOp);
    public static readonly MethodInfo FastAdd = Of(FastOps.Add);
    public static readonly MethodInfo FastSub = Of(FastOps.Sub);
    public static readonly MethodInfo FastMul = Of(FastOps.Mul);
    public static readonly MethodInfo FastFloorDiv = Of(FastOps.FloorDiv);
    public static readonly MethodInfo FastMod = Of(FastOps.Mod);
    public static readonly MethodInfo FastPow = Of(FastOps.Pow);
    public static readonly MethodInfo FastNeg = Of(FastOps.Neg);
    public static readonly MethodInfo FastEq = Of(FastOps.Eq);
    public static readonly MethodInfo FastNe = Of(FastOps.Ne);
    public static readonly MethodInfo FastLt = Of(FastOps.Lt);
    public static readonly MethodInfo FastLe = Of(FastOps.Le);
    public static readonly MethodInfo FastGt = Of(FastOps.Gt);
    public static readonly MethodInfo FastGe = Of(FastOps.Ge);
    public static readonly MethodInfo FastIn = Of(FastOps.In);
    public static readonly MethodInfo FastNotIn = Of(FastOps.NotIn);
    public static readonly MethodInfo DivisibleBy = Of(FastOps.DivisibleBy);
    public static readonly MethodInfo Even = Of(FastOps.Even);
    public static readonly MethodInfo Odd = Of(FastOps.Odd);
    public static readonly MethodInfo TestBoolean = Of(Predicates.BuiltinTests.IsBoolean);
    public static readonly MethodInfo TestNumber = Of(Predicates.BuiltinTests.IsNumber);
    public static readonly MethodInfo TestInteger = Of(Predicates.BuiltinTests.IsInteger);
    public static readonly MethodInfo TestFloat = Of(Predicates.BuiltinTests.IsFloat);
    public static readonly MethodInfo TestString = Of(Predicates.BuiltinTests.IsString);
    public static readonly MethodInfo TestMapping = Of(Predicates.BuiltinTests.IsMappingTest);
    public static readonly MethodInfo TestSequence = Of(Predicates.BuiltinTests.IsSequenceTest);
    public static readonly MethodInfo TestIterable = Of(Predicates.BuiltinTests.IsIterableTest);
    public static readonly MethodInfo TestMappingAt = Of(Predicates.BuiltinTests.IsMappingAt);
    public static readonly MethodInfo TestSequenceAt = Of(Predicates.BuiltinTests.IsSequenceAt);
    public static readonly MethodInfo TestIterableAt = Of(Predicates.BuiltinTests.IsIterableAt);
    public static readonly MethodInfo TestTrue = Of(Predicates.BuiltinTests.IsTrueTest);
    public static readonly MethodInfo TestFalse = Of(Predicates.BuiltinTests.IsFalseTest);
    public static readonly MethodInfo Equal = Of(Comparison.Equal);
    public static readonly MethodInfo Truthy = Of(Values.Truthy);
    public static readonly MethodInfo Unwrap = Of(Values.Unwrap);
    public static readonly MethodInfo BoxInt = Of(Boxes.Int);
    public static readonly MethodInfo BoxLong = Of(Boxes.Long);
    public static readonly MethodInfo FloorDivLong = Of(FastOps.FloorDivLong);
    public static readonly MethodInfo ModLong = Of(FastOps.ModLong);

    // ------------------------------------------------------------------ values and collections

    public static readonly MethodInfo EmptyIfShort = Of(Values.EmptyIfShort);
    public static readonly MethodInfo IsMissing = Of(Values.IsMissing);
    public static readonly MethodInfo IsDefined = Of(Values.IsDefined);
    public static readonly MethodInfo UseValue = Of(Values.UseValue);
    public static readonly MethodInfo UndefinedFrom = Of(Values.UndefinedFrom);
    public static readonly MethodInfo NoneToEmpty = Of(Values.NoneToEmpty);
    public static readonly MethodInfo StrOf = Of(Values.StrOf);
    public static readonly MethodInfo MarkupIf = Of(Values.MarkupIf);
    public static readonly MethodInfo MakeList = Of(Collections.MakeList);
    public static readonly MethodInfo MakeTuple = Of(Collections.MakeTuple);
    public static readonly MethodInfo MakeDict = Of(Collections.MakeDict);
    public static readonly MethodInfo MakeSlice = Of(MemberAccess.MakeSlice);
    public static readonly MethodInfo MakeLocals = Of(Collections.MakeLocals);
    public static readonly MethodInfo Slice = Of(MemberAccess.Slice);
    public static readonly MethodInfo RangeLiteral = Of(Iteration.RangeLiteral);
    public static readonly MethodInfo Unpack = Of(Collections.Unpack);
    public static readonly MethodInfo MatchSequence = Of(Collections.MatchSequence);
    public static readonly MethodInfo WithTruthy = Of(Values.WithTruthy);
    public static readonly MethodInfo Spaceless = Of(ContentTags.Spaceless);

    // ------------------------------------------------------------------ iteration

    public static readonly MethodInfo GetIterator = Of(Iteration.GetIterator);
    public static readonly MethodInfo GetBoundedIterator = Of(Iteration.GetBoundedIterator);
    public static readonly MethodInfo AsSequence = Of(Iteration.AsSequence);
    public static readonly MethodInfo LoopSequence = Of(Iteration.LoopSequence);
    public static readonly MethodInfo ToItemList = Of(Iteration.ToItemList);
    public static readonly MethodInfo UnwrapItem = Of(Iteration.UnwrapItem);
    private delegate object?[]? LoopArrayOf(IReadOnlyList<object?>? list, out bool unwrap);
    public static readonly MethodInfo LoopArray = Of((LoopArrayOf)Iteration.LoopArray);
    public static readonly MethodInfo ReleaseLoopArray = Of(Iteration.ReleaseLoopArray);
    public static readonly MethodInfo LoopOwnList = Of(Iteration.LoopOwnList);
    public static readonly MethodInfo LoopOwnListShared = Of(Iteration.LoopOwnListShared);
    public static readonly MethodInfo ReleaseLoopItems = Of(Iteration.ReleaseLoopItems);
    public static readonly MethodInfo IntSnapshot = Of(Iteration.IntSnapshot);
    public static readonly MethodInfo ReleaseIntSnapshot = Of(Iteration.ReleaseIntSnapshot);
    public static readonly FieldInfo IntItemsItems = FieldOf<Iteration.IntItems>(s => s.Items);
    public static readonly FieldInfo IntItemsCount = FieldOf<Iteration.IntItems>(s => s.Count);
    public static readonly FieldInfo IntLaneSeen = FieldOf<Iteration.IntLaneSite>(s => s.Seen);
    public static readonly MethodInfo IntLaneNote = typeof(Iteration.IntLaneSite).GetMethod(nameof(Iteration.IntLaneSite.Note))!;
    public static readonly MethodInfo CountIteration = Of(Iteration.CountIteration);
    public static readonly MethodInfo CheckCancel = Of(Iteration.CheckCancel);
    public static readonly MethodInfo LoopSlowPath = Of(Iteration.LoopSlowPath);

    // ------------------------------------------------------------------ member access and calls

    public static readonly MethodInfo GetAttrSite = Of(MemberAccess.GetAttrSite);
    public static readonly MethodInfo GetAttrOptional = Of(MemberAccess.GetAttrOptional);
    public static readonly MethodInfo GetItem = Of(MemberAccess.GetItem);
    public static readonly MethodInfo WriteItem = Of(MemberAccess.WriteItem);
    private delegate bool DictItemIntOf(object? map, string key, out long value);
    public static readonly MethodInfo DictItemInt = Of((DictItemIntOf)MemberAccess.DictItemInt);
    public static readonly MethodInfo GetItemOptional = Of(MemberAccess.GetItemOptional);
    public static readonly MethodInfo TryWriteStringIndex = Of(MemberAccess.TryWriteStringIndex);
    public static readonly MethodInfo WriteAttrSite = Of(MemberAccess.WriteAttrSite);
    public static readonly MethodInfo MemberReadFailed = Of(MemberAccess.MemberReadFailed);
    public static readonly MethodInfo SetAttribute = Of(MemberAccess.SetAttribute);
    public static readonly MethodInfo SelfObject = Of(Composition.SelfObject);
    public static readonly MethodInfo Call = Of(Calls.Call);
    public static readonly MethodInfo CallAtEscape = Of(Calls.CallAtEscape);
    public static readonly MethodInfo CallMethod = Of(Calls.CallMethod);
    public static readonly MethodInfo SplitLength = Of(PyMethods.SplitLength);
    public static readonly MethodInfo SplitCount = Of(PyMethods.SplitCount);
    public static readonly MethodInfo CallAffix = Of(PyMethods.CallAffix);
    public static readonly MethodInfo CallGet = Of(PyMethods.CallGet);
    public static readonly MethodInfo CallCount = Of(PyMethods.CallCount);
    public static readonly MethodInfo Length = Of(Iteration.Length);
    public static readonly MethodInfo StrLen = Of(PyString.StrLen);
    public static readonly MethodInfo ListCountOf = Of(Iteration.ListCount<object?>).GetGenericMethodDefinition();
    public static readonly MethodInfo ListItemOf = Of(Iteration.ListItem<object?>).GetGenericMethodDefinition();
    public static readonly MethodInfo ListItemInt = Of(Iteration.ListItem<int>);
    public static readonly MethodInfo ListCountInt = Of(Iteration.ListCount<int>);
    // (the lanes of a for loop, instantiated here so an ahead-of-time build has them: Emitter.ValueLane)
    public static readonly Dictionary<Type, (MethodInfo Item, MethodInfo Count)> LaneMethods = new()
    {
        [typeof(double)] = (Of(Iteration.ListItem<double>), Of(Iteration.ListCount<double>)),
        [typeof(decimal)] = (Of(Iteration.ListItem<decimal>), Of(Iteration.ListCount<decimal>)),
        [typeof(long)] = (Of(Iteration.ListItem<long>), Of(Iteration.ListCount<long>)),
        [typeof(DateTime)] = (Of(Iteration.ListItem<DateTime>), Of(Iteration.ListCount<DateTime>)),
        [typeof(string)] = (Of(Iteration.ListItem<string>), Of(Iteration.ListCount<string>)),
        [typeof(object)] = (Of(Iteration.ListItem<object?>), Of(Iteration.ListCount<object?>)),
    };
    public static readonly MethodInfo ReferenceLane = Of(Iteration.ReferenceLane);
    public static readonly MethodInfo ReferenceLaneCompiled = Of(Iteration.ReferenceLaneCompiled);
    public static readonly MethodInfo AsObjectList = Of(Iteration.AsObjectList);
    public static readonly MethodInfo ListExtremeOf = Of(Iteration.ListExtreme<int>).GetGenericMethodDefinition();
    public static readonly MethodInfo ListContainsOf = Of(Iteration.ListContains<object?>).GetGenericMethodDefinition();
    public static readonly MethodInfo KeepsByAttribute = Of(Kida.Filters.BuiltinFilters.KeepsByAttribute);
    public static readonly MethodInfo AttributeReadFailed = Of(Kida.Filters.BuiltinFilters.AttributeReadFailed);
    public static readonly MethodInfo SandboxOf = Of(SandboxRules.Of);
    public static readonly MethodInfo WriteFormat = Of(Filters.BuiltinFilters.WriteFormat);
    public static readonly MethodInfo WriteFormat1 = Of(Filters.BuiltinFilters.WriteFormat1);
    public static readonly MethodInfo WriteFormatInt = Of(Filters.BuiltinFilters.WriteFormatInt);
    public static readonly MethodInfo WritePercentDecimal = Of(Filters.BuiltinFilters.WritePercentDecimal);
    public static readonly MethodInfo WriteFormatLong = Of(Filters.BuiltinFilters.WriteFormatLong);
    public static readonly MethodInfo WriteFormat2 = Of(Filters.BuiltinFilters.WriteFormat2);
    public static readonly MethodInfo WriteFormatDecimal = Of(Filters.BuiltinFilters.WriteFormatDecimal);
    public static readonly MethodInfo WritePercent = Of(Filters.BuiltinFilters.WritePercent);
    public static readonly MethodInfo FormatWriteInteger = InstanceOf<Filters.FormatPlan>(p => p.WriteInteger(null!, 0L, false));
    public static readonly MethodInfo WriteToJson = Of(Filters.BuiltinFilters.WriteToJson);
    public static readonly MethodInfo WriteCased = Of(Filters.BuiltinFilters.WriteCased);
    public static readonly MethodInfo WriteEscapedFilter = Of(Filters.BuiltinFilters.WriteEscapedFilter);
    public static readonly MethodInfo WriteStringFilter = Of(Filters.BuiltinFilters.WriteStringFilter);
    public static readonly MethodInfo WriteIndent = Of(Filters.BuiltinFilters.WriteIndent);
    public static readonly MethodInfo WriteStrJoin = Of(Filters.BuiltinFilters.WriteStrJoin);
    public static readonly MethodInfo WriteSortedEnd = Of(Filters.BuiltinFilters.WriteSortedEnd);
    public static readonly MethodInfo WriteJoinStringMapped = Of(Filters.BuiltinFilters.WriteJoinStringMapped);
    public static readonly MethodInfo ChunkedLoopSource = Of(Filters.BuiltinFilters.ChunkedLoopSource);
    public static readonly MethodInfo ChunkCount = Of(Filters.BuiltinFilters.ChunkCount);
    public static readonly MethodInfo GroupedLoopSource = Of(Filters.BuiltinFilters.GroupedLoopSource);
    public static readonly MethodInfo GroupedLoopSourceOf = Of(Filters.BuiltinFilters.GroupedLoopSourceOf<object>).GetGenericMethodDefinition();
    public static readonly MethodInfo ChunkViewGet = InstanceOf<Iteration.ChunkView>(v => v.Get(0));
    public static readonly MethodInfo ChunkViewWriteJoined = typeof(Iteration.ChunkView).GetMethod(nameof(Iteration.ChunkView.WriteJoined))!;
    public static readonly MethodInfo ChunkViewRelease = InstanceOf<Iteration.ChunkView>(v => v.Release(null!));
    public static readonly PropertyInfo ChunkViewCount = PropertyOf<Iteration.ChunkView>(v => v.Count);
    public static readonly MethodInfo WriteSplitItem = Of(Filters.BuiltinFilters.WriteSplitItem);
    public static readonly MethodInfo WriteAttribute = Of(Filters.BuiltinFilters.WriteAttribute);
    public static readonly MethodInfo WriteReplaced = Of(Filters.BuiltinFilters.WriteReplaced);
    public static readonly MethodInfo WriteReplacedText = Of(Filters.BuiltinFilters.WriteReplacedText);
    public static readonly MethodInfo WriteSum = Of(Filters.BuiltinFilters.WriteSum);
    public static readonly MethodInfo SumOfInts = Of(Filters.BuiltinFilters.SumOfInts);
    public static readonly MethodInfo WriteFileSize = Of(Filters.BuiltinFilters.WriteFileSize);
    public static readonly MethodInfo WriteUrlEncoded = Of(Filters.BuiltinFilters.WriteUrlEncoded);
    public static readonly MethodInfo WriteDate = Of(Filters.DateFilter.WriteDate);
    public static readonly MethodInfo WriteStripTags = Of(Filters.BuiltinFilters.WriteStripTags);
    public static readonly MethodInfo WriteTruncatedText = Of(Filters.BuiltinFilters.WriteTruncatedText);
    public static readonly MethodInfo WriteWordWrapped = Of(Filters.BuiltinFilters.WriteWordWrapped);
    public static readonly MethodInfo WriteSortedJoin = Of(Filters.BuiltinFilters.WriteSortedJoin);
    public static readonly MethodInfo WriteJoinCased = Of(Filters.BuiltinFilters.WriteJoinCased);
    public static readonly MethodInfo WriteSliceJoin = Of(Filters.BuiltinFilters.WriteSliceJoin);
    public static readonly MethodInfo WriteReversedJoin = Of(Filters.BuiltinFilters.WriteReversedJoin);
    public static readonly MethodInfo ListedLength = Of(Filters.BuiltinFilters.ListedLength);
    public static readonly MethodInfo GuardCollectionLength = Of(Guard.CollectionLength);
    public static readonly MethodInfo WriteJoin = Of(Filters.BuiltinFilters.WriteJoin);
    public static readonly MethodInfo WriteJoinUnique = Of(Filters.BuiltinFilters.WriteJoinUnique);
    private delegate int PairFill(object? map, int kind, PairLoops.PairSite site, ref PairLoops.PairSlots slots);
    private delegate object? PairSlot(ref PairLoops.PairSlots slots, int index);
    public static readonly MethodInfo PairLoopsFill = Of((PairFill)PairLoops.Fill);
    public static readonly MethodInfo PairLoopsSlot = Of((PairSlot)PairLoops.Slot);
    public static readonly MethodInfo WriteJoinMapped = Of(Filters.BuiltinFilters.WriteJoinMapped);
    public static readonly MethodInfo WriteJoinMappedSelected = Of(Filters.BuiltinFilters.WriteJoinMappedSelected);
    public static readonly MethodInfo WriteJoinDivisible = Of(Filters.BuiltinFilters.WriteJoinDivisible);
    public static readonly MethodInfo CountDivisible = Of(Filters.BuiltinFilters.CountDivisible);
    public static readonly MethodInfo WriteRounded = Of(Filters.BuiltinFilters.WriteRounded);
    public static readonly MethodInfo WriteTruncated = Of(Filters.BuiltinFilters.WriteTruncated);
    public static readonly MethodInfo RoundDirected = Of(Filters.BuiltinFilters.RoundDirected);
    public static readonly MethodInfo WriteRoundedOrTruncated = Of(Filters.BuiltinFilters.WriteRoundedOrTruncated);
    public static readonly MethodInfo WriteRoundedTruncated = Of(Filters.BuiltinFilters.WriteRoundedTruncated);
    public static readonly MethodInfo AbsLong = Of((Func<long, long>)Math.Abs);
    public static readonly MethodInfo AbsDouble = Of((Func<double, double>)Math.Abs);
    public static readonly MethodInfo CallMethodOptional = Of(Calls.CallMethodOptional);
    public static readonly MethodInfo AttrAt = Of(Filters.BuiltinFilters.AttrAt);
    public static readonly MethodInfo WriteCall = Of(Calls.WriteCall);
    public static readonly MethodInfo WriteCall1 = Of(Calls.WriteCall1);
    public static readonly MethodInfo WriteCall2 = Of(Calls.WriteCall2);
    public static readonly MethodInfo RenderStateEnter = InstanceOf<RenderState>(rs => rs.Enter());
    public static readonly MethodInfo RenderStateExit = InstanceOf<RenderState>(rs => rs.Exit());
    public static readonly MethodInfo RenderStateNoteFrame = InstanceOf<RenderState>(rs => rs.NoteFrame(null!, "", null, null, 0));
    public static readonly MethodInfo MacroCodeOf = Of(Macro.CodeOf);
    public static readonly MethodInfo MacroContextOf = Of(Macro.ContextOf);
    public static readonly MethodInfo WriteMethodCall = Of(Calls.WriteMethodCall);
    public static readonly MethodInfo WriteMethodCall1 = Of(Calls.WriteMethodCall1);
    public static readonly MethodInfo WriteMethodCall2 = Of(Calls.WriteMethodCall2);
    public static readonly MethodInfo MemberMacro = Of(Calls.MemberMacro);
    public static readonly MethodInfo SpreadArgs = Of(Calls.SpreadArgs);
    public static readonly MethodInfo ArgumentError = Of(RuntimeErrors.ArgumentError);
    public static readonly MethodInfo MissingArgument = Of(Values.MissingArgument);

    // ------------------------------------------------------------------ macros, callers and slots

    public static readonly MethodInfo CallerOrUndefined = Of(Values.CallerOrUndefined);
    public static readonly MethodInfo MakeCaller = Of(Calls.MakeCaller);
    public static readonly MethodInfo HasSlot = Of(Calls.HasSlot);
    public static readonly MethodInfo SlotContext = Of(Calls.SlotContext);
    public static readonly MethodInfo RenderSlot = Of(Calls.RenderSlot);

    // ------------------------------------------------------------------ templates, blocks and render state

    public static readonly MethodInfo Include = Of(Composition.Include);
    public static readonly MethodInfo Import = Of(Composition.Import);
    public static readonly MethodInfo ImportName = Of(Composition.ImportName);
    public static readonly MethodInfo Embed = Of(Composition.Embed);
    public static readonly MethodInfo RegisterBlocks = Of(Composition.RegisterBlocks);
    public static readonly MethodInfo RenderBlock = Of(Composition.RenderBlock);
    public static readonly MethodInfo RenderParent = Of(Composition.RenderParent);
    public static readonly MethodInfo SetupParent = Of(Composition.SetupParent);
    public static readonly MethodInfo Super = Of(Composition.Super);
    public static readonly MethodInfo PushStack = Of(ContentTags.PushStack);
    public static readonly MethodInfo ReadStack = Of(ContentTags.ReadStack);
    public static readonly MethodInfo Provide = Of(ContentTags.Provide);
    public static readonly MethodInfo Unprovide = Of(ContentTags.Unprovide);
    public static readonly MethodInfo Trans = Of(TransTag.Trans);
    public static readonly MethodInfo FragmentKey = Of(CacheTag.FragmentKey);
    public static readonly MethodInfo FragmentGet = Of(CacheTag.FragmentGet);
    public static readonly MethodInfo FragmentStore = Of(CacheTag.FragmentStore);
    public static readonly MethodInfo FragmentStoreTagged = Of(CacheTag.FragmentStoreTagged);
    public static readonly MethodInfo FragmentTags = Of(CacheTag.Tags);
    public static readonly MethodInfo FragmentBegin = Of(CacheTag.Begin);
    public static readonly MethodInfo FragmentEnd = Of(CacheTag.End);
    public static readonly MethodInfo FragmentAbandon = Of(CacheTag.Abandon);
    public static readonly MethodInfo FragmentSuspend = Of(CacheTag.Suspend);
    public static readonly MethodInfo ErrorInfo = Of(RuntimeErrors.ErrorInfo);
    public static readonly MethodInfo Locate = Of(RuntimeErrors.Locate);
    public static readonly MethodInfo Recoverable = Of(RuntimeErrors.Recoverable);
    public static readonly MethodInfo Abort = Of(RuntimeErrors.Abort);

    // ------------------------------------------------------------------ instance members of runtime types

    public static readonly FieldInfo RenderStatePos = FieldOf<RenderState>(rs => rs.Pos);
    public static readonly FieldInfo RenderStateCurrent = FieldOf<RenderState>(rs => rs.Current);
    public static readonly FieldInfo RenderStateEvalAutoescape = FieldOf<RenderState>(rs => rs.EvalAutoescape);
    public static readonly FieldInfo LoopIndex0 = FieldOf<LoopContext>(l => l.Index0);
    public static readonly PropertyInfo LoopLength = typeof(LoopContext).GetProperty(nameof(LoopContext.Length))!;
    public static readonly PropertyInfo LoopIsAsync = typeof(LoopContext).GetProperty(nameof(LoopContext.IsAsync))!;
    public static readonly FieldInfo RenderStateLoopCountdown = FieldOf<RenderState>(rs => rs.LoopCountdown);
    public static readonly PropertyInfo RenderStateToken = PropertyOf<RenderState>(rs => rs.CancellationToken);
    public static readonly PropertyInfo TokenIsCancellationRequested = PropertyOf<CancellationToken>(t => t.IsCancellationRequested);
    public static readonly MethodInfo OutputWriteString = InstanceOf<Output>(o => o.Write(default(string)));
    public static readonly MethodInfo OutputFlush = InstanceOf<Output>(o => o.Flush());
    public static readonly MethodInfo OutputWriteValue = InstanceOf<Output>(o => o.WriteValue(null, false));
    public static readonly MethodInfo OutputWriteInt = InstanceOf<Output>(o => o.WriteInt(0L));
    public static readonly MethodInfo OutputWriteDouble = InstanceOf<Output>(o => o.WriteDouble(0.0));
    public static readonly MethodInfo OutputWriteBool = InstanceOf<Output>(o => o.WriteBool(false));
    public static readonly MethodInfo OutputWriteText = InstanceOf<Output>(o => o.WriteText(null, false));
    public static readonly MethodInfo FitsStringLimit = Of(Filters.BuiltinFilters.FitsStringLimit);
    public static readonly PropertyInfo StringLengthProperty = PropertyOf<string>(s => s.Length);
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
    public static readonly PropertyInfo ListCount = PropertyOf<List<object?>>(l => l.Count);
    public static readonly PropertyInfo ListItem = typeof(List<object?>).GetProperties().Single(p => p.GetIndexParameters().Length == 1);
    public static readonly PropertyInfo FragmentPendingText = PropertyOf<FragmentPending>(p => p.Text);
    public static readonly PropertyInfo SequenceItem = typeof(IReadOnlyList<object?>).GetProperties().Single(p => p.GetIndexParameters().Length == 1);

    // ------------------------------------------------------------------ await and async for (Runtime/AsyncValues, AsyncRun)

    public static readonly MethodInfo EnterAwait = Of(AsyncValues.EnterAwait);
    public static readonly MethodInfo MemoizedAwait = Of(AsyncValues.MemoizedAwait);
    public static readonly MethodInfo CompleteAwait = Of(AsyncValues.CompleteAwait);
    public static readonly MethodInfo AsyncOpen = Of(AsyncSource.Open);
    public static readonly MethodInfo AsyncNext = Of(AsyncSource.NextOf);
    public static readonly MethodInfo AsyncClose = Of(AsyncSource.Close);
    public static readonly MethodInfo AsyncLoop = Of(AsyncSource.NewLoop);

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
