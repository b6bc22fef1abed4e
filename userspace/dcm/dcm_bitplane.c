// SPDX-License-Identifier: MIT
/*
 * The version-3 kinds (model-format.rst, "Version 3"): the fields of
 * BITPLANE, BITPLANE_CONV and QUANT layers, the order they chain in, the
 * padding bits of the planes, and the datapath's views of them. Writer
 * and reader hold a layer to the same checks, so that whatever one
 * writes the other reads.
 */
#include "dcm_layout.h"
#include "dcaccel/dcaccel_bitplane.h"
#include "dcaccel/dcaccel_hw.h"
#include "../../qemu-device/datapath/dp_bitplane_conv.h"
#include "../../qemu-device/datapath/dp_outq.h"

uint64_t dcm_layer_plane_words(const struct dcm_layer *l)
{
	/* a convolution's filters: one row plane of Lc words per tap */
	uint64_t row = DCACCEL_PLANE_WORDS((uint64_t)l->cols);

	if (l->kind == DCM_BITPLANE_CONV)
		row *= (uint64_t)l->kernel_h * l->kernel_w;
	return (uint64_t)l->w_planes * l->rows * row;
}

uint64_t dcm_bitplane_fixed_bytes(const struct dcm_layer *l)
{
	if (l->kind == DCM_QUANT)
		return 3ull * (1u << l->quant_bits) - 2;
	return 8 * dcm_layer_plane_words(l) + 2ull * l->rows * l->w_planes +
	       2ull * l->a_planes;
}

void dcm_layer_bitplane(const struct dcm_layer *l, struct dp_bitplane *out)
{
	*out = (struct dp_bitplane){
		.rows = l->rows, .cols = l->cols, .pes = l->pes,
		.w_planes = l->w_planes, .a_planes = l->a_planes,
		.w_kind = l->w_kind, .a_kind = l->a_kind,
		.bw_frac = l->bw_frac, .ba_frac = l->ba_frac,
		.out_frac = l->out_frac, .relu = l->relu,
		.wplanes = l->wplanes, .w_basis = l->w_basis,
		.a_basis = l->a_basis, .bias = l->bias,
	};
}

void dcm_layer_bitplane_conv(const struct dcm_layer *l,
			     struct dp_bitplane_conv *out)
{
	dcm_layer_bitplane(l, &out->l);
	dcm_layer_window(l, &out->win);
}

void dcm_layer_outq(const struct dcm_layer *l, struct dp_outq *out)
{
	*out = (struct dp_outq){ l->quant_bits, l->thr, l->codes };
}

static bool window_set(const struct dcm_layer *l)
{
	return l->kernel_h || l->kernel_w || l->stride_h || l->stride_w ||
	       l->pad_h || l->pad_w || l->pool_mode;
}

/* BITPLANE and BITPLANE_CONV: the op's ranges, no EIE fields. */
static int check_planes(const struct dcm_layer *l, uint32_t i,
			struct dcm_error *err)
{
	const char *k = dcm_kind_name(l->kind);

