// SPDX-License-Identifier: MIT
/* The engine against the dense reference: random layers and the edges. */
#include <stdlib.h>
#include <string.h>

#include "eie_fixture.h"
#include "tap.h"

static int16_t *random_input(struct rng *r, uint32_t n, double density)
{
	int16_t *x = calloc(n, sizeof(*x));

	for (uint32_t j = 0; x && j < n; j++)
		x[j] = rng_chance(r, density) ?
			(int16_t)rng_range(r, INT16_MIN, INT16_MAX) : 0;
	return x;
}

/*
 * Run the layer on `batch` vectors through the engine and, one by one,
 * through the reference; count the outputs that differ.
 */
static unsigned int compare_with_reference(struct fixture *f, uint32_t batch,
					   const int16_t *in,
					   struct eie_stats *stats)
{
	int16_t *got = calloc((size_t)batch * f->rows, sizeof(*got));
	int16_t *decoded = calloc((size_t)batch * f->rows, sizeof(*got));
	int16_t *want = calloc(f->rows, sizeof(*want));
	struct eie_stats direct = { 0 }, via_decoded = { 0 };
	unsigned int diffs = 0;

	run_engine(&f->l, batch, in, got, &direct);
	run_engine_decoded(&f->l, batch, in, decoded, &via_decoded);
	if (memcmp(got, decoded, (size_t)batch * f->rows * sizeof(*got)) ||
	    memcmp(&direct, &via_decoded, sizeof(direct))) {
		DIAG("the decoded form disagrees with the streams");
		diffs++;
	}
	if (stats) {
		stats->nonzero_acts += direct.nonzero_acts;
		stats->entries += direct.entries;
		stats->padding += direct.padding;
		stats->macs += direct.macs;
	}
	for (uint32_t b = 0; b < batch; b++) {
		ref_fc(&f->ref, in + (size_t)b * f->cols, want);
		for (uint32_t i = 0; i < f->rows; i++) {
			if (got[(size_t)b * f->rows + i] == want[i])
				continue;
			if (diffs++ < 3)
				DIAG("vector %u row %u: engine %d, reference %d",
				     b, i, got[(size_t)b * f->rows + i], want[i]);
		}
	}
	free(got);
	free(decoded);
	free(want);
	return diffs;
}

/* Weights that meet a non-zero activation: what the MAC count must be. */
static uint64_t expected_macs(const struct fixture *f, uint32_t batch,
			      const int16_t *in)
{
	uint64_t macs = 0;

	for (uint32_t b = 0; b < batch; b++)
		for (uint32_t j = 0; j < f->cols; j++)
			for (uint32_t i = 0; in[(size_t)b * f->cols + j] && i < f->rows; i++)
				macs += f->widx[(size_t)i * f->cols + j] != 0;
	return macs;
}

static void random_layers_match_reference(void)
{
	static const uint32_t pes_choice[] = { 1, 2, 3, 4, 7, 8, 16, 64, 256 };
	struct rng r = { 2016 };
	unsigned int bad_layers = 0;

	for (int iter = 0; iter < 400; iter++) {
		struct fixture f = fixture_random_format(&r, 200, 200,
						 pes_choice[rng_range(&r, 0, 8)], 8);
		uint32_t batch = (uint32_t)rng_range(&r, 1, 4);
		struct eie_stats st = { 0 };
		int16_t *in;

		fixture_alloc(&f, rng_chance(&r, 0.7));
		fixture_randomize(&f, &r, rng_chance(&r, 0.2) ? 1.0 :
				  (double)rng_range(&r, 0, 100) / 100.0);
		in = random_input(&r, f.cols * batch,
				  (double)rng_range(&r, 0, 100) / 100.0);
		if (fixture_encode(&f) || !in) {
			bad_layers++;
		} else {
			unsigned int diffs = compare_with_reference(&f, batch,
								    in, &st);

			if (diffs || st.macs != expected_macs(&f, batch, in) ||
			    st.entries != st.macs + st.padding) {
				DIAG("layer %d: %ux%u P=%u w%u z%u: %u outputs differ, macs %llu",
				     iter, f.rows, f.cols, f.pes, f.wbits,
				     f.zbits, diffs, (unsigned long long)st.macs);
				bad_layers++;
			}
		}
		free(in);
		fixture_free(&f);
	}
	CHECK_EQ(bad_layers, 0);
}

