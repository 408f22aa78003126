#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""disk.py - benchmark 2: guest-side sequential read throughput of a
64 MiB raw image through virtio-blk (blk.elf mode=read-bench, one request
in flight, polled) under kvmux and QEMU microvm, for 4 KiB, 64 KiB and
1 MiB requests, next to dd reading the same file on the host with the same
block sizes.  The image is read once beforehand and nothing is dropped from
the page cache: every column reads a cached file."""

import os
import re

import benchlib as b

SIZE = 64 << 20
CHUNKS = [4096, 65536, 1048576]
RUNS = 5
MiB = 1 << 20


def make_image():
    path = os.path.join(b.WORK, "disk64.img")
    with open(path, "wb") as f:
        for _ in range(SIZE // MiB):
            f.write(os.urandom(MiB))
    with open(path, "rb") as f:  # into the page cache
        while f.read(MiB):
            pass
    return path


def guest_mibs(st, out, err, who, ok_status):
    """MiB/s from blk.elf's "blk: read <bytes> bytes in <cycles> TSC
    cycles" line and the host's TSC rate."""
    m = re.search(r"blk: read (\d+) bytes in (\d+) TSC cycles", out)
    if st != ok_status or not m:
        raise SystemExit("bench: %s read-bench failed (status %d): %s" %
                         (who, st, (out + err).strip()[-300:]))
    hz, _ = b.tsc_hz()
    return int(m.group(1)) / (int(m.group(2)) / hz) / MiB


def kvmux_read(img, chunk):
    st, out, err = b.run([b.KVMUX, "run", "--kernel", b.fw("blk.elf"),
                          "--cmdline", "mode=read-bench chunk=%d" % chunk,
                          "--disk", "path=" + img])
    return guest_mibs(st, out, err, "kvmux", 0)


def qemu_read(accel, img, chunk):
    cmd = b.qemu_cmd(accel, b.fw("blk.elf"),
                     "mode=read-bench chunk=%d" % chunk,
                     ["-drive", "file=%s,format=raw,if=none,id=d0" % img,
                      "-device", "virtio-blk-device,drive=d0"])
    st, out, err = b.run(cmd, timeout=300)
    return guest_mibs(st, out, err, "QEMU", 1)


def dd_read(img, chunk):
    st, _, err = b.run(["dd", "if=" + img, "of=/dev/null", "bs=%d" % chunk])
    m = re.search(r"^(\d+) bytes .* copied, ([0-9.e+-]+) s", err, re.M)
    if st != 0 or not m:
        raise SystemExit("bench: dd failed: " + err.strip())
    return int(m.group(1)) / float(m.group(2)) / MiB


def main():
    img = make_image()
    accel, _ = b.qemu_accel()
    hz, source = b.tsc_hz()
    rows = []
    for chunk in CHUNKS:
        k = [kvmux_read(img, chunk) for _ in range(RUNS)]
        q = [qemu_read(accel, img, chunk) for _ in range(RUNS)] \
            if accel else []
        d = [dd_read(img, chunk) for _ in range(RUNS)]
        label = "%d KiB" % (chunk // 1024)
        rows.append([label, b.median_range(k),
                     b.median_range(q) if accel else "n/a",
                     b.median_range(d)])
    b.table("2. Disk read: 64 MiB image, one request at a time, MiB/s, "
            "median (min-max) of %d runs" % RUNS,
            ["request", "kvmux guest", b.qemu_label() + " guest",
             "host dd bs=request"],
            rows,
            ["guests: blk.elf mode=read-bench chunk=<request> (virtio-blk, "
             "polled, no interrupts); bytes / TSC time of the read loop",
             "TSC rate %.3f GHz (%s, burn.elf under kvmux); the guest TSC "
             "is the host TSC on this PVM host" % (hz / 1e9, source),
             "QEMU: -drive file=img,format=raw,if=none,id=d0 -device "
             "virtio-blk-device,drive=d0 (defaults: cache=writeback, "
             "aio=threads)",
             "host: dd if=img of=/dev/null bs=<request>; the image is in the "
             "page cache for every column (nothing dropped)",
             b.qemu_note()])


if __name__ == "__main__":
    main()
