// SPDX-License-Identifier: MIT
/*
 * dcc's bit-plane methods (dcc-lowbit.rst, "Bit-plane methods"): the
 * quantizer's levels, thresholds and straight-through gradient against
 * brute force, the weights' projection onto each row's levels, the
 * least-squares basis and the uniform fit, the networks each method
 * makes, every method end to end on a small synthetic set, the file
 * round trip, the .dcm layers (planes checked bit by bit against the
 * spec's layout written out here) and the datapath agreeing with the
 * float network, and bad files refused.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "dcc_synthetic.h"
#include "../../userspace/dcc/compress.h"
#include "../../userspace/dcc/fixedpoint.h"
#include "../../userspace/dcc/lowbit.h"
#include "../../userspace/dcc/model_io.h"
#include "../../userspace/dcc/weights.h"

/* A random quantizer: bits, kind, basis in (-1, 1) or (0, 1). */
static void random_quant(struct actq *q, uint32_t bits, bool is_signed,
			 uint64_t *s)
{
	memset(q, 0, sizeof(*q));
	q->bits = (uint8_t)bits;
	q->is_signed = is_signed;
	synth_fill(q->basis, bits, s, is_signed ? -1 : 0.01f, 1);
	quant_set_levels(q);
}

/*
 * Every code once, levels ascending and each its code's value, thresholds
 * the midpoints, and every x on its nearest level (a tie going up, as the
 * device's y >= t does).
 */
static void test_quant_levels(void)
{
	uint64_t s = 11;
	size_t bad = 0, far = 0;

	for (uint32_t bits = 1; bits <= QUANT_BITS_MAX; bits++)
		for (int kind = 0; kind < 2; kind++) {
			struct actq q;
			uint32_t n = 1u << bits, seen[QUANT_LEVELS_MAX] = { 0 };

			random_quant(&q, bits, kind, &s);
			for (uint32_t l = 0; l < n; l++) {
				seen[q.code[l]]++;
				bad += q.level[l] != planes_value(q.basis, bits, kind, q.code[l]);
				bad += l && q.level[l] < q.level[l - 1];
				bad += l && q.thr[l - 1] != 0.5f * (q.level[l - 1] + q.level[l]);
			}
			for (uint32_t c = 0; c < n; c++)
				bad += seen[c] != 1;
			for (int t = 0; t < 200; t++) {
				float x;
				uint32_t lv;

				synth_fill(&x, 1, &s, -3, 3);
				lv = quant_level_of(&q, x);
				for (uint32_t l = 0; l < n; l++)
					far += fabsf(q.level[l] - x) < fabsf(q.level[lv] - x) - 1e-6f;
			}
			/* on a threshold: the level above */
			for (uint32_t l = 0; l + 1 < n; l++)
				bad += q.level[quant_level_of(&q, q.thr[l])] < q.thr[l] &&
				       q.level[l] != q.level[l + 1];
		}
	CHECK_EQ(bad, 0);
	CHECK_EQ(far, 0);
}

/* Forward: the nearest level; backward: dy inside [lowest, highest], else 0. */
static void test_quant_layer_ste(void)
{
	struct dcc_error err;
	struct net n;
	float x[64], y[64], dy[64], dx[64];
	uint64_t s = 3;
	size_t bad = 0;

	CHECK_EQ(net_build(&n, "in=64,quant2,fc10", &err), 0);
	CHECK_EQ(n.l[0].kind, LAYER_QUANT);
	CHECK_EQ(n.l[0].q.bits, 2);
	CHECK(!n.l[0].q.is_signed);
	/* until set: uniform levels 0, 1/3, 2/3, 1 */
	CHECK(fabsf(n.l[0].q.level[3] - 1.0f) < 1e-6f && n.l[0].q.level[0] == 0);
	synth_fill(x, 64, &s, -0.5f, 1.5f);
	synth_fill(dy, 64, &s, -1, 1);
	CHECK_EQ(layer_quant_ops.forward(&n.l[0], x, y, 1, true), 0);
	layer_quant_ops.backward(&n.l[0], x, y, dy, dx, 1);
	for (int k = 0; k < 64; k++) {
		float want = fminf(1, fmaxf(0, nearbyintf(x[k] * 3) / 3));

		bad += fabsf(y[k] - want) > 1e-6f;
		bad += dx[k] != (x[k] >= 0 && x[k] <= 1 ? dy[k] : 0);
	}
	CHECK_EQ(bad, 0);
	net_free(&n);
	CHECK_EQ(net_build(&n, "in=8,quant3s,fc4", &err), 0);
	CHECK(n.l[0].q.is_signed && n.l[0].q.bits == 3);
	net_free(&n);
	CHECK(net_build(&n, "in=8,quant9,fc4", &err) < 0);
	CHECK(net_build(&n, "in=8,quant0,fc4", &err) < 0);
	CHECK(net_build(&n, "in=8,quant2x,fc4", &err) < 0);
	DIAG("refused: %s", err.msg);
}

