// SPDX-License-Identifier: MIT
/*
 * Model loading: libdcm validates and decodes the file; each layer gets an
 * EIE view for the CPU reference and, with a device, its arrays in one
 * read-only BO (re-encoded for the device's PE count when needed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_internal.h"
#include "dcaccel/dcaccel_hw.h"

#define ALIGN8(x)	(((x) + 7) & ~(uint64_t)7)

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

/* Does layer i fit the device? */
static int check_device_fit(const struct accel_device_info *d,
			    const struct eie_layer *v, const char *name,
			    uint32_t i, struct accel_error *err)
{
	const char *field = NULL;
	uint32_t value = 0, limit = 0;

	if (v->rows > d->max_dim)
		field = "rows", value = v->rows, limit = d->max_dim;
	else if (v->cols > d->max_dim)
		field = "cols", value = v->cols, limit = d->max_dim;
	else if (v->wbits > d->max_wbits)
		field = "wbits", value = v->wbits, limit = d->max_wbits;
	else if (v->zbits > d->max_zbits)
		field = "zbits", value = v->zbits, limit = d->max_zbits;
	else if (v->entry_count > DCACCEL_MAX_ENTRIES)
		field = "entry_count", value = v->entry_count, limit = DCACCEL_MAX_ENTRIES;
	if (!field)
		return ACCEL_OK;
	return accelp_fail(err, ACCEL_E_MODEL,
			  "%s: layer %u: %s %u is over the device's limit %u",
			  name, i, field, value, limit);
}

/* Place every layer's arrays in one read-only BO; set the job chunk. */
static int place_on_device(struct accel_model *m, const char *name,
			   struct accel_error *err)
{
	const struct accel_device_info *d = &m->dev->info;
	uint64_t size = 0, work = 0, work_max = (uint64_t)DCACCEL_MAX_WORK_MI << 20;
	uint8_t *base;
	int st;

	for (uint32_t i = 0; i < m->layer_count; i++) {
		struct accel_mlayer *ml = &m->layers[i];
		const struct eie_layer *v = &ml->view;
		size_t eb = DCACCEL_EIE_ENTRY_BYTES(v->wbits, v->zbits);

		ml->cb_off = size;
		size = ALIGN8(size + (uint64_t)v->codebook_len * 2);
		ml->cp_off = size;
		size = ALIGN8(size + (uint64_t)v->pes * (v->cols + 1) * 4);
		ml->en_off = size;
		size = ALIGN8(size + (uint64_t)v->entry_count * eb + 1);
		ml->bias_off = size;
		size = ALIGN8(size + (uint64_t)v->rows * 4);
		work += DCACCEL_FC_WORK(v->rows, v->cols, v->pes, 1,
					v->codebook_len, v->entry_count);
	}
	if (work > work_max)
		return accelp_fail(err, ACCEL_E_MODEL,
				  "%s: one vector needs %llu work units, over the device's %llu per job",
				  name, (unsigned long long)work, (unsigned long long)work_max);
	/* 1.1 devices quantize float inputs themselves (INPUT_F32) */
	m->f32_inputs = d->hw_version >= (1u << 16 | 1);
	m->chunk = (uint32_t)(work_max / work);
	if (m->chunk > d->max_batch)
		m->chunk = d->max_batch;
	if (m->chunk == 0)
		m->chunk = 1;
	st = accel_bo_create(m->dev, size, ACCEL_BO_DEVICE_READ_ONLY, &m->bo, err);
	if (st)
		return st;
	base = m->bo->map;
	for (uint32_t i = 0; i < m->layer_count; i++) {
		struct accel_mlayer *ml = &m->layers[i];
		const struct eie_layer *v = &ml->view;

		memcpy(base + ml->cb_off, v->codebook, (size_t)v->codebook_len * 2);
		memcpy(base + ml->cp_off, v->colptr, (size_t)v->pes * (v->cols + 1) * 4);
		memcpy(base + ml->en_off, v->entries,
		       (size_t)v->entry_count * DCACCEL_EIE_ENTRY_BYTES(v->wbits, v->zbits));
		if (v->bias)
			memcpy(base + ml->bias_off, v->bias, (size_t)v->rows * 4);
	}
	return ACCEL_OK;
}

/* Views, checks, CPU decoded forms and device placement of a read model. */
static int prepare(struct accel_model *m, const char *name,
		   struct accel_error *err)
{
	struct eie_error ee;
	int st;

