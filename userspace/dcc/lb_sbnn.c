// SPDX-License-Identifier: MIT
/*
 * SBNN, sparse binary weights (dcc-lowbit.rst, "SBNN"): every weight is 0
 * or +a, the ones being the layer's largest latent weights (signed, not by
 * magnitude), as many as the kept fraction says; the quantization
 * function's threshold is recomputed from the latent weights after every
 * step, so a weight may cross it either way while training. a is the mean
 * of the latent weights above it: the least-squares scale of the ones.
 */
#include <math.h>
#include <stdlib.h>

#include "lowbit.h"

/* The density the schedule starts from: half the weights are ones. */
#define SBNN_KEEP_FIRST	0.5

void lowbit_sbnn_project(struct weights *wt)
{
	size_t n = wt->w.n, want = lowbit_count(wt->keep, n), ones = 0;
	float *scratch = malloc((n ? n : 1) * sizeof(float));
	uint8_t *chosen = malloc(n ? n : 1);
	double sum = 0;
	float a;

	/* out of memory: keep the last projection, the next step retries */
	if (!scratch || !chosen || lowbit_top_k(wt->latent.v, n, want, scratch, chosen)) {
		free(scratch);
		free(chosen);
		return;
	}
	for (size_t k = 0; k < n; k++)
		if (chosen[k]) {
			sum += wt->latent.v[k];
			ones++;
		}
	/*
	 * The ones' scale is positive (a 0/1 weight adds): a layer whose
	 * largest weights are all negative gets a tiny one instead.
	 */
	a = ones && sum > 0 ? (float)(sum / ones) : 1e-6f;
	wt->alpha = a;
	wt->bits = 1;
	wt->cb.n = 2;
	wt->cb.v[0] = 0;
	wt->cb.v[1] = a;
	for (size_t k = 0; k < n; k++) {
		wt->widx[k] = chosen[k];
		wt->w.v[k] = wt->cb.v[chosen[k]];
	}
	free(scratch);
	free(chosen);
}

int lowbit_sbnn(struct net *n, const struct lowbit_opts *lo,
		const struct train_opts *t, const struct dataset *train,
		struct dcc_error *err)
{
	uint32_t steps = lo->steps ? lo->steps : 1;
	struct lowbit_stats dense;
	int ret = -1;

	/*
	 * Weights of one sign shift every output and widen it: after each
	 * projection the scale and the biases bring each layer's variance
	 * and each channel's mean back to the dense model's.
	 */
	if (lowbit_layer_stats(n, train, LOWBIT_CALIB_IMAGES, &dense) ||
	    lowbit_attach(n, lowbit_sbnn_project, NULL, 0)) {
		dcc_fail(err, "out of memory");
		goto out;
	}
	/* the quantization function decides the zeros: no pruning mask */
	for (uint32_t i = 0; i < n->count; i++) {
		free(n->l[i].wt.mask);
		n->l[i].wt.mask = NULL;
	}
	for (uint32_t s = 1; s <= steps; s++) {
		for (uint32_t i = 0, j = 0; i < n->count; i++)
			if (layer_has_weights(&n->l[i]))
				n->l[i].wt.keep = lowbit_schedule(SBNN_KEEP_FIRST,
						lowbit_keep(lo, j++), s, steps);
		lowbit_project_all(n);
		if (lowbit_standardize(n, train, LOWBIT_CALIB_IMAGES, &dense)) {
			dcc_fail(err, "out of memory");
			goto out;
		}
		if (lowbit_run(n, lo, t, lo->epochs, "sbnn sparsify", train, err))
			goto out;
	}
	if (lowbit_run(n, lo, t, lo->final_epochs, "sbnn binary", train, err))
		goto out;
	lowbit_project_all(n);
	ret = 0;
out:
	lowbit_stats_free(&dense);
	return ret;
}
