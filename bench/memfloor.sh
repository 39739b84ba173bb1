#!/usr/bin/env bash
# The smallest memory limit under which each runtime still runs /bin/true in the busybox bundle (issue 6):
# edge, crun and runc, each at 256 KiB .. 16 MiB, in the wrapper crun needs on this hybrid host.
# Writes bench/results/memfloor.md.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
work=$(mktemp -d /tmp/edge-memfloor-XXXXXX)
trap 'rm -rf "$work"' EXIT
wrap() { unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' wrap "$@"; }
out=bench/results/memfloor.md
{
    echo "# Smallest memory limit that runs /bin/true"
    echo
    echo "Produced by \`bench/memfloor.sh\` on $(date -u +%F): the busybox bundle with \`linux.resources.memory.limit\` set,"
    echo "\`/bin/true\` as the process, each runtime in the same wrapper. \"ok\" = exit 0."
    echo
    echo "| limit | edge | crun | runc |"
    echo "|---|---|---|---|"
} > "$out"
for kib in 256 512 1024 2048 4096 8192 16384; do
    row="| $kib KiB |"
    for rt in edge crun runc; do
        rm -rf "$work/bundle" "$work/root-$rt"
        cp -a out/samples/busybox "$work/bundle"
        python3 - "$work/bundle/config.json" "$kib" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["args"] = ["/bin/true"]
c["linux"].setdefault("resources", {})["memory"] = {"limit": int(sys.argv[2]) * 1024}
json.dump(c, open(sys.argv[1], "w"))
PY
        bin=$rt; [[ $rt == edge ]] && bin="$top/out/edge"
        if wrap $bin --root "$work/root-$rt" run --bundle "$work/bundle" "mf-$rt-$kib" >/dev/null 2>&1; then row="$row ok |"; else row="$row fails |"; fi
        wrap $bin --root "$work/root-$rt" delete -f "mf-$rt-$kib" >/dev/null 2>&1 || true
    done
    echo "$row" >> "$out"
done
cat "$out"
