// SPDX-License-Identifier: MIT
/*
 * dp_conv_run() on the host, every instruction-set path of its rows form
 * (dp_conv_rows.h: generic C, AVX2, AVX-512) that this CPU has, held to
 * conv_reference.c on random convolutions chosen to reach each corner of
 * that form: output rows shorter and longer than a tile, a stride_h above
 * 1 (one stretch per row), pairs of neighbouring taps and lone ones,
 * maps whose sums need 64 bits, and the decoded form where the rows form
 * does not apply (stride_w above 1); and the cycle model's paths
 * (dp_conv_cycles.c) against the reference's counters on the same maps.
 */
#include <stdlib.h>
#include <string.h>

#include "conv_reference.h"
#include "dp_conv.h"
#include "dp_isa.h"
#include "eie_fixture.h"
#include "../lib/rng.h"
#include "../lib/tap.h"

struct shape {
	uint32_t c, h, w, k, kh, kw, sh, sw, ph, pw;
};

/*
 * The statistics of dp_conv_run() and the cycle model of
 * dp_conv_model_cycles() (queue depths 1 and 8) on map x equal the
 * reference's.
 */
static bool counters_match(const struct dp_conv *conv, const struct fixture *f,
			   const struct ref_geometry *g, uint32_t k,
			   const int16_t *x)
{
	const struct ref_conv ref = { .g = *g, .out_channels = k,
		.widx = f->widx, .codebook = f->codebook, .bias = f->bias,
		.in_frac = f->in_frac, .w_frac = f->w_frac,
		.out_frac = f->out_frac, .relu = f->relu };
	const struct ref_streams rs = { .pes = f->pes, .colptr = f->s.colptr,
		.entries = f->s.entries,
		.entry_bytes = DCACCEL_EIE_ENTRY_BYTES(f->wbits, f->zbits),
		.zbits = f->zbits };
	const size_t out_n = (size_t)k * ref_out_h(g) * ref_out_w(g);
	bool ok = true;

	for (uint32_t q = 1; q <= 8; q += 7) {
		struct eie_stats want_st = { 0 }, got_st = { 0 };
		struct eie_cycles want_cy = { 0 }, got_cy = { 0 };
		uint64_t want_busy[64] = { 0 }, got_busy[64] = { 0 };
		void *ws = malloc(dp_conv_cycles_ws_size(conv, q));
		void *run_ws = malloc(dp_conv_run_ws_size(conv));
		int16_t *y = malloc(out_n * sizeof(*y));

		if (!ws || !run_ws || !y)
			abort();
		ref_conv_counters(&ref, &rs, q, x, &want_st, &want_cy, want_busy);
		ok = ok && dp_conv_model_cycles(conv, q, 1, x, ws, &got_cy,
						got_busy, NULL) == 0 &&
		     dp_conv_run(conv, 1, x, y, run_ws, &got_st, NULL) == 0 &&
		     !memcmp(&want_st, &got_st, sizeof(want_st)) &&
		     !memcmp(&want_cy, &got_cy, sizeof(want_cy)) &&
		     !memcmp(want_busy, got_busy, sizeof(want_busy));
		free(ws);
		free(run_ws);
		free(y);
	}
	return ok;
}

/*
 * One random convolution of shape s at weight density d, one map with
 * inputs up to max_in, through dp_conv_run() and dp_conv_run_prepared():
 * both must equal the reference.
 */
