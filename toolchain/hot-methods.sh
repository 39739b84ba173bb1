#!/usr/bin/env bash
# Writes the binary's layout lists: toolchain/edge-hot-methods.txt (managed methods, given to ILC as
# IlcOrderFile) and toolchain/edge-hot-native.txt (native functions of the runtime, glibc and the other static
# libraries, given to lld as --symbol-ordering-file). Both put what the hot paths run first and together. The
# kernel maps every page fault's cached neighbours too (64 KiB windows), so code spread over the image costs
# resident memory (bench/results/size.md). Names that no longer exist are ignored, so a stale list only lays
# out less; rerun this after changes to the executor's paths, and measure before committing new lists.
# (The third list, of the frozen objects the hot paths read, is toolchain/hot-frozen.sh's.)
#
#   toolchain/hot-methods.sh   (needs root, perf, out/samples from ./build.sh test, qemu-system-x86 and
#                               linux-image-amd64 for pass 3, qemu-system-arm and toolchain/setup.sh --arm64 for
#                               pass 4; about 6 minutes)
#
# Three path groups, each profiled on its own so that the layout is `run`'s functions, then what the
# create/start/state/list/ps/exec/kill/delete cycle adds, then what `run --rm IMAGE` adds: the command measured
# against crun touches one dense block. How:
#  1. samples: an unstripped build without the lists runs each group under perf (40 kHz, frame-pointer call
#     chains). Every frame of every sample counts, callers first, in first-reached order.
#  2. entered, on this host: the same build runs each group once under toolchain/entered-functions.c, a one-shot
#     breakpoint on every function: exactly the functions entered, also those too short to be sampled.
#  3. entered, on cgroup v2 alone: this host is hybrid (v1 controllers) and most devices are not; the same
#     build does `run` and the cycle in toolchain/cgroup2-vm.sh --trace (Debian's kernel, cgroup2 alone).
#  4. entered, on arm64: an arm64 build does the same in toolchain/arm64-vm.sh --trace. The names are the same
#     on both architectures, but not every function is (the runtime's and glibc's arch-specific ones).
#  5. pages: what entry breakpoints cannot see (code reached by jumps into a function's middle, return
#     labels). A build laid out by passes 1-4 runs from an ext4 image with readahead off after its pages are
#     evicted: the binary's pages in the page cache afterwards (mincore) are exactly the touched ones, and the
#     functions on them that no pass named go last. Being page-granular, this pass also names a touched
#     function's cold neighbours, which is why it is last: before the exact passes, its names filled `run`'s
#     block with three times the code `run` enters (bench/results/size.md, seventh round).
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
gcc -O2 -static -o "$work/entered-functions" toolchain/entered-functions.c
layout sites "$edge" "$work/bin/edge.map" "$work/sites"

cp -a out/samples/busybox "$work/bundle"
sed -i 's|"/bin/sh",|"/bin/true"|; /"-c",/d; /os-release/d' "$work/bundle/config.json"
cp -a out/samples/busybox "$work/sleeper"
sed -i 's|"/bin/sh",|"/bin/sleep", "100"|; /"-c",/d; /os-release/d' "$work/sleeper/config.json"
"$edge" --store "$work/store" load out/samples/busybox-image.tar >/dev/null
# One script per path group: GROUP.sh EDGE ROUNDS [TRACER]. With a tracer, every verb runs under it but create,
# which leaves the container's init running (entered-functions.c ends with its command). Each round runs a short
# id in a short bundle path, then a 64-character id in a bundle where containerd puts them, as Docker, containerd
# and podman do: what code runs can depend on lengths (a buffer that grows), and the lists must hold both.
long="$work/run/containerd/io.containerd.runtime.v2.task/k8s.io/$(printf '%064x' 0)"
mkdir -p "$long" && cp -a "$work/bundle" "$long/bundle" && cp -a "$work/sleeper" "$long/sleeper"
cat > "$work/run.sh" <<SH
#!/bin/sh
for i in \$(seq 1 \$2); do
    \$3 \$1 --root $work/state run --bundle $work/bundle r\$i >/dev/null
    \$3 \$1 --root $work/state run --bundle $long/bundle \$(printf '%064x' \$i) >/dev/null
done
SH
cat > "$work/cycle.sh" <<SH
#!/bin/sh
E="\$1 --root $work/state"
T="\$3 \$E"
cycle() { # ID BUNDLE
    \$E create --bundle \$2 \$1 && \$T start \$1
    \$T state \$1 >/dev/null; \$T list >/dev/null; \$T ps \$1 >/dev/null
    \$T exec \$1 /bin/true
    \$T kill \$1 KILL; \$T delete -f \$1
}
for i in \$(seq 1 \$2); do
    cycle c\$i $work/sleeper
    cycle \$(printf 'c%063x' \$i) $long/sleeper
done
SH
cat > "$work/image.sh" <<SH
#!/bin/sh
for i in \$(seq 1 \$2); do
    \$3 \$1 --store $work/store --root $work/state run --rm localhost/edge-samples/busybox:latest true >/dev/null
