#!/usr/bin/env bash
# Runs the arm64 scenarios (tests/vm/arm64-scenarios.sh, which also runs tests/vm/cgroup2-scenarios.sh) in a
# throwaway arm64 machine: Debian's arm64 kernel under qemu-system-aarch64 (machine virt, cortex-a57, software
# emulation), cgroup v2 only, with an initramfs holding out/arm64/edge, Debian's arm64 busybox, crun and runc
# with their libraries (differential checks), the arm64 sample bundle and the multi-architecture sample image.
# Everything arm64 comes from `toolchain/setup.sh --arm64` (.toolchain/arm64) and `./build.sh --arch arm64 build`.
#
#   toolchain/arm64-vm.sh [--timeout SECONDS] [--edge BINARY] [--bench ROUNDS | --trace DIR]
#
# --bench runs tests/vm/bench-run.sh instead of the scenarios: `run` of /bin/true for edge, crun and runc,
# interleaved, one "EDGE-VM BENCH <runtime>-run <wall ns> <peak RSS KiB> <exit>" line per run (bench/vm-run.sh).
# --trace runs tests/vm/bench-run.sh's trace instead: the functions of the edge binary that `run` and the
# lifecycle's verbs enter, from a one-shot breakpoint on each address in DIR/sites (toolchain/entered-functions.c),
# written to DIR/run.hits and DIR/cycle.hits (toolchain/hot-methods.sh).
# The serial console is copied to stdout; each scenario prints "EDGE-VM RESULT <name> PASS|FAIL <detail>".
# Exits 0 when the VM finished and every scenario passed, 1 on a failed scenario, 2 when it did not finish.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

timeout_s=420
edge=out/arm64/edge
bench=0
trace=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --timeout) timeout_s="$2"; shift 2 ;;
        --edge) edge="$2"; shift 2 ;;
        --bench) bench="$2"; shift 2 ;;
        --trace) trace="$2"; shift 2 ;;
        *) echo "arm64-vm: unknown argument \"$1\"" >&2; exit 2 ;;
    esac
done

arm=.toolchain/arm64/root
[[ -x "$edge" ]] || { echo "arm64-vm: $edge is missing: run ./build.sh --arch arm64 build first" >&2; exit 2; }
[[ -x "$arm/bin/busybox" ]] || { echo "arm64-vm: Debian's arm64 userland is missing: run toolchain/setup.sh --arm64" >&2; exit 2; }
kernel=$(ls "$arm"/boot/vmlinuz-* 2>/dev/null | sort -V | tail -1 || true)
[[ -r "$kernel" ]] || { echo "arm64-vm: no arm64 kernel in $arm/boot: run toolchain/setup.sh --arm64" >&2; exit 2; }
command -v qemu-system-aarch64 >/dev/null || { echo "arm64-vm: qemu-system-aarch64 missing (apt-get install qemu-system-arm)" >&2; exit 2; }
[[ -d out/samples/arm64/busybox/rootfs ]] || bash rootfs-samples/build-busybox.sh --arch arm64 out/samples/arm64/busybox >/dev/null
[[ -f out/samples/busybox-multiarch.tar ]] || bash rootfs-samples/build-multiarch-image.sh out/samples/busybox-multiarch >/dev/null

work=$(mktemp -d /tmp/edge-arm64-vm-XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/initramfs"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,run,tmp,etc,lib,usr/bin}

cp "$arm/bin/busybox" "$root/bin/busybox"
cp "$edge" "$root/bin/edge"
# An arm64 program with the shared libraries it loads, found by name (NEEDED) among Debian's arm64
# libraries: the unpacked .debs first, then the multiarch ones installed on this host.
copy_arm64_with_libs() {
    local bin="$1" lib dir found
    cp "$bin" "$root/bin/"
    local todo=("$bin") seen=" "
    while ((${#todo[@]})); do
        local f="${todo[0]}"; todo=("${todo[@]:1}")
        for lib in $(readelf -d "$f" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
            [[ "$seen" == *" $lib "* ]] && continue
            seen+="$lib "
            found=""
            for dir in "$arm/lib/aarch64-linux-gnu" "$arm/usr/lib/aarch64-linux-gnu" /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu; do
                if [[ -e "$dir/$lib" ]]; then found="$dir/$lib"; break; fi
            done
            [[ -n "$found" ]] || { echo "arm64-vm: $lib (for $(basename "$bin")) not found" >&2; return 1; }
            mkdir -p "$root/lib/aarch64-linux-gnu"
            cp -L "$found" "$root/lib/aarch64-linux-gnu/$lib"
            todo+=("$found")
        done
    done
    ln -sf /lib/aarch64-linux-gnu/ld-linux-aarch64.so.1 "$root/lib/ld-linux-aarch64.so.1"
}
copy_arm64_with_libs "$arm/usr/bin/crun"
copy_arm64_with_libs "$arm/usr/sbin/runc"
cp -a out/samples/arm64/busybox/rootfs "$root/rootfs"
cp out/samples/busybox-multiarch.tar "$root/image.tar"
cp tests/vm/cgroup2-scenarios.sh "$root/cgroup2-scenarios.sh"
cp tests/vm/arm64-scenarios.sh "$root/scenarios.sh"
# overlayfs is a module in Debian's kernel: edge's image snapshots need it.
overlay=$(find "$arm/lib/modules" -name overlay.ko | head -1)
[[ -n "$overlay" ]] && cp "$overlay" "$root/overlay.ko"
mkdir -p "$root/apparmor"
if command -v apparmor_parser >/dev/null; then
    apparmor_parser -Q -S tests/vm/edge-test.apparmor > "$root/apparmor/edge-test.bin" 2>/dev/null || rm -f "$root/apparmor/edge-test.bin"
fi

source "$top/toolchain/vm-initramfs.sh"
vm_measurement "$root" aarch64-linux-gnu-gcc "$bench" "$trace"
source "$top/toolchain/vm-console.sh"
vm_boot_scripts "$root" "/bin /sbin /etc /lib /usr /rootfs /image.tar /scenarios.sh /cgroup2-scenarios.sh /apparmor /overlay.ko /bench-rounds /measure /sites /entered-functions" \
    "[ -f /overlay.ko ] && insmod /overlay.ko"

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initramfs.gz"

log="$work/console.log"
set +e
# One vCPU, as in cgroup2-vm.sh: two emulated vCPUs on a 2-core host can starve each other in the guest kernel.
timeout --foreground "$timeout_s" qemu-system-aarch64 \
    -machine virt -cpu cortex-a57 -smp 1 -m 1024 \
    -nographic -no-reboot -monitor none -serial stdio -display none -net none \
    -kernel "$kernel" -initrd "$work/initramfs.gz" \
    -append "console=ttyAMA0 rdinit=/init panic=-1 quiet loglevel=3 cgroup_no_v1=all" </dev/null | tee "$log"
status=${PIPESTATUS[0]}
set -e
if [[ "$bench" != 0 || -n "$trace" ]]; then
    vm_measured arm64-vm "$log" "$status" "$trace"
    exit $?
fi
vm_tally arm64-vm "$log" "$status" "$timeout_s"
