#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of fuzz_dev_job: small valid jobs for a 4-PE
device (see the input layout in fuzz/fuzz_dev_job.c), so that the fuzzer
starts from jobs that reach the datapath. Usage: fuzz/make_dev_seeds.py"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "corpus", "fuzz_dev_job")
PES, ROWS, COLS, BATCH = 4, 8, 4, 2
OP_FC, OP_NOP, OP_DEBUG = 1, 0, 0xdeb0


def ring_entry(cmd_len, flags=3, ctx=0):
    return struct.pack("<IIQII QQ 24x", flags, ctx, 0, cmd_len, 0, 1, 0x5000)


def layer():
    """Every weight non-zero: PE p holds rows p and p + 4, two per column."""
    codebook = struct.pack("<4h", 0, 256, -128, 64)
    colptr, entries = [], []
    for p in range(PES):
        for j in range(COLS):
            colptr.append(len(entries))
            for local in range(ROWS // PES):
                row = local * PES + p
                entries.append((1 + (row + j) % 3) << 4)   # z = 0
        colptr.append(len(entries))
    bias = struct.pack("<8i", *[(i - 4) << 12 for i in range(ROWS)])
    inputs = struct.pack("<8h", 256, 0, -512, 100, 0, 0, 77, -1)
    return (codebook, struct.pack("<%dI" % len(colptr), *colptr),
            bytes(entries), bias, inputs)


def fc_op(in_va, out_va, relu=1, bias=1):
    return struct.pack("<II IIII BBBBBBH II QQQQQQ Q",
                       OP_FC, 96, ROWS, COLS, PES, BATCH,
                       4, 4, 8, 8, 8, relu | (bias << 1), 0,
                       4, ROWS * COLS, 0x100, 0x200, 0x300,
                       0x400 if bias else 0, in_va, out_va, 0)


def memory(cmd):
    codebook, colptr, entries, bias, inputs = layer()
    mem = bytearray(0x800)
    mem[0:len(cmd)] = cmd
    for off, blob in ((0x100, codebook), (0x200, colptr), (0x300, entries),
                      (0x400, bias), (0x500, inputs)):
        mem[off:off + len(blob)] = blob
    return bytes(mem)


def seed(cmd, fault_injection=0):
    return (ring_entry(len(cmd)) + bytes([fault_injection]) + bytes(128) +
            memory(cmd))


def main():
    os.makedirs(OUT, exist_ok=True)
    nop = struct.pack("<II", OP_NOP, 8)
    fc = fc_op(0x500, 0x600)
    debug_fault = struct.pack("<IIIIQ", OP_DEBUG, 24, 2, 0, 0x10000)
    seeds = {
        "nop": seed(nop),
        "fc": seed(fc),
        "fc_no_bias_relu": seed(fc_op(0x500, 0x600, relu=0, bias=0)),
        "fc_then_nop": seed(fc + nop),
        "fc_debug_fault": seed(fc + debug_fault, fault_injection=1),
    }
    for name, blob in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(blob)


if __name__ == "__main__":
    main()