/* Exact codes and a known basis: the solve gives it back; one code: -1. */
static void test_ls_basis(void)
{
	const size_t n = 500;
	float *x = malloc(n * sizeof(float)), got[QUANT_BITS_MAX];
	uint8_t *codes = malloc(n);
	uint64_t s = 21;
	double worst = 0;

	if (!x || !codes)
		abort();
	for (uint32_t k = 1; k <= 4; k++)
		for (int kind = 0; kind < 2; kind++) {
			struct actq q;

			random_quant(&q, k, kind, &s);
			for (size_t i = 0; i < n; i++) {
				codes[i] = (uint8_t)(rng_next(&s) % (1u << k));
				x[i] = planes_value(q.basis, k, kind, codes[i]);
			}
			CHECK_EQ(lowbit_ls_basis(x, codes, n, k, kind, got), 0);
			for (uint32_t j = 0; j < k; j++)
				worst = fmax(worst, fabs(got[j] - q.basis[j]));
		}
	DIAG("largest basis error: %g", worst);
	CHECK(worst < 1e-4);
	memset(codes, 1, n);
	CHECK_EQ(lowbit_ls_basis(x, codes, n, 2, false, got), -1);
	free(x);
	free(codes);
}

/*
 * The uniform fit holds 8-bit pixels exactly (the step 1/255), and at 2
 * bits does no worse than levels reaching the maximum.
 */
static void test_uniform_fit(void)
{
	const size_t n = 4096;
	float *x = malloc(n * sizeof(float)), b[QUANT_BITS_MAX];
	uint64_t s = 8;
	double fit = 0, at_max = 0;

	if (!x)
		abort();
	for (size_t i = 0; i < n; i++)
		x[i] = (float)(rng_next(&s) % 256) / 255.0f;
	x[0] = 1.0f;
	lowbit_uniform_fit(x, n, 8, false, b);
	CHECK(fabsf(b[0] - 1.0f / 255) < 1e-7f);
	CHECK(fabsf(b[7] - 128.0f / 255) < 1e-5f);
	/* a heavy tail: the best 2-bit step stops short of the largest */
	for (size_t i = 0; i < n; i++) {
		float u;

		synth_fill(&u, 1, &s, 0, 1);
		x[i] = u * u * u;
	}
	lowbit_uniform_fit(x, n, 2, false, b);
	for (size_t i = 0; i < n; i++) {
		float s_max = 1.0f / 3, qm = fminf(3, nearbyintf(x[i] / s_max)) * s_max;
		float qf = fminf(3, nearbyintf(x[i] / b[0])) * b[0];

		fit += (x[i] - qf) * (x[i] - qf);
		at_max += (x[i] - qm) * (x[i] - qm);
	}
	DIAG("2-bit step %.4f: error %.4g against %.4g at the maximum", b[0], fit, at_max);
	CHECK(fit <= at_max && b[0] < 0.3f);
	free(x);
}

