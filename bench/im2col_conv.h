/* SPDX-License-Identifier: MIT */
/* Dense convolution as im2col and one OpenBLAS sgemm (float32). */
#ifndef DCACCEL_BENCH_IM2COL_CONV_H
#define DCACCEL_BENCH_IM2COL_CONV_H

#include "conv_shape.h"

/* Floats of the patch matrix: c r s x oh ow. */
static inline unsigned long im2col_floats(const struct conv_shape *s)
{
	return (unsigned long)s->c * s->r * s->s * s->oh * s->ow;
}

/* y[k][oh ow] = w[k][c r s] x col, col built from x (NCHW) first. */
void im2col_conv(const struct conv_shape *s, const float *w, const float *x,
		 float *col, float *y);

#endif
