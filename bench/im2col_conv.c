// SPDX-License-Identifier: MIT
#include <cblas.h>
#include <string.h>

#include "im2col_conv.h"

/* Row (c, r, s) of the patch matrix: the input each output pixel reads. */
static void im2col(const struct conv_shape *s, const float *x, float *col)
{
	for (uint32_t c = 0; c < s->c; c++)
		for (uint32_t r = 0; r < s->r; r++)
			for (uint32_t q = 0; q < s->s; q++) {
				for (uint32_t oy = 0; oy < s->oh; oy++) {
					int64_t iy = (int64_t)oy * s->stride + r - s->pad;

					for (uint32_t ox = 0; ox < s->ow; ox++) {
						int64_t ix = (int64_t)ox * s->stride + q - s->pad;

						*col++ = iy < 0 || iy >= s->h || ix < 0 ||
							 ix >= s->w ? 0.0f :
							 x[((size_t)c * s->h + iy) * s->w + ix];
					}
				}
			}
}

void im2col_conv(const struct conv_shape *s, const float *w, const float *x,
		 float *col, float *y)
{
	const int n = (int)(s->oh * s->ow), kk = (int)(s->c * s->r * s->s);

	im2col(s, x, col);
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)s->k, n,
		    kk, 1.0f, w, kk, col, n, 0.0f, y, n);
}
