#!/bin/sh
# cgroup v2 scenarios, run inside the VM that toolchain/cgroup2-vm.sh boots (busybox sh, cgroup2 alone at
# /sys/fs/cgroup). Each scenario prints one line: "EDGE-VM RESULT <name> PASS|FAIL <detail>".
# Scenarios that runc and crun can run too are run with each of them, and what the container observed is
# compared with edge's (the cgroup files written, exit codes, errors).

# The machine's seccomp architecture: the arm64 VM (toolchain/arm64-vm.sh) runs these scenarios too.
case "$(uname -m)" in aarch64) seccomp_arch=SCMP_ARCH_AARCH64 ;; *) seccomp_arch=SCMP_ARCH_X86_64 ;; esac

runtimes="edge"
for rt in crun runc; do command -v $rt >/dev/null && runtimes="$runtimes $rt"; done

result() { echo "EDGE-VM RESULT $1 $2 $3"; }
check() { # NAME CONDITION-STATUS DETAIL
    if [ "$2" = 0 ]; then result "$1" PASS "$3"; else result "$1" FAIL "$3"; fi
}
rt_cmd() { # RUNTIME ARGS...: each runtime keeps its state in its own root.
    r=$1; shift
    $r --root /run/state-$r "$@"
}

# config DIR ARGS-JSON RESOURCES-JSON [EXTRA-LINUX-JSON] [EXTRA-CAPS]: a small bundle on the shared,
# read-only busybox rootfs, in cgroupsPath /edge-vm/<id> (nested, so the parent's subtree_control matters).
config() {
    dir=$1; args=$2; res=$3; extra=${4:-}; caps='"CAP_KILL","CAP_AUDIT_WRITE","CAP_NET_BIND_SERVICE"'
    [ -n "${5:-}" ] && caps="$caps,$5"
    mkdir -p "$dir"
    cat > "$dir/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "user": {"uid": 0, "gid": 0},
    "args": $args,
    "env": ["PATH=/bin:/sbin:/usr/bin:/usr/sbin"],
    "cwd": "/",
    "capabilities": {"bounding": [$caps], "effective": [$caps], "permitted": [$caps]},
    "noNewPrivileges": true
  },
  "root": {"path": "/rootfs", "readonly": true},
  "hostname": "vm",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755", "size=1m"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
    {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
  ],
  "linux": {
    "cgroupsPath": "/edge-vm/$(basename "$dir")",
    "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}, {"type": "cgroup"}],
    "resources": $res$extra
  }
}
EOF
}
cgdir() { echo "/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/$1/cgroup)"; }
pid_of() { rt_cmd "$1" state "$2" | tr -d ' \n' | sed 's/.*"pid":\([0-9]*\).*/\1/'; }

# --- the VM itself --------------------------------------------------------------------------------------
fs=$(awk '$2 == "/sys/fs/cgroup" { print $3 }' /proc/mounts)
v1=$(grep -c ' - cgroup ' /proc/self/mountinfo)
check vm-cgroup2-only "$([ "$fs" = cgroup2 ] && [ "$v1" = 0 ]; echo $?)" "fstype=$fs v1-mounts=$v1 controllers=$(tr ' ' , < /sys/fs/cgroup/cgroup.controllers)"

# --- edge first, on a fresh tree: it must hand the controllers down each level itself (subtree_control) --
b=/tmp/deleg
config $b '["cat", "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/pids.max"]' '{"memory": {"limit": 33554432}, "pids": {"limit": 7}}'
sed -i 's|"cgroupsPath": "[^"]*"|"cgroupsPath": "/edge-first/level2/deleg"|' $b/config.json
out=$(edge --root /run/state-edge run --bundle $b deleg 2>&1 | tr '\n' ' '); code=$?
check delegation-edge "$([ "$out" = "33554432 7 " ]; echo $?)" "exit=$code out=$out root-subtree=$(cat /sys/fs/cgroup/cgroup.subtree_control)"
rmdir /sys/fs/cgroup/edge-first/level2 /sys/fs/cgroup/edge-first 2>/dev/null

# --- a plain run: the container sees its own cgroup namespace; the cgroup goes away afterwards ------------
for rt in $runtimes; do
    b=/tmp/life-$rt
    config $b '["sh", "-c", "echo cg=$(cat /proc/self/cgroup)"]' '{}'
    out=$(rt_cmd $rt run --bundle $b life-$rt 2>&1); code=$?
    check lifecycle-$rt "$([ $code = 0 ] && [ "$out" = "cg=0::/" ] && [ ! -e /sys/fs/cgroup/edge-vm/life-$rt ]; echo $?)" "exit=$code out=$out"
