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

#include "../../qemu-device/datapath/dp_quant.h"

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
 * several times faster. It is the device's own conversion of float inputs
 * (dp_quant.h), so that libaccel's CPU path and the device agree.
 */
static inline int16_t float_to_q15(float v, unsigned int frac)
{
	union { float f; uint32_t u; } b = { .f = v };

	return dp_quant_f32_bits(b.u, frac);
}

#endif /* DCACCEL_Q15_H */
