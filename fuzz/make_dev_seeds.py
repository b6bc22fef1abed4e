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
OP_CONV, OP_POOL, POOL_MAX, POOL_AVG = 2, 3, 0, 1
OP_BITPLANE, OP_QUANT, OP_BITPLANE_CONV = 4, 5, 6
QUANT_THR_VA, QUANT_CODES_VA = 0x780, 0x7c0
# The CONV op's filters are layer()'s streams: 8 output channels of one
# input channel with 2 x 2 kernels (4 columns), over 3 x 3 maps.
CONV_IN_VA, CONV_OUT_VA, POOL_OUT_VA = 0x580, 0x600, 0x700


# RING_F_IRQ | RING_F_PE_STATS; RING_F_ENERGY adds the energy block
F_DEFAULT, F_ENERGY = 3, 4


def ring_entry(cmd_len, flags=F_DEFAULT, ctx=0):
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


def fc_op(in_va, out_va, relu=1, bias=1, f32=0):
    return struct.pack("<II IIII BBBBBBH II QQQQQQ Q",
                       OP_FC, 96, ROWS, COLS, PES, BATCH,
                       4, 4, 8, 8, 8, relu | (bias << 1) | (f32 << 2), 0,
                       4, ROWS * COLS, 0x100, 0x200, 0x300,
                       0x400 if bias else 0, in_va, out_va, 0)


def conv_op(relu=1, bias=1, f32=0):
    """layer()'s streams as 8 filters of 1 x 2 x 2 over two 3 x 3 maps."""
    return struct.pack("<II III BBBBBBH III BBBBBBH II QQQQQQ Q",
                       OP_CONV, 112, 1, 3, 3, 2, 2, 1, 1, 0, 0, 0,
                       ROWS, PES, BATCH,
                       4, 4, 8, 8, 8, relu | (bias << 1) | (f32 << 2), 0,
                       4, ROWS * COLS, 0x100, 0x200, 0x300,
                       0x400 if bias else 0, CONV_IN_VA, CONV_OUT_VA, 0)


def pool_op(mode, kernel=2, stride=1, pad=0):
    """The convolution's output, 8 channels of 2 x 2, pooled."""
    return struct.pack("<II III BBBBBBBB I QQQ",
                       OP_POOL, 56, ROWS, 2, 2, kernel, kernel, stride,
                       stride, pad, pad, mode, 0, BATCH, CONV_OUT_VA,
                       POOL_OUT_VA, 0)


def bitplane_op(w_kind=1, a_kind=1, bias=1):
    """8 rows of 4 columns, 2 weight and 2 activation planes (1 word per
    row plane: L = 1), over memory laid out by layer(): the weight planes
    at 0x300 (16 words), the weight bases at 0x100 (16 values: the
    codebook and what follows), the activation bases at 0x100, the bias
    at 0x400, 2 vectors of input planes at 0x500 (4 words)."""
    return struct.pack("<II IIII BBBBBBBB QQQQQQ Q",
                       OP_BITPLANE, 88, ROWS, COLS, PES, BATCH,
                       2, 2, w_kind, a_kind, 4, 4, 8, 1 | (bias << 1),
                       0x300, 0x100, 0x100, 0x400 if bias else 0,
                       0x500, 0x600, 0)


def bitplane_conv_op(w_kind=1, a_kind=1, bias=1):
    """8 filters of 4 channels (Lc = 1), 2 x 2 kernels over 3 x 3 maps, one
    weight and one activation plane: the weight planes at 0x300 (32
    words), the bases at 0x100, the bias at 0x400, 2 maps of input planes
    at 0x500 (18 words), the output maps at 0x600."""
    return struct.pack("<II III BBBBBB H III BBBBBBBB QQQQQQ Q",
                       OP_BITPLANE_CONV, 104, 4, 3, 3, 2, 2, 1, 1, 0, 0, 0,
                       ROWS, PES, BATCH, 1, 1, w_kind, a_kind, 4, 4, 8,
                       1 | (bias << 1), 0x300, 0x100, 0x100,
                       0x400 if bias else 0, 0x500, 0x600, 0)


