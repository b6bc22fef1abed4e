// SPDX-License-Identifier: MIT
/*
 * SmartDeal (dcc-lowbit.rst, "SmartDeal"): each fc layer's weights as
 * W = C B in blocks of r inputs, w_{i,b} = c_{i,b} B, so that y = W x = C z
 * with z_b = B x_b. The network gets two fc layers for each of its own: a
 * block-diagonal one holding the small basis B (its r * r values shared
 * weights, trained as centroids) and the large one holding C, sparse, its
 * non-zeros powers of two (latent weights, projected after every step).
 * B starts as the principal directions of W's row blocks, so that C = W V
 * holds W exactly and most of its energy sits in few columns of each
 * block, the ones magnitude pruning keeps.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcaccel/dcaccel_eie.h"
#include "lowbit.h"

/*
 * The powers of two an int16 codebook holds exactly at any fraction bits
 * fixedpoint.c may pick: 2^-15 at the finest, 2^14 at the largest.
 */
#define SD_EXP_MIN	(-(int)DCACCEL_EIE_FRAC_MAX)
#define SD_EXP_MAX	14

uint32_t lowbit_sd_block(uint32_t cols, uint32_t want)
{
	if (want > LOWBIT_SD_BLOCK_MAX)
		want = LOWBIT_SD_BLOCK_MAX;
	for (uint32_t r = want; r >= LOWBIT_SD_BLOCK_MIN; r--)
		if (cols % r == 0)
			return r;
	return 0;
}

/*
 * The eigenvectors of the symmetric n x n matrix a into the columns of v,
 * by cyclic Jacobi rotations; a ends diagonal, its eigenvalues there. n is
 * at most 15: a handful of sweeps, no library.
 */
static void jacobi(double *a, double *v, uint32_t n)
{
	memset(v, 0, (size_t)n * n * sizeof(*v));
	for (uint32_t i = 0; i < n; i++)
		v[i * n + i] = 1;
	for (int sweep = 0; sweep < 100; sweep++) {
		double off = 0, diag = 0;

		for (uint32_t p = 0; p < n; p++) {
			diag += a[p * n + p] * a[p * n + p];
			for (uint32_t q = p + 1; q < n; q++)
				off += a[p * n + q] * a[p * n + q];
		}
		if (off <= 1e-30 * diag)
			break;
		for (uint32_t p = 0; p < n; p++)
			for (uint32_t q = p + 1; q < n; q++) {
				double apq = a[p * n + q], theta, t, c, s;

				if (apq == 0)
					continue;
				/* the rotation that zeroes a_pq, its smaller angle */
				theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
				t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
				c = 1 / sqrt(t * t + 1);
				s = t * c;
				for (uint32_t k = 0; k < n; k++) {
					double kp = a[k * n + p], kq = a[k * n + q];

					a[k * n + p] = c * kp - s * kq;
					a[k * n + q] = s * kp + c * kq;
				}
				for (uint32_t k = 0; k < n; k++) {
					double pk = a[p * n + k], qk = a[q * n + k];

					a[p * n + k] = c * pk - s * qk;
					a[q * n + k] = s * pk + c * qk;
				}
				for (uint32_t k = 0; k < n; k++) {
					double kp = v[k * n + p], kq = v[k * n + q];

					v[k * n + p] = c * kp - s * kq;
					v[k * n + q] = s * kp + c * kq;
				}
			}
	}
}

