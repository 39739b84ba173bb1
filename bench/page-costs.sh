#!/usr/bin/env bash
# What a page costs here (bench/tools/page-costs.c), the measurement behind size.md's sixth round: a fresh
# anonymous page's first touch, and how much of a cached binary one read fault maps. Writes
# bench/results/page-costs.md (or $OUT).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out="${OUT:-bench/results/page-costs.md}"
[[ -x out/edge ]] || { echo "page-costs: out/edge missing: ./build.sh build" >&2; exit 2; }
work=$(mktemp -d /tmp/edge-pages-XXXXXX)
trap 'rm -rf "$work"' EXIT
gcc -O2 -o "$work/page-costs" bench/tools/page-costs.c
cp out/edge "$work/file"
cat "$work/file" > /dev/null  # in the page cache, as a binary that has run is
{
    echo "# What a page costs"
    echo
    echo "Produced by \`bench/page-costs.sh\` on $(date -u '+%F %H:%M UTC'), kernel $(uname -r), three runs. A file page is"
    echo "mapped from the page cache; an anonymous page is backed on its first touch. The file is a copy of out/edge."
    for i in 1 2 3; do
        echo
        echo "Run $i:"
        echo
        "$work/page-costs" "$work/file" | sed 's/^/    /'
    done
} > "$out"
echo "page-costs: $out"
