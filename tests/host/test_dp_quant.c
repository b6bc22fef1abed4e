// SPDX-License-Identifier: MIT
/*
 * Float inputs to fixed point (dp_quant.h, hardware.rst "Float inputs"):
 * the integer definition against to_q15() of the float (dcc's, in double
 * arithmetic), and the vectorized array form against the integer one, at
 * the rounding ties, the saturation edges, zeros, subnormals, infinities
 * and NaN, for every format, at every alignment and length.
 */
#include <string.h>

#include "tap.h"
#include "rng.h"
#include "dp_quant.h"
#include "../../userspace/common/q15.h"

static const uint32_t special[] = {
	0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x7f800000,
	0xff800000, 0x7fc00000, 0xffc00001, 0x7f7fffff, 0xff7fffff,
	0x3f000000, 0xbf000000, 0x3fc00000, 0xbfc00000, 0x46fffe00,
	0x47000000, 0xc7000000, 0xc7000100, 0x46fffc00, 0x3effffff,
	0x7f800001, 0xff800001, 0x7fffffff, 0xffffffff, 0x46fffe01,
	0xc7000080, 0xc6fffe00, 0x38000000, 0xb8000000, 0x00800000,
};

#define NSPECIAL (sizeof(special) / sizeof(special[0]))

static float from_bits(uint32_t u)
{
	float v;

	memcpy(&v, &u, sizeof(v));
	return v;
}

/* The values the tests run through for one frac: specials, ties, neighbours. */
static size_t test_values(unsigned int frac, uint32_t *u, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < NSPECIAL && n < cap; i++)
		u[n++] = special[i];
	/* ties (k + 1/2) / 2^frac and the floats on either side */
	for (int32_t k = -33000; k <= 33000 && n + 3 <= cap; k += 7) {
		float t = ((float)k + 0.5f) / (float)(1u << frac);
		uint32_t b;

		memcpy(&b, &t, sizeof(b));
		for (int d = -1; d <= 1; d++)
			u[n++] = b + (uint32_t)d;
	}
	return n;
}

/* The integer definition is to_q15() of the float, bit for bit. */
static void test_bits_match_to_q15(void)
{
	static uint32_t u[40000];
	struct rng r = { 15 };
	unsigned int bad = 0;

	for (unsigned int frac = 0; frac <= 15; frac++) {
		size_t n = test_values(frac, u, sizeof(u) / sizeof(u[0]));

		for (size_t i = 0; i < n; i++)
			bad += to_q15(from_bits(u[i]), frac) !=
			       dp_quant_f32_bits(u[i], frac);
	}
	for (int i = 0; i < 2000000; i++) {
		uint32_t b = (uint32_t)rng_range(&r, 0, 0xffff) << 16 |
			     (uint32_t)rng_range(&r, 0, 0xffff);
		unsigned int frac = (unsigned int)rng_range(&r, 0, 15);

		bad += to_q15(from_bits(b), frac) != dp_quant_f32_bits(b, frac);
	}
	CHECK_EQ(bad, 0);
}

/* Little-endian bytes of u[0, n) at dst. */
static void store_le(uint8_t *dst, const uint32_t *u, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < 4; b++)
			dst[4 * i + b] = (uint8_t)(u[i] >> (8 * b));
}

/* The array form gives each value's dp_quant_f32_bits(). */
static void test_array_matches_bits(void)
{
	static uint32_t u[40000];
	static uint8_t raw[4 * 40000 + 3];
	static int16_t q[40000 + 1];
	unsigned int bad = 0;

	for (unsigned int frac = 0; frac <= 15; frac++) {
		size_t n = test_values(frac, u, sizeof(u) / sizeof(u[0]));

		/*
		 * every source alignment, every value in every vector lane
		 * (starting `lead` values in); the last element is a guard
		 */
		for (size_t off = 0; off < 4; off++) {
			store_le(raw + off, u, n);
			for (size_t lead = 0; lead < 8; lead++) {
				size_t m = n - lead;

				q[m] = 0x5a5a;
				dp_quant_f32_le(raw + off + 4 * lead, q, m, frac);
				for (size_t i = 0; i < m; i++)
					bad += q[i] != dp_quant_f32_bits(u[lead + i],
									 frac);
				bad += q[m] != 0x5a5a;
			}
		}
	}
	CHECK_EQ(bad, 0);
}

/* Every length around the vector width, and every tail. */
static void test_array_lengths(void)
{
	struct rng r = { 7 };
	uint32_t u[41];
	uint8_t raw[4 * 41] = { 0 };
	int16_t q[42];
	unsigned int bad = 0;

	for (size_t n = 0; n <= 41; n++) {
		for (size_t i = 0; i < n; i++)
			u[i] = i % 3 ? (uint32_t)rng_range(&r, 0, 0xffff) << 16 |
				       (uint32_t)rng_range(&r, 0, 0xffff) :
				       special[i % NSPECIAL];
		store_le(raw, u, n);
		q[n] = 0x1234;
		dp_quant_f32_le(raw, q, n, 9);
		for (size_t i = 0; i < n; i++)
			bad += q[i] != dp_quant_f32_bits(u[i], 9);
		bad += q[n] != 0x1234;
	}
	CHECK_EQ(bad, 0);
}

/* hardware.rst's worked example, "Float inputs" (in_frac = 8). */
static void test_spec_example(void)
{
	CHECK_EQ(dp_quant_f32_bits(0x3f000000, 8), 128);	/* 0.5 */
	CHECK_EQ(dp_quant_f32_bits(0x3b000000, 8), 0);		/* 2^-9 */
	CHECK_EQ(dp_quant_f32_bits(0x3bc00000, 8), 2);		/* 1.5 x 2^-8 */
	CHECK_EQ(dp_quant_f32_bits(0xc3480000, 8), -32768);	/* -200 */
	CHECK_EQ(dp_quant_f32_bits(0x42ffff00, 8), 32767);	/* 127.998046875 */
	CHECK_EQ(dp_quant_f32_bits(0xffc00000, 8), 32767);	/* -NaN */
}

static const struct tap_test tests[] = {
	TAP_TEST(test_spec_example),
	TAP_TEST(test_bits_match_to_q15),
	TAP_TEST(test_array_matches_bits),
	TAP_TEST(test_array_lengths),
};

TAP_MAIN(tests)
