#!/usr/bin/env bash
# Writes toolchain/edge-hot-frozen.txt: the frozen objects (string literals, preinitialized objects) that the hot
# paths read, in path-group order: `run`, then what `run` reads on cgroup v2 alone (emulated: cgroup2 mounted
# over /sys/fs/cgroup in a private mount namespace; most devices have no v1 hierarchy), then what the
# create/start/state/list/ps/exec/kill/delete cycle adds, then what `run --rm IMAGE` adds. The build puts them first in ILC's frozen block (toolchain/frozen-layout.py),
# so that `run` reads one dense run of pages instead of a few hundred objects spread over 370 KB, each of which
# maps the 64 KiB around it (bench/results/size.md, ninth round). Names that no longer exist are ignored, so a
# stale list only lays out less; rerun this after changes to the executor's paths.
#
#   toolchain/hot-frozen.sh   (needs root and out/samples from ./build.sh run or test; under a minute)
#
# Exact, not sampled: a build with every frozen object on pages of its own (EdgeFrozenSpread=true) runs each group
# from an ext4 image with readahead off, after its pages were evicted from the page cache. The pages in the cache
# afterwards (mincore) are exactly those some process read, so the objects on them are exactly those read.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export PATH="$top/.toolchain/bin:$PATH"
[[ -d out/samples/busybox/rootfs && -f out/samples/busybox-image.tar ]] || { echo "hot-frozen: run ./build.sh run first (out/samples)" >&2; exit 2; }

work=$(mktemp -d /tmp/edge-frozen-XXXXXX)
trap 'umount "$work/ra" 2>/dev/null || true; rm -rf "$work"' EXIT
rid=${EDGE_RID:-linux-x64}
dotnet publish src/Edge.Cli/Edge.Cli.csproj -c Release -r "$rid" -o "$work/bin" -nologo -clp:NoSummary -v:quiet \
    -p:EdgeLinkMap="$work/bin/edge.map" -p:EdgeFrozenSpread=true
object=src/Edge.Cli/obj/Release/net10.0/$rid/native/edge.o

cp -a out/samples/busybox "$work/bundle"
sed -i 's|"/bin/sh",|"/bin/true"|; /"-c",/d; /os-release/d' "$work/bundle/config.json"
cp -a out/samples/busybox "$work/sleeper"
sed -i 's|"/bin/sh",|"/bin/sleep", "100"|; /"-c",/d; /os-release/d' "$work/sleeper/config.json"

truncate -s 256M "$work/ra.img"
mkfs.ext4 -q "$work/ra.img"
mkdir "$work/ra"
mount -o loop "$work/ra.img" "$work/ra"
echo 0 > "/sys/block/$(basename "$(findmnt -no SOURCE "$work/ra")")/queue/read_ahead_kb"
cp "$work/bin/edge" "$work/ra/edge"
sync "$work/ra/edge"
edge="$work/ra/edge"
E="$edge --root $work/state"
$E --store "$work/store" load out/samples/busybox-image.tar >/dev/null

python3 toolchain/evict.py "$edge"
touched() { python3 toolchain/frozen-layout.py touched "$object" "$edge" "$work/bin/edge.map" "$work/list"; }

# Each group three times: a few objects are read only sometimes (the lock's spin settings, read when a lock is
# first contended). The page cache keeps what each run read, so each listing is the union of its group's runs.
# Ids short and of 64 characters (toolchain/hot-methods.sh says why; unlike it, one bundle path for both).
ids() { printf '%s%s %s%063x\n' "$1" "$2" "$1" "$2"; }
for i in 1 2 3; do for id in $(ids r $i); do $E run --bundle "$work/bundle" "$id" >/dev/null; done; done
touched
for i in 1 2 3; do
    for id in $(ids v $i); do
        unshare -m sh -c "umount -R /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup && $E run --bundle $work/bundle $id >/dev/null"
    done
done
touched
for i in 1 2 3; do
    for id in $(ids c $i); do
        $E create --bundle "$work/sleeper" "$id" && $E start "$id"
        $E state "$id" >/dev/null; $E list >/dev/null; $E ps "$id" >/dev/null
        $E exec "$id" /bin/true
        $E kill "$id" KILL; $E delete -f "$id"
    done
done
touched
for i in 1 2 3; do $E --store "$work/store" run --rm localhost/edge-samples/busybox:latest true >/dev/null; done
touched

{ echo "# The frozen objects edge's hot paths read, in path-group order (toolchain/hot-frozen.sh; $(date -u +%F))."
  cat "$work/list"; } > toolchain/edge-hot-frozen.txt
echo "hot-frozen: $(grep -vc '^#' toolchain/edge-hot-frozen.txt) frozen objects in toolchain/edge-hot-frozen.txt"
