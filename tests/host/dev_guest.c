// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev_guest.h"
#include "../../qemu-device/core/dev_le.h"

static int ram_read(void *opaque, uint64_t addr, void *buf, size_t len)
{
	struct guest *g = opaque;

	if (addr > g->size || len > g->size - addr)
		return -1;
	memcpy(buf, g->ram + addr, len);
	return 0;
}

static int ram_write(void *opaque, uint64_t addr, const void *buf, size_t len)
{
	struct guest *g = opaque;

	g->writes++;
	g->last_write = addr;
	if (addr > g->size || len > g->size - addr)
		return -1;
	memcpy(g->ram + addr, buf, len);
	return 0;
}

void guest_init(struct guest *g, uint64_t size, uint32_t ctx_count)
{
	memset(g, 0, sizeof(*g));
	g->ram = calloc(1, size);
	if (!g->ram)
		abort();
	g->size = size;
	g->ctx_count = ctx_count;
	g->mem = (struct dcdev_mem){ ram_read, ram_write, g };
	g->ctx_base = guest_page(g);
}

void guest_free(struct guest *g)
{
	free(g->ram);
	memset(g, 0, sizeof(*g));
}

uint64_t guest_page(struct guest *g)
{
	uint64_t p = g->next_page;

	if (p + DCACCEL_PAGE_SIZE > g->size) {
		fprintf(stderr, "guest: out of ram\n");
		abort();
	}
	g->next_page += DCACCEL_PAGE_SIZE;
	memset(g->ram + p, 0, DCACCEL_PAGE_SIZE);
	return p;
}

void guest_ctx(struct guest *g, uint32_t ctx)
{
	uint8_t *e = g->ram + g->ctx_base + ctx * DCACCEL_CTX_ENTRY_SIZE;

	g->roots[ctx] = guest_page(g);
	dcdev_st64(e, g->roots[ctx] | DCACCEL_CTX_VALID);
	dcdev_st64(e + 8, 0);
}

uint64_t *guest_pte(struct guest *g, uint32_t ctx, uint64_t va)
{
	uint64_t table = g->roots[ctx];

	for (int level = DCACCEL_PT_LEVELS - 1; level > 0; level--) {
		uint8_t *pte = g->ram + table + DCACCEL_PT_INDEX(va, level) * 8;
		uint64_t e = dcdev_ld64(pte);

		if (!(e & DCACCEL_PTE_VALID)) {
			e = guest_page(g) | DCACCEL_PTE_VALID;
			dcdev_st64(pte, e);
		}
		table = e & DCACCEL_PTE_ADDR_MASK;
	}
	/* the host tests run little-endian, like the guest */
	return (uint64_t *)(void *)(g->ram + table +
				    DCACCEL_PT_INDEX(va, 0) * 8);
}

void guest_map(struct guest *g, uint32_t ctx, uint64_t va, uint64_t len,
	       uint64_t perms)
{
	uint64_t first = va & ~(DCACCEL_PAGE_SIZE - 1);

	for (uint64_t v = first; v < va + len; v += DCACCEL_PAGE_SIZE) {
		uint64_t *pte = guest_pte(g, ctx, v);

		*pte = guest_page(g) | DCACCEL_PTE_VALID | perms;
	}
}

static uint8_t *va_ptr(struct guest *g, uint32_t ctx, uint64_t va)
{
	uint64_t pte = *guest_pte(g, ctx, va);

	if (!(pte & DCACCEL_PTE_VALID))
		abort();
	return g->ram + (pte & DCACCEL_PTE_ADDR_MASK) +
	       (va & (DCACCEL_PAGE_SIZE - 1));
}

void guest_write_va(struct guest *g, uint32_t ctx, uint64_t va,
		    const void *buf, uint64_t len)
{
	const uint8_t *b = buf;

	for (uint64_t i = 0; i < len; i++)
		*va_ptr(g, ctx, va + i) = b[i];
}

void guest_read_va(struct guest *g, uint32_t ctx, uint64_t va, void *buf,
		   uint64_t len)
{
	uint8_t *b = buf;

	for (uint64_t i = 0; i < len; i++)
		b[i] = *va_ptr(g, ctx, va + i);
}

void guest_caps(struct dcdev_caps *caps, uint32_t pes)
{
	dcdev_caps_default(caps);
	caps->pes = pes;
}

void guest_env(struct guest *g, const struct dcdev_caps *caps,
	       struct dcdev_env *env)
{
	*env = (struct dcdev_env){
		.mem = &g->mem, .caps = caps,
		.ctx_base = g->ctx_base, .ctx_count = g->ctx_count,
	};
}
