#!/usr/bin/env bash
# Turns a fresh Debian 12 machine into an edge build and test machine. Idempotent, and silent when
# everything is already in place. Usage: toolchain/setup.sh [--bench] [--arm64] [--openssl]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")

# Build: lld links the static image (GNU ld cannot), cmake/make/gcc build the static OpenSSL shim, python3 runs
# toolchain/frozen-layout.py, which orders ILC's frozen objects before the link.
packages=(lld-14 libssl-dev libzstd-dev libseccomp-dev cmake make gcc git ca-certificates python3)
# Tests: busybox for sample root filesystems; runc and crun as reference runtimes for differential tests;
# file, ps, unshare and chroot, which the tests call.
packages+=(busybox-static runc crun file procps util-linux)
# Images: umoci builds the sample OCI images (also for `./build.sh run`); the image tests push them with
# skopeo to Debian's docker-registry (CNCF distribution) on 127.0.0.1.
packages+=(umoci skopeo docker-registry attr zstd debootstrap)
# Seccomp: docker's and podman's default profile (/usr/share/containers/seccomp.json) for the seccomp tests.
packages+=(golang-github-containers-common)
# Drop-in use: containerd (+ ctr and the runc v2 shim) and podman (+ conmon) drive edge in the adoption tests.
packages+=(containerd podman conmon docker.io)
# cgroup v2: toolchain/cgroup2-vm.sh boots Debian's kernel under qemu with an initramfs (cpio) holding edge.
packages+=(qemu-system-x86 linux-image-amd64 cpio)
# systemd: toolchain/systemd-vm.sh boots a debootstrapped bookworm with systemd from an ext4 image (mkfs.ext4 -d)
# through Debian's initramfs (initramfs-tools, which linux-image-amd64 pulls in).
packages+=(e2fsprogs initramfs-tools)
# AppArmor in that VM: apparmor_parser compiles the scenario's profile on this host for the VM's kernel.
packages+=(apparmor)
# The OCI runtime-tools validation suite (docs/conformance.md) is built from its pinned Go source.
packages+=(golang-go)
# Benchmarks: the interleaving driver (bench/procbench.py).
# The pull benchmark also builds a Debian image and compares with containerd.
bench=0 arm64=0 openssl=0
for a in "$@"; do
    case "$a" in
        --bench) bench=1 ;;
        --arm64) arm64=1 ;;
        --openssl) openssl=1 ;;
        *) echo "toolchain: unknown option \"$a\"" >&2; exit 2 ;;
    esac
