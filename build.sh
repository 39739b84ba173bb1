#!/usr/bin/env bash
# edge's one entry point for builds, the sample run, tests and benchmarks.
#
#   ./build.sh build                   set up the toolchain and build out/edge for this machine
#   ./build.sh --arch arm64 build      on an x64 machine: cross-build out/arm64/edge (docs/arm64.md)
#   ./build.sh build-all               both: out/edge and out/arm64/edge
#   ./build.sh run                     build, make the busybox sample image, load it and run it with edge
#   ./build.sh test                    build both and run every test: the fast tier, then integration, VMs
#   ./build.sh test-fast               the fast tier alone: no root, no kernel features, no build (seconds)
#   ./build.sh bench                   build and run the start-up, lifecycle and pull benchmarks (bench/results/)
#   ./build.sh --openssl edge build    link an OpenSSL built for edge (1.4 MB smaller, toolchain/openssl-for-edge.sh)
#                                      instead of Debian's libssl.a, which gets security fixes through apt
set -euo pipefail

top=$(cd "$(dirname "$0")" && pwd)
cd "$top"

host_arch() {
    case "$(uname -m)" in
        x86_64) echo x64 ;;
        aarch64|arm64) echo arm64 ;;
        *) uname -m ;;
    esac
}

arch=$(host_arch)
openssl=debian
while [[ $# -gt 0 ]]; do
    case "$1" in
        --arch) arch="${2:?--arch needs x64 or arm64}"; shift 2 ;;
        --arch=*) arch="${1#--arch=}"; shift ;;
        --openssl) openssl="${2:?--openssl needs debian or edge}"; shift 2 ;;
        --openssl=*) openssl="${1#--openssl=}"; shift ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) break ;;
    esac
done
action="${1:-build}"
shift || true

case "$arch" in
    x64|arm64) ;;
    *) echo "build.sh: unknown architecture \"$arch\" (use x64 or arm64)" >&2; exit 2 ;;
esac
case "$openssl" in
    debian|edge) ;;
    *) echo "build.sh: unknown OpenSSL \"$openssl\" (use debian or edge)" >&2; exit 2 ;;
esac

setup() {
    bash toolchain/setup.sh "$@"
    export PATH="$top/.toolchain/bin:$PATH"
    export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
}

build() {
    setup "$@"
    build_arch "$arch"
}

# build_arch ARCH [DIR]: out/edge for this machine's architecture, out/arm64/edge when cross-building arm64 on
# x64; DIR/edge instead when given.
build_arch() {
    local target="$1" dir="${2:-}" out=out/edge publish=out/publish cross=()
    if [[ "$target" != "$(host_arch)" ]]; then
        if [[ "$target" != arm64 || "$(host_arch)" != x64 ]]; then
            echo "build.sh: cannot build linux-$target on this $(host_arch) host (cross builds: x64 to arm64 only)" >&2
            exit 1
        fi
        bash toolchain/setup.sh --arm64
        # The ILCompiler runs on this host; the C parts and the link go through the arm64 clang wrapper.
        local cc="$top/.toolchain/bin/aarch64-linux-gnu-clang"
        cross=(-p:CppCompilerAndLinker="$cc" -p:EdgeCC="$cc" -p:ObjCopyName=aarch64-linux-gnu-objcopy)
        out=out/$target/edge publish=out/$target/publish
    fi
    if [[ -n "$dir" ]]; then out=$dir/edge publish=$dir/publish; fi
    if [[ "$openssl" == edge ]]; then
        bash toolchain/setup.sh --openssl
        bash toolchain/openssl-for-edge.sh "$target" "out/openssl/$target"
        cross+=(-p:EdgeOpenSslLib="$top/out/openssl/$target")
    fi
    echo "build: $out (linux-$target, Native AOT, static, $openssl OpenSSL)"
    # The link map goes with the binary: it names the addresses of --debug's failure reports
    # (toolchain/symbolize.py; the binary carries no method names).
    dotnet publish src/Edge.Cli/Edge.Cli.csproj -c Release -r "linux-$target" -o "$publish" \
        -nologo -clp:NoSummary -v:quiet -warnaserror -p:EdgeLinkMap="$top/$publish/edge.map" "${cross[@]}"
    mkdir -p "$(dirname "$out")"
    cp -f "$publish/edge" "$out"
    cp -f "$publish/edge.map" "$out.map"
    if ! file "$out" | grep -q "statically linked\|static-pie linked"; then
        echo "build.sh: $out is not statically linked: $(file "$out")" >&2
        exit 1
    fi
}

