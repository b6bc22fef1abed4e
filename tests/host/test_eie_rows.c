// SPDX-License-Identifier: MIT
/*
 * The decoded layer's rows form (eie_rows.c) against its column form, the
 * streams and the dense reference: every output and counter the same, in
 * each ISA copy, at magnitudes up to the ones its int32 halves must hold.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eie_fixture.h"
#include "tap.h"

/* The decoded form (both forms built) under a choice of form and kernels. */
static int run_with(enum eie_form form, enum eie_kernels k,
		    const struct eie_layer *l, uint32_t batch,
		    const int16_t *in, int16_t *out, struct eie_stats *stats,
		    const struct eie_poll *poll)
{
	void *buf = calloc(1, eie_decoded_size(l));
	void *rows = calloc(1, eie_decoded_rows_size(l) + 1);
	void *ws = calloc(1, eie_run_decoded_ws_size(l));
	struct eie_decoded d;
	int ret = -ENOMEM;

	if (buf && rows && ws) {
		eie_decode_layer(l, buf, &d);
		eie_decode_rows(&d, rows);
		eie_set_form(form);
		eie_set_kernels(k);
		ret = eie_run_decoded_poll(&d, batch, in, out, ws, stats, poll);
		eie_set_kernels(EIE_KERNELS_AUTO);
		eie_set_form(EIE_FORM_AUTO);
	}
	free(ws);
	free(rows);
	free(buf);
	return ret;
}

/*
 * Random layers with a rows form: forced rows and forced columns, AVX2 (and
 * AVX-512VL where the host has it) and baseline copies, batches of one and
 * more, against the streams (eie_run()) and the reference.
 */
static void rows_form_matches_reference(void)
{
	static const enum eie_form forms[] = { EIE_FORM_ROWS, EIE_FORM_COLUMNS,
					       EIE_FORM_AUTO };
	static const enum eie_kernels kernels[] = { EIE_KERNELS_AUTO,
						    EIE_KERNELS_BASELINE,
						    EIE_KERNELS_PER_VECTOR,
						    EIE_KERNELS_AVX2 };
	static const uint32_t pes_choice[] = { 1, 3, 8, 64 };
	struct rng r = { 1811 };
	unsigned int bad = 0, with_rows = 0;

	for (int iter = 0; iter < 240; iter++) {
		const int mode = iter % 4;
		struct fixture f = fixture_random_format(&r, 150, 300,
						pes_choice[rng_range(&r, 0, 3)], 6);
		uint32_t batch = rng_chance(&r, 0.7) ? 1 :
				 (uint32_t)rng_range(&r, 2, 5);
		double act = rng_chance(&r, 0.3) ? 1.0 :
			     (double)rng_range(&r, 0, 100) / 100.0;
		struct eie_stats want_st = { 0 };
		int16_t *in, *want, *got, *one;
		size_t nout;

		/* at most 2^16 >> wbits columns: the layer has a rows form */
		if (f.cols > 1u << 16 >> f.wbits)
			f.cols = 1u << 16 >> f.wbits;
		fixture_alloc_magnitude(&f, &r, mode);
		nout = (size_t)batch * f.rows;
		in = calloc((size_t)batch * f.cols, sizeof(*in));
		want = calloc(nout, sizeof(*want));
		got = calloc(nout, sizeof(*got));
		one = calloc(f.rows, sizeof(*one));
		for (size_t k = 0; in && k < (size_t)batch * f.cols; k++)
			in[k] = rng_chance(&r, act) ? fixture_magnitude(&r, mode, 8) : 0;
		if (fixture_encode(&f) || !in || !want || !got || !one) {
			bad++;
			goto next;
		}
		with_rows += eie_has_rows_form(&f.l);
		run_engine(&f.l, batch, in, want, &want_st);
		for (uint32_t b = 0; b < batch; b++) {
			ref_fc(&f.ref, in + (size_t)b * f.cols, one);
			if (memcmp(one, want + (size_t)b * f.rows,
				   f.rows * sizeof(*one)))
				bad++;
		}
		for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
			for (size_t k = 0; k < sizeof(kernels) / sizeof(kernels[0]); k++) {
				struct eie_stats st = { 0 };

				memset(got, 0x55, nout * sizeof(*got));
				if (run_with(forms[i], kernels[k], &f.l, batch,
					     in, got, &st, NULL) ||
				    memcmp(want, got, nout * sizeof(*got)) ||
				    memcmp(&want_st, &st, sizeof(st))) {
					DIAG("layer %d: %ux%u P=%u w%u batch %u mode %d: form %d kernels %d differ",
					     iter, f.rows, f.cols, f.pes,
					     f.wbits, batch, mode, forms[i],
					     kernels[k]);
					bad++;
				}
			}
		}
next:
		free(in);
		free(want);
		free(got);
		free(one);
		fixture_free(&f);
	}
	CHECK_EQ(bad, 0);
	/* all but the layers with more rows than entries (few kept weights) */
	CHECK(with_rows > 160);
}

