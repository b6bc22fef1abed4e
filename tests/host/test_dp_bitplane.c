// SPDX-License-Identifier: MIT
/*
 * The bit-plane layer (dp_bitplane.h, hardware.rst "Bit-plane layers"):
 * the spec's worked example; random layers of every kind pair against a
 * plain sum over the planes' values (each bit read as +1/-1 or 1/0,
 * nothing popcounted), with garbage in the padding bits; QNN's two's
 * complement weights; the cycle model; and every invalid field refused
 * with a message naming it.
 */
#include <errno.h>
#include <stdlib.h>

#include "tap.h"
#include "rng.h"
#include "dp_bitplane.h"
#include "popcnt_paths.h"
#include "eie_arith.h"
#include "dcaccel/dcaccel_bitplane.h"

static int bit_of(const uint64_t *plane, uint32_t j)
{
	return (int)(plane[j / 64] >> (j % 64) & 1);
}

static int value_of(int bit, uint8_t kind)
{
	return kind == DCACCEL_PLANE_SIGNED ? 2 * bit - 1 : bit;
}

/* y by the definition: sum over planes and inputs of basis x basis x values. */
static int16_t plain_row(const struct dp_bitplane *l, const uint64_t *x,
			 uint32_t i)
{
	const uint32_t words = DCACCEL_PLANE_WORDS(l->cols);
	int64_t acc = l->bias ? l->bias[i] : 0;

	for (uint32_t u = 0; u < l->w_planes; u++)
		for (uint32_t v = 0; v < l->a_planes; v++)
			for (uint32_t j = 0; j < l->cols; j++) {
				const uint64_t *w = l->wplanes +
					((size_t)u * l->rows + i) * words;

				acc += (int64_t)l->w_basis[i * l->w_planes + u] *
				       l->a_basis[v] *
				       value_of(bit_of(w, j), l->w_kind) *
				       value_of(bit_of(x + v * words, j), l->a_kind);
			}
	return eie_finish(acc, l->relu,
			  l->bw_frac + l->ba_frac - l->out_frac);
}

/* hardware.rst's worked example: n = 3, both SIGNED, padding bits 1. */
static void test_spec_example(void)
{
	const uint64_t pad = ~(uint64_t)7;
	uint64_t w = pad | 0x5, x = pad | 0x3;
	int16_t bw = 3, ba = 2, y = 0;
	struct dp_bitplane l = {
		.rows = 1, .cols = 3, .pes = 1, .w_planes = 1, .a_planes = 1,
		.w_kind = DCACCEL_PLANE_SIGNED, .a_kind = DCACCEL_PLANE_SIGNED,
		.wplanes = &w, .w_basis = &bw, .a_basis = &ba,
	};
	struct eie_stats st = { 0 };

	CHECK_EQ(dp_bitplane_validate(&l, NULL), 0);
	CHECK_EQ(dp_bitplane_run(&l, 1, &x, &y, &st, NULL), 0);
	CHECK_EQ(y, -6);
	l.relu = true;
	CHECK_EQ(dp_bitplane_run(&l, 1, &x, &y, NULL, NULL), 0);
	CHECK_EQ(y, 0);
	CHECK_EQ(st.nonzero_acts, 3);
	CHECK_EQ(st.entries, 1);
	CHECK_EQ(st.macs, 3);
}

/*
 * 70 inputs (L = 2), all weights +1, inputs 0..63 +1 and 64..69 -1, every
 * padding bit set: dot = 2 x 64 - 70 = 58 (174 unmasked); bw = 3 at one
 * fraction bit, bias -1: (174 - 1 + 1) / 2 = 87. Worked out from the
 * spec alone by a reviewer who had not seen the code.
 */
