# Sourced by the initramfs VMs (cgroup2-vm.sh, arm64-vm.sh): the two boot scripts of their initramfs.
#   vm_boot_scripts ROOT "PATHS" ["STAGE2 LINES"]
# Stage 1 copies PATHS (those that exist) onto a tmpfs and switches to it: pivot_root(2), which every runtime
# uses, refuses to move the initramfs root itself. Stage 2 mounts what a container host has (cgroup2 alone),
# runs STAGE2 LINES, then /scenarios.sh between the "EDGE-VM BOOTED" and "EDGE-VM END" lines, and powers off.
vm_boot_scripts() {
    local root="$1" paths="$2" prepare="${3:-}"
    cat > "$root/init" <<SH
#!/bin/busybox sh
/bin/busybox mkdir -p /newroot
/bin/busybox mount -t tmpfs -o size=900m tmpfs /newroot
for f in $paths /stage2; do [ -e \$f ] && /bin/busybox cp -a \$f /newroot/; done
/bin/busybox mkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/run /newroot/tmp
exec /bin/busybox switch_root /newroot /stage2
SH
    cat > "$root/stage2" <<SH
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t securityfs securityfs /sys/kernel/security
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
$prepare
echo "EDGE-VM BOOTED \$(uname -m) \$(uname -r)"
sh /scenarios.sh
echo "EDGE-VM END"
sync
poweroff -f
SH
    chmod +x "$root/init" "$root/stage2"
}

# The initramfs files of --bench ROUNDS or --trace DIR (tests/vm/bench-run.sh in place of the scenarios), with
# the helper each needs compiled by CC for the VM's architecture. Nothing when neither is asked for.
#   vm_measurement ROOT CC BENCH-ROUNDS TRACE-DIR
vm_measurement() {
    local root="$1" cc="$2" bench="$3" trace="$4"
    [[ "$bench" != 0 || -n "$trace" ]] || return 0
    cp tests/vm/bench-run.sh "$root/scenarios.sh"
    if [[ -n "$trace" ]]; then
        cp "$trace/sites" "$root/sites"
        "$cc" -O2 -static -o "$root/entered-functions" toolchain/entered-functions.c
    else
        echo "$bench" > "$root/bench-rounds"
        "$cc" -O2 -static -o "$root/measure" bench/tools/measure.c
    fi
}
