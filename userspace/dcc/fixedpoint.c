// SPDX-License-Identifier: MIT
/*
 * Fixed-point conversion. Activations are int16 with per-layer fraction
 * bits chosen from the observed range (with headroom), codebooks int16 with
 * the fraction bits that fit the largest centroid, biases int32 at
 * in_frac + w_frac as the engine adds them to its accumulator.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/q15.h"
#include "fixedpoint.h"

unsigned int frac_bits_for(double maxabs, double headroom)
{
	unsigned int f = DCACCEL_EIE_FRAC_MAX;

	while (f > 0 && maxabs * headroom * (double)(1u << f) > 32767.0)
		f--;
	return f;
}

static double max_abs_output(const struct mlp *m, uint32_t upto,
			     const struct dataset *ds)
{
	struct mlp head = *m;
	uint32_t n = ds->count < 2000 ? ds->count : 2000;
	float *out;
	double mx = 0;

	head.nlayers = upto + 1;
	out = malloc((size_t)n * m->l[upto].out * sizeof(float));
	if (!out)
		return 1e9;
	mlp_forward(&head, ds->x, n, out);
	for (size_t k = 0; k < (size_t)n * m->l[upto].out; k++)
		mx = fmax(mx, fabs(out[k]));
	free(out);
	return mx;
}

/* to_q15(): shared with libaccel so both quantize inputs alike. */

int fixedpoint_build(const struct mlp *m, const struct dataset *calib,
		     uint32_t pes, unsigned int zbits, struct dcm_model *out,
		     struct dcc_error *err)
{
	struct dcm_error de;
	double in_max = 0;

	memset(out, 0, sizeof(*out));
	for (size_t k = 0; k < (size_t)calib->count * calib->dim; k++)
		in_max = fmax(in_max, fabs(calib->x[k]));
	out->layers = calloc(m->nlayers, sizeof(*out->layers));
	if (!out->layers)
		return dcc_fail(err, "out of memory");
	out->layer_count = m->nlayers;
	for (uint32_t i = 0; i < m->nlayers; i++) {
		const struct fc *f = &m->l[i];
		struct dcm_layer *l = &out->layers[i];
		size_t nw = (size_t)f->in * f->out;
		double cmax = 0;
		unsigned int acc_frac;

		if (!f->widx) {
			dcm_free(out);
			return dcc_fail(err, "layer %u is not quantized: run the quantize stage first", i);
		}
		l->rows = f->out;
		l->cols = f->in;
		l->pes = pes;
		l->wbits = f->bits;
		l->zbits = (uint8_t)(zbits ? zbits :
				     (8 - f->bits < 2 ? 2 : 8 - f->bits));
		l->relu = i + 1 < m->nlayers;
		l->in_frac = (uint8_t)(i ? out->layers[i - 1].out_frac :
					   frac_bits_for(in_max, 1.0));
		l->out_frac = (uint8_t)frac_bits_for(max_abs_output(m, i, calib), 1.5);
		for (uint32_t c = 1; c < f->ncent; c++)
			cmax = fmax(cmax, fabs(f->centroid[c]));
		l->w_frac = (uint8_t)frac_bits_for(cmax, 1.0);
		/* the accumulator format must not be finer than int32 biases allow */
		while (l->in_frac + l->w_frac > 30 && l->w_frac > 0)
			l->w_frac--;
		acc_frac = l->in_frac + l->w_frac;
		if (l->out_frac > acc_frac)
			l->out_frac = (uint8_t)acc_frac;
		l->codebook_len = f->ncent;
		l->codebook = calloc(f->ncent, sizeof(*l->codebook));
		l->bias = calloc(f->out, sizeof(*l->bias));
		l->widx = malloc(nw);
		if (!l->codebook || !l->bias || !l->widx) {
			dcm_free(out);
			return dcc_fail(err, "out of memory");
		}
		for (uint32_t c = 1; c < f->ncent; c++)
			l->codebook[c] = to_q15(f->centroid[c], l->w_frac);
		for (uint32_t r = 0; r < f->out; r++) {
			double b = nearbyint(f->b[r] * pow(2.0, acc_frac));

			l->bias[r] = (int32_t)fmax(-2147483648.0, fmin(2147483647.0, b));
		}
		memcpy(l->widx, f->widx, nw);
		if (dcm_layer_encode(l, &de)) {
			dcm_free(out);
			return dcc_fail(err, "layer %u: %s", i, de.msg);
		}
	}
	return 0;
}

double fixedpoint_accuracy(const struct dcm_model *dm, const struct dataset *ds,
			   struct eie_stats *stats, struct dcc_error *err)
{
	const uint32_t chunk = 500;
	struct eie_layer view[DCM_LAYERS_MAX];
	struct eie_error ee;
	uint32_t widest = ds->dim, right = 0, classes;
	size_t ws_size = 8;
	int16_t *a = NULL, *b = NULL;
	void *ws = NULL;
	double acc = -1;

	if (dm->layers[0].cols != ds->dim) {
		dcc_fail(err, "model takes %u inputs, data has %u", dm->layers[0].cols, ds->dim);
		return -1;
	}
	for (uint32_t i = 0; i < dm->layer_count; i++) {
		dcm_layer_view(&dm->layers[i], &view[i]);
		if (eie_validate(&view[i], &ee)) {
			dcc_fail(err, "layer %u is not valid for the engine: %s", i, ee.msg);
			return -1;
		}
		if (view[i].rows > widest)
			widest = view[i].rows;
		if (eie_run_ws_size(&view[i]) > ws_size)
			ws_size = eie_run_ws_size(&view[i]);
	}
	classes = view[dm->layer_count - 1].rows;
	a = malloc((size_t)chunk * widest * sizeof(*a));
	b = malloc((size_t)chunk * widest * sizeof(*b));
	ws = aligned_alloc(8, (ws_size + 7) & ~(size_t)7);
	if (!a || !b || !ws) {
		dcc_fail(err, "out of memory");
		goto out;
	}
	for (uint32_t at = 0; at < ds->count; at += chunk) {
		uint32_t n = ds->count - at < chunk ? ds->count - at : chunk;
		int16_t *x = a, *y = b, *t;

		for (size_t k = 0; k < (size_t)n * ds->dim; k++)
			x[k] = to_q15(ds->x[(size_t)at * ds->dim + k],
				      view[0].in_frac);
		for (uint32_t i = 0; i < dm->layer_count; i++) {
			eie_run(&view[i], n, x, y, ws, stats ? &stats[i] : NULL);
			t = x;
			x = y;
			y = t;
		}
		for (uint32_t r = 0; r < n; r++) {
			const int16_t *z = x + (size_t)r * classes;
			uint32_t best = 0;

			for (uint32_t c = 1; c < classes; c++)
				if (z[c] > z[best])
					best = c;
			right += best == ds->y[at + r];
		}
	}
	acc = 100.0 * right / (ds->count ? ds->count : 1);
out:
	free(a);
	free(b);
	free(ws);
	return acc;
}
