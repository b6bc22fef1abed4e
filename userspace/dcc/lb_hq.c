// SPDX-License-Identifier: MIT
/*
 * HQ, hyperspherical ternary quantization (dcc-lowbit.rst, "HQ"): ternary
 * weights {-a, 0, +a} per layer, whose zeros are a magnitude-pruning mask
 * grown over a schedule; a cosine-distance term pulls each row of latent
 * weights toward the direction of its ternary projection, so that the
 * straight-through gradient is less biased; after the last pruning step
 * the kept latent weights are reinitialized at their ternary values.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lowbit.h"

static bool kept(const struct weights *wt, size_t k)
{
	return !wt->mask || wt->mask[k];
}

/* a = mean |u| over the kept non-zeros: the least-squares scale (TWN). */
void lowbit_hq_project(struct weights *wt)
{
	double sum = 0;
	size_t n = 0;
	float a;

	for (size_t k = 0; k < wt->w.n; k++)
		if (kept(wt, k) && wt->latent.v[k] != 0) {
			sum += fabsf(wt->latent.v[k]);
			n++;
		}
	a = n ? (float)(sum / n) : 0;
	wt->alpha = a;
	wt->bits = 2;
	wt->cb.n = 3;
	wt->cb.v[0] = 0;
	wt->cb.v[1] = a;
	wt->cb.v[2] = -a;
	for (size_t k = 0; k < wt->w.n; k++) {
		float u = wt->latent.v[k];
		uint8_t ix = !kept(wt, k) || u == 0 ? 0 : u > 0 ? 1 : 2;

		wt->widx[k] = ix;
		wt->w.v[k] = wt->cb.v[ix];
	}
}

/* While pruning: the kept latent weights as they are. */
static void project_pruned(struct weights *wt)
{
	for (size_t k = 0; k < wt->w.n; k++)
		wt->w.v[k] = kept(wt, k) ? wt->latent.v[k] : 0;
}

/*
 * reg x (1 - cos(u, t)) per row, t = sign(u) on the kept weights: its
 * gradient is -reg (t / (|u| |t|) - (u.t) u / (|u|^3 |t|)).
 */
void lowbit_hq_regularize(struct weights *wt)
{
	for (uint32_t r = 0; r < wt->rows; r++) {
		const float *u = wt->latent.v + (size_t)r * wt->cols;
		float *g = wt->latent.g + (size_t)r * wt->cols;
		double uu = 0, dot = 0, nt = 0, nu, c1, c2;

		for (uint32_t c = 0; c < wt->cols; c++)
			if (kept(wt, (size_t)r * wt->cols + c) && u[c] != 0) {
				uu += (double)u[c] * u[c];
				dot += fabsf(u[c]);
				nt += 1;
			}
		if (nt == 0)
			continue;
		nu = sqrt(uu);
		c1 = wt->reg / (nu * sqrt(nt));
		c2 = wt->reg * dot / (nu * nu * nu * sqrt(nt));
		for (uint32_t c = 0; c < wt->cols; c++)
			if (kept(wt, (size_t)r * wt->cols + c) && u[c] != 0)
				g[c] -= (float)(c1 * (u[c] > 0 ? 1 : -1) - c2 * u[c]);
	}
}

/*
 * Keep the ceil(keep n) weights of largest |u|, ties to the lower index;
 * pruned weights stay pruned (their magnitude reads as -1).
 */
int lowbit_hq_prune(struct weights *wt, double keep)
{
	size_t n = wt->w.n, want = lowbit_count(keep, n);
	float *mag = malloc((n ? n : 1) * sizeof(float));
	float *scratch = malloc((n ? n : 1) * sizeof(float));
	uint8_t *chosen = malloc(n ? n : 1);
	int ret = -1;

	if (!wt->mask) {
		wt->mask = malloc(n ? n : 1);
		for (size_t k = 0; wt->mask && k < n; k++)
			wt->mask[k] = 1;
	}
	if (!mag || !scratch || !chosen || !wt->mask)
		goto out;
	for (size_t k = 0; k < n; k++)
		mag[k] = wt->mask[k] ? fabsf(wt->latent.v[k]) : -1.0f;
	if (lowbit_top_k(mag, n, want, scratch, chosen))
		goto out;
	for (size_t k = 0; k < n; k++)
		if (!chosen[k] || !wt->mask[k]) {
			wt->mask[k] = 0;
			wt->latent.v[k] = 0;
		}
	ret = 0;
out:
	free(mag);
	free(scratch);
	free(chosen);
	return ret;
}

int lowbit_hq(struct net *n, const struct lowbit_opts *lo,
	      const struct train_opts *t, const struct dataset *train,
	      struct dcc_error *err)
{
	if (lowbit_attach(n, project_pruned, lowbit_hq_regularize, lo->reg))
		return dcc_fail(err, "out of memory");
	for (uint32_t s = 1; s <= (lo->steps ? lo->steps : 1); s++) {
		for (uint32_t i = 0, j = 0; i < n->count; i++)
			if (layer_has_weights(&n->l[i]) &&
			    lowbit_hq_prune(&n->l[i].wt, lowbit_schedule(1.0, lowbit_keep(lo, j++),
								  s, lo->steps ? lo->steps : 1)))
				return dcc_fail(err, "out of memory");
		lowbit_project_all(n);
		if (lowbit_run(n, lo, t, lo->epochs, "hq prune", train, err))
			return -1;
	}
	/* reinitialization: training goes on from the ternary weights */
	for (uint32_t i = 0; i < n->count; i++) {
		struct weights *wt = &n->l[i].wt;

		if (!layer_has_weights(&n->l[i]))
			continue;
		wt->project = lowbit_hq_project;
		lowbit_hq_project(wt);
		memcpy(wt->latent.v, wt->w.v, wt->w.n * sizeof(float));
	}
	if (lowbit_run(n, lo, t, lo->final_epochs, "hq ternary", train, err))
		return -1;
	lowbit_project_all(n);
	return 0;
}