static bool conv_matches(struct rng *rng, const struct shape *s, double d,
			 int16_t max_in, uint32_t pes)
{
	struct fixture f = {
		.rows = s->k, .cols = s->c * s->kh * s->kw, .pes = pes,
		.wbits = (uint8_t)rng_range(rng, 2, 8),
		.zbits = (uint8_t)rng_range(rng, 2, 6),
		.in_frac = 8, .w_frac = 12, .out_frac = 8,
		.relu = rng_chance(rng, 0.5),
	};
	struct ref_geometry g = { s->c, s->h, s->w, s->kh, s->kw, s->sh, s->sw,
				  s->ph, s->pw };
	const size_t in_n = (size_t)s->c * s->h * s->w;
	const size_t out_n = (size_t)s->k * ref_out_h(&g) * ref_out_w(&g);
	struct dp_conv conv;
	struct dp_conv_prepared prep;
	struct eie_error err;
	int16_t *x, *want, *got, *got_prep;
	void *ws, *buf, *pws;
	bool ok;

	fixture_alloc(&f, rng_chance(rng, 0.7));
	fixture_randomize(&f, rng, d);
	if (fixture_encode(&f))
		abort();
	conv = (struct dp_conv){ .filters = f.l, .in_channels = s->c,
		.win = { .in_h = s->h, .in_w = s->w,
			 .kernel_h = (uint8_t)s->kh, .kernel_w = (uint8_t)s->kw,
			 .stride_h = (uint8_t)s->sh, .stride_w = (uint8_t)s->sw,
			 .pad_h = (uint8_t)s->ph, .pad_w = (uint8_t)s->pw } };
	if (dp_conv_validate(&conv, &err)) {
		DIAG("invalid: %s", err.msg);
		abort();
	}
	x = calloc(in_n, sizeof(*x));
	want = calloc(out_n, sizeof(*want));
	got = calloc(out_n, sizeof(*got));
	got_prep = calloc(out_n, sizeof(*got_prep));
	ws = malloc(dp_conv_run_ws_size(&conv));
	buf = malloc(dp_conv_prepared_size(&conv));
	pws = malloc(dp_conv_prepared_ws_size(&conv));
	if (!x || !want || !got || !got_prep || !ws || !buf || !pws)
		abort();
	for (size_t i = 0; i < in_n; i++)
		x[i] = rng_chance(rng, 0.5) ?
		       (int16_t)rng_range(rng, -max_in, max_in) : 0;
	ref_conv(&(struct ref_conv){ .g = g, .out_channels = s->k,
		 .widx = f.widx, .codebook = f.codebook, .bias = f.bias,
		 .in_frac = f.in_frac, .w_frac = f.w_frac,
		 .out_frac = f.out_frac, .relu = f.relu }, x, want);
	ok = dp_conv_run(&conv, 1, x, got, ws, NULL, NULL) == 0 &&
	     !memcmp(got, want, out_n * sizeof(*got));
	ok = ok && counters_match(&conv, &f, &g, s->k, x);
	dp_conv_prepare(&conv, buf, &prep);
	ok = ok && dp_conv_run_prepared(&prep, 1, x, got_prep, pws, NULL,
					NULL) == 0 &&
	     !memcmp(got_prep, want, out_n * sizeof(*got));
	if (!ok)
		DIAG("C %u %ux%u K %u kernel %ux%u stride %ux%u pad %ux%u density %.2f max_in %d",
		     s->c, s->h, s->w, s->k, s->kh, s->kw, s->sh, s->sw, s->ph,
		     s->pw, d, max_in);
	free(x);
	free(want);
	free(got);
	free(got_prep);
	free(ws);
	free(buf);
	free(pws);
	fixture_free(&f);
	return ok;
}

/* Shapes for the corners; each runs narrow (small inputs) and wide. */
static const struct shape shapes[] = {
	{ 1, 28, 28, 20, 5, 5, 1, 1, 0, 0 },	/* LeNet conv1: rows of 24 */
	{ 20, 12, 12, 50, 5, 5, 1, 1, 0, 0 },	/* LeNet conv2: one tile */
	{ 8, 13, 13, 24, 3, 3, 1, 1, 1, 1 },	/* AlexNet's 3x3, padded */
	{ 3, 9, 200, 5, 3, 7, 1, 1, 1, 3 },	/* rows longer than a tile */
	{ 4, 17, 17, 6, 3, 3, 2, 1, 1, 1 },	/* stride_h 2: a stretch a row */
	{ 2, 23, 19, 3, 11, 11, 3, 1, 5, 5 },	/* kernel 11, stride_h 3 */
	{ 5, 6, 6, 7, 1, 1, 1, 1, 0, 0 },	/* 1x1: no pairs at all */
	{ 3, 1, 1, 9, 1, 1, 1, 1, 0, 0 },	/* one output position */
	{ 4, 15, 15, 8, 3, 3, 2, 2, 1, 1 },	/* stride_w 2: the decoded form */
};

static void test_every_path_matches_reference(void)
{
	static const struct {
		enum dp_isa isa;
		const char *name;
	} isas[] = {
		{ DP_ISA_GENERIC, "generic" },
		{ DP_ISA_AVX2, "AVX2" },
		{ DP_ISA_AVX512, "AVX-512" },
	};
	unsigned int ran = 0;

	for (size_t i = 0; i < sizeof(isas) / sizeof(isas[0]); i++) {
		struct rng rng = { 0x5eed + i };

		if (!dp_isa_force(isas[i].isa)) {
			DIAG("%s: not on this CPU", isas[i].name);
			continue;
		}
		ran++;
		for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++)
			for (int rep = 0; rep < 3; rep++) {
				double d = rep == 0 ? 0.1 : rep == 1 ? 0.4 : 0.9;

				/* PEs: a vector's tail, several vectors */
				CHECK(conv_matches(&rng, &shapes[s], d, 64,
						   rep == 0 ? 21 : rep == 1 ? 64 : 4));
				CHECK(conv_matches(&rng, &shapes[s], d,
						   INT16_MAX, 3));
			}
	}
	dp_isa_force(DP_ISA_BEST);
	CHECK(ran >= 1);
}

