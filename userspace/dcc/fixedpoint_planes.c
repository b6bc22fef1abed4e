// SPDX-License-Identifier: MIT
/*
 * A bit-plane network's layers in the device's fixed point (model-format.rst,
 * "Version 3"): each quantizer a QUANT layer, its thresholds at the
 * format of the outputs it reads; each weight layer with planes a
 * BITPLANE or BITPLANE_CONV layer, its codes as planes of bits, its row
 * bases and the quantizer's basis as int16 at fraction bits that fit
 * them, the bias at their sum.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dcaccel/dcaccel_bitplane.h"
#include "../common/q15.h"
#include "fixedpoint.h"

/*
 * thr in the int16 format of the outputs: a value y of the device meets
 * a threshold when y >= thr 2^frac, which for an integer y is y >= the
 * ceiling of it (saturated: a threshold past the range is never or always
 * met, as in float).
 */
static int16_t threshold_q15(float thr, uint8_t frac)
{
	double t = ceil((double)thr * (double)(1u << frac));

	return (int16_t)fmax(-32768.0, fmin(32767.0, t));
}

int fixedpoint_quant_layer(const struct layer *nl, struct dcm_layer *l,
			   struct dcc_error *err)
{
	const struct actq *q = &nl->q;
	const uint32_t levels = 1u << q->bits;

	l->kind = DCM_QUANT;
	l->quant_bits = q->bits;
	l->a_kind = q->is_signed ? DCACCEL_PLANE_SIGNED : DCACCEL_PLANE_UNSIGNED;
	if (nl->in.h == 1 && nl->in.w == 1) {
		l->rows = l->cols = nl->in.c;
	} else {
		l->channels = nl->in.c;
		l->in_h = nl->in.h;
		l->in_w = nl->in.w;
	}
	l->thr = malloc((levels - 1) * sizeof(*l->thr));
	l->codes = malloc(levels);
	if (!l->thr || !l->codes)
		return dcc_fail(err, "out of memory");
	for (uint32_t k = 0; k + 1 < levels; k++)
		l->thr[k] = threshold_q15(q->thr[k], l->in_frac);
	memcpy(l->codes, q->code, levels);
	return 0;
}

static double max_abs(const float *v, size_t n)
{
	double m = 0;

	for (size_t k = 0; k < n; k++)
		m = fmax(m, fabs(v[k]));
	return m;
}

/*
 * Weight plane words: bit u of each weight's code, in the op's layout:
 * FC, plane u, row i, word t at (u m + i) L + t, column j in bit j % 64;
 * CONV, ((u K + k) R S + r S + s) Lc, channel c in bit c % 64 (dcc's
 * columns are c R S + r S + s, PyTorch's order).
 */
static void pack_planes(const struct layer *nl, struct dcm_layer *l)
{
	const struct weights *wt = &nl->wt;
	const uint32_t taps = nl->kind == LAYER_CONV ? (uint32_t)nl->win.kh * nl->win.kw : 1;
	const uint32_t chans = wt->cols / taps, words = DCACCEL_PLANE_WORDS(chans);

	for (uint32_t u = 0; u < wt->planes; u++)
		for (uint32_t i = 0; i < wt->rows; i++)
			for (uint32_t j = 0; j < wt->cols; j++) {
				uint32_t c = j / taps, tap = j % taps;
				size_t word = (((size_t)u * wt->rows + i) * taps + tap) * words + c / 64;

				if (wt->widx[(size_t)i * wt->cols + j] >> u & 1)
					l->wplanes[word] |= 1ull << (c % 64);
			}
}

int fixedpoint_planes_layer(const struct layer *nl, const struct layer *quant,
			    bool relu, uint32_t pes, struct dcm_layer *l,
			    struct dcc_error *err)
{
	const struct weights *wt = &nl->wt;
	double bias_max = max_abs(wt->b.v, wt->rows);
	unsigned int acc;

	if (!quant || quant->kind != LAYER_QUANT)
		return dcc_fail(err, "%s: bit-plane weights read the planes of a quantizer right before them",
				nl->name);
	if (nl->kind == LAYER_FC && (quant->in.h != 1 || quant->in.w != 1))
		return dcc_fail(err, "%s: the quantizer before it quantizes a map: put it after the flatten",
				nl->name);
	if (nl->kind == LAYER_CONV)
		fixedpoint_set_map(nl, DCM_BITPLANE_CONV, l);
	else
		l->kind = DCM_BITPLANE;
	l->rows = wt->rows;
	l->cols = nl->kind == LAYER_CONV ? nl->in.c : wt->cols;
	l->pes = pes;
	l->relu = relu;
	l->w_planes = wt->planes;
	l->a_planes = quant->q.bits;
	l->w_kind = wt->planes_signed ? DCACCEL_PLANE_SIGNED : DCACCEL_PLANE_UNSIGNED;
	l->a_kind = quant->q.is_signed ? DCACCEL_PLANE_SIGNED : DCACCEL_PLANE_UNSIGNED;
	l->bw_frac = (uint8_t)frac_bits_for(max_abs(wt->basis, (size_t)wt->rows * wt->planes), 1.0);
	l->ba_frac = (uint8_t)frac_bits_for(max_abs(quant->q.basis, quant->q.bits), 1.0);
	/* the int32 biases hold bias 2^(bw_frac + ba_frac) */
	while (l->bw_frac + l->ba_frac > 0 &&
	       bias_max * (double)(1ull << (l->bw_frac + l->ba_frac)) > 2147483647.0) {
		if (l->bw_frac >= l->ba_frac)
			l->bw_frac--;
		else
			l->ba_frac--;
	}
	acc = l->bw_frac + l->ba_frac;
	if (l->out_frac > acc)
		l->out_frac = (uint8_t)acc;
	l->wplanes = calloc(dcm_layer_plane_words(l), sizeof(*l->wplanes));
	l->w_basis = malloc((size_t)wt->rows * wt->planes * sizeof(*l->w_basis));
	l->a_basis = malloc(quant->q.bits * sizeof(*l->a_basis));
	l->bias = malloc(wt->rows * sizeof(*l->bias));
	if (!l->wplanes || !l->w_basis || !l->a_basis || !l->bias)
		return dcc_fail(err, "out of memory");
	pack_planes(nl, l);
	for (size_t k = 0; k < (size_t)wt->rows * wt->planes; k++)
		l->w_basis[k] = to_q15(wt->basis[k], l->bw_frac);
	for (uint32_t v = 0; v < quant->q.bits; v++)
		l->a_basis[v] = to_q15(quant->q.basis[v], l->ba_frac);
	for (uint32_t r = 0; r < wt->rows; r++)
		l->bias[r] = (int32_t)fmax(-2147483648.0, fmin(2147483647.0,
				nearbyint(wt->b.v[r] * (double)(1ull << acc))));
	return 0;
}
