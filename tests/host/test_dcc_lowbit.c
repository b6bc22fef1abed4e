// SPDX-License-Identifier: MIT
/*
 * dcc's low-bit methods (dcc-lowbit.rst): selection against a sort, the
 * schedule's ends, HQ's projection, pruning and cosine term (its gradient
 * against central differences of the loss written out here), SBNN's
 * projection and standardization, a straight-through step training the
 * latent weights, both methods end to end on a small synthetic set, and a
 * three-value codebook through the .safetensors file and the encoder.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "dcc_synthetic.h"
#include "../../userspace/dcc/fixedpoint.h"
#include "../../userspace/dcc/lowbit.h"
#include "../../userspace/dcc/model_io.h"

static int cmp_desc(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x < y) - (x > y);
}

/* The k-th largest by selection is the sort's, duplicates and ends too. */
static void test_kth_largest(void)
{
	const size_t n = 1001;
	float *v = malloc(n * sizeof(float)), *sorted = malloc(n * sizeof(float));
	float *scratch = malloc(n * sizeof(float));
	uint64_t s = 5;
	int bad = 0;

	if (!v || !sorted || !scratch)
		abort();
	for (int round = 0; round < 4; round++) {
		synth_fill(v, n, &s, -1, 1);
		if (round & 1)	/* many equal values */
			for (size_t k = 0; k < n; k++)
				v[k] = roundf(v[k] * 4) / 4;
		memcpy(sorted, v, n * sizeof(float));
		qsort(sorted, n, sizeof(float), cmp_desc);
		for (size_t k = 1; k <= n; k += (k < 10 || k > n - 10) ? 1 : 97)
			bad += lowbit_kth_largest(v, n, k, scratch) != sorted[k - 1];
	}
	CHECK_EQ(bad, 0);
	CHECK(isinf(lowbit_kth_largest(v, n, 0, scratch)));
	CHECK_EQ(lowbit_kth_largest(v, n, n + 5, scratch), sorted[n - 1]);
	free(v);
	free(sorted);
	free(scratch);
}

static void test_schedule(void)
{
	double last = 2;

	CHECK(fabs(lowbit_schedule(1.0, 0.1, 0, 4) - 1.0) < 1e-12);
	CHECK(fabs(lowbit_schedule(1.0, 0.1, 4, 4) - 0.1) < 1e-12);
	/* cubic: 0.1 + 0.9 (1 - 1/4)^3 */
	CHECK(fabs(lowbit_schedule(1.0, 0.1, 1, 4) - (0.1 + 0.9 * 0.421875)) < 1e-12);
	for (uint32_t s = 0; s <= 4; s++) {
		double k = lowbit_schedule(1.0, 0.1, s, 4);

		CHECK(k < last);
		last = k;
	}
}

/* A weights block of rows x cols with latent weights, outside any net. */
static void weights_alloc(struct weights *wt, uint32_t rows, uint32_t cols,
			  uint64_t seed)
{
	uint64_t s = seed;
	size_t n = (size_t)rows * cols;

	memset(wt, 0, sizeof(*wt));
	wt->rows = rows;
	wt->cols = cols;
	wt->w.n = wt->latent.n = n;
	wt->w.v = calloc(n, sizeof(float));
	wt->w.g = calloc(n, sizeof(float));
	wt->latent.v = malloc(n * sizeof(float));
	wt->latent.g = calloc(n, sizeof(float));
	wt->cb.v = calloc(CODEBOOK_MAX, sizeof(float));
	wt->widx = calloc(n, 1);
	if (!wt->w.v || !wt->w.g || !wt->latent.v || !wt->latent.g || !wt->cb.v || !wt->widx)
		abort();
	synth_fill(wt->latent.v, n, &s, -1, 1);
}

static void weights_release(struct weights *wt)
{
	free(wt->w.v);
	free(wt->w.g);
	free(wt->latent.v);
	free(wt->latent.g);
	free(wt->cb.v);
	free(wt->widx);
	free(wt->mask);
}

