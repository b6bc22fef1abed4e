// SPDX-License-Identifier: MIT
/*
 * Whole jobs through the device core on an array guest: FC layers against
 * eie_run() called directly, statistics, and every way a job can fail.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dev_rig.h"
#include "eie_fixture.h"
#include "tap.h"
#include "../../qemu-device/core/dev_le.h"
#include "../../qemu-device/datapath/dp_quant.h"

#define RW	(DCACCEL_PTE_READ | DCACCEL_PTE_WRITE)
#define FOFF(field)	offsetof(struct dcaccel_op_fc, field)
#define COFF(field)	offsetof(struct dcaccel_completion, field)

static void add_debug(struct rig *r, uint32_t action, uint64_t va)
{
	uint8_t *op = r->cmd + r->cmd_len;

	memset(op, 0, DCACCEL_OP_DEBUG_SIZE);
	dcdev_st32(op, DCACCEL_OP_DEBUG);
	dcdev_st32(op + 4, DCACCEL_OP_DEBUG_SIZE);
	dcdev_st32(op + 8, action);
	dcdev_st64(op + 16, va);
	r->cmd_len += DCACCEL_OP_DEBUG_SIZE;
}

static struct dcdev_result res;	/* 2 KiB of per-PE counters: not on the stack */

static void check_fc_job(uint32_t rows, uint32_t cols, uint32_t pes,
			 uint8_t wbits, uint8_t zbits, bool bias,
			 uint32_t batch)
{
	struct rig r;
	struct fixture f;
	struct dcdev_entry e;
	struct eie_stats want_stats = { 0 };
	struct eie_cycles want_cycles = { 0 };
	uint64_t *want_busy = calloc(pes, sizeof(uint64_t));
	int16_t *in = fixture_random_input(rows + cols, (size_t)batch * cols);
	int16_t *want = calloc((size_t)batch * rows, 2);
	int16_t *got = calloc((size_t)batch * rows, 2);
	uint64_t in_va, out_va;

	rig_init(&r, pes);
	fixture_random_layer(&f, rows * 7 + cols, rows, cols, pes, wbits, zbits, bias);
	in_va = rig_array(&r, in, 2ull * batch * cols, DCACCEL_PTE_READ);
	out_va = rig_array(&r, NULL, 2ull * batch * rows, DCACCEL_PTE_WRITE);
	add_fc(&r, &f, batch, in_va, out_va);
	CHECK_EQ(rig_run(&r, DCACCEL_RING_F_PE_STATS, &e, &res),
		 DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_OK);
	CHECK_EQ(res.ops_done, 1);
	CHECK_EQ(dcdev_job_complete(&r.env, &e, &res), 0);
	CHECK(r.g.last_write == r.completion);	/* the seqno went last */

	run_engine(&f.l, batch, in, want, &want_stats);
	CHECK_EQ(model_cycles(&f.l, r.caps.queue_depth, batch, in,
			      &want_cycles, want_busy), 0);
	guest_read_va(&r.g, 1, out_va, got, 2ull * batch * rows);
	CHECK(memcmp(got, want, 2ull * batch * rows) == 0);

	CHECK_EQ(rec64(&r, COFF(seqno)), 0xabcd0001);
	CHECK_EQ(rec32(&r, COFF(status)), DCACCEL_JOB_OK);
	CHECK_EQ(rec32(&r, COFF(ops_done)), 1);
	CHECK_EQ(rec64(&r, COFF(nonzero_acts)), want_stats.nonzero_acts);
	CHECK_EQ(rec64(&r, COFF(entries)), want_stats.entries);
	CHECK_EQ(rec64(&r, COFF(padding)), want_stats.padding);
	CHECK_EQ(rec64(&r, COFF(macs)), want_stats.macs);
	CHECK_EQ(rec64(&r, COFF(cycles)), want_cycles.cycles);
	CHECK_EQ(rec64(&r, COFF(busy)), want_cycles.busy);
	CHECK_EQ(rec64(&r, COFF(lnzd_stalls)), want_cycles.lnzd_stalls);
	CHECK_EQ(rec64(&r, COFF(time_ns)),
		 (uint64_t)eie_cycles_to_ns(want_cycles.cycles, 800));
	CHECK_EQ(rec32(&r, COFF(pes)), pes);
	for (uint32_t p = 0; p < pes; p++) {
		CHECK_EQ(rec64(&r, 128 + 8 * p), want_busy[p]);
		CHECK_EQ(rec64(&r, 128 + 8 * (pes + p)),
			 want_cycles.cycles - want_busy[p]);
	}
	CHECK(want_stats.macs > 0);	/* the layer did some work */
	fixture_free(&f);
	guest_free(&r.g);
	free(want_busy);
	free(in);
	free(want);
	free(got);
}

