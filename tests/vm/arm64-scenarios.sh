#!/bin/sh
# arm64 scenarios, run inside the arm64 VM that toolchain/arm64-vm.sh boots (busybox sh, cgroup2 alone at
# /sys/fs/cgroup). First every cgroup v2 scenario (tests/vm/cgroup2-scenarios.sh: lifecycle, memory OOM,
# pids, cpu, update, freezer, devices, seccomp ERRNO and KILL, AppArmor) with edge, crun and runc, then what
# is particular to an arm64 device. Each scenario prints "EDGE-VM RESULT <name> PASS|FAIL <detail>".

. /cgroup2-scenarios.sh

# --- the machine and the binary ---------------------------------------------------------------------------
check arm64-machine "$([ "$(uname -m)" = aarch64 ]; echo $?)" "uname -m: $(uname -m), kernel $(uname -r)"
# One static file: it runs alone in an empty chroot (no loader, no libraries).
mkdir -p /tmp/empty && cp /bin/edge /tmp/empty/edge
out=$(chroot /tmp/empty /edge --version 2>&1 | tr '\n' ' '); code=$?
check static-empty-chroot "$([ $code = 0 ] && echo "$out" | grep -q 'native aot'; echo $?)" "$out"
features=$(edge features 2>&1 | tr -d ' \n')
check features-aarch64 "$(echo "$features" | grep -q '"SCMP_ARCH_AARCH64"'; echo $?)" "$(echo "$features" | grep -o '"archs":\[[^]]*\]')"

# --- exec into a running container -------------------------------------------------------------------------
config /tmp/exec '["sleep", "60"]' '{}'
edge --root /run/state-edge create --bundle /tmp/exec exec-edge >/dev/null 2>&1 && edge --root /run/state-edge start exec-edge
out=$(edge --root /run/state-edge exec exec-edge sh -c 'echo exec $(uname -m) $(cat /proc/self/cgroup)' 2>&1); code=$?
edge --root /run/state-edge delete -f exec-edge >/dev/null 2>&1
check exec-edge "$([ $code = 0 ] && [ "$out" = "exec aarch64 0::/" ]; echo $?)" "exit=$code out=$out"

# --- the multi-architecture sample image: load it, run it; edge picks linux/arm64 ---------------------------
out=$(edge --store /run/store load /image.tar 2>&1 | tr '\n' ' ')
images=$(edge --store /run/store images 2>&1 | tr -s ' ' | tr '\n' ' ')
check image-load-arm64 "$(echo "$images" | grep -q 'linux/arm64'; echo $?)" "$out / $images"
out=$(edge --store /run/store --root /run/state-edge run --rm localhost/edge-samples/busybox:latest 2>&1 | tr '\n' ' '); code=$?
check image-run-default "$([ $code = 0 ] && echo "$out" | grep -q 'hello from edge busybox sample image'; echo $?)" "exit=$code out=$out"
out=$(edge --store /run/store --root /run/state-edge run --rm localhost/edge-samples/busybox:latest uname -m 2>&1); code=$?
check image-run-arm64 "$([ $code = 0 ] && [ "$out" = aarch64 ]; echo $?)" "exit=$code out=$out"
left=$(edge --root /run/state-edge list -q 2>&1 | tr '\n' ' ')
check image-run-no-leftovers "$([ -z "$left" ]; echo $?)" "containers left: ${left:-none}"
