// SPDX-License-Identifier: MIT
/*
 * Network slimming and bn folding: the bn layer's gradients in training
 * mode (batch statistics) against central differences and its inference
 * on the running statistics; folding exact for conv and fc, and refused
 * where it cannot be; the global gamma threshold on a network built by
 * hand; the L1 penalty shrinking gamma in training; the whole method on
 * a small synthetic set; a bn network through a file.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "dcc_synthetic.h"
#include "../../userspace/dcc/compress.h"
#include "../../userspace/dcc/model_io.h"
#include "../../userspace/dcc/sp_slimming.h"

/* |a - b| within tol of max(1, |a|, |b|). */
static int near(double a, double b, double tol)
{
	double scale = fmax(1.0, fmax(fabs(a), fabs(b)));

	return fabs(a - b) <= tol * scale;
}

/* L = sum(y r) of a training forward: the batch's statistics normalize. */
static double train_loss(struct layer *l, const float *x, const float *r,
			 uint32_t count)
{
	size_t ny = count * shape_size(l->out);
	float *y = malloc(ny * sizeof(float));
	double sum = 0;

	if (!y || layer_ops_of(l->kind)->forward(l, x, y, count, true))
		abort();
	for (size_t k = 0; k < ny; k++)
		sum += (double)y[k] * r[k];
	free(y);
	return sum;
}

/* d train_loss / d v[k] by central differences with step h. */
static double numeric(struct layer *l, float *v, size_t k, const float *x,
		      const float *r, uint32_t count, double h)
{
	float keep = v[k];
	double up, down;

	v[k] = keep + (float)h;
	up = train_loss(l, x, r, count);
	v[k] = keep - (float)h;
	down = train_loss(l, x, r, count);
	v[k] = keep;
	return (up - down) / (2 * h);
}

/* Gradient mismatches of bn layer l: input, gamma and beta. */
static int bn_grad_misses(struct layer *l, uint32_t count, uint64_t seed)
{
	const size_t nx = count * shape_size(l->in);
	float *x = malloc(nx * sizeof(float)), *y = malloc(nx * sizeof(float));
	float *r = malloc(nx * sizeof(float)), *dx = malloc(nx * sizeof(float));
	float *dg = malloc(l->in.c * sizeof(float)), *db = malloc(l->in.c * sizeof(float));
	const double h = 1e-2;
	uint64_t s = seed;
	int bad = 0;

	if (!x || !y || !r || !dx || !dg || !db)
		abort();
	synth_fill(l->bn.gamma.v, l->in.c, &s, 0.5f, 1.5f);
	l->bn.gamma.v[0] = -l->bn.gamma.v[0];
	synth_fill(l->bn.beta.v, l->in.c, &s, -0.5f, 0.5f);
	synth_fill(x, nx, &s, -1, 2);		/* the batch mean is not 0 */
	synth_fill(r, nx, &s, -1, 1);
	CHECK_EQ(layer_ops_of(l->kind)->forward(l, x, y, count, true), 0);
	layer_ops_of(l->kind)->backward(l, x, y, r, dx, count);
	memcpy(dg, l->bn.gamma.g, l->in.c * sizeof(float));
	memcpy(db, l->bn.beta.g, l->in.c * sizeof(float));
	for (size_t k = 0; k < nx; k++)
		bad += !near(dx[k], numeric(l, x, k, x, r, count, h), 1e-2);
	for (uint32_t c = 0; c < l->in.c; c++) {
		bad += !near(dg[c], numeric(l, l->bn.gamma.v, c, x, r, count, h), 1e-2);
		bad += !near(db[c], numeric(l, l->bn.beta.v, c, x, r, count, h), 1e-2);
	}
	free(x);
	free(y);
	free(r);
	free(dx);
	free(dg);
	free(db);
	return bad;
}

static void test_bn_train_gradients(void)
{
	struct net n;
	struct dcc_error err;
	int bad;

	/* maps: each channel's statistics over batch x h x w */
	CHECK_EQ(net_build(&n, "in=3x4x5,bn,flatten,fc10", &err), 0);
	bad = bn_grad_misses(&n.l[0], 3, 1);
	DIAG("bn on 3x4x5 maps: %d gradient mismatches", bad);
	CHECK_EQ(bad, 0);
	net_free(&n);
	/* a vector: each unit's statistics over the batch alone */
	CHECK_EQ(net_build(&n, "in=6,bn,fc10", &err), 0);
	bad = bn_grad_misses(&n.l[0], 5, 2);
	DIAG("bn on 6 units: %d gradient mismatches", bad);
	CHECK_EQ(bad, 0);
	net_free(&n);
}

