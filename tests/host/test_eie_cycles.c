// SPDX-License-Identifier: MIT
/*
 * The cycle model: small cases worked by hand, its invariants, and its
 * table form against the stream form.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eie_fixture.h"
#include "tap.h"

/*
 * A layer whose column j holds costs[p][j] entries in PE p (rows chosen
 * consecutively from local row 0), for hand-checking the model.
 */
static void layer_with_costs(struct fixture *f, uint32_t pes, uint32_t cols,
			     const uint32_t *costs)
{
	uint32_t local_rows = 0;

	for (uint32_t k = 0; k < pes * cols; k++)
		local_rows = costs[k] > local_rows ? costs[k] : local_rows;
	*f = (struct fixture){ .rows = (local_rows ? local_rows : 1) * pes,
			       .cols = cols, .pes = pes, .wbits = 4,
			       .zbits = 4 };
	fixture_alloc(f, false);
	for (uint32_t p = 0; p < pes; p++)
		for (uint32_t j = 0; j < cols; j++)
			for (uint32_t r = 0; r < costs[p * cols + j]; r++)
				f->widx[(size_t)(r * pes + p) * cols + j] = 1;
	CHECK_EQ(fixture_encode(f), 0);
}

static void one_pe_by_hand(void)
{
	const uint32_t costs[] = { 2, 0, 3 };	/* c = 2, 1, 3 */
	const int16_t in[] = { 1, 1, 1 };
	struct fixture f;
	struct eie_cycles c = { 0 };
	uint64_t busy = 0;

	layer_with_costs(&f, 1, 3, costs);
	/*
	 * Q = 1: B0 = 0, S0 = 1, F0 = 3; B1 = max(1, S0) = 1, S1 = 3, F1 = 4;
	 * B2 = max(2, S1) = 3 (one stall), S2 = 4, F2 = 7.
	 */
	CHECK_EQ(model_cycles(&f.l, 1, 1, in, &c, &busy), 0);
	CHECK_EQ(c.cycles, 7);
	CHECK_EQ(c.busy, 6);
	CHECK_EQ(busy, 6);
	CHECK_EQ(c.lnzd_stalls, 1);
	/* Q = 8: no stall, same latency: the one PE is the bottleneck */
	memset(&c, 0, sizeof(c));
	CHECK_EQ(model_cycles(&f.l, 8, 1, in, &c, NULL), 0);
	CHECK_EQ(c.cycles, 7);
	CHECK_EQ(c.lnzd_stalls, 0);
	fixture_free(&f);
}

static void imbalance_by_hand(void)
{
	/* PE 0: columns cost 4, 1; PE 1: 1, 4 */
	const uint32_t costs[] = { 4, 1, 1, 4 };
	const int16_t in[] = { 5, -5 };
	struct fixture f;
	struct eie_cycles c = { 0 };
	uint64_t busy[2] = { 0 };

	layer_with_costs(&f, 2, 2, costs);
	/*
	 * Q = 1: B0 = 0; S = 1, 1; F = 5, 2. B1 = max(1, 1) = 1;
	 * S = max(2, 5) = 5, max(2, 2) = 2; F = 6, 6.
	 */
	CHECK_EQ(model_cycles(&f.l, 1, 1, in, &c, busy), 0);
	CHECK_EQ(c.cycles, 6);
	CHECK_EQ(c.busy, 10);
	CHECK_EQ(busy[0], 5);
	CHECK_EQ(busy[1], 5);
	fixture_free(&f);
}

static void queue_depth_limits_broadcast(void)
{
	/* PE 0 slow on column 0 (cost 5), then 4 cheap columns; PE 1 cheap */
	const uint32_t costs[] = { 5, 1, 1, 1, 1,  1, 1, 1, 1, 1 };
	const int16_t in[] = { 1, 2, 3, 4, 5 };
	struct fixture f;
	struct eie_cycles q1 = { 0 }, q2 = { 0 }, q8 = { 0 };

	layer_with_costs(&f, 2, 5, costs);
	CHECK_EQ(model_cycles(&f.l, 1, 1, in, &q1, NULL), 0);
	CHECK_EQ(model_cycles(&f.l, 2, 1, in, &q2, NULL), 0);
	CHECK_EQ(model_cycles(&f.l, 8, 1, in, &q8, NULL), 0);
	/*
	 * PE 0 finishes column 0 at 6, then one per cycle: F = 7, 8, 9, 10,
	 * whatever the queue; a deep queue only removes broadcast stalls.
	 * Q = 1: B = 0, 1, 6, 7, 8 (stalls 4); Q = 2: B = 0, 1, 2, 6, 7
	 * (stalls 3); Q = 8: B = 0..4, no stall.
	 */
	CHECK_EQ(q1.cycles, 10);
	CHECK_EQ(q2.cycles, 10);
	CHECK_EQ(q8.cycles, 10);
	CHECK_EQ(q1.lnzd_stalls, 4);
	CHECK_EQ(q2.lnzd_stalls, 3);
	CHECK_EQ(q8.lnzd_stalls, 0);
	fixture_free(&f);
}

