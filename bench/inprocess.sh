#!/usr/bin/env bash
# In-process benchmarks (BenchmarkDotNet, with MemoryDiagnoser): copies each report to bench/results/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top/bench/Edge.Benchmarks"
dotnet run -c Release -- --filter "${1:-*}" --job short --exporters github
for f in BenchmarkDotNet.Artifacts/results/*-report-github.md; do
    name=$(basename "$f" -report-github.md)
    cp "$f" "$top/bench/results/${name#Edge.Benchmarks.}.md"
done