/*
 * Inference: the running statistics, which it leaves alone; training:
 * the batch's, and the running ones move by the momentum (the variance
 * unbiased).
 */
static void test_bn_inference_and_running_stats(void)
{
	const uint32_t count = 4, C = 2, hw = 9;
	float x[4 * 2 * 9], y[4 * 2 * 9], m0[2], v0[2];
	struct net n;
	struct dcc_error err;
	struct layer *l;
	uint64_t s = 5;
	int bad = 0;

	CHECK_EQ(net_build(&n, "in=2x3x3,bn,flatten,fc10", &err), 0);
	l = &n.l[0];
	synth_fill(l->bn.gamma.v, C, &s, 0.5f, 2);
	synth_fill(l->bn.beta.v, C, &s, -1, 1);
	synth_fill(l->bn.mean, C, &s, -1, 1);
	synth_fill(l->bn.var, C, &s, 0.2f, 3);
	memcpy(m0, l->bn.mean, sizeof(m0));
	memcpy(v0, l->bn.var, sizeof(v0));
	synth_fill(x, sizeof(x) / sizeof(x[0]), &s, -2, 3);
	CHECK_EQ(layer_ops_of(l->kind)->forward(l, x, y, count, false), 0);
	for (uint32_t b = 0; b < count; b++)
		for (uint32_t c = 0; c < C; c++)
			for (uint32_t k = 0; k < hw; k++) {
				size_t at = (b * C + c) * hw + k;
				double want = l->bn.gamma.v[c] * (x[at] - m0[c]) /
					      sqrt(v0[c] + BN_EPS) + l->bn.beta.v[c];

				bad += !near(y[at], want, 1e-6);
			}
	CHECK_EQ(bad, 0);
	CHECK(!memcmp(l->bn.mean, m0, sizeof(m0)) && !memcmp(l->bn.var, v0, sizeof(v0)));

	CHECK_EQ(layer_ops_of(l->kind)->forward(l, x, y, count, true), 0);
	for (uint32_t c = 0; c < C; c++) {
		double sum = 0, sq = 0, ysum = 0, ysq = 0, mean, var, m = count * hw;

		for (uint32_t b = 0; b < count; b++)
			for (uint32_t k = 0; k < hw; k++)
				sum += x[(b * C + c) * hw + k];
		mean = sum / m;
		for (uint32_t b = 0; b < count; b++)
			for (uint32_t k = 0; k < hw; k++) {
				size_t at = (b * C + c) * hw + k;
				double z = (y[at] - l->bn.beta.v[c]) / l->bn.gamma.v[c];

				sq += (x[at] - mean) * (x[at] - mean);
				ysum += z;
				ysq += z * z;
			}
		var = sq / m;
		/* normalized by the batch: mean 0, variance var / (var + eps) */
		CHECK(fabs(ysum / m) < 1e-5);
		CHECK(fabs(ysq / m - var / (var + BN_EPS)) < 1e-5);
		CHECK(near(l->bn.mean[c], (1 - BN_MOMENTUM) * m0[c] + BN_MOMENTUM * mean, 1e-6));
		CHECK(near(l->bn.var[c], (1 - BN_MOMENTUM) * v0[c] +
			   BN_MOMENTUM * var * m / (m - 1), 1e-6));
	}
	net_free(&n);
}

/* Every bn of n at a non-trivial state: negative gammas, means off 0. */
static void randomize_bn(struct net *n, uint64_t *s)
{
	for (uint32_t i = 0; i < n->count; i++) {
		struct batchnorm *bn = &n->l[i].bn;
		uint32_t C = n->l[i].in.c;

		if (n->l[i].kind != LAYER_BN)
			continue;
		synth_fill(bn->gamma.v, C, s, 0.3f, 1.7f);
		for (uint32_t c = 0; c < C; c += 3)
			bn->gamma.v[c] = -bn->gamma.v[c];
		synth_fill(bn->beta.v, C, s, -0.5f, 0.5f);
		synth_fill(bn->mean, C, s, -0.5f, 0.5f);
		synth_fill(bn->var, C, s, 0.02f, 2.0f);
	}
}

