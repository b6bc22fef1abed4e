// SPDX-License-Identifier: MIT
/*
 * Network slimming (Liu et al., ICCV 2017): a bn after every prunable
 * layer, trained with an L1 penalty on its scales gamma,
 *   L = loss + lambda sum |gamma|,
 * pushes the channels the network can do without toward gamma = 0; the
 * channels under one threshold over all layers leave, and the bn folds
 * back into the layer before it for the device
 * (Documentation/accel/dcaccel/dcc-sp-slimming.rst).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sp_slimming.h"

#define FROM_NONE	UINT32_MAX	/* a dst layer that slimming inserted */

static bool bn_follows(const struct net *n, uint32_t i)
{
	return i + 1 < n->count && n->l[i + 1].kind == LAYER_BN;
}

bool slim_scored(const struct net *n, uint32_t i)
{
	return layer_prunable(n, i) && bn_follows(n, i);
}

int slim_insert_bn(const struct net *src, struct net *dst, struct dcc_error *err)
{
	struct net tmp;	/* the new layer list: only its numbers are read */
	uint32_t from[NET_LAYERS_MAX], need = src->count;

	memset(dst, 0, sizeof(*dst));
	for (uint32_t i = 0; i < src->count; i++) {
		if (src->l[i].wt.widx)
			return dcc_fail(err, "%s: weights already shared: slim the network before quantizing",
					src->l[i].name);
		need += layer_prunable(src, i) && !bn_follows(src, i);
	}
	if (need > NET_LAYERS_MAX)
		return dcc_fail(err, "slimming puts a bn after each prunable layer: %u layers, a network holds at most %u",
				need, NET_LAYERS_MAX);
	memset(&tmp, 0, sizeof(tmp));
	tmp.in = src->in;
	for (uint32_t i = 0; i < src->count; i++) {
		from[tmp.count] = i;
		tmp.l[tmp.count++] = src->l[i];
		if (layer_prunable(src, i) && !bn_follows(src, i)) {
			from[tmp.count] = FROM_NONE;
			tmp.l[tmp.count++].kind = LAYER_BN;
		}
	}
	if (net_rebuild(&tmp, dst, err))
		return -1;
	for (uint32_t j = 0; j < dst->count; j++) {
		const struct layer *s;

		if (from[j] == FROM_NONE)
			continue;	/* net_build made it the identity's gamma 1, beta 0 */
		s = &src->l[from[j]];
		if (layer_has_weights(s) && layer_copy_weights(s, &dst->l[j])) {
			net_free(dst);
			return dcc_fail(err, "out of memory");
		}
		if (s->kind == LAYER_BN)
			bn_copy_channels(&s->bn, &dst->l[j].bn, NULL, s->in.c, 1);
	}
	return 0;
}

struct scored {
	float mag;		/* |gamma| */
	uint32_t layer, c;
};

/* Ascending |gamma|; ties: the later layer's and the higher channel first. */
static int cmp_scored(const void *pa, const void *pb)
{
	const struct scored *a = pa, *b = pb;

	if (a->mag != b->mag)
		return a->mag < b->mag ? -1 : 1;
	if (a->layer != b->layer)
		return a->layer > b->layer ? -1 : 1;
	return a->c > b->c ? -1 : a->c < b->c;
}

int sp_slimming_plan(const struct net *n, const struct sp_opts *o,
		     struct channel_plan *p, struct dcc_error *err)
{
	uint32_t left[NET_LAYERS_MAX] = { 0 }, total = 0, drop, dropped = 0, at = 0;
	struct scored *all;

	if (!(o->level >= 0 && o->level < 1))
		return dcc_fail(err, "slimming level %g: the fraction of channels removed, 0 <= level < 1",
				o->level);
	for (uint32_t i = 0; i < n->count; i++) {
		if (!slim_scored(n, i))
			continue;
		if (!p->keep[i])
			return dcc_fail(err, "%s: no keep array in the plan (plan_init() it on this network)",
					n->l[i].name);
		for (uint32_t c = 0; c < n->l[i].out.c; c++)
			if (!isfinite(n->l[i + 1].bn.gamma.v[c]))
				return dcc_fail(err, "%s: gamma[%u] is not finite: the sparsity training diverged (lower the learning rate)",
						n->l[i + 1].name, c);
		total += n->l[i].out.c;
	}
	if (total == 0)
		return dcc_fail(err, "no bn right after a prunable layer: nothing for slimming to score");
	all = malloc(total * sizeof(*all));
	if (!all)
		return dcc_fail(err, "out of memory");
	for (uint32_t i = 0; i < n->count; i++) {
		if (!slim_scored(n, i))
			continue;
		left[i] = n->l[i].out.c;
		for (uint32_t c = 0; c < n->l[i].out.c; c++)
			all[at++] = (struct scored){ fabsf(n->l[i + 1].bn.gamma.v[c]), i, c };
	}
	qsort(all, total, sizeof(*all), cmp_scored);
	/* the same rounding as the per-layer methods, over all the channels at once */
	drop = total - channels_to_keep(total, o->level);
	/*
	 * Walking up from the smallest |gamma|, a layer's last channel is its
	 * largest: it stays, and the walk goes on so that `drop` still leave.
	 */
	for (uint32_t k = 0; k < total && dropped < drop; k++) {
		const struct scored *s = &all[k];

		if (left[s->layer] == 1)
			continue;
		p->keep[s->layer][s->c] = 0;
		left[s->layer]--;
		dropped++;
	}
	free(all);
	return 0;
}

int sp_slimming(const struct net *src, const struct dataset *data,
		const struct sp_opts *o, const struct train_opts *t,
		struct net *dst, struct dcc_error *err)
{
	struct train_opts sparse = *t;
	struct net wide, slim;
	struct channel_plan p;
	bool any = false;
	int ret = -1;

	memset(dst, 0, sizeof(*dst));
	/* the settings are checked before the training, not after it */
	if (o->sparsity_epochs == 0)
		return dcc_fail(err, "slimming ranks channels by training them under the penalty: give at least 1 sparsity epoch");
	if (!(o->bn_l1 >= 0 && isfinite(o->bn_l1)))
		return dcc_fail(err, "slimming: the L1 penalty on gamma is %g, it must be 0 or more", o->bn_l1);
	if (!(o->level >= 0 && o->level < 1))
		return dcc_fail(err, "slimming level %g: the fraction of channels removed, 0 <= level < 1",
				o->level);
	for (uint32_t i = 0; i < src->count; i++)
		any |= layer_prunable(src, i);
	if (!any)
		return dcc_fail(err, "network '%s' has one weight layer, the classes: no channels to remove",
				src->spec);
	if (slim_insert_bn(src, &wide, err))
		return -1;
	sparse.epochs = o->sparsity_epochs;
	sparse.bn_l1 = o->bn_l1;
	if (net_train(&wide, data, &sparse, err) < 0)
		goto out_wide;
	if (plan_init(&p, &wide)) {
		dcc_fail(err, "out of memory");
		goto out_wide;
	}
	if (!sp_slimming_plan(&wide, o, &p, err) &&
	    !net_keep_channels(&wide, &p, &slim, err)) {
		ret = net_fold_bn(&slim, dst, err);
		/* the fold leaves the penalised channels tiny and the next layer huge */
		if (!ret)
			net_rebalance_channels(dst, src);
		net_free(&slim);
	}
	plan_free(&p);
out_wide:
	net_free(&wide);
	return ret;
}