done
if [[ $bench == 1 ]]; then packages+=(python3 curl); fi
# The OpenSSL built for edge (toolchain/openssl-for-edge.sh): its source from Debian's mirror, its Configure.
if [[ $openssl == 1 ]]; then packages+=(curl perl); fi
host=$(dpkg --print-architecture)
# arm64 on an amd64 host (docs/arm64.md): Debian's cross compiler and arm64 libc for the C parts and the link
# (clang-14 --target=aarch64-linux-gnu, through the wrapper below), multiarch arm64 static libraries,
# qemu-user to run the arm64 binary here and qemu-system-arm to boot Debian's arm64 kernel, and the shared
# libraries Debian's arm64 crun needs in that VM. Multi-Arch: same packages only, so the host's own
# packages stay as they are (busybox-static and crun are not: their arm64 .debs are only unpacked, below).
# glibc comes from libc6-dev:arm64, not from the cross toolchain's libc6-dev-arm64-cross (kept for the
# compiler's headers), which lags Debian's security updates (2.36-8cross1 against 2.36-9+deb12u14): with
# both installed, clang's driver takes libc.a and the crt files from the multiarch directory.
if [[ $arm64 == 1 && $host == amd64 ]]; then
    packages+=(clang-14 gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu qemu-user-static
               qemu-system-arm libc6-dev:arm64 libssl-dev:arm64 libseccomp-dev:arm64 libzstd-dev:arm64 libyajl2:arm64
               libsystemd0:arm64 libcap2:arm64)
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        echo "toolchain: adding Debian's arm64 architecture (dpkg --add-architecture arm64)"
        dpkg --add-architecture arm64
    fi
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then missing+=("$p"); fi
done
if ((${#missing[@]})); then
    echo "toolchain: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The C libraries linked into the static edge stay in it until it is rebuilt, so a build links apt's newest
# (Debian's security fixes), not whatever the machine happened to have: a machine with libssl-dev 3.0.19
# built an edge with OpenSSL 3.0.19 while apt offered 3.0.22. Both architectures of a Multi-Arch: same
# package move together; --no-remove makes apt stop rather than remove anything to get there.
installed_linked=()
for base in libssl-dev libzstd-dev libseccomp-dev libc6-dev libc6-dev-arm64-cross; do
    names=("$base:$host")
    [[ $host == arm64 ]] || names+=("$base:arm64")
    [[ $base == *-cross ]] && names=("$base")
    for p in "${names[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && installed_linked+=("$p")
    done
done
linked=()
# One apt-cache call (each costs a second): "PACKAGE INSTALLED CANDIDATE" per package.
while read -r p installed candidate; do
    if [[ "$candidate" != "(none)" ]] && dpkg --compare-versions "$candidate" gt "$installed"; then
        echo "toolchain: updating $p $installed -> $candidate (linked into edge)"
        linked+=("$p")
    fi
done < <(apt-cache policy "${installed_linked[@]}" 2>/dev/null | awk '
    /^[^ ]/ { name = $1; sub(/:$/, "", name) }
    $1 == "Installed:" { installed = $2 }
    $1 == "Candidate:" { print name, installed, $2 }')
if ((${#linked[@]})); then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-remove "${linked[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
    echo "toolchain: the .NET SDK (10 or newer) is missing: install it and put dotnet on PATH" >&2
    exit 1
fi

# Private tool shims, put first on PATH by build.sh only (nothing is changed system-wide):
#  - ld.lld: Debian names it ld.lld-14; the compiler driver looks for ld.lld.
#  - cmake: the ILCompiler package builds its OpenSSL shim with a variable its CMakeLists.txt does not
#    use, and MSBuild reports CMake's notice about it as a build warning; --no-warn-unused-cli silences it.
bin="$top/.toolchain/bin"
mkdir -p "$bin"
lld=$(command -v ld.lld-14 || true)
[[ -n "$lld" ]] || { echo "toolchain: ld.lld-14 not found after installing lld-14" >&2; exit 1; }
ln -sfn "$lld" "$bin/ld.lld"
realcmake=$(PATH=${PATH//$bin:/} command -v cmake)
cat > "$bin/cmake.new" <<SH
#!/bin/sh
# Generated by toolchain/setup.sh.
for a in "\$@"; do case "\$a" in -S) exec "$realcmake" --no-warn-unused-cli "\$@";; esac; done
exec "$realcmake" "\$@"
SH
chmod +x "$bin/cmake.new"
mv -f "$bin/cmake.new" "$bin/cmake"

if [[ $arm64 == 1 ]]; then
    # The compiler for arm64 code: ILCompiler builds its OpenSSL shim with cmake and plain $CC (no target
    # option), so the compiler must target aarch64 by itself; init.c, the exec stub and the library look-ups
    # use the same one. The two warnings it turns off come from the ILCompiler's own shim sources.
    if [[ $host == amd64 ]]; then
        cat > "$bin/aarch64-linux-gnu-clang.new" <<'SH'
#!/bin/sh
# Generated by toolchain/setup.sh: clang for linux-arm64 (Debian's cross gcc supplies crt files and libgcc).
exec clang-14 --target=aarch64-linux-gnu -Wno-unused-command-line-argument -Wno-unused-value "$@"
SH
        chmod +x "$bin/aarch64-linux-gnu-clang.new"
        mv -f "$bin/aarch64-linux-gnu-clang.new" "$bin/aarch64-linux-gnu-clang"
    fi
    # The arm64 userland for samples and the arm64 VM, unpacked from Debian's .debs (never installed: they
    # would replace the host's own busybox, crun and runc): busybox-static, crun, runc, and the kernel with
    # its modules. Cached in .toolchain/arm64 by version.
    kernel=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null | sed -n 's/.*Depends: \(linux-image-[^:]*\).*/\1/p' | head -1)
    [[ -n "$kernel" ]] || { echo "toolchain: Debian's arm64 kernel package is unknown (apt-get update?)" >&2; exit 1; }
    want="busybox-static:arm64 crun:arm64 runc:arm64 $kernel:arm64"
    stamp=$(for p in $want; do echo "$p=$(apt-cache policy "$p" | sed -n 's/ *Candidate: //p')"; done)
    arm="$top/.toolchain/arm64"
    if [[ "$(cat "$arm/stamp" 2>/dev/null)" != "$stamp" ]]; then
        echo "toolchain: unpacking Debian's arm64 busybox, crun, runc and kernel into .toolchain/arm64"
        rm -rf "$arm.new"
        mkdir -p "$arm.new/debs"
        (cd "$arm.new/debs" && apt-get download -q $want >/dev/null 2>&1) \
            || { echo "toolchain: apt-get download $want failed" >&2; exit 1; }
        for deb in "$arm.new"/debs/*.deb; do dpkg-deb -x "$deb" "$arm.new/root"; done
        rm -rf "$arm.new/debs"
        echo "$stamp" > "$arm.new/stamp"
        rm -rf "$arm"
        mv "$arm.new" "$arm"
    fi
fi
