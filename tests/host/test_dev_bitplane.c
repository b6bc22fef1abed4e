// SPDX-License-Identifier: MIT
/*
 * The BITPLANE op through the device core (hardware.rst, "BITPLANE op"):
 * random layers run as jobs give dp_bitplane_run()'s outputs and the
 * record its statistics and cycle model; every field out of range fails
 * the job with its status and the field's offset; every array faults
 * with its field; a reset stops the op between vectors.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dev_rig.h"
#include "rng.h"
#include "tap.h"
#include "dp_bitplane.h"
#include "dp_energy.h"
#include "dp_outq.h"
#include "eie_fixture.h"
#include "dcaccel/dcaccel_bitplane.h"
#include "../../qemu-device/core/dev_le.h"

#define BOFF(field)	offsetof(struct dcaccel_op_bitplane, field)
#define ROFF(field)	offsetof(struct dcaccel_completion, field)
#define RWX		(DCACCEL_PTE_READ | DCACCEL_PTE_WRITE)

static struct dcdev_result res;	/* 2 KiB of per-PE counters */

/* A layer, its arrays and inputs, made up at random. */
struct bp_case {
	struct dp_bitplane l;
	uint32_t batch;
	uint64_t *wp, *in;
	int16_t *wb, ab[DCACCEL_BITPLANE_PLANES_MAX];
	int32_t *bias;
};

static void case_make(struct bp_case *c, struct rng *r, uint32_t pes)
{
	uint32_t words;

	memset(c, 0, sizeof(*c));
	c->l = (struct dp_bitplane){
		.rows = rng_range(r, 1, 150), .cols = rng_range(r, 1, 300),
		.pes = pes, .w_planes = rng_range(r, 1, 3),
		.a_planes = rng_range(r, 1, 3), .w_kind = rng_range(r, 0, 1),
		.a_kind = rng_range(r, 0, 1), .bw_frac = rng_range(r, 0, 6),
		.ba_frac = rng_range(r, 0, 6), .relu = rng_chance(r, 0.5),
	};
	c->l.out_frac = rng_range(r, 0, c->l.bw_frac + c->l.ba_frac);
	c->batch = rng_range(r, 1, 4);
	words = DCACCEL_PLANE_WORDS(c->l.cols);
	c->wp = malloc(8 * (size_t)c->l.w_planes * c->l.rows * words);
	c->in = malloc(8 * (size_t)c->batch * c->l.a_planes * words);
	c->wb = malloc(2 * (size_t)c->l.rows * c->l.w_planes);
	c->bias = rng_chance(r, 0.5) ? malloc(4 * (size_t)c->l.rows) : NULL;
	for (size_t i = 0; i < (size_t)c->l.w_planes * c->l.rows * words; i++)
		c->wp[i] = rng_next(r);
	for (size_t i = 0; i < (size_t)c->batch * c->l.a_planes * words; i++)
		c->in[i] = rng_next(r);
	for (size_t i = 0; i < (size_t)c->l.rows * c->l.w_planes; i++)
		c->wb[i] = (int16_t)rng_range(r, -2000, 2000);
	for (int i = 0; i < c->l.a_planes; i++)
		c->ab[i] = (int16_t)rng_range(r, -2000, 2000);
	for (uint32_t i = 0; c->bias && i < c->l.rows; i++)
		c->bias[i] = (int32_t)rng_range(r, -100000, 100000);
	c->l.wplanes = c->wp;
	c->l.w_basis = c->wb;
	c->l.a_basis = c->ab;
	c->l.bias = c->bias;
}

static void case_free(struct bp_case *c)
{
	free(c->wp);
	free(c->in);
	free(c->wb);
	free(c->bias);
}