/*
 * One filter of two taps, both weight w, over a 1 x 2 map x of one
 * channel (one output), with bias and out_frac (in_frac and w_frac 15),
 * on every path this CPU has: the engine's output equals the
 * reference's, which is want.
 */
static bool two_taps(int16_t w, int32_t bias, uint8_t out_frac,
		     const int16_t x[2], int16_t want)
{
	bool ok = true;

	for (int isa = DP_ISA_GENERIC; isa < DP_ISA_BEST; isa++) {
		struct fixture f = {
			.rows = 1, .cols = 2, .pes = 1, .wbits = 1, .zbits = 2,
			.in_frac = 15, .w_frac = 15, .out_frac = out_frac,
		};
		struct dp_conv conv;
		int16_t y[1], ref[1];
		struct eie_error err;
		void *ws;

		if (!dp_isa_force((enum dp_isa)isa))
			continue;
		fixture_alloc(&f, true);
		f.codebook[1] = w;
		f.widx[0] = f.widx[1] = 1;
		f.bias[0] = bias;
		if (fixture_encode(&f))
			abort();
		conv = (struct dp_conv){ .filters = f.l, .in_channels = 1,
			.win = { .in_h = 1, .in_w = 2, .kernel_h = 1,
				 .kernel_w = 2, .stride_h = 1, .stride_w = 1 } };
		ws = malloc(dp_conv_run_ws_size(&conv));
		if (!ws || dp_conv_validate(&conv, &err))
			abort();
		ref_conv(&(struct ref_conv){ .g = { 1, 1, 2, 1, 2, 1, 1, 0, 0 },
			 .out_channels = 1, .widx = f.widx,
			 .codebook = f.codebook, .bias = f.bias, .in_frac = 15,
			 .w_frac = 15, .out_frac = out_frac }, x, ref);
		ok = ok && dp_conv_run(&conv, 1, x, y, ws, NULL, NULL) == 0 &&
		     y[0] == ref[0] && ref[0] == want;
		if (!ok)
			DIAG("isa %d: engine %d, reference %d, want %d", isa, y[0],
			     ref[0], want);
		free(ws);
		fixture_free(&f);
	}
	dp_isa_force(DP_ISA_BEST);
	return ok;
}

/*
 * The one pair whose 16-bit multiply-add overflows 32 bits: two taps of
 * -32768 on two inputs of -32768 sum to 2^31. The engine must not take
 * the 32-bit path for it (its bound says 2 x 2^30 does not fit); 2^31
 * >> 15 = 2^16 saturates.
 */
/* The modeled cycles of K random filters of LeNet-5's conv2 shape (20
 * channels of 12 x 12, 5 x 5) over one half-dense map, on 64 PEs. */
static uint64_t conv2_cycles(uint32_t k, uint64_t seed)
{
	struct rng rng = { seed };
	struct fixture f = { .rows = k, .cols = 20 * 25, .pes = 64,
		.wbits = 4, .zbits = 4, .in_frac = 8, .w_frac = 12, .out_frac = 8 };
	struct eie_cycles cy = { 0 };
	struct dp_conv conv;
	int16_t *x = calloc(20 * 144, sizeof(*x));
	void *ws;

	fixture_alloc(&f, true);
	fixture_randomize(&f, &rng, 0.2);
	if (!x || fixture_encode(&f))
		abort();
	conv = (struct dp_conv){ .filters = f.l, .in_channels = 20,
		.win = { .in_h = 12, .in_w = 12, .kernel_h = 5, .kernel_w = 5,
			 .stride_h = 1, .stride_w = 1 } };
	ws = malloc(dp_conv_cycles_ws_size(&conv, 8));
	if (!ws)
		abort();
	for (size_t i = 0; i < 20 * 144; i++)
		x[i] = rng_chance(&rng, 0.5) ? (int16_t)rng_range(&rng, 1, 64) : 0;
	if (dp_conv_model_cycles(&conv, 8, 1, x, ws, &cy, NULL, NULL))
		abort();
	free(ws);
	free(x);
	fixture_free(&f);
	return cy.cycles;
}

