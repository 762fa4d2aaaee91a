"""Turns the BenchmarkDotNet brief JSON of benchmarks/run.sh into benchmarks/RESULTS.md.
argv: json, out, filters, workloads, seconds, web.md (run-web.sh output, may be empty), ablation.txt (may be empty)."""
import json, sys, datetime, os, platform
from collections import defaultdict

src, out, filters, workloads, seconds = sys.argv[1:6]
def slurp(i):
    try: return open(sys.argv[i], encoding="utf-8").read().strip()
    except (IndexError, OSError): return ""
web, ablation = slurp(6), slurp(7)
loop = slurp(12)
scaling = slurp(13)
import re as _re
scaling_rows = []  # (workload, gc, engine, 1T µs, 2T µs, speedup, B/render, gcinfo)
_cur = None
for line in scaling.splitlines():
    m = _re.match(r"(\w+): \d+ interleaved groups .*?(Server|workstation) GC: (.*)", line)
    if m: _cur = (m.group(1), m.group(2), m.group(3)); continue
    m = _re.match(r"\s+(\S+)\s+1 thread\s+([\d.]+) µs/render\s+2 threads\s+([\d.]+) µs/render.*?([\d.]+)×\s+(\d+) B/render", line)
    if m and _cur: scaling_rows.append((_cur[0], _cur[1], m.group(1), float(m.group(2)), float(m.group(3)), float(m.group(4)), int(m.group(5)), _cur[2]))
from collections import defaultdict as _dd
loop_rows = _dd(dict)
for line in loop.splitlines():
    parts = [x.strip() for x in line.split("|")]
    if len(parts) != 3: continue
    t, _, rate = parts[2].partition(" thread(s): ")
    try: loop_rows[(parts[0], parts[1])][int(t)] = float(rate.split()[0])
    except ValueError: pass
load = (sys.argv[8], sys.argv[9]) if len(sys.argv) > 9 else None
srv = json.load(open(sys.argv[10], encoding="utf-8")) if len(sys.argv) > 10 and sys.argv[10] else None
loh = json.load(open(sys.argv[11], encoding="utf-8")) if len(sys.argv) > 11 and sys.argv[11] else None
data = json.load(open(src, encoding="utf-8"))
host = data["HostEnvironmentInfo"]

NAMES = {"HandWritten": "HandWritten", "Kida": "Kida", "KidaDict": "Kida (dict)", "Fluid": "Fluid", "Scriban": "Scriban",
         "HandlebarsNet": "Handlebars.Net", "DotLiquid": "DotLiquid", "RazorLight": "RazorLight"}
PEERS = ["Fluid", "Scriban", "Handlebars.Net", "DotLiquid", "RazorLight"]
ORDER = ["HandWritten", "Kida", "Kida (dict)"] + PEERS
WORKLOADS = ["minimal", "small", "medium", "large", "complex", "products", "page", "shop", "dashboard"]
DESC = {
    "minimal": "one variable: `<p>Hello, {{ name }}!</p>`",
    "small": "a user card, 12 variables, one `if`",
    "medium": "10 sections × 10 fields = 100 escaped variables",
    "large": "a loop over 1,000 items (3 fields each)",
    "complex": "three-level inheritance (index → section → base) with blocks and two includes; peers without inheritance use their closest idiom (Liquid/Scriban: capture + include; Handlebars: partial blocks with inline partials; Razor: nested layouts with sections)",
    "products": "500 products: name, decimal price, description with `<`, `&`, `\"`, 3 tags, a conditional (~140 KB)",
    "shop": "500 products through filters: `p.name|title`, `'{:.2f}'|format(p.price)`, `p.description|truncate(40)`, `p.brand|default('Generic', true)`; peers use their built-ins where they give the same text (Liquid `truncatewords`, `default`; Scriban `string.capitalizewords`, `string.truncatewords`, `??`) and small registered custom filters/helpers where they have none (title case, two-decimal money; Handlebars: every filter is a helper)",
    "dashboard": "200 orders: `selectattr('paid')|list`, `sum(attribute='total')`, `groupby('region')` with a sum per group, `dictsort`, a row per order with `date('%Y-%m-%d')`, `qty * unit` (decimal) and `qty * 100 // 9`; peers use registered custom filters/functions for member sums, grouping and the sorted dictionary (Razor: LINQ)",
    "page": "a realistic page: layout, navigation loop, a 20-row table with a macro per row (Fluid macro, Scriban func, Handlebars/DotLiquid partial, Razor templated delegate), an include",
}

