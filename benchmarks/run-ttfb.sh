#!/usr/bin/env bash
# Time to first byte on a 1 MB page (issue 15, item 4): the WebBench page with 6,000 rows served by a real Kestrel as a
# Kida MVC view and a Kida minimal-API result (both streamed while they render), as Kida rendered to a string and then
# sent (what every response did before streaming), and as a Razor view; beside them the 20-row page, whose whole
# request is the floor any response pays. curl (a separate process, one kept-alive connection per batch) times each
# request from its start to the first byte of the response and to its last byte.
# Usage: bash benchmarks/run-ttfb.sh     (env: ROUNDS=15 BATCH=4 PORT=5081). Prints a markdown table of medians.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
proj="$here/Kida.WebBench"
port="${PORT:-5081}"
rounds="${ROUNDS:-15}"
batch="${BATCH:-4}"
warm="${WARM:-40}"
base="http://127.0.0.1:$port"

exec 9>/tmp/kida-build.lock
flock 9
dotnet build -c Release "$proj" -nologo -v quiet >&2
cd "$proj"
ASPNETCORE_ENVIRONMENT=Production DOTNET_gcServer=1 \
  dotnet "bin/Release/net10.0/Kida.WebBench.dll" --urls "$base" >/tmp/kida-webbench-ttfb.log 2>&1 &
app=$!
trap 'kill $app 2>/dev/null || true; wait $app 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "$base/razor" 2>/dev/null && break
  kill -0 $app 2>/dev/null || { echo "app exited:" >&2; cat /tmp/kida-webbench-ttfb.log >&2; exit 1; }
  sleep 0.2
done

paths=(/large/kida-mvc /large/kida-minimal /large/kida-string /large/razor /kida-mvc /kida-minimal /razor)
tmp="$(mktemp -d)"
# one request of each: the large pages must be 1 MB or more
for p in "${paths[@]}"; do curl -fsS "$base$p" -o "$tmp/page"; [[ $p != /large/* ]] || [ "$(stat -c %s "$tmp/page")" -ge 1000000 ] || { echo "$p is under 1 MB" >&2; exit 1; }; done
# warm-up (tier-up, JIT), then rounds with the order rotated; -w per request: from the start of the transfer on the
# kept-alive connection (pretransfer) to the first byte (starttransfer) and to the end (total)
fmt='%{time_pretransfer} %{time_starttransfer} %{time_total} %{size_download}\n'
for _ in $(seq 1 "$warm"); do for p in "${paths[@]}"; do curl -fsS -o /dev/null "$base$p"; done; done
n=${#paths[@]}
for round in $(seq 1 "$rounds"); do
  for k in $(seq 0 $((n - 1))); do
    p="${paths[$(( (k + round) % n ))]}"
    urls=(); for _ in $(seq 1 "$batch"); do urls+=("$base$p"); done
    curl -fsS -w "$fmt" -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null "${urls[@]}" \
      | sed "s|^|$p |" >>"$tmp/samples"
  done
done
python3 - "$tmp/samples" "$rounds" "$batch" "$warm" <<'PY'
import sys, statistics as st
path, rounds, batch, warm = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
label = {
    "/large/kida-mvc": "Kida MVC view (`return View(model)`), streamed",
    "/large/kida-minimal": "Kida minimal API (`Results.Extensions.Kida`), streamed",
    "/large/kida-string": "Kida rendered to a string, then sent",
    "/large/razor": "Razor view (compiled at build)",
    "/kida-mvc": "20-row page, Kida MVC view (the request's floor)",
    "/kida-minimal": "20-row page, Kida minimal API (the request's floor)",
    "/razor": "20-row page, Razor view (the request's floor)",
}
rows = {}
for line in open(path):
    p, pre, first, total, size = line.split()
    rows.setdefault(p, []).append((float(first) - float(pre), float(total) - float(pre), int(size)))
print("| Endpoint | Body | First byte (median) | Last byte (median) | First ÷ last (median) |")
print("|---|---:|---:|---:|---:|")
for p in label:
    s = rows[p]
    size = s[0][2]
    body = f"{size / 1048576:.2f} MB" if size >= 100000 else f"{size / 1024:.1f} KB"
    share = st.median(f / t for f, t, _ in s if t > 0)
    print(f"| {label[p]} | {body} | {st.median(f for f, _, _ in s) * 1000:.2f} ms | {st.median(t for _, t, _ in s) * 1000:.2f} ms | {share * 100:.1f} % |")
print()
print(f"{len(rows['/large/kida-mvc'])} requests per endpoint ({rounds} rounds of {batch} on one kept-alive curl connection, order rotated, after {warm} warm-up requests each), loopback, Server GC, Production, on a machine with {__import__('os').cpu_count()} cores.")
PY
rm -rf "$tmp"
