// SPDX-License-Identifier: MIT
/* What the .dcm writer and reader share: errors, field checks, encoding. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcm_layout.h"
#include "dcaccel/dcaccel_bitplane.h"
#include "dcaccel/dcaccel_hw.h"

int dcm_fail(struct dcm_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}

size_t dcm_put_varint(uint8_t *out, uint32_t v)
{
	size_t n = 0;

	do {
		uint8_t b = v & 0x7f;

		v >>= 7;
		if (out)
			out[n] = (uint8_t)(b | (v ? 0x80 : 0));
		n++;
	} while (v);
	return n;
}

int dcm_get_varint(const uint8_t *p, size_t len, size_t *at, uint32_t *v)
{
	uint32_t x = 0;

	for (unsigned int shift = 0; shift < 35; shift += 7) {
		uint8_t b;

		if (*at >= len)
			return -1;
		b = p[(*at)++];
		if (shift == 28 && (b & 0xf0))
			return -1;
		x |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

static int check_weight_fields(const struct dcm_layer *l, uint32_t i,
			      struct dcm_error *err)
{
	if (l->rows == 0 || l->cols == 0 || l->rows > DCACCEL_EIE_DIM_MAX ||
	    l->cols > DCACCEL_EIE_DIM_MAX ||
	    (uint64_t)l->rows * l->cols > DCM_WEIGHTS_MAX)
		return dcm_fail(err, "layer %u: shape %u x %u is empty or larger than %u weights",
				i, l->rows, l->cols, DCM_WEIGHTS_MAX);
	if (l->pes == 0 || l->pes > DCACCEL_EIE_PES_MAX ||
	    (uint64_t)l->pes * (l->cols + 1ull) > DCM_COLPTR_MAX)
		return dcm_fail(err, "layer %u: %u PEs (must be 1..%u, pes x (cols + 1) at most %u)",
				i, l->pes, DCACCEL_EIE_PES_MAX, DCM_COLPTR_MAX);
	if (l->wbits == 0 || l->wbits > DCACCEL_EIE_WBITS_MAX ||
	    l->zbits == 0 || l->zbits > DCACCEL_EIE_ZBITS_MAX)
		return dcm_fail(err, "layer %u: wbits %u / zbits %u must be 1..8",
				i, l->wbits, l->zbits);
	if (l->in_frac > DCACCEL_EIE_FRAC_MAX || l->w_frac > DCACCEL_EIE_FRAC_MAX ||
	    l->out_frac > DCACCEL_EIE_FRAC_MAX)
		return dcm_fail(err, "layer %u: fraction bits %u/%u/%u must be at most %u",
				i, l->in_frac, l->w_frac, l->out_frac,
				DCACCEL_EIE_FRAC_MAX);
	if (l->out_frac > l->in_frac + l->w_frac)
		return dcm_fail(err, "layer %u: out_frac %u exceeds in_frac + w_frac = %u (outputs are rounded, never shifted left)",
				i, l->out_frac, l->in_frac + l->w_frac);
	if (l->codebook_len == 0 || l->codebook_len > (1u << l->wbits))
		return dcm_fail(err, "layer %u: codebook of %u entries with %u-bit indices",
				i, l->codebook_len, l->wbits);
	return 0;
}

void dcm_layer_window(const struct dcm_layer *l, struct dp_window *w)
{
	*w = (struct dp_window){ l->in_h, l->in_w, l->kernel_h, l->kernel_w,
				 l->stride_h, l->stride_w, l->pad_h, l->pad_w };
}

bool dcm_layer_is_map(const struct dcm_layer *l)
{
	/* a QUANT layer over a map has no rows: the map is its shape */
	return l->kind == DCM_QUANT ? l->rows == 0 :
	       l->kind != DCM_FC && l->kind != DCM_BITPLANE;
}

/* Has the layer a window (rather than a vector, or a map kept as is)? */
static bool has_window(const struct dcm_layer *l)
{
	return l->kind == DCM_CONV || l->kind == DCM_POOL ||
	       l->kind == DCM_BITPLANE_CONV;
}

