/* SPDX-License-Identifier: MIT */
/*
 * A deliberately simple dense fixed-point FC layer, written from the spec
 * without sharing code with the engine: the tests hold the engine to it.
 */
#ifndef DCACCEL_TESTS_EIE_REFERENCE_H
#define DCACCEL_TESTS_EIE_REFERENCE_H

#include <stdbool.h>
#include <stdint.h>

struct ref_layer {
	uint32_t rows, cols;
	const uint8_t *widx;		/* rows x cols codebook indices */
	const int16_t *codebook;
	const int32_t *bias;		/* or NULL */
	unsigned int in_frac, w_frac, out_frac;
	bool relu;
};

/*
 * The output stage: ReLU, then round sum / 2^s half up, then saturate to
 * 16 bits.
 */
int16_t ref_finish(int64_t sum, bool relu, unsigned int s);

void ref_fc(const struct ref_layer *l, const int16_t *x, int16_t *y);

#endif
