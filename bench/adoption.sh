#!/usr/bin/env bash
# Issue 7: `ctr run --rm` and `podman run --rm` of /bin/true in the busybox sample image with edge, runc and
# crun as the runtime, interleaved (median of ROUNDS, default 10). crun 1.8 refuses this host's hybrid
# cgroups, so containerd (and with it the shims and runtimes it starts) and every podman command run in a
# private mount namespace without the cgroup2 mount: the same for all three runtimes.
# Writes bench/results/adoption.{md,json}.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
rounds="${ROUNDS:-10}"
image=localhost/edge-samples/busybox:latest
archive=out/samples/busybox-image.tar
[[ -r "$archive" ]] || bash rootfs-samples/build-image.sh out/samples/busybox-image >/dev/null

work=$(mktemp -d /tmp/edge-bench-XXXXXX)
cat > "$work/wrap" <<'SH'
#!/bin/sh
exec unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' wrap "$@"
SH
chmod +x "$work/wrap"

# containerd with a private root, state and socket.
sock="$work/containerd.sock"
cat > "$work/containerd.toml" <<TOML
version = 2
root = "$work/ctd-root"
state = "$work/ctd-state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
TOML
"$work/wrap" containerd --config "$work/containerd.toml" >"$work/containerd.log" 2>&1 &
ctd=$!
# podman makes libpod_parent cgroups, and edge a seccomp cache in its default root: both go if this run made them.
had_libpod=$(ls -d /sys/fs/cgroup/*/libpod_parent 2>/dev/null | head -1 || true)
had_cache=$(ls -d /run/edge/@seccomp-cache 2>/dev/null || true)
cleanup() {
    for t in $(ctr --address "$sock" -n bench tasks ls -q 2>/dev/null); do ctr --address "$sock" -n bench tasks kill -s SIGKILL "$t"; done
    kill "$ctd" 2>/dev/null; wait "$ctd" 2>/dev/null || true
    podman --root "$work/pm-storage" --runroot "$work/pm-run" --storage-driver vfs rm -af >/dev/null 2>&1 || true
    for d in /sys/fs/cgroup/*/bench; do rmdir "$d" 2>/dev/null || true; done
    rm -rf "$work" /run/containerd/runc/bench
    [[ -n "$had_libpod" ]] || for d in /sys/fs/cgroup/*/libpod_parent; do [[ -d "$d" ]] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; done
    [[ -n "$had_cache" ]] || rm -rf /run/edge/@seccomp-cache
    return 0
}
trap cleanup EXIT
for _ in $(seq 50); do ctr --address "$sock" version >/dev/null 2>&1 && break; sleep 0.1; done
ctr --address "$sock" -n bench images import "$archive" >/dev/null

pm="podman --root $work/pm-storage --runroot $work/pm-run --storage-driver vfs --cgroup-manager cgroupfs --events-backend file"
$pm load -i "$archive" >/dev/null 2>&1

declare -A bin=([edge]="$top/out/edge" [runc]=runc [crun]=crun)
for rt in edge runc crun; do
    cat > "$work/ctr-$rt" <<SH
#!/bin/sh
exec ctr --address $sock -n bench run --rm --runc-binary ${bin[$rt]} $image b\$\$ /bin/true
SH
    cat > "$work/podman-$rt" <<SH
#!/bin/sh
exec $work/wrap $pm --runtime ${bin[$rt]} run --rm --network none --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 $image /bin/true
SH
    chmod +x "$work/ctr-$rt" "$work/podman-$rt"
done

md=bench/results/adoption.md
{
    echo "# edge under containerd and podman"
    echo
    echo "Produced by \`bench/adoption.sh\` on $(date -u +%F): /bin/true in the busybox sample image, the whole client"
    echo "command timed (ctr or podman, the shim or conmon, the runtime). containerd $(containerd --version | cut -d' ' -f3),"
    echo "podman $(podman --version | cut -d' ' -f3), edge $(out/edge --version | head -1 | cut -d' ' -f3), runc $(runc --version | head -1 | cut -d' ' -f3), crun $(crun --version | head -1 | cut -d' ' -f3)."
    echo
} > "$md"
python3 bench/procbench.py --rounds "$rounds" --baseline ctr-runc --title "ctr run --rm (io.containerd.runc.v2 shim, BinaryName)" --markdown "$md" --json "$work/ctr.json" \
    "ctr-edge=$work/ctr-edge" "ctr-runc=$work/ctr-runc" "ctr-crun=$work/ctr-crun"
python3 bench/procbench.py --rounds "$rounds" --baseline podman-runc --title "podman run --rm (conmon)" --markdown "$md" --json "$work/podman.json" \
    "podman-edge=$work/podman-edge" "podman-runc=$work/podman-runc" "podman-crun=$work/podman-crun"
python3 - "$work/ctr.json" "$work/podman.json" > bench/results/adoption.json <<'PY'
import json, sys
print(json.dumps([json.load(open(f)) for f in sys.argv[1:]], indent=2))
PY
sed -i "s|$work|\$WORK|g" "$md"
cat "$md"
