#!/usr/bin/env bash
# Writes the binary's layout lists: toolchain/edge-hot-methods.txt (managed methods, given to ILC as
# IlcOrderFile) and toolchain/edge-hot-native.txt (native functions of the runtime, glibc and the other static
# libraries, given to lld as --symbol-ordering-file). Both put what the hot paths run first and together. The
# kernel maps every page fault's cached neighbours too (64 KiB windows), so code spread over the image costs
# resident memory (bench/results/size.md). Names that no longer exist are ignored, so a stale list only lays
# out less; rerun this after changes to the executor's paths, and measure before committing new lists: two
# profiles of the same code can differ by a few windows (bench/results/size.md, fourth round).
#
#   toolchain/hot-methods.sh   (needs root, perf, out/samples from ./build.sh test, qemu-system-x86 and
#                               linux-image-amd64 for pass 3, qemu-system-arm and toolchain/setup.sh --arm64 for
#                               pass 4; about 7 minutes)
#
# How:
#  1. samples: an unstripped build without the lists runs each path group under perf (40 kHz, frame-pointer
#     call chains): `run` of /bin/true, the create/start/state/list/ps/exec/kill/delete cycle, and
#     `run --rm IMAGE`. Every frame of every sample counts, callers first, in first-reached order. Each group
#     is profiled on its own, so the layout is `run`'s functions, then what the cycle adds, then the image
#     path's: the command measured against crun touches one dense block.
#  2. pages: sampling misses what runs for less than a sample period, and each such function left among cold
#     code costs a whole window. So a build laid out by pass 1 runs from an ext4 image with readahead off
#     after its pages are evicted: the binary's pages in the page cache afterwards (mincore) are exactly the
#     touched ones. Functions on pages `run` touched are placed right after `run`'s sampled ones; those on
#     pages only the other paths touched go last.
# Function names and addresses come from the linker's map, which also has the runtime's static functions.
# The analysis is toolchain/hot-layout.py.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export PATH="$top/.toolchain/bin:$PATH"
command -v perf >/dev/null || { echo "hot-methods: perf is missing (apt-get install linux-perf)" >&2; exit 2; }
[[ -d out/samples/busybox/rootfs && -f out/samples/busybox-image.tar ]] || { echo "hot-methods: run ./build.sh test first (out/samples)" >&2; exit 2; }

work=$(mktemp -d /tmp/edge-hot-XXXXXX)
trap 'umount "$work/ra" 2>/dev/null || true; rm -rf "$work"' EXIT
layout() { python3 toolchain/hot-layout.py "$@"; }
publish() { # publish OUT_DIR [MSBuild properties...]: an unstripped build and its link map, OUT_DIR/edge.map
    # (a new map path or stripping setting makes the project relink: EdgeRelinkOnNewLinkSettings)
    local out=$1 rid=${EDGE_RID:-linux-x64}; shift
    dotnet publish src/Edge.Cli/Edge.Cli.csproj -c Release -r "$rid" -o "$out" -nologo -clp:NoSummary -v:quiet \
        -p:StripSymbols=false -p:EdgeLinkMap="$out/edge.map" "$@"
}

# The lists must not lay out the binary they profile: build without them.
publish "$work/bin" -p:EdgeHotMethods=none
edge="$work/bin/edge"

cp -a out/samples/busybox "$work/bundle"
sed -i 's|"/bin/sh",|"/bin/true"|; /"-c",/d; /os-release/d' "$work/bundle/config.json"
cp -a out/samples/busybox "$work/sleeper"
sed -i 's|"/bin/sh",|"/bin/sleep", "100"|; /"-c",/d; /os-release/d' "$work/sleeper/config.json"
"$edge" --store "$work/store" load out/samples/busybox-image.tar >/dev/null
# One script per path group: GROUP.sh EDGE ROUNDS.
cat > "$work/run.sh" <<SH
#!/bin/sh
for i in \$(seq 1 \$2); do \$1 --root $work/state run --bundle $work/bundle r\$i >/dev/null; done
SH
cat > "$work/cycle.sh" <<SH
#!/bin/sh
E="\$1 --root $work/state"
for i in \$(seq 1 \$2); do
    \$E create --bundle $work/sleeper c\$i && \$E start c\$i
    \$E state c\$i >/dev/null; \$E list >/dev/null; \$E ps c\$i >/dev/null
    \$E exec c\$i /bin/true
    \$E kill c\$i KILL; \$E delete -f c\$i
done
SH
cat > "$work/image.sh" <<SH
#!/bin/sh
for i in \$(seq 1 \$2); do
    \$1 --store $work/store --root $work/state run --rm localhost/edge-samples/busybox:latest true >/dev/null
