# Sourced by the benchmarks: start_registry WORK LAYOUT starts Debian's docker-registry on a free
# 127.0.0.1 port with storage under WORK, pushes LAYOUT's "minbase" image to it as bench/debian:minbase,
# and sets $ref to that reference. The registry's pid is added to the caller's pids array.
start_registry() {
    local work="$1" layout="$2" port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    cat > "$work/registry.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: 127.0.0.1:$port}
YML
    docker-registry serve "$work/registry.yml" >/dev/null 2>&1 & pids+=($!)
    for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
    ref="127.0.0.1:$port/bench/debian:minbase"
    skopeo copy --quiet --dest-tls-verify=false "oci:$layout:minbase" "docker://$ref"
}