uint32_t dcm_layer_out_h(const struct dcm_layer *l)
{
	struct dp_window w;

	if (!has_window(l))
		return dcm_layer_is_map(l) ? l->in_h : 1;
	dcm_layer_window(l, &w);
	return dp_window_out_h(&w);
}

uint32_t dcm_layer_out_w(const struct dcm_layer *l)
{
	struct dp_window w;

	if (!has_window(l))
		return dcm_layer_is_map(l) ? l->in_w : 1;
	dcm_layer_window(l, &w);
	return dp_window_out_w(&w);
}

uint32_t dcm_layer_out_channels(const struct dcm_layer *l)
{
	if (l->kind == DCM_QUANT)
		return dcm_layer_is_map(l) ? l->channels : l->cols;
	return l->kind == DCM_POOL ? l->channels : l->rows;
}

uint64_t dcm_layer_inputs(const struct dcm_layer *l)
{
	return !dcm_layer_is_map(l) ? l->cols :
	       (uint64_t)l->channels * l->in_h * l->in_w;
}

uint64_t dcm_layer_outputs(const struct dcm_layer *l)
{
	return (uint64_t)dcm_layer_out_channels(l) * dcm_layer_out_h(l) *
	       dcm_layer_out_w(l);
}

uint32_t dcm_quant_channels(const struct dcm_layer *l)
{
	return dcm_layer_is_map(l) ? l->channels : l->cols;
}

uint32_t dcm_quant_pixels(const struct dcm_layer *l)
{
	return dcm_layer_is_map(l) ? l->in_h * l->in_w : 1;
}

uint64_t dcm_layer_in_bytes(const struct dcm_layer *l)
{
	const uint64_t pixels = l->kind == DCM_BITPLANE_CONV ?
				(uint64_t)l->in_h * l->in_w : 1;

	/* Ka planes of L words, or of H W Lc words for a map */
	if (dcm_kind_is_bitplane(l->kind))
		return 8ull * l->a_planes * pixels *
		       DCACCEL_PLANE_WORDS((uint64_t)l->cols);
	return 2 * dcm_layer_inputs(l);
}

uint64_t dcm_layer_out_bytes(const struct dcm_layer *l)
{
	/* Ko planes of pixels x Lc words (hardware.rst, "QUANT op") */
	if (l->kind == DCM_QUANT)
		return 8ull * l->quant_bits * dcm_quant_pixels(l) *
		       DCACCEL_PLANE_WORDS((uint64_t)dcm_quant_channels(l));
	return 2 * dcm_layer_outputs(l);
}

const char *dcm_kind_name(uint8_t kind)
{
	static const char *const names[] = {
		"fc", "conv", "pool", "bitplane", "bitplane_conv", "quant",
	};

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}

/*
 * The map and window of a CONV, POOL or BITPLANE_CONV layer (the device's
 * limits).
 */
int dcm_check_map_fields(const struct dcm_layer *l, uint32_t i,
			 struct dcm_error *err)
{
	struct eie_error ee;
	struct dp_window w;

	if (l->channels == 0 || l->channels > DCACCEL_EIE_DIM_MAX)
		return dcm_fail(err, "layer %u (%s): channels %u (must be 1..%u)",
				i, dcm_kind_name(l->kind), l->channels, DCACCEL_EIE_DIM_MAX);
	dcm_layer_window(l, &w);
	if (dp_window_validate(&w, &ee))
		return dcm_fail(err, "layer %u (%s): %s", i, dcm_kind_name(l->kind), ee.msg);
	if (dcm_layer_inputs(l) > DCM_MAP_MAX || dcm_layer_outputs(l) > DCM_MAP_MAX)
		return dcm_fail(err, "layer %u (%s): maps of %llu and %llu values (at most %u)",
				i, dcm_kind_name(l->kind),
				(unsigned long long)dcm_layer_inputs(l),
				(unsigned long long)dcm_layer_outputs(l), DCM_MAP_MAX);
	if (l->kind == DCM_POOL)
		return 0;
	if (l->kind == DCM_CONV &&
	    (uint64_t)l->channels * l->kernel_h * l->kernel_w != l->cols)
		return dcm_fail(err, "layer %u (conv): filters of %u columns, channels x kernel_h x kernel_w is %llu",
				i, l->cols, (unsigned long long)l->channels *
				l->kernel_h * l->kernel_w);
	/* bit-plane filters are laid out by tap: a column per channel */
	if (l->kind == DCM_BITPLANE_CONV && l->cols != l->channels)
		return dcm_fail(err, "layer %u (bitplane_conv): cols %u must equal channels %u",
				i, l->cols, l->channels);
	if (dcm_layer_outputs(l) > DCACCEL_CONV_OUTPUTS_MAX)
		return dcm_fail(err, "layer %u (%s): %u x %u x %u outputs, the device takes at most %u",
				i, dcm_kind_name(l->kind), l->rows, dcm_layer_out_h(l),
				dcm_layer_out_w(l), DCACCEL_CONV_OUTPUTS_MAX);
	return 0;
}

