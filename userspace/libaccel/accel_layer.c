// SPDX-License-Identifier: MIT
/*
 * One layer of a model's graph, whatever its kind: the datapath's form of
 * it (an EIE layer, a convolution or a pooling; the version-3 kinds in
 * accel_bitplane.c) checked as the device checks it, its host form for
 * the CPU reference, what its device op costs (work units, bytes moved)
 * and the op itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accel_internal.h"
#include "dcaccel/dcaccel_hw.h"
#include "../common/conv_op.h"
#include "../common/fc_op.h"

/* Re-encode layer l for `pes` PEs into ml->reenc and point the view at it. */
static int reencode(const struct dcm_layer *l, struct accel_mlayer *ml,
		    uint32_t pes, const char *name, uint32_t i,
		    struct accel_error *err)
{
	struct eie_error ee;
	int ret = eie_encode(l->widx, l->rows, l->cols, pes, l->wbits, l->zbits,
			     &ml->reenc, &ee);

	if (ret)
		return accelp_fail(err, ret == -ENOMEM ? ACCEL_E_NOMEM : ACCEL_E_MODEL,
				  "%s: layer %u: re-encoding for %u PEs: %s",
				  name, i, pes, ret == -ENOMEM ? "out of memory" : ee.msg);
	ml->view.pes = pes;
	ml->view.colptr = ml->reenc.colptr;
	ml->view.entries = ml->reenc.entries;
	ml->view.entry_count = ml->reenc.entry_count;
	return ACCEL_OK;
}

/* An 8-byte aligned buffer of size bytes (at least 8) in ml->host_buf. */
static int host_alloc(struct accel_mlayer *ml, size_t size,
		      struct accel_error *err)
{
	size = (size + 7) & ~(size_t)7;
	ml->host_buf = aligned_alloc(8, size ? size : 8);
	return ml->host_buf ? ACCEL_OK :
	       accelp_fail(err, ACCEL_E_NOMEM, "out of memory");
}

/* The FC or CONV layer's filters: view, re-encoding, host form. */
static int prepare_weights(const struct dcm_layer *l, uint32_t pes,
			   uint32_t threads, struct accel_mlayer *ml,
			   const char *name, uint32_t i,
			   struct accel_error *err)
{
	struct eie_error ee;
	int st;

	dcm_layer_view(l, &ml->view);
	if (pes && pes != l->pes && (st = reencode(l, ml, pes, name, i, err)))
		return st;
	if (l->kind == DCM_FC) {
		size_t cols;

		if (eie_validate(&ml->view, &ee))
			return accelp_fail(err, ACCEL_E_MODEL, "%s: layer %u (fc): %s",
					  name, i, ee.msg);
		/* the column form, then the rows form (for dense inputs) */
		cols = eie_decoded_size(&ml->view);
		if ((st = host_alloc(ml, cols + eie_decoded_rows_size(&ml->view),
				     err)))
			return st;
		eie_decode_layer(&ml->view, ml->host_buf, &ml->decoded);
		eie_decode_rows(&ml->decoded, (uint8_t *)ml->host_buf + cols);
		ml->cpu_ws = eie_run_team_ws_size(&ml->view, threads);
		ml->op_size = DCACCEL_OP_FC_SIZE;
		return ACCEL_OK;
	}
	ml->conv.filters = ml->view;
	ml->conv.in_channels = l->channels;
	dcm_layer_window(l, &ml->conv.win);
	if (dp_conv_validate(&ml->conv, &ee))
		return accelp_fail(err, ACCEL_E_MODEL, "%s: layer %u (conv): %s",
				  name, i, ee.msg);
	if ((st = host_alloc(ml, dp_conv_prepared_size(&ml->conv), err)))
		return st;
	dp_conv_prepare(&ml->conv, ml->host_buf, &ml->prepared);
	ml->cpu_ws = dp_conv_prepared_ws_size(&ml->conv);
	ml->op_size = DCACCEL_OP_CONV_SIZE;
	return ACCEL_OK;
}

