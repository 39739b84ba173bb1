#!/bin/sh
# The page profile of toolchain/hot-methods.sh (toolchain/cgroup2-vm.sh --pages): which pages of /bin/edge
# `run` and the create/start/.../delete cycle touch on cgroup v2, which this hybrid host cannot run. With
# fault-around at one page, a read fault maps only the page it needs, so the pages a process holds when it
# exits (toolchain/touched-pages.c) are the pages it touched. One "EDGE-VM PAGE <group> <page>" line per page.
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
echo 4096 > /sys/kernel/debug/fault_around_bytes || { echo "EDGE-VM PAGE-ERROR no fault_around_bytes"; exit 1; }
bundle() { # bundle DIR ARGS_JSON
    mkdir -p $1
    cat > $1/config.json <<EOF
{"ociVersion": "1.0.2", "process": {"user": {"uid": 0, "gid": 0}, "args": $2, "env": ["PATH=/bin"], "cwd": "/",
 "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}, "noNewPrivileges": true},
 "root": {"path": "/rootfs", "readonly": true}, "hostname": "p",
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
 "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}]}}
EOF
}
bundle /tmp/pages/true '["/bin/true"]'
bundle /tmp/pages/sleeper '["/bin/sleep", "100"]'
t="/touched-pages /bin/edge edge --root /run/pages"
{ $t run --bundle /tmp/pages/true r1; $t run --bundle /tmp/pages/true r2; } | sort -un | sed 's/^/EDGE-VM PAGE run /'
{
    $t create --bundle /tmp/pages/sleeper c1 && $t start c1
    $t state c1; $t list; $t ps c1; $t exec c1 /bin/true
    $t kill c1 KILL; $t delete -f c1
} 2>/dev/null | grep -x '[0-9]*' | sort -un | sed 's/^/EDGE-VM PAGE cycle /'
