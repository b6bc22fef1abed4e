#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seed inputs for QEMU's generic fuzzer on dcaccel: whole jobs, so that
fuzzing starts from inputs that reach the worker instead of having to
find the ring setup first.

A generic-fuzz input is a list of commands separated by "FUZZ"
(tests/qtest/fuzz/generic_fuzz.c): here MMIO writes to the device's
registers (its BAR, fuzzable region 0) and DMA patterns, which fill each
region the device reads, one pattern per read in turn. The patterns are
laid out in the order the worker reads: the ring entry, the context entry
(two reads), the three page table levels, the command buffer, then the
FC op's arrays (all in the command buffer's page, so no more walks).

With a second argument, also writes a libFuzzer dictionary: every
register offset of BAR0 (include/dcaccel/dcaccel_hw.h) as the 4 bytes of
an MMIO write's offset field, and the values that matter (ENABLE, RESET,
the DEBUG and FC opcodes), so that mutations name registers the seeds do
not write.

Usage: dcaccel_generic_fuzz_seeds.py DIR [DICT]
"""
import os
import struct
import sys

SEP = b"FUZZ"
OP_WRITE, OP_ADD_DMA_PATTERN, OP_CLOCK_STEP = 3, 7, 9
RING, CTX_TABLE, RECORD = 0x100000, 0x110000, 0x300000


def write(reg, value):
    """A 4-byte write to a dcaccel register."""
    return bytes([OP_WRITE]) + struct.pack("<BBxxIQ", 2, 0, reg, value)


def pattern(data):
    return bytes([OP_ADD_DMA_PATTERN]) + struct.pack("<BB", 0, 0) + data


def q(v):
    return struct.pack("<Q", v)


def job_reads(cmd, arrays=()):
    """Patterns for one job: entry, context, walk, command buffer, arrays."""
    entry = struct.pack("<IIQIIQQ24x", 3, 0, 0, len(cmd), 0, 0x1234, RECORD)
    return [pattern(entry), pattern(q(0x200000 | 1)), pattern(q(0)),
            pattern(q(0x201000 | 1)), pattern(q(0x202000 | 1)),
            pattern(q(0x203000 | 7)), pattern(cmd)] + \
        [pattern(a) for a in arrays]


def ring_and_doorbell():
    """A ring of two entries, one job queued, time for it to run."""
    return [write(0x50, RING), write(0x54, 0), write(0x58, 2),
            write(0x64, CTX_TABLE), write(0x68, 0), write(0x6c, 1),
            write(0x4c, 0xf), write(0x40, 1), write(0x60, 1)] + \
        [bytes([OP_CLOCK_STEP])] * 4


def fc_job(flags=3, inputs=struct.pack("<8h", 256, 0, -512, 100, 0, 0, 77, -1)):
    """dcaccel_qtest.py's 8x4 layer on 4 PEs, batch 2."""
    codebook = struct.pack("<4h", 0, 256, -128, 64)
    colptr, entries = [], []
    for p in range(4):
        for j in range(4):
            colptr.append(len(entries))
            for local in range(2):
                entries.append((1 + (local * 4 + p + j) % 3) << 4)
        colptr.append(len(entries))
    op = struct.pack("<II IIII BBBBBBH II QQQQQQ Q", 1, 96, 8, 4, 4, 2,
                     4, 4, 8, 8, 8, flags, 0, 4, len(entries), 0x100, 0x200,
                     0x300, 0x400, 0x500, 0x600, 0)
    arrays = (codebook, struct.pack("<%dI" % len(colptr), *colptr),
              bytes(entries), struct.pack("<8i", *range(-4, 4)),
              inputs)
    return job_reads(op, arrays)


SEEDS = {
    "nop_job": job_reads(struct.pack("<II", 0, 8)) + ring_and_doorbell(),
    "fc_job": fc_job() + ring_and_doorbell(),
    # float inputs the device converts (INPUT_F32), NaN and -inf among them
    "fc_job_f32": fc_job(7, struct.pack("<8f", 1.0, 0.0, -2.0, 0.39,
                                        float("nan"), float("-inf"),
                                        0.3, -0.004)) + ring_and_doorbell(),
    # fault injection's hang, then the soft reset that ends it
    "hang_then_reset": job_reads(struct.pack("<IIIIQ", 0xdeb0, 24, 1, 0, 0))
    + ring_and_doorbell() + [write(0x40, 2)],
}


def dictionary():
    """Register offsets (0x000 .. 0x094, the counters 0x100 .. 0x13c) and
    interesting values, in libFuzzer's dictionary syntax."""
    words = [("reg_%03x" % off, off) for off in
             list(range(0, 0x98, 4)) + list(range(0x100, 0x140, 4))]
    words += [("enable", 1), ("reset", 2), ("op_debug", 0xdeb0),
              ("all_ones", 0xffffffff)]
    return "".join('%s="%s"\n' % (name, "".join(
        "\\x%02x" % b for b in struct.pack("<I", v))) for name, v in words)


def main():
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, cmds in SEEDS.items():
        with open(os.path.join(sys.argv[1], name), "wb") as f:
            f.write(SEP.join(cmds))
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w") as f:
            f.write(dictionary())


if __name__ == "__main__":
    main()
