// SPDX-License-Identifier: MIT
/*
 * Convolution for training, by im2col and one OpenBLAS GEMM per batch:
 * the patches of every output pixel of every image are the rows of P
 * ((batch OH OW) x (C R S), column (c R + r) S + s as the device's filter
 * columns), so Y' = P W^T holds the outputs pixel-major; a transpose gives
 * the CHW maps. Backward: dW = dY'^T P, dP = dY' W, and col2im adds dP
 * back onto the input map.
 */
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "net.h"

/* Input (c, iy, ix) under tap (r, s) of output (oy, ox); -1 in the padding. */
static inline long tap_index(const struct layer *l, uint32_t c, uint32_t oy,
			     uint32_t ox, uint32_t r, uint32_t s)
{
	long iy = (long)oy * l->win.sh - l->win.ph + r;
	long ix = (long)ox * l->win.sw - l->win.pw + s;

	if (iy < 0 || ix < 0 || iy >= (long)l->in.h || ix >= (long)l->in.w)
		return -1;
	return ((long)c * l->in.h + iy) * l->in.w + ix;
}

/*
 * im2col (to_map false: the patches of x into p) and col2im (to_map:
 * every patch entry of p added back onto its input in x, zeroed first).
 */
static void patches(const struct layer *l, uint32_t count, float *x, float *p,
		    bool to_map)
{
	const size_t in = shape_size(l->in), ncols = l->wt.cols;

	if (to_map)
		memset(x, 0, count * in * sizeof(float));
	for (uint32_t n = 0; n < count; n++)
		for (uint32_t oy = 0; oy < l->out.h; oy++)
			for (uint32_t ox = 0; ox < l->out.w; ox++) {
				float *row = p + (((size_t)n * l->out.h + oy) *
						  l->out.w + ox) * ncols;
				size_t j = 0;

				for (uint32_t c = 0; c < l->in.c; c++)
					for (uint32_t r = 0; r < l->win.kh; r++)
						for (uint32_t s = 0; s < l->win.kw; s++, j++) {
							long k = tap_index(l, c, oy, ox, r, s);

							if (to_map && k >= 0)
								x[n * in + (size_t)k] += row[j];
							else if (!to_map)
								row[j] = k < 0 ? 0 : x[n * in + (size_t)k];
						}
			}
}

/* The training buffers for `count` images. */
static int reserve(struct layer *l, uint32_t count)
{
	size_t pix = (size_t)count * l->out.h * l->out.w;
	size_t tmp = l->wt.cols > l->wt.rows ? l->wt.cols : l->wt.rows;
	float *c, *t;

	if (count <= l->batch_cap)
		return 0;
	c = realloc(l->cols, pix * l->wt.cols * sizeof(float));
	if (c)
		l->cols = c;
	t = realloc(l->tmp, pix * tmp * sizeof(float));
	if (t)
		l->tmp = t;
	if (!c || !t)
		return -1;
	l->batch_cap = count;
	return 0;
}

static int conv_forward(struct layer *l, const float *x, float *y,
			uint32_t count, bool train)
{
	const struct weights *wt = &l->wt;
	const size_t npix = (size_t)l->out.h * l->out.w, pix = count * npix;
	float *p, *yt;

	if (train) {
		if (reserve(l, count))
			return -1;
		p = l->cols;
		yt = l->tmp;
	} else {
		p = malloc(pix * wt->cols * sizeof(float));
		yt = malloc(pix * wt->rows * sizeof(float));
		if (!p || !yt) {
			free(p);
			free(yt);
			return -1;
		}
	}
	patches(l, count, (float *)x, p, false);	/* reads x only */
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)pix,
		    (int)wt->rows, (int)wt->cols, 1.0f, p, (int)wt->cols,
		    wt->w.v, (int)wt->cols, 0.0f, yt, (int)wt->rows);
	for (uint32_t n = 0; n < count; n++)
		for (uint32_t k = 0; k < wt->rows; k++) {
			float *o = y + ((size_t)n * wt->rows + k) * npix;
			const float *src = yt + (size_t)n * npix * wt->rows + k;

			for (size_t q = 0; q < npix; q++)
				o[q] = src[q * wt->rows] + wt->b.v[k];
		}
	if (!train) {
		free(p);
		free(yt);
	}
	return 0;
}

static void conv_backward(struct layer *l, const float *x, const float *y,
			  const float *dy, float *dx, uint32_t count)
{
	struct weights *wt = &l->wt;
	const size_t npix = (size_t)l->out.h * l->out.w, pix = count * npix;
	float *dyt = l->tmp;

	(void)x;
	(void)y;
	memset(wt->b.g, 0, wt->rows * sizeof(float));
	for (uint32_t n = 0; n < count; n++)
		for (uint32_t k = 0; k < wt->rows; k++) {
			const float *g = dy + ((size_t)n * wt->rows + k) * npix;
			float *dst = dyt + (size_t)n * npix * wt->rows + k;
			float sum = 0;

			for (size_t q = 0; q < npix; q++) {
				dst[q * wt->rows] = g[q];
				sum += g[q];
			}
			wt->b.g[k] += sum;
		}
	cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)wt->rows,
		    (int)wt->cols, (int)pix, 1.0f, dyt, (int)wt->rows, l->cols,
		    (int)wt->cols, 0.0f, wt->w.g, (int)wt->cols);
	if (!dx)
		return;
	/* the patches are no longer needed: dP goes where P was */
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)pix,
		    (int)wt->cols, (int)wt->rows, 1.0f, dyt, (int)wt->rows,
		    wt->w.v, (int)wt->cols, 0.0f, l->cols, (int)wt->cols);
	patches(l, count, dx, l->cols, true);
}

const struct layer_ops layer_conv_ops = { conv_forward, conv_backward };
