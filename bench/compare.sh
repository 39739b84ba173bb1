#!/usr/bin/env bash
# Two edge binaries, interleaved with crun, on the lifecycle of /bin/true in the busybox bundle: `run`, and
# create + start + delete -f. For "what did this change cost": BASELINE=path/to/old/edge bench/compare.sh
# (build the old one from a worktree of the commit before). Writes bench/results/compare.md, or $OUT.
# SPEC=runc uses the default config `runc spec` writes instead of the project's sample. COPIES=N measures N copies
# of each edge binary, each its own row (old-1, old-2, ...): two copies of one binary, made seconds apart, have
# differed by 258 KiB of peak RSS (which page-cache folios they land in), more than many changes are worth.
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
mkdir -p out/bench
gcc -O2 -static -o out/bench/hide-cgroup2 bench/tools/hide-cgroup2.c
wrap="$top/out/bench/hide-cgroup2"
for rt in "${runtimes[@]}"; do
    mkdir -p "$work/root-$rt"
    bin="$work/edge-$rt"; [[ $rt == crun ]] && bin=crun
    cat > "$work/cycle-$rt" <<SH
#!/bin/sh
$bin --root $work/root-$rt create --bundle $work/bundle c\$\$ && $bin --root $work/root-$rt start c\$\$ && exec $bin --root $work/root-$rt delete -f c\$\$
SH
    chmod +x "$work/cycle-$rt"
done

{
    echo "# edge before and after a change, with crun"
    echo
    echo "Produced by \`BASELINE=... bench/compare.sh\` on $(date -u +%F): old = $("$baseline" --version | sed -n 2p), new = $(out/edge --version | sed -n 2p)."
    echo "/bin/true in the busybox sample bundle, every command in bench/tools/hide-cgroup2 (see lifecycle.md)."
    echo
} > "$out"
run_commands=() cycle_commands=()
for rt in "${runtimes[@]}"; do
    bin="$work/edge-$rt"; [[ $rt == crun ]] && bin=crun
    run_commands+=("$rt-run=$wrap $bin --root $work/root-$rt run --bundle $work/bundle r-$rt")
    cycle_commands+=("$rt-cycle=$wrap $work/cycle-$rt")
done
python3 bench/procbench.py --rounds "$rounds" --baseline "${runtimes[0]}-run" --title "run" --markdown "$out" "${run_commands[@]}"
python3 bench/procbench.py --rounds "$rounds" --baseline "${runtimes[0]}-cycle" --title "create + start + delete -f" --markdown "$out" \
    "${cycle_commands[@]}"
echo "compare: $out"