static void test_reviewer_case_signed_70(void)
{
	uint64_t w[2] = { UINT64_MAX, UINT64_MAX };
	uint64_t x[2] = { UINT64_MAX, 0xffffffffffffffc0ull };
	int16_t bw = 3, ba = 1, y;
	int32_t bias = -1;
	struct dp_bitplane l = {
		.rows = 1, .cols = 70, .pes = 1, .w_planes = 1, .a_planes = 1,
		.w_kind = DCACCEL_PLANE_SIGNED, .a_kind = DCACCEL_PLANE_SIGNED,
		.bw_frac = 1, .wplanes = w, .w_basis = &bw, .a_basis = &ba,
		.bias = &bias,
	};
	struct eie_stats st = { 0 };
	struct eie_cycles c = { 0 };
	uint64_t busy = 0;

	CHECK_EQ(dp_bitplane_run(&l, 1, x, &y, &st, NULL), 0);
	CHECK_EQ(y, 87);
	CHECK_EQ(st.entries, 2);
	CHECK_EQ(st.macs, 70);
	CHECK_EQ(st.nonzero_acts, 70);
	CHECK_EQ(st.padding, 0);
	dp_bitplane_model_cycles(&l, 1, &c, &busy);
	CHECK_EQ(c.cycles, 4);
	CHECK_EQ(busy, 2);
}

/*
 * 2-bit QNN codes on 2 PEs: activations (3, 0, 1, 2) at basis (1, 2) and
 * two fraction bits; weights (1, -1, -2, 1) and (-2, -2, 0, -1) in two's
 * complement, bias (0, 2): sums 3 and -6, y = 1 and -1 (-1.5 rounds half
 * up), (1, 0) with ReLU; the padding bits all set change nothing. The
 * reviewer's second case.
 */
static void test_reviewer_case_qnn_2bit(void)
{
	uint64_t w[4] = { 0xb, 0x8, 0x6, 0xb }, x[2] = { 0x5, 0x9 };
	int16_t bw[4] = { 1, -2, 1, -2 }, ba[2] = { 1, 2 }, y[2];
	int32_t bias[2] = { 0, 2 };
	struct dp_bitplane l = {
		.rows = 2, .cols = 4, .pes = 2, .w_planes = 2, .a_planes = 2,
		.w_kind = DCACCEL_PLANE_UNSIGNED,
		.a_kind = DCACCEL_PLANE_UNSIGNED,
		.ba_frac = 2, .wplanes = w, .w_basis = bw, .a_basis = ba,
		.bias = bias,
	};
	struct eie_stats st = { 0 };
	struct eie_cycles c = { 0 };
	uint64_t busy[2] = { 0 };

	for (int pad = 0; pad < 2; pad++) {
		for (int k = 0; k < 4 && pad; k++)
			w[k] |= ~(uint64_t)0xf;
		x[0] |= pad ? ~(uint64_t)0xf : 0;
		x[1] |= pad ? ~(uint64_t)0xf : 0;
		l.relu = false;
		CHECK_EQ(dp_bitplane_run(&l, 1, x, y, &st, NULL), 0);
		CHECK_EQ(y[0], 1);
		CHECK_EQ(y[1], -1);
		l.relu = true;
		CHECK_EQ(dp_bitplane_run(&l, 1, x, y, NULL, NULL), 0);
		CHECK_EQ(y[0], 1);
		CHECK_EQ(y[1], 0);
	}
	CHECK_EQ(st.entries, 2 * 8);
	CHECK_EQ(st.macs, 2 * 32);
	CHECK_EQ(st.nonzero_acts, 2 * 4);
	dp_bitplane_model_cycles(&l, 1, &c, busy);
	CHECK_EQ(c.cycles, 6);
	CHECK_EQ(busy[0], 4);
	CHECK_EQ(busy[1], 4);
}

static void fill(struct rng *r, uint64_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = rng_next(r);
}

