// SPDX-License-Identifier: MIT
#include <stddef.h>

#include "dev_caps.h"
#include "dcaccel/dcaccel_hw.h"

void dcdev_caps_default(struct dcdev_caps *c)
{
	*c = (struct dcdev_caps){
		.pes = DCACCEL_EIE_PES_DEFAULT,
		.queue_depth = DCACCEL_EIE_QUEUE_DEFAULT,
		.clock_mhz = 800,
		.wbits_max = DCACCEL_EIE_WBITS_MAX,
		.zbits_max = DCACCEL_EIE_ZBITS_MAX,
		.frac_max = DCACCEL_EIE_FRAC_MAX,
		.max_batch = DCACCEL_MAX_BATCH,
		.max_ops = DCACCEL_MAX_OPS,
		.contexts = DCACCEL_CONTEXTS_MAX,
		.max_dim = DCACCEL_MAX_DIM,
		.max_entries = DCACCEL_MAX_ENTRIES,
		.max_cmd_bytes = DCACCEL_MAX_CMD_BYTES,
		.ring_max = DCACCEL_RING_ENTRIES_MAX,
		.max_op_mb = DCACCEL_MAX_OP_MB,
		.max_work_mi = DCACCEL_MAX_WORK_MI,
	};
}

const char *dcdev_caps_check(const struct dcdev_caps *c)
{
	if (c->pes < 1 || c->pes > DCACCEL_EIE_PES_MAX)
		return "pes must be 1..256";
	if (c->queue_depth < 1 || c->queue_depth > DCACCEL_EIE_QUEUE_MAX)
		return "queue-depth must be 1..1024";
	if (c->clock_mhz < 1 || c->clock_mhz > 100000)
		return "clock-mhz must be 1..100000";
	return NULL;
}

uint32_t dcdev_caps_reg(const struct dcdev_caps *c, uint32_t offset)
{
	switch (offset) {
	case DCACCEL_REG_ID:
		return DCACCEL_ID_MAGIC;
	case DCACCEL_REG_VERSION:
		return DCACCEL_VERSION;
	case DCACCEL_REG_CAP_PES:
		return c->pes;
	case DCACCEL_REG_CAP_QUEUE:
		return c->queue_depth;
	case DCACCEL_REG_CAP_FORMAT:
		return c->wbits_max | c->zbits_max << 8 | c->frac_max << 16;
	case DCACCEL_REG_CAP_MAX_BATCH:
		return c->max_batch;
	case DCACCEL_REG_CAP_MAX_OPS:
		return c->max_ops;
	case DCACCEL_REG_CAP_CONTEXTS:
		return c->contexts;
	case DCACCEL_REG_CAP_MAX_DIM:
		return c->max_dim;
	case DCACCEL_REG_CAP_MAX_ENTRIES:
		return c->max_entries;
	case DCACCEL_REG_CAP_MAX_CMD_BYTES:
		return c->max_cmd_bytes;
	case DCACCEL_REG_CAP_RING_MAX:
		return c->ring_max;
	case DCACCEL_REG_CAP_FLAGS:
		return (c->fault_injection ? DCACCEL_CAP_F_FAULT_INJECTION : 0) |
		       (c->modeled_timing ? DCACCEL_CAP_F_MODELED_TIMING : 0) |
		       DCACCEL_CAP_F_INPUT_F32 | DCACCEL_CAP_F_ENERGY;
	case DCACCEL_REG_CLOCK_MHZ:
		return c->clock_mhz;
	case DCACCEL_REG_CAP_MAX_OP_MB:
		return c->max_op_mb;
	case DCACCEL_REG_CAP_MAX_WORK:
		return c->max_work_mi;
	default:
		return 0;
	}
}
