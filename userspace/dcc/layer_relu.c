// SPDX-License-Identifier: MIT
/* ReLU: y = max(x, 0); the gradient passes where the output is positive. */
#include "net.h"

static int relu_forward(struct layer *l, const float *x, float *y,
			uint32_t count, bool train)
{
	size_t n = count * shape_size(l->in);

	(void)train;
	for (size_t k = 0; k < n; k++)
		y[k] = x[k] > 0 ? x[k] : 0;
	return 0;
}

static void relu_backward(struct layer *l, const float *x, const float *y,
			  const float *dy, float *dx, uint32_t count)
{
	size_t n = count * shape_size(l->in);

	(void)x;
	for (size_t k = 0; dx && k < n; k++)
		dx[k] = y[k] > 0 ? dy[k] : 0;
}

const struct layer_ops layer_relu_ops = { relu_forward, relu_backward };