/* Append the BITPLANE op of c; its output at *out_va. Returns its offset. */
static uint32_t add_bitplane(struct rig *r, const struct bp_case *c,
			     uint64_t *out_va)
{
	const struct dp_bitplane *l = &c->l;
	const size_t words = DCACCEL_PLANE_WORDS(l->cols);
	uint8_t *op = r->cmd + r->cmd_len;
	uint32_t at = r->cmd_len;

	*out_va = rig_array(r, NULL, 2 * (size_t)c->batch * l->rows,
			    DCACCEL_PTE_READ | DCACCEL_PTE_WRITE);
	memset(op, 0, DCACCEL_OP_BITPLANE_SIZE);
	dcdev_st32(op + BOFF(hdr.opcode), DCACCEL_OP_BITPLANE);
	dcdev_st32(op + BOFF(hdr.size), DCACCEL_OP_BITPLANE_SIZE);
	dcdev_st32(op + BOFF(rows), l->rows);
	dcdev_st32(op + BOFF(cols), l->cols);
	dcdev_st32(op + BOFF(pes), l->pes);
	dcdev_st32(op + BOFF(batch), c->batch);
	rig_put_plane_fields(r, op + BOFF(w_planes), l,
			     (size_t)l->w_planes * l->rows * words, c->in,
			     (size_t)c->batch * l->a_planes * words, *out_va);
	r->cmd_len += DCACCEL_OP_BITPLANE_SIZE;
	return at;
}

/* Random layers as jobs: the datapath's outputs, statistics and cycles. */
static void test_random_layers_as_jobs(void)
{
	struct rng rng = { 23 };
	long bad = 0;

	for (int round = 0; round < 30; round++) {
		const uint32_t pes = round % 2 ? 64 : 8;
		struct bp_case c;
		struct rig r;
		struct eie_stats st = { 0 };
		struct eie_cycles cy = { 0 };
		uint64_t busy[64] = { 0 }, out_va;
		int16_t *want, *got;
		size_t out_n;

		rig_init(&r, pes);
		case_make(&c, &rng, pes);
		out_n = (size_t)c.batch * c.l.rows;
		want = calloc(out_n, 2);
		got = calloc(out_n, 2);
		CHECK_EQ(dp_bitplane_run(&c.l, c.batch, c.in, want, &st, NULL), 0);
		dp_bitplane_model_cycles(&c.l, c.batch, &cy, busy);
		add_bitplane(&r, &c, &out_va);
		CHECK_EQ(rig_run_to_record(&r, &res), DCACCEL_JOB_OK);
		guest_read_va(&r.g, 1, out_va, got, 2 * out_n);
		for (size_t i = 0; i < out_n; i++)
			bad += (int16_t)dcdev_ld16((uint8_t *)&got[i]) != want[i];
		CHECK_EQ(rig_record_mismatches(&r, &st, &cy, busy, pes), 0);
		free(want);
		free(got);
		case_free(&c);
		guest_free(&r.g);
	}
	CHECK_EQ(bad, 0);
}

/*
 * A low-bit network layer after layer in one job: FC, QUANT (the sign of
 * its outputs, one plane), BITPLANE reading those planes as SIGNED. The
 * outputs are the host datapath's chain, and the energy block the sum of
 * the three ops' counts with the activations between them on chip.
 */
