/* SPDX-License-Identifier: MIT */
/*
 * The bit-plane layer and the quantized outputs: constants the QEMU
 * device, the driver and userspace share. Normative text:
 * Documentation/accel/dcaccel/hardware.rst, "Bit-plane layers" and
 * "Quantized outputs".
 */
#ifndef DCACCEL_BITPLANE_H
#define DCACCEL_BITPLANE_H

/* Largest number of rows or columns of a bit-plane layer. */
#define DCACCEL_BITPLANE_DIM_MAX	(1u << 16)

/* Planes of the weights (Kw) and of the activations (Ka), and Ko. */
#define DCACCEL_BITPLANE_PLANES_MAX	8

/* How a plane's bits read: 1 is 1 and 0 is 0, or 1 is +1 and 0 is -1. */
#define DCACCEL_PLANE_UNSIGNED		0
#define DCACCEL_PLANE_SIGNED		1

/* Bits in a plane word, and popcounted by a PE per cycle. */
#define DCACCEL_PLANE_WORD_BITS		64

/* 64-bit words of one row plane (or input plane) of n bits. */
#define DCACCEL_PLANE_WORDS(n) \
	(((n) + DCACCEL_PLANE_WORD_BITS - 1) / DCACCEL_PLANE_WORD_BITS)

#endif /* DCACCEL_BITPLANE_H */
