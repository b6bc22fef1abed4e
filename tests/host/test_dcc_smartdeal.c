// SPDX-License-Identifier: MIT
/*
 * SmartDeal (dcc-lowbit.rst, "SmartDeal"): the block each layer takes,
 * the basis from the row blocks' principal directions holding W exactly
 * (C B == W), the network of basis and coefficient layers computing what
 * the dense one did, C's projection (the count per row, powers of two in
 * the window, each the nearest in log domain), then the method end to end
 * on a small synthetic set: the basis layers still block-diagonal, C's
 * values powers of two, and the .dcm's C codebooks powers of two in int16
 * with the datapath's accuracy the float network's. And what it refuses.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "dcc_synthetic.h"
#include "dp_energy.h"
#include "../../userspace/dcc/fixedpoint.h"
#include "../../userspace/dcc/lowbit.h"
#include "../../userspace/dcc/model_io.h"

static void test_block_choice(void)
{
	CHECK_EQ(lowbit_sd_block(784, 4), 4);
	CHECK_EQ(lowbit_sd_block(300, 4), 4);
	CHECK_EQ(lowbit_sd_block(10, 4), 2);
	CHECK_EQ(lowbit_sd_block(9, 4), 3);
	CHECK_EQ(lowbit_sd_block(9, 2), 0);
	CHECK_EQ(lowbit_sd_block(7, 4), 0);
	CHECK_EQ(lowbit_sd_block(7, 7), 7);
	CHECK_EQ(lowbit_sd_block(32, 15), 8);
	CHECK_EQ(lowbit_sd_block(225, 15), 15);
	/* past the codebook's limit: the largest that fits */
	CHECK_EQ(lowbit_sd_block(32, 16), 8);
}

/* Block b of row i of c times the basis, against w. */
static double recompose_error(const float *w, const float *c, const float *basis,
			      uint32_t rows, uint32_t cols, uint32_t r)
{
	double worst = 0;

	for (uint32_t i = 0; i < rows; i++)
		for (uint32_t b = 0; b < cols; b += r)
			for (uint32_t q = 0; q < r; q++) {
				double sum = 0;

				for (uint32_t p = 0; p < r; p++)
					sum += (double)c[(size_t)i * cols + b + p] * basis[p * r + q];
				worst = fmax(worst, fabs(sum - w[(size_t)i * cols + b + q]));
			}
	return worst;
}

/*
 * C B == W; B orthonormal; C's columns within a block uncorrelated over
 * all blocks and their energies falling (the principal directions); and
 * on blocks that mostly lie along one direction, the first holds most.
 */
static void test_basis(void)
{
	static const uint32_t blocks[] = { 2, 3, 4, 6, 12 };
	const uint32_t rows = 20, cols = 24;
	float w[20 * 24], c[20 * 24], basis[LOWBIT_SD_BLOCK_MAX * LOWBIT_SD_BLOCK_MAX];
	uint64_t s = 17;

	synth_fill(w, rows * cols, &s, -1, 1);
	for (size_t t = 0; t < sizeof(blocks) / sizeof(blocks[0]); t++) {
		uint32_t r = blocks[t];
		double gram[12 * 12] = { 0 }, ortho = 0, cross = 0, err;
		int falling = 1;

		CHECK_EQ(lowbit_sd_basis(w, rows, cols, r, basis, c), 0);
		err = recompose_error(w, c, basis, rows, cols, r);
		DIAG("blocks of %u: largest |C B - W| %g", r, err);
		CHECK(err < 1e-5);
		for (uint32_t p = 0; p < r; p++)
			for (uint32_t q = 0; q < r; q++) {
				double dot = 0;

				for (uint32_t k = 0; k < r; k++)
					dot += (double)basis[p * r + k] * basis[q * r + k];
				ortho = fmax(ortho, fabs(dot - (p == q)));
			}
		CHECK(ortho < 1e-5);
		for (uint32_t i = 0; i < rows; i++)
			for (uint32_t b = 0; b < cols; b += r)
				for (uint32_t p = 0; p < r; p++)
					for (uint32_t q = 0; q < r; q++)
						gram[p * r + q] += (double)c[(size_t)i * cols + b + p] *
								   c[(size_t)i * cols + b + q];
		for (uint32_t p = 0; p < r; p++) {
			for (uint32_t q = 0; q < r; q++)
				if (p != q)
					cross = fmax(cross, fabs(gram[p * r + q]) / gram[0]);
			if (p && gram[p * r + p] > gram[(p - 1) * r + p - 1] * (1 + 1e-9))
				falling = 0;
		}
		CHECK(cross < 1e-5);
		CHECK(falling);
	}
	CHECK_EQ(lowbit_sd_basis(w, rows, cols, 5, basis, c), -1);	/* 5 does not divide 24 */
	/* blocks along (1, 2, 3, 4) plus a little noise */
	for (uint32_t i = 0; i < rows; i++)
		for (uint32_t b = 0; b < cols; b += 4) {
			float a = rng_uniform(&s) * 2 - 1;

			for (uint32_t q = 0; q < 4; q++)
				w[(size_t)i * cols + b + q] = a * (float)(q + 1) +
							      0.01f * (rng_uniform(&s) - 0.5f);
		}
	CHECK_EQ(lowbit_sd_basis(w, rows, cols, 4, basis, c), 0);
	{
		double first = 0, all = 0;

		for (size_t k = 0; k < (size_t)rows * cols; k++) {
			all += (double)c[k] * c[k];
			if (k % 4 == 0)
				first += (double)c[k] * c[k];
		}
		DIAG("one-direction blocks: the first component holds %.5f of the energy",
		     first / all);
		CHECK(first / all > 0.999);
		/* the direction itself, (1,2,3,4)/sqrt(30), signed positive */
		for (uint32_t q = 0; q < 4; q++)
			CHECK(fabs(basis[q] - (q + 1) / sqrt(30.0)) < 1e-3);
	}
}

