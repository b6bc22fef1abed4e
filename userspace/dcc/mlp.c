// SPDX-License-Identifier: MIT
/* The fp32 MLP: init, forward, accuracy (training is in train.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "mlp.h"

uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

float rng_uniform(uint64_t *s)
{
	return (float)((rng_next(s) >> 40) + 0.5) / (float)(1ull << 24);
}

int mlp_alloc(struct mlp *m, const uint32_t *sizes, uint32_t n,
	      struct dcc_error *err)
{
	memset(m, 0, sizeof(*m));
	if (n == 0 || n > MLP_LAYERS_MAX)
		return dcc_fail(err, "a model has 1..%u layers, got %u",
				MLP_LAYERS_MAX, n);
	for (uint32_t i = 0; i < n; i++) {
		struct fc *l = &m->l[i];
		size_t nw;

		if (sizes[i] == 0 || sizes[i + 1] == 0 ||
		    sizes[i] > (1u << 20) || sizes[i + 1] > (1u << 20) ||
		    (uint64_t)sizes[i] * sizes[i + 1] > (1u << 26)) {
			mlp_free(m);
			return dcc_fail(err, "layer %u: %u x %u is empty or too large",
					i, sizes[i + 1], sizes[i]);
		}
		l->in = sizes[i];
		l->out = sizes[i + 1];
		nw = (size_t)l->in * l->out;
		l->w = calloc(nw, sizeof(float));
		l->mw = calloc(nw, sizeof(float));
		l->vw = calloc(nw, sizeof(float));
		l->b = calloc(l->out, sizeof(float));
		l->mb = calloc(l->out, sizeof(float));
		l->vb = calloc(l->out, sizeof(float));
		m->nlayers = i + 1;
		if (!l->w || !l->mw || !l->vw || !l->b || !l->mb || !l->vb) {
			mlp_free(m);
			return dcc_fail(err, "out of memory");
		}
	}
	return 0;
}

int mlp_init(struct mlp *m, const uint32_t *sizes, uint32_t n, uint64_t seed,
	     struct dcc_error *err)
{
	uint64_t s = seed;

	if (mlp_alloc(m, sizes, n, err))
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		struct fc *l = &m->l[i];
		float sd = sqrtf(2.0f / (float)l->in);

		for (size_t k = 0; k < (size_t)l->in * l->out; k++) {
			/* Box-Muller normal */
			float u1 = rng_uniform(&s), u2 = rng_uniform(&s);

			l->w[k] = sd * sqrtf(-2.0f * logf(u1)) *
				  cosf(6.2831853f * u2);
		}
	}
	return 0;
}

void mlp_free(struct mlp *m)
{
	for (uint32_t i = 0; i < m->nlayers; i++) {
		struct fc *l = &m->l[i];

		free(l->w);
		free(l->b);
		free(l->mask);
		free(l->widx);
		free(l->mw);
		free(l->vw);
		free(l->mb);
		free(l->vb);
	}
	memset(m, 0, sizeof(*m));
}

uint64_t mlp_weights(const struct mlp *m)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < m->nlayers; i++)
		n += (uint64_t)m->l[i].in * m->l[i].out;
	return n;
}

uint64_t mlp_params(const struct mlp *m)
{
	uint64_t n = mlp_weights(m);

	for (uint32_t i = 0; i < m->nlayers; i++)
		n += m->l[i].out;
	return n;
}

/* y = x W^T + b, then ReLU on every layer but the last. */
static void layer_forward(const struct fc *l, const float *x, uint32_t count,
			  float *y, bool relu)
{
	for (uint32_t r = 0; r < count; r++)
		memcpy(y + (size_t)r * l->out, l->b, l->out * sizeof(float));
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)count,
		    (int)l->out, (int)l->in, 1.0f, x, (int)l->in, l->w,
		    (int)l->in, 1.0f, y, (int)l->out);
	if (relu)
		for (size_t k = 0; k < (size_t)count * l->out; k++)
			if (y[k] < 0)
				y[k] = 0;
}

void mlp_forward(const struct mlp *m, const float *x, uint32_t count,
		 float *out)
{
	uint32_t widest = 0;
	float *a, *b;

	for (uint32_t i = 0; i < m->nlayers; i++)
		if (m->l[i].out > widest)
			widest = m->l[i].out;
	a = malloc((size_t)count * widest * sizeof(float));
	b = malloc((size_t)count * widest * sizeof(float));
	if (!a || !b) {
		free(a);
		free(b);
		memset(out, 0, (size_t)count * m->l[m->nlayers - 1].out * sizeof(float));
		return;
	}
	for (uint32_t i = 0; i < m->nlayers; i++) {
		bool last = i + 1 == m->nlayers;
		float *y = last ? out : (i & 1 ? b : a);

		layer_forward(&m->l[i], i ? (i & 1 ? a : b) : x, count, y, !last);
	}
	free(a);
	free(b);
}

double mlp_accuracy(const struct mlp *m, const struct dataset *ds)
{
	const uint32_t chunk = 1000, classes = m->l[m->nlayers - 1].out;
	float *logits = malloc((size_t)chunk * classes * sizeof(float));
	uint32_t right = 0;

	if (!logits || ds->count == 0) {
		free(logits);
		return 0;
	}
	for (uint32_t at = 0; at < ds->count; at += chunk) {
		uint32_t n = ds->count - at < chunk ? ds->count - at : chunk;

		mlp_forward(m, ds->x + (size_t)at * ds->dim, n, logits);
		for (uint32_t r = 0; r < n; r++) {
			const float *z = logits + (size_t)r * classes;
			uint32_t best = 0;

			for (uint32_t c = 1; c < classes; c++)
				if (z[c] > z[best])
					best = c;
			right += best == ds->y[at + r];
		}
	}
	free(logits);
	return 100.0 * right / ds->count;
}
