#!/usr/bin/env bash
# edge's one entry point for builds, the sample run, tests and benchmarks.
#
#   ./build.sh [--arch x64|arm64] build    set up the toolchain and build out/edge
#   ./build.sh [--arch x64|arm64] run      build, make the busybox sample image, load it and run it with edge
#   ./build.sh [--arch x64|arm64] test     build and run every test (unit, integration, differential)
#   ./build.sh bench                       build and run the start-up, lifecycle and pull benchmarks (bench/results/)
set -euo pipefail

top=$(cd "$(dirname "$0")" && pwd)
cd "$top"

arch=x64
while [[ $# -gt 0 ]]; do
    case "$1" in
        --arch) arch="${2:?--arch needs x64 or arm64}"; shift 2 ;;
        --arch=*) arch="${1#--arch=}"; shift ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) break ;;
    esac
done
action="${1:-build}"
shift || true

case "$arch" in
    x64|arm64) ;;
    *) echo "build.sh: unknown architecture \"$arch\" (use x64 or arm64)" >&2; exit 2 ;;
esac

host_arch() {
    case "$(uname -m)" in
        x86_64) echo x64 ;;
        aarch64|arm64) echo arm64 ;;
        *) uname -m ;;
    esac
}

setup() {
    bash toolchain/setup.sh "$@"
    export PATH="$top/.toolchain/bin:$PATH"
    export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
}

build() {
    setup "$@"
    if [[ "$arch" != "$(host_arch)" ]]; then
        cat >&2 <<MSG
build.sh: cannot build linux-$arch on this $(host_arch) host.
  Native AOT links against the target's libc and OpenSSL, so it needs the
  runtime.linux-$arch.Microsoft.DotNet.ILCompiler package and a linux-$arch sysroot
  (gcc-aarch64-linux-gnu, libssl-dev:$arch). Build on a linux-$arch machine instead:
  ./build.sh --arch $arch build
MSG
        exit 1
    fi
    echo "build: out/edge (linux-$arch, Native AOT, static)"
    dotnet publish src/Edge.Cli/Edge.Cli.csproj -c Release -r "linux-$arch" -o out/publish \
        -nologo -clp:NoSummary -v:quiet -warnaserror
    mkdir -p out
    cp -f out/publish/edge out/edge
    if ! file out/edge | grep -q "statically linked\|static-pie linked"; then
        echo "build.sh: out/edge is not statically linked: $(file out/edge)" >&2
        exit 1
    fi
}


case "$action" in
    build)
        build
        ls -l out/edge
        ;;
    run)
        build
        bash rootfs-samples/build-busybox.sh out/samples/busybox
        bash rootfs-samples/build-image.sh out/samples/busybox-image
        # The sample image goes into a store under out/ the way an air-gapped device gets its images,
        # then runs in one command (layers unpacked once into overlay snapshots).
        echo "run: edge load of the sample image archive (out/samples/busybox-image.tar) into out/store"
        out/edge --store out/store load out/samples/busybox-image.tar
        out/edge --store out/store images
        echo "run: edge run --rm localhost/edge-samples/busybox"
        exec out/edge --store out/store run --rm localhost/edge-samples/busybox
        ;;
    test)
        build
        bash rootfs-samples/build-busybox.sh out/samples/busybox >/dev/null
        bash rootfs-samples/build-image.sh out/samples/busybox-image >/dev/null
        EDGE_SAMPLE_CMD="sleep 1000000" bash rootfs-samples/build-image.sh out/samples/pause-image localhost/edge-samples/pause:latest >/dev/null
        export EDGE_BINARY="$top/out/edge" EDGE_SAMPLES="$top/out/samples"
        log=$(mktemp)
        set +e
        dotnet test tests/Edge.Tests/Edge.Tests.csproj -c Release -nologo -warnaserror \
            --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
        status=${PIPESTATUS[0]}
        set -e
        # One closing line that any CI reader understands, from the runner's totals.
        passed=$(sed -nE 's/^ +Passed: +([0-9]+)$/\1/p' "$log" | tail -1 || true)
        failed=$(sed -nE 's/^ +Failed: +([0-9]+)$/\1/p' "$log" | tail -1 || true)
        skipped=$(sed -nE 's/^ +Skipped: +([0-9]+)$/\1/p' "$log" | tail -1 || true)
        total=$(sed -nE 's/^Total tests: +([0-9]+)$/\1/p' "$log" | tail -1 || true)
        # A failure outside any test (the leftover check when the container tests' fixture is cleaned up)
        # fails the run too, and is counted so.
        if grep -q "Cleanup Failure" "$log"; then
            echo "the test run failed after the tests: see the Cleanup Failure above (leftover containers?)"
            failed=$(( ${failed:-0} + 1 ))
        fi
        rm -f "$log"
        echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
        # A run that executed no test is a failure too.
        if [[ -z "$total" || "$total" == 0 ]]; then status=1; fi
        # The OCI runtime-tools validation suite: every failure must be a known one (docs/conformance.md).
        if [[ $# == 0 ]]; then
            conformance=0
            bash tests/conformance/runtime-tools.sh edge --check || conformance=$?
            if [[ $conformance != 0 ]]; then status=1; fi
        fi
        exit "$status"
        ;;
    bench)
        build --bench
        bash rootfs-samples/build-busybox.sh out/samples/busybox >/dev/null
        bash bench/startup.sh
        bash bench/lifecycle.sh
        bash bench/pull.sh      # the first run needs a Debian mirror (debootstrap); the image is cached
        bash bench/extract.sh
        bash rootfs-samples/build-image.sh out/samples/busybox-image >/dev/null
        bash bench/seccomp.sh
        bash bench/adoption.sh
        ;;
    clean)
        rm -rf out .toolchain src/*/bin src/*/obj tests/*/bin tests/*/obj bench/*/bin bench/*/obj
        ;;
    *)
        echo "build.sh: unknown action \"$action\" (build, run, test, bench, clean)" >&2
        exit 2
        ;;
esac