/* Random weights and biases, the first weight layer a third pruned. */
static int randomize_weights(struct net *n, uint64_t seed)
{
	uint64_t s = seed;
	bool first = true;

	net_init_weights(n, seed);
	for (uint32_t i = 0; i < n->count; i++) {
		struct weights *wt = &n->l[i].wt;

		if (!layer_has_weights(&n->l[i]))
			continue;
		synth_fill(wt->b.v, wt->b.n, &s, -0.3f, 0.3f);
		if (!first)
			continue;
		first = false;
		wt->mask = malloc(wt->w.n);
		if (!wt->mask)
			return -1;
		for (size_t k = 0; k < wt->w.n; k++) {
			wt->mask[k] = k % 3 != 1;
			if (!wt->mask[k])
				wt->w.v[k] = 0;
		}
	}
	return 0;
}

/* Largest |a - b| / max(1, |a|, |b|) over two networks' logits on random inputs. */
static double logit_gap(const struct net *a, const struct net *b, uint32_t count,
			uint64_t seed)
{
	const size_t nx = (size_t)count * net_inputs(a), ny = (size_t)count * net_classes(a);
	float *x = malloc(nx * sizeof(float)), *ya = malloc(ny * sizeof(float));
	float *yb = malloc(ny * sizeof(float));
	double gap = 0;
	uint64_t s = seed;

	if (!x || !ya || !yb)
		abort();
	synth_fill(x, nx, &s, 0, 1);
	CHECK_EQ(net_forward(a, x, count, ya), 0);
	CHECK_EQ(net_forward(b, x, count, yb), 0);
	for (size_t k = 0; k < ny; k++)
		gap = fmax(gap, fabs((double)ya[k] - yb[k]) /
			   fmax(1.0, fmax(fabs(ya[k]), fabs(yb[k]))));
	free(x);
	free(ya);
	free(yb);
	return gap;
}

/*
 * Fold every bn of `spec` and compare: the description without the bn,
 * the mask carried (a pruned weight exactly 0), the logits the same.
 */
static void fold_check(const char *spec, const char *want, uint64_t seed)
{
	struct net n, f;
	struct dcc_error err;
	char have[NET_SPEC_MAX];
	uint32_t bns = 0, first = 0;
	uint64_t s = seed;
	double gap;

	CHECK_EQ(net_build(&n, spec, &err), 0);
	CHECK_EQ(randomize_weights(&n, seed), 0);
	randomize_bn(&n, &s);
	for (uint32_t i = 0; i < n.count; i++)
		bns += n.l[i].kind == LAYER_BN;
	if (net_fold_bn(&n, &f, &err)) {
		DIAG("%s", err.msg);
		CHECK(0);
		net_free(&n);
		return;
	}
	net_describe(&f, have, sizeof(have));
	CHECK(!strcmp(have, want));
	CHECK_EQ(f.count, n.count - bns);
	while (!layer_has_weights(&f.l[first]))
		first++;
	CHECK(f.l[first].wt.mask && !memcmp(f.l[first].wt.mask, n.l[first].wt.mask,
					     n.l[first].wt.w.n));
	for (size_t k = 0; f.l[first].wt.mask && k < f.l[first].wt.w.n; k++)
		if (!f.l[first].wt.mask[k])
			CHECK(f.l[first].wt.w.v[k] == 0.0f);
	gap = logit_gap(&n, &f, 5, seed + 1);
	DIAG("%s: folded logits within %.2g", want, gap);
	CHECK(gap < 1e-5);
	/* and the bn did matter: without it the logits are far off */
	for (uint32_t i = 0; i < n.count; i++)
		if (n.l[i].kind == LAYER_BN)
			n.l[i].bn.mean[0] += 1.0f;
	CHECK(logit_gap(&n, &f, 5, seed + 1) > 1e-3);
	net_free(&n);
	net_free(&f);
}