int lowbit_sd_basis(const float *w, uint32_t rows, uint32_t cols, uint32_t r,
		    float *basis, float *c)
{
	enum { R = LOWBIT_SD_BLOCK_MAX };
	double g[R * R] = { 0 }, v[R * R];
	uint32_t order[R];

	if (r < 1 || r > R || cols % r)
		return -1;
	/* the Gram matrix of all row blocks: rows cols / r samples of r */
	for (uint32_t i = 0; i < rows; i++)
		for (uint32_t b = 0; b < cols; b += r) {
			const float *x = w + (size_t)i * cols + b;

			for (uint32_t p = 0; p < r; p++)
				for (uint32_t q = 0; q < r; q++)
					g[p * r + q] += (double)x[p] * x[q];
		}
	jacobi(g, v, r);
	/* the directions by falling variance (selection: r is small) */
	for (uint32_t p = 0; p < r; p++)
		order[p] = p;
	for (uint32_t p = 0; p < r; p++)
		for (uint32_t q = p + 1; q < r; q++)
			if (g[order[q] * r + order[q]] > g[order[p] * r + order[p]]) {
				uint32_t t = order[p];

				order[p] = order[q];
				order[q] = t;
			}
	/* B = V^T, each row signed so that its largest entry is positive */
	for (uint32_t p = 0; p < r; p++) {
		uint32_t big = 0;

		for (uint32_t q = 1; q < r; q++)
			if (fabs(v[q * r + order[p]]) > fabs(v[big * r + order[p]]))
				big = q;
		for (uint32_t q = 0; q < r; q++)
			basis[p * r + q] = (float)(v[big * r + order[p]] < 0 ?
						   -v[q * r + order[p]] : v[q * r + order[p]]);
	}
	/* C = W V block by block, with the basis as stored: W = C B */
	for (uint32_t i = 0; i < rows; i++)
		for (uint32_t b = 0; b < cols; b += r) {
			const float *x = w + (size_t)i * cols + b;

			for (uint32_t p = 0; p < r; p++) {
				double sum = 0;

				for (uint32_t q = 0; q < r; q++)
					sum += (double)x[q] * basis[p * r + q];
				c[(size_t)i * cols + b + p] = (float)sum;
			}
		}
	return 0;
}

/* Index bits of a codebook of `entries` values. */
static uint8_t index_bits(size_t entries)
{
	uint8_t b = 1;

	while (((size_t)1 << b) < entries)
		b++;
	return b;
}

/* The description with fc<cols> before every fc: its basis layer. */
static int sd_spec(const struct net *n, char *out, size_t len,
		   struct dcc_error *err)
{
	char desc[NET_SPEC_MAX], *save = NULL, *tok;
	size_t at;

	net_describe(n, desc, sizeof(desc));
	tok = strtok_r(desc, ",", &save);
	at = (size_t)snprintf(out, len, "%s", tok ? tok : "");
	for (uint32_t i = 0; i < n->count; i++) {
		int w;

		tok = strtok_r(NULL, ",", &save);
		if (!tok)
			break;
		if (n->l[i].kind == LAYER_FC)
			w = snprintf(out + at, len - at, ",fc%u,%s", n->l[i].wt.cols, tok);
		else
			w = snprintf(out + at, len - at, ",%s", tok);
		if (w < 0 || (size_t)w >= len - at)
			return dcc_fail(err, "smartdeal: network '%s' with its basis layers is longer than %zu characters",
					n->spec, len - 1);
		at += (size_t)w;
	}
	return 0;
}

/*
 * The basis layer: block-diagonal, each diagonal block B, its weights
 * shared (index 1 + p r + q for B_pq, 0 off the blocks, masked too).
 */
static int fill_basis(struct weights *wt, const float *basis, uint32_t r)
{
	wt->widx = calloc(wt->w.n, 1);
	wt->mask = calloc(wt->w.n, 1);
	if (!wt->widx || !wt->mask)
		return -1;
	wt->cb.n = (size_t)r * r + 1;
	wt->bits = index_bits(wt->cb.n);
	wt->cb.v[0] = 0;
	memcpy(wt->cb.v + 1, basis, (size_t)r * r * sizeof(float));
	for (uint32_t i = 0; i < wt->rows; i++) {
		uint32_t b = i / r * r, p = i % r;

		for (uint32_t q = 0; q < r; q++) {
			size_t k = (size_t)i * wt->cols + b + q;

			wt->widx[k] = (uint8_t)(1 + p * r + q);
			wt->mask[k] = 1;
			wt->w.v[k] = basis[p * r + q];
		}
	}
	return 0;
}

/* What the method cannot split, with why; 0 when every layer splits. */
static int sd_check(const struct net *n, uint32_t block, struct dcc_error *err)
{
	for (uint32_t i = 0; i < n->count; i++) {
		const struct layer *l = &n->l[i];

		if (l->kind == LAYER_CONV)
			return dcc_fail(err, "%s: smartdeal splits fc layers only (a convolution's would be the paper's blocks of k x k, which dcc does not do)",
					l->name);
		if (l->kind == LAYER_BN || l->kind == LAYER_QUANT)
			return dcc_fail(err, "%s: smartdeal starts from a plain network (no %s layers: fold batch norm first)",
					l->name, l->kind == LAYER_BN ? "bn" : "quant");
		if (l->kind == LAYER_FC && !lowbit_sd_block(l->wt.cols, block))
			return dcc_fail(err, "%s: no block of %u to %u inputs divides its %u inputs (--sd-block)",
					l->name, LOWBIT_SD_BLOCK_MIN, block, l->wt.cols);
	}
	return 0;
}

