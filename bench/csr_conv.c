// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "csr_conv.h"

static uint32_t padded_h(const struct conv_shape *s)
{
	return s->h + 2 * s->pad;
}

static uint32_t padded_w(const struct conv_shape *s)
{
	return s->w + 2 * s->pad;
}

unsigned long csr_conv_pad_floats(const struct conv_shape *s)
{
	return (unsigned long)s->c * padded_h(s) * padded_w(s);
}

int csr_filters_build(const struct conv_shape *s, const float *w,
		      struct csr_filters *f)
{
	const size_t taps = (size_t)s->c * s->r * s->s;
	size_t nnz = 0;

	for (size_t i = 0; i < taps * s->k; i++)
		nnz += w[i] != 0.0f;
	f->rowstart = malloc(((size_t)s->k + 1) * sizeof(*f->rowstart));
	f->off = malloc((nnz ? nnz : 1) * sizeof(*f->off));
	f->val = malloc((nnz ? nnz : 1) * sizeof(*f->val));
	if (!f->rowstart || !f->off || !f->val)
		return -1;
	nnz = 0;
	for (uint32_t k = 0; k < s->k; k++) {
		f->rowstart[k] = (uint32_t)nnz;
		for (uint32_t c = 0; c < s->c; c++)
			for (uint32_t r = 0; r < s->r; r++)
				for (uint32_t q = 0; q < s->s; q++) {
					float v = w[(((size_t)k * s->c + c) * s->r + r) *
						    s->s + q];

					if (v == 0.0f)
						continue;
					f->off[nnz] = (c * padded_h(s) + r) *
						      padded_w(s) + q;
					f->val[nnz++] = v;
				}
	}
	f->rowstart[s->k] = (uint32_t)nnz;
	return 0;
}

void csr_filters_free(struct csr_filters *f)
{
	free(f->rowstart);
	free(f->off);
	free(f->val);
}

void csr_conv(const struct conv_shape *s, const struct csr_filters *f,
	      const float *x, float *xpad, float *y)
{
	const uint32_t hp = padded_h(s), wp = padded_w(s);
	const size_t plane = (size_t)s->oh * s->ow;

	memset(xpad, 0, csr_conv_pad_floats(s) * sizeof(*xpad));
	for (uint32_t c = 0; c < s->c; c++)
		for (uint32_t iy = 0; iy < s->h; iy++)
			memcpy(xpad + ((size_t)c * hp + iy + s->pad) * wp + s->pad,
			       x + ((size_t)c * s->h + iy) * s->w,
			       s->w * sizeof(*x));
	memset(y, 0, s->k * plane * sizeof(*y));
	for (uint32_t k = 0; k < s->k; k++) {
		float *out = y + k * plane;

		for (uint32_t e = f->rowstart[k]; e < f->rowstart[k + 1]; e++) {
			const float v = f->val[e];
			const float *in = xpad + f->off[e];

			for (uint32_t oy = 0; oy < s->oh; oy++) {
				const float *row = in + (size_t)oy * s->stride * wp;
				float *o = out + (size_t)oy * s->ow;

				for (uint32_t ox = 0; ox < s->ow; ox++)
					o[ox] += v * row[(size_t)ox * s->stride];
			}
		}
	}
}