/* A POOL layer has no weights: those fields must be 0. */
static int check_pool_fields(const struct dcm_layer *l, uint32_t i,
			     struct dcm_error *err)
{
	if (l->rows || l->cols || l->pes || l->wbits || l->zbits || l->w_frac ||
	    l->codebook_len || l->relu)
		return dcm_fail(err, "layer %u (pool): a pooling layer has no weights, ReLU or weight fields (rows %u cols %u pes %u wbits %u zbits %u w_frac %u codebook %u)",
				i, l->rows, l->cols, l->pes, l->wbits, l->zbits,
				l->w_frac, l->codebook_len);
	if (l->pool_mode != DCACCEL_POOL_MAX && l->pool_mode != DCACCEL_POOL_AVG)
		return dcm_fail(err, "layer %u (pool): mode %u (0 max, 1 average)",
				i, l->pool_mode);
	if (l->in_frac > DCACCEL_EIE_FRAC_MAX || l->out_frac != l->in_frac)
		return dcm_fail(err, "layer %u (pool): out_frac %u must equal in_frac %u (at most %u)",
				i, l->out_frac, l->in_frac, DCACCEL_EIE_FRAC_MAX);
	return 0;
}

int dcm_check_layer_fields(const struct dcm_layer *l, uint32_t i,
			   struct dcm_error *err)
{
	/* version 3's record bytes 64..70 are 0 for the version-2 kinds */
	if (l->kind <= DCM_POOL &&
	    (l->w_planes || l->a_planes || l->w_kind || l->a_kind ||
	     l->bw_frac || l->ba_frac || l->quant_bits))
		return dcm_fail(err, "layer %u (%s): bit-plane fields set (w_planes %u a_planes %u w_kind %u a_kind %u bw_frac %u ba_frac %u quant_bits %u)",
				i, dcm_kind_name(l->kind), l->w_planes, l->a_planes,
				l->w_kind, l->a_kind, l->bw_frac, l->ba_frac,
				l->quant_bits);
	switch (l->kind) {
	case DCM_FC:
		if (l->channels || l->in_h || l->in_w || l->kernel_h || l->kernel_w ||
		    l->stride_h || l->stride_w || l->pad_h || l->pad_w || l->pool_mode)
			return dcm_fail(err, "layer %u (fc): map or window fields set", i);
		return check_weight_fields(l, i, err);
	case DCM_CONV:
		if (l->pool_mode)
			return dcm_fail(err, "layer %u (conv): pool mode %u set", i,
					l->pool_mode);
		return check_weight_fields(l, i, err) || dcm_check_map_fields(l, i, err) ?
		       -1 : 0;
	case DCM_POOL:
		return check_pool_fields(l, i, err) || dcm_check_map_fields(l, i, err) ?
		       -1 : 0;
	case DCM_BITPLANE:
	case DCM_BITPLANE_CONV:
	case DCM_QUANT:
		return dcm_check_bitplane_fields(l, i, err);
	}
	return dcm_fail(err, "layer %u: unknown kind %u (0 fc, 1 conv, 2 pool, 3 bitplane, 4 bitplane_conv, 5 quant)",
			i, l->kind);
}

