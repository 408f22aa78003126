#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Print to stdout the bytes guest-firmware's blk kernel writes to sectors
0..N-1 with seed S (see the comment at the top of guest-firmware/tests/
blk.c): sector s holds 64 little-endian u64 words, word j being
(S & 0xffff) << 48 | (s & 0xffffffffff) << 8 | j.

usage: blk_pattern.py SEED SECTORS
"""
import struct
import sys


def main():
    seed, sectors = int(sys.argv[1]), int(sys.argv[2])
    out = sys.stdout.buffer
    for s in range(sectors):
        base = (seed & 0xFFFF) << 48 | (s & 0xFFFFFFFFFF) << 8
        out.write(struct.pack("<64Q", *[base | j for j in range(64)]))


if __name__ == "__main__":
    main()
