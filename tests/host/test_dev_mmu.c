// SPDX-License-Identifier: MIT
/* The device MMU walk: mapped, unmapped, permissions, range, contexts. */
#include <string.h>

#include "dev_guest.h"
#include "tap.h"
#include "../../qemu-device/core/dev_le.h"

#define RW	(DCACCEL_PTE_READ | DCACCEL_PTE_WRITE)

static void setup(struct guest *g, struct dcdev_mmu *m)
{
	struct dcdev_fault f;

	guest_init(g, 1 << 20, 4);
	guest_ctx(g, 1);
	CHECK_EQ(dcdev_mmu_bind(m, &g->mem, g->ctx_base, 1, &f), 0);
}

static void test_mapped_read_write_across_pages(void)
{
	struct guest g;
	struct dcdev_mmu m;
	struct dcdev_fault f;
	uint8_t in[6000], out[6000];
	uint64_t va = 0x12345000 + 100;	/* three pages touched */

	setup(&g, &m);
	guest_map(&g, 1, va, sizeof(in), RW);
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 1);
	CHECK_EQ(dcdev_mmu_write(&m, va, in, sizeof(in), &f), 0);
	guest_read_va(&g, 1, va, out, sizeof(out));
	CHECK(memcmp(in, out, sizeof(in)) == 0);
	memset(out, 0, sizeof(out));
	CHECK_EQ(dcdev_mmu_read(&m, va, out, sizeof(out), &f), 0);
	CHECK(memcmp(in, out, sizeof(in)) == 0);
	guest_free(&g);
}

static void test_translate_offset_and_address(void)
{
	struct guest g;
	struct dcdev_mmu m;
	struct dcdev_fault f;
	uint64_t pa = 0, va = (1ull << 38) + 0xabc;	/* top half of the VA space */

	setup(&g, &m);
	guest_map(&g, 1, va, 1, DCACCEL_PTE_READ);
	CHECK_EQ(dcdev_mmu_translate(&m, va, false, &pa, &f), 0);
	CHECK_EQ(pa & 0xfff, 0xabc);
	CHECK_EQ(pa & ~0xfffull,
		 *guest_pte(&g, 1, va) & DCACCEL_PTE_ADDR_MASK);
	guest_free(&g);
}

static void test_unmapped_at_every_level(void)
{
	struct guest g;
	struct dcdev_mmu m;
	struct dcdev_fault f;
	uint64_t pa;
	uint8_t b;

	setup(&g, &m);
	guest_map(&g, 1, 0x200000, 4096, RW);
	/* level 2 empty */
	CHECK_EQ(dcdev_mmu_translate(&m, 1ull << 35, false, &pa, &f), -1);
	CHECK_EQ(f.reason, DCACCEL_FAULT_NOT_PRESENT);
	CHECK_EQ(f.va, 1ull << 35);
	/* level 1 empty (same level-2 slot) */
	CHECK_EQ(dcdev_mmu_translate(&m, 0x20000000, false, &pa, &f), -1);
	CHECK_EQ(f.reason, DCACCEL_FAULT_NOT_PRESENT);
	/* level 0 empty: the next page */
	CHECK_EQ(dcdev_mmu_read(&m, 0x201000, &b, 1, &f), -1);
	CHECK_EQ(f.reason, DCACCEL_FAULT_NOT_PRESENT);
	CHECK_EQ(f.write, 0);
	/* a write that runs off the mapped page faults at the first byte past */
	{
		uint8_t buf[8] = { 0 };

		CHECK_EQ(dcdev_mmu_write(&m, 0x200ffc, buf, 8, &f), -1);
		CHECK_EQ(f.va, 0x201000);
		CHECK_EQ(f.write, 1);
	}
	guest_free(&g);
}

static void test_permissions(void)
{
	struct guest g;
	struct dcdev_mmu m;
	struct dcdev_fault f;
	uint8_t b = 0;

	setup(&g, &m);
	guest_map(&g, 1, 0x1000, 4096, DCACCEL_PTE_READ);
	guest_map(&g, 1, 0x2000, 4096, DCACCEL_PTE_WRITE);
	guest_map(&g, 1, 0x3000, 4096, 0);
	CHECK_EQ(dcdev_mmu_read(&m, 0x1000, &b, 1, &f), 0);
	CHECK_EQ(dcdev_mmu_write(&m, 0x1000, &b, 1, &f), -1);
	CHECK_EQ(f.reason, DCACCEL_FAULT_PERMISSION);
	CHECK_EQ(f.write, 1);
	CHECK_EQ(dcdev_mmu_write(&m, 0x2000, &b, 1, &f), 0);
	CHECK_EQ(dcdev_mmu_read(&m, 0x2000, &b, 1, &f), -1);
	CHECK_EQ(f.reason, DCACCEL_FAULT_PERMISSION);
	CHECK_EQ(dcdev_mmu_read(&m, 0x3000, &b, 1, &f), -1);
	CHECK_EQ(f.reason, DCACCEL_FAULT_PERMISSION);
	/* a cached translation still checks the permission */
	CHECK_EQ(dcdev_mmu_read(&m, 0x1000, &b, 1, &f), 0);
	CHECK_EQ(dcdev_mmu_write(&m, 0x1004, &b, 1, &f), -1);
	CHECK_EQ(f.reason, DCACCEL_FAULT_PERMISSION);
	guest_free(&g);
}

