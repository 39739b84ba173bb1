#!/usr/bin/env bash
# What CPUID costs edge's start here, the measurement behind size.md's tenth round: the cost of one CPUID
# (bench/tools/cpuid-cost.c; a virtual machine traps each), how many a start-up runs (bench/tools/count-cpuid.py,
# under gdb), and an empty static glibc program against an empty program without libc. x86-64 only.
# Writes bench/results/cpuid.md (or $OUT).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out="${OUT:-bench/results/cpuid.md}"
rounds="${ROUNDS:-200}"
[[ $(uname -m) == x86_64 ]] || { echo "cpuid: x86-64 only (arm64 has no CPUID instruction)" >&2; exit 2; }
[[ -x out/edge && -f out/edge.map ]] || { echo "cpuid: out/edge or out/edge.map missing: ./build.sh build" >&2; exit 2; }
command -v gdb > /dev/null || { echo "cpuid: gdb missing: apt-get install gdb" >&2; exit 2; }
work=$(mktemp -d /tmp/edge-cpuid-XXXXXX)
trap 'rm -rf "$work"' EXIT
gcc -O2 -o "$work/cpuid-cost" bench/tools/cpuid-cost.c
echo 'int main(void) { return 0; }' > "$work/empty.c"
gcc -O2 -static -o "$work/empty-glibc" "$work/empty.c"
echo 'void _start(void) { __asm__ volatile("mov $60, %%eax; xor %%edi, %%edi; syscall" ::: "memory"); }' > "$work/bare.c"
gcc -O2 -static -nostdlib -o "$work/empty-bare" "$work/bare.c"
cp out/edge "$work/edge"

# count PROGRAM ARGS...: the CPUIDs a run executes, by function (a stripped edge's named through its map).
count() {
    local places
    places=$(gdb -q -batch -x bench/tools/count-cpuid.py --args "$@" 2> /dev/null | grep -E '^[0-9]+ at 0x|^cpuid:')
    [[ $1 == "$work/edge" ]] && places=$(python3 toolchain/symbolize.py "$work/edge" out/edge.map <<< "$places")
    # Lines are "COUNT at ADDRESS FUNCTION", or "COUNT at FUNCTION + OFFSET" once symbolized.
    awk '/^cpuid:/ { total = $2; next } { f = ($4 == "+" || $4 == "") ? $3 : $4; n[f] += $1 }
         END { for (f in n) printf "    %4d %s\n", n[f], f; printf "    %4d in all\n", total }' <<< "$places" | sort -rn
}
{
    echo "# What CPUID costs a start-up"
    echo
    echo "Produced by \`bench/cpuid.sh\` on $(date -u '+%F %H:%M UTC'), kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')."
    echo
    echo "One CPUID (bench/tools/cpuid-cost.c, mean of 2000):"
    echo
    "$work/cpuid-cost" | sed 's/^/    /'
    echo
    echo "CPUIDs an empty static glibc program runs (bench/tools/count-cpuid.py), by function:"
    echo
    count "$work/empty-glibc"
    echo
    echo "CPUIDs \`edge --version\` runs (every edge command starts the same way), by function:"
    echo
    count "$work/edge" --version
    echo
} > "$out"
python3 bench/procbench.py --rounds "$rounds" --baseline empty-bare --title "start-up" --markdown "$out" \
    "empty-bare=$work/empty-bare" "empty-glibc=$work/empty-glibc" "edge-version=$work/edge --version" \
    "crun-version=crun --version" > /dev/null
echo "cpuid: $out"
