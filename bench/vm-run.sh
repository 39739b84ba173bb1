#!/usr/bin/env bash
# edge, crun and runc on cgroup v2 alone, in VMs: `run` of /bin/true on the busybox sample, interleaved
# (tests/vm/bench-run.sh), on x64 (toolchain/cgroup2-vm.sh --bench) and on arm64 (toolchain/arm64-vm.sh --bench),
# both Debian's 6.1 kernel with its defaults. Most devices run cgroup v2 alone, which this hybrid host cannot;
# and the two VMs differ only in the architecture, which separates it from the kernel. Software emulation (TCG)
# makes absolute times meaningless; ratios within one VM compare the runtimes, and peak RSS is exact.
# Writes bench/results/vm-run.md (or $OUT). ROUNDS (default 25) per runtime and architecture.
#   ARCHS="x64 arm64" (default) picks the VMs.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
rounds="${ROUNDS:-25}"
out="${OUT:-bench/results/vm-run.md}"
archs="${ARCHS:-x64 arm64}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for arch in $archs; do
    case "$arch" in
        x64) [[ -x out/edge ]] || { echo "bench/vm-run.sh: out/edge missing: ./build.sh build" >&2; exit 2; }
             bash toolchain/cgroup2-vm.sh --bench "$rounds" --timeout 900 > "$work/x64.log" ;;
        arm64) [[ -x out/arm64/edge ]] || { echo "bench/vm-run.sh: out/arm64/edge missing: ./build.sh --arch arm64 build" >&2; exit 2; }
               bash toolchain/arm64-vm.sh --bench "$rounds" --timeout 900 > "$work/arm64.log" ;;
        *) echo "bench/vm-run.sh: unknown architecture \"$arch\" (x64, arm64)" >&2; exit 2 ;;
    esac
done

python3 - "$work" "$out" "$rounds" "$archs" <<'PY'
import datetime, os, statistics, sys
work, out, rounds, archs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split()
machines = {"x64": "qemu-system-x86_64 (q35, -cpu max), Debian's linux-image-amd64",
            "arm64": "qemu-system-aarch64 (virt, cortex-a57), Debian's linux-image-arm64"}
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
lines = ["# `run` on cgroup v2 alone, x64 and arm64, in VMs\n",
         f"Produced by `bench/vm-run.sh` on {now}: `run` of /bin/true on the busybox sample, {rounds} interleaved rounds",
         "per runtime (tests/vm/bench-run.sh), in VMs booted from an initramfs (toolchain/cgroup2-vm.sh, toolchain/arm64-vm.sh):",
         "TCG, 1 vCPU, cgroup2 alone at /sys/fs/cgroup, the kernel's defaults (fault-around 64 KiB, THP always), no",
         "/etc/passwd. crun and runc are Debian's packages for each architecture. Times come from bench/tools/measure.c",
         "(wall clock around fork+exec+wait), peak RSS from wait4. Emulation makes absolute times meaningless; the ratios",
         "within one VM compare the runtimes. Peak RSS does not depend on the emulation.\n"]
for arch in archs:
    runs, kernel, size = {}, "?", 0
    for line in open(os.path.join(work, arch + ".log"), encoding="utf-8", errors="replace"):
        line = line.replace("\r", "")
        parts = line[line.find("EDGE-VM"):].split() if "EDGE-VM" in line else []
        if parts[:2] == ["EDGE-VM", "BOOTED"] and len(parts) >= 4:
            kernel = parts[3]
        if len(parts) == 6 and parts[:2] == ["EDGE-VM", "BENCH"]:
            if parts[2] == "edge-size":
                size = int(parts[3])
            elif parts[2].endswith("-run"):
                runs.setdefault(parts[2][:-4], []).append((int(parts[3]) / 1e6, int(parts[4]), int(parts[5])))
    if set(runs) != {"edge", "crun", "runc"}:
        sys.exit(f"bench/vm-run.sh: the {arch} VM did not report all three runtimes: {sorted(runs)}")
    failed = {n: sum(1 for r in v if r[2] != 0) for n, v in runs.items()}
    if any(failed.values()):
        sys.exit(f"bench/vm-run.sh: {arch}: runs failed: {failed}")
    base = statistics.median(r[0] for r in runs["edge"])
    lines.append(f"## {arch}: {machines[arch]} {kernel}\n")
    lines.append("| runtime | median ms | p10 ms | p90 ms | peak RSS KiB (median) | ratio to edge |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    for name in ("edge", "crun", "runc"):
        ms = sorted(r[0] for r in runs[name])
        q = statistics.quantiles(ms, n=10)
        rss = statistics.median(r[1] for r in runs[name])
        lines.append(f"| {name} | {statistics.median(ms):.1f} | {q[0]:.1f} | {q[-1]:.1f} | {rss:.0f} | {statistics.median(ms) / base:.2f} |")
    lines.append(f"\nedge binary: {size:,} bytes.\n")
with open(out, "w") as f:
    f.write("\n".join(lines))
print("bench/vm-run.sh: " + out)
PY
