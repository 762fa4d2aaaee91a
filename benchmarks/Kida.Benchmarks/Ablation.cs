using System.Diagnostics;

namespace Kida.Benchmarks;

/// <summary>`--ablate`: where Kida spends time and allocations, one template feature at a time, on the page
/// workload's model (20 rows). Bytes beyond the output string (20 B + 2 B/char) are Kida's own.</summary>
public static class Ablation
{
    private static readonly (string Name, string Source)[] Cases =
    [
        ("empty template", ""),
        ("literal text only", "<p>static text only</p>"),
        ("one string variable (no escape needed)", "{{ company_plain }}"),
        ("one string variable (escaped)", "{{ notice }}"),
        ("nested member: user.name", "{{ user.name }}"),
        ("for over 20 rows, literal body", "{% for r in rows %}x{% endfor %}"),
        ("for over 20 rows: r.name", "{% for r in rows %}{{ r.name }}{% endfor %}"),
        ("for over 20 rows: r.id (int)", "{% for r in rows %}{{ r.id }}{% endfor %}"),
        ("for over 20 rows: r.balance (decimal)", "{% for r in rows %}{{ r.balance }}{% endfor %}"),
        ("for over 20 rows: if r.active", "{% for r in rows %}{% if r.active %}on{% else %}off{% endif %}{% endfor %}"),
        ("for over 20 rows: macro call (body r.name)", "{% macro row(r) %}{{ r.name }}{% endmacro %}{% for r in rows %}{{ row(r) }}{% endfor %}"),
        ("include (footer)", "{% include \"footer.html\" %}"),
        ("extends (one block)", "{% extends \"layout0.html\" %}{% block content %}x{% endblock %}"),
        ("extends + macro defined at top level", "{% extends \"layout0.html\" %}{% macro m() %}y{% endmacro %}{% block content %}{{ m() }}{% endblock %}"),
        ("loop.index in 20 rows", "{% for r in rows %}{{ loop.index }}{% endfor %}"),
        ("filter |upper on 20 rows", "{% for r in rows %}{{ r.role|upper }}{% endfor %}"),
        ("full page workload", "@page"),
    ];

    public static void Run()
    {
        var w = Workload.Create("page");
        var model = (PageModel)w.Model;
        var files = new Dictionary<string, string>(w.Files("kida"))
        {
            ["layout0.html"] = "<main>{% block content %}{% endblock %}</main>",
        };
        var env = new KidaEnvironment(new KidaOptions { Loader = new DictLoader(files) });
        var vars = new Dictionary<string, object?>(w.Dict) { ["company_plain"] = "Acme Widgets Inc" };
        Console.WriteLine($"{"case",-46} {"POCO µs",9} {"POCO B",8} {"own B",7}   {"dict µs",9} {"dict B",8}");
        foreach (var (name, src) in Cases)
        {
            var t = src == "@page" ? env.GetTemplate("index.html") : env.FromString(src, "ablate");
            var poco = new PocoPlus(model);
            var (us, bytes, len) = Measure(() => t.Render(poco));
            var (dus, dbytes, _) = Measure(() => t.Render(vars));
            var own = bytes - (len == 0 ? 0 : 22 + 2 * len);
            Console.WriteLine($"{name,-46} {us,9:F3} {bytes,8} {own,7}   {dus,9:F3} {dbytes,8}");
        }
    }

    /// <summary>The page model plus one clean string (no characters to escape).</summary>
    public sealed class PocoPlus(PageModel m)
    {
        public string Title => m.Title;
        public string Company => m.Company;
        public string CompanyPlain => "Acme Widgets Inc";
        public string Notice => m.Notice;
        public UserInfo User => m.User;
        public List<NavLink> Nav => m.Nav;
        public List<PageRow> Rows => m.Rows;
        public int Year => m.Year;
    }

    private static (double Us, long Bytes, int Len) Measure(Func<string> render)
    {
        var len = render().Length;
        for (var i = 0; i < 2000; i++) render();
        // tiered compilation promotes the template to IL on the thread pool after a few renders: let it land
        Thread.Sleep(500);
        for (var i = 0; i < 500; i++) render();
        var best = double.MaxValue;
        long bytes = 0;
        for (var round = 0; round < 5; round++)
        {
            const int n = 2000;
            var a0 = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < n; i++) render();
            best = Math.Min(best, sw.Elapsed.TotalMicroseconds / n);
            bytes = (GC.GetAllocatedBytesForCurrentThread() - a0) / n;
        }
        return (best, bytes, len);
    }
}
