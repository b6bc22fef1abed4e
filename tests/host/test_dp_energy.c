// SPDX-License-Identifier: MIT
/*
 * The energy model (dp_energy.h, hardware.rst "Energy model"): the spec's
 * worked example, with a general and a one-magnitude codebook; the
 * codebook kinds; activations on chip between chained ops and quantized
 * outputs; a bit-plane layer counted by hand; the prices.
 */
#include <stdlib.h>

#include "tap.h"
#include "dp_energy.h"
#include "dp_outq.h"
#include "eie_arith.h"
#include "dcaccel/dcaccel_energy.h"

/* hardware.rst's example: P = 2, 5 x 3, codebook (0, 3, -5). */
static const uint32_t colptr[8] = { 0, 2, 3, 4, 4, 5, 5, 6 };
static const uint8_t entries[6] = { 0x01, 0x04, 0x02, 0x05, 0x02, 0x03 };

static struct eie_layer example(const int16_t *codebook)
{
	return (struct eie_layer){
		.rows = 5, .cols = 3, .pes = 2, .wbits = 2, .zbits = 1,
		.codebook_len = 3, .codebook = codebook, .colptr = colptr,
		.entries = entries, .entry_count = 6,
	};
}

static void test_spec_example(void)
{
	const int16_t cb[3] = { 0, 3, -5 }, x[3] = { 2, 1, 0 };
	const struct eie_layer l = example(cb);
	const struct dp_energy_io io = { 0 };
	struct dp_energy e = { 0 };
	struct dp_energy_fj fj;
	struct eie_stats st = { 0 };
	int16_t y[5];
	void *ws;


	CHECK_EQ(eie_validate(&l, NULL), 0);
	ws = aligned_alloc(8, (eie_run_ws_size(&l) + 7) / 8 * 8);
	eie_run(&l, 1, x, y, ws, &st);
	free(ws);
	CHECK_EQ(y[0], 3);
	CHECK_EQ(y[1], 6);
	CHECK_EQ(y[4], -10);
	CHECK_EQ(st.macs, 3);
	dp_energy_fc(&l, 1, x, &io, &e);
	CHECK_EQ(e.dram_weights, 12);
	CHECK_EQ(e.dram_acts, 5);
	CHECK_EQ(e.sram, 16);
	CHECK_EQ(e.mac16, 3);
	dp_energy_price(&e, &fj);
	CHECK_EQ(fj.dram_weights, 7680000);
	CHECK_EQ(fj.dram_acts, 3200000);
	CHECK_EQ(fj.sram, 80000);
	CHECK_EQ(fj.arith, 2625);
	CHECK_EQ(fj.bitops, 0);
}

static void test_spec_example_one_magnitude(void)
{
	const int16_t cb[3] = { 0, 3, -3 }, x[3] = { 2, 1, 0 };
	const struct eie_layer l = example(cb);
	const struct dp_energy_io io = { 0 };
	struct dp_energy e = { 0 };
	struct dp_energy_fj fj;

	dp_energy_fc(&l, 1, x, &io, &e);
	CHECK_EQ(e.addsub, 3);
	CHECK_EQ(e.mul32, 5);
	CHECK_EQ(e.mac16, 0);
	dp_energy_price(&e, &fj);
	CHECK_EQ(fj.arith, 15800);
}

static void test_codebook_kinds(void)
{
	const int16_t none[3] = { 0, 0, 0 }, tern[3] = { 0, 7, -7 },
		      pow2[5] = { 0, 1, -2, 16, -32768 },
		      one_pow2[3] = { 0, 4, -4 }, general[4] = { 0, 4, 3, -8 };

	CHECK_EQ(dp_codebook_kind(none, 3), DP_WEIGHTS_NONE);
	CHECK_EQ(dp_codebook_kind(none, 1), DP_WEIGHTS_NONE);
	CHECK_EQ(dp_codebook_kind(tern, 3), DP_WEIGHTS_ONE_MAGNITUDE);
	CHECK_EQ(dp_codebook_kind(one_pow2, 3), DP_WEIGHTS_ONE_MAGNITUDE);
	CHECK_EQ(dp_codebook_kind(pow2, 5), DP_WEIGHTS_POW2);
	CHECK_EQ(dp_codebook_kind(general, 4), DP_WEIGHTS_GENERAL);
}

