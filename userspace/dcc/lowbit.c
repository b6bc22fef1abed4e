// SPDX-License-Identifier: MIT
/*
 * What the low-bit methods share: latent weights beside each weight
 * layer's, the projection after every optimizer step (weights.c calls the
 * method's hook), the sparsity schedule, and the selection that finds a
 * threshold keeping k of n values without sorting them all.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lowbit.h"

static const char *const names[] = {
	[LOWBIT_NONE] = "none", [LOWBIT_HQ] = "hq", [LOWBIT_SBNN] = "sbnn",
	[LOWBIT_BWN] = "bwn", [LOWBIT_XNOR] = "xnor", [LOWBIT_QNN] = "qnn",
	[LOWBIT_LQ] = "lq", [LOWBIT_SMARTDEAL] = "smartdeal",
};

void lowbit_opts_default(struct lowbit_opts *o)
{
	memset(o, 0, sizeof(*o));
	/* LeNet-300-100 at about 60x: dcc-lowbit.rst, README.md's table */
	o->keep[0] = 0.065;
	o->keep[1] = 0.07;
	o->keep[2] = 0.2;
	o->nkeep = 3;
	o->steps = 4;
	o->epochs = 3;
	o->final_epochs = 6;
	o->lr = 0.03f;
	o->reg = 1e-3f;
	o->sd_block = 4;
	o->sd_bits = 4;
}

enum lowbit_method lowbit_method_parse(const char *name)
{
	for (int m = LOWBIT_HQ; m <= LOWBIT_LAST; m++)
		if (name && !strcmp(name, names[m]))
			return (enum lowbit_method)m;
	return LOWBIT_NONE;
}

const char *lowbit_method_name(enum lowbit_method m)
{
	return names[m];
}

double lowbit_keep(const struct lowbit_opts *lo, uint32_t weight_layer)
{
	return lo->keep[weight_layer < lo->nkeep ? weight_layer : lo->nkeep - 1];
}

int lowbit_attach_layer(struct weights *wt, void (*project)(struct weights *wt),
			void (*regularize)(struct weights *wt), float reg)
{
	wt->latent.n = wt->w.n;
	wt->latent.v = malloc(wt->w.n * sizeof(float));
	wt->latent.g = calloc(wt->w.n, sizeof(float));
	free(wt->widx);
	wt->widx = calloc(wt->w.n ? wt->w.n : 1, 1);
	if (!wt->latent.v || !wt->latent.g || !wt->widx)
		return -1;
	memcpy(wt->latent.v, wt->w.v, wt->w.n * sizeof(float));
	wt->project = project;
	wt->regularize = regularize;
	wt->reg = reg;
	return 0;
}

int lowbit_attach(struct net *n, void (*project)(struct weights *wt),
		  void (*regularize)(struct weights *wt), float reg)
{
	for (uint32_t i = 0; i < n->count; i++)
		if (layer_has_weights(&n->l[i]) &&
		    lowbit_attach_layer(&n->l[i].wt, project, regularize, reg))
			return -1;
	return 0;
}

void lowbit_project_all(struct net *n)
{
	for (uint32_t i = 0; i < n->count; i++)
		if (layer_has_weights(&n->l[i]) && n->l[i].wt.project)
			n->l[i].wt.project(&n->l[i].wt);
}

void lowbit_detach(struct net *n)
{
	for (uint32_t i = 0; i < n->count; i++) {
		struct weights *wt = &n->l[i].wt;

		free(wt->latent.v);
		free(wt->latent.g);
		memset(&wt->latent, 0, sizeof(wt->latent));
		wt->project = NULL;
		wt->regularize = NULL;
	}
}

/* Wirth's selection: a[k] ends where a descending sort would put it. */
static float select_desc(float *a, ptrdiff_t n, ptrdiff_t k)
{
	ptrdiff_t l = 0, m = n - 1;

	while (l < m) {
		float x = a[k];
		ptrdiff_t i = l, j = m;

		do {
			while (a[i] > x)
				i++;
			while (x > a[j])
				j--;
			if (i <= j) {
				float t = a[i];

				a[i++] = a[j];
				a[j--] = t;
			}
		} while (i <= j);
		if (j < k)
			l = i;
		if (k < i)
			m = j;
	}
	return a[k];
}

