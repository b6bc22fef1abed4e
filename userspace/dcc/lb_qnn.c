// SPDX-License-Identifier: MIT
/*
 * QNN (Hubara et al., JMLR 2017; dcc-lowbit.rst, "QNN"): k-bit uniform
 * weights and activations trained with the straight-through estimator.
 * Weights: odd multiples of a step per row, (2c - (2^k - 1)) s_r, the
 * latent weights clipped to the levels' range; activations after the
 * ReLU: 0 .. (2^k - 1) s. Both steps are fitted once to the dense
 * model's values and stay.
 */
#include "lowbit.h"

const struct planes_method lowbit_qnn_method = {
	.id = LOWBIT_QNN, .wbits = 2, .abits = 2, .sign_acts = false,
	.own_wbits = 8, .own_abits = 0,
	.project = lowbit_uniform_project,
};
