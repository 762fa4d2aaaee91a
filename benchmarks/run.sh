#!/usr/bin/env bash
# One short in-process BenchmarkDotNet job of everything, then benchmarks/RESULTS.md.
#   bash benchmarks/run.sh                      everything (~15 min on 2 cores), web throughput included
#   bash benchmarks/run.sh '*Render*'           a subset: BenchmarkDotNet filter globs (Render, Compile, Cold, Threads)
#   KIDA_BENCH_WORKLOADS=products,page bash benchmarks/run.sh    only these workloads
#   NO_WEB=1 bash benchmarks/run.sh             skip benchmarks/run-web.sh
# Before measuring, every engine renders every selected workload and the program throws if any output differs
# from the hand-written renderer's (whitespace-normalised).
# Every dotnet command holds /tmp/kida-build.lock (the machine is shared).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
proj="$here/Kida.Benchmarks/Kida.Benchmarks.csproj"
artifacts="$here/BenchmarkDotNet.Artifacts"
filters=("$@")
[ ${#filters[@]} -gt 0 ] || filters=('*')
started=$(date +%s)

flock /tmp/kida-build.lock dotnet build -c Release "$proj" -nologo -v quiet
rm -rf "$artifacts/results"
flock /tmp/kida-build.lock dotnet run -c Release --no-build --project "$proj" -- \
  --short --filter "${filters[@]}" --artifacts "$artifacts" | tee "$artifacts/last-run.log"

json="$(ls -t "$artifacts"/results/*-report-brief.json 2>/dev/null | head -1)"
[ -n "$json" ] || { echo "no BenchmarkDotNet JSON report in $artifacts/results" >&2; exit 1; }

web=""
if [ -z "${NO_WEB:-}" ]; then
  web="$(bash "$here/run-web.sh")" || { echo "run-web.sh failed" >&2; web=""; }
fi

python3 "$here/report.py" "$json" "$here/RESULTS.md" "${filters[*]}" "${KIDA_BENCH_WORKLOADS:-all}" "$(( $(date +%s) - started ))" <<<"$web"
echo "wrote $here/RESULTS.md in $(( $(date +%s) - started )) s"