float lowbit_kth_largest(const float *v, size_t n, size_t k, float *scratch)
{
	if (n == 0 || k == 0)
		return INFINITY;
	if (k > n)
		k = n;
	memcpy(scratch, v, n * sizeof(float));
	return select_desc(scratch, (ptrdiff_t)n, (ptrdiff_t)k - 1);
}

size_t lowbit_count(double keep, size_t n)
{
	/* ceil, forgiving the product's rounding: 0.07 x 100 is 7, not 8 */
	double k = ceil(keep * (double)n - 1e-9);

	if (n == 0)
		return 0;
	return k < 1 ? 1 : k > (double)n ? n : (size_t)k;
}

int lowbit_top_k(const float *v, size_t n, size_t k, float *scratch,
		 uint8_t *chosen)
{
	size_t above = 0;
	float thr;

	if (k > n)
		return -1;
	if (k == 0) {
		memset(chosen, 0, n);
		return 0;
	}
	thr = lowbit_kth_largest(v, n, k, scratch);
	for (size_t i = 0; i < n; i++)
		above += v[i] > thr;
	/* the ties at the threshold fill the rest, lowest index first */
	for (size_t i = 0, tied = k - above; i < n; i++) {
		chosen[i] = v[i] > thr;
		if (v[i] == thr && tied) {
			chosen[i] = 1;
			tied--;
		}
	}
	return 0;
}

double lowbit_schedule(double from, double to, uint32_t s, uint32_t steps)
{
	double r = steps ? 1.0 - (double)s / steps : 0;

	return to + (from - to) * r * r * r;
}

/* The mean of each channel of count outputs of shape o, and their variance. */
static void out_stats(struct shape o, const float *out, uint32_t count,
		      float *mean, double *var)
{
	size_t px = (size_t)o.h * o.w, per = shape_size(o);
	double ss = 0;

	for (uint32_t c = 0; c < o.c; c++) {
		double sum = 0;

		for (uint32_t img = 0; img < count; img++)
			for (size_t p = 0; p < px; p++)
				sum += out[img * per + c * px + p];
		mean[c] = (float)(sum / ((double)count * px));
		for (uint32_t img = 0; img < count; img++)
			for (size_t p = 0; p < px; p++) {
				double d = out[img * per + c * px + p] - mean[c];

				ss += d * d;
			}
	}
	*var = ss / ((double)count * per);
}

/* Every weight of the layer, and what it is projected from, times f. */
static void scale_weights(struct weights *wt, float f)
{
	for (size_t k = 0; k < wt->w.n; k++)
		wt->w.v[k] *= f;
	for (size_t k = 0; wt->latent.v && k < wt->latent.n; k++)
		wt->latent.v[k] *= f;
	for (size_t k = 0; k < wt->cb.n; k++)
		wt->cb.v[k] *= f;
	wt->alpha *= f;
}

/*
 * Bring layer l's outputs y (of its input x, count of them) to the
 * target's mean and variance, and y with them. 0 or -1 (OOM).
 */
static int standardize_layer(struct layer *l, const float *x, float *y,
			     uint32_t count, const float *mean, double target)
{
	float *now = malloc(l->out.c * sizeof(float));
	double var, f = 1;

	if (!now)
		return -1;
	out_stats(l->out, y, count, now, &var);
	if (var > 0 && target > 0)
		f = sqrt(target / var);
	scale_weights(&l->wt, (float)f);
	/* a channel's mean less its bias scales with the weights */
	for (uint32_t c = 0; c < l->out.c; c++) {
		float b = l->wt.b.v[c];

		l->wt.b.v[c] += mean[c] - ((float)f * (now[c] - b) + b);
	}
	free(now);
	/* the layer's outputs as they are now, the next layer's inputs */
	return layer_ops_of(l->kind)->forward(l, x, y, count, false);
}

/*
 * Forward the first count images of ds through n one layer at a time,
 * each layer on the last one's outputs, calling at() after each weight
 * layer with its input x and its outputs y; at() may change the layer
 * and y. 0, or -1 on OOM or at()'s failure.
 */
