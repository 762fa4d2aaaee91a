using System.Reflection;
using Kida.Runtime;
using Kida.Syntax;
using E = System.Linq.Expressions.Expression;

namespace Kida.Compilation;

internal sealed partial class Emitter
{
    private static readonly MethodInfo RenderRegionMethod = ((Action<RenderState, Context, Output, Macro, string[]>)RegionBlock.Render).Method;

    /// <summary>
    /// The block function of a top-level <c>{% region %}</c> (kida-spec 3.11): it defines the region in the block's
    /// context and calls it with the parameters the render's context defines. A full render never reaches it (the
    /// region's tag renders nothing where it stands); <c>RenderBlock</c> and child templates do.
    /// </summary>
    private Action<RenderState, Context, Output> CompileRegionBlock(MacroStmt region)
    {
        var rs = E.Parameter(typeof(RenderState), "rs");
        var ctx = E.Parameter(typeof(Context), "ctx");
        var @out = E.Parameter(typeof(Output), "out");
        var saved = _fn;
        _fn = new FunctionFrame(rs, ctx, @out, null, E.Constant(_ct.Autoescape)) { BlockName = region.Name };
        _fn.Scope = new Scope(null, isRoot: false);
        try
        {
            var parameters = region.Parameters.Where(p => p.Star == 0).Select(p => p.Name).ToArray();
            var call = E.Call(RenderRegionMethod, rs, ctx, @out, E.Convert(EmitMacro(region), typeof(Macro)), E.Constant(parameters));
            var body = WrapFunction(E.Block(typeof(void), _fn.Scope.Vars.Values, E.Block(SetPos(region.Pos), call)));
            return CompileLambda(E.Lambda<Action<RenderState, Context, Output>>(body, rs, ctx, @out));
        }
        finally
        {
            _fn = saved;
        }
    }
}