# The test tiers (README "Testing"): the fast one needs neither root, nor a kernel feature, nor a built edge.
fast_tier='FullyQualifiedName!~Edge.Tests.Integration&Category!=Integration'
integration_tier='FullyQualifiedName~Edge.Tests.Integration|Category=Integration'
# What the OpenSSL built for edge changes: TLS, the registry client, the image store, the binary itself.
openssl_edge_tests='FullyQualifiedName~Edge.Tests.Integration.Images|FullyQualifiedName~StaticBinaryTests'

# run_tests LOG ARGS...: dotnet test, its output also appended to LOG.
run_tests() {
    local log="$1"; shift
    dotnet test tests/Edge.Tests/Edge.Tests.csproj -c Release -nologo -warnaserror \
        --logger "console;verbosity=normal" "$@" 2>&1 | tee -a "$log"
    return "${PIPESTATUS[0]}"
}

# sum_of Passed|Failed|Skipped LOG: the runners' totals added up.
sum_of() {
    sed -nE "s/^ +$1: +([0-9]+)\$/\\1/p" "$2" | awk '{ t += $1 } END { print t + 0 }'
}

# openssl_edge_tier LOG: edge built with the OpenSSL built for edge (--openssl edge, out/openssl-edge/edge),
# through the tests of what that OpenSSL serves: TLS, the registry client, the image store, the binary.
# Skipped, with a line saying so, when Debian's libssl-dev has moved past the pinned source (time to move the pin).
# Called where `set -e` does not act, so every step is checked.
openssl_edge_tier() {
    local target why
    target=$(host_arch)
    if ! why=$(bash toolchain/openssl-for-edge.sh --pin); then
        echo "openssl-edge tier skipped: $why"
        return 0
    fi
    bash toolchain/setup.sh --openssl || return 1
    bash toolchain/openssl-for-edge.sh "$target" "out/openssl/$target" || return 1
    rm -rf out/openssl-edge
    openssl=edge build_arch "$target" out/openssl-edge
    [[ -x out/openssl-edge/edge ]] || return 1
    EDGE_BINARY="$top/out/openssl-edge/edge" run_tests "$1" --filter "$openssl_edge_tests"
}

# The arm64 sample bundle and the multi-architecture sample image (amd64 + arm64), for the arm64 VM stage.
arm64_samples() {
    bash rootfs-samples/build-busybox.sh --arch arm64 out/samples/arm64/busybox >/dev/null
    bash rootfs-samples/build-multiarch-image.sh out/samples/busybox-multiarch >/dev/null
}


case "$action" in
    build)
        build
        if [[ "$arch" == "$(host_arch)" ]]; then ls -l out/edge; else ls -l "out/$arch/edge"; fi
        ;;
    build-all)
        setup
        build_arch "$(host_arch)"
        [[ "$(host_arch)" == arm64 ]] || build_arch arm64
        ls -l out/edge out/arm64/edge 2>/dev/null || ls -l out/edge
        ;;
    run)
        setup
        build_arch "$(host_arch)"
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
    test-fast)
        # The fast tier alone, as any user: the planner, cgroup writers, parsers, path rules (no edge build).
        export PATH="$top/.toolchain/bin:$PATH" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
        exec dotnet test tests/Edge.Tests/Edge.Tests.csproj -c Release -nologo -warnaserror --filter "$fast_tier" "$@"
        ;;
    test)
        setup
        build_arch "$(host_arch)"
        # arm64 is built and tested too: under qemu-user here, and in an arm64 VM (docs/arm64.md).
        if [[ "$(host_arch)" == x64 ]]; then build_arch arm64; fi
        bash rootfs-samples/build-busybox.sh out/samples/busybox >/dev/null
        bash rootfs-samples/build-image.sh out/samples/busybox-image >/dev/null
        EDGE_SAMPLE_CMD="sleep 1000000" bash rootfs-samples/build-image.sh out/samples/pause-image localhost/edge-samples/pause:latest >/dev/null
        if [[ -x out/arm64/edge ]]; then arm64_samples; fi
        export EDGE_BINARY="$top/out/edge" EDGE_SAMPLES="$top/out/samples"
        log=$(mktemp)
        set +e
        if [[ $# == 0 ]]; then
            # The fast tier first (seconds; a broken planner or parser stops here), then the integration tier.
            run_tests "$log" --filter "$fast_tier" && run_tests "$log" --filter "$integration_tier" &&
                openssl_edge_tier "$log"
        else
            run_tests "$log" "$@"
        fi
        status=$?
        set -e
        # One closing line that any CI reader understands, from the runners' totals.
        passed=$(sum_of Passed "$log") failed=$(sum_of Failed "$log") skipped=$(sum_of Skipped "$log")
        total=$(sed -nE 's/^Total tests: +([0-9]+)$/\1/p' "$log" | awk '{ t += $1 } END { print t + 0 }')
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
        echo "build.sh: unknown action \"$action\" (build, build-all, run, test, test-fast, bench, clean)" >&2
        exit 2
        ;;
esac
