#!/usr/bin/env python3
"""Orders the frozen objects in ILC's object file: the ones the hot paths read first and together.

ILC emits every frozen object (string literals, preinitialized arrays and instances) into one block of .data,
strings sorted by their text. `run` reads a few hundred of them, spread over all of the block's 370 KB, and
every read maps the 64 KiB around it (bench/results/size.md, ninth round). This tool rewrites the object before
the link: the objects named in a list (toolchain/edge-hot-frozen.txt, written by toolchain/hot-frozen.sh) come
first, in the list's order, the rest follow in ILC's order. The block keeps its place, size and bounds, so the
GC's frozen segment is the same range; only which object sits where inside it changes.

The rest of ILC's data cannot be moved this way: ILC resolves relative pointers between its own .data nodes
(type structures) while writing the object, leaving no relocation to follow. The tool therefore proves, on
every build, that nothing refers to a frozen object except through a relocation it can see, and refuses
otherwise (exit 2, object untouched):
  - the block is tiled exactly by objects: each object's symbol sits on its type pointer, which has an absolute
    relocation, and each object's size is the size its type gives (base size, plus length times component size);
  - every relocation that refers to a frozen object names the object's own symbol with the addend of a plain
    reference (0; -4 for x64's PC-relative forms), or the block's start and end;
  - no relocation against another symbol, or the section, lands inside the block, except in debug sections,
    whose addends are moved with the objects;
  - no 32-bit word elsewhere in .data equals the distance to an object (what a resolved relative pointer is).

  frozen-layout.py order OBJECT OUTPUT [LIST]
      write OUTPUT: OBJECT with the listed objects first (names one per line, '#' comments; unknown names are
      ignored, so a stale list only lays out less).
  frozen-layout.py spread OBJECT OUTPUT
      write OUTPUT for profiling: every object on pages of its own (see FrozenBlock.spread).
  frozen-layout.py touched OBJECT BINARY LINK_MAP LIST
      append to LIST the objects whose pages of BINARY (linked from a spread OBJECT) are in the page cache.
  frozen-layout.py names OBJECT
      print the frozen objects' symbol names in ILC's order.
"""
import bisect
import os
import struct
import sys

EM_X86_64, EM_AARCH64 = 62, 183
# Relocation types that are absolute 64-bit pointers (addend is the target's offset) and the plain PC-relative
# code references (x64: addend -4; arm64's page/offset pairs: addend 0).
ABS64 = {EM_X86_64: {1}, EM_AARCH64: {257}}
CODE_REFS = {EM_X86_64: {2: -4, 4: -4}, EM_AARCH64: {275: 0, 277: 0, 286: 0, 278: 0, 284: 0, 285: 0}}
SHT_SYMTAB, SHT_RELA = 2, 4
HAS_COMPONENT_SIZE = 0x80000000


class Refused(Exception):
    pass


