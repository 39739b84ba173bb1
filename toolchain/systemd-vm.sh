#!/usr/bin/env bash
# Boots a Debian bookworm with systemd 252 as PID 1 (cgroup v2 only, the default) under qemu with software
# emulation, and runs tests/vm/systemd-scenarios.sh in it: edge as the main process of systemd units,
# --systemd-cgroup scopes over D-Bus (edge run, and containerd's runc shim as a Kubernetes node uses it),
# each compared with runc where runc applies.
#
#   toolchain/systemd-vm.sh [--timeout SECONDS] [--edge BINARY]
#
# The root file system is debootstrap's minbase with systemd, dbus and libseccomp2, made once and kept at
# out/samples/systemd-vm/ (needs a Debian mirror the first time, like the Debian sample image). qemu boots
# it read-only underneath (-snapshot), so it stays pristine; a second disk carries what each run tests:
# out/edge, the busybox sample image, runc and containerd from this host, and the scenarios.
# The serial console is copied to stdout; each scenario prints "EDGE-VM RESULT <name> PASS|FAIL <detail>".
# Exits 0 when every scenario passed, 1 on a failed scenario, 2 when the VM did not finish.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

timeout_s=540
edge=out/edge
while [[ $# -gt 0 ]]; do
    case "$1" in
        --timeout) timeout_s="$2"; shift 2 ;;
        --edge) edge="$2"; shift 2 ;; # another build of edge, e.g. an older one as a positive control
        *) echo "systemd-vm: unknown argument \"$1\"" >&2; exit 2 ;;
    esac
done

[[ -x "$edge" ]] || { echo "systemd-vm: $edge is missing: run ./build.sh build first" >&2; exit 2; }
kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1 || true)
[[ -r "$kernel" ]] || { echo "systemd-vm: no kernel in /boot (apt-get install linux-image-amd64)" >&2; exit 2; }
initrd="/boot/initrd.img-${kernel#/boot/vmlinuz-}"
[[ -r "$initrd" ]] || { echo "systemd-vm: no $initrd (Debian's initramfs, which loads virtio and ext4)" >&2; exit 2; }
for tool in qemu-system-x86_64 mkfs.ext4 debootstrap; do
    command -v "$tool" >/dev/null || { echo "systemd-vm: $tool missing (toolchain/setup.sh installs it)" >&2; exit 2; }
done

