// SPDX-License-Identifier: MIT
/*
 * L1-norm filter pruning (Li, Kadav, Durdanovic, Samet, Graf, ICLR 2017):
 * a filter's importance is the sum of its absolute weights, s_k =
 * sum_j |W[k, j]|; each layer keeps its filters of largest s_k. How many
 * a layer loses comes from its sensitivity: every prunable layer is
 * pruned alone at ratios 0.1, 0.2, ... without retraining, and a layer
 * whose accuracy drops by more than o->tolerance at the level is pruned
 * only as far as the largest ratio that stays within it.
 */
#include <math.h>
#include <stdlib.h>

#include "structure.h"

#define SENSITIVITY_STEPS	9	/* ratios 0.1 .. 0.9 */

/* Each filter's L1 norm, into score (rows values). */
static void filter_norms(const struct weights *wt, double *score)
{
	for (uint32_t k = 0; k < wt->rows; k++) {
		double s = 0;

		for (uint32_t j = 0; j < wt->cols; j++)
			s += fabs(wt->w.v[(size_t)k * wt->cols + j]);
		score[k] = s;
	}
}

/* The smallest filters of layer i removed at `ratio`, as a plan. */
static int plan_layer(const struct net *n, uint32_t i, double ratio,
		      const double *score, struct channel_plan *p)
{
	if (plan_init(p, n))
		return -1;
	return plan_keep_top(p, i, score, n->l[i].out.c,
			     channels_to_keep(n->l[i].out.c, ratio));
}

/* Accuracy on `val` with only layer i pruned at ratio; -1 on failure. */
static double pruned_accuracy(const struct net *n, uint32_t i, double ratio,
			      const double *score, const struct dataset *val,
			      struct dcc_error *err)
{
	struct channel_plan p;
	struct net t;
	double acc = -1;

	if (plan_layer(n, i, ratio, score, &p)) {
		dcc_fail(err, "out of memory");
		return -1;
	}
	if (!net_keep_channels(n, &p, &t, err)) {
		acc = net_accuracy(&t, val);
		if (acc < 0)
			dcc_fail(err, "out of memory");
		net_free(&t);
	}
	plan_free(&p);
	return acc;
}

/*
 * The ratio layer i is pruned at: the level, unless pruning it alone that
 * far costs more than the tolerance; then the largest ratio on the grid
 * below the level that does not (0: the layer is left whole).
 */
static double layer_ratio(const struct net *n, uint32_t i, const double *score,
			  const struct dataset *val, double base,
			  const struct sp_opts *o, struct dcc_error *err)
{
	double acc = pruned_accuracy(n, i, o->level, score, val, err), best = 0;

	if (acc < 0)
		return -1;
	if (base - acc <= o->tolerance)
		return o->level;
	for (int s = 1; s <= SENSITIVITY_STEPS && s / 10.0 < o->level; s++) {
		acc = pruned_accuracy(n, i, s / 10.0, score, val, err);
		if (acc < 0)
			return -1;
		if (base - acc > o->tolerance)
			break;
		best = s / 10.0;
	}
	return best;
}

int sp_l1_filter_plan(const struct net *n, const struct dataset *data,
		      const struct sp_opts *o, struct channel_plan *p,
		      struct dcc_error *err)
{
	struct dataset val = *data;
	double base, *score[NET_LAYERS_MAX] = { NULL };
	int ret = -1;

	if (o->samples == 0 || data->count == 0)
		return dcc_fail(err, "L1 filter pruning's sensitivity analysis needs images (--samples at least 1)");
	if (val.count > o->samples)
		val.count = o->samples;	/* the first ones: the same for every layer */
	base = net_accuracy(n, &val);
	if (base < 0)
		return dcc_fail(err, "out of memory");
	for (uint32_t i = 0; i < n->count; i++) {
		double ratio;

		if (!layer_prunable(n, i))
			continue;
		score[i] = malloc(n->l[i].out.c * sizeof(double));
		if (!score[i]) {
			dcc_fail(err, "out of memory");
			goto out;
		}
		filter_norms(&n->l[i].wt, score[i]);
		ratio = layer_ratio(n, i, score[i], &val, base, o, err);
		if (ratio < 0)
			goto out;
		if (plan_keep_top(p, i, score[i], n->l[i].out.c,
				  channels_to_keep(n->l[i].out.c, ratio))) {
			dcc_fail(err, "out of memory");
			goto out;
		}
	}
	ret = 0;
out:
	for (uint32_t i = 0; i < NET_LAYERS_MAX; i++)
		free(score[i]);
	return ret;
}
