#!/usr/bin/env python3
"""The analysis half of toolchain/hot-methods.sh: which functions of an edge binary a profile or a run touched,
split into managed methods (ILC's __managedcode, for IlcOrderFile) and native functions (the runtime, glibc,
OpenSSL... in .text, for lld's --symbol-ordering-file).

Functions come from the linker's map (-p:EdgeLinkMap), not the binary's symbol table: the runtime's static
functions (GcAllocInternal, its static constructors, libunwind's helpers) are in the map but not in the
binary, and a profile naming addresses by the binary's symbols would credit their time to a neighbour.

  hot-layout.py sampled BINARY MAP PERF_SCRIPT OUT  functions in perf samples (perf script -F ip,dso), callers
                                                    first, first reached first
  hot-layout.py touched BINARY MAP OUT [KNOWN...]   functions on the pages of BINARY now in the page cache,
                                                    less those already in the KNOWN lists
  hot-layout.py sites BINARY MAP OUT                the first address of every function, for entered-functions.c
  hot-layout.py entered BINARY MAP HITS OUT [KNOWN...]  the functions at the addresses in HITS (entered-functions.c),
                                                    in that order, less those in the KNOWN lists
  hot-layout.py merge OUT IN...                     the IN lists one after the other, each name once
  hot-layout.py variants BINARY MAP OUT IN          IN, then the other CPUs' versions of its CPU-dependent glibc
                                                    functions (string functions picked per CPU, cache probes)

Every list is a pair of files, OUT.managed and OUT.native, one symbol name per line.
"""
import bisect
import ctypes
import mmap
import os
import re
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