static void test_fc_job_matches_engine(void)
{
	check_fc_job(100, 70, 8, 4, 4, true, 3);
}

static void test_fc_job_wide_entries_64_pes(void)
{
	check_fc_job(300, 50, 64, 6, 4, false, 2);
}

static void test_fc_job_long_zero_runs(void)
{
	/* 2-bit relative indices: lots of padding entries */
	check_fc_job(200, 40, 4, 3, 2, true, 1);
}

/* Run r's job and compare its outputs with the engine's on f. */
static bool cached_job_matches(struct rig *r, const struct fixture *f,
			       const int16_t *in, uint64_t out_va)
{
	struct dcdev_entry e;
	struct eie_cycles want_cycles = { 0 };
	int16_t want[64], got[64];
	bool ok;

	if (rig_run(r, 0, &e, &res) != DCDEV_COMPLETE ||
	    res.status != DCACCEL_JOB_OK)
		return false;
	run_engine(&f->l, 1, in, want, NULL);
	model_cycles(&f->l, r->caps.queue_depth, 1, in, &want_cycles, NULL);
	guest_read_va(&r->g, 1, out_va, got, 2ull * f->rows);
	ok = !memcmp(got, want, 2ull * f->rows) &&
	     res.cycles.cycles == want_cycles.cycles;
	return ok;
}

/*
 * The device keeps decoded layers from job to job; the guest may rewrite
 * any of its memory between jobs without telling it. A new codebook runs
 * on the kept streams, changed streams are decoded again, and what fails
 * validation fails whether it was kept or not.
 */
/*
 * Run f as an INPUT_F32 op of batch vectors whose input is map_len bytes
 * mapped at a fresh VA (data, when not NULL, written there), read from
 * in_skip bytes in. Returns the op's offset in the command buffer; the
 * outputs are in *out_va of r (guest_free() it after).
 */
static uint32_t run_f32_op(struct rig *r, const struct fixture *f,
			   uint32_t batch, const void *data, uint64_t map_len,
			   uint64_t in_skip, uint64_t *out_va)
{
	struct dcdev_entry e;
	uint64_t in_va;
	uint32_t at;

	rig_init(r, f->pes);
	in_va = rig_array(r, data, map_len, DCACCEL_PTE_READ);
	*out_va = rig_array(r, NULL, 2ull * batch * f->rows, DCACCEL_PTE_WRITE);
	at = add_fc(r, f, batch, in_va + in_skip, *out_va);
	r->cmd[at + FOFF(flags)] |= DCACCEL_FC_F_INPUT_F32;
	CHECK_EQ(rig_run(r, 0, &e, &res), DCDEV_COMPLETE);
	return at;
}

/*
 * FC_F_INPUT_F32: the device reads floats and converts them as
 * dp_quant.h says, page by page; the outputs are those of the int16 op on
 * the converted values. Specials (NaN, infinities, subnormals, ties,
 * saturation) are among the inputs, which span several pages.
 */