int dcm_check_follows(const struct dcm_layer *prev, const struct dcm_layer *l,
		      uint32_t i, struct dcm_error *err)
{
	bool maps = dcm_layer_is_map(prev) && dcm_layer_is_map(l);

	if (dcm_layer_inputs(l) != dcm_layer_outputs(prev) ||
	    (maps && (l->channels != dcm_layer_out_channels(prev) ||
		      l->in_h != dcm_layer_out_h(prev) || l->in_w != dcm_layer_out_w(prev))))
		return dcm_fail(err, "layer %u (%s) takes %llu inputs (%u x %u x %u) but layer %u (%s) gives %llu (%u x %u x %u)",
				i, dcm_kind_name(l->kind),
				(unsigned long long)dcm_layer_inputs(l),
				dcm_layer_is_map(l) ? l->channels : l->cols,
				dcm_layer_is_map(l) ? l->in_h : 1,
				dcm_layer_is_map(l) ? l->in_w : 1,
				i - 1, dcm_kind_name(prev->kind),
				(unsigned long long)dcm_layer_outputs(prev),
				dcm_layer_out_channels(prev), dcm_layer_out_h(prev),
				dcm_layer_out_w(prev));
	if (l->in_frac != prev->out_frac)
		return dcm_fail(err, "layer %u (%s): in_frac %u is not layer %u's out_frac %u",
				i, dcm_kind_name(l->kind), l->in_frac, i - 1, prev->out_frac);
	return dcm_check_bitplane_follows(prev, l, i, err);
}

int dcm_check_place(const struct dcm_layer *l, uint32_t i, uint32_t count,
		    struct dcm_error *err)
{
	/* its input planes come from a QUANT layer before it */
	if (i == 0 && dcm_kind_is_bitplane(l->kind))
		return dcm_fail(err, "layer 0 (%s): a bit-plane layer is never first: it reads the planes of a QUANT layer before it",
				dcm_kind_name(l->kind));
	/* its planes are for a bit-plane layer after it */
	if (i + 1 == count && l->kind == DCM_QUANT)
		return dcm_fail(err, "layer %u (quant) is the last layer: a QUANT layer is followed by a bit-plane layer",
				i);
	return 0;
}

uint16_t dcm_model_version(const struct dcm_model *m)
{
	/* version 1 only on request: files of fc, conv and pool stay as they were */
	for (uint32_t i = 0; m->layers && i < m->layer_count; i++)
		if (m->layers[i].kind > DCM_POOL)
			return DCM_VERSION_BITPLANE;
	return DCM_VERSION;
}

int dcm_layer_encode(struct dcm_layer *l, struct dcm_error *err)
{
	struct eie_error e = { "" };

	memset(&l->streams, 0, sizeof(l->streams));
	/* only FC and CONV layers have EIE streams */
	if (l->kind != DCM_FC && l->kind != DCM_CONV)
		return 0;
	if (eie_encode(l->widx, l->rows, l->cols, l->pes, l->wbits, l->zbits,
		       &l->streams, &e))
		return dcm_fail(err, "EIE encoder: %s", e.msg);
	return 0;
}

void dcm_layer_view(const struct dcm_layer *l, struct eie_layer *out)
{
	eie_streams_to_layer(&l->streams, out);
	out->in_frac = l->in_frac;
	out->w_frac = l->w_frac;
	out->out_frac = l->out_frac;
	out->relu = l->relu;
	out->codebook_len = l->codebook_len;
	out->codebook = l->codebook;
	out->bias = l->bias;
}

void dcm_free(struct dcm_model *m)
{
	for (uint32_t i = 0; m->layers && i < m->layer_count; i++) {
		struct dcm_layer *l = &m->layers[i];

		free(l->codebook);
		free(l->bias);
		free(l->widx);
		free(l->wplanes);
		free(l->w_basis);
		free(l->a_basis);
		free(l->thr);
		free(l->codes);
		eie_streams_free(&l->streams);
	}
	free(m->layers);
	m->layers = NULL;
	m->layer_count = 0;
}