/* Each weight on its row's nearest level; its code's value is its weight. */
static void test_assign(void)
{
	struct weights wt;
	uint64_t s = 17;
	size_t bad = 0;

	memset(&wt, 0, sizeof(wt));
	wt.rows = 6;
	wt.cols = 50;
	wt.planes = 3;
	wt.planes_signed = true;
	wt.w.n = wt.latent.n = 300;
	wt.w.v = calloc(300, sizeof(float));
	wt.latent.v = malloc(300 * sizeof(float));
	wt.widx = calloc(300, 1);
	wt.basis = malloc(18 * sizeof(float));
	if (!wt.w.v || !wt.latent.v || !wt.widx || !wt.basis)
		abort();
	synth_fill(wt.latent.v, 300, &s, -1, 1);
	synth_fill(wt.basis, 18, &s, 0.05f, 0.5f);
	lowbit_planes_assign(&wt);
	for (uint32_t r = 0; r < wt.rows; r++)
		for (uint32_t c = 0; c < wt.cols; c++) {
			size_t k = (size_t)r * wt.cols + c;
			float u = wt.latent.v[k], best = INFINITY;

			for (uint32_t code = 0; code < 8; code++)
				best = fminf(best, fabsf(weights_plane_value(&wt, r, code) - u));
			bad += fabsf(fabsf(wt.w.v[k] - u) - best) > 1e-6f;
			bad += wt.w.v[k] != weights_plane_value(&wt, r, wt.widx[k]);
			bad += wt.widx[k] >= 8;
		}
	CHECK_EQ(bad, 0);
	free(wt.w.v);
	free(wt.latent.v);
	free(wt.widx);
	free(wt.basis);
}

static int small_run(struct net *n, const struct dataset *ds,
		     enum lowbit_method m, struct dcc_error *err)
{
	struct lowbit_opts lo;
	struct train_opts t;

	lowbit_opts_default(&lo);
	lo.method = m;
	lo.final_epochs = 4;
	train_opts_default(&t);
	t.batch = 32;
	return lowbit_train(n, &lo, &t, ds, err);
}

/*
 * Each method from a dense model: the network it makes (a quantizer before
 * each weight layer; XNOR-Net's signs instead of the ReLU), weights that
 * are their codes' values, nothing of training left, and an accuracy.
 */
static void end_to_end(enum lowbit_method m, const char *want, double min_acc)
{
	struct dataset ds;
	struct net n;
	struct dcc_error err = { "" };
	char spec[NET_SPEC_MAX];
	double acc;

	synth_dataset(&ds, 300, 32, 9, 0.3f);
	synth_dense_net(&n, SYNTH_MLP, &ds, 5);
	if (small_run(&n, &ds, m, &err))
		DIAG("%s", err.msg);
	net_describe(&n, spec, sizeof(spec));
	DIAG("%s: %s", lowbit_method_name(m), spec);
	CHECK(!strcmp(spec, want));
	acc = net_accuracy(&n, &ds);
	DIAG("%s: train accuracy %.1f%%", lowbit_method_name(m), acc);
	CHECK(acc >= min_acc);
	for (uint32_t i = 0; i < n.count; i++) {
		const struct weights *wt = &n.l[i].wt;
		size_t bad = 0;

		if (n.l[i].kind == LAYER_QUANT)
			CHECK(n.l[i].q.update == NULL);
		if (!layer_has_weights(&n.l[i]))
			continue;
		CHECK(wt->latent.v == NULL && wt->project == NULL && wt->planes);
		for (uint32_t r = 0; r < wt->rows; r++)
			for (uint32_t c = 0; c < wt->cols; c++) {
				size_t k = (size_t)r * wt->cols + c;

				bad += wt->widx[k] >> wt->planes;
				bad += wt->w.v[k] != weights_plane_value(wt, r, wt->widx[k]);
			}
		CHECK_EQ(bad, 0);
	}
	net_free(&n);
	dataset_free(&ds);
}

static void test_bwn(void)
{
	end_to_end(LOWBIT_BWN, "in=32,quant8,fc40,relu,quant8,fc24,relu,quant8,fc10", 80);
}

static void test_xnor(void)
{
	end_to_end(LOWBIT_XNOR, "in=32,quant8,fc40,quant1s,fc24,relu,quant8,fc10", 60);
}

static void test_qnn(void)
{
	end_to_end(LOWBIT_QNN, "in=32,quant8,fc40,relu,quant2,fc24,relu,quant8,fc10", 80);
}

static void test_lq(void)
{
	end_to_end(LOWBIT_LQ, "in=32,quant8,fc40,relu,quant2,fc24,relu,quant8,fc10", 80);
}

