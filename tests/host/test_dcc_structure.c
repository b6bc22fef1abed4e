// SPDX-License-Identifier: MIT
/*
 * Structured pruning's frame and its plan-only methods: the surgery gives
 * the same outputs when the channels it removes were dead (so every
 * weight, bias, mask and bn value went where it belongs); descriptions
 * round-trip; a plan that would remove the classes or a shared layer is
 * refused; L1 filter pruning removes the smallest filter and follows its
 * sensitivity rule; complexity-driven pruning picks the layer with the
 * largest share of parameters, MACs or activations.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "../../userspace/dcc/model_io.h"
#include "../../userspace/dcc/structure.h"

/* A net with every layer kind the surgery passes through. */
#define MIXED "in=2x6x6,conv4x3x3/p1,bn,relu,maxpool2,conv3x3x3,relu,flatten,fc5,relu,fc3"

static void fill(struct net *n, uint64_t seed)
{
	net_init_weights(n, seed);
	for (uint32_t i = 0; i < n->count; i++) {
		struct layer *l = &n->l[i];

		for (uint32_t k = 0; layer_has_weights(l) && k < l->wt.rows; k++)
			l->wt.b.v[k] = 0.1f * (float)k - 0.1f;
		for (uint32_t c = 0; l->kind == LAYER_BN && c < l->in.c; c++) {
			l->bn.gamma.v[c] = 0.5f + 0.25f * (float)c;
			l->bn.beta.v[c] = 0.05f * (float)c;
			l->bn.mean[c] = 0.1f * (float)c - 0.1f;
			l->bn.var[c] = 1.0f + 0.5f * (float)c;
		}
	}
}

/* Channel c of layer i made dead: whatever comes in, relu gives 0. */
static void kill(struct net *n, uint32_t i, uint32_t c)
{
	struct weights *wt = &n->l[i].wt;

	memset(wt->w.v + (size_t)c * wt->cols, 0, wt->cols * sizeof(float));
	wt->b.v[c] = -1.0f;
	if (n->l[i + 1].kind == LAYER_BN)	/* bn of a constant: beta - gamma mean / sd */
		n->l[i + 1].bn.beta.v[c] = -5.0f;
}

static double max_diff(const struct net *a, const struct net *b, const float *x,
		       uint32_t count)
{
	uint32_t classes = net_classes(a);
	float *ya = malloc(count * classes * sizeof(float));
	float *yb = malloc(count * classes * sizeof(float));
	double d = 0;

	if (!net_forward(a, x, count, ya) && !net_forward(b, x, count, yb))
		for (size_t k = 0; k < (size_t)count * classes; k++)
			d = fmax(d, fabs(ya[k] - yb[k]));
	else
		d = INFINITY;
	free(ya);
	free(yb);
	return d;
}

static void random_inputs(float *x, size_t n, uint64_t seed)
{
	for (size_t k = 0; k < n; k++)
		x[k] = rng_uniform(&seed) * 2 - 1;
}