/* Pruning keeps the largest |u|, as many as asked; the pruned stay. */
static void test_hq_prune_and_project(void)
{
	struct weights wt;
	const size_t n = 40 * 50;
	double sum = 0;
	size_t kept = 0, wrong = 0, regrown = 0;
	float smallest_kept = INFINITY, largest_pruned = 0;
	uint8_t *before = malloc(n);

	weights_alloc(&wt, 40, 50, 3);
	CHECK_EQ(lowbit_hq_prune(&wt, 0.3), 0);
	for (size_t k = 0; k < n; k++) {
		if (wt.mask[k]) {
			kept++;
			smallest_kept = fminf(smallest_kept, fabsf(wt.latent.v[k]));
			sum += fabsf(wt.latent.v[k]);
		} else {
			largest_pruned = fmaxf(largest_pruned, fabsf(wt.latent.v[k]));
		}
	}
	CHECK_EQ(kept, 600);
	/* pruned latent weights are zeroed: compare against a fresh draw */
	{
		struct weights ref;

		weights_alloc(&ref, 40, 50, 3);
		largest_pruned = 0;
		for (size_t k = 0; k < n; k++)
			if (!wt.mask[k])
				largest_pruned = fmaxf(largest_pruned, fabsf(ref.latent.v[k]));
		weights_release(&ref);
	}
	CHECK(largest_pruned <= smallest_kept);
	lowbit_hq_project(&wt);
	CHECK_EQ(wt.cb.n, 3);
	CHECK_EQ(wt.bits, 2);
	CHECK(wt.cb.v[0] == 0 && wt.cb.v[1] > 0 && wt.cb.v[2] == -wt.cb.v[1]);
	CHECK(fabs(wt.cb.v[1] - sum / kept) < 1e-6);
	for (size_t k = 0; k < n; k++) {
		float u = wt.latent.v[k];
		uint8_t want = !wt.mask[k] ? 0 : u > 0 ? 1 : 2;

		wrong += wt.widx[k] != want || wt.w.v[k] != wt.cb.v[want];
	}
	CHECK_EQ(wrong, 0);
	/* asking for more later does not bring pruned weights back */
	memcpy(before, wt.mask, n);
	synth_fill(wt.latent.v, n, &(uint64_t){ 11 }, -1, 1);
	CHECK_EQ(lowbit_hq_prune(&wt, 0.5), 0);
	for (size_t k = 0; k < n; k++)
		regrown += wt.mask[k] && !before[k];
	CHECK_EQ(regrown, 0);
	free(before);
	weights_release(&wt);
}

/* sum over rows of 1 - cos(u_r, t_r), t = sign(u) on the mask, written out. */
static double cos_loss(const struct weights *wt)
{
	double loss = 0;

	for (uint32_t r = 0; r < wt->rows; r++) {
		double uu = 0, tt = 0, ut = 0;

		for (uint32_t c = 0; c < wt->cols; c++) {
			size_t k = (size_t)r * wt->cols + c;
			double u = wt->latent.v[k];
			double t = wt->mask[k] && u != 0 ? (u > 0 ? 1 : -1) : 0;

			uu += wt->mask[k] ? u * u : 0;
			tt += t * t;
			ut += u * t;
		}
		if (tt > 0)
			loss += 1 - ut / (sqrt(uu) * sqrt(tt));
	}
	return loss;
}