class ElfObject:
    def __init__(self, data):
        self.b = bytearray(data)
        if self.b[:4] != b"\x7fELF" or self.b[4] != 2 or self.b[5] != 1:
            raise Refused("not a 64-bit little-endian ELF object")
        self.machine, = struct.unpack_from("<H", self.b, 18)
        if self.machine not in ABS64:
            raise Refused("machine %d is not x64 or arm64" % self.machine)
        shoff, = struct.unpack_from("<Q", self.b, 0x28)
        shnum, shstrndx = struct.unpack_from("<HH", self.b, 0x3C)
        self.sections = []
        for i in range(shnum):
            name, typ, _, _, off, size, link, info, _, entsize = struct.unpack_from("<IIQQQQIIQQ", self.b, shoff + i * 64)
            self.sections.append({"name": name, "type": typ, "off": off, "size": size, "link": link, "info": info})
        names = self.sections[shstrndx]["off"]
        for s in self.sections:
            s["name"] = self.cstr(names + s["name"])
        self.symtab = next(s for s in self.sections if s["type"] == SHT_SYMTAB)
        strtab = self.sections[self.symtab["link"]]["off"]
        # (name, info, section index, value) by symbol index
        self.symbols = []
        for i in range(self.symtab["size"] // 24):
            name, info, _, shndx, value, _ = struct.unpack_from("<IBBHQQ", self.b, self.symtab["off"] + i * 24)
            self.symbols.append((self.cstr(strtab + name), info, shndx, value))

    def cstr(self, offset):
        return self.b[offset:self.b.index(b"\0", offset)].decode("utf-8", "replace")

    def section_index(self, name):
        for i, s in enumerate(self.sections):
            if s["name"] == name:
                return i
        raise Refused("no %s section" % name)

    def relocations(self):
        """(rela section, entry offset in the file, target section index, r_offset, symbol, type, addend)"""
        for s in self.sections:
            if s["type"] != SHT_RELA:
                continue
            for at in range(s["off"], s["off"] + s["size"], 24):
                offset, info, addend = struct.unpack_from("<QQq", self.b, at)
                yield s, at, s["info"], offset, info >> 32, info & 0xFFFFFFFF, addend


class FrozenBlock:
    """The frozen objects of .data, found and checked."""

    def __init__(self, elf):
        self.elf = elf
        self.data_index = elf.section_index(".data")
        data = elf.sections[self.data_index]
        self.data_off = data["off"]
        start_symbols = [i for i, s in enumerate(elf.symbols) if s[0] == "__FrozenSegmentStart"]
        if len(start_symbols) != 1 or elf.symbols[start_symbols[0]][2] != self.data_index:
            raise Refused("no single __FrozenSegmentStart symbol in .data")
        self.start_symbol = start_symbols[0]
        self.start = elf.symbols[self.start_symbol][3]
        if any(s[2] == self.data_index and s[3] == self.start and i != self.start_symbol and (s[1] & 0xF) != 3
               for i, s in enumerate(elf.symbols)):
            raise Refused("another symbol shares the frozen block's start")
        # The block's end is only named as its start plus its length (the module header's frozen-segment bounds).
        ends = {r[6] for r in elf.relocations() if r[4] == self.start_symbol and r[6] > 0}
        if len(ends) != 1:
            raise Refused("the frozen block's end is not referenced once (%d candidates)" % len(ends))
        self.end = self.start + ends.pop()
        if self.end > data["size"]:
            raise Refused("the frozen block runs past .data")

        # Relocations located in .data, by offset.
        self.data_relocs = {}
        for sec, at, target, offset, sym, typ, addend in elf.relocations():
            if target == self.data_index:
                self.data_relocs[offset] = (sym, typ, addend, at)

        # Objects: a symbol on each object's type pointer, 8 bytes after the object's start (its header).
        self.symbols_at = {}
        for index, (name, info, shndx, value) in enumerate(elf.symbols):
            if shndx == self.data_index and self.start < value < self.end and (info & 0xF) != 3:
                self.symbols_at.setdefault(value, []).append(index)
        pointers = sorted(self.symbols_at)
        if not pointers or pointers[0] != self.start + 8:
            raise Refused("the frozen block does not start with an object")
        self.objects = []  # (start, size, symbol indices)
        for i, pointer in enumerate(pointers):
            begin = pointer - 8
            end = pointers[i + 1] - 8 if i + 1 < len(pointers) else self.end
            self.objects.append((begin, end - begin, self.symbols_at[pointer]))
        for begin, size, _ in self.objects[:-1]:
            if self.object_size(begin) != size:
                raise Refused("frozen object at .data+%#x is %d bytes, its type says %d" % (begin, size, self.object_size(begin)))
        # ILC ends the block with an empty pointer-sized slot after the last object; it stays last.
        begin, size, symbols = self.objects[-1]
        last = self.object_size(begin)
        self.objects[-1] = (begin, last, symbols)
        self.objects_end = begin + last
        if any(self.read("<B", o)[0] for o in range(self.objects_end, self.end)) or \
                any(o in self.data_relocs for o in range(self.objects_end, self.end)):
            raise Refused("the frozen block ends with %d bytes that are not an object" % (self.end - self.objects_end))
        self.object_at = {}
        for number, (begin, size, _) in enumerate(self.objects):
            self.object_at[begin] = number
        self.check_references()

    def read(self, fmt, offset):
        return struct.unpack_from(fmt, self.elf.b, self.data_off + offset)

    def object_size(self, begin):
        """The size of the object at begin, from its type: checks that a type pointer is there."""
        pointer = begin + 8
        reloc = self.data_relocs.get(pointer)
        if reloc is None or reloc[1] not in ABS64[self.elf.machine] or reloc[2] != 0:
            raise Refused("frozen object at .data+%#x has no type pointer" % begin)
        if any(self.data_relocs.get(begin + k) for k in range(0, 8)) or self.read("<Q", begin)[0] != 0:
            raise Refused("frozen object at .data+%#x has a non-empty header" % begin)
        name, _, shndx, value = self.elf.symbols[reloc[0]]
        if shndx != self.data_index:
            raise Refused("frozen object at .data+%#x: its type %s is not in .data" % (begin, name))
        flags, base_size = self.read("<II", value)
        expected = base_size
        if flags & HAS_COMPONENT_SIZE:
            length, = self.read("<I", pointer + 8)
            expected += length * (flags & 0xFFFF)
        return (expected + 7) & ~7

    def check_references(self):
        elf = self.elf
        code_refs = CODE_REFS[elf.machine]
        section_symbols = {i for i, s in enumerate(elf.symbols) if (s[1] & 0xF) == 3}
        inside = lambda offset: self.start <= offset < self.end
        for sec, at, target, offset, sym, typ, addend in elf.relocations():
            debug = elf.sections[target]["name"].startswith(".debug")
            name, info, shndx, value = elf.symbols[sym]
            if shndx != self.data_index:
                continue
            if sym == self.start_symbol:
                if addend not in (0, self.end - self.start) or typ not in ABS64[elf.machine]:
                    raise Refused("%s refers to the frozen block's start with addend %d" % (sec["name"], addend))
            elif sym in section_symbols:
                if inside(addend) and not debug:
                    raise Refused("%s refers into the frozen block through the section symbol" % sec["name"])
                if inside(addend) and typ not in ABS64[elf.machine] and addend not in self.object_at:
                    raise Refused("%s: a debug reference into the frozen block of type %d" % (sec["name"], typ))
            elif inside(value):
                allowed = 0 if typ in ABS64[elf.machine] else code_refs.get(typ)
                if allowed is None or addend != allowed:
                    raise Refused("%s refers to %s with type %d, addend %d" % (sec["name"], name, typ, addend))
            else:
                for bias in (0, 4, 8):
                    if inside(value + addend + bias) and not inside(value):
                        raise Refused("%s: a reference to %s+%d lands in the frozen block" % (sec["name"], name, addend))
        # What ILC resolves itself: a 32-bit distance from somewhere in .data to an object.
        data = self.elf.sections[self.data_index]
        targets = set()
        for begin, _, _ in self.objects:
            targets.add(begin)
            targets.add(begin + 8)
        words = memoryview(self.elf.b)[self.data_off:self.data_off + data["size"] // 4 * 4].cast("i")
        for i in range(len(words)):
            p = i * 4
            if self.start <= p < self.end:
                continue
            v = words[i]
            if v and (p + v) in targets and p not in self.data_relocs:
                raise Refused("the word at .data+%#x is the distance to a frozen object" % p)

    def names(self):
        return [self.elf.symbols[symbols[0]][0] for _, _, symbols in self.objects]

    def reorder(self, order):
        """order: object numbers, each once. Moves the objects, their symbols and every relocation with them."""
        elf = self.elf
        moved = {}  # old start -> new start, for every object
        out = bytearray()
        for number in order:
            begin, size, _ = self.objects[number]
            moved[begin] = self.start + len(out)
            out += elf.b[self.data_off + begin:self.data_off + begin + size]
        assert len(out) == self.objects_end - self.start
        elf.b[self.data_off + self.start:self.data_off + self.objects_end] = out
        self.move(moved)

    def spread(self):
        """For profiling only: a copy of every object on pages of its own, appended to .data, so that the pages a
        run touches name exactly the objects it read. The block keeps its place (and stale copies): other data
        keeps its distances, and the GC's frozen segment its bounds."""
        elf = self.elf
        data = elf.sections[self.data_index]
        content = bytearray(elf.b[data["off"]:data["off"] + data["size"]])
        moved = {}
        at = (len(content) + 4095) & ~4095
        for begin, size, _ in self.objects:
            content += bytes(at - len(content))
            moved[begin] = at
            content += elf.b[self.data_off + begin:self.data_off + begin + size]
            at += (size + 4096 + 4095) & ~4095  # a whole page between neighbours, wherever the section lands
        # The section's new content goes to the end of the file; its header says where.
        offset = (len(elf.b) + 15) & ~15
        elf.b += bytes(offset - len(elf.b)) + content
        shoff, = struct.unpack_from("<Q", elf.b, 0x28)
        header = shoff + self.data_index * 64
        struct.pack_into("<Q", elf.b, header + 24, offset)
        struct.pack_into("<Q", elf.b, header + 32, len(content))
        data["off"], data["size"] = offset, len(content)
        self.move(moved)

    def move(self, moved):
        elf = self.elf
        starts = sorted(moved)

        def new_offset(offset):
            if offset >= self.objects_end:
                return offset  # the empty slot after the objects stays where it is
            old = starts[bisect.bisect_right(starts, offset) - 1]  # the object holding offset
            return moved[old] + offset - old

        for index, (name, info, shndx, value) in enumerate(elf.symbols):
            if shndx == self.data_index and self.start < value < self.end and (info & 0xF) != 3:
                struct.pack_into("<Q", elf.b, elf.symtab["off"] + index * 24 + 8, new_offset(value))
        section_symbols = {i for i, s in enumerate(elf.symbols) if (s[1] & 0xF) == 3 and s[2] == self.data_index}
        for sec, at, target, offset, sym, typ, addend in list(elf.relocations()):
            if target == self.data_index and self.start <= offset < self.end:
                struct.pack_into("<Q", elf.b, at, new_offset(offset))
            if sym in section_symbols and self.start <= addend < self.end:
                struct.pack_into("<q", elf.b, at + 16, new_offset(addend))


def touched(obj, binary, link_map, output):
    """Appends to output the frozen objects whose pages of binary (a spread build, run from a file system without
    readahead after its pages were evicted) are in the page cache: exactly those that were read."""
    block = FrozenBlock(ElfObject(open(obj, "rb").read()))
    address = {}
    with open(link_map, encoding="utf-8", errors="replace") as f:
        for line in f:
            fields = line.split()
            if len(fields) == 5 and fields[3] == "1" and fields[2] == "0":
                address[fields[4]] = int(fields[0], 16)
    pages = hot_layout().cached_pages(binary)  # virtual page numbers
    seen = set()
    if os.path.exists(output):
        seen = {line.strip() for line in open(output, encoding="utf-8")}
    found = []
    for begin, size, symbols in block.objects:
        name = block.elf.symbols[symbols[0]][0]
        pointer = address.get(name)
        if pointer is None or name in seen:
            continue
        start = pointer - 8
        if any(page in pages for page in range(start >> 12, ((start + size - 1) >> 12) + 1)):
            found.append(name)
    with open(output, "a", encoding="utf-8") as f:
        f.writelines(name + "\n" for name in found)
    print("frozen-layout: %d frozen objects read (%d named before)" % (len(found), len(seen)))
    return 0


def hot_layout():
    """toolchain/hot-layout.py, for its page-cache reader."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("hot_layout", os.path.join(os.path.dirname(__file__), "hot-layout.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv):
    if len(argv) >= 2 and argv[0] == "names":
        block = FrozenBlock(ElfObject(open(argv[1], "rb").read()))
        print("\n".join(block.names()))
        return 0
    if len(argv) == 3 and argv[0] == "spread":
        elf = ElfObject(open(argv[1], "rb").read())
        FrozenBlock(elf).spread()
        with open(argv[2], "wb") as f:
            f.write(elf.b)
        return 0
    if len(argv) == 5 and argv[0] == "touched":
        return touched(*argv[1:])
    if len(argv) < 3 or argv[0] != "order":
        print(__doc__.strip().split("\n\n")[-1], file=sys.stderr)
        return 64
    args = argv[1:]
    source, output = args[0], args[1]
    wanted = []
    if len(args) > 2:
        with open(args[2], encoding="utf-8") as f:
            wanted = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    elf = ElfObject(open(source, "rb").read())
    block = FrozenBlock(elf)
    number_of = {}
    for number, (_, _, symbols) in enumerate(block.objects):
        for index in symbols:
            number_of.setdefault(elf.symbols[index][0], number)
    first = []
    for name in wanted:
        number = number_of.get(name)
        if number is not None and number not in first:
            first.append(number)
    listed = set(first)
    rest = [n for n in range(len(block.objects)) if n not in listed]
    block.reorder(first + rest)
    with open(output, "wb") as f:
        f.write(elf.b)
    print("frozen-layout: %d frozen objects (%d bytes), %d of them first" % (
        len(block.objects), block.end - block.start, len(first)))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Refused as refused:
        print("frozen-layout: not laid out: %s" % refused, file=sys.stderr)
        sys.exit(2)