/*
 * The int32 halves at their bound: one row of 2^15 slots (1-bit indices,
 * 2^15 columns), every product 2^30 or -2^30 + 2^15; the reference says
 * what the int64 sum gives.
 */
static void rows_form_longest_row_is_exact(void)
{
	struct fixture f = { .rows = 9, .cols = 1 << 15, .pes = 2, .wbits = 1,
			     .zbits = 4, .in_frac = 15, .w_frac = 15,
			     .out_frac = 0 };
	int16_t *in = calloc(f.cols, sizeof(*in));
	int16_t out[9], want[9];

	fixture_alloc(&f, true);
	f.codebook[1] = INT16_MIN;
	memset(f.widx, 1, (size_t)f.rows * f.cols);
	f.bias[1] = INT32_MIN;
	f.bias[2] = INT32_MAX;
	CHECK_EQ(fixture_encode(&f), 0);
	CHECK(eie_has_rows_form(&f.l));
	for (int pattern = 0; in && pattern < 3; pattern++) {
		for (uint32_t j = 0; j < f.cols; j++)
			in[j] = pattern == 0 ? INT16_MIN :
				pattern == 1 ? INT16_MAX :
				(int16_t)(j & 1 ? INT16_MAX : INT16_MIN);
		ref_fc(&f.ref, in, want);
		for (int k = 0; k < 2; k++) {
			CHECK_EQ(run_with(EIE_FORM_ROWS, k ? EIE_KERNELS_BASELINE :
					  EIE_KERNELS_AUTO, &f.l, 1, in, out,
					  NULL, NULL), 0);
			CHECK(!memcmp(out, want, sizeof(out)));
		}
	}
	free(in);
	fixture_free(&f);
}

/* Too wide for 16-bit slots: no rows form, and forcing it runs columns. */
static void rows_form_absent_when_too_wide(void)
{
	struct fixture f = { .rows = 20, .cols = 4097, .pes = 4, .wbits = 4,
			     .zbits = 4, .in_frac = 8, .w_frac = 8,
			     .out_frac = 8 };
	struct rng r = { 5 };
	int16_t *in = calloc(f.cols, sizeof(*in)), out[20], want[20];
	struct eie_decoded d;
	void *buf;

	fixture_alloc(&f, false);
	fixture_randomize(&f, &r, 0.3);
	for (uint32_t j = 0; in && j < f.cols; j++)
		in[j] = (int16_t)rng_range(&r, -3000, 3000);
	CHECK_EQ(fixture_encode(&f), 0);
	CHECK(!eie_has_rows_form(&f.l));
	CHECK_EQ(eie_decoded_rows_size(&f.l), 0);
	buf = calloc(1, eie_decoded_size(&f.l));
	eie_decode_layer(&f.l, buf, &d);
	eie_decode_rows(&d, NULL);
	CHECK_EQ(d.rows.chunks, 0);
	ref_fc(&f.ref, in, want);
	CHECK_EQ(run_with(EIE_FORM_ROWS, EIE_KERNELS_AUTO, &f.l, 1, in, out,
			  NULL, NULL), 0);
	CHECK(!memcmp(out, want, sizeof(out)));
	free(buf);
	free(in);
	fixture_free(&f);
}

/*
 * The padding is what the sort promises: rows of equal length need none
 * (but the last chunk's missing lanes), and any layer stays within the
 * entries plus EIE_ROW_LANES times its longest row.
 */
