// SPDX-License-Identifier: MIT
/* Canonical Huffman: lengths form a prefix code and streams round-trip. */
#include <stdlib.h>

#include "tap.h"
#include "../../userspace/dcm/huffman.h"

static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/* Encode n symbols drawn with the given skew, decode them back. */
static void round_trip(unsigned int nsym, unsigned int n, unsigned int skew,
		       uint64_t seed)
{
	uint8_t *sym = malloc(n), len[HUFF_SYMBOLS_MAX];
	uint64_t freq[HUFF_SYMBOLS_MAX] = { 0 }, s = seed;
	struct huff_code h;
	struct bitbuf w = { 0 }, r = { 0 };
	unsigned int bad = 0;

	for (unsigned int i = 0; i < n; i++) {
		unsigned int v = (unsigned int)(lcg(&s) % nsym);

		for (unsigned int k = 0; k < skew; k++)	/* min of draws: skewed */
			v = v < lcg(&s) % nsym ? v : (unsigned int)(lcg(&s) % nsym);
		sym[i] = (uint8_t)v;
		freq[v]++;
	}
	huff_lengths(freq, nsym, len);
	CHECK_EQ(huff_build(&h, len, nsym), 0);
	for (unsigned int i = 0; i < nsym; i++)
		CHECK(freq[i] == 0 || (len[i] >= 1 && len[i] <= HUFF_LEN_MAX));
	for (unsigned int i = 0; i < n; i++)
		bit_put(&w, h.code[sym[i]], h.len[sym[i]]);
	CHECK(!w.oom);
	CHECK_EQ(w.pos, huff_cost(freq, len, nsym));
	r.in = w.buf;
	r.bytes = w.bytes;
	for (unsigned int i = 0; i < n; i++)
		bad += huff_get(&h, &r) != sym[i];
	CHECK_EQ(bad, 0);
	free(w.buf);
	free(sym);
}

static void test_uniform_round_trip(void)
{
	round_trip(16, 5000, 0, 1);
	round_trip(256, 20000, 0, 2);
}

static void test_skewed_round_trip(void)
{
	round_trip(32, 20000, 3, 3);
	round_trip(200, 20000, 6, 4);
}

static void test_single_symbol(void)
{
	uint64_t freq[4] = { 0, 0, 9, 0 };
	uint8_t len[4];
	struct huff_code h;
	struct bitbuf w = { 0 }, r = { 0 };

	huff_lengths(freq, 4, len);
	CHECK_EQ(len[2], 1);
	CHECK_EQ(huff_build(&h, len, 4), 0);
	for (int i = 0; i < 9; i++)
		bit_put(&w, h.code[2], h.len[2]);
	r.in = w.buf;
	r.bytes = w.bytes;
	for (int i = 0; i < 9; i++)
		CHECK_EQ(huff_get(&h, &r), 2);
	free(w.buf);
}

/* Fibonacci counts make the deepest possible tree: lengths get capped. */
static void test_length_limit(void)
{
	uint64_t freq[40];
	uint8_t len[40];
	struct huff_code h;

	freq[0] = freq[1] = 1;
	for (int i = 2; i < 40; i++)
		freq[i] = freq[i - 1] + freq[i - 2];
	huff_lengths(freq, 40, len);
	for (int i = 0; i < 40; i++)
		CHECK(len[i] >= 1 && len[i] <= HUFF_LEN_MAX);
	CHECK_EQ(huff_build(&h, len, 40), 0);
}

static void test_bad_tables_refused(void)
{
	uint8_t over[3] = { 1, 1, 1 }, toolong[2] = { 1, HUFF_LEN_MAX + 1 };
	struct huff_code h;
	uint8_t bits[2] = { 0xff, 0xff };
	uint8_t incomplete[2] = { 2, 0 };
	struct bitbuf r = { 0 };

	CHECK_EQ(huff_build(&h, over, 3), -1);
	CHECK_EQ(huff_build(&h, toolong, 2), -1);
	/* code "00" only: reading 1-bits finds no symbol */
	CHECK_EQ(huff_build(&h, incomplete, 2), 0);
	r.in = bits;
	r.bytes = 2;
	CHECK_EQ(huff_get(&h, &r), -1);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_uniform_round_trip),
	TAP_TEST(test_skewed_round_trip),
	TAP_TEST(test_single_symbol),
	TAP_TEST(test_length_limit),
	TAP_TEST(test_bad_tables_refused),
};

TAP_MAIN(tests)
