#!/usr/bin/env bash
# edge, crun and runc on arm64: `run` of /bin/true on the arm64 busybox sample, interleaved, inside the arm64
# VM (toolchain/arm64-vm.sh --bench: Debian's arm64 kernel, crun 1.8.1 and runc 1.1.5 from Debian's arm64
# packages, cgroup v2). Software emulation (TCG) makes absolute times meaningless; ratios within one run
# still compare the runtimes. Writes bench/results/arm64.md (or $OUT). ROUNDS (default 25) per runtime.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
rounds="${ROUNDS:-25}"
out="${OUT:-bench/results/arm64.md}"

[[ -x out/arm64/edge ]] || { echo "bench/arm64.sh: out/arm64/edge missing: ./build.sh --arch arm64 build" >&2; exit 2; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
bash toolchain/arm64-vm.sh --bench "$rounds" --timeout 900 > "$log"

python3 - "$log" "$out" "$rounds" "$(stat -c %s out/arm64/edge)" "$(stat -c %s out/edge 2>/dev/null || echo 0)" <<'PY'
import statistics, sys, datetime
log, out, rounds, arm_size, x64_size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
runs = {}
for line in open(log, encoding="utf-8", errors="replace"):
    parts = line.strip().replace("\r", "").split()
    if len(parts) == 6 and parts[:2] == ["EDGE-VM", "BENCH"] and parts[2].endswith("-run"):
        name, ns, rss, code = parts[2], int(parts[3]), int(parts[4]), int(parts[5])
        runs.setdefault(name, []).append((ns / 1e6, rss, code))
if set(runs) != {"edge-run", "crun-run", "runc-run"}:
    sys.exit("bench/arm64.sh: the VM did not report all three runtimes: %s" % sorted(runs))
failed = {n: sum(1 for r in v if r[2] != 0) for n, v in runs.items()}
if any(failed.values()):
    sys.exit("bench/arm64.sh: runs failed: %s" % failed)
base = statistics.median(r[0] for r in runs["edge-run"])
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
with open(out, "w") as f:
    f.write("# arm64: edge, crun and runc in an arm64 VM\n\n")
    f.write(f"Produced by `bench/arm64.sh` on {now}: `run` of /bin/true on the arm64 busybox sample, {rounds} interleaved\n")
    f.write("rounds per runtime inside toolchain/arm64-vm.sh (Debian's arm64 kernel 6.1 under qemu-system-aarch64, virt,\n")
    f.write("cortex-a57, TCG, 1 vCPU, cgroup v2). crun 1.8.1 and runc 1.1.5 are Debian's arm64 packages. Times come from\n")
    f.write("bench/tools/measure.c (wall clock around fork+exec+wait), peak RSS from wait4. Emulation makes absolute\n")
    f.write("times meaningless; the ratios within this run compare the runtimes.\n\n")
    f.write("| runtime | median ms | p10 ms | p90 ms | peak RSS KiB (median) | ratio to edge |\n|---|---:|---:|---:|---:|---:|\n")
    for name in ("edge-run", "crun-run", "runc-run"):
        ms = sorted(r[0] for r in runs[name])
        q = statistics.quantiles(ms, n=10)
        rss = statistics.median(r[1] for r in runs[name])
        f.write(f"| {name[:-4]} | {statistics.median(ms):.1f} | {q[0]:.1f} | {q[-1]:.1f} | {rss:.0f} | {statistics.median(ms) / base:.2f} |\n")
    f.write(f"\nBinary size: arm64 `out/arm64/edge` {arm_size:,} bytes; x64 `out/edge` {x64_size:,} bytes.\n")
print("bench/arm64.sh: " + out)
PY
