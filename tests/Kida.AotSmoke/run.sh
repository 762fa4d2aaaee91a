#!/usr/bin/env bash
# NativeAOT smoke test (not part of CI: it needs clang and takes minutes on two cores).
# Publishes tests/Kida.AotSmoke as a NativeAOT binary and renders every conformance case with it (interpreted), then
# prints the failures, the most frequent ones, and "NativeAOT (interpreted): N passed, M failed".
# Usage: tests/Kida.AotSmoke/run.sh [cases-folder]   (default: ../shared/conformance/cases beside the checkout)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CASES="${1:-$ROOT/../shared/conformance/cases}"
[ -d "$CASES" ] || { echo "no conformance cases at $CASES" >&2; exit 2; }
if ! command -v clang >/dev/null 2>&1; then
  echo "== installing clang and zlib (NativeAOT's linker) with apt =="
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang zlib1g-dev >/dev/null
fi
OUT="$ROOT/tests/Kida.AotSmoke/bin/aot"
echo "== dotnet publish (NativeAOT) =="
dotnet publish "$ROOT/tests/Kida.AotSmoke/Kida.AotSmoke.csproj" -c Release -o "$OUT" -nologo -v q 2>&1 \
  | grep -E 'warning IL|error' | sed -E 's/^.*(warning IL[0-9]+|error [A-Z]+[0-9]+)/\1/' | sort | uniq -c | sort -rn | head -20 || true
[ -x "$OUT/Kida.AotSmoke" ] || { echo "the NativeAOT build failed" >&2; exit 1; }
echo "== rendering the conformance cases with the NativeAOT binary =="
"$OUT/Kida.AotSmoke" "$CASES"
