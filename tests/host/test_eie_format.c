// SPDX-License-Identifier: MIT
/*
 * The stream format: encodings checked byte by byte, encoder/decoder round
 * trips, and malformed streams rejected with a message before any use.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eie_fixture.h"
#include "tap.h"

/* One column, one PE, a single weight at `row`: the entries it takes. */
static void encode_single(uint32_t rows, uint32_t row, uint8_t zbits,
			  struct eie_streams *s)
{
	uint8_t *widx = calloc(rows, 1);
	struct eie_error err;

	widx[row] = 3;
	CHECK_EQ(eie_encode(widx, rows, 1, 1, 4, zbits, s, &err), 0);
	free(widx);
}

static void zero_runs_are_padded(void)
{
	struct eie_streams s;

	/* a run of 15 zeros fits the 4-bit field: one entry (w3, z15) */
	encode_single(20, 15, 4, &s);
	CHECK_EQ(s.entry_count, 1);
	CHECK_EQ(s.padding_count, 0);
	CHECK_EQ(s.entries[0], 0x3f);
	eie_streams_free(&s);

	/* 16 zeros: a padding entry on row 15, then (w3, z0) on row 16 */
	encode_single(20, 16, 4, &s);
	CHECK_EQ(s.entry_count, 2);
	CHECK_EQ(s.padding_count, 1);
	CHECK_EQ(s.entries[0], 0x0f);
	CHECK_EQ(s.entries[1], 0x30);
	eie_streams_free(&s);

	/* 500 zeros: 31 paddings (496 rows), then z = 4 */
	encode_single(600, 500, 4, &s);
	CHECK_EQ(s.entry_count, 32);
	CHECK_EQ(s.padding_count, 31);
	for (uint32_t e = 0; e < 31; e++)
		CHECK_EQ(s.entries[e], 0x0f);
	CHECK_EQ(s.entries[31], 0x34);
	CHECK_EQ(s.colptr[0], 0);
	CHECK_EQ(s.colptr[1], 32);
	eie_streams_free(&s);

	/* 8-bit z field with a 4-bit index: 16-bit little-endian entries */
	encode_single(600, 500, 8, &s);
	CHECK_EQ(s.entry_count, 2);
	CHECK_EQ(s.entries[0], 0xff);	/* pad: w0, z255 */
	CHECK_EQ(s.entries[1], 0x00);
	CHECK_EQ(s.entries[2], 500 - 256);	/* z244 */
	CHECK_EQ(s.entries[3], 0x03);	/* w3 */
	eie_streams_free(&s);
}

/* Rows interleave: row i goes to PE i % P at local row i / P. */
static void rows_interleave_over_pes(void)
{
	uint8_t widx[10] = { 0 };	/* 10 x 1 */
	struct eie_streams s;
	struct eie_error err;

	widx[1] = 1;	/* PE 1, local 0 */
	widx[4] = 2;	/* PE 1, local 1 */
	widx[9] = 3;	/* PE 0, local 3 */
	CHECK_EQ(eie_encode(widx, 10, 1, 3, 2, 2, &s, &err), 0);
	/* PE 0: (w3, z3); PE 1: (w1, z0), (w2, z0); PE 2: nothing */
	CHECK_EQ(s.entry_count, 3);
	CHECK_EQ(s.entries[0], 3 << 2 | 3);
	CHECK_EQ(s.entries[1], 1 << 2 | 0);
	CHECK_EQ(s.entries[2], 2 << 2 | 0);
	CHECK_EQ(s.colptr[0], 0);
	CHECK_EQ(s.colptr[1], 1);
	CHECK_EQ(s.colptr[2], 1);
	CHECK_EQ(s.colptr[3], 3);
	CHECK_EQ(s.colptr[4], 3);
	CHECK_EQ(s.colptr[5], 3);
	eie_streams_free(&s);
}

