// SPDX-License-Identifier: MIT
/*
 * The POOL op: copy the input maps out of the context, pool them and
 * model the cycles (dp_pool.h), and write the output maps.
 */
#include <stddef.h>
#include <stdlib.h>

#include "dev_job.h"
#include "dev_layer.h"

#define POFF(field)	((uint32_t)offsetof(struct dcaccel_op_pool, field))

uint32_t dcdev_pool_exec(struct dcdev_mmu *m, const struct dcdev_caps *caps,
			 const struct dcdev_op *op, struct dcdev_result *r,
			 const struct eie_poll *poll,
			 const struct dp_energy_io *eio)
{
	const struct dcdev_pool *pl = &op->pool;
	const size_t in_n = (size_t)pl->batch * pl->pool.channels *
			    pl->pool.win.in_h * pl->pool.win.in_w;
	const size_t out_n = (size_t)pl->batch * pl->pool.channels *
			     pl->out_h * pl->out_w;
	int16_t *in = dcdev_alloc(2 * in_n), *out = dcdev_alloc(2 * out_n);
	struct dcdev_fault f;
	uint32_t st;

	if (!in || !out) {
		st = r->status = DCACCEL_JOB_NO_MEMORY;
		goto done;
	}
	if (dcdev_mmu_read(m, pl->input_va, in, 2 * in_n, &f)) {
		st = dcdev_op_fault(r, &f, op->offset + POFF(input_va));
		goto done;
	}
	dcdev_le16_to_host(in, in_n);
	if (dp_pool_run(&pl->pool, pl->batch, in, out, poll)) {
		st = DCDEV_OP_CANCELLED;
		goto done;
	}
	dp_pool_model_cycles(&pl->pool, caps->pes, pl->batch, &r->cycles,
			     r->pe_busy);
	st = dcdev_output_write(m, pl->output_va, out, out_n, r,
				op->offset + POFF(output_va));
	if (!st && eio)
		dp_energy_pool(&pl->pool, pl->batch, eio, &r->energy);
done:
	free(in);
	free(out);
	return st;
}
