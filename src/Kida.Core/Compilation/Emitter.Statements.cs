using System.Linq.Expressions;
using Kida.Runtime;
using Kida.Syntax;
using E = System.Linq.Expressions.Expression;
using H = Kida.Compilation.RuntimeMethods;

namespace Kida.Compilation;

internal sealed partial class Emitter
{
    private E EmitStmt(Stmt s)
    {
        EnsureStack(s.Pos);
        return s.Accept(this);
    }

    public override E VisitTextStmt(TextStmt t) => E.Call(_fn.Out, H.OutputWriteString, E.Constant(t.Text));

    public override E VisitOutputStmt(OutputStmt o) => E.Block(SetPos(o.Pos), EmitOutput(o.Value));

    public override E VisitIfStmt(IfStmt i) => EmitIf(i);

    public override E VisitForStmt(ForStmt f) => E.Block(SetPos(f.Pos), EmitFor(f));

    public override E VisitWhileStmt(WhileStmt w) => EmitWhile(w);

    public override E VisitSetStmt(SetStmt set) => E.Block(SetPos(set.Pos), EmitSet(set));

    public override E VisitSetBlockStmt(SetBlockStmt sb) => E.Block(SetPos(sb.Pos), EmitSetBlock(sb));

    public override E VisitScopeStmt(ScopeStmt sc) => EmitScopeBody(sc.Body, _fn.Scope);

    public override E VisitBlockStmt(BlockStmt b) => E.Block(SetPos(b.Pos), EmitBlockCall(b));

    public override E VisitIncludeStmt(IncludeStmt inc) =>
        E.Block(SetPos(inc.Pos), Helper(H.Include, _fn.Rs, _fn.Ctx, _fn.Out, EmitExpr(inc.Template),
        E.Constant(inc.IgnoreMissing), inc.WithContext ? LocalsDictionary(includeLoop: true) : E.Constant(null, typeof(Dictionary<string, object?>)),
        E.Constant(inc.WithContext), SiteFor(inc.Template)));

    public override E VisitImportStmt(ImportStmt imp) =>
        E.Block(SetPos(imp.Pos), Assign(new NameTarget(imp.Pos, imp.Alias),
        Helper(H.Import, _fn.Rs, _fn.Ctx, EmitExpr(imp.Template), E.Constant(imp.WithContext), SiteFor(imp.Template)), SetKind.Set));

    public override E VisitFromImportStmt(FromImportStmt fi) => EmitFromImport(fi);

    public override E VisitMacroStmt(MacroStmt m) =>
        E.Block(SetPos(m.Pos), Assign(new NameTarget(m.Pos, m.Name), EmitMacro(m), SetKind.Set));

    public override E VisitCallBlockStmt(CallBlockStmt cb) => E.Block(SetPos(cb.Pos), EmitCallBlock(cb));

    public override E VisitSlotStmt(SlotStmt slot) => EmitSlot(slot);

    public override E VisitFilterBlockStmt(FilterBlockStmt fb) => E.Block(SetPos(fb.Pos), EmitFilterBlock(fb));

    public override E VisitWithStmt(WithStmt w) => EmitWith(w);

    public override E VisitWithIfStmt(WithIfStmt wi) => EmitWithIf(wi);

    public override E VisitDoStmt(DoStmt d) => E.Block(SetPos(d.Pos), E.Convert(EmitExpr(d.Value), typeof(object)), E.Empty());

    // a flush writes into whatever output is current: the render's (a chunk boundary when it streams), or a capture's,
    // where it has no effect
    public override E VisitFlushStmt(FlushStmt fl) => E.Call(_fn.Out, H.OutputFlush);

    public override E VisitBreakStmt(BreakStmt br)
    {
        if (_fn.Loops.Count == 0) throw Error("'break' outside loop", br.Pos);
        return E.Break(_fn.Loops.Peek().Break);
    }

    public override E VisitContinueStmt(ContinueStmt co)
    {
        if (_fn.Loops.Count == 0) throw Error("'continue' outside loop", co.Pos);
        return E.Continue(_fn.Loops.Peek().Continue);
    }

    public override E VisitAutoescapeStmt(AutoescapeStmt a) => EmitAutoescape(a);

    public override E VisitMatchStmt(MatchStmt m) => E.Block(SetPos(m.Pos), EmitMatch(m));

    public override E VisitTryStmt(TryStmt t) => EmitTry(t);

    public override E VisitSpacelessStmt(SpacelessStmt sp) =>
        E.Call(_fn.Out, H.OutputWriteString, Helper(H.Spaceless, Capture(sp.Body)));

    public override E VisitProvideStmt(ProvideStmt p) => EmitProvide(p);

    public override E VisitPushStmt(PushStmt pu) => Helper(H.PushStack, _fn.Rs, E.Constant(pu.Stack), Capture(pu.Body));

    public override E VisitStackStmt(StackStmt st) =>
        E.Call(_fn.Out, H.OutputWriteString, Helper(H.ReadStack, _fn.Rs, E.Constant(st.Stack)));

    public override E VisitCacheStmt(CacheStmt c) => EmitCache(c);

    public override E VisitEmbedStmt(EmbedStmt em) => EmitEmbed(em);

    public override E VisitTransStmt(TransStmt tr) =>
        E.Block(SetPos(tr.Pos), Helper(H.Trans, _fn.Rs, _fn.Ctx, _fn.Out, E.Constant(tr.Singular), E.Constant(tr.Plural, typeof(string)),
            E.Constant(tr.Variables.Select(v => v.Key).ToArray()),
            EmittedArrays.Of(typeof(object), tr.Variables.Select(v => E.Convert(EmitExpr(v.Value), typeof(object)))),
            E.Constant(tr.CountName is null ? -1 : tr.Variables.ToList().FindIndex(v => v.Key == tr.CountName)), _fn.Escape));

    public override E VisitExtendsStmt(ExtendsStmt e) => EmitConditionalExtends(e);

    /// <summary><c>{% template %}</c> declarations are read by <see cref="Template.Info"/> and <c>kida check</c>; they render nothing.</summary>
    public override E VisitTemplateDeclStmt(TemplateDeclStmt d) => E.Empty();