static void round_trips(void)
{
	struct rng r = { 42 };
	unsigned int bad = 0;

	for (int iter = 0; iter < 300; iter++) {
		struct fixture f = {
			.rows = (uint32_t)rng_range(&r, 1, 300),
			.cols = (uint32_t)rng_range(&r, 1, 100),
			.pes = (uint32_t)rng_range(&r, 1, 80),
			.wbits = (uint8_t)rng_range(&r, 1, 8),
			.zbits = (uint8_t)rng_range(&r, 1, 8),
		};
		struct eie_error err;
		uint8_t *back;

		fixture_alloc(&f, false);
		fixture_randomize(&f, &r, (double)rng_range(&r, 0, 100) / 100.0);
		back = malloc((size_t)f.rows * f.cols);
		if (fixture_encode(&f) || eie_decode(&f.l, back, &err) ||
		    memcmp(back, f.widx, (size_t)f.rows * f.cols)) {
			DIAG("round trip %d (%ux%u P=%u w%u z%u) differs",
			     iter, f.rows, f.cols, f.pes, f.wbits, f.zbits);
			bad++;
		}
		free(back);
		fixture_free(&f);
	}
	CHECK_EQ(bad, 0);
}

static void csc_input_matches_dense_input(void)
{
	/* 6 x 3: column 0 rows 0 and 5, column 1 empty, column 2 row 3 */
	const uint32_t colstart[] = { 0, 2, 2, 3 };
	const uint32_t rowidx[] = { 0, 5, 3 };
	const uint8_t vals[] = { 1, 2, 3 };
	uint8_t dense[18] = { 0 };
	struct eie_streams a, b;
	struct eie_error err;

	dense[0 * 3 + 0] = 1;
	dense[5 * 3 + 0] = 2;
	dense[3 * 3 + 2] = 3;
	CHECK_EQ(eie_encode_csc(colstart, rowidx, vals, 6, 3, 2, 2, 1, &a, &err), 0);
	CHECK_EQ(eie_encode(dense, 6, 3, 2, 2, 1, &b, &err), 0);
	CHECK_EQ(a.entry_count, b.entry_count);
	CHECK(!memcmp(a.colptr, b.colptr, 2 * 4 * sizeof(uint32_t)));
	CHECK(!memcmp(a.entries, b.entries, a.entry_count));
	eie_streams_free(&a);
	eie_streams_free(&b);
}

static void encoder_rejects_bad_input(void)
{
	const uint32_t colstart[] = { 0, 2 };
	uint32_t rowidx[] = { 3, 1 };
	uint8_t vals[] = { 1, 1 };
	uint8_t dense[4] = { 0, 16, 0, 0 };
	struct eie_streams s;
	struct eie_error err;

	CHECK_EQ(eie_encode_csc(colstart, rowidx, vals, 4, 1, 1, 4, 4, &s, &err), -EINVAL);
	CHECK_STR_CONTAINS(err.msg, "rows must increase");
	rowidx[0] = 0;
	rowidx[1] = 9;
	CHECK_EQ(eie_encode_csc(colstart, rowidx, vals, 4, 1, 1, 4, 4, &s, &err), -EINVAL);
	CHECK_STR_CONTAINS(err.msg, "past the 4 rows");
	CHECK_EQ(eie_encode(dense, 2, 2, 1, 4, 4, &s, &err), -EINVAL);
	CHECK_STR_CONTAINS(err.msg, "codebook index 16");
	CHECK_EQ(eie_encode(dense, 2, 2, 0, 4, 4, &s, &err), -EINVAL);
	CHECK_STR_CONTAINS(err.msg, "pes");
	CHECK_EQ(eie_encode(dense, 2, 2, 1, 9, 4, &s, &err), -EINVAL);
	CHECK_STR_CONTAINS(err.msg, "wbits 9");
	CHECK_EQ(eie_encode(dense, 0, 2, 1, 4, 4, &s, &err), -EINVAL);
	CHECK_STR_CONTAINS(err.msg, "matrix 0 x 2");
}

