// SPDX-License-Identifier: MIT
/*
 * The page table walk. A hostile guest controls every table, so each
 * address comes from a masked PTE, each read can fail, and a walk is
 * bounded by the fixed number of levels.
 */
#include <string.h>

#include "dev_le.h"
#include "dev_mmu.h"
#include "dcaccel/dcaccel_hw.h"

#define VA_LIMIT	(1ull << DCACCEL_VA_BITS)
#define CTX_RESERVED	(~(DCACCEL_PTE_ADDR_MASK | DCACCEL_CTX_VALID))

static int fault(struct dcdev_fault *f, uint32_t reason, bool write,
		 uint64_t va)
{
	f->reason = reason;
	f->write = write;
	f->va = va;
	return -1;
}

static int read_u64(const struct dcdev_mem *mem, uint64_t addr, uint64_t *v)
{
	uint8_t b[8];

	if (mem->read(mem->opaque, addr, b, sizeof(b)))
		return -1;
	*v = dcdev_ld64(b);
	return 0;
}

int dcdev_mmu_bind(struct dcdev_mmu *m, const struct dcdev_mem *mem,
		   uint64_t ctx_base, uint32_t ctx, struct dcdev_fault *f)
{
	uint64_t addr = ctx_base + (uint64_t)ctx * DCACCEL_CTX_ENTRY_SIZE;
	uint64_t root, reserved;

	memset(m, 0, sizeof(*m));
	m->mem = mem;
	m->ctx = ctx;
	if (addr < ctx_base || read_u64(mem, addr, &root) ||
	    read_u64(mem, addr + 8, &reserved))
		return fault(f, DCACCEL_FAULT_BUS, false, 0);
	if (!(root & DCACCEL_CTX_VALID) || (root & CTX_RESERVED) || reserved)
		return fault(f, DCACCEL_FAULT_CONTEXT, false, 0);
	m->root = root & DCACCEL_PTE_ADDR_MASK;
	return 0;
}

/*
 * The walk. The tables above level 0 that a job reached are kept for the
 * job (hardware.rst: the device may cache a job's translations; the
 * driver does not change them while it runs), so that a walk in the same
 * 2 MiB as the last one reads only its level-0 PTE.
 */
static int walk(struct dcdev_mmu *m, uint64_t va, bool write, uint64_t *pte,
		struct dcdev_fault *f)
{
	const uint64_t region = va >> (DCACCEL_PAGE_SHIFT + 9);
	uint64_t table = m->root, e = 0;
	int level = DCACCEL_PT_LEVELS - 1;

	if (m->l0_valid && m->l0_vregion == region) {
		table = m->l0_table;
		level = 0;
	}
	for (; level >= 0; level--) {
		uint64_t addr = table + DCACCEL_PT_INDEX(va, level) * 8;

		if (read_u64(m->mem, addr, &e))
			return fault(f, DCACCEL_FAULT_BUS, write, va);
		if (!(e & DCACCEL_PTE_VALID))
			return fault(f, DCACCEL_FAULT_NOT_PRESENT, write, va);
		if (level == 1) {
			m->l0_valid = true;
			m->l0_vregion = region;
			m->l0_table = e & DCACCEL_PTE_ADDR_MASK;
		}
		table = e & DCACCEL_PTE_ADDR_MASK;
	}
	*pte = e;
	return 0;
}

int dcdev_mmu_translate(struct dcdev_mmu *m, uint64_t va, bool write,
			uint64_t *pa, struct dcdev_fault *f)
{
	uint64_t vpage = va >> DCACCEL_PAGE_SHIFT, pte;
	uint64_t need = write ? DCACCEL_PTE_WRITE : DCACCEL_PTE_READ;

	if (va >= VA_LIMIT)
		return fault(f, DCACCEL_FAULT_RANGE, write, va);
	if (m->tlb_valid && m->tlb_vpage == vpage) {
		pte = m->tlb_pte;
	} else {
		if (walk(m, va, write, &pte, f))
			return -1;
		m->tlb_valid = true;
		m->tlb_vpage = vpage;
		m->tlb_pte = pte;
	}
	if (!(pte & need))
		return fault(f, DCACCEL_FAULT_PERMISSION, write, va);
	*pa = (pte & DCACCEL_PTE_ADDR_MASK) | (va & (DCACCEL_PAGE_SIZE - 1));
	return 0;
}

/* Both directions: split at page boundaries, translate, move one piece. */
static int access_pages(struct dcdev_mmu *m, uint64_t va, uint8_t *buf,
			size_t len, bool write, struct dcdev_fault *f)
{
	while (len) {
		uint64_t pa, in_page = DCACCEL_PAGE_SIZE -
				       (va & (DCACCEL_PAGE_SIZE - 1));
		size_t n = len < in_page ? len : (size_t)in_page;
		int bad;

		if (dcdev_mmu_translate(m, va, write, &pa, f))
			return -1;
		bad = write ? m->mem->write(m->mem->opaque, pa, buf, n) :
			      m->mem->read(m->mem->opaque, pa, buf, n);
		if (bad)
			return fault(f, DCACCEL_FAULT_BUS, write, va);
		va += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int dcdev_mmu_read(struct dcdev_mmu *m, uint64_t va, void *buf, size_t len,
		   struct dcdev_fault *f)
{
	return access_pages(m, va, buf, len, false, f);
}

int dcdev_mmu_write(struct dcdev_mmu *m, uint64_t va, const void *buf,
		    size_t len, struct dcdev_fault *f)
{
	/* access_pages() only reads from buf when writing */
	return access_pages(m, va, (uint8_t *)(uintptr_t)buf, len, true, f);
}