static void test_fc_quant_bitplane_chain(void)
{
	struct rng rng = { 77 };

	for (int round = 0; round < 10; round++) {
		const int16_t thr[1] = { 0 };
		const uint8_t codes[2] = { 0, 1 };
		const struct dp_outq q = { .bits = 1, .thr = thr, .codes = codes };
		const struct dp_energy_io first = { .out_on_chip = true };
		const struct dp_energy_io middle = { .in_on_chip = true,
						     .out_on_chip = true };
		const struct dp_energy_io last = { .in_on_chip = true };
		struct dp_energy e = { 0 };
		struct dp_energy_fj fj;
		struct bp_case c;
		struct fixture f;
		struct rig r;
		uint8_t thr_le[2] = { 0, 0 };
		int16_t *in, *mid, *want, *got;
		uint64_t *planes, in_va, mid_va, planes_va, out_va, thr_va, codes_va;
		size_t lw, bad = 0;

		case_make(&c, &rng, 8);
		c.l.a_planes = 1;
		c.l.a_kind = DCACCEL_PLANE_SIGNED;
		c.batch = 1;
		lw = DCACCEL_PLANE_WORDS(c.l.cols);
		fixture_random_layer(&f, 100 + round, c.l.cols, rng_range(&rng, 10, 90),
				     8, 4, 4, true);
		in = fixture_random_input(round, f.cols);
		mid = calloc(c.l.cols, 2);
		planes = calloc(lw, 8);
		want = calloc(c.l.rows, 2);
		got = calloc(c.l.rows, 2);
		run_engine(&f.l, 1, in, mid, NULL);
		dp_outq_pack_fc(&q, c.l.cols, 1, mid, planes);
		CHECK_EQ(dp_bitplane_run(&c.l, 1, planes, want, NULL, NULL), 0);
		dp_energy_fc(&f.l, 1, in, &first, &e);
		dp_energy_quant(c.l.cols, 1, 1, 1, &middle, &e);
		dp_energy_bitplane(&c.l, 1, &last, &e);
		dp_energy_price(&e, &fj);

		rig_init(&r, 8);
		in_va = rig_put_le(&r, in, f.cols, 2);
		mid_va = rig_array(&r, NULL, 2 * (size_t)c.l.cols, RWX);
		planes_va = rig_array(&r, NULL, 8 * lw, RWX);
		thr_va = rig_array(&r, thr_le, 2, DCACCEL_PTE_READ);
		codes_va = rig_array(&r, codes, 2, DCACCEL_PTE_READ);
		add_fc(&r, &f, 1, in_va, mid_va);
		add_quant_op(&r, c.l.cols, 1, 1, 1, thr_va, codes_va, mid_va,
			     planes_va);
		add_bitplane(&r, &c, &out_va);
		/* the BITPLANE op reads the QUANT op's planes */
		dcdev_st64(r.cmd + r.cmd_len - DCACCEL_OP_BITPLANE_SIZE +
			   BOFF(input_va), planes_va);
		CHECK_EQ(rig_run_to_record_flags(&r, DCACCEL_RING_F_ENERGY, &res),
			 DCACCEL_JOB_OK);
		CHECK_EQ(rec32(&r, ROFF(ops_done)), 3);
		guest_read_va(&r.g, 1, out_va, got, 2 * (size_t)c.l.rows);
		for (uint32_t i = 0; i < c.l.rows; i++)
			bad += (int16_t)dcdev_ld16((uint8_t *)&got[i]) != want[i];
		CHECK_EQ(bad, 0);
		CHECK_EQ(rec64(&r, DCACCEL_COMPLETION_BYTES(8) +
			       offsetof(struct dcaccel_energy_record, sram_words)), e.sram);
		CHECK_EQ(rec64(&r, DCACCEL_COMPLETION_BYTES(8) +
			       offsetof(struct dcaccel_energy_record, dram_acts_fj)),
			 fj.dram_acts);
		CHECK_EQ(rec64(&r, DCACCEL_COMPLETION_BYTES(8) +
			       offsetof(struct dcaccel_energy_record, bitops_fj)),
			 fj.bitops);
		/* only the network's input and its output leave the chip */
		CHECK_EQ(e.dram_acts, (f.cols + 1) / 2 + (c.l.rows + 1) / 2);
		free(in);
		free(mid);
		free(planes);
		free(want);
		free(got);
		fixture_free(&f);
		case_free(&c);
		guest_free(&r.g);
	}
}