static void test_fold_conv(void)
{
	fold_check("in=2x8x8,conv4x3x3/p1,bn,relu,maxpool2,conv3x3x3,bn,relu,flatten,fc10",
		   "in=2x8x8,conv4x3x3/p1,relu,maxpool2,conv3x3x3,relu,flatten,fc10", 11);
}

static void test_fold_fc(void)
{
	fold_check("in=12,fc9,bn,relu,fc7,bn,relu,fc10",
		   "in=12,fc9,relu,fc7,relu,fc10", 12);
	/* after a conv network's flatten */
	fold_check("in=1x6x6,conv2x3x3,relu,flatten,fc6,bn,relu,fc10",
		   "in=1x6x6,conv2x3x3,relu,flatten,fc6,relu,fc10", 13);
}

static void test_fold_refusals_and_copy(void)
{
	static const struct {
		const char *spec, *msg;
	} bad[] = {
		{ "in=2x6x6,conv3x3x3,relu,bn,flatten,fc10",
		  "bn1: a bn folds into the fc or conv directly before it, not into relu1" },
		{ "in=2x6x6,conv3x3x3,maxpool2,bn,flatten,fc10", "not into pool1" },
		{ "in=4,bn,fc10", "bn1: a bn on the input has no fc or conv" },
	};
	struct net n, f;
	struct dcc_error err;
	char have[NET_SPEC_MAX];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(net_build(&n, bad[i].spec, &err), 0);
		CHECK_EQ(net_fold_bn(&n, &f, &err), -1);
		CHECK_STR_CONTAINS(err.msg, bad[i].msg);
		net_free(&n);
	}
	CHECK_EQ(net_build(&n, "in=4,fc5,bn,relu,fc10", &err), 0);
	n.l[0].wt.widx = calloc(n.l[0].wt.w.n, 1);
	CHECK(n.l[0].wt.widx != NULL);
	CHECK_EQ(net_fold_bn(&n, &f, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "fc1: weights already shared");
	net_free(&n);

	/* no bn: a plain copy */
	CHECK_EQ(net_build(&n, "in=1x6x6,conv2x3x3,relu,flatten,fc10", &err), 0);
	CHECK_EQ(randomize_weights(&n, 3), 0);
	CHECK_EQ(net_fold_bn(&n, &f, &err), 0);
	net_describe(&f, have, sizeof(have));
	CHECK(!strcmp(have, "in=1x6x6,conv2x3x3,relu,flatten,fc10"));
	for (uint32_t i = 0; i < n.count; i++) {
		if (!layer_has_weights(&n.l[i]))
			continue;
		CHECK(!memcmp(n.l[i].wt.w.v, f.l[i].wt.w.v, n.l[i].wt.w.n * sizeof(float)));
		CHECK(!memcmp(n.l[i].wt.b.v, f.l[i].wt.b.v, n.l[i].wt.b.n * sizeof(float)));
		CHECK(!n.l[i].wt.mask == !f.l[i].wt.mask);
	}
	CHECK(!memcmp(n.l[0].wt.mask, f.l[0].wt.mask, n.l[0].wt.w.n));
	net_free(&n);
	net_free(&f);
}

/* Shared weights with no bn after them are copied, sharing and all. */
static void test_fold_keeps_sharing(void)
{
	static const char *const specs[] = {
		"in=1x6x6,conv2x3x3,relu,flatten,fc10",	/* no bn: a copy */
		"in=4,fc5,bn,relu,fc10",		/* fc1 folds, fc2 shared */
	};
	struct dcc_error err;
	struct net n, f;

	for (size_t s = 0; s < sizeof(specs) / sizeof(specs[0]); s++) {
		uint32_t last;

		CHECK_EQ(net_build(&n, specs[s], &err), 0);
		CHECK_EQ(randomize_weights(&n, 5), 0);
		last = n.count - 1;
		CHECK_EQ(quantize_weights(&n.l[last].wt, 3), 0);
		if (!s)
			CHECK_EQ(quantize_weights(&n.l[0].wt, 2), 0);
		if (net_fold_bn(&n, &f, &err)) {
			DIAG("%s: %s", specs[s], err.msg);
			CHECK(!"net_fold_bn refused a foldable network");
			net_free(&n);
			continue;
		}
		for (uint32_t i = 0, j = 0; i < n.count; i++) {
			const struct weights *a = &n.l[i].wt, *b;

			if (n.l[i].kind == LAYER_BN)
				continue;
			b = &f.l[j++].wt;
			CHECK(!a->widx == !b->widx);
			if (!a->widx || !b->widx)
				continue;
			CHECK(!memcmp(a->widx, b->widx, a->w.n));
			CHECK(!memcmp(a->w.v, b->w.v, a->w.n * sizeof(float)));
			CHECK_EQ(a->cb.n, b->cb.n);
			CHECK(!memcmp(a->cb.v, b->cb.v, a->cb.n * sizeof(float)));
			CHECK_EQ(a->bits, b->bits);
		}
		net_free(&f);
		net_free(&n);
	}
}

