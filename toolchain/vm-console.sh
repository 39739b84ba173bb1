# Sourced by the VM scripts (cgroup2-vm.sh, arm64-vm.sh, systemd-vm.sh): reads a VM's serial console for the scenario
# lines "EDGE-VM RESULT <name> PASS|FAIL <detail>" and "EDGE-VM END", and sets the exit status:
# 0 when the VM finished and every scenario passed, 1 on a failed scenario, 2 when it did not finish.
#   vm_tally NAME CONSOLE-LOG QEMU-STATUS TIMEOUT-SECONDS
vm_tally() {
    local name="$1" log="$2" status="$3" timeout_s="$4" pass fail
    tr -d '\r' < "$log" > "$log.clean"
    if grep -q '^EDGE-VM EMERGENCY' "$log.clean"; then
        echo "$name: the VM's boot failed (emergency mode): see the journal lines above" >&2
        return 2
    fi
    if ! grep -q '^EDGE-VM END' "$log.clean"; then
        echo "$name: the VM did not finish (qemu status $status, timeout ${timeout_s}s)" >&2
        return 2
    fi
    pass=$(grep -c '^EDGE-VM RESULT [^ ]* PASS' "$log.clean" || true)
    fail=$(grep -c '^EDGE-VM RESULT [^ ]* FAIL' "$log.clean" || true)
    echo "$name: $pass passed, $fail failed"
    [[ "$fail" -eq 0 && "$pass" -gt 0 ]] || return 1
}

# The end of a --bench or --trace run (tests/vm/bench-run.sh): fails unless the VM reached "EDGE-VM END"; for
# --trace, writes the "EDGE-VM HIT <group> <address>" lines to DIR/GROUP.hits (run, cycle), one address per
# line in the order the VM printed them, and fails when a group has none.
#   vm_measured NAME CONSOLE-LOG QEMU-STATUS TRACE-DIR
vm_measured() {
    local name="$1" log="$2" status="$3" dir="$4" group
    grep -q '^EDGE-VM END' <(tr -d '\r' < "$log") || { echo "$name: the VM did not finish (qemu status $status)" >&2; return 2; }
    [[ -n "$dir" ]] || return 0
    mkdir -p "$dir"
    for group in run cycle; do
        tr -d '\r' < "$log" | sed -n "s/^EDGE-VM HIT $group \([0-9a-f]*\)\$/\1/p" > "$dir/$group.hits"
        [[ -s "$dir/$group.hits" ]] || { echo "$name: no functions entered in $group" >&2; return 2; }
    done
}
