#!/bin/bash
# systemd scenarios, run by a unit inside the VM that toolchain/systemd-vm.sh boots (Debian bookworm,
# systemd 252 as PID 1, cgroup v2 only). What it tests is on /payload: edge, the busybox sample image, the
# project's sample unit, runc and containerd from the host. Each scenario prints one line:
# "EDGE-VM RESULT <name> PASS|FAIL <detail>"; "EDGE-VM END" once all ran, then the VM powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
install -m 0755 /payload/bin/edge /usr/local/bin/edge
for tool in runc containerd ctr containerd-shim-runc-v2; do
    [ -x "/payload/bin/$tool" ] && install -m 0755 "/payload/bin/$tool" "/usr/local/bin/$tool"
done
image=localhost/edge-samples/busybox:latest
[ -f /payload/overlay.ko ] && /payload/bin/busybox insmod /payload/overlay.ko

result() { echo "EDGE-VM RESULT $1 $2 $3"; }
check() { # NAME STATUS DETAIL
    if [ "$2" = 0 ]; then result "$1" PASS "$3"; else result "$1" FAIL "$3"; fi
}
wait_for() { # SECONDS COMMAND...: bounded polling
    local end=$((SECONDS + $1)); shift
    until "$@"; do
        [ $SECONDS -ge $end ] && return 1
        sleep 0.5
    done
}
prop() { systemctl show -p "$1" --value "$2"; }
kill_main() { # PID: SIGKILL a unit's main process; 0 (no main process) must not become "kill the process group"
    [ "${1:-0}" -gt 0 ] && kill -KILL "$1"
}
cgroup_of() { sed -n 's/^0:://p' "/proc/$1/cgroup"; }
pid_in_state() { "$@" | tr -d ' \n' | sed -n 's/.*"pid":\([0-9]*\).*/\1/p'; }

echo "EDGE-VM BOOTED $(uname -r) systemd $(systemctl --version | head -1 | cut -d' ' -f2)"
timeout 120 systemctl is-system-running --wait >/dev/null
fs=$(stat -f -c %T /sys/fs/cgroup)
check vm-systemd-cgroup2 "$([ "$(cat /proc/1/comm)" = systemd ] && [ "$fs" = cgroup2fs ]; echo $?)" \
    "pid1=$(cat /proc/1/comm) cgroupfs=$fs state=$(systemctl is-system-running)"
edge load /payload/busybox-image.tar >/dev/null
check image-loaded "$(edge images | grep -q edge-samples/busybox; echo $?)" "$(edge images | tail -n +2 | head -1)"

# --- the project's sample unit, installed unchanged ------------------------------------------------------
cp /payload/edge-busybox.service /etc/systemd/system/
systemctl daemon-reload
t0=$SECONDS
timeout 120 systemctl start edge-busybox
rc=$?
status=$(prop StatusText edge-busybox)
check unit-starts "$([ $rc = 0 ] && [ "$(systemctl is-active edge-busybox)" = active ] && [[ "$status" == *started* ]]; echo $?)" \
    "rc=$rc active=$(systemctl is-active edge-busybox) status=\"$status\" in $((SECONDS - t0))s; $(journalctl -u edge-busybox -o cat | grep edge: | tail -2 | tr '\n' ' ')"

main=$(prop MainPID edge-busybox)
cpid=$(pid_in_state edge state edge-busybox)
ccg=$(cgroup_of "$cpid"); mcg=$(cgroup_of "$main")
controllers=$(cat "/sys/fs/cgroup$ccg/cgroup.controllers" 2>/dev/null)
check unit-cgroup "$([ "$ccg" = /system.slice/edge-busybox.service/edge-busybox ] && [ "$mcg" = /system.slice/edge-busybox.service/edge-supervisor ] \
    && [[ " $controllers " == *" memory "* && " $controllers " == *" pids "* && " $controllers " == *" cpu "* ]]; echo $?)" \
    "container=$ccg edge=$mcg controllers=\"$controllers\""

wait_for 30 sh -c 'journalctl -u edge-busybox -o cat | grep -q "^alive$"'
check unit-journal $? "$(journalctl -u edge-busybox -o cat | grep -c '^alive$') alive lines"

# SIGKILL of edge, the unit's main process: systemd kills the rest of the unit and restarts it, and the
# name the killed run held must not block the new one.
kill_main "$main"
wait_for 90 sh -c 'm=$(systemctl show -p MainPID --value edge-busybox); [ "$m" != 0 ] && [ "$m" != '"$main"' ] && [ "$(systemctl is-active edge-busybox)" = active ]'
rc=$?
newpid=$(pid_in_state edge state edge-busybox)
check unit-sigkill-restart "$([ $rc = 0 ] && [ -n "$newpid" ] && [ "$newpid" != "$cpid" ] && ! journalctl -u edge-busybox -o cat | grep -q "already in use"; echo $?)" \
    "restarts=$(prop NRestarts edge-busybox) main $main -> $(prop MainPID edge-busybox) container $cpid -> $newpid; $(journalctl -u edge-busybox -o cat | grep edge: | tail -2 | tr '\n' ' ')"