done

# --- membership: the init starts in its cgroup (edge: clone3 CLONE_INTO_CGROUP) and an exec'd process
# joins it; with pids.max at 1 the exec'd process still gets in, as a move ignores the limit (edge's clone
# into the full cgroup is refused, and edge moves it as before; crun does the same). runc gets no limit:
# its Go init starts threads once moved, which pids.max 1 refuses ----------------------------------------
for rt in $runtimes; do
    b=/tmp/member-$rt
    limit='{"pids": {"limit": 1}}'
    [ $rt = runc ] && limit='{}'
    config $b '["sleep", "30"]' "$limit"
    rt_cmd $rt create --bundle $b member-$rt >/dev/null 2>&1 && rt_cmd $rt start member-$rt; code=$?
    pid=$(pid_of $rt member-$rt)
    host=$(sed -n 's/^0:://p' /proc/$pid/cgroup)
    inside=$(rt_cmd $rt exec member-$rt cat /proc/self/cgroup 2>&1 | tr '\n' ' ')
    rt_cmd $rt delete -f member-$rt >/dev/null 2>&1
    check membership-$rt "$([ $code = 0 ] && [ "$host" = /edge-vm/member-$rt ] && [ "$inside" = "0::/ " ]; echo $?)" "exit=$code host=$host exec=$inside"
done

# --- the cgroup files written for linux.resources, compared across runtimes --------------------------
files="memory.max memory.low memory.swap.max cpu.weight cpu.max cpuset.cpus cpuset.mems pids.max"
for rt in $runtimes; do
    b=/tmp/files-$rt
    config $b "[\"sh\", \"-c\", \"cd /sys/fs/cgroup && for f in $files; do echo \$f=\$(cat \$f); done | tr '\\\\n' ' '\"]" \
        '{"memory": {"limit": 67108864, "reservation": 33554432, "swap": 100663296}, "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"}, "pids": {"limit": 30}}'
    out=$(rt_cmd $rt run --bundle $b files-$rt 2>&1); code=$?
    eval "files_$rt=\"\$out\""
    echo "EDGE-VM INFO files-$rt exit=$code $out"
done
expected="memory.max=67108864 memory.low=33554432 memory.swap.max=33554432 cpu.weight=20 cpu.max=50000 100000 cpuset.cpus=0 cpuset.mems=0 pids.max=30 "
check cgroup-files-edge "$([ "$files_edge" = "$expected" ]; echo $?)" "$files_edge"
if [ -n "${files_runc:-}" ]; then
    check cgroup-files-edge-vs-runc "$([ "$files_edge" = "$files_runc" ]; echo $?)" "runc: $files_runc"
fi

# --- memory: a 16 MiB limit OOM-kills dd (exit 137 from every runtime) ----------------------------------
for rt in $runtimes; do
    b=/tmp/oom-$rt
    config $b '["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"]' '{"memory": {"limit": 16777216, "swap": 16777216}}'
    rt_cmd $rt run --bundle $b oom-$rt >/dev/null 2>&1; code=$?
    check memory-oom-$rt "$([ $code = 137 ]; echo $?)" "exit=$code"
done

# --- edge events: the oom event and the stats event on v2 ---------------------------------------------
b=/tmp/ev
config $b '["sh", "-c", "sleep 2; dd if=/dev/zero of=/dev/null bs=64M count=1; sleep 60"]' '{"memory": {"limit": 16777216, "swap": 16777216}, "pids": {"limit": 20}}'
edge --root /run/state-edge create --bundle $b ev >/dev/null 2>&1 && edge --root /run/state-edge start ev
edge --root /run/state-edge events --interval 1s ev > /tmp/ev.out 2>&1 &
evpid=$!
sleep 8
kill $evpid 2>/dev/null; wait $evpid 2>/dev/null
stats=$(edge --root /run/state-edge events --stats ev 2>&1)
edge --root /run/state-edge delete -f ev >/dev/null 2>&1
check events-oom "$(grep -q '"type":"oom"' /tmp/ev.out; echo $?)" "$(grep -c '"type":"oom"' /tmp/ev.out) oom events"
check events-stats "$(echo "$stats" | grep -q '"pids":{"current":[1-9]' && echo "$stats" | grep -q '"memory":{"usage":{[^}]*"usage":[1-9]'; echo $?)" "$(echo "$stats" | grep -o '"pids":{[^}]*}') $(echo "$stats" | grep -o '"memory":{"usage":{[^}]*}')"

