#!/bin/sh
# Runs the golden corpus and prints one block per failing case, then a compact "case: modes" list
# (used to maintain known-failures.txt).
cd "$(dirname "$0")/../.." || exit 1
flock /tmp/kida-build.lock dotnet test tests/Kida.Core.Tests --filter GoldenCorpus > /tmp/golden-triage.log 2>&1
grep -A4 "Error Message:" /tmp/golden-triage.log | grep -v "Error Message:\|Stack Trace:\|^--$\|^ *at " | sed 's/^   //'
echo "--- failing cases:"
grep -E "^ +[0-9][0-9]-[^ ]+ \[(compiled|interpreted)\] source:" /tmp/golden-triage.log | sed -E 's/^ +([^ ]+) \[([a-z]+)\].*/\1 \2/' | sort -u |
  awk '{a[$1]=a[$1]" "$2} END {for (k in a) print k ":" a[k]}' | sort
grep -E "^(Passed|Failed)!" /tmp/golden-triage.log