int lowbit_sd_decompose(struct net *n, uint32_t block, struct dcc_error *err)
{
	char spec[NET_SPEC_MAX];
	struct net q;

	if (block < LOWBIT_SD_BLOCK_MIN || block > LOWBIT_SD_BLOCK_MAX)
		return dcc_fail(err, "smartdeal: blocks of %u inputs; expected %u to %u (--sd-block)",
				block, LOWBIT_SD_BLOCK_MIN, LOWBIT_SD_BLOCK_MAX);
	if (sd_check(n, block, err) || sd_spec(n, spec, sizeof(spec), err) ||
	    net_build(&q, spec, err))
		return -1;
	for (uint32_t i = 0, k = 0; i < n->count; i++) {
		const struct weights *a = &n->l[i].wt;
		struct weights *wb, *wc;
		uint32_t r;
		float basis[LOWBIT_SD_BLOCK_MAX * LOWBIT_SD_BLOCK_MAX];

		if (n->l[i].kind != LAYER_FC) {
			k++;
			continue;
		}
		wb = &q.l[k++].wt;
		wc = &q.l[k++].wt;
		r = lowbit_sd_block(a->cols, block);
		if (lowbit_sd_basis(a->w.v, a->rows, a->cols, r, basis, wc->w.v) ||
		    fill_basis(wb, basis, r)) {
			net_free(&q);
			return dcc_fail(err, "out of memory");
		}
		memcpy(wc->b.v, a->b.v, a->b.n * sizeof(float));
	}
	net_free(n);
	*n = q;
	return 0;
}

/* The exponent of the power of two nearest to a > 0 in log domain. */
static int nearest_exp(double a)
{
	return (int)floor(log2(a) + 0.5);
}