def params(b):
    p = {}
    for kv in (b.get("Parameters") or "").split("&"):
        if "=" in kv:
            k, v = kv.split("=", 1); p[k] = v
    return p

render, compile_, cold = defaultdict(dict), defaultdict(dict), defaultdict(dict)
threads = defaultdict(lambda: defaultdict(dict))
threads_srv = defaultdict(lambda: defaultdict(dict))
threads_loh = defaultdict(lambda: defaultdict(dict))
for doc, tbl in ((srv, threads_srv), (loh, threads_loh)):
  for b in (doc or {}).get("Benchmarks", []):
    st = b.get("Statistics")
    if st and b["Type"] == "Threads":
        p = {kv.split("=", 1)[0]: kv.split("=", 1)[1] for kv in (b.get("Parameters") or "").split("&") if "=" in kv}
        tbl[b["Method"].lower()][p["Engine"]][int(p["ThreadCount"])] = (st["Median"], None)
for b in data["Benchmarks"]:
    st = b.get("Statistics")
    if not st: continue
    med = st["Median"]; alloc = (b.get("Memory") or {}).get("BytesAllocatedPerOperation")
    p = params(b); t = b["Type"]
    if t in ("Render", "Compile", "Cold"):
        {"Render": render, "Compile": compile_, "Cold": cold}[t][p["Workload"]][NAMES.get(b["Method"], b["Method"])] = (med, alloc)
    elif t == "Threads":
        threads[b["Method"].lower()][p["Engine"]][int(p["ThreadCount"])] = (med, alloc)

def ft(ns):
    if ns is None: return "–"
    if ns < 1e3: return f"{ns:.0f} ns"
    if ns < 1e6: return f"{ns/1e3:.{2 if ns < 1e4 else 1}f} µs"
    if ns < 1e9: return f"{ns/1e6:.{2 if ns < 1e7 else 1}f} ms"
    return f"{ns/1e9:.2f} s"

def fb(b):
    if b is None: return "–"
    if b < 1024: return f"{b} B"
    if b < 1024 * 1024: return f"{b/1024:.1f} KB"
    return f"{b/1024/1024:.2f} MB"

def fr(x):
    return "–" if x is None else (f"{x:.2f}×" if x < 10 else f"{x:.0f}×" if x < 1000 else f"{x:,.0f}×")

def fastest_peer(row):
    cand = [(row[e][0], e) for e in PEERS if e in row]
    return min(cand) if cand else (None, None)

L = []
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
cpu = host.get("ProcessorName", "?")
L.append("# Kida benchmark results\n")
L.append(f"- Date: {now}")
L.append(f"- Machine: {cpu}, {host.get('LogicalCoreCount')} logical cores (shared with other work: **noisy — read medians and ratios, not absolute times**), {host.get('OsVersion')}")
if load: L.append(f"- Load average (1/5/15 min) before the BenchmarkDotNet run: {load[0]}; after: {load[1]} — above ~1 other work shared the 2 cores, which hurts thread scaling most")
L.append(f"- Runtime: {host.get('RuntimeVersion')}, BenchmarkDotNet {host.get('BenchmarkDotNetVersion')}, Release")
L.append("- Job: in-process, 3 warm-up + 5 measured iterations of ~200 ms each, no overhead evaluation (`benchmarks/run.sh`, a short job) — indicative, differences under ~15% are noise")
L.append(f"- Selection: filter `{filters}`, workloads `{workloads}`; whole run {int(seconds)//60} min {int(seconds)%60} s")
L.append("- Every engine's output was checked equal to the hand-written renderer's (whitespace-normalised) before measuring; the run aborts otherwise")
L.append("- Baseline: hand-written C# (pooled `char[]`, `IndexOfAny` escaping that copies clean runs, numbers formatted into the buffer, one string at the end)")
L.append("- Models: POCOs for every engine; `Kida (dict)` is the same data as nested `Dictionary<string, object?>`. Peers escape explicitly (`| escape`, `html.escape`) where they do not autoescape\n")