static void test_dead_channels_removed_change_nothing(void)
{
	struct dcc_error err;
	struct channel_plan p;
	struct net a, b;
	float x[4 * 72];

	CHECK_EQ(net_build(&a, MIXED, &err), 0);
	fill(&a, 7);
	kill(&a, 0, 1);		/* conv1: with its bn channel and conv2's input */
	kill(&a, 4, 0);		/* conv2: and fc1's 4 columns of that map */
	kill(&a, 7, 2);		/* fc1: and fc2's column */
	a.l[4].wt.mask = malloc(a.l[4].wt.w.n);
	for (size_t k = 0; k < a.l[4].wt.w.n; k++)
		a.l[4].wt.mask[k] = (uint8_t)(k % 3 != 0);
	CHECK_EQ(plan_init(&p, &a), 0);
	CHECK(p.keep[0] && p.keep[4] && p.keep[7] && !p.keep[9] && !p.keep[1]);
	p.keep[0][1] = 0;
	p.keep[4][0] = 0;
	p.keep[7][2] = 0;
	CHECK_EQ(net_keep_channels(&a, &p, &b, &err), 0);
	CHECK(!strcmp(b.spec, "in=2x6x6,conv3x3x3/p1,bn,relu,maxpool2,conv2x3x3,relu,flatten,fc4,relu,fc3"));
	CHECK_EQ(b.l[4].wt.cols, 3 * 9);
	CHECK_EQ(b.l[7].wt.cols, 2 * 1 * 1);
	CHECK_EQ(b.l[9].wt.cols, 4);
	random_inputs(x, sizeof(x) / sizeof(x[0]), 3);
	CHECK(max_diff(&a, &b, x, 4) < 1e-5);
	/* conv2's mask: its row 1 (kept, now row 0), input channels 0, 2, 3 */
	CHECK(b.l[4].wt.mask != NULL);
	for (uint32_t c2 = 0, c = 0; c < 4; c++) {
		if (c == 1)
			continue;
		for (uint32_t t = 0; t < 9; t++)
			CHECK_EQ(b.l[4].wt.mask[c2 * 9 + t],
				 a.l[4].wt.mask[1 * 36 + c * 9 + t]);
		c2++;
	}
	/* a live channel removed does change the outputs: the check can fail */
	net_free(&b);
	p.keep[0][1] = 1;
	p.keep[0][0] = 0;
	CHECK_EQ(net_keep_channels(&a, &p, &b, &err), 0);
	CHECK(max_diff(&a, &b, x, 4) > 1e-3);
	net_free(&b);
	plan_free(&p);
	net_free(&a);
}

