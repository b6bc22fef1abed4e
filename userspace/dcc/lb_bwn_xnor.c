// SPDX-License-Identifier: MIT
/*
 * BWN and XNOR-Net (Rastegari et al., ECCV 2016; dcc-lowbit.rst, "BWN and
 * XNOR-Net"): binary weights alpha_r sign(u) with alpha_r the mean
 * absolute latent weight of row r, the least-squares scale of a sign
 * vector; XNOR-Net also binarizes the activations of its binary layers to
 * beta sign(x), the sign being the layer's nonlinearity.
 */
#include <math.h>

#include "lowbit.h"

/* basis_r = mean |u_r|, codes sign(u) (the level +alpha from u >= 0) */
static void binary_project(struct weights *wt)
{
	for (uint32_t r = 0; r < wt->rows; r++) {
		const float *u = wt->latent.v + (size_t)r * wt->cols;
		double sum = 0;

		for (uint32_t c = 0; c < wt->cols; c++)
			sum += fabsf(u[c]);
		wt->basis[r] = (float)(sum / wt->cols);
	}
	wt->alpha = wt->basis[0];
	lowbit_planes_assign(wt);
}

/*
 * XNOR-Net scales each input's signs by that input's own mean |x|; the
 * device has one activation basis per layer, so dcc takes the mean over
 * the calibration images, fixed afterwards.
 */
static void sign_calibrate(struct actq *q, const float *x, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += fabs(x[i]);
	q->basis[0] = n && sum > 0 ? (float)(sum / n) : 1.0f;
}

const struct planes_method lowbit_bwn_method = {
	.id = LOWBIT_BWN, .wbits = 1, .abits = 8, .sign_acts = false,
	.own_wbits = 1, .own_abits = 0,
	.project = binary_project,
};

const struct planes_method lowbit_xnor_method = {
	.id = LOWBIT_XNOR, .wbits = 1, .abits = 1, .sign_acts = true,
	.own_wbits = 1, .own_abits = 1,
	.project = binary_project, .calibrate = sign_calibrate,
};
