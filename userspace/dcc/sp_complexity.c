// SPDX-License-Identifier: MIT
/*
 * Complexity-driven pruning (Zawish, Davy, Abraham: complexity-driven CNN
 * compression for resource-constrained edge AI): the layers pruned are
 * chosen by their share of what the target device is short of:
 * parameters (PA), multiply-accumulates (FA) or activation memory (MA).
 * With c_i a prunable layer's share of the prunable layers' total, every
 * layer with c_i >= 1/P (P prunable layers: an above-average share) loses
 * `level` of its filters, the others none. No filter ranking: the smaller
 * network is trained directly, from a fresh initialisation (the caller's
 * part), so which filters go does not matter and the first ones stay.
 */
#include "structure.h"

/* Layer i's complexity under the method's measure. */
static double complexity(const struct net *n, uint32_t i, enum sp_method m)
{
	const struct layer *l = &n->l[i];

	switch (m) {
	case SP_PARAM_AWARE:
		return (double)l->wt.rows * l->wt.cols + l->wt.rows;
	case SP_FLOP_AWARE:
		return (double)l->wt.rows * l->wt.cols * l->out.h * l->out.w;
	case SP_MEMORY_AWARE:
		return (double)shape_size(l->out);
	default:
		return 0;
	}
}

int sp_complexity_plan(const struct net *n, const struct sp_opts *o,
		       struct channel_plan *p, struct dcc_error *err)
{
	double total = 0;
	uint32_t layers = 0;

	if (o->method != SP_PARAM_AWARE && o->method != SP_FLOP_AWARE &&
	    o->method != SP_MEMORY_AWARE)
		return dcc_fail(err, "complexity-driven pruning is pa, fa or ma, not %s",
				sp_method_name(o->method));
	for (uint32_t i = 0; i < n->count; i++)
		if (layer_prunable(n, i)) {
			total += complexity(n, i, o->method);
			layers++;
		}
	if (layers == 0)
		return dcc_fail(err, "network '%s' has no layer whose channels can be removed",
				n->spec);
	for (uint32_t i = 0; i < n->count; i++) {
		uint32_t channels = n->l[i].out.c, keep;

		if (!layer_prunable(n, i) || complexity(n, i, o->method) * layers < total)
			continue;
		keep = channels_to_keep(channels, o->level);
		for (uint32_t c = 0; c < channels; c++)
			p->keep[i][c] = c < keep;
	}
	return 0;
}
