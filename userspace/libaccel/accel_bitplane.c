// SPDX-License-Identifier: MIT
/*
 * The version-3 layers (model-format.rst, "Version 3"): BITPLANE and
 * BITPLANE_CONV, which read bit planes and give int16 outputs, and QUANT,
 * which turns int16 outputs into the next one's planes. Their datapath
 * forms, checked as the device checks them; the bytes of planes they read
 * and write; their device ops (hardware.rst, "BITPLANE op",
 * "BITPLANE_CONV op", "QUANT op"), what those cost and where their arrays
 * go; their CPU run; their weights as dense floats.
 */
#include <string.h>

#include "accel_internal.h"
#include "dcaccel/dcaccel_bitplane.h"
#include "dcaccel/dcaccel_hw.h"

/* A convolution's taps per filter, 1 for a vector. */
static uint64_t taps(const struct accel_mlayer *ml)
{
	const struct dp_window *w = &ml->bp.win;

	return ml->kind == DCM_BITPLANE_CONV ?
	       (uint64_t)w->kernel_h * w->kernel_w : 1;
}

/* 64-bit words of the weight planes: Kw rows L, or Kw K R S Lc. */
static uint64_t plane_words(const struct accel_mlayer *ml)
{
	const struct dp_bitplane *l = &ml->bp.l;

	return (uint64_t)l->w_planes * l->rows * taps(ml) *
	       DCACCEL_PLANE_WORDS((uint64_t)l->cols);
}

static int prepare_quant(const struct dcm_layer *l, struct accel_mlayer *ml,
			 const char *name, uint32_t i, struct accel_error *err)
{
	struct eie_error ee;

	dcm_layer_outq(l, &ml->outq);
	if (dp_outq_validate(&ml->outq, &ee))
		return accelp_fail(err, ACCEL_E_MODEL, "%s: layer %u (quant): %s",
				   name, i, ee.msg);
	ml->q_channels = dcm_quant_channels(l);
	ml->q_pixels = dcm_quant_pixels(l);
	ml->out_bytes = dcm_layer_out_bytes(l);
	ml->op_size = DCACCEL_OP_QUANT_SIZE;
	return ACCEL_OK;
}

int accelp_bitplane_prepare(const struct dcm_layer *l, struct accel_mlayer *ml,
			    const char *name, uint32_t i,
			    struct accel_error *err)
{
	struct eie_error ee;
	int bad;

	if (l->kind == DCM_QUANT)
		return prepare_quant(l, ml, name, i, err);
	if (l->kind == DCM_BITPLANE_CONV) {
		dcm_layer_bitplane_conv(l, &ml->bp);
		bad = dp_bitplane_conv_validate(&ml->bp, &ee);
		if (!bad)
			ml->cpu_ws = dp_bitplane_conv_ws_size(&ml->bp);
	} else {
		dcm_layer_bitplane(l, &ml->bp.l);
		bad = dp_bitplane_validate(&ml->bp.l, &ee);
	}
	if (bad)
		return accelp_fail(err, ACCEL_E_MODEL, "%s: layer %u (%s): %s",
				   name, i, dcm_kind_name(l->kind), ee.msg);
	ml->in_bytes = dcm_layer_in_bytes(l);
	ml->op_size = l->kind == DCM_BITPLANE ? DCACCEL_OP_BITPLANE_SIZE :
		      DCACCEL_OP_BITPLANE_CONV_SIZE;
	return ACCEL_OK;
}

/* ---- the device -------------------------------------------------------- */