static void zero_activations_cost_nothing(void)
{
	const uint32_t costs[] = { 2, 3, 4, 1 };
	const int16_t sparse[] = { 0, 7, 0, 9 }, none[4] = { 0 };
	struct fixture f, g;
	struct eie_cycles a = { 0 }, b = { 0 }, z = { 0 };
	const uint32_t kept[] = { 3, 1 };
	const int16_t dense[] = { 7, 9 };

	layer_with_costs(&f, 1, 4, costs);
	layer_with_costs(&g, 1, 2, kept);
	CHECK_EQ(model_cycles(&f.l, 2, 1, sparse, &a, NULL), 0);
	CHECK_EQ(model_cycles(&g.l, 2, 1, dense, &b, NULL), 0);
	CHECK_EQ(a.cycles, b.cycles);
	CHECK_EQ(a.cycles, 1 + 3 + 1);
	CHECK_EQ(model_cycles(&f.l, 2, 1, none, &z, NULL), 0);
	CHECK_EQ(z.cycles, 0);
	CHECK_EQ(z.busy, 0);
	fixture_free(&f);
	fixture_free(&g);
}

static void bad_queue_depth_rejected(void)
{
	const uint32_t costs[] = { 1 };
	const int16_t in[] = { 1 };
	struct fixture f;
	struct eie_cycles c = { 0 };

	layer_with_costs(&f, 1, 1, costs);
	CHECK_EQ(model_cycles(&f.l, 0, 1, in, &c, NULL), -EINVAL);
	CHECK_EQ(model_cycles(&f.l, DCACCEL_EIE_QUEUE_MAX + 1, 1, in, &c, NULL),
		 -EINVAL);
	CHECK_EQ(c.cycles, 0);
	fixture_free(&f);
}

/* Invariants over random layers and inputs. */
static void invariants_hold(void)
{
	struct rng r = { 800 };
	unsigned int broken = 0;

	for (int iter = 0; iter < 200; iter++) {
		struct fixture f = {
			.rows = (uint32_t)rng_range(&r, 1, 300),
			.cols = (uint32_t)rng_range(&r, 1, 150),
			.pes = (uint32_t)rng_range(&r, 1, 64),
			.wbits = 4, .zbits = 4,
		};
		int16_t *in = calloc(f.cols, sizeof(*in));
		uint64_t *busy = calloc(f.pes, sizeof(*busy));
		uint64_t prev = UINT64_MAX, k = 0, max_busy = 0, expect_busy = 0;
		struct eie_stats st = { 0 };
		int16_t *out;

		fixture_alloc(&f, false);
		fixture_randomize(&f, &r, (double)rng_range(&r, 0, 60) / 100.0);
		for (uint32_t j = 0; j < f.cols; j++)
			in[j] = rng_chance(&r, 0.5) ? (int16_t)rng_range(&r, 1, 9) : 0;
		CHECK_EQ(fixture_encode(&f), 0);
		out = calloc(f.rows, sizeof(*out));
		run_engine(&f.l, 1, in, out, &st);
		for (uint32_t j = 0; j < f.cols; j++) {
			if (!in[j])
				continue;
			k++;
			for (uint32_t p = 0; p < f.pes; p++) {
				const uint32_t *ptr = f.s.colptr + p * (f.cols + 1) + j;

				expect_busy += ptr[1] > ptr[0] ? ptr[1] - ptr[0] : 1;
			}
		}
		/* deeper queues never make a layer slower */
		for (uint32_t q = 1; q <= 64; q *= 2) {
			struct eie_cycles c = { 0 };

			memset(busy, 0, f.pes * sizeof(*busy));
			model_cycles(&f.l, q, 1, in, &c, busy);
			max_busy = 0;
			for (uint32_t p = 0; p < f.pes; p++)
				max_busy = busy[p] > max_busy ? busy[p] : max_busy;
			if (c.cycles > prev || c.busy != expect_busy ||
			    (k && c.cycles < max_busy + 1) ||
			    (k && c.cycles < k + 1) ||
			    (!k && c.cycles) ||
			    c.busy > c.cycles * f.pes ||
			    (f.pes == 1 && k && c.cycles != c.busy + 1) ||
			    (q >= k && c.lnzd_stalls) ||
			    c.busy < st.entries) {
				DIAG("layer %d Q=%u: cycles %llu busy %llu k %llu",
				     iter, q, (unsigned long long)c.cycles,
				     (unsigned long long)c.busy,
				     (unsigned long long)k);
				broken++;
			}
			prev = c.cycles;
		}
		free(out);
		free(busy);
		free(in);
		fixture_free(&f);
	}
	CHECK_EQ(broken, 0);
}

