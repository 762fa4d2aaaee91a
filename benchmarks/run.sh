#!/usr/bin/env bash
# Runs the "products" benchmark with a short in-process job and writes benchmarks/RESULTS.md.
# Usage: bash benchmarks/run.sh [extra BenchmarkDotNet args]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
proj="$here/Kida.Benchmarks/Kida.Benchmarks.csproj"
artifacts="$here/BenchmarkDotNet.Artifacts"

dotnet build -c Release "$proj" -nologo -v quiet
# The program first renders every engine once and throws if the outputs differ.
dotnet run -c Release --no-build --project "$proj" -- \
  --short --filter '*ProductsBenchmark*' --artifacts "$artifacts" "$@"

report="$artifacts/results/Kida.Benchmarks.ProductsBenchmark-report-github.md"
[ -f "$report" ] || { echo "no report at $report" >&2; exit 1; }

python3 - "$report" "$here/RESULTS.md" <<'PY'
import sys, datetime, os, platform, subprocess
report, out = sys.argv[1], sys.argv[2]
lines = open(report, encoding="utf-8").read().splitlines()
env = [l for l in lines if not l.startswith("|")]
rows = [l for l in lines if l.startswith("|")]
cells = lambda l: [c.strip() for c in l.strip().strip("|").split("|")]
head = cells(rows[0])
want = ["Method", "Median", "Mean", "Allocated", "Ratio", "Alloc Ratio"]
idx = [head.index(c) for c in want if c in head]
cpu = "unknown"
try:
    for l in open("/proc/cpuinfo"):
        if l.startswith("model name"):
            cpu = l.split(":", 1)[1].strip(); break
except OSError:
    pass
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
with open(out, "w", encoding="utf-8") as f:
    f.write("# Benchmark results: products workload\n\n")
    f.write(f"- Date: {now}\n- Machine: {cpu}, {os.cpu_count()} logical cores, {platform.system()} {platform.release()}\n")
    f.write("- Job: BenchmarkDotNet ShortRun (3 warmups, 3 iterations, 1 launch), in-process toolchain — indicative only\n")
    f.write("- Workload: 500 products (name, decimal price, description with `<`, `&`, `\"`, 3 tags, in-stock flag) to ~140 KB of HTML; render only, templates compiled in setup; all outputs checked equal before measuring\n")
    f.write("- Ratio is relative to the hand-written renderer (pooled char buffer, span-based escaping; the baseline)\n\n")
    f.write("| " + " | ".join(head[i] for i in idx) + " |\n")
    f.write("|" + "|".join("---:" if head[i] != "Method" else "---" for i in idx) + "|\n")
    for l in rows[2:]:
        c = cells(l)
        f.write("| " + " | ".join(c[i] for i in idx) + " |\n")
    f.write("\n<details><summary>BenchmarkDotNet environment and full table</summary>\n\n")
    f.write("\n".join(lines).strip() + "\n\n</details>\n")
print(open(out, encoding="utf-8").read())
PY
