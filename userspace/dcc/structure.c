// SPDX-License-Identifier: MIT
/*
 * The surgery of structured pruning: a smaller network without the
 * channels a plan drops, everything that read them removed with them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "structure.h"

uint32_t next_weight_layer(const struct net *n, uint32_t i)
{
	for (uint32_t j = i + 1; j < n->count; j++)
		if (layer_has_weights(&n->l[j]))
			return j;
	return n->count;
}

bool layer_prunable(const struct net *n, uint32_t i)
{
	return i < n->count && layer_has_weights(&n->l[i]) &&
	       next_weight_layer(n, i) < n->count;
}

int plan_init(struct channel_plan *p, const struct net *n)
{
	memset(p, 0, sizeof(*p));
	for (uint32_t i = 0; i < n->count; i++) {
		if (!layer_prunable(n, i))
			continue;
		p->keep[i] = malloc(n->l[i].out.c);
		if (!p->keep[i]) {
			plan_free(p);
			return -1;
		}
		memset(p->keep[i], 1, n->l[i].out.c);
	}
	return 0;
}

void plan_free(struct channel_plan *p)
{
	for (uint32_t i = 0; i < NET_LAYERS_MAX; i++)
		free(p->keep[i]);
	memset(p, 0, sizeof(*p));
}

uint32_t plan_kept(const struct channel_plan *p, const struct net *n, uint32_t i)
{
	uint32_t kept = 0;

	if (!p->keep[i])
		return n->l[i].out.c;
	for (uint32_t c = 0; c < n->l[i].out.c; c++)
		kept += p->keep[i][c];
	return kept;
}

uint32_t channels_to_keep(uint32_t channels, double level)
{
	double keep = (double)channels * (1.0 - level);
	uint32_t k = (uint32_t)(keep + 0.5);

	return k < 1 ? 1 : k > channels ? channels : k;
}

/* A NaN score ranks lowest, so that a plan keeps exactly `keep`. */
static double rank_score(double s)
{
	return isnan(s) ? -INFINITY : s;
}

struct ranked {
	double score;
	uint32_t c;
};

/* Highest score first; ties: the lower index first. */
static int cmp_ranked(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return a->c < b->c ? -1 : a->c > b->c;
}

int plan_keep_top(struct channel_plan *p, uint32_t i, const double *score,
		  uint32_t channels, uint32_t keep)
{
	/* sorted, not counted pairwise: a layer may have a million channels */
	struct ranked *r = malloc((channels ? channels : 1) * sizeof(*r));

	if (!r)
		return -1;
	if (keep < 1)
		keep = 1;
	for (uint32_t c = 0; c < channels; c++)
		r[c] = (struct ranked){ rank_score(score[c]), c };
	qsort(r, channels, sizeof(*r), cmp_ranked);
	for (uint32_t k = 0; k < channels; k++)
		p->keep[i][r[k].c] = k < keep;
	free(r);
	return 0;
}

/* Columns per input channel of weight layer l: R*S (conv) or the map (fc). */
static uint32_t columns_per_channel(const struct layer *l, uint32_t channels)
{
	if (l->kind == LAYER_CONV)
		return (uint32_t)l->win.kh * l->win.kw;
	return l->wt.cols / channels;
}

/* Copy the kept rows (out) and columns (in) of a weight layer. */
static void copy_weights(const struct layer *s, struct layer *d,
			 const uint8_t *keep_out, const uint8_t *keep_in,
			 uint32_t in_channels)
{
	const struct weights *a = &s->wt;
	struct weights *b = &d->wt;
	uint32_t per = columns_per_channel(s, in_channels), r2 = 0;

	for (uint32_t r = 0; r < a->rows; r++) {
		uint32_t c2 = 0;

		if (keep_out && !keep_out[r])
			continue;
		for (uint32_t c = 0; c < a->cols; c++) {
			size_t from = (size_t)r * a->cols + c, to;

			if (keep_in && !keep_in[c / per])
				continue;
			to = (size_t)r2 * b->cols + c2++;
			b->w.v[to] = a->w.v[from];
			if (b->mask)
				b->mask[to] = a->mask[from];
		}
		b->b.v[r2++] = a->b.v[r];
	}
}

int layer_copy_weights(const struct layer *s, struct layer *d)
{
	const struct weights *a = &s->wt;
	struct weights *b = &d->wt;
	size_t n = a->w.n ? a->w.n : 1;

	memcpy(b->w.v, a->w.v, a->w.n * sizeof(float));
	memcpy(b->b.v, a->b.v, a->b.n * sizeof(float));
	if (a->mask) {
		b->mask = malloc(n);
		if (!b->mask)
			return -1;
		memcpy(b->mask, a->mask, a->w.n);
	}
	if (a->widx) {
		b->widx = malloc(n);
		if (!b->widx)
			return -1;
		memcpy(b->widx, a->widx, a->w.n);
		memcpy(b->cb.v, a->cb.v, a->cb.n * sizeof(float));
		b->cb.n = a->cb.n;
		b->bits = a->bits;
	}
	if (a->planes) {
		size_t nb = (size_t)a->rows * a->planes * sizeof(float);

		b->basis = malloc(nb);
		if (!b->basis)
			return -1;
		memcpy(b->basis, a->basis, nb);
		b->planes = a->planes;
		b->planes_signed = a->planes_signed;
	}
	return 0;
}

