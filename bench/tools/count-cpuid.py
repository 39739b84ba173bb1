"""gdb script: counts the CPUID instructions a program executes, by place. A virtual machine traps CPUID
(bench/cpuid.sh measures what one costs), so a start-up that runs many pays for each.

  gdb -q -batch -x bench/tools/count-cpuid.py --args PROGRAM ARGS...

A breakpoint on every CPUID in the program's code (objdump finds them; x86-64 only), run to the end,
counting the hits; follows the first process only. Prints "COUNT at ADDRESS FUNCTION" per place, then
"cpuid: TOTAL". A stripped binary shows no function: toolchain/symbolize.py names edge's from its map."""
import collections
import subprocess

import gdb

program = gdb.current_progspace().filename
listing = subprocess.run(["objdump", "-d", "--no-show-raw-insn", program], capture_output=True, text=True, check=True).stdout
function, places = "", {}
for line in listing.splitlines():
    if line.endswith(">:"):
        function = line[line.index("<") + 1:-2]
    elif line.rstrip().endswith("\tcpuid") or line.rstrip().endswith(" cpuid"):
        places[int(line.split(":")[0], 16)] = function

gdb.execute("set pagination off")
gdb.execute("set follow-fork-mode parent")
for address in places:
    gdb.execute(f"break *{address:#x}", to_string=True)
hits = collections.Counter()
gdb.execute("run", to_string=True)
while True:
    try:
        pc = int(gdb.parse_and_eval("$pc"))
    except gdb.error:
        break  # the program has exited
    if pc not in places:
        break
    hits[pc] += 1
    try:
        gdb.execute("continue", to_string=True)
    except gdb.error:
        break
for pc, count in sorted(hits.items(), key=lambda item: -item[1]):
    print(f"{count} at {pc:#x} {places[pc]}")
print(f"cpuid: {sum(hits.values())}")
