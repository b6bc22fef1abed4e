// SPDX-License-Identifier: MIT
/*
 * What the bit-plane methods share (dcc-lowbit.rst, "Bit-plane methods"):
 * the network gains a quantizer before every weight layer, so that each
 * weight layer reads planes of activation bits, and its weights become
 * planes of bits with a basis per row; both start from the dense model's
 * values (uniform levels fitted to them), then train with the
 * straight-through estimator. The methods differ in their bases and in
 * how those follow training (lb_bwn_xnor.c, lb_qnn.c, lb_lqnet.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lowbit.h"

/* The planes of weight layer j of `count` (the last value for the rest). */
static uint32_t pick(const uint32_t *v, uint32_t n, uint32_t j)
{
	return v[j < n ? j : n - 1];
}

/*
 * The paper's rule, first and last layers at higher precision, read for
 * these networks: the first layer's input is the image at 8 bits (which
 * holds Fashion-MNIST's pixels exactly) and the last layer, weights and
 * input, at 8 bits; the other layers at the method's bits. LeNet-300-100's
 * first layer holds 88% of its weights, so its weights are the method's.
 */
static uint32_t weight_planes(const struct planes_method *m,
			      const struct lowbit_opts *lo, uint32_t j,
			      uint32_t count)
{
	if (lo->nwbits)
		return pick(lo->wbits, lo->nwbits, j);
	return j + 1 == count ? 8 : m->wbits;
}

static uint32_t act_planes(const struct planes_method *m,
			   const struct lowbit_opts *lo, uint32_t j,
			   uint32_t count)
{
	if (lo->nabits)
		return pick(lo->abits, lo->nabits, j);
	return j == 0 || j + 1 == count ? 8 : m->abits;
}

static uint32_t weight_layers(const struct net *n)
{
	uint32_t count = 0;

	for (uint32_t i = 0; i < n->count; i++)
		count += layer_has_weights(&n->l[i]);
	return count;
}

/*
 * The description with a quantizer before each weight layer. Signs
 * (1-bit activations of a method that takes them, never the image) are
 * the nonlinearity: the ReLUs since the weight layer before go.
 */
static int planes_spec(const struct net *n, const struct planes_method *m,
		       const struct lowbit_opts *lo, char *out, size_t len,
		       struct dcc_error *err)
{
	char desc[NET_SPEC_MAX], *tok[NET_LAYERS_MAX + 1], *save = NULL;
	const char *emit[2 * NET_LAYERS_MAX + 2];
	char quant[NET_LAYERS_MAX][16];
	uint32_t ntok = 0, nemit = 0, j = 0, count = weight_layers(n);
	uint32_t since = 1;	/* emit[] index after the last weight layer */
	size_t at = 0;

	net_describe(n, desc, sizeof(desc));
	for (char *t = strtok_r(desc, ",", &save); t && ntok <= NET_LAYERS_MAX;
	     t = strtok_r(NULL, ",", &save))
		tok[ntok++] = t;
	emit[nemit++] = tok[0];	/* in=... */
	for (uint32_t i = 0; i < n->count; i++) {
		const struct layer *l = &n->l[i];

		if (l->kind == LAYER_BN || l->kind == LAYER_QUANT)
			return dcc_fail(err, "%s: a bit-plane method starts from a plain network (no %s layers: fold batch norm first)",
					l->name, l->kind == LAYER_BN ? "bn" : "quant");
		if (layer_has_weights(l)) {
			uint32_t ka = act_planes(m, lo, j, count);
			bool sign = ka == 1 && m->sign_acts && j > 0;

			if (sign) {
				uint32_t keep = since;

				for (uint32_t e = since; e < nemit; e++)
					if (strcmp(emit[e], "relu"))
						emit[keep++] = emit[e];
				nemit = keep;
			}
			snprintf(quant[j], sizeof(quant[j]), "quant%u%s", ka, sign ? "s" : "");
			emit[nemit++] = quant[j];
			emit[nemit++] = tok[i + 1];
			since = nemit;
			j++;
			continue;
		}
		emit[nemit++] = tok[i + 1];
	}
	for (uint32_t e = 0; e < nemit; e++) {
		int w = snprintf(out + at, len - at, "%s%s", e ? "," : "", emit[e]);

		if (w < 0 || (size_t)w >= len - at)
			return dcc_fail(err, "network '%s' with its quantizers is longer than %zu characters",
					n->spec, len - 1);
		at += (size_t)w;
	}
	return 0;
}

