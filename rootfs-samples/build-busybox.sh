#!/usr/bin/env bash
# Builds a small OCI bundle from Debian's busybox-static: OUT/rootfs (busybox and its applet links,
# /etc/passwd and /etc/group, empty mount points) and OUT/config.json written by `edge spec`, set to run a
# short non-interactive script. Used by the README's sample run, the tests and the benchmarks.
# Usage: rootfs-samples/build-busybox.sh [--arch x64|arm64] OUT [EDGE_BINARY]
# --arch arm64 takes Debian's arm64 busybox-static (unpacked by toolchain/setup.sh --arm64); EDGE_BINARY, which
# writes config.json, is one that runs here (the spec is the same on every architecture).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
busybox=/bin/busybox
if [[ "${1:-}" == --arch ]]; then
    case "${2:-}" in
        x64|amd64) ;;
        arm64|aarch64) busybox="$top/.toolchain/arm64/root/bin/busybox" ;;
        *) echo "build-busybox.sh: unknown architecture \"${2:-}\" (x64 or arm64)" >&2; exit 2 ;;
    esac
    shift 2
fi
out="${1:?usage: build-busybox.sh [--arch x64|arm64] OUT [EDGE_BINARY]}"
edge="${2:-$top/out/edge}"

[[ -x "$busybox" ]] && file -L "$busybox" | grep -q "statically linked" \
    || { echo "build-busybox.sh: $busybox is not a static busybox (apt-get install busybox-static; for arm64: toolchain/setup.sh --arm64)" >&2; exit 1; }
[[ -x "$edge" ]] || { echo "build-busybox.sh: $edge not found (./build.sh build)" >&2; exit 1; }

# Build beside the target and swap it in, so a half-built bundle is never left at OUT.
parent=$(dirname "$out")
mkdir -p "$parent"
tmp=$(mktemp -d "$parent/.busybox.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
rootfs="$tmp/rootfs"

mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,home,var/tmp,run}
chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
cp "$busybox" "$rootfs/bin/busybox"
# The applet list from the host's busybox when the sample is for another architecture (the same package).
lister="$busybox"
"$lister" true 2>/dev/null || lister=/bin/busybox
for applet in $("$lister" --list-full); do
    [[ -e "$rootfs/$applet" ]] || ln -s /bin/busybox "$rootfs/$applet"
done

cat > "$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
app:x:1000:1000:app:/home/app:/bin/sh
PASSWD
cat > "$rootfs/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
tty:x:5:
users:x:100:app
app:x:1000:
nogroup:x:65534:
GROUP
mkdir -p "$rootfs/home/app" && chown 1000:1000 "$rootfs/home/app"
echo "edge-sample" > "$rootfs/etc/hostname"
cat > "$rootfs/etc/os-release" <<'OS'
NAME="edge busybox sample"
ID=busybox
VERSION_ID=1
OS

# config.json: edge's default spec, non-interactive, running a script that shows what it sees.
"$edge" spec --bundle "$tmp"
sed -i 's/"terminal": true/"terminal": false/' "$tmp/config.json"
sed -i 's|"sh"$|"/bin/sh",\n\t\t\t"-c",\n\t\t\t". /etc/os-release; echo \\"hello from $NAME: pid $$, host $(hostname), uid $(id -u)\\""|' "$tmp/config.json"

rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "sample bundle: $out"
