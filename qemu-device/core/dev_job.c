// SPDX-License-Identifier: MIT
/*
 * A job from its ring entry to its completion record. Everything read
 * from the guest is checked before use; the command buffer is copied once
 * and decoded from the copy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev_energy.h"
#include "dev_job.h"

static uint32_t fail(struct dcdev_result *r, uint32_t status,
		     uint32_t detail)
{
	r->detail = detail;
	return r->status = status;
}

static uint32_t mmu_fail(struct dcdev_result *r, const struct dcdev_fault *f,
			 uint32_t detail)
{
	r->fault = f->reason << DCACCEL_FAULT_REASON_SHIFT |
		   (f->write ? DCACCEL_FAULT_WRITE : 0);
	r->fault_va = f->va;
	return fail(r, DCACCEL_JOB_MMU_FAULT, detail);
}

/* An op of the datapath: a JOB status or DCDEV_OP_CANCELLED. */
static uint32_t exec_op(const struct dcdev_env *env, struct dcdev_mmu *m,
			const struct dcdev_op *op, struct dcdev_result *r,
			const struct eie_poll *poll,
			const struct dp_energy_io *eio)
{
	switch (op->opcode) {
	case DCACCEL_OP_FC:
		return dcdev_fc_exec(m, env->caps, op, r, poll, env->cache, eio);
	case DCACCEL_OP_CONV:
		return dcdev_conv_exec(m, env->caps, op, r, poll, eio);
	case DCACCEL_OP_BITPLANE:
		return dcdev_bitplane_exec(m, env->caps, op, r, poll, eio);
	case DCACCEL_OP_QUANT:
		return dcdev_quant_exec(m, env->caps, op, r, poll, eio);
	case DCACCEL_OP_BITPLANE_CONV:
		return dcdev_bitplane_conv_exec(m, env->caps, op, r, poll, eio);
	default:
		return dcdev_pool_exec(m, env->caps, op, r, poll, eio);
	}
}

/*
 * Run the ops of the command buffer cmd; hang/cancel come out as outcomes.
 * ios (caps->max_ops of them) or NULL: with it, the energy model.
 */
static enum dcdev_outcome run_ops(const struct dcdev_env *env,
				  struct dcdev_mmu *m, const uint8_t *cmd,
				  uint32_t len, struct dcdev_op_io *ios,
				  struct dcdev_result *r)
{
	const struct dcdev_caps *caps = env->caps;
	const struct eie_poll poll = {
		.stop = env->cancelled, .opaque = env->opaque,
	};
	uint64_t work = 0, work_max = (uint64_t)caps->max_work_mi << 20;
	uint32_t offset = 0, count = 0, detail, st, k;
	struct dp_energy_io eio;
	struct dcdev_op op;
	struct dcdev_fault f;
	uint8_t byte;

	/* decode every op first: a bad buffer fails before any work */
	while (offset < len) {
		st = dcdev_op_decode(cmd, len, offset, caps, &op, &detail);
		if (st) {
			fail(r, st, detail);
			return DCDEV_COMPLETE;
		}
		if (++count > caps->max_ops) {
			fail(r, DCACCEL_JOB_TOO_LARGE, offset);
			return DCDEV_COMPLETE;
		}
		work += dcdev_op_work(&op);
		if (work > work_max) {
			fail(r, DCACCEL_JOB_TOO_LARGE, offset);
			return DCDEV_COMPLETE;
		}
		if (ios)
			dcdev_op_io(&op, &ios[count - 1]);
		offset += op.size;
	}