/*
 * Bits other than the method's own: LQ-Nets at 3 bits still learns its
 * bases (no longer uniform: s 2^j), and a layer at 8 bits is uniform.
 */
static void test_lq_other_bits(void)
{
	struct dataset ds;
	struct net n;
	struct lowbit_opts lo;
	struct train_opts t;
	struct dcc_error err = { "" };
	size_t learned = 0, uniform = 0;

	synth_dataset(&ds, 300, 32, 9, 0.3f);
	synth_dense_net(&n, SYNTH_MLP, &ds, 5);
	lowbit_opts_default(&lo);
	lo.method = LOWBIT_LQ;
	lo.final_epochs = 2;
	lo.wbits[0] = 3;
	lo.wbits[1] = 8;
	lo.nwbits = 2;
	lo.abits[0] = 8;
	lo.abits[1] = 3;
	lo.nabits = 2;
	train_opts_default(&t);
	t.batch = 32;
	CHECK_EQ(lowbit_train(&n, &lo, &t, &ds, &err), 0);
	/* quant8, fc1 (3 planes), relu, quant3, fc2 (8), relu, quant3, fc3 */
	CHECK_EQ(n.l[1].wt.planes, 3);
	CHECK_EQ(n.l[3].q.bits, 3);
	for (uint32_t r = 0; r < n.l[1].wt.rows; r++) {
		const float *b = n.l[1].wt.basis + (size_t)r * 3;

		learned += fabsf(b[1] - 2 * b[0]) > 1e-4f * fabsf(b[1]);
	}
	for (uint32_t r = 0; r < n.l[4].wt.rows; r++) {
		const float *b = n.l[4].wt.basis + (size_t)r * 8;

		uniform += fabsf(b[7] - 128 * b[0]) <= 1e-4f * fabsf(b[7]);
	}
	DIAG("3-bit rows with learned bases: %zu of %u; 8-bit rows uniform: %zu of %u",
	     learned, n.l[1].wt.rows, uniform, n.l[4].wt.rows);
	CHECK(learned > n.l[1].wt.rows / 2);
	CHECK_EQ(uniform, n.l[4].wt.rows);
	CHECK(fabsf(n.l[3].q.basis[1] - 2 * n.l[3].q.basis[0]) > 1e-4f);
	net_free(&n);
	dataset_free(&ds);
}

/* Code bit u of weight (i, j) in the spec's layout (hardware.rst). */
static int fc_plane_bit(const struct dcm_layer *l, uint32_t u, uint32_t i,
			uint32_t j)
{
	const uint32_t words = (l->cols + 63) / 64;

	return l->wplanes[((size_t)u * l->rows + i) * words + j / 64] >> (j % 64) & 1;
}

static int conv_plane_bit(const struct dcm_layer *l, uint32_t u, uint32_t k,
			  uint32_t c, uint32_t r, uint32_t s)
{
	const uint32_t words = (l->channels + 63) / 64;
	size_t at = (((size_t)u * l->rows + k) * l->kernel_h * l->kernel_w +
		     r * l->kernel_w + s) * words + c / 64;

	return l->wplanes[at] >> (c % 64) & 1;
}

/*
 * A trained bit-plane network through the file (every code, basis and
 * quantizer back), then the encoder: QUANT and BITPLANE(_CONV) layers
 * whose planes hold the codes where the spec puts them, and the datapath
 * classifying as the float network does.
 */
