// SPDX-License-Identifier: MIT
/*
 * What a loaded model says of itself: its size, each layer's kind, shape,
 * format and streams, and its weights as dense floats.
 */
#include <string.h>

#include "accel_internal.h"
#include "dcaccel/dcaccel_hw.h"

int accel_model_info(const struct accel_model *m, struct accel_model_info *info,
		     struct accel_error *err)
{
	if (!m || !info)
		return accelp_fail(err, ACCEL_E_INVALID, "accel_model_info: %s is NULL",
				  m ? "info" : "model");
	info->layer_count = m->layer_count;
	info->inputs = m->inputs;
	info->outputs = m->outputs;
	info->file_bytes = m->dcm.file_bytes;
	info->on_device = m->dev != NULL;
	return ACCEL_OK;
}

/* The arguments of a per-layer query: a model, a layer of it, an output. */
static int layer_args(const struct accel_model *m, uint32_t layer,
		      const void *out, const char *fn, const char *what,
		      struct accel_error *err)
{
	if (!m || !out)
		return accelp_fail(err, ACCEL_E_INVALID, "%s: %s is NULL", fn,
				  m ? what : "model");
	if (layer >= m->layer_count)
		return accelp_fail(err, ACCEL_E_INVALID,
				  "%s: layer %u, the model has %u", fn, layer,
				  m->layer_count);
	return ACCEL_OK;
}

int accel_model_layer(const struct accel_model *m, uint32_t layer,
		      struct accel_layer_info *info, struct accel_error *err)
{
	const struct dcm_layer *l;
	const struct eie_layer *v;
	int st = layer_args(m, layer, info, "accel_model_layer", "info", err);

	if (st)
		return st;
	l = &m->dcm.layers[layer];
	v = &m->layers[layer].view;
	memset(info, 0, sizeof(*info));
	info->rows = v->rows;
	info->cols = v->cols;
	info->pes = v->pes;
	info->file_pes = m->layers[layer].file_pes;
	info->wbits = v->wbits;
	info->zbits = v->zbits;
	info->in_frac = v->in_frac;
	info->w_frac = v->w_frac;
	info->out_frac = v->out_frac;
	info->relu = v->relu;
	info->codebook_len = v->codebook_len;
	info->nonzeros = l->nonzeros;
	info->entry_count = v->entry_count;
	info->padding_count = v->entry_count - l->nonzeros;
	info->payload_bytes = l->payload_bytes;
	return ACCEL_OK;
}

int accel_model_dense(const struct accel_model *m, uint32_t layer,
		      float *weights, float *bias, struct accel_error *err)
{
	const struct dcm_layer *l;
	float ws, bs;
	int st;

	/* the NULL arguments first, as layer_args() does for the other two */
	if (m && weights && !bias)
		return accelp_fail(err, ACCEL_E_INVALID,
				   "accel_model_dense: bias is NULL");
	st = layer_args(m, layer, weights, "accel_model_dense", "weights", err);
	if (st)
		return st;
	l = &m->dcm.layers[layer];
	ws = 1.0f / (float)(1u << l->w_frac);
	bs = 1.0f / (float)(1ull << (l->in_frac + l->w_frac));
	for (size_t k = 0; k < (size_t)l->rows * l->cols; k++) {
		if (l->widx[k] >= l->codebook_len)
			return accelp_fail(err, ACCEL_E_MODEL,
					   "layer %u: weight index %u at row %zu, col %zu is past the codebook (%u)",
					   layer, l->widx[k], k / l->cols, k % l->cols,
					   l->codebook_len);
		weights[k] = (float)l->codebook[l->widx[k]] * ws;
	}
	for (uint32_t r = 0; r < l->rows; r++)
		bias[r] = l->bias ? (float)l->bias[r] * bs : 0.0f;
	return ACCEL_OK;
}

int accel_model_layer_shape(const struct accel_model *m, uint32_t layer,
			    struct accel_layer_shape *s, struct accel_error *err)
{
	const struct dcm_layer *l;
	const struct accel_mlayer *ml;
	int st = layer_args(m, layer, s, "accel_model_layer_shape", "shape", err);

	if (st)
		return st;
	l = &m->dcm.layers[layer];
	ml = &m->layers[layer];
	memset(s, 0, sizeof(*s));
	s->kind = l->kind == DCM_CONV ? ACCEL_LAYER_CONV :
		  l->kind == DCM_POOL ? ACCEL_LAYER_POOL : ACCEL_LAYER_FC;
	s->in_channels = l->kind == DCM_FC ? l->cols : l->channels;
	s->in_height = l->kind == DCM_FC ? 1 : l->in_h;
	s->in_width = l->kind == DCM_FC ? 1 : l->in_w;
	s->out_channels = dcm_layer_out_channels(l);
	s->out_height = dcm_layer_out_h(l);
	s->out_width = dcm_layer_out_w(l);
	s->inputs = ml->inputs;
	s->outputs = ml->outputs;
	if (l->kind != DCM_FC) {
		s->kernel_h = l->kernel_h;
		s->kernel_w = l->kernel_w;
		s->stride_h = l->stride_h;
		s->stride_w = l->stride_w;
		s->pad_h = l->pad_h;
		s->pad_w = l->pad_w;
	}
	s->pool_mode = l->kind == DCM_POOL && l->pool_mode == DCACCEL_POOL_AVG ?
		       ACCEL_POOL_AVG : ACCEL_POOL_MAX;
	s->relu = l->relu;
	s->in_frac = ml->in_frac;
	s->out_frac = ml->out_frac;
	s->work = accelp_layer_work(ml, 1);
	return ACCEL_OK;
}