static void test_hq_cosine_gradient(void)
{
	struct weights wt;
	const double h = 1e-3;
	int bad = 0, checked = 0;

	weights_alloc(&wt, 6, 30, 21);
	CHECK_EQ(lowbit_hq_prune(&wt, 0.6), 0);
	wt.reg = 1.0f;
	lowbit_hq_regularize(&wt);
	for (size_t k = 0; k < wt.w.n; k++) {
		float keep = wt.latent.v[k];
		double up, down, num;

		/* away from 0, where sign(u) and so t stay put */
		if (!wt.mask[k] || fabsf(keep) < 10 * h)
			continue;
		wt.latent.v[k] = keep + (float)h;
		up = cos_loss(&wt);
		wt.latent.v[k] = keep - (float)h;
		down = cos_loss(&wt);
		wt.latent.v[k] = keep;
		num = (up - down) / (2 * h);
		checked++;
		if (fabs(num - wt.latent.g[k]) > 1e-3 * fmax(1, fabs(num))) {
			if (bad++ < 3)
				DIAG("weight %zu: analytic %g, numeric %g", k, wt.latent.g[k], num);
		}
	}
	CHECK(checked > 50);
	CHECK_EQ(bad, 0);
	/* the term's own minimum: one magnitude in every row, gradient 0 */
	for (size_t k = 0; k < wt.w.n; k++) {
		wt.latent.v[k] = wt.latent.v[k] > 0 ? 0.5f : -0.5f;
		wt.latent.g[k] = 0;
	}
	lowbit_hq_regularize(&wt);
	for (size_t k = 0; k < wt.w.n; k++)
		bad += fabsf(wt.latent.g[k]) > 1e-6f;
	CHECK_EQ(bad, 0);
	weights_release(&wt);
}

static void test_sbnn_project(void)
{
	struct weights wt;
	const size_t n = 30 * 40;
	size_t ones = 0, wrong = 0;
	double sum = 0;
	float smallest_one = INFINITY, largest_zero = -INFINITY;

	weights_alloc(&wt, 30, 40, 8);
	wt.keep = 0.15;
	lowbit_sbnn_project(&wt);
	CHECK_EQ(wt.cb.n, 2);
	CHECK_EQ(wt.bits, 1);
	CHECK(wt.cb.v[0] == 0 && wt.cb.v[1] > 0);
	for (size_t k = 0; k < n; k++) {
		if (wt.widx[k]) {
			ones++;
			sum += wt.latent.v[k];
			smallest_one = fminf(smallest_one, wt.latent.v[k]);
		} else {
			largest_zero = fmaxf(largest_zero, wt.latent.v[k]);
		}
		wrong += wt.w.v[k] != wt.cb.v[wt.widx[k]];
	}
	CHECK_EQ(ones, 180);
	CHECK_EQ(wrong, 0);
	/* the ones are the largest signed values, not the largest magnitudes */
	CHECK(largest_zero < smallest_one);
	CHECK(fabs(wt.cb.v[1] - sum / ones) < 1e-6);
	/* a layer of negative weights still gets a positive scale */
	for (size_t k = 0; k < n; k++)
		wt.latent.v[k] = -fabsf(wt.latent.v[k]) - 0.1f;
	lowbit_sbnn_project(&wt);
	CHECK(wt.cb.v[1] > 0);
	weights_release(&wt);
}

/*
 * Standardizing gives every layer the target's variance and every channel
 * its mean output again, layer after layer (the later layers' inputs move
 * with the earlier layers' correction).
 */