static void round_trip(const char *dense, enum lowbit_method m, uint32_t dim,
		       double min_acc)
{
	char path[] = "/tmp/dcc_planes_XXXXXX.safetensors";
	struct dataset ds;
	struct net n, back;
	struct dcm_model dm;
	struct dcc_error err = { "" };
	int fd = mkstemps(path, 12);
	size_t differ = 0, misplaced = 0;

	CHECK(fd >= 0);
	close(fd);
	synth_dataset(&ds, 300, dim, 12, 0.3f);
	synth_dense_net(&n, dense, &ds, 7);
	CHECK_EQ(small_run(&n, &ds, m, &err), 0);
	CHECK_EQ(net_save(&n, path, &err), 0);
	if (net_load(path, NULL, &back, &err)) {
		DIAG("%s", err.msg);
		CHECK(0);
		goto out;
	}
	for (uint32_t i = 0; i < n.count; i++) {
		const struct weights *a = &n.l[i].wt, *b = &back.l[i].wt;

		if (n.l[i].kind == LAYER_QUANT)
			differ += memcmp(n.l[i].q.level, back.l[i].q.level,
					 sizeof(n.l[i].q.level)) != 0;
		if (!layer_has_weights(&n.l[i]))
			continue;
		differ += a->planes != b->planes || a->planes_signed != b->planes_signed;
		differ += memcmp(a->widx, b->widx, a->w.n) != 0;
		differ += memcmp(a->w.v, b->w.v, a->w.n * sizeof(float)) != 0;
	}
	CHECK_EQ(differ, 0);
	if (fixedpoint_build(&back, &ds, 4, 0, &dm, &err)) {
		DIAG("%s", err.msg);
		CHECK(0);
		goto free_back;
	}
	for (uint32_t i = 0, k = 0; i < back.count; i++) {
		const struct layer *nl = &back.l[i];
		const struct dcm_layer *l;

		if (nl->kind == LAYER_POOL)
			CHECK_EQ(dm.layers[k++].kind, DCM_POOL);
		if (nl->kind == LAYER_QUANT) {
			CHECK_EQ(dm.layers[k].kind, DCM_QUANT);
			CHECK_EQ(dm.layers[k].quant_bits, nl->q.bits);
			k++;
		}
		if (!layer_has_weights(nl))
			continue;
		l = &dm.layers[k++];
		CHECK_EQ(l->kind, nl->kind == LAYER_CONV ? DCM_BITPLANE_CONV : DCM_BITPLANE);
		for (uint32_t u = 0; u < l->w_planes; u++)
			for (uint32_t r = 0; r < nl->wt.rows; r++)
				for (uint32_t j = 0; j < nl->wt.cols; j++) {
					int bit = nl->wt.widx[(size_t)r * nl->wt.cols + j] >> u & 1;
					uint32_t taps = nl->win.kh * nl->win.kw, tap = j % (taps ? taps : 1);

					if (nl->kind == LAYER_CONV)
						misplaced += bit != conv_plane_bit(l, u, r, j / taps,
								tap / nl->win.kw, tap % nl->win.kw);
					else
						misplaced += bit != fc_plane_bit(l, u, r, j);
				}
	}
	CHECK_EQ(misplaced, 0);
	{
		double fp = net_accuracy(&back, &ds), fx = fixedpoint_accuracy(&dm, &ds, NULL, &err);

		DIAG("%s: float %.1f%%, on the datapath %.1f%%", lowbit_method_name(m), fp, fx);
		CHECK(fx >= min_acc && fabs(fx - fp) < 2);
	}
	dcm_free(&dm);
free_back:
	net_free(&back);
out:
	unlink(path);
	net_free(&n);
	dataset_free(&ds);
}

static void test_mlp_file_and_encode(void)
{
	round_trip(SYNTH_MLP, LOWBIT_XNOR, 32, 90);
	round_trip(SYNTH_MLP, LOWBIT_LQ, 32, 90);
}

static void test_cnn_file_and_encode(void)
{
	round_trip("in=1x6x6,conv6x3x3/p1,relu,maxpool2,conv5x3x3,relu,flatten,fc10",
		   LOWBIT_QNN, 36, 40);
}

/*
 * A trained file with one tensor changed by `edit` (found by name):
 * refused on loading, the message saying what is wrong.
 */
static void refused_file(const char *tensor, void (*edit)(struct tensor *t),
			 const char *says)
{
	char path[] = "/tmp/dcc_planes_bad_XXXXXX.safetensors";
	struct dataset ds;
	struct net n, back;
	struct tensor_set ts;
	struct dcc_error err = { "" };
	int fd = mkstemps(path, 12);

	CHECK(fd >= 0);
	close(fd);
	synth_dataset(&ds, 100, 32, 2, 0.3f);
	synth_dense_net(&n, SYNTH_MLP, &ds, 3);
	CHECK_EQ(small_run(&n, &ds, LOWBIT_QNN, &err), 0);
	CHECK_EQ(net_save(&n, path, &err), 0);
	CHECK_EQ(safetensors_load(path, &ts, &err), 0);
	for (uint32_t i = 0; i < ts.count; i++)
		if (!strcmp(ts.t[i].name, tensor))
			edit(&ts.t[i]);
	CHECK_EQ(safetensors_save(path, &ts, &err), 0);
	tensor_set_free(&ts);
	CHECK(net_load(path, NULL, &back, &err) < 0);
	DIAG("%s", err.msg);
	CHECK(strstr(err.msg, says) != NULL);
	unlink(path);
	net_free(&n);
	dataset_free(&ds);
}

