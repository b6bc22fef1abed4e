// SPDX-License-Identifier: MIT
/*
 * Flatten: a CHW map read as a vector in the same order (hardware.rst,
 * "Feature maps and windows"), so a copy forward and backward.
 */
#include <string.h>

#include "net.h"

static int flatten_forward(struct layer *l, const float *x, float *y,
			   uint32_t count, bool train)
{
	(void)train;
	memcpy(y, x, count * shape_size(l->in) * sizeof(float));
	return 0;
}

static void flatten_backward(struct layer *l, const float *x, const float *y,
			     const float *dy, float *dx, uint32_t count)
{
	(void)x;
	(void)y;
	if (dx)
		memcpy(dx, dy, count * shape_size(l->in) * sizeof(float));
}

const struct layer_ops layer_flatten_ops = { flatten_forward, flatten_backward };