static void test_standardize(void)
{
	struct dataset ds;
	struct net n;
	struct lowbit_stats dense, now;
	double worst_mean = 0, worst_var = 0, before = 0;

	synth_dataset(&ds, 200, 32, 4, 0.3f);
	synth_dense_net(&n, SYNTH_MLP, &ds, 2);
	CHECK_EQ(lowbit_layer_stats(&n, &ds, 100, &dense), 0);
	CHECK_EQ(lowbit_attach(&n, lowbit_sbnn_project, NULL, 0), 0);
	for (uint32_t i = 0; i < n.count; i++)
		n.l[i].wt.keep = 0.3;
	lowbit_project_all(&n);
	CHECK_EQ(lowbit_layer_stats(&n, &ds, 100, &now), 0);
	for (uint32_t i = 0; i < n.count; i++)
		if (dense.mean[i])
			before = fmax(before, fabs(log(now.var[i] / dense.var[i])));
	lowbit_stats_free(&now);
	CHECK_EQ(lowbit_standardize(&n, &ds, 100, &dense), 0);
	CHECK_EQ(lowbit_layer_stats(&n, &ds, 100, &now), 0);
	for (uint32_t i = 0; i < n.count; i++) {
		if (!dense.mean[i])
			continue;
		worst_var = fmax(worst_var, fabs(now.var[i] / dense.var[i] - 1));
		for (uint32_t c = 0; c < n.l[i].out.c; c++)
			worst_mean = fmax(worst_mean, fabs(dense.mean[i][c] - now.mean[i][c]));
	}
	DIAG("variance off by a factor of up to %.2f after projection; after correction: means within %g, variances within %g",
	     exp(before), worst_mean, worst_var);
	/* the projection moved them: the check below is not vacuous */
	CHECK(before > 0.1);
	CHECK(worst_mean < 1e-3);
	CHECK(worst_var < 1e-3);
	/* the codebook follows the weights: w is still cb[widx] */
	for (uint32_t i = 0; i < n.count; i++)
		for (size_t k = 0; layer_has_weights(&n.l[i]) && k < n.l[i].wt.w.n; k++)
			if (n.l[i].wt.w.v[k] != n.l[i].wt.cb.v[n.l[i].wt.widx[k]]) {
				CHECK(!"w == cb[widx]");
				break;
			}
	lowbit_stats_free(&dense);
	lowbit_stats_free(&now);
	lowbit_detach(&n);
	net_free(&n);
	dataset_free(&ds);
}

/*
 * One straight-through epoch: the latent weights move, the weights are
 * their projection after the last step, and the pruned stay zero.
 */
static void test_straight_through_step(void)
{
	struct dataset ds;
	struct net n;
	struct train_opts t;
	struct dcc_error err;
	struct weights *wt;
	float *before;
	size_t moved = 0, wrong = 0;

	synth_dataset(&ds, 200, 32, 6, 0.3f);
	synth_dense_net(&n, SYNTH_MLP, &ds, 3);
	CHECK_EQ(lowbit_attach(&n, lowbit_hq_project, lowbit_hq_regularize, 1e-3f), 0);
	wt = &n.l[0].wt;
	CHECK_EQ(lowbit_hq_prune(wt, 0.5), 0);
	CHECK_EQ(lowbit_hq_prune(&n.l[2].wt, 1.0), 0);
	CHECK_EQ(lowbit_hq_prune(&n.l[4].wt, 1.0), 0);
	lowbit_project_all(&n);
	before = malloc(wt->w.n * sizeof(float));
	memcpy(before, wt->latent.v, wt->w.n * sizeof(float));
	train_opts_default(&t);
	t.epochs = 1;
	t.batch = 32;
	CHECK(net_train(&n, &ds, &t, &err) >= 0);
	for (size_t k = 0; k < wt->w.n; k++) {
		moved += wt->latent.v[k] != before[k];
		wrong += wt->w.v[k] != wt->cb.v[wt->widx[k]] ||
			 (!wt->mask[k] && (wt->w.v[k] != 0 || wt->latent.v[k] != 0));
	}
	CHECK(moved > wt->w.n / 4);
	CHECK_EQ(wrong, 0);
	free(before);
	lowbit_detach(&n);
	CHECK(n.l[0].wt.latent.v == NULL && n.l[0].wt.project == NULL);
	net_free(&n);
	dataset_free(&ds);
}

/* Method m on a small set: a short schedule to the given densities. */
static int small_run(struct net *n, const struct dataset *ds, enum lowbit_method m,
		     const double *keep, uint32_t nkeep, struct lowbit_opts *lo,
		     struct dcc_error *err)
{
	struct train_opts t;

