#!/usr/bin/env bash
# Pull of a multi-layer Debian image (debootstrap --variant=minbase, split into layers with umoci) from a
# loopback docker-registry: `edge pull` vs `skopeo copy docker://... oci:DIR` vs containerd's
# `ctr content fetch`, interleaved, each run cold (page cache dropped) into an empty destination.
# Peak RSS is each client's own; containerd does the writing for ctr, so its daemon's peak (VmHWM, reset
# before each run) is reported beside it. Writes bench/results/pull.{md,json}.
# Needs network access to a Debian mirror the first time (debootstrap); the image is cached in $BENCH_WORK.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
rounds="${ROUNDS:-5}"
cache="${BENCH_WORK:-/var/tmp/edge-bench-pull}"
edge="$top/out/edge"
mkdir -p "$cache"

# 1. The image: Debian minbase in four layers (cached).
bash rootfs-samples/build-debian-image.sh "$cache"

work=$(mktemp -d /tmp/edge-bench-pull-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.5; rm -rf "$work"; }
trap cleanup EXIT

# 2. A registry on loopback with the image pushed.
source bench/loopback-registry.sh
start_registry "$work" "$cache/image"

# 3. containerd with its own root, state and socket (CRI off).
mkdir -p "$work/containerd"
cat > "$work/containerd/config.toml" <<TOML
version = 2
root = "$work/containerd/root"
state = "$work/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$work/containerd/sock"
TOML
containerd --config "$work/containerd/config.toml" >/dev/null 2>&1 & ctd=$!; pids+=($ctd)
for _ in $(seq 50); do [[ -S "$work/containerd/sock" ]] && break; sleep 0.1; done
ctr=(ctr -a "$work/containerd/sock" -n bench)

cat > "$work/edge-pull" <<SH
#!/bin/sh
exec $edge --store $work/edge-store pull -q $ref
SH
cat > "$work/skopeo-copy" <<SH
#!/bin/sh
exec skopeo copy --quiet --src-tls-verify=false docker://$ref oci:$work/skopeo-oci:minbase
SH
cat > "$work/ctr-fetch" <<SH
#!/bin/sh
echo 5 > /proc/$ctd/clear_refs
${ctr[*]} content fetch --plain-http $ref >/dev/null || exit 1
grep VmHWM /proc/$ctd/status | awk '{print \$2}' >> $work/containerd-hwm
SH
chmod +x "$work/edge-pull" "$work/skopeo-copy" "$work/ctr-fetch"
cat > "$work/before" <<SH
#!/bin/sh
rm -rf $work/edge-store $work/skopeo-oci
${ctr[*]} content ls -q | xargs -r ${ctr[*]} content rm >/dev/null
SH
chmod +x "$work/before"

size=$(du -sb "$work/registry" | cut -f1)
md=bench/results/pull.md
{
    echo "# Image pull: edge vs skopeo vs containerd (ctr content fetch)"
    echo
    echo "Produced by \`bench/pull.sh\` on $(date -u +%F). Debian bookworm minbase (debootstrap), four layers,"
    echo "$(du -sh "$cache/rootfs" | cut -f1) unpacked, $(( size / 1000000 )) MB in the registry; from docker-registry on 127.0.0.1 into an empty"
    echo "destination, page cache dropped before each run. edge $("$edge" --version | head -1 | awk '{print $3}'), skopeo $(skopeo --version | awk '{print $3}'),"
    echo "containerd $(containerd --version | awk '{print $3}')."
    echo
} > "$md"
python3 bench/procbench.py --rounds "$rounds" --warmup 1 --cold --before "$work/before" --baseline skopeo \
    --title "pull (wall time, client peak RSS)" --json bench/results/pull.json --markdown "$md" \
    edge="$work/edge-pull" skopeo="$work/skopeo-copy" ctr="$work/ctr-fetch"
hwm=$(sort -n "$work/containerd-hwm" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
{
    echo "ctr is only a client: containerd's daemon did the downloading and writing. The daemon's peak RSS during"
    echo "a fetch (VmHWM reset before each run, median, its idle baseline included) was ${hwm} KiB, on top of ctr's."
} >> "$md"
cat "$md"