/* eie_model_cycles_table() with a table and workspace of its own. */
static int model_table(const struct eie_layer *l, uint32_t queue_depth,
		       uint32_t batch, const int16_t *in, struct eie_cycles *c,
		       uint64_t *pe_busy, const struct eie_poll *poll,
		       bool *narrow)
{
	void *buf = calloc(1, eie_cycle_table_size(l, queue_depth) + 8);
	struct eie_cycle_table t;
	void *ws;
	int ret;

	eie_cycle_table_build(l, queue_depth, buf, &t);
	ws = calloc(1, eie_cycles_table_ws_size(&t));
	ret = eie_model_cycles_table(&t, batch, in, ws, c, pe_busy, poll);
	if (narrow)
		*narrow = t.narrow;
	free(ws);
	free(buf);
	return ret;
}

/*
 * The table form against the stream form: random layers, batches and
 * queue depths, both of its arithmetics (narrow: 16 bits relative to the
 * broadcast; wide: long runs and deep queues), every counter.
 */
static void table_form_agrees(void)
{
	static const uint32_t qs[] = { 1, 2, 3, 8, 64, 1024 };
	struct rng r = { 2024 };
	unsigned int broken = 0, narrow_seen = 0, wide_seen = 0;

	for (int iter = 0; iter < 300; iter++) {
		bool long_runs = rng_chance(&r, 0.2);
		struct fixture f = {
			.rows = (uint32_t)rng_range(&r, 1, long_runs ? 3000 : 300),
			.cols = (uint32_t)rng_range(&r, 1, 120),
			.pes = (uint32_t)rng_range(&r, 1, long_runs ? 3 : 70),
			.wbits = 4, .zbits = (uint8_t)rng_range(&r, 1, 8),
		};
		uint32_t batch = (uint32_t)rng_range(&r, 1, 5);
		uint32_t q = qs[rng_range(&r, 0, 5)];
		int16_t *in = calloc((size_t)f.cols * batch, sizeof(*in));
		uint64_t *b1 = calloc(f.pes, sizeof(*b1));
		uint64_t *b2 = calloc(f.pes, sizeof(*b2));
		uint64_t *b3 = calloc(f.pes, sizeof(*b3));
		struct eie_cycles c1 = { 0 }, c2 = { 0 }, c3 = { 0 };
		double act = (double)rng_range(&r, 0, 100) / 100.0;
		bool narrow;

		f.codebook_len = 16;
		fixture_alloc(&f, false);
		fixture_randomize(&f, &r, long_runs ? 0.9 :
				  (double)rng_range(&r, 0, 60) / 100.0);
		for (uint32_t k = 0; k < f.cols * batch; k++)
			in[k] = rng_chance(&r, act) ? (int16_t)rng_range(&r, 1, 9) : 0;
		CHECK_EQ(fixture_encode(&f), 0);
		CHECK(eie_cycle_table_fits(&f.l));
		CHECK_EQ(model_cycles(&f.l, q, batch, in, &c1, b1), 0);
		CHECK_EQ(model_table(&f.l, q, batch, in, &c2, b2, NULL, &narrow), 0);
		/* the baseline copy too (AVX2 above, when the host has it) */
		eie_set_kernels(EIE_KERNELS_BASELINE);
		CHECK_EQ(model_table(&f.l, q, batch, in, &c3, b3, NULL, NULL), 0);
		eie_set_kernels(EIE_KERNELS_AUTO);
		if (c3.cycles != c2.cycles || c3.busy != c2.busy ||
		    c3.lnzd_stalls != c2.lnzd_stalls ||
		    memcmp(b3, b2, f.pes * sizeof(*b3))) {
			DIAG("layer %d: the baseline copy differs", iter);
			broken++;
		}
		if (narrow)
			narrow_seen++;
		else
			wide_seen++;
		if (c1.cycles != c2.cycles || c1.busy != c2.busy ||
		    c1.lnzd_stalls != c2.lnzd_stalls ||
		    memcmp(b1, b2, f.pes * sizeof(*b1))) {
			DIAG("layer %d %ux%u P=%u Q=%u batch %u %s: cycles %llu/%llu busy %llu/%llu stalls %llu/%llu",
			     iter, f.rows, f.cols, f.pes, q, batch,
			     narrow ? "narrow" : "wide",
			     (unsigned long long)c1.cycles,
			     (unsigned long long)c2.cycles,
			     (unsigned long long)c1.busy,
			     (unsigned long long)c2.busy,
			     (unsigned long long)c1.lnzd_stalls,
			     (unsigned long long)c2.lnzd_stalls);
			broken++;
		}
		free(b1);
		free(b2);
		free(b3);
		free(in);
		fixture_free(&f);
	}
	CHECK_EQ(broken, 0);
	CHECK(narrow_seen > 0);
	CHECK(wide_seen > 0);
}

