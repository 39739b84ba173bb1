#!/usr/bin/env bash
# Two edge binaries, interleaved with crun, on the lifecycle of /bin/true in the busybox bundle: `run`, and
# create + start + delete -f. For "what did this change cost": BASELINE=path/to/old/edge bench/compare.sh
# (build the old one from a worktree of the commit before). Writes bench/results/compare.md, or $OUT.
# SPEC=runc uses the default config `runc spec` writes instead of the project's sample. COPIES=N measures N copies
# of each edge binary, each its own row (old-1, old-2, ...): two copies of one binary, made seconds apart, have
# differed by 258 KiB of peak RSS (which page-cache folios they land in), more than many changes are worth.
# STATE=read evicts every runtime's files first, so each is faulted in by its own first run (as after a boot);
# the default measures edge's binaries as cp wrote them.
# GAP=S sleeps S seconds (untimed) before every command: container starts that are not back to back, after
# which the kernel's cgroup rwsem is back on its fast path and a runtime that moves its init by writing
# cgroup.procs waits an RCU grace period (size.md, "Twelfth round"); without it the runtimes run back to back.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
baseline="${BASELINE:?BASELINE=path to the edge binary to compare out/edge with}"
rounds="${ROUNDS:-40}"
out="${OUT:-bench/results/compare.md}"

work=$(mktemp -d /tmp/edge-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -a out/samples/busybox "$work/bundle"
if [[ "${SPEC:-sample}" == runc ]]; then
    # The default bundle `runc spec` writes (no terminal), on the same busybox rootfs.
    rm "$work/bundle/config.json"
    (cd "$work/bundle" && runc spec)
    sed -i 's|"terminal": true|"terminal": false|; s|"sh"|"/bin/true"|' "$work/bundle/config.json"
else
    sed -i 's|"/bin/sh",|"/bin/true"|; /"-c",/d; /os-release/d' "$work/bundle/config.json"
fi
copies="${COPIES:-1}"
runtimes=()
for i in $(seq 1 "$copies"); do
    suffix=""; [[ $copies == 1 ]] || suffix="-$i"
    cp "$baseline" "$work/edge-old$suffix"
    cp out/edge "$work/edge-new$suffix"
    runtimes+=("old$suffix" "new$suffix")
done
runtimes+=(crun)
if [[ ${STATE:-copied} == read ]]; then
    # Every runtime's files leave the page cache, so that each enters it as an installed binary does after a
    # boot: faulted in by its first run (the warm-up), not written by cp. How a file entered the page cache
    # moves the pages each fault maps: edge's peak RSS by up to 650 KiB, crun's by 80 (size.md, "Tenth round").
    sync
    python3 toolchain/evict.py --with-libraries "$work"/edge-* crun
fi
wrap=$(bench/tools/build-hide-cgroup2.sh)
# Ids of 64 characters, as Docker, containerd and podman give (what code runs can depend on their length).
id=$(printf 'c%063d' 1)
for rt in "${runtimes[@]}"; do
    mkdir -p "$work/root-$rt"
    bin="$work/edge-$rt"; [[ $rt == crun ]] && bin=crun
    cat > "$work/cycle-$rt" <<SH
#!/bin/sh
$bin --root $work/root-$rt create --bundle $work/bundle $id && $bin --root $work/root-$rt start $id && exec $bin --root $work/root-$rt delete -f $id
SH
    chmod +x "$work/cycle-$rt"
done

{
    echo "# edge before and after a change, with crun"
    echo
    echo "Produced by \`BASELINE=... bench/compare.sh\` on $(date -u +%F): old = $("$baseline" --version | sed -n 2p), new = $(out/edge --version | sed -n 2p)."
    bundle="the busybox sample bundle"; [[ ${SPEC:-sample} == runc ]] && bundle="the bundle \`runc spec\` writes, on the busybox rootfs"
    state="edge's binaries as cp wrote them"; [[ ${STATE:-copied} == read ]] && state="every runtime's files evicted first, faulted in by the warm-up"
    gap=""; [[ -n ${GAP:-} ]] && gap="; ${GAP} s of sleep (untimed) before every command"
    echo "/bin/true in $bundle; $state$gap; every command in bench/tools/hide-cgroup2 (see lifecycle.md)."
    echo
} > "$out"
run_commands=() cycle_commands=() n=0
for rt in "${runtimes[@]}"; do
    bin="$work/edge-$rt"; [[ $rt == crun ]] && bin=crun
    n=$((n + 1))
    run_commands+=("$rt-run=$wrap $bin --root $work/root-$rt run --bundle $work/bundle $(printf 'r%063d' $n)")
    cycle_commands+=("$rt-cycle=$wrap $work/cycle-$rt")
done
before=(); [[ -n ${GAP:-} ]] && before=(--before "sleep ${GAP}")
python3 bench/procbench.py --rounds "$rounds" "${before[@]}" --baseline "${runtimes[0]}-run" --title "run" --markdown "$out" "${run_commands[@]}"
python3 bench/procbench.py --rounds "$rounds" "${before[@]}" --baseline "${runtimes[0]}-cycle" --title "create + start + delete -f" --markdown "$out" \
    "${cycle_commands[@]}"
echo "compare: $out"