	if (l->rows == 0 || l->rows > DCACCEL_BITPLANE_DIM_MAX ||
	    l->cols == 0 || l->cols > DCACCEL_BITPLANE_DIM_MAX)
		return dcm_fail(err, "layer %u (%s): shape %u x %u (rows and cols must be 1..%u)",
				i, k, l->rows, l->cols, DCACCEL_BITPLANE_DIM_MAX);
	if (l->pes == 0 || l->pes > DCACCEL_EIE_PES_MAX)
		return dcm_fail(err, "layer %u (%s): %u PEs (must be 1..%u)",
				i, k, l->pes, DCACCEL_EIE_PES_MAX);
	if (l->wbits || l->zbits || l->w_frac || l->codebook_len)
		return dcm_fail(err, "layer %u (%s): wbits %u, zbits %u, w_frac %u, codebook_len %u must be 0 (a bit-plane layer has no codebook)",
				i, k, l->wbits, l->zbits, l->w_frac, l->codebook_len);
	if (l->w_planes == 0 || l->w_planes > DCACCEL_BITPLANE_PLANES_MAX ||
	    l->a_planes == 0 || l->a_planes > DCACCEL_BITPLANE_PLANES_MAX)
		return dcm_fail(err, "layer %u (%s): w_planes %u / a_planes %u must be 1..%u",
				i, k, l->w_planes, l->a_planes,
				DCACCEL_BITPLANE_PLANES_MAX);
	if (l->w_kind > DCACCEL_PLANE_SIGNED || l->a_kind > DCACCEL_PLANE_SIGNED)
		return dcm_fail(err, "layer %u (%s): w_kind %u / a_kind %u must be 0 (unsigned) or 1 (signed)",
				i, k, l->w_kind, l->a_kind);
	if (l->bw_frac > DCACCEL_EIE_FRAC_MAX || l->ba_frac > DCACCEL_EIE_FRAC_MAX)
		return dcm_fail(err, "layer %u (%s): bw_frac %u / ba_frac %u must be at most %u",
				i, k, l->bw_frac, l->ba_frac, DCACCEL_EIE_FRAC_MAX);
	if (l->quant_bits)
		return dcm_fail(err, "layer %u (%s): quant_bits %u set (a QUANT layer's field)",
				i, k, l->quant_bits);
	if (l->in_frac)
		return dcm_fail(err, "layer %u (%s): in_frac %u must be 0 (its inputs are planes, scaled by a_basis)",
				i, k, l->in_frac);
	if (l->out_frac > DCACCEL_EIE_FRAC_MAX || l->out_frac > l->bw_frac + l->ba_frac)
		return dcm_fail(err, "layer %u (%s): out_frac %u exceeds %u or bw_frac + ba_frac = %u",
				i, k, l->out_frac, DCACCEL_EIE_FRAC_MAX,
				l->bw_frac + l->ba_frac);
	if (l->pool_mode)
		return dcm_fail(err, "layer %u (%s): pool mode %u set", i, k, l->pool_mode);
	if (l->kind == DCM_BITPLANE_CONV)
		return dcm_check_map_fields(l, i, err);
	if (l->channels || l->in_h || l->in_w || window_set(l))
		return dcm_fail(err, "layer %u (bitplane): map or window fields set", i);
	return 0;
}

/* QUANT: Ko and the kind, over a vector or a map; nothing else. */
static int check_quant(const struct dcm_layer *l, uint32_t i,
		       struct dcm_error *err)
{
	if (l->quant_bits == 0 || l->quant_bits > DCACCEL_BITPLANE_PLANES_MAX)
		return dcm_fail(err, "layer %u (quant): quant_bits %u (must be 1..%u)",
				i, l->quant_bits, DCACCEL_BITPLANE_PLANES_MAX);
	if (l->a_kind > DCACCEL_PLANE_SIGNED)
		return dcm_fail(err, "layer %u (quant): a_kind %u must be 0 (unsigned) or 1 (signed)",
				i, l->a_kind);
	if (l->w_planes || l->a_planes || l->w_kind || l->bw_frac || l->ba_frac)
		return dcm_fail(err, "layer %u (quant): w_planes %u, a_planes %u, w_kind %u, bw_frac %u, ba_frac %u must be 0",
				i, l->w_planes, l->a_planes, l->w_kind, l->bw_frac,
				l->ba_frac);
	if (l->pes || l->wbits || l->zbits || l->w_frac || l->codebook_len ||
	    l->relu || l->bias || l->out_frac)
		return dcm_fail(err, "layer %u (quant): a quantizer has no PEs, weight fields, ReLU, bias or out_frac (pes %u wbits %u zbits %u w_frac %u codebook %u out_frac %u)",
				i, l->pes, l->wbits, l->zbits, l->w_frac,
				l->codebook_len, l->out_frac);
	if (l->in_frac > DCACCEL_EIE_FRAC_MAX)
		return dcm_fail(err, "layer %u (quant): in_frac %u must be at most %u",
				i, l->in_frac, DCACCEL_EIE_FRAC_MAX);
	if (window_set(l))
		return dcm_fail(err, "layer %u (quant): window fields set (a quantizer keeps its map)",
				i);
	if (l->rows || l->cols) {
		/* a vector: one channel of the QUANT op per value */
		if (l->rows != l->cols || l->rows > DCACCEL_BITPLANE_DIM_MAX ||
		    l->channels || l->in_h || l->in_w)
			return dcm_fail(err, "layer %u (quant): a vector has rows = cols = 1..%u and no map, got rows %u cols %u map %u x %u x %u",
					i, DCACCEL_BITPLANE_DIM_MAX, l->rows, l->cols,
					l->channels, l->in_h, l->in_w);
		return 0;
	}
	if (l->channels == 0 || l->channels > DCACCEL_BITPLANE_DIM_MAX)
		return dcm_fail(err, "layer %u (quant): channels %u (must be 1..%u)",
				i, l->channels, DCACCEL_BITPLANE_DIM_MAX);
	if (l->in_h == 0 || l->in_h > DCACCEL_MAP_DIM_MAX ||
	    l->in_w == 0 || l->in_w > DCACCEL_MAP_DIM_MAX)
		return dcm_fail(err, "layer %u (quant): map of %u x %u pixels (in_h and in_w must be 1..%u)",
				i, l->in_h, l->in_w, DCACCEL_MAP_DIM_MAX);
	if (dcm_layer_inputs(l) > DCM_MAP_MAX)
		return dcm_fail(err, "layer %u (quant): a map of %llu values (at most %u)",
				i, (unsigned long long)dcm_layer_inputs(l), DCM_MAP_MAX);
	return 0;
}

