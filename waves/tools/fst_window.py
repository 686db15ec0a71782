#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Print an FST trace's first and last time in picoseconds: "START END".

The FST header block (the file's first block, type 0 = FST_BL_HDR) holds the
start and end time as big-endian 64-bit integers right after the block's
type byte and 64-bit length, and the timescale as a signed power of ten
after six more 64-bit fields (gtkwave's fstapi.c, fstWriterEmitHdrBytes).
A windowed trace (--trace-window, --trigger) starts at its window's start.

usage: fst_window.py FILE.fst
"""
import struct
import sys


def fst_window_ps(path):
    with open(path, "rb") as f:
        hdr = f.read(1 + 8 + 8 + 8 + 6 * 8 + 1)
    if len(hdr) < 74 or hdr[0] != 0:
        raise ValueError(f"{path}: not an FST trace (no header block at its start)")
    start, end = struct.unpack(">QQ", hdr[9:25])
    exp = struct.unpack("b", hdr[73:74])[0]  # the time unit is 10**exp s
    if exp > -12:
        scale = 10 ** (exp + 12)
        return start * scale, end * scale
    div = 10 ** (-12 - exp)
    return start // div, end // div


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    try:
        start, end = fst_window_ps(sys.argv[1])
    except (OSError, ValueError) as e:
        print(f"fst_window: {e}", file=sys.stderr)
        return 1
    print(start, end)
    return 0


if __name__ == "__main__":
    sys.exit(main())
