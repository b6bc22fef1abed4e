// SPDX-License-Identifier: MIT
/*
 * Quantized outputs (dp_outq.h, hardware.rst "Quantized outputs"): the
 * level by counting thresholds (duplicates too), the code table, the FC
 * plane layout with zero padding bits, the three quantizers the spec
 * names, every bad field refused, and a chain: 16-bit outputs quantized
 * into planes and read by a bit-plane layer equal the layer on the
 * levels' values computed by hand.
 */
#include <errno.h>
#include <stdlib.h>

#include "tap.h"
#include "rng.h"
#include "dp_bitplane.h"
#include "dp_outq.h"
#include "dcaccel/dcaccel_bitplane.h"

/* The level by the definition: how many thresholds y reaches. */
static uint32_t level_of(const struct dp_outq *q, int16_t y)
{
	uint32_t n = 0;

	for (uint32_t l = 0; l + 1 < (1u << q->bits); l++)
		n += y >= q->thr[l];
	return n;
}

static void test_sign_quantizer(void)
{
	const int16_t thr[1] = { 0 };
	const uint8_t codes[2] = { 0, 1 };
	const struct dp_outq q = { .bits = 1, .thr = thr, .codes = codes };

	CHECK_EQ(dp_outq_validate(&q, NULL), 0);
	CHECK_EQ(dp_outq_code(&q, -32768), 0);
	CHECK_EQ(dp_outq_code(&q, -1), 0);
	CHECK_EQ(dp_outq_code(&q, 0), 1);
	CHECK_EQ(dp_outq_code(&q, 32767), 1);
}

/* Random sorted thresholds with repeats, random code tables, every Ko. */
static void test_levels_and_codes_by_the_definition(void)
{
	struct rng r = { 11 };
	long bad = 0;

	for (uint8_t bits = 1; bits <= DCACCEL_BITPLANE_PLANES_MAX; bits++) {
		const uint32_t levels = 1u << bits;
		int16_t thr[255];
		uint8_t codes[256];
		struct dp_outq q = { .bits = bits, .thr = thr, .codes = codes };
		int32_t t = rng_range(&r, -32768, -30000);

		for (uint32_t l = 0; l + 1 < levels; l++) {
			thr[l] = (int16_t)t;
			t += rng_chance(&r, 0.2) ? 0 : rng_range(&r, 1, 200);
		}
		for (uint32_t l = 0; l < levels; l++)
			codes[l] = (uint8_t)((l * 37 + bits) % levels);
		CHECK_EQ(dp_outq_validate(&q, NULL), 0);
		for (int k = 0; k < 2000; k++) {
			int16_t y = (int16_t)(k < 10 ? (k % 2 ? thr[0] : thr[levels - 2]) :
					      rng_range(&r, -32768, 32767));

			bad += dp_outq_code(&q, y) != codes[level_of(&q, y)];
		}
	}
	CHECK_EQ(bad, 0);
}

/* m = 70 outputs, batch 2, Ko = 2: bit i % 64 of word i / 64, padding 0. */
static void test_fc_layout(void)
{
	const int16_t thr[3] = { 10, 20, 30 };
	const uint8_t codes[4] = { 0, 1, 2, 3 };
	const struct dp_outq q = { .bits = 2, .thr = thr, .codes = codes };
	int16_t y[140];
	uint64_t planes[2 * 2 * 2];

	for (int i = 0; i < 140; i++)
		y[i] = (int16_t)(i % 4 * 10);	/* levels 0, 1, 2, 3 */
	dp_outq_pack_fc(&q, 70, 2, y, planes);
	for (int b = 0; b < 2; b++)
		for (int i = 0; i < 70; i++) {
			const uint64_t *p = planes + b * 4;
			int code = (b * 70 + i) % 4;

			CHECK_EQ(p[i / 64] >> (i % 64) & 1, code & 1);
			CHECK_EQ(p[2 + i / 64] >> (i % 64) & 1, code >> 1 & 1);
		}
	for (int k = 0; k < 4; k++)
		CHECK_EQ(planes[k * 2 + 1] >> 6, 0);	/* bits 70..127 */
}

