#!/usr/bin/env bash
# Writes toolchain/edge-hot-methods.txt: the managed methods edge's hot paths run, callers before callees
# in the order they are first reached. The build gives it to ILC (IlcOrderFile in src/Edge.Cli), which lays
# those methods out first and together, so a command touches fewer pages of the binary: the kernel maps
# every page fault's neighbours too, so code spread over the image costs resident memory
# (bench/results/size.md). Names that no longer exist are ignored by ILC, so a stale list only lays out
# less; rerun this after changes to the executor's paths:
#
#   toolchain/hot-methods.sh          (needs root, perf, and out/samples from ./build.sh test)
#
# How, in two passes over the same paths (`run`, `create`/`start`/`state`/`kill`/`delete`, `exec`, `ps`,
# `list` on the busybox bundle, `run --rm IMAGE` from a store, `--version`):
#  1. samples: an unstripped build with ILC's map file under perf (40 kHz, frame-pointer call chains). Every
#     frame of every sample counts, so a method that only calls others is listed too; only names of ILC's
#     own methods (MethodCode in the map) are kept. Callers first, in first-reached order.
#  2. pages: sampling misses what runs for less than a sample period, and each such method left among cold
#     code costs a 64 KiB window. So the paths run again with a build laid out by pass 1, from an ext4 image
#     with readahead off after its pages are evicted: the binary's pages in the page cache afterwards
#     (mincore) are exactly the ones touched. Managed methods on touched pages outside the laid-out block are
#     appended to the list. (The same done for native functions through lld's symbol order changed nothing
#     measurable: bench/results/size.md.)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export PATH="$top/.toolchain/bin:$PATH"
command -v perf >/dev/null || { echo "hot-methods: perf is missing (apt-get install linux-perf)" >&2; exit 2; }
[[ -d out/samples/busybox/rootfs && -f out/samples/busybox-image.tar ]] || { echo "hot-methods: run ./build.sh test first (out/samples)" >&2; exit 2; }

work=$(mktemp -d /tmp/edge-hot-XXXXXX)
trap 'umount "$work/ra" 2>/dev/null || true; rm -rf "$work"' EXIT
# The list must not lay out the binary it profiles: build without it.
dotnet publish src/Edge.Cli/Edge.Cli.csproj -c Release -r linux-x64 -o "$work/bin" -nologo -clp:NoSummary -v:quiet \
    -p:StripSymbols=false -p:IlcGenerateMapFile=true -p:EdgeHotMethods=none