# ---- targets ----
def get(tbl, w, e, i=0):
    v = tbl.get(w, {}).get(e); return None if v is None else v[i]
tg = []
for w in ("products", "page"):
    k, hw = get(render, w, "Kida"), get(render, w, "HandWritten")
    if k and hw:
        tg.append((f"{w}: Kida render ÷ hand-written", "≤ 1.5×", fr(k / hw), k / hw <= 1.5))
        ka, ha = get(render, w, "Kida", 1), get(render, w, "HandWritten", 1)
        if ka and ha: tg.append((f"{w}: Kida allocated ÷ hand-written", "≤ 1.25×", fr(ka / ha), ka / ha <= 1.25))
behind = []
for w in WORKLOADS:
    if w in render and "Kida" in render[w]:
        fp, fe = fastest_peer(render[w])
        if fp and render[w]["Kida"][0] >= fp: behind.append(f"{w}: Kida {fr(render[w]['Kida'][0] / fp)} of {fe}")
if render:
    tg.append(("Kida ahead of every peer on every render workload", "yes", "yes" if not behind else "no: " + "; ".join(behind), not behind))
c = get(compile_, "page", "Kida")
if c: tg.append(("page: Kida parse+compile", "< 2 ms", ft(c), c < 2e6))
c = get(cold, "page", "Kida")
if c: tg.append(("page: Kida first render cold", "< 5 ms", ft(c), c < 5e6))
kt = threads.get("products", {}).get("Kida", {})
if 1 in kt and 2 in kt:
    s = kt[1][0] / kt[2][0]
    tg.append(("products: Kida 2-thread ÷ 1-thread throughput (workstation GC)", "≥ 1.8×", fr(s), s >= 1.8))
for tw in ("products", "page"):
    kt = threads_srv.get(tw, {}).get("Kida", {})
    if 1 in kt and 2 in kt:
        s = kt[1][0] / kt[2][0]
        tg.append((f"{tw}: Kida 2-thread ÷ 1-thread throughput (Server GC)", "≥ 1.8×", fr(s), s >= 1.8))
kt = threads_loh.get("products", {}).get("Kida", {})
if 1 in kt and 2 in kt:
    s = kt[1][0] / kt[2][0]
    tg.append(("products: Kida 2-thread ÷ 1-thread throughput (Server GC, outputs off the large-object heap)", "≥ 1.8×", fr(s), s >= 1.8))
for (w, e), r in loop_rows.items():
    if e == "Kida" and 1 in r and 2 in r:
        tg.append((f"{w}: Kida 2-thread ÷ 1-thread throughput (dedicated threads, Server GC)", "≥ 1.8×", fr(r[2] / r[1]), r[2] / r[1] >= 1.8))
for (w, gc, e, one, two, sp, b, info) in scaling_rows:
    if e == "Kida":
        tg.append((f"{w}: Kida 2-thread ÷ 1-thread throughput (interleaved rounds, {gc} GC)", "≥ 1.8×", fr(sp), sp >= 1.8))
webrows = {}
for line in web.splitlines():
    cells = [x.strip() for x in line.strip().strip("|").split("|")]
    if len(cells) >= 6:
        try: webrows[cells[0]] = float(cells[1])
        except ValueError: pass
razor = next((v for k, v in webrows.items() if k.startswith("Razor")), None)
for k, v in webrows.items():
    if k.startswith("Kida") and razor:
        tg.append((f"web: {k.split(' (')[0]} ÷ Razor view requests/s", "≥ 1.0×", fr(v / razor), v >= razor))
if tg:
    L.append("## Issue 5 targets\n")
    L.append("| Target | Goal | Measured | Met |")
    L.append("|---|---|---:|:---:|")
    for name, goal, got, ok in tg: L.append(f"| {name} | {goal} | {got} | {'✅' if ok else '❌'} |")
    L.append("")

