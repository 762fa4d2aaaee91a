#!/usr/bin/env bash
# Package smoke test (CI runs it from .ci/run): packs Kida.Core and Kida.AspNetCore to a local feed, creates a
# brand-new `dotnet new web` app that restores only from that feed and the configured NuGet source, follows the
# README's minimal-API recipe word for word (the blocks marked <!-- recipe:FILE --> are written to FILE, and the one
# marked <!-- recipe:csproj --> goes into the project file), runs it and checks the escaped page, then does the same
# with the output of `dotnet publish`. Prints the seconds from `dotnet new` to the first rendered page.
# Usage: tests/package-smoke/run.sh [work-dir]   (default: a new temporary folder, removed at the end)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="${1:-$(mktemp -d)}"
KEEP="${1:+1}"
mkdir -p "$WORK"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
APP_PID=""
cleanup() {
  if [ -n "$APP_PID" ]; then kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; fi
  if [ -z "$KEEP" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
fail() { echo "package smoke: FAILED: $*" >&2; exit 1; }

FEED="$WORK/feed"
echo "== package smoke: pack to $FEED"
dotnet pack "$ROOT/src/Kida.Core/Kida.Core.csproj" -c Release -o "$FEED" -v q -nologo
dotnet pack "$ROOT/src/Kida.AspNetCore/Kida.AspNetCore.csproj" -c Release -o "$FEED" -v q -nologo

# What each package must carry: its README, the license, repository metadata, a symbol package.
for id in Kida.Core Kida.AspNetCore; do
  nupkg=$(ls "$FEED"/$id.[0-9]*.nupkg | grep -v snupkg | head -1)
  [ -f "${nupkg%.nupkg}.snupkg" ] || fail "$id: no symbol package (.snupkg)"
  listing=$(unzip -l "$nupkg")
  for f in README.md LICENSE "lib/net10.0/$id.dll" "lib/net10.0/$id.xml"; do
    grep -q " $f\$" <<<"$listing" || fail "$id: $f missing from $nupkg"
  done
  nuspec=$(unzip -p "$nupkg" "$id.nuspec")
  for needle in '<readme>README.md</readme>' '<license type="expression">MIT</license>' '<repository type="git" url="https://' 'commit="'; do
    grep -qF "$needle" <<<"$nuspec" || fail "$id: nuspec lacks $needle"
  done
  unzip -p "${nupkg%.nupkg}.snupkg" "lib/net10.0/$id.pdb" > "$WORK/$id.pdb" || fail "$id: no PDB in the snupkg"
  grep -qa 'https://raw.githubusercontent.com/' "$WORK/$id.pdb" || fail "$id: PDB has no SourceLink map"
done

# The new app sees only the local feed (for Kida.*) and the configured NuGet source (everything else), and its own
# package folder, so the package just packed is the one restored (never an older copy from the global cache).
SOURCE_URL=$(dotnet nuget list source --format short | awk '$1 ~ /^E/ {print $2; exit}')
[ -n "$SOURCE_URL" ] || fail "no enabled NuGet source"
cat > "$WORK/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$FEED" />
    <add key="upstream" value="$SOURCE_URL" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local"><package pattern="Kida.*" /></packageSource>
    <packageSource key="upstream"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
XML
export NUGET_PACKAGES="$WORK/packages"

# recipe FILE: prints the code block that follows <!-- recipe:FILE --> in the README
recipe() {
  awk -v want="<!-- recipe:$1 -->" '
    $0 == want { armed = 1; next }
    armed && /^```/ { if (inblock) exit; inblock = 1; next }
    inblock { print }' "$ROOT/README.md"
}

# serve DIR EXPECTED COMMAND...: starts the app, waits for "Now listening on", requests /, checks that the HTML page
# contains EXPECTED (and, for the recipe, that the name was escaped)
serve() {
  local dir="$1" expected="$2"; shift 2
  local log="$WORK/serve.log"
  (cd "$dir" && exec "$@" --urls http://127.0.0.1:0 > "$log" 2>&1) &
  APP_PID=$!
  local url=""
  for _ in $(seq 1 600); do
    url=$(grep -o 'Now listening on: http://127.0.0.1:[0-9]*' "$log" | head -1 | sed 's/Now listening on: //') || true
    [ -n "$url" ] && break
    kill -0 "$APP_PID" 2>/dev/null || { cat "$log"; fail "the app exited before listening"; }
    sleep 0.2
  done
  [ -n "$url" ] || { cat "$log"; fail "the app did not listen"; }
  local page
  page=$(curl -sS --max-time 30 -D "$WORK/headers" "$url/") || { cat "$log"; fail "request failed"; }
  kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; APP_PID=""
  grep -qi '^content-type: text/html; charset=utf-8' "$WORK/headers" || { cat "$WORK/headers"; fail "not text/html"; }
  grep -qF "$expected" <<<"$page" || { echo "$page"; cat "$log"; fail "the page lacks $expected"; }
  if grep -qF '<Ada>' <<<"$page"; then fail "the name was not escaped"; fi
  return 0
}

cd "$WORK"
start=$SECONDS
echo "== package smoke: dotnet new web, the README's recipe"
dotnet new web -o SmokeApp > "$WORK/new.log" 2>&1 || { cat "$WORK/new.log"; fail "dotnet new web"; }
cd SmokeApp
grep -qF 'dotnet add package Kida.AspNetCore' "$ROOT/README.md" || fail "the README does not say dotnet add package Kida.AspNetCore"
dotnet add package Kida.AspNetCore > "$WORK/add.log" 2>&1 || { cat "$WORK/add.log"; fail "dotnet add package"; }
program=$(recipe Program.cs); template=$(recipe Views/index.html)
[ -n "$program" ] && [ -n "$template" ] || fail "the README's recipe blocks were not found"
printf '%s\n' "$program" > Program.cs
mkdir -p Views && printf '%s\n' "$template" > Views/index.html
csproj=$(recipe csproj)
if [ -n "$csproj" ]; then
  python3 - "$csproj" SmokeApp.csproj <<'PY'
import sys
snippet, path = sys.argv[1], sys.argv[2]
text = open(path).read()
open(path, "w").write(text.replace("</Project>", snippet + "\n</Project>", 1))
PY
fi
serve . 'Hello, &lt;Ada&gt;!' dotnet run
echo "== package smoke: dotnet run served the escaped page; dotnet new to rendered page: $((SECONDS - start)) s"

echo "== package smoke: dotnet publish"
dotnet publish -c Release -o "$WORK/out" -v q -nologo > "$WORK/publish.log" 2>&1 || { cat "$WORK/publish.log"; fail "dotnet publish"; }
[ -f "$WORK/out/Views/index.html" ] || fail "the published app has no Views/index.html"
serve "$WORK/out" 'Hello, &lt;Ada&gt;!' ./SmokeApp

# dotnet new templates (templates/Kida.Templates): installed into a private template hive, each instantiated, built
# against the local feed, run, and its home page requested
echo "== package smoke: dotnet new kida-web and kida-mvc"
dotnet pack "$ROOT/templates/Kida.Templates/Kida.Templates.csproj" -o "$FEED" -v q -nologo > "$WORK/pack-templates.log" 2>&1 \
  || { cat "$WORK/pack-templates.log"; fail "pack Kida.Templates"; }
HIVE="$WORK/hive"
dotnet new install "$FEED"/Kida.Templates.*.nupkg --debug:custom-hive "$HIVE" > "$WORK/install.log" 2>&1 || { cat "$WORK/install.log"; fail "dotnet new install"; }
cd "$WORK"
dotnet new kida-web -o WebFromTemplate --debug:custom-hive "$HIVE" > "$WORK/new-web.log" 2>&1 || { cat "$WORK/new-web.log"; fail "dotnet new kida-web"; }
serve "$WORK/WebFromTemplate" '<li>Earl Grey</li>' dotnet run --no-launch-profile
dotnet new kida-mvc -o MvcFromTemplate --debug:custom-hive "$HIVE" > "$WORK/new-mvc.log" 2>&1 || { cat "$WORK/new-mvc.log"; fail "dotnet new kida-mvc"; }
serve "$WORK/MvcFromTemplate" 'name="__RequestVerificationToken"' dotnet run --no-launch-profile
echo "== package smoke: OK (packages, dotnet run, the published app, the kida-web and kida-mvc templates)"