	lowbit_opts_default(lo);
	lo->method = m;
	memcpy(lo->keep, keep, nkeep * sizeof(*keep));
	lo->nkeep = nkeep;
	lo->steps = 2;
	lo->epochs = 2;
	lo->final_epochs = 3;
	train_opts_default(&t);
	t.batch = 32;
	return lowbit_train(n, lo, &t, ds, err);
}

/* Each method from a dense model: its values, its density, no latent left. */
static void end_to_end(enum lowbit_method m, unsigned int values, double min_acc)
{
	struct dataset ds;
	struct net n;
	struct lowbit_opts lo;
	struct dcc_error err = { "" };
	double acc;

	synth_dataset(&ds, 300, 32, 9, 0.3f);
	synth_dense_net(&n, SYNTH_MLP, &ds, 5);
	if (small_run(&n, &ds, m, (const double[]){ 0.4, 0.5 }, 2, &lo, &err))
		DIAG("%s", err.msg);
	acc = net_accuracy(&n, &ds);
	DIAG("%s: train accuracy %.1f%%", lowbit_method_name(m), acc);
	CHECK(acc >= min_acc);
	for (uint32_t i = 0, j = 0; i < n.count; i++) {
		const struct weights *wt = &n.l[i].wt;
		size_t nz = 0, bad = 0;

		if (!layer_has_weights(&n.l[i]))
			continue;
		CHECK(wt->latent.v == NULL && wt->project == NULL);
		CHECK_EQ(wt->cb.n, values);
		for (size_t k = 0; k < wt->w.n; k++) {
			nz += wt->widx[k] != 0;
			bad += wt->widx[k] >= values || wt->w.v[k] != wt->cb.v[wt->widx[k]];
		}
		CHECK_EQ(bad, 0);
		/* the target fraction, give or take ties and zero latent weights */
		CHECK(fabs((double)nz / wt->w.n - lo.keep[j < 2 ? j : 1]) < 0.02);
		j++;
	}
	net_free(&n);
	dataset_free(&ds);
}

static void test_hq_end_to_end(void)
{
	end_to_end(LOWBIT_HQ, 3, 90);
}

static void test_sbnn_end_to_end(void)
{
	end_to_end(LOWBIT_SBNN, 2, 60);
}

/* A ternary codebook of three entries through the file and the encoder. */
static void test_three_value_codebook_file(void)
{
	char path[] = "/tmp/dcc_lowbit_XXXXXX.safetensors";
	struct dataset ds;
	struct net n, back;
	struct dcm_model dm;
	struct lowbit_opts lo;
	struct dcc_error err = { "" };
	int fd = mkstemps(path, 12);
	size_t differ = 0;

	CHECK(fd >= 0);
	close(fd);
	synth_dataset(&ds, 200, 32, 12, 0.3f);
	synth_dense_net(&n, SYNTH_MLP, &ds, 7);
	CHECK_EQ(small_run(&n, &ds, LOWBIT_HQ, (const double[]){ 0.5 }, 1, &lo, &err), 0);
	CHECK_EQ(net_save(&n, path, &err), 0);
	if (net_load(path, NULL, &back, &err)) {
		DIAG("%s", err.msg);
		CHECK(0);
		goto out;
	}
	for (uint32_t i = 0; i < n.count; i++) {
		if (!layer_has_weights(&n.l[i]))
			continue;
		CHECK_EQ(back.l[i].wt.cb.n, 3);
		CHECK_EQ(back.l[i].wt.bits, 2);
		differ += memcmp(back.l[i].wt.widx, n.l[i].wt.widx, n.l[i].wt.w.n) != 0;
		differ += memcmp(back.l[i].wt.w.v, n.l[i].wt.w.v, n.l[i].wt.w.n * sizeof(float)) != 0;
	}
	CHECK_EQ(differ, 0);
	CHECK_EQ(fixedpoint_build(&back, &ds, 4, 0, &dm, &err), 0);
	CHECK_EQ(dm.layers[0].codebook_len, 3);
	{
		double fp = net_accuracy(&back, &ds), fx = fixedpoint_accuracy(&dm, &ds, NULL, &err);

		DIAG("ternary network %.1f%%, on the datapath %.1f%%", fp, fx);
		CHECK(fx > 85 && fabs(fx - fp) < 1);
	}
	dcm_free(&dm);
	net_free(&back);
out:
	unlink(path);
	net_free(&n);
	dataset_free(&ds);
}