static void code_too_wide(struct tensor *t)
{
	t->u8[7] = 4;	/* fc1 has 2 planes */
}

static void not_a_kind(struct tensor *t)
{
	t->u8[0] = 2;
}

static void one_column(struct tensor *t)
{
	t->shape[1] = 1;	/* [rows, 2] read as [rows * 2, 1] */
	t->shape[0] *= 2;
}

static void short_basis(struct tensor *t)
{
	t->shape[0] = t->count = 1;
}

static void test_bad_files(void)
{
	refused_file("fc1.index", code_too_wide, "has more than 2 bits");
	refused_file("fc2.planes_signed", not_a_kind, "planes_signed");
	refused_file("fc1.planes_basis", one_column, "wrong shape: planes_basis");
	refused_file("quant2.basis", short_basis, "quant2.basis: missing or wrong shape");
}

/* A quantizer must feed bit-plane weights, and bit-plane weights read one. */
static void test_encode_refusals(void)
{
	struct dataset ds;
	struct net n;
	struct dcm_model dm;
	struct dcc_error err = { "" };

	synth_dataset(&ds, 50, 8, 2, 0.3f);
	CHECK_EQ(net_build(&n, "in=8,quant2,fc10", &err), 0);
	n.l[1].wt.widx = calloc(80, 1);
	n.l[1].wt.cb.n = 2;
	n.l[1].wt.bits = 1;
	CHECK(fixedpoint_build(&n, &ds, 4, 0, &dm, &err) < 0);
	DIAG("%s", err.msg);
	CHECK(strstr(err.msg, "bit-plane layer right after it") != NULL);
	net_free(&n);
	dataset_free(&ds);
}

/* Pruning and weight sharing refuse bit planes rather than undo them. */
static void test_no_second_pass(void)
{
	const double quality[] = { 1.0 };
	const unsigned int bits[] = { 4 };
	struct dataset ds;
	struct net n;
	struct dcc_error err = { "" };
	uint8_t *codes;

	synth_dataset(&ds, 100, 32, 4, 0.3f);
	synth_dense_net(&n, SYNTH_MLP, &ds, 3);
	CHECK_EQ(small_run(&n, &ds, LOWBIT_QNN, &err), 0);
	codes = malloc(n.l[1].wt.w.n);
	if (!codes)
		abort();
	memcpy(codes, n.l[1].wt.widx, n.l[1].wt.w.n);
	CHECK(pass_prune(&n, quality, 1, 1.0, &err) < 0);
	DIAG("%s", err.msg);
	CHECK(strstr(err.msg, "nothing to prune") != NULL);
	CHECK(pass_quantize(&n, bits, 1, &err) < 0);
	CHECK(strstr(err.msg, "nothing to share") != NULL);
	CHECK(memcmp(codes, n.l[1].wt.widx, n.l[1].wt.w.n) == 0);
	free(codes);
	net_free(&n);
	dataset_free(&ds);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_quant_levels),
	TAP_TEST(test_quant_layer_ste),
	TAP_TEST(test_ls_basis),
	TAP_TEST(test_uniform_fit),
	TAP_TEST(test_assign),
	TAP_TEST(test_bwn),
	TAP_TEST(test_xnor),
	TAP_TEST(test_qnn),
	TAP_TEST(test_lq),
	TAP_TEST(test_lq_other_bits),
	TAP_TEST(test_mlp_file_and_encode),
	TAP_TEST(test_cnn_file_and_encode),
	TAP_TEST(test_bad_files),
	TAP_TEST(test_encode_refusals),
	TAP_TEST(test_no_second_pass),
};

TAP_MAIN(tests)
