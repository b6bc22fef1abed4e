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
#include "dev_layer.h"
#include "../datapath/eie.h"

#define FOFF(field)	((uint32_t)offsetof(struct dcaccel_op_fc, field))

struct fc_bufs {
	struct dcdev_layer_bufs a;	/* codebook .. output */
	uint32_t *colptr;	/* host order, when the layer is built */
	void *run_ws;
	void *cycles_ws;
	bool own_ws;		/* the workspaces are not the cache's */
	struct dcdev_fc_layer *built;	/* not (yet) owned by a cache */
};

static void fc_bufs_free(struct fc_bufs *b)
{
	dcdev_layer_bufs_free(&b->a);
	free(b->colptr);
	if (b->own_ws) {
		free(b->run_ws);
		free(b->cycles_ws);
	}
	dcdev_fc_layer_free(b->built);
}

/* l's column pointers in host order, from the guest's in b->a.raw. */
static int host_colptr(struct fc_bufs *b, struct eie_layer *l)
{
	size_t colptr_n = (size_t)l->pes * (l->cols + 1);

	b->colptr = dcdev_alloc(4 * colptr_n);
	if (!b->colptr)
		return -1;
	memcpy(b->colptr, b->a.raw, 4 * colptr_n);
	dcdev_le32_to_host(b->colptr, colptr_n);
	l->colptr = b->colptr;
	return 0;
}

/*
 * Validate the streams of l (colptr still in guest order in b->a.raw) and
 * build their forms into b->built. A JOB status, or DCDEV_OP_CANCELLED.
 */
static uint32_t build(const struct dcdev_fc_key *key, uint32_t queue_depth,
		      struct fc_bufs *b, struct eie_layer *l,
		      const struct dcdev_op *op,
		      struct dcdev_result *r, const struct eie_poll *poll)
{
	size_t colptr_n = (size_t)l->pes * (l->cols + 1);
	struct dcdev_fc_layer *bl;
	struct eie_error err;

	if (host_colptr(b, l))
		return r->status = DCACCEL_JOB_NO_MEMORY;
	if (eie_validate(l, &err))
		return dcdev_op_bad_layer(r, op, &err);
	if (eie_poll_stop(poll))
		return DCDEV_OP_CANCELLED;

	bl = b->built = calloc(1, sizeof(*bl));
	if (!bl)
		return r->status = DCACCEL_JOB_NO_MEMORY;
	bl->key = *key;
	bl->raw_len = 4 * colptr_n + (size_t)l->entry_count *
		      DCACCEL_EIE_ENTRY_BYTES(l->wbits, l->zbits);
	/* the column form, then the rows form (for dense inputs) */
	bl->decoded_buf = dcdev_alloc(eie_decoded_size(l) +
				      eie_decoded_rows_size(l));
	bl->table_buf = dcdev_alloc(eie_cycle_table_size(l, queue_depth));
	if (!bl->decoded_buf || !bl->table_buf)
		return r->status = DCACCEL_JOB_NO_MEMORY;
	eie_decode_layer(l, bl->decoded_buf, &bl->decoded);
	eie_decode_rows(&bl->decoded,
			(uint8_t *)bl->decoded_buf + eie_decoded_size(l));
	if (eie_poll_stop(poll))
		return DCDEV_OP_CANCELLED;
	eie_cycle_table_build(l, queue_depth, bl->table_buf, &bl->table);
	/* the raw bytes move to the layer: they are what it was built from */
	bl->raw = b->a.raw;
	b->a.raw = NULL;
	l->entries = bl->raw + 4 * colptr_n;
	bl->bytes = sizeof(*bl) + bl->raw_len + eie_decoded_size(l) +
		    eie_decoded_rows_size(l) +
		    eie_cycle_table_size(l, queue_depth);
	return DCACCEL_JOB_OK;
}

uint32_t dcdev_fc_exec(struct dcdev_mmu *m, const struct dcdev_caps *caps,
		       const struct dcdev_op *op, struct dcdev_result *r,
		       const struct eie_poll *poll,
		       struct dcdev_fc_cache *cache,
		       const struct dp_energy_io *eio)
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
	uint32_t st;

	st = dcdev_layer_fetch(m, fc, op->offset, (size_t)fc->batch * fc->cols,
			       (size_t)fc->batch * fc->rows, &b.a, &l, r);
	if (st)
		goto out;
	if (!eie_cycle_table_fits(&l)) {
		/* unreachable within the caps: 2^24 entries, 2^16 columns */
		r->detail = op->offset + FOFF(entry_count);
		st = r->status = DCACCEL_JOB_TOO_LARGE;
		goto out;
	}
	if (cache)
		bl = dcdev_fc_cache_find(cache, &key, b.a.raw, raw_len);
	if (bl) {
		/* the same streams passed eie_validate(): the rest is cheap */
		if (eie_validate_format(&l, &err)) {
			st = dcdev_op_bad_layer(r, op, &err);
			goto out;
		}
	} else {
		st = build(&key, caps->queue_depth, &b, &l, op, r, poll);
		if (st)
			goto out;
		bl = b.built;
	}
	if (cache) {
		b.run_ws = dcdev_fc_cache_ws(cache, DCDEV_WS_RUN,
					     eie_run_decoded_ws_size(&l));
		b.cycles_ws = dcdev_fc_cache_ws(cache, DCDEV_WS_CYCLES,
						eie_cycles_table_ws_size(&bl->table));
	} else {
		b.own_ws = true;
		b.run_ws = dcdev_alloc(eie_run_decoded_ws_size(&l));
		b.cycles_ws = dcdev_alloc(eie_cycles_table_ws_size(&bl->table));
	}
	if (!b.run_ws || !b.cycles_ws) {
		st = r->status = DCACCEL_JOB_NO_MEMORY;
		goto out;
	}
	/* this op's codebook, bias and format over the cached streams */
	decoded = bl->decoded;
	decoded.layer = &l;
	if (eie_run_decoded_poll(&decoded, fc->batch, b.a.input, b.a.output,
				 b.run_ws, &r->stats, poll)) {
		st = DCDEV_OP_CANCELLED;
		goto out;
	}
	/* the queue depth was checked when the device was created */
	switch (eie_model_cycles_table(&bl->table, fc->batch, b.a.input,
				       b.cycles_ws, &r->cycles, r->pe_busy,
				       poll)) {
	case 0:
		break;
	case -ECANCELED:
		st = DCDEV_OP_CANCELLED;
		goto out;
	default:
		st = r->status = DCACCEL_JOB_BAD_COMMAND;
		goto out;
	}
	/*
	 * The energy model walks the streams' column pointers in host order
	 * (a layer found in the cache has only the guest's bytes): made now,
	 * so that nothing fails once the outputs are written.
	 */
	if (eio && !l.colptr && host_colptr(&b, &l)) {
		st = r->status = DCACCEL_JOB_NO_MEMORY;
		goto out;
	}
	st = dcdev_output_write(m, fc->output_va, b.a.output,
				(size_t)fc->batch * fc->rows, r,
				op->offset + FOFF(output_va));
	if (!st && eio &&
	    dp_energy_fc_poll(&l, fc->batch, b.a.input, eio, &r->energy, poll))
		st = DCDEV_OP_CANCELLED;
out:
	/* a layer built and run (or failed after building) is kept */
	if (cache && b.built && b.built == bl) {
		dcdev_fc_cache_put(cache, b.built);
		b.built = NULL;
	}
	fc_bufs_free(&b);
	return st;
}
