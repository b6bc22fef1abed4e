/* SPDX-License-Identifier: MIT */
/*
 * The straightforward sparse direct convolution (float32): each filter's
 * non-zero weights in CSR form, each applied to a whole output map read
 * from a zero-padded copy of the input, as in Park et al.'s direct sparse
 * convolution (ICLR 2017) without its hand tuning.
 */
#ifndef DCACCEL_BENCH_CSR_CONV_H
#define DCACCEL_BENCH_CSR_CONV_H

#include "conv_shape.h"

struct csr_filters {
	uint32_t *rowstart;	/* k + 1 */
	uint32_t *off;		/* (c * hp + r) * wp + s in the padded input */
	float *val;
};

/* From dense KCRS weights; 0 or -1 (no memory). */
int csr_filters_build(const struct conv_shape *s, const float *w,
		      struct csr_filters *f);
void csr_filters_free(struct csr_filters *f);

/* Floats of the padded input copy. */
unsigned long csr_conv_pad_floats(const struct conv_shape *s);

/* y (K x oh x ow) from x (NCHW), through xpad. */
void csr_conv(const struct conv_shape *s, const struct csr_filters *f,
	      const float *x, float *xpad, float *y);

#endif
