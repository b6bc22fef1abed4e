// SPDX-License-Identifier: MIT
/*
 * What a loaded model says of itself: its size, each layer's kind, shape,
 * format and streams (or planes), and its weights as dense floats.
 */
#include <string.h>

#include "accel_internal.h"
#include "dcaccel/dcaccel_hw.h"

#define SAME_KIND(a, d)	((int)ACCEL_LAYER_##a == (int)DCM_##d)
_Static_assert(SAME_KIND(FC, FC) && SAME_KIND(CONV, CONV) &&
	       SAME_KIND(POOL, POOL) && SAME_KIND(BITPLANE, BITPLANE) &&
	       SAME_KIND(BITPLANE_CONV, BITPLANE_CONV) && SAME_KIND(QUANT, QUANT),
	       "accel_layer_kind has the file's kind numbers");

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

/*
 * A version-3 layer: a bit-plane layer's rows and cols (a convolution's
 * filters K x C R S, as a CONV layer's), its PEs (the file's: never
 * re-encoded) and formats; a quantizer, like a pooling, has no weights.
 */
static void planes_info(const struct dcm_layer *l,
			const struct accel_mlayer *ml,
			struct accel_layer_info *info)
{
	info->in_frac = ml->in_frac;
	info->out_frac = ml->out_frac;
	info->payload_bytes = l->payload_bytes;
	if (l->kind == DCM_QUANT)
		return;
	info->rows = l->rows;
	info->cols = l->kind == DCM_BITPLANE_CONV ?
		     l->cols * l->kernel_h * l->kernel_w : l->cols;
	info->pes = l->pes;
	info->file_pes = l->pes;
	info->relu = l->relu;
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
	if (accelp_kind_planes(l->kind)) {
		planes_info(l, &m->layers[layer], info);
		return ACCEL_OK;
	}
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
	if (l->kind == DCM_QUANT)
		return accelp_fail(err, ACCEL_E_INVALID,
				   "accel_model_dense: layer %u (quant) has no dense float form: it quantizes its inputs to bit planes",
				   layer);
	if (dcm_kind_is_bitplane(l->kind)) {
		accelp_bitplane_dense(&m->layers[layer], weights, bias);
		return ACCEL_OK;
	}
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
	bool map;
	int st = layer_args(m, layer, s, "accel_model_layer_shape", "shape", err);

	if (st)
		return st;
	l = &m->dcm.layers[layer];
	ml = &m->layers[layer];
	map = dcm_layer_is_map(l);
	memset(s, 0, sizeof(*s));
	/* enum accel_layer_kind has the file's (and libdcm's) numbers */
	s->kind = l->kind;
	s->in_channels = map ? l->channels : l->cols;
	s->in_height = map ? l->in_h : 1;
	s->in_width = map ? l->in_w : 1;
	s->out_channels = dcm_layer_out_channels(l);
	s->out_height = dcm_layer_out_h(l);
	s->out_width = dcm_layer_out_w(l);
	s->inputs = ml->inputs;
	s->outputs = ml->outputs;
	/* 0 but for the layers with a window: CONV, POOL, BITPLANE_CONV */
	s->kernel_h = l->kernel_h;
	s->kernel_w = l->kernel_w;
	s->stride_h = l->stride_h;
	s->stride_w = l->stride_w;
	s->pad_h = l->pad_h;
	s->pad_w = l->pad_w;
	s->pool_mode = l->kind == DCM_POOL && l->pool_mode == DCACCEL_POOL_AVG ?
		       ACCEL_POOL_AVG : ACCEL_POOL_MAX;
	/* the planes a bit-plane layer reads, those a quantizer writes */
	s->w_planes = l->w_planes;
	s->a_planes = l->kind == DCM_QUANT ? l->quant_bits : l->a_planes;
	s->relu = l->relu;
	s->in_frac = ml->in_frac;
	s->out_frac = ml->out_frac;
	s->work = accelp_layer_work(ml, 1);
	return ACCEL_OK;
}
