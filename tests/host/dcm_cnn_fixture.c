// SPDX-License-Identifier: MIT
/* The small CNN .dcm graph of dcm_cnn_fixture.h. */
#include <stdlib.h>
#include <string.h>

#include "dcm_cnn_fixture.h"
#include "dcaccel/dcaccel_hw.h"
#include "rng.h"

static void weights(struct dcm_layer *l, uint32_t rows, uint32_t cols,
		    uint8_t in_frac, struct rng *r)
{
	l->rows = rows;
	l->cols = cols;
	l->pes = 4;
	l->wbits = 4;
	l->zbits = 3;
	l->in_frac = in_frac;
	l->w_frac = 12;
	l->out_frac = 10;
	l->codebook_len = 16;
	l->codebook = calloc(16, sizeof(int16_t));
	l->bias = calloc(rows, sizeof(int32_t));
	l->widx = calloc((size_t)rows * cols, 1);
	for (uint32_t c = 1; c < 16; c++)
		l->codebook[c] = (int16_t)rng_range(r, -3000, 3000);
	for (uint32_t i = 0; i < rows; i++)
		l->bias[i] = (int32_t)rng_range(r, -100000, 100000);
	for (size_t k = 0; k < (size_t)rows * cols; k++)
		if (rng_chance(r, 0.4))
			l->widx[k] = (uint8_t)rng_range(r, 1, 15);
}

static void map(struct dcm_layer *l, uint8_t kind, uint32_t c, uint32_t h,
		uint32_t w, uint8_t k, uint8_t stride, uint8_t pad)
{
	l->kind = kind;
	l->channels = c;
	l->in_h = h;
	l->in_w = w;
	l->kernel_h = l->kernel_w = k;
	l->stride_h = l->stride_w = stride;
	l->pad_h = l->pad_w = pad;
}

void dcm_cnn_fixture(struct dcm_model *m, uint64_t seed)
{
	struct rng r = { seed };
	struct dcm_layer *l;

	memset(m, 0, sizeof(*m));
	m->layer_count = CNN_FIXTURE_LAYERS;
	m->layers = calloc(CNN_FIXTURE_LAYERS, sizeof(*m->layers));
	l = m->layers;
	map(&l[0], DCM_CONV, 2, 8, 8, 3, 1, 1);
	weights(&l[0], 4, 2 * 9, 14, &r);
	l[0].relu = true;
	map(&l[1], DCM_POOL, 4, 8, 8, 2, 2, 0);
	l[1].pool_mode = DCACCEL_POOL_MAX;
	l[1].in_frac = l[1].out_frac = 10;
	map(&l[2], DCM_CONV, 4, 4, 4, 3, 2, 1);
	weights(&l[2], 6, 4 * 9, 10, &r);
	weights(&l[3], 10, 6 * 2 * 2, 10, &r);
}
