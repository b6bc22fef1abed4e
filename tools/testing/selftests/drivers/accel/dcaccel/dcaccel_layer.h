/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Random sparse FC layers for the dcaccel kselftests: a layer and a batch
 * made by a seeded generator, what the host's EIE engine (the C the device
 * runs) computes of them, and their placement in BOs of one file.
 */
#ifndef DCACCEL_SELFTEST_LAYER_H
#define DCACCEL_SELFTEST_LAYER_H

#include "dcaccel_util.h"
#include "eie_encode.h"
#include "fc_op.h"

struct rng {
	uint64_t s;
};

static inline uint32_t rnd(struct rng *r, uint32_t n)	/* 0 .. n-1 */
{
	r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(r->s >> 33) % n;
}

struct layer_job {
	struct eie_layer l;
	struct eie_streams st;
	uint32_t batch;
	int16_t *codebook, *input, *want;
	int32_t *bias;
	struct eie_stats stats;
	struct eie_cycles cycles;
};

static inline uint64_t align64(uint64_t v)
{
	return (v + 63) & ~63ull;
}

/*
 * A random layer of `cols` inputs (0: random too) and a batch, and what
 * the host engine makes of it.
 */
static inline int make_layer_cols(struct rng *r, uint32_t pes,
				  uint32_t queue_depth, uint32_t max_wbits,
				  uint32_t max_zbits, uint32_t cols_want,
				  struct layer_job *j)
{
	uint32_t rows = 1 + rnd(r, 300), cols = 1 + rnd(r, 300);
	uint8_t wbits = 1 + rnd(r, max_wbits < 8 ? max_wbits : 8);
	uint8_t zbits = 1 + rnd(r, max_zbits < 8 ? max_zbits : 8);
	uint32_t density = 1 + rnd(r, 60), i, cb_len;
	struct eie_error err;
	uint8_t *widx;
	void *ws;

	memset(j, 0, sizeof(*j));
	if (cols_want)
		cols = cols_want;
	j->batch = 1 + rnd(r, 8);
	cb_len = 1 + rnd(r, 1u << wbits);
	widx = calloc((size_t)rows * cols, 1);
	j->codebook = calloc(cb_len, sizeof(int16_t));
	j->input = calloc((size_t)j->batch * cols, sizeof(int16_t));
	j->want = calloc((size_t)j->batch * rows, sizeof(int16_t));
	j->bias = calloc(rows, sizeof(int32_t));
	if (!widx || !j->codebook || !j->input || !j->want || !j->bias)
		return -ENOMEM;
	for (i = 1; i < cb_len; i++)
		j->codebook[i] = (int16_t)(rnd(r, 4096) - 2048);
	for (i = 0; i < rows * cols; i++)
		if (cb_len > 1 && rnd(r, 100) < density)
			widx[i] = 1 + rnd(r, cb_len - 1);
	for (i = 0; i < j->batch * cols; i++)
		j->input[i] = rnd(r, 2) ? (int16_t)(rnd(r, 8192) - 4096) : 0;
	for (i = 0; i < rows; i++)
		j->bias[i] = (int32_t)rnd(r, 1 << 20) - (1 << 19);

	if (eie_encode(widx, rows, cols, pes, wbits, zbits, &j->st, &err))
		return -EINVAL;
	free(widx);
	eie_streams_to_layer(&j->st, &j->l);
	j->l.in_frac = 8;
	j->l.w_frac = 8;
	j->l.out_frac = rnd(r, 12);
	j->l.relu = rnd(r, 2);
	j->l.codebook_len = cb_len;
	j->l.codebook = j->codebook;
	j->l.bias = rnd(r, 2) ? j->bias : NULL;
	if (eie_validate(&j->l, &err))
		return -EINVAL;

	ws = malloc(eie_run_ws_size(&j->l) + 1);
	eie_run(&j->l, j->batch, j->input, j->want, ws, &j->stats);
	free(ws);
	ws = malloc(eie_cycles_ws_size(pes, queue_depth) + 1);
	if (eie_model_cycles(&j->l, queue_depth, j->batch, j->input, ws,
			     &j->cycles, NULL))
		return -EINVAL;
	free(ws);
	return 0;
}

/* A random layer and batch, and what the host engine makes of it. */
static inline int make_layer(struct rng *r, uint32_t pes,
			     uint32_t queue_depth, uint32_t max_wbits,
			     uint32_t max_zbits, struct layer_job *j)
{
	return make_layer_cols(r, pes, queue_depth, max_wbits, max_zbits, 0, j);
}

static inline void free_layer(struct layer_job *j)
{
	eie_streams_free(&j->st);
	free(j->codebook);
	free(j->input);
	free(j->want);
	free(j->bias);
}

