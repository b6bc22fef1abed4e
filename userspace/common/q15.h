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

#endif /* DCACCEL_Q15_H */
