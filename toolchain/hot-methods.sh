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
# How: an unstripped build with ILC's map file, then perf samples (40 kHz, frame-pointer call chains) of
# `run`, `create`/`start`/`state`/`kill`/`delete`, `exec`, `ps`, `list` on the busybox bundle and
# `run --rm IMAGE` from a store. Every frame of every sample counts, so a method that only calls others is
# listed too; only names of ILC's own methods (MethodCode in the map) are kept.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export PATH="$top/.toolchain/bin:$PATH"
command -v perf >/dev/null || { echo "hot-methods: perf is missing (apt-get install linux-perf)" >&2; exit 2; }
[[ -d out/samples/busybox/rootfs && -f out/samples/busybox-image.tar ]] || { echo "hot-methods: run ./build.sh test first (out/samples)" >&2; exit 2; }

work=$(mktemp -d /tmp/edge-hot-XXXXXX)
trap 'rm -rf "$work"' EXIT
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
E="$edge --root $work/state"
for i in \$(seq 1 30); do
    \$E run --bundle $work/bundle r\$i >/dev/null
    \$E create --bundle $work/sleeper c\$i && \$E start c\$i
    \$E state c\$i >/dev/null; \$E list >/dev/null; \$E ps c\$i >/dev/null
    \$E exec c\$i /bin/true
    \$E kill c\$i KILL; \$E delete -f c\$i
    $edge --store $work/store --root $work/state run --rm localhost/edge-samples/busybox:latest true >/dev/null
done
SH
chmod +x "$work/paths.sh"
perf record -q -F 40000 -e cpu-clock:u --call-graph fp -o "$work/perf.data" -- "$work/paths.sh" >/dev/null 2>&1
perf script -i "$work/perf.data" -F ip,sym,dso --no-demangle 2>/dev/null > "$work/samples.txt"

python3 - "$map" "$work/samples.txt" "$edge" > toolchain/edge-hot-methods.txt <<'PY'
import html, re, sys
map_file, samples, binary = sys.argv[1:4]
methods = set()
for line in open(map_file, encoding="utf-8"):
    if line.lstrip().startswith("<MethodCode"):
        m = re.search(r'Name="([^"]*)"', line)
        if m:
            methods.add(html.unescape(m.group(1)))
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
echo "hot-methods: $(wc -l < toolchain/edge-hot-methods.txt) methods in toolchain/edge-hot-methods.txt"
