/* SPDX-License-Identifier: MIT */
/*
 * IEEE binary32 inputs to the datapath's 16-bit fixed point
 * (hardware.rst, "Float inputs"): v * 2^frac rounded to nearest, ties to
 * even, saturated to int16; NaN gives 32767, infinities saturate,
 * subnormals give 0. The FC and CONV ops' INPUT_F32 flag, libaccel's CPU
 * path and dcc all quantize with this one definition.
 */
#ifndef DCACCEL_DP_QUANT_H
#define DCACCEL_DP_QUANT_H

#include <stddef.h>
#include <stdint.h>

/* One value, given as its binary32 bits, in integer arithmetic only. */
static inline int16_t dp_quant_f32_bits(uint32_t bits, unsigned int frac)
{
	uint32_t exp = bits >> 23 & 0xff, m = (bits & 0x7fffff) | 0x800000;
	int neg = bits >> 31, shift;
	uint32_t q, rem, half;

	if (exp == 0xff)	/* NaN, or an infinity: saturate */
		return (bits & 0x7fffff) || !neg ? INT16_MAX : INT16_MIN;
	if (exp == 0)		/* zero or subnormal: below 2^-126 x 2^15 */
		return 0;
	/* |v| 2^frac = m 2^(exp - 150 + frac) */
	shift = 150 - (int)exp - (int)frac;
	if (shift <= 0)		/* m << 0 >= 2^23: saturated */
		return neg ? INT16_MIN : INT16_MAX;
	if (shift > 25)		/* m / 2^26 < 1/4 */
		return 0;
	q = m >> shift;
	rem = m & ((1u << shift) - 1);
	half = 1u << (shift - 1);
	if (rem > half || (rem == half && (q & 1)))
		q++;		/* to nearest, ties to even */
	if (neg)
		return q >= 32768 ? INT16_MIN : (int16_t)-(int32_t)q;
	return q >= 32767 ? INT16_MAX : (int16_t)q;
}

/*
 * n little-endian binary32 values at src (any alignment) to dst, as
 * dp_quant_f32_bits() of each; frac 0 .. 15. Vectorized where the host
 * allows, with the same results.
 */
void dp_quant_f32_le(const void *src, int16_t *dst, size_t n,
		     unsigned int frac);

#endif
