#!/usr/bin/env bash
# Seccomp cost (issue 6): `run` of /bin/true in the busybox bundle with and without docker's default profile
# (containers-common's seccomp.json, converted for the bundle's capabilities as docker does), edge vs crun,
# interleaved. The difference between the two runs of one runtime is what compiling and installing the
# profile costs it. Every command runs in the wrapper that hides cgroup2 (crun 1.8 refuses this hybrid host).
# Writes bench/results/seccomp.{md,json}.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
rounds="${ROUNDS:-20}"
profile=/usr/share/containers/seccomp.json
[[ -r "$profile" ]] || { echo "bench/seccomp.sh: $profile missing (apt-get install golang-github-containers-common)" >&2; exit 1; }

work=$(mktemp -d /tmp/edge-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
for kind in plain docker; do
    cp -a out/samples/busybox "$work/bundle-$kind"
    sed -i 's|"/bin/sh",|"/bin/true"|; /"-c",/d; /os-release/d' "$work/bundle-$kind/config.json"
done
# docker's conversion: rules whose includes hold for these capabilities and arches, and whose excludes do not.
python3 - "$profile" "$work/bundle-docker/config.json" <<'PY'
import json, sys
profile = json.load(open(sys.argv[1]))
config = json.load(open(sys.argv[2]))
caps = set(config["process"]["capabilities"]["bounding"])
def holds(cond, all_):
    if not cond: return all_
    results = []
    if cond.get("caps"): results.append(all(c in caps for c in cond["caps"]) if all_ else any(c in caps for c in cond["caps"]))
    if cond.get("arches"): results.append(any(a in ("amd64", "x86_64") for a in cond["arches"]))
    if "minKernel" in cond: results.append(True)
    if not results: return all_
    return all(results) if all_ else any(results)
arches = []
for m in profile["archMap"]:
    if m["architecture"] == "SCMP_ARCH_X86_64": arches = ["SCMP_ARCH_X86_64"] + m["subArchitectures"]
rules = []
for r in profile["syscalls"]:
    if not holds(r.get("includes"), True) or holds(r.get("excludes"), False): continue
    out = {"names": r["names"], "action": r["action"]}
    if "errnoRet" in r: out["errnoRet"] = r["errnoRet"]
    if r.get("args"): out["args"] = r["args"]
    rules.append(out)
seccomp = {"defaultAction": profile["defaultAction"], "architectures": arches, "syscalls": rules}
if "defaultErrnoRet" in profile: seccomp["defaultErrnoRet"] = profile["defaultErrnoRet"]
config["linux"]["seccomp"] = seccomp
json.dump(config, open(sys.argv[2], "w"), indent="\t")
print(f"docker profile: {len(rules)} rules, {sum(len(r['names']) for r in rules)} syscall names", file=sys.stderr)
PY

# The wrapper: a private mount namespace without /sys/fs/cgroup/unified (bench/tools/hide-cgroup2.c).
mkdir -p out/bench "$work/root-edge" "$work/root-crun" "$work/root-cold"
wrap=$(bench/tools/build-hide-cgroup2.sh)
# edge keeps compiled programs in its state root (ROOT/@seccomp-cache): "docker" runs find the profile
# compiled by the warm-up; before every run (untimed) the cache of root-cold is emptied, so that
# "docker-uncached" runs compile it.

md=bench/results/seccomp.md
{
    echo "# Seccomp: docker's default profile, edge vs crun"
    echo
    echo "Produced by \`bench/seccomp.sh\` on $(date -u +%F): \`run\` of /bin/true in the busybox bundle, without a"
    echo "profile (plain) and with docker's default profile (docker). The docker-minus-plain difference is what"
    echo "compiling (libseccomp) and installing the filter costs each runtime. Every command runs in the"
    echo "hide-cgroup2 wrapper (crun 1.8 refuses this hybrid host). edge $(out/edge --version | head -1 | cut -d' ' -f3), crun $(crun --version | head -1 | cut -d' ' -f3)."
    echo
} > "$md"
# Ids of 64 characters, as Docker gives (bench/compare.sh says why).
python3 bench/procbench.py --rounds "$rounds" --before "rm -rf $work/root-cold/@seccomp-cache" --baseline crun-plain --title "run with and without docker's seccomp profile" --markdown "$md" --json bench/results/seccomp.json \
    "crun-plain=$wrap crun --root $work/root-crun run --bundle $work/bundle-plain $(printf 'cp%062d' 1)" \
    "crun-docker=$wrap crun --root $work/root-crun run --bundle $work/bundle-docker $(printf 'cd%062d' 2)" \
    "edge-plain=$wrap $top/out/edge --root $work/root-edge run --bundle $work/bundle-plain $(printf 'ep%062d' 3)" \
    "edge-docker=$wrap $top/out/edge --root $work/root-edge run --bundle $work/bundle-docker $(printf 'ed%062d' 4)" \
    "edge-docker-uncached=$wrap $top/out/edge --root $work/root-cold run --bundle $work/bundle-docker $(printf 'eu%062d' 5)"
python3 - bench/results/seccomp.json >> "$md" <<'PY'
import json, sys
rows = {r["name"]: r["median_ms"] for r in json.load(open(sys.argv[1]))["results"]}
print()
for rt in ("edge", "crun"):
    print(f"- {rt}: the profile adds {rows[rt + '-docker'] - rows[rt + '-plain']:.2f} ms (median docker minus median plain)")
print(f"- edge, compiling the profile (its cache emptied before each run): {rows['edge-docker-uncached'] - rows['edge-plain']:.2f} ms; "
      "edge-docker finds it compiled in ROOT/@seccomp-cache, as every container after the first does")
PY
cat "$md"
