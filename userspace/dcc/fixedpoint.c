// SPDX-License-Identifier: MIT
/*
 * Fixed-point conversion. Activations are int16 with per-layer fraction
 * bits chosen from the observed range (with headroom), codebooks int16 with
 * the fraction bits that fit the largest centroid, biases int32 at
 * in_frac + w_frac as the engine adds them to its accumulator. Pooling
 * keeps its input's format.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dcaccel/dcaccel_hw.h"
#include "../common/q15.h"
#include "fixedpoint.h"

unsigned int frac_bits_for(double maxabs, double headroom)
{
	unsigned int f = DCACCEL_EIE_FRAC_MAX;

	while (f > 0 && maxabs * headroom * (double)(1u << f) > 32767.0)
		f--;
	return f;
}

/* Largest |output| of layers [0, upto) over the first 2000 images. */
static double max_abs_upto(const struct net *n, uint32_t upto,
			   const struct dataset *ds)
{
	const uint32_t total = ds->count < 2000 ? ds->count : 2000, chunk = 250;
	size_t per = shape_size(n->l[upto - 1].out);
	float *out = malloc((size_t)chunk * per * sizeof(float));
	double mx = 0;

	if (!out)
		return -1;
	for (uint32_t at = 0; at < total; at += chunk) {
		uint32_t cnt = total - at < chunk ? total - at : chunk;

		if (net_forward_upto(n, upto, ds->x + (size_t)at * ds->dim, cnt, out)) {
			free(out);
			return -1;
		}
		for (size_t k = 0; k < cnt * per; k++)
			mx = fmax(mx, fabs(out[k]));
	}
	free(out);
	return mx;
}

/* The input map and window of a conv or pool layer. */
void fixedpoint_set_map(const struct layer *nl, uint8_t kind, struct dcm_layer *l)
{
	l->kind = kind;
	l->channels = nl->in.c;
	l->in_h = nl->in.h;
	l->in_w = nl->in.w;
	l->kernel_h = nl->win.kh;
	l->kernel_w = nl->win.kw;
	l->stride_h = nl->win.sh;
	l->stride_w = nl->win.sw;
	l->pad_h = nl->win.ph;
	l->pad_w = nl->win.pw;
}

/* The device layer of an fc or conv layer of the network. */
static int weight_layer(const struct layer *nl, bool relu, uint32_t pes,
			unsigned int zbits, struct dcm_layer *l,
			struct dcc_error *err)
{
	const struct weights *wt = &nl->wt;
	double cmax = 0;
	unsigned int acc_frac;

	if (!wt->widx)
		return dcc_fail(err, "%s is not quantized: run the quantize stage first",
				nl->name);
	if (nl->kind == LAYER_CONV)
		fixedpoint_set_map(nl, DCM_CONV, l);
	l->rows = wt->rows;
	l->cols = wt->cols;
	l->pes = pes;
	l->wbits = wt->bits;
	l->zbits = (uint8_t)(zbits ? zbits : (8 - wt->bits < 2 ? 2 : 8 - wt->bits));
	l->relu = relu;
	for (uint32_t c = 1; c < wt->cb.n; c++)
		cmax = fmax(cmax, fabs(wt->cb.v[c]));
	l->w_frac = (uint8_t)frac_bits_for(cmax, 1.0);
	/* the accumulator format must not be finer than int32 biases allow */
	while (l->in_frac + l->w_frac > 30 && l->w_frac > 0)
		l->w_frac--;
	acc_frac = l->in_frac + l->w_frac;
	if (l->out_frac > acc_frac)
		l->out_frac = (uint8_t)acc_frac;
	l->codebook_len = (uint32_t)wt->cb.n;
	l->codebook = calloc(wt->cb.n, sizeof(*l->codebook));
	l->bias = calloc(wt->rows, sizeof(*l->bias));
	l->widx = malloc(wt->w.n);
	if (!l->codebook || !l->bias || !l->widx)
		return dcc_fail(err, "out of memory");
	for (uint32_t c = 1; c < wt->cb.n; c++)
		l->codebook[c] = to_q15(wt->cb.v[c], l->w_frac);
	for (uint32_t r = 0; r < wt->rows; r++) {
		double b = nearbyint(wt->b.v[r] * pow(2.0, acc_frac));

		l->bias[r] = (int32_t)fmax(-2147483648.0, fmin(2147483647.0, b));
	}
	memcpy(l->widx, wt->widx, wt->w.n);
	return 0;
}