/* n rebuilt with its quantizers, the dense weights and biases carried over. */
static int insert_quantizers(struct net *n, const struct planes_method *m,
			     const struct lowbit_opts *lo, struct dcc_error *err)
{
	char spec[NET_SPEC_MAX];
	struct net q;

	if (planes_spec(n, m, lo, spec, sizeof(spec), err) || net_build(&q, spec, err))
		return -1;
	for (uint32_t i = 0, k = 0; i < n->count; i++) {
		const struct weights *a = &n->l[i].wt;
		struct weights *b;

		if (!layer_has_weights(&n->l[i]))
			continue;
		while (!layer_has_weights(&q.l[k]))
			k++;
		b = &q.l[k++].wt;
		memcpy(b->w.v, a->w.v, a->w.n * sizeof(float));
		memcpy(b->b.v, a->b.v, a->b.n * sizeof(float));
	}
	net_free(n);
	*n = q;
	return 0;
}

/* Squared error of x's uniform quantization at step s (k planes). */
static double uniform_error(const float *x, size_t n, size_t stride,
			    uint32_t k, bool is_signed, double s)
{
	const double top = (double)((1u << k) - 1);
	double e = 0;

	for (size_t i = 0; i < n; i += stride) {
		double v = x[i] / s, q;

		/* +1/-1 planes: odd multiples of s; 1/0 planes: 0 .. top */
		if (is_signed)
			q = 2 * fmin(top, fmax(0, nearbyint((v + top) / 2))) - top;
		else
			q = fmin(top, fmax(0, nearbyint(v)));
		e += (v - q) * (v - q) * s * s;
	}
	return e;
}

#define UNIFORM_GRID	32	/* steps tried, up to max |x| */
#define FIT_SAMPLES	65536	/* values they are tried on, at most */

void lowbit_uniform_fit(const float *x, size_t n, uint32_t k, bool is_signed,
			float *basis)
{
	const double top = (double)((1u << k) - 1);
	size_t stride = n > FIT_SAMPLES ? n / FIT_SAMPLES : 1;
	double mx = 0, best = INFINITY, s_best;

	for (size_t i = 0; i < n; i++)
		mx = fmax(mx, is_signed ? fabs(x[i]) : x[i]);
	s_best = mx > 0 ? mx / top : 1e-6;
	for (uint32_t g = 1; mx > 0 && g <= UNIFORM_GRID; g++) {
		double s = mx * g / UNIFORM_GRID / top;
		double e = uniform_error(x, n, stride, k, is_signed, s);

		if (e < best) {
			best = e;
			s_best = s;
		}
	}
	for (uint32_t j = 0; j < k; j++)
		basis[j] = (float)(s_best * (double)(1u << j));
}

void lowbit_planes_assign(struct weights *wt)
{
	const float *u = wt->latent.v ? wt->latent.v : wt->w.v;
	struct actq row;

	row.bits = wt->planes;
	row.is_signed = wt->planes_signed;
	for (uint32_t r = 0; r < wt->rows; r++) {
		memcpy(row.basis, wt->basis + (size_t)r * wt->planes,
		       wt->planes * sizeof(float));
		quant_set_levels(&row);
		for (uint32_t c = 0; c < wt->cols; c++) {
			size_t k = (size_t)r * wt->cols + c;
			uint32_t lv = quant_level_of(&row, u[k]);

			wt->widx[k] = row.code[lv];
			wt->w.v[k] = row.level[lv];
		}
	}
}

void lowbit_uniform_project(struct weights *wt)
{
	/* the latent weights stay within the levels' range (QNN's clip) */
	for (uint32_t r = 0; r < wt->rows && wt->latent.v; r++) {
		const float *b = wt->basis + (size_t)r * wt->planes;
		float *u = wt->latent.v + (size_t)r * wt->cols, top = 0;

		for (uint32_t j = 0; j < wt->planes; j++)
			top += b[j];
		for (uint32_t c = 0; c < wt->cols; c++)
			u[c] = fminf(top, fmaxf(-top, u[c]));
	}
	lowbit_planes_assign(wt);
}