before=$(systemctl is-active edge-busybox)
t0=$(date +%s%N)
systemctl stop edge-busybox
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
res=$(prop Result edge-busybox)
left=$(edge list -q)
check unit-stop "$([ "$before" = active ] && [ $rc = 0 ] && [ "$res" = success ] && [ -z "$left" ] && [ ! -d /sys/fs/cgroup/system.slice/edge-busybox.service ] && [ $ms -lt 15000 ]; echo $?)" \
    "was $before, rc=$rc result=$res in ${ms}ms left=\"$left\" exit=$(prop ExecMainStatus edge-busybox)"

# A unit written by hand before `edge generate systemd` existed: no Delegate=, no --replace.
sed -e '/^Delegate=/d' -e 's/ --replace//' /payload/edge-busybox.service > /etc/systemd/system/edge-plain.service
sed -i 's/--name edge-busybox/--name edge-plain/' /etc/systemd/system/edge-plain.service
systemctl daemon-reload
timeout 120 systemctl start edge-plain
rc=$?
main=$(prop MainPID edge-plain)
ccg=$(cgroup_of "$(pid_in_state edge state edge-plain)")
kill_main "$main"
wait_for 90 sh -c 'm=$(systemctl show -p MainPID --value edge-plain); [ "$m" != 0 ] && [ "$m" != '"$main"' ] && [ "$(systemctl is-active edge-plain)" = active ]'
rc2=$?
check unit-plain-stale-cleanup "$([ $rc = 0 ] && [ "$ccg" = /system.slice/edge-plain.service/edge-plain ] && [ $rc2 = 0 ]; echo $?)" \
    "start=$rc container=$ccg restart=$rc2 restarts=$(prop NRestarts edge-plain); $(journalctl -u edge-plain -o cat | grep 'edge:' | tail -1)"
systemctl stop edge-plain

# Exit codes and Restart=on-failure.
edge generate systemd --name edge-fail --restart-sec 1 --executable /usr/local/bin/edge $image sh -c 'echo failing; exit 3' \
    > /etc/systemd/system/edge-fail.service
systemctl daemon-reload
systemctl start --no-block edge-fail
wait_for 90 sh -c '[ "$(systemctl show -p NRestarts --value edge-fail)" -ge 2 ]'
rc=$?
# systemd's own record of each run's end (ExecMainStatus is the current run's, 0 while it runs).
exits=$(journalctl -u edge-fail -o cat | grep -c 'Main process exited, code=exited, status=3/')
check unit-restart-on-failure "$([ $rc = 0 ] && [ "$exits" -ge 2 ]; echo $?)" \
    "restarts=$(prop NRestarts edge-fail) exits-with-3=$exits runs=$(journalctl -u edge-fail -o cat | grep -c '^failing$')"
systemctl stop edge-fail; systemctl reset-failed edge-fail 2>/dev/null

# --sd-notify=container: the unit is started when the application says so, not when edge started it.
edge generate systemd --name edge-app --sd-notify container -v /payload/bin/sd-notify:/sd-notify:ro --executable /usr/local/bin/edge $image \
    sh -c 'sleep 4; /sd-notify "READY=1\nSTATUS=app ready"; while :; do sleep 1; done' > /etc/systemd/system/edge-app.service
systemctl daemon-reload
t0=$SECONDS
timeout 120 systemctl start edge-app
rc=$?
took=$((SECONDS - t0))
check unit-sd-notify-container "$([ $rc = 0 ] && [ "$(prop StatusText edge-app)" = "app ready" ] && [ $took -ge 4 ]; echo $?)" \
    "rc=$rc status=\"$(prop StatusText edge-app)\" start took ${took}s"
systemctl stop edge-app