static void test_fc_job_float_inputs(void)
{
	static const uint32_t special[] = {
		0x7fc00000, 0xff800000, 0x7f800000, 0x00000001, 0x80000000,
		0x3b000000, 0xbb400000, 0x47000000, 0xc7800000, 0x3a800000,
	};
	const uint32_t rows = 40, cols = 700, batch = 3;
	const size_t n = (size_t)batch * cols;
	struct rng rng = { 99 };
	struct fixture f;
	struct eie_stats st = { 0 };
	float *x = calloc(n, sizeof(*x));
	int16_t *q = calloc(n, sizeof(*q));
	int16_t *want = calloc((size_t)batch * rows, 2);
	int16_t *got = calloc((size_t)batch * rows, 2);
	uint64_t out_va;
	uint32_t at;
	struct rig r;

	for (size_t i = 0; i < n; i++) {
		uint32_t u = special[i % 10];

		if (i % 3)
			x[i] = (float)rng_range(&rng, -40000, 40000) / 256.0f;
		else
			memcpy(&x[i], &u, sizeof(u));
		if (rng_chance(&rng, 0.3))
			x[i] = 0;
	}
	fixture_random_layer(&f, 5, rows, cols, 8, 4, 4, true);
	for (size_t i = 0; i < n; i++) {
		uint32_t u;

		memcpy(&u, &x[i], sizeof(u));
		q[i] = dp_quant_f32_bits(u, f.in_frac);
	}
	run_engine(&f.l, batch, q, want, &st);

	run_f32_op(&r, &f, batch, x, 4 * n, 0, &out_va);
	CHECK_EQ(res.status, DCACCEL_JOB_OK);
	guest_read_va(&r.g, 1, out_va, got, 2ull * batch * rows);
	CHECK(memcmp(got, want, 2ull * batch * rows) == 0);
	CHECK_EQ(res.stats.nonzero_acts, st.nonzero_acts);
	guest_free(&r.g);

	/* floats are 4-aligned: an input_va of 2 mod 4 is a bad command */
	at = run_f32_op(&r, &f, batch, NULL, 4 * n + 4, 2, &out_va);
	CHECK_EQ(res.status, DCACCEL_JOB_BAD_COMMAND);
	CHECK_EQ(res.detail, at + FOFF(input_va));
	guest_free(&r.g);

	/* twice the bytes of int16 inputs: mapped for those only, it faults */
	at = run_f32_op(&r, &f, batch, x, 2 * n, 0, &out_va);
	CHECK_EQ(res.status, DCACCEL_JOB_MMU_FAULT);
	CHECK_EQ(res.detail, at + FOFF(input_va));
	CHECK(res.fault_va >= 4096 && res.fault_va % 4096 == 0);
	guest_free(&r.g);

	fixture_free(&f);
	free(x);
	free(q);
	free(want);
	free(got);
}