    /// <summary>
    /// Prints <paramref name="value"/>. <paramref name="whole"/>: the value is the whole <c>{{ }}</c> expression (an
    /// optional access printing nothing for None applies only then); false for a branch of a printed choice, which
    /// prints what the chosen value prints.
    /// </summary>
    private E EmitOutput(Expr value, bool whole = true)
    {
        // {{ a if c else b }}: the chosen branch printed as it would be on its own (a literal written pre-escaped, a
        // member or a tilde chain without a boxed or joined value), not the chosen value printed through WriteValue
        if (value is CondExpr { Else: { } otherwise } choice)
        {
            EnsureStack(choice.Pos);
            return E.IfThenElse(Truth(choice.Test), EmitOutput(choice.Then, false), EmitOutput(otherwise, false));
        }
        // a comparison, a test or a not: the bool printed as Python prints it, no box and no dispatch on its type
        if (value is CompareExpr or TestExpr or UnaryExpr { Op: UnaryOp.Not })
            return E.Call(_fn.Out, H.OutputWriteBool, Truth(value));
        // {{ a and b }} / {{ a or b }}: the operand that decides printed as it would be on its own
        if (value is BinaryExpr { Op: BinaryOp.And or BinaryOp.Or } logical)
        {
            EnsureStack(logical.Pos);
            var isAnd = logical.Op == BinaryOp.And;
            if (logical.Left is CompareExpr or TestExpr or UnaryExpr { Op: UnaryOp.Not })
            {
                // a bool on the left: printed itself when it decides (False for and, True for or)
                var decided = E.Call(_fn.Out, H.OutputWriteBool, E.Constant(!isAnd));
                return isAnd
                    ? E.IfThenElse(Truth(logical.Left), EmitOutput(logical.Right, false), decided)
                    : E.IfThenElse(Truth(logical.Left), decided, EmitOutput(logical.Right, false));
            }
            var left = E.Variable(typeof(object), "left");
            var printLeft = E.Call(_fn.Out, H.OutputWriteValue, left, _fn.Escape);
            return E.Block(typeof(void), [left],
                E.Assign(left, E.Convert(EmitExpr(logical.Left), typeof(object))),
                isAnd
                    ? E.IfThenElse(E.Call(H.Truthy, left), EmitOutput(logical.Right, false), printLeft)
                    : E.IfThenElse(E.Call(H.Truthy, left), printLeft, EmitOutput(logical.Right, false)));
        }
        if (value is ConstExpr { Value: string s })
            return E.Call(_fn.Out, H.OutputWriteString, E.Constant(_fn.Escape is ConstantExpression { Value: true } ? Output.Escape(s) : s));
        // {{ x is test }}, {{ a < b }}: the bool printed as True or False, no box
        if (value is TestExpr printedTest)
            return E.Call(_fn.Out, H.OutputWriteBool, TestCondition(printedTest));
        if (value is CompareExpr printedCompare)
            return E.Call(_fn.Out, H.OutputWriteBool, CompareTest(printedCompare));
        if (EmitPrintedText(value) is { } printedText)
            return printedText;
        if (PrintedFormat(value) is var (format, formatPos, formatArgs) && Filters.FormatPlan.Create(format) is { } plan)
            return E.Block(SetPos(formatPos), formatArgs.Positional.Count == 1
                ? Helper(H.WriteFormat1, _fn.Rs, _fn.Out, E.Constant(plan), E.Constant(format), E.Convert(EmitExpr(formatArgs.Positional[0]), typeof(object)), _fn.Escape)
                : formatArgs.Positional.Count == 2
                ? Helper(H.WriteFormat2, _fn.Rs, _fn.Out, E.Constant(plan), E.Constant(format), E.Convert(EmitExpr(formatArgs.Positional[0]), typeof(object)),
                    E.Convert(EmitExpr(formatArgs.Positional[1]), typeof(object)), _fn.Escape)
                : Helper(H.WriteFormat, _fn.Rs, _fn.Out, E.Constant(plan), E.Constant(format),
                    EmittedArrays.Of(typeof(object), formatArgs.Positional.Select(a => (E)E.Convert(EmitExpr(a), typeof(object)))), _fn.Escape));
        if (value is CallExpr call)
            return EmitCall(call, null, write: true);
        if (value is BinaryExpr { Op: BinaryOp.Concat })
        {
            // {{ a ~ ' ' ~ b }}: each operand written in turn, no joined string (its length still counted)
            var parts = new List<Expr>();
            FlattenTilde(value, parts);
            var total = E.Variable(typeof(long), "joined");
            var writes = new List<E> { E.Assign(total, E.Constant(0L)) };
            foreach (var part in parts)
                writes.Add(E.Assign(total, part is ConstExpr { Value: string literal }
                    // (a literal escaped here once, not at every render, when the function's escaping is known)
                    ? _fn.Escape is ConstantExpression { Value: bool escapeLiteral }
                        ? Helper(H.WriteTildeLiteral, _fn.Out, E.Constant(escapeLiteral ? Output.Escape(literal) : literal), E.Constant(literal.Length), total)
                        : Helper(H.WriteTildeText, _fn.Out, E.Constant(literal), _fn.Escape, total)
                    : Helper(H.WriteTildePart, _fn.Out, EmitExpr(part), _fn.Escape, total)));
            writes.Add(E.Empty());
            return E.Block(typeof(void), [total], writes);
        }
        if (value is BinaryExpr { Op: BinaryOp.Mod, Left: ConstExpr { Value: string percent } } mod && Filters.FormatPlan.CreatePercent(percent) is { } percentPlan)
            // (an error is reported where the statement is, as for the operator anywhere else: operators set no position)
            return Helper(H.WritePercent, _fn.Rs, _fn.Out, E.Constant(percentPlan), E.Constant(percent), E.Convert(EmitExpr(mod.Right), typeof(object)), _fn.Escape);
        if (value is FilterExpr { Name: "join", Style: FilterStyle.Pipe, Value: { } joined } jn
            && jn.Args is { Named.Count: 0, DynArgs: null, DynKwargs: null, Positional: [ConstExpr { Value: string joinSep }] } && IsBuiltinFilter("join"))
            return EmitPrintedJoin(jn, joined, joinSep);
        if (value is FilterExpr { Name: "tojson", Style: FilterStyle.Pipe, Value: { } json } tj && tj.Args.IsEmpty && IsBuiltinFilter("tojson"))
            return E.Block(SetPos(tj.Pos), Helper(H.WriteToJson, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(json))));
        if (value is FilterExpr { Name: "length" or "count" } lf && EmitPrintedCount(lf) is { } printedCount)
            return printedCount;
        // s.split(sep)[k] with literals: the piece written from the string (BuiltinFilters.WriteSplitItem)
        if (value is GetItemExpr { Optional: false, Key: var key, Target: CallExpr { Callee: GetAttrExpr { Optional: false, Name: "split" } split } splitCall }
            && splitCall.Args is { Named.Count: 0, DynArgs: null, DynKwargs: null, Positional: [ConstExpr { Value: string splitSep }] }
            && (key is ConstExpr { Value: long } || key is UnaryExpr { Op: UnaryOp.Neg, Operand: ConstExpr { Value: long } }))
            return E.Block(SetPos(splitCall.Pos), Helper(H.WriteSplitItem, _fn.Rs, _fn.Out, EmitExpr(split.Target), E.Constant(splitSep),
                E.Constant(key is ConstExpr { Value: long k } ? k : -(long)((ConstExpr)((UnaryExpr)key).Operand).Value!), _fn.Escape));
        // d['name'] with a literal key: a dictionary's value written directly (MemberAccess.WriteItem)
        if (value is GetItemExpr { Optional: false, Key: ConstExpr { Value: string itemKey } } item)
            return Helper(H.WriteItem, _fn.Rs, _fn.Out, EmitExpr(item.Target), E.Constant(itemKey), _fn.Escape);
        if (value is GetAttrExpr { Optional: false } ga)
            return LoopMember(ga, write: true) ?? Helper(H.WriteAttrSite, _fn.Rs, _fn.Out, EmitExpr(ga.Target), E.Constant(ga.Name), E.Constant(new MemberSite()), _fn.Escape);
        var v = EmitExpr(value);
        if (whole && value is GetAttrExpr { Optional: true } or GetItemExpr { Optional: true } or FilterExpr { Style: FilterStyle.OptionalPipe or FilterStyle.OptionalPipeline })
            v = Helper(H.NoneToEmpty, v);
        return E.Call(_fn.Out, H.OutputWriteValue, E.Convert(v, typeof(object)), _fn.Escape);
    }

    // a name xmlattr accepts: not empty, no whitespace and none of / > = " ' NUL
    private static bool IsAttributeName(string name) =>
        name.Length > 0 && !name.Any(c => char.IsWhiteSpace(c) || c is '/' or '>' or '=' or '"' or '\'' or '\0');

    /// <summary>
    /// <c>{{ 'fmt'|format(args) }}</c> (the built-in filter) or <c>{{ 'fmt'.format(args) }}</c> (the str method, the same
    /// str.format) with a literal format and positional arguments only: the format, where to report from, the arguments.
    /// </summary>
    private (string Format, int Pos, Arguments Args)? PrintedFormat(Expr value) => value switch
    {
        FilterExpr { Name: "format", Style: FilterStyle.Pipe, Value: ConstExpr { Value: string format }, Args: { Named.Count: 0, DynArgs: null, DynKwargs: null } args } f
            when IsBuiltinFilter("format") => (format, f.Pos, args),
        CallExpr { Callee: GetAttrExpr { Optional: false, Name: "format", Target: ConstExpr { Value: string format } }, Args: { Named.Count: 0, DynArgs: null, DynKwargs: null } args } call
            => (format, call.Pos, args),
        _ => null,
    };

    /// <summary>
    /// <c>{{ v|upper }}</c>, <c>|lower</c>, <c>|capitalize</c>, <c>|title</c>, <c>|trim</c> (no arguments), <c>|truncate(n)</c>, <c>|escape</c>, <c>|replace('a', 'b')</c>
    /// (two literal strings), <c>|string</c>, <c>|sum</c>, <c>|urlencode</c> and <c>|striptags</c> (no arguments), <c>|date</c> (a literal format or none), all the
    /// built-in filters, and the str methods <c>v.upper()</c>, <c>lower()</c>,
    /// <c>capitalize()</c>, <c>strip()</c> without arguments: the result written as it is made (BuiltinFilters.Printed);
    /// null for anything else.
    /// </summary>
    private E? EmitPrintedText(Expr value)
    {
        switch (value)
        {
            case FilterExpr { Name: "truncate", Style: FilterStyle.Pipe, Value: { } truncated } f when IsBuiltinFilter("truncate")
                && f.Args is { Named.Count: 0, DynArgs: null, DynKwargs: null, Positional: [] or [ConstExpr { Value: long and >= 0 and <= int.MaxValue }] }:
                return E.Block(SetPos(f.Pos), Helper(H.WriteTruncatedText, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(truncated)),
                    E.Constant(f.Args.Positional is [ConstExpr { Value: long n }] ? (int)n : 255), BuildArgs(f.Args), _fn.Escape));
            case FilterExpr { Name: "wordwrap", Style: FilterStyle.Pipe, Value: { } wrapped } f when IsBuiltinFilter("wordwrap")
                && f.Args is { Named.Count: 0, DynArgs: null, DynKwargs: null, Positional: [ConstExpr { Value: long and > 0 and <= int.MaxValue }] }:
                return E.Block(SetPos(f.Pos), Helper(H.WriteWordWrapped, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(wrapped)),
                    E.Constant((int)(long)((ConstExpr)f.Args.Positional[0]).Value!), BuildArgs(f.Args), _fn.Escape));
            case FilterExpr { Name: "upper" or "lower" or "capitalize" or "trim" or "strip" or "title", Style: FilterStyle.Pipe, Args.IsEmpty: true, Value: { } cased } f
                when IsBuiltinFilter(f.Name):
                return E.Block(SetPos(f.Pos), Helper(H.WriteCased, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(cased)), E.Constant(CaseOf(f.Name)),
                    E.Constant(null, typeof(string)), _fn.Escape));
            case FilterExpr { Name: "xmlattr", Style: FilterStyle.Pipe, Args.IsEmpty: true, Value: DictExpr attributes } f when IsBuiltinFilter("xmlattr")
                && attributes.Items.All(kv => kv.Key is ConstExpr { Value: string name } && IsAttributeName(name))
                && attributes.Items.Select(kv => (string)((ConstExpr)kv.Key).Value!).Distinct(StringComparer.Ordinal).Count() == attributes.Items.Count:
            {
                // the values evaluated first, in order, as the literal would be; then each attribute written
                var values = attributes.Items.Select((_, i) => E.Variable(typeof(object), "attribute" + i)).ToList();
                var steps = new List<E>();
                for (var i = 0; i < values.Count; i++) steps.Add(E.Assign(values[i], E.Convert(EmitExpr(attributes.Items[i].Value), typeof(object))));
                steps.Add(SetPos(f.Pos));
                for (var i = 0; i < values.Count; i++)
                {
                    var opening = " " + Output.Escape((string)((ConstExpr)attributes.Items[i].Key).Value!) + "=\"";
                    // (a literal string value: the whole attribute is one literal, escaped now)
                    steps.Add(attributes.Items[i].Value is ConstExpr { Value: string text }
                        ? E.Call(_fn.Out, H.OutputWriteString, E.Constant(opening + Output.Escape(text) + "\""))
                        : Helper(H.WriteAttribute, _fn.Out, E.Constant(opening), values[i]));
                }
                steps.Add(E.Empty());
                return E.Block(typeof(void), values, steps);
            }
            case FilterExpr { Name: "string", Style: FilterStyle.Pipe, Args.IsEmpty: true, Value: { } stringified } f when IsBuiltinFilter("string"):
                return E.Block(SetPos(f.Pos), Helper(H.WriteStringFilter, _fn.Out, Helper(H.UseValue, EmitExpr(stringified)), _fn.Escape));
            case FilterExpr { Name: "indent", Style: FilterStyle.Pipe, Value: { } indented, Args: { DynArgs: null, DynKwargs: null } } f when IsBuiltinFilter("indent")
                && Filters.BuiltinFilters.CheckArguments("indent", f.Args.Positional.Count, f.Args.Named.Select(kv => kv.Key).ToList()) is null:
                return E.Block(SetPos(f.Pos), Helper(H.WriteIndent, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(indented)), BuildArgs(f.Args), _fn.Escape));
            case FilterExpr { Name: "first" or "last", Style: FilterStyle.Pipe, Args.IsEmpty: true, Value: FilterExpr { Name: "sort", Style: FilterStyle.Pipe, Args.IsEmpty: true, Value: { } sortedItems } sort } f
                when IsBuiltinFilter(f.Name) && IsBuiltinFilter("sort"):
                return E.Block(SetPos(sort.Pos), Helper(H.WriteSortedEnd, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(sortedItems)), E.Constant(f.Name == "last"),
                    E.Constant(f.Pos), _fn.Escape));
            case FilterExpr { Name: "escape" or "e", Style: FilterStyle.Pipe, Args.IsEmpty: true, Value: { } escaped } f when IsBuiltinFilter(f.Name):
                return E.Block(SetPos(f.Pos), Helper(H.WriteEscapedFilter, _fn.Out, Helper(H.UseValue, EmitExpr(escaped))));
            case FilterExpr
            {
                Name: "replace", Style: FilterStyle.Pipe, Value: { } replaced,
                Args: { Named.Count: 0, DynArgs: null, DynKwargs: null, Positional: [ConstExpr { Value: string old }, ConstExpr { Value: string replacement }] },
            } f when IsBuiltinFilter("replace"):
                return E.Block(SetPos(f.Pos), Helper(H.WriteReplaced, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(replaced)), E.Constant(old),
                    E.Constant(replacement), BuildArgs(f.Args), _fn.Escape));
            case FilterExpr { Name: "urlencode", Style: FilterStyle.Pipe, Args.IsEmpty: true, Value: { } encoded } f when IsBuiltinFilter("urlencode"):
                return E.Block(SetPos(f.Pos), Helper(H.WriteUrlEncoded, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(encoded)), _fn.Escape));
            case FilterExpr { Name: "date", Style: FilterStyle.Pipe, Value: { } dated } f when IsBuiltinFilter("date")
                && f.Args is { Named.Count: 0, DynArgs: null, DynKwargs: null, Positional: [] or [ConstExpr { Value: string }] }:
                return E.Block(SetPos(f.Pos), Helper(H.WriteDate, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(dated)),
                    E.Constant(f.Args.Positional is [ConstExpr { Value: string format }] ? format : Filters.DateFilter.DefaultFormat), BuildArgs(f.Args), _fn.Escape));
            case FilterExpr { Name: "striptags", Style: FilterStyle.Pipe, Args.IsEmpty: true, Value: { } stripped } f when IsBuiltinFilter("striptags"):
                return E.Block(SetPos(f.Pos), Helper(H.WriteStripTags, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(stripped)), _fn.Escape));
            case FilterExpr { Name: "filesizeformat", Style: FilterStyle.Pipe, Value: { } sized } f when IsBuiltinFilter("filesizeformat")
                && f.Args is { Named.Count: 0, DynArgs: null, DynKwargs: null, Positional: [] or [ConstExpr { Value: bool }] }:
                return E.Block(SetPos(f.Pos), Helper(H.WriteFileSize, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(sized)),
                    E.Constant(f.Args.Positional is [ConstExpr { Value: true }]), _fn.Escape));
            case FilterExpr { Name: "sum", Style: FilterStyle.Pipe, Args.IsEmpty: true, Value: { } summed } f when IsBuiltinFilter("sum"):
                return E.Block(SetPos(f.Pos), Helper(H.WriteSum, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(summed)), _fn.Escape));
            case CallExpr
            {
                Callee: GetAttrExpr { Optional: false, Name: "replace" } replaceMethod,
                Args: { Named.Count: 0, DynArgs: null, DynKwargs: null, Positional: [ConstExpr { Value: string oldText }, ConstExpr { Value: string newText }] },
            } replaceCall when oldText.Length > 0:
                return E.Block(SetPos(replaceCall.Pos), Helper(H.WriteReplacedText, _fn.Rs, _fn.Out, EmitExpr(replaceMethod.Target), E.Constant(oldText),
                    E.Constant(newText), BuildArgs(replaceCall.Args), _fn.Escape));
            case CallExpr { Callee: GetAttrExpr { Optional: false, Name: "upper" or "lower" or "capitalize" or "strip" } method, Args.IsEmpty: true } call:
                return E.Block(SetPos(call.Pos), Helper(H.WriteCased, _fn.Rs, _fn.Out, EmitExpr(method.Target), E.Constant(CaseOf(method.Name)),
                    E.Constant(method.Name), _fn.Escape));
        }
        return null;
    }

    /// <summary>What the casing filter or str method <paramref name="name"/> does to text (trim and strip: trim).</summary>
    private static Filters.BuiltinFilters.TextCase CaseOf(string name) => name switch
    {
        "upper" => Filters.BuiltinFilters.TextCase.Upper,
        "lower" => Filters.BuiltinFilters.TextCase.Lower,
        "capitalize" => Filters.BuiltinFilters.TextCase.Capitalize,
        "title" => Filters.BuiltinFilters.TextCase.Title,
        _ => Filters.BuiltinFilters.TextCase.Trim,
    };

    /// <summary>
    /// <c>{{ source|join('sep') }}</c> (the built-in join, a literal separator) written into the output. A source that is
    /// itself the built-in <c>sort</c> or <c>reverse</c>, a divisibility selection (<c>select('even')</c>…, with or without <c>|list</c>),
    /// <c>unique</c> or <c>map(attribute='…')</c> is fused with the join; anything else is joined as it is. (An error of
    /// either filter of a fused pair is reported at the inner filter's position.)
    /// </summary>
    private E EmitPrintedJoin(FilterExpr join, Expr joined, string sep)
    {
        var separator = E.Constant(sep);
        switch (joined)
        {
            case FilterExpr { Name: "sort", Style: FilterStyle.Pipe, Args.IsEmpty: true, Value: { } sorted } sort when IsBuiltinFilter("sort"):
                return E.Block(SetPos(sort.Pos), Helper(H.WriteSortedJoin, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(sorted)), separator, _fn.Escape));
            case FilterExpr { Name: "reverse", Style: FilterStyle.Pipe, Args.IsEmpty: true, Value: { } reversed } r when IsBuiltinFilter("reverse"):
                return E.Block(SetPos(r.Pos), Helper(H.WriteReversedJoin, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(reversed)), separator, _fn.Escape));
            case GetItemExpr { Optional: false, Key: SliceExpr { Step: null } slice } sliced
                when LiteralBound(slice.Start) is (true, var start) && LiteralBound(slice.Stop) is (true, var stop):
                return E.Block(SetPos(join.Pos), Helper(H.WriteSliceJoin, _fn.Rs, _fn.Out, EmitExpr(sliced.Target),
                    E.Constant(start, typeof(object)), E.Constant(stop, typeof(object)), separator, _fn.Escape));
            case FilterExpr { Name: "unique", Style: FilterStyle.Pipe, Args.IsEmpty: true, Value: { } unique } u when IsBuiltinFilter("unique"):
                return E.Block(SetPos(u.Pos), Helper(H.WriteJoinUnique, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(unique)), separator, _fn.Escape));
            case FilterExpr
            {
                Name: "map", Style: FilterStyle.Pipe, Value: { } mapped,
                Args: { Positional.Count: 0, DynArgs: null, DynKwargs: null, Named: [{ Key: "attribute", Value: ConstExpr { Value: string attribute } }] },
            } map when IsBuiltinFilter("map") && mapped is FilterExpr
            {
                Name: "selectattr" or "rejectattr", Style: FilterStyle.Pipe, Value: { } selectedFrom,
                Args: { Named.Count: 0, DynArgs: null, DynKwargs: null, Positional: [ConstExpr { Value: string flag }] },
            } selection && IsBuiltinFilter(selection.Name):
                // (the selection's items, each kept by the truth of its member: tier-up reads both members of a typed list directly)
                return E.Block(SetPos(selection.Pos), Helper(H.WriteJoinMappedSelected, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(selectedFrom)),
                    E.Constant(flag), E.Constant(selection.Name == "selectattr"), E.Constant(attribute), separator, _fn.Escape, E.Constant(new Iteration.ValueSite())));
            case FilterExpr
            {
                Name: "map", Style: FilterStyle.Pipe, Value: { } mapped,
                Args: { Positional.Count: 0, DynArgs: null, DynKwargs: null, Named: [{ Key: "attribute", Value: ConstExpr { Value: string attribute } }] },
            } map when IsBuiltinFilter("map"):
                return E.Block(SetPos(map.Pos), Helper(H.WriteJoinMapped, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(mapped)), E.Constant(attribute), separator, _fn.Escape));
            case FilterExpr
            {
                Name: "map", Style: FilterStyle.Pipe, Value: { } casedItems,
                Args: { Named.Count: 0, DynArgs: null, DynKwargs: null, Positional: [ConstExpr { Value: "upper" or "lower" or "capitalize" or "title" or "trim" }] },
            } caseMap when IsBuiltinFilter("map") && (string)((ConstExpr)caseMap.Args.Positional[0]).Value! is var caseFilter && IsBuiltinFilter(caseFilter):
                return E.Block(SetPos(caseMap.Pos), Helper(H.WriteJoinCased, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(casedItems)),
                    E.Constant(CaseOf(caseFilter)), E.Constant(caseFilter), separator, _fn.Escape));
            case FilterExpr
            {
                Name: "map", Style: FilterStyle.Pipe, Value: { } stringified,
                Args: { Named.Count: 0, DynArgs: null, DynKwargs: null, Positional: [ConstExpr { Value: "string" }] },
            } stringMap when IsBuiltinFilter("map") && IsBuiltinFilter("string"):
                return E.Block(SetPos(stringMap.Pos), Helper(H.WriteJoinStringMapped, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(stringified)), separator, _fn.Escape));
            case FilterExpr kept when (kept is { Name: "list", Style: FilterStyle.Pipe, Args.IsEmpty: true, Value: FilterExpr listed } && IsBuiltinFilter("list") ? listed : kept) is var selection
                                      && DivisibilityTest(selection) is { } test:
                return E.Block(SetPos(selection.Pos), Helper(H.WriteJoinDivisible, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(selection.Value!)),
                    BuildArgs(selection.Args), E.Constant(test.Divisor), E.Constant(test.Divisible), E.Constant(selection.Name == "select"), separator, _fn.Escape));
        }
        return E.Block(SetPos(join.Pos), Helper(H.WriteJoin, _fn.Rs, _fn.Out, Helper(H.UseValue, EmitExpr(joined)), separator, _fn.Escape));
    }

    /// <summary>A slice bound written as an integer literal (<c>2</c>, <c>-2</c>) or left out: (true, the value or null); else (false, null).</summary>
    private static (bool Literal, object? Value) LiteralBound(Expr? bound) => bound switch
    {
        null => (true, null),
        ConstExpr { Value: long v } => (true, v),
        UnaryExpr { Op: UnaryOp.Neg, Operand: ConstExpr { Value: long v } } when v != long.MinValue => (true, -v),
        _ => (false, null),
    };

    /// <summary>
    /// <c>{{ xs|length }}</c> / <c>|count</c> (the built-in, no arguments) written as the number it is: a split or a
    /// divisibility selection counted without building it, any other value through Iteration.Length. A selection by
    /// another test is left to the general path (its fused count is printed as a value); null when the form is not one of these.
    /// </summary>
    private E? EmitPrintedCount(FilterExpr f)
    {
        if (FusedSplitCount(f) is { } split) return E.Call(_fn.Out, H.OutputWriteInt, split);
        if (FusedDivisibleCount(f) is { } divisible) return E.Call(_fn.Out, H.OutputWriteInt, divisible);
        if (ChunkCount(f) is { } chunks) return E.Call(_fn.Out, H.OutputWriteInt, chunks);
        if (f is not { Style: FilterStyle.Pipe, Args.IsEmpty: true, Value: { } counted } || !IsBuiltinFilter(f.Name) || CountedSelection(f) is not null) return null;
        return E.Block(SetPos(f.Pos), E.Call(_fn.Out, H.OutputWriteInt, E.Convert(Count(counted), typeof(long))));
    }

    /// <summary>The operands of a <c>~</c> chain, left to right (a stack, not recursion: chains may be long).</summary>
    private static void FlattenTilde(Expr e, List<Expr> parts)
    {
        var pending = new Stack<Expr>();
        pending.Push(e);
        while (pending.Count > 0)
        {
            var next = pending.Pop();
            if (next is BinaryExpr { Op: BinaryOp.Concat } b)
            {
                pending.Push(b.Right);
                pending.Push(b.Left);
            }
            else parts.Add(next);
        }
    }

    /// <summary>
    /// An expression's truth as a bool. Comparisons, tests, <c>not</c>, <c>and</c> and <c>or</c> are decided as bools (no
    /// boxed answer to test again); anything else is Python's truth of its value.
    /// </summary>
    private E Truth(Expr e)
    {
        EnsureStack(e.Pos);
        return e switch
        {
            CompareExpr c => CompareTest(c),
            TestExpr t => TestCondition(t),
            UnaryExpr { Op: UnaryOp.Not } u => E.Not(Truth(u.Operand)),
            BinaryExpr { Op: BinaryOp.And } a => E.AndAlso(Truth(a.Left), Truth(a.Right)),
            BinaryExpr { Op: BinaryOp.Or } o => E.OrElse(Truth(o.Left), Truth(o.Right)),
            _ => E.Call(H.Truthy, E.Convert(EmitExpr(e), typeof(object))),
        };
    }

    private E EmitIf(IfStmt i)
    {
        E? result = i.Else is null ? null : WithScope(i.Else, sc => EmitScopeBody(i.Else, sc));
        for (var k = i.Branches.Count - 1; k >= 0; k--)
        {
            var br = i.Branches[k];
            var body = WithScope(br.Body, sc => EmitScopeBody(br.Body, sc));
            var test = E.Block(SetPos(br.Condition.Pos), Truth(br.Condition));
            result = result is null ? E.IfThen(test, body) : E.IfThenElse(test, body, result);
        }
        return result!;
    }

    private E EmitFor(ForStmt f)
    {
        // as in Jinja2 (and Kida, kida-spec D25), an include with context or a scoped block inside the body sees loop
        // when the body names it: only then is there a loop local for LocalsDictionary to hand over
        var usesLoop = _bound.UsesLoop(f);
        if (f.IsAsync) return EmitAsyncFor(f, usesLoop);
        if (!f.Recursive && !usesLoop && PairSource(f.Iterable) is var (kind, mapExpr, rebuild)
            && (kind is PairLoops.Keys or PairLoops.Values ? f.Target is NameTarget : f.Target is TupleTarget { Items.Count: 2 }))
        {
            // the mapping is evaluated once: the general source is rebuilt on a hidden local holding it
            var map = E.Variable(typeof(object), "map");
            var hidden = "\0map" + _fn.Scope.Vars.Count;
            _fn.Scope.Vars[hidden] = map;
            E general;
            try { general = EmitExpr(rebuild(new NameExpr(mapExpr.Pos, hidden))); }
            finally { _fn.Scope.Vars.Remove(hidden); }
            var pairs = new PairLoop(map, EmitExpr(mapExpr), kind, SetPos(f.Iterable.Pos));
            return EmitForCore(f, general, usesLoop, depth: E.Constant(0), recurse: E.Constant(null, typeof(Func<RenderState, object?, int, string>)), pairs);
        }
        var iterable = ChunkedSource(f, usesLoop) ?? EmitExpr(f.Iterable);
        if (!f.Recursive) return EmitForCore(f, iterable, usesLoop, depth: E.Constant(0), recurse: E.Constant(null, typeof(Func<RenderState, object?, int, string>)));

        // recursive loop: the loop body becomes a function (iterable, depth) -> rendered text
        var rs = E.Parameter(typeof(RenderState), "rs");
        var iter = E.Parameter(typeof(object), "iter");
        var depth = E.Parameter(typeof(int), "depth");
        var self = E.Variable(typeof(Func<RenderState, object?, int, string>), "recurse");
        var saved = _fn;
        var inner = new FunctionFrame(rs, _fn.Ctx, E.Variable(typeof(Output), "out"), _fn, _fn.Escape) { BlockName = _fn.BlockName, Caller = _fn.Caller };
        inner.Scope = new Scope(_fn.Scope, false);
        _fn = inner;
        E body;
        try
        {
            body = EmitForCore(f, iter, true, depth, self);
        }
        finally
        {
            _fn = saved;
        }
        var lambda = E.Lambda<Func<RenderState, object?, int, string>>(CaptureBody(inner.Out, body), rs, iter, depth);
        return E.Block(typeof(void), [self],
            E.Assign(self, lambda),
            E.Call(_fn.Out, H.OutputWriteString, E.Invoke(self, _fn.Rs, iterable, E.Constant(0))));
    }

    /// <summary>
    /// <c>{% for b in xs|batch(n) %}</c> or <c>xs|slice(n)</c> (built-in, a literal count, no fill), or
    /// <c>{% for g in xs|groupby('key') %}</c> (built-in, a literal attribute, no other argument; <c>g</c> may be unpacked),
    /// whose body cannot keep <c>b</c> or <c>g</c> or change <c>xs</c>, and which reads no LoopContext: the source is a
    /// view whose batches, columns or groups are refilled for each loop (BuiltinFilters.ChunkedLoopSource,
    /// GroupedLoopSource). Null for any other loop.
    /// </summary>
    private E? ChunkedSource(ForStmt f, bool usesLoop)
    {
        if (f is not { Recursive: false, IsAsync: false, Filter: null }
            || f.Iterable is not FilterExpr { Name: "batch" or "slice" or "groupby", Style: FilterStyle.Pipe, Value: { } source } chunked
            || chunked.Args is not { Named.Count: 0, DynArgs: null, DynKwargs: null, Positional: [ConstExpr { Value: var argument }] }
            || !IsBuiltinFilter(chunked.Name)
            || (usesLoop && LightLoops.Analyse(f, _bound) is null)) return null;
        var grouped = chunked.Name == "groupby";
        // (a batch's or column's one name, a group's one name or the names it unpacks into)
        IEnumerable<string>? names = f.Target switch
        {
            NameTarget target => [target.Name],
            TupleTarget { Items: var items } when grouped && items.All(t => t is NameTarget) => items.Select(t => ((NameTarget)t).Name),
            _ => null,
        };
        if (names is null || !names.All(name => LightLoops.ChunkStaysInBody(f, name, IsBuiltin))) return null;
        if (grouped)
            return argument is string or long
                ? E.Block(SetPos(chunked.Pos), Helper(H.GroupedLoopSource, _fn.Rs, Helper(H.UseValue, EmitExpr(source)), E.Constant(argument, typeof(object)),
                    E.Constant(new Iteration.ValueSite())))
                : null;
        if (argument is not long n || n is < 1 or > 1 << 20) return null;
        return E.Block(SetPos(chunked.Pos),
            Helper(H.ChunkedLoopSource, _fn.Rs, Helper(H.UseValue, EmitExpr(source)), E.Constant(n), E.Constant(chunked.Name == "slice")));
    }

    private static E CaptureBody(ParameterExpression @out, E body) =>
        E.Block(typeof(string), [@out],
            E.Assign(@out, E.New(H.NewOutput, E.Constant(256))),
            E.TryFinally(
                E.Block(body, E.Call(@out, H.OutputToString)),
                E.Call(@out, H.OutputDispose)));


    /// <summary>
    /// A <c>for k, v in d.items()</c> / <c>d|dictsort</c> loop: the mapping's variable, its expression, the source's kind
    /// for PairLoops.Open, and the position to report from.
    /// </summary>
    private sealed record PairLoop(ParameterExpression Map, E MapValue, int Kind, E Pos);

    /// <summary>
    /// <c>m.items()</c>, <c>m.keys()</c>, <c>m.values()</c>, <c>m|items</c> or <c>m|dictsort</c> (the built-in filters), without arguments: the kind, the mapping's expression
    /// and a function that rebuilds the source on another mapping expression (for the general path).
    /// </summary>
    private (int Kind, Expr Map, Func<Expr, Expr> Rebuild)? PairSource(Expr iterable) => iterable switch
    {
        CallExpr { Callee: GetAttrExpr { Optional: false, Name: "items" or "keys" or "values" } ga, Args.IsEmpty: true } call =>
            (ga.Name == "items" ? PairLoops.Items : ga.Name == "keys" ? PairLoops.Keys : PairLoops.Values, ga.Target, m => call with { Callee = ga with { Target = m } }),
        FilterExpr { Name: "dictsort", Style: FilterStyle.Pipe, Args.IsEmpty: true, Value: { } value } filter when IsBuiltinFilter("dictsort") =>
            (PairLoops.DictSort, value, m => filter with { Value = m }),
        FilterExpr { Name: "items", Style: FilterStyle.Pipe, Args.IsEmpty: true, Value: { } mapped } items when IsBuiltinFilter("items") =>
            (PairLoops.Items, mapped, m => items with { Value = m }),
        _ => null,
    };

    private E EmitForCore(ForStmt f, E iterable, bool usesLoop, E depth, E recurse, PairLoop? pairs = null)
    {
        var breakLabel = E.Label("break");
        var continueLabel = E.Label("continue");
        var any = E.Variable(typeof(bool), "any");
        // (the pairs of a pair loop: slots on this function's stack, PairLoops.Fill)
        var keys = E.Variable(typeof(PairLoops.PairSlots), "pairs");
        var pairCount = E.Variable(typeof(int), "npairs");
        var idxForPairs = E.Variable(typeof(int), "i");
        var list = E.Variable(typeof(IReadOnlyList<object?>), "items");
        // a batch/slice loop (ChunkedSource) reads its view's batches directly: no sequence, array or enumerator
        var view = iterable.Type == typeof(Iteration.ChunkView) ? E.Variable(typeof(Iteration.ChunkView), "view") : null;
        var count = E.Variable(typeof(int), "n");
        // a loop that reads only loop.index, first, last and the like reads them from its counter and item list
        // (LightLoops): no LoopContext, and the source opened as a loop without 'loop' opens it
        var light = usesLoop && pairs is null && depth is ConstantExpression ? LightLoops.Analyse(f, _bound) : null;
        // a loop without a LoopContext over a short model List<int> walks an unboxed copy (Iteration.IntSnapshot), its
        // variable bound to the int boxed, which tier-up (TypedLocals) keeps unboxed beside it
        // (a body that cannot change the list reads it in place, any length, with the count it had at the start)
        // (interpreted for good, a loop has no lanes: they are for the IL that tier-up compiles, InterpretedForm)
        var intLane = view is null && pairs is null && (!usesLoop || light is not null) && f.Target is NameTarget && !_env.Options.PreferInterpretation;
        var inPlace = intLane && LightLoops.CannotChangeItsSource(f, IsBuiltin);
        var ints = E.Variable(inPlace ? typeof(List<int>) : typeof(Iteration.IntItems), "ints");
        var intCount = E.Variable(typeof(int), "nints");
        // (the lane notes in a site when it first runs: tier-up drops the lane of a loop that never met a List<int>, so
        // its variable keeps no unboxed copy beside it; SiteInliner folds the site's flag)
        // (and the type of source it opens on, from which tier-up guesses its variable's type: SiteInliner.ItemGuess)
        var intSite = new Iteration.IntLaneSite();
        var laneSeen = E.Field(E.Constant(intSite), H.IntLaneSeen);
        var notInts = E.OrElse(E.Not(laneSeen), E.Equal(ints, E.Constant(null, ints.Type)));
        E IntAt(E i) => inPlace ? E.Call(H.ListItemInt, ints, i) : E.ArrayIndex(E.Field(ints, H.IntItemsItems), i);
        // a loop that cannot change its source also reads a model List<double>, List<decimal>, List<long>,
        // List<DateTime> or List<string> in place (Lanes): its variable is the item boxed, and the item unboxed in a local
        // of its own, which tier-up (SiteInliner) reads where it types an operation on the variable (a list of strings
        // is read by index, without the general source's sequence, array and release)
        // (and a model List<T> of references through List<object>'s indexer: ValueLane.References)
        // (IL compiled straight away reads it at once; a tiered function from its promotion)
        var lanes = inPlace
            ? [.. Lanes.Select(t => new ValueLane(t)), ValueLane.References(compiledNow: !_env.Options.PreferInterpretation && !_env.Options.TieredCompilation)]
            : new List<ValueLane>();
        var intValue = E.Variable(typeof(int), "lane_int");
        // not walking any lane: the general source
        var notLane = lanes.Aggregate(notInts, (all, lane) => E.AndAlso(all, lane.NotActive));
        var pairKey = E.Call(H.PairLoopsSlot, keys, E.Multiply(idxForPairs, E.Constant(2)));
        var pairValue = E.Call(H.PairLoopsSlot, keys, E.Add(E.Multiply(idxForPairs, E.Constant(2)), E.Constant(1)));
        var (scope, inits, vars, itemVar, loopBody, bindTarget, filterTest, bindPair) = EmitLoopParts(f, usesLoop, breakLabel, continueLabel,
            // (keys() and values() bind their one name from the first of the two)
            pairs is null ? null : pairs.Kind == PairLoops.Values ? (pairValue, pairValue) : (pairKey, pairValue),
            light is null ? null
                : (idxForPairs, view is not null ? count : intLane ? E.Condition(notLane, E.Property(list, H.SequenceCount), intCount) : E.Property(list, H.SequenceCount)),
            // (the boxed int first: TypedLocals recognises guard ? Box(v) : generic; each lane's item kept unboxed too)
            intLane ? item => E.Condition(E.Not(notInts), E.Call(H.BoxInt, E.Assign(intValue, IntAt(idxForPairs))),
                lanes.AsEnumerable().Reverse().Aggregate(item, (rest, lane) => E.Condition(E.Not(lane.NotActive), lane.Boxed(idxForPairs), rest, typeof(object))),
                typeof(object)) : null,
            unread: pairs is null && view is null && f.Target is NameTarget unreadName && LightLoops.NeverReads(f, unreadName.Name, IsBuiltin));
        if (light is not null) usesLoop = false;
        // (ChunkedSource gives a view only to a loop without a LoopContext)
        System.Diagnostics.Debug.Assert(view is null || !usesLoop);

        // Sequences are walked by index (no enumerator allocated); anything else through an enumerator. With 'loop'
        // in use, a non-list source is materialised first (length, revindex and nextitem need it) and, with an
        // inline filter, filtered first, as Jinja does. One LoopContext serves the whole loop.
        var en = E.Variable(typeof(IEnumerator<object?>), "en");
        var idx = idxForPairs;
        var lc = E.Variable(typeof(LoopContext), "lc");
        // a list is walked as an array when Iteration.LoopArray gives one (tuples, arrays, a copied model List<T>: no
        // interface call per item), a template-built List<object?> through its own indexer, any other list through
        // IReadOnlyList; unwrap says whether its items may be JSON values to convert
        var arr = E.Variable(typeof(object?[]), "arr");
        var own = E.Variable(typeof(List<object?>), "own");
        var unwrap = E.Variable(typeof(bool), "unwrap");
        var locals = new List<ParameterExpression> { any, list, en, idx, lc, arr, count, own, unwrap, ints, intCount, intValue };
        locals.AddRange(lanes.SelectMany(lane => new[] { lane.List, lane.Value }));
        if (view is not null) locals.Add(view);
        var exprs = new List<E> { E.Assign(any, E.Constant(false)), E.Assign(idx, E.Constant(0)) };
        if (usesLoop)
        {
            exprs.Add(E.Assign(list, Helper(H.ToItemList, iterable)));
            if (filterTest is not null)
            {
                var filtered = E.Variable(typeof(List<object?>), "filtered");
                var j = E.Variable(typeof(int), "j");
                var brk = E.Label("fbreak");
                exprs.Add(E.Block(typeof(void), vars.Concat([filtered, j, itemVar]),
                    E.Assign(filtered, E.New(typeof(List<object?>))),
                    E.Assign(j, E.Constant(0)),
                    E.Loop(E.Block(
                        E.IfThen(E.GreaterThanOrEqual(j, E.Property(list, H.SequenceCount)), E.Break(brk)),
                        E.Assign(itemVar, E.Property(list, H.SequenceItem, j)),
                        E.Block(inits.Append(E.Empty())),
                        bindTarget,
                        E.IfThen(filterTest, E.Call(filtered, H.ListAdd, itemVar)),
                        E.PostIncrementAssign(j)), brk),
                    E.Assign(list, filtered)));
            }
            exprs.Add(E.Assign(lc, E.New(H.NewLoopContext, list, depth, recurse, _fn.Rs)));
        }
        else
        {
            // the source is evaluated once, then walked by index or through an enumerator
            var source = E.Variable(typeof(object), "source");
            locals.Add(source);
            var open = E.Block(
                E.Assign(source, E.Convert(iterable, typeof(object))),
                E.Assign(list, Helper(H.LoopSequence, source, _fn.Rs)),
                E.IfThen(E.Equal(list, E.Constant(null, list.Type)),
                    light is true
                        // (a light loop that reads its length materialises any other source, as the context would)
                        ? E.Assign(list, Helper(H.ToItemList, source))
                        : E.Assign(en, Helper(H.GetIterator, source))));
            if (pairs is null && intLane)
                // (LoopArray below gives no array for no list)
                exprs.Add(E.Block(
                    [E.Assign(source, E.Convert(iterable, typeof(object))),
                    E.Call(E.Constant(intSite), H.IntLaneNote, source),
                    E.Assign(ints, E.Condition(E.TypeEqual(source, typeof(List<int>)),
                        E.Block(E.Assign(laneSeen, E.Constant(true)),
                            inPlace ? E.Convert(source, typeof(List<int>)) : E.Call(H.IntSnapshot, E.Convert(source, typeof(List<int>)), _fn.Rs)),
                        E.Constant(null, ints.Type))),
                    .. lanes.Select(lane => lane.Open(source)),
                    E.IfThenElse(notLane, E.Block(open.Expressions.Skip(1)),
                        // (the list and enumerator of an earlier run of this loop are not this run's)
                        E.Block(E.Assign(list, E.Constant(null, list.Type)), E.Assign(en, E.Constant(null, en.Type)),
                            E.Assign(intCount, lanes.AsEnumerable().Reverse().Aggregate(
                                inPlace ? E.Call(H.ListCountInt, ints) : (E)E.Field(ints, H.IntItemsCount),
                                (rest, lane) => E.Condition(E.Not(lane.NotActive), lane.Count(), rest)))))]));
            else if (view is not null) exprs.Add(E.Block(E.Assign(view, iterable), E.Assign(count, E.Property(view, H.ChunkViewCount))));
            else if (pairs is null) exprs.Add(open);
            else
            {
                // the mapping's pairs from two arrays when PairLoops gives them, else the general source on the same mapping
                locals.AddRange([pairs.Map, keys, pairCount]);
                exprs.Add(E.Assign(pairs.Map, E.Convert(pairs.MapValue, typeof(object))));
                exprs.Add(pairs.Pos);
                exprs.Add(E.Assign(pairCount, E.Call(H.PairLoopsFill, pairs.Map, E.Constant(pairs.Kind), E.Constant(new PairLoops.PairSite()), keys)));
                // (a run over pairs has no list or enumerator: none of an earlier run's, which it would give back again)
                exprs.Add(E.IfThenElse(E.LessThan(pairCount, E.Constant(0)), open,
                    E.Block(E.Assign(list, E.Constant(null, list.Type)), E.Assign(en, E.Constant(null, en.Type)))));
            }
        }
        // (and whether the items may be JSON values to convert)
        E walk = E.Block(
            E.Assign(arr, E.Call(H.LoopArray, list, unwrap)),
            E.IfThenElse(E.NotEqual(arr, E.Constant(null, arr.Type)),
                E.Assign(count, E.Property(list, H.SequenceCount)),
                E.Assign(own, E.Call(H.LoopOwnList, list))));
        // (the int lane reads its snapshot, a batch/slice loop its view: no array, list or JSON items)
        var noWalk = E.Block(E.Assign(arr, E.Constant(null, arr.Type)), E.Assign(own, E.Constant(null, own.Type)), E.Assign(unwrap, E.Constant(false)));
        if (view is null) exprs.Add(intLane ? E.IfThenElse(notLane, walk, noWalk)
            // (the pairs need no array of a list they did not read)
            : pairs is not null && !usesLoop ? E.IfThenElse(E.LessThan(pairCount, E.Constant(0)), walk, noWalk)
            : walk);

        var step = new List<E>(inits);
        E fetch = E.Condition(E.NotEqual(arr, E.Constant(null, arr.Type)),
            E.Block(
                E.IfThen(E.GreaterThanOrEqual(idx, count), E.Break(breakLabel)),
                E.Assign(itemVar, E.ArrayIndex(arr, idx))),
            E.Condition(E.NotEqual(own, E.Constant(null, own.Type)),
                E.Block(
                    E.IfThen(E.GreaterThanOrEqual(idx, E.Property(own, H.ListCount)), E.Break(breakLabel)),
                    E.Assign(itemVar, E.Property(own, H.ListItem, idx))),
                usesLoop
                    ? E.Block(
                        E.IfThen(E.GreaterThanOrEqual(idx, E.Property(list, H.SequenceCount)), E.Break(breakLabel)),
                        E.Assign(itemVar, E.Property(list, H.SequenceItem, idx)))
                    : E.Condition(E.NotEqual(list, E.Constant(null, list.Type)),
                        E.Block(
                            E.IfThen(E.GreaterThanOrEqual(idx, E.Property(list, H.SequenceCount)), E.Break(breakLabel)),
                            E.Assign(itemVar, E.Property(list, H.SequenceItem, idx))),
                        E.Block(
                            E.IfThen(E.Not(E.Call(en, H.EnumeratorMoveNext)), E.Break(breakLabel)),
                            E.Assign(itemVar, E.Property(en, H.EnumeratorCurrent))),
                        typeof(object)),
                typeof(object)),
            typeof(object));
        if (intLane)
            fetch = E.IfThenElse(notLane, fetch, E.IfThen(E.GreaterThanOrEqual(idx, intCount), E.Break(breakLabel)));
        if (view is not null)
            fetch = E.Block(
                E.IfThen(E.GreaterThanOrEqual(idx, count), E.Break(breakLabel)),
                E.Assign(itemVar, E.Call(view, H.ChunkViewGet, idx)));
        if (pairs is not null && bindPair is not null)
            step.Add(E.IfThenElse(E.GreaterThanOrEqual(pairCount, E.Constant(0)),
                E.Block(
                    E.IfThen(E.GreaterThanOrEqual(idx, pairCount), E.Break(breakLabel)),
                    bindPair),
                E.Block(
                    fetch,
                    E.IfThen(unwrap, E.Assign(itemVar, Helper(H.UnwrapItem, itemVar))),
                    bindTarget)));
        else
        {
            step.Add(fetch);
            if (!usesLoop && view is null) step.Add(E.IfThen(unwrap, E.Assign(itemVar, Helper(H.UnwrapItem, itemVar))));
            step.Add(bindTarget);
        }
        if (usesLoop)
        {
            step.Add(E.Assign(E.Field(lc, H.LoopIndex0), idx));
            step.Add(E.Assign(scope.Vars["loop"], lc));
        }
        else if (light is not null)
            step.Add(E.Assign(scope.Vars["loop"], E.Constant(LightLoopMarker, typeof(object))));
        else if (filterTest is not null)
        {
            step.Add(E.IfThen(E.Not(filterTest), E.Continue(continueLabel)));
        }
        // Jinja 3.1 clears its "no iteration" flag at the end of a completed body: an iteration left through
        // break or continue does not count, so else still runs when every iteration ended that way
        step.Add(loopBody);
        if (f.Else is not null) step.Add(E.Assign(any, E.Constant(true)));
        var loop = E.Loop(E.Block(
            E.Block(typeof(void), vars.Append(itemVar), step),
            E.Label(continueLabel),
            E.PostIncrementAssign(idx),
            LoopTick()), breakLabel);
        var release = usesLoop ? Helper(H.ReleaseLoopArray, list, arr) : Helper(H.ReleaseLoopItems, list, arr, _fn.Rs);
        // (the int lane gives its copy back; a list read in place has nothing to give)
        if (intLane) release = E.IfThenElse(notLane, release, inPlace ? E.Empty() : E.Call(H.ReleaseIntSnapshot, ints, _fn.Rs));
        if (view is not null) release = E.Call(view, H.ChunkViewRelease, _fn.Rs);
        // (pairs read from their slots leave no list or array to give back)
        if (pairs is not null) release = E.IfThen(E.LessThan(pairCount, E.Constant(0)), release);
        exprs.Add(E.TryFinally(loop, E.Block(
            E.IfThen(E.NotEqual(en, E.Constant(null, en.Type)), E.Call(en, H.DisposableDispose)),
            release)));
        if (f.Else is not null)
            exprs.Add(E.IfThen(E.Not(any), WithScope(f.Else, sc => EmitScopeBody(f.Else, sc))));
        return E.Block(typeof(void), locals, exprs);
    }

    /// <summary>The item types of the model lists a loop that cannot change its source walks in place, beside List&lt;int&gt;.</summary>
    private static readonly Type[] Lanes = [typeof(double), typeof(decimal), typeof(long), typeof(DateTime), typeof(string)];

    /// <summary>
    /// One lane of a for loop (Lanes): the model <c>List&lt;T&gt;</c> it walks in place when the source is one (null
    /// otherwise), the current item unboxed, and the site whose flag says whether the loop ever met such a list (tier-up
    /// folds it, so a lane never used disappears).
    /// </summary>
    private sealed class ValueLane
    {
        public ValueLane(Type itemType)
        {
            ItemType = itemType;
            ListType = H.LaneMethods[itemType].Item.GetParameters()[0].ParameterType;
            List = E.Variable(ListType, "lane_" + itemType.Name + "s");
            Value = E.Variable(itemType, "lane_" + itemType.Name);
            var seen = E.Field(E.Constant(_site), H.IntLaneSeen);
            Seen = seen;
            NotActive = E.OrElse(E.Not(seen), E.Equal(List, E.Constant(null, ListType)));
        }

        /// <summary>
        /// The lane of a model <c>List&lt;T&gt;</c> of references (Iteration.ReferenceLane, which tier-up checks inline
        /// for the one type it met): its items are the variable as they are, without the general source's sequence,
        /// array and release.
        /// </summary>
        public static ValueLane References(bool compiledNow) => new(typeof(object)) { _references = true, _compiledNow = compiledNow };

        private readonly Iteration.IntLaneSite _site = new();
        private bool _references, _compiledNow;

        public Type ItemType { get; }
        public Type ListType { get; }
        public ParameterExpression List { get; }
        public ParameterExpression Value { get; }
        private E Seen { get; }
        public E NotActive { get; }

        /// <summary>The list when the source is exactly one (the site noted), else null.</summary>
        public E Open(E source) => _references
            ? E.Block(
                E.Assign(List, _compiledNow ? E.Call(H.ReferenceLaneCompiled, source) : E.Call(H.ReferenceLane, source, E.Constant(_site))),
                // (compiled straight away, the lane is open whenever it has a list)
                _compiledNow ? E.Assign(Seen, E.Constant(true)) : E.Empty())
            : E.Assign(List, E.Condition(E.TypeEqual(source, ListType),
                E.Block(E.Assign(Seen, E.Constant(true)), E.Convert(source, ListType)),
                E.Constant(null, ListType)));

        public E Count() => E.Call(H.LaneMethods[ItemType].Count, List);

        /// <summary>
        /// Item <paramref name="i"/> kept unboxed in <see cref="Value"/>, and boxed as the loop's variable (a long from the
        /// shared boxes, as the general path boxes a list of longs).
        /// </summary>
        public E Boxed(E i)
        {
            if (_references) return E.Call(H.LaneMethods[ItemType].Item, List, i);
            var item = E.Assign(Value, E.Call(H.LaneMethods[ItemType].Item, List, i));
            return ItemType == typeof(long) ? E.Call(H.BoxLong, item) : E.Convert(item, typeof(object));
        }
    }

    /// <summary>
    /// A for loop's back-edge (RenderState.LoopTick) inline: the countdown decremented and the token's flag read here,
    /// the slow path (budget, clock, cancellation) called only when either says so.
    /// </summary>
    private E LoopTick() =>
        E.IfThen(
            E.OrElse(
                E.LessThan(E.PreDecrementAssign(E.Field(_fn.Rs, H.RenderStateLoopCountdown)), E.Constant(0)),
                E.Property(E.Property(_fn.Rs, H.RenderStateToken), H.TokenIsCancellationRequested)),
            E.Call(H.LoopSlowPath, _fn.Rs));

    /// <summary>The parts a for and an async for share: the body's scope and its initialisers, the item variable, the
    /// target binding, the inline filter's test and the body, emitted with the loop's break and continue labels.</summary>
    private (Scope Scope, List<E> Inits, List<ParameterExpression> Vars, ParameterExpression Item, E Body, E Bind, E? Filter, E? BindPair)
        EmitLoopParts(ForStmt f, bool usesLoop, LabelTarget breakLabel, LabelTarget continueLabel, (E Key, E Value)? pair = null,
            (ParameterExpression Index, E Length)? light = null, Func<E, E>? bindValue = null, bool unread = false)
    {
        var targetNames = new List<string>();
        CollectTargetNames(f.Target, targetNames);
        if (usesLoop) targetNames.Add("loop");
        var (scope, inits) = OpenScope(f.Body, targetNames, initFromOuter: true);
        if (light is { } lightLoop) _lightLoops[scope.Vars["loop"]] = lightLoop;
        var vars = scope.Vars.Values.ToList();
        var itemVar = E.Variable(typeof(object), "item");
        E? filterTest = null;
        var savedScope = _fn.Scope;
        _fn.Scope = scope;
        _fn.Loops.Push((breakLabel, continueLabel));
        try
        {
            // (a name the body never reads is not bound: LightLoops.NeverReads)
            var bindTarget = unread ? E.Empty() : Assign(f.Target, bindValue is null ? itemVar : bindValue(itemVar), SetKind.Set);
            // the two names of a pair loop bound from the key and value directly (no tuple to unpack)
            E? bindPair = pair is var (key, value) && f.Target is TupleTarget { Items: [var first, var second] }
                ? E.Block(typeof(void), Assign(first, key, SetKind.Set), Assign(second, value, SetKind.Set))
                : pair is var (single, _) && f.Target is NameTarget ? Assign(f.Target, single, SetKind.Set)
                : null;
            if (f.Filter is not null) filterTest = Truth(f.Filter);
            var loopBody = EmitScopeBody(f.Body, scope);
            return (scope, inits, vars, itemVar, loopBody, bindTarget, filterTest, bindPair);
        }
        finally
        {
            _fn.Loops.Pop();
            _fn.Scope = savedScope;
        }
    }

    /// <summary>
    /// <c>{% async for %}</c>: the source is opened at an await point (so the attempts of an asynchronous render share
    /// one enumerator and replay the items read so far: Runtime/AsyncRun) and read one item per iteration, never
    /// materialised. <c>loop</c> counts the items the inline filter accepted; its length-dependent members raise.
    /// </summary>
    private E EmitAsyncFor(ForStmt f, bool usesLoop)
    {
        var breakLabel = E.Label("break");
        var continueLabel = E.Label("continue");
        var any = E.Variable(typeof(bool), "any");
        var iterable = EmitExpr(f.Iterable);
        var (scope, inits, vars, itemVar, loopBody, bindTarget, filterTest, _) = EmitLoopParts(f, usesLoop, breakLabel, continueLabel);

        var source = E.Variable(typeof(AsyncSource), "source");
        var point = E.Variable(typeof(int), "point");
        var idx = E.Variable(typeof(int), "i");
        var seen = E.Variable(typeof(List<object?>), "seen");
        var lc = E.Variable(typeof(LoopContext), "lc");
        var exprs = new List<E>
        {
            E.Assign(any, E.Constant(false)),
            E.Assign(idx, E.Constant(0)),
            E.Assign(point, Helper(H.EnterAwait, _fn.Rs)),
            E.Assign(source, E.Condition(E.Equal(point, E.Constant(-2)),
                E.Convert(Helper(H.MemoizedAwait, _fn.Rs), typeof(AsyncSource)),
                Helper(H.AsyncOpen, _fn.Rs, point, iterable, E.Constant(Describe(f.Iterable))),
                typeof(AsyncSource))),
        };
        if (usesLoop)
        {
            exprs.Add(E.Assign(seen, E.New(typeof(List<object?>))));
            exprs.Add(E.Assign(lc, Helper(H.AsyncLoop, _fn.Rs, seen)));
        }
        var step = new List<E>(inits)
        {
            E.Assign(itemVar, Helper(H.AsyncNext, _fn.Rs, source, idx)),
            E.IfThen(E.ReferenceEqual(itemVar, E.Constant(AsyncSource.End, typeof(object))), E.Break(breakLabel)),
            E.PostIncrementAssign(idx),
            bindTarget,
        };
        if (filterTest is not null) step.Add(E.IfThen(E.Not(filterTest), E.Continue(continueLabel)));
        if (usesLoop)
        {
            step.Add(E.Call(seen, H.ListAdd, itemVar));
            step.Add(E.Assign(E.Field(lc, H.LoopIndex0), E.Decrement(E.Property(seen, H.ListCount))));
            step.Add(E.Assign(scope.Vars["loop"], lc));
        }
        step.Add(loopBody);
        if (f.Else is not null) step.Add(E.Assign(any, E.Constant(true)));
        var loop = E.Loop(E.Block(
            E.Block(typeof(void), vars.Append(itemVar), step),
            E.Label(continueLabel),
            E.Call(H.CheckCancel, _fn.Rs)), breakLabel);
        exprs.Add(E.TryFinally(loop, Helper(H.AsyncClose, _fn.Rs, source)));
        if (f.Else is not null)
            exprs.Add(E.IfThen(E.Not(any), WithScope(f.Else, sc => EmitScopeBody(f.Else, sc))));
        return E.Block(typeof(void), [any, source, point, idx, seen, lc], exprs);
    }

    private E EmitWhile(WhileStmt w)
    {
        var breakLabel = E.Label("break");
        var continueLabel = E.Label("continue");
        var count = E.Variable(typeof(int), "iterations");
        _fn.Loops.Push((breakLabel, continueLabel));
        try
        {
            var body = WithScope(w.Body, sc => EmitScopeBody(w.Body, sc));
            return E.Block(typeof(void), [count],
                E.Assign(count, E.Constant(0)),
                E.Loop(E.Block(
                    SetPos(w.Pos),
                    E.IfThen(E.Not(Truth(w.Condition)), E.Break(breakLabel)),
                    Helper(H.CountIteration, _fn.Rs, count),
                    E.PostIncrementAssign(count),
                    body,
                    E.Label(continueLabel)), breakLabel));
        }
        finally
        {
            _fn.Loops.Pop();
        }
    }

    private E EmitSet(SetStmt set)
    {
        var value = EmitExpr(set.Value);
        if (!set.OnlyIfMissing) return Assign(set.Target, value, set.Kind);
        var current = set.Target is NameTarget n ? (set.Kind == SetKind.Set || _fn.DefLets?.Contains(n.Name) == true ? LookupName(n.Name, _fn.Scope) : E.Call(_fn.Ctx, H.ContextResolve, E.Constant(n.Name))) : throw Error("'??=' needs a single name", set.Pos);
        return E.IfThen(Helper(H.IsMissing, current), Assign(set.Target, value, set.Kind));
    }

    /// <summary>Renders statements into a fresh buffer and yields the text.</summary>
    private E Capture(IReadOnlyList<Stmt> body, bool newScope = false)
    {
        var saved = _fn.Out;
        var tmp = E.Variable(typeof(Output), "capture");
        var fn = _fn;
        // swap the output variable the statements write to
        var inner = new FunctionFrame(fn.Rs, fn.Ctx, tmp, fn.Parent, fn.Escape) { BlockName = fn.BlockName, Caller = fn.Caller, IsRoot = fn.IsRoot };
        inner.Scope = fn.Scope;
        foreach (var l in fn.Loops.Reverse()) inner.Loops.Push(l);
        _fn = inner;
        try
        {
            var stmts = newScope ? WithScope(body, sc => EmitScopeBody(body, sc)) : EmitScopeBody(body, _fn.Scope);
            return CaptureBody(tmp, stmts);
        }
        finally
        {
            fn.Scope = inner.Scope;
            _fn = fn;
        }
    }

    private E EmitSetBlock(SetBlockStmt sb)
    {
        E value = Capture(sb.Body);
        E result = sb.AsMarkup ? Helper(H.MarkupIf, value, _fn.Escape) : value;
        foreach (var f in sb.Filters) result = ApplyFilter(f, result);
        return Assign(sb.Target, result, sb.Kind);
    }

    private E EmitFilterBlock(FilterBlockStmt fb)
    {
        E value = Helper(H.MarkupIf, Capture(fb.Body), _fn.Escape);
        foreach (var f in fb.Filters) value = ApplyFilter(f, value);
        return E.Call(_fn.Out, H.OutputWriteString, Helper(H.StrOf, value));
    }

    private E EmitCache(CacheStmt c)
    {
        var key = E.Variable(typeof(string), "cacheKey");
        var text = E.Variable(typeof(string), "cached");
        var tags = E.Variable(typeof(string[]), "cacheTags");
        var ttl = c.Ttl is null ? NullObject : EmitExpr(c.Ttl);
        E tagsValue = c.Depends.Count == 0
            ? E.Constant(null, typeof(string[]))
            : Helper(H.FragmentTags, EmittedArrays.Of(typeof(object), c.Depends.Select(d => E.Convert(EmitExpr(d), typeof(object)))));
        if (_env.Options.FragmentStore is null)
        {
            return E.Block(typeof(void), [key, text, tags],
                SetPos(c.Pos),
                E.Assign(key, Helper(H.FragmentKey, EmitExpr(c.Key))),
                E.Assign(tags, tagsValue),
                E.Assign(text, Helper(H.FragmentGet, _fn.Rs, key)),
                E.IfThen(E.Equal(text, E.Constant(null, typeof(string))),
                    E.Assign(text, c.Depends.Count == 0
                        ? Helper(H.FragmentStore, _fn.Rs, key, Capture(c.Body), ttl)
                        : Helper(H.FragmentStoreTagged, _fn.Rs, key, Capture(c.Body), ttl, tags))),
                E.Call(_fn.Out, H.OutputWriteString, text));
        }
        // a shared store: ask it, then render the body here when it asks for it (CacheTag.Begin)
        var pending = E.Variable(typeof(FragmentPending), "pending");
        var site = new FragmentSite(_ct.Name ?? "<string>", _fn.BlockName ?? "");
        return E.Block(typeof(void), [key, text, tags, pending],
            SetPos(c.Pos),
            E.Assign(key, Helper(H.FragmentKey, EmitExpr(c.Key))),
            E.Assign(tags, tagsValue),
            E.Assign(pending, Helper(H.FragmentBegin, _fn.Rs, E.Constant(site), key, ttl, tags)),
            E.Assign(text, E.Property(pending, H.FragmentPendingText)),
            E.IfThen(E.Equal(text, E.Constant(null, typeof(string))),
                E.TryCatchFinally(
                    E.Block(typeof(void), E.Assign(text, Helper(H.FragmentEnd, pending, Capture(c.Body)))),
                    Helper(H.FragmentAbandon, pending),
                    // an asynchronous render unwinding to await inside the body: the replay renders it and hands it over
                    E.Catch(typeof(AsyncPendingSignal), E.Block(typeof(void), Helper(H.FragmentSuspend, pending), E.Rethrow())))),
            E.Call(_fn.Out, H.OutputWriteString, text));
    }

    /// <summary>Block functions compiled for the overrides of <c>embed</c> tags (they are not blocks of this template).</summary>
    private readonly Dictionary<BlockStmt, BlockFunction> _embedBlocks = new(ReferenceEqualityComparer.Instance);

    private E EmitEmbed(EmbedStmt em)
    {
        var all = _bound.EmbedBlocks[em];
        // innermost first, so a nested block's function exists when its parent block's body is emitted
        foreach (var block in Enumerable.Reverse(all))
        {
            Action<RenderState, Context, Output> body;
            if (block.Required)
            {
                var name = block.Name;
                body = (_, _, _) => throw new TemplateRuntimeException($"Required block '{name}' not found", ErrorCodes.RequiredBlock);
            }
            else body = CompileFunction(block.Body, isRoot: false, blockName: block.Name, extends: false);
            _embedBlocks[block] = new BlockFunction(block.Name, _ct, body);
        }
        var overrides = new Dictionary<string, BlockFunction>(StringComparer.Ordinal);
        foreach (var b in all) overrides[b.Name] = _embedBlocks[b];
        return E.Block(SetPos(em.Pos), Helper(H.Embed, _fn.Rs, _fn.Ctx, _fn.Out, EmitExpr(em.Template),
            em.WithContext ? LocalsDictionary(includeLoop: true) : E.Constant(null, typeof(Dictionary<string, object?>)),
            E.Constant(em.WithContext), E.Constant(overrides, typeof(IReadOnlyDictionary<string, BlockFunction>))));
    }

    private E EmitBlockCall(BlockStmt b)
    {
        var ctx = b.Scoped ? E.Call(_fn.Ctx, H.ContextDerive, LocalsDictionary(includeLoop: true)) : (E)_fn.Ctx;
        var own = _embedBlocks.TryGetValue(b, out var embedded) ? embedded : _ct.Blocks[b.Name];
        E call = Helper(H.RenderBlock, _fn.Rs, ctx, _fn.Out, E.Constant(own));
        if (b.Fragment) return E.Empty();
        if (b.Condition is not null) call = E.IfThen(Truth(b.Condition), call);
        return call;
    }

    private E EmitFromImport(FromImportStmt fi)
    {
        var module = E.Variable(typeof(object), "module");
        var exprs = new List<E>
        {
            SetPos(fi.Pos),
            E.Assign(module, Helper(H.Import, _fn.Rs, _fn.Ctx, EmitExpr(fi.Template), E.Constant(fi.WithContext), SiteFor(fi.Template))),
        };
        foreach (var (name, alias) in fi.Names)
            exprs.Add(Assign(new NameTarget(fi.Pos, alias), Helper(H.ImportName, _fn.Rs, module, E.Constant(name)), SetKind.Set));
        exprs.Add(E.Empty());
        return E.Block(typeof(void), [module], exprs);
    }

    private E EmitWith(WithStmt w)
    {
        var names = new List<string>();
        foreach (var (t, _) in w.Assignments) CollectTargetNames(t, names);
        // values are evaluated in the enclosing scope, then bound in the new one
        var temps = w.Assignments.Select((a, i) => (Var: E.Variable(typeof(object), "with" + i), a.Key, Value: EmitExpr(a.Value))).ToList();
        var inner = WithScope(w.Body, scope =>
        {
            var exprs = new List<E>();
            foreach (var (v, target, _) in temps) exprs.Add(Assign(target, v, SetKind.Set));
            exprs.Add(EmitScopeBody(w.Body, scope));
            return E.Block(typeof(void), exprs);
        }, names);
        var all = temps.Select(t => (E)E.Assign(t.Var, E.Convert(t.Value, typeof(object)))).ToList();
        all.Add(inner);
        return E.Block(typeof(void), temps.Select(t => t.Var), all);
    }

    private E EmitWithIf(WithIfStmt wi)
    {
        var subject = E.Variable(typeof(object), "subject");
        var names = new List<string>();
        CollectTargetNames(wi.Target, names);
        var body = WithScope(wi.Body, scope => E.Block(typeof(void), Assign(wi.Target, subject, SetKind.Set), EmitScopeBody(wi.Body, scope)), names);
        E? otherwise = wi.Else is null ? null : WithScope(wi.Else, sc => EmitScopeBody(wi.Else, sc));
        var test = Helper(H.WithTruthy, subject, E.Constant(wi.AllTruthy));
        return E.Block(typeof(void), [subject],
            SetPos(wi.Pos),
            E.Assign(subject, E.Convert(EmitExpr(wi.Subject), typeof(object))),
            otherwise is null ? E.IfThen(test, body) : E.IfThenElse(test, body, otherwise));
    }

    private E EmitAutoescape(AutoescapeStmt a)
    {
        var saved = _fn.Escape;
        E flag = a.Enabled is ConstExpr c ? E.Constant(Values.Truthy(c.Value)) : Truth(a.Enabled);
        var tmp = E.Variable(typeof(bool), "autoescape");
        _fn.Escape = flag is ConstantExpression ? flag : tmp;
        try
        {
            // Jinja2 wraps the body in a Scope: a set, macro or import inside does not leak out
            var body = WithScope(a.Body, scope => EmitScopeBody(a.Body, scope));
            return flag is ConstantExpression ? body : E.Block(typeof(void), [tmp], E.Assign(tmp, flag), body);
        }
        finally
        {
            _fn.Escape = saved;
        }
    }

    private E EmitMatch(MatchStmt m)
    {
        var subject = E.Variable(typeof(object), "subject");
        E? chain = null;
        for (var k = m.Cases.Count - 1; k >= 0; k--)
        {
            var c = m.Cases[k];
            var names = new List<string>();
            if (c.Pattern is not null) PatternNames(c.Pattern, names);
            E caseExpr = null!;
            var scoped = WithScope(c.Body, scope =>
            {
                var bind = c.Pattern is null ? E.Constant(true) : EmitPattern(c.Pattern, subject);
                E test = c.Guard is null ? bind : E.AndAlso(bind, Truth(c.Guard));
                var body = EmitScopeBody(c.Body, scope);
                var matched = E.Variable(typeof(bool), "matched");
                caseExpr = E.Block(typeof(bool), [matched], E.Assign(matched, test), E.IfThen(matched, body), matched);
                return E.Empty();
            }, names, initFromOuter: false);
            var block = (BlockExpression)scoped;
            var caseWithVars = E.Block(typeof(bool), block.Variables, caseExpr);
            chain = chain is null ? E.Block(typeof(void), caseWithVars) : E.IfThen(E.Not(caseWithVars), chain);
        }
        return E.Block(typeof(void), [subject],
            // a strict undefined subject raises, as any other use of it does ({% match missing %}{% case _ %} must not match)
            E.Assign(subject, m.Subject is null ? NullObject : E.Convert(Helper(H.UseValue, E.Convert(EmitExpr(m.Subject), typeof(object))), typeof(object))),
            chain ?? E.Empty());
    }

    private static void PatternNames(Expr p, List<string> names)
    {
        switch (p)
        {
            case NameExpr { Name: not "_" } n: names.Add(n.Name); break;
            case TupleExpr t: foreach (var x in t.Items) PatternNames(x, names); break;
            case ListExpr l: foreach (var x in l.Items) PatternNames(x, names); break;
        }
    }

    /// <summary>A bool expression: does the subject match, binding capture names as it goes.</summary>
    private E EmitPattern(Expr pattern, E subject)
    {
        switch (pattern)
        {
            case NameExpr { Name: "_" }:
                return E.Constant(true);
            case NameExpr n:
                return E.Block(typeof(bool), Assign(new NameTarget(n.Pos, n.Name), subject, SetKind.Set), E.Constant(true));
            case TupleExpr t:
            {
                var items = E.Variable(typeof(object[]), "parts");
                E test = E.NotEqual(E.Assign(items, Helper(H.MatchSequence, subject, E.Constant(t.Items.Count))), E.Constant(null, typeof(object[])));
                for (var i = 0; i < t.Items.Count; i++)
                    test = E.AndAlso(test, EmitPattern(t.Items[i], E.ArrayIndex(items, E.Constant(i))));
                return E.Block(typeof(bool), [items], test);
            }
            default:
                return Helper(H.Equal, subject, EmitExpr(pattern));
        }
    }

    private E EmitTry(TryStmt t)
    {
        var ex = E.Parameter(typeof(TemplateException), "error");
        var text = E.Variable(typeof(string), "text");
        var names = t.ErrorName is null ? [] : new List<string> { t.ErrorName };
        var fallback = WithScope(t.Fallback, scope =>
        {
            var exprs = new List<E>();
            if (t.ErrorName is not null) exprs.Add(Assign(new NameTarget(t.Pos, t.ErrorName), Helper(H.ErrorInfo, _fn.Rs, ex), SetKind.Set));
            exprs.Add(EmitScopeBody(t.Fallback, scope));
            return E.Block(typeof(void), exprs);
        }, names, initFromOuter: false);
        var pos = E.Variable(typeof(int), "pos");
        return E.Block(typeof(void), [text, pos],
            SavePos(pos),
            E.TryCatch(
                E.Block(typeof(void), E.Assign(text, Capture(t.Body)), E.Call(_fn.Out, H.OutputWriteString, text)),
                // limits, cycles and sandbox violations end the render: they leave wrapped, so outer tries let them pass
                E.Catch(ex, E.Block(typeof(void), Helper(H.Locate, _fn.Rs, ex), E.IfThen(E.Not(Helper(H.Recoverable, ex)), E.Throw(Helper(H.Abort, ex))),
                    RestoreState(pos), fallback))));
    }

    private E EmitProvide(ProvideStmt p)
    {
        return E.Block(
            SetPos(p.Pos),
            Helper(H.Provide, _fn.Rs, E.Constant(p.Key), EmitExpr(p.Value)),
            E.TryFinally(EmitScopeBody(p.Body, _fn.Scope), Helper(H.Unprovide, _fn.Rs, E.Constant(p.Key))));
    }
}