int accelp_layer_prepare(const struct dcm_layer *l, uint32_t pes,
			 uint32_t threads, struct accel_mlayer *ml,
			 const char *name, uint32_t i, struct accel_error *err)
{
	struct eie_error ee;

	ml->kind = l->kind;
	ml->inputs = (uint32_t)dcm_layer_inputs(l);	/* <= 2^24: libdcm */
	ml->outputs = (uint32_t)dcm_layer_outputs(l);
	ml->in_frac = l->in_frac;
	ml->out_frac = l->out_frac;
	ml->file_pes = l->pes;
	/* int16 values in and out, but for the planes of the version-3 kinds */
	ml->in_bytes = 2ull * ml->inputs;
	ml->out_bytes = 2ull * ml->outputs;
	switch (l->kind) {
	case DCM_FC:
	case DCM_CONV:
		return prepare_weights(l, pes, threads, ml, name, i, err);
	case DCM_BITPLANE:
	case DCM_BITPLANE_CONV:
	case DCM_QUANT:
		return accelp_bitplane_prepare(l, ml, name, i, err);
	case DCM_POOL:
		ml->pool.channels = l->channels;
		dcm_layer_window(l, &ml->pool.win);
		ml->pool.mode = l->pool_mode;
		if (dp_pool_validate(&ml->pool, &ee))
			return accelp_fail(err, ACCEL_E_MODEL, "%s: layer %u (pool): %s",
					  name, i, ee.msg);
		ml->op_size = DCACCEL_OP_POOL_SIZE;
		return ACCEL_OK;
	}
	return accelp_fail(err, ACCEL_E_MODEL,
			   "%s: layer %u: kind %u is none of fc, conv, pool, bitplane, bitplane_conv, quant",
			   name, i, l->kind);
}

void accelp_layer_free(struct accel_mlayer *ml)
{
	if (ml->reenc.colptr || ml->reenc.entries)
		eie_streams_free(&ml->reenc);
	free(ml->host_buf);
}

/* The first field of the layer over a device limit, or NULL. */
static const char *over_limit(const struct accel_mlayer *ml,
			      const struct accel_device_info *d,
			      uint64_t *value, uint64_t *limit)
{
	const struct eie_layer *v = &ml->view;
	const struct dp_window *w = ml->kind == DCM_POOL ? &ml->pool.win :
				    &ml->conv.win;

	if (accelp_kind_planes(ml->kind))
		return accelp_bitplane_over_limit(ml, d, value, limit);
#define OVER(name, val, lim) \
	do { if ((uint64_t)(val) > (uint64_t)(lim)) { \
		*value = (val); *limit = (lim); return name; } } while (0)

	if (ml->kind != DCM_FC) {
		OVER("channels", ml->kind == DCM_POOL ? ml->pool.channels :
			ml->conv.in_channels, d->max_dim);
		OVER("in_height", w->in_h, DCACCEL_MAP_DIM_MAX);
		OVER("in_width", w->in_w, DCACCEL_MAP_DIM_MAX);
	}
	if (ml->kind == DCM_POOL)
		return NULL;
	OVER(ml->kind == DCM_FC ? "rows" : "out_channels", v->rows, d->max_dim);
	OVER(ml->kind == DCM_FC ? "cols" : "channels x kernel_h x kernel_w",
	     v->cols, d->max_dim);
	if (ml->kind == DCM_CONV)
		OVER("outputs per map (out_channels x OH x OW)", ml->outputs,
		     DCACCEL_CONV_OUTPUTS_MAX);
	OVER("wbits", v->wbits, d->max_wbits);
	OVER("zbits", v->zbits, d->max_zbits);
	OVER("entry_count", v->entry_count, DCACCEL_MAX_ENTRIES);
#undef OVER
	return NULL;
}

/*
 * The version-3 kinds' ops: hardware 1.2 on (the QUANT op came with it;
 * the device has no capability bit for them). Their layers are made for
 * the device's PE count: it is the op's pes, which must be CAP_PES.
 */
