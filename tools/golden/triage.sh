#!/bin/sh
# Runs the golden corpus and prints one block per failing case (used to maintain known-failures.txt).
cd "$(dirname "$0")/../.." || exit 1
flock /tmp/kida-build.lock dotnet test tests/Kida.Core.Tests --filter GoldenCorpus 2>&1 > /tmp/golden-triage.log
grep -A4 "Error Message:" /tmp/golden-triage.log | grep -v "Error Message:\|Stack Trace:\|^--$" | sed 's/^   //'
grep -E "^(Passed|Failed)!" /tmp/golden-triage.log