/*
 * Exactly ceil(keep n) values kept, at least one, ties to the lower index:
 * a layer of equal magnitudes, of zeros, and a keep that rounds to 0.
 */
static void test_ties_and_tiny_keeps(void)
{
	float v[10], scratch[10];
	uint8_t chosen[10];
	struct weights wt;
	size_t kept = 0;

	CHECK_EQ(lowbit_count(0.23, 10), 3);
	CHECK_EQ(lowbit_count(0.04, 10), 1);
	CHECK_EQ(lowbit_count(0.07, 100), 7);
	CHECK_EQ(lowbit_count(1.0, 10), 10);
	CHECK_EQ(lowbit_count(0.5, 0), 0);
	for (int i = 0; i < 10; i++)
		v[i] = 1.0f;
	CHECK_EQ(lowbit_top_k(v, 10, 3, scratch, chosen), 0);
	CHECK(chosen[0] && chosen[1] && chosen[2] && !chosen[3] && !chosen[9]);
	v[7] = 2.0f;
	CHECK_EQ(lowbit_top_k(v, 10, 3, scratch, chosen), 0);
	CHECK(chosen[7] && chosen[0] && chosen[1] && !chosen[2]);
	CHECK_EQ(lowbit_top_k(v, 10, 11, scratch, chosen), -1);

	/* HQ: equal magnitudes keep exactly their share */
	weights_alloc(&wt, 10, 10, 1);
	for (size_t k = 0; k < wt.w.n; k++)
		wt.latent.v[k] = k % 2 ? 0.5f : -0.5f;
	CHECK_EQ(lowbit_hq_prune(&wt, 0.3), 0);
	for (size_t k = 0; k < wt.w.n; k++)
		kept += wt.mask[k];
	CHECK_EQ(kept, 30);
	/* a keep that rounds to no weight still keeps one */
	CHECK_EQ(lowbit_hq_prune(&wt, 0.004), 0);
	kept = 0;
	for (size_t k = 0; k < wt.w.n; k++)
		kept += wt.mask[k];
	CHECK_EQ(kept, 1);
	lowbit_hq_project(&wt);
	CHECK(wt.cb.v[1] == 0.5f);
	weights_release(&wt);

	/* SBNN: a layer of 90% exact zeros, half kept: exactly half ones */
	weights_alloc(&wt, 100, 100, 2);
	for (size_t k = 0; k < wt.w.n; k++)
		if (k % 10)
			wt.latent.v[k] = 0;
	wt.keep = 0.5;
	lowbit_sbnn_project(&wt);
	kept = 0;
	for (size_t k = 0; k < wt.w.n; k++)
		kept += wt.widx[k];
	CHECK_EQ(kept, 5000);
	weights_release(&wt);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_kth_largest),
	TAP_TEST(test_schedule),
	TAP_TEST(test_hq_prune_and_project),
	TAP_TEST(test_hq_cosine_gradient),
	TAP_TEST(test_sbnn_project),
	TAP_TEST(test_ties_and_tiny_keeps),
	TAP_TEST(test_standardize),
	TAP_TEST(test_straight_through_step),
	TAP_TEST(test_hq_end_to_end),
	TAP_TEST(test_sbnn_end_to_end),
	TAP_TEST(test_three_value_codebook_file),
};

TAP_MAIN(tests)
