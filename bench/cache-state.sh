#!/usr/bin/env bash
# Peak RSS of `run` (/bin/true, the `runc spec` bundle) for edge and crun with their binaries in three
# page-cache states, the measurement behind size.md's tenth round: as cp wrote them; evicted and read back by
# read(2) (cat); evicted and faulted in by the first run, as after a boot. Fresh copies of both binaries
# (crun's libraries are shared and stay as they are), ids of 64 characters as Docker gives. Writes
# bench/results/cache-state.md (or $OUT).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out="${OUT:-bench/results/cache-state.md}"
rounds="${ROUNDS:-15}"
[[ -x out/edge ]] || { echo "cache-state: out/edge missing: ./build.sh build" >&2; exit 2; }
work=$(mktemp -d /tmp/edge-cache-XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -a out/samples/busybox "$work/bundle"
rm "$work/bundle/config.json"
(cd "$work/bundle" && runc spec)
sed -i 's|"terminal": true|"terminal": false|; s|"sh"|"/bin/true"|' "$work/bundle/config.json"
wrap=$(bench/tools/build-hide-cgroup2.sh)
{
    echo "# Peak RSS and the page-cache state of the binary"
    echo
    echo "Produced by \`bench/cache-state.sh\` on $(date -u '+%F %H:%M UTC'), kernel $(uname -r). \`run\` of /bin/true in the bundle"
    echo "\`runc spec\` writes, through bench/tools/hide-cgroup2; fresh copies of edge and crun in each state."
    echo
} > "$out"
for state in copied read faulted; do
    for rt in edge crun; do
        rm -f "$work/$rt"
        if [[ $rt == edge ]]; then cp out/edge "$work/edge"; else cp "$(command -v crun)" "$work/crun"; fi
        mkdir -p "$work/root-$rt-$state"
    done
    sync
    case $state in
        read) python3 toolchain/evict.py "$work/edge" "$work/crun"; cat "$work/edge" "$work/crun" > /dev/null ;;
        faulted) python3 toolchain/evict.py "$work/edge" "$work/crun" ;;
    esac
    python3 bench/procbench.py --rounds "$rounds" --baseline "crun-$state" --title "$state" --markdown "$out" \
        "edge-$state=$wrap $work/edge --root $work/root-edge-$state run --bundle $work/bundle $(printf 'e%063d' 1)" \
        "crun-$state=$wrap $work/crun --root $work/root-crun-$state run --bundle $work/bundle $(printf 'c%063d' 1)" > /dev/null
done
echo "cache-state: $out"