static void test_decoded_layers_follow_the_guest(void)
{
	struct dcdev_fc_cache cache;
	struct rig r;
	struct fixture f;
	int16_t *in = fixture_random_input(77, 40);
	uint64_t in_va, out_va, cb_va, en_va;
	uint32_t at;
	uint8_t byte;

	rig_init(&r, 4);
	dcdev_fc_cache_init(&cache);
	r.env.cache = &cache;
	fixture_random_layer(&f, 31, 64, 40, 4, 4, 4, true);
	in_va = rig_array(&r, in, 2ull * 40, DCACCEL_PTE_READ);
	out_va = rig_array(&r, NULL, 2ull * 64, DCACCEL_PTE_WRITE);
	at = add_fc(&r, &f, 1, in_va, out_va);
	cb_va = dcdev_ld64(r.cmd + at + FOFF(codebook_va));
	en_va = dcdev_ld64(r.cmd + at + FOFF(entries_va));

	CHECK(cached_job_matches(&r, &f, in, out_va));
	CHECK_EQ(cache.misses, 1);
	CHECK(cached_job_matches(&r, &f, in, out_va));
	CHECK_EQ(cache.hits, 1);

	/* a new codebook: the kept streams, the new weights */
	f.codebook[1] = (int16_t)(f.codebook[1] + 1000);
	guest_write_va(&r.g, 1, cb_va, f.codebook, 2ull * f.codebook_len);
	CHECK(cached_job_matches(&r, &f, in, out_va));
	CHECK_EQ(cache.hits, 2);

	/* another index in the first entry: decoded again */
	f.s.entries[0] = (uint8_t)((f.s.entries[0] & 0x0f) |
				   ((f.s.entries[0] >> 4) % 15 + 1) << 4);
	guest_write_va(&r.g, 1, en_va, f.s.entries, 1);
	CHECK(cached_job_matches(&r, &f, in, out_va));
	CHECK_EQ(cache.misses, 2);
	CHECK_EQ(cache.hits, 2);

	/* codebook[0] must be 0, kept streams or not */
	f.codebook[0] = 5;
	guest_write_va(&r.g, 1, cb_va, f.codebook, 2);
	CHECK(!cached_job_matches(&r, &f, in, out_va));
	CHECK_EQ(res.status, DCACCEL_JOB_BAD_LAYER);
	CHECK_EQ(cache.hits, 3);
	f.codebook[0] = 0;
	guest_write_va(&r.g, 1, cb_va, f.codebook, 2);

	/* an entry past its PE's rows: the changed streams fail validation */
	byte = 0xff;	/* index 15 of 16, z = 15 twice: past 16 local rows */
	guest_write_va(&r.g, 1, en_va, &byte, 1);
	guest_write_va(&r.g, 1, en_va + 1, &byte, 1);
	CHECK(!cached_job_matches(&r, &f, in, out_va));
	CHECK_EQ(res.status, DCACCEL_JOB_BAD_LAYER);
	/* and once the guest puts them back, the layer runs again */
	guest_write_va(&r.g, 1, en_va, f.s.entries, 2);
	CHECK(cached_job_matches(&r, &f, in, out_va));

	CHECK(cache.bytes > 0);
	dcdev_fc_cache_clear(&cache);
	CHECK_EQ(cache.bytes, 0);
	fixture_free(&f);
	guest_free(&r.g);
	free(in);
}

static void test_two_ops_chained(void)
{
	struct rig r;
	struct fixture a, b;
	struct dcdev_entry e;
	int16_t *in = fixture_random_input(5, 60);
	int16_t mid[40], want[30], got[30];
	uint64_t in_va, mid_va, out_va;

	rig_init(&r, 4);
	fixture_random_layer(&a, 11, 40, 60, 4, 4, 4, true);
	fixture_random_layer(&b, 12, 30, 40, 4, 4, 4, false);
	in_va = rig_array(&r, in, 120, DCACCEL_PTE_READ);
	mid_va = rig_array(&r, NULL, 80, RW);
	out_va = rig_array(&r, NULL, 60, RW);
	add_fc(&r, &a, 1, in_va, mid_va);
	add_fc(&r, &b, 1, mid_va, out_va);
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_OK);
	CHECK_EQ(res.ops_done, 2);
	run_engine(&a.l, 1, in, mid, NULL);
	run_engine(&b.l, 1, mid, want, NULL);
	guest_read_va(&r.g, 1, out_va, got, sizeof(got));
	CHECK(memcmp(got, want, sizeof(want)) == 0);
	fixture_free(&a);
	fixture_free(&b);
	guest_free(&r.g);
	free(in);
}