/* Each field out of its range: the status its row names, at its offset. */
static void test_bad_fields(void)
{
	static const struct {
		size_t field;
		unsigned int width;	/* bytes written */
		uint64_t value;
		uint32_t status;
	} cases[] = {
		{ BOFF(rows), 4, 0, DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(rows), 4, (1u << 16) + 1, DCACCEL_JOB_TOO_LARGE },
		{ BOFF(cols), 4, 0, DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(cols), 4, (1u << 16) + 1, DCACCEL_JOB_TOO_LARGE },
		{ BOFF(pes), 4, 7, DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(batch), 4, 0, DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(batch), 4, 1u << 20, DCACCEL_JOB_TOO_LARGE },
		{ BOFF(w_planes), 1, 0, DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(w_planes), 1, 9, DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(a_planes), 1, 9, DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(w_kind), 1, 2, DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(a_kind), 1, 2, DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(bw_frac), 1, 16, DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(ba_frac), 1, 16, DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(out_frac), 1, 16, DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(flags), 1, 4, DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(wplanes_va), 8, 0x10004, DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(w_basis_va), 8, 0x10001, DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(a_basis_va), 8, 0x10001, DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(bias_va), 8, 0x10000, DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(input_va), 8, 0x10002, DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(output_va), 8, 0x10001, DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(reserved0), 8, 1, DCACCEL_JOB_BAD_COMMAND },
	};
	struct rng rng = { 3 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bp_case c;
		struct rig r;
		uint64_t out_va;
		uint8_t *op;
		uint32_t at;

		rig_init(&r, 8);
		case_make(&c, &rng, 8);
		free(c.bias);	/* no bias: a bias_va must be 0 */
		c.bias = NULL;
		c.l.bias = NULL;
		c.l.bw_frac = c.l.ba_frac = 4;
		c.l.out_frac = 8;
		at = add_bitplane(&r, &c, &out_va);
		op = r.cmd + at;
		for (unsigned int b = 0; b < cases[i].width; b++)
			op[cases[i].field + b] = (uint8_t)(cases[i].value >> (8 * b));
		CHECK_EQ(rig_run_to_record(&r, &res), cases[i].status);
		CHECK_EQ(res.detail, at + cases[i].field);
		case_free(&c);
		guest_free(&r.g);
	}
}

/* out_frac above bw_frac + ba_frac, though within 15. */
static void test_out_frac_over_the_bases(void)
{
	struct rng rng = { 4 };
	struct bp_case c;
	struct rig r;
	uint64_t out_va;
	uint32_t at;

	rig_init(&r, 8);
	case_make(&c, &rng, 8);
	c.l.bw_frac = 2;
	c.l.ba_frac = 3;
	c.l.out_frac = 6;
	at = add_bitplane(&r, &c, &out_va);
	CHECK_EQ(rig_run_to_record(&r, &res), DCACCEL_JOB_BAD_COMMAND);
	CHECK_EQ(res.detail, at + BOFF(out_frac));
	case_free(&c);
	guest_free(&r.g);
}

/* Every array faults with its own field; the output page may not be read-only. */
static void test_faults(void)
{
	static const size_t reads[] = {
		BOFF(wplanes_va), BOFF(w_basis_va), BOFF(a_basis_va),
		BOFF(bias_va), BOFF(input_va),
	};
	struct rng rng = { 5 };

	for (size_t i = 0; i <= sizeof(reads) / sizeof(reads[0]); i++) {
		struct bp_case c;
		struct rig r;
		uint64_t out_va, ro;
		uint32_t at;

		rig_init(&r, 8);
		memset(&c, 0, sizeof(c));
		do {
			case_free(&c);
			case_make(&c, &rng, 8);
		} while (!c.bias);
		at = add_bitplane(&r, &c, &out_va);
		if (i < sizeof(reads) / sizeof(reads[0])) {
			dcdev_st64(r.cmd + at + reads[i], 0x7700000);
			CHECK_EQ(rig_run_to_record(&r, &res), DCACCEL_JOB_MMU_FAULT);
			CHECK_EQ(res.detail, at + reads[i]);
			CHECK(res.fault_va == 0x7700000);
		} else {
			ro = rig_array(&r, NULL, 2 * (size_t)c.batch * c.l.rows,
				       DCACCEL_PTE_READ);
			dcdev_st64(r.cmd + at + BOFF(output_va), ro);
			CHECK_EQ(rig_run_to_record(&r, &res), DCACCEL_JOB_MMU_FAULT);
			CHECK_EQ(res.detail, at + BOFF(output_va));
			CHECK(res.fault & DCACCEL_FAULT_WRITE);
		}
		case_free(&c);
		guest_free(&r.g);
	}
}

static const struct tap_test tests[] = {
	TAP_TEST(test_random_layers_as_jobs),
	TAP_TEST(test_fc_quant_bitplane_chain),
	TAP_TEST(test_bad_fields),
	TAP_TEST(test_out_frac_over_the_bases),
	TAP_TEST(test_faults),
};

TAP_MAIN(tests)