const char *accelp_bitplane_over_limit(const struct accel_mlayer *ml,
				       const struct accel_device_info *d,
				       uint64_t *value, uint64_t *limit)
{
	/* the three ops take at most 2^16 of a dimension, whatever CAP_MAX_DIM */
	const uint32_t dim = d->max_dim < DCACCEL_BITPLANE_DIM_MAX ?
			     d->max_dim : DCACCEL_BITPLANE_DIM_MAX;
	const struct dp_bitplane *l = &ml->bp.l;
	const struct dp_window *w = &ml->bp.win;
#define OVER(name, val, lim) \
	do { if ((uint64_t)(val) > (uint64_t)(lim)) { \
		*value = (val); *limit = (lim); return name; } } while (0)

	switch (ml->kind) {
	case DCM_QUANT:
		OVER("channels", ml->q_channels, dim);
		OVER("pixels", ml->q_pixels, DCACCEL_QUANT_VALUES_MAX);
		OVER("values per map (channels x pixels)",
		     (uint64_t)ml->q_channels * ml->q_pixels,
		     DCACCEL_QUANT_VALUES_MAX);
		return NULL;
	case DCM_BITPLANE:
		OVER("rows", l->rows, dim);
		OVER("cols", l->cols, dim);
		return NULL;
	default:
		OVER("channels", l->cols, dim);
		OVER("in_height", w->in_h, DCACCEL_MAP_DIM_MAX);
		OVER("in_width", w->in_w, DCACCEL_MAP_DIM_MAX);
		OVER("out_channels", l->rows, dim);
		OVER("outputs per map (out_channels x OH x OW)", ml->outputs,
		     DCACCEL_CONV_OUTPUTS_MAX);
		return NULL;
	}
#undef OVER
}

uint64_t accelp_bitplane_work(const struct accel_mlayer *ml, uint32_t batch)
{
	const struct dp_bitplane *l = &ml->bp.l;
	const struct dp_window *w = &ml->bp.win;

	switch (ml->kind) {
	case DCM_QUANT:
		return DCACCEL_QUANT_WORK(ml->q_channels, ml->q_pixels,
					  ml->outq.bits, batch);
	case DCM_BITPLANE:
		return DCACCEL_BITPLANE_WORK(l->rows, l->cols, l->w_planes,
					     l->a_planes, batch);
	default:
		return DCACCEL_BITPLANE_CONV_WORK(l->rows, l->cols, w->in_h,
						  w->in_w, dp_window_out_h(w),
						  dp_window_out_w(w),
						  w->kernel_h, w->kernel_w,
						  l->w_planes, l->a_planes,
						  batch);
	}
}

void accelp_bitplane_bytes(const struct accel_mlayer *ml, uint64_t *fixed,
			   uint64_t *per_vector)
{
	const struct dp_bitplane *l = &ml->bp.l;
	const uint64_t levels = 1ull << ml->outq.bits;

	/* hardware.rst: what each op moves, its inputs and outputs per vector */
	*per_vector = ml->in_bytes + ml->out_bytes;
	if (ml->kind == DCM_QUANT) {
		*fixed = 2 * (levels - 1) + levels;
		return;
	}
	*fixed = 8 * plane_words(ml) + 2ull * l->rows * l->w_planes +
		 2ull * l->a_planes + (l->bias ? 4ull * l->rows : 0);
}

uint64_t accelp_bitplane_place(struct accel_mlayer *ml, uint64_t size)
{
	const struct dp_bitplane *l = &ml->bp.l;
	const uint64_t levels = 1ull << ml->outq.bits;

	if (ml->kind == DCM_QUANT) {
		ml->thr_off = size;
		size = ACCELP_ALIGN8(size + 2 * (levels - 1));
		ml->codes_off = size;
		return ACCELP_ALIGN8(size + levels);
	}
	ml->wp_off = size;
	size = ACCELP_ALIGN8(size + 8 * plane_words(ml));
	ml->wb_off = size;
	size = ACCELP_ALIGN8(size + 2ull * l->rows * l->w_planes);
	ml->ab_off = size;
	size = ACCELP_ALIGN8(size + 2ull * l->a_planes);
	ml->bias_off = size;
	return ACCELP_ALIGN8(size + (l->bias ? 4ull * l->rows : 0));
}