static bool stop_after(void *opaque)
{
	unsigned int *left = opaque;

	return (*left)-- == 0;
}

/*
 * The poll of the table form and of the decoded run: before each vector
 * and every 256 non-zero inputs, as the stream forms; the batched kernel
 * before each tile and every 256 columns with a non-zero input.
 */
static void table_and_decoded_forms_stop(void)
{
	struct fixture f = { .rows = 64, .cols = 600, .pes = 8, .wbits = 4,
			     .zbits = 4, .codebook_len = 16 };
	struct rng r = { 7 };
	int16_t *in = calloc(600 * 2, sizeof(*in));
	int16_t *out = calloc(64 * 2, sizeof(*out));
	struct eie_cycles c = { 0 };
	struct eie_decoded d;
	void *buf, *ws;

	fixture_alloc(&f, false);
	fixture_randomize(&f, &r, 0.3);
	CHECK_EQ(fixture_encode(&f), 0);
	for (uint32_t k = 0; k < 600 * 2; k++)
		in[k] = 1;	/* 600 non-zeros a vector: polled at 256, 512 */
	for (unsigned int n = 0; n < 8; n++) {
		unsigned int left = n;
		const struct eie_poll poll = { stop_after, &left };
		int expect = n < 6 ? -ECANCELED : 0;

		CHECK_EQ(model_table(&f.l, 8, 2, in, &c, NULL, &poll, NULL),
			 expect);
		buf = calloc(1, eie_decoded_size(&f.l));
		ws = calloc(1, eie_run_ws_size(&f.l));
		eie_decode_layer(&f.l, buf, &d);
		/* one vector at a time: as the stream form */
		left = n;
		eie_set_kernels(EIE_KERNELS_PER_VECTOR);
		CHECK_EQ(eie_run_decoded_poll(&d, 2, in, out, ws, NULL, &poll),
			 expect);
		eie_set_kernels(EIE_KERNELS_AUTO);
		/* batched: before the tile, at its 256th and 512th column */
		left = n;
		CHECK_EQ(eie_run_decoded_poll(&d, 2, in, out, ws, NULL, &poll),
			 n < 3 ? -ECANCELED : 0);
		free(ws);
		free(buf);
	}
	free(in);
	free(out);
	fixture_free(&f);
}

static void time_at_clock(void)
{
	CHECK(eie_cycles_to_ns(800, 800) == 1000.0);
	CHECK(eie_cycles_to_ns(1, 1000) == 1.0);
	CHECK(eie_cycles_to_ns(5, 0) == 0.0);
}

static const struct tap_test tests[] = {
	TAP_TEST(one_pe_by_hand),
	TAP_TEST(imbalance_by_hand),
	TAP_TEST(queue_depth_limits_broadcast),
	TAP_TEST(zero_activations_cost_nothing),
	TAP_TEST(bad_queue_depth_rejected),
	TAP_TEST(invariants_hold),
	TAP_TEST(table_form_agrees),
	TAP_TEST(table_and_decoded_forms_stop),
	TAP_TEST(time_at_clock),
};

TAP_MAIN(tests)
