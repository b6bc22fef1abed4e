// SPDX-License-Identifier: MIT
/*
 * LQ-Nets (Zhang et al., ECCV 2018; dcc-lowbit.rst, "LQ-Nets"): learned
 * quantizers. A k-bit quantizer's levels are a basis v dotted with the
 * codes' bits, and v is trained with the network by quantization error
 * minimization: codes = the nearest levels, then v = the least-squares
 * basis for those codes. Weights have a basis per output channel (one
 * step after every optimizer step); activations one per layer, each
 * training batch's least-squares basis entering a moving average.
 */
#include <stdlib.h>

#include "lowbit.h"

#define QEM_CALIB_ROUNDS	10
#define QEM_MOMENTUM		0.9f	/* the activations' moving average */

/* One QEM step on x under q's basis: the codes, then their LS basis. */
static int qem_step(struct actq *q, const float *x, size_t n, uint8_t *codes,
		    float *basis)
{
	for (size_t i = 0; i < n; i++)
		codes[i] = q->code[quant_level_of(q, x[i])];
	return lowbit_ls_basis(x, codes, n, q->bits, q->is_signed, basis);
}

static void lq_project(struct weights *wt)
{
	uint8_t *codes = malloc(wt->cols ? wt->cols : 1);
	struct actq row;

	row.bits = wt->planes;
	row.is_signed = wt->planes_signed;
	for (uint32_t r = 0; codes && r < wt->rows; r++) {
		float *b = wt->basis + (size_t)r * wt->planes;

		for (uint32_t j = 0; j < wt->planes; j++)
			row.basis[j] = b[j];
		quant_set_levels(&row);
		/* a singular system (a row all on one code) keeps its basis */
		qem_step(&row, wt->latent.v + (size_t)r * wt->cols, wt->cols,
			 codes, b);
	}
	free(codes);
	lowbit_planes_assign(wt);
}

static void lq_calibrate(struct actq *q, const float *x, size_t n)
{
	uint8_t *codes = malloc(n ? n : 1);

	lowbit_uniform_fit(x, n, q->bits, q->is_signed, q->basis);
	quant_set_levels(q);
	for (int round = 0; codes && round < QEM_CALIB_ROUNDS; round++) {
		if (qem_step(q, x, n, codes, q->basis))
			break;
		quant_set_levels(q);
	}
	free(codes);
}

static void lq_update(struct actq *q, const float *x, size_t n)
{
	uint8_t *codes = malloc(n ? n : 1);
	float v[QUANT_BITS_MAX];

	if (codes && !qem_step(q, x, n, codes, v))
		for (uint32_t j = 0; j < q->bits; j++)
			q->basis[j] = QEM_MOMENTUM * q->basis[j] +
				      (1 - QEM_MOMENTUM) * v[j];
	free(codes);
}

const struct planes_method lowbit_lq_method = {
	.id = LOWBIT_LQ, .wbits = 2, .abits = 2, .sign_acts = false,
	.own_wbits = 7, .own_abits = 7,
	.project = lq_project, .calibrate = lq_calibrate, .update = lq_update,
};
