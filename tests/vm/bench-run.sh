#!/bin/sh
# The VM benchmark (toolchain/arm64-vm.sh --bench, toolchain/cgroup2-vm.sh --bench; bench/vm-run.sh makes the
# table): `run` of /bin/true on the sample rootfs for edge, crun and runc, interleaved (edge, crun, runc,
# edge, ...), each through the static measure helper. One line per run:
# "EDGE-VM BENCH <runtime>-run <wall ns> <peak RSS KiB> <exit>".
mkdir -p /tmp/bench
b=/tmp/bench/bundle
mkdir -p $b
cat > $b/config.json <<'EOF'
{"ociVersion": "1.0.2", "process": {"user": {"uid": 0, "gid": 0}, "args": ["/bin/true"], "env": ["PATH=/bin"], "cwd": "/",
 "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}, "noNewPrivileges": true},
 "root": {"path": "/rootfs", "readonly": true}, "hostname": "b",
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
 "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}]}}
EOF
rounds=$(cat /bench-rounds)
i=0
while [ $i -lt $rounds ]; do
    for rt in edge crun runc; do
        echo "EDGE-VM BENCH $rt-run $(/measure $rt --root /run/bench-$rt run --bundle $b r$i)"
    done
    i=$((i + 1))
done
echo "EDGE-VM BENCH edge-size $(wc -c < /bin/edge) 0 0"