done
SH
cat > "$work/all.sh" <<SH
#!/bin/sh
\$1 --version >/dev/null
for g in run cycle image; do $work/\$g.sh \$1 1; done
SH
chmod +x "$work"/*.sh

# Pass 1: samples, group by group. About 20 ms a round; short functions need many rounds to be seen.
for group in run:300 cycle:60 image:100; do
    name=${group%%:*}
    perf record -q -F 40000 -e cpu-clock:u --call-graph fp -o "$work/$name.perf" -- \
        "$work/$name.sh" "$edge" "${group##*:}" >/dev/null 2>&1
    perf script -i "$work/$name.perf" -F ip,dso 2>/dev/null > "$work/$name.samples"
    rm -f "$work/$name.perf"
    layout sampled "$edge" "$work/bin/edge.map" "$work/$name.samples" "$work/s-$name"
    rm -f "$work/$name.samples"
done
layout merge "$work/sampled" "$work/s-run" "$work/s-cycle" "$work/s-image"

# Pass 2: pages, from a build laid out by the samples.
publish "$work/bin2" -p:EdgeHotMethodsFile="$work/sampled.managed" -p:EdgeHotNativeFile="$work/sampled.native"
truncate -s 256M "$work/ra.img"
mkfs.ext4 -q "$work/ra.img"
mkdir "$work/ra"
mount -o loop "$work/ra.img" "$work/ra"
echo 0 > "/sys/block/$(basename "$(findmnt -no SOURCE "$work/ra")")/queue/read_ahead_kb"
cp "$work/bin2/edge" "$work/ra/edge"
sync "$work/ra/edge"
evict() { python3 -c 'import os,sys; fd=os.open(sys.argv[1],os.O_RDONLY); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED)' "$1"; }
evict "$work/ra/edge"
"$work/run.sh" "$work/ra/edge" 1
layout touched "$work/ra/edge" "$work/bin2/edge.map" "$work/t-run" "$work/s-run"
evict "$work/ra/edge"
"$work/all.sh" "$work/ra/edge" >/dev/null 2>&1
layout touched "$work/ra/edge" "$work/bin2/edge.map" "$work/t-all" "$work/sampled" "$work/t-run"

# Pass 3: the cgroup v2 paths, in the VM.
bash toolchain/cgroup2-vm.sh --edge "$work/bin2/edge" --pages "$work/v2" > "$work/v2.log" 2>&1 ||
    { tail -20 "$work/v2.log" >&2; echo "hot-methods: the cgroup v2 VM failed" >&2; exit 1; }
layout pages "$work/bin2/edge" "$work/bin2/edge.map" "$work/v2/run.pages" "$work/v-run" "$work/s-run" "$work/t-run"
layout pages "$work/bin2/edge" "$work/bin2/edge.map" "$work/v2/cycle.pages" "$work/v-cycle" "$work/sampled" "$work/t-run" "$work/v-run"

# Pass 4: arm64, in its VM (cross-built as ./build.sh --arch arm64 does).
bash toolchain/setup.sh --arm64 >/dev/null
cc="$top/.toolchain/bin/aarch64-linux-gnu-clang"
EDGE_RID=linux-arm64 publish "$work/arm" -p:EdgeHotMethodsFile="$work/sampled.managed" -p:EdgeHotNativeFile="$work/sampled.native" \
    -p:CppCompilerAndLinker="$cc" -p:EdgeCC="$cc" -p:ObjCopyName=aarch64-linux-gnu-objcopy
bash toolchain/arm64-vm.sh --edge "$work/arm/edge" --pages "$work/a64" > "$work/a64.log" 2>&1 ||
    { tail -20 "$work/a64.log" >&2; echo "hot-methods: the arm64 VM failed" >&2; exit 1; }
layout pages "$work/arm/edge" "$work/arm/edge.map" "$work/a64/run.pages" "$work/a-run" "$work/s-run" "$work/t-run" "$work/v-run"
layout pages "$work/arm/edge" "$work/arm/edge.map" "$work/a64/cycle.pages" "$work/a-cycle" "$work/sampled" "$work/t-run" "$work/v-run" "$work/a-run" "$work/v-cycle"

layout merge "$work/final" "$work/s-run" "$work/t-run" "$work/v-run" "$work/a-run" \
    "$work/s-cycle" "$work/v-cycle" "$work/a-cycle" "$work/s-image" "$work/t-all"
cp "$work/final.managed" toolchain/edge-hot-methods.txt
cp "$work/final.native" toolchain/edge-hot-native.txt
echo "hot-methods: $(wc -l < toolchain/edge-hot-methods.txt) managed methods in toolchain/edge-hot-methods.txt," \
     "$(wc -l < toolchain/edge-hot-native.txt) native functions in toolchain/edge-hot-native.txt"