void accelp_bitplane_copy(const struct accel_mlayer *ml, uint8_t *base)
{
	const struct dp_bitplane *l = &ml->bp.l;
	const size_t levels = (size_t)1 << ml->outq.bits;

	if (ml->kind == DCM_QUANT) {
		memcpy(base + ml->thr_off, ml->outq.thr, 2 * (levels - 1));
		memcpy(base + ml->codes_off, ml->outq.codes, levels);
		return;
	}
	memcpy(base + ml->wp_off, l->wplanes, 8 * plane_words(ml));
	memcpy(base + ml->wb_off, l->w_basis, 2 * (size_t)l->rows * l->w_planes);
	memcpy(base + ml->ab_off, l->a_basis, 2 * (size_t)l->a_planes);
	if (l->bias)
		memcpy(base + ml->bias_off, l->bias, 4 * (size_t)l->rows);
}

/*
 * The fields from w_planes to output_va, the same in the BITPLANE and
 * BITPLANE_CONV ops (hardware.rst, "BITPLANE_CONV op").
 */
#define SET_PLANES(op, ml, model_va, in_va, out_va) do {		\
	const struct dp_bitplane *l_ = &(ml)->bp.l;			\
	(op).w_planes = l_->w_planes;					\
	(op).a_planes = l_->a_planes;					\
	(op).w_kind = l_->w_kind;					\
	(op).a_kind = l_->a_kind;					\
	(op).bw_frac = l_->bw_frac;					\
	(op).ba_frac = l_->ba_frac;					\
	(op).out_frac = l_->out_frac;					\
	(op).flags = (l_->relu ? DCACCEL_BITPLANE_F_RELU : 0) |		\
		     (l_->bias ? DCACCEL_BITPLANE_F_BIAS : 0);		\
	(op).wplanes_va = (model_va) + (ml)->wp_off;			\
	(op).w_basis_va = (model_va) + (ml)->wb_off;			\
	(op).a_basis_va = (model_va) + (ml)->ab_off;			\
	(op).bias_va = l_->bias ? (model_va) + (ml)->bias_off : 0;	\
	(op).input_va = (in_va);					\
	(op).output_va = (out_va);					\
} while (0)

static void quant_op(const struct accel_mlayer *ml, uint32_t batch,
		     uint64_t model_va, uint64_t in_va, uint64_t out_va,
		     void *cmd)
{
	struct dcaccel_op_quant op = {
		.hdr = { DCACCEL_OP_QUANT, DCACCEL_OP_QUANT_SIZE },
		.channels = ml->q_channels,
		.pixels = ml->q_pixels,
		.batch = batch,
		.bits = ml->outq.bits,
		.thr_va = model_va + ml->thr_off,
		.codes_va = model_va + ml->codes_off,
		.input_va = in_va,
		.output_va = out_va,
	};

	memcpy(cmd, &op, sizeof(op));
}

static void bitplane_op(const struct accel_mlayer *ml, uint32_t batch,
			uint64_t model_va, uint64_t in_va, uint64_t out_va,
			void *cmd)
{
	struct dcaccel_op_bitplane op = {
		.hdr = { DCACCEL_OP_BITPLANE, DCACCEL_OP_BITPLANE_SIZE },
		.rows = ml->bp.l.rows,
		.cols = ml->bp.l.cols,
		.pes = ml->bp.l.pes,
		.batch = batch,
	};

	SET_PLANES(op, ml, model_va, in_va, out_va);
	memcpy(cmd, &op, sizeof(op));
}

