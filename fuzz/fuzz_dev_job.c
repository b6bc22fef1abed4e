// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: one job of the dcaccel device as a hostile guest
 * writes it. A fixed guest holds a context table and a 3-level page table
 * that maps 16 pages of context memory; the input supplies the ring entry,
 * the device's fault-injection switch, overrides of the 16 leaf PTEs and
 * the context memory (command buffer and streams). The device core must
 * finish every job with a status, never reading or writing outside the
 * guest's memory (ASan would see it) nor hanging.
 *
 * Input: [0, 64) ring entry | [64] bit 0: fault injection |
 *        [65, 193) 16 PTEs XORed into the valid ones | rest: VA 0 onwards.
 *
 * Run by hand for longer:
 *   make VARIANT=fuzz fuzzers
 *   build/fuzz/fuzz/fuzz_dev_job -max_total_time=600 fuzz/corpus/fuzz_dev_job
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../qemu-device/core/dev_job.h"
#include "../qemu-device/core/dev_le.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM_SIZE	0x18000
#define CTX_BASE	0x0000
#define L2_TABLE	0x1000
#define L1_TABLE	0x2000
#define L0_TABLE	0x3000
#define RING		0x4000
#define CTX_PAGES	16
#define CTX_MEM		0x8000

#define IN_ENTRY	0
#define IN_FLAGS	64
#define IN_PTES		65
#define IN_MEM		(IN_PTES + 8 * CTX_PAGES)

static uint8_t ram[RAM_SIZE];

static int ram_read(void *opaque, uint64_t addr, void *buf, size_t len)
{
	(void)opaque;
	if (addr > RAM_SIZE || len > RAM_SIZE - addr)
		return -1;
	memcpy(buf, ram + addr, len);
	return 0;
}

static int ram_write(void *opaque, uint64_t addr, const void *buf, size_t len)
{
	(void)opaque;
	if (addr > RAM_SIZE || len > RAM_SIZE - addr)
		return -1;
	memcpy(ram + addr, buf, len);
	return 0;
}

static void build_guest(const uint8_t *data, size_t size)
{
	memset(ram, 0, sizeof(ram));
	/* context 0 valid, context 1 left invalid */
	dcdev_st64(ram + CTX_BASE, L2_TABLE | DCACCEL_CTX_VALID);
	dcdev_st64(ram + L2_TABLE, L1_TABLE | DCACCEL_PTE_VALID);
	dcdev_st64(ram + L1_TABLE, L0_TABLE | DCACCEL_PTE_VALID);
	for (uint64_t i = 0; i < CTX_PAGES; i++) {
		uint64_t pte = (CTX_MEM + i * DCACCEL_PAGE_SIZE) |
			       DCACCEL_PTE_VALID | DCACCEL_PTE_READ |
			       DCACCEL_PTE_WRITE;

		if (size >= IN_PTES + 8 * (i + 1))
			pte ^= dcdev_ld64(data + IN_PTES + 8 * i);
		dcdev_st64(ram + L0_TABLE + 8 * i, pte);
	}
	if (size > IN_MEM) {
		size_t n = size - IN_MEM;

		if (n > CTX_PAGES * DCACCEL_PAGE_SIZE)
			n = CTX_PAGES * DCACCEL_PAGE_SIZE;
		memcpy(ram + CTX_MEM, data + IN_MEM, n);
	}
	memcpy(ram + RING, data + IN_ENTRY, DCACCEL_RING_ENTRY_SIZE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dcdev_result r;
	struct dcdev_mem mem = { ram_read, ram_write, NULL };
	struct dcdev_caps caps;
	struct dcdev_env env;
	struct dcdev_entry e;
	enum dcdev_outcome out;

	if (size < IN_FLAGS + 1)
		return 0;
	build_guest(data, size);

	/* small limits keep every job fast */
	dcdev_caps_default(&caps);
	caps.pes = 4;
	caps.max_dim = 512;
	caps.max_batch = 8;
	caps.max_entries = 1 << 16;
	caps.max_cmd_bytes = 4096;
	caps.max_op_mb = 1;
	caps.max_work_mi = 4;
	caps.fault_injection = data[IN_FLAGS] & 1;
	env = (struct dcdev_env){
		.mem = &mem, .caps = &caps, .ctx_base = CTX_BASE, .ctx_count = 2,
	};

	out = dcdev_job_run(&env, RING, &e, &r);
	if (out == DCDEV_COMPLETE)
		dcdev_job_complete(&env, &e, &r);
	if (getenv("FUZZ_DEV_VERBOSE"))
		fprintf(stderr, "outcome %d status %u detail %u fault 0x%x va 0x%llx ops %u macs %llu %s\n",
			out, r.status, r.detail, r.fault,
			(unsigned long long)r.fault_va, r.ops_done,
			(unsigned long long)r.stats.macs, r.msg);
	return 0;
}