def quant_op(channels, pixels, bits, in_va, out_va, batch=BATCH):
    """Ko planes of the 16-bit values at in_va, by the thresholds (-50, 0,
    50) at QUANT_THR_VA and the codes 0 1 2 3 at QUANT_CODES_VA."""
    return struct.pack("<II III B3x QQQQ Q",
                       OP_QUANT, 64, channels, pixels, batch, bits,
                       QUANT_THR_VA, QUANT_CODES_VA, in_va, out_va, 0)


def memory(cmd, maps):
    codebook, colptr, entries, bias, inputs = layer()
    mem = bytearray(0x800)
    mem[0:len(cmd)] = cmd
    if maps:
        mem[CONV_IN_VA:CONV_IN_VA + 36] = struct.pack(
            "<18h", *[(i * 37) % 11 - 5 for i in range(18)])
    for off, blob in ((0x100, codebook), (0x200, colptr), (0x300, entries),
                      (0x400, bias), (0x500, inputs),
                      (QUANT_THR_VA, struct.pack("<3h", -50, 0, 50)),
                      (QUANT_CODES_VA, bytes([0, 1, 2, 3]))):
        mem[off:off + len(blob)] = blob
    return bytes(mem)


def seed(cmd, fault_injection=0, maps=False, flags=F_DEFAULT):
    return (ring_entry(len(cmd), flags) + bytes([fault_injection]) +
            bytes(128) + memory(cmd, maps))


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
        # the int16 inputs' bytes read as floats (INPUT_F32)
        "fc_f32_inputs": seed(fc_op(0x500, 0x600, f32=1)),
        "fc_debug_fault": seed(fc + debug_fault, fault_injection=1),
        "conv": seed(conv_op(), maps=True),
        "conv_no_bias_relu": seed(conv_op(relu=0, bias=0), maps=True),
        # the int16 maps' bytes read as floats (INPUT_F32)
        "conv_f32_inputs": seed(conv_op(f32=1), maps=True),
        "conv_pool_max": seed(conv_op() + pool_op(POOL_MAX), maps=True),
        "conv_pool_avg_padded": seed(conv_op() + pool_op(
            POOL_AVG, kernel=3, pad=1), maps=True),
        # the output maps' first values read as the FC op's 2 vectors
        # (the command buffer has 256 bytes: no room for a pool between)
        "conv_fc": seed(conv_op() + fc_op(CONV_OUT_VA, POOL_OUT_VA),
                        maps=True),
        "bitplane_signed": seed(bitplane_op()),
        "bitplane_unsigned_no_bias": seed(bitplane_op(0, 0, bias=0)),
        "bitplane_then_fc": seed(bitplane_op() + fc_op(0x600, 0x700)),
        # the energy model over chained ops, on chip between them
        "energy_conv_pool": seed(conv_op() + pool_op(POOL_MAX), maps=True,
                                 flags=F_DEFAULT | F_ENERGY),
        "energy_bitplane_fc": seed(bitplane_op() + fc_op(0x600, 0x700),
                                   flags=F_DEFAULT | F_ENERGY),
        "energy_fc_f32": seed(fc_op(0x500, 0x600, f32=1),
                              flags=F_ENERGY),
        # the FC op's 2 vectors of 8 outputs as 2 planes each
        "quant_fc": seed(fc + quant_op(ROWS, 1, 2, 0x600, 0x700)),
        # the convolution's maps (8 channels of 2 x 2) as 1 plane
        "quant_conv_maps": seed(conv_op() + quant_op(ROWS, 4, 1, CONV_OUT_VA,
                                                     POOL_OUT_VA),
                                maps=True),
        "bitplane_conv": seed(bitplane_conv_op()),
        "bitplane_conv_unsigned": seed(bitplane_conv_op(0, 0, bias=0)),
        "energy_bitplane_conv_quant": seed(
            bitplane_conv_op() + quant_op(ROWS, 4, 1, 0x600, 0x700),
            flags=F_DEFAULT | F_ENERGY),
        "energy_fc_quant_bitplane": seed(
            fc + quant_op(ROWS, 1, 2, 0x600, 0x700) + bitplane_op(),
            flags=F_DEFAULT | F_ENERGY),
    }
    for name, blob in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(blob)


if __name__ == "__main__":
    main()
