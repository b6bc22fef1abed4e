// SPDX-License-Identifier: MIT
/*
 * Weight sharing by 1-D k-means (Deep Compression, section 3). Layers have
 * at most a few tens of thousands of kept weights and 255 clusters, so the
 * plain assignment loop is fast enough.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compress.h"

static unsigned int nearest(const float *c, unsigned int k, float v)
{
	unsigned int best = 0;

	for (unsigned int j = 1; j < k; j++)
		if (fabsf(v - c[j]) < fabsf(v - c[best]))
			best = j;
	return best;
}

unsigned int kmeans_1d(const float *values, size_t n, unsigned int k,
		       unsigned int max_iter, float *c, uint8_t *assign)
{
	float lo = FLT_MAX, hi = -FLT_MAX;
	unsigned int it;

	if (n == 0 || k == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		lo = fminf(lo, values[i]);
		hi = fmaxf(hi, values[i]);
	}
	for (unsigned int j = 0; j < k; j++)
		c[j] = k == 1 ? (lo + hi) / 2 : lo + (hi - lo) * j / (k - 1);
	for (it = 0; it < max_iter; it++) {
		double sum[256] = { 0 };
		size_t cnt[256] = { 0 };
		int moved = 0;

		for (size_t i = 0; i < n; i++) {
			unsigned int a = nearest(c, k, values[i]);

			moved |= it == 0 || assign[i] != a;
			assign[i] = (uint8_t)a;
			sum[a] += values[i];
			cnt[a]++;
		}
		if (!moved)
			break;
		for (unsigned int j = 0; j < k; j++)
			if (cnt[j])
				c[j] = (float)(sum[j] / cnt[j]);
	}
	return it;
}

int quantize_weights(struct weights *wt, unsigned int bits)
{
	size_t nw = wt->w.n, n = 0;
	unsigned int k = (1u << bits) - 1;
	float *vals, cent[CODEBOOK_MAX];
	uint8_t *assign;

	if (bits < 1 || bits > 8)
		return -1;
	vals = malloc((nw ? nw : 1) * sizeof(float));
	assign = malloc(nw ? nw : 1);
	free(wt->widx);
	wt->widx = calloc(nw ? nw : 1, 1);
	if (!vals || !assign || !wt->widx) {
		free(vals);
		free(assign);
		return -1;
	}
	for (size_t i = 0; i < nw; i++)
		if (wt->w.v[i] != 0.0f && (!wt->mask || wt->mask[i]))
			vals[n++] = wt->w.v[i];
	kmeans_1d(vals, n, k, 100, cent, assign);
	wt->cb.n = k + 1;
	wt->bits = (uint8_t)bits;
	wt->cb.v[0] = 0;
	memcpy(&wt->cb.v[1], cent, k * sizeof(float));
	n = 0;
	for (size_t i = 0; i < nw; i++) {
		if (wt->w.v[i] != 0.0f && (!wt->mask || wt->mask[i]))
			wt->widx[i] = (uint8_t)(1 + assign[n++]);
		wt->w.v[i] = wt->cb.v[wt->widx[i]];
	}
	free(vals);
	free(assign);
	return 0;
}

int pass_quantize(struct net *n, const unsigned int *bits, uint32_t nbits,
		  struct dcc_error *err)
{
	for (uint32_t i = 0, k = 0; i < n->count; i++) {
		unsigned int b;

		if (!layer_has_weights(&n->l[i]))
			continue;
		if (n->l[i].wt.planes)
			return dcc_fail(err, "%s: its weights are bit planes (a bit-plane method made them): nothing to %s; encode them as they are",
					n->l[i].name, "share");
		b = bits[k < nbits ? k : nbits - 1];
		k++;
		if (quantize_weights(&n->l[i].wt, b))
			return dcc_fail(err, "%s: weight sharing with %u-bit indices failed",
					n->l[i].name, b);
	}
	return 0;
}
