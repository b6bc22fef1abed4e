// SPDX-License-Identifier: MIT
/* dcaccel bench's dense float baseline (dense_float.h). */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "dense_float.h"

void dense_free(struct dense_model *d)
{
	for (uint32_t i = 0; d->w && i < d->layers; i++) {
		free(d->w[i]);
		free(d->b[i]);
	}
	free(d->w);
	free(d->b);
	free(d->info);
	free(d->shape);
	free(d->x);
	free(d->y);
	free(d->col);
}

bool dense_supported(const struct accel_model *m)
{
	struct accel_model_info mi;

	accel_model_info(m, &mi, NULL);
	for (uint32_t i = 0; i < mi.layer_count; i++) {
		struct accel_layer_shape s;

		accel_model_layer_shape(m, i, &s, NULL);
		if (s.kind != ACCEL_LAYER_FC && s.kind != ACCEL_LAYER_CONV &&
		    s.kind != ACCEL_LAYER_POOL)
			return false;
	}
	return true;
}

int dense_build(const struct accel_model *m, uint32_t cap,
		struct dense_model *d, struct accel_error *err)
{
	struct accel_model_info mi;
	int st;

	memset(d, 0, sizeof(*d));
	accel_model_info(m, &mi, NULL);
	d->layers = mi.layer_count;
	d->widest = mi.inputs;
	d->patch = 1;
	d->cap = cap;
	d->info = calloc(d->layers, sizeof(*d->info));
	d->shape = calloc(d->layers, sizeof(*d->shape));
	d->w = calloc(d->layers, sizeof(*d->w));
	d->b = calloc(d->layers, sizeof(*d->b));
	if (!d->info || !d->shape || !d->w || !d->b)
		return ACCEL_E_NOMEM;
	for (uint32_t i = 0; i < d->layers; i++) {
		struct accel_layer_info *l = &d->info[i];
		struct accel_layer_shape *s = &d->shape[i];

		accel_model_layer(m, i, l, NULL);
		accel_model_layer_shape(m, i, s, NULL);
		if (s->outputs > d->widest)
			d->widest = s->outputs;
		if (s->kind == ACCEL_LAYER_CONV &&
		    (uint64_t)l->cols * s->out_height * s->out_width > d->patch)
			d->patch = l->cols * s->out_height * s->out_width;
		d->w[i] = malloc((size_t)l->rows * l->cols * sizeof(float) + 1);
		d->b[i] = malloc((size_t)l->rows * sizeof(float) + 1);
		if (!d->w[i] || !d->b[i])
			return ACCEL_E_NOMEM;
		if ((st = accel_model_dense(m, i, d->w[i], d->b[i], err)))
			return st;
	}
	d->x = malloc((size_t)cap * d->widest * sizeof(float));
	d->y = malloc((size_t)cap * d->widest * sizeof(float));
	d->col = malloc((size_t)d->patch * sizeof(float));
	return d->x && d->y && d->col ? ACCEL_OK : ACCEL_E_NOMEM;
}

/* One map's patches: col[(c R + r) S + s][oy OW + ox], zero padding. */
static void im2col(const struct accel_layer_shape *s, const float *x, float *col)
{
	uint32_t oh = s->out_height, ow = s->out_width;

	for (uint32_t c = 0; c < s->in_channels; c++)
		for (uint32_t r = 0; r < s->kernel_h; r++)
			for (uint32_t q = 0; q < s->kernel_w; q++, col += oh * ow)
				for (uint32_t oy = 0; oy < oh; oy++) {
					int64_t iy = (int64_t)oy * s->stride_h - s->pad_h + r;

					for (uint32_t ox = 0; ox < ow; ox++) {
						int64_t ix = (int64_t)ox * s->stride_w - s->pad_w + q;
						int in = iy >= 0 && iy < s->in_height &&
							 ix >= 0 && ix < s->in_width;

						col[oy * ow + ox] = in ? x[((size_t)c * s->in_height +
									    (size_t)iy) * s->in_width +
									   (size_t)ix] : 0.0f;
					}
				}
}

/* One map pooled: max of the window's elements in the map, or the
 * average over the whole window (padding counted as zero). */
static void pool(const struct accel_layer_shape *s, const float *x, float *y)
{
	for (uint32_t c = 0; c < s->in_channels; c++)
		for (uint32_t oy = 0; oy < s->out_height; oy++)
			for (uint32_t ox = 0; ox < s->out_width; ox++) {
				float acc = 0.0f;
				int first = 1;

				for (uint32_t r = 0; r < s->kernel_h; r++)
					for (uint32_t q = 0; q < s->kernel_w; q++) {
						int64_t iy = (int64_t)oy * s->stride_h - s->pad_h + r;
						int64_t ix = (int64_t)ox * s->stride_w - s->pad_w + q;
						float v;

						if (iy < 0 || iy >= s->in_height || ix < 0 ||
						    ix >= s->in_width)
							continue;
						v = x[((size_t)c * s->in_height + (size_t)iy) *
						      s->in_width + (size_t)ix];
						if (s->pool_mode == ACCEL_POOL_AVG)
							acc += v;
						else if (first || v > acc)
							acc = v;
						first = 0;
					}
				if (s->pool_mode == ACCEL_POOL_AVG)
					acc /= (float)(s->kernel_h * s->kernel_w);
				*y++ = acc;
			}
}

/* Bias per output channel of `per` values each, then ReLU if set. */
static void finish(float *y, uint32_t channels, uint32_t per, const float *b,
		   int relu)
{
	for (uint32_t c = 0; c < channels; c++)
		for (uint32_t k = 0; k < per; k++) {
			float v = y[(size_t)c * per + k] + b[c];

			y[(size_t)c * per + k] = relu && v < 0 ? 0 : v;
		}
}

static void run_layer(struct dense_model *d, uint32_t i, uint32_t n,
		      const float *x, float *y)
{
	const struct accel_layer_info *l = &d->info[i];
	const struct accel_layer_shape *s = &d->shape[i];
	uint32_t pix = s->out_height * s->out_width;

	for (uint32_t v = 0; s->kind != ACCEL_LAYER_FC && v < n; v++) {
		const float *xv = x + (size_t)v * s->inputs;
		float *yv = y + (size_t)v * s->outputs;

		if (s->kind == ACCEL_LAYER_POOL) {
			pool(s, xv, yv);
			continue;
		}
		im2col(s, xv, d->col);
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)l->rows,
			    (int)pix, (int)l->cols, 1.0f, d->w[i], (int)l->cols,
			    d->col, (int)pix, 0.0f, yv, (int)pix);
		finish(yv, l->rows, pix, d->b[i], l->relu);
	}
	if (s->kind != ACCEL_LAYER_FC)
		return;
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)l->rows,
		    (int)l->cols, 1.0f, x, (int)l->cols, d->w[i], (int)l->cols,
		    0.0f, y, (int)l->rows);
	for (uint32_t v = 0; v < n; v++)
		finish(y + (size_t)v * l->rows, l->rows, 1, d->b[i], l->relu);
}

void dense_run(struct dense_model *d, uint32_t n, const float *in, float *out)
{
	const float *x = in;
	float *y = d->y, *other = d->x;

	for (uint32_t i = 0; i < d->layers; i++) {
		float *dst = i + 1 == d->layers ? out : y;

		run_layer(d, i, n, x, dst);
		x = dst;
		y = other;
		other = dst;
	}
}
