#!/usr/bin/env bash
# Start-up of the executor's short-lived calls (issue 2): `edge --version` and `edge state nonexistent`
# against a do-nothing Native AOT program published the same way (the floor), the same verbs parsed with
# System.CommandLine, the static-pie variants, and `crun --version`. Writes bench/results/startup.{md,json}.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export PATH="$top/.toolchain/bin:$PATH"
out=out/bench
mkdir -p "$out" bench/results

publish() { # project output-dir configuration [extra msbuild args]
    dotnet publish "$1" -r linux-x64 -c "$3" -o "$2" -nologo -v:quiet -clp:NoSummary -warnaserror "${@:4}" >/dev/null
}
publish bench/startup/DoNothing/DoNothing.csproj "$out/nothing" Release
publish bench/startup/DoNothing/DoNothing.csproj "$out/nothing-pie" ReleasePie -p:Optimize=true -p:EdgePie=true
publish bench/startup/CommandLineProbe/CommandLineProbe.csproj "$out/scl" Release
publish src/Edge.Cli/Edge.Cli.csproj "$out/edge-pie" ReleasePie -p:Optimize=true -p:EdgePie=true

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
md=bench/results/startup.md
{
    echo "# Start-up of short-lived calls"
    echo
    echo "Produced by \`./build.sh bench\` (bench/startup.sh). Sizes: edge $(stat -c %s out/edge) B," \
         "edge static-pie $(stat -c %s $out/edge-pie/edge) B, do-nothing $(stat -c %s $out/nothing/DoNothing) B," \
         "System.CommandLine probe $(stat -c %s $out/scl/CommandLineProbe) B."
    echo
} > "$md"

python3 bench/procbench.py --rounds "${ROUNDS:-300}" --baseline nothing --title "edge vs the Native AOT floor" \
    --markdown "$md" --json bench/results/startup.json \
    --allow-failure edge-state --allow-failure scl-state --allow-failure edge-pie-state \
    "nothing=$out/nothing/DoNothing" \
    "nothing-pie=$out/nothing-pie/DoNothing" \
    "edge-version=out/edge --version" \
    "edge-state=out/edge --root $root state nonexistent" \
    "scl-state=$out/scl/CommandLineProbe state nonexistent" \
    "edge-pie-version=$out/edge-pie/edge --version" \
    "edge-pie-state=$out/edge-pie/edge --root $root state nonexistent" \
    "crun-version=crun --version"