/* Run one FC job whose output or input mapping is wrong. */
static void test_mmu_faults_stop_the_job(void)
{
	struct rig r;
	struct fixture f;
	struct dcdev_entry e;
	int16_t in[20] = { 1, 2, 3 }, out[16];
	uint64_t in_va, out_va;
	uint32_t at;

	rig_init(&r, 4);
	fixture_random_layer(&f, 3, 16, 20, 4, 4, 4, false);
	in_va = rig_array(&r, in, sizeof(in), DCACCEL_PTE_READ);
	out_va = rig_array(&r, NULL, sizeof(out), DCACCEL_PTE_READ);
	at = add_fc(&r, &f, 1, in_va, out_va);
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_MMU_FAULT);
	CHECK_EQ(DCACCEL_FAULT_REASON(res.fault), DCACCEL_FAULT_PERMISSION);
	CHECK(res.fault & DCACCEL_FAULT_WRITE);
	CHECK(res.fault_va == out_va);
	CHECK_EQ(res.detail, at + FOFF(output_va));
	CHECK_EQ(res.ops_done, 0);
	CHECK_EQ(dcdev_job_complete(&r.env, &e, &res), 0);
	CHECK_EQ(rec32(&r, COFF(status)), DCACCEL_JOB_MMU_FAULT);
	CHECK_EQ(rec64(&r, COFF(fault_va)), out_va);
	CHECK_EQ(rec64(&r, COFF(seqno)), 0xabcd0001);

	/* an input that runs into an unmapped page: the fault names it */
	r.cmd_len = 0;
	at = add_fc(&r, &f, 1, in_va + 4096 - 8, out_va);
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_MMU_FAULT);
	CHECK_EQ(DCACCEL_FAULT_REASON(res.fault), DCACCEL_FAULT_NOT_PRESENT);
	CHECK_EQ(res.fault & DCACCEL_FAULT_WRITE, 0);
	CHECK(res.fault_va == in_va + 4096);
	CHECK_EQ(res.detail, at + FOFF(input_va));
	fixture_free(&f);
	guest_free(&r.g);
}

static void test_other_context_is_out_of_reach(void)
{
	struct rig r;
	struct fixture f;
	struct dcdev_entry e;
	int16_t in[20] = { 5 };
	uint8_t page[64];
	uint64_t in_va, other = 0x40000000;

	rig_init(&r, 4);
	guest_ctx(&r.g, 2);
	guest_map(&r.g, 2, other, 4096, RW);
	fixture_random_layer(&f, 4, 16, 20, 4, 4, 4, false);
	in_va = rig_array(&r, in, sizeof(in), DCACCEL_PTE_READ);
	add_fc(&r, &f, 1, in_va, other);
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_MMU_FAULT);
	CHECK(res.fault_va == other);
	guest_read_va(&r.g, 2, other, page, sizeof(page));
	for (size_t i = 0; i < sizeof(page); i++)
		CHECK_EQ(page[i], 0);
	fixture_free(&f);
	guest_free(&r.g);
}

static void test_bad_layer_streams(void)
{
	struct rig r;
	struct fixture f;
	struct dcdev_entry e;
	int16_t in[20] = { 5 };
	uint64_t in_va, out_va;
	uint32_t at;

	rig_init(&r, 4);
	fixture_random_layer(&f, 5, 16, 20, 4, 4, 4, false);
	f.s.colptr[3] = 0xffffff;	/* a pointer beyond the entries */
	in_va = rig_array(&r, in, sizeof(in), DCACCEL_PTE_READ);
	out_va = rig_array(&r, NULL, 32, RW);
	at = add_fc(&r, &f, 1, in_va, out_va);
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_BAD_LAYER);
	CHECK_EQ(res.detail, at);
	CHECK(res.msg[0] != '\0');
	DIAG("validation said: %s", res.msg);
	fixture_free(&f);
	guest_free(&r.g);
}

