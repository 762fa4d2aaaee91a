#!/usr/bin/env bash
# Web throughput: the same page (layout, navigation, 20-row table with a macro per row, an include) served
# as a Kida MVC view, a Kida minimal-API result and a Razor view compiled at build, loaded by wrk on loopback.
# Usage: bash benchmarks/run-web.sh            (env: DURATION=5s ROUNDS=3 CONNECTIONS=32 THREADS=2 PORT=5080)
# Prints a markdown table (requests/s and latency percentiles per endpoint). Holds /tmp/kida-build.lock
# for the build and the measurement.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
proj="$here/Kida.WebBench"
port="${PORT:-5080}"
duration="${DURATION:-5s}"
conns="${CONNECTIONS:-32}"
wthreads="${THREADS:-2}"
rounds="${ROUNDS:-3}"
base="http://127.0.0.1:$port"

if ! command -v wrk >/dev/null 2>&1; then
  echo "wrk not found; installing the Debian package..." >&2
  (apt-get update -qq && apt-get install -y -qq wrk) >&2 || { echo "could not install wrk" >&2; exit 1; }
fi

exec 9>/tmp/kida-build.lock
flock 9

dotnet build -c Release "$proj" -nologo -v quiet >&2

cd "$proj"   # content root: the Kida templates are loaded from Views/ here
ASPNETCORE_ENVIRONMENT=Production DOTNET_gcServer=1 \
  dotnet "bin/Release/net10.0/Kida.WebBench.dll" --urls "$base" >/tmp/kida-webbench.log 2>&1 &
app=$!
trap 'kill $app 2>/dev/null || true; wait $app 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "$base/razor" 2>/dev/null && break
  kill -0 $app 2>/dev/null || { echo "app exited:" >&2; cat /tmp/kida-webbench.log >&2; exit 1; }
  sleep 0.2
done

urls=(kida-mvc kida-minimal razor)
tmp="$(mktemp -d)"
for u in "${urls[@]}"; do curl -fsS "$base/$u" -o "$tmp/$u.html"; done
# Fail loudly unless the three endpoints serve the same HTML (whitespace-normalised, '"' entity unified).
python3 - "$tmp" "${urls[@]}" <<'PY'
import sys, re
d, names = sys.argv[1], sys.argv[2:]
def norm(s):
    s = s.replace("&#34;", "&quot;").replace("&#x22;", "&quot;")
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r"\s*<", "<", s); s = re.sub(r">\s*", ">", s)
    return s.strip()
outs = {n: norm(open(f"{d}/{n}.html", encoding="utf-8").read()) for n in names}
ref = outs[names[-1]]
bad = [n for n in names if outs[n] != ref]
for n in bad:
    a = outs[n]; i = next((k for k in range(min(len(a), len(ref))) if a[k] != ref[k]), min(len(a), len(ref)))
    print(f"{n} differs from {names[-1]} at {i}:\n  razor: {ref[max(0,i-80):i+120]}\n  {n}: {a[max(0,i-80):i+120]}", file=sys.stderr)
if bad: sys.exit(1)
print(f"all {len(names)} endpoints serve the same page ({len(ref)} chars normalised)", file=sys.stderr)
PY

# Warm every endpoint first (JIT tiering and pools are shared by all three: whichever ran first would pay for it),
# then measure in rounds with the order rotated, and report each endpoint's median round.
for u in "${urls[@]}" "${urls[@]}"; do wrk -t"$wthreads" -c"$conns" -d3s "$base/$u" >/dev/null; done
for round in $(seq 1 "$rounds"); do
  n=${#urls[@]}
  for k in $(seq 0 $((n - 1))); do
    u="${urls[$(( (k + round - 1) % n ))]}"
    a0="$(curl -fsS "$base/_allocated")"
    wrk -t"$wthreads" -c"$conns" -d"$duration" --latency "$base/$u" >"$tmp/$u.$round.wrk"
    a1="$(curl -fsS "$base/_allocated")"
    echo "$a0 $a1" >"$tmp/$u.$round.alloc"
  done
done
python3 - "$tmp" "$rounds" "${urls[@]}" <<'PY'
import sys, re
d, rounds, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
label = {"kida-mvc": "Kida MVC view (`return View(model)`)", "kida-minimal": "Kida minimal API (`Results.Extensions.Kida`)",
         "razor": "Razor view (compiled at build)"}
print("| Endpoint | Requests/s (median round) | rounds | p50 | p90 | p99 | Allocated/request | Errors |")
print("|---|---:|---|---:|---:|---:|---:|---:|")
for n in names:
    runs = []
    for r in range(1, rounds + 1):
        out = open(f"{d}/{n}.{r}.wrk").read()
        a0, a1 = map(int, open(f"{d}/{n}.{r}.alloc").read().split())
        reqs = int(re.search(r"(\d+) requests in", out).group(1))
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        pct = {m.group(1): m.group(2) for m in re.finditer(r"^\s+(50|90|99)%\s+(\S+)", out, re.M)}
        errs = " ".join(l.strip() for l in out.splitlines() if "Non-2xx" in l or "Socket errors" in l) or "0"
        runs.append((rps, pct, (a1 - a0) / max(reqs, 1) / 1024, errs))
    runs.sort(key=lambda x: x[0])
    rps, pct, kb, errs = runs[len(runs) // 2]
    all_rps = ", ".join(f"{x[0]:.0f}" for x in runs)
    print(f"| {label.get(n, n)} | {rps:.2f} | {all_rps} | {pct.get('50')} | {pct.get('90')} | {pct.get('99')} | {kb:.1f} KB | {errs} |")
PY
echo
echo "Allocated/request: the whole server process's allocations during the run ÷ requests (Kestrel included)."
echo "Every endpoint warmed up first, then $rounds rounds of wrk -t$wthreads -c$conns -d$duration --latency each, order rotated per round, on 127.0.0.1 (app and wrk share the machine's $(nproc) cores), Server GC, Production."
rm -rf "$tmp"
