#!/usr/bin/env bash
# Builds the sample image for two architectures: the busybox sample as linux/amd64 (out/samples/busybox) and
# as linux/arm64/v8 (out/samples/arm64/busybox), each made by build-image.sh, under one OCI image index named
# NAME. Writes the OCI layout OUT and the archive OUT.tar; `edge load OUT.tar` and `edge run NAME` pick the
# machine's own architecture from it, as docker and containerd do.
# Usage: rootfs-samples/build-multiarch-image.sh OUT [NAME]
# (needs both bundles: rootfs-samples/build-busybox.sh and build-busybox.sh --arch arm64)
set -euo pipefail

out="${1:?usage: build-multiarch-image.sh OUT [NAME]}"
name="${2:-localhost/edge-samples/busybox:latest}"
top=$(cd "$(dirname "$0")/.." && pwd)
amd64_rootfs="$top/out/samples/busybox/rootfs"
arm64_rootfs="$top/out/samples/arm64/busybox/rootfs"
for r in "$amd64_rootfs" "$arm64_rootfs"; do
    [[ -d "$r" ]] || { echo "build-multiarch-image.sh: $r not found (rootfs-samples/build-busybox.sh [--arch arm64] first)" >&2; exit 1; }
done

parent=$(dirname "$out")
mkdir -p "$parent"
tmp=$(mktemp -d "$parent/.multiarch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

EDGE_SAMPLE_ROOTFS="$amd64_rootfs" bash "$top/rootfs-samples/build-image.sh" "$tmp/amd64" "$name" amd64 >/dev/null
EDGE_SAMPLE_ROOTFS="$arm64_rootfs" bash "$top/rootfs-samples/build-image.sh" "$tmp/arm64" "$name" arm64 >/dev/null

# One layout with both images' blobs (content-addressed, so shared blobs are the same file).
layout="$tmp/layout"
cp -a "$tmp/amd64" "$layout"
cp -n "$tmp/arm64/blobs/sha256/"* "$layout/blobs/sha256/"

# entry INDEX-JSON PLATFORM-JSON: the single manifest an image's index.json names, with a platform.
entry() {
    local digest size
    digest=$(grep -o '"digest":"sha256:[0-9a-f]*"' "$1" | head -1 | cut -d'"' -f4)
    size=$(grep -o '"size":[0-9]*' "$1" | head -1 | cut -d: -f2)
    [[ -n "$digest" && -n "$size" ]] || { echo "build-multiarch-image.sh: no manifest in $1" >&2; exit 1; }
    printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":%s}' \
        "$digest" "$size" "$2"
}
amd64=$(entry "$tmp/amd64/index.json" '{"architecture":"amd64","os":"linux"}')
arm64=$(entry "$tmp/arm64/index.json" '{"architecture":"arm64","os":"linux","variant":"v8"}')
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s,%s]}' \
    "$amd64" "$arm64" > "$tmp/index-blob"
digest=$(sha256sum "$tmp/index-blob" | cut -d' ' -f1)
size=$(stat -c %s "$tmp/index-blob")
mv "$tmp/index-blob" "$layout/blobs/sha256/$digest"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
    "$digest" "$size" "$name" > "$layout/index.json"

tar -C "$layout" -cf "$tmp/image.tar" .
rm -rf "$out" "$out.tar"
mv "$layout" "$out"
mv "$tmp/image.tar" "$out.tar"
echo "sample image: $out (OCI layout) and $out.tar (OCI archive), $name for linux/amd64 and linux/arm64/v8"
