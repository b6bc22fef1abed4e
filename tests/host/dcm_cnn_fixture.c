// SPDX-License-Identifier: MIT
/* The .dcm graphs and random layers of dcm_cnn_fixture.h. */
#include <stdlib.h>
#include <string.h>

#include "dcm_cnn_fixture.h"
#include "dcaccel/dcaccel_hw.h"
#include "rng.h"

void dcm_fixture_weights(struct dcm_layer *l, uint32_t rows, uint32_t cols,
			 uint8_t in_frac, const struct dcm_fixture_style *s,
			 struct rng *r)
{
	l->rows = rows;
	l->cols = cols;
	l->pes = s->pes;
	l->wbits = 4;
	l->zbits = s->zbits;
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
		l->bias[i] = (int32_t)rng_range(r, -s->bias_range, s->bias_range);
	for (size_t k = 0; k < (size_t)rows * cols; k++)
		if (rng_chance(r, s->density))
			l->widx[k] = (uint8_t)rng_range(r, 1, 15);
}

float *dcm_fixture_inputs(uint32_t n, uint32_t dim, double zeros, uint64_t seed)
{
	struct rng r = { seed };
	float *x = malloc((size_t)n * dim * sizeof(float) + 1);

	for (size_t k = 0; x && k < (size_t)n * dim; k++)
		x[k] = zeros > 0 && rng_chance(&r, zeros) ? 0.0f :
		       (float)rng_range(&r, 0, 255) / 255.0f;
	return x;
}

void dcm_fixture_map(struct dcm_layer *l, uint8_t kind, uint32_t c,
		     uint32_t h, uint32_t w, uint8_t k, uint8_t stride,
		     uint8_t pad)
{
	l->kind = kind;
	l->channels = c;
	l->in_h = h;
	l->in_w = w;
	l->kernel_h = l->kernel_w = k;
	l->stride_h = l->stride_w = stride;
	l->pad_h = l->pad_w = pad;
}

static void pool(struct dcm_layer *l, uint8_t mode, uint32_t c, uint32_t h,
		 uint32_t w)
{
	dcm_fixture_map(l, DCM_POOL, c, h, w, 2, 2, 0);
	l->pool_mode = mode;
	l->in_frac = l->out_frac = 10;
}

struct dcm_layer *dcm_fixture_model(struct dcm_model *m, uint32_t n)
{
	memset(m, 0, sizeof(*m));
	m->layer_count = n;
	m->layers = calloc(n, sizeof(*m->layers));
	return m->layers;
}

void dcm_cnn_fixture(struct dcm_model *m, uint64_t seed)
{
	static const struct dcm_fixture_style s = { 4, 3, 0.4, 100000 };
	struct rng r = { seed };
	struct dcm_layer *l = dcm_fixture_model(m, CNN_FIXTURE_LAYERS);

	dcm_fixture_map(&l[0], DCM_CONV, 2, 8, 8, 3, 1, 1);
	dcm_fixture_weights(&l[0], 4, 2 * 9, 14, &s, &r);
	l[0].relu = true;
	pool(&l[1], DCACCEL_POOL_MAX, 4, 8, 8);
	dcm_fixture_map(&l[2], DCM_CONV, 4, 4, 4, 3, 2, 1);
	dcm_fixture_weights(&l[2], 6, 4 * 9, 10, &s, &r);
	dcm_fixture_weights(&l[3], 10, 6 * 2 * 2, 10, &s, &r);
}

void dcm_cnn_fixture_lenet(struct dcm_model *m, uint64_t seed)
{
	static const struct dcm_fixture_style s = { 4, 3, 0.3, 100000 };
	struct rng r = { seed };
	struct dcm_layer *l = dcm_fixture_model(m, LENET_FIXTURE_LAYERS);

	dcm_fixture_map(&l[0], DCM_CONV, 1, 16, 16, 5, 1, 0);
	dcm_fixture_weights(&l[0], 6, 25, 14, &s, &r);
	l[0].relu = true;
	pool(&l[1], DCACCEL_POOL_MAX, 6, 12, 12);
	dcm_fixture_map(&l[2], DCM_CONV, 6, 6, 6, 3, 1, 1);
	dcm_fixture_weights(&l[2], 8, 6 * 9, 10, &s, &r);
	l[2].relu = true;
	pool(&l[3], DCACCEL_POOL_AVG, 8, 6, 6);
	dcm_fixture_weights(&l[4], 32, 8 * 3 * 3, 10, &s, &r);
	l[4].relu = true;
	dcm_fixture_weights(&l[5], LENET_FIXTURE_OUTPUTS, 32, 10, &s, &r);
}
