/* SPDX-License-Identifier: MIT */
/*
 * A guest for the device core tests: a plain array of "physical" memory
 * at bus address 0, a page allocator, and helpers that write context
 * tables and page tables the way a driver would.
 */
#ifndef DCACCEL_TESTS_DEV_GUEST_H
#define DCACCEL_TESTS_DEV_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "../../qemu-device/core/dev_job.h"

struct guest {
	uint8_t *ram;
	uint64_t size;		/* bytes of ram, a multiple of 4 KiB */
	uint64_t next_page;	/* bump allocator */
	uint64_t ctx_base;	/* context table: the first page */
	uint32_t ctx_count;
	uint64_t roots[16];	/* level-2 table of each context, 0: none */
	struct dcdev_mem mem;
	unsigned int writes;	/* calls of mem.write, for the tests */
	uint64_t last_write;	/* and the address of the last one */
};

/* size bytes of zeroed ram with a context table of ctx_count entries. */
void guest_init(struct guest *g, uint64_t size, uint32_t ctx_count);
void guest_free(struct guest *g);

/* A zeroed page (aborts when ram runs out). */
uint64_t guest_page(struct guest *g);

/* Give context ctx a root table and a valid context entry. */
void guest_ctx(struct guest *g, uint32_t ctx);

/* Map [va, va + len) of ctx to fresh pages with PTE permission bits. */
void guest_map(struct guest *g, uint32_t ctx, uint64_t va, uint64_t len,
	       uint64_t perms);

/* The leaf PTE of va in ctx, creating tables on the way (not the page). */
uint64_t *guest_pte(struct guest *g, uint32_t ctx, uint64_t va);

/* Copy to and from a context's mapped VA (the driver's view, no checks). */
void guest_write_va(struct guest *g, uint32_t ctx, uint64_t va,
		    const void *buf, uint64_t len);
void guest_read_va(struct guest *g, uint32_t ctx, uint64_t va, void *buf,
		   uint64_t len);

/* The default caps with the given number of PEs. */
void guest_caps(struct dcdev_caps *caps, uint32_t pes);

/* An environment for dcdev_job_run() over g. */
void guest_env(struct guest *g, const struct dcdev_caps *caps,
	       struct dcdev_env *env);

#endif