/* A coefficient layer outside any net, latent weights uniform in [-1, 1). */
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
	wt->latent.v = malloc(n * sizeof(float));
	wt->cb.v = calloc(CODEBOOK_MAX, sizeof(float));
	wt->widx = calloc(n, 1);
	if (!wt->w.v || !wt->latent.v || !wt->cb.v || !wt->widx)
		abort();
	synth_fill(wt->latent.v, n, &s, -1, 1);
}

static void weights_release(struct weights *wt)
{
	free(wt->w.v);
	free(wt->latent.v);
	free(wt->cb.v);
	free(wt->widx);
}

/* log2 |v| when v is +-2^e, else NAN. */
static double pow2_exp(float v)
{
	int e;
	float m = frexpf(fabsf(v), &e);

	return m == 0.5f ? e - 1 : NAN;
}

/*
 * Per row exactly ceil(keep cols) non-zeros, the row's largest |u|; each
 * +-2^e of u's sign, e within [hi - exps + 1, hi] for hi the exponent
 * nearest the layer's largest |u|, and the nearest in log domain unless
 * clamped to the window; the codebook that and w == cb[widx].
 */
static void check_projection(struct weights *wt, double keep, uint8_t bits,
			     int exps)
{
	const size_t want = lowbit_count(keep, wt->cols);
	double top = 0;
	int hi, lo, bad_count = 0, bad_order = 0, bad_value = 0, clamped = 0;

	wt->keep = keep;
	wt->bits = bits;
	lowbit_sd_project(wt);
	for (size_t k = 0; k < wt->w.n; k++)
		top = fmax(top, fabs(wt->latent.v[k]));
	hi = (int)floor(log2(top) + 0.5);
	lo = hi - exps + 1;
	CHECK_EQ(wt->cb.n, 2 * (size_t)exps + 1);
	CHECK(wt->cb.n <= (1u << bits));
	CHECK(wt->cb.v[0] == 0);
	for (size_t j = 1; j < wt->cb.n; j++) {
		double e = pow2_exp(wt->cb.v[j]);

		CHECK(!isnan(e) && e >= lo && e <= hi);
	}
	for (uint32_t r = 0; r < wt->rows; r++) {
		const float *u = wt->latent.v + (size_t)r * wt->cols;
		const float *w = wt->w.v + (size_t)r * wt->cols;
		float smallest_kept = INFINITY, largest_pruned = 0;
		size_t nz = 0;

		for (uint32_t c = 0; c < wt->cols; c++) {
			size_t k = (size_t)r * wt->cols + c;
			double e = pow2_exp(w[c]), want_e;

			bad_value += w[c] != wt->cb.v[wt->widx[k]];
			if (w[c] == 0) {
				largest_pruned = fmaxf(largest_pruned, fabsf(u[c]));
				continue;
			}
			nz++;
			smallest_kept = fminf(smallest_kept, fabsf(u[c]));
			want_e = floor(log2(fabs(u[c])) + 0.5);
			clamped += want_e < lo;
			if (want_e < lo)
				want_e = lo;
			bad_value += isnan(e) || e != want_e || (w[c] < 0) != (u[c] < 0);
		}
		bad_count += nz != want;
		bad_order += largest_pruned > smallest_kept;
	}
	DIAG("keep %.2f, %u bits: %zu of %u per row, %d values clamped to 2^%d",
	     keep, bits, want, wt->cols, clamped, lo);
	CHECK_EQ(bad_count, 0);
	CHECK_EQ(bad_order, 0);
	CHECK_EQ(bad_value, 0);
}

