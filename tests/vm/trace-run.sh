#!/bin/sh
# The exact profile of toolchain/hot-methods.sh (toolchain/cgroup2-vm.sh, toolchain/arm64-vm.sh --trace): which
# functions of /bin/edge `run` and the lifecycle's verbs enter on cgroup v2 alone, which this hybrid host
# cannot run, and on arm64. toolchain/entered-functions.c sets a one-shot breakpoint on every address in
# /sites; one "EDGE-VM HIT <group> <address>" line per function entered, in first-entry order.
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
bundle /tmp/trace/true '["/bin/true"]'
bundle /tmp/trace/sleeper '["/bin/sleep", "100"]'
E="edge --root /run/trace"
t="/entered-functions /sites"
$t /tmp/trace/run.hits $E run --bundle /tmp/trace/true r1
# create leaves the container's init behind, which the tracer would take down with it: it runs untraced.
$E create --bundle /tmp/trace/sleeper c1
for verb in "start c1" "state c1" "list" "ps c1" "exec c1 /bin/true" "kill c1 KILL" "delete -f c1"; do
    $t /tmp/trace/cycle.hits $E $verb >/dev/null 2>&1
done
sed 's/^/EDGE-VM HIT run /' /tmp/trace/run.hits
sed 's/^/EDGE-VM HIT cycle /' /tmp/trace/cycle.hits