/*
 * A chain: 2-bit unsigned levels of a ReLU'd layer (QNN, step 8) into
 * planes, read by a bit-plane layer of UNSIGNED activations with bases
 * (1, 2): the same as the layer run on the levels written by hand.
 */
static void test_chain_into_a_bitplane_layer(void)
{
	const int16_t thr[3] = { 4, 12, 20 };	/* midpoints of 0, 8, 16, 24 */
	const uint8_t codes[4] = { 0, 1, 2, 3 };
	const struct dp_outq q = { .bits = 2, .thr = thr, .codes = codes };
	struct rng r = { 3 };
	int16_t y[100], bw[3] = { 2, -1, 3 }, ba[2] = { 1, 2 }, z[3], want[3];
	uint64_t in[2 * 2], by_hand[2 * 2] = { 0 }, w[3 * 2];
	struct dp_bitplane l = {
		.rows = 3, .cols = 100, .pes = 2, .w_planes = 1, .a_planes = 2,
		.w_kind = DCACCEL_PLANE_SIGNED,
		.a_kind = DCACCEL_PLANE_UNSIGNED,
		.wplanes = w, .w_basis = bw, .a_basis = ba,
	};

	for (int i = 0; i < 100; i++) {
		uint32_t level;

		y[i] = (int16_t)rng_range(&r, 0, 30);
		level = level_of(&q, y[i]);
		by_hand[i / 64] |= (uint64_t)(level & 1) << (i % 64);
		by_hand[2 + i / 64] |= (uint64_t)(level >> 1) << (i % 64);
	}
	for (int k = 0; k < 6; k++)
		w[k] = rng_next(&r);
	dp_outq_pack_fc(&q, 100, 1, y, in);
	for (int k = 0; k < 4; k++)
		CHECK_EQ(in[k], by_hand[k]);
	CHECK_EQ(dp_bitplane_run(&l, 1, in, z, NULL, NULL), 0);
	CHECK_EQ(dp_bitplane_run(&l, 1, by_hand, want, NULL, NULL), 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(z[i], want[i]);
}

static void test_bad_quantizers_refused(void)
{
	int16_t thr[3] = { 1, 2, 3 };
	uint8_t codes[4] = { 0, 1, 2, 3 };
	struct dp_outq q = { .bits = 2, .thr = thr, .codes = codes };
	struct eie_error err;

	CHECK_EQ(dp_outq_validate(&q, &err), 0);
	q.bits = 0;
	CHECK_EQ(dp_outq_validate(&q, &err), -EINVAL);
	CHECK_STR_CONTAINS(err.msg, "bits must be 1..8");
	q.bits = 9;
	CHECK_EQ(dp_outq_validate(&q, &err), -EINVAL);
	q.bits = 2;
	thr[2] = 0;
	CHECK_EQ(dp_outq_validate(&q, &err), -EINVAL);
	CHECK_STR_CONTAINS(err.msg, "must not decrease");
	thr[2] = 3;
	codes[3] = 4;
	CHECK_EQ(dp_outq_validate(&q, &err), -EINVAL);
	CHECK_STR_CONTAINS(err.msg, "code 3 is 4");
	codes[3] = 3;
	q.codes = NULL;
	CHECK_EQ(dp_outq_validate(&q, &err), -EINVAL);
	CHECK_EQ(dp_outq_validate(NULL, &err), -EINVAL);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_sign_quantizer),
	TAP_TEST(test_levels_and_codes_by_the_definition),
	TAP_TEST(test_fc_layout),
	TAP_TEST(test_chain_into_a_bitplane_layer),
	TAP_TEST(test_bad_quantizers_refused),
};

TAP_MAIN(tests)
