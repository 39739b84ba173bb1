#!/usr/bin/env bash
# Builds (once) the Debian image of the tests and benchmarks: bookworm minbase from debootstrap, without apt's package
# cache, as an OCI layout CACHE/image (ref "minbase") in four layers: the base without /usr, /usr/lib,
# the rest of /usr, and a small top layer. Needs a Debian mirror the first time.
# Used by the Debian image tests and bench/pull.sh, bench/extract.sh.
# Usage: rootfs-samples/build-debian-image.sh CACHE
set -euo pipefail
cache="${1:?usage: build-debian-image.sh CACHE}"
mkdir -p "$cache"
[[ -f "$cache/image/index.json" ]] && exit 0
if [[ ! -x "$cache/rootfs/bin/sh" ]]; then
    rm -rf "$cache/rootfs"
    debootstrap --variant=minbase bookworm "$cache/rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >/dev/null
fi
rm -f "$cache/rootfs"/var/cache/apt/archives/*.deb
rm -rf "$cache/image" "$cache/bundle"
umoci init --layout "$cache/image"
umoci new --image "$cache/image:minbase"
umoci config --image "$cache/image:minbase" --os linux --architecture amd64 --config.cmd /bin/bash
umoci unpack --image "$cache/image:minbase" "$cache/bundle" >/dev/null
(cd "$cache/rootfs" && tar --exclude=./usr -cf - .) | tar -C "$cache/bundle/rootfs" -xf -
umoci repack --refresh-bundle --image "$cache/image:minbase" "$cache/bundle"
mkdir -p "$cache/bundle/rootfs/usr"
cp -a "$cache/rootfs/usr/lib" "$cache/bundle/rootfs/usr/"
umoci repack --refresh-bundle --image "$cache/image:minbase" "$cache/bundle"
(cd "$cache/rootfs" && tar -cf - ./usr) | tar -C "$cache/bundle/rootfs" -xf -
umoci repack --refresh-bundle --image "$cache/image:minbase" "$cache/bundle"
echo "edge benchmark image" > "$cache/bundle/rootfs/etc/motd"
umoci repack --image "$cache/image:minbase" "$cache/bundle"
umoci gc --layout "$cache/image"
rm -rf "$cache/bundle"
