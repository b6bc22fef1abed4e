// SPDX-License-Identifier: MIT
/*
 * The energy model (dp_energy.h, hardware.rst "Energy model"): the spec's
 * worked example, with a general and a one-magnitude codebook; the
 * codebook kinds; activations on chip between chained ops and quantized
 * outputs; a bit-plane layer, a convolution and a pooling counted by
 * hand; random convolutions' MACs against dp_conv_run()'s; the prices.
 */
#include <stdlib.h>

#include "tap.h"
#include "eie_fixture.h"
#include "dp_energy.h"
#include "dp_outq.h"
#include "dcaccel/dcaccel_hw.h"
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

/*
 * The bit-plane convolution by hand: one filter of 64 channels (Lc = 1),
 * 3 x 3 kernel padded by 1 over a 3 x 3 map, Kw = Ka = 1, no bias. The
 * (output pixel, tap) pairs inside the map: 4 corners of 4, 4 edges of 6
 * and the centre's 9, V = 49 word pairs.
 */
static void test_bitplane_conv_counts(void)
{
	uint64_t w = 0;
	int16_t b = 1;
	const struct dp_bitplane_conv c = {
		.l = { .rows = 1, .cols = 64, .pes = 2, .w_planes = 1,
		       .a_planes = 1, .wplanes = &w, .w_basis = &b,
		       .a_basis = &b },
		.win = { .in_h = 3, .in_w = 3, .kernel_h = 3, .kernel_w = 3,
			 .stride_h = 1, .stride_w = 1, .pad_h = 1, .pad_w = 1 },
	};
	const struct dp_energy_io io = { 0 };
	struct dp_energy e = { 0 };

	CHECK_EQ(dp_bitplane_conv_pairs(&c.win), 49);
	dp_energy_bitplane_conv(&c, 1, &io, &e);
	/* planes 9 x 8 = 72 bytes, w_basis 2, a_basis 2 */
	CHECK_EQ(e.dram_weights, 18 + 1 + 1);
	/* input planes 9 pixels x 8 bytes, outputs 9 x 2 bytes */
	CHECK_EQ(e.dram_acts, 18 + 5);
	/* 2 x 49 weight words, 2 x 9 broadcast words, 5 output words */
	CHECK_EQ(e.sram, 98 + 18 + 5);
	CHECK_EQ(e.popcount64, 49);
	CHECK_EQ(e.mul32, 9);
	CHECK_EQ(e.add32, 9);
}

/*
 * A 1 x 1 convolution of one channel, 2 x 2 map, one filter on 2 PEs,
 * weight 5 (codebook 0, 3, 5): the inputs 1 and 2 broadcast once each,
 * PE 0 reading its pointers and one entry word, PE 1 its pointers; the
 * multiply-accumulates are the ones dp_conv_run() counts.
 */
static void test_conv_counts(void)
{
	static const int16_t cb[3] = { 0, 3, 5 }, x[4] = { 1, 0, 2, 0 };
	static const uint32_t cp[4] = { 0, 1, 1, 1 };
	static const uint8_t ent[1] = { DCACCEL_EIE_ENTRY(2, 0, 2) };
	const struct dp_conv c = {
		.filters = {
			.rows = 1, .cols = 1, .pes = 2, .wbits = 2, .zbits = 2,
			.codebook_len = 3, .codebook = cb, .colptr = cp,
			.entries = ent, .entry_count = 1,
		},
		.in_channels = 1,
		.win = { .in_h = 2, .in_w = 2, .kernel_h = 1, .kernel_w = 1,
			 .stride_h = 1, .stride_w = 1 },
	};
	const struct dp_energy_io io = { 0 };
	struct dp_energy e = { 0 };
	struct eie_stats st = { 0 };
	int16_t y[4];
	void *ws;

	CHECK_EQ(dp_conv_validate(&c, NULL), 0);
	ws = aligned_alloc(8, (dp_conv_run_ws_size(&c) + 7) / 8 * 8);
	CHECK_EQ(dp_conv_run(&c, 1, x, y, ws, &st, NULL), 0);
	free(ws);
	CHECK_EQ(y[0], 5);
	CHECK_EQ(y[2], 10);
	dp_energy_conv(&c, 1, x, &io, &e);
	CHECK_EQ(e.dram_weights, 2 + 4 + 1);
	CHECK_EQ(e.dram_acts, 2 + 2);
	CHECK_EQ(e.sram, 2 * (3 + 2) + 2 + 2);
	CHECK_EQ(e.mac16, st.macs);
	CHECK_EQ(e.mac16, 2);
}

/*
 * Random convolutions: the multiply-accumulates the energy model walks,
 * tap by tap over the non-zero inputs, are those dp_conv_run() counts.
 */
