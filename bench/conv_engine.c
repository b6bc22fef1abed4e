// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>

#include "conv_engine.h"
#include "../tests/lib/rng.h"

int bench_conv_build(struct bench_conv *b, const struct conv_layer_def *def,
		     double density, uint64_t seed)
{
	struct rng r = { seed };
	const size_t taps = (size_t)def->shape.c * def->shape.r * def->shape.s;
	const size_t in_n = (size_t)def->shape.c * def->shape.h * def->shape.w;
	struct eie_error err;
	uint8_t *widx;

	b->s = def->shape;
	conv_shape_finish(&b->s);
	b->density = density;
	b->codebook[0] = 0;
	for (int i = 1; i < 1 << CONV_WBITS; i++) {
		int v = (int)rng_range(&r, -256, 255);

		b->codebook[i] = (int16_t)(v >= 0 ? v + 1 : v);	/* not 0 */
	}
	widx = calloc(taps * b->s.k, 1);
	b->wf = calloc(taps * b->s.k, sizeof(float));
	b->x = malloc(in_n * sizeof(int16_t));
	b->xf = malloc(in_n * sizeof(float));
	if (!widx || !b->wf || !b->x || !b->xf) {
		fprintf(stderr, "conv_bench: out of memory\n");
		return -1;
	}
	for (size_t i = 0; i < taps * b->s.k; i++) {
		if (!rng_chance(&r, density))
			continue;
		widx[i] = (uint8_t)rng_range(&r, 1, (1 << CONV_WBITS) - 1);
		b->wf[i] = (float)b->codebook[widx[i]] / (float)(1 << CONV_W_FRAC);
	}
	for (size_t i = 0; i < in_n; i++) {
		b->x[i] = rng_chance(&r, CONV_ACT_DENSITY) ?
			  (int16_t)rng_range(&r, 1, 256) : 0;
		b->xf[i] = (float)b->x[i] / (float)(1 << CONV_IN_FRAC);
	}
	if (eie_encode(widx, b->s.k, (uint32_t)taps, CONV_PES, CONV_WBITS,
		       CONV_ZBITS, &b->st, &err)) {
		fprintf(stderr, "conv_bench: %s: %s\n", def->name, err.msg);
		free(widx);
		return -1;
	}
	free(widx);
	eie_streams_to_layer(&b->st, &b->c.filters);
	b->c.filters.codebook = b->codebook;
	b->c.filters.codebook_len = 1 << CONV_WBITS;
	b->c.filters.in_frac = CONV_IN_FRAC;
	b->c.filters.w_frac = CONV_W_FRAC;
	b->c.filters.out_frac = CONV_OUT_FRAC;
	b->c.filters.relu = true;
	b->c.in_channels = b->s.c;
	b->c.win = (struct dp_window){
		.in_h = b->s.h, .in_w = b->s.w,
		.kernel_h = (uint8_t)b->s.r, .kernel_w = (uint8_t)b->s.s,
		.stride_h = (uint8_t)b->s.stride, .stride_w = (uint8_t)b->s.stride,
		.pad_h = (uint8_t)b->s.pad, .pad_w = (uint8_t)b->s.pad,
	};
	if (dp_conv_validate(&b->c, &err)) {
		fprintf(stderr, "conv_bench: %s: %s\n", def->name, err.msg);
		return -1;
	}
	return 0;
}

void bench_conv_free(struct bench_conv *b)
{
	eie_streams_free(&b->st);
	free(b->x);
	free(b->xf);
	free(b->wf);
}