static int planes_fit(const struct accel_mlayer *ml,
		      const struct accel_device_info *d, const char *name,
		      uint32_t i, struct accel_error *err)
{
	if (d->hw_version < ACCELP_HW_PLANES)
		return accelp_fail(err, ACCEL_E_UNSUPPORTED,
				   "%s: layer %u (%s): %s (hardware %u.%u) has no BITPLANE, BITPLANE_CONV or QUANT op (hardware 1.2 has them)",
				   name, i, dcm_kind_name(ml->kind), d->node,
				   d->hw_version >> 16, d->hw_version & 0xffff);
	if (ml->kind != DCM_QUANT && ml->bp.l.pes != d->pes)
		return accelp_fail(err, ACCEL_E_MODEL,
				   "%s: layer %u (%s): made for %u PEs, the device has %u (a bit-plane layer's pes must be the device's)",
				   name, i, dcm_kind_name(ml->kind), ml->bp.l.pes,
				   d->pes);
	return ACCEL_OK;
}

int accelp_layer_fits(const struct accel_mlayer *ml,
		      const struct accel_device_info *d, const char *name,
		      uint32_t i, struct accel_error *err)
{
	uint64_t value = 0, limit = 0;
	const char *field;
	int st;

	if (accelp_kind_planes(ml->kind) && (st = planes_fit(ml, d, name, i, err)))
		return st;
	field = over_limit(ml, d, &value, &limit);
	if (!field)
		return ACCEL_OK;
	return accelp_fail(err, ACCEL_E_MODEL,
			  "%s: layer %u (%s): %s %llu is over the device's limit %llu",
			  name, i, dcm_kind_name(ml->kind), field,
			  (unsigned long long)value, (unsigned long long)limit);
}

uint64_t accelp_layer_work(const struct accel_mlayer *ml, uint32_t batch)
{
	const struct eie_layer *v = &ml->view;
	const struct dp_window *w;

	if (accelp_kind_planes(ml->kind))
		return accelp_bitplane_work(ml, batch);
	switch (ml->kind) {
	case DCM_FC:
		return DCACCEL_FC_WORK(v->rows, v->cols, v->pes, batch,
				       v->codebook_len, v->entry_count);
	case DCM_CONV:
		w = &ml->conv.win;
		return DCACCEL_CONV_WORK(ml->conv.in_channels, w->in_h, w->in_w,
					 v->rows, dp_window_out_h(w),
					 dp_window_out_w(w), w->kernel_h,
					 w->kernel_w, v->pes, batch,
					 v->codebook_len, v->entry_count);
	default:
		w = &ml->pool.win;
		return DCACCEL_POOL_WORK(ml->pool.channels, w->in_h, w->in_w,
					 dp_window_out_h(w), dp_window_out_w(w),
					 w->kernel_h, w->kernel_w, batch);
	}
}

void accelp_layer_bytes(const struct accel_mlayer *ml, uint64_t *fixed,
			uint64_t *per_vector)
{
	const struct eie_layer *v = &ml->view;

	if (accelp_kind_planes(ml->kind)) {
		accelp_bitplane_bytes(ml, fixed, per_vector);
		return;
	}
	/* the input and output maps (or vectors) of each batch item */
	*per_vector = (ml->f32_input ? 4ull : 2ull) * ml->inputs +
		      2ull * ml->outputs;
	*fixed = 0;
	if (ml->kind != DCM_POOL)
		*fixed = 2ull * v->codebook_len + 4ull * v->pes * ((uint64_t)v->cols + 1) +
			 (uint64_t)DCACCEL_EIE_ENTRY_BYTES(v->wbits, v->zbits) *
			 v->entry_count + (v->bias ? 4ull * v->rows : 0);
}

/* Place an FC or CONV layer's arrays from offset size on: the new size. */
static uint64_t place_weights(struct accel_mlayer *ml, uint64_t size)
{
	const struct eie_layer *v = &ml->view;
	size_t eb = DCACCEL_EIE_ENTRY_BYTES(v->wbits, v->zbits);

	ml->cb_off = size;
	size = ACCELP_ALIGN8(size + (uint64_t)v->codebook_len * 2);
	ml->cp_off = size;
	size = ACCELP_ALIGN8(size + (uint64_t)v->pes * (v->cols + 1) * 4);
	ml->en_off = size;
	size = ACCELP_ALIGN8(size + (uint64_t)v->entry_count * eb + 1);
	ml->bias_off = size;
	return ACCELP_ALIGN8(size + (uint64_t)v->rows * 4);
}

