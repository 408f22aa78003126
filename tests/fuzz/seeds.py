#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write the hand-made seeds of tests/fuzz/corpus/<target>/seed-*.

    make firmware && python3 tests/fuzz/seeds.py

Seeds are inputs a target can start from: well-formed cases that reach
deep (a loadable kernel, a served virtqueue, a config with every key) and
the edges next to them.  The loader seeds come from the guest-firmware
images (shortened: the fuzzer gains nothing from 60 KiB of code bytes).
What the fuzzer found later sits next to them under its own names
(run.sh --merge).  The input formats are described at the top of each
tests/fuzz/fuzz_<target>.c.
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
FIRMWARE = os.path.join(ROOT, "guest-firmware", "build")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def firmware(name):
    with open(os.path.join(FIRMWARE, name), "rb") as f:
        return f.read()


# --- virtq -------------------------------------------------------------
# ops: WRITE DESC AVAIL RING SERVICE POP NOTIFY ENABLE DISABLE DEVICE INIT
(WRITE, DESC, AVAIL, RING, SERVICE, POP, NOTIFY, ENABLE, DISABLE, DEVICE,
 INIT) = range(11)


def vq_setup(size_log2, desc, avail, used, event_idx=False, indirect=False):
    mode = (1 if event_idx else 0) | (2 if indirect else 0)
    return struct.pack("<BHIII", mode, size_log2, desc, avail, used)


def vq_desc(i, addr, length, flags, nxt):
    return struct.pack("<BHBHHHH", DESC, i, 0, addr, length, flags, nxt)


def vq_desc64(i, addr, length, flags, nxt):
    return struct.pack("<BHBQIHH", DESC, i, 3, addr, length, flags, nxt)


def vq_avail(head):
    return struct.pack("<BH", AVAIL, head)


def vq_device(blk, read_off, write_off, data):
    return struct.pack("<BBHHB", DEVICE, blk, read_off, write_off,
                       len(data)) + data


def vq_ring(field, value):
    return struct.pack("<BBH", RING, field, value)


NEXT, WRITABLE, INDIRECT = 1, 2, 4


def virtq_seeds():
    std = vq_setup(3, 0x1000, 0x2000, 0x3000)
    blk_chain = (vq_desc(0, 0x4000, 16, NEXT, 1) +
                 vq_desc(1, 0x5000, 512, NEXT | WRITABLE, 2) +
                 vq_desc(2, 0x6000, 1, WRITABLE, 0))
    write("virtq", "blk-request",
          std + blk_chain + vq_device(1, 0, 0, b"\xaa" * 16) +
          vq_avail(0) + bytes([SERVICE]))
    write("virtq", "two-chains-event-idx",
          vq_setup(4, 0x1000, 0x2000, 0x3000, event_idx=True) + blk_chain +
          vq_desc(3, 0x7000, 64, 0, 0) + vq_avail(0) + vq_avail(3) +
          vq_ring(2, 1) + bytes([SERVICE, NOTIFY, ENABLE]) + vq_avail(3) +
          bytes([POP, NOTIFY, DISABLE]))
    write("virtq", "indirect",
          vq_setup(2, 0x1000, 0x2000, 0x3000, indirect=True) +
          vq_desc(0, 0x8000, 48, INDIRECT, 0) +
          struct.pack("<BIB", WRITE, 0x8000, 48) +
          struct.pack("<QIHH", 0x9000, 100, NEXT, 1) +
          struct.pack("<QIHH", 0x9100, 100, NEXT | WRITABLE, 2) +
          struct.pack("<QIHH", 0x9200, 1, WRITABLE, 0) +
          vq_device(0, 8, 0, b"hello") + vq_avail(0) + bytes([SERVICE]))
    write("virtq", "index-wrap",
          std + vq_ring(1, 0xfffe) +
          vq_desc(0, 0x4000, 8, 0, 0) + vq_avail(0) + vq_avail(0) +
          vq_avail(0) + bytes([SERVICE]))
    # Device-writable buffer over the driver area: self-modifying ring.
    write("virtq", "buffer-over-ring",
          std + vq_desc(0, 0x4000, 16, NEXT, 1) +
          vq_desc(1, 0x2000, 24, WRITABLE, 0) +
          vq_device(1, 0, 2, b"\x01\x00\x00\x00\x00\x00\x00\x00") +
          vq_avail(0) + bytes([SERVICE]))
    # A buffer across the end of the first RAM region (must break).
    write("virtq", "straddle-regions",
          std + vq_desc64(0, 0xfff0, 0x20, 0, 0) + vq_avail(0) +
          bytes([SERVICE]))
    write("virtq", "max-size-1024",
          vq_setup(10, 0x0, 0x4000, 0x5000) + vq_desc(1023, 0x8000, 4, 0, 0)
          + vq_avail(1023) + bytes([SERVICE]))
    write("virtq", "reinit",
          std + vq_desc(0, 0x4000, 8, 0, 0) + vq_avail(0) + bytes([POP]) +
          bytes([INIT]) + vq_setup(5, 0x100, 0x700, 0x900, event_idx=True) +
          vq_desc(0, 0x4000, 8, 0, 0) + vq_avail(0) + bytes([SERVICE]))


def virtq_known():
    """Hangs of issue 8: the device's own writes move avail->idx."""
    d = os.path.join(ROOT, "tests", "fuzz", "known", "virtq")
    os.makedirs(d, exist_ok=True)
    # Driver area at 0x1002, device area at 0x1004: used->flags is
    # avail->idx; disable_notify writes 1 there, enable_notify 0.
    with open(os.path.join(d, "issue-8-used-flags-alias-avail-idx"),
              "wb") as f:
        f.write(vq_setup(0, 0, 0x1002, 0x1004) + bytes([SERVICE]))
    # A blk request whose header's sector field is avail->idx (driver area
    # at 0x2006, header at 0x2000) and whose data buffer covers it: each
    # request reads a sector that says "sector + 1", which makes the next
    # request available.  No ring overlaps another.
    with open(os.path.join(d, "issue-8-data-buffer-over-avail-idx"),
              "wb") as f:
        f.write(vq_setup(3, 0x1000, 0x2006, 0x3000) +
                vq_desc(0, 0x2000, 16, NEXT, 1) +
                vq_desc(1, 0x2008, 8, WRITABLE, 0) +
                vq_device(1, 0, 0, b"\x00" * 8) + vq_avail(0) +
                bytes([SERVICE]))


# --- loaders -----------------------------------------------------------
def boot_header(ram_mib, cpus=1, virtio=2, initrd=0, cmdline=b"console=ttyS0"):
    return struct.pack("<BBBHH", ram_mib - 2, cpus - 1, virtio, initrd // 16,
                       len(cmdline)) + cmdline


def patch(buf, off, fmt, value):
    buf = bytearray(buf)
    struct.pack_into(fmt, buf, off, value)
    return bytes(buf)