static void rows_form_padding_is_bounded(void)
{
	struct rng r = { 77 };

	for (int iter = 0; iter < 40; iter++) {
		struct fixture f = { .rows = (uint32_t)rng_range(&r, 1, 300),
				     .cols = (uint32_t)rng_range(&r, 1, 400),
				     .pes = 8, .wbits = 4, .zbits = 4,
				     .in_frac = 8, .w_frac = 8, .out_frac = 8 };
		const bool equal = iter % 2;
		struct eie_decoded d;
		uint64_t nonpad, longest = 0;
		void *buf, *rows;

		fixture_alloc(&f, false);
		fixture_randomize(&f, &r, equal ? 1.0 :
				  (double)rng_range(&r, 0, 100) / 100.0);
		CHECK_EQ(fixture_encode(&f), 0);
		buf = calloc(1, eie_decoded_size(&f.l));
		rows = calloc(1, eie_decoded_rows_size(&f.l));
		eie_decode_layer(&f.l, buf, &d);
		eie_decode_rows(&d, rows);
		nonpad = d.colstart[f.cols];
		for (uint32_t i = 0; i < f.rows; i++) {
			uint64_t n = 0;

			for (uint32_t j = 0; j < f.cols; j++)
				n += f.widx[(size_t)i * f.cols + j] != 0;
			longest = n > longest ? n : longest;
		}
		CHECK_EQ(d.rows.chunks,
			 eie_has_rows_form(&f.l) && f.rows <= nonpad ?
			 (f.rows + EIE_ROW_LANES - 1) / EIE_ROW_LANES : 0);
		if (!d.rows.chunks) {
			/* more rows than weights: none, and nothing to bound */
			CHECK(f.rows > nonpad);
		} else if (equal)
			CHECK_EQ(d.rows.start[d.rows.chunks],
				 (uint64_t)d.rows.chunks * EIE_ROW_LANES * longest);
		CHECK(!d.rows.chunks || d.rows.start[d.rows.chunks] <=
		      nonpad + EIE_ROW_LANES * longest);
		free(rows);
		free(buf);
		fixture_free(&f);
	}
}

struct stop_after {
	unsigned int calls, stop_at;
};

static bool stop_after(void *opaque)
{
	struct stop_after *s = opaque;

	return ++s->calls >= s->stop_at;
}

/* A reset stops the rows form between chunks, every 2^16 slots. */
static void rows_form_stops_when_polled(void)
{
	struct fixture f = { .rows = 64, .cols = 2048, .pes = 8, .wbits = 5,
			     .zbits = 4, .in_frac = 8, .w_frac = 8,
			     .out_frac = 8 };
	struct rng r = { 9 };
	int16_t *in = calloc(f.cols, sizeof(*in)), out[64];
	struct stop_after never = { 0, 1000 }, second = { 0, 2 };
	struct eie_poll poll = { stop_after, &never };

	fixture_alloc(&f, false);
	fixture_randomize(&f, &r, 1.0);	/* 2^17 slots */
	for (uint32_t j = 0; in && j < f.cols; j++)
		in[j] = (int16_t)rng_range(&r, 1, 3000);
	CHECK_EQ(fixture_encode(&f), 0);
	CHECK_EQ(run_with(EIE_FORM_ROWS, EIE_KERNELS_AUTO, &f.l, 1, in, out,
			  NULL, &poll), 0);
	/* before the vector, then after 2^16 and 2^17 slots */
	CHECK_EQ(never.calls, 3);
	poll.opaque = &second;
	CHECK_EQ(run_with(EIE_FORM_ROWS, EIE_KERNELS_AUTO, &f.l, 1, in, out,
			  NULL, &poll), -ECANCELED);
	CHECK_EQ(second.calls, 2);
	free(in);
	fixture_free(&f);
}

/* More rows than entries: no rows form (16 bytes a row for nothing). */
static void rows_form_absent_when_rows_outnumber_entries(void)
{
	struct fixture f = { .rows = 300, .cols = 2, .pes = 1, .wbits = 4,
			     .zbits = 8, .in_frac = 8, .w_frac = 8,
			     .out_frac = 8 };
	int16_t in[2] = { 100, -7 }, out[300], want[300];

	fixture_alloc(&f, true);
	f.widx[5 * 2] = 3;		/* two weights in 300 rows */
	f.widx[299 * 2 + 1] = 1;
	CHECK_EQ(fixture_encode(&f), 0);
	CHECK(f.s.entry_count < f.rows);
	CHECK(!eie_has_rows_form(&f.l));
	CHECK_EQ(eie_decoded_rows_size(&f.l), 0);
	ref_fc(&f.ref, in, want);
	CHECK_EQ(run_with(EIE_FORM_ROWS, EIE_KERNELS_AUTO, &f.l, 1, in, out,
			  NULL, NULL), 0);
	CHECK(!memcmp(out, want, sizeof(out)));
	fixture_free(&f);
}

static const struct tap_test tests[] = {
	TAP_TEST(rows_form_matches_reference),
	TAP_TEST(rows_form_longest_row_is_exact),
	TAP_TEST(rows_form_absent_when_too_wide),
	TAP_TEST(rows_form_absent_when_rows_outnumber_entries),
	TAP_TEST(rows_form_padding_is_bounded),
	TAP_TEST(rows_form_stops_when_polled),
};

TAP_MAIN(tests)