	m->layer_count = m->dcm.layer_count;
	if (m->layer_count == 0 || m->layer_count > DCACCEL_MAX_OPS)
		return accelp_fail(err, ACCEL_E_MODEL, "%s: %u layers (1 .. %u)",
				  name, m->layer_count, DCACCEL_MAX_OPS);
	/* conv and pool layers need the CONV and POOL ops: not yet here */
	for (uint32_t i = 0; i < m->layer_count; i++)
		if (m->dcm.layers[i].kind != DCM_FC)
			return accelp_fail(err, ACCEL_E_MODEL,
					  "%s: layer %u is a %s layer: libaccel runs models of fully connected layers only for now (dcc info checks this model and measures it on the datapath)",
					  name, i, dcm_kind_name(m->dcm.layers[i].kind));
	m->layers = calloc(m->layer_count, sizeof(*m->layers));
	if (!m->layers)
		return accelp_fail(err, ACCEL_E_NOMEM, "out of memory");
	m->inputs = m->dcm.layers[0].cols;
	m->outputs = m->dcm.layers[m->layer_count - 1].rows;
	m->widest = m->inputs;
	m->ws_size = 8;
	for (uint32_t i = 0; i < m->layer_count; i++) {
		const struct dcm_layer *l = &m->dcm.layers[i];
		struct accel_mlayer *ml = &m->layers[i];
		size_t sz;

		if (i && l->cols != m->dcm.layers[i - 1].rows)
			return accelp_fail(err, ACCEL_E_MODEL,
					  "%s: layer %u: cols %u differ from layer %u's rows %u",
					  name, i, l->cols, i - 1, m->dcm.layers[i - 1].rows);
		if (i && l->in_frac != m->dcm.layers[i - 1].out_frac)
			return accelp_fail(err, ACCEL_E_MODEL,
					  "%s: layer %u: in_frac %u differs from layer %u's out_frac %u",
					  name, i, l->in_frac, i - 1, m->dcm.layers[i - 1].out_frac);
		dcm_layer_view(l, &ml->view);
		ml->file_pes = l->pes;
		if (m->dev && m->dev->info.pes != l->pes) {
			st = reencode(l, ml, m->dev->info.pes, name, i, err);
			if (st)
				return st;
		}
		if (eie_validate(&ml->view, &ee))
			return accelp_fail(err, ACCEL_E_MODEL, "%s: layer %u: %s",
					  name, i, ee.msg);
		if (m->dev) {
			st = check_device_fit(&m->dev->info, &ml->view, name, i, err);
			if (st)
				return st;
		}
		sz = (eie_decoded_size(&ml->view) + 7) & ~(size_t)7;
		ml->decoded_buf = aligned_alloc(8, sz ? sz : 8);
		if (!ml->decoded_buf)
			return accelp_fail(err, ACCEL_E_NOMEM, "out of memory");
		eie_decode_layer(&ml->view, ml->decoded_buf, &ml->decoded);
		if (l->rows > m->widest)
			m->widest = l->rows;
		if (eie_run_ws_size(&ml->view) > m->ws_size)
			m->ws_size = eie_run_ws_size(&ml->view);
	}
	m->ws_size = (m->ws_size + 7) & ~(size_t)7;
	return m->dev ? place_on_device(m, name, err) : ACCEL_OK;
}

static int load(struct accel_device *dev, const void *buf, size_t len,
		const char *path, const char *name, struct accel_model **out,
		struct accel_error *err)
{
	struct dcm_error de;
	struct accel_model *m;
	int st;

	if (!out)
		return accelp_fail(err, ACCEL_E_INVALID, "accel_model_load: model is NULL");
	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return accelp_fail(err, ACCEL_E_NOMEM, "out of memory");
	m->dev = dev;
	if (path ? dcm_read_file(path, &m->dcm, &de) :
		   dcm_read_buffer(buf, len, &m->dcm, &de)) {
		free(m);
		/* libdcm's messages for files already name the file */
		if (path)
			return accelp_fail(err, ACCEL_E_MODEL, "%s", de.msg);
		return accelp_fail(err, ACCEL_E_MODEL, "%s: %s", name, de.msg);
	}
	st = prepare(m, path ? path : name, err);
	if (st) {
		accel_model_free(m);
		return st;
	}
	*out = m;
	return ACCEL_OK;
}

int accel_model_load(struct accel_device *dev, const char *path,
		     struct accel_model **model, struct accel_error *err)
{
	if (!path)
		return accelp_fail(err, ACCEL_E_INVALID, "accel_model_load: path is NULL");
	return load(dev, NULL, 0, path, path, model, err);
}

int accel_model_load_buffer(struct accel_device *dev, const void *buf,
			    size_t len, const char *name,
			    struct accel_model **model, struct accel_error *err)
{
	if (!buf)
		return accelp_fail(err, ACCEL_E_INVALID,
				  "accel_model_load_buffer: buf is NULL");
	return load(dev, buf, len, NULL, name ? name : "model", model, err);
}

void accel_model_free(struct accel_model *m)
{
	if (!m)
		return;
	for (uint32_t i = 0; m->layers && i < m->layer_count; i++) {
		if (m->layers[i].reenc.colptr || m->layers[i].reenc.entries)
			eie_streams_free(&m->layers[i].reenc);
		free(m->layers[i].decoded_buf);
	}
	free(m->layers);
	accelp_spare_free(m);
	accel_bo_free(m->bo);
	dcm_free(&m->dcm);
	free(m);
}

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

int accel_model_layer(const struct accel_model *m, uint32_t layer,
		      struct accel_layer_info *info, struct accel_error *err)
{
	const struct dcm_layer *l;
	const struct eie_layer *v;

	if (!m || !info)
		return accelp_fail(err, ACCEL_E_INVALID, "accel_model_layer: %s is NULL",
				  m ? "info" : "model");
	if (layer >= m->layer_count)
		return accelp_fail(err, ACCEL_E_INVALID,
				  "accel_model_layer: layer %u, the model has %u",
				  layer, m->layer_count);
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

	if (!m || !weights || !bias)
		return accelp_fail(err, ACCEL_E_INVALID, "accel_model_dense: %s is NULL",
				   !m ? "model" : !weights ? "weights" : "bias");
	if (layer >= m->layer_count)
		return accelp_fail(err, ACCEL_E_INVALID,
				   "accel_model_dense: layer %u, the model has %u",
				   layer, m->layer_count);
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
