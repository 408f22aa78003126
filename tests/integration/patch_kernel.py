#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write a copy of a test kernel with one boot field changed, for the
checks that kvmux refuses kernels it cannot run (t_security.sh).

  patch_kernel.py pvh-entry IN OUT VALUE    the PVH entry note's address
  patch_kernel.py bz-syssize IN OUT VALUE   a bzImage's syssize
"""
import struct
import sys

XEN_ELFNOTE_PHYS32_ENTRY = 18
PT_NOTE = 4
SYSSIZE_OFF = 0x1F4  # struct setup_header.syssize, in the file


def notes(data):
    """(offset, size) of each PT_NOTE of an ELF32 or ELF64 file."""
    if data[4] == 2:  # ELFCLASS64
        phoff, = struct.unpack_from("<Q", data, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
        for i in range(phnum):
            p_type, _, p_offset, _, _, p_filesz = struct.unpack_from(
                "<IIQQQQ", data, phoff + i * phentsize)
            if p_type == PT_NOTE:
                yield p_offset, p_filesz
    else:
        phoff, = struct.unpack_from("<I", data, 0x1C)
        phentsize, phnum = struct.unpack_from("<HH", data, 0x2A)
        for i in range(phnum):
            p_type, p_offset, _, _, p_filesz = struct.unpack_from(
                "<IIIII", data, phoff + i * phentsize)
            if p_type == PT_NOTE:
                yield p_offset, p_filesz


def pvh_entry_offset(data):
    """File offset of the 4-byte PVH entry in the Xen note."""
    for off, size in notes(data):
        pos = off
        while pos + 12 <= off + size:
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            name = data[pos + 12:pos + 12 + namesz]
            desc = pos + 12 + (namesz + 3) // 4 * 4
            if name == b"Xen\0" and ntype == XEN_ELFNOTE_PHYS32_ENTRY:
                return desc
            pos = desc + (descsz + 3) // 4 * 4
    sys.exit("no PVH entry note")


def main():
    what, src, dst, value = sys.argv[1:5]
    data = bytearray(open(src, "rb").read())
    if what == "pvh-entry":
        struct.pack_into("<I", data, pvh_entry_offset(data), int(value, 0))
    elif what == "bz-syssize":
        struct.pack_into("<I", data, SYSSIZE_OFF, int(value, 0))
    else:
        sys.exit("unknown field " + what)
    open(dst, "wb").write(data)


main()
