#!/usr/bin/env bash
# Builds an OCI image of the busybox sample rootfs with umoci: two layers (the busybox rootfs, then a small
# "app" layer), a config that runs the sample's greeting, and writes it as an OCI image layout directory
# OUT and an OCI archive OUT.tar, named NAME (default localhost/edge-samples/busybox:latest) in
# index.json. `edge load OUT.tar` reads it offline; the tests push it to a local registry with skopeo.
# Usage: rootfs-samples/build-image.sh OUT [NAME] [ARCH]   (needs the bundle from build-busybox.sh)
# EDGE_SAMPLE_CMD="sleep 1000000" replaces the command (the CRI test's pod sandbox image runs that).
set -euo pipefail

out="${1:?usage: build-image.sh OUT [NAME] [ARCH]}"
name="${2:-localhost/edge-samples/busybox:latest}"
arch="${3:-$(dpkg --print-architecture 2>/dev/null || echo amd64)}"
top=$(cd "$(dirname "$0")/.." && pwd)
rootfs="${EDGE_SAMPLE_ROOTFS:-$top/out/samples/busybox/rootfs}"

command -v umoci >/dev/null || { echo "build-image.sh: umoci is missing (apt-get install umoci)" >&2; exit 1; }
[[ -d "$rootfs" ]] || { echo "build-image.sh: $rootfs not found (rootfs-samples/build-busybox.sh first)" >&2; exit 1; }

parent=$(dirname "$out")
mkdir -p "$parent"
tmp=$(mktemp -d "$parent/.image.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
layout="$tmp/layout"
bundle="$tmp/bundle"
tag=build

umoci init --layout "$layout"
umoci new --image "$layout:$tag"
if [[ -n "${EDGE_SAMPLE_CMD:-}" ]]; then
    read -r -a words <<< "$EDGE_SAMPLE_CMD"
    cmd=()
    for w in "${words[@]}"; do cmd+=(--config.cmd "$w"); done
else
    cmd=(--config.cmd /bin/sh --config.cmd -c
         --config.cmd '. /etc/os-release; echo "hello from $NAME image: pid $$, host $(hostname), uid $(id -u)"')
fi
umoci config --image "$layout:$tag" --os linux --architecture "$arch" --author "edge rootfs-samples" \
    --config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin --config.workingdir / "${cmd[@]}"
umoci unpack --image "$layout:$tag" "$bundle" >/dev/null

# Layer 1: the busybox rootfs. Layer 2: what an application image adds on top.
cp -a "$rootfs/." "$bundle/rootfs/"
umoci repack --refresh-bundle --image "$layout:$tag" "$bundle"
mkdir -p "$bundle/rootfs/app"
echo "edge sample application layer" > "$bundle/rootfs/app/README"
sed -i 's/^NAME=.*/NAME="edge busybox sample"/' "$bundle/rootfs/etc/os-release"
umoci repack --image "$layout:$tag" "$bundle"
umoci gc --layout "$layout"

# Name it with a full reference (umoci's tags are bare), as containerd and docker write index.json.
sed -i "s|\"org.opencontainers.image.ref.name\":\"$tag\"|\"org.opencontainers.image.ref.name\":\"$name\"|" "$layout/index.json"
grep -q "\"$name\"" "$layout/index.json" || { echo "build-image.sh: could not name the image in index.json" >&2; exit 1; }

tar -C "$layout" -cf "$tmp/image.tar" .
rm -rf "$out" "$out.tar"
mv "$layout" "$out"
mv "$tmp/image.tar" "$out.tar"
echo "sample image: $out (OCI layout) and $out.tar (OCI archive), $name"
