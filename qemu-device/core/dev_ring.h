/* SPDX-License-Identifier: MIT */
/*
 * Ring entries in, completion records out: decoding and checking the
 * 64 bytes the driver wrote, encoding the record the device writes back.
 */
#ifndef DCDEV_RING_H
#define DCDEV_RING_H

#include <stdint.h>

#include "dev_caps.h"
#include "../datapath/dp_energy.h"
#include "../datapath/eie.h"
#include "dcaccel/dcaccel_hw.h"

/* A ring entry after decoding. */
struct dcdev_entry {
	uint32_t flags;
	uint32_t ctx;
	uint64_t cmd_va;
	uint32_t cmd_len;
	uint64_t seqno;
	uint64_t completion;
};

/* Why a job ended, and what it did: the completion record's content. */
struct dcdev_result {
	uint32_t status;	/* DCACCEL_JOB_* */
	uint32_t detail;	/* byte offset of the failing field */
	uint32_t fault;		/* reason | DCACCEL_FAULT_WRITE */
	uint64_t fault_va;
	uint32_t ops_done;
	struct eie_stats stats;
	struct eie_cycles cycles;
	uint64_t pe_busy[DCACCEL_EIE_PES_MAX];
	struct dp_energy energy;	/* counted with RING_F_ENERGY */
	char msg[192];		/* for the device log: what was wrong */
	/* DCDEV_STUCK: the DEBUG action and the bus address it writes */
	uint32_t stuck_action;
	uint64_t stuck_addr;
};

/*
 * Decode the entry in raw and check it. Returns DCACCEL_JOB_OK, or
 * DCACCEL_JOB_BAD_ENTRY / TOO_LARGE with *detail the byte offset of the
 * first bad field. seqno and completion are decoded whatever the result,
 * so that a failed entry can still be reported; *record_ok says whether
 * the completion address can take a record.
 */
uint32_t dcdev_entry_decode(const uint8_t raw[DCACCEL_RING_ENTRY_SIZE],
			    const struct dcdev_caps *caps, uint32_t ctx_count,
			    struct dcdev_entry *e, uint32_t *detail,
			    int *record_ok);

/*
 * Encode the completion record of a job into buf (room for
 * DCACCEL_COMPLETION_BYTES_MAX(DCACCEL_EIE_PES_MAX)); returns its length.
 * pes is the device's; the per-PE arrays and the energy block come when
 * the entry asked for them.
 */
uint32_t dcdev_completion_encode(const struct dcdev_entry *e,
				 const struct dcdev_result *r, uint32_t pes,
				 uint32_t clock_mhz, uint8_t *buf);

#endif