def functions(binary, link_map):
    """(address, size, name, kind) of every symbol the map places in the two code sections, by address."""
    secs = sections(binary)
    result = []
    # lld's map: VMA, LMA, size, alignment, then the output section, an input section (8 spaces deeper) or a
    # symbol (16 spaces deeper).
    line_format = re.compile(r"\s*([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+ ( *)(\S.*)$")
    # arm64's mapping symbols ($x marks code, $d data) start nearly every section: one of them in the list would
    # give all those sections its place, and lld would lay out nothing after it.
    mapping_symbol = re.compile(r"\$[adtx](\..*)?$")
    with open(link_map, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = line_format.match(line)
            if not m or len(m.group(3)) != 16:
                continue
            address = int(m.group(1), 16)
            if mapping_symbol.match(m.group(4).strip()):
                continue
            for kind, (lo, hi) in secs.items():
                if lo <= address < hi:
                    result.append((address, int(m.group(2), 16), m.group(4).strip(), kind))
    if not result:
        sys.exit(f"hot-layout: {link_map} names no function of {binary}'s code sections")
    result.sort()
    return result


class AddressIndex:
    """The functions that hold an address: all names of the last address at or before it (aliases share one)."""

    def __init__(self, funcs):
        self.starts, self.entries = [], []
        for address, size, name, kind in funcs:
            if self.starts and self.starts[-1] == address:
                self.entries[-1][1].append(name)
            else:
                self.starts.append(address)
                self.entries.append((kind, [name]))

    def find(self, address):
        found = self.locate(address)
        return found[1] if found else None

    def locate(self, address):
        """(start, (kind, names)) of the function that holds ADDRESS, or None below the first."""
        i = bisect.bisect_right(self.starts, address) - 1
        return (self.starts[i], self.entries[i]) if i >= 0 else None


def write(prefix, names_by_kind):
    for kind in ("managed", "native"):
        with open(f"{prefix}.{kind}", "w", encoding="utf-8") as f:
            f.writelines(n + "\n" for n in names_by_kind.get(kind, []))


def read(prefix, kind):
    with open(f"{prefix}.{kind}", encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


def sampled(binary, link_map, perf_script, out):
    """perf script -F ip,dso: one frame per line, a blank line after each sample. Every frame counts, so a
    function that only calls others is listed too; the outermost frame of a sample comes first."""
    index = AddressIndex(functions(binary, link_map))
    segments = load_segments(binary)
    tag = "(" + binary + ")"
    seen, order, chain = set(), {"managed": [], "native": []}, []

    def flush():
        for entry in reversed(chain):
            if entry is None:
                continue
            kind, names = entry
            for name in names:
                if name not in seen:
                    seen.add(name)
                    order[kind].append(name)
        chain.clear()

    with open(perf_script, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.split()
            if not parts:
                flush()
            elif len(parts) == 2 and parts[1] == tag:
                # perf prints an address in the file (its offset), not in memory.
                offset = int(parts[0], 16)
                for file_offset, vaddr, filesz in segments:
                    if file_offset <= offset < file_offset + filesz:
                        chain.append(index.find(vaddr + offset - file_offset))
    flush()
    write(out, order)
    print(f"hot-layout: {out}: {len(order['managed'])} managed, {len(order['native'])} native functions sampled")


def load_segments(binary):
    """(file offset, address, size in the file) of each loaded segment."""
    segments = []
    out = subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        p = line.split()
        if p and p[0] == "LOAD":
            segments.append((int(p[1], 16), int(p[2], 16), int(p[4], 16)))
    return segments


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
    segments = load_segments(binary)
    pages = set()
    for i in range(npages):
        if vec[i] & 1:
            offset = i * 4096
            for file_offset, vaddr, filesz in segments:
                if (file_offset & ~0xFFF) <= offset < file_offset + filesz:
                    pages.add((vaddr + offset - file_offset) >> 12)
    return pages


def known_names(prefixes):
    """Every name in the lists PREFIXES, of both kinds."""
    known = set()
    for prefix in prefixes:
        for kind in ("managed", "native"):
            known.update(read(prefix, kind))
    return known


def touched(binary, link_map, out, known_prefixes):
    known = known_names(known_prefixes)
    pages = cached_pages(binary)
    found = {"managed": [], "native": []}
    for address, size, name, kind in functions(binary, link_map):
        last = (address + max(size, 1) - 1) >> 12
        if name not in known and any(p in pages for p in range(address >> 12, last + 1)):
            found[kind].append(name)
            known.add(name)
    write(out, found)
    print(f"hot-layout: {out}: {len(found['managed'])} managed, {len(found['native'])} native functions on touched pages")


def sites(binary, link_map, out):
    with open(out, "w") as f:
        f.writelines("%x\n" % a for a in sorted({a for a, size, _, _ in functions(binary, link_map) if size > 0}))


def entered(binary, link_map, hits, out, known_prefixes):
    known = known_names(known_prefixes)
    names = {}
    for address, _, name, kind in functions(binary, link_map):
        names.setdefault(address, []).append((name, kind))
    found = {"managed": [], "native": []}
    with open(hits) as f:
        for line in f:
            for name, kind in names.get(int(line, 16), []):
                if name not in known:
                    found[kind].append(name)
                    known.add(name)
    write(out, found)
    print(f"hot-layout: {out}: {len(found['managed'])} managed, {len(found['native'])} native functions entered")


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


# glibc picks one version of its string functions for the CPU it starts on (__memchr_evex, _avx2, _sse2...) and
# probes the cache by vendor (handle_intel, handle_amd...): a profile on one machine enters one version only.
CPU_VERSION = r"(?:sse2|ssse3|sse4_[12]|avx2?|evex(?:512)?|avx512[a-z]*)"
CPU_VERSIONED = re.compile(r"^(__\w+?)_" + CPU_VERSION + r"(?:_\w+)?$")
CACHE_PROBES = re.compile(r"^(?:handle_(?:intel|amd|zhaoxin)|intel_check_word|get_common_cache_info)(?:\.constprop\.\d+)?$")


def variants(binary, link_map, out, source):
    """SOURCE's lists, then every version of the CPU-dependent functions SOURCE names that it does not: the
    layout profiled on one CPU keeps each family in one place for another, after the profiled block."""
    native = read(source, "native")
    have = set(native)
    stems = {m.group(1) for m in map(CPU_VERSIONED.match, native) if m}
    probes = any(CACHE_PROBES.match(n) for n in native)
    added = []
    for _, _, name, kind in functions(binary, link_map):
        if kind != "native" or name in have:
            continue
        m = CPU_VERSIONED.match(name)
        if (m and m.group(1) in stems) or (probes and CACHE_PROBES.match(name)):
            have.add(name)
            added.append(name)
    write(out, {"managed": read(source, "managed"), "native": native + added})


def main(argv):
    if len(argv) == 6 and argv[1] == "sampled":
        sampled(argv[2], argv[3], argv[4], argv[5])
    elif len(argv) >= 5 and argv[1] == "touched":
        touched(argv[2], argv[3], argv[4], argv[5:])
    elif len(argv) == 5 and argv[1] == "sites":
        sites(argv[2], argv[3], argv[4])
    elif len(argv) >= 6 and argv[1] == "entered":
        entered(argv[2], argv[3], argv[4], argv[5], argv[6:])
    elif len(argv) == 6 and argv[1] == "variants":
        variants(argv[2], argv[3], argv[4], argv[5])
    elif len(argv) >= 4 and argv[1] == "merge":
        merge(argv[2], argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