# --- --systemd-cgroup: a transient scope per container, over D-Bus --------------------------------------
bundle=/var/lib/vm-bundle
edge unpack $image $bundle >/dev/null
scope_config() { # ID: a bundle config whose container gets the scope system.slice:edgevm:ID
    cat > $bundle/config.json <<EOF
{
  "ociVersion": "1.0.2",
  "process": {"user": {"uid": 0, "gid": 0}, "args": ["sleep", "1000"], "env": ["PATH=/bin:/usr/bin"], "cwd": "/",
    "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}, "noNewPrivileges": true},
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "vm",
  "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
             {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755", "size=1m"]}],
  "linux": {
    "cgroupsPath": "system.slice:edgevm:$1",
    "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}],
    "resources": {"memory": {"limit": 67108864}, "pids": {"limit": 64},
                  "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0"}}
  }
}
EOF
}
declare -A seen
for rt in edge runc; do
    command -v $rt >/dev/null || continue
    id=sc-$rt; unit=edgevm-$id.scope
    scope_config $id
    t0=$(date +%s%N)
    $rt --systemd-cgroup run -d --bundle $bundle $id </dev/null >/tmp/$id.out 2>&1
    rc=$?
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    pid=$(pid_in_state $rt state $id)
    cg=$(cgroup_of "$pid")
    props=$(systemctl show -p Delegate -p MemoryMax -p TasksMax -p CPUWeight -p CPUQuotaPerSecUSec -p AllowedCPUs $unit | tr '\n' ' ')
    files="memory.max=$(cat /sys/fs/cgroup$cg/memory.max 2>/dev/null) pids.max=$(cat /sys/fs/cgroup$cg/pids.max 2>/dev/null) cpu.max=\"$(cat /sys/fs/cgroup$cg/cpu.max 2>/dev/null)\""
    check systemd-cgroup-scope-$rt "$([ $rc = 0 ] && [ "$(systemctl is-active $unit)" = active ] && [ "$cg" = /system.slice/$unit ] \
        && [[ "$props" == *"Delegate=yes"* && "$props" == *"MemoryMax=67108864"* && "$props" == *"TasksMax=64"* ]] \
        && [[ "$files" == *"memory.max=67108864"* && "$files" == *"pids.max=64"* ]]; echo $?)" \
        "rc=$rc run -d took ${ms}ms cgroup=$cg $props$files $(head -c 300 /tmp/$id.out)"
    seen[$rt]="$props $files"
    was=$(systemctl is-active $unit)
    $rt update --memory 134217728 --pids-limit 80 $id
    rc=$?
    after="MemoryMax=$(prop MemoryMax $unit) TasksMax=$(prop TasksMax $unit) memory.max=$(cat /sys/fs/cgroup$cg/memory.max 2>/dev/null) pids.max=$(cat /sys/fs/cgroup$cg/pids.max 2>/dev/null)"
    check systemd-cgroup-update-$rt "$([ $rc = 0 ] && [ "$after" = "MemoryMax=134217728 TasksMax=80 memory.max=134217728 pids.max=80" ]; echo $?)" "rc=$rc $after"
    seen[$rt-update]="$after"
    $rt kill $id KILL
    wait_for 20 sh -c "! $rt state $id 2>/dev/null | grep -q running"
    $rt delete --force $id
    rc=$?
    wait_for 20 sh -c "! systemctl is-active -q $unit && [ ! -d /sys/fs/cgroup/system.slice/$unit ]"
    check systemd-cgroup-removed-$rt "$([ "$was" = active ] && [ $rc = 0 ] && ! systemctl is-active -q $unit && [ ! -d /sys/fs/cgroup/system.slice/$unit ]; echo $?)" \
        "was $was, delete=$rc unit=$(systemctl is-active $unit) dir=$([ -d /sys/fs/cgroup/system.slice/$unit ] && echo left || echo gone)"
done
if [ -n "${seen[runc]:-}" ]; then
    check systemd-cgroup-edge-vs-runc "$([ "${seen[edge]}" = "${seen[runc]}" ] && [ "${seen[edge-update]}" = "${seen[runc-update]}" ]; echo $?)" \
        "edge: ${seen[edge]} | runc: ${seen[runc]}"
fi

# --- containerd's runc shim with SystemdCgroup, as a Kubernetes node runs it ----------------------------
if command -v containerd >/dev/null; then
    mkdir -p /etc/containerd
    cat > /etc/containerd/config.toml <<'EOF'
version = 2
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]
EOF
    containerd --config /etc/containerd/config.toml >/var/log/containerd.log 2>&1 &
    wait_for 60 ctr version >/dev/null 2>&1
    ctr images import /payload/busybox-image.tar >/dev/null
    for rt in edge runc; do
        command -v $rt >/dev/null || continue
        id=k-$rt; unit=ctr-$id.scope
        ctr run -d --runc-binary /usr/local/bin/$rt --runc-systemd-cgroup --cgroup system.slice:ctr:$id $image $id sleep 1000 >/tmp/$id.out 2>&1
        rc=$?
        pid=$(ctr task ls | awk -v id=$id '$1 == id { print $2 }')
        cg=$(cgroup_of "$pid")
        active=$(systemctl is-active $unit)
        ctr task kill -s KILL $id
        wait_for 20 sh -c "ctr task ls | awk '\$1 == \"$id\" { print \$3 }' | grep -q STOPPED"
        ctr task delete $id >/dev/null; ctr container delete $id
        wait_for 20 sh -c "! systemctl is-active -q $unit"
        check containerd-systemd-cgroup-$rt "$([ $rc = 0 ] && [ "$active" = active ] && [ "$cg" = /system.slice/$unit ] && ! systemctl is-active -q $unit; echo $?)" \
            "run=$rc scope=$active cgroup=$cg after delete: $(systemctl is-active $unit); $(head -c 300 /tmp/$id.out)"
    done
    kill %1 2>/dev/null
fi

echo "EDGE-VM END"
sync
systemctl poweroff --no-block
