// SPDX-License-Identifier: MIT
/*
 * Pruning and weight sharing invariants: k-means finds planted clusters,
 * a pruned weight stays exactly zero through retraining, and after
 * quantization and centroid fine-tuning every weight equals its centroid.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../../userspace/dcc/compress.h"
#include "../../userspace/dcc/fixedpoint.h"

static void test_kmeans_planted_clusters(void)
{
	const float centers[3] = { -1.0f, 0.2f, 2.0f };
	float v[3000], c[3];
	uint8_t a[3000];
	uint64_t s = 7;

	for (int i = 0; i < 3000; i++)
		v[i] = centers[i % 3] + 0.05f * (rng_uniform(&s) - 0.5f);
	kmeans_1d(v, 3000, 3, 100, c, a);
	for (int j = 0; j < 3; j++)
		CHECK(fabsf(c[j] - centers[j]) < 0.02f);
	for (int i = 0; i < 3000; i++) {
		CHECK_EQ(a[i], i % 3);
		for (int j = 0; j < 3; j++)	/* nearest centroid */
			CHECK(fabsf(v[i] - c[a[i]]) <= fabsf(v[i] - c[j]));
	}
	kmeans_1d(v, 3000, 1, 100, c, a);
	double mean = 0;
	for (int i = 0; i < 3000; i++)
		mean += v[i];
	CHECK(fabs(c[0] - mean / 3000) < 1e-3);
}

/* Linear init over [min, max]: with two values and two clusters, exact. */
static void test_kmeans_linear_init(void)
{
	float v[4] = { -3, -3, 5, 5 }, c[2];
	uint8_t a[4];

	kmeans_1d(v, 4, 2, 10, c, a);
	CHECK(c[0] == -3.0f && c[1] == 5.0f);
	CHECK(a[0] == 0 && a[3] == 1);
}

/* A learnable toy problem: class = index of the largest of 10 features. */
static void toy_data(struct dataset *ds, uint32_t n, uint64_t seed)
{
	uint64_t s = seed;

	ds->count = n;
	ds->dim = 20;
	ds->x = malloc((size_t)n * 20 * sizeof(float));
	ds->y = malloc(n);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t best = 0;

		for (uint32_t k = 0; k < 20; k++)
			ds->x[i * 20 + k] = rng_uniform(&s);
		for (uint32_t k = 1; k < 10; k++)
			if (ds->x[i * 20 + k] > ds->x[i * 20 + best])
				best = k;
		ds->y[i] = (uint8_t)best;
	}
}

static void test_mask_held_during_retraining(void)
{
	const uint32_t sizes[3] = { 20, 32, 10 };
	struct dataset ds;
	struct net m;
	struct train_opts o;
	struct dcc_error err;
	uint8_t *mask0;
	size_t nw = 20 * 32, pruned = 0, alive = 0;
	double d;

	toy_data(&ds, 1000, 3);
	CHECK_EQ(net_build_mlp(&m, sizes, 2, &err), 0);
	net_init_weights(&m, 5);
	train_opts_default(&o);
	o.epochs = 3;
	o.batch = 50;
	CHECK(net_train(&m, &ds, &o, &err) > 0);
	d = prune_weights(&m.l[0].wt, 1.0);
	CHECK(d > 0.1 && d < 0.6);
	CHECK(fabs(d - weights_density(&m.l[0].wt)) < 1e-9);
	mask0 = malloc(nw);
	memcpy(mask0, m.l[0].wt.mask, nw);
	CHECK(net_train(&m, &ds, &o, &err) > 0);
	for (size_t k = 0; k < nw; k++) {
		CHECK_EQ(m.l[0].wt.mask[k], mask0[k]);
		if (!mask0[k]) {
			pruned++;
			CHECK(m.l[0].wt.w.v[k] == 0.0f);
		} else {
			alive += m.l[0].wt.w.v[k] != 0.0f;
		}
	}
	CHECK(pruned > 0 && alive > 0);
	/* pruning again only removes more */
	d = prune_weights(&m.l[0].wt, 1.0);
	for (size_t k = 0; k < nw; k++)
		CHECK(mask0[k] || !m.l[0].wt.mask[k]);
	free(mask0);
	net_free(&m);
	dataset_free(&ds);
}

