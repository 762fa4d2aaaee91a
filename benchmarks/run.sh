#!/usr/bin/env bash
# One short in-process BenchmarkDotNet job of everything, then benchmarks/RESULTS.md.
#   bash benchmarks/run.sh                      everything (~17 min on 2 cores), web throughput included
#   bash benchmarks/run.sh '*Render*'           a subset: BenchmarkDotNet filter globs (Render, Compile, Cold, Threads)
#   KIDA_BENCH_WORKLOADS=products,page bash benchmarks/run.sh    only these workloads
#   NO_WEB=1 bash benchmarks/run.sh             skip benchmarks/run-web.sh (NO_ABLATION=1: skip the Kida feature breakdown)
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
mkdir -p "$artifacts"
rm -rf "$artifacts/results"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
flock /tmp/kida-build.lock dotnet run -c Release --no-build --project "$proj" -- \
  --short --filter "${filters[@]}" --artifacts "$artifacts" | tee "$artifacts/last-run.log"

load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
json="$(ls -t "$artifacts"/results/*-report-brief.json 2>/dev/null | head -1)"
[ -n "$json" ] || { echo "no BenchmarkDotNet JSON report in $artifacts/results" >&2; exit 1; }

# Thread scaling again under Server GC (what ASP.NET Core runs with): the in-process job uses the host's
# workstation GC, where every render's garbage (and the products page's LOH string) serialises the threads.
srvjson=""
if grep -q 'Kida.Benchmarks.Threads.' "$json" && [ -z "${NO_SERVER_GC:-}" ]; then
  rm -rf "$artifacts/servergc"
  tfilters=('*Threads*')
  case "${filters[*]}" in *Threads*) tfilters=("${filters[@]}");; esac
  DOTNET_gcServer=1 flock /tmp/kida-build.lock dotnet run -c Release --no-build --project "$proj" -- \
    --short --filter "${tfilters[@]}" --artifacts "$artifacts/servergc" | tail -40
  srvjson="$(ls -t "$artifacts"/servergc/results/*-report-brief.json 2>/dev/null | head -1)"
fi

# Products thread scaling once more, Server GC with a 2 MB large-object threshold: a products page is a 282 KB string,
# which by default is a large-object-heap allocation for every engine (the hand-written renderer included); at 2 threads
# those serialise in the GC. With the threshold raised the outputs are ordinary short-lived objects and what remains
# is each engine's own scaling.
lohjson=""
if [ -n "$srvjson" ]; then
  rm -rf "$artifacts/servergc-loh"
  DOTNET_gcServer=1 DOTNET_GCLOHThreshold=0x200000 flock /tmp/kida-build.lock dotnet run -c Release --no-build --project "$proj" -- \
    --short --filter '*Threads.Products*' --artifacts "$artifacts/servergc-loh" | tail -25
  lohjson="$(ls -t "$artifacts"/servergc-loh/results/*-report-brief.json 2>/dev/null | head -1)"
fi

# Scaling with two dedicated threads rendering for 8 s each (stopwatch, no BenchmarkDotNet, Server GC): a cross-check
# of the thread tables above, which on 2 cores move by ±0.5× between runs.
: >"$artifacts/loop.txt"
if [ -z "${NO_LOOP:-}" ]; then
  for w in page products; do
    for lohv in "" 0x200000; do
      [ "$w" = page ] && [ -n "$lohv" ] && continue
      for engine in Kida HandWritten; do
        for t in 1 2; do
          vars=(DOTNET_gcServer=1 KIDA_LOOP_THREADS=$t KIDA_BENCH_WORKLOADS=$w)
          [ -n "$lohv" ] && vars+=(DOTNET_GCLOHThreshold=$lohv)
          [ "$engine" = HandWritten ] && vars+=(KIDA_LOOP_HAND=1)
          line="$(env "${vars[@]}" flock /tmp/kida-build.lock dotnet run -c Release --no-build --project "$proj" -- --loop | grep 'renders/s')"
          echo "$w${lohv:+ (LOH threshold 2 MB)} | $engine | $line" | tee -a "$artifacts/loop.txt"
        done
      done
    done
  done
fi

# Thread scaling measured interleaved (Kida.Benchmarks --scaling): each group runs a 1-thread and a 2-thread round of
# the same renders back to back, so the speedup compares the machine with itself within ~50 ms; the median of the
# per-group ratios is reported. Workstation and Server GC, Kida next to the hand-written renderer.
: >"$artifacts/scaling.txt"
if [ -z "${NO_LOOP:-}" ]; then
  for w in products page; do
    for gc in 0 1; do
      env DOTNET_gcServer=$gc KIDA_SCALING_SECONDS=15 KIDA_BENCH_WORKLOADS=$w flock /tmp/kida-build.lock dotnet run -c Release --no-build --project "$proj" -- --scaling \
        | grep -v '^ *ok \|^Verifying' | tee -a "$artifacts/scaling.txt"
    done
  done
fi

# Kida's own cost per template feature (allocations are exact; times are a stopwatch loop, noisy).
: >"$artifacts/ablation.txt"
if [ -z "${NO_ABLATION:-}" ]; then
  KIDA_BENCH_WORKLOADS=page flock /tmp/kida-build.lock dotnet run -c Release --no-build --project "$proj" -- --ablate \
    | grep -v '^ *ok \|^Verifying' | tee "$artifacts/ablation.txt"
fi

: >"$artifacts/web.md"
if [ -z "${NO_WEB:-}" ]; then
  bash "$here/run-web.sh" | tee "$artifacts/web.md" || { echo "run-web.sh failed" >&2; : >"$artifacts/web.md"; }
fi

python3 "$here/report.py" "$json" "$here/RESULTS.md" "${filters[*]}" "${KIDA_BENCH_WORKLOADS:-all}" "$(( $(date +%s) - started ))" \
  "$artifacts/web.md" "$artifacts/ablation.txt" "$load_before" "$load_after" "$srvjson" "$lohjson" "$artifacts/loop.txt" "$artifacts/scaling.txt" >/dev/null
echo "wrote $here/RESULTS.md in $(( $(date +%s) - started )) s"
