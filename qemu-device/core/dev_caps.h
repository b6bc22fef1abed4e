/* SPDX-License-Identifier: MIT */
/*
 * What one device instance can do: its properties and limits, which the
 * CAP registers report and every check of a job is made against.
 */
#ifndef DCDEV_CAPS_H
#define DCDEV_CAPS_H

#include <stdbool.h>
#include <stdint.h>

struct dcdev_caps {
	uint32_t pes;		/* 1 .. DCACCEL_EIE_PES_MAX */
	uint32_t queue_depth;	/* 1 .. DCACCEL_EIE_QUEUE_MAX */
	uint32_t clock_mhz;	/* 1 .. 100000 */
	uint32_t wbits_max, zbits_max, frac_max;
	uint32_t max_batch, max_ops, contexts, max_dim, max_entries;
	uint32_t max_cmd_bytes, ring_max, max_op_mb, max_work_mi;
	bool fault_injection;
	bool modeled_timing;
};

/* The default device: 64 PEs, queues of 8, 800 MHz, the header's limits. */
void dcdev_caps_default(struct dcdev_caps *c);

/*
 * NULL when the caps are usable, else what is wrong (for a property
 * error at device creation).
 */
const char *dcdev_caps_check(const struct dcdev_caps *c);

/* The value of a read-only identification or CAP register, 0 for others. */
uint32_t dcdev_caps_reg(const struct dcdev_caps *c, uint32_t offset);

#endif
