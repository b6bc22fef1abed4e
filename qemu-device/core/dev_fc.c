// SPDX-License-Identifier: MIT
/*
 * The FC op: copy every array out of the context into device buffers (so
 * the guest cannot change them after they are checked), validate the
 * layer, run it and its cycle model, and write the outputs back.
 *
 * The streams run in the host's forms: the decoded form for the datapath
 * and the cycle table for the model (eie.h), built once per layer and kept
 * in the device's cache (dev_fc_cache.h) for the jobs after, as long as
 * the column pointers and entries each op copies are the same bytes.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dev_fc_cache.h"
#include "dev_job.h"
#include "dev_le.h"
#include "../datapath/eie.h"

#define FOFF(field)	((uint32_t)offsetof(struct dcaccel_op_fc, field))

struct fc_bufs {
	int16_t *codebook;
	uint8_t *raw;		/* colptr (guest order), then the entries */
	uint32_t *colptr;	/* host order, when the layer is built */
	int32_t *bias;
	int16_t *input;
	int16_t *output;
	void *run_ws;
	void *cycles_ws;
	struct dcdev_fc_layer *built;	/* not (yet) owned by a cache */
};

static void fc_bufs_free(struct fc_bufs *b)
{
	free(b->codebook);
	free(b->raw);
	free(b->colptr);
	free(b->bias);
	free(b->input);
	free(b->output);
	free(b->run_ws);
	free(b->cycles_ws);
	dcdev_fc_layer_free(b->built);
}

/* malloc that never returns NULL for a zero size */
static void *alloc(size_t n)
{
	return malloc(n ? n : 1);
}

/* Guest little-endian arrays to host order, in place. */
static void le16_to_host(int16_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint16_t v = dcdev_ld16((const uint8_t *)&a[i]);

		memcpy(&a[i], &v, 2);
	}
}

static void le32_to_host(void *arr, size_t n)
{
	uint32_t *a = arr;

	for (size_t i = 0; i < n; i++) {
		uint32_t v = dcdev_ld32((const uint8_t *)&a[i]);

		memcpy(&a[i], &v, 4);
	}
}

static void host_to_le16(int16_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint16_t v;

		memcpy(&v, &a[i], 2);
		dcdev_st16((uint8_t *)&a[i], v);
	}
}

static uint32_t mmu_failed(struct dcdev_result *r,
			   const struct dcdev_fault *f, uint32_t detail)
{
	r->fault = f->reason << DCACCEL_FAULT_REASON_SHIFT |
		   (f->write ? DCACCEL_FAULT_WRITE : 0);
	r->fault_va = f->va;
	r->detail = detail;
	return r->status = DCACCEL_JOB_MMU_FAULT;
}

static uint32_t fetch(struct dcdev_mmu *m, const struct dcdev_op *op,
		      struct fc_bufs *b, struct eie_layer *l,
		      struct dcdev_result *r)
{
	const struct dcdev_fc *fc = &op->fc;
	size_t colptr_n = (size_t)fc->pes * (fc->cols + 1);
	size_t entry_bytes = (size_t)fc->entry_count *
			     DCACCEL_EIE_ENTRY_BYTES(fc->wbits, fc->zbits);
	size_t in_n = (size_t)fc->batch * fc->cols;
	struct dcdev_fault f;

	b->codebook = alloc(2 * (size_t)fc->codebook_len);
	b->raw = alloc(4 * colptr_n + entry_bytes);
	b->input = alloc(2 * in_n);
	b->output = alloc(2 * (size_t)fc->batch * fc->rows);
	if (fc->flags & DCACCEL_FC_F_BIAS)
		b->bias = alloc(4 * (size_t)fc->rows);
	if (!b->codebook || !b->raw || !b->input || !b->output ||
	    ((fc->flags & DCACCEL_FC_F_BIAS) && !b->bias))
		return r->status = DCACCEL_JOB_NO_MEMORY;