/* A bn after each prunable layer, none after the classes' layer. */
static void test_insert_bn(void)
{
	struct net n, w;
	struct dcc_error err;
	char have[NET_SPEC_MAX];

	CHECK_EQ(net_build(&n, "in=1x8x8,conv3x3x3,relu,maxpool2,flatten,fc6,relu,fc10", &err), 0);
	CHECK_EQ(randomize_weights(&n, 4), 0);
	CHECK_EQ(slim_insert_bn(&n, &w, &err), 0);
	net_describe(&w, have, sizeof(have));
	CHECK(!strcmp(have, "in=1x8x8,conv3x3x3,bn,relu,maxpool2,flatten,fc6,bn,relu,fc10"));
	CHECK(!memcmp(n.l[0].wt.w.v, w.l[0].wt.w.v, n.l[0].wt.w.n * sizeof(float)));
	CHECK(w.l[0].wt.mask && !memcmp(n.l[0].wt.mask, w.l[0].wt.mask, n.l[0].wt.w.n));
	CHECK(!memcmp(n.l[4].wt.w.v, w.l[5].wt.w.v, n.l[4].wt.w.n * sizeof(float)));
	CHECK(!memcmp(n.l[6].wt.b.v, w.l[8].wt.b.v, n.l[6].wt.b.n * sizeof(float)));
	CHECK(w.l[1].bn.gamma.v[2] == 1.0f && w.l[1].bn.var[2] == 1.0f);
	CHECK(w.l[6].bn.beta.v[5] == 0.0f && w.l[6].bn.mean[5] == 0.0f);
	net_free(&w);
	net_free(&n);

	/* a bn already there stays, with its state, and gets no twin */
	CHECK_EQ(net_build(&n, "in=4,fc5,bn,relu,fc6,relu,fc10", &err), 0);
	n.l[1].bn.gamma.v[3] = 0.25f;
	n.l[1].bn.mean[3] = 2.0f;
	CHECK_EQ(slim_insert_bn(&n, &w, &err), 0);
	net_describe(&w, have, sizeof(have));
	CHECK(!strcmp(have, "in=4,fc5,bn,relu,fc6,bn,relu,fc10"));
	CHECK(w.l[1].bn.gamma.v[3] == 0.25f && w.l[1].bn.mean[3] == 2.0f);
	net_free(&w);
	net_free(&n);
}

/*
 * conv1 (4), conv2 (3), fc1 (5) with a bn each: conv2's gammas are the
 * three smallest of all, so a global threshold would take it whole.
 */
static const float plan_gamma[3][5] = {
	{ 0.5f, -0.05f, -0.9f, 0.04f },
	{ 0.01f, -0.02f, 0.03f },
	{ 0.3f, -0.2f, 0.06f, 1.0f, 0.7f },
};

static void plan_expect(const struct channel_plan *p, const uint8_t want[3][5])
{
	static const uint32_t layer[3] = { 0, 3, 7 }, channels[3] = { 4, 3, 5 };

	for (int i = 0; i < 3; i++) {
		CHECK(p->keep[layer[i]] != NULL);
		for (uint32_t c = 0; p->keep[layer[i]] && c < channels[i]; c++)
			if (p->keep[layer[i]][c] != want[i][c]) {
				DIAG("layer %u channel %u: kept %u, want %u", layer[i], c,
				     p->keep[layer[i]][c], want[i][c]);
				CHECK(0);
			}
	}
}