/* Copy them where place_weights() put them. */
static void copy_weights(const struct accel_mlayer *ml, uint8_t *base)
{
	const struct eie_layer *v = &ml->view;

	memcpy(base + ml->cb_off, v->codebook, (size_t)v->codebook_len * 2);
	memcpy(base + ml->cp_off, v->colptr, (size_t)v->pes * (v->cols + 1) * 4);
	memcpy(base + ml->en_off, v->entries,
	       (size_t)v->entry_count * DCACCEL_EIE_ENTRY_BYTES(v->wbits, v->zbits));
	if (v->bias)
		memcpy(base + ml->bias_off, v->bias, (size_t)v->rows * 4);
}

uint64_t accelp_layer_place(struct accel_mlayer *ml, uint64_t size)
{
	if (ml->kind == DCM_FC || ml->kind == DCM_CONV)
		return place_weights(ml, size);
	if (accelp_kind_planes(ml->kind))
		return accelp_bitplane_place(ml, size);
	return size;	/* POOL: no arrays */
}

void accelp_layer_copy(const struct accel_mlayer *ml, uint8_t *base)
{
	if (ml->kind == DCM_FC || ml->kind == DCM_CONV)
		copy_weights(ml, base);
	else if (accelp_kind_planes(ml->kind))
		accelp_bitplane_copy(ml, base);
}

/*
 * The VAs of an FC or CONV op (the same fields from pes on): the filters'
 * arrays at model_va + the layer's offsets, the input and output maps.
 */
#define SET_VAS(op, ml, model_va, in_va, out_va) do {			\
	(op).codebook_va = (model_va) + (ml)->cb_off;			\
	(op).colptr_va = (model_va) + (ml)->cp_off;			\
	(op).entries_va = (model_va) + (ml)->en_off;			\
	(op).bias_va = (ml)->view.bias ? (model_va) + (ml)->bias_off : 0; \
	(op).input_va = (in_va);					\
	(op).output_va = (out_va);					\
} while (0)

void accelp_layer_op(const struct accel_mlayer *ml, uint32_t batch,
		     uint64_t model_va, uint64_t in_va, uint64_t out_va,
		     void *cmd)
{
	struct dcaccel_op_fc fc;
	struct dcaccel_op_conv conv;
	struct dcaccel_op_pool pool;

	if (accelp_kind_planes(ml->kind)) {
		accelp_bitplane_op(ml, batch, model_va, in_va, out_va, cmd);
		return;
	}
	switch (ml->kind) {
	case DCM_FC:
		fc_op_from_layer(&ml->view, batch, &fc);
		if (ml->f32_input)
			fc.flags |= DCACCEL_FC_F_INPUT_F32;
		SET_VAS(fc, ml, model_va, in_va, out_va);
		memcpy(cmd, &fc, sizeof(fc));
		break;
	case DCM_CONV:
		conv_op_from(&ml->conv, batch, &conv);
		if (ml->f32_input)
			conv.flags |= DCACCEL_CONV_F_INPUT_F32;
		SET_VAS(conv, ml, model_va, in_va, out_va);
		memcpy(cmd, &conv, sizeof(conv));
		break;
	default:
		pool_op_from(&ml->pool, batch, &pool);
		pool.input_va = in_va;
		pool.output_va = out_va;
		memcpy(cmd, &pool, sizeof(pool));
		break;
	}
}

void accelp_layer_run_cpu(const struct accel_mlayer *ml, uint32_t batch,
			  const void *x, void *y, void *ws,
			  struct eie_stats *stats, const struct eie_team *team)
{
	if (accelp_kind_planes(ml->kind)) {
		accelp_bitplane_run_cpu(ml, batch, x, y, ws, stats);
		return;
	}
	switch (ml->kind) {
	case DCM_FC:
		/* no poll: it cannot fail */
		eie_run_decoded_team(&ml->decoded, batch, x, y, ws, stats, NULL,
				     team);
		break;
	case DCM_CONV:
		/* no poll: it cannot fail */
		dp_conv_run_prepared(&ml->prepared, batch, x, y, ws, stats, NULL);
		break;
	default:
		dp_pool_run(&ml->pool, batch, x, y, NULL);
		break;
	}
}