/*
 * Filter copies (hardware.rst): with fewer filters than PEs, removing
 * half of them takes about half the time, as it takes half the work;
 * without copies the time was that of one filter per PE whatever K.
 * (Far fewer, and one broadcast a cycle bounds it: 16 -> 8 gains 21%.)
 */
static void test_fewer_filters_fewer_cycles(void)
{
	static const uint32_t pairs[][2] = { { 50, 25 }, { 40, 20 } };

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		uint64_t all = conv2_cycles(pairs[i][0], 7 + i);
		uint64_t half = conv2_cycles(pairs[i][1], 7 + i);

		DIAG("%u filters on 64 PEs: %llu cycles; %u: %llu (%.2f)", pairs[i][0],
		     (unsigned long long)all, pairs[i][1], (unsigned long long)half,
		     (double)half / (double)all);
		CHECK(half < all * 3 / 4);
	}
}

/* hardware.rst's worked example of filter copies, on P PEs (4: G = 2). */
static void copies_example(uint32_t pes, struct eie_cycles *cy, uint64_t *busy,
			   struct eie_stats *st)
{
	/* filter 0: every tap; filter 1: (0, 0) only; columns (r 2 + s) */
	static const uint8_t widx[2 * 4] = { 1, 1, 1, 1, 1, 0, 0, 0 };
	static const int16_t codebook[2] = { 0, 1 };
	int16_t x[9] = { 0 }, y[2 * 4];
	struct eie_streams s;
	struct eie_error err;
	struct dp_conv conv;
	void *ws, *run_ws;

	if (eie_encode(widx, 2, 4, pes, 1, 2, &s, &err))
		abort();
	conv = (struct dp_conv){ .in_channels = 1,
		.win = { .in_h = 3, .in_w = 3, .kernel_h = 2, .kernel_w = 2,
			 .stride_h = 1, .stride_w = 1 } };
	eie_streams_to_layer(&s, &conv.filters);
	conv.filters.codebook = codebook;
	conv.filters.codebook_len = 2;
	x[1 * 3 + 1] = 1;	/* inputs (1, 1) and (2, 2) */
	x[2 * 3 + 2] = 1;
	ws = malloc(dp_conv_cycles_ws_size(&conv, 1));
	run_ws = malloc(dp_conv_run_ws_size(&conv));
	if (!ws || !run_ws || dp_conv_validate(&conv, &err) ||
	    dp_conv_model_cycles(&conv, 1, 1, x, ws, cy, busy, NULL) ||
	    dp_conv_run(&conv, 1, x, y, run_ws, st, NULL))
		abort();
	free(ws);
	free(run_ws);
	eie_streams_free(&s);
}

static void test_copies_worked_example(void)
{
	struct eie_cycles cy = { 0 };
	struct eie_stats st = { 0 };
	uint64_t busy[4] = { 0 };

	copies_example(4, &cy, busy, &st);
	CHECK_EQ(cy.cycles, 4);
	CHECK_EQ(cy.busy, 12);
	CHECK_EQ(cy.lnzd_stalls, 0);
	for (int p = 0; p < 4; p++)
		CHECK_EQ(busy[p], 3);
	CHECK_EQ(st.nonzero_acts, 2);
	CHECK_EQ(st.entries, 6);
	CHECK_EQ(st.padding, 0);
	CHECK_EQ(st.macs, 6);
	/* without copies: two PEs, one filter each */
	memset(&cy, 0, sizeof(cy));
	memset(busy, 0, sizeof(busy));
	copies_example(2, &cy, busy, &st);
	CHECK_EQ(cy.cycles, 6);
	CHECK_EQ(busy[0], 5);
	CHECK_EQ(busy[1], 5);
}

static void test_extreme_pair(void)
{
	const int16_t x[2] = { INT16_MIN, INT16_MIN };

	CHECK(two_taps(INT16_MIN, 0, 15, x, INT16_MAX));
}

/*
 * Sums that fit 32 bits whose sum with the bias does not: 2 x 32767^2
 * plus 2^21 is above 2^31. The rows form's 32-bit finish must not be
 * used for them; the output is (sum + bias + 2^29) >> 30 = 2.
 */
static void test_bias_past_32_bits(void)
{
	const int16_t x[2] = { INT16_MAX, INT16_MAX };

	CHECK(two_taps(INT16_MAX, 1 << 21, 0, x, 2));
}

static const struct tap_test tests[] = {
	TAP_TEST(test_every_path_matches_reference),
	TAP_TEST(test_fewer_filters_fewer_cycles),
	TAP_TEST(test_copies_worked_example),
	TAP_TEST(test_extreme_pair),
	TAP_TEST(test_bias_past_32_bits),
};

TAP_MAIN(tests)