static int clamp_int(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Scratch for one row's selection: its magnitudes, selection's copy. */
struct row_scratch {
	float *mag, *sel;
	uint8_t *chosen;
};

static int scratch_alloc(struct row_scratch *rs, uint32_t cols)
{
	rs->mag = malloc((cols ? cols : 1) * sizeof(float));
	rs->sel = malloc((cols ? cols : 1) * sizeof(float));
	rs->chosen = malloc(cols ? cols : 1);
	return rs->mag && rs->sel && rs->chosen ? 0 : -1;
}

static void scratch_free(struct row_scratch *rs)
{
	free(rs->mag);
	free(rs->sel);
	free(rs->chosen);
}

/*
 * rs->chosen: row r's ceil(keep cols) largest |u|, ties to the lower
 * index; the same count in every row is C's structured sparsity.
 */
static void row_keep(const struct weights *wt, uint32_t r, struct row_scratch *rs)
{
	const float *u = wt->latent.v + (size_t)r * wt->cols;

	for (uint32_t c = 0; c < wt->cols; c++)
		rs->mag[c] = fabsf(u[c]);
	lowbit_top_k(rs->mag, wt->cols, lowbit_count(wt->keep, wt->cols), rs->sel,
		     rs->chosen);
}

void lowbit_sd_prune(struct weights *wt)
{
	struct row_scratch rs;

	/* out of memory: keep the last projection, the next step retries */
	if (!scratch_alloc(&rs, wt->cols))
		for (uint32_t r = 0; r < wt->rows; r++) {
			size_t at = (size_t)r * wt->cols;

			row_keep(wt, r, &rs);
			for (uint32_t c = 0; c < wt->cols; c++)
				wt->w.v[at + c] = rs.chosen[c] ? wt->latent.v[at + c] : 0;
		}
	scratch_free(&rs);
}

void lowbit_sd_project(struct weights *wt)
{
	/* +-2^e and the zero in 2^bits entries */
	int exps = clamp_int((int)((1u << (wt->bits < 8 ? wt->bits : 8)) - 1) / 2, 1,
			     SD_EXP_MAX - SD_EXP_MIN + 1);
	struct row_scratch rs;
	double top = 0;
	int hi, lo;

	if (scratch_alloc(&rs, wt->cols)) {
		scratch_free(&rs);
		return;
	}
	for (size_t k = 0; k < wt->w.n; k++)
		top = fmax(top, fabs(wt->latent.v[k]));
	/* the window from the layer's largest value down */
	hi = clamp_int(top > 0 ? nearest_exp(top) : 0, SD_EXP_MIN, SD_EXP_MAX);
	lo = hi - exps + 1 < SD_EXP_MIN ? SD_EXP_MIN : hi - exps + 1;
	wt->alpha = ldexpf(1.0f, hi);
	wt->cb.v[0] = 0;
	for (int e = hi, j = 0; e >= lo; e--, j++) {
		wt->cb.v[1 + 2 * j] = ldexpf(1.0f, e);
		wt->cb.v[2 + 2 * j] = -ldexpf(1.0f, e);
	}
	wt->cb.n = 1 + 2 * (size_t)(hi - lo + 1);
	for (uint32_t r = 0; r < wt->rows; r++) {
		row_keep(wt, r, &rs);
		for (uint32_t c = 0; c < wt->cols; c++) {
			size_t k = (size_t)r * wt->cols + c;
			float u = wt->latent.v[k];
			uint8_t ix = 0;

			if (rs.chosen[c] && u != 0) {
				int e = clamp_int(nearest_exp(fabsf(u)), lo, hi);

				ix = (uint8_t)(1 + 2 * (hi - e) + (u < 0));
			}
			wt->widx[k] = ix;
			wt->w.v[k] = wt->cb.v[ix];
		}
	}
	scratch_free(&rs);
}

/* The basis layer after a step: its blocks' shared values, no bias. */
static void basis_sync(struct weights *wt)
{
	for (size_t k = 0; k < wt->w.n; k++)
		wt->w.v[k] = wt->cb.v[wt->widx[k]];
	memset(wt->b.v, 0, wt->rows * sizeof(float));
}

/*
 * After lowbit_sd_decompose the weight layers alternate, basis then
 * coefficients. The basis trains as weight sharing does (weights.c: the
 * gradient of B_pq is the sum over its positions, dL/dB exactly, at
 * --centroid-lr); C gets latent weights and, while the schedule prunes,
 * the pruning alone.
 */
static int sd_attach(struct net *n, uint32_t bits)
{
	for (uint32_t i = 0, j = 0; i < n->count; i++) {
		struct weights *wt = &n->l[i].wt;

		if (!layer_has_weights(&n->l[i]))
			continue;
		if (j++ % 2 == 0) {
			wt->project = basis_sync;
			continue;
		}
		free(wt->mask);
		wt->mask = NULL;
		if (lowbit_attach_layer(wt, lowbit_sd_prune, NULL, 0))
			return -1;
		wt->bits = (uint8_t)bits;
		wt->keep = 1;
	}
	return 0;
}

/* The coefficient layers: weight layers 1, 3, 5... (C of layer j is 2 j + 1). */
static bool is_coef(const struct net *n, uint32_t i, uint32_t *j)
{
	return layer_has_weights(&n->l[i]) && (*j)++ % 2;
}

int lowbit_smartdeal(struct net *n, const struct lowbit_opts *lo,
		     const struct train_opts *t, const struct dataset *train,
		     struct dcc_error *err)
{
	uint32_t steps = lo->steps ? lo->steps : 1;

	if (lo->sd_bits < LOWBIT_SD_BITS_MIN || lo->sd_bits > LOWBIT_SD_BITS_MAX)
		return dcc_fail(err, "smartdeal: %u index bits; expected %u to %u (--sd-bits)",
				lo->sd_bits, LOWBIT_SD_BITS_MIN, LOWBIT_SD_BITS_MAX);
	if (lowbit_sd_decompose(n, lo->sd_block, err))
		return -1;
	if (sd_attach(n, lo->sd_bits))
		return dcc_fail(err, "out of memory");
	/* 1. C pruned in full precision, row by row, on the schedule */
	for (uint32_t s = 1; s <= steps; s++) {
		for (uint32_t i = 0, j = 0; i < n->count; i++)
			if (is_coef(n, i, &j))
				n->l[i].wt.keep = lowbit_schedule(1.0, lowbit_keep(lo, j / 2 - 1),
								  s, steps);
		lowbit_project_all(n);
		if (lowbit_run(n, lo, t, lo->epochs, "smartdeal prune", train, err))
			return -1;
	}
	/* 2. powers of two, training going on from them (as HQ's reinit) */
	for (uint32_t i = 0, j = 0; i < n->count; i++) {
		struct weights *wt = &n->l[i].wt;

		if (!is_coef(n, i, &j))
			continue;
		wt->project = lowbit_sd_project;
		lowbit_sd_project(wt);
		memcpy(wt->latent.v, wt->w.v, wt->w.n * sizeof(float));
	}
	/* 3. trained as powers of two */
	if (lowbit_run(n, lo, t, lo->final_epochs, "smartdeal pow2", train, err))
		return -1;
	lowbit_project_all(n);
	return 0;
}
