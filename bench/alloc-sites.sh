#!/usr/bin/env bash
# Where `edge run` allocates managed memory, by the edge method that asked for it. On a VM every fresh page of
# heap is a costly first-touch fault (bench/results/size.md, sixth round), so bytes allocated are time and
# peak RSS. uprobes on the runtime's allocation helpers record each allocation's size and call chain:
#
#   bench/alloc-sites.sh [DEPTH] [-- EDGE_ARGS...]   (needs root and perf; default: run of the sample bundle)
#
# DEPTH edge frames name a site (1: the innermost). The count is close, not exact: allocations that bypass
# the fast helpers (RhpNewObject's own callers) are not seen.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export PATH="$top/.toolchain/bin:$PATH"
command -v perf >/dev/null || { echo "alloc-sites: perf is missing (apt-get install linux-perf)" >&2; exit 2; }
[[ -d out/samples/busybox/rootfs ]] || { echo "alloc-sites: run ./build.sh test first (out/samples)" >&2; exit 2; }
depth=1
if [[ $# -gt 0 && $1 != -- ]]; then depth=$1; shift; fi
[[ ${1:-} == -- ]] && shift

work=$(mktemp -d /tmp/edge-alloc-XXXXXX)
cleanup() { perf probe -q -d 'probe_edge*' >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
# Unstripped, so that uprobes find the helpers and perf names the managed frames (the project relinks when
# stripping changes, either way).
dotnet publish src/Edge.Cli/Edge.Cli.csproj -c Release -r linux-x64 -o "$work/bin" -nologo -clp:NoSummary -v:quiet -p:StripSymbols=false
edge="$work/bin/edge"
if [[ $# -eq 0 ]]; then
    cp -a out/samples/busybox "$work/bundle"
    sed -i 's|"/bin/sh",|"/bin/true"|; /"-c",/d; /os-release/d' "$work/bundle/config.json"
    set -- --root "$work/state" run --bundle "$work/bundle" alloc-sites
fi

# Each helper's first argument is the MethodTable: component size at +0, base size at +4. The helpers make no
# frame, so the caller is the return address on the stack (ret), not the first frame of the call chain.
perf probe -q -d 'probe_edge*' >/dev/null 2>&1 || true
perf probe -q -x "$edge" -a 'obj=RhpNewFast size=+4(%di):u32 ret=+0(%sp):x64'
perf probe -q -x "$edge" -a 'fin=RhpNewFinalizable size=+4(%di):u32 ret=+0(%sp):x64'
perf probe -q -x "$edge" -a 'arr=RhpNewArrayFast elem=+0(%di):u16 base=+4(%di):u32 len=%si:s64 ret=+0(%sp):x64'
perf probe -q -x "$edge" -a 'ptrs=RhpNewPtrArrayFast base=+4(%di):u32 len=%si:s64 ret=+0(%sp):x64'
perf probe -q -x "$edge" -a 'var=RhpNewVariableSizeObject elem=+0(%di):u16 base=+4(%di):u32 len=%si:s64 ret=+0(%sp):x64'
perf probe -q -x "$edge" -a 'str=RhNewString len=%si:s64 ret=+0(%sp):x64'
perf record -q -e 'probe_edge:*' -g -o "$work/perf.data" -- "$edge" "$@" >/dev/null 2>&1 || true
perf script -i "$work/perf.data" -F event,trace,ip,sym 2>/dev/null > "$work/allocations"
nm "$edge" > "$work/symbols"
python3 bench/tools/alloc-sites.py "$work/allocations" "$work/symbols" "$depth"