void bn_copy_channels(const struct batchnorm *a, struct batchnorm *b,
		      const uint8_t *keep, uint32_t channels, uint32_t per)
{
	for (uint32_t c = 0, c2 = 0; c < channels; c++) {
		if (keep && !keep[c / per])
			continue;
		b->gamma.v[c2] = a->gamma.v[c];
		b->beta.v[c2] = a->beta.v[c];
		b->mean[c2] = a->mean[c];
		b->var[c2] = a->var[c];
		c2++;
	}
}

/*
 * The new description: every layer as before, the kept channel count in
 * the prunable ones' tokens (the shapes after them follow).
 */
static int shrunk_net(const struct net *src, const struct channel_plan *p,
		      struct net *dst, struct dcc_error *err)
{
	struct net tmp = *src;	/* a shallow copy: only its numbers are read */

	for (uint32_t i = 0; i < src->count; i++)
		if (p->keep[i])
			tmp.l[i].out.c = plan_kept(p, src, i);
	return net_rebuild(&tmp, dst, err);
}

int net_keep_channels(const struct net *src, const struct channel_plan *p,
		      struct net *dst, struct dcc_error *err)
{
	const uint8_t *keep_in = NULL;	/* channels of the current input that stay */
	uint32_t in_channels = src->in.c;

	for (uint32_t i = 0; i < src->count; i++) {
		if (src->l[i].wt.widx)
			return dcc_fail(err, "%s: weights already shared: prune channels before quantizing",
					src->l[i].name);
		if (p->keep[i] && !layer_prunable(src, i))
			return dcc_fail(err, "%s: its outputs are the classes, or it has no weights: no channels to remove",
					src->l[i].name);
		if (p->keep[i] && plan_kept(p, src, i) == 0)
			return dcc_fail(err, "%s: a plan keeps at least one channel",
					src->l[i].name);
	}
	if (shrunk_net(src, p, dst, err))
		return -1;
	for (uint32_t i = 0; i < src->count; i++) {
		const struct layer *s = &src->l[i];
		struct layer *d = &dst->l[i];

		if (layer_has_weights(s)) {
			if (s->wt.mask) {
				d->wt.mask = calloc(d->wt.w.n ? d->wt.w.n : 1, 1);
				if (!d->wt.mask) {
					net_free(dst);
					return dcc_fail(err, "out of memory");
				}
			}
			copy_weights(s, d, p->keep[i], keep_in, in_channels);
			keep_in = p->keep[i];
			in_channels = s->out.c;
		} else if (s->kind == LAYER_BN) {
			bn_copy_channels(&s->bn, &d->bn, keep_in, s->in.c,
				s->in.c / (keep_in ? in_channels : s->in.c));
		} else if (s->kind == LAYER_QUANT) {
			d->q = s->q;
		}
		/* pool, relu and flatten keep the channels as they come */
	}
	return 0;
}

int net_clone(const struct net *src, struct net *dst, struct dcc_error *err)
{
	struct channel_plan none = { { NULL } };

	return net_keep_channels(src, &none, dst, err);
}

/* Only relu, pooling and flatten between layer i and the next weight layer j. */
static bool homogeneous_path(const struct net *n, uint32_t i, uint32_t j)
{
	for (uint32_t k = i + 1; k < j; k++)
		if (n->l[k].kind != LAYER_RELU && n->l[k].kind != LAYER_POOL &&
		    n->l[k].kind != LAYER_FLATTEN)
			return false;
	return true;
}

/* The norm of a channel's weights and bias together: a channel the bn
 * left nearly constant (tiny weights, a bias) is not blown up. */
static double row_norm(const struct weights *wt, uint32_t k)
{
	double sq = (double)wt->b.v[k] * wt->b.v[k];

	for (uint32_t c = 0; c < wt->cols; c++)
		sq += (double)wt->w.v[(size_t)k * wt->cols + c] * wt->w.v[(size_t)k * wt->cols + c];
	return sqrt(sq);
}

void net_rebalance_channels(struct net *n, const struct net *ref)
{
	for (uint32_t i = 0; i < n->count && i < ref->count; i++) {
		uint32_t j = next_weight_layer(n, i), per;
		struct weights *a, *b;
		double target = 0;

		if (!layer_prunable(n, i) || !homogeneous_path(n, i, j) ||
		    !layer_has_weights(&ref->l[i]) || ref->l[i].wt.rows == 0)
			continue;
		for (uint32_t k = 0; k < ref->l[i].wt.rows; k++)
			target += row_norm(&ref->l[i].wt, k) * row_norm(&ref->l[i].wt, k);
		target = sqrt(target / ref->l[i].wt.rows);
		a = &n->l[i].wt;
		b = &n->l[j].wt;
		per = columns_per_channel(&n->l[j], a->rows);
		for (uint32_t k = 0; k < a->rows; k++) {
			double norm = row_norm(a, k), c;

			if (!(norm > 0) || !(target > 0))
				continue;
			c = target / norm;
			for (uint32_t x = 0; x < a->cols; x++)
				a->w.v[(size_t)k * a->cols + x] = (float)(a->w.v[(size_t)k * a->cols + x] * c);
			a->b.v[k] = (float)(a->b.v[k] * c);
			for (uint32_t r = 0; r < b->rows; r++)
				for (uint32_t x = k * per; x < (k + 1) * per; x++)
					b->w.v[(size_t)r * b->cols + x] =
						(float)(b->w.v[(size_t)r * b->cols + x] / c);
		}
	}
}