# ---- render overview ----
if render:
    L.append("## Render only — overview (median time ÷ hand-written; lower is better)\n")
    ws = [w for w in WORKLOADS if w in render]
    L.append("| Engine | " + " | ".join(ws) + " |")
    L.append("|---|" + "---:|" * len(ws))
    for e in ORDER:
        if not any(e in render[w] for w in ws): continue
        cells = []
        for w in ws:
            v, hw = get(render, w, e), get(render, w, "HandWritten")
            cells.append(fr(v / hw) if v and hw else "–")
        L.append(f"| {e} | " + " | ".join(cells) + " |")
    L.append("")
    L.append("## Render only — per workload\n")
    L.append("Time and allocation per render; `× hand-written` and `× fastest peer` are ratios of medians (the fastest peer among Fluid, Scriban, Handlebars.Net, DotLiquid and RazorLight is marked).\n")
    for w in ws:
        row = render[w]; hw = row.get("HandWritten"); fp, fe = fastest_peer(row)
        L.append(f"### {w}\n\n{DESC.get(w, '')}\n")
        L.append("| Engine | Median | Allocated | × hand-written | × fastest peer | alloc × hand-written |")
        L.append("|---|---:|---:|---:|---:|---:|")
        for e in ORDER:
            if e not in row: continue
            med, al = row[e]
            mark = " (fastest peer)" if e == fe else ""
            L.append(f"| {e}{mark} | {ft(med)} | {fb(al)} | {fr(med / hw[0]) if hw else '–'} | {fr(med / fp) if fp else '–'} | {fr(al / hw[1]) if hw and hw[1] else '–'} |")
        L.append("")

def grid(title, tbl, note):
    ws = [w for w in WORKLOADS if w in tbl]
    if not ws: return
    engines = [e for e in ORDER if any(e in tbl[w] for w in ws)]
    L.append(f"## {title}\n\n{note}\n")
    L.append("| Workload | " + " | ".join(engines) + " |")
    L.append("|---|" + "---:|" * len(engines))
    for w in ws:
        L.append(f"| {w} | " + " | ".join(f"{ft(tbl[w][e][0])}<br>{fb(tbl[w][e][1])}" if e in tbl[w] else "–" for e in engines) + " |")
    L.append("")

grid("Parse + compile only", compile_, "A fresh environment per engine (Kida `KidaEnvironment`, Fluid `TemplateOptions` with the shared `FluidParser`, Scriban parse, `Handlebars.Create()`, DotLiquid parse, a new `RazorLightEngine`) and every template file of the workload parsed and compiled, nothing rendered. Median time and allocation. Engines that defer work to the first render show it under *first render cold*.")
grid("First render cold", cold, "New environment + parse + compile + one render (the JIT is warm: this is the cost of a new template in a running process).")

for gcname, tbl in (("workstation GC (the benchmark process)", threads), ("Server GC (`DOTNET_gcServer=1`, as ASP.NET Core runs; a second run)", threads_srv),
                    ("Server GC with a 2 MB large-object threshold (`DOTNET_GCLOHThreshold=0x200000`; a third run): the 282 KB products page is then an ordinary short-lived object for every engine instead of a large-object-heap allocation, which by default serialises 2 threads in the GC whatever the engine (the hand-written renderer included)", threads_loh)):
  for tw, per, title in (("products", 96, "products (500): the issue's thread-scaling workload"),
                         ("page", 4800, "page: extends + include + macro, so template lookups happen during every render")):
    th = tbl.get(tw)
    if not th: continue
    counts = sorted({t for e in th for t in th[e]})
    L.append(f"## Thread scaling, {gcname} — {title}\n")
    L.append(f"One compiled template shared by all threads; {per} renders per invocation split across T threads (`Parallel.For`); median wall time per render, throughput = renders/s, speedup = throughput ÷ 1-thread throughput. Every threaded output was checked equal first; while measuring each thread keeps only its last output. 5 warm-up + 15 measured iterations. Environment.ProcessorCount = {host.get('LogicalCoreCount')}; other load on the machine lowers the 2-thread numbers (see load average above), repeat runs differ by ±0.5× here.\n")
    L.append("| Engine | " + " | ".join(f"{t} thread{'s' if t > 1 else ''}" for t in counts) + " | " + " | ".join(f"speedup {t}T" for t in counts if t > 1) + " |")
    L.append("|---|" + "---:|" * (len(counts) + len([t for t in counts if t > 1])))
    for e in ["HandWritten", "Kida"] + PEERS:
        if e not in th: continue
        r = th[e]
        cells = [f"{ft(r[t][0])} ({1e9 / r[t][0]:,.0f}/s)" if t in r else "–" for t in counts]
        sp = [fr(r[1][0] / r[t][0]) if 1 in r and t in r else "–" for t in counts if t > 1]
        L.append(f"| {e} | " + " | ".join(cells) + " | " + " | ".join(sp) + " |")
    L.append("")