# --- pids: a limit of 4 makes the shell's fork fail --------------------------------------------------
for rt in $runtimes; do
    b=/tmp/pids-$rt
    config $b '["sh", "-c", "for i in 1 2 3 4 5 6; do sleep 1 & done; wait; echo done"]' '{"pids": {"limit": 4}}'
    out=$(rt_cmd $rt run --bundle $b pids-$rt 2>&1); code=$?
    check pids-limit-$rt "$(echo "$out" | grep -q "can't fork"; echo $?)" "exit=$code"
done

# --- cpu: a 10% quota throttles a busy loop (the kernel's nr_throttled counter, not a timing) -----------
for rt in $runtimes; do
    b=/tmp/cpu-$rt
    config $b '["sh", "-c", "while :; do :; done"]' '{"cpu": {"quota": 10000, "period": 100000}}'
    rt_cmd $rt create --bundle $b cpu-$rt >/dev/null 2>&1 && rt_cmd $rt start cpu-$rt
    sleep 3
    pid=$(pid_of $rt cpu-$rt)
    throttled=$(sed -n 's/^nr_throttled //p' "$(cgdir "$pid")/cpu.stat")
    rt_cmd $rt delete -f cpu-$rt >/dev/null 2>&1
    check cpu-quota-$rt "$([ "${throttled:-0}" -gt 0 ]; echo $?)" "nr_throttled=$throttled"
done

# --- update: a running container's limits change (flags, then a resources file on stdin) --------------
for rt in $runtimes; do
    [ $rt = crun ] && continue # crun 1.8's update takes only --resources
    b=/tmp/upd-$rt
    config $b '["sleep", "60"]' '{"memory": {"limit": 67108864}, "pids": {"limit": 50}}'
    rt_cmd $rt create --bundle $b upd-$rt >/dev/null 2>&1 && rt_cmd $rt start upd-$rt
    rt_cmd $rt update --memory 33554432 --pids-limit 20 --cpu-quota 20000 --cpu-period 100000 upd-$rt
    dir=$(cgdir "$(pid_of $rt upd-$rt)")
    got="$(cat $dir/memory.max) $(cat $dir/pids.max) $(cat $dir/cpu.max)"
    echo '{"pids": {"limit": 25}}' | rt_cmd $rt update --resources - upd-$rt
    got2=$(cat $dir/pids.max)
    rt_cmd $rt delete -f upd-$rt >/dev/null 2>&1
    check update-$rt "$([ "$got" = "33554432 20 20000 100000" ] && [ "$got2" = 25 ]; echo $?)" "after flags: $got; after --resources: $got2"
done

# --- freezer: pause and resume through cgroup.freeze ----------------------------------------------------
for rt in $runtimes; do
    b=/tmp/frz-$rt
    config $b '["sleep", "60"]' '{}'
    rt_cmd $rt create --bundle $b frz-$rt >/dev/null 2>&1 && rt_cmd $rt start frz-$rt
    rt_cmd $rt pause frz-$rt
    s1=$(rt_cmd $rt state frz-$rt | tr -d ' \n' | sed 's/.*"status":"\([a-z]*\)".*/\1/')
    f1=$(cat "$(cgdir "$(pid_of $rt frz-$rt)")/cgroup.freeze")
    rt_cmd $rt resume frz-$rt
    s2=$(rt_cmd $rt state frz-$rt | tr -d ' \n' | sed 's/.*"status":"\([a-z]*\)".*/\1/')
    rt_cmd $rt delete -f frz-$rt >/dev/null 2>&1
    check pause-resume-$rt "$([ "$s1 $f1 $s2" = "paused 1 running" ]; echo $?)" "$s1 freeze=$f1 then $s2"
done

# --- devices: the v2 eBPF device filter (deny by default, runc's default devices, an allow rule) --------
for rt in $runtimes; do
    for mode in deny allow; do
        b=/tmp/dev-$mode-$rt
        rule='{"allow": false, "access": "rwm"}'
        [ $mode = allow ] && rule="$rule, {\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 259, \"access\": \"rwm\"}"
        config $b '["sh", "-c", "echo x > /dev/null && echo null-ok; mknod /dev/probe c 10 259; cat /dev/probe"]' "{\"devices\": [$rule]}" '' '"CAP_MKNOD"'
        out=$(rt_cmd $rt run --bundle $b dev-$mode-$rt 2>&1 | tr '\n' ' ')
        eval "dev_${mode}_$rt=\"\$out\""
        echo "EDGE-VM INFO devices-$mode-$rt $out"
    done
