#!/usr/bin/env bash
# Container lifecycle of /bin/true in the busybox bundle (issue 3): `run`, and `create`+`start`+`delete -f`
# (youki's method), for edge, crun and runc, interleaved; then crun's method (100 sequential containers).
# crun 1.8 refuses this host's hybrid cgroups, so every runtime runs through the same wrapper that hides
# the cgroup2 mount (an unshared mount namespace): the wrapper costs all three the same.
# Writes bench/results/lifecycle.{md,json}.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
rounds="${ROUNDS:-30}"

work=$(mktemp -d /tmp/edge-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -a out/samples/busybox "$work/bundle"
sed -i 's|"/bin/sh",|"/bin/true"|; /"-c",/d; /os-release/d' "$work/bundle/config.json"
edge="$top/out/edge"

# The wrapper: a private mount namespace without /sys/fs/cgroup/unified (bench/tools/hide-cgroup2.c).
wrap=$(bench/tools/build-hide-cgroup2.sh)
for rt in edge crun runc; do mkdir -p "$work/root-$rt"; done
bin_edge="$edge"; bin_crun=crun; bin_runc=runc

# Commands per runtime and scenario: `run` is the runtime alone (no shell); the other two need a shell
# for their sequence. Ids have 64 characters, as Docker, containerd and podman give (what code runs can depend
# on their length); every container is gone before the next starts.
id=$(printf 'c%063d' 1) prefix=$(printf 'h%059d' 0)
for rt in edge crun runc; do
    bin_var="bin_$rt"; bin="${!bin_var}"
    cat > "$work/cycle-$rt" <<SH
#!/bin/sh
$bin --root $work/root-$rt create --bundle $work/bundle $id && $bin --root $work/root-$rt start $id && exec $bin --root $work/root-$rt delete -f $id
SH
    cat > "$work/hundred-$rt" <<SH
#!/bin/sh
i=0; while [ \$i -lt 100 ]; do $bin --root $work/root-$rt run --bundle $work/bundle $prefix\$i || exit 1; i=\$((i+1)); done
SH
    chmod +x "$work/cycle-$rt" "$work/hundred-$rt"
done

# Every runtime's files leave the page cache first, so that each is faulted in by its own first run, as after
# a boot: out/edge is run where the build wrote it, and how a file entered the page cache moves edge's peak
# RSS by up to 650 KiB (bench/results/size.md, "Tenth round").
sync
python3 toolchain/evict.py --with-libraries "$edge" crun runc /bin/sh

md=bench/results/lifecycle.md
{
    echo "# Container lifecycle: edge vs crun vs runc"
    echo
    echo "Produced by \`bench/lifecycle.sh\` on $(date -u +%F). /bin/true in the busybox sample bundle (pid, net, ipc,"
    echo "uts, mount namespaces, read-only rootfs, the default mounts and masked paths). Every command runs in"
    echo "the same wrapper, bench/tools/hide-cgroup2.c (a private mount namespace hiding cgroup2, which crun 1.8"
    echo "requires on this hybrid host; one exec without libc, where the shell wrapper used before cost about 16 ms)."
    echo "Peak RSS is the largest resident set of any process of the command (wrapper, shell, runtime), from wait4;"
    echo "every runtime's binary and libraries were evicted from the page cache first and faulted in by the warm-up runs."
    echo "edge $(out/edge --version | head -1 | cut -d' ' -f3), crun $(crun --version | head -1 | cut -d' ' -f3), runc $(runc --version | head -1 | cut -d' ' -f3)."
    echo
} > "$md"

python3 bench/procbench.py --rounds "$rounds" --baseline crun-run --title "run (create, start, wait, delete)" --markdown "$md" --json bench/results/lifecycle-run.json \
    "crun-run=$wrap crun --root $work/root-crun run --bundle $work/bundle $(printf 'r%063d' 1)" \
    "edge-run=$wrap $edge --root $work/root-edge run --bundle $work/bundle $(printf 'r%063d' 2)" \
    "runc-run=$wrap runc --root $work/root-runc run --bundle $work/bundle $(printf 'r%063d' 3)"
python3 bench/procbench.py --rounds "$rounds" --baseline crun-cycle --title "create + start + delete -f (youki's method)" --markdown "$md" --json bench/results/lifecycle-cycle.json \
    "crun-cycle=$wrap $work/cycle-crun" "edge-cycle=$wrap $work/cycle-edge" "runc-cycle=$wrap $work/cycle-runc"
python3 bench/procbench.py --rounds "${HUNDRED_ROUNDS:-5}" --warmup 0 --baseline crun-100 --title "100 sequential containers (crun's method), total" --markdown "$md" --json bench/results/lifecycle-100.json \
    "crun-100=$wrap $work/hundred-crun" "edge-100=$wrap $work/hundred-edge" "runc-100=$wrap $work/hundred-runc"

# The runtime process alone (no wrapper, no shell): peak RSS of `run` for edge and runc (crun needs the wrapper here).
python3 bench/procbench.py --rounds 10 --baseline runc --title "peak RSS of the runtime process itself (run)" --markdown "$md" \
    "runc=runc --root $work/root-runc run --bundle $work/bundle $(printf 's%063d' 3)" "edge=$edge --root $work/root-edge run --bundle $work/bundle $(printf 's%063d' 2)"

# What the resident set is made of: each runtime's foreground `run` while its container sleeps, from
# /proc/PID/smaps_rollup. "Anonymous" is the process's own memory; the rest of Rss is clean pages of its
# binary and libraries (shared with every other process that maps them, and reclaimable).
cp -a "$work/bundle" "$work/sleeper"
sed -i 's|"/bin/true"|"/bin/sleep", "2"|' "$work/sleeper/config.json"
resident() { # NAME PATTERN COMMAND...: start COMMAND, sample the process whose command line matches PATTERN
    local name=$1 pattern=$2; shift 2
    "$@" >/dev/null 2>&1 &
    local launcher=$! pid="" i
    for i in $(seq 1 50); do
        sleep 0.02
        pid=$(pgrep -f -- "$pattern" | head -1 || true)
        [[ -n "$pid" ]] && grep -q '^Rss' "/proc/$pid/smaps_rollup" 2>/dev/null && break
    done
    sleep 0.5
    awk -v n="$name" '/^Rss:/{r=$2} /^Anonymous:/{a=$2} /^Pss_File:/{f=$2} END {printf "| %s | %d | %d | %d |\n", n, r, a, f}' "/proc/$pid/smaps_rollup"
    wait "$launcher" || true
}
{
    echo
    echo "## resident set while the container runs (KiB, smaps_rollup)"
    echo
    echo "| runtime | Rss | Anonymous | Pss_File |"
    echo "|---|---:|---:|---:|"
    resident edge "root-edge run --bundle $work/sleeper" "$edge" --root "$work/root-edge" run --bundle "$work/sleeper" sleep-edge
    resident crun "root-crun run --bundle $work/sleeper" "$wrap" crun --root "$work/root-crun" run --bundle "$work/sleeper" sleep-crun
    resident runc "root-runc run --bundle $work/sleeper" runc --root "$work/root-runc" run --bundle "$work/sleeper" sleep-runc
} >> "$md"