static void test_projection(void)
{
	struct weights wt;
	float *pow2;
	size_t bad = 0;

	weights_alloc(&wt, 30, 64, 5);
	/* pruning alone keeps what the projection keeps, at the latent values */
	wt.keep = 0.3;
	wt.bits = 4;
	lowbit_sd_project(&wt);
	pow2 = malloc(wt.w.n * sizeof(float));
	if (!pow2)
		abort();
	memcpy(pow2, wt.w.v, wt.w.n * sizeof(float));
	lowbit_sd_prune(&wt);
	for (size_t k = 0; k < wt.w.n; k++)
		bad += (pow2[k] != 0) != (wt.w.v[k] != 0) ||
		       (wt.w.v[k] != 0 && wt.w.v[k] != wt.latent.v[k]);
	CHECK_EQ(bad, 0);
	free(pow2);
	check_projection(&wt, 0.3, 4, 7);
	check_projection(&wt, 1.0, 4, 7);
	check_projection(&wt, 0.01, 4, 7);	/* still one per row */
	check_projection(&wt, 0.5, 2, 1);	/* {0, +a, -a}: a power of two */
	check_projection(&wt, 0.5, 5, 15);
	/* a large value moves the window up: the small ones clamp to its foot */
	wt.latent.v[7] = 300.0f;
	check_projection(&wt, 0.5, 3, 3);
	/* exact powers of two stay, ties in log domain go up */
	wt.latent.v[7] = 0.25f;
	wt.latent.v[8] = -0.125f;
	wt.latent.v[9] = (float)(0.5 * sqrt(2.0)) * 1.0001f;
	wt.keep = 1;
	wt.bits = 4;
	lowbit_sd_project(&wt);
	CHECK(wt.w.v[7] == 0.25f && wt.w.v[8] == -0.125f && wt.w.v[9] == 1.0f);
	/* a layer that small stays within what int16 holds: 2^-15 at least */
	for (size_t k = 0; k < wt.w.n; k++)
		wt.latent.v[k] *= 1e-6f;
	lowbit_sd_project(&wt);
	CHECK(wt.cb.n == 3 && wt.cb.v[1] == ldexpf(1.0f, -15));
	weights_release(&wt);
}

/* dst: a network of src's description and its weights and biases. */
static void copy_net(const struct net *src, struct net *dst)
{
	struct dcc_error err;

	CHECK_EQ(net_build(dst, src->spec, &err), 0);
	for (uint32_t i = 0; i < src->count; i++)
		if (layer_has_weights(&src->l[i])) {
			memcpy(dst->l[i].wt.w.v, src->l[i].wt.w.v, src->l[i].wt.w.n * sizeof(float));
			memcpy(dst->l[i].wt.b.v, src->l[i].wt.b.v, src->l[i].wt.b.n * sizeof(float));
		}
}

/* The largest |output| difference of two nets over a data set. */
static double output_difference(const struct net *a, const struct net *b,
				const struct dataset *ds)
{
	uint32_t classes = net_classes(a);
	float *ya = malloc((size_t)ds->count * classes * sizeof(float));
	float *yb = malloc((size_t)ds->count * classes * sizeof(float));
	double worst = 0;

	if (!ya || !yb || net_forward(a, ds->x, ds->count, ya) ||
	    net_forward(b, ds->x, ds->count, yb))
		abort();
	for (size_t k = 0; k < (size_t)ds->count * classes; k++)
		worst = fmax(worst, fabs(ya[k] - yb[k]));
	free(ya);
	free(yb);
	return worst;
}

/*
 * The basis layer's off-block weights 0 (index 0, masked), its blocks all
 * the same r x r matrix, its biases 0. Returns r (0 when it is not so).
 */