	for (offset = 0, k = 0; offset < len; offset += op.size, k++) {
		if (env->cancelled && env->cancelled(env->opaque))
			return DCDEV_CANCELLED;
		dcdev_op_decode(cmd, len, offset, caps, &op, &detail);
		switch (op.opcode) {
		case DCACCEL_OP_FC:
		case DCACCEL_OP_CONV:
		case DCACCEL_OP_POOL:
		case DCACCEL_OP_BITPLANE:
		case DCACCEL_OP_QUANT:
		case DCACCEL_OP_BITPLANE_CONV:
			if (ios)
				dcdev_energy_io(ios, count, k, &eio);
			st = exec_op(env, m, &op, r, &poll, ios ? &eio : NULL);
			if (st == DCDEV_OP_CANCELLED)
				return DCDEV_CANCELLED;
			if (st)
				return DCDEV_COMPLETE;
			break;
		case DCACCEL_OP_DEBUG:
			if (op.debug.action == DCACCEL_DEBUG_HANG)
				return DCDEV_HANG;
			if (op.debug.action != DCACCEL_DEBUG_FAULT) {
				/* the engine latches where it will write */
				if (dcdev_mmu_translate(m, op.debug.va, true,
							&r->stuck_addr, &f)) {
					mmu_fail(r, &f, offset);
					return DCDEV_COMPLETE;
				}
				r->stuck_action = op.debug.action;
				return DCDEV_STUCK;
			}
			if (dcdev_mmu_read(m, op.debug.va, &byte, 1, &f)) {
				mmu_fail(r, &f, offset);
				return DCDEV_COMPLETE;
			}
			break;
		default:	/* NOP */
			break;
		}
		r->ops_done++;
	}
	return DCDEV_COMPLETE;
}

enum dcdev_outcome dcdev_job_run(const struct dcdev_env *env,
				 uint64_t entry_addr, struct dcdev_entry *e,
				 struct dcdev_result *r)
{
	uint8_t raw[DCACCEL_RING_ENTRY_SIZE];
	uint32_t st, detail;
	int record_ok;
	struct dcdev_mmu m;
	struct dcdev_fault f;
	enum dcdev_outcome out;
	struct dcdev_op_io *ios = NULL;
	uint8_t *cmd;

	memset(r, 0, sizeof(*r));
	memset(e, 0, sizeof(*e));
	if (env->mem->read(env->mem->opaque, entry_addr, raw, sizeof(raw)))
		return DCDEV_RING_UNREADABLE;
	st = dcdev_entry_decode(raw, env->caps, env->ctx_count, e, &detail,
				&record_ok);
	if (st) {
		fail(r, st, detail);
		return record_ok ? DCDEV_COMPLETE : DCDEV_NO_RECORD;
	}
	if (dcdev_mmu_bind(&m, env->mem, env->ctx_base, e->ctx, &f)) {
		mmu_fail(r, &f, (uint32_t)offsetof(struct dcaccel_ring_entry, ctx));
		return DCDEV_COMPLETE;
	}
	cmd = malloc(e->cmd_len);
	if (e->flags & DCACCEL_RING_F_ENERGY)
		ios = calloc(env->caps->max_ops, sizeof(*ios));
	if (!cmd || ((e->flags & DCACCEL_RING_F_ENERGY) && !ios)) {
		free(cmd);
		free(ios);
		fail(r, DCACCEL_JOB_NO_MEMORY, 0);
		return DCDEV_COMPLETE;
	}
	if (dcdev_mmu_read(&m, e->cmd_va, cmd, e->cmd_len, &f)) {
		mmu_fail(r, &f,
			 (uint32_t)offsetof(struct dcaccel_ring_entry, cmd_va));
		out = DCDEV_COMPLETE;
	} else {
		out = run_ops(env, &m, cmd, e->cmd_len, ios, r);
	}
	free(cmd);
	free(ios);
	return out;
}

int dcdev_job_complete(const struct dcdev_env *env,
		       const struct dcdev_entry *e,
		       const struct dcdev_result *r)
{
	uint8_t rec[DCACCEL_COMPLETION_BYTES_MAX(DCACCEL_EIE_PES_MAX)];
	const struct dcdev_mem *mem = env->mem;
	uint32_t len;

	len = dcdev_completion_encode(e, r, env->caps->pes,
				      env->caps->clock_mhz, rec);
	/* the seqno last: a driver polling it sees a whole record */
	if (mem->write(mem->opaque, e->completion + 8, rec + 8, len - 8))
		return -1;
	return mem->write(mem->opaque, e->completion, rec, 8);
}