static void bitplane_conv_op(const struct accel_mlayer *ml, uint32_t batch,
			     uint64_t model_va, uint64_t in_va, uint64_t out_va,
			     void *cmd)
{
	const struct dp_window *w = &ml->bp.win;
	struct dcaccel_op_bitplane_conv op = {
		.hdr = { DCACCEL_OP_BITPLANE_CONV, DCACCEL_OP_BITPLANE_CONV_SIZE },
		.in_channels = ml->bp.l.cols,
		.in_height = w->in_h,
		.in_width = w->in_w,
		.kernel_h = w->kernel_h,
		.kernel_w = w->kernel_w,
		.stride_h = w->stride_h,
		.stride_w = w->stride_w,
		.pad_h = w->pad_h,
		.pad_w = w->pad_w,
		.out_channels = ml->bp.l.rows,
		.pes = ml->bp.l.pes,
		.batch = batch,
	};

	SET_PLANES(op, ml, model_va, in_va, out_va);
	memcpy(cmd, &op, sizeof(op));
}

void accelp_bitplane_op(const struct accel_mlayer *ml, uint32_t batch,
			uint64_t model_va, uint64_t in_va, uint64_t out_va,
			void *cmd)
{
	if (ml->kind == DCM_QUANT)
		quant_op(ml, batch, model_va, in_va, out_va, cmd);
	else if (ml->kind == DCM_BITPLANE)
		bitplane_op(ml, batch, model_va, in_va, out_va, cmd);
	else
		bitplane_conv_op(ml, batch, model_va, in_va, out_va, cmd);
}

/* ---- the CPU reference --------------------------------------------------- */

void accelp_bitplane_run_cpu(const struct accel_mlayer *ml, uint32_t batch,
			     const void *x, void *y, void *ws,
			     struct eie_stats *stats)
{
	/* no poll: none of them can fail once validated */
	if (ml->kind == DCM_QUANT)
		dp_outq_pack_map(&ml->outq, ml->q_channels, ml->q_pixels, batch,
				 x, y);
	else if (ml->kind == DCM_BITPLANE)
		dp_bitplane_run(&ml->bp.l, batch, x, y, stats, NULL);
	else
		dp_bitplane_conv_run(&ml->bp, batch, x, y, ws, stats, NULL);
}

/* ---- dense weights ------------------------------------------------------- */

/*
 * Row i's weight at bit `bit` of the words at `at` of each of its row
 * planes (row_words words apart), as the bases weigh its bits.
 */
static float dense_weight(const struct dp_bitplane *l, uint64_t row_words,
			  uint32_t i, uint64_t at, uint32_t bit)
{
	int32_t sum = 0;

	for (uint32_t u = 0; u < l->w_planes; u++) {
		uint64_t word = l->wplanes[((uint64_t)u * l->rows + i) * row_words +
					   at + bit / 64];
		int set = (int)(word >> (bit % 64) & 1);
		/* SIGNED: bit 1 is +1, bit 0 is -1; UNSIGNED: 1 and 0 */
		int v = l->w_kind == DCACCEL_PLANE_SIGNED ? 2 * set - 1 : set;

		sum += v * l->w_basis[(size_t)i * l->w_planes + u];
	}
	return (float)sum / (float)(1u << l->bw_frac);
}

void accelp_bitplane_dense(const struct accel_mlayer *ml, float *weights,
			   float *bias)
{
	const struct dp_bitplane *l = &ml->bp.l;
	const uint64_t lc = DCACCEL_PLANE_WORDS((uint64_t)l->cols);
	const uint64_t t = taps(ml), row_words = t * lc;
	const float bs = 1.0f / (float)(1ull << (l->bw_frac + l->ba_frac));

	/* a convolution's column (c R + r) S + s is channel c of tap r S + s */
	for (uint32_t i = 0; i < l->rows; i++)
		for (uint32_t c = 0; c < l->cols; c++)
			for (uint64_t k = 0; k < t; k++)
				weights[((size_t)i * l->cols + c) * t + k] =
					dense_weight(l, row_words, i, k * lc, c);
	for (uint32_t i = 0; i < l->rows; i++)
		bias[i] = l->bias ? (float)l->bias[i] * bs : 0.0f;
}