/* A small layer with every activation non-zero: the stream is read whole. */
static void dense_activations_stream_everything(void)
{
	struct rng r = { 7 };
	struct fixture f = { .rows = 100, .cols = 50, .pes = 2, .wbits = 4,
			     .zbits = 4, .in_frac = 8, .w_frac = 8,
			     .out_frac = 8 };
	struct eie_stats st = { 0 };
	int16_t *in;

	fixture_alloc(&f, true);
	fixture_randomize(&f, &r, 0.05);	/* sparse: long zero runs */
	in = random_input(&r, f.cols, 1.0);
	for (uint32_t j = 0; j < f.cols; j++)
		in[j] |= 1;	/* no zero by chance */
	CHECK_EQ(fixture_encode(&f), 0);
	CHECK_EQ(compare_with_reference(&f, 1, in, &st), 0);
	CHECK_EQ(st.nonzero_acts, f.cols);
	CHECK_EQ(st.entries, f.s.entry_count);
	CHECK_EQ(st.padding, f.s.padding_count);
	CHECK(f.s.padding_count > 0);
	free(in);
	fixture_free(&f);
}

/* Shapes at the edges, each against the reference. */
static void check_shape(uint32_t rows, uint32_t cols, uint32_t pes,
			uint8_t wbits, uint8_t zbits, double density,
			double act_density)
{
	struct rng r = { rows * 7919u + cols * 31u + pes };
	struct fixture f = { .rows = rows, .cols = cols, .pes = pes,
			     .wbits = wbits, .zbits = zbits, .in_frac = 7,
			     .w_frac = 9, .out_frac = 6, .relu = true };
	int16_t *in;

	fixture_alloc(&f, true);
	fixture_randomize(&f, &r, density);
	in = random_input(&r, cols * 2, act_density);
	CHECK_EQ(fixture_encode(&f), 0);
	CHECK_EQ(compare_with_reference(&f, 2, in, NULL), 0);
	free(in);
	fixture_free(&f);
}

static void edge_shapes_match_reference(void)
{
	check_shape(1, 1, 1, 4, 4, 1.0, 1.0);		/* 1 x 1 */
	check_shape(1, 1, 64, 4, 4, 1.0, 1.0);		/* 1 x 1 on 64 PEs */
	check_shape(5, 40, 64, 4, 4, 0.5, 0.5);		/* m < P */
	check_shape(130, 40, 64, 4, 4, 0.3, 0.5);	/* m not a multiple of P */
	check_shape(300, 1, 8, 4, 4, 0.3, 1.0);		/* n = 1 */
	check_shape(64, 100, 64, 4, 4, 0.01, 1.0);	/* mostly empty columns */
	check_shape(257, 33, 256, 8, 8, 0.9, 0.9);	/* widest codebook, P max */
	check_shape(40, 40, 3, 1, 1, 0.5, 0.5);		/* 1-bit fields */
}

static void zero_matrix_gives_bias(void)
{
	struct fixture f = { .rows = 70, .cols = 20, .pes = 64, .wbits = 4,
			     .zbits = 4, .in_frac = 4, .w_frac = 4,
			     .out_frac = 4 };
	struct rng r = { 3 };
	struct eie_stats st = { 0 };
	int16_t *in = random_input(&r, f.cols, 1.0), *out;

	fixture_alloc(&f, true);
	fixture_randomize(&f, &r, 0.0);
	for (uint32_t i = 0; i < f.rows; i++)
		f.bias[i] = (int32_t)i * 16 - 296;	/* Q8 bias, ties at Q4 */
	CHECK_EQ(fixture_encode(&f), 0);
	CHECK_EQ(f.s.entry_count, 0);
	out = calloc(f.rows, sizeof(*out));
	run_engine(&f.l, 1, in, out, &st);
	for (uint32_t i = 0; i < f.rows; i++)
		CHECK_EQ(out[i], ((int32_t)i * 16 - 296 + 8) >> 4);
	CHECK_EQ(st.entries, 0);
	CHECK_EQ(st.macs, 0);
	free(out);
	free(in);
	fixture_free(&f);
}

