// a stand-in for ASP.NET Core's HttpContext: Core does not reference ASP.NET, so the policy matches it by name
namespace Microsoft.AspNetCore.Http
{
    public abstract class HttpContext
    {
        public string Secret => "connection-string";
        public object? RequestServices => null;
    }

    public sealed class DefaultHttpContext : HttpContext
    {
        public string Extra => "extra";
    }
}
