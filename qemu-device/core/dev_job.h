/* SPDX-License-Identifier: MIT */
/*
 * One job of the ring, end to end, as plain C: read the entry, bind its
 * context, copy its command buffer, run its ops through the MMU, and
 * write its completion record. The QEMU glue calls these from its worker
 * thread; the host tests call them on an array of "guest memory".
 */
#ifndef DCDEV_JOB_H
#define DCDEV_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "dev_caps.h"
#include "dev_cmd.h"
#include "dev_fc_cache.h"
#include "dev_mem.h"
#include "dev_mmu.h"
#include "dev_ring.h"

struct dcdev_env {
	const struct dcdev_mem *mem;
	const struct dcdev_caps *caps;
	uint64_t ctx_base;	/* context table, as CTX_BASE held at fetch */
	uint32_t ctx_count;
	/*
	 * true when the job was abandoned (a reset, an unplug); or NULL.
	 * Asked between ops and, inside an FC op, before each vector (or
	 * tile of vectors) and every 256 non-zero inputs (or columns):
	 * struct eie_poll, eie_run_decoded_poll(). It may block: the
	 * QEMU device holds the job there while its VM is paused.
	 */
	bool (*cancelled)(void *opaque);
	void *opaque;
	/*
	 * Decoded layers kept from job to job (dev_fc_cache.h), or NULL:
	 * every FC op then decodes its streams for itself. Only the thread
	 * that runs the jobs uses it.
	 */
	struct dcdev_fc_cache *cache;
};

enum dcdev_outcome {
	DCDEV_COMPLETE,		/* write the completion record */
	DCDEV_NO_RECORD,	/* failed, and the record address is unusable */
	DCDEV_HANG,		/* DEBUG hang: wait for a reset */
	DCDEV_STUCK,		/* DEBUG STUCK or WEDGE: r->stuck_* say how */
	DCDEV_CANCELLED,	/* abandoned: write nothing */
	DCDEV_RING_UNREADABLE,	/* the entry itself could not be read */
};

/* Run the ring entry at bus address entry_addr; e and r say what it was. */
enum dcdev_outcome dcdev_job_run(const struct dcdev_env *env,
				 uint64_t entry_addr, struct dcdev_entry *e,
				 struct dcdev_result *r);

/* Write r's completion record for e, the seqno last. 0, or -1 (bus). */
int dcdev_job_complete(const struct dcdev_env *env,
		       const struct dcdev_entry *e,
		       const struct dcdev_result *r);

/* What the *_exec() functions return when poll stopped them: no status. */
#define DCDEV_OP_CANCELLED	UINT32_MAX

/*
 * Execute one decoded FC op in m's context, adding to r: a JOB status, or
 * DCDEV_OP_CANCELLED (nothing written) when poll (may be NULL) said stop.
 * cache (may be NULL) keeps the layer decoded for the ops after. With
 * eio (the job asked for the energy model), an op that completes adds its
 * counts to r->energy, its activations travelling as eio says.
 */
uint32_t dcdev_fc_exec(struct dcdev_mmu *m, const struct dcdev_caps *caps,
		       const struct dcdev_op *op, struct dcdev_result *r,
		       const struct eie_poll *poll,
		       struct dcdev_fc_cache *cache,
		       const struct dp_energy_io *eio);

/*
 * The same for a decoded CONV op (dev_conv.c), POOL op (dev_pool.c),
 * BITPLANE and BITPLANE_CONV ops (dev_bitplane.c) and QUANT op.
 */
uint32_t dcdev_conv_exec(struct dcdev_mmu *m, const struct dcdev_caps *caps,
			 const struct dcdev_op *op, struct dcdev_result *r,
			 const struct eie_poll *poll,
			 const struct dp_energy_io *eio);
uint32_t dcdev_pool_exec(struct dcdev_mmu *m, const struct dcdev_caps *caps,
			 const struct dcdev_op *op, struct dcdev_result *r,
			 const struct eie_poll *poll,
			 const struct dp_energy_io *eio);
uint32_t dcdev_bitplane_exec(struct dcdev_mmu *m,
			     const struct dcdev_caps *caps,
			     const struct dcdev_op *op, struct dcdev_result *r,
			     const struct eie_poll *poll,
			     const struct dp_energy_io *eio);
uint32_t dcdev_bitplane_conv_exec(struct dcdev_mmu *m,
				  const struct dcdev_caps *caps,
				  const struct dcdev_op *op,
				  struct dcdev_result *r,
				  const struct eie_poll *poll,
				  const struct dp_energy_io *eio);
/* The QUANT op (dev_quant.c): no cycles, no statistics. */
uint32_t dcdev_quant_exec(struct dcdev_mmu *m, const struct dcdev_caps *caps,
			  const struct dcdev_op *op, struct dcdev_result *r,
			  const struct eie_poll *poll,
			  const struct dp_energy_io *eio);

#endif