static void weights_with_codebook_encode(void)
{
	const int16_t codebook[4] = { 0, -700, 35, 1200 };
	const int16_t weights[2 * 3] = { 35, 0, -700,  0, 1200, 35 };
	int16_t bad[2 * 3];
	struct eie_streams s;
	struct eie_error err;
	struct eie_layer l;
	uint8_t back[6];

	CHECK_EQ(eie_encode_weights(weights, 2, 3, codebook, 4, 1, 2, 4, &s,
				    &err), 0);
	eie_streams_to_layer(&s, &l);
	l.codebook = codebook;
	l.codebook_len = 4;
	CHECK_EQ(eie_decode(&l, back, &err), 0);
	for (int i = 0; i < 6; i++)
		CHECK_EQ(weights[i] ? codebook[back[i]] : 0, weights[i]);
	eie_streams_free(&s);

	memcpy(bad, weights, sizeof(bad));
	bad[4] = 36;
	CHECK_EQ(eie_encode_weights(bad, 2, 3, codebook, 4, 1, 2, 4, &s, &err),
		 -EINVAL);
	CHECK_STR_CONTAINS(err.msg, "row 1 column 1: weight 36 is not in the codebook");
	CHECK_EQ(eie_encode_weights(weights, 2, 3, codebook, 5, 1, 2, 4, &s,
				    &err), -EINVAL);
	CHECK_STR_CONTAINS(err.msg, "codebook_len must be 1..4");
	CHECK_EQ(eie_encode_weights(weights, 2, 3, (const int16_t[]){ 0, 0, 35, 1200 },
				    4, 1, 2, 4, &s, &err), -EINVAL);
	CHECK_STR_CONTAINS(err.msg, "codebook[1] is 0");
	CHECK_EQ(eie_encode_weights(weights, 2, 3, (const int16_t[]){ 5, -700, 35, 1200 },
				    4, 1, 2, 4, &s, &err), -EINVAL);
	CHECK_STR_CONTAINS(err.msg, "codebook[0] must be 0");
}

/* A valid 8 x 4 layer on 2 PEs to break in the tests below. */
static void good_layer(struct fixture *f)
{
	struct rng r = { 5 };

	*f = (struct fixture){ .rows = 8, .cols = 4, .pes = 2, .wbits = 4,
			       .zbits = 4, .in_frac = 8, .w_frac = 8,
			       .out_frac = 8 };
	fixture_alloc(f, true);
	fixture_randomize(f, &r, 0.6);
	f->codebook_len = 16;
	CHECK_EQ(fixture_encode(f), 0);
	CHECK(f->s.entry_count >= 4);
}

static void expect_invalid(const struct eie_layer *l, const char *needle)
{
	struct eie_error err = { "" };

	CHECK_EQ(eie_validate(l, &err), -EINVAL);
	CHECK_STR_CONTAINS(err.msg, needle);
}

static void malformed_streams_rejected(void)
{
	struct fixture f;
	struct eie_layer l;
	uint32_t ptr[2 * 5];
	uint8_t entries[64];

	good_layer(&f);
	memcpy(ptr, f.s.colptr, sizeof(ptr));
	memcpy(entries, f.s.entries, f.s.entry_count);

	l = f.l;
	l.colptr = ptr;
	l.entries = entries;
	CHECK_EQ(eie_validate(&l, NULL), 0);

	ptr[9] = f.s.entry_count + 1;			/* past the end */
	expect_invalid(&l, "past the");
	memcpy(ptr, f.s.colptr, sizeof(ptr));
	ptr[2] = ptr[1] > 0 ? ptr[1] - 1 : 0;		/* decreasing */
	ptr[1] = ptr[2] + 1;
	expect_invalid(&l, "must not decrease");
	memcpy(ptr, f.s.colptr, sizeof(ptr));
	ptr[5] += 1;					/* PE 1 skips one */
	expect_invalid(&l, "PE 1: column pointers start at");
	memcpy(ptr, f.s.colptr, sizeof(ptr));
	l.entry_count = f.s.entry_count + 1;		/* stream longer */
	expect_invalid(&l, "column pointers end at");
	l.entry_count = f.s.entry_count;

	entries[0] = 0xf0 | (entries[0] & 0x0f);	/* index 15 */
	l.codebook_len = 15;
	expect_invalid(&l, "codebook index 15, past the codebook's 15 entries");
	l.codebook_len = 16;
	entries[0] = (entries[0] & 0xf0) | 0x0f;	/* row 15 of 4 */
	expect_invalid(&l, "lands on local row");
	memcpy(entries, f.s.entries, f.s.entry_count);
	CHECK_EQ(eie_validate(&l, NULL), 0);
	fixture_free(&f);
}