def bzimage_seeds():
    full = firmware("hello.bzImage")
    sects = full[0x1f1]
    pm_off = (sects + 1) * 512
    short = patch(full[:pm_off + 0x1000], 0x1f4, "<I", 0x1000 // 16)
    write("bzimage", "hello-full", boot_header(4, initrd=4096) + full)
    write("bzimage", "hello-short", boot_header(4) + short)
    write("bzimage", "hello-initrd",
          boot_header(8, cpus=4, virtio=9, initrd=0x10000) + short)
    reloc = patch(patch(patch(short, 0x234, "<B", 1), 0x258, "<Q", 0x400000),
                  0x260, "<I", 0x20000)
    write("bzimage", "relocatable", boot_header(8, initrd=0x2000) + reloc)
    write("bzimage", "initrd-limit",
          boot_header(16, initrd=0x8000) + patch(short, 0x22c, "<I", 0x37ffff))
    write("bzimage", "protocol-2.11", boot_header(4) +
          patch(short, 0x206, "<H", 0x020b))
    write("bzimage", "short-header", boot_header(4) +
          patch(short, 0x201, "<B", 0x30))
    write("bzimage", "no-64bit-entry", boot_header(4) +
          patch(short, 0x236, "<H", 0))
    write("bzimage", "setup-sects-0", boot_header(4) +
          patch(patch(full[:5 * 512 + 0x400], 0x1f1, "<B", 0), 0x1f4, "<I",
                0x400 // 16))
    write("bzimage", "long-cmdline",
          boot_header(4, cmdline=b"x" * 3000) + short)
    write("bzimage", "many-cpus",
          boot_header(4, cpus=254, virtio=9, cmdline=b"") + short)


def elf64(entry_desc=b"\x00\x00\x10\x00", note_in_section=False, align=4,
          loads=((0x100000, 0x100, 0x2000),)):
    """ehdr, phdrs (PT_LOADs, PT_NOTE), note, data, optional shdrs."""
    note = struct.pack("<III", 4, len(entry_desc), 18) + b"Xen\x00"
    note += b"\x00" * (-4 % align) + entry_desc
    note += b"\x00" * (-len(entry_desc) % align)
    phnum = len(loads) + (0 if note_in_section else 1)
    note_off = 64 + 56 * phnum
    data_off = (note_off + len(note) + 15) & ~15
    phdrs = b""
    for i, (paddr, filesz, memsz) in enumerate(loads):
        phdrs += struct.pack("<IIQQQQQQ", 1, 5, data_off + i * 0x100, paddr,
                             paddr, filesz, memsz, 0x1000)
    if not note_in_section:
        phdrs += struct.pack("<IIQQQQQQ", 4, 4, note_off, 0, 0, len(note),
                             len(note), align)
    body = phdrs + note
    body += b"\x00" * (data_off - 64 - len(body))
    body += bytes((i * 7 + 1) & 0xff for i in range(0x100 * len(loads)))
    shoff, shnum = 0, 0
    if note_in_section:
        shoff, shnum = 64 + len(body), 2
        body += b"\x00" * 64 + struct.pack("<IIQQQQIIQQ", 0, 7, 2, 0,
                                           note_off, len(note), 0, 0,
                                           align, 0)
    ehdr = b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + struct.pack(
        "<HHIQQQIHHHHHH", 2, 62, 1, 0x100000, 64, shoff, 0, 64, 56, phnum,
        64, shnum, 0)
    return ehdr + body


def elf32():
    note = struct.pack("<III", 4, 4, 18) + b"Xen\x00" + struct.pack(
        "<I", 0x100000)
    note_off = 52 + 32 * 2
    data_off = note_off + len(note)
    phdrs = struct.pack("<IIIIIIII", 1, data_off, 0x100000, 0x100000, 0x80,
                        0x1000, 5, 0x1000)
    phdrs += struct.pack("<IIIIIIII", 4, note_off, 0, 0, len(note),
                         len(note), 4, 4)
    ehdr = b"\x7fELF\x01\x01\x01" + b"\x00" * 9 + struct.pack(
        "<HHIIIIIHHHHHH", 2, 3, 1, 0x100000, 52, 0, 0, 52, 32, 2, 40, 0, 0)
    return ehdr + phdrs + note + bytes(range(0x80))


def stripped(name):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, name)
        subprocess.run(["objcopy", "--strip-all",
                        os.path.join(FIRMWARE, name), out], check=True)
        with open(out, "rb") as f:
            return f.read()


def pvh_seeds():
    hello = firmware("hello.elf")
    write("pvh", "hello-stripped", boot_header(4, initrd=4096) +
          stripped("hello.elf"))
    write("pvh", "hello-truncated", boot_header(4) + hello[:0x8b6c])
    write("pvh", "minimal", boot_header(2) + elf64())
    write("pvh", "initrd", boot_header(4, cpus=2, initrd=0x4000) + elf64())
    write("pvh", "note-in-section", boot_header(2) +
          elf64(note_in_section=True))
    write("pvh", "note-8-bytes-align-8", boot_header(2) +
          elf64(entry_desc=struct.pack("<Q", 0x100040), align=8))
    write("pvh", "two-loads-bss", boot_header(4, virtio=3) +
          elf64(loads=((0x100000, 0x100, 0x100), (0x200000, 0x80, 0x10000))))
    write("pvh", "overlapping-loads", boot_header(4) +
          elf64(loads=((0x100000, 0x100, 0x1000), (0x100800, 0x100, 0x100))))
    write("pvh", "load-below-1m", boot_header(2) +
          elf64(loads=((0x8000, 0x100, 0x100),)))
    write("pvh", "elf32", boot_header(2, initrd=0x1000) + elf32())
    write("pvh", "long-cmdline", boot_header(2, cmdline=b"y" * 0x3000) +
          elf64())


# --- multiboot -------------------------------------------------------------
def mb_header(flags, addrs=None):
    hdr = struct.pack("<III", 0x1BADB002, flags, -(0x1BADB002 + flags) & 0xffffffff)
    return hdr + (struct.pack("<5I", *addrs) if addrs is not None else b"")


def mb_flat(header_off=0x40, load=0x100000, load_end=0, bss_end=0,
            entry=0x100080, flags=0x10003, size=0x200, text_before=0x40):
    """A flat image: the header at header_off, load_addr's byte
    text_before bytes in front of it."""
    body = bytearray((i * 5 + 3) & 0xff for i in range(size))
    addrs = (load + text_before, load, load_end, bss_end, entry)
    hdr = mb_header(flags, addrs)
    body[header_off:header_off + len(hdr)] = hdr
    return bytes(body)


def mb_elf32(entry=0x100010, vaddr=0x100000, paddr=0x100000, flags=3):
    """ELF32 with one PT_LOAD holding a multiboot header without
    address fields."""
    text = mb_header(flags) + bytes(range(0x74))
    off = 52 + 32
    phdr = struct.pack("<IIIIIIII", 1, off, vaddr, paddr, len(text),
                       len(text) + 0x100, 7, 0x1000)
    ehdr = b"\x7fELF\x01\x01\x01" + b"\x00" * 9 + struct.pack(
        "<HHIIIIIHHHHHH", 2, 3, 1, entry, 52, 0, 0, 52, 32, 1, 40, 0, 0)
    return ehdr + phdr + text


def multiboot_seeds():
    flat = firmware("exitcode.mb.bin")[:0x6000]
    write("multiboot", "exitcode-flat", boot_header(4, initrd=4096) + flat)
    two = elf64(loads=((0x100000, 0x100, 0x100), (0x200000, 0x80, 0x10000)))
    text = struct.unpack_from("<Q", two, 64 + 8)[0]
    write("multiboot", "elf64-two-loads-bss", boot_header(4, virtio=3) +
          two[:text] + mb_header(3) + two[text + 12:])
    write("multiboot", "elf32-minimal", boot_header(2) + mb_elf32())
    write("multiboot", "elf32-higher-half", boot_header(2, initrd=0x2000) +
          mb_elf32(entry=0xc0100010, vaddr=0xc0100000))
    write("multiboot", "flat-minimal", boot_header(2) + mb_flat())
    write("multiboot", "flat-initrd-bss", boot_header(4, cpus=2,
                                                        initrd=0x4000) +
          mb_flat(load_end=0x100180, bss_end=0x110000))
    write("multiboot", "flat-below-1m", boot_header(2) +
          mb_flat(load=0x8000, entry=0x8000))
    write("multiboot", "flat-header-at-8k-edge", boot_header(2) +
          mb_flat(header_off=0x2000 - 32, size=0x2100, text_before=0))
    write("multiboot", "flat-entry-at-end", boot_header(2) +
          mb_flat(entry=0x1001ff))
    write("multiboot", "flat-past-4g", boot_header(2) +
          mb_flat(load=0xffffff00, entry=0xffffff00))
    write("multiboot", "video-mode", boot_header(2, cmdline=b"") +
          mb_flat(flags=0x10007))
    write("multiboot", "unknown-required-flag", boot_header(2) +
          mb_flat(flags=0x10008))
    write("multiboot", "bad-checksum", boot_header(2) +
          patch(mb_flat(), 0x48, "<I", 0))
    write("multiboot", "long-cmdline", boot_header(2, cmdline=b"z" * 0x1100) +
          mb_flat())


# --- config_file, cli, parse ---------------------------------------------
CONFIG_ALL = b"""\xef\xbb\xbf; every key, in every section
[vm]
name = "web 1"
memory = 64M
cpus = 2
timeout = 1.5
priority = 3
weight = 7
cap = on
kvm-device = /dev/kvm
stats = yes

[kernel]
path = kernels/web.elf
initrd = "initrd.cpio"
cmdline = console=hvc0 quiet ; a comment

[disk "root"]
path = root.img
readonly = off
serial = ROOT-0001

[disk "data"]
path = /srv/data.img
readonly = true

[console]
device = virtio
output = web.log
"""

CONFIG_ERRORS = [
    b"[vm]\nmemroy = 1G\n[kernel]\npath = k\n",
    b"[kernel]\npath = k\n[kernel]\npath = j\n",
    b"[disk]\npath = x\n",
    b"[disk \"a\"]\nreadonly = on\n[kernel]\npath = k\n",
    b"key = outside\n",
    b"[vm]\ncpus = 0\n",
    b"[vm]\r\ntimeout = 2m\r\n[kernel]\r\npath = k\r\n  cmdline = indented\r\n",
    b"[console] trailing\n",
    b"[vm\nname = x\n",
    b"[kernel]\npath = k\n[disk \"d1\"]\npath=1\n[disk \"d2\"]\npath=2\n"
    b"[disk \"d3\"]\npath=3\n[disk \"d4\"]\npath=4\n[disk \"d5\"]\npath=5\n"
    b"[disk \"d6\"]\npath=6\n[disk \"d7\"]\npath=7\n[disk \"d8\"]\npath=8\n"
    b"[disk \"d9\"]\npath=9\n",
]


def config_seeds():
    for name in ("a", "b"):
        with open(os.path.join(ROOT, "examples", "two-vms", name + ".conf"),
                  "rb") as f:
            write("config_file", "example-" + name, f.read())
    write("config_file", "every-key", CONFIG_ALL)
    for i, text in enumerate(CONFIG_ERRORS):
        write("config_file", "error-%d" % i, text)


def cli_seeds():
    write("cli", "kernel-options",
          b"--kernel\nk.elf\n-m\n512M\n-p\n2\n--timeout=90s\n--cmdline\n"
          b"console=ttyS0\n--disk\npath=a.img,readonly=on,serial=S1\n"
          b"--console\nvirtio\n--console-output\nnone\n--stats\n"
          b"--name\nweb\n--dump-dtb\nout.dtb\n--kvm-device\nkvm")
    write("cli", "two-configs-group",
          b"@1\n@2\n--host-cpus\n4\n--host-memory=8G\n--overcommit\n1.5\n"
          b"--period\n0.05\n--sched\noff\x00" + CONFIG_ALL +
          b"\x00[vm]\nname = b\n[kernel]\npath = k\n")
    write("cli", "same-name", b"@1\n@1\x00[kernel]\npath=k\n")
    write("cli", "finding-parse-after-help", b"-hV\n--kernel\nk")
    write("cli", "finding-empty-kernel", b"--kernel=\n--memory\n1.5G")
    write("cli", "errors", b"--memory\n1.5G\n--bogus\n-k")
    write("cli", "name-with-two", b"@1\n@2\n--name\nx\x00[kernel]\npath=a"
          b"\x00[kernel]\npath=b\n")


def parse_seeds():
    # (name, parser: fuzz_parse.c's selector, text)
    cases = [("size-512M", 0, b"512M"), ("size-2GiB", 0, b"2GiB"),
             ("size-largest-T", 0, b"16777215T"), ("size-bytes", 1, b"4096"),
             ("size-overflow", 0, b"99999999999999999999"),
             ("uint-cpus", 2, b"254"), ("uint-max", 3, b"18446744073709551615"),
             ("duration-fraction", 4, b"1.5"), ("duration-ms", 4, b"250ms"),
             ("duration-minutes", 4, b"2m"),
             ("finding-duration-below-1us", 4, b"0.0000001"),
             ("duration-largest-h", 4, b"2562047788015h"),
             ("bool-On", 5, b"On"), ("bool-FALSE", 5, b"FALSE"),
             ("disk-full", 6, b"path=a.img,readonly=on,serial=0123456789abcdefghij"),
             ("disk-bad", 6, b"readonly=maybe,path="),
             ("host-cpus", 7, b"65536"), ("host-memory", 7 + 8, b"1T"),
             ("overcommit", 7 + 16, b"64.001"), ("period", 7 + 24, b"0.001"),
             ("sched", 7 + 32, b"off")]
    for name, which, text in cases:
        write("parse", name, bytes([which]) + text)


# --- plan ----------------------------------------------------------------
def plan_input(vms, host_cpus, host_mem, overcommit, period_ms, sched,
               rounds=2):
    """vms: (memory in MiB, vCPUs, weight, priority, cap) each."""
    data = struct.pack("<HHBQHHB", len(vms), host_cpus - 1, 0, host_mem,
                       overcommit - 1, period_ms - 1, sched)
    for mem_mib, cpus, weight, prio, cap in vms:
        pages = ((mem_mib - 2) << 20) >> 12  # above LAYOUT_MIN_RAM
        data += struct.pack("<BQBHIB", 0, pages, cpus - 1, weight - 1, prio,
                            cap)
    for r in range(rounds):
        data += struct.pack("<Q", 50000000 >> r)
        for i in range(len(vms)):
            data += struct.pack("<BQ", 1 if (i + r) % 3 else 3,
                                10000000 * (i + r))
    return data


def plan_seeds():
    write("plan", "fits", plan_input(
        [(64, 1, 1, 0, 0), (256, 2, 2, 1, 0)], 4, 8 << 30, 1000, 100, 1))
    write("plan", "overcommitted", plan_input(
        [(1024, 4, 1, 0, 1), (2048, 4, 3, 5, 0), (512, 1, 10000, 5, 0)],
        2, 2 << 30, 1500, 50, 1, 4))
    write("plan", "many", plan_input(
        [(2 + i * 37 % 500, 1 + i % 8, 1 + i % 5, i % 3, i % 2)
         for i in range(64)], 8, 16 << 30, 2000, 10, 1, 3))
    write("plan", "floors-do-not-fit", plan_input(
        [(30, 1, 1, 0, 0)] * 4, 1, 64 << 20, 1000, 100, 1, 0))


# --- bus -------------------------------------------------------------------
def bus_seeds():
    # The PC's port ranges (UART, i8042, debug exit) and two virtio windows,
    # then accesses inside, across the ends and between them.
    ranges = [(0x3f8, 8), (0x60, 1), (0x64, 1), (0x501, 1),
              (0xd0000000, 0x200), (0xd0000200, 0x200)]
    accesses = [(0x3f8, 1, 1), (0x3ff, 1, 0), (0x3ff, 2, 0), (0x60, 1, 0),
                (0x61, 1, 0), (0x501, 1, 1), (0xd00001fc, 4, 0),
                (0xd00001fe, 4, 1), (0xd0000200, 8, 0), (0xcfffffff, 2, 0),
                (0xffffffffffffffff, 8, 0)]
    data = struct.pack("<B", len(ranges))
    for base, length in ranges:
        data += struct.pack("<BQBQ", 0, base, 0, length)
    for addr, length, is_write in accesses:
        data += struct.pack("<BQBB", 0, addr, length, is_write)
    write("bus", "pc-ports-virtio", data)
    top = struct.pack("<B", 2) + struct.pack("<BQBQ", 0, 2**64 - 0x1000, 0,
                                             0x1000)
    top += struct.pack("<BQBQ", 0, 2**64 - 0x2000, 0, 0x1000)
    top += struct.pack("<BQBB", 0, 2**64 - 0x1001, 2, 0)
    write("bus", "top-of-address-space", top)


# --- ports -----------------------------------------------------------------
P_OUT, P_IN, P_INPUT, P_OUT_ANY, P_IN_ANY = range(5)
PORTS = [0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff, 0x3f7,
         0x400, 0x60, 0x64, 0x61, 0x505, 0x504, 0x600, 0x601, 0x602, 0x603]
WIDTH = {1: 0, 2: 1, 4: 2}


def p_out(port, value, width=1):
    if port in PORTS:
        return struct.pack("<BBBI", P_OUT, PORTS.index(port), WIDTH[width],
                           value)
    return struct.pack("<BHBI", P_OUT_ANY, port, WIDTH[width], value)


def p_in(port, width=1):
    if port in PORTS:
        return struct.pack("<BBB", P_IN, PORTS.index(port), WIDTH[width])
    return struct.pack("<BHB", P_IN_ANY, port, WIDTH[width])


def p_input(text, repeats=1):
    return struct.pack("<BB", P_INPUT, len(text)) + text + struct.pack(
        "<B", repeats - 1)


def ports_setup(full=False, acpi=True, qemu=False, port=0x501, size=1):
    return struct.pack("<BHB", full | acpi << 1 | qemu << 2, port, size)


def ports_seeds():
    com = 0x3f8
    init = (p_out(com + 3, 0x80) + p_out(com, 1) + p_out(com + 1, 0) +
            p_out(com + 3, 3) + p_out(com + 2, 0xc7) + p_out(com + 4, 0x0b) +
            p_out(com + 1, 0x0f) + p_in(com + 2) + p_in(com + 5))
    hello = b"".join(p_out(com, c) + p_in(com + 5) for c in b"Hello\n")
    loop = (p_out(com + 7, 0x5a) + p_in(com + 7) + p_out(com + 4, 0x1f) +
            p_in(com + 6) + p_out(com, 0x41) + p_in(com + 5) + p_in(com) +
            p_out(com + 4, 0x0b))
    rx = p_input(b"abc") + p_in(com + 2) + p_in(com, 2) + p_in(com, 1)
    write("ports", "uart-linux", ports_setup() + init + hello + loop + rx)
    write("ports", "uart-full-sink", ports_setup(full=True) + init +
          b"".join(p_out(com, c) for c in b"x" * 20) + p_in(com + 5) +
          p_out(com + 2, 0x00) + p_out(com, 0x79) + p_out(com + 2, 0x07) +
          p_in(com + 2) + p_out(com, 0x7a, 4))
    write("ports", "uart-rx-overflow", ports_setup() + init +
          p_input(b"y" * 255, 20) + p_in(com + 5) + p_in(com + 2) +
          b"".join(p_in(com, 4) for _ in range(520)) + p_input(b"z") +
          p_out(com + 2, 0x03))
    write("ports", "i8042-reset", ports_setup() +
          p_out(0x64, 0xaa) + p_in(0x64) + p_in(0x60) + p_out(0x64, 0x20) +
          p_in(0x60) + p_out(0x64, 0x60) + p_out(0x60, 0x45) + p_in(0x64) +
          p_out(0x64, 0xd1) + p_out(0x60, 0xff) + p_out(0x64, 0xd1) +
          p_out(0x60, 0xfe) + p_out(0x64, 0xfe) + p_out(0x60, 0x12, 2))
    write("ports", "debug-exit-qemu", ports_setup(qemu=True, port=0xf4,
                                                  size=4) +
          p_out(0xf4, 0x31) + p_out(0xf5, 0x1234, 2) + p_out(0xf6, 0x11, 4) +
          p_out(0xf4, 0xdeadbeef, 4) + p_in(0xf4) + p_out(0xf3, 1, 2))
    write("ports", "debug-exit-raw", ports_setup(acpi=False) +
          p_out(0x501, 3) + p_out(0x501, 0x102, 2) + p_out(0x500, 7, 4) +
          p_out(0x600, 0x34) + p_in(0x600))
    write("ports", "pvpanic-acpi", ports_setup() + p_in(0x505) +
          p_out(0x505, 2) + p_out(0x505, 1) + p_out(0x505, 0xfc) +
          p_in(0x600, 2) + p_out(0x600, 0x34) + p_out(0x600, 0x14) +
          p_out(0x601, 0x0100, 2) + p_out(0x602, 1) + p_in(0x603))
    # A guest that says "crash loaded" over and over: one note.
    write("ports", "pvpanic-crash-loaded-loop", ports_setup() +
          b"".join(p_out(0x505, 2) for _ in range(64)) + p_out(0x505, 3))
    write("ports", "debug-exit-over-uart", ports_setup(port=0x3fc, size=4) +
          p_out(0x3fc, 1) + p_in(0x3fc))
    write("ports", "debug-exit-over-pvpanic", ports_setup(port=0x504,
                                                          size=2) +
          p_out(0x505, 1) + p_out(0x504, 9))
    write("ports", "debug-exit-top", ports_setup(port=0xfffe, size=2) +
          p_out(0xfffe, 0x0505, 4) + p_out(0xffff, 2))
    write("ports", "debug-exit-empty", ports_setup(port=0x501, size=0) +
          p_out(0x501, 1))


# --- console_sink --------------------------------------------------------
def sink_input(prefix, writes):
    data = struct.pack("<BB", 1 if prefix is not None else 0,
                       len(prefix or b"")) + (prefix or b"")
    for w in writes:
        data += struct.pack("<H", len(w)) + w
    return data


def console_sink_seeds():
    write("console_sink", "lines", sink_input(b"vm1", [
        b"he", b"llo\r\nwor", b"ld\n", b"open line"]))
    write("console_sink", "raw", sink_input(None, [b"a\r\nb", b"\x00\xff"]))
    write("console_sink", "long-line", sink_input(b"web", [
        b"x" * 5000, b"y" * 4096, b"\n", b"z" * 4095, b"\r\n"]))
    write("console_sink", "empty-prefix", sink_input(b"", [b"\n\n", b""]))


# --- virtio_blk, virtio_console ------------------------------------------
# fuzz_virtio.h's steps; the devices' own ones follow FV_NR_OPS.
(FV_ACCESS, FV_REG, FV_WRITE, FV_DESC, FV_AVAIL, FV_NOTIFY, FV_RING,
 FV_SETUP) = range(8)
BLK_REQUEST = 8
CON_TX, CON_RX, CON_INPUT = 8, 9, 10
EVENT_IDX, INDIRECT_DESC, ALL_FEATURES = 1, 2, 4
# Request shapes (fuzz_virtio_blk.c, fuzz_virtio_console.c)
S_INDIRECT, S_NO_STATUS, S_HIGH, S_NOTIFY, S_HDR_WRITABLE = (
    0x04, 0x08, 0x10, 0x20, 0x40)
S_OTHER = 0x08
IN, OUT, FLUSH, GET_ID, DISCARD, WRITE_ZEROES, RAW = range(7)


def fv_setup(features, sizes_log2, layout=0):
    data = struct.pack("<BB", FV_SETUP, features)
    for size in sizes_log2:
        data += struct.pack("<BB", size, layout)
    return data


def fv_read(off, width_log2):
    return struct.pack("<BHBQ", FV_ACCESS, off, 4 | width_log2, 0)


def blk_req(kind, sectors, sector, shape, head=0, ranges=(), raw=None,
            nbytes=None):
    length = 0x8000 | nbytes if nbytes is not None else sectors
    data = struct.pack("<BBH", BLK_REQUEST, kind, length)
    if kind == RAW:
        data += struct.pack("<I", raw)
    data += struct.pack("<HBH", sector, shape, head)
    if kind in (DISCARD, WRITE_ZEROES):
        data += struct.pack("<B", len(ranges) - 1)
        for first, count in ranges:
            data += struct.pack("<HH", first, count)
    return data


def virtio_blk_seeds():
    rw, ro, snap = 0, 1, 2
    std = fv_setup(EVENT_IDX | INDIRECT_DESC | ALL_FEATURES, [4])
    every = (blk_req(OUT, 2, 3, S_NOTIFY, 0) +
             blk_req(IN, 2, 3, S_NOTIFY | 1, 3) +
             blk_req(FLUSH, 0, 0, S_NOTIFY, 6) +
             blk_req(GET_ID, 0, 0, S_NOTIFY, 8, nbytes=20) +
             blk_req(DISCARD, 0, 0, S_NOTIFY, 9, ranges=[(1, 2)]) +
             blk_req(WRITE_ZEROES, 0, 0, S_NOTIFY, 11,
                     ranges=[(4, 1), (30, 2)]) +
             blk_req(IN, 32, 0, S_NOTIFY | S_HIGH | 3, 12))
    write("virtio_blk", "every-request", bytes([rw]) + std + every)
    write("virtio_blk", "read-only", bytes([ro]) + std + every)
    write("virtio_blk", "snapshot", bytes([snap]) + std + every)
    plain = fv_setup(ALL_FEATURES, [5])
    write("virtio_blk", "indirect-no-event-idx", bytes([rw]) +
          fv_setup(INDIRECT_DESC | ALL_FEATURES, [3]) +
          blk_req(OUT, 1, 5, S_INDIRECT | 2) + blk_req(IN, 1, 5, S_INDIRECT) +
          struct.pack("<BB", FV_NOTIFY, 0))
    write("virtio_blk", "batch-of-requests", bytes([rw]) + plain +
          b"".join(blk_req(IN, 1, i, 0, 3 * i) for i in range(8)) +
          struct.pack("<BB", FV_NOTIFY, 0))
    write("virtio_blk", "bad-requests", bytes([rw]) + std +
          blk_req(IN, 2, 31, S_NOTIFY) +
          blk_req(OUT, 0, 0, S_NOTIFY, 2, nbytes=100) +
          blk_req(RAW, 0, 0, S_NOTIFY, 4, raw=0x1234) +
          blk_req(DISCARD, 0, 0, S_NOTIFY, 6, ranges=[(31, 5)]) +
          blk_req(IN, 1, 0, S_NOTIFY | S_HDR_WRITABLE, 8))
    write("virtio_blk", "no-status-byte", bytes([rw]) + std +
          blk_req(FLUSH, 0, 0, S_NOTIFY | S_NO_STATUS) +
          blk_req(FLUSH, 0, 0, S_NOTIFY, 2))
    regs = b"".join(fv_read(off, 2) for off in range(0, 0x100, 4))
    regs += b"".join(fv_read(0x100 + off, w) for off, w in
                     [(0, 3), (0x14, 2), (0x22, 1), (0x3b, 0), (0x3c, 2)])
    write("virtio_blk", "registers", bytes([rw]) + std + regs)
    write("virtio_blk", "queue-notify-register", bytes([rw]) + std +
          blk_req(IN, 1, 0, 0) + struct.pack("<BB", FV_NOTIFY, 1))


def con_tx(text, shape, head=0):
    return struct.pack("<BB", CON_TX, len(text)) + text + struct.pack(
        "<BH", shape, head)


def con_rx(length, shape, head=0):
    return struct.pack("<BHBH", CON_RX, length, shape, head)


def con_input(text, repeats=1):
    return struct.pack("<BB", CON_INPUT, len(text)) + text + struct.pack(
        "<B", repeats - 1)


def virtio_console_seeds():
    pipe, discard, full = 0, 1, 2
    std = fv_setup(EVENT_IDX | INDIRECT_DESC | ALL_FEATURES, [4, 4])
    talk = (con_tx(b"hello, host\n", S_NOTIFY) +
            con_tx(b"split\nin three\n", S_NOTIFY | S_OTHER | 2, 4) +
            con_rx(64, S_NOTIFY) + con_input(b"abc\r") +
            con_input(b"more than fits", 3) + con_rx(7, S_NOTIFY | 1, 2) +
            con_tx(b"indirect", S_NOTIFY | S_INDIRECT, 8))
    write("virtio_console", "pipe", bytes([pipe]) + std + talk)
    write("virtio_console", "discard", bytes([discard]) + std + talk)
    write("virtio_console", "full", bytes([full]) + std + talk +
          con_tx(b"held", S_NOTIFY, 10))
    write("virtio_console", "input-overflow", bytes([pipe]) +
          fv_setup(ALL_FEATURES, [3, 3]) + con_input(b"x" * 255, 256) +
          con_rx(0x1fff, S_NOTIFY | S_HIGH | 3) + con_rx(100, S_NOTIFY, 4))
    write("virtio_console", "transmit-batch", bytes([discard]) +
          fv_setup(ALL_FEATURES, [3, 3]) +
          b"".join(con_tx(b"%d" % i, 0, i) for i in range(8)) +
          struct.pack("<BB", FV_NOTIFY, 1))


# --- ioapic ----------------------------------------------------------------
(IO_WRITE, IO_READ, IO_REG_WRITE, IO_REG_READ, IO_LINE, IO_EOI,
 IO_TAKEN) = range(7)
IO_WIDTH = {1: 0, 2: 1, 4: 2, 8: 3}
RTE_LOGICAL, RTE_LEVEL, RTE_MASKED = 1 << 11, 1 << 15, 1 << 16


def io_write(off, value, width=4):
    return struct.pack("<BBBQ", IO_WRITE, off, IO_WIDTH[width], value)


def io_read(off, width=4):
    return struct.pack("<BBB", IO_READ, off, IO_WIDTH[width])


def io_reg(reg, value=None):
    if value is None:
        return struct.pack("<BB", IO_REG_READ, reg)
    return struct.pack("<BBI", IO_REG_WRITE, reg, value)


def io_rte(pin, lo, dest=0):
    """The destination first, as Linux writes an entry."""
    return io_reg(0x11 + 2 * pin, dest << 24) + io_reg(0x10 + 2 * pin, lo)


def io_line(gsi, level):
    return struct.pack("<BBB", IO_LINE, gsi, level)


def io_eoi(vector):
    return struct.pack("<BB", IO_EOI, vector)


def ioapic_seeds():
    ids = io_reg(0) + io_reg(1) + io_reg(2) + io_reg(0, 0xffffffff) + \
        io_reg(2) + io_reg(1, 0) + io_reg(2, 0x0a000000) + io_reg(0x3f) + \
        io_reg(0x40) + io_reg(0x03, 1) + io_read(0x00)
    write("ioapic", "registers", struct.pack("<B", 3) + ids)
    # Linux: ISA pins 0-15 edge, PCI pins 16-23 level active low, each
    # masked while written, then unmasked; lines, EOIs, a vector shared.
    linux = b"".join(io_rte(p, 0x30 + p | RTE_MASKED, 0)
                     for p in range(16))
    linux += b"".join(io_rte(p, 0x50 + p | RTE_LEVEL | 1 << 13 | RTE_MASKED,
                             1) for p in range(16, 24))
    linux += b"".join(io_reg(0x10 + 2 * p, 0x30 + p) for p in (1, 4, 12))
    linux += b"".join(io_reg(0x10 + 2 * p, 0x50 + p | RTE_LEVEL | 1 << 13)
                      for p in (16, 19, 20))
    linux += (io_line(4, 1) + io_line(4, 0) + io_line(4, 1) + io_line(1, 1) +
              io_line(19, 1) + io_line(19, 1) + io_eoi(0x63) +
              io_line(19, 0) + io_eoi(0x63) + io_line(16, 1) + io_eoi(0x60) +
              io_line(16, 0) + io_eoi(0x60) + io_reg(0x10 + 2 * 19))
    write("ioapic", "linux", struct.pack("<B", 2) + linux)
    # Level pins: asserted while masked (sent at the unmask), not taken
    # (sent again when driven), two pins on one vector, turned edge and
    # level again with the line high, a new destination.
    level = (io_rte(5, 0x41 | RTE_LEVEL | RTE_MASKED, 2) + io_line(5, 1) +
             io_reg(0x10 + 10, 0x41 | RTE_LEVEL) + io_reg(0x10 + 10) +
             bytes([IO_TAKEN]) + io_rte(6, 0x41 | RTE_LEVEL, 3) +
             io_line(6, 1) + io_line(6, 1) + bytes([IO_TAKEN]) +
             io_reg(0x11 + 12, 5 << 24) + io_reg(0x10 + 12) + io_eoi(0x41) +
             io_reg(0x10 + 12, 0x41) + io_reg(0x10 + 12) +
             io_reg(0x10 + 12, 0x41 | RTE_LEVEL) +
             io_reg(0x10 + 10, 0x41 | RTE_LEVEL | RTE_MASKED) +
             io_eoi(0x41) + io_eoi(0x41) + io_line(5, 0) +
             io_reg(0x10 + 10, 0x41 | RTE_LEVEL) +
             io_reg(0x10 + 14, 0x7f | 4 << 8 | RTE_LOGICAL) +
             io_reg(0x11 + 14, 0xff << 24) + io_line(7, 1) +
             io_line(23, 1) + io_line(24, 1) + io_line(31, 0))
    write("ioapic", "level", struct.pack("<B", 0) + level)
    # Accesses of every width at and around IOREGSEL and IOWIN, and at
    # the window's end.
    odd = (io_write(0x00, 0x101, 2) + io_read(0x00, 8) + io_read(0x10, 1) +
           io_read(0x10, 2) + io_read(0x10, 8) + io_write(0x00, 0x20, 1) +
           io_write(0x10, 0xffffffff00000033, 8) + io_read(0x10) +
           io_write(0x10, 0, 1) + io_read(0x10) + io_write(0x01, 0x12, 1) +
           io_write(0x11, 0x12, 1) + io_read(0x11, 1) + io_read(0x04) +
           io_read(0xf8, 8) + io_read(0xfc, 8) + io_write(0xff, 1, 2) +
           io_read(0xff, 1))
    write("ioapic", "widths", struct.pack("<B", 16) + odd)


# --- i8259 -----------------------------------------------------------------
(PIC_WRITE, PIC_READ, PIC_LINE, PIC_INTA, PIC_DELIVER, PIC_INIT,
 PIC_OCW) = range(7)
PIC_PORTS = {0x20: 0, 0x21: 1, 0xa0: 2, 0xa1: 3, 0x4d0: 4, 0x4d1: 5,
             0x1f: 6, 0x22: 7, 0x9f: 8, 0xa2: 9, 0x4cf: 10, 0x4d2: 11}
PIC_WIDTH = {1: 0, 2: 2, 4: 3}


def pic_out(port, value, width=1):
    return struct.pack("<BBBI", PIC_WRITE, PIC_PORTS[port], PIC_WIDTH[width],
                       value)


def pic_in(port, width=1):
    return struct.pack("<BBB", PIC_READ, PIC_PORTS[port], PIC_WIDTH[width])


def pic_line(irq, level):
    return struct.pack("<BBB", PIC_LINE, irq, level)


def pic_pulse(irq):
    return pic_line(irq, 1) + pic_line(irq, 0)


def pic_init(chip, icw1, icw2, icw4=0):
    return struct.pack("<BBBBB", PIC_INIT, chip, icw1, icw2, icw4)


def pic_ocw(chip, cmd):
    return struct.pack("<BBB", PIC_OCW, chip, cmd)


DELIVER, INTA = bytes([PIC_DELIVER]), bytes([PIC_INTA])


def i8259_seeds():
    # Linux's init_8259A(), then a timer tick, the keyboard, a slave
    # interrupt (EOI to the slave, then the master), masks, level PCI
    # interrupts through the ELCR and a spurious IRQ 7 and 15.
    linux = (pic_out(0x21, 0xff) + pic_out(0xa1, 0xff) +
             pic_init(0, 0x11, 0x30, 0x01) + pic_init(1, 0x11, 0x38, 0x01) +
             pic_out(0x21, 0xfb) + pic_out(0xa1, 0xff) + pic_out(0x21, 0xfa) +
             pic_pulse(0) + DELIVER + pic_ocw(0, 0x60) + pic_out(0x21, 0xf8) +
             pic_line(1, 1) + DELIVER + pic_ocw(0, 0x61) + pic_line(1, 0) +
             pic_out(0xa1, 0xef) + pic_pulse(12) + DELIVER +
             pic_ocw(1, 0x64) + pic_ocw(0, 0x62) +
             pic_out(0x4d0, 0x0c20, 2) + pic_in(0x4d0, 2) +
             pic_out(0xa1, 0xe3) + pic_line(10, 1) + pic_line(11, 1) +
             DELIVER + pic_ocw(1, 0x20) + pic_ocw(0, 0x20) + DELIVER +
             pic_line(10, 0) + pic_ocw(1, 0x20) + pic_ocw(0, 0x20) +
             DELIVER + pic_line(11, 0) + pic_ocw(1, 0x20) + pic_ocw(0, 0x20) +
             pic_ocw(0, 0x0b) + pic_in(0x20) + pic_ocw(1, 0x0b) +
             pic_in(0xa0) + pic_line(5, 1) + pic_line(5, 0) + INTA +
             pic_out(0x21, 0xd8) + pic_line(5, 1) + pic_line(11, 1) +
             pic_line(11, 0) + INTA + pic_ocw(0, 0x62) + INTA +
             pic_line(24, 1) + pic_line(31, 0))
    write("i8259", "linux", linux)
    # Modes: auto-EOI with rotation, set priority, special mask and
    # special fully nested modes, poll, LTIM, single mode.
    modes = (pic_init(0, 0x11, 0x20, 0x13) + pic_init(1, 0x11, 0x28, 0x03) +
             pic_ocw(0, 0x80) + pic_pulse(3) + pic_pulse(4) + DELIVER +
             DELIVER + pic_pulse(3) + pic_pulse(4) + DELIVER + DELIVER +
             pic_ocw(0, 0x00) + pic_ocw(0, 0xc4) + pic_pulse(9) +
             pic_pulse(12) + DELIVER + pic_pulse(8) + DELIVER +
             pic_init(1, 0x11, 0x28, 0x01) + pic_pulse(12) + DELIVER +
             pic_pulse(9) + DELIVER + pic_pulse(6) + DELIVER +
             pic_ocw(1, 0xa0) + pic_ocw(1, 0xe4) + pic_ocw(0, 0x0c) +
             pic_pulse(7) + pic_in(0x20) + pic_ocw(1, 0x0e) + pic_in(0xa1) +
             pic_in(0xa0) + pic_init(0, 0x19, 0x40, 0x01) + pic_line(0, 1) +
             DELIVER + pic_ocw(0, 0x20) + DELIVER + pic_out(0x21, 0x08) +
             pic_ocw(0, 0x68) + pic_line(3, 1) + pic_line(5, 1) + DELIVER +
             DELIVER + pic_ocw(0, 0x48) + pic_ocw(0, 0x65) +
             pic_init(0, 0x12, 0x50) + pic_out(0x21, 0) + pic_pulse(2) +
             pic_pulse(10) + DELIVER + INTA + pic_ocw(0, 0xe2) +
             pic_ocw(0, 0x40))
    write("i8259", "modes", modes)
    # Every width at and next to every port, and writes of ICW1 in the
    # middle of a sequence.
    widths = b"".join(pic_in(p, w) for p in PIC_PORTS for w in (1, 2, 4))
    widths += (pic_out(0x20, 0x1111, 2) + pic_out(0x21, 0x08, 4) +
               pic_out(0x21, 0x0404, 2) + pic_out(0x20, 0x11) +
               pic_out(0x21, 0x70) + pic_out(0x20, 0x0b) + pic_in(0x20, 2) +
               pic_out(0x21, 0x04) + pic_out(0x21, 0x03) +
               pic_out(0x4d0, 0xffffffff, 4) + pic_out(0x4d1, 0xffff, 2) +
               pic_out(0x4d0, 0xffff, 2) + pic_out(0x4d1, 0xff) +
               pic_out(0x4cf, 0xffff, 2) + pic_in(0x4d0, 2) +
               pic_out(0x22, 0x11) + pic_out(0xa2, 0x11) + pic_line(9, 1) +
               pic_line(3, 1) + DELIVER + INTA + INTA)
    write("i8259", "widths", widths)


# --- i8254 -----------------------------------------------------------------
(PIT_WAIT_NS, PIT_WAIT_TICKS, PIT_WAIT_LONG, PIT_WAIT_EDGE, PIT_WAIT_TICK,
 PIT_WRITE, PIT_READ, PIT_CONTROL, PIT_PROGRAM, PIT_LATCH_READ, PIT_PORT_B_W,
 PIT_PORT_B_R, PIT_TAKE) = range(13)


def pit_start(ns):
    return struct.pack("<Q", ns)[:5]


def pit_wait_ticks(ticks):
    return struct.pack("<BH", PIT_WAIT_TICKS, ticks)


def pit_program(ctrl, count):
    return struct.pack("<BBH", PIT_PROGRAM, ctrl, count)


def pit_edge(offset=2):
    """To the next IRQ 0 edge, offset - 2 ns, and take it."""
    return struct.pack("<BBB", PIT_WAIT_EDGE, offset, PIT_TAKE)


def i8254_seeds():
    # Linux's PIT calibration of the TSC: gate 2 on, speaker off, mode 0,
    # poll OUT2 in port 0x61; then the quick one, reading the MSB of a
    # mode 0 count from 0xffff.
    cal = (struct.pack("<BBB", PIT_PORT_B_R, PIT_PORT_B_W, 0x01) +
           pit_program(0xb0, 11932) + bytes([PIT_PORT_B_R]) +
           pit_wait_ticks(11931) + bytes([PIT_PORT_B_R]) +
           struct.pack("<BB", PIT_WAIT_NS, 200) + bytes([PIT_PORT_B_R]) +
           pit_wait_ticks(1) + bytes([PIT_PORT_B_R]) +
           pit_program(0xb0, 0xffff) +
           b"".join(struct.pack("<BBBBBH", PIT_READ, 2, PIT_READ, 2,
                                PIT_WAIT_TICKS, 256) for _ in range(6)))
    write("i8254", "linux-calibration", pit_start(1 << 30) + cal)
    # Linux's periodic tick at HZ=1000 (mode 2, LATCH 1193) with the timer
    # on time, late by several periods, and the count read between.
    periodic = pit_program(0x34, 1193)
    for i in range(4):
        periodic += pit_edge() + struct.pack("<BB", PIT_LATCH_READ, 0)
    periodic += (pit_wait_ticks(5000) + bytes([PIT_TAKE]) + pit_edge(1) +
                 pit_edge(3) + struct.pack("<BB", PIT_CONTROL, 0x30) +
                 bytes([PIT_TAKE]))
    write("i8254", "linux-periodic", pit_start(0) + periodic)
    # Linux's one-shot clockevent: mode 4, a count per event, stopped with
    # mode 0 and a count of 0.
    oneshot = struct.pack("<BB", PIT_CONTROL, 0x38)
    for c in (1, 2, 100, 0xffff, 0):
        oneshot += (struct.pack("<BBBBBB", PIT_WRITE, 0, c & 0xff, PIT_WRITE,
                                0, c >> 8) + pit_edge(1) + pit_edge())
    oneshot += (pit_program(0x30, 0) + bytes([PIT_TAKE]) +
                struct.pack("<BI", PIT_WAIT_LONG, 0xffffffff) +
                bytes([PIT_TAKE]))
    write("i8254", "linux-oneshot", pit_start(123456789) + oneshot)
    # Read-back, latches, BCD, one-byte counts, mode 3 with odd and even
    # counts, modes 6 and 7, channel 1.
    regs = (struct.pack("<BB", PIT_CONTROL, 0xfe) + bytes([PIT_READ, 0]) * 3 +
            pit_program(0x77, 0x1999) + pit_wait_ticks(7) +
            struct.pack("<BB", PIT_CONTROL, 0xc4) +
            struct.pack("<BB", PIT_CONTROL, 0x40) +
            bytes([PIT_READ, 1]) * 4 + pit_program(0x1d, 0x99) +
            pit_wait_ticks(30) + bytes([PIT_READ, 0]) * 2 +
            pit_program(0x26, 0x0500) + bytes([PIT_READ, 0]) +
            pit_program(0x36, 7) +
            b"".join(struct.pack("<BBB", PIT_WAIT_TICK, 0,
                                 PIT_LATCH_READ) + b"\0" for _ in range(9)) +
            pit_program(0x3e, 8) + pit_wait_ticks(3) +
            struct.pack("<BB", PIT_CONTROL, 0xc2) + bytes([PIT_READ, 0]) * 3 +
            struct.pack("<BBB", PIT_READ, 3, PIT_WAIT_LONG) + b"\xff" * 4 +
            struct.pack("<BB", PIT_LATCH_READ, 1))
    write("i8254", "registers", pit_start(999999) + regs)
    # Channel 2's gate in every mode: paused, triggered, retriggered,
    # stopped with OUT high, and the first byte of a mode 0 count.
    gate = b""
    for mode in range(6):
        gate += (struct.pack("<BB", PIT_PORT_B_W, 0) +
                 pit_program(0xb0 | mode << 1, 10) + pit_wait_ticks(3) +
                 struct.pack("<BBB", PIT_PORT_B_R, PIT_PORT_B_W, 1) +
                 pit_wait_ticks(4) + struct.pack("<BBB", PIT_PORT_B_R,
                                                 PIT_PORT_B_W, 0) +
                 pit_wait_ticks(2) + struct.pack("<BBB", PIT_PORT_B_W, 1,
                                                 PIT_PORT_B_R) +
                 struct.pack("<BBB", PIT_WRITE, 2, 5) +
                 struct.pack("<BBBBB", PIT_PORT_B_W, 0, PIT_PORT_B_W, 1,
                             PIT_PORT_B_R) +
                 pit_wait_ticks(20) + struct.pack("<BBBB", PIT_WRITE, 2, 0,
                                                  PIT_PORT_B_R))
    write("i8254", "gate", pit_start(5) + gate)


def i8254_known():
    """Where i8254.c first differed from the data sheet (fixed): kept in
    the corpus, named after the difference."""
    d = os.path.join(ROOT, "tests", "fuzz", "corpus", "i8254")
    os.makedirs(d, exist_ok=True)
    known = {
        # out: mode 0 past its terminal count (OUT high), the first byte
        # of a new count: OUT should go low at once.
        "out-mode0-first-byte": pit_program(0x30, 1) + pit_wait_ticks(2) +
        struct.pack("<BBB", PIT_WRITE, 0, 5),
        # null: a mode 2 count running, the first byte of a new one: null
        # count should wait for the second byte.
        "null-count-first-byte": pit_program(0x34, 100) +
        struct.pack("<BBB", PIT_WRITE, 0, 0x10),
        # gate: channel 2 in mode 0 stopped by the first byte of a new
        # count; gate 2 low, high: it should not count on.
        "gate-half-written-mode0": struct.pack("<BB", PIT_PORT_B_W, 1) +
        pit_program(0xb0, 100) + pit_wait_ticks(10) +
        struct.pack("<BBBBBBB", PIT_WRITE, 2, 5, PIT_PORT_B_W, 0,
                    PIT_PORT_B_W, 1) + pit_wait_ticks(10),
        # oneshot: channel 2's mode 1 one-shot under way, a new count
        # written: it should go on (OUT low) until the next trigger, with
        # null count set meanwhile.
        "oneshot-new-count": pit_program(0xb2, 100) +
        struct.pack("<BB", PIT_PORT_B_W, 1) + pit_wait_ticks(10) +
        struct.pack("<BBBBBB", PIT_WRITE, 2, 50, PIT_WRITE, 2, 0),
        # irq: the timer late past channel 0's first reload, the guest
        # programs the channel again: the edge it made is never taken.
        "irq-edge-lost-at-reprogram": pit_program(0x34, 100) +
        pit_wait_ticks(150) + pit_program(0x34, 100) + bytes([PIT_TAKE]),
    }
    for name, steps in known.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(pit_start(1000) + steps)


TARGETS = {
    "virtq": [virtq_seeds, virtq_known],
    "bzimage": [bzimage_seeds],
    "pvh": [pvh_seeds],
    "multiboot": [multiboot_seeds],
    "config_file": [config_seeds],
    "cli": [cli_seeds],
    "parse": [parse_seeds],
    "plan": [plan_seeds],
    "bus": [bus_seeds],
    "ports": [ports_seeds],
    "console_sink": [console_sink_seeds],
    "virtio_blk": [virtio_blk_seeds],
    "virtio_console": [virtio_console_seeds],
    "ioapic": [ioapic_seeds],
    "i8259": [i8259_seeds],
    "i8254": [i8254_seeds, i8254_known],
}
FROM_FIRMWARE = ("bzimage", "pvh", "multiboot")


def main():
    targets = sys.argv[1:] or list(TARGETS)  # python3 seeds.py [TARGET...]
    if any(t in FROM_FIRMWARE for t in targets) and not os.path.exists(
            os.path.join(FIRMWARE, "hello.elf")):
        sys.exit("seeds.py: build the guest firmware first (make firmware)")
    for t in targets:
        for seeds in TARGETS[t]:
            seeds()

if __name__ == "__main__":
    main()
