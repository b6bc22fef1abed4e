/* SPDX-License-Identifier: MIT */
/*
 * A convolution's shape as the float baselines of the conv benchmark see
 * it: batch 1, square stride and padding, NCHW maps, KCRS weights.
 */
#ifndef DCACCEL_BENCH_CONV_SHAPE_H
#define DCACCEL_BENCH_CONV_SHAPE_H

#include <stdint.h>

struct conv_shape {
	uint32_t c, h, w;	/* input channels, rows, columns */
	uint32_t k, r, s;	/* filters, kernel rows, kernel columns */
	uint32_t stride, pad;
	uint32_t oh, ow;	/* output rows, columns */
};

static inline void conv_shape_finish(struct conv_shape *s)
{
	s->oh = (s->h + 2 * s->pad - s->r) / s->stride + 1;
	s->ow = (s->w + 2 * s->pad - s->s) / s->stride + 1;
}

#endif
