// SPDX-License-Identifier: MIT
/*
 * Folding batch normalization into the layer before it. At inference a bn
 * is an affine map per channel, y_k = s_k (z_k - mean_k) + beta_k with
 * s_k = gamma_k / sqrt(var_k + eps), and z_k = W[k,:] x + b_k is the fc's
 * or conv's output k, so the two are one layer:
 *   W'[k,:] = s_k W[k,:],  b'_k = s_k (b_k - mean_k) + beta_k.
 * The device has no bn; what it runs is this folded network.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "structure.h"

/* Scale the copied rows of weight layer d by the bn after it. */
static void fold_into(struct weights *b, const struct batchnorm *bn)
{
	for (uint32_t k = 0; k < b->rows; k++) {
		/* in double: the scale is applied once, round once */
		double sk = bn->gamma.v[k] / sqrt((double)bn->var[k] + BN_EPS);
		float *row = b->w.v + (size_t)k * b->cols;

		for (uint32_t c = 0; c < b->cols; c++)
			row[c] = (float)(sk * row[c]);	/* a pruned 0 stays 0 */
		b->b.v[k] = (float)(sk * ((double)b->b.v[k] - bn->mean[k]) +
				    bn->beta.v[k]);
	}
}

/*
 * What can be folded: every bn right after an fc or conv whose weights are
 * not shared yet (scaling rows would break the codebook). Shared weights
 * with no bn after them are simply copied.
 */
static int check_foldable(const struct net *src, struct dcc_error *err)
{
	for (uint32_t i = 0; i < src->count; i++) {
		const struct layer *l = &src->l[i];

		if (l->kind != LAYER_BN)
			continue;
		if (i == 0)
			return dcc_fail(err, "%s: a bn on the input has no fc or conv to fold into",
					l->name);
		if (!layer_has_weights(&src->l[i - 1]))
			return dcc_fail(err, "%s: a bn folds into the fc or conv directly before it, not into %s",
					l->name, src->l[i - 1].name);
		if (src->l[i - 1].wt.widx)
			return dcc_fail(err, "%s: weights already shared: fold bn before quantizing",
					src->l[i - 1].name);
	}
	return 0;
}

int net_fold_bn(const struct net *src, struct net *dst, struct dcc_error *err)
{
	struct net tmp;	/* src's layers without the bn: only its numbers are read */
	uint32_t j = 0;

	memset(dst, 0, sizeof(*dst));
	if (check_foldable(src, err))
		return -1;
	memset(&tmp, 0, sizeof(tmp));
	tmp.in = src->in;
	for (uint32_t i = 0; i < src->count; i++)
		if (src->l[i].kind != LAYER_BN)
			tmp.l[tmp.count++] = src->l[i];
	if (net_rebuild(&tmp, dst, err))
		return -1;
	for (uint32_t i = 0; i < src->count; i++) {
		const struct layer *s = &src->l[i];
		struct layer *d;

		if (s->kind == LAYER_BN)
			continue;
		d = &dst->l[j++];
		if (s->kind == LAYER_QUANT)
			d->q = s->q;
		if (!layer_has_weights(s))
			continue;	/* pool, relu and flatten hold nothing */
		if (layer_copy_weights(s, d)) {
			net_free(dst);
			return dcc_fail(err, "out of memory");
		}
		if (i + 1 < src->count && src->l[i + 1].kind == LAYER_BN)
			fold_into(&d->wt, &src->l[i + 1].bn);
	}
	return 0;
}
