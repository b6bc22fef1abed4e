// SPDX-License-Identifier: MIT
/*
 * The CONV op: copy the filters' streams, the bias and the input maps out
 * of the context, validate the filters as an FC layer's streams, run the
 * convolution and its cycle model (dp_conv.h), and write the output maps.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dev_job.h"
#include "dev_layer.h"
#include "../datapath/dp_conv.h"

#define COFF(field)	((uint32_t)offsetof(struct dcaccel_op_conv, field))
/* where struct dcaccel_op_fc's offsets of the stream fields count from */
#define STREAM_FIELDS	(COFF(pes) - (uint32_t)offsetof(struct dcaccel_op_fc, pes))

uint32_t dcdev_conv_exec(struct dcdev_mmu *m, const struct dcdev_caps *caps,
			 const struct dcdev_op *op, struct dcdev_result *r,
			 const struct eie_poll *poll,
			 const struct dp_energy_io *eio)
{
	const struct dcdev_conv *cv = &op->conv;
	const struct dcdev_fc *f = &cv->filters;
	const size_t in_n = (size_t)f->batch * cv->in_channels *
			    cv->win.in_h * cv->win.in_w;
	const size_t out_n = (size_t)f->batch * f->rows * cv->out_h * cv->out_w;
	const size_t colptr_n = (size_t)f->pes * (f->cols + 1);
	struct dcdev_layer_bufs b = { 0 };
	struct dp_conv conv = { .in_channels = cv->in_channels, .win = cv->win };
	uint32_t *colptr = NULL;
	void *run_ws = NULL, *cycles_ws = NULL;
	struct eie_error err;
	uint32_t st;

	st = dcdev_layer_fetch(m, f, op->offset + STREAM_FIELDS, in_n, out_n,
			       &b, &conv.filters, r);
	if (st)
		goto out;
	colptr = dcdev_alloc(4 * colptr_n);
	if (!colptr) {
		st = r->status = DCACCEL_JOB_NO_MEMORY;
		goto out;
	}
	memcpy(colptr, b.raw, 4 * colptr_n);
	dcdev_le32_to_host(colptr, colptr_n);
	conv.filters.colptr = colptr;
	if (dp_conv_validate(&conv, &err)) {
		st = dcdev_op_bad_layer(r, op, &err);
		goto out;
	}
	run_ws = dcdev_alloc(dp_conv_run_ws_size(&conv));
	cycles_ws = dcdev_alloc(dp_conv_cycles_ws_size(&conv, caps->queue_depth));
	if (!run_ws || !cycles_ws) {
		st = r->status = DCACCEL_JOB_NO_MEMORY;
		goto out;
	}
	/* the queue depth was checked when the device was created */
	if (dp_conv_run(&conv, f->batch, b.input, b.output, run_ws, &r->stats,
			poll) ||
	    dp_conv_model_cycles(&conv, caps->queue_depth, f->batch, b.input,
				 cycles_ws, &r->cycles, r->pe_busy, poll)) {
		st = DCDEV_OP_CANCELLED;
		goto out;
	}
	st = dcdev_output_write(m, f->output_va, b.output, out_n, r,
				op->offset + COFF(output_va));
	if (!st && eio &&
	    dp_energy_conv_poll(&conv, f->batch, b.input, eio, &r->energy, poll))
		st = DCDEV_OP_CANCELLED;
out:
	dcdev_layer_bufs_free(&b);
	free(colptr);
	free(run_ws);
	free(cycles_ws);
	return st;
}
