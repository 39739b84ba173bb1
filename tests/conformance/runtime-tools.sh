#!/usr/bin/env bash
# The OCI runtime-tools validation suite against a runtime: every validation binary, its TAP tallied into
# one line per binary, then a summary. Built offline from the pinned source in toolchain/runtime-tools
# (vendored Go modules, Debian's Go 1.19).
#
#   tests/conformance/runtime-tools.sh [edge|runc|crun] [--check]
#
# Results go to out/conformance/RUNTIME/ (each binary's TAP, summary.txt, failures.txt). With --check the
# run fails when a test fails that docs/conformance.md does not list as a known failure and that runc passes
# on this host (a regression); a listed failure that passes is reported.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
runtime=${1:-edge}
check=${2:-}
commit=260e151
source_archive="$top/toolchain/runtime-tools/runtime-tools-$commit.tar.gz"
build="$top/out/runtime-tools-$commit"
results="$top/out/conformance/$runtime"
per_binary_timeout=300

case "$(uname -m)" in
    x86_64) ;;
    *) echo "runtime-tools.sh: the suite's bundle rootfs is amd64 only; skipped on $(uname -m)"; exit 0 ;;
esac

# --- build (once per pinned commit) ---------------------------------------------------------------------
if [[ ! -f "$build/.built" ]]; then
    command -v go >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends golang-go >/dev/null; }
    rm -rf "$build" && mkdir -p "$build"
    tar -xzf "$source_archive" -C "$build" --strip-components=1
    echo "runtime-tools: building runtimetest and the validation binaries (commit $commit, $(go version | cut -d' ' -f3))"
    (
        cd "$build"
        export GOFLAGS=-mod=vendor GOCACHE="$build/.gocache" GOPATH="$build/.gopath" CGO_ENABLED=0 GOTOOLCHAIN=local
        go build -tags "netgo osusergo" -o runtimetest ./cmd/runtimetest
        for source in $(find validation -name '*.go' -not -path '*/util/*' | sort); do
            go build -o "${source%.go}.t" "$source"
        done
    )
    touch "$build/.built"
fi

# --- the runtime under test --------------------------------------------------------------------------
case "$runtime" in
    edge) runtime_binary="$top/out/edge" ;;
    runc) runtime_binary=$(command -v runc) ;;
    crun)
        # crun 1.8 refuses this host's hybrid cgroups: each call runs with the cgroup2 mount hidden.
        runtime_binary="$build/crun-without-cgroup2"
        printf '#!/bin/sh\nexec unshare -m --propagation private sh -c '"'"'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun "$@"'"'"' crun "$@"\n' > "$runtime_binary"
        chmod +x "$runtime_binary"
        ;;
    *) echo "runtime-tools.sh: unknown runtime \"$runtime\" (edge, runc or crun)" >&2; exit 2 ;;
esac
[[ -x "$runtime_binary" ]] || { echo "runtime-tools.sh: $runtime_binary is missing (./build.sh build)" >&2; exit 1; }

# --- run and tally -------------------------------------------------------------------------------------
rm -rf "$results" && mkdir -p "$results"
summary="$results/summary.txt"
failures="$results/failures.txt"
: > "$summary"
: > "$failures"
# run_binary NAME: runs validation/NAME/NAME.t, its TAP into $results/NAME.tap, its failures (one line each,
# ids and temporary paths made generic) into $results/NAME.failures; sets pass, fail, skip and note.
run_binary() {
    local name=$1 status why
    set +e
    RUNTIME="$runtime_binary" timeout "$per_binary_timeout" "./validation/$name/$name.t" > "$results/$name.tap" 2>&1
    status=$?
    set -e
    : > "$results/$name.failures"
    # Top-level TAP lines only: the YAML blocks under them quote the nested runtimetest's own output.
    pass=$(grep -cE '^ok [0-9]+' "$results/$name.tap" | tr -d ' ' || true)
    skip=$(grep -cE '^ok [0-9]+ # SKIP' "$results/$name.tap" || true)
    fail=$(grep -cE '^not ok [0-9]+' "$results/$name.tap" || true)
    pass=$((pass - skip))
    note=""
    if [[ $status == 124 ]]; then note=" (timed out after ${per_binary_timeout}s)"; fi
    # Some binaries print no test point: the *_fail ones exit 0 in silence when the runtime refuses the bad
    # config, as it must (one pass); others print an "error" diagnostic and a "1..0" plan (one failure). A
    # binary that exits non-zero without a failing test point failed too.
    if [[ $((pass + fail + skip)) == 0 && $status == 0 ]] && ! grep -q '"error":' "$results/$name.tap"; then
        pass=1
    elif [[ $((pass + fail + skip)) == 0 || ( $status != 0 && $fail == 0 ) ]]; then
        fail=$((fail + 1)); note="$note (exit $status, no test result)"
        why=$(sed -nE 's/^ *"error": "([^"\\]*).*/\1/p' "$results/$name.tap" | head -1)
        echo "$name: ${why:-exit $status, no test result}" >> "$results/$name.failures"
    fi
    grep -E '^not ok [0-9]+' "$results/$name.tap" | sed -E "s/^not ok [0-9]+ - /$name: /; s/^not ok [0-9]+/$name:/" \
        | sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/UUID/g; s#/tmp/ocitest[0-9]+#/tmp/ocitestN#g; s/[0-9]{6,}/N/g' \
        >> "$results/$name.failures" || true
}

