// SPDX-License-Identifier: MIT
/*
 * The QUANT op: copy the thresholds, the codes and the 16-bit inputs out
 * of the context, check the quantizer (dp_outq.h), and write the planes.
 * It adds no cycles: the quantizer is pipelined behind the op before it.
 */
#include <stddef.h>
#include <stdlib.h>

#include "dev_job.h"
#include "dev_layer.h"
#include "../datapath/dp_outq.h"
#include "dcaccel/dcaccel_bitplane.h"

#define QOFF(field)	((uint32_t)offsetof(struct dcaccel_op_quant, field))

uint32_t dcdev_quant_exec(struct dcdev_mmu *m, const struct dcdev_caps *caps,
			  const struct dcdev_op *op, struct dcdev_result *r,
			  const struct eie_poll *poll,
			  const struct dp_energy_io *eio)
{
	const struct dcdev_quant *qo = &op->quant;
	const uint32_t levels = 1u << qo->bits;
	const size_t in_n = (size_t)qo->batch * qo->channels * qo->pixels;
	const size_t out_n = (size_t)qo->batch * qo->bits * qo->pixels *
			     DCACCEL_PLANE_WORDS(qo->channels);
	int16_t *thr = dcdev_alloc(2 * (size_t)(levels - 1) + 2);
	uint8_t *codes = dcdev_alloc(levels);
	int16_t *in = dcdev_alloc(2 * in_n);
	uint64_t *out = dcdev_alloc(8 * out_n);
	struct dp_outq q = { .bits = qo->bits, .thr = thr, .codes = codes };
	struct dcdev_fault f;
	struct eie_error err;
	uint32_t st;

	(void)caps;
	if (!thr || !codes || !in || !out) {
		st = r->status = DCACCEL_JOB_NO_MEMORY;
		goto done;
	}
	if ((st = dcdev_op_read(m, qo->thr_va, thr, 2 * (size_t)(levels - 1),
				r, op->offset + QOFF(thr_va))) ||
	    (st = dcdev_op_read(m, qo->codes_va, codes, levels, r,
				op->offset + QOFF(codes_va))))
		goto done;
	dcdev_le16_to_host(thr, levels - 1);
	if (dp_outq_validate(&q, &err)) {
		st = dcdev_op_bad_layer(r, op, &err);
		goto done;
	}
	if ((st = dcdev_op_read(m, qo->input_va, in, 2 * in_n, r,
				op->offset + QOFF(input_va))))
		goto done;
	dcdev_le16_to_host(in, in_n);
	if (eie_poll_stop(poll)) {
		st = DCDEV_OP_CANCELLED;
		goto done;
	}
	dp_outq_pack_map(&q, qo->channels, qo->pixels, qo->batch, in, out);
	dcdev_le64_to_host(out, out_n);	/* the same swap, to the guest's order */
	if (dcdev_mmu_write(m, qo->output_va, out, 8 * out_n, &f)) {
		st = dcdev_op_fault(r, &f, op->offset + QOFF(output_va));
		goto done;
	}
	st = DCACCEL_JOB_OK;
	if (eio)
		dp_energy_quant(qo->channels, qo->pixels, qo->bits, qo->batch,
				eio, &r->energy);
done:
	free(thr);
	free(codes);
	free(in);
	free(out);
	return st;
}
