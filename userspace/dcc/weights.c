// SPDX-License-Identifier: MIT
/*
 * What compression state means for training: a pruned weight gets no
 * gradient (it stays exactly 0), and shared weights train their centroids
 * with the gradients of their cluster summed (Deep Compression, eq. 3),
 * every weight set back to its centroid after a step. Under low-bit
 * training (lowbit.c) the optimizer trains latent weights instead and the
 * layer's weights are their projection: the straight-through estimator
 * hands w's gradient to the latent weights as it is.
 */
#include "weights.h"

void weights_grad(struct weights *wt, float weight_decay)
{
	if (wt->latent.v) {
		for (size_t k = 0; k < wt->w.n; k++)
			wt->latent.g[k] = wt->mask && !wt->mask[k] ? 0 :
					  wt->w.g[k] + weight_decay * wt->latent.v[k];
		if (wt->regularize)
			wt->regularize(wt);
		return;
	}
	if (wt->planes) {
		/* fixed codes and bases: nothing but the bias trains */
		return;
	}
	if (wt->widx) {
		double g[CODEBOOK_MAX] = { 0 };

		for (size_t k = 0; k < wt->w.n; k++)
			g[wt->widx[k]] += wt->w.g[k];
		wt->cb.g[0] = 0;	/* the zero weight stays zero */
		for (size_t c = 1; c < wt->cb.n; c++)
			wt->cb.g[c] = (float)g[c];
		return;
	}
	for (size_t k = 0; k < wt->w.n; k++)
		wt->w.g[k] = wt->mask && !wt->mask[k] ? 0 :
			     wt->w.g[k] + weight_decay * wt->w.v[k];
}

void weights_sync(struct weights *wt)
{
	if (wt->project) {
		wt->project(wt);
		return;
	}
	if (wt->planes) {
		weights_planes_sync(wt);
		return;
	}
	if (!wt->widx)
		return;
	for (size_t k = 0; k < wt->w.n; k++)
		wt->w.v[k] = wt->cb.v[wt->widx[k]];
}

float weights_plane_value(const struct weights *wt, uint32_t r, uint32_t c)
{
	return planes_value(wt->basis + (size_t)r * wt->planes, wt->planes,
			    wt->planes_signed, c);
}

void weights_planes_sync(struct weights *wt)
{
	for (uint32_t r = 0; r < wt->rows; r++)
		for (uint32_t c = 0; c < wt->cols; c++) {
			size_t k = (size_t)r * wt->cols + c;

			wt->w.v[k] = weights_plane_value(wt, r, wt->widx[k]);
		}
}

struct param *weights_trained(struct weights *wt)
{
	if (wt->latent.v)
		return &wt->latent;
	return wt->widx ? &wt->cb : &wt->w;
}

double weights_density(const struct weights *wt)
{
	size_t kept = 0;

	for (size_t k = 0; k < wt->w.n; k++)
		kept += wt->w.v[k] != 0.0f && (!wt->mask || wt->mask[k]);
	return wt->w.n ? (double)kept / (double)wt->w.n : 0;
}
