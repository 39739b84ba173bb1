#!/usr/bin/env bash
# Builds bench/tools/hide-cgroup2.c (freestanding, static) into out/bench/hide-cgroup2 and prints its path.
# The benchmarks that compare with crun run every command through it.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$top/out/bench"
gcc -O2 -static -nostdlib -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns -fno-pie -no-pie \
    -fno-stack-protector -fno-asynchronous-unwind-tables -Wall -Wextra -Werror -Wl,--build-id=none -s \
    -o "$top/out/bench/hide-cgroup2" "$top/bench/tools/hide-cgroup2.c"
echo "$top/out/bench/hide-cgroup2"