static void zero_activations_do_no_work(void)
{
	struct fixture f = { .rows = 100, .cols = 100, .pes = 4, .wbits = 4,
			     .zbits = 4, .in_frac = 8, .w_frac = 8,
			     .out_frac = 8, .relu = true };
	struct rng r = { 4 };
	struct eie_stats st = { 0 };
	int16_t *in = calloc(f.cols, sizeof(*in)), *out;

	fixture_alloc(&f, true);
	fixture_randomize(&f, &r, 0.5);
	CHECK_EQ(fixture_encode(&f), 0);
	out = calloc(f.rows, sizeof(*out));
	run_engine(&f.l, 1, in, out, &st);
	CHECK_EQ(st.nonzero_acts, 0);
	CHECK_EQ(st.entries, 0);
	for (uint32_t i = 0; i < f.rows; i++) {
		int64_t b = f.bias[i] < 0 ? 0 : f.bias[i];

		b = (b + 128) >> 8;
		CHECK_EQ(out[i], b > INT16_MAX ? INT16_MAX : b);
	}
	free(out);
	free(in);
	fixture_free(&f);
}

/* One row, one column: the output stage by hand. */
static int16_t one_mac(int16_t w, int16_t a, int32_t bias, uint8_t in_frac,
		       uint8_t w_frac, uint8_t out_frac, bool relu)
{
	struct fixture f = { .rows = 1, .cols = 1, .pes = 1, .wbits = 1,
			     .zbits = 1, .in_frac = in_frac, .w_frac = w_frac,
			     .out_frac = out_frac, .relu = relu };
	int16_t out = 0x5555;

	fixture_alloc(&f, true);
	f.codebook[1] = w;
	f.widx[0] = w ? 1 : 0;
	f.bias[0] = bias;
	if (!fixture_encode(&f))
		run_engine(&f.l, 1, &a, &out, NULL);
	fixture_free(&f);
	return out;
}

static void arithmetic_by_hand(void)
{
	/* 1.5 * 2.0 = 3.0: Q1 x Q1 -> Q2, output Q0 */
	CHECK_EQ(one_mac(3, 4, 0, 1, 1, 0, false), 3);
	/* round half up: 0.5 -> 1, -0.5 -> 0, -1.5 -> -1, 1.25 -> 1 */
	CHECK_EQ(one_mac(1, 1, 0, 1, 0, 0, false), 1);
	CHECK_EQ(one_mac(-1, 1, 0, 1, 0, 0, false), 0);
	CHECK_EQ(one_mac(-3, 1, 0, 1, 0, 0, false), -1);
	CHECK_EQ(one_mac(5, 1, 0, 2, 0, 0, false), 1);
	/* negative times negative */
	CHECK_EQ(one_mac(-200, -100, 0, 0, 0, 0, false), 20000);
	/* ReLU */
	CHECK_EQ(one_mac(-200, 100, 0, 0, 0, 0, true), 0);
	CHECK_EQ(one_mac(-200, 100, 0, 0, 0, 0, false), -20000);
	/* bias is at in_frac + w_frac: 3 + 8/4 = 5 */
	CHECK_EQ(one_mac(3, 1, 8, 1, 1, 0, false), 3);
	/* saturation at both ends */
	CHECK_EQ(one_mac(INT16_MAX, INT16_MAX, 0, 0, 0, 0, false), INT16_MAX);
	CHECK_EQ(one_mac(INT16_MIN, INT16_MAX, 0, 0, 0, 0, false), INT16_MIN);
	CHECK_EQ(one_mac(INT16_MIN, INT16_MIN, 0, 15, 15, 14, false), 16384);
	/* -1.0 * -1.0 in Q15: 2^30 >> 15 = 32768 saturates to 32767 */
	CHECK_EQ(one_mac(INT16_MIN, INT16_MIN, 0, 15, 15, 15, false), 32767);
	/* the largest shift: 30 */
	CHECK_EQ(one_mac(INT16_MAX, INT16_MAX, 0, 15, 15, 0, false), 1);
}