	if (dcdev_mmu_read(m, fc->codebook_va, b->codebook,
			   2 * (size_t)fc->codebook_len, &f))
		return mmu_failed(r, &f, op->offset + FOFF(codebook_va));
	if (dcdev_mmu_read(m, fc->colptr_va, b->raw, 4 * colptr_n, &f))
		return mmu_failed(r, &f, op->offset + FOFF(colptr_va));
	if (dcdev_mmu_read(m, fc->entries_va, b->raw + 4 * colptr_n,
			   entry_bytes, &f))
		return mmu_failed(r, &f, op->offset + FOFF(entries_va));
	if (b->bias && dcdev_mmu_read(m, fc->bias_va, b->bias,
				      4 * (size_t)fc->rows, &f))
		return mmu_failed(r, &f, op->offset + FOFF(bias_va));
	if (dcdev_mmu_read(m, fc->input_va, b->input, 2 * in_n, &f))
		return mmu_failed(r, &f, op->offset + FOFF(input_va));

	le16_to_host(b->codebook, fc->codebook_len);
	if (b->bias)
		le32_to_host(b->bias, fc->rows);
	le16_to_host(b->input, in_n);

	*l = (struct eie_layer){
		.rows = fc->rows, .cols = fc->cols, .pes = fc->pes,
		.wbits = fc->wbits, .zbits = fc->zbits,
		.in_frac = fc->in_frac, .w_frac = fc->w_frac,
		.out_frac = fc->out_frac,
		.relu = fc->flags & DCACCEL_FC_F_RELU,
		.codebook_len = fc->codebook_len, .codebook = b->codebook,
		.colptr = NULL, .entries = b->raw + 4 * colptr_n,
		.entry_count = fc->entry_count, .bias = b->bias,
	};
	return DCACCEL_JOB_OK;
}

static uint32_t bad_layer(struct dcdev_result *r, const struct dcdev_op *op,
			  const struct eie_error *err)
{
	memcpy(r->msg, err->msg, sizeof(r->msg));
	r->msg[sizeof(r->msg) - 1] = '\0';
	r->detail = op->offset;
	return r->status = DCACCEL_JOB_BAD_LAYER;
}

static bool poll_stop(const struct eie_poll *poll)
{
	return poll && poll->stop && poll->stop(poll->opaque);
}

/*
 * Validate the streams of l (colptr still in guest order in b->raw) and
 * build their forms into b->built. A JOB status, or DCDEV_FC_CANCELLED.
 */
static uint32_t build(const struct dcdev_fc_key *key, uint32_t queue_depth,
		      struct fc_bufs *b, struct eie_layer *l,
		      const struct dcdev_op *op,
		      struct dcdev_result *r, const struct eie_poll *poll)
{
	size_t colptr_n = (size_t)l->pes * (l->cols + 1);
	struct dcdev_fc_layer *bl;
	struct eie_error err;

	b->colptr = alloc(4 * colptr_n);
	if (!b->colptr)
		return r->status = DCACCEL_JOB_NO_MEMORY;
	memcpy(b->colptr, b->raw, 4 * colptr_n);
	le32_to_host(b->colptr, colptr_n);
	l->colptr = b->colptr;
	if (eie_validate(l, &err))
		return bad_layer(r, op, &err);
	if (poll_stop(poll))
		return DCDEV_FC_CANCELLED;

	bl = b->built = calloc(1, sizeof(*bl));
	if (!bl)
		return r->status = DCACCEL_JOB_NO_MEMORY;
	bl->key = *key;
	bl->raw_len = 4 * colptr_n + (size_t)l->entry_count *
		      DCACCEL_EIE_ENTRY_BYTES(l->wbits, l->zbits);
	bl->decoded_buf = alloc(eie_decoded_size(l));
	bl->table_buf = alloc(eie_cycle_table_size(l, queue_depth));
	if (!bl->decoded_buf || !bl->table_buf)
		return r->status = DCACCEL_JOB_NO_MEMORY;
	eie_decode_layer(l, bl->decoded_buf, &bl->decoded);
	if (poll_stop(poll))
		return DCDEV_FC_CANCELLED;
	eie_cycle_table_build(l, queue_depth, bl->table_buf, &bl->table);
	/* the raw bytes move to the layer: they are what it was built from */
	bl->raw = b->raw;
	b->raw = NULL;
	l->entries = bl->raw + 4 * colptr_n;
	bl->bytes = sizeof(*bl) + bl->raw_len + eie_decoded_size(l) +
		    eie_cycle_table_size(l, queue_depth);
	return DCACCEL_JOB_OK;
}

