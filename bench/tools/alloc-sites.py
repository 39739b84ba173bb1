#!/usr/bin/env python3
"""The summing half of bench/alloc-sites.sh: perf script output of the allocation uprobes -> bytes per site.

  alloc-sites.py PERF_SCRIPT SYMBOLS DEPTH      (SYMBOLS: nm of the unstripped binary)
"""
import bisect
import collections
import re
import sys

HELPERS = ("Rhp", "RhNew")


def size_of(event, values):
    if event in ("obj", "fin"):
        size = values["size"]
    elif event in ("arr", "var"):
        size = values["base"] + values["elem"] * values["len"]
    elif event == "ptrs":
        size = values["base"] + 8 * values["len"]
    else:  # str: header, length and terminator, UTF-16
        size = 22 + 2 * values["len"]
    return (size + 7) // 8 * 8


def symbol_table(path):
    table = []
    for line in open(path):
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            table.append((int(parts[0], 16), parts[2]))
    table.sort()
    return [a for a, _ in table], [n for _, n in table]


def main():
    path, depth = sys.argv[1], int(sys.argv[3])
    addresses, names = symbol_table(sys.argv[2])
    by_site, count = collections.Counter(), collections.Counter()
    total, previous = 0, None
    for block in open(path).read().strip().split("\n\n"):
        lines = block.strip().split("\n")
        match = re.search(r"probe_edge:(\w+):.*?\)\s*(.*)", lines[0])
        if not match:
            continue
        event = match.group(1)
        values = {k: int(v, 0) for k, v in (pair.split("=") for pair in match.group(2).split())}
        frames = [re.sub(r"^\s*[0-9a-f]+\s+", "", line) for line in lines[1:]]
        callers = [f for f in frames if not f.startswith(HELPERS)]
        caller = names[bisect.bisect_right(addresses, values.pop("ret")) - 1]
        if not caller.startswith(HELPERS) and (not callers or callers[0] != caller):
            callers.insert(0, caller)
        size = size_of(event, values)
        # A fast helper whose allocation context is used up hands the same request to the slow one: count it once.
        if event == "var" and previous == (size, values.get("len")):
            previous = None
            continue
        previous = (size, values.get("len"))
        own = [f for f in callers if re.match(r"(edge_|Edge_)", f)]
        site = " <- ".join(f[:90] for f in own[:depth]) if own else "(runtime) " + (callers[0][:80] if callers else "?")
        by_site[site] += size
        count[site] += 1
        total += size
    print(f"{total} bytes in {sum(count.values())} allocations")
    for site, size in by_site.most_common(40):
        print(f"{size:8d} {count[site]:5d}  {site}")


if __name__ == "__main__":
    main()
