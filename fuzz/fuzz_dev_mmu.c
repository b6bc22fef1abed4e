// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the device MMU against a second, deliberately naive
 * walk written from hardware.rst ("Device MMU"). Guest memory is 16 KiB from the input,
 * aliased over the whole bus (so that any table address leads somewhere)
 * except above 2^40, which is a bus error. For a context and four VAs from
 * the input, dcdev_mmu_translate() and dcdev_mmu_read() (with its page
 * splitting and translation cache) must agree with the naive walk on every
 * byte: same address, or same fault reason and VA. A disagreement aborts.
 *
 * Input: [0] context | [1] bit i: VA i is taken modulo 2^39 |
 *        [2, 34) four VAs | [34, 38) read lengths | rest: memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../qemu-device/core/dev_le.h"
#include "../qemu-device/core/dev_mmu.h"
#include "dcaccel/dcaccel_hw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A disagreement: say what it was, then let libFuzzer keep the input. */
#define MISMATCH(...)							\
	do {								\
		fprintf(stderr, "fuzz_dev_mmu: " __VA_ARGS__);		\
		abort();						\
	} while (0)

#define MEM_SIZE	0x4000u
#define BUS_LIMIT	(1ull << 40)
#define HDR		38

static uint8_t mem[MEM_SIZE];

static int bus_read(void *opaque, uint64_t addr, void *buf, size_t len)
{
	uint8_t *b = buf;

	(void)opaque;
	if (addr >= BUS_LIMIT || len > BUS_LIMIT - addr)
		return -1;
	for (size_t i = 0; i < len; i++)
		b[i] = mem[(addr + i) & (MEM_SIZE - 1)];
	return 0;
}

static int bus_write(void *opaque, uint64_t addr, const void *buf, size_t len)
{
	(void)opaque;
	(void)addr;
	(void)buf;
	(void)len;
	return -1;	/* this target only reads */
}

static int naive_u64(uint64_t addr, uint64_t *v)
{
	uint8_t b[8];

	if (bus_read(NULL, addr, b, 8))
		return -1;
	*v = dcdev_ld64(b);
	return 0;
}

/* The context entry: a fault reason, or 0 and *root. */
static uint32_t naive_context(uint32_t ctx, uint64_t *root)
{
	uint64_t reserved;

	if (naive_u64((uint64_t)ctx * 16, root) ||
	    naive_u64((uint64_t)ctx * 16 + 8, &reserved))
		return DCACCEL_FAULT_BUS;
	if (!(*root & 1) || (*root & ~0x000ffffffffff001ull) || reserved)
		return DCACCEL_FAULT_CONTEXT;
	return 0;
}

/* hardware.rst, "Device MMU", step by step: a fault reason, or 0 and *pa. */
static uint32_t naive_walk(uint32_t ctx, uint64_t va, uint64_t *pa)
{
	uint64_t root, t, e = 0;
	uint32_t bad = naive_context(ctx, &root);

	if (bad)
		return bad;
	if (va >> 39)
		return DCACCEL_FAULT_RANGE;
	t = root & 0x000ffffffffff000ull;
	for (int shift = 30; shift >= 12; shift -= 9) {
		if (naive_u64(t + ((va >> shift) & 511) * 8, &e))
			return DCACCEL_FAULT_BUS;
		if (!(e & 1))
			return DCACCEL_FAULT_NOT_PRESENT;
		t = e & 0x000ffffffffff000ull;
	}
	if (!(e & 2))
		return DCACCEL_FAULT_PERMISSION;
	*pa = t | (va & 0xfff);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dcdev_mem bus = { bus_read, bus_write, NULL };
	struct dcdev_mmu m;
	struct dcdev_fault f;
	uint32_t ctx, want;
	uint64_t pa, want_pa = 0, root;

	if (size < HDR)
		return 0;
	memset(mem, 0, sizeof(mem));
	memcpy(mem, data + HDR, size - HDR < MEM_SIZE ? size - HDR : MEM_SIZE);
	ctx = data[0];

	/* binding faults are the naive walk's context step */
	want = naive_context(ctx, &root);
	if (dcdev_mmu_bind(&m, &bus, 0, ctx, &f)) {
		if (want != f.reason)
			MISMATCH("bind: reason %u, naive %u\n", f.reason, want);
		return 0;
	}
	if (want)
		MISMATCH("bind succeeded, naive says %u\n", want);

	for (int i = 0; i < 4; i++) {
		uint64_t va = dcdev_ld64(data + 2 + 8 * i);
		uint32_t len = data[34 + i] % 64 + 1;
		uint8_t got[64];
		int ok;

		if (data[1] & (1u << i))
			va &= (1ull << 39) - 1;
		want = naive_walk(ctx, va, &want_pa);
		ok = dcdev_mmu_translate(&m, va, false, &pa, &f) == 0;
		if (ok != (want == 0) || (ok && pa != want_pa) ||
		    (!ok && (f.reason != want || f.va != va || f.write)))
			MISMATCH("translate 0x%llx: ok %d pa 0x%llx reason %u va 0x%llx; naive %u pa 0x%llx\n",
				 (unsigned long long)va, ok,
				 (unsigned long long)pa, f.reason,
				 (unsigned long long)f.va, want,
				 (unsigned long long)want_pa);

		/* a read of len bytes: the first byte the naive walk refuses */
		ok = dcdev_mmu_read(&m, va, got, len, &f) == 0;
		for (uint32_t k = 0; k < len; k++) {
			uint8_t b;

			if (va + k < va) {	/* wrapped: past 2^39 anyway */
				want = DCACCEL_FAULT_RANGE;
			} else {
				want = naive_walk(ctx, va + k, &want_pa);
			}
			if (want) {
				if (ok || f.reason != want || f.va != va + k)
					MISMATCH("read 0x%llx+%u: byte %u: ok %d reason %u va 0x%llx; naive %u\n",
						 (unsigned long long)va, len,
						 k, ok, f.reason,
						 (unsigned long long)f.va,
						 want);
				break;
			}
			if (bus_read(NULL, want_pa, &b, 1)) {
				/*
				 * A page whose data is not all memory: the
				 * device reports where its access to that
				 * page began.
				 */
				uint64_t from = (va + k) & ~0xfffull;

				if (from < va)
					from = va;
				if (ok || f.reason != DCACCEL_FAULT_BUS ||
				    f.va < from || f.va > va + k)
					MISMATCH("read 0x%llx+%u: byte %u off the bus: ok %d reason %u va 0x%llx\n",
						 (unsigned long long)va, len,
						 k, ok, f.reason,
						 (unsigned long long)f.va);
				break;
			}
			if (ok && got[k] != b)
				MISMATCH("read 0x%llx: byte %u differs\n",
					 (unsigned long long)va, k);
			if (k == len - 1 && !ok)
				MISMATCH("read 0x%llx+%u failed (reason %u va 0x%llx), naive reads all\n",
					 (unsigned long long)va, len, f.reason,
					 (unsigned long long)f.va);
		}
	}
	return 0;
}