/* Sums far past int16 in the accumulator, brought back by the bias. */
static void accumulator_does_not_wrap(void)
{
	struct fixture f = { .rows = 1, .cols = 4096, .pes = 1, .wbits = 1,
			     .zbits = 4, .in_frac = 0, .w_frac = 0,
			     .out_frac = 0 };
	int16_t *in = calloc(f.cols, sizeof(*in)), out = 0;

	fixture_alloc(&f, true);
	f.codebook[1] = INT16_MAX;
	memset(f.widx, 1, f.cols);
	for (uint32_t j = 0; j < f.cols; j++)
		in[j] = INT16_MAX;
	/* 4096 * 32767^2 is about 2^42; a bias cannot cancel it in int32 */
	f.bias[0] = INT32_MIN;
	CHECK_EQ(fixture_encode(&f), 0);
	run_engine(&f.l, 1, in, &out, NULL);
	CHECK_EQ(out, INT16_MAX);
	in[0] = -in[0];
	for (uint32_t j = 1; j < f.cols; j++)
		in[j] = (int16_t)(j & 1 ? -in[0] : in[0]);
	/* alternating signs: sum = 0 exactly, then bias */
	f.bias[0] = 12345;
	run_engine(&f.l, 1, in, &out, NULL);
	CHECK_EQ(out, 12345);
	free(in);
	fixture_free(&f);
}

static void batch_equals_single_runs(void)
{
	struct rng r = { 11 };
	struct fixture f = { .rows = 90, .cols = 70, .pes = 16, .wbits = 5,
			     .zbits = 4, .in_frac = 10, .w_frac = 12,
			     .out_frac = 10, .relu = true };
	int16_t *in = random_input(&r, f.cols * 8, 0.4);
	int16_t *batched = calloc((size_t)f.rows * 8, sizeof(*batched));
	int16_t *single = calloc(f.rows, sizeof(*single));
	struct eie_stats sb = { 0 }, ss = { 0 };

	fixture_alloc(&f, true);
	fixture_randomize(&f, &r, 0.2);
	CHECK_EQ(fixture_encode(&f), 0);
	run_engine(&f.l, 8, in, batched, &sb);
	for (uint32_t b = 0; b < 8; b++) {
		run_engine(&f.l, 1, in + b * f.cols, single, &ss);
		CHECK(!memcmp(single, batched + b * f.rows,
			      f.rows * sizeof(*single)));
	}
	CHECK(!memcmp(&sb, &ss, sizeof(sb)));
	free(single);
	free(batched);
	free(in);
	fixture_free(&f);
}

/* The decoded form under one choice of kernels. */
static void run_decoded_with(enum eie_kernels k, const struct eie_layer *l,
			     uint32_t batch, const int16_t *in, int16_t *out,
			     struct eie_stats *stats)
{
	eie_set_kernels(k);
	run_engine_decoded(l, batch, in, out, stats);
	eie_set_kernels(EIE_KERNELS_AUTO);
}

/*
 * The batched kernel (batches of 2 and more, AVX2 and baseline copies)
 * against the per-vector kernel and the reference: random layers, batch
 * sizes around the tile's and the vector width's, magnitudes up to the
 * ones that flush the int32 partial sums after every column.
 */