/*
 * The same op with its input on chip (an earlier op's output), its output
 * read by a later op, and then quantized to 2 planes off chip: DRAM
 * keeps only the weights, or adds the planes and the quantizer.
 */
static void test_on_chip_and_quantized(void)
{
	const int16_t cb[3] = { 0, 3, -5 }, x[6] = { 2, 1, 0, 0, 0, 1 };
	const struct eie_layer l = example(cb);
	struct dp_energy_io io = { .in_on_chip = true, .out_on_chip = true };
	struct dp_energy e = { 0 };

	dp_energy_fc(&l, 2, x, &io, &e);
	CHECK_EQ(e.dram_weights, 12);
	CHECK_EQ(e.dram_acts, 0);
	/* vector 0: 16 as above; vector 1: x2 only, PE 0 1 entry, PE 1 1 */
	CHECK_EQ(e.sram, 16 + (2 + 1 + 2 + 1) + 2 + 3);

	io = (struct dp_energy_io){ .out_planes = 2 };
	e = (struct dp_energy){ 0 };
	dp_energy_fc(&l, 2, x, &io, &e);
	/* thresholds 3 x 2 bytes, codes 4 bytes: 2 + 1 words */
	CHECK_EQ(e.dram_weights, 12 + 3);
	/* inputs 2 x 3 x 2 bytes, outputs 2 x 2 planes x 8 bytes */
	CHECK_EQ(e.dram_acts, 3 + 8);
	/* the outputs on chip: 2 planes of a 64-bit word, 4 words a vector */
	CHECK_EQ(e.sram, 16 - 3 + 4 + (2 + 1 + 2 + 1) + 2 + 4);
}

/* 3 rows, n = 100 (L = 2), Kw = 2, Ka = 3, bias, batch 2. */
static void test_bitplane_counts(void)
{
	uint64_t w = 0;
	int16_t b = 1;
	int32_t bias[3] = { 0 };
	const struct dp_bitplane l = {
		.rows = 3, .cols = 100, .pes = 2, .w_planes = 2, .a_planes = 3,
		.wplanes = &w, .w_basis = &b, .a_basis = &b, .bias = bias,
	};
	const struct dp_energy_io io = { 0 };
	struct dp_energy e = { 0 };
	struct dp_energy_fj fj;

	dp_energy_bitplane(&l, 2, &io, &e);
	/* planes 2x3x2x8 = 96 bytes, w_basis 12, a_basis 6, bias 12 */
	CHECK_EQ(e.dram_weights, 24 + 3 + 2 + 3);
	/* inputs 2 x 3 x 2 x 8 = 96 bytes, outputs 2 x 3 x 2 = 12 */
	CHECK_EQ(e.dram_acts, 24 + 3);
	/* per vector: 2 x 36 word pairs + 2 x 6 broadcast + 2 outputs */
	CHECK_EQ(e.sram, 2 * (72 + 12 + 2));
	CHECK_EQ(e.popcount64, 2 * 36);
	CHECK_EQ(e.mul32, 2 * 3 * 6);
	CHECK_EQ(e.add32, 2 * 3 * 6);
	dp_energy_price(&e, &fj);
	CHECK_EQ(fj.bitops, 72 * DCACCEL_ENERGY_POPCOUNT64_FJ);
	CHECK_EQ(fj.arith, 36 * (3100 + 100));
}

static const struct tap_test tests[] = {
	TAP_TEST(test_spec_example),
	TAP_TEST(test_spec_example_one_magnitude),
	TAP_TEST(test_codebook_kinds),
	TAP_TEST(test_on_chip_and_quantized),
	TAP_TEST(test_bitplane_counts),
};

TAP_MAIN(tests)