static void test_slimming_plan(void)
{
	/* level 0.5: 6 of 12 leave; conv2 keeps its largest, fc1's 0.2 goes instead */
	static const uint8_t half[3][5] = {
		{ 1, 0, 1, 0 }, { 0, 0, 1 }, { 1, 0, 0, 1, 1 },
	};
	/* level 0.25: 3 leave, conv2's 0.03 stays and conv1's 0.04 goes */
	static const uint8_t quarter[3][5] = {
		{ 1, 1, 1, 0 }, { 0, 0, 1 }, { 1, 1, 1, 1, 1 },
	};
	static const uint32_t bn_at[3] = { 1, 4, 8 };
	struct net n, k;
	struct channel_plan p;
	struct sp_opts o;
	struct dcc_error err;
	char have[NET_SPEC_MAX];

	CHECK_EQ(net_build(&n, "in=1x6x6,conv4x3x3,bn,relu,conv3x3x3,bn,relu,flatten,"
			   "fc5,bn,relu,fc10", &err), 0);
	net_init_weights(&n, 2);
	for (int i = 0; i < 3; i++)
		memcpy(n.l[bn_at[i]].bn.gamma.v, plan_gamma[i],
		       n.l[bn_at[i]].in.c * sizeof(float));
	sp_opts_default(&o);
	o.level = 0.5;
	CHECK_EQ(plan_init(&p, &n), 0);
	CHECK_EQ(sp_slimming_plan(&n, &o, &p, &err), 0);
	plan_expect(&p, half);
	/* the surgery takes the bn's channels with the layer's */
	CHECK_EQ(net_keep_channels(&n, &p, &k, &err), 0);
	net_describe(&k, have, sizeof(have));
	if (strcmp(have, "in=1x6x6,conv2x3x3,bn,relu,conv1x3x3,bn,relu,flatten,fc3,bn,relu,fc10")) {
		DIAG("kept: %s", have);
		CHECK(0);
	} else {
		CHECK(k.l[1].bn.gamma.v[0] == 0.5f && k.l[1].bn.gamma.v[1] == -0.9f);
		CHECK(k.l[4].bn.gamma.v[0] == 0.03f);
		CHECK(k.l[8].bn.gamma.v[0] == 0.3f && k.l[8].bn.gamma.v[1] == 1.0f &&
		      k.l[8].bn.gamma.v[2] == 0.7f);
	}
	net_free(&k);
	plan_free(&p);

	o.level = 0.25;
	CHECK_EQ(plan_init(&p, &n), 0);
	CHECK_EQ(sp_slimming_plan(&n, &o, &p, &err), 0);
	plan_expect(&p, quarter);
	plan_free(&p);

	o.level = 1.0;
	CHECK_EQ(plan_init(&p, &n), 0);
	CHECK_EQ(sp_slimming_plan(&n, &o, &p, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "0 <= level < 1");
	plan_free(&p);
	net_free(&n);

	o.level = 0.5;
	CHECK_EQ(net_build(&n, "in=4,fc5,relu,fc10", &err), 0);
	CHECK_EQ(plan_init(&p, &n), 0);
	CHECK_EQ(sp_slimming_plan(&n, &o, &p, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "nothing for slimming to score");
	plan_free(&p);
	net_free(&n);
}

static double sum_abs_gamma(const struct net *n)
{
	double sum = 0;

	for (uint32_t i = 0; i < n->count; i++)
		for (uint32_t c = 0; n->l[i].kind == LAYER_BN && c < n->l[i].in.c; c++)
			sum += fabsf(n->l[i].bn.gamma.v[c]);
	return sum;
}

/* The same start trained with and without the penalty. */
static void test_l1_shrinks_gamma(void)
{
	struct dataset ds;
	struct net plain, sparse;
	struct train_opts t;
	struct dcc_error err;
	double a, b, moved = 0, neg_plain = 0, neg_sparse = 0;

	synth_dataset(&ds, 400, 16, 7, 0.4f);
	CHECK_EQ(net_build(&plain, "in=16,fc12,bn,relu,fc10", &err), 0);
	net_init_weights(&plain, 1);
	/* half the gammas start negative: the subgradient's sign pulls both halves to 0 */
	for (uint32_t c = 0; c < 6; c++)
		plain.l[1].bn.gamma.v[c] = -1.0f;
	CHECK_EQ(net_clone(&plain, &sparse, &err), 0);
	train_opts_default(&t);
	t.epochs = 8;
	t.batch = 32;
	CHECK(net_train(&plain, &ds, &t, &err) >= 0);
	t.bn_l1 = 5e-2f;
	CHECK(net_train(&sparse, &ds, &t, &err) >= 0);
	a = sum_abs_gamma(&plain);
	b = sum_abs_gamma(&sparse);
	for (uint32_t c = 0; c < 12; c++)
		moved += fabsf(fabsf(plain.l[1].bn.gamma.v[c]) - 1.0f);
	for (uint32_t c = 0; c < 6; c++) {
		neg_plain += fabsf(plain.l[1].bn.gamma.v[c]);
		neg_sparse += fabsf(sparse.l[1].bn.gamma.v[c]);
	}
	DIAG("sum |gamma|: %.3f without the penalty, %.3f with (of the negative half %.3f, %.3f); "
	     "train accuracy %.1f%%, %.1f%%", a, b, neg_plain, neg_sparse,
	     net_accuracy(&plain, &ds), net_accuracy(&sparse, &ds));
	/* gamma and beta train at all (they are on the optimizer's list) */
	CHECK(moved > 0.05);
	CHECK(plain.l[1].bn.beta.v[0] != 0.0f);
	CHECK(b < 0.75 * a);
	CHECK(neg_sparse < 0.75 * neg_plain);
	CHECK(net_accuracy(&plain, &ds) > 90.0);
	net_free(&plain);
	net_free(&sparse);
	dataset_free(&ds);
}

/*
 * The whole method: a network without bn in, a smaller one without bn
 * out, the level's share of the channels gone over both layers, and the
 * same as its steps run one by one (so that it trains under o's penalty
 * for o's epochs).
 */
static void test_slimming_end_to_end(void)
{
	struct dataset ds;
	struct net src, dst, wide, slim, ref;
	struct channel_plan p;
	struct train_opts t, ts;
	struct sp_opts o;
	struct dcc_error err;
	char have[NET_SPEC_MAX];
	uint32_t kept;

	synth_dataset(&ds, 300, 16, 9, 0.4f);
	CHECK_EQ(net_build(&src, "in=16,fc12,relu,fc8,relu,fc10", &err), 0);
	net_init_weights(&src, 3);
	train_opts_default(&t);
	t.epochs = 15;
	t.batch = 32;
	CHECK(net_train(&src, &ds, &t, &err) >= 0);
	sp_opts_default(&o);
	o.level = 0.5;
	o.sparsity_epochs = 2;
	o.bn_l1 = 5e-3f;
	t.lr = 0.02f;
	if (sp_slimming(&src, &ds, &o, &t, &dst, &err)) {
		DIAG("%s", err.msg);
		CHECK(0);
		goto out;
	}
	net_describe(&dst, have, sizeof(have));
	DIAG("slimmed: %s, train accuracy %.1f%% (before %.1f%%)", have,
	     net_accuracy(&dst, &ds), net_accuracy(&src, &ds));
	CHECK_EQ(dst.count, src.count);
	for (uint32_t i = 0; i < dst.count; i++)
		CHECK(dst.l[i].kind == src.l[i].kind);
	kept = dst.l[0].out.c + dst.l[2].out.c;
	CHECK_EQ(kept, 10);		/* 20 channels, half go */
	CHECK(dst.l[0].out.c >= 1 && dst.l[2].out.c >= 1);
	CHECK_EQ(net_classes(&dst), 10);

	/* the steps by hand */
	CHECK_EQ(slim_insert_bn(&src, &wide, &err), 0);
	ts = t;
	ts.epochs = o.sparsity_epochs;
	ts.bn_l1 = o.bn_l1;
	CHECK(net_train(&wide, &ds, &ts, &err) >= 0);
	CHECK_EQ(plan_init(&p, &wide), 0);
	CHECK_EQ(sp_slimming_plan(&wide, &o, &p, &err), 0);
	CHECK_EQ(net_keep_channels(&wide, &p, &slim, &err), 0);
	CHECK_EQ(net_fold_bn(&slim, &ref, &err), 0);
	DIAG("by hand: %.1f%% after the sparsity training, %.1f%% pruned with bn, %.1f%% folded",
	     net_accuracy(&wide, &ds), net_accuracy(&slim, &ds), net_accuracy(&ref, &ds));
	CHECK(ref.l[0].out.c == dst.l[0].out.c && ref.l[2].out.c == dst.l[2].out.c);
	if (ref.l[0].out.c == dst.l[0].out.c && ref.l[2].out.c == dst.l[2].out.c)
		CHECK(logit_gap(&ref, &dst, 8, 4) < 1e-5);
	net_free(&ref);
	net_free(&slim);
	plan_free(&p);
	net_free(&wide);
	net_free(&dst);

	/* what it refuses, before any training */
	o.sparsity_epochs = 0;
	CHECK_EQ(sp_slimming(&src, &ds, &o, &t, &dst, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "at least 1 sparsity epoch");
	o.sparsity_epochs = 1;
	o.level = 1.5;
	CHECK_EQ(sp_slimming(&src, &ds, &o, &t, &dst, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "0 <= level < 1");
	o.level = 0.5;
	src.l[0].wt.widx = calloc(src.l[0].wt.w.n, 1);
	CHECK(src.l[0].wt.widx != NULL);
	CHECK_EQ(sp_slimming(&src, &ds, &o, &t, &dst, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "fc1: weights already shared");
out:
	net_free(&src);
	CHECK_EQ(net_build(&src, "in=16,fc10", &err), 0);
	CHECK_EQ(sp_slimming(&src, &ds, &o, &t, &dst, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "no channels to remove");
	net_free(&src);
	dataset_free(&ds);
}

/* A bn network through a file: the same description, the same outputs. */
static void test_bn_save_load(void)
{
	char dir[] = "/tmp/test_dcc_slimming.XXXXXX", path[64];
	struct net n, back;
	struct dcc_error err;
	char a[NET_SPEC_MAX], b[NET_SPEC_MAX];
	uint64_t s = 21;

	if (!mkdtemp(dir)) {
		CHECK(0);
		return;
	}
	snprintf(path, sizeof(path), "%s/bn.safetensors", dir);
	CHECK_EQ(net_build(&n, "in=1x6x6,conv3x3x3,bn,relu,flatten,fc4,bn,relu,fc10", &err), 0);
	CHECK_EQ(randomize_weights(&n, 8), 0);
	randomize_bn(&n, &s);
	CHECK_EQ(net_save(&n, path, &err), 0);
	if (net_load(path, NULL, &back, &err)) {
		DIAG("%s", err.msg);
		CHECK(0);
	} else {
		net_describe(&n, a, sizeof(a));
		net_describe(&back, b, sizeof(b));
		CHECK(!strcmp(a, b));
		CHECK_EQ(back.count, n.count);
		CHECK(logit_gap(&n, &back, 4, 5) == 0);
		for (uint32_t i = 0; i < n.count; i++) {
			const struct batchnorm *x = &n.l[i].bn, *y = &back.l[i].bn;
			size_t sz = n.l[i].in.c * sizeof(float);

			if (n.l[i].kind != LAYER_BN)
				continue;
			CHECK(!memcmp(x->gamma.v, y->gamma.v, sz));
			CHECK(!memcmp(x->beta.v, y->beta.v, sz));
			CHECK(!memcmp(x->mean, y->mean, sz) && !memcmp(x->var, y->var, sz));
		}
		/* and the outputs do tell a bn's state: the conv's running means moved */
		for (uint32_t c = 0; c < 3; c++)
			back.l[1].bn.mean[c] += 0.5f;
		CHECK(logit_gap(&n, &back, 4, 5) > 0);
		net_free(&back);
	}
	net_free(&n);
	remove(path);
	rmdir(dir);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_bn_train_gradients),
	TAP_TEST(test_bn_inference_and_running_stats),
	TAP_TEST(test_fold_conv),
	TAP_TEST(test_fold_fc),
	TAP_TEST(test_fold_refusals_and_copy),
	TAP_TEST(test_fold_keeps_sharing),
	TAP_TEST(test_insert_bn),
	TAP_TEST(test_slimming_plan),
	TAP_TEST(test_l1_shrinks_gamma),
	TAP_TEST(test_slimming_end_to_end),
	TAP_TEST(test_bn_save_load),
};

TAP_MAIN(tests)