int dcm_check_bitplane_fields(const struct dcm_layer *l, uint32_t i,
			      struct dcm_error *err)
{
	return l->kind == DCM_QUANT ? check_quant(l, i, err) :
	       check_planes(l, i, err);
}

int dcm_check_bitplane_follows(const struct dcm_layer *prev,
			       const struct dcm_layer *l, uint32_t i,
			       struct dcm_error *err)
{
	const char *k = dcm_kind_name(l->kind);

	if (prev->kind == DCM_QUANT && !dcm_kind_is_bitplane(l->kind))
		return dcm_fail(err, "layer %u (%s) follows layer %u (quant): only a bit-plane layer reads a QUANT layer's planes",
				i, k, i - 1);
	if (!dcm_kind_is_bitplane(l->kind))
		return 0;
	if (prev->kind != DCM_QUANT)
		return dcm_fail(err, "layer %u (%s) follows layer %u (%s): a bit-plane layer reads the planes of a QUANT layer",
				i, k, i - 1, dcm_kind_name(prev->kind));
	if (l->a_planes != prev->quant_bits)
		return dcm_fail(err, "layer %u (%s): a_planes %u is not layer %u's quant_bits %u",
				i, k, l->a_planes, i - 1, prev->quant_bits);
	if (l->a_kind != prev->a_kind)
		return dcm_fail(err, "layer %u (%s): a_kind %u is not layer %u's a_kind %u (the kind its planes are read as)",
				i, k, l->a_kind, i - 1, prev->a_kind);
	/* a vector's planes are in value order, a map's pixel by pixel */
	if (l->kind == DCM_BITPLANE_CONV && !dcm_layer_is_map(prev))
		return dcm_fail(err, "layer %u (bitplane_conv) reads a map, layer %u (quant) quantizes a vector of %u values",
				i, i - 1, prev->cols);
	/* hardware.rst: a BITPLANE op reading a map takes cols = H W Lc 64 */
	if (l->kind == DCM_BITPLANE && dcm_layer_is_map(prev) &&
	    prev->channels % DCACCEL_PLANE_WORD_BITS)
		return dcm_fail(err, "layer %u (bitplane) reads layer %u's quantized map pixel by pixel: its %u channels must be a multiple of %u",
				i, i - 1, prev->channels, DCACCEL_PLANE_WORD_BITS);
	return 0;
}

/* The bits of each row plane's last word past the columns are 0. */
static int check_padding(const struct dcm_layer *l, uint32_t i,
			 struct dcm_error *err)
{
	const uint32_t tail = l->cols % DCACCEL_PLANE_WORD_BITS;
	const uint64_t row = DCACCEL_PLANE_WORDS(l->cols);
	const uint64_t words = dcm_layer_plane_words(l);
	uint64_t pad;

	if (!tail)
		return 0;
	pad = ~(((uint64_t)1 << tail) - 1);
	for (uint64_t t = row - 1; t < words; t += row)
		if (l->wplanes[t] & pad)
			return dcm_fail(err, "layer %u (%s): weight plane word %llu has padding bits set (0x%016llx, past column %u): they must be 0",
					i, dcm_kind_name(l->kind),
					(unsigned long long)t,
					(unsigned long long)(l->wplanes[t] & pad),
					l->cols - 1);
	return 0;
}

int dcm_check_bitplane_payload(const struct dcm_layer *l, uint32_t i,
			       struct dcm_error *err)
{
	struct eie_error ee = { "" };
	struct dp_bitplane_conv c;
	struct dp_outq q;
	int bad;

	if (l->kind == DCM_QUANT) {
		dcm_layer_outq(l, &q);
		bad = dp_outq_validate(&q, &ee);
	} else if (l->kind == DCM_BITPLANE_CONV) {
		dcm_layer_bitplane_conv(l, &c);
		bad = dp_bitplane_conv_validate(&c, &ee);
	} else {
		dcm_layer_bitplane(l, &c.l);
		bad = dp_bitplane_validate(&c.l, &ee);
	}
	if (bad)
		return dcm_fail(err, "layer %u (%s): %.200s", i,
				dcm_kind_name(l->kind), ee.msg);
	return l->kind == DCM_QUANT ? 0 : check_padding(l, i, err);
}
