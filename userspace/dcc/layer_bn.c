// SPDX-License-Identifier: MIT
/*
 * Batch normalization (Ioffe and Szegedy) per channel of a CHW map:
 * training normalizes by the batch's statistics and moves the running
 * ones toward them; inference uses the running ones. Backward is the
 * usual closed form: with xhat the normalized input and m the values per
 * channel (batch x h x w),
 *   dgamma = sum(dy xhat), dbeta = sum(dy),
 *   dx = gamma inv_std / m (m dy - dbeta - xhat dgamma).
 */
#include <math.h>
#include <stdlib.h>

#include "net.h"

static int reserve(struct batchnorm *bn, const struct layer *l, uint32_t count)
{
	float *x, *s;

	if (count <= bn->batch_cap)
		return 0;
	x = realloc(bn->xhat, count * shape_size(l->in) * sizeof(float));
	if (x)
		bn->xhat = x;
	s = realloc(bn->inv_std, l->in.c * sizeof(float));
	if (s)
		bn->inv_std = s;
	if (!x || !s)
		return -1;
	bn->batch_cap = count;
	return 0;
}

static int bn_forward(struct layer *l, const float *x, float *y,
		      uint32_t count, bool train)
{
	struct batchnorm *bn = &l->bn;
	const size_t hw = (size_t)l->in.h * l->in.w, map = shape_size(l->in);

	if (train && reserve(bn, l, count))
		return -1;
	for (uint32_t c = 0; c < l->in.c; c++) {
		double mean = bn->mean[c], var = bn->var[c], inv;

		if (train) {
			double sum = 0, sq = 0, m = (double)count * hw;

			for (uint32_t n = 0; n < count; n++)
				for (size_t k = 0; k < hw; k++)
					sum += x[n * map + c * hw + k];
			mean = sum / m;
			for (uint32_t n = 0; n < count; n++)
				for (size_t k = 0; k < hw; k++) {
					double d = x[n * map + c * hw + k] - mean;

					sq += d * d;
				}
			var = sq / m;
			/* the running variance is the unbiased one, as PyTorch keeps it */
			bn->mean[c] = (float)((1 - BN_MOMENTUM) * bn->mean[c] + BN_MOMENTUM * mean);
			bn->var[c] = (float)((1 - BN_MOMENTUM) * bn->var[c] +
					     BN_MOMENTUM * (m > 1 ? var * m / (m - 1) : var));
		}
		inv = 1.0 / sqrt(var + BN_EPS);
		if (train)
			bn->inv_std[c] = (float)inv;
		for (uint32_t n = 0; n < count; n++)
			for (size_t k = 0; k < hw; k++) {
				size_t at = n * map + c * hw + k;
				float xh = (float)((x[at] - mean) * inv);

				if (train)
					bn->xhat[at] = xh;
				y[at] = bn->gamma.v[c] * xh + bn->beta.v[c];
			}
	}
	return 0;
}

static void bn_backward(struct layer *l, const float *x, const float *y,
			const float *dy, float *dx, uint32_t count)
{
	struct batchnorm *bn = &l->bn;
	const size_t hw = (size_t)l->in.h * l->in.w, map = shape_size(l->in);
	const double m = (double)count * hw;

	(void)x;
	(void)y;
	for (uint32_t c = 0; c < l->in.c; c++) {
		double dg = 0, db = 0, scale;

		for (uint32_t n = 0; n < count; n++)
			for (size_t k = 0; k < hw; k++) {
				size_t at = n * map + c * hw + k;

				dg += (double)dy[at] * bn->xhat[at];
				db += dy[at];
			}
		bn->gamma.g[c] = (float)dg;
		bn->beta.g[c] = (float)db;
		if (!dx)
			continue;
		scale = bn->gamma.v[c] * bn->inv_std[c] / m;
		for (uint32_t n = 0; n < count; n++)
			for (size_t k = 0; k < hw; k++) {
				size_t at = n * map + c * hw + k;

				dx[at] = (float)(scale * (m * dy[at] - db - bn->xhat[at] * dg));
			}
	}
}

const struct layer_ops layer_bn_ops = { bn_forward, bn_backward };
