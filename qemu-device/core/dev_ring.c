// SPDX-License-Identifier: MIT
#include <stddef.h>
#include <string.h>

#include "dev_energy.h"
#include "dev_le.h"
#include "dev_ring.h"

#define OFF(field)	((uint32_t)offsetof(struct dcaccel_ring_entry, field))
#define COFF(field)	offsetof(struct dcaccel_completion, field)

_Static_assert(sizeof(struct dcaccel_ring_entry) == DCACCEL_RING_ENTRY_SIZE,
	       "ring entry layout");
_Static_assert(sizeof(struct dcaccel_completion) == DCACCEL_COMPLETION_SIZE,
	       "completion record layout");

static uint32_t bad(uint32_t *detail, uint32_t offset, uint32_t status)
{
	*detail = offset;
	return status;
}

uint32_t dcdev_entry_decode(const uint8_t raw[DCACCEL_RING_ENTRY_SIZE],
			    const struct dcdev_caps *caps, uint32_t ctx_count,
			    struct dcdev_entry *e, uint32_t *detail,
			    int *record_ok)
{
	e->flags = dcdev_ld32(raw + OFF(flags));
	e->ctx = dcdev_ld32(raw + OFF(ctx));
	e->cmd_va = dcdev_ld64(raw + OFF(cmd_va));
	e->cmd_len = dcdev_ld32(raw + OFF(cmd_len));
	e->seqno = dcdev_ld64(raw + OFF(seqno));
	e->completion = dcdev_ld64(raw + OFF(completion));
	*detail = 0;

	*record_ok = e->completion % DCACCEL_COMPLETION_ALIGN == 0 &&
		     e->completion <= UINT64_MAX - 
				      DCACCEL_COMPLETION_BYTES_MAX(DCACCEL_EIE_PES_MAX);
	if (!*record_ok)
		return bad(detail, OFF(completion), DCACCEL_JOB_BAD_ENTRY);
	if (e->flags & ~DCACCEL_RING_F_ALL)
		return bad(detail, OFF(flags), DCACCEL_JOB_BAD_ENTRY);
	if (e->ctx >= ctx_count)
		return bad(detail, OFF(ctx), DCACCEL_JOB_BAD_ENTRY);
	if (e->cmd_va % 8)
		return bad(detail, OFF(cmd_va), DCACCEL_JOB_BAD_ENTRY);
	if (e->cmd_len < sizeof(struct dcaccel_op_header) || e->cmd_len % 8)
		return bad(detail, OFF(cmd_len), DCACCEL_JOB_BAD_ENTRY);
	if (e->cmd_len > caps->max_cmd_bytes)
		return bad(detail, OFF(cmd_len), DCACCEL_JOB_TOO_LARGE);
	if (dcdev_ld32(raw + OFF(reserved0)))
		return bad(detail, OFF(reserved0), DCACCEL_JOB_BAD_ENTRY);
	for (uint32_t i = 0; i < 3; i++) {
		uint32_t off = OFF(reserved1) + 8 * i;

		if (dcdev_ld64(raw + off))
			return bad(detail, off, DCACCEL_JOB_BAD_ENTRY);
	}
	return DCACCEL_JOB_OK;
}

uint32_t dcdev_completion_encode(const struct dcdev_entry *e,
				 const struct dcdev_result *r, uint32_t pes,
				 uint32_t clock_mhz, uint8_t *buf)
{
	uint64_t ns = (uint64_t)eie_cycles_to_ns(r->cycles.cycles, clock_mhz);
	uint32_t n = 0;

	memset(buf, 0, DCACCEL_COMPLETION_SIZE);
	dcdev_st64(buf + COFF(seqno), e->seqno);
	dcdev_st32(buf + COFF(status), r->status);
	dcdev_st32(buf + COFF(fault), r->fault);
	dcdev_st64(buf + COFF(fault_va), r->fault_va);
	dcdev_st32(buf + COFF(detail), r->detail);
	dcdev_st32(buf + COFF(ops_done), r->ops_done);
	dcdev_st64(buf + COFF(cycles), r->cycles.cycles);
	dcdev_st64(buf + COFF(time_ns), ns);
	dcdev_st64(buf + COFF(nonzero_acts), r->stats.nonzero_acts);
	dcdev_st64(buf + COFF(entries), r->stats.entries);
	dcdev_st64(buf + COFF(padding), r->stats.padding);
	dcdev_st64(buf + COFF(macs), r->stats.macs);
	dcdev_st64(buf + COFF(busy), r->cycles.busy);
	dcdev_st64(buf + COFF(lnzd_stalls), r->cycles.lnzd_stalls);
	if (e->flags & DCACCEL_RING_F_PE_STATS)
		n = pes;
	dcdev_st32(buf + COFF(pes), n);
	for (uint32_t p = 0; p < n; p++) {
		uint8_t *busy = buf + DCACCEL_COMPLETION_SIZE + 8 * p;
		uint64_t stall = r->cycles.cycles - r->pe_busy[p];

		/* a PE is busy for at most the job's cycles: no wrap */
		if (r->pe_busy[p] > r->cycles.cycles)
			stall = 0;
		dcdev_st64(busy, r->pe_busy[p]);
		dcdev_st64(busy + 8 * (size_t)pes, stall);
	}
	if (!(e->flags & DCACCEL_RING_F_ENERGY))
		return DCACCEL_COMPLETION_BYTES(n);
	dcdev_energy_encode(&r->energy, buf + DCACCEL_COMPLETION_BYTES(n));
	return DCACCEL_COMPLETION_BYTES(n) + DCACCEL_ENERGY_RECORD_SIZE;
}