done
SH
cat > "$work/all.sh" <<SH
#!/bin/sh
\$1 --version >/dev/null
for g in run cycle image; do $work/\$g.sh \$1 1; done
SH
chmod +x "$work"/*.sh

# Pass 1: samples, group by group. About 40 ms a round; short functions need many rounds to be seen.
for group in run:150 cycle:30 image:100; do
    name=${group%%:*}
    perf record -q -F 40000 -e cpu-clock:u --call-graph fp -o "$work/$name.perf" -- \
        "$work/$name.sh" "$edge" "${group##*:}" >/dev/null 2>&1
    perf script -i "$work/$name.perf" -F ip,dso 2>/dev/null > "$work/$name.samples"
    rm -f "$work/$name.perf"
    layout sampled "$edge" "$work/bin/edge.map" "$work/$name.samples" "$work/s-$name"
    rm -f "$work/$name.samples"
done

# Pass 2: entered, here. The tracer appends each command's functions to GROUP.hits in the order it entered them.
for name in run cycle image; do
    "$work/$name.sh" "$edge" 1 "$work/entered-functions $work/sites $work/$name.hits" >/dev/null 2>&1
    [[ -s "$work/$name.hits" ]] || { echo "hot-methods: no function entered in $name (entered-functions failed)" >&2; exit 1; }
done
layout entered "$edge" "$work/bin/edge.map" "$work/run.hits" "$work/e-run"
layout entered "$edge" "$work/bin/edge.map" "$work/cycle.hits" "$work/e-cycle" "$work/e-run"
layout entered "$edge" "$work/bin/edge.map" "$work/image.hits" "$work/e-image" "$work/e-run" "$work/e-cycle"

# Pass 3: entered, on cgroup v2 alone, in the VM.
mkdir -p "$work/v2" && cp "$work/sites" "$work/v2/sites"
bash toolchain/cgroup2-vm.sh --edge "$edge" --trace "$work/v2" > "$work/v2.log" 2>&1 ||
    { tail -20 "$work/v2.log" >&2; echo "hot-methods: the cgroup v2 VM failed" >&2; exit 1; }
layout entered "$edge" "$work/bin/edge.map" "$work/v2/run.hits" "$work/v-run" "$work/e-run"
layout entered "$edge" "$work/bin/edge.map" "$work/v2/cycle.hits" "$work/v-cycle" "$work/e-run" "$work/v-run" "$work/e-cycle"

# Pass 4: entered, on arm64, in its VM (cross-built as ./build.sh --arch arm64 does).
bash toolchain/setup.sh --arm64 >/dev/null
cc="$top/.toolchain/bin/aarch64-linux-gnu-clang"
EDGE_RID=linux-arm64 publish "$work/arm" -p:EdgeHotMethods=none \
    -p:CppCompilerAndLinker="$cc" -p:EdgeCC="$cc" -p:ObjCopyName=aarch64-linux-gnu-objcopy
mkdir -p "$work/a64"
layout sites "$work/arm/edge" "$work/arm/edge.map" "$work/a64/sites"
bash toolchain/arm64-vm.sh --edge "$work/arm/edge" --trace "$work/a64" > "$work/a64.log" 2>&1 ||
    { tail -20 "$work/a64.log" >&2; echo "hot-methods: the arm64 VM failed" >&2; exit 1; }
layout entered "$work/arm/edge" "$work/arm/edge.map" "$work/a64/run.hits" "$work/a-run" "$work/e-run" "$work/v-run"
layout entered "$work/arm/edge" "$work/arm/edge.map" "$work/a64/cycle.hits" "$work/a-cycle" \
    "$work/e-run" "$work/v-run" "$work/a-run" "$work/e-cycle" "$work/v-cycle"

layout merge "$work/exact" "$work/e-run" "$work/v-run" "$work/a-run" "$work/s-run" \
    "$work/e-cycle" "$work/v-cycle" "$work/a-cycle" "$work/s-cycle" "$work/e-image" "$work/s-image"

# Pass 5: pages, from a build laid out by passes 1-4.
publish "$work/bin2" -p:EdgeHotMethodsFile="$work/exact.managed" -p:EdgeHotNativeFile="$work/exact.native"
truncate -s 256M "$work/ra.img"
mkfs.ext4 -q "$work/ra.img"
mkdir "$work/ra"
mount -o loop "$work/ra.img" "$work/ra"
echo 0 > "/sys/block/$(basename "$(findmnt -no SOURCE "$work/ra")")/queue/read_ahead_kb"
cp "$work/bin2/edge" "$work/ra/edge"
sync "$work/ra/edge"
python3 toolchain/evict.py "$work/ra/edge"
"$work/all.sh" "$work/ra/edge" >/dev/null 2>&1
layout touched "$work/ra/edge" "$work/bin2/edge.map" "$work/t-all" "$work/exact"

layout merge "$work/profiled" "$work/exact" "$work/t-all"
# Other CPUs enter other versions of glibc's string functions and cache probes: those of the families the
# profile entered follow the profiled block, together (hot-layout.py variants).
layout variants "$work/bin2/edge" "$work/bin2/edge.map" "$work/final" "$work/profiled"
cp "$work/final.managed" toolchain/edge-hot-methods.txt
cp "$work/final.native" toolchain/edge-hot-native.txt
echo "hot-methods: $(wc -l < toolchain/edge-hot-methods.txt) managed methods in toolchain/edge-hot-methods.txt," \
     "$(wc -l < toolchain/edge-hot-native.txt) native functions in toolchain/edge-hot-native.txt"