static void random_layers(void)
{
	struct rng r = { 7 };
	long bad = 0, runs = 0;

	for (int round = 0; round < 200; round++) {
		struct dp_bitplane l = {
			.rows = rng_range(&r, 1, 9),
			.cols = (uint32_t)rng_range(&r, 1, 3) == 1 ?
				(uint32_t)rng_range(&r, 60, 70) :
				(uint32_t)rng_range(&r, 1, 1100),
			.pes = rng_range(&r, 1, 4),
			.w_planes = rng_range(&r, 1, 3),
			.a_planes = rng_range(&r, 1, 3),
			.w_kind = rng_range(&r, 0, 1),
			.a_kind = rng_range(&r, 0, 1),
			.bw_frac = rng_range(&r, 0, 8),
			.ba_frac = rng_range(&r, 0, 7),
			.relu = rng_chance(&r, 0.5),
		};
		const uint32_t words = DCACCEL_PLANE_WORDS(l.cols);
		const uint32_t batch = rng_range(&r, 1, 3);
		uint64_t *wp = malloc(sizeof(*wp) * l.w_planes * l.rows * words);
		uint64_t *x = malloc(sizeof(*x) * batch * l.a_planes * words);
		int16_t *wb = malloc(sizeof(*wb) * l.rows * l.w_planes);
		int16_t ab[3], *y = malloc(sizeof(*y) * batch * l.rows);
		int32_t *bias = malloc(sizeof(*bias) * l.rows);

		l.out_frac = rng_range(&r, 0, l.bw_frac + l.ba_frac > 15 ?
					       15 : l.bw_frac + l.ba_frac);
		fill(&r, wp, (size_t)l.w_planes * l.rows * words);
		fill(&r, x, (size_t)batch * l.a_planes * words);
		for (uint32_t k = 0; k < l.rows * l.w_planes; k++)
			wb[k] = (int16_t)rng_range(&r, -32768, 32767);
		for (uint32_t k = 0; k < l.a_planes; k++)
			ab[k] = (int16_t)rng_range(&r, -32768, 32767);
		for (uint32_t k = 0; k < l.rows; k++)
			bias[k] = (int32_t)rng_range(&r, -(1 << 20), 1 << 20);
		l.wplanes = wp;
		l.w_basis = wb;
		l.a_basis = ab;
		l.bias = rng_chance(&r, 0.5) ? bias : NULL;

		CHECK_EQ(dp_bitplane_validate(&l, NULL), 0);
		CHECK_EQ(dp_bitplane_run(&l, batch, x, y, NULL, NULL), 0);
		for (uint32_t b = 0; b < batch; b++)
			for (uint32_t i = 0; i < l.rows; i++) {
				int16_t want = plain_row(&l, x + (size_t)b *
							 l.a_planes * words, i);

				bad += y[b * l.rows + i] != want;
				runs++;
			}
		free(wp);
		free(x);
		free(wb);
		free(y);
		free(bias);
	}
	DIAG("%ld outputs of 200 random layers", runs);
	CHECK_EQ(bad, 0);
}

/*
 * Random layers, every kind pair, widths across word edges and across
 * VPOPCNTQ's eight-word loads; generic C (POPCNT), then AVX-512's path
 * where the CPU has it.
 */
static void test_random_layers_match_the_definition(void)
{
	popcnt_paths(random_layers);
}

/*
 * QNN's k-bit weights: UNSIGNED planes of the two's complement code, the
 * top plane's basis negative. Every 3-bit weight -4..3 times the input 1.
 */
static void test_twos_complement_weights(void)
{
	int16_t bw[3 * 8], ba = 1, y[8];
	uint64_t planes[3 * 8] = { 0 }, x = 1;
	struct dp_bitplane l = {
		.rows = 8, .cols = 1, .pes = 2, .w_planes = 3, .a_planes = 1,
		.w_kind = DCACCEL_PLANE_UNSIGNED,
		.a_kind = DCACCEL_PLANE_UNSIGNED,
		.wplanes = planes, .w_basis = bw, .a_basis = &ba,
	};

	for (int i = 0; i < 8; i++) {
		unsigned int code = (unsigned int)(i - 4) & 7;

		for (int u = 0; u < 3; u++) {
			planes[u * 8 + i] = code >> u & 1;
			bw[i * 3 + u] = u == 2 ? -4 : 1 << u;
		}
	}
	CHECK_EQ(dp_bitplane_run(&l, 1, &x, y, NULL, NULL), 0);
	for (int i = 0; i < 8; i++)
		CHECK_EQ(y[i], i - 4);
}