map=$(ls src/Edge.Cli/obj/Release/*/linux-x64/native/edge.map.xml)

cp -a out/samples/busybox "$work/bundle"
sed -i 's|"/bin/sh",|"/bin/true"|; /"-c",/d; /os-release/d' "$work/bundle/config.json"
cp -a out/samples/busybox "$work/sleeper"
sed -i 's|"/bin/sh",|"/bin/sleep", "100"|; /"-c",/d; /os-release/d' "$work/sleeper/config.json"
edge="$work/bin/edge"
"$edge" --store "$work/store" load out/samples/busybox-image.tar >/dev/null
cat > "$work/paths.sh" <<SH
#!/bin/sh
# paths.sh EDGE ROUNDS
E="\$1 --root $work/state"
\$1 --version >/dev/null
for i in \$(seq 1 \$2); do
    \$E run --bundle $work/bundle r\$i >/dev/null
    \$E create --bundle $work/sleeper c\$i && \$E start c\$i
    \$E state c\$i >/dev/null; \$E list >/dev/null; \$E ps c\$i >/dev/null
    \$E exec c\$i /bin/true
    \$E kill c\$i KILL; \$E delete -f c\$i
    \$1 --store $work/store --root $work/state run --rm localhost/edge-samples/busybox:latest true >/dev/null
done
SH
chmod +x "$work/paths.sh"
perf record -q -F 40000 -e cpu-clock:u --call-graph fp -o "$work/perf.data" -- "$work/paths.sh" "$edge" 30 >/dev/null 2>&1
perf script -i "$work/perf.data" -F ip,sym,dso --no-demangle 2>/dev/null > "$work/samples.txt"

python3 - "$map" "$work/samples.txt" "$edge" "$work/methods.txt" > "$work/sampled.txt" <<'PY'
import html, re, sys
map_file, samples, binary, methods_file = sys.argv[1:5]
methods = set()
for line in open(map_file, encoding="utf-8"):
    if line.lstrip().startswith("<MethodCode"):
        m = re.search(r'Name="([^"]*)"', line)
        if m:
            methods.add(html.unescape(m.group(1)))
# ILC's own methods, for pass 2.
with open(methods_file, "w", encoding="utf-8") as f:
    f.write("\n".join(sorted(methods)))
seen, order, chain = set(), [], []

def flush():
    # Outermost frame first: a caller is laid out before what it calls.
    for name in reversed(chain):
        if name in methods and name not in seen:
            seen.add(name)
            order.append(name)

for line in open(samples, encoding="utf-8", errors="replace"):
    parts = line.split()
    if not parts:
        flush()
        chain.clear()
        continue
    if len(parts) >= 3 and parts[-1] == "(" + binary + ")":
        chain.append(parts[1].split("+")[0])
flush()
print("\n".join(order))
PY

# Pass 2: pages.
dotnet publish src/Edge.Cli/Edge.Cli.csproj -c Release -r linux-x64 -o "$work/bin2" -nologo -clp:NoSummary -v:quiet \
    -p:StripSymbols=false -p:EdgeHotMethodsFile="$work/sampled.txt"
truncate -s 256M "$work/ra.img"
mkfs.ext4 -q "$work/ra.img"
mkdir "$work/ra"
mount -o loop "$work/ra.img" "$work/ra"
echo 0 > "/sys/block/$(basename "$(findmnt -no SOURCE "$work/ra")")/queue/read_ahead_kb"
cp "$work/bin2/edge" "$work/ra/edge"
sync "$work/ra/edge"
python3 -c 'import os,sys; fd=os.open(sys.argv[1],os.O_RDONLY); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED)' "$work/ra/edge"
"$work/paths.sh" "$work/ra/edge" 1 >/dev/null 2>&1
python3 - "$work/ra/edge" "$work/sampled.txt" "$work/methods.txt" toolchain/edge-hot-methods.txt <<'PY'
import mmap, subprocess, sys
binary, sampled, methods_file, methods_out = sys.argv[1:5]
# Which pages of the file are in the page cache: mincore on a fresh read-only map (mapping faults nothing in).
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
size = os.path.getsize(binary)
npages = (size + 4095) // 4096
fd = os.open(binary, os.O_RDONLY)
mapped = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
vec = (ctypes.c_ubyte * npages)()
if libc.mincore(ctypes.c_void_p(mapped), ctypes.c_size_t(size), vec) != 0:
    sys.exit("hot-methods: mincore failed: errno %d" % ctypes.get_errno())
touched_offsets = [i * 4096 for i in range(npages) if vec[i] & 1]

def load_segments():
    out = subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True, check=True).stdout
    segs = []
    for line in out.splitlines():
        p = line.split()
        if p and p[0] == "LOAD":
            segs.append((int(p[1], 16), int(p[2], 16), int(p[4], 16)))
    return segs

def section(name):
    out = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        p = line.replace("[ ", "[").split()
        if len(p) > 4 and p[1] == name:
            return int(p[3], 16), int(p[3], 16) + int(p[5], 16)
    sys.exit("hot-methods: no section " + name)

pages = set()
for off in touched_offsets:
    for o, v, sz in load_segments():
        if (o & ~0xFFF) <= off < o + sz:
            pages.add((v + off - o) >> 12)
syms = []
for line in subprocess.run(["nm", "-n", binary], capture_output=True, text=True, check=True).stdout.splitlines():
    p = line.split()
    if len(p) == 3 and p[1] in "tTwW":
        syms.append((int(p[0], 16), p[2]))

def on_touched_pages(lo, hi):
    names = []
    inside = [s for s in syms if lo <= s[0] < hi]
    for i, (a, name) in enumerate(inside):
        end = inside[i + 1][0] if i + 1 < len(inside) else hi
        if any(pg in pages for pg in range(a >> 12, ((max(end, a + 1) - 1) >> 12) + 1)):
            names.append(name)
    return names

methods = set(open(methods_file, encoding="utf-8").read().split("\n"))
order = [l.strip() for l in open(sampled) if l.strip()]
known = set(order)
extra = [n for n in on_touched_pages(*section("__managedcode")) if n in methods and n not in known]
with open(methods_out, "w") as f:
    f.write("\n".join(order + extra) + "\n")
print(f"hot-methods: {len(order)} sampled + {len(extra)} from touched pages = {len(order) + len(extra)} methods "
      f"in {methods_out}")
PY