int lowbit_ls_basis(const float *x, const uint8_t *codes, size_t n,
		    uint32_t k, bool is_signed, float *basis)
{
	double a[QUANT_BITS_MAX][QUANT_BITS_MAX + 1] = { { 0 } };

	/* the normal equations B^T B v = B^T x, b_ij the value of bit j */
	for (size_t i = 0; i < n; i++) {
		double b[QUANT_BITS_MAX];

		for (uint32_t j = 0; j < k; j++)
			b[j] = (codes[i] >> j & 1) ? 1 : is_signed ? -1 : 0;
		for (uint32_t p = 0; p < k; p++) {
			for (uint32_t q = 0; q < k; q++)
				a[p][q] += b[p] * b[q];
			a[p][k] += b[p] * x[i];
		}
	}
	/* Gaussian elimination with partial pivoting */
	for (uint32_t p = 0; p < k; p++) {
		uint32_t piv = p;

		for (uint32_t r = p + 1; r < k; r++)
			if (fabs(a[r][p]) > fabs(a[piv][p]))
				piv = r;
		if (fabs(a[piv][p]) < 1e-9 * (double)(n ? n : 1))
			return -1;
		for (uint32_t c = 0; c <= k; c++) {
			double t = a[p][c];

			a[p][c] = a[piv][c];
			a[piv][c] = t;
		}
		for (uint32_t r = 0; r < k; r++) {
			double f = a[r][p] / a[p][p];

			if (r == p)
				continue;
			for (uint32_t c = p; c <= k; c++)
				a[r][c] -= f * a[p][c];
		}
	}
	for (uint32_t j = 0; j < k; j++)
		basis[j] = (float)(a[j][k] / a[j][j]);
	return 0;
}

/* Latent weights, codes and bases: uniform levels fitted to each row. */
static int attach_planes(struct net *n, const struct planes_method *m,
			 const struct lowbit_opts *lo)
{
	uint32_t count = weight_layers(n);

	if (lowbit_attach(n, m->project, NULL, 0))
		return -1;
	for (uint32_t i = 0, j = 0; i < n->count; i++) {
		struct weights *wt = &n->l[i].wt;

		if (!layer_has_weights(&n->l[i]))
			continue;
		free(wt->mask);
		wt->mask = NULL;
		wt->planes = (uint8_t)weight_planes(m, lo, j++, count);
		wt->planes_signed = true;
		wt->bits = wt->planes;
		wt->basis = calloc((size_t)wt->rows * wt->planes, sizeof(float));
		if (!wt->basis)
			return -1;
		for (uint32_t r = 0; r < wt->rows; r++)
			lowbit_uniform_fit(wt->latent.v + (size_t)r * wt->cols, wt->cols,
					   wt->planes, true,
					   wt->basis + (size_t)r * wt->planes);
		if (wt->planes > m->own_wbits)
			wt->project = lowbit_uniform_project;
		wt->project(wt);
	}
	return 0;
}

#define CALIB_CHUNK	250

/*
 * Each quantizer fitted, from the input on, to what it gets over the
 * first LOWBIT_CALIB_IMAGES training images (the layers before it
 * already quantized): the method's own fit up to its own_abits (never
 * for the image), uniform levels otherwise; the method's update trains it from then on.
 */
static int calibrate_quantizers(struct net *n, const struct planes_method *m,
				const struct dataset *ds)
{
	uint32_t count = ds->count < LOWBIT_CALIB_IMAGES ? ds->count : LOWBIT_CALIB_IMAGES;

	for (uint32_t i = 0; i < n->count; i++) {
		struct actq *q = &n->l[i].q;
		size_t per = shape_size(n->l[i].in), total = (size_t)count * per;
		float *x;
		int ret = 0;

		if (n->l[i].kind != LAYER_QUANT)
			continue;
		x = malloc((total ? total : 1) * sizeof(float));
		if (!x)
			return -1;
		if (i == 0)
			memcpy(x, ds->x, total * sizeof(float));
		for (uint32_t at = 0; i && at < count && !ret; at += CALIB_CHUNK) {
			uint32_t cnt = count - at < CALIB_CHUNK ? count - at : CALIB_CHUNK;

			ret = net_forward_upto(n, i, ds->x + (size_t)at * ds->dim, cnt,
					       x + (size_t)at * per);
		}
		if (!ret && q->bits <= m->own_abits && m->calibrate && i) {
			m->calibrate(q, x, total);
			q->update = m->update;
		} else if (!ret) {
			lowbit_uniform_fit(x, total, q->bits, q->is_signed, q->basis);
		}
		quant_set_levels(q);
		free(x);
		if (ret)
			return -1;
	}
	return 0;
}

int lowbit_planes(struct net *n, const struct planes_method *m,
		  const struct lowbit_opts *lo, const struct train_opts *t,
		  const struct dataset *train, struct dcc_error *err)
{
	char stage[32];

	if (insert_quantizers(n, m, lo, err))
		return -1;
	if (attach_planes(n, m, lo) || calibrate_quantizers(n, m, train))
		return dcc_fail(err, "out of memory");
	snprintf(stage, sizeof(stage), "%s", lowbit_method_name(m->id));
	if (lowbit_run(n, lo, t, lo->final_epochs, stage, train, err))
		return -1;
	lowbit_project_all(n);
	for (uint32_t i = 0; i < n->count; i++)
		n->l[i].q.update = NULL;
	return 0;
}
