// SPDX-License-Identifier: MIT
/*
 * The BITPLANE op: copy the weight planes, bases, bias and input planes
 * out of the context, run the layer and its cycle model
 * (dp_bitplane.h), and write the outputs.
 */
#include <stddef.h>
#include <stdlib.h>

#include "dev_job.h"
#include "dev_layer.h"
#include "dcaccel/dcaccel_bitplane.h"

#define BOFF(field)	((uint32_t)offsetof(struct dcaccel_op_bitplane, field))

/* Read n bytes at va into buf; on a fault, fail the op at field. */
static uint32_t fetch(struct dcdev_mmu *m, uint64_t va, void *buf, size_t n,
		      struct dcdev_result *r, uint32_t field)
{
	struct dcdev_fault f;

	if (n && dcdev_mmu_read(m, va, buf, n, &f))
		return dcdev_op_fault(r, &f, field);
	return DCACCEL_JOB_OK;
}

uint32_t dcdev_bitplane_exec(struct dcdev_mmu *m,
			     const struct dcdev_caps *caps,
			     const struct dcdev_op *op, struct dcdev_result *r,
			     const struct eie_poll *poll,
			     const struct dp_energy_io *eio)
{
	const struct dcdev_bitplane *bp = &op->bitplane;
	struct dp_bitplane l = bp->l;
	const size_t words = DCACCEL_PLANE_WORDS(l.cols);
	const size_t wn = (size_t)l.w_planes * l.rows * words;
	const size_t in_n = (size_t)bp->batch * l.a_planes * words;
	const size_t out_n = (size_t)bp->batch * l.rows;
	const bool has_bias = bp->flags & DCACCEL_BITPLANE_F_BIAS;
	uint64_t *wp = dcdev_alloc(8 * wn), *in = dcdev_alloc(8 * in_n);
	int16_t *wb = dcdev_alloc(2 * (size_t)l.rows * l.w_planes);
	int16_t *ab = dcdev_alloc(2 * (size_t)l.a_planes);
	int32_t *bias = has_bias ? dcdev_alloc(4 * (size_t)l.rows) : NULL;
	int16_t *out = dcdev_alloc(2 * out_n);
	struct eie_error err;
	uint32_t st;

	(void)caps;
	if (!wp || !in || !wb || !ab || (has_bias && !bias) || !out) {
		st = r->status = DCACCEL_JOB_NO_MEMORY;
		goto done;
	}
	if ((st = fetch(m, bp->wplanes_va, wp, 8 * wn, r,
			op->offset + BOFF(wplanes_va))) ||
	    (st = fetch(m, bp->w_basis_va, wb, 2 * (size_t)l.rows * l.w_planes,
			r, op->offset + BOFF(w_basis_va))) ||
	    (st = fetch(m, bp->a_basis_va, ab, 2 * (size_t)l.a_planes, r,
			op->offset + BOFF(a_basis_va))) ||
	    (has_bias && (st = fetch(m, bp->bias_va, bias, 4 * (size_t)l.rows,
				     r, op->offset + BOFF(bias_va)))) ||
	    (st = fetch(m, bp->input_va, in, 8 * in_n, r,
			op->offset + BOFF(input_va))))
		goto done;
	dcdev_le64_to_host(wp, wn);
	dcdev_le64_to_host(in, in_n);
	dcdev_le16_to_host(wb, (size_t)l.rows * l.w_planes);
	dcdev_le16_to_host(ab, l.a_planes);
	if (bias)
		dcdev_le32_to_host(bias, l.rows);
	l.wplanes = wp;
	l.w_basis = wb;
	l.a_basis = ab;
	l.bias = bias;
	/* decoding checked every field; this is the datapath's own check */
	if (dp_bitplane_validate(&l, &err)) {
		st = dcdev_op_bad_layer(r, op, &err);
		goto done;
	}
	if (dp_bitplane_run(&l, bp->batch, in, out, &r->stats, poll)) {
		st = DCDEV_OP_CANCELLED;
		goto done;
	}
	dp_bitplane_model_cycles(&l, bp->batch, &r->cycles, r->pe_busy);
	st = dcdev_output_write(m, bp->output_va, out, out_n, r,
				op->offset + BOFF(output_va));
	if (!st && eio)
		dp_energy_bitplane(&l, bp->batch, eio, &r->energy);
done:
	free(wp);
	free(in);
	free(wb);
	free(ab);
	free(bias);
	free(out);
	return st;
}
