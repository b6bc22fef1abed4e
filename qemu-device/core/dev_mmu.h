/* SPDX-License-Identifier: MIT */
/*
 * The device MMU: a context's 3-level page table walk (hardware.rst, "Device
 * MMU") and DMA through it. Every access of a job to its streams goes
 * through here; nothing reaches a bus address the context does not map.
 */
#ifndef DCDEV_MMU_H
#define DCDEV_MMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev_mem.h"

/* An access that failed: DCACCEL_FAULT_* reason, direction, device VA. */
struct dcdev_fault {
	uint32_t reason;
	bool write;
	uint64_t va;
};

struct dcdev_mmu {
	const struct dcdev_mem *mem;
	uint32_t ctx;
	uint64_t root;		/* bus address of the level-2 table */
	/* the last leaf translation: a job streams arrays page after page */
	bool tlb_valid;
	uint64_t tlb_vpage;
	uint64_t tlb_pte;
	/*
	 * The last level-0 table the walk reached, and the 2 MiB of VA it
	 * maps: the next page in it costs one PTE read, not three.
	 */
	bool l0_valid;
	uint64_t l0_vregion;	/* va >> 21 */
	uint64_t l0_table;
};

/*
 * Read context `ctx`'s entry from the table at ctx_base (the caller has
 * checked ctx against the table's length). Returns 0, or -1 with f filled
 * (CONTEXT: entry not valid or reserved bits set; BUS: unreadable).
 */
int dcdev_mmu_bind(struct dcdev_mmu *m, const struct dcdev_mem *mem,
		   uint64_t ctx_base, uint32_t ctx, struct dcdev_fault *f);

/* Translate one VA for a read or a write: 0 and *pa, or -1 and f. */
int dcdev_mmu_translate(struct dcdev_mmu *m, uint64_t va, bool write,
			uint64_t *pa, struct dcdev_fault *f);

/* Copy [va, va + len) of the context to or from buf, page by page. */
int dcdev_mmu_read(struct dcdev_mmu *m, uint64_t va, void *buf, size_t len,
		   struct dcdev_fault *f);
int dcdev_mmu_write(struct dcdev_mmu *m, uint64_t va, const void *buf,
		    size_t len, struct dcdev_fault *f);

#endif
