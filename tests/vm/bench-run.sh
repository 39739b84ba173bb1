#!/bin/sh
# What the VMs measure of `run` instead of the scenarios (toolchain/cgroup2-vm.sh and toolchain/arm64-vm.sh,
# --bench or --trace), on one bundle: /bin/true on the sample rootfs.
#  - /bench-rounds (bench/vm-run.sh makes the table): edge, crun and runc, interleaved (edge, crun, runc, edge,
#    ...), each through the static measure helper; one "EDGE-VM BENCH <runtime>-run <wall ns> <peak RSS KiB>
#    <exit>" line per run.
#  - /sites (toolchain/hot-methods.sh): the functions of /bin/edge that `run` and the lifecycle's verbs enter,
#    from toolchain/entered-functions.c's one-shot breakpoint on every address in /sites; one
#    "EDGE-VM HIT <group> <address>" line per function, in first-entry order.
bundle() { # bundle DIR ARGS_JSON
    mkdir -p $1
    cat > $1/config.json <<EOF
{"ociVersion": "1.0.2", "process": {"user": {"uid": 0, "gid": 0}, "args": $2, "env": ["PATH=/bin"], "cwd": "/",
 "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}, "noNewPrivileges": true},
 "root": {"path": "/rootfs", "readonly": true}, "hostname": "b",
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
 "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}]}}
EOF
}
b=/tmp/bench/bundle
bundle $b '["/bin/true"]'

if [ -f /sites ]; then
    bundle /tmp/bench/sleeper '["/bin/sleep", "100"]'
    E="edge --root /run/trace"
    t="/entered-functions /sites"
    # A short id and a 64-character one, as Docker, containerd and podman give (toolchain/hot-methods.sh says why).
    long=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    for id in r1 "r$long"; do $t /tmp/bench/run.hits $E run --bundle $b "$id"; done
    for id in c1 "c$long"; do
        # create leaves the container's init behind, which the tracer would take down with it: it runs untraced.
        $E create --bundle /tmp/bench/sleeper "$id"
        for verb in "start $id" "state $id" "list" "ps $id" "exec $id /bin/true" "kill $id KILL" "delete -f $id"; do
            $t /tmp/bench/cycle.hits $E $verb >/dev/null 2>&1
        done
    done
    sed 's/^/EDGE-VM HIT run /' /tmp/bench/run.hits
    sed 's/^/EDGE-VM HIT cycle /' /tmp/bench/cycle.hits
    exit 0
fi

rounds=$(cat /bench-rounds)
i=0
while [ $i -lt $rounds ]; do
    for rt in edge crun runc; do
        id=$(printf 'r%063d' "$i") # 64 characters, as Docker, containerd and podman give
        echo "EDGE-VM BENCH $rt-run $(/measure $rt --root /run/bench-$rt run --bundle $b "$id")"
    done
    i=$((i + 1))
done
echo "EDGE-VM BENCH edge-size $(wc -c < /bin/edge) 0 0"
