// SPDX-License-Identifier: MIT
/*
 * The activation quantizer (net.h, struct actq; dcc-lowbit.rst, "Bit-plane
 * methods"): forward, each value to its nearest level, as the device's
 * QUANT op does it (thresholds at the midpoints, a value on a threshold
 * going up); backward, the clipped straight-through estimator.
 */
#include <stdlib.h>

#include "net.h"

void quant_set_levels(struct actq *q)
{
	const uint32_t n = 1u << q->bits;

	/* insertion sort by value, ties by code: 2^bits is at most 256 */
	for (uint32_t c = 0; c < n; c++) {
		float v = planes_value(q->basis, q->bits, q->is_signed, c);
		uint32_t at = c;

		while (at > 0 && q->level[at - 1] > v) {
			q->level[at] = q->level[at - 1];
			q->code[at] = q->code[at - 1];
			at--;
		}
		q->level[at] = v;
		q->code[at] = (uint8_t)c;
	}
	for (uint32_t l = 0; l + 1 < n; l++)
		q->thr[l] = 0.5f * (q->level[l] + q->level[l + 1]);
}

uint32_t quant_level_of(const struct actq *q, float x)
{
	uint32_t lo = 0, hi = (1u << q->bits) - 1;

	/* the first threshold above x; thresholds are non-decreasing */
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (x >= q->thr[mid])
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int quant_forward(struct layer *l, const float *x, float *y,
			 uint32_t count, bool train)
{
	struct actq *q = &l->q;
	size_t n = count * shape_size(l->in);

	if (train && q->update) {
		q->update(q, x, n);
		quant_set_levels(q);
	}
	for (size_t k = 0; k < n; k++)
		y[k] = q->level[quant_level_of(q, x[k])];
	return 0;
}

static void quant_backward(struct layer *l, const float *x, const float *y,
			   const float *dy, float *dx, uint32_t count)
{
	const struct actq *q = &l->q;
	const float lo = q->level[0], hi = q->level[(1u << q->bits) - 1];
	size_t n = count * shape_size(l->in);

	(void)y;
	for (size_t k = 0; dx && k < n; k++)
		dx[k] = x[k] >= lo && x[k] <= hi ? dy[k] : 0;
}

const struct layer_ops layer_quant_ops = { quant_forward, quant_backward };