uint32_t dcdev_fc_exec(struct dcdev_mmu *m, const struct dcdev_caps *caps,
		       const struct dcdev_op *op, struct dcdev_result *r,
		       const struct eie_poll *poll,
		       struct dcdev_fc_cache *cache)
{
	const struct dcdev_fc *fc = &op->fc;
	const struct dcdev_fc_key key = {
		.ctx = m->ctx, .colptr_va = fc->colptr_va,
		.entries_va = fc->entries_va, .rows = fc->rows,
		.cols = fc->cols, .pes = fc->pes,
		.codebook_len = fc->codebook_len,
		.entry_count = fc->entry_count, .wbits = fc->wbits,
		.zbits = fc->zbits,
	};
	size_t raw_len = 4 * (size_t)fc->pes * (fc->cols + 1) +
			 (size_t)fc->entry_count *
			 DCACCEL_EIE_ENTRY_BYTES(fc->wbits, fc->zbits);
	struct fc_bufs b = { 0 };
	struct dcdev_fc_layer *bl = NULL;
	struct eie_decoded decoded;
	struct eie_layer l;
	struct eie_error err;
	struct dcdev_fault f;
	uint32_t st;

	st = fetch(m, op, &b, &l, r);
	if (st)
		goto out;
	if (!eie_cycle_table_fits(&l)) {
		/* unreachable within the caps: 2^24 entries, 2^16 columns */
		r->detail = op->offset + FOFF(entry_count);
		st = r->status = DCACCEL_JOB_TOO_LARGE;
		goto out;
	}
	if (cache)
		bl = dcdev_fc_cache_find(cache, &key, b.raw, raw_len);
	if (bl) {
		/* the same streams passed eie_validate(): the rest is cheap */
		if (eie_validate_format(&l, &err)) {
			st = bad_layer(r, op, &err);
			goto out;
		}
	} else {
		st = build(&key, caps->queue_depth, &b, &l, op, r, poll);
		if (st)
			goto out;
		bl = b.built;
	}
	b.run_ws = alloc(eie_run_ws_size(&l));
	b.cycles_ws = alloc(eie_cycles_table_ws_size(&bl->table));
	if (!b.run_ws || !b.cycles_ws) {
		st = r->status = DCACCEL_JOB_NO_MEMORY;
		goto out;
	}
	/* this op's codebook, bias and format over the cached streams */
	decoded = bl->decoded;
	decoded.layer = &l;
	if (eie_run_decoded_poll(&decoded, fc->batch, b.input, b.output,
				 b.run_ws, &r->stats, poll)) {
		st = DCDEV_FC_CANCELLED;
		goto out;
	}
	/* the queue depth was checked when the device was created */
	switch (eie_model_cycles_table(&bl->table, fc->batch, b.input,
				       b.cycles_ws, &r->cycles, r->pe_busy,
				       poll)) {
	case 0:
		break;
	case -ECANCELED:
		st = DCDEV_FC_CANCELLED;
		goto out;
	default:
		st = r->status = DCACCEL_JOB_BAD_COMMAND;
		goto out;
	}
	host_to_le16(b.output, (size_t)fc->batch * fc->rows);
	if (dcdev_mmu_write(m, fc->output_va, b.output,
			    2 * (size_t)fc->batch * fc->rows, &f))
		st = mmu_failed(r, &f, op->offset + FOFF(output_va));
out:
	/* a layer built and run (or failed after building) is kept */
	if (cache && b.built && b.built == bl) {
		dcdev_fc_cache_put(cache, b.built);
		b.built = NULL;
	}
	fc_bufs_free(&b);
	return st;
}
