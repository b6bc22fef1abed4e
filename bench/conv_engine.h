/* SPDX-License-Identifier: MIT */
/*
 * One benchmark convolution for the datapath and the float baselines
 * alike: random filters at a density, as EIE streams (P = 64, 8-bit
 * codebook indices as Deep Compression quantizes conv layers, 4-bit row
 * skips) and as dense float KCRS weights of the same values, and one
 * input map with CONV_ACT_DENSITY of its values non-zero, as int16 and
 * float.
 */
#ifndef DCACCEL_BENCH_CONV_ENGINE_H
#define DCACCEL_BENCH_CONV_ENGINE_H

#include "conv_layers.h"
#include "dp_conv.h"
#include "eie_encode.h"

#define CONV_PES	DCACCEL_EIE_PES_DEFAULT
#define CONV_QUEUE	DCACCEL_EIE_QUEUE_DEFAULT
#define CONV_WBITS	8
#define CONV_ZBITS	4
#define CONV_IN_FRAC	8
#define CONV_W_FRAC	12
#define CONV_OUT_FRAC	8

struct bench_conv {
	struct conv_shape s;
	double density;
	int16_t codebook[1 << CONV_WBITS];
	struct eie_streams st;
	struct dp_conv c;
	int16_t *x;		/* c x h x w */
	float *xf;		/* the same, as float */
	float *wf;		/* k x c x r x s, zeros included */
};

/* 0, or -1 with a message on stderr. */
int bench_conv_build(struct bench_conv *b, const struct conv_layer_def *def,
		     double density, uint64_t seed);
void bench_conv_free(struct bench_conv *b);

/* The output values of one map. */
static inline size_t bench_conv_out_n(const struct bench_conv *b)
{
	return (size_t)b->s.k * b->s.oh * b->s.ow;
}

#endif
