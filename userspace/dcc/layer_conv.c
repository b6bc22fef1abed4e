// SPDX-License-Identifier: MIT
/*
 * Convolution for training, by im2col and one OpenBLAS GEMM per batch.
 * The patches are kept transposed: Pt is (C R S) x (batch OH OW), row
 * (c R + r) S + s (the device's filter column) holding that tap's input
 * under every output pixel of every image. Each row is then filled, and
 * added back by col2im, in runs along an output row that read or write
 * one input row, instead of one scattered element per tap (perf had the
 * scattered form at a third of LeNet-5's and vgg6's training time).
 * Forward Y = W Pt is K x (batch OH OW): each (filter, image) a
 * contiguous map. Backward: dW = dY Pt^T, dPt = W^T dY, and col2im adds
 * dPt back onto the input map.
 */
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "net.h"

/* The outputs ox of a row whose tap s reads inside the map: [lo, hi). */
static void valid_run(const struct layer *l, uint32_t s, uint32_t *lo, uint32_t *hi)
{
	long first = (long)l->win.pw - (long)s, last = (long)l->in.w - 1 + l->win.pw - s;

	/* ix = ox sw - pw + s in [0, W) */
	*lo = first <= 0 ? 0 : (uint32_t)((first + l->win.sw - 1) / l->win.sw);
	*hi = last < 0 ? 0 : (uint32_t)(last / l->win.sw + 1);
	if (*hi > l->out.w)
		*hi = l->out.w;
	if (*lo > *hi)
		*lo = *hi;
}

/*
 * im2col (to_map false: the patches of x into pt) and col2im (to_map:
 * every patch entry of pt added back onto its input in x, zeroed first).
 */
static void patches(const struct layer *l, uint32_t count, float *x, float *pt,
		    bool to_map)
{
	const size_t in = shape_size(l->in), npix = (size_t)l->out.h * l->out.w;
	const size_t pix = count * npix, sw = l->win.sw;

	if (to_map)
		memset(x, 0, count * in * sizeof(float));
	for (uint32_t c = 0; c < l->in.c; c++)
		for (uint32_t r = 0; r < l->win.kh; r++)
			for (uint32_t s = 0; s < l->win.kw; s++) {
				float *row = pt + (((size_t)c * l->win.kh + r) * l->win.kw + s) * pix;
				uint32_t lo, hi;

				valid_run(l, s, &lo, &hi);
				for (uint32_t n = 0; n < count; n++)
					for (uint32_t oy = 0; oy < l->out.h; oy++) {
						long iy = (long)oy * l->win.sh - l->win.ph + r;
						float *o = row + ((size_t)n * l->out.h + oy) * l->out.w;
						float *xr;
						long ix0;

						if (iy < 0 || iy >= (long)l->in.h) {
							if (!to_map)
								memset(o, 0, l->out.w * sizeof(float));
							continue;
						}
						xr = x + n * in + ((size_t)c * l->in.h + iy) * l->in.w;
						ix0 = (long)lo * l->win.sw - l->win.pw + s;
						if (to_map) {
							for (uint32_t ox = lo; ox < hi; ox++)
								xr[ix0 + (ox - lo) * sw] += o[ox];
							continue;
						}
						for (uint32_t ox = 0; ox < lo; ox++)
							o[ox] = 0;
						if (sw == 1)
							memcpy(o + lo, xr + ix0, (hi - lo) * sizeof(float));
						else
							for (uint32_t ox = lo; ox < hi; ox++)
								o[ox] = xr[ix0 + (ox - lo) * sw];
						for (uint32_t ox = hi; ox < l->out.w; ox++)
							o[ox] = 0;
					}
			}
}

/* The training buffers for `count` images. */
static int reserve(struct layer *l, uint32_t count)
{
	size_t pix = (size_t)count * l->out.h * l->out.w;
	float *c, *t;

	if (count <= l->batch_cap)
		return 0;
	c = realloc(l->cols, pix * l->wt.cols * sizeof(float));
	if (c)
		l->cols = c;
	t = realloc(l->tmp, pix * l->wt.rows * sizeof(float));
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
	float *pt, *yk;

	if (train) {
		if (reserve(l, count))
			return -1;
		pt = l->cols;
		yk = l->tmp;
	} else {
		pt = malloc(pix * wt->cols * sizeof(float));
		yk = malloc(pix * wt->rows * sizeof(float));
		if (!pt || !yk) {
			free(pt);
			free(yk);
			return -1;
		}
	}
	patches(l, count, (float *)x, pt, false);	/* reads x only */
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)wt->rows,
		    (int)pix, (int)wt->cols, 1.0f, wt->w.v, (int)wt->cols, pt,
		    (int)pix, 0.0f, yk, (int)pix);
	for (uint32_t n = 0; n < count; n++)
		for (uint32_t k = 0; k < wt->rows; k++) {
			float *o = y + ((size_t)n * wt->rows + k) * npix;
			const float *src = yk + (size_t)k * pix + n * npix;

			for (size_t q = 0; q < npix; q++)
				o[q] = src[q] + wt->b.v[k];
		}
	if (!train) {
		free(pt);
		free(yk);
	}
	return 0;
}

static void conv_backward(struct layer *l, const float *x, const float *y,
			  const float *dy, float *dx, uint32_t count)
{
	struct weights *wt = &l->wt;
	const size_t npix = (size_t)l->out.h * l->out.w, pix = count * npix;
	float *dyk = l->tmp;

	(void)x;
	(void)y;
	memset(wt->b.g, 0, wt->rows * sizeof(float));
	for (uint32_t n = 0; n < count; n++)
		for (uint32_t k = 0; k < wt->rows; k++) {
			const float *g = dy + ((size_t)n * wt->rows + k) * npix;
			float *dst = dyk + (size_t)k * pix + n * npix;
			float sum = 0;

			for (size_t q = 0; q < npix; q++) {
				dst[q] = g[q];
				sum += g[q];
			}
			wt->b.g[k] += sum;
		}
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)wt->rows,
		    (int)wt->cols, (int)pix, 1.0f, dyk, (int)pix, l->cols,
		    (int)pix, 0.0f, wt->w.g, (int)wt->cols);
	if (!dx)
		return;
	/* the patches are no longer needed: dPt goes where Pt was */
	cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)wt->cols,
		    (int)pix, (int)wt->rows, 1.0f, wt->w.v, (int)wt->cols, dyk,
		    (int)pix, 0.0f, l->cols, (int)pix);
	patches(l, count, dx, l->cols, true);
}

const struct layer_ops layer_conv_ops = { conv_forward, conv_backward };