static void test_bad_op_fails_before_any_work(void)
{
	struct rig r;
	struct fixture f;
	struct dcdev_entry e;
	int16_t in[20] = { 5, 6 }, out[16];
	uint64_t in_va, out_va;

	rig_init(&r, 4);
	fixture_random_layer(&f, 6, 16, 20, 4, 4, 4, false);
	in_va = rig_array(&r, in, sizeof(in), DCACCEL_PTE_READ);
	out_va = rig_array(&r, NULL, sizeof(out), RW);
	add_fc(&r, &f, 1, in_va, out_va);
	add_fc(&r, &f, 1, in_va, out_va);
	r.cmd[DCACCEL_OP_FC_SIZE + FOFF(reserved0)] = 1;
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_BAD_COMMAND);
	CHECK_EQ(res.detail, DCACCEL_OP_FC_SIZE + FOFF(reserved0));
	CHECK_EQ(res.ops_done, 0);
	guest_read_va(&r.g, 1, out_va, out, sizeof(out));
	for (int i = 0; i < 16; i++)
		CHECK_EQ(out[i], 0);
	fixture_free(&f);
	guest_free(&r.g);
}

static void test_work_and_op_limits(void)
{
	struct rig r;
	struct fixture f;
	struct dcdev_entry e;
	int16_t in[20] = { 5 };
	uint64_t in_va, out_va;

	rig_init(&r, 4);
	fixture_random_layer(&f, 7, 16, 20, 4, 4, 4, false);
	in_va = rig_array(&r, in, sizeof(in), DCACCEL_PTE_READ);
	out_va = rig_array(&r, NULL, 32, RW);
	for (int i = 0; i < 3; i++)
		add_fc(&r, &f, 1, in_va, out_va);
	r.caps.max_ops = 2;
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_TOO_LARGE);
	CHECK_EQ(res.detail, 2 * DCACCEL_OP_FC_SIZE);
	r.caps.max_ops = 64;
	r.caps.max_work_mi = 0;
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_TOO_LARGE);
	CHECK_EQ(res.detail, 0);
	r.caps.max_work_mi = 1;
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_OK);
	CHECK_EQ(res.ops_done, 3);
	fixture_free(&f);
	guest_free(&r.g);
}