if loop:
    L.append("## Thread scaling, dedicated threads (`Kida.Benchmarks --loop`, a stopwatch cross-check)\n")
    L.append("T threads started once, each rendering the workload for 8 s (Server GC); renders/s summed over the threads. No BenchmarkDotNet: a cross-check of the tables above, whose 2-thread medians on 2 shared cores move by ±0.5× between runs.\n")
    rows = loop_rows
    L.append("| Workload | Engine | 1 thread | 2 threads | speedup 2T |")
    L.append("|---|---|---:|---:|---:|")
    for (w, e), r in rows.items():
        sp = fr(r[2] / r[1]) if 1 in r and 2 in r else "–"
        L.append(f"| {w} | {e} | {r.get(1, 0):,.0f}/s | {r.get(2, 0):,.0f}/s | {sp} |")
    L.append("")
if scaling_rows:
    L.append("## Thread scaling, interleaved rounds (`Kida.Benchmarks --scaling`)\n")
    L.append("Each group renders the Threads benchmark's round (96 products pages or 4,800 pages, `Parallel.For`) once on 1 thread and once on 2, back to back, for Kida and the hand-written renderer in turn; the speedup is the median over groups of the per-group ratio (~15 s per line). On a shared 2-core machine whose speed drifts over seconds this compares like with like, unlike separate 1- and 2-thread runs. *GC* is what the runtime reported over the run: every engine allocates the same output string, and the gen-0 collections it forces stop both threads.\n")
    L.append("| Workload | GC | Engine | 1 thread µs/render | 2 threads µs/render (wall) | speedup 2T | B/render | collections and pause share |")
    L.append("|---|---|---|---:|---:|---:|---:|---|")
    for (w, gc, e, one, two, sp, b, info) in scaling_rows:
        L.append(f"| {w} | {gc} | {e} | {one:.2f} | {two:.2f} | {fr(sp)} | {b:,} | {info} |")
    L.append("")
if web:
    L.append("## Web throughput — the page served three ways (`benchmarks/run-web.sh`)\n")
    L.append(web + "\n")
else:
    L.append("## Web throughput\n\nNot run in this pass (`NO_WEB` set, wrk unavailable or run-web.sh failed): run `bash benchmarks/run-web.sh`.\n")

if ablation:
    L.append("## Where Kida's own time and allocations go — one template feature at a time\n")
    L.append("`Kida.Benchmarks --ablate`: small templates over the page model (20 rows), POCO and dictionary model. *own B* = bytes allocated per render beyond the returned string (20 B + 2 B/char); the hand-written renderer's own bytes are 0. Times are a best-of-5 stopwatch loop (noisy).\n")
    L.append("```\n" + ablation + "\n```\n")

L.append("## How to reproduce\n")
L.append("`bash benchmarks/run.sh` (everything), `bash benchmarks/run.sh '*Render*'` (a subset), `KIDA_BENCH_WORKLOADS=page bash benchmarks/run.sh`, `bash benchmarks/run-web.sh`. Templates: `benchmarks/Kida.Benchmarks/templates/<workload>/<engine>/`.")
# the filter/test/operator section (Kida.Benchmarks --ops, written by hand from its output) is kept across runs
OPS_MARK = "<!-- ops-section: kept by report.py -->"
try:
    previous = open(out, encoding="utf-8").read()
    if OPS_MARK in previous: L.append("\n" + previous[previous.index(OPS_MARK):].rstrip())
except OSError:
    pass
open(out, "w", encoding="utf-8").write("\n".join(L) + "\n")
print("\n".join(L))