/* 5 rows on 2 PEs, n = 100 (L = 2), Kw = 2, Ka = 3: 6 + 3 x 12 cycles. */
static void test_cycle_model(void)
{
	uint64_t w = 0;
	int16_t b = 1;
	struct dp_bitplane l = {
		.rows = 5, .cols = 100, .pes = 2, .w_planes = 2, .a_planes = 3,
		.wplanes = &w, .w_basis = &b, .a_basis = &b,
	};
	struct eie_cycles c = { 0 };
	uint64_t busy[2] = { 0 };

	dp_bitplane_model_cycles(&l, 2, &c, busy);
	CHECK_EQ(c.cycles, 2 * (6 + 3 * 12));
	CHECK_EQ(busy[0], 2 * 3 * 12);
	CHECK_EQ(busy[1], 2 * 2 * 12);
	CHECK_EQ(c.busy, 2 * 5 * 12);
	CHECK_EQ(c.lnzd_stalls, 0);
}

/* Each field out of range, one at a time: refused, the message names it. */
static void test_bad_fields_refused(void)
{
	uint64_t w = 0;
	int16_t b = 1;
	const struct dp_bitplane good = {
		.rows = 4, .cols = 8, .pes = 2, .w_planes = 1, .a_planes = 1,
		.w_kind = DCACCEL_PLANE_SIGNED, .a_kind = DCACCEL_PLANE_SIGNED,
		.bw_frac = 4, .ba_frac = 4, .out_frac = 8,
		.wplanes = &w, .w_basis = &b, .a_basis = &b,
	};
	struct {
		struct dp_bitplane l;
		const char *says;
	} bad[] = {
		{ good, "rows" }, { good, "rows" }, { good, "cols" },
		{ good, "cols" }, { good, "pes" }, { good, "pes" },
		{ good, "weight planes" }, { good, "activation planes" },
		{ good, "weight plane kind" }, { good, "activation plane kind" },
		{ good, "fraction" }, { good, "out_frac" }, { good, "out_frac" },
		{ good, "weight planes and both bases" },
	};
	struct eie_error err;

	bad[0].l.rows = 0;
	bad[1].l.rows = DCACCEL_BITPLANE_DIM_MAX + 1;
	bad[2].l.cols = 0;
	bad[3].l.cols = DCACCEL_BITPLANE_DIM_MAX + 1;
	bad[4].l.pes = 0;
	bad[5].l.pes = 257;
	bad[6].l.w_planes = DCACCEL_BITPLANE_PLANES_MAX + 1;
	bad[7].l.a_planes = 0;
	bad[8].l.w_kind = 2;
	bad[9].l.a_kind = 9;
	bad[10].l.ba_frac = 16;
	bad[11].l.out_frac = 9;
	bad[12].l.out_frac = 16;
	bad[13].l.a_basis = NULL;
	CHECK_EQ(dp_bitplane_validate(&good, NULL), 0);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		err.msg[0] = 0;
		CHECK_EQ(dp_bitplane_validate(&bad[k].l, &err), -EINVAL);
		CHECK_STR_CONTAINS(err.msg, bad[k].says);
	}
	CHECK_EQ(dp_bitplane_validate(NULL, &err), -EINVAL);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_spec_example),
	TAP_TEST(test_reviewer_case_signed_70),
	TAP_TEST(test_reviewer_case_qnn_2bit),
	TAP_TEST(test_random_layers_match_the_definition),
	TAP_TEST(test_twos_complement_weights),
	TAP_TEST(test_cycle_model),
	TAP_TEST(test_bad_fields_refused),
};

TAP_MAIN(tests)