static uint32_t block_diagonal(const struct weights *wt)
{
	uint32_t r = (uint32_t)lrint(sqrt((double)(wt->cb.n - 1)));
	size_t bad = 0;

	if (r < 2 || (size_t)r * r + 1 != wt->cb.n || wt->rows != wt->cols ||
	    wt->cols % r || !wt->widx)
		return 0;
	for (uint32_t i = 0; i < wt->rows; i++) {
		bad += wt->b.v[i] != 0;
		for (uint32_t c = 0; c < wt->cols; c++) {
			size_t k = (size_t)i * wt->cols + c;
			bool in = i / r == c / r;
			uint32_t want = in ? 1 + i % r * r + c % r : 0;

			bad += wt->widx[k] != want || wt->w.v[k] != wt->cb.v[want] ||
			       (!in && wt->w.v[k] != 0) ||
			       (wt->mask && wt->mask[k] != in);
		}
	}
	return bad ? 0 : r;
}

/*
 * The rebuilt network: a block-diagonal basis layer before every fc,
 * blocks as lowbit_sd_block picks them, computing what the dense one did
 * (each fc's W exactly C times the blocks of B); what it refuses.
 */
static void test_decompose(void)
{
	struct dataset ds;
	struct net n, dense;
	struct dcc_error err = { "" };
	char desc[NET_SPEC_MAX];
	double diff, worst = 0;

	synth_dataset(&ds, 200, 32, 3, 0.3f);
	synth_dense_net(&n, SYNTH_MLP, &ds, 2);
	copy_net(&n, &dense);
	CHECK_EQ(lowbit_sd_decompose(&n, 4, &err), 0);
	net_describe(&n, desc, sizeof(desc));
	CHECK_STR_CONTAINS(desc, "in=32,fc32,fc40,relu,fc40,fc24,relu,fc24,fc10");
	CHECK_EQ(block_diagonal(&n.l[0].wt), 4);
	CHECK_EQ(block_diagonal(&n.l[3].wt), 4);
	CHECK_EQ(block_diagonal(&n.l[6].wt), 4);
	CHECK_EQ(n.l[0].wt.bits, 5);	/* 16 values and the zero */
	diff = output_difference(&n, &dense, &ds);
	DIAG("largest logit difference after the split: %g", diff);
	CHECK(diff < 1e-3);
	/* W == C blockdiag(B), weight for weight */
	for (uint32_t d = 0, i = 0; d < dense.count; d++) {
		const struct weights *wd = &dense.l[d].wt, *wb, *wc;

		if (dense.l[d].kind != LAYER_FC) {
			i++;
			continue;
		}
		wb = &n.l[i++].wt;
		wc = &n.l[i++].wt;
		for (uint32_t row = 0; row < wd->rows; row++)
			for (uint32_t col = 0; col < wd->cols; col++) {
				double sum = 0;

				for (uint32_t k = 0; k < wc->cols; k++)
					sum += (double)wc->w.v[(size_t)row * wc->cols + k] *
					       wb->w.v[(size_t)k * wb->cols + col];
				worst = fmax(worst, fabs(sum - wd->w.v[(size_t)row * wd->cols + col]));
			}
		CHECK(!memcmp(wc->b.v, wd->b.v, wd->rows * sizeof(float)));
	}
	DIAG("largest |C B - W| over the layers: %g", worst);
	CHECK(worst < 1e-4);
	net_free(&n);

	/* 10 inputs take blocks of 2 under --sd-block 4; 7 none at all */
	CHECK_EQ(net_build(&n, "in=10,fc12,relu,fc10", &err), 0);
	net_init_weights(&n, 1);
	CHECK_EQ(lowbit_sd_decompose(&n, 4, &err), 0);
	CHECK_EQ(block_diagonal(&n.l[0].wt), 2);
	CHECK_EQ(block_diagonal(&n.l[3].wt), 4);
	net_free(&n);
	CHECK_EQ(net_build(&n, "in=7,fc10", &err), 0);
	CHECK_EQ(lowbit_sd_decompose(&n, 4, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "fc1: no block of 2 to 4 inputs divides its 7 inputs (--sd-block)");
	CHECK_EQ(lowbit_sd_decompose(&n, 16, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "expected 2 to 15 (--sd-block)");
	net_free(&n);
	CHECK_EQ(net_build(&n, "in=1x8x8,conv4x3x3,relu,flatten,fc10", &err), 0);
	CHECK_EQ(lowbit_sd_decompose(&n, 4, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "conv1: smartdeal splits fc layers only");
	net_free(&n);
	CHECK_EQ(net_build(&n, "in=8,fc8,bn,relu,fc10", &err), 0);
	CHECK_EQ(lowbit_sd_decompose(&n, 4, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "bn1: smartdeal starts from a plain network");
	net_free(&n);
	net_free(&dense);
	dataset_free(&ds);
}

/* The method on a small set: a short schedule to the given fractions. */
static int small_run(struct net *n, const struct dataset *ds, const double *keep,
		     uint32_t nkeep, uint32_t bits, struct lowbit_opts *lo,
		     struct dcc_error *err)
{
	struct train_opts t;

	lowbit_opts_default(lo);
	lo->method = LOWBIT_SMARTDEAL;
	memcpy(lo->keep, keep, nkeep * sizeof(*keep));
	lo->nkeep = nkeep;
	lo->sd_bits = bits;
	lo->steps = 2;
	lo->epochs = 2;
	lo->final_epochs = 3;
	train_opts_default(&t);
	t.batch = 32;
	/* the basis's summed gradient: faster than fine-tuning's, to see it move */
	t.centroid_lr = 1e-3f;
	return lowbit_train(n, lo, &t, ds, err);
}

/*
 * The basis layers block-diagonal after training, their B moved (it
 * trains), C's values powers of two of the layer's window, its kept count
 * per row the target's; then the file, the fixed point and the datapath.
 */
static void test_end_to_end(void)
{
	char path[] = "/tmp/dcc_smartdeal_XXXXXX.safetensors";
	const char *spec = SYNTH_MLP;
	struct dataset ds;
	struct net n, back;
	struct dcm_model dm;
	struct lowbit_opts lo;
	struct dcc_error err = { "" };
	float before[3][17];
	double fp, fx, acc;
	int fd = mkstemps(path, 12);

	CHECK(fd >= 0);
	close(fd);
	synth_dataset(&ds, 300, 32, 9, 0.3f);
	synth_dense_net(&n, spec, &ds, 5);
	/* the basis the split starts from, to see training move it */
	{
		struct net split;

		copy_net(&n, &split);
		CHECK_EQ(lowbit_sd_decompose(&split, 4, &err), 0);
		for (uint32_t i = 0, j = 0; i < split.count; i++)
			if (layer_has_weights(&split.l[i]) && !(j++ % 2))
				memcpy(before[j / 2], split.l[i].wt.cb.v, 17 * sizeof(float));
		net_free(&split);
	}
	if (small_run(&n, &ds, (const double[]){ 0.4, 0.5 }, 2, 4, &lo, &err))
		DIAG("%s", err.msg);
	acc = net_accuracy(&n, &ds);
	DIAG("smartdeal: train accuracy %.1f%%", acc);
	CHECK(acc >= 90);
	CHECK_EQ(n.count, 8);
	for (uint32_t i = 0, j = 0; i < n.count; i++) {
		const struct weights *wt = &n.l[i].wt;
		double keep = lo.keep[j / 2 < 2 ? j / 2 : 1];
		size_t bad = 0, bad_rows = 0;

		if (!layer_has_weights(&n.l[i]))
			continue;
		CHECK(wt->latent.v == NULL && wt->project == NULL);
		if (j++ % 2 == 0) {
			CHECK_EQ(block_diagonal(wt), 4);
			CHECK(memcmp(before[j / 2], wt->cb.v, 17 * sizeof(float)) != 0);
			continue;
		}
		CHECK(wt->cb.n <= 15 && wt->bits == 4);
		for (size_t c = 1; c < wt->cb.n; c++)
			bad += isnan(pow2_exp(wt->cb.v[c]));
		for (uint32_t r = 0; r < wt->rows; r++) {
			size_t nz = 0;

			for (uint32_t c = 0; c < wt->cols; c++) {
				size_t k = (size_t)r * wt->cols + c;

				nz += wt->w.v[k] != 0;
				bad += wt->w.v[k] != wt->cb.v[wt->widx[k]] ||
				       (wt->w.v[k] != 0 && isnan(pow2_exp(wt->w.v[k])));
			}
			bad_rows += nz != lowbit_count(keep, wt->cols);
		}
		CHECK_EQ(bad, 0);
		CHECK_EQ(bad_rows, 0);
	}
	/* through the file and the encoder: C's int16 codebooks powers of two */
	CHECK_EQ(net_save(&n, path, &err), 0);
	if (net_load(path, NULL, &back, &err)) {
		DIAG("%s", err.msg);
		CHECK(0);
		goto out;
	}
	CHECK(!strcmp(back.spec, n.spec));
	CHECK(output_difference(&n, &back, &ds) == 0);
	CHECK_EQ(fixedpoint_build(&back, &ds, 4, 0, &dm, &err), 0);
	CHECK_EQ(dm.layer_count, 6);
	for (uint32_t i = 0; i < dm.layer_count; i++) {
		const struct dcm_layer *l = &dm.layers[i];
		enum dp_weight_kind kind = dp_codebook_kind(l->codebook, l->codebook_len);
		size_t bad = 0;

		CHECK_EQ(l->relu, i % 2 && i + 1 < dm.layer_count);
		if (i % 2 == 0) {
			/* the basis: 16 general values, no bias */
			CHECK_EQ(kind, DP_WEIGHTS_GENERAL);
			for (uint32_t r = 0; r < l->rows; r++)
				bad += l->bias[r] != 0;
			CHECK_EQ(bad, 0);
			continue;
		}
		CHECK_EQ(kind, DP_WEIGHTS_POW2);
		for (uint32_t c = 1; c < l->codebook_len; c++) {
			int32_t a = abs(l->codebook[c]);

			bad += a == 0 || (a & (a - 1)) != 0;
		}
		CHECK_EQ(bad, 0);
		DIAG("layer %u: C's codebook of %u, largest %d at %u fraction bits",
		     i, l->codebook_len, l->codebook[1], l->w_frac);
	}
	fp = net_accuracy(&back, &ds);
	fx = fixedpoint_accuracy(&dm, &ds, NULL, &err);
	DIAG("smartdeal network %.1f%%, on the datapath %.1f%%", fp, fx);
	CHECK(fx >= 0 && fabs(fx - fp) <= 1.5);
	dcm_free(&dm);
	net_free(&back);
out:
	unlink(path);
	net_free(&n);
	dataset_free(&ds);
}

/* Two index bits: C's values +-2^e of one e, one magnitude on the device. */
static void test_two_bits(void)
{
	struct dataset ds;
	struct net n;
	struct lowbit_opts lo;
	struct dcc_error err = { "" };

	synth_dataset(&ds, 300, 32, 11, 0.3f);
	synth_dense_net(&n, "in=32,fc40,relu,fc10", &ds, 4);
	CHECK_EQ(small_run(&n, &ds, (const double[]){ 0.5 }, 1, 2, &lo, &err), 0);
	for (uint32_t i = 0, j = 0; i < n.count; i++)
		if (layer_has_weights(&n.l[i]) && j++ % 2) {
			CHECK_EQ(n.l[i].wt.cb.n, 3);
			CHECK(n.l[i].wt.cb.v[1] == -n.l[i].wt.cb.v[2] &&
			      !isnan(pow2_exp(n.l[i].wt.cb.v[1])));
		}
	DIAG("two index bits: train accuracy %.1f%%", net_accuracy(&n, &ds));
	net_free(&n);
	dataset_free(&ds);
}

/* What lowbit_train refuses before training. */
static void test_refusals(void)
{
	struct dataset ds;
	struct net n;
	struct lowbit_opts lo;
	struct train_opts t;
	struct dcc_error err = { "" };

	synth_dataset(&ds, 50, 31, 1, 0.3f);
	train_opts_default(&t);
	lowbit_opts_default(&lo);
	lo.method = LOWBIT_SMARTDEAL;
	CHECK_EQ(net_build(&n, "in=31,fc20,relu,fc10", &err), 0);
	CHECK_EQ(lowbit_train(&n, &lo, &t, &ds, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "fc1: no block of 2 to 4 inputs divides its 31 inputs");
	net_free(&n);
	CHECK_EQ(net_build(&n, "in=31,fc20,relu,fc10", &err), 0);
	lo.sd_bits = 6;
	CHECK_EQ(lowbit_train(&n, &lo, &t, &ds, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "expected 2 to 5 (--sd-bits)");
	net_free(&n);
	dataset_free(&ds);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_block_choice),
	TAP_TEST(test_basis),
	TAP_TEST(test_projection),
	TAP_TEST(test_decompose),
	TAP_TEST(test_end_to_end),
	TAP_TEST(test_two_bits),
	TAP_TEST(test_refusals),
};

TAP_MAIN(tests)
