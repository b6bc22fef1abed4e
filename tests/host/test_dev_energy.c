// SPDX-License-Identifier: MIT
/*
 * The energy block of the completion record (hardware.rst, "Energy
 * model", RING_F_ENERGY) through the device core: two chained FC ops
 * against dp_energy_fc() called on the same layers with the on-chip
 * travel the spec gives them, the same from the decoded-layer cache,
 * the block after the per-PE arrays or right after the record, nothing
 * written without the flag, only the ops that completed counted, and an
 * input of another size than the earlier output left off chip.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dev_rig.h"
#include "eie_fixture.h"
#include "tap.h"
#include "../../qemu-device/core/dev_layer.h"
#include "../../qemu-device/core/dev_le.h"

#define RW	(DCACCEL_PTE_READ | DCACCEL_PTE_WRITE)
#define EOFF(field)	offsetof(struct dcaccel_energy_record, field)

static struct dcdev_result res;	/* per-PE counters: not on the stack */

/* The block the device wrote at off, against counts e priced. */
static int block_matches(struct rig *r, size_t off, const struct dp_energy *e)
{
	struct dp_energy_fj fj;
	int bad = 0;

	dp_energy_price(e, &fj);
	bad += rec64(r, off + EOFF(dram_weight_words)) != e->dram_weights;
	bad += rec64(r, off + EOFF(dram_act_words)) != e->dram_acts;
	bad += rec64(r, off + EOFF(sram_words)) != e->sram;
	bad += rec64(r, off + EOFF(dram_weights_fj)) != fj.dram_weights;
	bad += rec64(r, off + EOFF(dram_acts_fj)) != fj.dram_acts;
	bad += rec64(r, off + EOFF(sram_fj)) != fj.sram;
	bad += rec64(r, off + EOFF(arith_fj)) != fj.arith;
	bad += rec64(r, off + EOFF(bitops_fj)) != fj.bitops;
	if (bad)
		DIAG("%d fields differ; sram %llu want %llu", bad,
		     (unsigned long long)rec64(r, off + EOFF(sram_words)),
		     (unsigned long long)e->sram);
	return !bad && fj.dram_weights && fj.sram && fj.arith;
}

/* Run the rig's job with flags and write its record; the job's status. */
static uint32_t run(struct rig *r, uint32_t flags)
{
	struct dcdev_entry e;

	/* 0xaa past the record: what a block not written leaves */
	memset(r->g.ram + r->completion, 0xaa, DCACCEL_PAGE_SIZE);
	if (rig_run(r, flags, &e, &res) != DCDEV_COMPLETE ||
	    dcdev_job_complete(&r->env, &e, &res))
		return UINT32_MAX;
	return res.status;
}

struct chain {
	struct rig r;
	struct fixture a, b;
	int16_t *in, mid[40];
	uint64_t in_va, mid_va, out_va;
	struct dp_energy want;	/* both ops, as the spec says they travel */
};

/* in (60) -> a -> mid (40) -> b -> out (30), on 4 PEs. */
static void chain_init(struct chain *c)
{
	const struct dp_energy_io first = { .out_on_chip = true };
	const struct dp_energy_io second = { .in_on_chip = true };

	rig_init(&c->r, 4);
	fixture_random_layer(&c->a, 21, 40, 60, 4, 4, 4, true);
	fixture_random_layer(&c->b, 22, 30, 40, 4, 4, 4, true);
	c->in = fixture_random_input(9, 60);
	c->in_va = rig_array(&c->r, c->in, 120, DCACCEL_PTE_READ);
	c->mid_va = rig_array(&c->r, NULL, 80, RW);
	c->out_va = rig_array(&c->r, NULL, 60, RW);
	add_fc(&c->r, &c->a, 1, c->in_va, c->mid_va);
	add_fc(&c->r, &c->b, 1, c->mid_va, c->out_va);
	memset(&c->want, 0, sizeof(c->want));
	run_engine(&c->a.l, 1, c->in, c->mid, NULL);
	dp_energy_fc(&c->a.l, 1, c->in, &first, &c->want);
	dp_energy_fc(&c->b.l, 1, c->mid, &second, &c->want);
}

static void chain_free(struct chain *c)
{
	fixture_free(&c->a);
	fixture_free(&c->b);
	guest_free(&c->r.g);
	free(c->in);
}

