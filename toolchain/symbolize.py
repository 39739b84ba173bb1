#!/usr/bin/env python3
"""Names the code addresses in edge's --debug failure reports ("at 0x9e1008"): the binary carries no method
names (StackTraceSupport=false, toolchain/NativeAot.props), and is linked at a fixed address, so the link map
of the same build names every frame. build.sh writes it next to the binary (out/edge.map).

  toolchain/symbolize.py BINARY MAP < REPORT      prints REPORT with "at NAME + 0xOFFSET" for every address

A frame's address is where it returns to: it is looked up one byte earlier, inside the call.
"""
import importlib.util
import os
import re
import sys


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    spec = importlib.util.spec_from_file_location("hot_layout", os.path.join(os.path.dirname(__file__), "hot-layout.py"))
    layout = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(layout)
    funcs = layout.functions(argv[1], argv[2])
    index = layout.AddressIndex(funcs)
    last = funcs[-1][0] + funcs[-1][1]

    def name(match):
        address = int(match.group(1), 16)
        found = index.locate(address - 1) if address - 1 < last else None
        if not found:
            return match.group(0)
        start, (_, names) = found
        return f"at {names[0]} + 0x{address - start:x}"

    for line in sys.stdin:
        sys.stdout.write(re.sub(r"at 0x([0-9a-f]+)", name, line))


if __name__ == "__main__":
    main(sys.argv)
