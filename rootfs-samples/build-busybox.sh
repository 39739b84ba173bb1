#!/usr/bin/env bash
# Builds a small OCI bundle from Debian's busybox-static: OUT/rootfs (busybox and its applet links,
# /etc/passwd and /etc/group, empty mount points) and OUT/config.json written by `edge spec`, set to run a
# short non-interactive script. Used by the README's sample run, the tests and the benchmarks.
# Usage: rootfs-samples/build-busybox.sh OUT [EDGE_BINARY]
set -euo pipefail

out="${1:?usage: build-busybox.sh OUT [EDGE_BINARY]}"
edge="${2:-$(cd "$(dirname "$0")/.." && pwd)/out/edge}"
busybox=/bin/busybox

[[ -x "$busybox" ]] && file -L "$busybox" | grep -q "statically linked" \
    || { echo "build-busybox.sh: $busybox is not a static busybox (apt-get install busybox-static)" >&2; exit 1; }
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
for applet in $("$busybox" --list-full); do
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
