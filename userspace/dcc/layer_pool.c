// SPDX-License-Identifier: MIT
/*
 * Max and average pooling as the device pools (hardware.rst, "Pooling"):
 * max over the window's elements inside the map; average over R S with
 * the padding counted as zeros. Max pooling remembers each output's
 * winner for backward.
 */
#include <float.h>
#include <stdlib.h>

#include "net.h"

static int pool_forward(struct layer *l, const float *x, float *y,
			uint32_t count, bool train)
{
	const size_t in = shape_size(l->in), out = shape_size(l->out);
	const float area = (float)l->win.kh * l->win.kw;

	if (train && l->pool_mode == POOL_MAX_MODE && count > l->batch_cap) {
		uint32_t *a = realloc(l->arg, count * out * sizeof(*a));

		if (!a)
			return -1;
		l->arg = a;
		l->batch_cap = count;
	}
	for (uint32_t n = 0; n < count; n++)
		for (uint32_t c = 0; c < l->in.c; c++)
			for (uint32_t oy = 0; oy < l->out.h; oy++)
				for (uint32_t ox = 0; ox < l->out.w; ox++) {
					size_t o = n * out + ((size_t)c * l->out.h + oy) * l->out.w + ox;
					float best = -FLT_MAX, sum = 0;
					uint32_t arg = 0;

					for (uint32_t r = 0; r < l->win.kh; r++)
						for (uint32_t s = 0; s < l->win.kw; s++) {
							long iy = (long)oy * l->win.sh - l->win.ph + r;
							long ix = (long)ox * l->win.sw - l->win.pw + s;
							size_t k;

							if (iy < 0 || ix < 0 || iy >= (long)l->in.h ||
							    ix >= (long)l->in.w)
								continue;
							k = ((size_t)c * l->in.h + (size_t)iy) * l->in.w + (size_t)ix;
							sum += x[n * in + k];
							if (x[n * in + k] > best) {
								best = x[n * in + k];
								arg = (uint32_t)k;
							}
						}
					if (l->pool_mode == POOL_MAX_MODE) {
						y[o] = best;
						if (train)
							l->arg[o] = arg;
					} else {
						y[o] = sum / area;
					}
				}
	return 0;
}

static void pool_backward(struct layer *l, const float *x, const float *y,
			  const float *dy, float *dx, uint32_t count)
{
	const size_t in = shape_size(l->in), out = shape_size(l->out);
	const float area = (float)l->win.kh * l->win.kw;

	(void)x;
	(void)y;
	if (!dx)
		return;
	for (size_t k = 0; k < count * in; k++)
		dx[k] = 0;
	for (uint32_t n = 0; n < count; n++)
		for (uint32_t c = 0; c < l->in.c; c++)
			for (uint32_t oy = 0; oy < l->out.h; oy++)
				for (uint32_t ox = 0; ox < l->out.w; ox++) {
					size_t o = n * out + ((size_t)c * l->out.h + oy) * l->out.w + ox;

					if (l->pool_mode == POOL_MAX_MODE) {
						dx[n * in + l->arg[o]] += dy[o];
						continue;
					}
					for (uint32_t r = 0; r < l->win.kh; r++)
						for (uint32_t s = 0; s < l->win.kw; s++) {
							long iy = (long)oy * l->win.sh - l->win.ph + r;
							long ix = (long)ox * l->win.sw - l->win.pw + s;

							if (iy >= 0 && ix >= 0 && iy < (long)l->in.h &&
							    ix < (long)l->in.w)
								dx[n * in + ((size_t)c * l->in.h + (size_t)iy) *
								   l->in.w + (size_t)ix] += dy[o] / area;
						}
				}
}

const struct layer_ops layer_pool_ops = { pool_forward, pool_backward };
