#!/usr/bin/env python3
"""Drops programs' pages from the page cache (posix_fadvise DONTNEED), so that each is read in by its next
run, as an installed program is after a boot. Pages some process still maps stay; so do dirty ones (sync first).

  toolchain/evict.py [--with-libraries] PROGRAM...

A PROGRAM without a slash is looked up in PATH. --with-libraries also evicts the shared libraries ldd lists.
"""
import os
import shutil
import subprocess
import sys


def libraries(path):
    """The shared libraries and loader ldd resolves for PATH; none for a static program (ldd then fails)."""
    listing = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
    found = []
    for line in listing.splitlines():
        # "libc.so.6 => /lib/.../libc.so.6 (0x...)", or the loader itself: "/lib64/ld-linux-x86-64.so.2 (0x...)"
        target = line.split("=>")[1].split() if "=>" in line else line.split()
        if target and target[0].startswith("/"):
            found.append(target[0])
    return found


def main(args):
    with_libraries = "--with-libraries" in args
    programs = [a for a in args if a != "--with-libraries"]
    if not programs:
        sys.exit(__doc__)
    paths = []
    for program in programs:
        path = program if "/" in program else shutil.which(program)
        if path is None:
            sys.exit(f"evict: {program}: not found in PATH")
        paths.append(path)
        if with_libraries:
            paths.extend(libraries(path))
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as error:
            sys.exit(f"evict: {path}: {error.strerror}")
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


if __name__ == "__main__":
    main(sys.argv[1:])
