#!/usr/bin/env bash
# NativeAOT smoke test (the last section of .ci/run; docs/aot.md). Needs clang and zlib1g-dev (installed with apt).
# Publishes tests/Kida.AotSmoke as a NativeAOT binary and renders every conformance case with it (interpreted), then
# prints the failures, the most frequent ones, and "NativeAOT (interpreted): N passed, M failed".
# Fails when the publish fails, when it reports any trim/AOT warning (IL2xxx, IL3xxx), or when a case fails.
# Usage: tests/Kida.AotSmoke/run.sh [cases-folder]   (default: ../shared/conformance/cases beside the checkout)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CASES="${1:-$ROOT/../shared/conformance/cases}"
if ! command -v clang >/dev/null 2>&1; then
  echo "== installing clang and zlib (NativeAOT's linker) with apt =="
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang zlib1g-dev >/dev/null; } || true
  # exit code 3: the smoke test could not run on this machine (.ci/run reports it skipped)
  command -v clang >/dev/null 2>&1 || { echo "clang could not be installed: the NativeAOT smoke test cannot run" >&2; exit 3; }
fi
OUT="$ROOT/tests/Kida.AotSmoke/bin/aot"
echo "== dotnet publish (NativeAOT) =="
rm -f "$OUT/Kida.AotSmoke"
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
dotnet publish "$ROOT/tests/Kida.AotSmoke/Kida.AotSmoke.csproj" -c Release -o "$OUT" -nologo -v q >"$LOG" 2>&1 || true
if grep -qE 'warning IL[23][0-9]{3}|error ' "$LOG"; then
  grep -E 'warning IL[23][0-9]{3}|error ' "$LOG" | sed -E 's/^.*(warning IL[0-9]+|error [A-Z]*[0-9]*)/\1/' | sort | uniq -c | sort -rn | head -20
  echo "the NativeAOT publish reported trim/AOT warnings or errors (above)" >&2
  exit 1
fi
[ -x "$OUT/Kida.AotSmoke" ] || { cat "$LOG" | tail -20; echo "the NativeAOT build failed" >&2; exit 1; }
if [ -d "$CASES" ]; then
  echo "== rendering the conformance cases and the .NET model cases with the NativeAOT binary =="
  "$OUT/Kida.AotSmoke" "$CASES"
else
  echo "== no conformance cases at $CASES: rendering the .NET model cases only with the NativeAOT binary =="
  "$OUT/Kida.AotSmoke"
fi