done
check devices-deny-edge "$(echo "$dev_deny_edge" | grep -q 'null-ok' && echo "$dev_deny_edge" | grep -q 'Operation not permitted'; echo $?)" "$dev_deny_edge"
check devices-allow-edge "$(echo "$dev_allow_edge" | grep -q 'null-ok' && echo "$dev_allow_edge" | grep -q 'No such device or address'; echo $?)" "$dev_allow_edge"
if [ -n "${dev_deny_runc:-}" ]; then
    check devices-edge-vs-runc "$([ "$dev_deny_edge" = "$dev_deny_runc" ] && [ "$dev_allow_edge" = "$dev_allow_runc" ]; echo $?)" "runc: $dev_deny_runc / $dev_allow_runc"
fi

# --- seccomp on this kernel: an errno rule and a kill rule -----------------------------------------------
for rt in $runtimes; do
    b=/tmp/sc-$rt
    config $b '["sh", "-c", "mkdir /dev/x; echo after-mkdir; hostname other"]' '{}' ', "seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["'$seccomp_arch'"], "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}, {"names": ["sethostname"], "action": "SCMP_ACT_KILL_PROCESS"}]}'
    out=$(rt_cmd $rt run --bundle $b sc-$rt 2>&1 | tr '\n' ' ')
    code=$(rt_cmd $rt run --bundle $b sc2-$rt >/dev/null 2>&1; echo $?)
    check seccomp-$rt "$(echo "$out" | grep -q 'Operation not permitted' && echo "$out" | grep -q after-mkdir && [ "$code" = 159 ]; echo $?)" "exit=$code out=$out"
done

# --- AppArmor: a profile applied at the container's exec (Debian's kernel has AppArmor) --------------------
# The profile denies reading /etc/os-release and writing /dev/edge-probe; without it both work (the control).
aa_ok=1
[ -f /apparmor/edge-test.bin ] && [ -d /sys/kernel/security/apparmor ] && cat /apparmor/edge-test.bin > /sys/kernel/security/apparmor/.load && aa_ok=0
check apparmor-loaded "$aa_ok" "profile edge-test loaded: $([ $aa_ok = 0 ] && echo yes || echo no)"
probe='["sh", "-c", "cat /proc/self/attr/current; cat /etc/os-release >/dev/null 2>&1 && echo read-os-release; echo x 2>/dev/null > /dev/edge-probe && echo wrote-probe; echo done"]'
config /tmp/aa-control "$probe" '{}'
aa_control=$(rt_cmd edge run --bundle /tmp/aa-control aa-control 2>&1 | tr '\n' ' ')
for rt in edge runc; do
    command -v $rt >/dev/null || continue
    config /tmp/aa-$rt "$probe" '{}'
    sed -i 's/"noNewPrivileges": true/"noNewPrivileges": true, "apparmorProfile": "edge-test"/' /tmp/aa-$rt/config.json
    out=$(rt_cmd $rt run --bundle /tmp/aa-$rt aa-$rt 2>&1 | tr '\n' ' ')
    eval "aa_$rt=\"\$out\""
    check apparmor-$rt "$(echo "$aa_control" | grep -q 'read-os-release wrote-probe done' && [ "$out" = "edge-test (enforce) done " ]; echo $?)" "confined: $out; unconfined: $aa_control"
done
if [ -n "${aa_runc:-}" ]; then check apparmor-edge-vs-runc "$([ "$aa_edge" = "$aa_runc" ]; echo $?)" "runc: $aa_runc"; fi
config /tmp/aa-unknown "$probe" '{}'
sed -i 's/"noNewPrivileges": true/"noNewPrivileges": true, "apparmorProfile": "edge-test-not-loaded"/' /tmp/aa-unknown/config.json
out=$(rt_cmd edge run --bundle /tmp/aa-unknown aa-unknown 2>&1 | tr '\n' ' ')
check apparmor-unknown-edge "$(echo "$out" | grep -q '^edge: AppArmor profile "edge-test-not-loaded" is not loaded (apparmor_parser -r PROFILE) $'; echo $?)" "$out"

# --- nothing left behind ----------------------------------------------------------------------------------
left=$(find /sys/fs/cgroup/edge-vm -mindepth 1 -type d 2>/dev/null | tr '\n' ' ')
check no-leftover-cgroups "$([ -z "$left" ]; echo $?)" "left: ${left:-none}"
