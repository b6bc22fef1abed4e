/* SPDX-License-Identifier: MIT */
/*
 * Float -> the accelerator's 16-bit fixed point. dcc (measuring accuracy)
 * and libaccel (quantizing inputs) share this one definition so that the
 * device, the CPU reference and dcc see the same int16 activations.
 */
#ifndef DCACCEL_Q15_H
#define DCACCEL_Q15_H

#include <math.h>
#include <stdint.h>

/* v * 2^frac rounded to nearest (even), saturated to int16. */
static inline int16_t to_q15(double v, unsigned int frac)
{
	double q = nearbyint(v * (double)(1u << frac));

	return (int16_t)fmax(-32768.0, fmin(32767.0, q));
}

/*
 * to_q15((double)v, frac) for a float, bit for bit, in integer arithmetic
 * only: under an emulator without hardware floating point (QEMU's TCG runs
 * each float operation as a call into its soft-float library) this is
 * several times faster. NaN gives 32767, as fmin/fmax make it above.
 */
static inline int16_t float_to_q15(float v, unsigned int frac)
{
	union { float f; uint32_t u; } b = { .f = v };
	uint32_t exp = b.u >> 23 & 0xff, m = (b.u & 0x7fffff) | 0x800000;
	int neg = b.u >> 31, shift;
	uint32_t q, rem, half;

	if (exp == 0xff)	/* NaN, or an infinity: saturate */
		return (b.u & 0x7fffff) || !neg ? INT16_MAX : INT16_MIN;
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

#endif /* DCACCEL_Q15_H */