static void test_every_weight_is_its_centroid(void)
{
	const uint32_t sizes[4] = { 20, 32, 16, 10 };
	const unsigned int bits[3] = { 2, 3, 4 };
	const double quality[1] = { 0.8 };
	struct dataset ds;
	struct net m;
	struct train_opts o;
	struct dcc_error err;
	float before[CODEBOOK_MAX];
	uint32_t w = 0;
	int moved = 0;

	toy_data(&ds, 1000, 4);
	CHECK_EQ(net_build_mlp(&m, sizes, 3, &err), 0);
	net_init_weights(&m, 6);
	train_opts_default(&o);
	o.epochs = 3;
	o.batch = 50;
	o.centroid_lr = 1e-3f;
	CHECK(net_train(&m, &ds, &o, &err) > 0);
	CHECK_EQ(pass_prune(&m, quality, 1, 1.0, &err), 0);
	CHECK_EQ(pass_quantize(&m, bits, 3, &err), 0);
	CHECK_EQ(quantize_weights(&m.l[0].wt, 9), -1);
	memcpy(before, m.l[0].wt.cb.v, sizeof(before));
	CHECK(net_train(&m, &ds, &o, &err) > 0);
	for (uint32_t i = 0; i < m.count; i++) {
		const struct weights *l = &m.l[i].wt;

		if (!layer_has_weights(&m.l[i]))
			continue;
		CHECK_EQ(l->cb.n, 1u << (w + 2));
		w++;
		CHECK(l->cb.v[0] == 0.0f);
		for (size_t k = 0; k < l->w.n; k++) {
			CHECK(l->widx[k] < l->cb.n);
			CHECK(l->w.v[k] == l->cb.v[l->widx[k]]);
			if (l->mask && !l->mask[k])
				CHECK_EQ(l->widx[k], 0);
		}
	}
	CHECK_EQ(w, 3);
	for (uint32_t c = 1; c < m.l[0].wt.cb.n; c++)
		moved += before[c] != m.l[0].wt.cb.v[c];
	CHECK(moved > 0);	/* fine-tuning trained the centroids */
	net_free(&m);
	dataset_free(&ds);
}

/* Both optimizers learn the toy problem, and a seed repeats a run exactly. */
static void test_optimizers_and_seed(void)
{
	const uint32_t sizes[3] = { 20, 32, 10 };
	struct dataset ds;
	struct net a, b;
	struct train_opts o;
	struct dcc_error err;

	toy_data(&ds, 2000, 9);
	train_opts_default(&o);
	o.epochs = 5;
	o.batch = 50;
	for (int adam = 0; adam < 2; adam++) {
		o.adam = adam;
		o.lr = adam ? 0.005f : 0.05f;
		CHECK_EQ(net_build_mlp(&a, sizes, 2, &err), 0);
		CHECK_EQ(net_build_mlp(&b, sizes, 2, &err), 0);
		net_init_weights(&a, 11);
		net_init_weights(&b, 11);
		CHECK(net_train(&a, &ds, &o, &err) > 0);
		CHECK(net_train(&b, &ds, &o, &err) > 0);
		DIAG("%s: toy accuracy %.1f%%", adam ? "adam" : "sgd",
		     net_accuracy(&a, &ds));
		CHECK(net_accuracy(&a, &ds) > 40.0);	/* chance is 10% */
		CHECK(!memcmp(a.l[0].wt.w.v, b.l[0].wt.w.v, 20 * 32 * sizeof(float)));
		net_free(&a);
		net_free(&b);
	}
	dataset_free(&ds);
}

static void test_frac_bits(void)
{
	CHECK_EQ(frac_bits_for(1.0, 1.0), 14);
	CHECK_EQ(frac_bits_for(0.9, 1.0), 15);
	CHECK_EQ(frac_bits_for(100.0, 1.0), 8);
	CHECK_EQ(frac_bits_for(1e9, 1.0), 0);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_kmeans_planted_clusters),
	TAP_TEST(test_kmeans_linear_init),
	TAP_TEST(test_mask_held_during_retraining),
	TAP_TEST(test_every_weight_is_its_centroid),
	TAP_TEST(test_optimizers_and_seed),
	TAP_TEST(test_frac_bits),
};

TAP_MAIN(tests)