static void test_refusals(void)
{
	struct dcc_error err;
	struct channel_plan p;
	struct net a, b;

	CHECK_EQ(net_build(&a, MIXED, &err), 0);
	CHECK_EQ(plan_init(&p, &a), 0);
	p.keep[9] = calloc(3, 1);	/* the classes */
	p.keep[9][0] = 1;
	CHECK_EQ(net_keep_channels(&a, &p, &b, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "fc2: its outputs are the classes");
	free(p.keep[9]);
	p.keep[9] = NULL;
	memset(p.keep[7], 0, 5);
	CHECK_EQ(net_keep_channels(&a, &p, &b, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "fc1: a plan keeps at least one channel");
	memset(p.keep[7], 1, 5);
	a.l[4].wt.widx = calloc(a.l[4].wt.w.n, 1);
	CHECK_EQ(net_keep_channels(&a, &p, &b, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "prune channels before quantizing");
	plan_free(&p);
	net_free(&a);
	CHECK_EQ(net_build(&a, "in=4,fc3", &err), 0);	/* nothing prunable */
	CHECK(!layer_prunable(&a, 0));
	net_free(&a);
}

static void test_descriptions_round_trip(void)
{
	const char *specs[] = {
		"lenet5", "lenet300", "vgg6", MIXED,
		"in=3x20x20,conv8x5x5/s2/p2,avgpool2/s1,conv4x1x1,maxpool3/s2/p1,flatten,fc10",
	};
	struct dcc_error err;

	for (size_t k = 0; k < sizeof(specs) / sizeof(specs[0]); k++) {
		char d1[NET_SPEC_MAX], d2[NET_SPEC_MAX];
		struct net a, b;

		CHECK_EQ(net_build(&a, specs[k], &err), 0);
		net_describe(&a, d1, sizeof(d1));
		CHECK_EQ(net_build(&b, d1, &err), 0);
		net_describe(&b, d2, sizeof(d2));
		CHECK(!strcmp(d1, d2));
		CHECK_EQ(net_weights(&a), net_weights(&b));
		CHECK_EQ(net_macs(&a), net_macs(&b));
		net_free(&a);
		net_free(&b);
	}
}

/* A saved shrunk network loads as itself, and a contrary --net is refused. */
static void test_file_names_its_network(void)
{
	char path[] = "/tmp/dcc-structure-XXXXXX";
	struct dcc_error err;
	struct net a, b;
	float x[2 * 72];
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(net_build(&a, MIXED, &err), 0);
	fill(&a, 11);
	CHECK_EQ(net_save(&a, path, &err), 0);
	CHECK_EQ(net_load(path, NULL, &b, &err), 0);
	CHECK(!strcmp(b.spec, a.spec));
	random_inputs(x, sizeof(x) / sizeof(x[0]), 5);
	CHECK(max_diff(&a, &b, x, 2) == 0);
	net_free(&b);
	CHECK_EQ(net_load(path, "lenet5", &b, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "the file holds network 'in=2x6x6,conv4x3x3/p1,bn");
	CHECK_STR_CONTAINS(err.msg, "--net says 'in=1x28x28,conv20x5x5,");
	CHECK_EQ(net_load(path, MIXED, &b, &err), 0);
	net_free(&b);
	net_free(&a);
	unlink(path);
}

/* One-hot inputs e_k of class k: the 4 x 4 identity net gets all right. */
static void one_hot_set(struct dataset *ds)
{
	ds->count = 8;
	ds->dim = 4;
	ds->x = calloc(8 * 4, sizeof(float));
	ds->y = malloc(8);
	for (uint32_t i = 0; i < 8; i++) {
		ds->x[i * 4 + i % 4] = 1;
		ds->y[i] = (uint8_t)(i % 4);
	}
}

static void identity_net(struct net *n, struct dcc_error *err)
{
	CHECK_EQ(net_build(n, "in=4,fc4,relu,fc4", err), 0);
	for (uint32_t k = 0; k < 4; k++) {
		n->l[0].wt.w.v[k * 4 + k] = 4.0f - (float)k;	/* L1 norms 4, 3, 2, 1 */
		n->l[2].wt.w.v[k * 4 + k] = 1.0f;
	}
}

static uint32_t l1_kept(const struct net *n, const struct dataset *ds,
			double level, double tolerance, uint8_t *keep)
{
	struct sp_opts o;
	struct channel_plan p;
	struct dcc_error err;
	uint32_t kept = 0;

	sp_opts_default(&o);
	o.method = SP_L1_FILTER;
	o.level = level;
	o.tolerance = tolerance;
	CHECK_EQ(plan_init(&p, n), 0);
	CHECK_EQ(sp_l1_filter_plan(n, ds, &o, &p, &err), 0);
	kept = plan_kept(&p, n, 0);
	memcpy(keep, p.keep[0], 4);
	plan_free(&p);
	return kept;
}

static void test_l1_filter(void)
{
	struct dcc_error err;
	struct dataset ds;
	struct net n;
	uint8_t keep[4];
	struct sp_opts o;
	struct channel_plan p;

	one_hot_set(&ds);
	identity_net(&n, &err);
	CHECK(net_accuracy(&n, &ds) == 100.0);
	/* each neuron removed costs 25 points: 60 allows the level, 0.5 */
	CHECK_EQ(l1_kept(&n, &ds, 0.5, 60, keep), 2);
	CHECK(keep[0] && keep[1] && !keep[2] && !keep[3]);	/* the smallest go */
	/* 30 allows one: the largest ratio within it is 0.3 (4 -> 3 kept) */
	CHECK_EQ(l1_kept(&n, &ds, 0.5, 30, keep), 3);
	CHECK(keep[0] && keep[1] && keep[2] && !keep[3]);
	/* 0 allows none */
	CHECK_EQ(l1_kept(&n, &ds, 0.5, 0, keep), 4);
	sp_opts_default(&o);
	o.method = SP_L1_FILTER;
	o.samples = 0;
	CHECK_EQ(plan_init(&p, &n), 0);
	CHECK_EQ(sp_l1_filter_plan(&n, &ds, &o, &p, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "--samples");
	plan_free(&p);
	net_free(&n);
	dataset_free(&ds);
}

/* LeNet-5's shares: parameters fc1's, MACs conv2's, activations conv1's. */
static void test_complexity_picks_by_share(void)
{
	const struct {
		enum sp_method m;
		uint32_t layer;
	} want[] = { { SP_PARAM_AWARE, 7 }, { SP_FLOP_AWARE, 3 }, { SP_MEMORY_AWARE, 0 } };
	struct dcc_error err;
	struct net n;

	CHECK_EQ(net_build(&n, "lenet5", &err), 0);
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		struct channel_plan p;
		struct sp_opts o;

		sp_opts_default(&o);
		o.method = want[k].m;
		o.level = 0.6;
		CHECK_EQ(plan_init(&p, &n), 0);
		CHECK_EQ(sp_complexity_plan(&n, &o, &p, &err), 0);
		for (uint32_t i = 0; i < n.count; i++) {
			uint32_t c = n.l[i].out.c;

			if (!layer_prunable(&n, i))
				continue;
			CHECK_EQ(plan_kept(&p, &n, i),
				 i == want[k].layer ? channels_to_keep(c, 0.6) : c);
		}
		plan_free(&p);
	}
	net_free(&n);
}

static void test_method_names(void)
{
	const char *names[] = { "l1", "slim", "thinet", "nisp", "pa", "fa", "ma" };

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		CHECK(!strcmp(sp_method_name(sp_method_parse(names[k])), names[k]));
	CHECK_EQ(sp_method_parse("L1"), SP_NONE);
	CHECK_EQ(sp_method_parse(""), SP_NONE);
	CHECK_EQ(channels_to_keep(20, 0.5), 10);
	CHECK_EQ(channels_to_keep(3, 0.95), 1);
	CHECK_EQ(channels_to_keep(7, 0), 7);
}

/* The highest scores stay; at a tie across the cut, the lower index. */
static void test_keep_top(void)
{
	const double score[] = { 3, 1, 1, 1, 2 };
	struct channel_plan p = { { NULL } };
	uint8_t keep[5];

	p.keep[0] = keep;
	CHECK_EQ(plan_keep_top(&p, 0, score, 5, 3), 0);
	CHECK(keep[0] && keep[1] && !keep[2] && !keep[3] && keep[4]);
	CHECK_EQ(plan_keep_top(&p, 0, score, 5, 0), 0);	/* at least one */
	CHECK(keep[0] && !keep[1] && !keep[2] && !keep[3] && !keep[4]);
	{
		const double nan_score[] = { NAN, 1, NAN, 2, 0 };

		CHECK_EQ(plan_keep_top(&p, 0, nan_score, 5, 2), 0);	/* NaN lowest */
		CHECK(!keep[0] && keep[1] && !keep[2] && keep[3] && !keep[4]);
	}
}

/* A layer of a million channels is ranked in a blink, not in C^2 steps. */
static void test_keep_top_wide(void)
{
	const uint32_t n = 1u << 20, keep = 300000;
	struct channel_plan p = { { NULL } };
	double *score = malloc(n * sizeof(*score)), lo_kept = INFINITY, hi_cut = -INFINITY;
	uint8_t *k = malloc(n);
	uint32_t kept = 0;

	if (!score || !k) {
		CHECK(0);
		goto out;
	}
	for (uint32_t c = 0; c < n; c++)
		score[c] = (double)((c * 7919ull) % 1000003);
	p.keep[0] = k;
	CHECK_EQ(plan_keep_top(&p, 0, score, n, keep), 0);
	for (uint32_t c = 0; c < n; c++) {
		kept += k[c];
		if (k[c] && score[c] < lo_kept)
			lo_kept = score[c];
		if (!k[c] && score[c] > hi_cut)
			hi_cut = score[c];
	}
	CHECK_EQ(kept, keep);
	CHECK(lo_kept >= hi_cut);
out:
	free(score);
	free(k);
}

/* A bn after a flatten has a channel per map value: it follows its map's. */
static void test_bn_after_flatten(void)
{
	struct dcc_error err;
	struct channel_plan p;
	struct net a, b;

	CHECK_EQ(net_build(&a, "in=1x6x6,conv2x3x3,relu,flatten,bn,fc3,relu,fc2", &err), 0);
	fill(&a, 5);
	for (uint32_t k = 0; k < 32; k++)
		a.l[3].bn.gamma.v[k] = 1.0f + (float)k;	/* tell the channels apart */
	CHECK_EQ(plan_init(&p, &a), 0);
	p.keep[0][0] = 0;
	CHECK_EQ(net_keep_channels(&a, &p, &b, &err), 0);
	CHECK_EQ(b.l[3].in.c, 16);
	for (uint32_t k = 0; k < 16; k++)
		CHECK(b.l[3].bn.gamma.v[k] == 17.0f + (float)k);
	net_free(&b);
	plan_free(&p);
	net_free(&a);
}

/* Rebalanced channels: the same function, every row at the reference's scale. */
static void test_rebalance(void)
{
	struct dcc_error err;
	struct net a, ref, b;
	float x[3 * 72];

	CHECK_EQ(net_build(&a, "in=2x6x6,conv4x3x3/p1,relu,maxpool2,conv3x3x3,relu,flatten,fc5,relu,fc3", &err), 0);
	CHECK_EQ(net_build(&ref, a.spec, &err), 0);
	fill(&a, 21);
	fill(&ref, 22);
	for (uint32_t k = 0; k < 4; k++)	/* rows of very different scales */
		for (uint32_t c = 0; c < 18; c++)
			a.l[0].wt.w.v[k * 18 + c] *= k == 1 ? 1e-4f : k == 2 ? 50.0f : 1.0f;
	CHECK_EQ(net_clone(&a, &b, &err), 0);
	net_rebalance_channels(&b, &ref);
	random_inputs(x, sizeof(x) / sizeof(x[0]), 13);
	CHECK(max_diff(&a, &b, x, 3) < 1e-4);
	for (uint32_t i = 0; i < a.count; i++) {
		double t = 0;

		if (!layer_prunable(&a, i))
			continue;
		for (uint32_t k = 0; k < ref.l[i].wt.rows; k++) {
			t += (double)ref.l[i].wt.b.v[k] * ref.l[i].wt.b.v[k];
			for (uint32_t c = 0; c < ref.l[i].wt.cols; c++)
				t += (double)ref.l[i].wt.w.v[k * ref.l[i].wt.cols + c] *
				     ref.l[i].wt.w.v[k * ref.l[i].wt.cols + c];
		}
		t = sqrt(t / ref.l[i].wt.rows);
		for (uint32_t k = 0; k < b.l[i].wt.rows; k++) {
			double sq = (double)b.l[i].wt.b.v[k] * b.l[i].wt.b.v[k];

			for (uint32_t c = 0; c < b.l[i].wt.cols; c++)
				sq += (double)b.l[i].wt.w.v[k * b.l[i].wt.cols + c] *
				      b.l[i].wt.w.v[k * b.l[i].wt.cols + c];
			CHECK(fabs(sqrt(sq) - t) < 1e-4 * t);
		}
	}
	net_free(&b);
	net_free(&ref);
	net_free(&a);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_dead_channels_removed_change_nothing),
	TAP_TEST(test_refusals),
	TAP_TEST(test_descriptions_round_trip),
	TAP_TEST(test_file_names_its_network),
	TAP_TEST(test_l1_filter),
	TAP_TEST(test_complexity_picks_by_share),
	TAP_TEST(test_method_names),
	TAP_TEST(test_keep_top),
	TAP_TEST(test_keep_top_wide),
	TAP_TEST(test_bn_after_flatten),
	TAP_TEST(test_rebalance),
};

TAP_MAIN(tests)