static int walk_layers(struct net *n, const struct dataset *ds, uint32_t count,
		       int (*at)(struct layer *l, uint32_t i, const float *x,
				 float *y, uint32_t count, void *ctx),
		       void *ctx)
{
	const float *x = ds->x;
	float *y = NULL;
	int ret = 0;

	if (count > ds->count)
		count = ds->count;
	for (uint32_t i = 0; i < n->count && !ret; i++) {
		struct layer *l = &n->l[i];
		float *prev = y;

		y = malloc((size_t)count * shape_size(l->out) * sizeof(float));
		ret = y ? layer_ops_of(l->kind)->forward(l, x, y, count, false) : -1;
		if (!ret && layer_has_weights(l))
			ret = at(l, i, x, y, count, ctx);
		free(prev);
		x = y;
	}
	free(y);
	return ret;
}

static int take_stats(struct layer *l, uint32_t i, const float *x, float *y,
		      uint32_t count, void *ctx)
{
	struct lowbit_stats *s = ctx;

	(void)x;
	s->mean[i] = malloc(l->out.c * sizeof(float));
	if (!s->mean[i])
		return -1;
	out_stats(l->out, y, count, s->mean[i], &s->var[i]);
	return 0;
}

int lowbit_layer_stats(const struct net *n, const struct dataset *ds,
		       uint32_t count, struct lowbit_stats *s)
{
	memset(s, 0, sizeof(*s));
	/* an inference forward writes nothing of the layers (net_forward_upto) */
	return walk_layers((struct net *)n, ds, count, take_stats, s);
}

static int standardize_at(struct layer *l, uint32_t i, const float *x,
			  float *y, uint32_t count, void *ctx)
{
	const struct lowbit_stats *target = ctx;

	return target->mean[i] ?
	       standardize_layer(l, x, y, count, target->mean[i],
				 target->var[i]) : 0;
}

int lowbit_standardize(struct net *n, const struct dataset *ds, uint32_t count,
		       const struct lowbit_stats *target)
{
	return walk_layers(n, ds, count, standardize_at, (void *)target);
}

void lowbit_stats_free(struct lowbit_stats *s)
{
	for (uint32_t i = 0; i < NET_LAYERS_MAX; i++) {
		free(s->mean[i]);
		s->mean[i] = NULL;
	}
}

int lowbit_run(struct net *n, const struct lowbit_opts *lo,
	       const struct train_opts *t, uint32_t epochs, const char *stage,
	       const struct dataset *train, struct dcc_error *err)
{
	struct train_opts o = *t;

	if (!epochs)
		return 0;
	o.epochs = epochs;
	o.lr = lo->lr;
	o.stage = stage;
	return net_train(n, train, &o, err) < 0 ? -1 : 0;
}

int lowbit_train(struct net *n, const struct lowbit_opts *lo,
		 const struct train_opts *t, const struct dataset *train,
		 struct dcc_error *err)
{
	int ret;

	switch (lo->method) {
	case LOWBIT_HQ:
		ret = lowbit_hq(n, lo, t, train, err);
		break;
	case LOWBIT_SBNN:
		ret = lowbit_sbnn(n, lo, t, train, err);
		break;
	case LOWBIT_BWN:
		ret = lowbit_planes(n, &lowbit_bwn_method, lo, t, train, err);
		break;
	case LOWBIT_XNOR:
		ret = lowbit_planes(n, &lowbit_xnor_method, lo, t, train, err);
		break;
	case LOWBIT_QNN:
		ret = lowbit_planes(n, &lowbit_qnn_method, lo, t, train, err);
		break;
	case LOWBIT_LQ:
		ret = lowbit_planes(n, &lowbit_lq_method, lo, t, train, err);
		break;
	case LOWBIT_SMARTDEAL:
		ret = lowbit_smartdeal(n, lo, t, train, err);
		break;
	default:
		return dcc_fail(err, "no low-bit method given: %s", LOWBIT_NAMES);
	}
	lowbit_detach(n);
	return ret;
}
