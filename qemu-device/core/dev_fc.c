// SPDX-License-Identifier: MIT
/*
 * The FC op: copy every array out of the context into device buffers (so
 * the guest cannot change them after they are checked), validate the
 * layer, run it and its cycle model, and write the outputs back.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dev_job.h"
#include "dev_le.h"
#include "../eie/eie.h"

#define FOFF(field)	((uint32_t)offsetof(struct dcaccel_op_fc, field))

struct fc_bufs {
	int16_t *codebook;
	uint32_t *colptr;
	uint8_t *entries;
	int32_t *bias;
	int16_t *input;
	int16_t *output;
	void *run_ws;
	void *cycles_ws;
};

static void fc_bufs_free(struct fc_bufs *b)
{
	free(b->codebook);
	free(b->colptr);
	free(b->entries);
	free(b->bias);
	free(b->input);
	free(b->output);
	free(b->run_ws);
	free(b->cycles_ws);
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
	b->colptr = alloc(4 * colptr_n);
	b->entries = alloc(entry_bytes);
	b->input = alloc(2 * in_n);
	b->output = alloc(2 * (size_t)fc->batch * fc->rows);
	if (fc->flags & DCACCEL_FC_F_BIAS)
		b->bias = alloc(4 * (size_t)fc->rows);
	if (!b->codebook || !b->colptr || !b->entries || !b->input ||
	    !b->output || ((fc->flags & DCACCEL_FC_F_BIAS) && !b->bias))
		return r->status = DCACCEL_JOB_NO_MEMORY;

	if (dcdev_mmu_read(m, fc->codebook_va, b->codebook,
			   2 * (size_t)fc->codebook_len, &f))
		return mmu_failed(r, &f, op->offset + FOFF(codebook_va));
	if (dcdev_mmu_read(m, fc->colptr_va, b->colptr, 4 * colptr_n, &f))
		return mmu_failed(r, &f, op->offset + FOFF(colptr_va));
	if (dcdev_mmu_read(m, fc->entries_va, b->entries, entry_bytes, &f))
		return mmu_failed(r, &f, op->offset + FOFF(entries_va));
	if (b->bias && dcdev_mmu_read(m, fc->bias_va, b->bias,
				      4 * (size_t)fc->rows, &f))
		return mmu_failed(r, &f, op->offset + FOFF(bias_va));
	if (dcdev_mmu_read(m, fc->input_va, b->input, 2 * in_n, &f))
		return mmu_failed(r, &f, op->offset + FOFF(input_va));

	le16_to_host(b->codebook, fc->codebook_len);
	le32_to_host(b->colptr, colptr_n);
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
		.colptr = b->colptr, .entries = b->entries,
		.entry_count = fc->entry_count, .bias = b->bias,
	};
	return DCACCEL_JOB_OK;
}

uint32_t dcdev_fc_exec(struct dcdev_mmu *m, const struct dcdev_caps *caps,
		       const struct dcdev_op *op, struct dcdev_result *r,
		       const struct eie_poll *poll)
{
	const struct dcdev_fc *fc = &op->fc;
	struct fc_bufs b = { 0 };
	struct eie_layer l;
	struct eie_error err;
	struct dcdev_fault f;
	uint32_t st;

	st = fetch(m, op, &b, &l, r);
	if (st)
		goto out;
	if (eie_validate(&l, &err)) {
		memcpy(r->msg, err.msg, sizeof(r->msg));
		r->msg[sizeof(r->msg) - 1] = '\0';
		r->detail = op->offset;
		st = r->status = DCACCEL_JOB_BAD_LAYER;
		goto out;
	}
	b.run_ws = alloc(eie_run_ws_size(&l));
	b.cycles_ws = alloc(eie_cycles_ws_size(l.pes, caps->queue_depth));
	if (!b.run_ws || !b.cycles_ws) {
		st = r->status = DCACCEL_JOB_NO_MEMORY;
		goto out;
	}
	if (eie_run_poll(&l, fc->batch, b.input, b.output, b.run_ws,
			 &r->stats, poll)) {
		st = DCDEV_FC_CANCELLED;
		goto out;
	}
	/* the queue depth was checked when the device was created */
	switch (eie_model_cycles_poll(&l, caps->queue_depth, fc->batch,
				      b.input, b.cycles_ws, &r->cycles,
				      r->pe_busy, poll)) {
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
	fc_bufs_free(&b);
	return st;
}
