#!/usr/bin/env bash
# Layers to root file systems (issue 5), on the Debian minbase benchmark image (rootfs-samples/build-debian-image.sh):
#  1. extraction of its layers, page cache dropped before each run: `edge unpack` vs GNU `tar -xzf` of each
#     layer in order vs `umoci raw unpack`;
#  2. a cold `edge run --rm IMAGE true` from a loopback registry (pull + unpack + run) vs the same with
#     `skopeo copy` + `umoci unpack` + `crun run`. Both run in the mount-namespace wrapper crun 1.8 needs on
#     this hybrid-cgroup host.
# Writes bench/results/extract.{md,json} and bench/results/coldrun.json.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
rounds="${ROUNDS:-5}"
cache="${BENCH_WORK:-/var/tmp/edge-bench-pull}"
edge="$top/out/edge"
bash rootfs-samples/build-debian-image.sh "$cache"
layout="$cache/image"

work=$(mktemp -d /tmp/edge-bench-extract-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.3; umount -R "$work"/*/rootfs 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# The layer blobs in order, and their uncompressed size.
manifest=$(python3 -c "import json,sys; i=json.load(open('$layout/index.json')); print(i['manifests'][0]['digest'].split(':')[1])")
mapfile -t layers < <(python3 -c "import json; m=json.load(open('$layout/blobs/sha256/$manifest')); [print('$layout/blobs/sha256/'+l['digest'].split(':')[1]) for l in m['layers']]")
bytes=0
for l in "${layers[@]}"; do bytes=$(( bytes + $(zcat "$l" | wc -c) )); done
"$edge" --store "$work/store" load --name bench/debian "$layout" >/dev/null

cat > "$work/edge-unpack" <<SH
#!/bin/sh
exec $edge --store $work/store unpack bench/debian:minbase $work/dest-edge
SH
{ echo '#!/bin/sh'; echo "mkdir -p $work/dest-tar/rootfs"; for l in "${layers[@]}"; do echo "tar -xzf $l -C $work/dest-tar/rootfs || exit 1"; done; } > "$work/tar-xzf"
cat > "$work/umoci-raw" <<SH
#!/bin/sh
mkdir -p $work/dest-umoci
exec umoci raw unpack --image $layout:minbase $work/dest-umoci/rootfs
SH
cat > "$work/before-extract" <<SH
#!/bin/sh
rm -rf $work/dest-edge $work/dest-tar $work/dest-umoci
SH
chmod +x "$work"/edge-unpack "$work"/tar-xzf "$work"/umoci-raw "$work"/before-extract

md=bench/results/extract.md
{
    echo "# Layers: extraction and a cold run (edge vs GNU tar, umoci, skopeo + umoci + crun)"
    echo
    echo "Produced by \`bench/extract.sh\` on $(date -u +%F). The Debian bookworm minbase image of \`rootfs-samples/build-debian-image.sh\`:"
    echo "${#layers[@]} gzip layers, $(( bytes / 1000000 )) MB uncompressed. Page cache dropped before every run."
    echo
} > "$md"
python3 bench/procbench.py --rounds "$rounds" --warmup 1 --cold --before "$work/before-extract" --baseline tar \
    --title "extraction of all layers into an empty directory" --json bench/results/extract.json --markdown "$md" \
    edge="$work/edge-unpack" tar="$work/tar-xzf" umoci="$work/umoci-raw" >/dev/null
python3 - "$bytes" "$md" <<'PY'
import json, sys
size, md = int(sys.argv[1]), sys.argv[2]
results = json.load(open("bench/results/extract.json"))["results"]
with open(md, "a") as f:
    f.write("Throughput (uncompressed bytes / median time): " + ", ".join(
        f"{r['name']} {size / (r['median_ms'] / 1000) / 1e6:.0f} MB/s" for r in results) + ".\n\n")
PY

# 2. Cold run from a registry.
source bench/loopback-registry.sh
start_registry "$work" "$layout"

cat > "$work/wrap" <<'SH'
#!/bin/sh
exec unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' wrap "$@"
SH
cat > "$work/edge-cold" <<SH
#!/bin/sh
exec $work/wrap $edge --store $work/cold-store --root $work/cold-state run --rm $ref true
SH
cat > "$work/pipeline-cold" <<SH
#!/bin/sh
set -e
skopeo copy --quiet --src-tls-verify=false docker://$ref oci:$work/cold-oci:minbase
umoci unpack --image $work/cold-oci:minbase $work/cold-bundle >/dev/null
sed -i 's/"terminal": *true/"terminal": false/; s|"/bin/bash"|"true"|' $work/cold-bundle/config.json
exec $work/wrap crun --root $work/cold-crun run --bundle $work/cold-bundle cold\$\$
SH
cat > "$work/before-cold" <<SH
#!/bin/sh
rm -rf $work/cold-store $work/cold-state $work/cold-oci $work/cold-bundle $work/cold-crun
SH
chmod +x "$work"/wrap "$work"/edge-cold "$work"/pipeline-cold "$work"/before-cold
{
    echo "The cold run pulls from docker-registry on 127.0.0.1 into an empty store, unpacks and runs \`true\`."
    echo "Both sides run in the same wrapper (a private mount namespace without the cgroup2 mount, which crun"
    echo "1.8 needs here). The pipeline patches umoci's config.json to run \`true\` without a terminal."
    echo
} >> "$md"
python3 bench/procbench.py --rounds "$rounds" --warmup 1 --cold --before "$work/before-cold" --baseline pipeline \
    --title "cold run: pull + unpack + run true" --json bench/results/coldrun.json --markdown "$md" \
    edge="$work/edge-cold" pipeline="$work/pipeline-cold" >/dev/null
cat "$md"
