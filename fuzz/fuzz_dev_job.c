// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: one job of the dcaccel device as a hostile guest
 * writes it. A fixed guest holds a context table and a 3-level page table
 * whose first 16 level-0 PTEs map 16 pages of context memory; the input
 * supplies the ring entry, the device's fault-injection switch and PE
 * count, overrides of those 16 PTEs and the context memory (command buffer
 * and streams). The rest of the first GiB of VA maps the same 16 pages
 * over and over, so that an op can name arrays as large as the device's
 * own caps allow: [0, 512 MiB) level-0 PTE i maps page i % 16 (the first
 * 16 PTEs are the input's), [512, 768 MiB) all page 15, [768 MiB, 1 GiB)
 * all page 14 (a short input leaves page 15 zero: column pointers of an
 * empty layer; page 14 can hold dense inputs). The device core must
 * finish every job with a status, never reading or writing outside the
 * guest's memory (ASan would see it) nor hanging.
 *
 * The caps are the device's defaults but for a smaller work limit
 * (CAP_MAX_WORK 4, 2^22 units: at most 0.7 s here under ASan, 256 PEs
 * with empty columns the slowest) and 8 MiB per op (CAP_MAX_OP_MB), so
 * that an op whose real cost the work estimate undercounts shows up as a
 * libFuzzer timeout: -timeout=10 unless given. (The product table once
 * was left out: with 1 PE, codebook 256 and dense inputs a job under
 * this limit then ran half a minute.)
 *
 * Input: [0, 64) ring entry | [64] bit 0: fault injection, bits 1-2: PEs
 *        4, 1, 64, 256 | [65, 193) 16 PTEs XORed into the valid ones |
 *        rest: VA 0 onwards.
 *
 * Run by hand for longer:
 *   make VARIANT=fuzz fuzzers
 *   build/fuzz/fuzz/fuzz_dev_job -max_total_time=600 fuzz/corpus/fuzz_dev_job
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../qemu-device/core/dev_job.h"
#include "../qemu-device/core/dev_le.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define RAM_SIZE	0x18000
#define CTX_BASE	0x0000
#define L2_TABLE	0x1000
#define L1_TABLE	0x2000
#define L0_TABLE	0x3000
#define RING		0x4000
#define L0_PAGE15	0x6000
#define L0_PAGE14	0x7000
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

/* The fixed part of the guest: context table and page tables. */
static void build_template(uint8_t *t)
{
	/* context 0 valid, context 1 left invalid */
	dcdev_st64(t + CTX_BASE, L2_TABLE | DCACCEL_CTX_VALID);
	dcdev_st64(t + L2_TABLE, L1_TABLE | DCACCEL_PTE_VALID);
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t l0 = i < 256 ? L0_TABLE : i < 384 ? L0_PAGE15 :
			      L0_PAGE14;
		uint64_t rw = DCACCEL_PTE_VALID | DCACCEL_PTE_READ |
			      DCACCEL_PTE_WRITE;

		dcdev_st64(t + L1_TABLE + 8 * i, l0 | DCACCEL_PTE_VALID);
		dcdev_st64(t + L0_TABLE + 8 * i,
			   (CTX_MEM + i % CTX_PAGES * DCACCEL_PAGE_SIZE) | rw);
		dcdev_st64(t + L0_PAGE15 + 8 * i,
			   (CTX_MEM + 15 * DCACCEL_PAGE_SIZE) | rw);
		dcdev_st64(t + L0_PAGE14 + 8 * i,
			   (CTX_MEM + 14 * DCACCEL_PAGE_SIZE) | rw);
	}
}

static void build_guest(const uint8_t *data, size_t size)
{
	static uint8_t template[RAM_SIZE];
	static int built;

	if (!built) {
		build_template(template);
		built = 1;
	}
	memcpy(ram, template, sizeof(ram));
	for (uint64_t i = 0; i < CTX_PAGES && size >= IN_PTES + 8 * (i + 1);
	     i++) {
		uint8_t *pte = ram + L0_TABLE + 8 * i;

		dcdev_st64(pte, dcdev_ld64(pte) ^
				dcdev_ld64(data + IN_PTES + 8 * i));
	}
	if (size > IN_MEM) {
		size_t n = size - IN_MEM;

		if (n > CTX_PAGES * DCACCEL_PAGE_SIZE)
			n = CTX_PAGES * DCACCEL_PAGE_SIZE;
		memcpy(ram + CTX_MEM, data + IN_MEM, n);
	}
	memcpy(ram + RING, data + IN_ENTRY, DCACCEL_RING_ENTRY_SIZE);
}

/* A slow op must be a finding, not a slow run: -timeout=10 by default. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char timeout[] = "-timeout=10";
	char **args;

	for (int i = 1; i < *argc; i++)
		if (!strncmp((*argv)[i], "-timeout=", 9))
			return 0;
	args = calloc((size_t)*argc + 2, sizeof(*args));
	if (!args)
		return 0;
	memcpy(args, *argv, (size_t)*argc * sizeof(*args));
	args[(*argc)++] = timeout;
	*argv = args;		/* libFuzzer keeps using it: never freed */
	return 0;
}

/*
 * The device keeps decoded layers from job to job (dev_fc_cache.h): each
 * input runs twice on the same guest memory, the second time over what
 * the first one kept, and both must end the same, to the byte.
 */
static enum dcdev_outcome run_job(const struct dcdev_env *env,
				  struct dcdev_result *r)
{
	struct dcdev_entry e;
	enum dcdev_outcome out = dcdev_job_run(env, RING, &e, r);

	if (out == DCDEV_COMPLETE)
		dcdev_job_complete(env, &e, r);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t pes[4] = { 4, 1, 64, 256 };
	static uint8_t before[RAM_SIZE], after[RAM_SIZE];
	static struct dcdev_result r, again;
	static struct dcdev_fc_cache cache;
	struct dcdev_mem mem = { ram_read, ram_write, NULL };
	struct dcdev_caps caps;
	struct dcdev_env env;
	enum dcdev_outcome out;

	if (size < IN_FLAGS + 1)
		return 0;
	build_guest(data, size);
	memcpy(before, ram, sizeof(ram));

	/* the device's caps, but a job's work and copies bounded lower */
	dcdev_caps_default(&caps);
	caps.pes = pes[data[IN_FLAGS] >> 1 & 3];
	caps.max_work_mi = 4;
	caps.max_op_mb = 8;
	caps.fault_injection = data[IN_FLAGS] & 1;
	env = (struct dcdev_env){
		.mem = &mem, .caps = &caps, .ctx_base = CTX_BASE, .ctx_count = 2,
		.cache = &cache,
	};

	out = run_job(&env, &r);
	memcpy(after, ram, sizeof(ram));
	memcpy(ram, before, sizeof(ram));
	/* the message is a string: what follows its end is not */
	if (run_job(&env, &again) != out ||
	    memcmp(&again, &r, offsetof(struct dcdev_result, msg)) ||
	    strcmp(again.msg, r.msg) || memcmp(ram, after, sizeof(ram))) {
		fprintf(stderr, "fuzz_dev_job: the job ended otherwise over the layers it kept\n");
		abort();
	}
	dcdev_fc_cache_clear(&cache);
	if (getenv("FUZZ_DEV_VERBOSE"))
		fprintf(stderr, "outcome %d status %u detail %u fault 0x%x va 0x%llx ops %u macs %llu %s\n",
			out, r.status, r.detail, r.fault,
			(unsigned long long)r.fault_va, r.ops_done,
			(unsigned long long)r.stats.macs, r.msg);
	return 0;
}
