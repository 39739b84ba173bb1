#!/usr/bin/env python3
"""The analysis half of toolchain/hot-methods.sh: which functions of an unstripped edge binary a profile or a
run touched, split into managed methods (ILC's __managedcode, for IlcOrderFile) and native functions (the
runtime, glibc, OpenSSL... in .text, for lld's --symbol-ordering-file).

  hot-layout.py sampled BINARY PERF_SCRIPT OUT      functions in perf samples, callers first, first reached first
  hot-layout.py touched BINARY OUT [KNOWN...]       functions on the pages of BINARY now in the page cache,
                                                    less those already in the KNOWN lists
  hot-layout.py merge OUT IN...                     the IN lists one after the other, each name once

Every list is a pair of files, OUT.managed and OUT.native, one symbol name per line.
"""
import ctypes
import mmap
import os
import subprocess
import sys

SECTIONS = {"__managedcode": "managed", ".text": "native"}


def sections(binary):
    """(start, end) of the managed and native code sections, by list kind."""
    out = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        p = line.replace("[ ", "[").split()
        if len(p) > 5 and p[1] in SECTIONS:
            start = int(p[3], 16)
            found[SECTIONS[p[1]]] = (start, start + int(p[5], 16))
    if len(found) != 2:
        sys.exit(f"hot-layout: {binary} has no __managedcode or .text section")
    return found


def functions(binary):
    """(address, size, name, kind) of every function symbol in the two code sections, by address."""
    secs = sections(binary)
    out = subprocess.run(["nm", "-n", "-S", binary], capture_output=True, text=True, check=True).stdout
    result = []
    for line in out.splitlines():
        p = line.split()
        # t/T functions, w/W weak ones, i: glibc's IFUNC resolvers, which all run at start-up.
        if len(p) == 4 and p[2] in "tTwWi":
            address = int(p[0], 16)
            for kind, (lo, hi) in secs.items():
                if lo <= address < hi:
                    result.append((address, int(p[1], 16), p[3], kind))
    if not result:
        sys.exit(f"hot-layout: {binary} has no symbols (build it with -p:StripSymbols=false)")
    return result


def write(prefix, names_by_kind):
    for kind in ("managed", "native"):
        with open(f"{prefix}.{kind}", "w", encoding="utf-8") as f:
            f.writelines(n + "\n" for n in names_by_kind.get(kind, []))


def read(prefix, kind):
    with open(f"{prefix}.{kind}", encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


def sampled(binary, perf_script, out):
    """perf script -F ip,sym,dso: one frame per line, a blank line after each sample. Every frame counts, so a
    function that only calls others is listed too; the outermost frame of a sample comes first."""
    kind_of = {name: kind for _, _, name, kind in functions(binary)}
    tag = "(" + binary + ")"
    seen, order, chain = set(), {"managed": [], "native": []}, []

    def flush():
        for name in reversed(chain):
            kind = kind_of.get(name)
            if kind and name not in seen:
                seen.add(name)
                order[kind].append(name)
        chain.clear()

    with open(perf_script, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.split()
            if not parts:
                flush()
            elif len(parts) >= 3 and parts[-1] == tag:
                chain.append(parts[1].split("+")[0])
    flush()
    write(out, order)
    print(f"hot-layout: {out}: {len(order['managed'])} managed, {len(order['native'])} native functions sampled")


def cached_pages(binary):
    """Virtual page numbers of BINARY's loaded segments whose file pages are in the page cache. A fresh shared
    read-only map faults nothing in, so mincore sees only what earlier runs brought in."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
    size = os.path.getsize(binary)
    npages = (size + 4095) // 4096
    fd = os.open(binary, os.O_RDONLY)
    try:
        mapped = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        vec = (ctypes.c_ubyte * npages)()
        if libc.mincore(ctypes.c_void_p(mapped), ctypes.c_size_t(size), vec) != 0:
            sys.exit("hot-layout: mincore failed: errno %d" % ctypes.get_errno())
    finally:
        os.close(fd)
    segments = []
    out = subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        p = line.split()
        if p and p[0] == "LOAD":
            segments.append((int(p[1], 16), int(p[2], 16), int(p[4], 16)))
    pages = set()
    for i in range(npages):
        if vec[i] & 1:
            offset = i * 4096
            for file_offset, vaddr, filesz in segments:
                if (file_offset & ~0xFFF) <= offset < file_offset + filesz:
                    pages.add((vaddr + offset - file_offset) >> 12)
    return pages


def touched(binary, out, known_prefixes):
    known = set()
    for prefix in known_prefixes:
        for kind in ("managed", "native"):
            known.update(read(prefix, kind))
    pages = cached_pages(binary)
    found = {"managed": [], "native": []}
    for address, size, name, kind in functions(binary):
        last = (address + max(size, 1) - 1) >> 12
        if name not in known and any(p in pages for p in range(address >> 12, last + 1)):
            found[kind].append(name)
            known.add(name)
    write(out, found)
    print(f"hot-layout: {out}: {len(found['managed'])} managed, {len(found['native'])} native functions on touched pages")


def merge(out, prefixes):
    merged = {}
    for kind in ("managed", "native"):
        seen, names = set(), []
        for prefix in prefixes:
            for name in read(prefix, kind):
                if name not in seen:
                    seen.add(name)
                    names.append(name)
        merged[kind] = names
    write(out, merged)


def main(argv):
    if len(argv) == 5 and argv[1] == "sampled":
        sampled(argv[2], argv[3], argv[4])
    elif len(argv) >= 4 and argv[1] == "touched":
        touched(argv[2], argv[3], argv[4:])
    elif len(argv) >= 4 and argv[1] == "merge":
        merge(argv[2], argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
