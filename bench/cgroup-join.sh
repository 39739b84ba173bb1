#!/usr/bin/env bash
# What putting a new process into a cgroup costs, by each way a runtime can (bench/tools/cgroup-move-cost.c):
# the measurement behind size.md's twelfth round and Cgroups/CgroupJoin.cs. Rounds spaced GAP ms apart (the
# kernel's threadgroup rwsem goes back to its fast path in between, as between container starts that are not
# back to back), then back to back. Needs root, a v1 hierarchy with pids (the tasks mode) and a cgroup2 mount
# (clone-into); a mode without its hierarchy is left out. Writes bench/results/cgroup-join.md (or $OUT).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out="${OUT:-bench/results/cgroup-join.md}"
rounds="${ROUNDS:-30}"
gap="${GAP:-60}"
[[ $(id -u) == 0 ]] || { echo "cgroup-join: needs root" >&2; exit 2; }
work=$(mktemp -d /tmp/edge-cgjoin-XXXXXX)
v1=""; v2=""
cleanup() {
    for d in "$v1" "$v2"; do [[ -n $d ]] && rmdir "$d" 2> /dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
gcc -O2 -o "$work/cost" bench/tools/cgroup-move-cost.c
name="edge-bench-cgjoin-$$"
# mount point (field 5) of the first mount of TYPE whose super options match PATTERN (after " - ": type, source, options).
mount_of() { awk -v t="$1" -v p="$2" '{ split($0, h, " - "); split(h[2], f, " ") } f[1] == t && f[3] ~ p { print $5; exit }' /proc/self/mountinfo; }
v1root=$(mount_of cgroup '(^|,)pids(,|$)')
v2root=$(mount_of cgroup2 '')
[[ -n $v1root ]] && { v1="$v1root/$name"; mkdir "$v1"; }
[[ -n $v2root ]] && { v2="$v2root/$name"; mkdir "$v2"; }

# row MODE DIRECTORY GAP: one table row from ROUNDS placements.
row() {
    sort -n | awk -v mode="$1" -v gap="$2" '{ t[NR] = $1 } END {
        p90 = int(NR * 0.9); if (p90 < 1) p90 = 1
        printf "| %s | %d | %.3f | %.3f | %.3f |\n", mode, gap, t[int((NR + 1) / 2)], t[int(NR * 0.1) + 1], t[p90] }'
}
{
    echo "# What putting a new process into a cgroup costs"
    echo
    echo "Produced by \`bench/cgroup-join.sh\` on $(date -u '+%F %H:%M UTC'), kernel $(uname -r), $(nproc) cores, $rounds rounds per row."
    echo "v1: ${v1:-none}; v2: ${v2:-none}. A gap of $gap ms between rounds lets the kernel's threadgroup rwsem"
    echo "return to its fast path, as between container starts that are not back to back; 0 runs them back to back."
    echo
    echo "| how | gap ms | median ms | p10 ms | p90 ms |"
    echo "|---|---:|---:|---:|---:|"
    for g in "$gap" 0; do
        for mode in parent-procs child-procs0 child-tasks0 clone-into; do
            dir=$v1
            [[ $mode == clone-into ]] && dir=$v2
            [[ -n $dir ]] || continue
            "$work/cost" "$mode" "$dir" "$rounds" "$g" | row "$mode" "$g"
        done
    done
    echo
    echo "parent-procs: the parent writes the child's pid to cgroup.procs (runc; crun on v1; edge before the twelfth"
    echo "round). child-procs0: the child writes \"0\" to cgroup.procs. child-tasks0: the child, one thread, writes"
    echo "\"0\" to a v1 \`tasks\` file (edge's init). clone-into: clone3(CLONE_INTO_CGROUP) into the v2 directory"
    echo "(edge's init; crun on v2). The first two write-lock cgroup_threadgroup_rwsem, whose first writer after a"
    echo "quiet spell waits an RCU grace period; the last two do not take it. clone-into times the whole clone3, the"
    echo "fork included; the others time only the write."
} > "$out"
cat "$out"