static void test_out_of_range(void)
{
	struct guest g;
	struct dcdev_mmu m;
	struct dcdev_fault f;
	uint8_t buf[16] = { 0 };
	uint64_t top = 1ull << DCACCEL_VA_BITS;

	setup(&g, &m);
	guest_map(&g, 1, top - 4096, 4096, RW);
	CHECK_EQ(dcdev_mmu_read(&m, top - 8, buf, 8, &f), 0);
	CHECK_EQ(dcdev_mmu_read(&m, top - 8, buf, 16, &f), -1);
	CHECK_EQ(f.reason, DCACCEL_FAULT_RANGE);
	CHECK_EQ(f.va, top);
	CHECK_EQ(dcdev_mmu_read(&m, UINT64_MAX - 3, buf, 8, &f), -1);
	CHECK_EQ(f.reason, DCACCEL_FAULT_RANGE);
	/* the same low bits above 2^39 do not alias the mapped page */
	CHECK_EQ(dcdev_mmu_read(&m, (top - 4096) | (1ull << 40), buf, 1, &f),
		 -1);
	CHECK_EQ(f.reason, DCACCEL_FAULT_RANGE);
	guest_free(&g);
}

static void test_bus_errors(void)
{
	struct guest g;
	struct dcdev_mmu m;
	struct dcdev_fault f;
	uint8_t b;

	setup(&g, &m);
	/* a leaf pointing outside ram, a table pointing outside ram */
	*guest_pte(&g, 1, 0x5000) = (1ull << 40) | DCACCEL_PTE_VALID | RW;
	CHECK_EQ(dcdev_mmu_read(&m, 0x5000, &b, 1, &f), -1);
	CHECK_EQ(f.reason, DCACCEL_FAULT_BUS);
	dcdev_st64(g.ram + g.roots[1] + 8 * 3,
		   (1ull << 44) | DCACCEL_PTE_VALID);
	CHECK_EQ(dcdev_mmu_read(&m, 3ull << 30, &b, 1, &f), -1);
	CHECK_EQ(f.reason, DCACCEL_FAULT_BUS);
	CHECK_EQ(f.va, 3ull << 30);
	guest_free(&g);
}

static void test_pte_address_bits_masked(void)
{
	struct guest g;
	struct dcdev_mmu m;
	struct dcdev_fault f;
	uint64_t pa;

	setup(&g, &m);
	guest_map(&g, 1, 0x7000, 4096, RW);
	/* software bits 3..11 and 52..63 do not reach the address */
	*guest_pte(&g, 1, 0x7000) |= 0xfff0000000000ff8ull;
	CHECK_EQ(dcdev_mmu_translate(&m, 0x7008, true, &pa, &f), 0);
	CHECK(pa < g.size);
	CHECK_EQ(pa & 0xfff, 8);
	guest_free(&g);
}

static void test_contexts(void)
{
	struct guest g;
	struct dcdev_mmu m;
	struct dcdev_fault f;
	uint8_t *e;
	uint8_t b = 0x5a, r = 0;

	guest_init(&g, 1 << 20, 4);
	guest_ctx(&g, 0);
	guest_ctx(&g, 2);
	guest_map(&g, 0, 0x1000, 4096, RW);
	guest_map(&g, 2, 0x1000, 4096, RW);
	/* the same VA in two contexts is two pages */
	CHECK_EQ(dcdev_mmu_bind(&m, &g.mem, g.ctx_base, 0, &f), 0);
	CHECK_EQ(dcdev_mmu_write(&m, 0x1000, &b, 1, &f), 0);
	CHECK_EQ(dcdev_mmu_bind(&m, &g.mem, g.ctx_base, 2, &f), 0);
	CHECK_EQ(dcdev_mmu_read(&m, 0x1000, &r, 1, &f), 0);
	CHECK_EQ(r, 0);
	/* context 1 was never set up */
	CHECK_EQ(dcdev_mmu_bind(&m, &g.mem, g.ctx_base, 1, &f), -1);
	CHECK_EQ(f.reason, DCACCEL_FAULT_CONTEXT);
	/* reserved bits of a context entry make it invalid */
	e = g.ram + g.ctx_base + 2 * DCACCEL_CTX_ENTRY_SIZE;
	dcdev_st64(e + 8, 1);
	CHECK_EQ(dcdev_mmu_bind(&m, &g.mem, g.ctx_base, 2, &f), -1);
	CHECK_EQ(f.reason, DCACCEL_FAULT_CONTEXT);
	dcdev_st64(e + 8, 0);
	dcdev_st64(e, g.roots[2] | DCACCEL_CTX_VALID | 0x10);
	CHECK_EQ(dcdev_mmu_bind(&m, &g.mem, g.ctx_base, 2, &f), -1);
	CHECK_EQ(f.reason, DCACCEL_FAULT_CONTEXT);
	/* a context table outside memory */
	CHECK_EQ(dcdev_mmu_bind(&m, &g.mem, g.size, 0, &f), -1);
	CHECK_EQ(f.reason, DCACCEL_FAULT_BUS);
	CHECK_EQ(dcdev_mmu_bind(&m, &g.mem, UINT64_MAX - 15, 3, &f), -1);
	CHECK_EQ(f.reason, DCACCEL_FAULT_BUS);
	guest_free(&g);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_mapped_read_write_across_pages),
	TAP_TEST(test_translate_offset_and_address),
	TAP_TEST(test_unmapped_at_every_level),
	TAP_TEST(test_permissions),
	TAP_TEST(test_out_of_range),
	TAP_TEST(test_bus_errors),
	TAP_TEST(test_pte_address_bits_masked),
	TAP_TEST(test_contexts),
};

TAP_MAIN(tests)