# --- the root file system, once -------------------------------------------------------------------------
cache="out/samples/systemd-vm"
# The stamp names what the root image holds: a change here rebuilds it.
stamp="root-v3"
if [[ ! -f "$cache/root.ext4" || "$(cat "$cache/stamp" 2>/dev/null)" != "$stamp" ]]; then
    mkdir -p "$cache"
    if [[ ! -x "$cache/rootfs/lib/systemd/systemd" ]]; then
        rm -rf "$cache/rootfs"
        debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,libseccomp2,iproute2,procps \
            bookworm "$cache/rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >/dev/null
        rm -f "$cache/rootfs"/var/cache/apt/archives/*.deb
    fi
    staging=$(mktemp -d /tmp/edge-systemd-root-XXXXXX)
    trap 'rm -rf "$staging"' EXIT
    cp -a "$cache/rootfs/." "$staging/"
    echo edge-vm > "$staging/etc/hostname"
    : > "$staging/etc/machine-id"
    # The initramfs mounts the root read-write. minbase has no udev, so systemd never sees device units:
    # nothing in fstab may wait for one; the payload disk is mounted by the checks' unit itself.
    : > "$staging/etc/fstab"
    mkdir -p "$staging/payload"
    # No login prompt on the console the results are read from.
    ln -sf /dev/null "$staging/etc/systemd/system/serial-getty@ttyS0.service"
    ln -sf /dev/null "$staging/etc/systemd/system/getty@tty1.service"
    # The scenarios run once the system is up and report on the serial console.
    cat > "$staging/etc/systemd/system/edge-vm-checks.service" <<'UNIT'
[Unit]
Description=edge systemd scenarios
After=basic.target dbus.service

[Service]
Type=simple
ExecStartPre=/bin/mount -o ro /dev/vdb /payload
ExecStart=/bin/bash /payload/run.sh
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0

[Install]
WantedBy=multi-user.target
UNIT
    ln -sf /etc/systemd/system/edge-vm-checks.service "$staging/etc/systemd/system/multi-user.target.wants/edge-vm-checks.service"
    # A boot that fails lands in emergency mode: print why and power off instead of waiting for a login.
    mkdir -p "$staging/etc/systemd/system/emergency.service.d"
    cat > "$staging/etc/systemd/system/emergency.service.d/report.conf" <<'UNIT'
[Service]
ExecStart=
ExecStart=/bin/sh -c 'echo "EDGE-VM EMERGENCY"; journalctl -b -p warning --no-pager | tail -40; systemctl poweroff --force'
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
UNIT
    rm -f "$cache/root.ext4"
    mkfs.ext4 -q -L edge-vm-root -d "$staging" "$cache/root.ext4" 2G
    echo "$stamp" > "$cache/stamp"
    rm -rf "$staging"
    trap - EXIT
fi

# --- what this run tests ---------------------------------------------------------------------------------
work=$(mktemp -d /tmp/edge-systemd-vm-XXXXXX)
trap 'rm -rf "$work"' EXIT
payload="$work/payload"
mkdir -p "$payload/bin"
cp "$edge" "$payload/bin/edge"
[[ -f out/samples/busybox-image.tar ]] || bash rootfs-samples/build-image.sh out/samples/busybox-image >/dev/null
cp out/samples/busybox-image.tar "$payload/busybox-image.tar"
cp rootfs-samples/edge-busybox.service "$payload/"
cp tests/vm/systemd-scenarios.sh "$payload/run.sh"
cc -static -O2 -o "$payload/bin/sd-notify" tests/vm/sd-notify.c
# overlayfs for edge's snapshots and containerd's: the VM's root has no kernel modules of its own (minbase,
# no kmod), so the module comes from the host's copy of the same kernel, loaded with busybox's insmod.
overlay="/lib/modules/${kernel#/boot/vmlinuz-}/kernel/fs/overlayfs/overlay.ko"
[[ -r "$overlay" ]] && cp "$overlay" "$payload/overlay.ko"
cp "$(command -v busybox)" "$payload/bin/busybox"
# The reference runtime and containerd come from this host (the same Debian release as the VM).
for tool in runc containerd ctr containerd-shim-runc-v2; do
    if path=$(command -v "$tool"); then cp "$path" "$payload/bin/"; fi
done
mkfs.ext4 -q -L edge-vm-payload -d "$payload" "$work/payload.ext4" 256M

# -cpu max: the Native AOT image uses the SSE4/AVX instructions a real x86-64-v2+ machine has.
# no_timer_check: a loaded host under TCG otherwise trips the IO-APIC timer check and panics.
log="$work/console.log"
set +e
# One vCPU, as in cgroup2-vm.sh: two emulated vCPUs on a 2-core host can starve each other in the guest kernel.
timeout --foreground "$timeout_s" qemu-system-x86_64 \
    -machine q35 -cpu max -smp 1 -m 2048 \
    -nographic -no-reboot -monitor none -serial stdio -display none -net none \
    -kernel "$kernel" -initrd "$initrd" -snapshot \
    -drive "file=$cache/root.ext4,format=raw,if=virtio" \
    -drive "file=$work/payload.ext4,format=raw,if=virtio,readonly=on" \
    -append "console=ttyS0 root=/dev/vda rw panic=-1 quiet loglevel=3 no_timer_check systemd.show_status=0 systemd.unified_cgroup_hierarchy=1" \
    </dev/null | tee "$log"
status=${PIPESTATUS[0]}
set -e
source "$top/toolchain/vm-console.sh"
vm_tally systemd-vm "$log" "$status" "$timeout_s"