static void test_random_conv_macs(void)
{
	struct rng r = { 17 };
	long bad = 0;

	for (int round = 0; round < 60; round++) {
		const uint32_t ch = rng_range(&r, 1, 4), h = rng_range(&r, 1, 7),
			       w = rng_range(&r, 1, 7);
		const uint8_t kh = rng_range(&r, 1, 3), kw = rng_range(&r, 1, 3);
		struct fixture f = {
			.rows = rng_range(&r, 1, 9), .cols = ch * kh * kw,
			.pes = rng_range(&r, 1, 8),
			.wbits = rng_range(&r, 2, 6), .zbits = rng_range(&r, 2, 5),
			.in_frac = 8, .w_frac = 8, .out_frac = 8,
		};
		struct dp_conv c;
		struct dp_energy e = { 0 };
		struct eie_stats st = { 0 };
		const struct dp_energy_io io = { 0 };
		int16_t *x, *y;
		void *ws;

		fixture_alloc(&f, false);
		fixture_randomize(&f, &r, 0.4);
		if (fixture_encode(&f))
			abort();
		c = (struct dp_conv){ .filters = f.l, .in_channels = ch,
			.win = { .in_h = h, .in_w = w, .kernel_h = kh,
				 .kernel_w = kw,
				 .stride_h = rng_range(&r, 1, 2),
				 .stride_w = rng_range(&r, 1, 2),
				 .pad_h = rng_range(&r, 0, kh - 1),
				 .pad_w = rng_range(&r, 0, kw - 1) } };
		if (h + 2 * c.win.pad_h < kh)
			c.win.pad_h = kh - 1;
		if (w + 2 * c.win.pad_w < kw)
			c.win.pad_w = kw - 1;
		CHECK_EQ(dp_conv_validate(&c, NULL), 0);
		x = calloc((size_t)ch * h * w, sizeof(*x));
		y = calloc((size_t)f.rows * dp_window_out_h(&c.win) *
			   dp_window_out_w(&c.win), sizeof(*y));
		ws = malloc(dp_conv_run_ws_size(&c));
		for (uint32_t i = 0; i < ch * h * w; i++)
			x[i] = rng_chance(&r, 0.5) ? (int16_t)rng_range(&r, -99, 99) : 0;
		CHECK_EQ(dp_conv_run(&c, 1, x, y, ws, &st, NULL), 0);
		dp_energy_conv(&c, 1, x, &io, &e);
		bad += e.mac16 + e.addsub + e.shift_add != st.macs;
		free(x);
		free(y);
		free(ws);
		fixture_free(&f);
	}
	CHECK_EQ(bad, 0);
}

/* Max pooling of a 4 x 4 channel by 2 x 2, stride 2: 4 outputs. */
static void test_pool_counts(void)
{
	const struct dp_pool p = {
		.channels = 1, .mode = DCACCEL_POOL_MAX,
		.win = { .in_h = 4, .in_w = 4, .kernel_h = 2, .kernel_w = 2,
			 .stride_h = 2, .stride_w = 2 },
	};
	const struct dp_energy_io io = { .out_on_chip = true };
	struct dp_energy e = { 0 };

	dp_energy_pool(&p, 1, &io, &e);
	CHECK_EQ(e.dram_acts, 8);
	CHECK_EQ(e.sram, 4 * 2 + 2);
	CHECK_EQ(e.add32, 16);
	CHECK_EQ(e.dram_weights, 0);
}

/*
 * A QUANT op alone (the spec reviewer's example): 3 channels x 2 pixels,
 * Ko 2: thresholds 6 bytes and codes 4 (2 + 1 words), input 12 bytes (3),
 * output 2 planes x 2 pixels x 1 word (32 bytes, 8), SRAM 3 read and 8
 * written; no arithmetic.
 */
static void test_quant_counts(void)
{
	const struct dp_energy_io io = { 0 };
	struct dp_energy e = { 0 };
	struct dp_energy_fj fj;

	dp_energy_quant(3, 2, 2, 1, &io, &e);
	CHECK_EQ(e.dram_weights, 3);
	CHECK_EQ(e.dram_acts, 11);
	CHECK_EQ(e.sram, 11);
	dp_energy_price(&e, &fj);
	CHECK_EQ(fj.dram_weights, 1920000);
	CHECK_EQ(fj.dram_acts, 7040000);
	CHECK_EQ(fj.sram, 55000);
	CHECK_EQ(fj.arith + fj.bitops, 0);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_quant_counts),
	TAP_TEST(test_spec_example),
	TAP_TEST(test_bitplane_conv_counts),
	TAP_TEST(test_spec_example_one_magnitude),
	TAP_TEST(test_codebook_kinds),
	TAP_TEST(test_on_chip_and_quantized),
	TAP_TEST(test_bitplane_counts),
	TAP_TEST(test_conv_counts),
	TAP_TEST(test_random_conv_macs),
	TAP_TEST(test_pool_counts),
};

TAP_MAIN(tests)