static void test_chained_fc_block(void)
{
	const size_t after = DCACCEL_COMPLETION_BYTES(4);
	struct dcdev_fc_cache cache;
	struct chain c;

	chain_init(&c);
	CHECK_EQ(run(&c.r, DCACCEL_RING_F_PE_STATS | DCACCEL_RING_F_ENERGY),
		 DCACCEL_JOB_OK);
	CHECK_EQ(rec32(&c.r, offsetof(struct dcaccel_completion, pes)), 4);
	CHECK(block_matches(&c.r, after, &c.want));
	/* the activations between the ops stayed on chip: in 30 + out 15 words */
	CHECK_EQ(c.want.dram_acts, 30 + 15);
	/* twice through the cache of decoded layers: built, then found */
	dcdev_fc_cache_init(&cache);
	c.r.env.cache = &cache;
	for (int round = 0; round < 2; round++) {
		CHECK_EQ(run(&c.r, DCACCEL_RING_F_PE_STATS | DCACCEL_RING_F_ENERGY),
			 DCACCEL_JOB_OK);
		CHECK(block_matches(&c.r, after, &c.want));
	}
	CHECK_EQ(cache.hits, 2);
	dcdev_fc_cache_clear(&cache);
	chain_free(&c);
}

static void test_block_placement_and_absence(void)
{
	struct chain c;
	uint8_t past[DCACCEL_ENERGY_RECORD_SIZE];

	chain_init(&c);
	/* without the per-PE arrays the block follows the 128 bytes */
	CHECK_EQ(run(&c.r, DCACCEL_RING_F_ENERGY), DCACCEL_JOB_OK);
	CHECK_EQ(rec32(&c.r, offsetof(struct dcaccel_completion, pes)), 0);
	CHECK(block_matches(&c.r, DCACCEL_COMPLETION_SIZE, &c.want));
	/* without the flag nothing past the record is written */
	CHECK_EQ(run(&c.r, DCACCEL_RING_F_PE_STATS), DCACCEL_JOB_OK);
	memset(past, 0xaa, sizeof(past));
	CHECK(!memcmp(c.r.g.ram + c.r.completion + DCACCEL_COMPLETION_BYTES(4),
		      past, sizeof(past)));
	CHECK_EQ(run(&c.r, 0), DCACCEL_JOB_OK);
	CHECK(!memcmp(c.r.g.ram + c.r.completion + DCACCEL_COMPLETION_SIZE,
		      past, sizeof(past)));
	chain_free(&c);
}

/* The second op's output is read-only: only the first op is counted. */
static void test_failed_op_not_counted(void)
{
	const struct dp_energy_io first = { .out_on_chip = true };
	struct dp_energy want = { 0 };
	struct chain c;

	chain_init(&c);
	c.r.cmd_len = 0;
	add_fc(&c.r, &c.a, 1, c.in_va, c.mid_va);
	add_fc(&c.r, &c.b, 1, c.mid_va, c.in_va);
	CHECK_EQ(run(&c.r, DCACCEL_RING_F_ENERGY), DCACCEL_JOB_MMU_FAULT);
	CHECK_EQ(rec32(&c.r, offsetof(struct dcaccel_completion, ops_done)), 1);
	dp_energy_fc(&c.a.l, 1, c.in, &first, &want);
	CHECK(block_matches(&c.r, DCACCEL_COMPLETION_SIZE, &want));
	chain_free(&c);
}

/*
 * On chip only for exactly the same bytes: the second op reading the
 * first's output from one byte further on reads it from DRAM.
 */
static void test_on_chip_needs_the_same_bytes(void)
{
	const struct dp_energy_io apart = { 0 };
	struct dp_energy want = { 0 };
	int16_t shifted[40];
	struct chain c;

	chain_init(&c);
	c.r.cmd_len = 0;
	add_fc(&c.r, &c.a, 1, c.in_va, c.mid_va + 2);
	add_fc(&c.r, &c.b, 1, c.mid_va, c.out_va);
	CHECK_EQ(run(&c.r, DCACCEL_RING_F_ENERGY), DCACCEL_JOB_OK);
	guest_read_va(&c.r.g, 1, c.mid_va, shifted, sizeof(shifted));
	dcdev_le16_to_host(shifted, 40);
	dp_energy_fc(&c.a.l, 1, c.in, &apart, &want);
	dp_energy_fc(&c.b.l, 1, shifted, &apart, &want);
	CHECK(block_matches(&c.r, DCACCEL_COMPLETION_SIZE, &want));
	CHECK_EQ(want.dram_acts, 30 + 20 + 20 + 15);
	chain_free(&c);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_chained_fc_block),
	TAP_TEST(test_block_placement_and_absence),
	TAP_TEST(test_failed_op_not_counted),
	TAP_TEST(test_on_chip_needs_the_same_bytes),
};

TAP_MAIN(tests)
