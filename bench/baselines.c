// SPDX-License-Identifier: MIT
#include "baselines.h"

void csr_spmv(const struct csr *a, const float *x, float *y)
{
	for (uint32_t i = 0; i < a->rows; i++) {
		float sum = 0.0f;

		for (uint32_t e = a->rowstart[i]; e < a->rowstart[i + 1]; e++)
			sum += a->val[e] * x[a->col[e]];
		y[i] = sum;
	}
}