total_pass=0 total_fail=0 total_skip=0
cd "$build"
for binary in $(find validation -name '*.t' | sort); do
    name=$(basename "$binary" .t)
    run_binary "$name"
    cat "$results/$name.failures" >> "$failures"
    printf '%-42s %5d pass %4d fail %4d skip%s\n' "$name" "$pass" "$fail" "$skip" "$note" | tee -a "$summary"
    total_pass=$((total_pass + pass)); total_fail=$((total_fail + fail)); total_skip=$((total_skip + skip))
done
# A test that fails half-way may leave its container (the suite deletes only on success): those with the
# suite's bundles go.
for id in $("$runtime_binary" list -q 2>/dev/null); do
    if "$runtime_binary" state "$id" 2>/dev/null | grep -q '"bundle": *"/tmp/ocitest'; then "$runtime_binary" delete --force "$id" >/dev/null 2>&1 || true; fi
done
# linux_ns_itype has no mount namespace: runc 1.1.5 mounts the container's /proc, /dev and /sys in the host's
# mount table and leaves them (docs/conformance.md; edge refuses the config). The suite's bundles' mounts go.
{ findmnt -rn -o TARGET | grep -E '^/tmp/ocitest[0-9]+(/|$)' || true; } | sort -r | while read -r target; do
    umount -l "$target" 2>/dev/null || true
done
rmdir /tmp/ocitest[0-9]*/{proc,dev,sys} /tmp/ocitest[0-9]* 2>/dev/null || true
# The relative cgroups tests use cgroupsPath testdir/cgrouptest/container: runtimes remove the container's
# own directory, not the parents they made for it (runc neither); nor does the suite. Empty ones go.
for hierarchy in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    for dir in testdir/cgrouptest testdir; do [[ -d "$hierarchy$dir" ]] && rmdir "$hierarchy$dir" 2>/dev/null || true; done
done
line="runtime-tools ($commit) against $runtime: $total_pass pass, $total_fail fail, $total_skip skip, $(find validation -name '*.t' | wc -l) binaries"
echo "$line" | tee -a "$summary"

[[ "$check" == "--check" ]] || exit 0

# --- compare with the known failures in docs/conformance.md --------------------------------------------
# The list is the lines between the markers, each "binary: test" as failures.txt words it. A failure not on
# it is a regression, unless runc fails it as well on this host (a host limit the list does not know: a
# different kernel or cgroup layout), so runc is run too when there is one.
known=$(sed -n '/<!-- known-failures:begin -->/,/<!-- known-failures:end -->/p' "$top/docs/conformance.md" \
    | sed -nE 's/^- (.+)$/\1/p' | sort -u)
seen=$(sort -u "$failures")
new=$(comm -13 <(echo "$known") <(echo "$seen") | sed '/^$/d')
fixed=$(comm -23 <(echo "$known") <(echo "$seen") | sed '/^$/d')
if [[ -n "$fixed" ]]; then
    echo "runtime-tools: listed in docs/conformance.md but passing here (a host difference, or update the list):"
    echo "$fixed" | sed 's/^/  /'
fi
[[ -z "$new" ]] && exit 0
# A racy check (listed in docs/conformance.md with why no runtime can order what it compares) is run again,
# up to twice: it counts only when it fails every time. A runtime that gets the order wrong always fails it.
racy=$(sed -n '/<!-- racy:begin -->/,/<!-- racy:end -->/p' "$top/docs/conformance.md" | sed -nE 's/^- ([a-z0-9_]+):.*/\1/p')
for name in $(echo "$new" | cut -d: -f1 | sort -u); do
    grep -qx "$name" <<< "$racy" || continue
    cp "$results/$name.tap" "$results/$name.attempt1.tap"
    for attempt in 2 3; do
        run_binary "$name"
        cp "$results/$name.tap" "$results/$name.attempt$attempt.tap"
        if [[ ! -s "$results/$name.failures" ]]; then
            echo "runtime-tools: $name (racy, docs/conformance.md) failed once and passed on attempt $attempt"
            new=$(grep -v "^$name: " <<< "$new" || true)
            break
        fi
    done
done
[[ -z "$new" ]] && exit 0
if [[ "$runtime" != runc ]]; then
    echo "runtime-tools: failures not in docs/conformance.md; running the suite against runc to tell host limits apart"
    bash "$top/tests/conformance/runtime-tools.sh" runc >/dev/null
    # Shown, not hidden: a check runc fails too by chance can hide a bug of edge (hooks_stdin did).
    excused=$(comm -12 <(echo "$new") <(sort -u "$top/out/conformance/runc/failures.txt") | sed '/^$/d')
    if [[ -n "$excused" ]]; then
        echo "runtime-tools: not in docs/conformance.md, but runc fails them too here (host limits or chance):"
        echo "$excused" | sed 's/^/  /'
    fi
    new=$(comm -23 <(echo "$new") <(sort -u "$top/out/conformance/runc/failures.txt") | sed '/^$/d')
fi
if [[ -n "$new" ]]; then
    echo "runtime-tools: failures that are not in docs/conformance.md (and that runc passes here):"
    echo "$new" | sed 's/^/  /'
    exit 1
fi