static void pool_layer(const struct layer *nl, struct dcm_layer *l)
{
	fixedpoint_set_map(nl, DCM_POOL, l);
	l->pool_mode = nl->pool_mode == POOL_AVG_MODE ? DCACCEL_POOL_AVG :
			DCACCEL_POOL_MAX;
	l->out_frac = l->in_frac;
}

/* A bn right after a weight layer: folded into it before encoding. */
static bool folds(const struct net *n, uint32_t i)
{
	return n->l[i].kind == LAYER_BN && i > 0 && layer_has_weights(&n->l[i - 1]);
}

int fixedpoint_check(const struct net *n, struct dcc_error *err)
{
	for (uint32_t i = 0; i < n->count; i++) {
		uint32_t before = i > 0 && folds(n, i - 1) ? i - 2 : i - 1;

		if (n->l[i].kind == LAYER_BN && !folds(n, i))
			return dcc_fail(err, "%s: the device has no batch norm of its own: it must come right after an fc or conv, to be folded into it",
					n->l[i].name);
		if (n->l[i].kind == LAYER_QUANT &&
		    (i + 1 == n->count || !layer_has_weights(&n->l[i + 1]) ||
		     !n->l[i + 1].wt.planes))
			return dcc_fail(err, "%s: the device's quantizer writes planes for a bit-plane layer right after it: %s is none",
					n->l[i].name, i + 1 < n->count ? n->l[i + 1].name : "the end");
		if (n->l[i].kind == LAYER_RELU &&
		    (i == 0 || !layer_has_weights(&n->l[before])))
			return dcc_fail(err, "%s: the device applies ReLU in the fc or conv op before it, not after %s",
					n->l[i].name, i ? n->l[i - 1].name : "the input");
	}
	return 0;
}

int fixedpoint_build(const struct net *n, const struct dataset *calib,
		     uint32_t pes, unsigned int zbits, struct dcm_model *out,
		     struct dcc_error *err)
{
	uint8_t frac;
	double in_max = 0;

	memset(out, 0, sizeof(*out));
	if (fixedpoint_check(n, err))
		return -1;
	for (uint32_t i = 0; i < n->count; i++)
		if (n->l[i].kind == LAYER_BN)
			return dcc_fail(err, "%s: fold batch norm into its conv or fc first (net_fold_bn)",
					n->l[i].name);
	for (size_t k = 0; k < (size_t)calib->count * calib->dim; k++)
		in_max = fmax(in_max, fabs(calib->x[k]));
	frac = (uint8_t)frac_bits_for(in_max, 1.0);
	out->layers = calloc(n->count, sizeof(*out->layers));
	if (!out->layers)
		return dcc_fail(err, "out of memory");
	for (uint32_t i = 0; i < n->count; i++) {
		const struct layer *nl = &n->l[i];
		struct dcm_layer *l = &out->layers[out->layer_count];
		struct dcm_error de;
		bool relu = i + 1 < n->count && n->l[i + 1].kind == LAYER_RELU;
		double mx;
		int bad;

		if (nl->kind == LAYER_FLATTEN)
			continue;	/* a map is read as a vector as it is */
		out->layer_count++;
		l->in_frac = frac;
		if (nl->kind == LAYER_POOL) {
			pool_layer(nl, l);
			continue;
		}
		if (nl->kind == LAYER_QUANT) {
			if (fixedpoint_quant_layer(nl, l, err)) {
				dcm_free(out);
				return -1;
			}
			frac = 0;	/* planes: their scale is the reader's basis */
			continue;
		}
		mx = max_abs_upto(n, i + 1 + relu, calib);
		if (mx < 0) {
			dcm_free(out);
			return dcc_fail(err, "out of memory");
		}
		l->out_frac = (uint8_t)frac_bits_for(mx, 1.5);
		if (nl->wt.planes)
			bad = fixedpoint_planes_layer(nl, i ? &n->l[i - 1] : NULL,
						      relu, pes, l, err);
		else
			bad = weight_layer(nl, relu, pes, zbits, l, err) ||
			      (dcm_layer_encode(l, &de) &&
			       dcc_fail(err, "%s: %s", nl->name, de.msg));
		if (bad) {
			dcm_free(out);
			return -1;
		}
		frac = l->out_frac;
		i += relu;
	}
	return 0;
}