static void bad_parameters_rejected(void)
{
	struct fixture f;
	struct eie_layer l;

	good_layer(&f);
	l = f.l; l.rows = 0;
	expect_invalid(&l, "rows must be");
	l = f.l; l.cols = DCACCEL_EIE_DIM_MAX + 1;
	expect_invalid(&l, "cols must be");
	l = f.l; l.pes = DCACCEL_EIE_PES_MAX + 1;
	expect_invalid(&l, "pes must be");
	l = f.l; l.wbits = 0;
	expect_invalid(&l, "wbits must be");
	l = f.l; l.zbits = 9;
	expect_invalid(&l, "zbits must be");
	l = f.l; l.in_frac = 16;
	expect_invalid(&l, "fraction bits");
	l = f.l; l.in_frac = 2; l.w_frac = 3; l.out_frac = 6;
	expect_invalid(&l, "out_frac 6 exceeds");
	l = f.l; l.codebook_len = 17;
	expect_invalid(&l, "codebook_len must be 1..16");
	l = f.l; l.codebook = NULL;
	expect_invalid(&l, "codebook is missing");
	l = f.l; l.colptr = NULL;
	expect_invalid(&l, "column pointers are missing");
	l = f.l; l.entries = NULL;
	expect_invalid(&l, "entries are missing");
	f.codebook[0] = 1;
	expect_invalid(&f.l, "codebook[0] must be 0");
	f.codebook[0] = 0;
	expect_invalid(NULL, "no layer");
	fixture_free(&f);
}

/*
 * Random corruption of a real layer: whatever the bytes say, the validator
 * answers, and what it accepts runs without touching memory it should not
 * (ASan is watching).
 */
static void corrupted_streams_never_read_out_of_bounds(void)
{
	struct rng r = { 99 };
	unsigned int accepted = 0, rejected = 0;

	for (int iter = 0; iter < 2000; iter++) {
		struct fixture f = { .rows = 37, .cols = 11, .pes = 4,
				     .wbits = 3, .zbits = 2, .in_frac = 4,
				     .w_frac = 4, .out_frac = 4 };
		int16_t in[11], out[37];
		size_t nptr;

		fixture_alloc(&f, true);
		fixture_randomize(&f, &r, 0.4);
		CHECK_EQ(fixture_encode(&f), 0);
		nptr = (size_t)f.pes * (f.cols + 1);
		for (int flips = (int)rng_range(&r, 1, 3); flips; flips--) {
			if (rng_chance(&r, 0.5) && f.s.entry_count)
				f.s.entries[rng_range(&r, 0, f.s.entry_count - 1)] ^=
					(uint8_t)(1u << rng_range(&r, 0, 7));
			else
				f.s.colptr[rng_range(&r, 0, (int64_t)nptr - 1)] ^=
					1u << rng_range(&r, 0, 31);
		}
		if (eie_validate(&f.l, NULL) == 0) {
			for (int j = 0; j < 11; j++)
				in[j] = (int16_t)rng_range(&r, -100, 100);
			run_engine(&f.l, 1, in, out, NULL);
			accepted++;
		} else {
			rejected++;
		}
		fixture_free(&f);
	}
	DIAG("%u corrupted layers rejected, %u still valid and run", rejected,
	     accepted);
	CHECK(rejected > 1000);
}

static const struct tap_test tests[] = {
	TAP_TEST(zero_runs_are_padded),
	TAP_TEST(rows_interleave_over_pes),
	TAP_TEST(round_trips),
	TAP_TEST(csc_input_matches_dense_input),
	TAP_TEST(encoder_rejects_bad_input),
	TAP_TEST(weights_with_codebook_encode),
	TAP_TEST(malformed_streams_rejected),
	TAP_TEST(bad_parameters_rejected),
	TAP_TEST(corrupted_streams_never_read_out_of_bounds),
};

TAP_MAIN(tests)