/* A layer placed in BOs of one file, and its job once submitted. */
struct dev_layer {
	struct dc_bo data, out, cmd;
	size_t out_bytes;
	uint64_t job;
};

/*
 * Place j's arrays in a read-only BO, its output in another; submit with
 * flags, the outputs aimed at out_va when it is not 0 (else at the output
 * BO).
 */
static inline int layer_submit_flags(int fd, const struct layer_job *j,
				     struct dev_layer *d, uint64_t out_va,
				     uint32_t flags)
{
	const struct eie_layer *l = &j->l;
	size_t cb = 2 * l->codebook_len, cp = 4 * (size_t)l->pes * (l->cols + 1);
	size_t en = (size_t)l->entry_count *
		    DCACCEL_EIE_ENTRY_BYTES(l->wbits, l->zbits);
	size_t bi = 4 * (size_t)l->rows, in = 2 * (size_t)j->batch * l->cols;
	uint64_t o_cb = 0, o_cp = align64(o_cb + cb), o_en = align64(o_cp + cp);
	uint64_t o_bi = align64(o_en + en), o_in = align64(o_bi + bi);
	struct dcaccel_op_fc op;
	uint32_t handles[2];
	int ret;

	memset(d, 0, sizeof(*d));
	d->out_bytes = 2 * (size_t)j->batch * l->rows;
	ret = dc_bo_create(fd, o_in + in, DRM_DCACCEL_BO_DEVICE_READ_ONLY,
			   &d->data);
	if (!ret)
		ret = dc_bo_create(fd, d->out_bytes, 0, &d->out);
	if (!ret)
		ret = dc_bo_create(fd, 4096, DRM_DCACCEL_BO_DEVICE_READ_ONLY,
				   &d->cmd);
	if (ret)
		return ret;
	memcpy((char *)d->data.map + o_cb, l->codebook, cb);
	memcpy((char *)d->data.map + o_cp, l->colptr, cp);
	memcpy((char *)d->data.map + o_en, l->entries, en);
	memcpy((char *)d->data.map + o_bi, j->bias, bi);
	memcpy((char *)d->data.map + o_in, j->input, in);
	memset(d->out.map, 0x5a, d->out_bytes);

	fc_op_from_layer(l, j->batch, &op);
	op.codebook_va = d->data.va + o_cb;
	op.colptr_va = d->data.va + o_cp;
	op.entries_va = d->data.va + o_en;
	op.bias_va = l->bias ? d->data.va + o_bi : 0;
	op.input_va = d->data.va + o_in;
	op.output_va = out_va ? out_va : d->out.va;
	memcpy(d->cmd.map, &op, sizeof(op));

	handles[0] = d->data.handle;
	handles[1] = d->out.handle;
	return dc_submit_flags(fd, &d->cmd, 0, sizeof(op), handles, 2, NULL, 0,
			       0, flags, &d->job);
}

static inline int layer_submit_to(int fd, const struct layer_job *j,
				  struct dev_layer *d, uint64_t out_va)
{
	return layer_submit_flags(fd, j, d, out_va, 0);
}

static inline int layer_submit(int fd, const struct layer_job *j,
			       struct dev_layer *d)
{
	return layer_submit_to(fd, j, d, 0);
}

/*
 * Wait for the job and compare its outputs with the host's: the number of
 * mismatches, or -errno when the job could not be waited for. Frees d.
 */
static inline int layer_check(int fd, const struct layer_job *j,
			      struct dev_layer *d, uint32_t *status,
			      struct drm_dcaccel_wait_job *w)
{
	int ret = dc_wait_job(fd, d->job, 30 * DC_SEC, w), bad = 0;
	size_t i;

	if (!ret) {
		*status = w->status;
		for (i = 0; i < d->out_bytes / 2; i++)
			bad += ((int16_t *)d->out.map)[i] != j->want[i];
	}
	dc_bo_destroy(fd, &d->data);
	dc_bo_destroy(fd, &d->out);
	dc_bo_destroy(fd, &d->cmd);
	return ret ? ret : bad;
}

/* A random layer and batch in the device's own format limits. */
static inline int make_device_layer(int fd, struct rng *r, struct layer_job *j)
{
	return make_layer(r, dc_param(fd, DRM_DCACCEL_PARAM_NUM_PES),
			  dc_param(fd, DRM_DCACCEL_PARAM_QUEUE_DEPTH),
			  dc_param(fd, DRM_DCACCEL_PARAM_MAX_WBITS),
			  dc_param(fd, DRM_DCACCEL_PARAM_MAX_ZBITS), j);
}

#endif /* DCACCEL_SELFTEST_LAYER_H */