static void batched_kernel_matches_per_vector(void)
{
	static const uint32_t batches[] = { 2, 3, 7, 8, 9, 31, 32, 33, 64, 70 };
	static const uint32_t pes_choice[] = { 1, 3, 8, 64 };
	struct rng r = { 4242 };
	unsigned int bad = 0;

	for (int iter = 0; iter < 160; iter++) {
		const int mode = iter % 4;
		struct fixture f = fixture_random_format(&r, 150, 300,
						 pes_choice[rng_range(&r, 0, 3)], 6);
		uint32_t batch = batches[rng_range(&r, 0, 9)];
		size_t nout;
		int16_t *in, *want, *got, *base, *one;
		struct eie_stats sw = { 0 }, sg = { 0 }, sb = { 0 };

		fixture_alloc_magnitude(&f, &r, mode);
		nout = (size_t)batch * f.rows;
		in = calloc((size_t)batch * f.cols, sizeof(*in));
		want = calloc(nout, sizeof(*want));
		got = calloc(nout, sizeof(*got));
		base = calloc(nout, sizeof(*base));
		one = calloc(f.rows, sizeof(*one));
		for (size_t k = 0; in && k < (size_t)batch * f.cols; k++)
			in[k] = rng_chance(&r, mode == 3 ? 0.9 : 0.5) ?
				fixture_magnitude(&r, mode, 7) : 0;
		if (fixture_encode(&f) || !in || !want || !got || !base || !one) {
			bad++;
			goto next;
		}
		run_decoded_with(EIE_KERNELS_PER_VECTOR, &f.l, batch, in, want, &sw);
		run_decoded_with(EIE_KERNELS_AUTO, &f.l, batch, in, got, &sg);
		run_decoded_with(EIE_KERNELS_BASELINE, &f.l, batch, in, base, &sb);
		if (memcmp(want, got, nout * sizeof(*got)) ||
		    memcmp(want, base, nout * sizeof(*got)) ||
		    memcmp(&sw, &sg, sizeof(sw)) || memcmp(&sw, &sb, sizeof(sw))) {
			DIAG("layer %d: %ux%u P=%u batch %u mode %d: batched "
			     "kernel differs", iter, f.rows, f.cols, f.pes,
			     batch, mode);
			bad++;
			goto next;
		}
		for (uint32_t b = 0; b < batch; b++) {
			ref_fc(&f.ref, in + (size_t)b * f.cols, one);
			if (memcmp(one, got + (size_t)b * f.rows,
				   f.rows * sizeof(*one))) {
				DIAG("layer %d vector %u: differs from the "
				     "reference", iter, b);
				bad++;
				break;
			}
		}
next:
		free(in);
		free(want);
		free(got);
		free(base);
		free(one);
		fixture_free(&f);
	}
	CHECK_EQ(bad, 0);
}

/*
 * The worst case by hand: one row, every column -32768 x -32768 (2^30 a
 * product), so the int32 partial sums are flushed after every column;
 * 4096 columns give 2^42, far past int32, then saturate.
 */
static void batched_kernel_flushes_every_column(void)
{
	struct fixture f = { .rows = 3, .cols = 4096, .pes = 2, .wbits = 1,
			     .zbits = 4, .in_frac = 15, .w_frac = 15,
			     .out_frac = 0 };
	const uint32_t batch = 40;
	int16_t *in = calloc((size_t)f.cols * batch, sizeof(*in));
	int16_t out[3 * 40], want[3];

	fixture_alloc(&f, true);
	f.codebook[1] = INT16_MIN;
	memset(f.widx, 1, (size_t)f.rows * f.cols);
	for (uint32_t b = 0; b < batch; b++)
		for (uint32_t j = 0; j < f.cols; j++)
			/* vector b: alternate signs from column b on */
			in[(size_t)b * f.cols + j] = (int16_t)(j >= b && (j & 1) ?
						      INT16_MAX : INT16_MIN);
	f.bias[1] = INT32_MIN;
	f.bias[2] = INT32_MAX;
	CHECK_EQ(fixture_encode(&f), 0);
	for (int k = 0; k < 2; k++) {
		run_decoded_with(k ? EIE_KERNELS_BASELINE : EIE_KERNELS_AUTO,
				 &f.l, batch, in, out, NULL);
		for (uint32_t b = 0; b < batch; b++) {
			ref_fc(&f.ref, in + (size_t)b * f.cols, want);
			CHECK(!memcmp(want, out + b * f.rows, sizeof(want)));
		}
	}
	free(in);
	fixture_free(&f);
}

static const struct tap_test tests[] = {
	TAP_TEST(random_layers_match_reference),
	TAP_TEST(dense_activations_stream_everything),
	TAP_TEST(edge_shapes_match_reference),
	TAP_TEST(zero_matrix_gives_bias),
	TAP_TEST(zero_activations_do_no_work),
	TAP_TEST(arithmetic_by_hand),
	TAP_TEST(accumulator_does_not_wrap),
	TAP_TEST(batch_equals_single_runs),
	TAP_TEST(batched_kernel_matches_per_vector),
	TAP_TEST(batched_kernel_flushes_every_column),
};

TAP_MAIN(tests)
