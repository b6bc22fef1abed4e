// SPDX-License-Identifier: MIT
/*
 * Model loading: libdcm validates and decodes the file, a graph of FC,
 * convolution and pooling layers and (version 3) bit-plane layers and
 * their quantizers; each layer gets its datapath form and the CPU
 * reference's host form (accel_layer.c, accel_bitplane.c) and, with a
 * device, its arrays in one read-only BO (FC and CONV filters re-encoded
 * for the device's PE count when needed) and its place in the job's
 * command buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_internal.h"
#include "dcaccel/dcaccel_hw.h"

/*
 * Vectors per device job: the job's work (CAP_MAX_WORK) and each op's
 * bytes (CAP_MAX_OP_MB) allow, at most MAX_BATCH; 0 after a message when
 * not even one vector fits.
 */
static int job_chunk(struct accel_model *m, const char *name,
		     struct accel_error *err)
{
	const uint64_t work_max = (uint64_t)DCACCEL_MAX_WORK_MI << 20;
	const uint64_t bytes_max = (uint64_t)DCACCEL_MAX_OP_MB << 20;
	uint64_t work = 0, chunk = m->dev->info.max_batch;

	for (uint32_t i = 0; i < m->layer_count; i++) {
		const struct accel_mlayer *ml = &m->layers[i];
		uint64_t fixed, per;

		work += accelp_layer_work(ml, 1);
		accelp_layer_bytes(ml, &fixed, &per);
		if (fixed + per > bytes_max)
			return accelp_fail(err, ACCEL_E_MODEL,
					  "%s: layer %u (%s): its op moves %llu bytes for one vector, over the device's %u MiB per op",
					  name, i, dcm_kind_name(ml->kind),
					  (unsigned long long)(fixed + per),
					  DCACCEL_MAX_OP_MB);
		if ((bytes_max - fixed) / per < chunk)
			chunk = (bytes_max - fixed) / per;
	}
	if (work > work_max)
		return accelp_fail(err, ACCEL_E_MODEL,
				  "%s: one vector needs %llu work units, over the device's %llu per job",
				  name, (unsigned long long)work, (unsigned long long)work_max);
	if (work_max / work < chunk)
		chunk = work_max / work;
	m->chunk = chunk ? (uint32_t)chunk : 1;
	return ACCEL_OK;
}

/* Place every layer's arrays in one read-only BO; set the job chunk. */
static int place_on_device(struct accel_model *m, const char *name,
			   struct accel_error *err)
{
	uint64_t size = 0;
	uint8_t *base;
	int st;

	for (uint32_t i = 0; i < m->layer_count; i++) {
		struct accel_mlayer *ml = &m->layers[i];

		if ((st = accelp_layer_fits(ml, &m->dev->info, name, i, err)))
			return st;
		m->cmd_bytes += ml->op_size;
		size = accelp_layer_place(ml, size);
	}
	/*
	 * 1.1 devices quantize float inputs themselves (INPUT_F32), for a
	 * first layer of FC or CONV (POOL and QUANT ops take int16 only)
	 */
	m->layers[0].f32_input = m->dev->info.hw_version >= ACCELP_HW_INPUT_F32 &&
				 (m->layers[0].kind == DCM_FC ||
				  m->layers[0].kind == DCM_CONV);
	if ((st = job_chunk(m, name, err)))
		return st;
	/* a graph of pooling only has no arrays: one page all the same */
	st = accel_bo_create(m->dev, size ? size : 8, ACCEL_BO_DEVICE_READ_ONLY,
			     &m->bo, err);
	if (st)
		return st;
	base = m->bo->map;
	for (uint32_t i = 0; i < m->layer_count; i++)
		accelp_layer_copy(&m->layers[i], base);
	return ACCEL_OK;
}

/*
 * May layer i stand where it is, taking what the one before gives?
 * libdcm's rules, checked again here: the graph is what the device's ops
 * chain through one activation buffer.
 */
static int check_order(const struct accel_model *m, uint32_t i,
		       const char *name, struct accel_error *err)
{
	const struct dcm_layer *l = &m->dcm.layers[i];
	struct dcm_error de;

	if (dcm_check_place(l, i, m->layer_count, &de) ||
	    (i && dcm_check_follows(l - 1, l, i, &de)))
		return accelp_fail(err, ACCEL_E_MODEL, "%s: %s", name, de.msg);
	return ACCEL_OK;
}

/* A prepared layer reads the bytes per input the one before writes. */
static int check_bytes(const struct accel_model *m, uint32_t i,
		       const char *name, struct accel_error *err)
{
	const struct accel_mlayer *ml = &m->layers[i];

	if (!i || ml->in_bytes == ml[-1].out_bytes)
		return ACCEL_OK;
	return accelp_fail(err, ACCEL_E_MODEL,
			   "%s: layer %u (%s) reads %llu bytes per input, layer %u (%s) writes %llu",
			   name, i, dcm_kind_name(ml->kind),
			   (unsigned long long)ml->in_bytes, i - 1,
			   dcm_kind_name(ml[-1].kind),
			   (unsigned long long)ml[-1].out_bytes);
}

/*
 * The layers' forms and checks, the CPU reference's workspace and
 * activation buffers, and the device placement of a read model.
 */
static int prepare(struct accel_model *m, const char *name,
		   struct accel_error *err)
{
	int st;

	m->layer_count = m->dcm.layer_count;
	if (m->layer_count == 0 || m->layer_count > DCACCEL_MAX_OPS)
		return accelp_fail(err, ACCEL_E_MODEL,
				  "%s: %u layers, the device runs 1 .. %u ops per job",
				  name, m->layer_count, DCACCEL_MAX_OPS);
	m->layers = calloc(m->layer_count, sizeof(*m->layers));
	if (!m->layers)
		return accelp_fail(err, ACCEL_E_NOMEM, "out of memory");
	m->ws_size = 8;
	eie_threads_team(&m->team, eie_threads_default(ACCEL_CPU_THREADS_ENV));
	for (uint32_t i = 0; i < m->layer_count; i++) {
		struct accel_mlayer *ml = &m->layers[i];

		if ((st = check_order(m, i, name, err)) ||
		    (st = accelp_layer_prepare(&m->dcm.layers[i],
					       m->dev ? m->dev->info.pes : 0,
					       m->team.parts, ml, name, i, err)) ||
		    (st = check_bytes(m, i, name, err)))
			return st;
		/* a layer's input and output share the two buffers */
		if (ml->in_bytes > m->act_bytes)
			m->act_bytes = ml->in_bytes;
		if (ml->out_bytes > m->act_bytes)
			m->act_bytes = ml->out_bytes;
		if (ml->cpu_ws > m->ws_size)
			m->ws_size = ml->cpu_ws;
	}
	m->inputs = m->layers[0].inputs;
	m->outputs = m->layers[m->layer_count - 1].outputs;
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
	for (uint32_t i = 0; m->layers && i < m->layer_count; i++)
		accelp_layer_free(&m->layers[i]);
	free(m->layers);
	accelp_spare_free(m);
	accel_bo_free(m->bo);
	dcm_free(&m->dcm);
	free(m->row_of);
	free(m);
}