static void test_entry_problems(void)
{
	struct rig r;
	struct dcdev_entry e;
	uint8_t *ent;
	unsigned int writes;

	rig_init(&r, 4);
	r.cmd_len = 8;	/* one NOP */
	memset(r.cmd, 0, 8);
	dcdev_st32(r.cmd + 4, 8);
	CHECK_EQ(rig_run(&r, DCACCEL_RING_F_IRQ, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_OK);
	CHECK_EQ(res.ops_done, 1);

	/* a context beyond CTX_COUNT: reported in the record */
	ent = r.g.ram + r.ring;
	dcdev_st32(ent + 4, 9);
	CHECK_EQ(dcdev_job_run(&r.env, r.ring, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_BAD_ENTRY);
	CHECK_EQ(res.detail, 4);
	CHECK(e.seqno == 0xabcd0001);

	/* a context whose entry is not valid: a CONTEXT fault */
	dcdev_st32(ent + 4, 3);
	CHECK_EQ(dcdev_job_run(&r.env, r.ring, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_MMU_FAULT);
	CHECK_EQ(DCACCEL_FAULT_REASON(res.fault), DCACCEL_FAULT_CONTEXT);

	/* an unmapped command buffer */
	dcdev_st32(ent + 4, 1);
	dcdev_st64(ent + 8, 0x7770000);
	CHECK_EQ(dcdev_job_run(&r.env, r.ring, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_MMU_FAULT);
	CHECK_EQ(res.detail, 8);
	CHECK(res.fault_va == 0x7770000);

	/* a completion address the device cannot use: no write at all */
	dcdev_st64(ent + 32, r.completion + 8);
	writes = r.g.writes;
	CHECK_EQ(dcdev_job_run(&r.env, r.ring, &e, &res), DCDEV_NO_RECORD);
	CHECK_EQ(res.status, DCACCEL_JOB_BAD_ENTRY);
	CHECK_EQ(r.g.writes, writes);

	/* the ring entry itself outside memory */
	CHECK_EQ(dcdev_job_run(&r.env, r.g.size - 32, &e, &res),
		 DCDEV_RING_UNREADABLE);
	/* a completion record outside memory fails cleanly */
	e.completion = r.g.size;
	CHECK_EQ(dcdev_job_complete(&r.env, &e, &res), -1);
	guest_free(&r.g);
}

static bool always(void *opaque)
{
	(void)opaque;
	return true;
}

static void test_debug_ops_and_cancel(void)
{
	struct rig r;
	struct dcdev_entry e;

	rig_init(&r, 4);
	guest_map(&r.g, 1, 0x9000, 4096, DCACCEL_PTE_READ);
	add_debug(&r, DCACCEL_DEBUG_FAULT, 0x9000);
	add_debug(&r, DCACCEL_DEBUG_FAULT, 0xa000);
	/* off by default: the op is refused */
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_BAD_COMMAND);
	r.caps.fault_injection = true;
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_MMU_FAULT);
	CHECK_EQ(res.ops_done, 1);	/* the mapped read went through */
	CHECK(res.fault_va == 0xa000);
	CHECK_EQ(res.detail, DCACCEL_OP_DEBUG_SIZE);

	r.cmd_len = 0;
	add_debug(&r, DCACCEL_DEBUG_HANG, 0);
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_HANG);

	/* a stuck engine latches the bus address of a writable va */
	guest_map(&r.g, 1, 0xb000, 4096, DCACCEL_PTE_READ | DCACCEL_PTE_WRITE);
	for (uint32_t action = DCACCEL_DEBUG_STUCK;
	     action <= DCACCEL_DEBUG_WEDGE; action++) {
		r.cmd_len = 0;
		add_debug(&r, action, 0xb018);
		CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_STUCK);
		CHECK_EQ(res.stuck_action, action);
		CHECK(res.stuck_addr ==
		      (*guest_pte(&r.g, 1, 0xb000) & DCACCEL_PTE_ADDR_MASK) +
		      0x18);
	}
	/* read-only, unaligned or past the last action: refused */
	r.cmd_len = 0;
	add_debug(&r, DCACCEL_DEBUG_STUCK, 0x9000);
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_MMU_FAULT);
	CHECK(res.fault_va == 0x9000);
	r.cmd_len = 0;
	add_debug(&r, DCACCEL_DEBUG_WEDGE, 0xb004);
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_BAD_COMMAND);
	CHECK_EQ(res.detail, (uint32_t)offsetof(struct dcaccel_op_debug, va));
	r.cmd_len = 0;
	add_debug(&r, DCACCEL_DEBUG_WEDGE + 1, 0xb000);
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_BAD_COMMAND);
	CHECK_EQ(res.detail, (uint32_t)offsetof(struct dcaccel_op_debug, action));

	/* a reset between ops abandons the job before it writes anything */
	r.cmd_len = 0;
	add_debug(&r, DCACCEL_DEBUG_HANG, 0);
	r.env.cancelled = always;
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_CANCELLED);
	guest_free(&r.g);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_fc_job_matches_engine),
	TAP_TEST(test_fc_job_wide_entries_64_pes),
	TAP_TEST(test_fc_job_long_zero_runs),
	TAP_TEST(test_fc_job_float_inputs),
	TAP_TEST(test_decoded_layers_follow_the_guest),
	TAP_TEST(test_two_ops_chained),
	TAP_TEST(test_mmu_faults_stop_the_job),
	TAP_TEST(test_other_context_is_out_of_reach),
	TAP_TEST(test_bad_layer_streams),
	TAP_TEST(test_bad_op_fails_before_any_work),
	TAP_TEST(test_work_and_op_limits),
	TAP_TEST(test_entry_problems),
	TAP_TEST(test_debug_ops_and_cancel),
};

TAP_MAIN(tests)
