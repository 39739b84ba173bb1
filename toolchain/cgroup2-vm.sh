#!/usr/bin/env bash
# Runs the cgroup v2 scenarios (tests/vm/cgroup2-scenarios.sh) in a throwaway VM: Debian's kernel
# (linux-image-amd64) under qemu-system-x86_64 with software emulation, an initramfs holding out/edge,
# busybox, the busybox sample bundle, and crun and runc with their libraries for the differential checks.
# cgroup2 is mounted alone at /sys/fs/cgroup (cgroup_no_v1=all), which this hybrid host cannot offer.
#
#   toolchain/cgroup2-vm.sh [--timeout SECONDS] [--kernel VMLINUZ] [--edge BINARY] [--bench ROUNDS | --trace DIR]
#
# --bench runs tests/vm/bench-run.sh instead of the scenarios: `run` of /bin/true for edge, crun and runc,
# interleaved, one "EDGE-VM BENCH <runtime>-run <wall ns> <peak RSS KiB> <exit>" line per run (bench/vm-run.sh).
# --trace runs tests/vm/bench-run.sh's trace instead: the functions of the edge binary that `run` and the
# lifecycle's verbs enter, from a one-shot breakpoint on each address in DIR/sites (toolchain/entered-functions.c),
# written to DIR/run.hits and DIR/cycle.hits (toolchain/hot-methods.sh).
#
# The serial console is copied to stdout; each scenario prints "EDGE-VM RESULT <name> PASS|FAIL <detail>".
# Exits 0 when the VM finished and every scenario passed, 1 on a failed scenario, 2 when the VM did not
# finish (timeout or crash). Needs root only for nothing: it runs as any user once out/edge exists.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

timeout_s=480
kernel=""
edge=out/edge
bench=0
trace=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --timeout) timeout_s="$2"; shift 2 ;;
        --kernel) kernel="$2"; shift 2 ;;
        --edge) edge="$2"; shift 2 ;;
        --bench) bench="$2"; shift 2 ;;
        --trace) trace="$2"; shift 2 ;;
        *) echo "cgroup2-vm: unknown argument \"$1\"" >&2; exit 2 ;;
    esac
done

[[ -x "$edge" ]] || { echo "cgroup2-vm: $edge is missing: run ./build.sh build first" >&2; exit 2; }
if [[ -z "$kernel" ]]; then
    kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1 || true)
fi
[[ -r "$kernel" ]] || { echo "cgroup2-vm: no kernel in /boot (apt-get install linux-image-amd64)" >&2; exit 2; }
command -v qemu-system-x86_64 >/dev/null || { echo "cgroup2-vm: qemu-system-x86_64 missing (apt-get install qemu-system-x86)" >&2; exit 2; }
[[ -d out/samples/busybox/rootfs ]] || bash rootfs-samples/build-busybox.sh out/samples/busybox >/dev/null

work=$(mktemp -d /tmp/edge-vm-XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/initramfs"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,run,tmp,etc,lib,lib64,usr/bin}

# The VM's own userland: busybox, edge, and the reference runtimes with the shared libraries they load.
cp "$(command -v busybox)" "$root/bin/busybox"
cp "$edge" "$root/bin/edge"
copy_with_libs() {
    local bin="$1" lib
    cp "$bin" "$root/bin/"
    for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
}
for rt in crun runc; do
    if command -v "$rt" >/dev/null; then copy_with_libs "$(command -v "$rt")"; fi
done
cp -a out/samples/busybox/rootfs "$root/rootfs"
cp tests/vm/cgroup2-scenarios.sh "$root/scenarios.sh"
# The AppArmor scenario's profile, compiled here (the VM has no apparmor_parser) for the VM's kernel to load.
mkdir -p "$root/apparmor"
if command -v apparmor_parser >/dev/null; then
    apparmor_parser -Q -S tests/vm/edge-test.apparmor > "$root/apparmor/edge-test.bin" 2>/dev/null || rm -f "$root/apparmor/edge-test.bin"
fi

source "$top/toolchain/vm-initramfs.sh"
vm_measurement "$root" gcc "$bench" "$trace"
vm_boot_scripts "$root" "/bin /sbin /etc /lib /lib64 /usr /rootfs /scenarios.sh /apparmor /bench-rounds /measure /sites /entered-functions"

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initramfs.gz"

# -cpu max: the Native AOT image uses the SSE4/AVX instructions a real x86-64-v2+ machine has.
# -smp 1: with two emulated vCPUs on this 2-core host, one vCPU once spun in the guest kernel for the whole
# timeout (soft lockups, most likely waiting on a lock the starved other vCPU held); one vCPU cannot.
log="$work/console.log"
set +e
timeout --foreground "$timeout_s" qemu-system-x86_64 \
    -machine q35 -cpu max -smp 1 -m 1024 \
    -nographic -no-reboot -monitor none -serial stdio -display none -net none \
    -kernel "$kernel" -initrd "$work/initramfs.gz" \
    -append "console=ttyS0 rdinit=/init panic=-1 quiet loglevel=3 cgroup_no_v1=all" </dev/null | tee "$log"
status=${PIPESTATUS[0]}
set -e
source "$top/toolchain/vm-console.sh"
if [[ "$bench" != 0 || -n "$trace" ]]; then
    vm_measured cgroup2-vm "$log" "$status" "$trace"
    exit $?
fi
vm_tally cgroup2-vm "$log" "$status" "$timeout_s"
